//! The registrant's own registration: opening it with the emailed token, amending it,
//! cancelling it, and unsubscribing from optional mail.

use serde_json::Value;

use crate::domain::{Amendment, NotificationChoices, Participation, Registration, Status};
use crate::store::{Change, CommitError, Conflict, StoreError, Stored};
use crate::token::Token;

use super::super::registrar::{ChangeError, Registrar, Seen};
use super::super::retry::{Attempts, Busy};
use super::super::seats::Ending;

#[derive(Debug, thiserror::Error)]
pub enum AuthError {
    #[error("no bearer token")]
    Missing,
    /// Unknown, of a cancelled registration, or of an address not confirmed yet.
    #[error("the token does not open a registration")]
    Refused,
    /// [`MANAGE_TOKEN_DAYS_AFTER_EVENT`] days after its event ended.
    #[error("the token has expired")]
    Expired,
    #[error(transparent)]
    Store(#[from] StoreError),
}

#[derive(Debug, thiserror::Error)]
pub enum UnsubscribeError {
    #[error("unknown unsubscribe link")]
    UnknownLink,
    /// Undoing for a registration that was cancelled, rejected or erased.
    #[error("the registration has ended")]
    Ended,
    #[error("the registration keeps changing; try again")]
    Busy,
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl From<Busy> for UnsubscribeError {
    fn from(_: Busy) -> Self {
        Self::Busy
    }
}

/// A registrant's manage token (the emailed bearer) opens their registration until this many
/// days after the event ends: long enough to fetch materials and the calendar afterwards, and no
/// longer a key to personal data kept in an old mailbox for good.
pub const MANAGE_TOKEN_DAYS_AFTER_EVENT: i64 = 30;

impl Registrar<'_> {
    /// The registration a bearer token opens: refused when missing, unknown, cancelled, or not
    /// yet confirmed, and expired [`MANAGE_TOKEN_DAYS_AFTER_EVENT`] days after the event ends.
    pub async fn authenticate(&self, token: Option<Token>) -> Result<Stored, AuthError> {
        let token = token.ok_or(AuthError::Missing)?;
        let s = self
            .store
            .by_token(&token.hash())
            .await?
            .ok_or(AuthError::Refused)?;
        match s.registration.status {
            Status::PendingConfirmation | Status::Cancelled => return Err(AuthError::Refused),
            _ if s.registration.person.is_none() => return Err(AuthError::Refused),
            _ => {}
        }
        let event = self.events.event(&s.registration.event_id).await?;
        let lifetime = jiff::SignedDuration::from_hours(24 * MANAGE_TOKEN_DAYS_AFTER_EVENT);
        match event.and_then(|e| e.ends_at.checked_add(lifetime).ok()) {
            Some(expires) if self.now() >= expires => Err(AuthError::Expired),
            _ => Ok(s),
        }
    }

    /// `PATCH /v1/registrations/me`: the body is read against the event's questions (its
    /// `answers` replace those to the current questions; answers to removed ones stay).
    pub async fn amend(&self, mut s: Stored, body: &Value) -> Result<Seen, ChangeError> {
        // Not `reader::may_see`: a registrant keeps their own routes while the event is a draft.
        let event = self
            .events
            .event(&s.registration.event_id)
            .await?
            .ok_or(ChangeError::NotFound)?;
        let a = Amendment::parse_for(&event, body).map_err(ChangeError::Invalid)?;
        let mut attempts = Attempts::default();
        loop {
            attempts.next()?;
            let mut next = s.registration.clone();
            let Some(p) = next.person.as_mut() else {
                return Err(ChangeError::NotFound);
            };
            if let Some(v) = &a.given_name {
                p.given_name = v.clone();
            }
            if let Some(v) = &a.family_name {
                p.family_name = v.clone();
            }
            if let Some(v) = &a.organisation {
                p.organisation = v.clone();
            }
            if let Some(v) = &a.accessibility_needs {
                p.accessibility_needs = v.clone();
            }
            if let Some(v) = &a.answers {
                p.answers = p.answers.replaced(&event.questions, v.clone());
            }
            if let Some(v) = a.language {
                next.language = v;
            }
            if let Some(v) = a.notifications {
                next.notifications = v;
                // Choosing optional mail again undoes an unsubscription.
                if v.any() {
                    next.unsubscribed_at = None;
                    next.unsubscribed_from = None;
                }
            }
            next.updated_at = self.now();
            let mut ch = Change::new();
            let switch = a
                .participation
                .filter(|to| s.registration.participation != Some(*to));
            if let Some(to) = switch {
                // The seat moves in the same transaction as the rest of the amendment.
                self.switch(&mut ch, &s.registration, &mut next, to, &event)
                    .await?;
            }
            ch.save(&event, Some(&s), &next)?;
            match self.store.commit(ch).await {
                Ok(()) => {
                    return Ok(self.seen_saved(next, s.rev).await?);
                }
                Err(CommitError::Conflict(Conflict::Full)) => {
                    return Err(ChangeError::ModeFull(
                        switch.unwrap_or(Participation::InPerson),
                    ));
                }
                // The queue the switch left moved on: progress, not a clash over this one.
                Err(CommitError::Conflict(Conflict::WaitlistMoved)) => {
                    s = self.reread(&s).await?;
                    attempts.progressed();
                }
                Err(CommitError::Conflict(_)) => {
                    s = self.reread(&s).await?;
                    attempts.failed();
                }
                Err(CommitError::Store(e)) => return Err(e.into()),
            }
        }
    }

    /// `DELETE /v1/registrations/me` (`?erase=true` also erases the personal data). Cancelling
    /// a registration that has already ended changes nothing but the erasure.
    pub async fn cancel(&self, s: Stored, erase: bool) -> Result<(), ChangeError> {
        self.end(s, Ending::Cancelled { erase }).await
    }

    /// `POST /v1/unsubscribe?token=…`: stops reminders, change notices and announcements at once,
    /// keeping the choices it turned off so [`Self::resubscribe`] can restore them. Unknown tokens
    /// are an error; repeating is harmless. Answers the registration as it now is.
    pub async fn unsubscribe(&self, token: &Token) -> Result<Registration, UnsubscribeError> {
        let mut attempts = Attempts::default();
        loop {
            attempts.next()?;
            let s = self
                .store
                .by_unsubscribe_token(&token.hash())
                .await?
                .ok_or(UnsubscribeError::UnknownLink)?;
            if s.registration.unsubscribed_at.is_some() {
                return Ok(s.registration);
            }
            let mut next = s.registration.clone();
            next.unsubscribed_from = Some(next.notifications);
            next.notifications = NotificationChoices::NONE;
            next.unsubscribed_at = Some(self.now());
            next.updated_at = self.now();
            let event = self.event_of(&next.event_id).await?;
            let mut ch = Change::new();
            ch.save(&event, Some(&s), &next)?;
            match self.store.commit(ch).await {
                Ok(()) => return Ok(next),
                Err(CommitError::Conflict(_)) => attempts.failed(),
                Err(CommitError::Store(e)) => return Err(e.into()),
            }
        }
    }

    /// `POST /v1/unsubscribe/undo?token=…`: undoes an unsubscription by the same link, giving
    /// back the choices it turned off (all optional mail when they are not known). Repeating, or
    /// undoing without an unsubscription, changes nothing. A registration that has ended or was
    /// erased gets no mail any more, so there is nothing to restore ([`UnsubscribeError::Ended`]).
    pub async fn resubscribe(&self, token: &Token) -> Result<Registration, UnsubscribeError> {
        let mut attempts = Attempts::default();
        loop {
            attempts.next()?;
            let s = self
                .store
                .by_unsubscribe_token(&token.hash())
                .await?
                .ok_or(UnsubscribeError::UnknownLink)?;
            if !s.registration.status.is_live() || s.registration.person.is_none() {
                return Err(UnsubscribeError::Ended);
            }
            if s.registration.unsubscribed_at.is_none() {
                return Ok(s.registration);
            }
            let mut next = s.registration.clone();
            next.notifications = next.unsubscribed_from.take().unwrap_or_default();
            if !next.notifications.any() {
                // Nothing was on before; undoing must still bring mail back.
                next.notifications = NotificationChoices::default();
            }
            next.unsubscribed_at = None;
            next.updated_at = self.now();
            let event = self.event_of(&next.event_id).await?;
            let mut ch = Change::new();
            ch.save(&event, Some(&s), &next)?;
            match self.store.commit(ch).await {
                Ok(()) => return Ok(next),
                Err(CommitError::Conflict(_)) => attempts.failed(),
                Err(CommitError::Store(e)) => return Err(e.into()),
            }
        }
    }
}
