//! The registrant's subscribable calendar URL: a secret in the URL, because calendar apps
//! subscribe by URL alone and cannot send a Bearer header. It only reads (the personal calendar),
//! opening it twice gives the same URL, and closing it ends that URL for good.

use crate::domain::Status;
use crate::store::{Change, CommitError, StoreError, Stored};
use crate::token::Token;

use super::super::registrar::Registrar;
use super::super::retry::{Attempts, Busy};

#[derive(Debug, thiserror::Error)]
pub enum CalendarFeedError {
    #[error("unknown calendar URL")]
    Unknown,
    #[error("this calendar URL was closed, or its registration ended")]
    Closed,
    #[error("the registration keeps changing; try again")]
    Busy,
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl From<Busy> for CalendarFeedError {
    fn from(_: Busy) -> Self {
        Self::Busy
    }
}

impl Registrar<'_> {
    fn calendar_token(&self, s: &Stored) -> Token {
        let r = &s.registration;
        self.join_key
            .calendar_token(r.token_keys, &r.id, r.calendar_generation)
    }

    /// `POST /v1/registrations/me/calendar-feed`: the URL's token, opened if it was not.
    pub async fn open_calendar_feed(&self, mut s: Stored) -> Result<Token, CalendarFeedError> {
        let mut attempts = Attempts::default();
        loop {
            attempts.next()?;
            if s.registration.calendar_feed {
                return Ok(self.calendar_token(&s));
            }
            let mut next = s.registration.clone();
            next.calendar_feed = true;
            next.updated_at = self.now();
            let token =
                self.join_key
                    .calendar_token(next.token_keys, &next.id, next.calendar_generation);
            let event = self.event_of(&next.event_id).await?;
            let mut ch = Change::new();
            ch.save(&event, Some(&s), &next)?
                .grant_calendar_feed(&token.hash(), &next);
            match self.store.commit(ch).await {
                Ok(()) => return Ok(token),
                Err(CommitError::Conflict(_)) => {
                    attempts.failed();
                    s = self
                        .store
                        .registration(&s.registration.event_id, &s.registration.id)
                        .await?
                        .ok_or(CalendarFeedError::Closed)?;
                }
                Err(CommitError::Store(e)) => return Err(e.into()),
            }
        }
    }

    /// `DELETE /v1/registrations/me/calendar-feed`: the URL answers 404 from now on, and a new
    /// one opened later is another.
    pub async fn close_calendar_feed(&self, mut s: Stored) -> Result<(), CalendarFeedError> {
        let mut attempts = Attempts::default();
        loop {
            attempts.next()?;
            if !s.registration.calendar_feed {
                return Ok(());
            }
            let old = self.calendar_token(&s);
            let mut next = s.registration.clone();
            next.calendar_feed = false;
            next.calendar_generation += 1;
            next.updated_at = self.now();
            let event = self.event_of(&next.event_id).await?;
            let mut ch = Change::new();
            ch.save(&event, Some(&s), &next)?
                .revoke_calendar_feed(&old.hash());
            match self.store.commit(ch).await {
                Ok(()) => return Ok(()),
                Err(CommitError::Conflict(_)) => {
                    attempts.failed();
                    s = self
                        .store
                        .registration(&s.registration.event_id, &s.registration.id)
                        .await?
                        .ok_or(CalendarFeedError::Closed)?;
                }
                Err(CommitError::Store(e)) => return Err(e.into()),
            }
        }
    }

    /// `GET /v1/calendar-feeds/{feed_token}`: the registration whose calendar the URL serves,
    /// while it is open and the registration is one its bearer token would open.
    pub async fn calendar_feed(&self, token: &Token) -> Result<Stored, CalendarFeedError> {
        let hash = token.hash();
        let s = self
            .store
            .by_calendar_token(&hash)
            .await?
            .ok_or(CalendarFeedError::Unknown)?;
        let r = &s.registration;
        let open = r.calendar_feed && self.calendar_token(&s).hash() == hash;
        let live = !matches!(r.status, Status::PendingConfirmation | Status::Cancelled)
            && r.person.is_some();
        if !open {
            return Err(CalendarFeedError::Unknown);
        }
        if !live {
            return Err(CalendarFeedError::Closed);
        }
        Ok(s)
    }
}
