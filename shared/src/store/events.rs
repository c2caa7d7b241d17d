//! Events: the organiser writes them, everyone reads them.

use async_trait::async_trait;
use jiff::Timestamp;
use serde_json::Value;

use super::codec::{doc_item, doc_of};
use super::{Cond, Item, StoreError, TableError, TableStore, Write, keys};
use crate::domain::{Event, EventId, JoinInfo};

/// When an event was first and last written. Both are `None` for an event stored before they
/// were recorded, and `created_at` stays `None` for it: when it was created is not known.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Written {
    pub created_at: Option<Timestamp>,
    pub updated_at: Option<Timestamp>,
}

/// Attributes beside the event's document (it stays the event alone, as the public routes
/// read it).
const CREATED_AT: &str = "created_at";
const UPDATED_AT: &str = "updated_at";

fn instant_at(item: &Item, attr: &str) -> Result<Option<Timestamp>, StoreError> {
    item.get(attr)
        .and_then(Value::as_str)
        .map(|t| {
            t.parse::<Timestamp>()
                .map_err(|e| StoreError::Corrupt(format!("{attr} {t:?}: {e}")))
        })
        .transpose()
}

#[async_trait]
pub trait EventReader: Send + Sync {
    async fn event(&self, id: &EventId) -> Result<Option<Event>, StoreError>;
    /// The event with when it was written (the organiser's view).
    async fn event_written(&self, id: &EventId) -> Result<Option<(Event, Written)>, StoreError>;
    /// Every event, in id order.
    async fn events(&self) -> Result<Vec<Event>, StoreError>;
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Saved {
    Created,
    Replaced,
}

#[async_trait]
pub trait EventWriter: Send + Sync {
    /// Creates or replaces `event` at `now`: `updated_at` is `now`, `created_at` is kept.
    async fn put_event(&self, event: &Event, now: Timestamp) -> Result<Saved, StoreError>;
    /// [`put_event`](Self::put_event), only if the stored event is still `read` (`None`: there
    /// is none): `Ok(None)` when another write got in since it was read, and nothing is written.
    async fn put_event_over(
        &self,
        event: &Event,
        read: Option<&Event>,
        now: Timestamp,
    ) -> Result<Option<Saved>, StoreError>;
}

/// A counter beside the event's document, raised by every write, so a write can be
/// conditional on the item it read (two organisers' saves cannot both start from one event).
const REV: &str = "rev";

/// Which stored event a write may replace.
#[derive(Clone, Copy)]
enum Over<'a> {
    Any,
    Read(Option<&'a Event>),
}

#[async_trait]
impl EventReader for TableStore {
    async fn event(&self, id: &EventId) -> Result<Option<Event>, StoreError> {
        match self.table.get(&keys::event(id)).await? {
            None => Ok(None),
            Some(item) => doc_of(&item).map(Some),
        }
    }

    async fn events(&self) -> Result<Vec<Event>, StoreError> {
        let items = self.table.query_all(&keys::events()).await?;
        items.iter().map(doc_of).collect()
    }

    async fn event_written(&self, id: &EventId) -> Result<Option<(Event, Written)>, StoreError> {
        let Some(item) = self.table.get(&keys::event(id)).await? else {
            return Ok(None);
        };
        let written = Written {
            created_at: instant_at(&item, CREATED_AT)?,
            updated_at: instant_at(&item, UPDATED_AT)?,
        };
        Ok(Some((doc_of(&item)?, written)))
    }
}

#[async_trait]
impl EventWriter for TableStore {
    async fn put_event(&self, event: &Event, now: Timestamp) -> Result<Saved, StoreError> {
        let saved = self.write_event(event, Over::Any, now).await?;
        saved.ok_or(StoreError::Table(TableError::Conflict))
    }

    async fn put_event_over(
        &self,
        event: &Event,
        read: Option<&Event>,
        now: Timestamp,
    ) -> Result<Option<Saved>, StoreError> {
        self.write_event(event, Over::Read(read), now).await
    }
}

impl TableStore {
    async fn write_event(
        &self,
        event: &Event,
        over: Over<'_>,
        now: Timestamp,
    ) -> Result<Option<Saved>, StoreError> {
        let key = keys::event(&event.id);
        let mut item = doc_item(key.clone(), event)?;
        item.insert(UPDATED_AT.into(), Value::from(now.to_string()));
        // created_at is written only by the create (the item must not exist) and events are
        // never deleted: once read, it is the item's for good. A create that loses a race to
        // another is a replace on the second pass (unless the caller wrote over what it read).
        let mut saved = None;
        for _ in 0..2 {
            let old = self.table.get(&key).await?;
            if let Over::Read(read) = over {
                let stored = old.as_ref().map(doc_of::<Event>).transpose()?;
                if stored.as_ref() != read {
                    return Ok(None);
                }
            }
            let (outcome, write) = match old {
                Some(old) => {
                    let mut item = item.clone();
                    if let Some(c) = old.get(CREATED_AT) {
                        item.insert(CREATED_AT.into(), c.clone());
                    }
                    // Only over the very item read: its revision, or none before revisions.
                    let rev = old.get(REV).and_then(Value::as_u64);
                    item.insert(REV.into(), Value::from(rev.unwrap_or(0) + 1));
                    let cond = match rev {
                        Some(r) => Cond::eq(REV, r),
                        None => Cond::And(vec![Cond::Exists, Cond::Absent(REV.into())]),
                    };
                    (Saved::Replaced, Write::put(item).when(cond))
                }
                None => {
                    let mut item = item.clone();
                    item.insert(CREATED_AT.into(), Value::from(now.to_string()));
                    item.insert(REV.into(), Value::from(1));
                    (Saved::Created, Write::put_new(item))
                }
            };
            match self.table.write(write).await {
                Ok(()) => {
                    saved = Some(outcome);
                    break;
                }
                Err(TableError::ConditionFailed { .. }) if matches!(over, Over::Read(_)) => {
                    return Ok(None);
                }
                Err(TableError::ConditionFailed { .. }) => {}
                Err(e) => return Err(e.into()),
            }
        }
        let Some(saved) = saved else {
            return Ok(None);
        };
        if saved == Saved::Created {
            // Every registration of a new event commits with its counters, so they are complete
            // from the start. Should this write fail, the first read recounts instead (with no
            // registration yet, or with all of them counted: the same counts either way).
            let _ = self
                .table
                .write(super::registrations::counted_from_start(&event.id))
                .await;
        }
        // Keep the copy beside the latest programme version current, when there is one.
        let refresh = super::programme::refresh_event_copy(event)?;
        match self.table.write(refresh).await {
            Ok(()) | Err(TableError::ConditionFailed { .. }) => {}
            Err(e) => return Err(e.into()),
        }
        Ok(Some(saved))
    }
}

/// The event's remote connection details.
#[async_trait]
pub trait JoinInfoStore: Send + Sync {
    async fn join_info(&self, event: &EventId) -> Result<Option<JoinInfo>, StoreError>;
    async fn put_join_info(&self, event: &EventId, info: &JoinInfo) -> Result<(), StoreError>;
}

#[async_trait]
impl JoinInfoStore for TableStore {
    async fn join_info(&self, event: &EventId) -> Result<Option<JoinInfo>, StoreError> {
        match self.table.get(&keys::join_info(event)).await? {
            None => Ok(None),
            Some(item) => doc_of(&item).map(Some),
        }
    }

    async fn put_join_info(&self, event: &EventId, info: &JoinInfo) -> Result<(), StoreError> {
        self.table
            .write(Write::put(doc_item(keys::join_info(event), info)?))
            .await?;
        Ok(())
    }
}
