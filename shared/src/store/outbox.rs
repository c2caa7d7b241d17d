//! The outbox: emails written by state changes, sent by the notifications job exactly once in
//! intent. Each message is claimed under its deterministic key before it is sent; a claim left
//! `sending` by a crashed run is taken over after a grace period, which is the one window where
//! a message can go twice (documented in the notifications function).

use async_trait::async_trait;
use jiff::{SignedDuration, Timestamp};
use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::codec::{DOC, doc_item, doc_of, encode};
use super::{Cond, StoreError, TTL, TableError, TableStore, Write, keys};
use crate::domain::{EventId, RegistrationId};
use crate::mail::{MessageKey, MessageKind};

/// How long a `sending` claim blocks others before its run is presumed dead.
pub const CLAIM_GRACE: SignedDuration = SignedDuration::from_mins(5);
/// How long a sent-claim is kept (after that a duplicate trigger could send again).
pub const SENT_MEMORY: SignedDuration = SignedDuration::from_hours(24 * 60);

/// An email the notifications job is to send, written in the same transaction as the change
/// that causes it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Notice {
    pub id: String,
    pub kind: MessageKind,
    pub event_id: EventId,
    pub registration_id: RegistrationId,
    pub created_at: Timestamp,
    /// Failed attempts so far.
    pub attempts: u32,
    /// Not to be tried before this instant (back-off after a failure).
    pub not_before: Timestamp,
}

/// When an entry may be tried, beside its document: the query for due entries filters on it.
const NOT_BEFORE: &str = "not_before";

/// The outbox entry of `notice`, to be written with the change that causes it
/// ([`Change::notify`](super::Change::notify)).
pub(crate) fn entry(notice: &Notice) -> Result<super::Item, StoreError> {
    let mut item = doc_item(keys::outbox(&notice.id), notice)?;
    item.insert(
        NOT_BEFORE.into(),
        Value::from(notice.not_before.as_second()),
    );
    Ok(item)
}

/// Why a claimed message was not sent.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unsent {
    Failed,
    Suppressed,
    Skipped,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Claim {
    /// Ours to send.
    Won,
    /// Settled already (sent, failed, suppressed or skipped).
    Done,
    /// Being sent by another run, or left by a crashed one still within its grace period.
    Busy,
}

/// A count a sent message raises besides its event's mail counts, in the same transaction as
/// its claim becomes `sent`: so the count moves once per message that went, whatever runs
/// overlap or retry (the claim already makes a second send impossible).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SentTally(super::Key);

impl SentTally {
    /// The `sent` of announcement `id` in `event`'s list.
    pub fn announcement(event: &EventId, id: &str) -> Self {
        Self(keys::event_announcement(event, id))
    }
}

/// Mail counts of an event, for the organiser's stats.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct MailCounts {
    pub queued: u64,
    pub sent: u64,
    pub failed: u64,
    pub suppressed: u64,
}

#[async_trait]
pub trait OutboxStore: Send + Sync {
    /// Notices due at `now`, oldest first, at most `limit`.
    async fn due(&self, now: Timestamp, limit: u32) -> Result<Vec<Notice>, StoreError>;
    /// Claims the message key for sending.
    async fn claim(&self, key: &MessageKey, now: Timestamp) -> Result<Claim, StoreError>;
    /// The message went out: the claim becomes permanent, the notice (if any) leaves and the
    /// tally (if any) goes up.
    async fn sent(
        &self,
        key: &MessageKey,
        notice: Option<&Notice>,
        tally: Option<&SentTally>,
        event: &EventId,
        now: Timestamp,
    ) -> Result<(), StoreError>;
    /// Sending failed and may be tried again at `not_before`: the claim is released.
    async fn retry(
        &self,
        key: &MessageKey,
        notice: Option<&Notice>,
        not_before: Timestamp,
    ) -> Result<(), StoreError>;
    /// Given up (`Failed`), not sent to a suppressed address (`Suppressed`), or no longer
    /// applicable (`Skipped`): the claim stays so nothing sends it again.
    async fn settle(
        &self,
        key: &MessageKey,
        notice: Option<&Notice>,
        event: &EventId,
        outcome: Unsent,
    ) -> Result<(), StoreError>;
    async fn mail_counts(&self, event: &EventId) -> Result<MailCounts, StoreError>;
}

const STATE: &str = "state";
const SINCE: &str = "since";

/// A settled message's notice (if any) leaves the outbox: its entry is deleted (pushed onto
/// `writes`) and the event's queued count goes down (added to `stats`, which is returned).
fn dequeue(notice: Option<&Notice>, writes: &mut Vec<Write>, stats: Write) -> Write {
    let Some(n) = notice else {
        return stats;
    };
    writes.push(Write::Delete {
        key: keys::outbox(&n.id),
        cond: None,
    });
    stats.add("queued", -1)
}

#[async_trait]
impl OutboxStore for TableStore {
    async fn due(&self, now: Timestamp, limit: u32) -> Result<Vec<Notice>, StoreError> {
        let mut q = keys::outbox_entries();
        q.filter = Some(Cond::Le(NOT_BEFORE.into(), now.as_second()));
        let mut out = Vec::new();
        loop {
            q.limit = Some(limit.saturating_sub(out.len() as u32).clamp(1, 100));
            let page = self.table.query(&q).await?;
            for item in &page.items {
                out.push(doc_of::<Notice>(item)?);
            }
            match page.last {
                Some(last) if (out.len() as u32) < limit => q.after = Some(last),
                _ => return Ok(out),
            }
        }
    }

    async fn claim(&self, key: &MessageKey, now: Timestamp) -> Result<Claim, StoreError> {
        let mut item = keys::sent(key).item();
        item.insert(STATE.into(), Value::from("sending"));
        item.insert(SINCE.into(), Value::from(now.as_second()));
        item.insert(
            TTL.into(),
            Value::from(now.as_second() + SENT_MEMORY.as_secs()),
        );
        let stale = now.as_second() - CLAIM_GRACE.as_secs();
        let w = Write::put(item).when(Cond::Or(vec![
            Cond::NotExists,
            Cond::And(vec![
                Cond::eq(STATE, "sending"),
                Cond::Lt(SINCE.into(), stale),
            ]),
        ]));
        match self.table.write(w).await {
            Ok(()) => Ok(Claim::Won),
            Err(TableError::ConditionFailed { .. }) => {
                let state = self
                    .table
                    .get(&keys::sent(key))
                    .await?
                    .and_then(|i| i.get(STATE).and_then(Value::as_str).map(str::to_owned));
                Ok(match state.as_deref() {
                    Some("sending") => Claim::Busy,
                    // Released between our write and our read: the next run takes it.
                    None => Claim::Busy,
                    Some(_) => Claim::Done,
                })
            }
            Err(e) => Err(e.into()),
        }
    }

    async fn sent(
        &self,
        key: &MessageKey,
        notice: Option<&Notice>,
        tally: Option<&SentTally>,
        event: &EventId,
        now: Timestamp,
    ) -> Result<(), StoreError> {
        let stats = Write::update(keys::mail_stats(event)).add("sent", 1);
        let mut writes = vec![
            Write::update(keys::sent(key))
                .set(STATE, "sent")
                .set(SINCE, now.as_second()),
        ];
        let stats = dequeue(notice, &mut writes, stats);
        writes.push(stats);
        if let Some(SentTally(k)) = tally {
            writes.push(Write::update(k.clone()).add(super::jobs::SENT, 1));
        }
        self.table.transact(writes).await?;
        Ok(())
    }

    async fn retry(
        &self,
        key: &MessageKey,
        notice: Option<&Notice>,
        not_before: Timestamp,
    ) -> Result<(), StoreError> {
        let mut writes = vec![Write::Delete {
            key: keys::sent(key),
            cond: None,
        }];
        if let Some(n) = notice {
            let mut later = n.clone();
            later.attempts += 1;
            later.not_before = not_before;
            writes.push(
                Write::update(keys::outbox(&n.id))
                    .set(DOC, encode(&later)?)
                    .set(NOT_BEFORE, not_before.as_second())
                    .when(Cond::Exists),
            );
        }
        match self.table.transact(writes).await {
            Ok(()) | Err(TableError::ConditionFailed { .. }) => Ok(()),
            Err(e) => Err(e.into()),
        }
    }

    async fn settle(
        &self,
        key: &MessageKey,
        notice: Option<&Notice>,
        event: &EventId,
        outcome: Unsent,
    ) -> Result<(), StoreError> {
        let (state, counter) = match outcome {
            Unsent::Failed => ("failed", Some("failed")),
            Unsent::Suppressed => ("suppressed", Some("suppressed")),
            Unsent::Skipped => ("skipped", None),
        };
        let mut stats = Write::update(keys::mail_stats(event));
        if let Some(c) = counter {
            stats = stats.add(c, 1);
        }
        let mut writes = vec![Write::update(keys::sent(key)).set(STATE, state)];
        stats = dequeue(notice, &mut writes, stats);
        if counter.is_some() || notice.is_some() {
            writes.push(stats);
        }
        self.table.transact(writes).await?;
        Ok(())
    }

    async fn mail_counts(&self, event: &EventId) -> Result<MailCounts, StoreError> {
        let item = self
            .table
            .get(&keys::mail_stats(event))
            .await?
            .unwrap_or_default();
        let n = |a: &str| item.get(a).and_then(Value::as_i64).unwrap_or(0).max(0) as u64;
        Ok(MailCounts {
            queued: n("queued"),
            sent: n("sent"),
            failed: n("failed"),
            suppressed: n("suppressed"),
        })
    }
}

/// Addresses that bounced or complained: they get no more mail.
#[async_trait]
pub trait SuppressionStore: Send + Sync {
    async fn is_suppressed(&self, email: &crate::domain::Email) -> Result<bool, StoreError>;
    async fn suppress(
        &self,
        email: &crate::domain::Email,
        reason: &str,
        now: Timestamp,
    ) -> Result<(), StoreError>;
}

fn suppression(email: &crate::domain::Email) -> super::Key {
    keys::suppressed(&keys::email_hash(email))
}

#[async_trait]
impl SuppressionStore for TableStore {
    async fn is_suppressed(&self, email: &crate::domain::Email) -> Result<bool, StoreError> {
        Ok(self.table.get(&suppression(email)).await?.is_some())
    }

    async fn suppress(
        &self,
        email: &crate::domain::Email,
        reason: &str,
        now: Timestamp,
    ) -> Result<(), StoreError> {
        let mut item = suppression(email).item();
        item.insert("reason".into(), Value::from(reason));
        item.insert("since".into(), Value::from(now.as_second()));
        self.table.write(Write::put(item)).await?;
        Ok(())
    }
}
