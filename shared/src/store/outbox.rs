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
use crate::domain::{Email, EventId, Language, RegistrationId};
use crate::mail::{MessageKey, MessageKind};

/// How long a `sending` claim blocks others before its run is presumed dead.
pub const CLAIM_GRACE: SignedDuration = SignedDuration::from_mins(5);
/// How long a sent-claim is kept (after that a duplicate trigger could send again).
pub const SENT_MEMORY: SignedDuration = SignedDuration::from_hours(24 * 60);

/// An email the notifications job is to send, written in the same transaction as the change
/// that causes it (or on its own when nothing else changes: [`OutboxStore::queue`]).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Notice {
    pub id: String,
    pub kind: MessageKind,
    /// Whom it is written to; flattened, so notices stored before there was a choice still read.
    #[serde(flatten)]
    pub to: Addressee,
    pub created_at: Timestamp,
    /// Failed attempts so far.
    pub attempts: u32,
    /// Not to be tried before this instant (back-off after a failure).
    pub not_before: Timestamp,
    /// Filed in its event's lane and counted in the event's waiting mail. False for mail about
    /// no event, and for notices queued before there were lanes (in the shared lane, uncounted).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub in_lane: bool,
}

/// A lane of the outbox: each event's mail waits in a lane of its own, so the job can take
/// turns between events and one event's flood never holds another's mail back.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub enum Lane {
    /// Mail about no event (an organiser's sign-in link), and notices from before lanes.
    Shared,
    Event(EventId),
}

/// Whom a notice is written to, read afresh when it is sent.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum Addressee {
    /// A registrant: the address, name and language are read from the registration.
    Registrant {
        event_id: EventId,
        registration_id: RegistrationId,
    },
    /// An address with no registration behind it (someone asking for an organiser's sign-in
    /// link): the job decides whether anything goes to it.
    Address { email: Email, language: Language },
    /// Whoever holds `email` at the event, if anyone (someone asking for their link again, by
    /// resending or registering a second time): the job finds the live registration, and a
    /// stranger's request ends there, unsent. Last, so the variants above read as before.
    HolderOf { event_id: EventId, email: Email },
}

impl Notice {
    /// A notice of `kind` to `to`, due at once, filed in its event's lane when it has one.
    pub fn new(id: String, kind: MessageKind, to: Addressee, now: Timestamp) -> Self {
        let mut n = Self {
            id,
            kind,
            to,
            created_at: now,
            attempts: 0,
            not_before: now,
            in_lane: false,
        };
        n.in_lane = n.event().is_some();
        n
    }

    /// The event whose mail counts the notice is counted in (None: mail about no event).
    pub fn event(&self) -> Option<&EventId> {
        match &self.to {
            Addressee::Registrant { event_id, .. } | Addressee::HolderOf { event_id, .. } => {
                Some(event_id)
            }
            Addressee::Address { .. } => None,
        }
    }

    /// The lane it waits in.
    pub fn lane(&self) -> Lane {
        match self.waiting_count() {
            Some((event, _)) => Lane::Event(event.clone()),
            None => Lane::Shared,
        }
    }

    /// The copy of its event's waiting-mail count it is counted in, when it is counted.
    pub(crate) fn waiting_count(&self) -> Option<(&EventId, u32)> {
        let event = self.event().filter(|_| self.in_lane)?;
        Some((event, crate::domain::tally::mail_shard(&self.id)))
    }

    fn key(&self) -> super::Key {
        match self.waiting_count() {
            Some((event, _)) => keys::outbox_in(event, &self.id),
            None => keys::outbox(&self.id),
        }
    }
}

/// The write that moves the waiting-mail count of `notice` by `by`, if it is counted.
pub(crate) fn waiting(notice: &Notice, by: i64) -> Option<Write> {
    let (event, shard) = notice.waiting_count()?;
    Some(Write::update(keys::mail_queue(event, shard)).add(WAITING, by))
}

/// The attribute of a waiting-mail count.
pub(crate) const WAITING: &str = "queued";

/// When an entry may be tried, beside its document: the query for due entries filters on it.
const NOT_BEFORE: &str = "not_before";

/// The outbox entry of `notice`, to be written with the change that causes it
/// ([`Change::notify`](super::Change::notify)).
pub(crate) fn entry(notice: &Notice) -> Result<super::Item, StoreError> {
    let mut item = doc_item(notice.key(), notice)?;
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
    /// Queues a notice that no other change comes with (and its count, in its lane).
    async fn queue(&self, notice: &Notice) -> Result<(), StoreError>;
    /// The lanes that hold entries: the shared lane always, then each event's with any, one
    /// read per lane.
    async fn lanes(&self) -> Result<Vec<Lane>, StoreError>;
    /// Notices of `lane` due at `now`, oldest first, at most `limit`.
    async fn due(&self, lane: &Lane, now: Timestamp, limit: u32)
    -> Result<Vec<Notice>, StoreError>;
    /// The notice due at `now` that has waited longest, in any lane.
    async fn oldest_due(&self, now: Timestamp) -> Result<Option<Notice>, StoreError> {
        let mut oldest: Option<Notice> = None;
        for lane in self.lanes().await? {
            if let Some(n) = self.due(&lane, now, 1).await?.into_iter().next()
                && oldest.as_ref().is_none_or(|o| n.created_at < o.created_at)
            {
                oldest = Some(n);
            }
        }
        Ok(oldest)
    }
    /// Claims the message key for sending.
    async fn claim(&self, key: &MessageKey, now: Timestamp) -> Result<Claim, StoreError>;
    /// The message went out: the claim becomes permanent, the notice (if any) leaves and the
    /// tally (if any) goes up. `event` is the event whose mail counts it adds to (None for mail
    /// about no event).
    async fn sent(
        &self,
        key: &MessageKey,
        notice: Option<&Notice>,
        tally: Option<&SentTally>,
        event: Option<&EventId>,
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
        event: Option<&EventId>,
        outcome: Unsent,
    ) -> Result<(), StoreError>;
    async fn mail_counts(&self, event: &EventId) -> Result<MailCounts, StoreError>;
}

const STATE: &str = "state";
const SINCE: &str = "since";

/// The writes that settle a message, for one transaction: its claim as `claim` writes it, its
/// notice (if any) leaving the outbox and its event's waiting mail, and `counter` up in the
/// mail counts of `event` (when the message is counted under one). Counts that do not move are
/// not written.
fn settlement(
    claim: Write,
    notice: Option<&Notice>,
    event: Option<&EventId>,
    counter: Option<&str>,
) -> Vec<Write> {
    let mut writes = vec![claim];
    if let Some(n) = notice {
        writes.push(Write::Delete {
            key: n.key(),
            cond: None,
        });
        writes.extend(waiting(n, -1));
    }
    if let (Some(e), Some(c)) = (event, counter) {
        writes.push(Write::update(keys::mail_stats(e)).add(c, 1));
    }
    writes
}

#[async_trait]
impl OutboxStore for TableStore {
    async fn queue(&self, notice: &Notice) -> Result<(), StoreError> {
        let put = Write::put_new(entry(notice)?);
        match waiting(notice, 1) {
            Some(count) => self.table.transact(vec![put, count]).await?,
            None => self.table.write(put).await?,
        }
        Ok(())
    }

    async fn lanes(&self) -> Result<Vec<Lane>, StoreError> {
        let mut lanes = vec![Lane::Shared];
        let mut after = None;
        loop {
            let mut q = keys::outbox_lanes_after(after.as_ref());
            // A page may end at its limit with nothing in it; the next starts where it stopped.
            let event = loop {
                let page = self.table.query(&q).await?;
                if let Some(item) = page.items.first() {
                    break item
                        .get(super::SK)
                        .and_then(Value::as_str)
                        .and_then(keys::outbox_lane_of);
                }
                match page.last {
                    Some(last) => q.after = Some(last),
                    None => break None,
                }
            };
            match event {
                Some(e) => {
                    lanes.push(Lane::Event(e.clone()));
                    after = Some(e);
                }
                None => return Ok(lanes),
            }
        }
    }

    async fn due(
        &self,
        lane: &Lane,
        now: Timestamp,
        limit: u32,
    ) -> Result<Vec<Notice>, StoreError> {
        let mut q = match lane {
            Lane::Shared => keys::outbox_entries(),
            Lane::Event(e) => keys::outbox_lane(e),
        };
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
        event: Option<&EventId>,
        now: Timestamp,
    ) -> Result<(), StoreError> {
        let claim = Write::update(keys::sent(key))
            .set(STATE, "sent")
            .set(SINCE, now.as_second());
        let mut writes = settlement(claim, notice, event, Some("sent"));
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
                Write::update(n.key())
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
        event: Option<&EventId>,
        outcome: Unsent,
    ) -> Result<(), StoreError> {
        let (state, counter) = match outcome {
            Unsent::Failed => ("failed", Some("failed")),
            Unsent::Suppressed => ("suppressed", Some("suppressed")),
            Unsent::Skipped => ("skipped", None),
        };
        let claim = Write::update(keys::sent(key)).set(STATE, state);
        self.table
            .transact(settlement(claim, notice, event, counter))
            .await?;
        Ok(())
    }

    async fn mail_counts(&self, event: &EventId) -> Result<MailCounts, StoreError> {
        let item = self
            .table
            .get(&keys::mail_stats(event))
            .await?
            .unwrap_or_default();
        let n = |a: &str| item.get(a).and_then(Value::as_i64).unwrap_or(0).max(0) as u64;
        let mut waiting = 0i64;
        let mut q = keys::mail_queues(event);
        loop {
            let page = self.table.query(&q).await?;
            waiting += page
                .items
                .iter()
                .filter_map(|i| i.get(WAITING).and_then(Value::as_i64))
                .sum::<i64>();
            match page.last {
                Some(last) => q.after = Some(last),
                None => break,
            }
        }
        Ok(MailCounts {
            queued: waiting.max(0) as u64,
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_notice_stored_before_there_were_addressees_reads_as_a_registrants() {
        let stored = r#"{"id":"01J0NOTICE0000000000000000","kind":"manage_link","event_id":"ws",
            "registration_id":"01J00000000000000000000000","created_at":"2021-08-23T08:00:00Z",
            "attempts":0,"not_before":"2021-08-23T08:00:00Z"}"#;
        let n: Notice = serde_json::from_str(stored).unwrap();
        assert_eq!(
            n.to,
            Addressee::Registrant {
                event_id: EventId::parse("ws").unwrap(),
                registration_id: RegistrationId::parse("01J00000000000000000000000").unwrap(),
            }
        );
        assert_eq!(n.event().map(EventId::as_str), Some("ws"));
        // Written again, it is the same text: nothing stored changes shape.
        let again: Value = serde_json::to_value(&n).unwrap();
        assert_eq!(again, serde_json::from_str::<Value>(stored).unwrap());
    }

    #[test]
    fn a_notice_to_an_address_round_trips_and_counts_under_no_event() {
        let n = Notice {
            id: "01J0NOTICE0000000000000000".into(),
            kind: MessageKind::OrganiserSignIn,
            to: Addressee::Address {
                email: Email::parse("chair@example.org").unwrap(),
                language: Language::Fr,
            },
            created_at: "2021-08-23T08:00:00Z".parse().unwrap(),
            attempts: 0,
            not_before: "2021-08-23T08:00:00Z".parse().unwrap(),
            in_lane: false,
        };
        let text = serde_json::to_string(&n).unwrap();
        assert!(!text.contains("event_id"), "{text}");
        assert_eq!(serde_json::from_str::<Notice>(&text).unwrap(), n);
        assert_eq!(n.event(), None);
    }
}
