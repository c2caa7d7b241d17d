//! An organiser's work on the programme: publishing the draft as the next version, and what
//! publishing it now would do.

use jiff::Timestamp;

use crate::domain::{Change, Event, Programme, Publication, PublishRefusal};
use crate::store::{ProgrammeReader, ProgrammeWriter, PublishError, RegistrationStore, StoreError};

use super::super::mail::Recipients;
use super::registrations::everyone;

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
    let (draft, previous) = draft_and_latest(programme, writer, event).await?;
    let draft = draft.ok_or(PublishFailure::NoDraft)?;
    let publication = Publication::next(previous.as_ref(), draft, now)?;
    writer.publish(event, &publication).await?;
    Ok(NewVersion {
        publication,
        previous: previous.map(|p| p.programme).unwrap_or_default(),
    })
}

/// What publishing reads: the draft, and the latest publication it would follow.
async fn draft_and_latest(
    programme: &dyn ProgrammeReader,
    writer: &dyn ProgrammeWriter,
    event: &Event,
) -> Result<(Option<Programme>, Option<Publication>), StoreError> {
    let draft = writer.draft(&event.id).await?;
    let latest = programme.latest(&event.id).await?.map(|p| p.publication);
    Ok((draft, latest))
}

/// What publishing the draft now would do: the changes from version `from` to `to`, and
/// `notified`, how many registrants the change digest would reach.
#[derive(Debug)]
pub struct Preview {
    /// The latest version (0 before the first publication).
    pub from: u32,
    /// The version publishing would make; `from` when it would make none.
    pub to: u32,
    pub previous: Programme,
    pub draft: Programme,
    pub changes: Vec<Change>,
    pub notified: u64,
}

/// `GET …/programme/draft/changes`: [`publish`]'s own reads and computation
/// ([`Publication::next`]), written nowhere. Where publishing would be refused (no draft, or
/// the draft is the published version) nothing would change and no one would be told. The
/// digest's recipients are [`Recipients::Digest`], counted as of now.
pub async fn preview(
    programme: &dyn ProgrammeReader,
    writer: &dyn ProgrammeWriter,
    registrations: &dyn RegistrationStore,
    event: &Event,
    now: Timestamp,
) -> Result<Preview, StoreError> {
    let (draft, latest) = draft_and_latest(programme, writer, event).await?;
    let from = latest.as_ref().map_or(0, |p| p.version);
    let previous = latest.as_ref().map(|p| p.programme.clone());
    let next = draft.and_then(|d| Publication::next(latest.as_ref(), d, now).ok());
    let Some(next) = next else {
        return Ok(Preview {
            from,
            to: from,
            draft: previous.clone().unwrap_or_default(),
            previous: previous.unwrap_or_default(),
            changes: Vec::new(),
            notified: 0,
        });
    };
    // The digest job sends nothing for an empty list of changes. (It compares with the last
    // version a digest went out for, which is the latest unless publications are merging; the
    // recipients are the same either way.)
    let notified = if next.changes.is_empty() {
        0
    } else {
        everyone(registrations, &event.id)
            .await?
            .iter()
            .filter(|r| Recipients::Digest { published_at: now }.reach(r))
            .count() as u64
    };
    Ok(Preview {
        from,
        to: next.version,
        previous: previous.unwrap_or_default(),
        draft: next.programme,
        changes: next.changes,
        notified,
    })
}

/// One line of an organiser's event list.
#[derive(Debug)]
pub struct Overview {
    pub event: crate::domain::Event,
    pub role: crate::domain::Role,
    pub published_version: Option<u32>,
    pub confirmed: u64,
    pub waitlisted: u64,
    /// Awaiting confirmation of the address or the organiser's approval.
    pub pending: u64,
}

/// The events a caller has a role in, whatever their visibility, with the counts an organiser
/// looks at first (at `now`: unconfirmed registrations that lapsed are not pending);
/// `roles` None is an administrator's: every event, as its manager.
pub async fn overview(
    events: &dyn crate::store::EventReader,
    programme: &dyn ProgrammeReader,
    registrations: &dyn RegistrationStore,
    roles: Option<&[(crate::domain::EventId, crate::domain::Role)]>,
    now: Timestamp,
) -> Result<Vec<Overview>, StoreError> {
    use crate::domain::{Role, Status};
    let chosen: Vec<(Event, Role)> = match roles {
        None => events
            .events()
            .await?
            .into_iter()
            .map(|e| (e, Role::Manager))
            .collect(),
        Some(roles) => {
            let mut mine = Vec::with_capacity(roles.len());
            for (id, role) in roles {
                // A team entry outliving its event shows nothing.
                if let Some(e) = events.event(id).await? {
                    mine.push((e, *role));
                }
            }
            mine
        }
    };
    let mut lines = Vec::with_capacity(chosen.len());
    for (event, role) in chosen {
        let count = |s: Status| registrations.count_status(&event.id, s, now);
        let pending =
            count(Status::PendingConfirmation).await? + count(Status::PendingApproval).await?;
        lines.push(Overview {
            published_version: programme.published_version(&event.id).await?,
            confirmed: count(Status::Confirmed).await?,
            waitlisted: count(Status::Waitlisted).await?,
            pending,
            role,
            event,
        });
    }
    Ok(lines)
}

/// Why an event was not saved.
#[derive(Debug, thiserror::Error)]
pub enum SaveEventError {
    #[error("invalid fields")]
    Invalid(crate::domain::FieldErrors),
    #[error("the event keeps being saved concurrently; try again")]
    Busy,
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// `PUT /v1/admin/events/{id}`: creates or replaces `event`. Replacing never loses a stored
/// answer: the questions and options the new form drops are remembered with their last labels
/// (`Event::past_questions`), and a question id keeps its kind, current or removed, so answers
/// already given to it keep their meaning.
///
/// The write is conditional on the event as read, so two organisers saving at once cannot both
/// start from one event (the second would drop what the first's form removed, or let a kind
/// change through): the one that finds it changed reads it again and redoes the check. The
/// contract's PUT is a plain replace with no version to send, so the later save wins, as one
/// after the other would, rather than a 409 the caller could do nothing about.
pub async fn save_event(
    events: &dyn crate::store::EventReader,
    writer: &dyn crate::store::EventWriter,
    event: Event,
    now: Timestamp,
) -> Result<crate::store::Saved, SaveEventError> {
    use crate::domain::{FieldError, FieldErrors, form};
    let mut attempts = super::super::retry::Attempts::default();
    loop {
        attempts.next().map_err(|_| SaveEventError::Busy)?;
        let mut event = event.clone();
        let old = events.event(&event.id).await?;
        if let Some(old) = &old {
            let changed =
                form::changed_kinds(&old.questions, &old.past_questions, &event.questions);
            if !changed.is_empty() {
                return Err(SaveEventError::Invalid(FieldErrors(
                    changed
                        .into_iter()
                        .map(|(i, was, kind)| FieldError {
                            field: format!("questions.{i}.kind"),
                            message: format!(
                                "this question was {was}, and a question keeps its kind so that \
                                 answers given keep their meaning; give a new {kind} question a \
                                 new id"
                            ),
                        })
                        .collect(),
                )));
            }
            event.past_questions =
                form::remembered(&old.questions, &old.past_questions, &event.questions);
        }
        match writer.put_event_over(&event, old.as_ref(), now).await? {
            Some(saved) => return Ok(saved),
            None => attempts.failed(),
        }
    }
}

#[cfg(test)]
mod tests {
    use std::sync::{Arc, Mutex};

    use async_trait::async_trait;
    use serde_json::json;

    use super::*;
    use crate::domain::EventId;
    use crate::store::{EventReader, EventWriter, MemoryTable, StoreError, TableStore, Written};

    fn event(questions: serde_json::Value) -> Event {
        Event::parse(
            EventId::parse("ws").unwrap(),
            &json!({"title": "W", "timezone": "Europe/Zurich",
                    "starts_at": "2021-09-08T14:00:00+02:00", "ends_at": "2021-09-09T16:30:00+02:00",
                    "questions": questions}),
        )
        .unwrap()
    }

    /// Answers the first read with an event read before another organiser's save, as a save
    /// racing that one would have read it; afterwards the store as it is.
    struct ReadBefore {
        store: TableStore,
        stale: Mutex<Option<Event>>,
    }

    #[async_trait]
    impl EventReader for ReadBefore {
        async fn event(&self, id: &EventId) -> Result<Option<Event>, StoreError> {
            let stale = self.stale.lock().unwrap().take();
            match stale {
                Some(e) => Ok(Some(e)),
                None => self.store.event(id).await,
            }
        }
        async fn event_written(
            &self,
            id: &EventId,
        ) -> Result<Option<(Event, Written)>, StoreError> {
            self.store.event_written(id).await
        }
        async fn events(&self) -> Result<Vec<Event>, StoreError> {
            self.store.events().await
        }
    }

    #[tokio::test]
    async fn a_save_that_read_the_event_before_another_save_reads_it_again_and_loses_nothing() {
        let store = TableStore::new(Arc::new(MemoryTable::new()));
        let now: Timestamp = "2021-08-23T08:00:00Z".parse().unwrap();
        let first = event(json!([{"id": "role", "kind": "text", "label": {"en": "Role"}}]));
        store.put_event(&first, now).await.unwrap();
        // One organiser adds a question (registrants may answer it at once)...
        let added = event(
            json!([{"id": "role", "kind": "text", "label": {"en": "Role"}},
                                 {"id": "sg12", "kind": "boolean", "label": {"en": "  SG12?  "}}]),
        );
        save_event(&store, &store, added, now).await.unwrap();
        // ...while another, who read the event before that, saves the form without it.
        let racing = ReadBefore {
            store: store.clone(),
            stale: Mutex::new(Some(first.clone())),
        };
        save_event(&racing, &store, first.clone(), now)
            .await
            .unwrap();
        let stored = store.event(&first.id).await.unwrap().unwrap();
        // The question the second save drops is remembered (its label trimmed, as put).
        let past: Vec<(&str, &str)> = stored
            .past_questions
            .iter()
            .map(|q| (q.id.as_str(), q.label.english()))
            .collect();
        assert_eq!(past, [("sg12", "SG12?")]);
        // A write over an event that changed since it was read is refused, nothing written.
        let over = store
            .put_event_over(&first, Some(&first), now)
            .await
            .unwrap();
        assert_eq!(over, None);
        assert_eq!(store.event(&first.id).await.unwrap().unwrap(), stored);
    }
}
