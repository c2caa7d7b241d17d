//! State of the notification fan-outs: where each one got to (so a run that stops before
//! Lambda's limit resumes there), programmes waiting for their change digest, and announcements.

use async_trait::async_trait;
use jiff::Timestamp;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::codec::{doc_item, doc_of};
use super::{Cond, StoreError, TableError, TableStore, Write, keys};
use crate::domain::{EventId, Language};

/// How far a fan-out got: the last registration id done, or all of it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Checkpoint {
    pub after: Option<String>,
    pub done: bool,
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

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Audience {
    Confirmed,
    All,
}

impl Audience {
    /// Who an announcement reaches: unconfirmed addresses and the unsubscribed never get mail.
    pub fn reaches(self, r: &crate::domain::Registration) -> bool {
        use crate::domain::Status;
        let status = match self {
            Self::Confirmed => r.status == Status::Confirmed,
            Self::All => matches!(
                r.status,
                Status::Confirmed | Status::Waitlisted | Status::PendingApproval
            ),
        };
        status && r.person.is_some() && r.unsubscribed_at.is_none()
    }
}

/// An organiser's message, per language with English as the fall-back.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Announcement {
    pub id: String,
    pub event_id: EventId,
    pub subject: Vec<(Language, String)>,
    pub body: Vec<(Language, String)>,
    pub audience: Audience,
    pub created_at: Timestamp,
    pub recipients: u64,
}

impl Announcement {
    /// The subject and body in `language`, else in English.
    pub fn text(&self, language: Language) -> (&str, &str) {
        fn pick(v: &[(Language, String)], language: Language) -> &str {
            v.iter()
                .find(|(l, _)| *l == language)
                .or_else(|| v.iter().find(|(l, _)| *l == Language::En))
                .map(|(_, t)| t.as_str())
                .unwrap_or("")
        }
        (pick(&self.subject, language), pick(&self.body, language))
    }
}

#[async_trait]
pub trait JobStore: Send + Sync {
    async fn checkpoint(&self, event: &EventId, job: &str) -> Result<Checkpoint, StoreError>;
    async fn save_checkpoint(
        &self,
        event: &EventId,
        job: &str,
        c: &Checkpoint,
    ) -> Result<(), StoreError>;
    /// Programmes published since their last digest.
    async fn pending_digests(&self) -> Result<Vec<PendingDigest>, StoreError>;
    /// The digest for `version` went out: later publications make a new pending digest.
    async fn digest_sent(&self, event: &EventId, version: u32) -> Result<(), StoreError>;
    async fn add_announcement(&self, a: &Announcement) -> Result<(), StoreError>;
    /// Announcements whose fan-out is not finished.
    async fn open_announcements(&self) -> Result<Vec<Announcement>, StoreError>;
    async fn close_announcement(&self, a: &Announcement) -> Result<(), StoreError>;
}

const AFTER: &str = "after";
const DONE: &str = "done";

#[async_trait]
impl JobStore for TableStore {
    async fn checkpoint(&self, event: &EventId, job: &str) -> Result<Checkpoint, StoreError> {
        let item = self.table.get(&keys::fanout(event, job)).await?;
        Ok(item
            .map(|i| Checkpoint {
                after: i.get(AFTER).and_then(Value::as_str).map(str::to_owned),
                done: i.get(DONE).and_then(Value::as_bool).unwrap_or(false),
            })
            .unwrap_or_default())
    }

    async fn save_checkpoint(
        &self,
        event: &EventId,
        job: &str,
        c: &Checkpoint,
    ) -> Result<(), StoreError> {
        let mut w = Write::update(keys::fanout(event, job)).set(DONE, c.done);
        w = match &c.after {
            Some(a) => w.set(AFTER, a.clone()),
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
        let mut item = doc_item(keys::announcement(&a.id), a)?;
        item.insert(DONE.into(), Value::from(false));
        self.table.write(Write::put_new(item)).await?;
        Ok(())
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
}
