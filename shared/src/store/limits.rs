//! Rate limits and idempotency records: small conditional items with a TTL.

use async_trait::async_trait;
use jiff::{SignedDuration, Timestamp};
use serde_json::Value;

use super::{Cond, StoreError, TTL, TableError, TableStore, Write, keys};

#[async_trait]
pub trait RateLimits: Send + Sync {
    /// Counts one use of `scope` in the fixed window containing `now`; `false` once `limit`
    /// uses were counted in it.
    async fn allow(
        &self,
        scope: &str,
        window: SignedDuration,
        limit: u32,
        now: Timestamp,
    ) -> Result<bool, StoreError>;
}

/// The start (epoch seconds) and length of the fixed window of `window` containing `now`.
fn window_of(window: SignedDuration, now: Timestamp) -> (i64, i64) {
    let secs = window.as_secs().max(1);
    (now.as_second().div_euclid(secs) * secs, secs)
}

/// Whole seconds from `now` until the next window begins (1 at least): a `Retry-After`.
pub fn until_next_window(window: SignedDuration, now: Timestamp) -> u64 {
    let (start, secs) = window_of(window, now);
    (start + secs - now.as_second()).max(1) as u64
}

#[async_trait]
impl RateLimits for TableStore {
    async fn allow(
        &self,
        scope: &str,
        window: SignedDuration,
        limit: u32,
        now: Timestamp,
    ) -> Result<bool, StoreError> {
        let (start, secs) = window_of(window, now);
        let w = Write::update(keys::rate(scope, &start.to_string()))
            .add("n", 1)
            .set(TTL, start + secs + 60)
            .when(Cond::Or(vec![
                Cond::Absent("n".into()),
                Cond::Lt("n".into(), i64::from(limit)),
            ]));
        match self.table.write(w).await {
            Ok(()) => Ok(true),
            Err(TableError::ConditionFailed { .. }) => Ok(false),
            Err(e) => Err(e.into()),
        }
    }
}

/// The answer a use case will give, to be recorded with its own transaction.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Completion {
    pub key_hash: String,
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
        key_hash: &str,
        request_hash: &str,
        now: Timestamp,
    ) -> Result<Begin, StoreError>;
    async fn finish(
        &self,
        key_hash: &str,
        response: &SavedResponse,
        now: Timestamp,
    ) -> Result<(), StoreError>;
    async fn abandon(&self, key_hash: &str) -> Result<(), StoreError>;
}

#[async_trait]
impl IdempotencyStore for TableStore {
    async fn begin(
        &self,
        key_hash: &str,
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
        key_hash: &str,
        response: &SavedResponse,
        now: Timestamp,
    ) -> Result<(), StoreError> {
        let w = Write::update(keys::idempotency(key_hash))
            .set("state", "done")
            .set("status", u64::from(response.status))
            .set("content_type", response.content_type.clone())
            .set("body", response.body.clone())
            .set(TTL, now.as_second() + IDEMPOTENCY_WINDOW.as_secs());
        self.table.write(w).await?;
        Ok(())
    }

    async fn abandon(&self, key_hash: &str) -> Result<(), StoreError> {
        self.table
            .write(Write::Delete {
                key: keys::idempotency(key_hash),
                cond: None,
            })
            .await?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(s: &str) -> Timestamp {
        s.parse().unwrap()
    }

    #[test]
    fn retry_after_counts_to_the_start_of_the_next_window() {
        let minute = SignedDuration::from_mins(1);
        assert_eq!(until_next_window(minute, at("2021-08-23T08:00:00Z")), 60);
        assert_eq!(until_next_window(minute, at("2021-08-23T08:00:45Z")), 15);
        assert_eq!(until_next_window(minute, at("2021-08-23T08:00:59.9Z")), 1);
        let hour = SignedDuration::from_hours(1);
        assert_eq!(until_next_window(hour, at("2021-08-23T08:59:00Z")), 60);
    }
}
