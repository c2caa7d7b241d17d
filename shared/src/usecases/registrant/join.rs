//! Remote connection details: who may see them, and where a personal join link leads.

use jiff::Timestamp;

use crate::domain::{JoinInfo, Registration, Status};
use crate::store::StoreError;
use crate::token::{Token, TokenHash};

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

impl Registrar<'_> {
    /// `GET /v1/registrations/me/join`: the details and the registrant's own join token.
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
