//! Remote connection details: who may see them, and where a personal join link leads.

use jiff::Timestamp;

use crate::calendar::JoinDetails;
use crate::domain::{JoinInfo, Registration, Status};
use crate::store::StoreError;
use crate::token::{JoinKey, Token, TokenHash};

use super::super::registrar::Registrar;

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

/// Whether `r` may see the event's connection details `info` at `now`: confirmed, and released.
fn may_join(r: &Registration, info: Option<&JoinInfo>, now: Timestamp) -> Result<(), JoinError> {
    if r.status != Status::Confirmed {
        return Err(JoinError::NotConfirmed);
    }
    match info {
        Some(info) if info.is_released(now) => Ok(()),
        Some(info) => Err(JoinError::NotReleased(Some(info.release_at))),
        None => Err(JoinError::NotReleased(None)),
    }
}

/// What `r`'s calendars add to each entry (their personal link `{api_base}/v1/join/…`, passcode
/// and dial-in) when they may see the details; `None` otherwise. The personal calendar and every
/// digest attachment take theirs from here, so an update never strips what the other gave.
pub fn calendar_join(
    r: &Registration,
    info: Option<&JoinInfo>,
    now: Timestamp,
    key: &JoinKey,
    api_base: &str,
) -> Option<JoinDetails> {
    may_join(r, info, now).ok()?;
    let info = info?;
    let token = key.token_for(r.token_keys, &r.id, r.join_generation);
    Some(JoinDetails {
        personal_url: format!(
            "{}/v1/join/{}",
            api_base.trim_end_matches('/'),
            token.expose()
        ),
        passcode: info.passcode.as_ref().map(ToString::to_string),
        dial_in: info.dial_in.as_ref().map(|d| d.as_str().to_owned()),
    })
}

impl Registrar<'_> {
    /// `GET /v1/registrations/me/join`: the details and the registrant's own join token.
    pub async fn join_details(&self, r: &Registration) -> Result<(JoinInfo, Token), JoinError> {
        if r.status != Status::Confirmed {
            return Err(JoinError::NotConfirmed);
        }
        let info = self.join_info.join_info(&r.event_id).await?;
        may_join(r, info.as_ref(), self.now())?;
        let info = info.ok_or(JoinError::NotReleased(None))?;
        Ok((info, self.join_token(r)))
    }

    /// The registrant's calendar join details now ([`calendar_join`]).
    pub async fn calendar_join(
        &self,
        r: &Registration,
        api_base: &str,
    ) -> Result<Option<JoinDetails>, StoreError> {
        let info = self.join_info.join_info(&r.event_id).await?;
        Ok(calendar_join(
            r,
            info.as_ref(),
            self.now(),
            self.join_key,
            api_base,
        ))
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
                // Attendance is counted by the day in the event's zone.
                let event = self.events.event(&r.event_id).await?;
                let day = event.as_ref().map_or_else(
                    || now.to_zoned(jiff::tz::TimeZone::UTC).date(),
                    |e| e.timezone.at(now).date(),
                );
                self.store
                    .record_join_use(event.as_ref(), &s, day, now)
                    .await?;
                Ok(info.url)
            }
            _ => Err(FollowError::NotReleased),
        }
    }
}
