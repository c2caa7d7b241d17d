//! Storage. Domain stores (narrow traits per concern) are written once over the [`Table`]
//! abstraction; the adapters ([`MemoryTable`], [`DynamoTable`]) implement only the table.

mod dynamo;
mod memory;
mod table;

pub use dynamo::{DynamoTable, dynamo_client, ensure_table};
pub use memory::MemoryTable;
pub use table::{
    Cond, Item, Key, MAX_TRANSACTION_WRITES, PK, Page, Query, SK, TTL, Table, TableError, Write,
    values_equal,
};
