//! Storage. Domain stores (narrow traits per concern, so each function is handed only what it
//! may touch) are written once over the [`Table`] abstraction; the adapters ([`MemoryTable`],
//! [`DynamoTable`]) implement only the table, and translate their own errors into
//! [`TableError`]. Every key is in [`keys`].

mod audit;
mod codec;
mod dynamo;
mod events;
mod faults;
mod idempotency;
mod jobs;
pub mod keys;
mod limits;
mod memory;
mod organisers;
mod outbox;
mod programme;
mod registrations;
mod table;
mod uploads;

use std::sync::Arc;

pub use audit::{AuditLog, AuditPage, RecordingTable, recording};
pub use dynamo::{DynamoTable, dynamo_client, ensure_table};
pub use events::{EventReader, EventWriter, JoinInfoStore, Saved, Written};
pub use faults::FaultyTable;
pub use idempotency::{
    Begin, Completion, IDEMPOTENCY_CLAIM, IDEMPOTENCY_WINDOW, IdempotencyStore, SavedResponse,
};
pub use jobs::{Checkpoint, JobStore, ListedAnnouncement, PendingDigest};
pub use keys::email_hash;
pub use limits::{RateLimits, until_next_window};
pub use memory::{MemoryTable, TTL_DELETION_DELAY};
pub use organisers::{Credential, Credentials, Directory, Redeemed, TokenInfo};
pub use outbox::{
    Addressee, CLAIM_GRACE, Claim, Lane, MailCounts, Notice, OutboxStore, SENT_MEMORY, SentTally,
    SuppressionStore, Unsent,
};
pub use programme::{
    LatestDocument, ProgrammeReader, ProgrammeWriter, PublishError, Published, VersionSummary,
};
pub use registrations::{
    Change, CommitError, Conflict, LAPSED_KEPT, RegistrationPage, RegistrationStore, Seats, Stored,
};
pub use table::{
    Cond, Item, Key, MAX_ITEM_BYTES, MAX_TRANSACTION_WRITES, PK, Page, Query, SK, TTL, Table,
    TableError, Write, item_size, values_equal,
};
pub use uploads::UploadStore;

/// The domain stores over one table. Each function takes the narrow traits it needs from it.
#[derive(Clone)]
pub struct TableStore {
    table: Arc<dyn Table>,
}

impl TableStore {
    /// The stores over `table`, behind the layer that commits an organiser's audit entries
    /// with their change ([`recording`]).
    pub fn new(table: Arc<dyn Table>) -> Self {
        Self {
            table: Arc::new(RecordingTable::new(table)),
        }
    }

    pub fn table(&self) -> &Arc<dyn Table> {
        &self.table
    }

    /// The deployed store: the configured DynamoDB table, with the SDK's usual endpoint.
    pub async fn dynamo(table: &str) -> Self {
        Self::new(Arc::new(DynamoTable::new(dynamo_client(None).await, table)))
    }
}

impl std::fmt::Debug for TableStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("TableStore")
    }
}

/// A storage fault (not a domain outcome): the request cannot be served now.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum StoreError {
    #[error(transparent)]
    Table(#[from] TableError),
    /// Stored data that no longer parses: a bug or a manual edit.
    #[error("stored data is unreadable: {0}")]
    Corrupt(String),
}
