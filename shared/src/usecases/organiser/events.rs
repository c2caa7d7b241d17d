//! An organiser's work on the programme: publishing the draft as the next version.

use jiff::Timestamp;

use crate::domain::{Event, Programme, Publication, PublishRefusal};
use crate::store::{ProgrammeReader, ProgrammeWriter, PublishError};

/// Why a publication did not happen.
#[derive(Debug, thiserror::Error)]
pub enum PublishFailure {
    #[error("there is no draft")]
    NoDraft,
    #[error(transparent)]
    Refused(#[from] PublishRefusal),
    #[error(transparent)]
    Store(#[from] PublishError),
}

impl From<crate::store::StoreError> for PublishFailure {
    fn from(e: crate::store::StoreError) -> Self {
        Self::Store(PublishError::Store(e))
    }
}

/// A new version, and the programme it replaced (empty before the first).
#[derive(Debug)]
pub struct NewVersion {
    pub publication: Publication,
    pub previous: Programme,
}

/// `POST …/programme/publish`: the draft becomes the next version, unless it is unchanged or
/// another publication got in first; the stream then sends the change digest.
pub async fn publish(
    programme: &dyn ProgrammeReader,
    writer: &dyn ProgrammeWriter,
    event: &Event,
    now: Timestamp,
) -> Result<NewVersion, PublishFailure> {
    let draft = writer
        .draft(&event.id)
        .await?
        .ok_or(PublishFailure::NoDraft)?;
    let previous = programme.latest(&event.id).await?.map(|p| p.publication);
    let publication = Publication::next(previous.as_ref(), draft, now)?;
    writer.publish(event, &publication).await?;
    Ok(NewVersion {
        publication,
        previous: previous.map(|p| p.programme).unwrap_or_default(),
    })
}
