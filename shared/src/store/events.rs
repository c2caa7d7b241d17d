//! Events: the organiser writes them, everyone reads them.

use async_trait::async_trait;

use super::codec::{doc_item, doc_of};
use super::{StoreError, TableStore, Write, keys};
use crate::domain::{Event, EventId, JoinInfo};

#[async_trait]
pub trait EventReader: Send + Sync {
    async fn event(&self, id: &EventId) -> Result<Option<Event>, StoreError>;
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
    async fn put_event(&self, event: &Event) -> Result<Saved, StoreError>;
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
}

#[async_trait]
impl EventWriter for TableStore {
    async fn put_event(&self, event: &Event) -> Result<Saved, StoreError> {
        let key = keys::event(&event.id);
        let existed = self.table.get(&key).await?.is_some();
        self.table.write(Write::put(doc_item(key, event)?)).await?;
        // Keep the copy beside the latest programme version current, when there is one.
        let refresh = super::programme::refresh_event_copy(event)?;
        match self.table.write(refresh).await {
            Ok(()) | Err(super::TableError::ConditionFailed { .. }) => {}
            Err(e) => return Err(e.into()),
        }
        Ok(if existed {
            Saved::Replaced
        } else {
            Saved::Created
        })
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
