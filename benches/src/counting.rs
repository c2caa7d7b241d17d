//! A [`Table`] that counts (and, when asked, logs) the calls made through it, so a test can pin
//! how many store round trips a request costs — each one is a DynamoDB request in production.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use async_trait::async_trait;
use plenary::store::{Item, Key, Page, Query, Table, TableError, Write};

/// Calls by kind.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Calls {
    pub get: u64,
    pub query: u64,
    pub write: u64,
    pub update_returning: u64,
    pub transact: u64,
}

impl Calls {
    pub fn reads(&self) -> u64 {
        self.get + self.query
    }

    pub fn writes(&self) -> u64 {
        self.write + self.update_returning + self.transact
    }
}

/// One logged call: its kind, the keys it touched, per write whether it was conditional, and
/// roughly how many bytes each item read or written holds (its JSON size: DynamoDB bills reads
/// per 4 KB and writes per 1 KB of item).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Call {
    pub op: &'static str,
    pub keys: Vec<Key>,
    pub conditional: Vec<bool>,
    pub bytes: Vec<usize>,
}

fn size(item: &Item) -> usize {
    serde_json::to_vec(item).map_or(0, |v| v.len())
}

fn write_size(w: &Write) -> usize {
    match w {
        Write::Put { item, .. } => size(item),
        Write::Update { key, set, .. } => {
            let mut item = key.item();
            item.extend(set.iter().cloned());
            size(&item)
        }
        Write::Delete { key, .. } | Write::Check { key, .. } => size(&key.item()),
    }
}

impl std::fmt::Display for Call {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}(", self.op)?;
        for (i, k) in self.keys.iter().enumerate() {
            let cond = match self.conditional.get(i) {
                Some(true) => " [conditional]",
                _ => "",
            };
            let sep = if i == 0 { "" } else { ", " };
            let bytes = self
                .bytes
                .get(i)
                .map_or(String::new(), |b| format!(" ~{b} B"));
            write!(f, "{sep}{}/{}{cond}{bytes}", k.pk, k.sk)?;
        }
        write!(f, ")")
    }
}

pub struct CountingTable {
    inner: Arc<dyn Table>,
    get: AtomicU64,
    query: AtomicU64,
    write: AtomicU64,
    update_returning: AtomicU64,
    transact: AtomicU64,
    /// `None` counts only (benchmarks); `Some` also records each call (tests).
    log: Option<Mutex<Vec<Call>>>,
}

impl std::fmt::Debug for CountingTable {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CountingTable")
            .field("calls", &self.calls())
            .finish_non_exhaustive()
    }
}

impl CountingTable {
    pub fn new(inner: Arc<dyn Table>) -> Self {
        Self {
            inner,
            get: AtomicU64::new(0),
            query: AtomicU64::new(0),
            write: AtomicU64::new(0),
            update_returning: AtomicU64::new(0),
            transact: AtomicU64::new(0),
            log: None,
        }
    }

    /// Also records every call (see [`CountingTable::take_log`]).
    pub fn logging(inner: Arc<dyn Table>) -> Self {
        Self {
            log: Some(Mutex::new(Vec::new())),
            ..Self::new(inner)
        }
    }

    pub fn calls(&self) -> Calls {
        Calls {
            get: self.get.load(Ordering::Relaxed),
            query: self.query.load(Ordering::Relaxed),
            write: self.write.load(Ordering::Relaxed),
            update_returning: self.update_returning.load(Ordering::Relaxed),
            transact: self.transact.load(Ordering::Relaxed),
        }
    }

    /// Zeroes the counters and clears the log.
    pub fn reset(&self) {
        for c in [
            &self.get,
            &self.query,
            &self.write,
            &self.update_returning,
            &self.transact,
        ] {
            c.store(0, Ordering::Relaxed);
        }
        self.take_log();
    }

    /// The calls recorded since the last reset or take.
    pub fn take_log(&self) -> Vec<Call> {
        self.log.as_ref().map_or_else(Vec::new, |l| {
            std::mem::take(&mut *l.lock().unwrap_or_else(|e| e.into_inner()))
        })
    }

    fn record(&self, op: &'static str, writes: &[&Write], keys: Vec<Key>, read: Option<usize>) {
        if let Some(l) = &self.log {
            let conditional = writes.iter().map(|w| w.condition().is_some()).collect();
            let bytes = match read {
                Some(b) => vec![b],
                None => writes.iter().map(|w| write_size(w)).collect(),
            };
            l.lock().unwrap_or_else(|e| e.into_inner()).push(Call {
                op,
                keys,
                conditional,
                bytes,
            });
        }
    }
}

#[async_trait]
impl Table for CountingTable {
    async fn get(&self, key: &Key) -> Result<Option<Item>, TableError> {
        self.get.fetch_add(1, Ordering::Relaxed);
        let found = self.inner.get(key).await;
        if self.log.is_some() {
            let bytes = found.as_ref().ok().and_then(|i| i.as_ref()).map_or(0, size);
            self.record("get", &[], vec![key.clone()], Some(bytes));
        }
        found
    }

    /// Counted as a get (half its read units, which the log's bytes do not show).
    async fn get_eventually(&self, key: &Key) -> Result<Option<Item>, TableError> {
        self.get.fetch_add(1, Ordering::Relaxed);
        let found = self.inner.get_eventually(key).await;
        if self.log.is_some() {
            let bytes = found.as_ref().ok().and_then(|i| i.as_ref()).map_or(0, size);
            self.record("get_eventually", &[], vec![key.clone()], Some(bytes));
        }
        found
    }

    async fn query(&self, q: &Query) -> Result<Page, TableError> {
        self.query.fetch_add(1, Ordering::Relaxed);
        let page = self.inner.query(q).await;
        if self.log.is_some() {
            let prefix = q.sk_prefix.clone().unwrap_or_default();
            let bytes = page.as_ref().map_or(0, |p| p.items.iter().map(size).sum());
            self.record(
                "query",
                &[],
                vec![Key::new(q.pk.clone(), prefix + "…")],
                Some(bytes),
            );
        }
        page
    }

    /// Counted as one query that returns no items (a count past 1 MB would take more pages).
    async fn count(&self, q: &Query) -> Result<u64, TableError> {
        self.query.fetch_add(1, Ordering::Relaxed);
        let n = self.inner.count(q).await;
        if self.log.is_some() {
            let prefix = q.sk_prefix.clone().unwrap_or_default();
            self.record(
                "count",
                &[],
                vec![Key::new(q.pk.clone(), prefix + "…")],
                Some(0),
            );
        }
        n
    }

    async fn write(&self, w: Write) -> Result<(), TableError> {
        self.write.fetch_add(1, Ordering::Relaxed);
        self.record("write", &[&w], w.key().into_iter().collect(), None);
        self.inner.write(w).await
    }

    async fn update_returning(&self, w: Write) -> Result<Item, TableError> {
        self.update_returning.fetch_add(1, Ordering::Relaxed);
        self.record(
            "update_returning",
            &[&w],
            w.key().into_iter().collect(),
            None,
        );
        self.inner.update_returning(w).await
    }

    async fn transact(&self, writes: Vec<Write>) -> Result<(), TableError> {
        self.transact.fetch_add(1, Ordering::Relaxed);
        let refs: Vec<&Write> = writes.iter().collect();
        self.record(
            "transact",
            &refs,
            writes.iter().filter_map(Write::key).collect(),
            None,
        );
        self.inner.transact(writes).await
    }
}
