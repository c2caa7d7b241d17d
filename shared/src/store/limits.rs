//! Rate limits: one counter per scope and fixed window, a conditional item with a TTL.

use async_trait::async_trait;
use jiff::{SignedDuration, Timestamp};

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

    /// Whether `limit` uses of `scope` were already counted in the window containing `now`
    /// (one read; nothing counted).
    async fn reached(
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

    async fn reached(
        &self,
        scope: &str,
        window: SignedDuration,
        limit: u32,
        now: Timestamp,
    ) -> Result<bool, StoreError> {
        let (start, _) = window_of(window, now);
        let item = self
            .table
            .get(&keys::rate(scope, &start.to_string()))
            .await?;
        let n = item
            .and_then(|i| i.get("n").and_then(serde_json::Value::as_i64))
            .unwrap_or(0);
        Ok(n >= i64::from(limit))
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
