//! Uploads: an organiser asks to send a file (slides, a document, a recording) and gets a form
//! that lets exactly that file, of that type and size, be stored for a while under a key of its
//! own; the file is then served publicly at its address, ready to be a session's material.

use jiff::{SignedDuration, Timestamp};

use crate::domain::{Event, Upload, UploadRequest};
use crate::files::{FILES_PREFIX, FilesError, Grant, UploadForm, UploadForms};
use crate::store::{StoreError, UploadStore};
use crate::token::TokenSource;

/// How long a form may be used: long enough to start sending a 200 MiB recording on a slow line.
pub const UPLOAD_FORM_LIFETIME: SignedDuration = SignedDuration::from_hours(1);

#[derive(Debug, thiserror::Error)]
pub enum UploadError {
    #[error(transparent)]
    Files(#[from] FilesError),
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// The form, and the upload as recorded.
#[derive(Debug, Clone)]
pub struct Granted {
    pub form: UploadForm,
    pub upload: Upload,
}

/// The key of a new file: under the uploads prefix, the event's id, a new id (so two files of
/// one name never meet) and the file's own name.
fn key_of(event: &Event, id: &str, request: &UploadRequest) -> String {
    format!("{FILES_PREFIX}{}/{id}/{}", event.id, request.filename)
}

/// Signs the form for `request` and records the upload with its event (the write its audit
/// entry commits with).
pub async fn grant(
    store: &dyn UploadStore,
    forms: &dyn UploadForms,
    ids: &dyn TokenSource,
    event: &Event,
    request: &UploadRequest,
    now: Timestamp,
) -> Result<Granted, UploadError> {
    let id = ids.new_id_at(now);
    let key = key_of(event, &id, request);
    let grant = Grant {
        bucket: forms.bucket().to_owned(),
        key: key.clone(),
        content_type: request.content_type.to_owned(),
        size: request.size,
        // Whole seconds: the policy's expiration has no finer ones.
        expires_at: jiff::Timestamp::from_second((now + UPLOAD_FORM_LIFETIME).as_second())
            .unwrap_or(now + UPLOAD_FORM_LIFETIME),
    };
    let form = forms.form(&grant, now).await?;
    let upload = Upload {
        id,
        file_url: forms.file_url(&key),
        key,
        filename: request.filename.to_string(),
        content_type: request.content_type.to_owned(),
        size: request.size,
        granted_at: now,
        expires_at: grant.expires_at,
    };
    store.record_upload(&event.id, &upload).await?;
    Ok(Granted { form, upload })
}
