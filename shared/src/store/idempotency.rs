//! Idempotency records: the answer to an `Idempotency-Key`, kept for a day so a repeated request
//! gets it again; a conditional item with a TTL, claimed while the first request runs.

use async_trait::async_trait;
use jiff::{SignedDuration, Timestamp};
use serde_json::Value;

use super::{Cond, StoreError, TTL, TableError, TableStore, Write, keys};
use crate::http::IdempotencyKeyHash;

/// The answer a use case will give, to be recorded with its own transaction.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Completion {
    pub key_hash: IdempotencyKeyHash,
    pub response: SavedResponse,
}

/// A response kept to be given again for a repeated request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SavedResponse {
    pub status: u16,
    pub content_type: String,
    pub body: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Begin {
    /// First time: go ahead, then `finish` (or `abandon` on failure).
    Fresh,
    /// Done before: give this again.
    Replay(SavedResponse),
    /// The first request with this key is still running.
    InProgress,
    /// The key was used with a different request.
    Mismatch,
}

/// How long a finished answer is kept, and how long a running claim blocks before it is
/// presumed dead (a crashed invocation must not block the key for a day).
pub const IDEMPOTENCY_WINDOW: SignedDuration = SignedDuration::from_hours(24);
pub const IDEMPOTENCY_CLAIM: SignedDuration = SignedDuration::from_secs(60);

#[async_trait]
pub trait IdempotencyStore: Send + Sync {
    async fn begin(
        &self,
        key_hash: &IdempotencyKeyHash,
        request_hash: &str,
        now: Timestamp,
    ) -> Result<Begin, StoreError>;
    async fn finish(
        &self,
        key_hash: &IdempotencyKeyHash,
        response: &SavedResponse,
        now: Timestamp,
    ) -> Result<(), StoreError>;
    async fn abandon(&self, key_hash: &IdempotencyKeyHash) -> Result<(), StoreError>;
}

/// Records `response` as the answer to the key: on its own ([`IdempotencyStore::finish`]) or in
/// the transaction of the effect ([`Change::complete_idempotency`](super::Change::complete_idempotency)).
pub(crate) fn done(
    key_hash: &IdempotencyKeyHash,
    response: &SavedResponse,
    now: Timestamp,
) -> Write {
    Write::update(keys::idempotency(key_hash))
        .set("state", "done")
        .set("status", u64::from(response.status))
        .set("content_type", response.content_type.clone())
        .set("body", response.body.clone())
        .set(TTL, now.as_second() + IDEMPOTENCY_WINDOW.as_secs())
}

#[async_trait]
impl IdempotencyStore for TableStore {
    async fn begin(
        &self,
        key_hash: &IdempotencyKeyHash,
        request_hash: &str,
        now: Timestamp,
    ) -> Result<Begin, StoreError> {
        let key = keys::idempotency(key_hash);
        let mut item = key.item();
        item.insert("request".into(), Value::from(request_hash));
        item.insert("state".into(), Value::from("running"));
        let until = now.as_second() + IDEMPOTENCY_CLAIM.as_secs();
        item.insert(TTL.into(), Value::from(until));
        let w = Write::put(item).when(Cond::Or(vec![
            Cond::NotExists,
            Cond::Lt(TTL.into(), now.as_second()),
        ]));
        match self.table.write(w).await {
            Ok(()) => return Ok(Begin::Fresh),
            Err(TableError::ConditionFailed { .. }) => {}
            Err(e) => return Err(e.into()),
        }
        let Some(found) = self.table.get(&key).await? else {
            // Expired and removed in between: the next attempt will claim it.
            return Ok(Begin::InProgress);
        };
        let s = |a: &str| {
            found
                .get(a)
                .and_then(Value::as_str)
                .unwrap_or("")
                .to_owned()
        };
        if s("request") != request_hash {
            return Ok(Begin::Mismatch);
        }
        if s("state") != "done" {
            return Ok(Begin::InProgress);
        }
        Ok(Begin::Replay(SavedResponse {
            status: found.get("status").and_then(Value::as_u64).unwrap_or(200) as u16,
            content_type: s("content_type"),
            body: s("body"),
        }))
    }

    async fn finish(
        &self,
        key_hash: &IdempotencyKeyHash,
        response: &SavedResponse,
        now: Timestamp,
    ) -> Result<(), StoreError> {
        self.table.write(done(key_hash, response, now)).await?;
        Ok(())
    }

    async fn abandon(&self, key_hash: &IdempotencyKeyHash) -> Result<(), StoreError> {
        self.table
            .write(Write::Delete {
                key: keys::idempotency(key_hash),
                cond: None,
            })
            .await?;
        Ok(())
    }
}
