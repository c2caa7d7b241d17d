//! Registration use cases. Every state change is one atomic [`Change`]: the registration, its
//! address guard, seats, waiting list, tokens and the email it causes commit together or not at
//! all. A change that finds its assumptions stale re-reads and tries again.

use jiff::{SignedDuration, Timestamp};
use serde_json::Value;

use crate::Clock;
use crate::domain::{
    Amendment, Application, ApplicationError, CONFIRMATION_WINDOW, Email, Event, EventId,
    FieldErrors, JoinInfo, Registration, Status,
};
use crate::domain::{Fields, fields::parse};
use crate::mail::MessageKind;
use crate::store::{
    Change, CommitError, Completion, Conflict, EventReader, JoinInfoStore, Notice, RateLimits,
    RegistrationStore, StoreError, Stored,
};
use crate::token::{JoinKey, Token, TokenHash, TokenSource};

/// Emails a public route may cause to one address in one hour (repeats and resends).
pub const EMAILS_PER_ADDRESS_PER_HOUR: u32 = 3;
/// Registrations one event takes in a minute unless configured otherwise
/// (`PLENARY_REGISTRATIONS_PER_EVENT_PER_MINUTE`): ten a second, far above a workshop's real
/// rush, low enough that a script cannot fill the table or the mail quota unnoticed.
pub const REGISTRATIONS_PER_EVENT_PER_MINUTE: u32 = 600;
/// Attempts at a change that keeps meeting concurrent changes before giving up.
const ATTEMPTS: usize = 8;
/// Waiting-list places a cancellation may find taken by concurrent promotions before it gives up:
/// each is a place gone from the list, so a real list ends long before; a safety bound only.
const QUEUE_MOVES: usize = 100_000;

/// What the registration use cases need.
pub struct Registrar<'a> {
    pub events: &'a dyn EventReader,
    pub store: &'a dyn RegistrationStore,
    pub limits: &'a dyn RateLimits,
    pub join_info: &'a dyn JoinInfoStore,
    pub clock: &'a dyn Clock,
    pub ids: &'a dyn TokenSource,
    pub join_key: &'a JoinKey,
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
    #[error(transparent)]
    Store(#[from] StoreError),
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
    #[error(transparent)]
    Store(#[from] StoreError),
}

#[derive(Debug, thiserror::Error)]
pub enum AuthError {
    #[error("no bearer token")]
    Missing,
    /// Unknown, of a cancelled registration, or of an address not confirmed yet.
    #[error("the token does not open a registration")]
    Refused,
    #[error(transparent)]
    Store(#[from] StoreError),
}

#[derive(Debug, thiserror::Error)]
pub enum ChangeError {
    #[error("no such registration")]
    NotFound,
    #[error("the registration is {0:?}, which does not allow this")]
    WrongStatus(Status),
    #[error("the event is full")]
    Full,
    #[error("the registration keeps changing; try again")]
    Busy,
    #[error(transparent)]
    Store(#[from] StoreError),
}

#[derive(Debug, thiserror::Error)]
pub enum JoinError {
    #[error("only confirmed registrations see the connection details")]
    NotConfirmed,
    #[error("the connection details are not released yet")]
    NotReleased(Option<Timestamp>),
    #[error(transparent)]
    Store(#[from] StoreError),
}

#[derive(Debug, thiserror::Error)]
pub enum FollowError {
    #[error("unknown join link")]
    Unknown,
    #[error("this join link was revoked, or its registration cancelled")]
    Revoked,
    #[error("the connection details are not released yet")]
    NotReleased,
    #[error(transparent)]
    Store(#[from] StoreError),
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

/// A registration as its owner (or the organiser) sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Seen {
    pub registration: Registration,
    pub waitlist_position: Option<u64>,
}

impl Registrar<'_> {
    fn now(&self) -> Timestamp {
        self.clock.now()
    }

    fn notice(&self, kind: MessageKind, r: &Registration) -> Notice {
        let now = self.now();
        Notice {
            id: self.ids.new_id(now.as_millisecond().max(0) as u64),
            kind,
            event_id: r.event_id.clone(),
            registration_id: r.id.clone(),
            created_at: now,
            attempts: 0,
            not_before: now,
        }
    }

    /// The personal join token of `r` as it stands (its generation).
    pub fn join_token(&self, r: &Registration) -> Token {
        self.join_key.token_for(&r.id, r.join_generation)
    }

    async fn event(&self, id: &EventId) -> Result<Option<Event>, StoreError> {
        self.events.event(id).await
    }

    pub async fn seen(&self, s: Stored) -> Result<Seen, StoreError> {
        let position = match (s.registration.status, s.registration.waitlist_ticket) {
            (Status::Waitlisted, Some(t)) => Some(
                self.store
                    .waitlist_position(&s.registration.event_id, t)
                    .await?,
            ),
            _ => None,
        };
        Ok(Seen {
            registration: s.registration,
            waitlist_position: position,
        })
    }

    /// Queues `kind` for the holder of `email` unless the address had its hourly share; true
    /// when `completion` was committed with it.
    async fn remind(
        &self,
        s: &Stored,
        email: &Email,
        completion: Option<&Completion>,
    ) -> Result<bool, StoreError> {
        let scope = format!(
            "email#{}#{}",
            s.registration.event_id,
            crate::store::email_hash(email)
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
        let event = self.event(event_id).await?.ok_or(RegisterError::NoEvent)?;
        let app = Application::parse(&event, body).map_err(|e| match e {
            ApplicationError::Invalid(f) => RegisterError::Invalid(f),
            ApplicationError::NotEligible(m) => RegisterError::NotEligible(m),
        })?;
        if !event.registration.is_open(self.now()) {
            return Err(RegisterError::Closed);
        }
        let now = self.now();
        let minute = SignedDuration::from_mins(1);
        let scope = format!("registrations#{event_id}");
        if !self.limits.allow(&scope, minute, per_minute, now).await? {
            return Err(RegisterError::TooMany {
                per_minute,
                retry_after: crate::store::until_next_window(minute, now),
            });
        }
        for _ in 0..ATTEMPTS {
            let now = self.now();
            if let Some(existing) = self.store.by_email(event_id, &app.person.email).await?
                && existing.registration.status.is_live()
                && !existing.registration.is_expired(now)
            {
                return Ok(self
                    .remind(&existing, &app.person.email, completion)
                    .await?);
            }
            let r = Registration {
                id: self.ids.new_id(now.as_millisecond().max(0) as u64),
                event_id: event_id.clone(),
                status: Status::PendingConfirmation,
                person: Some(app.person.clone()),
                country: app.country,
                category: app.category,
                language: app.language,
                notifications: app.notifications,
                created_at: now,
                updated_at: now,
                confirm_by: now.checked_add(CONFIRMATION_WINDOW).ok(),
                confirmed_at: None,
                waitlist_ticket: None,
                join_generation: 0,
                join_use: Default::default(),
                unsubscribed_at: None,
            };
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
                Err(CommitError::Conflict(_)) => continue,
                Err(CommitError::Store(e)) => return Err(e.into()),
            }
        }
        Err(RegisterError::Store(StoreError::Table(
            crate::store::TableError::Conflict,
        )))
    }

    /// `POST /v1/events/{id}/registrations/resend`: the link again, for a live registration.
    pub async fn resend(&self, event_id: &EventId, body: &Value) -> Result<(), RegisterError> {
        let mut f = Fields::of(body, &["email"]);
        let email = f.required("email", parse::with(Email::parse));
        let email = f.finish(email).map_err(RegisterError::Invalid)?;
        self.event(event_id).await?.ok_or(RegisterError::NoEvent)?;
        if let Some(s) = self.store.by_email(event_id, &email).await?
            && s.registration.status.is_live()
            && !s.registration.is_expired(self.now())
        {
            self.remind(&s, &email, None).await?;
        }
        Ok(())
    }

    /// `POST /v1/registrations/confirm`: the emailed token confirms the address; the
    /// registration then takes a seat, joins the waiting list, or awaits approval.
    pub async fn confirm(&self, token: &Token) -> Result<Seen, ConfirmError> {
        for _ in 0..ATTEMPTS {
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
            let event = self
                .event(&r.event_id)
                .await?
                .ok_or(ConfirmError::UnknownToken)?;
            let email = r
                .person
                .as_ref()
                .map(|p| p.email.clone())
                .ok_or(ConfirmError::Gone)?;
            let mut next = r.clone();
            next.updated_at = now;
            next.confirm_by = None;
            next.confirmed_at = Some(now);
            let mut ch = Change::new();
            if event.approval_required {
                next.status = Status::PendingApproval;
                ch.save(&next, s.rev)?.keep_address(&next, &email);
            } else {
                next.status = Status::Confirmed;
                ch.save(&next, s.rev)?
                    .keep_address(&next, &email)
                    .take_seat(&event.id, event.capacity)
                    .grant_join(&self.join_token(&next).hash(), &next);
            }
            match self.store.commit(ch).await {
                Ok(()) => {
                    return Ok(Seen {
                        registration: next,
                        waitlist_position: None,
                    });
                }
                Err(CommitError::Conflict(Conflict::Full)) if event.waitlist => {
                    match self.waitlist(&s, &email, now).await {
                        Ok(seen) => return Ok(seen),
                        Err(CommitError::Conflict(_)) => continue,
                        Err(CommitError::Store(e)) => return Err(e.into()),
                    }
                }
                Err(CommitError::Conflict(Conflict::Full)) => return Err(ConfirmError::Full),
                Err(CommitError::Conflict(_)) => continue,
                Err(CommitError::Store(e)) => return Err(e.into()),
            }
        }
        Err(ConfirmError::Store(StoreError::Table(
            crate::store::TableError::Conflict,
        )))
    }

    async fn waitlist(
        &self,
        s: &Stored,
        email: &Email,
        now: Timestamp,
    ) -> Result<Seen, CommitError> {
        let ticket = self.store.next_ticket(&s.registration.event_id).await?;
        let mut next = s.registration.clone();
        next.status = Status::Waitlisted;
        next.updated_at = now;
        next.confirm_by = None;
        next.confirmed_at = Some(now);
        next.waitlist_ticket = Some(ticket);
        let mut ch = Change::new();
        ch.save(&next, s.rev)?
            .keep_address(&next, email)
            .join_waitlist(&next.event_id, ticket, &next.id);
        self.store.commit(ch).await?;
        let position = self.store.waitlist_position(&next.event_id, ticket).await?;
        Ok(Seen {
            registration: next,
            waitlist_position: Some(position),
        })
    }

    /// The registration a bearer token opens: 401 for missing, unknown, cancelled, or not yet
    /// confirmed.
    pub async fn authenticate(&self, token: Option<Token>) -> Result<Stored, AuthError> {
        let token = token.ok_or(AuthError::Missing)?;
        let s = self
            .store
            .by_token(&token.hash())
            .await?
            .ok_or(AuthError::Refused)?;
        match s.registration.status {
            Status::PendingConfirmation | Status::Cancelled => Err(AuthError::Refused),
            _ if s.registration.person.is_none() => Err(AuthError::Refused),
            _ => Ok(s),
        }
    }

    /// `PATCH /v1/registrations/me`.
    pub async fn amend(&self, mut s: Stored, a: &Amendment) -> Result<Seen, ChangeError> {
        for _ in 0..ATTEMPTS {
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
            if let Some(v) = a.language {
                next.language = v;
            }
            if let Some(v) = a.notifications {
                next.notifications = v;
                if v.reminders || v.programme_changes {
                    next.unsubscribed_at = None;
                }
            }
            next.updated_at = self.now();
            let mut ch = Change::new();
            ch.save(&next, s.rev)?;
            match self.store.commit(ch).await {
                Ok(()) => {
                    return Ok(self
                        .seen(Stored {
                            registration: next,
                            rev: s.rev + 1,
                        })
                        .await?);
                }
                Err(CommitError::Conflict(_)) => {
                    s = self
                        .store
                        .registration(&s.registration.event_id, &s.registration.id)
                        .await?
                        .ok_or(ChangeError::NotFound)?;
                }
                Err(CommitError::Store(e)) => return Err(e.into()),
            }
        }
        Err(ChangeError::Busy)
    }

    /// Ends a registration (`Cancelled` by its owner, `Rejected` by the organiser). A seat it
    /// held passes, in the same transaction, to the head of the waiting list.
    pub async fn end(&self, mut s: Stored, status: Status, erase: bool) -> Result<(), ChangeError> {
        let (mut attempts, mut queue_moves) = (0, 0);
        while attempts < ATTEMPTS {
            let r = &s.registration;
            let now = self.now();
            if !r.status.is_live() {
                if erase && r.person.is_some() {
                    let mut next = r.clone();
                    next.person = None;
                    next.updated_at = now;
                    let mut ch = Change::new();
                    ch.save(&next, s.rev)?;
                    match self.store.commit(ch).await {
                        Ok(()) => return Ok(()),
                        Err(CommitError::Conflict(_)) => {
                            attempts += 1;
                            s = self.reread(&s).await?;
                            continue;
                        }
                        Err(CommitError::Store(e)) => return Err(e.into()),
                    }
                }
                return Ok(());
            }
            let mut next = r.clone();
            next.status = status;
            next.updated_at = now;
            next.waitlist_ticket = None;
            if erase {
                next.person = None;
            }
            let mut ch = Change::new();
            ch.save(&next, s.rev)?;
            if let Some(p) = &r.person {
                ch.release_address(&r.event_id, &p.email, &r.id);
            }
            if status == Status::Rejected && r.person.is_some() {
                ch.notify(&self.notice(MessageKind::Rejection, r))?;
            }
            match r.status {
                Status::Confirmed => self.pass_seat_on(&mut ch, &r.event_id).await?,
                Status::Waitlisted => {
                    if let Some(t) = r.waitlist_ticket {
                        ch.leave_waitlist(&r.event_id, t);
                    }
                }
                _ => {}
            }
            match self.store.commit(ch).await {
                Ok(()) => return Ok(()),
                // A concurrent cancellation promoted the one this change meant to: the queue
                // moved on, which is progress rather than a clash over this registration, so
                // it costs no attempt (many cancelling at once would otherwise run out).
                Err(CommitError::Conflict(Conflict::WaitlistMoved))
                    if queue_moves < QUEUE_MOVES =>
                {
                    queue_moves += 1;
                    s = self.reread(&s).await?;
                }
                Err(CommitError::Conflict(_)) => {
                    attempts += 1;
                    s = self.reread(&s).await?;
                }
                Err(CommitError::Store(e)) => return Err(e.into()),
            }
        }
        Err(ChangeError::Busy)
    }

    async fn reread(&self, s: &Stored) -> Result<Stored, ChangeError> {
        self.store
            .registration(&s.registration.event_id, &s.registration.id)
            .await?
            .ok_or(ChangeError::NotFound)
    }

    /// Adds to `ch` the promotion of the first waitlisted registration into the freed seat, or
    /// the freeing of the seat when nobody waits.
    async fn pass_seat_on(&self, ch: &mut Change, event: &EventId) -> Result<(), ChangeError> {
        let Some((ticket, id)) = self.store.first_waiting(event).await? else {
            ch.free_seat(event);
            return Ok(());
        };
        let waiting = self.store.registration(event, &id).await?;
        let Some(w) = waiting.filter(|w| w.registration.status == Status::Waitlisted) else {
            // A stale place (its registration moved on): drop it and free the seat.
            ch.leave_waitlist(event, ticket).free_seat(event);
            return Ok(());
        };
        let mut promoted = w.registration.clone();
        promoted.status = Status::Confirmed;
        promoted.waitlist_ticket = None;
        promoted.updated_at = self.now();
        // Confirmed from now: reminders already due before this are not owed to them.
        promoted.confirmed_at = Some(self.now());
        ch.leave_waitlist(event, ticket)
            .save(&promoted, w.rev)?
            .grant_join(&self.join_token(&promoted).hash(), &promoted)
            .notify(&self.notice(MessageKind::Promotion, &promoted))?;
        Ok(())
    }

    /// Organiser approval of a `pending_approval` registration: a seat if one is free, else the
    /// waiting list when the event has one.
    pub async fn approve(&self, event: &Event, id: &str) -> Result<Seen, ChangeError> {
        for _ in 0..ATTEMPTS {
            let s = self
                .store
                .registration(&event.id, id)
                .await?
                .ok_or(ChangeError::NotFound)?;
            let r = &s.registration;
            if r.status != Status::PendingApproval {
                return Err(ChangeError::WrongStatus(r.status));
            }
            let now = self.now();
            let mut next = r.clone();
            next.status = Status::Confirmed;
            next.updated_at = now;
            next.confirmed_at = Some(now);
            let mut ch = Change::new();
            ch.save(&next, s.rev)?
                .take_seat(&event.id, event.capacity)
                .grant_join(&self.join_token(&next).hash(), &next)
                .notify(&self.notice(MessageKind::Approval, &next))?;
            match self.store.commit(ch).await {
                Ok(()) => {
                    return Ok(Seen {
                        registration: next,
                        waitlist_position: None,
                    });
                }
                Err(CommitError::Conflict(Conflict::Full)) if event.waitlist => {
                    let email = r.person.as_ref().map(|p| p.email.clone());
                    let Some(email) = email else {
                        return Err(ChangeError::NotFound);
                    };
                    match self.waitlist(&s, &email, now).await {
                        Ok(seen) => return Ok(seen),
                        Err(CommitError::Conflict(_)) => continue,
                        Err(CommitError::Store(e)) => return Err(e.into()),
                    }
                }
                Err(CommitError::Conflict(Conflict::Full)) => return Err(ChangeError::Full),
                Err(CommitError::Conflict(_)) => continue,
                Err(CommitError::Store(e)) => return Err(e.into()),
            }
        }
        Err(ChangeError::Busy)
    }

    /// Revokes the personal join link (the old one answers 410) and emails a new one.
    pub async fn revoke_join(&self, event: &EventId, id: &str) -> Result<Seen, ChangeError> {
        for _ in 0..ATTEMPTS {
            let s = self
                .store
                .registration(event, id)
                .await?
                .ok_or(ChangeError::NotFound)?;
            if s.registration.status != Status::Confirmed {
                return Err(ChangeError::WrongStatus(s.registration.status));
            }
            let mut next = s.registration.clone();
            next.join_generation += 1;
            next.updated_at = self.now();
            let mut ch = Change::new();
            ch.save(&next, s.rev)?
                .grant_join(&self.join_token(&next).hash(), &next)
                .notify(&self.notice(MessageKind::JoinLink, &next))?;
            match self.store.commit(ch).await {
                Ok(()) => {
                    return Ok(self
                        .seen(Stored {
                            registration: next,
                            rev: s.rev + 1,
                        })
                        .await?);
                }
                Err(CommitError::Conflict(_)) => continue,
                Err(CommitError::Store(e)) => return Err(e.into()),
            }
        }
        Err(ChangeError::Busy)
    }

    /// `POST /v1/unsubscribe?token=…`: stops reminders, change notices and announcements at once.
    /// Unknown tokens are an error; repeating is harmless.
    pub async fn unsubscribe(&self, token: &Token) -> Result<(), ChangeError> {
        for _ in 0..ATTEMPTS {
            let s = self
                .store
                .by_unsubscribe_token(&token.hash())
                .await?
                .ok_or(ChangeError::NotFound)?;
            if s.registration.unsubscribed_at.is_some() {
                return Ok(());
            }
            let mut next = s.registration.clone();
            next.notifications.reminders = false;
            next.notifications.programme_changes = false;
            next.unsubscribed_at = Some(self.now());
            next.updated_at = self.now();
            let mut ch = Change::new();
            ch.save(&next, s.rev)?;
            match self.store.commit(ch).await {
                Ok(()) => return Ok(()),
                Err(CommitError::Conflict(_)) => continue,
                Err(CommitError::Store(e)) => return Err(e.into()),
            }
        }
        Err(ChangeError::Busy)
    }

    /// `GET /v1/registrations/me/join`.
    pub async fn join_details(&self, r: &Registration) -> Result<(JoinInfo, Token), JoinError> {
        if r.status != Status::Confirmed {
            return Err(JoinError::NotConfirmed);
        }
        let info = self.join_info.join_info(&r.event_id).await?;
        match info {
            Some(info) if info.is_released(self.now()) => Ok((info, self.join_token(r))),
            Some(info) => Err(JoinError::NotReleased(Some(info.release_at))),
            None => Err(JoinError::NotReleased(None)),
        }
    }

    /// `GET /v1/join/{token}`: where the personal link leads, counting the use.
    pub async fn follow(&self, token: &Token) -> Result<String, FollowError> {
        let hash: TokenHash = token.hash();
        let s = self
            .store
            .by_join_token(&hash)
            .await?
            .ok_or(FollowError::Unknown)?;
        let r = &s.registration;
        // A token of an earlier generation was revoked.
        let current = self.join_token(r);
        if r.status != Status::Confirmed || current.hash() != hash {
            return Err(FollowError::Revoked);
        }
        let info = self.join_info.join_info(&r.event_id).await?;
        let now = self.now();
        match info {
            Some(info) if info.is_released(now) => {
                self.store.record_join_use(r, now).await?;
                Ok(info.url)
            }
            _ => Err(FollowError::NotReleased),
        }
    }
}
