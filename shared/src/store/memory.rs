//! The embedded store: the table in a `BTreeMap` behind one mutex. Conditions and transactions
//! are checked and applied under the lock, so it is held to the same rules as DynamoDB (the
//! contract suite runs against both). It is the local stack's default. Given a clock, it
//! removes items after their TTL as DynamoDB does.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};

use async_trait::async_trait;
use jiff::SignedDuration;
use serde_json::Value;

use super::table::{Item, Key, Page, Query, TTL, Table, TableError, Write, validate_transaction};
use crate::Clock;

/// How long after its TTL (`expires_at`) the memory table removes an item. DynamoDB deletes
/// expired items in the background, days after their TTL, so every reader checks expiry itself
/// and no answer may count on the deletion (a spent sign-in link is 410 while it is still
/// there); a week's delay keeps those checks exercised here too, over the simulated days the
/// local stack and its tests move through, while what lapsed (a flood of unconfirmed
/// registrations) still leaves the table in the end.
pub const TTL_DELETION_DELAY: SignedDuration = SignedDuration::from_hours(7 * 24);

#[derive(Default)]
pub struct MemoryTable {
    items: Mutex<BTreeMap<Key, Item>>,
    /// Decides when an item's TTL has passed; without one nothing expires (in-process tests).
    clock: Option<Arc<dyn Clock>>,
}

impl std::fmt::Debug for MemoryTable {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MemoryTable")
            .field("items", &self.len())
            .field("expires", &self.clock.is_some())
            .finish()
    }
}

impl MemoryTable {
    pub fn new() -> Self {
        Self::default()
    }

    /// A table that removes items [`TTL_DELETION_DELAY`] after their TTL on `clock`.
    pub fn with_clock(clock: Arc<dyn Clock>) -> Self {
        Self {
            items: Mutex::default(),
            clock: Some(clock),
        }
    }

    /// The epoch second up to which a TTL has been acted on (`None`: no TTL is).
    fn deleted_up_to(&self) -> Option<i64> {
        let clock = self.clock.as_ref()?;
        Some(clock.now().as_second() - TTL_DELETION_DELAY.as_secs())
    }

    /// Removes the item at `key` if its TTL was acted on, as DynamoDB's TTL would have.
    fn expire(items: &mut BTreeMap<Key, Item>, key: &Key, up_to: Option<i64>) {
        if items.get(key).is_some_and(|i| gone(i, up_to)) {
            items.remove(key);
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, BTreeMap<Key, Item>> {
        // A panic while holding the lock leaves no half-applied write (writes apply after every
        // check), so the data is still consistent.
        self.items.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Every item, for tests and the local stack's inspection.
    pub fn len(&self) -> usize {
        self.lock().len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// Whether TTL deletion has removed `item` by `up_to`.
fn gone(item: &Item, up_to: Option<i64>) -> bool {
    let ttl = item.get(TTL).and_then(Value::as_i64);
    matches!((ttl, up_to), (Some(t), Some(up_to)) if t <= up_to)
}

fn apply(items: &mut BTreeMap<Key, Item>, key: Key, w: Write) -> Item {
    match w {
        Write::Put { item, .. } => {
            items.insert(key, item.clone());
            item
        }
        Write::Update {
            set,
            keep,
            add,
            remove,
            ..
        } => {
            let item = items.entry(key.clone()).or_insert_with(|| key.item());
            for (a, v) in set {
                item.insert(a, v);
            }
            for (a, v) in keep {
                item.entry(a).or_insert(v);
            }
            for (a, n) in add {
                let cur = item.get(&a).and_then(Value::as_i64).unwrap_or(0);
                item.insert(a, Value::from(cur + n));
            }
            for a in remove {
                item.remove(&a);
            }
            item.clone()
        }
        Write::Delete { .. } => items.remove(&key).unwrap_or_default(),
        Write::Check { .. } => Item::new(),
    }
}

#[async_trait]
impl Table for MemoryTable {
    async fn get(&self, key: &Key) -> Result<Option<Item>, TableError> {
        let up_to = self.deleted_up_to();
        let mut items = self.lock();
        Self::expire(&mut items, key, up_to);
        Ok(items.get(key).cloned())
    }

    async fn query(&self, q: &Query) -> Result<Page, TableError> {
        q.validate()?;
        let up_to = self.deleted_up_to();
        let items = self.lock();
        // Start at the first key the condition admits, not at the partition's start.
        let lo = Key::new(
            q.pk.clone(),
            q.sk_prefix
                .clone()
                .or_else(|| q.sk_between.as_ref().map(|(a, _)| a.clone()))
                .unwrap_or_default(),
        );
        let in_key = |k: &Key| {
            k.pk == q.pk
                && q.sk_prefix
                    .as_ref()
                    .is_none_or(|p| k.sk.starts_with(p.as_str()))
                && q.sk_between
                    .as_ref()
                    .is_none_or(|(a, b)| k.sk >= *a && k.sk <= *b)
                && q.after.as_ref().is_none_or(|after| {
                    if q.descending {
                        k.sk < *after
                    } else {
                        k.sk > *after
                    }
                })
        };
        let candidates = items
            .range(lo..)
            // Keys with the prefix (or inside the range) are contiguous: stop after them.
            .take_while(|(k, _)| {
                k.pk == q.pk
                    && q.sk_prefix
                        .as_ref()
                        .is_none_or(|p| k.sk.starts_with(p.as_str()))
                    && q.sk_between.as_ref().is_none_or(|(_, b)| k.sk <= *b)
            })
            .filter(|(k, i)| in_key(k) && !gone(i, up_to));
        let evaluated: Vec<(&Key, &Item)> = if q.descending {
            let mut all: Vec<_> = candidates.collect();
            all.reverse();
            all
        } else {
            candidates.collect()
        };
        let limit = q.limit.map_or(usize::MAX, |l| l as usize);
        // DynamoDB stops at `Limit` and reports the last key even when nothing follows, so
        // callers here meet the empty final page they will meet there.
        let more = evaluated.len() >= limit;
        let page: Vec<_> = evaluated.into_iter().take(limit).collect();
        let last = if more {
            page.last().map(|(k, _)| k.sk.clone())
        } else {
            None
        };
        let items = page
            .into_iter()
            .filter(|(_, i)| q.filter.as_ref().is_none_or(|f| f.holds(Some(i))))
            .map(|(_, i)| i.clone())
            .collect();
        Ok(Page { items, last })
    }

    async fn write(&self, w: Write) -> Result<(), TableError> {
        self.update_returning(w).await.map(|_| ())
    }

    async fn update_returning(&self, w: Write) -> Result<Item, TableError> {
        if matches!(w, Write::Check { .. }) {
            return Err(TableError::Invalid(
                "a check belongs in a transaction".to_owned(),
            ));
        }
        let key = w.validate()?;
        let up_to = self.deleted_up_to();
        let mut items = self.lock();
        Self::expire(&mut items, &key, up_to);
        if let Some(c) = w.condition()
            && !c.holds(items.get(&key))
        {
            return Err(TableError::ConditionFailed { index: 0 });
        }
        Ok(apply(&mut items, key, w))
    }

    async fn transact(&self, writes: Vec<Write>) -> Result<(), TableError> {
        let keys = validate_transaction(&writes)?;
        let up_to = self.deleted_up_to();
        let mut items = self.lock();
        for k in &keys {
            Self::expire(&mut items, k, up_to);
        }
        for (index, (w, k)) in writes.iter().zip(&keys).enumerate() {
            if let Some(c) = w.condition()
                && !c.holds(items.get(k))
            {
                return Err(TableError::ConditionFailed { index });
            }
        }
        for (w, k) in writes.into_iter().zip(keys) {
            apply(&mut items, k, w);
        }
        Ok(())
    }
}
