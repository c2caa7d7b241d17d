//! State of the notification fan-outs: where each one got to (so a run that stops before
//! Lambda's limit resumes there), programmes waiting for their change digest, and announcements
//! (the type is [`Announcement`](crate::domain::Announcement)), each also listed under its event.

use async_trait::async_trait;
use jiff::Timestamp;
use serde_json::Value;

use super::codec::{doc_item, doc_of};
use super::{Cond, StoreError, TTL, TableError, TableStore, Write, keys};
use crate::domain::{Announcement, AnnouncementSummary, EventId, RegistrationId};
use crate::mail::JobName;

/// How far a fan-out got: the last registration id done, or all of it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Checkpoint {
    pub after: Option<RegistrationId>,
    pub done: bool,
}

/// An announcement as its event's list holds it: its summary and how many of its messages have
/// gone out so far.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ListedAnnouncement {
    pub summary: AnnouncementSummary,
    pub sent: u64,
}

/// An event whose programme was published since its last digest.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PendingDigest {
    pub event_id: EventId,
    pub version: u32,
    pub published_at: Timestamp,
    /// The version the last digest went out for (0: none yet).
    pub digested: u32,
}

#[async_trait]
pub trait JobStore: Send + Sync {
    async fn checkpoint(&self, event: &EventId, job: &JobName) -> Result<Checkpoint, StoreError>;
    async fn save_checkpoint(
        &self,
        event: &EventId,
        job: &JobName,
        c: &Checkpoint,
    ) -> Result<(), StoreError>;
    /// Programmes published since their last digest.
    async fn pending_digests(&self) -> Result<Vec<PendingDigest>, StoreError>;
    /// The digest for `version` went out: later publications make a new pending digest.
    async fn digest_sent(&self, event: &EventId, version: u32) -> Result<(), StoreError>;
    /// Stores the job's copy and the event's list entry together.
    async fn add_announcement(&self, a: &Announcement) -> Result<(), StoreError>;
    /// `event`'s announcements, newest first.
    async fn announcements(&self, event: &EventId) -> Result<Vec<ListedAnnouncement>, StoreError>;
    /// Announcements whose fan-out is not finished.
    async fn open_announcements(&self) -> Result<Vec<Announcement>, StoreError>;
    async fn close_announcement(&self, a: &Announcement) -> Result<(), StoreError>;
    /// Asks for another run of the job at once: a new item under `id` (unique: a ULID), which
    /// the table's stream delivers to the function as it does new outbox entries; kept an hour.
    async fn request_run(&self, id: &str, now: Timestamp) -> Result<(), StoreError>;
}

const AFTER: &str = "after";
const DONE: &str = "done";
/// Messages of an announcement sent so far, on its list entry: raised by
/// [`OutboxStore::sent`](super::OutboxStore::sent) in the transaction that settles each claim.
pub(crate) const SENT: &str = "sent";

#[async_trait]
impl JobStore for TableStore {
    async fn checkpoint(&self, event: &EventId, job: &JobName) -> Result<Checkpoint, StoreError> {
        let item = self.table.get(&keys::fanout(event, job)).await?;
        let Some(i) = item else {
            return Ok(Checkpoint::default());
        };
        Ok(Checkpoint {
            after: i
                .get(AFTER)
                .and_then(Value::as_str)
                .map(RegistrationId::parse)
                .transpose()
                .map_err(StoreError::Corrupt)?,
            done: i.get(DONE).and_then(Value::as_bool).unwrap_or(false),
        })
    }

    async fn save_checkpoint(
        &self,
        event: &EventId,
        job: &JobName,
        c: &Checkpoint,
    ) -> Result<(), StoreError> {
        let mut w = Write::update(keys::fanout(event, job)).set(DONE, c.done);
        w = match &c.after {
            Some(a) => w.set(AFTER, a.to_string()),
            None => w.remove(AFTER),
        };
        self.table.write(w).await?;
        Ok(())
    }

    async fn pending_digests(&self) -> Result<Vec<PendingDigest>, StoreError> {
        let mut out = Vec::new();
        for item in self.table.query_all(&keys::digests()).await? {
            let n = |a: &str| item.get(a).and_then(Value::as_u64).unwrap_or(0) as u32;
            let (version, digested) = (n("version"), n("digested"));
            if version <= digested {
                continue;
            }
            let Some(id) = item.get(super::SK).and_then(Value::as_str) else {
                continue;
            };
            let event_id = EventId::parse(id).map_err(StoreError::Corrupt)?;
            let published_at = item
                .get("published_at")
                .and_then(Value::as_i64)
                .and_then(|s| Timestamp::from_second(s).ok())
                .unwrap_or_default();
            out.push(PendingDigest {
                event_id,
                version,
                published_at,
                digested,
            });
        }
        Ok(out)
    }

    async fn digest_sent(&self, event: &EventId, version: u32) -> Result<(), StoreError> {
        let w = Write::update(keys::digest(event))
            .set("digested", version)
            .when(Cond::Or(vec![
                Cond::Absent("digested".into()),
                Cond::Lt("digested".into(), i64::from(version)),
            ]));
        match self.table.write(w).await {
            Ok(()) | Err(TableError::ConditionFailed { .. }) => Ok(()),
            Err(e) => Err(e.into()),
        }
    }

    async fn add_announcement(&self, a: &Announcement) -> Result<(), StoreError> {
        let mut job = doc_item(keys::announcement(&a.id), a)?;
        job.insert(DONE.into(), Value::from(false));
        let mut listed = doc_item(keys::event_announcement(&a.event_id, &a.id), &a.summary())?;
        listed.insert(SENT.into(), Value::from(0));
        self.table
            .transact(vec![Write::put_new(job), Write::put_new(listed)])
            .await?;
        Ok(())
    }

    async fn announcements(&self, event: &EventId) -> Result<Vec<ListedAnnouncement>, StoreError> {
        let items = self
            .table
            .query_all(&keys::event_announcements(event))
            .await?;
        items
            .iter()
            // An announcement accepted before the list existed has no entry, only (if its
            // fan-out ran after) a bare count: it is not listed.
            .filter(|i| i.contains_key(super::codec::DOC))
            .map(|i| {
                Ok(ListedAnnouncement {
                    summary: doc_of(i)?,
                    sent: i.get(SENT).and_then(Value::as_u64).unwrap_or(0),
                })
            })
            .collect()
    }

    async fn open_announcements(&self) -> Result<Vec<Announcement>, StoreError> {
        let mut q = keys::announcements();
        q.filter = Some(Cond::eq(DONE, false));
        self.table.query_all(&q).await?.iter().map(doc_of).collect()
    }

    async fn close_announcement(&self, a: &Announcement) -> Result<(), StoreError> {
        self.table
            .write(Write::update(keys::announcement(&a.id)).set(DONE, true))
            .await?;
        Ok(())
    }

    async fn request_run(&self, id: &str, now: Timestamp) -> Result<(), StoreError> {
        let at = now.as_second();
        self.table
            .write(
                Write::update(keys::run_request(id))
                    .set("requested_at", at)
                    .set(TTL, at + 3600),
            )
            .await?;
        Ok(())
    }
}
