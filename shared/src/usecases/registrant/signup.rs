//! Signing up: registering (or being reminded of one's link), and confirming the address, which
//! takes a seat, joins the waiting list, or awaits approval.

use jiff::SignedDuration;
use serde_json::Value;

use crate::domain::{
    Application, ApplicationError, Email, EventId, FieldErrors, Registration, Status,
};
use crate::domain::{Fields, fields::parse};
use crate::mail::MessageKind;
use crate::store::{Addressee, Change, CommitError, Completion, Conflict, Notice, StoreError};
use crate::token::Token;

use super::super::reader;
use super::super::registrar::{Registrar, Seen};
use super::super::retry::{Attempts, Busy};
use super::super::seats::Seated;

/// Emails a public route may cause to one address in one hour: a registration's confirmation
/// and three more (repeats and resends).
pub const EMAILS_PER_ADDRESS_PER_HOUR: u32 = 4;
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

/// The backlog cap's default for a mailer sending `ses_rate` emails a second: an hour of its
/// mail, and never under ten minutes of the event cap ([`registrations_per_event_per_minute`]),
/// so a burst that cap lets in is never refused for the backlog alone. Past it, public
/// requests that would queue mail for the event are refused until the job catches up: the
/// longest a confirmation link can wait is about an hour, whatever the flood.
pub fn mail_backlog_per_event(ses_rate: f64) -> u32 {
    let hour_of_mail = (ses_rate.max(0.0) * 3600.0).ceil().min(f64::from(u32::MAX)) as u32;
    hour_of_mail.max(registrations_per_event_per_minute(ses_rate).saturating_mul(10))
}

/// How much public requests may add to an event's work.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Intake {
    /// Valid registration requests the event takes in a minute, repeats included.
    pub per_minute: u32,
    /// Mail waiting to be sent for the event, past which a request that would queue more is
    /// refused ([`RegisterError::MailBacklog`]).
    pub mail_backlog: u32,
}

impl Intake {
    /// The defaults for a mailer sending `ses_rate` emails a second.
    pub fn for_rate(ses_rate: f64) -> Self {
        Self {
            per_minute: registrations_per_event_per_minute(ses_rate),
            mail_backlog: mail_backlog_per_event(ses_rate),
        }
    }
}

/// Seconds a request refused for the mail backlog is asked to wait.
pub const MAIL_BACKLOG_RETRY_AFTER: u64 = 60;

/// The link a registrant asking for theirs again gets: the confirmation link while the address
/// is unconfirmed, the manage link after.
pub fn link_kind(r: &Registration) -> MessageKind {
    match r.status {
        Status::PendingConfirmation => MessageKind::Confirmation,
        _ => MessageKind::ManageLink,
    }
}

/// The live registration of a request for a link again ([`Addressee::HolderOf`]), if there is
/// one at `now`: what the notifications job sends to.
pub async fn holder(
    store: &dyn crate::store::RegistrationStore,
    event: &EventId,
    email: &Email,
    now: jiff::Timestamp,
) -> Result<Option<Registration>, StoreError> {
    Ok(store
        .by_email(event, email)
        .await?
        .map(|s| s.registration)
        .filter(|r| r.status.is_live() && !r.is_expired(now)))
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
    #[error("the event's mail backlog reached its cap of {cap}")]
    MailBacklog { cap: u32 },
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
    /// Counts an email to `email` about `event` against the address's hourly share; false when
    /// the share is spent.
    async fn count_email(&self, event: &EventId, email: &Email) -> Result<bool, StoreError> {
        let scope = crate::store::keys::email_scope(event, email);
        let hour = SignedDuration::from_hours(1);
        self.limits
            .allow(&scope, hour, EMAILS_PER_ADDRESS_PER_HOUR, self.now())
            .await
    }

    /// Queues the link of whoever holds `email` at `event`, unless the address had its hourly
    /// share: the notifications job finds the registration and sends its confirmation link or
    /// its manage link, or nothing to a stranger. So the request path does the same work
    /// whether or not the address is registered (one count, one write), and neither the answer
    /// nor its timing tells which. `held`: the register route found the address held, and the
    /// reminder goes with [`Change::ask_again`]. `Some(true)` when `completion` was committed
    /// with it; `None` when the address was released meanwhile (only when `held`).
    async fn remind(
        &self,
        event: &EventId,
        email: &Email,
        completion: Option<&Completion>,
        held: bool,
        intake: Intake,
    ) -> Result<Option<bool>, RegisterError> {
        if !self.count_email(event, email).await? {
            tracing::info!("an address reached its hourly email limit; nothing queued");
            return Ok(Some(false));
        }
        let now = self.now();
        let notice = Notice::new(
            self.ids.new_id_at(now),
            // Which link is decided when it is sent, from the registration as it is then.
            MessageKind::ManageLink,
            Addressee::HolderOf {
                event_id: event.clone(),
                email: email.clone(),
            },
            now,
        );
        let mut ch = Change::new();
        ch.notify_within(&notice, intake.mail_backlog)?;
        if held {
            ch.ask_again(event, email, now);
        }
        if let Some(c) = completion {
            ch.complete_idempotency(c, now);
        }
        match self.store.commit(ch).await {
            Ok(()) => Ok(Some(completion.is_some())),
            Err(CommitError::Store(e)) => Err(e.into()),
            Err(CommitError::Conflict(Conflict::Backlog)) => Err(RegisterError::MailBacklog {
                cap: intake.mail_backlog,
            }),
            Err(CommitError::Conflict(_)) if held => Ok(None),
            // A notice id is new each time: without the guard's check nothing can conflict.
            Err(CommitError::Conflict(_)) => Ok(Some(false)),
        }
    }

    /// `POST /v1/events/{id}/registrations`. Answers the same whether or not the address was
    /// registered, so the route does not reveal who registered.
    ///
    /// With `completion`, the answer to the request's Idempotency-Key is committed in the same
    /// transaction as the registration (or the reminder email): the result says whether it was.
    ///
    /// At most `intake.per_minute` valid requests a minute reach an event, repeats included
    /// (each may send an email); the count is kept in the store, so it holds across every
    /// instance. Past `intake.mail_backlog` emails waiting for the event, nothing is taken.
    pub async fn register(
        &self,
        event_id: &EventId,
        body: &Value,
        completion: Option<&Completion>,
        intake: Intake,
    ) -> Result<bool, RegisterError> {
        let per_minute = intake.per_minute;
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
        let email = &app.person.email;
        let mut attempts = Attempts::default();
        loop {
            attempts.next()?;
            // The address's guard alone (one read) says whether someone holds it: a repeat
            // costs what a new registration does, as the registration itself is not read here.
            if self.store.address_held(event_id, email, self.now()).await? {
                match self
                    .remind(event_id, email, completion, true, intake)
                    .await?
                {
                    Some(completed) => return Ok(completed),
                    // Released since it was read: register it.
                    None => {
                        attempts.failed();
                        continue;
                    }
                }
            }
            // The confirmation is an email to the address like any other: counted, never
            // refused (a new registrant always gets their link).
            self.count_email(event_id, email).await?;
            let now = self.now();
            let id = self
                .ids
                .new_registration_id(now.as_millisecond().max(0) as u64);
            let r = Registration::new(id, event_id.clone(), &app, now);
            let mut ch = Change::new();
            ch.save(&event, None, &r)?
                .claim_address(&r, &app.person.email, now)
                .notify_within(
                    &self.notice(MessageKind::Confirmation, &r),
                    intake.mail_backlog,
                )?;
            if let Some(c) = completion {
                ch.complete_idempotency(c, now);
            }
            match self.store.commit(ch).await {
                Ok(()) => return Ok(completion.is_some()),
                Err(CommitError::Conflict(Conflict::Backlog)) => {
                    return Err(RegisterError::MailBacklog {
                        cap: intake.mail_backlog,
                    });
                }
                // Someone registered this address at the same moment: treat as a repeat.
                Err(CommitError::Conflict(_)) => attempts.failed(),
                Err(CommitError::Store(e)) => return Err(e.into()),
            }
        }
    }

    /// `POST /v1/events/{id}/registrations/resend`: the link again, for a live registration.
    pub async fn resend(
        &self,
        event_id: &EventId,
        body: &Value,
        intake: Intake,
    ) -> Result<(), RegisterError> {
        let mut f = Fields::of(body, &["email"]);
        let email = f.required("email", parse::with(Email::parse));
        let email = f.finish(email).map_err(RegisterError::Invalid)?;
        reader::public_event(self.events, event_id)
            .await?
            .ok_or(RegisterError::NoEvent)?;
        self.remind(event_id, &email, None, false, intake).await?;
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
                ch.save(&event, Some(&s), &next)?
                    .keep_address(&next, &email)
                    .keep_token(&hash);
            } else {
                next.status = Status::Confirmed;
                ch.save(&event, Some(&s), &next)?
                    .keep_address(&next, &email)
                    .keep_token(&hash)
                    .take_seat(&event.id, seating.pool, seating.capacity)
                    .grant_join(&self.join_token(&next).hash(), &next);
            }
            match self
                .seat_or_queue(ch, &event, &s, next, &email, Some(&hash))
                .await?
            {
                Seated::Yes(seen) => return Ok(*seen),
                Seated::Full => return Err(ConfirmError::Full),
                Seated::Retry => attempts.failed(),
            }
        }
    }
}
