//! Signing in by emailed link. Asking for a link answers the same whatever the address, and the
//! request path does the same work for every address (the body parsed, a per-address limit
//! counted, one write queuing the request), so neither the answer nor its timing tells whether
//! the address is an organiser's. Whether anything is sent is decided off the request path, by
//! the notifications job: [`recipient`], then [`grant_link`].

use jiff::{SignedDuration, Timestamp};
use serde_json::Value;

use crate::domain::{Email, FieldErrors, Organiser, SIGN_IN_LINK_LIFETIME, SignInRequest};
use crate::mail::MessageKind;
use crate::store::{
    Addressee, Credentials, Directory, Notice, OutboxStore, RateLimits, StoreError, email_hash,
};
use crate::token::{Token, TokenSource};

/// Sign-in requests one address may make in an hour; beyond that nothing more is queued.
pub const SIGN_INS_PER_ADDRESS_PER_HOUR: u32 = 5;

#[derive(Debug, thiserror::Error)]
pub enum SignInError {
    #[error("invalid fields")]
    Invalid(FieldErrors),
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// The context of asking for a sign-in link.
pub struct SignIn<'a> {
    pub limits: &'a dyn RateLimits,
    pub outbox: &'a dyn OutboxStore,
    pub ids: &'a dyn TokenSource,
    pub now: Timestamp,
}

impl SignIn<'_> {
    /// `POST /v1/admin/sign-in`: queues the request for the notifications job, whoever the
    /// address belongs to. Over the hourly limit nothing is queued and the caller is told
    /// nothing different.
    pub async fn request(&self, body: &Value) -> Result<(), SignInError> {
        let request = SignInRequest::parse(body).map_err(SignInError::Invalid)?;
        let scope = crate::store::keys::sign_in_scope(&email_hash(&request.email));
        let hour = SignedDuration::from_hours(1);
        let allowed = self
            .limits
            .allow(&scope, hour, SIGN_INS_PER_ADDRESS_PER_HOUR, self.now)
            .await?;
        if !allowed {
            tracing::info!("an address reached its hourly sign-in limit; nothing queued");
            return Ok(());
        }
        let notice = Notice::new(
            self.ids.new_id_at(self.now),
            MessageKind::OrganiserSignIn,
            Addressee::Address {
                email: request.email,
                language: request.language,
            },
            self.now,
        );
        self.outbox.queue(&notice).await?;
        Ok(())
    }
}

/// Who gets a sign-in link for `email`: the organiser of that address (an administrator, or a
/// member of some event's team, since every member is one). Anyone else gets nothing.
pub async fn recipient(
    directory: &dyn Directory,
    email: &Email,
) -> Result<Option<Organiser>, StoreError> {
    directory.organiser(email).await
}

/// A new sign-in link for `organiser`, working once for [`SIGN_IN_LINK_LIFETIME`] from `now`
/// (when the email is made, not when it was asked for); only its hash is stored.
pub async fn grant_link(
    credentials: &dyn Credentials,
    tokens: &dyn TokenSource,
    organiser: &Organiser,
    now: Timestamp,
) -> Result<Token, StoreError> {
    let token = tokens.new_token();
    credentials
        .put_sign_in_link(&token.hash(), &organiser.email, now + SIGN_IN_LINK_LIFETIME)
        .await?;
    Ok(token)
}

/// How long a link works, in whole minutes, as the email says it.
pub fn link_minutes() -> u64 {
    SIGN_IN_LINK_LIFETIME.as_mins().max(1) as u64
}
