//! Fault injection for tests: a table that fails a chosen share of calls (before they reach the
//! inner table, so a failed call has no effect, as with a network error on the way there).

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use async_trait::async_trait;

use super::table::{Item, Key, Page, Query, Table, TableError, Write};

/// Fails about `per_mille`/1000 of calls with `error`, deterministically from a seed.
pub struct FaultyTable {
    inner: Arc<dyn Table>,
    state: AtomicU64,
    per_mille: AtomicU64,
    error: std::sync::Mutex<TableError>,
    injected: AtomicU64,
}

impl FaultyTable {
    pub fn new(inner: Arc<dyn Table>, seed: u64) -> Self {
        Self {
            inner,
            state: AtomicU64::new(seed | 1),
            per_mille: AtomicU64::new(0),
            error: std::sync::Mutex::new(TableError::Unavailable("injected fault".into())),
            injected: AtomicU64::new(0),
        }
    }

    /// From now on, fail `per_mille` of every thousand calls with `error` (0 stops faults).
    pub fn fail(&self, per_mille: u64, error: TableError) {
        *self.error.lock().unwrap_or_else(|e| e.into_inner()) = error;
        self.per_mille.store(per_mille.min(1000), Ordering::SeqCst);
    }

    /// How many calls were failed so far.
    pub fn injected(&self) -> u64 {
        self.injected.load(Ordering::SeqCst)
    }

    fn roll(&self) -> Result<(), TableError> {
        let p = self.per_mille.load(Ordering::SeqCst);
        if p == 0 {
            return Ok(());
        }
        // xorshift: cheap, deterministic for a seed, good enough to spread faults.
        let mut x = self.state.load(Ordering::SeqCst);
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        self.state.store(x, Ordering::SeqCst);
        if x % 1000 < p {
            self.injected.fetch_add(1, Ordering::SeqCst);
            Err(self.error.lock().unwrap_or_else(|e| e.into_inner()).clone())
        } else {
            Ok(())
        }
    }
}

impl std::fmt::Debug for FaultyTable {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("FaultyTable")
    }
}

#[async_trait]
impl Table for FaultyTable {
    async fn get(&self, key: &Key) -> Result<Option<Item>, TableError> {
        self.roll()?;
        self.inner.get(key).await
    }

    async fn get_eventually(&self, key: &Key) -> Result<Option<Item>, TableError> {
        self.roll()?;
        self.inner.get_eventually(key).await
    }

    async fn query(&self, q: &Query) -> Result<Page, TableError> {
        self.roll()?;
        self.inner.query(q).await
    }

    async fn count(&self, q: &Query) -> Result<u64, TableError> {
        self.roll()?;
        self.inner.count(q).await
    }

    async fn write(&self, w: Write) -> Result<(), TableError> {
        self.roll()?;
        self.inner.write(w).await
    }

    async fn update_returning(&self, w: Write) -> Result<Item, TableError> {
        self.roll()?;
        self.inner.update_returning(w).await
    }

    async fn transact(&self, writes: Vec<Write>) -> Result<(), TableError> {
        self.roll()?;
        self.inner.transact(writes).await
    }
}
