//! The audit log, and how an entry commits with the change it records.
//!
//! The organiser function runs each write route inside [`recording`], with the entries that
//! describe it. Every [`TableStore`] sits on a [`RecordingTable`], which adds the pending
//! entries to the first write of the request that commits — a single write becomes a
//! transaction of the write and its entries — so there is no change without its entry and no
//! entry without its change, whichever store method the route calls, and a route that ends in
//! a refusal (no write) records nothing. A write that fails keeps the entries pending for the
//! next attempt (the retry loops). Outside [`recording`] the layer passes every call through.

use std::sync::{Arc, Mutex};

use async_trait::async_trait;
use jiff::Timestamp;
use serde_json::Value;

use super::codec::{doc_item, doc_of};
use super::table::{Item, Key, MAX_TRANSACTION_WRITES, Page, Query, Table, TableError, Write};
use super::{StoreError, TTL, TableStore, keys};
use crate::domain::{AUDIT_RETENTION, AuditEntry, AuditScope};

tokio::task_local! {
    static PENDING: Arc<Mutex<Vec<Write>>>;
}

/// Runs `work` so that its first committed write carries `entries`, in the same transaction.
pub async fn recording<F: Future>(
    entries: &[(AuditScope, AuditEntry)],
    work: F,
) -> Result<F::Output, StoreError> {
    let writes = entries
        .iter()
        .map(|(scope, entry)| entry_write(scope, entry))
        .collect::<Result<Vec<_>, _>>()?;
    Ok(PENDING.scope(Arc::new(Mutex::new(writes)), work).await)
}

fn entry_write(scope: &AuditScope, entry: &AuditEntry) -> Result<Write, StoreError> {
    let mut item = doc_item(keys::audit_entry(scope, &entry.id), entry)?;
    item.insert(
        TTL.into(),
        Value::from((entry.at + AUDIT_RETENTION).as_second()),
    );
    Ok(Write::put_new(item))
}

/// The entries still waiting for their change, if this task records any.
fn pending() -> Vec<Write> {
    PENDING
        .try_with(|p| p.lock().unwrap_or_else(|e| e.into_inner()).clone())
        .unwrap_or_default()
}

/// The change committed: its entries are written.
fn committed() {
    let _ = PENDING.try_with(|p| p.lock().unwrap_or_else(|e| e.into_inner()).clear());
}

/// The table layer that commits pending audit entries with the first write.
pub struct RecordingTable {
    inner: Arc<dyn Table>,
}

impl RecordingTable {
    pub fn new(inner: Arc<dyn Table>) -> Self {
        Self { inner }
    }
}

#[async_trait]
impl Table for RecordingTable {
    async fn get(&self, key: &Key) -> Result<Option<Item>, TableError> {
        self.inner.get(key).await
    }

    async fn get_eventually(&self, key: &Key) -> Result<Option<Item>, TableError> {
        self.inner.get_eventually(key).await
    }

    async fn query(&self, q: &Query) -> Result<Page, TableError> {
        self.inner.query(q).await
    }

    async fn query_all(&self, q: &Query) -> Result<Vec<Item>, TableError> {
        self.inner.query_all(q).await
    }

    async fn count(&self, q: &Query) -> Result<u64, TableError> {
        self.inner.count(q).await
    }

    async fn write(&self, w: Write) -> Result<(), TableError> {
        match with_pending(std::slice::from_ref(&w)) {
            Some(all) => self.commit(all).await,
            None => self.inner.write(w).await,
        }
    }

    async fn update_returning(&self, w: Write) -> Result<Item, TableError> {
        // A counter's new value cannot come back from a transaction: entries wait for the
        // write that follows.
        self.inner.update_returning(w).await
    }

    async fn transact(&self, writes: Vec<Write>) -> Result<(), TableError> {
        match with_pending(&writes) {
            Some(all) => self.commit(all).await,
            None => self.inner.transact(writes).await,
        }
    }
}

impl RecordingTable {
    /// The change with its entries, all or nothing; once it commits, the entries are written.
    async fn commit(&self, all: Vec<Write>) -> Result<(), TableError> {
        self.inner.transact(all).await?;
        committed();
        Ok(())
    }
}

/// `writes` with the pending entries after them (so a failed condition names the same index as
/// before), when entries are pending and fit in the transaction; None to send `writes` as they
/// are. A change of a full transaction's size is not an organiser's: its entries wait.
fn with_pending(writes: &[Write]) -> Option<Vec<Write>> {
    let entries = pending();
    (!entries.is_empty() && writes.len() + entries.len() <= MAX_TRANSACTION_WRITES)
        .then(|| writes.iter().cloned().chain(entries).collect())
}

/// A page of a log, newest first.
#[derive(Debug, Clone, PartialEq)]
pub struct AuditPage {
    pub entries: Vec<AuditEntry>,
    /// The id of the last entry given, when more may follow.
    pub next_cursor: Option<String>,
}

#[async_trait]
pub trait AuditLog: Send + Sync {
    /// Up to `limit` entries of `scope`, newest first, older than the entry `after`.
    async fn audit(
        &self,
        scope: &AuditScope,
        after: Option<&str>,
        limit: u32,
        now: Timestamp,
    ) -> Result<AuditPage, StoreError>;
}

#[async_trait]
impl AuditLog for TableStore {
    async fn audit(
        &self,
        scope: &AuditScope,
        after: Option<&str>,
        limit: u32,
        now: Timestamp,
    ) -> Result<AuditPage, StoreError> {
        let page = self
            .table
            .query(&keys::audit_entries(scope, after, limit))
            .await?;
        let mut entries = Vec::with_capacity(page.items.len());
        for item in &page.items {
            // DynamoDB's TTL deletes late; a reader does not show what has expired.
            let expired = item
                .get(TTL)
                .and_then(Value::as_i64)
                .is_some_and(|t| t <= now.as_second());
            if !expired {
                entries.push(doc_of(item)?);
            }
        }
        let next_cursor = page
            .last
            .as_deref()
            .and_then(|sk| keys::audit_entry_id(sk).map(str::to_owned));
        Ok(AuditPage {
            entries,
            next_cursor,
        })
    }
}
