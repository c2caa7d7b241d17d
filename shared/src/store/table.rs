//! The one-table abstraction both adapters implement: items keyed by (`pk`, `sk`), strongly
//! consistent reads, prefix/range queries, conditional single writes and all-or-nothing
//! transactions — exactly the DynamoDB semantics the domain stores rely on, so the embedded
//! [`MemoryTable`](super::MemoryTable) and [`DynamoTable`](super::DynamoTable) are held to the same
//! contract by one test suite.

use async_trait::async_trait;
use serde_json::{Map, Value};

/// An item: attribute name to value. `pk` and `sk` are always strings. JSON numbers become
/// DynamoDB numbers, strings strings, booleans booleans, lists and objects L and M. DynamoDB
/// normalises numbers, so a float with an integral value (2.0) may read back as the integer 2:
/// compare numbers with [`values_equal`].
pub type Item = Map<String, Value>;

pub const PK: &str = "pk";
pub const SK: &str = "sk";
/// Epoch seconds after which DynamoDB's TTL may delete the item (readers check it too).
pub const TTL: &str = "expires_at";

#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Key {
    pub pk: String,
    pub sk: String,
}

impl Key {
    pub fn new(pk: impl Into<String>, sk: impl Into<String>) -> Self {
        Self {
            pk: pk.into(),
            sk: sk.into(),
        }
    }

    /// The item's key attributes, to start building an item.
    pub fn item(&self) -> Item {
        let mut m = Map::new();
        m.insert(PK.to_owned(), Value::String(self.pk.clone()));
        m.insert(SK.to_owned(), Value::String(self.sk.clone()));
        m
    }

    pub fn of(item: &Item) -> Option<Self> {
        Some(Self::new(item.get(PK)?.as_str()?, item.get(SK)?.as_str()?))
    }
}

/// A condition on the item a write addresses (as it is before the write).
#[derive(Debug, Clone, PartialEq)]
pub enum Cond {
    /// No item has this key.
    NotExists,
    /// An item has this key.
    Exists,
    /// The attribute is absent.
    Absent(String),
    Eq(String, Value),
    Ne(String, Value),
    /// Numeric attribute strictly less than; false when the attribute is absent.
    Lt(String, i64),
    /// Numeric attribute less than or equal; false when the attribute is absent.
    Le(String, i64),
    /// Numeric attribute strictly greater than; false when the attribute is absent.
    Gt(String, i64),
    And(Vec<Cond>),
    Or(Vec<Cond>),
}

impl Cond {
    pub fn eq(attr: &str, v: impl Into<Value>) -> Self {
        Self::Eq(attr.to_owned(), v.into())
    }

    /// True when evaluated against `item` (None when there is no item).
    pub fn holds(&self, item: Option<&Item>) -> bool {
        let attr = |a: &str| item.and_then(|i| i.get(a));
        let num = |a: &str| attr(a).and_then(Value::as_f64);
        match self {
            Self::NotExists => item.is_none(),
            Self::Exists => item.is_some(),
            Self::Absent(a) => attr(a).is_none(),
            Self::Eq(a, v) => attr(a).is_some_and(|x| values_equal(x, v)),
            Self::Ne(a, v) => !attr(a).is_some_and(|x| values_equal(x, v)),
            Self::Lt(a, n) => num(a).is_some_and(|x| x < *n as f64),
            Self::Le(a, n) => num(a).is_some_and(|x| x <= *n as f64),
            Self::Gt(a, n) => num(a).is_some_and(|x| x > *n as f64),
            Self::And(cs) => cs.iter().all(|c| c.holds(item)),
            Self::Or(cs) => cs.iter().any(|c| c.holds(item)),
        }
    }
}

/// DynamoDB compares numbers by value, whatever their JSON spelling.
pub fn values_equal(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => x.as_f64() == y.as_f64(),
        _ => a == b,
    }
}

#[derive(Debug, Clone, PartialEq)]
pub enum Write {
    Put {
        item: Item,
        cond: Option<Cond>,
    },
    Update {
        key: Key,
        /// Attributes to set.
        set: Vec<(String, Value)>,
        /// Attributes to set only where they are absent (DynamoDB's `if_not_exists`): a first
        /// time recorded in the same write as the counter beside it.
        keep: Vec<(String, Value)>,
        /// Numeric attributes to add to (absent counts as 0).
        add: Vec<(String, i64)>,
        remove: Vec<String>,
        cond: Option<Cond>,
    },
    Delete {
        key: Key,
        cond: Option<Cond>,
    },
    /// Only a condition, as part of a transaction.
    Check {
        key: Key,
        cond: Cond,
    },
}

impl Write {
    pub fn put(item: Item) -> Self {
        Self::Put { item, cond: None }
    }

    pub fn put_new(item: Item) -> Self {
        Self::Put {
            item,
            cond: Some(Cond::NotExists),
        }
    }

    pub fn update(key: Key) -> Self {
        Self::Update {
            key,
            set: Vec::new(),
            keep: Vec::new(),
            add: Vec::new(),
            remove: Vec::new(),
            cond: None,
        }
    }

    /// Adds `attr = value` to an update.
    pub fn set(mut self, attr: &str, value: impl Into<Value>) -> Self {
        if let Self::Update { set, .. } = &mut self {
            set.push((attr.to_owned(), value.into()));
        }
        self
    }

    /// Adds `attr = value` to an update where `attr` is absent; a present value stays.
    pub fn set_if_absent(mut self, attr: &str, value: impl Into<Value>) -> Self {
        if let Self::Update { keep, .. } = &mut self {
            keep.push((attr.to_owned(), value.into()));
        }
        self
    }

    /// Adds `attr += n` to an update.
    pub fn add(mut self, attr: &str, n: i64) -> Self {
        if let Self::Update { add, .. } = &mut self {
            add.push((attr.to_owned(), n));
        }
        self
    }

    /// Adds `REMOVE attr` to an update.
    pub fn remove(mut self, attr: &str) -> Self {
        if let Self::Update { remove, .. } = &mut self {
            remove.push(attr.to_owned());
        }
        self
    }

    /// Sets (or replaces) the condition of a put, update or delete.
    pub fn when(mut self, c: Cond) -> Self {
        match &mut self {
            Self::Put { cond, .. } | Self::Update { cond, .. } | Self::Delete { cond, .. } => {
                *cond = Some(c)
            }
            Self::Check { cond, .. } => *cond = c,
        }
        self
    }

    pub fn key(&self) -> Option<Key> {
        match self {
            Self::Put { item, .. } => Key::of(item),
            Self::Update { key, .. } | Self::Delete { key, .. } | Self::Check { key, .. } => {
                Some(key.clone())
            }
        }
    }

    /// The condition the write carries, if any.
    pub fn condition(&self) -> Option<&Cond> {
        match self {
            Self::Put { cond, .. } | Self::Update { cond, .. } | Self::Delete { cond, .. } => {
                cond.as_ref()
            }
            Self::Check { cond, .. } => Some(cond),
        }
    }

    /// The key of a well-formed write; both adapters refuse the same malformed writes.
    pub(crate) fn validate(&self) -> Result<Key, TableError> {
        let key = self
            .key()
            .ok_or_else(|| TableError::Invalid("an item needs string pk and sk".to_owned()))?;
        if key.pk.is_empty() || key.sk.is_empty() {
            return Err(TableError::Invalid(
                "key attributes must not be empty".to_owned(),
            ));
        }
        if let Self::Put { item, .. } = self
            && item_size(item) > MAX_ITEM_BYTES
        {
            return Err(TableError::Invalid(format!(
                "an item is limited to {MAX_ITEM_BYTES} bytes"
            )));
        }
        if let Self::Update {
            set,
            keep,
            add,
            remove,
            ..
        } = self
        {
            let touches_key = set
                .iter()
                .chain(keep.iter())
                .map(|(a, _)| a)
                .chain(add.iter().map(|(a, _)| a))
                .chain(remove.iter())
                .any(|a| a == PK || a == SK);
            if touches_key {
                return Err(TableError::Invalid(
                    "an update cannot change the key".to_owned(),
                ));
            }
        }
        Ok(key)
    }
}

/// The keys of a well-formed transaction: 1 to [`MAX_TRANSACTION_WRITES`] valid writes, each
/// key at most once (DynamoDB refuses a transaction that touches an item twice), no empty update.
pub(crate) fn validate_transaction(writes: &[Write]) -> Result<Vec<Key>, TableError> {
    if writes.is_empty() || writes.len() > MAX_TRANSACTION_WRITES {
        return Err(TableError::Invalid(format!(
            "a transaction takes 1 to {MAX_TRANSACTION_WRITES} writes"
        )));
    }
    let keys = writes
        .iter()
        .map(Write::validate)
        .collect::<Result<Vec<_>, _>>()?;
    // DynamoDB requires an update expression inside a transaction (outside, an empty update
    // merely creates the key).
    let empty_update = writes.iter().any(|w| {
        matches!(w, Write::Update { set, keep, add, remove, .. }
            if set.is_empty() && keep.is_empty() && add.is_empty() && remove.is_empty())
    });
    if empty_update {
        return Err(TableError::Invalid(
            "an update in a transaction must change something".to_owned(),
        ));
    }
    let mut seen = std::collections::BTreeSet::new();
    if !keys.iter().all(|k| seen.insert(k)) {
        return Err(TableError::Invalid(
            "a transaction may touch each item only once".to_owned(),
        ));
    }
    Ok(keys)
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct Query {
    pub pk: String,
    /// `begins_with(sk, prefix)`.
    pub sk_prefix: Option<String>,
    /// `sk BETWEEN from AND to`, both inclusive (instead of a prefix).
    pub sk_between: Option<(String, String)>,
    /// Continue after this sort key (exclusive), from a previous page's `last`.
    pub after: Option<String>,
    /// Items to evaluate at most (before the filter, as DynamoDB's `Limit`).
    pub limit: Option<u32>,
    pub descending: bool,
    pub filter: Option<Cond>,
    /// Read eventually consistent: half the read units, and it may miss the last second's
    /// writes. Only for what may be a little stale anyway (the public programme).
    pub eventually: bool,
}

impl Query {
    /// Refuses what DynamoDB refuses: one sort-key condition at most, and a positive limit.
    pub(crate) fn validate(&self) -> Result<(), TableError> {
        if self.pk.is_empty() {
            return Err(TableError::Invalid("a query needs a pk".to_owned()));
        }
        if self.sk_prefix.is_some() && self.sk_between.is_some() {
            return Err(TableError::Invalid(
                "a query takes a sort-key prefix or a range, not both".to_owned(),
            ));
        }
        if self.limit == Some(0) {
            return Err(TableError::Invalid(
                "a query limit must be positive".to_owned(),
            ));
        }
        Ok(())
    }

    pub fn prefix(pk: impl Into<String>, prefix: impl Into<String>) -> Self {
        Self {
            pk: pk.into(),
            sk_prefix: Some(prefix.into()),
            ..Self::default()
        }
    }
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct Page {
    pub items: Vec<Item>,
    /// The last sort key evaluated when more may follow; pass it as `after` for the next page.
    /// Set whenever the limit was reached, so the next page may be empty.
    pub last: Option<String>,
}

#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum TableError {
    /// The condition of the write at `index` (0 for a single write) did not hold.
    #[error("the condition of write {index} did not hold")]
    ConditionFailed { index: usize },
    /// Another transaction touched the same items at the same moment; retrying may succeed.
    #[error("a concurrent transaction conflicted")]
    Conflict,
    #[error("the table is throttling requests")]
    Throttled,
    #[error("the table could not be reached: {0}")]
    Unavailable(String),
    /// A request the table refuses whatever its state: a bug of ours.
    #[error("the table refused the request: {0}")]
    Invalid(String),
}

impl TableError {
    /// True for faults that a retry may clear.
    pub fn is_transient(&self) -> bool {
        matches!(
            self,
            Self::Conflict | Self::Throttled | Self::Unavailable(_)
        )
    }
}

/// The largest item DynamoDB stores: 400 KB, attribute names and values together.
pub const MAX_ITEM_BYTES: usize = 400 * 1024;

/// An item's size as DynamoDB counts it (names and values in UTF-8, numbers about one byte per
/// two digits, a list's or map's few bytes of overhead), rounded up where it is not exact.
pub fn item_size(item: &Item) -> usize {
    fn value(v: &Value) -> usize {
        match v {
            Value::Null | Value::Bool(_) => 1,
            Value::Number(n) => n.to_string().len().div_ceil(2) + 1,
            Value::String(s) => s.len(),
            Value::Array(xs) => 3 + xs.iter().map(|x| value(x) + 1).sum::<usize>(),
            Value::Object(m) => 3 + m.iter().map(|(k, x)| k.len() + value(x) + 1).sum::<usize>(),
        }
    }
    item.iter().map(|(k, v)| k.len() + value(v)).sum()
}

/// At most this many writes in one transaction (DynamoDB's limit).
pub const MAX_TRANSACTION_WRITES: usize = 100;

#[async_trait]
pub trait Table: Send + Sync {
    /// A strongly consistent read of one item.
    async fn get(&self, key: &Key) -> Result<Option<Item>, TableError>;

    /// An eventually consistent read of one item: half the read units of [`get`](Self::get),
    /// and it may miss the last second's writes. Only for what may be a little stale anyway
    /// (the public programme, cached for a minute). By default, [`get`](Self::get).
    async fn get_eventually(&self, key: &Key) -> Result<Option<Item>, TableError> {
        self.get(key).await
    }

    /// One page of a query, in sort-key order.
    async fn query(&self, q: &Query) -> Result<Page, TableError>;

    /// Every item `q` matches, in sort-key order: [`query`](Self::query) page after page (`limit`
    /// sizes the pages) until no page follows. Adapters need not provide it; wrappers that count
    /// or fail queries see each page as one query.
    async fn query_all(&self, q: &Query) -> Result<Vec<Item>, TableError> {
        let mut q = q.clone();
        let mut items = Vec::new();
        loop {
            let page = self.query(&q).await?;
            items.extend(page.items);
            match page.last {
                Some(last) => q.after = Some(last),
                None => return Ok(items),
            }
        }
    }

    /// How many items `q` matches over all its pages (`limit` sizes the pages), without reading
    /// them out (DynamoDB's `Select=COUNT`). By default, the items of every page counted.
    async fn count(&self, q: &Query) -> Result<u64, TableError> {
        Ok(self.query_all(q).await?.len() as u64)
    }

    /// One conditional write.
    async fn write(&self, w: Write) -> Result<(), TableError>;

    /// One conditional update returning the item as it is afterwards (for counters).
    async fn update_returning(&self, w: Write) -> Result<Item, TableError>;

    /// All the writes or none (at most [`MAX_TRANSACTION_WRITES`], each key at most once).
    async fn transact(&self, writes: Vec<Write>) -> Result<(), TableError>;
}
