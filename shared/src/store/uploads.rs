//! The uploads granted for an event: each form an organiser was given, kept with its event.

use async_trait::async_trait;

use super::codec::doc_item;
use super::{StoreError, TableStore, Write, keys};
use crate::domain::{EventId, Upload};

#[async_trait]
pub trait UploadStore: Send + Sync {
    /// Records a granted upload (a new id each time, so never over another).
    async fn record_upload(&self, event: &EventId, upload: &Upload) -> Result<(), StoreError>;
}

#[async_trait]
impl UploadStore for TableStore {
    async fn record_upload(&self, event: &EventId, upload: &Upload) -> Result<(), StoreError> {
        self.table
            .write(Write::put_new(doc_item(
                keys::upload(event, &upload.id),
                upload,
            )?))
            .await?;
        Ok(())
    }
}
