//! The context every registration use case runs in, whoever asks: the ports, the clock, the ids,
//! and what each change to a registration needs — the outbox notice it causes, the registration
//! as its owner sees it, and the error of a change to one.

use jiff::Timestamp;

use crate::Clock;
use crate::domain::{Event, EventId, Registration, RegistrationId, Status};
use crate::mail::MessageKind;
use crate::store::{
    Addressee, CommitError, Conflict, EventReader, JoinInfoStore, Notice, RateLimits,
    RegistrationStore, StoreError, Stored,
};
use crate::token::{JoinKey, Token, TokenSource};

use super::retry::Busy;

/// What the registration use cases need. Registrant and organiser use cases both run on it.
pub struct Registrar<'a> {
    pub events: &'a dyn EventReader,
    pub store: &'a dyn RegistrationStore,
    pub limits: &'a dyn RateLimits,
    pub join_info: &'a dyn JoinInfoStore,
    pub clock: &'a dyn Clock,
    pub ids: &'a dyn TokenSource,
    pub join_key: &'a JoinKey,
}

/// A registration as its owner (or the organiser) sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Seen {
    pub registration: Registration,
    pub waitlist_position: Option<u64>,
}

/// A change to an existing registration failed.
#[derive(Debug, thiserror::Error)]
pub enum ChangeError {
    #[error("no such registration")]
    NotFound,
    #[error("the registration is {0:?}, which does not allow this")]
    WrongStatus(Status),
    #[error("the event is full")]
    Full,
    /// A switch of mode found no free seat in the mode switched to.
    #[error("no seat is free to take part {0}")]
    ModeFull(crate::domain::Participation),
    #[error("invalid fields")]
    Invalid(crate::domain::FieldErrors),
    #[error("the registration keeps changing; try again")]
    Busy,
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl From<Busy> for ChangeError {
    fn from(_: Busy) -> Self {
        Self::Busy
    }
}

impl From<CommitError> for ChangeError {
    fn from(e: CommitError) -> Self {
        match e {
            CommitError::Conflict(Conflict::Full) => Self::Full,
            CommitError::Conflict(_) => Self::Busy,
            CommitError::Store(s) => Self::Store(s),
        }
    }
}

impl Registrar<'_> {
    pub(crate) fn now(&self) -> Timestamp {
        self.clock.now()
    }

    /// The outbox entry for an email of `kind` about `r`, to commit with the change causing it.
    pub(crate) fn notice(&self, kind: MessageKind, r: &Registration) -> Notice {
        let now = self.now();
        Notice::new(
            self.ids.new_id_at(now),
            kind,
            Addressee::Registrant {
                event_id: r.event_id.clone(),
                registration_id: r.id.clone(),
            },
            now,
        )
    }

    /// The personal join token of `r` as it stands (its generation).
    pub fn join_token(&self, r: &Registration) -> Token {
        self.join_key
            .token_for(r.token_keys, &r.id, r.join_generation)
    }

    /// `s` with its place on the waiting list, when it has one.
    pub async fn seen(&self, s: Stored) -> Result<Seen, StoreError> {
        let position = match (s.registration.status, s.registration.waitlist_ticket) {
            (Status::Waitlisted, Some(t)) => Some(
                self.store
                    .waitlist_position(&s.registration.event_id, s.registration.pool(), t)
                    .await?,
            ),
            _ => None,
        };
        Ok(Seen {
            registration: s.registration,
            waitlist_position: position,
        })
    }

    /// `next` as seen just after it was saved over revision `rev`.
    pub(crate) async fn seen_saved(
        &self,
        next: Registration,
        rev: u64,
    ) -> Result<Seen, StoreError> {
        self.seen(Stored {
            registration: next,
            rev: rev + 1,
        })
        .await
    }

    /// The event a registration belongs to, whose form its counters are kept by.
    pub(crate) async fn event_of(&self, id: &EventId) -> Result<Event, StoreError> {
        self.events
            .event(id)
            .await?
            .ok_or_else(|| StoreError::Corrupt(format!("a registration outlives its event {id}")))
    }

    /// The registration `id` of `event` as stored now.
    pub(crate) async fn stored(
        &self,
        event: &EventId,
        id: &RegistrationId,
    ) -> Result<Stored, ChangeError> {
        self.store
            .registration(event, id)
            .await?
            .ok_or(ChangeError::NotFound)
    }

    /// `s` read again, after a concurrent change.
    pub(crate) async fn reread(&self, s: &Stored) -> Result<Stored, ChangeError> {
        self.stored(&s.registration.event_id, &s.registration.id)
            .await
    }
}
