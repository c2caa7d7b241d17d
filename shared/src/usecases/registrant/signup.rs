//! Signing up: registering (or being reminded of one's link), and confirming the address, which
//! takes a seat, joins the waiting list, or awaits approval.

use jiff::SignedDuration;
use serde_json::Value;

use crate::domain::{
    Application, ApplicationError, Email, EventId, FieldErrors, Registration, Status,
};
use crate::domain::{Fields, fields::parse};
use crate::mail::MessageKind;
use crate::store::{Change, CommitError, Completion, StoreError, Stored};
use crate::token::Token;

use super::super::reader;
use super::super::registrar::{Registrar, Seen};
use super::super::retry::{Attempts, Busy};
use super::super::seats::Seated;

/// Emails a public route may cause to one address in one hour (repeats and resends).
pub const EMAILS_PER_ADDRESS_PER_HOUR: u32 = 3;
/// Registrations one event takes in a minute at the default mail rate (1 a second) unless
/// configured otherwise (`PLENARY_REGISTRATIONS_PER_EVENT_PER_MINUTE`): see
/// [`registrations_per_event_per_minute`].
pub const REGISTRATIONS_PER_EVENT_PER_MINUTE: u32 = 120;

/// The event cap's default for a mailer sending `ses_rate` emails a second: twice what it sends
/// in a minute (each registration queues one confirmation, so a full minute's rush is sent
/// within two), and never under twice what one client may send
/// ([`REQUESTS_PER_CLIENT_PER_MINUTE`](crate::usecases::clients::REQUESTS_PER_CLIENT_PER_MINUTE)),
/// so one client alone never fills it.
pub fn registrations_per_event_per_minute(ses_rate: f64) -> u32 {
    let two_minutes_of_mail = (ses_rate.max(0.0) * 120.0).ceil().min(f64::from(u32::MAX)) as u32;
    two_minutes_of_mail.max(2 * crate::usecases::clients::REQUESTS_PER_CLIENT_PER_MINUTE)
}

#[derive(Debug, thiserror::Error)]
pub enum RegisterError {
    #[error("no such event")]
    NoEvent,
    #[error("registration is closed")]
    Closed,
    #[error("invalid fields")]
    Invalid(FieldErrors),
    #[error("not eligible: {0}")]
    NotEligible(String),
    #[error("the event took its {per_minute} registrations this minute")]
    TooMany {
        per_minute: u32,
        /// Seconds until the next minute begins.
        retry_after: u64,
    },
    #[error("the event took its {per_hour} registrations from this email domain this hour")]
    TooManyFromDomain {
        per_hour: u32,
        /// Seconds until the next hour begins.
        retry_after: u64,
    },
    #[error("the address keeps being registered concurrently; try again")]
    Busy,
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl From<Busy> for RegisterError {
    fn from(_: Busy) -> Self {
        Self::Busy
    }
}

#[derive(Debug, thiserror::Error)]
pub enum ConfirmError {
    #[error("unknown token")]
    UnknownToken,
    #[error("the confirmation link has expired")]
    Expired,
    #[error("the registration was cancelled or rejected")]
    Gone,
    #[error("the event is full")]
    Full,
    #[error("the registration keeps changing; try again")]
    Busy,
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl From<Busy> for ConfirmError {
    fn from(_: Busy) -> Self {
        Self::Busy
    }
}

impl Registrar<'_> {
    /// Queues `kind` for the holder of `email` unless the address had its hourly share; true
    /// when `completion` was committed with it.
    async fn remind(
        &self,
        s: &Stored,
        email: &Email,
        completion: Option<&Completion>,
    ) -> Result<bool, StoreError> {
        let scope = crate::store::keys::address_emails_scope(
            &s.registration.event_id,
            &crate::store::email_hash(email),
        );
        let ok = self
            .limits
            .allow(
                &scope,
                SignedDuration::from_hours(1),
                EMAILS_PER_ADDRESS_PER_HOUR,
                self.now(),
            )
            .await?;
        if !ok {
            tracing::info!("an address reached its hourly email limit; nothing sent");
            return Ok(false);
        }
        let kind = if s.registration.status == Status::PendingConfirmation {
            MessageKind::Confirmation
        } else {
            MessageKind::ManageLink
        };
        let mut ch = Change::new();
        ch.notify(&self.notice(kind, &s.registration))?;
        if let Some(c) = completion {
            ch.complete_idempotency(c, self.now());
        }
        match self.store.commit(ch).await {
            Ok(()) => Ok(completion.is_some()),
            Err(CommitError::Store(e)) => Err(e),
            // A notice id is new each time; a conflict cannot happen and is harmless.
            Err(CommitError::Conflict(_)) => Ok(false),
        }
    }

    /// The live registration of `email` for `event`, if there is one.
    async fn live_registration(
        &self,
        event: &EventId,
        email: &Email,
    ) -> Result<Option<Stored>, StoreError> {
        let now = self.now();
        Ok(self
            .store
            .by_email(event, email)
            .await?
            .filter(|s| s.registration.status.is_live() && !s.registration.is_expired(now)))
    }

    /// `POST /v1/events/{id}/registrations`. Answers the same whether or not the address was
    /// registered, so the route does not reveal who registered.
    ///
    /// With `completion`, the answer to the request's Idempotency-Key is committed in the same
    /// transaction as the registration (or the reminder email): the result says whether it was.
    ///
    /// At most `per_minute` valid requests a minute reach an event, repeats included (each may
    /// send an email); the count is kept in the store, so it holds across every instance.
    pub async fn register(
        &self,
        event_id: &EventId,
        body: &Value,
        completion: Option<&Completion>,
        per_minute: u32,
    ) -> Result<bool, RegisterError> {
        let event = reader::public_event(self.events, event_id)
            .await?
            .ok_or(RegisterError::NoEvent)?;
        let app = Application::parse(&event, body).map_err(|e| match e {
            ApplicationError::Invalid(f) => RegisterError::Invalid(f),
            ApplicationError::NotEligible(m) => RegisterError::NotEligible(m),
        })?;
        if !event.registration.is_open(self.now()) {
            return Err(RegisterError::Closed);
        }
        let now = self.now();
        let minute = SignedDuration::from_mins(1);
        let scope = crate::store::keys::event_registrations_scope(event_id);
        if !self.limits.allow(&scope, minute, per_minute, now).await? {
            return Err(RegisterError::TooMany {
                per_minute,
                retry_after: crate::store::until_next_window(minute, now),
            });
        }
        if let Some(per_hour) = event.registrations_per_email_domain_per_hour {
            let hour = SignedDuration::from_hours(1);
            let scope = crate::store::keys::email_domain_scope(event_id, &app.person.email);
            if !self.limits.allow(&scope, hour, per_hour, now).await? {
                return Err(RegisterError::TooManyFromDomain {
                    per_hour,
                    retry_after: crate::store::until_next_window(hour, now),
                });
            }
        }
        let mut attempts = Attempts::default();
        loop {
            attempts.next()?;
            if let Some(existing) = self.live_registration(event_id, &app.person.email).await? {
                let done = self
                    .remind(&existing, &app.person.email, completion)
                    .await?;
                return Ok(done);
            }
            let now = self.now();
            let id = self
                .ids
                .new_registration_id(now.as_millisecond().max(0) as u64);
            let r = Registration::new(id, event_id.clone(), &app, now);
            let mut ch = Change::new();
            ch.save(&r, 0)?
                .claim_address(&r, &app.person.email, now)
                .notify(&self.notice(MessageKind::Confirmation, &r))?;
            if let Some(c) = completion {
                ch.complete_idempotency(c, now);
            }
            match self.store.commit(ch).await {
                Ok(()) => return Ok(completion.is_some()),
                // Someone registered this address at the same moment: treat as a repeat.
                Err(CommitError::Conflict(_)) => attempts.failed(),
                Err(CommitError::Store(e)) => return Err(e.into()),
            }
        }
    }

    /// `POST /v1/events/{id}/registrations/resend`: the link again, for a live registration.
    pub async fn resend(&self, event_id: &EventId, body: &Value) -> Result<(), RegisterError> {
        let mut f = Fields::of(body, &["email"]);
        let email = f.required("email", parse::with(Email::parse));
        let email = f.finish(email).map_err(RegisterError::Invalid)?;
        reader::public_event(self.events, event_id)
            .await?
            .ok_or(RegisterError::NoEvent)?;
        if let Some(s) = self.live_registration(event_id, &email).await? {
            self.remind(&s, &email, None).await?;
        }
        Ok(())
    }

    /// `POST /v1/registrations/confirm`: the emailed token confirms the address; the
    /// registration then takes a seat, joins the waiting list, or awaits approval.
    pub async fn confirm(&self, token: &Token) -> Result<Seen, ConfirmError> {
        let mut attempts = Attempts::default();
        loop {
            attempts.next()?;
            let s = self
                .store
                .by_token(&token.hash())
                .await?
                .ok_or(ConfirmError::UnknownToken)?;
            let now = self.now();
            let r = &s.registration;
            match r.status {
                Status::PendingConfirmation if r.is_expired(now) => {
                    return Err(ConfirmError::Expired);
                }
                Status::PendingConfirmation => {}
                Status::Cancelled | Status::Rejected => return Err(ConfirmError::Gone),
                // Confirming twice is harmless: show where it stands.
                _ => return Ok(self.seen(s).await?),
            }
            // Not `reader::may_see`: this registration was made while the event took them, and
            // its owner proves it with the emailed link, as they would after registration
            // closed; refusing would only let it lapse while the organiser drafts the event.
            let event = self
                .events
                .event(&r.event_id)
                .await?
                .ok_or(ConfirmError::UnknownToken)?;
            let email = r
                .person
                .as_ref()
                .map(|p| p.email.clone())
                .ok_or(ConfirmError::Gone)?;
            let seating = event.seating(r.participation);
            let mut next = r.clone();
            next.updated_at = now;
            next.confirm_by = None;
            next.confirmed_at = Some(now);
            // The link that confirmed the registration stays its bearer: it no longer lapses.
            let hash = token.hash();
            let mut ch = Change::new();
            if event.approval_required {
                next.status = Status::PendingApproval;
                ch.save(&next, s.rev)?
                    .keep_address(&next, &email)
                    .keep_token(&hash);
            } else {
                next.status = Status::Confirmed;
                ch.save(&next, s.rev)?
                    .keep_address(&next, &email)
                    .keep_token(&hash)
                    .take_seat(&event.id, seating.pool, seating.capacity)
                    .grant_join(&self.join_token(&next).hash(), &next);
            }
            match self
                .seat_or_queue(ch, &s, next, seating, &email, Some(&hash))
                .await?
            {
                Seated::Yes(seen) => return Ok(*seen),
                Seated::Full => return Err(ConfirmError::Full),
                Seated::Retry => attempts.failed(),
            }
        }
    }
}
