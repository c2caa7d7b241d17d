//! Seats and the waiting list. A confirmation or approval that finds the event full joins the
//! queue; a registration that ends (cancelled by its owner, rejected by an organiser) passes its
//! seat, in the same transaction, to the head of the queue.

use jiff::Timestamp;

use crate::domain::{Email, Event, Participation, Pool, Registration, Status};
use crate::mail::MessageKind;
use crate::store::{Change, CommitError, Conflict, StoreError, Stored};
use crate::token::TokenHash;

use super::registrar::{ChangeError, Registrar, Seen};
use super::retry::Attempts;

/// How a registration ends.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ending {
    /// By its owner; `erase` also erases the personal data. Ending an ended one again only
    /// erases.
    Cancelled { erase: bool },
    /// By an organiser, with an email saying so. Only a live registration can be rejected.
    Rejected,
}

impl Ending {
    fn status(self) -> Status {
        match self {
            Self::Cancelled { .. } => Status::Cancelled,
            Self::Rejected => Status::Rejected,
        }
    }

    fn erase(self) -> bool {
        matches!(self, Self::Cancelled { erase: true })
    }
}

/// What committing a change that may take a seat came to.
pub(crate) enum Seated {
    /// Committed, or queued on the waiting list when the event was full.
    Yes(Box<Seen>),
    /// The event is full and has no waiting list.
    Full,
    /// A concurrent change got in first: read again and retry.
    Retry,
}

impl Registrar<'_> {
    /// Commits `ch`, which makes `s` into `next` (taking a seat of the pool of its mode at
    /// `event`, if it does); when the pool is full, queues `s` instead if the pool has a waiting
    /// list.
    pub(crate) async fn seat_or_queue(
        &self,
        ch: Change,
        event: &Event,
        s: &Stored,
        next: Registration,
        email: &Email,
        confirmed_by: Option<&TokenHash>,
    ) -> Result<Seated, StoreError> {
        let seating = event.seating(next.participation);
        // The change was made at the instant `next` records.
        let now = next.updated_at;
        match self.store.commit(ch).await {
            Ok(()) => Ok(Seated::Yes(Box::new(Seen {
                registration: next,
                waitlist_position: None,
            }))),
            Err(CommitError::Conflict(Conflict::Full)) if seating.waitlist => Ok(
                match self
                    .waitlist(event, s, seating.pool, email, now, confirmed_by)
                    .await?
                {
                    Some(seen) => Seated::Yes(Box::new(seen)),
                    None => Seated::Retry,
                },
            ),
            Err(CommitError::Conflict(Conflict::Full)) => Ok(Seated::Full),
            Err(CommitError::Conflict(_)) => Ok(Seated::Retry),
            Err(CommitError::Store(e)) => Err(e),
        }
    }

    /// Puts `s` (just confirmed or approved, its pool full) at the end of `pool`'s waiting
    /// list; `None` when a concurrent change got in first (the caller retries). `confirmed_by`
    /// is the token that confirmed it, if it was just confirmed: it no longer lapses.
    pub(crate) async fn waitlist(
        &self,
        event: &Event,
        s: &Stored,
        pool: Pool,
        email: &Email,
        now: Timestamp,
        confirmed_by: Option<&TokenHash>,
    ) -> Result<Option<Seen>, StoreError> {
        let ticket = self
            .store
            .next_ticket(&s.registration.event_id, pool)
            .await?;
        let mut next = s.registration.clone();
        next.status = Status::Waitlisted;
        next.updated_at = now;
        next.confirm_by = None;
        next.confirmed_at = Some(now);
        next.waitlist_ticket = Some(ticket);
        let mut ch = Change::new();
        ch.save(event, Some(s), &next)?
            .keep_address(&next, email)
            .join_waitlist(&next.event_id, pool, ticket, &next.id);
        if let Some(hash) = confirmed_by {
            ch.keep_token(hash);
        }
        match self.store.commit(ch).await {
            Ok(()) => {}
            Err(CommitError::Conflict(_)) => return Ok(None),
            Err(CommitError::Store(e)) => return Err(e),
        }
        let position = self
            .store
            .waitlist_position(&next.event_id, pool, ticket)
            .await?;
        Ok(Some(Seen {
            registration: next,
            waitlist_position: Some(position),
        }))
    }

    /// Ends a registration. A seat it held passes, in the same transaction, to the head of the
    /// waiting list; its address is free to register again.
    pub(crate) async fn end(&self, mut s: Stored, how: Ending) -> Result<(), ChangeError> {
        let event = self.event_of(&s.registration.event_id).await?;
        let mut attempts = Attempts::default();
        loop {
            attempts.next()?;
            let r = &s.registration;
            let now = self.now();
            let mut ch = Change::new();
            if !r.status.is_live() {
                if how == Ending::Rejected {
                    return Err(ChangeError::WrongStatus(r.status));
                }
                if !(how.erase() && r.person.is_some()) {
                    return Ok(());
                }
                let mut next = r.clone();
                next.person = None;
                next.updated_at = now;
                ch.save(&event, Some(&s), &next)?;
            } else {
                let mut next = r.clone();
                next.status = how.status();
                next.updated_at = now;
                next.waitlist_ticket = None;
                if how.erase() {
                    next.person = None;
                }
                ch.save(&event, Some(&s), &next)?;
                if let Some(p) = &r.person {
                    ch.release_address(&r.event_id, &p.email, &r.id);
                }
                if how == Ending::Rejected && r.person.is_some() {
                    ch.notify(&self.notice(MessageKind::Rejection, r))?;
                }
                match r.status {
                    Status::Confirmed => self.pass_seat_on(&mut ch, &event, r.pool()).await?,
                    Status::Waitlisted => {
                        if let Some(t) = r.waitlist_ticket {
                            ch.leave_waitlist(&r.event_id, r.pool(), t);
                        }
                    }
                    _ => {}
                }
            }
            match self.store.commit(ch).await {
                Ok(()) => return Ok(()),
                // A concurrent cancellation promoted the one this change meant to: the queue
                // moved on, which is progress rather than a clash over this registration, so
                // it costs no attempt (many cancelling at once would otherwise run out).
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

    /// Adds to `ch` the promotion of the first waitlisted registration of `pool` into the freed
    /// seat, or the freeing of the seat when nobody waits.
    pub(crate) async fn pass_seat_on(
        &self,
        ch: &mut Change,
        form: &Event,
        pool: Pool,
    ) -> Result<(), ChangeError> {
        let event = &form.id;
        let Some((ticket, id)) = self.store.first_waiting(event, pool).await? else {
            ch.free_seat(event, pool);
            return Ok(());
        };
        let waiting = self.store.registration(event, &id).await?;
        let Some(w) = waiting.filter(|w| {
            w.registration.status == Status::Waitlisted && w.registration.pool() == pool
        }) else {
            // A stale place (its registration moved on): drop it and free the seat.
            ch.leave_waitlist(event, pool, ticket)
                .free_seat(event, pool);
            return Ok(());
        };
        let mut promoted = w.registration.clone();
        promoted.status = Status::Confirmed;
        promoted.waitlist_ticket = None;
        promoted.updated_at = self.now();
        // Confirmed from now: reminders already due before this are not owed to them.
        promoted.confirmed_at = Some(self.now());
        ch.leave_waitlist(event, pool, ticket)
            .save(form, Some(&w), &promoted)?
            .grant_join(&self.join_token(&promoted).hash(), &promoted)
            .notify(&self.notice(MessageKind::Promotion, &promoted))?;
        Ok(())
    }

    /// Makes `next` (an amendment of the live `r`, to be saved by the caller in `ch`) take
    /// part as `to` on the hybrid `event`, adding to `ch` what moves with it: a seat held is
    /// freed (its pool's next in line promoted into it) and one of the new pool taken, or a
    /// place in the old queue left for a free seat of the new pool. Without a free seat there
    /// the commit fails with [`Conflict::Full`] and nothing moves.
    pub(crate) async fn switch(
        &self,
        ch: &mut Change,
        r: &Registration,
        next: &mut Registration,
        to: Participation,
        event: &Event,
    ) -> Result<(), ChangeError> {
        if !r.status.is_live() {
            return Err(ChangeError::WrongStatus(r.status));
        }
        next.participation = Some(to);
        let (from, into) = (r.pool(), next.pool());
        if from == into {
            return Ok(());
        }
        let seating = event.seating(Some(to));
        match r.status {
            Status::Confirmed => {
                ch.take_seat(&event.id, into, seating.capacity);
                self.pass_seat_on(ch, event, from).await?;
            }
            Status::Waitlisted => {
                if let Some(t) = r.waitlist_ticket {
                    ch.leave_waitlist(&event.id, from, t);
                }
                next.status = Status::Confirmed;
                next.waitlist_ticket = None;
                next.confirmed_at = Some(self.now());
                ch.take_seat(&event.id, into, seating.capacity)
                    .grant_join(&self.join_token(next).hash(), next)
                    .notify(&self.notice(MessageKind::Promotion, next))?;
            }
            // Unconfirmed or awaiting approval: no seat yet; the new pool's is taken later.
            _ => {}
        }
        Ok(())
    }
}
