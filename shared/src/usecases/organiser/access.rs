//! Who is calling an organiser route, and whether they may: the bearer becomes a [`Caller`]
//! (the deployment token, a session or a personal token), and a route's [`Need`] is checked
//! against the caller's role on the event, read afresh on every request so that a role change,
//! a removal or a revocation takes effect at once.

use jiff::Timestamp;

use crate::domain::{Actor, ClientAddress, Duty, Email, EventId, Role, Via};
use crate::store::{Credentials, Directory, RateLimits, StoreError};
use crate::token::{ORGANISER_TOKEN_MIN_CHARS, Token, TokenHash};
use crate::usecases::clients::{self, ClientLimitError};

/// A personal token's last use is recorded at most this often (seconds).
pub const LAST_USED_EVERY_SECS: i64 = 60;

/// What a route asks of its caller.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Need {
    /// Anyone, signed in or not (asking for a sign-in link, redeeming it).
    Nobody,
    /// Any organiser: their own account, tokens and event list.
    Caller,
    /// Administrators only: the organisers of the installation and its audit log.
    Administrator,
    /// This duty on the route's event (`{event_id}`).
    Event(Duty),
}

/// An authenticated organiser.
#[derive(Debug, Clone, PartialEq)]
pub struct Caller {
    pub actor: Actor,
    pub name: Option<String>,
    pub administrator: bool,
    /// A read-only personal token: every write is refused.
    pub read_only: bool,
    /// The bearer's hash (None for the deployment token), to sign out.
    pub credential: Option<TokenHash>,
}

impl Caller {
    pub fn deployment() -> Self {
        Self {
            actor: Actor::DEPLOYMENT,
            name: None,
            administrator: true,
            read_only: false,
            credential: None,
        }
    }

    /// The person behind the caller (None for the deployment token).
    pub fn email(&self) -> Option<&Email> {
        self.actor.email.as_ref()
    }
}

#[derive(Debug, thiserror::Error)]
pub enum AccessError {
    #[error("no bearer token")]
    Missing,
    /// Malformed, unknown, expired, revoked, signed out, or its owner removed: one answer.
    #[error("the bearer token is not valid")]
    Refused,
    /// The caller has no role on the event: it is answered as if it did not exist.
    #[error("no such event for this caller")]
    NoEvent,
    #[error("forbidden: {0}")]
    Forbidden(&'static str),
    /// The client had too many bearers refused this hour: its bearer is not even looked at.
    #[error(transparent)]
    Limited(#[from] ClientLimitError),
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// The ports access needs, and the deployment token's hash.
pub struct Access<'a> {
    pub directory: &'a dyn Directory,
    pub credentials: &'a dyn Credentials,
    /// Where refused bearers are counted per client.
    pub limits: &'a dyn RateLimits,
    /// Refused bearers one client may present in an hour.
    pub failed_bearers_per_hour: u32,
    /// SHA-256 of the deployment's organiser token.
    pub deployment: &'a TokenHash,
}

impl Access<'_> {
    /// The caller a bearer token stands for; `malformed` when an `Authorization` header was
    /// sent that holds no well-formed bearer. A client that had `failed_bearers_per_hour`
    /// bearers refused this hour is refused before its bearer is looked at, and each refusal
    /// counts: guessing tokens is limited per client; a request with no `Authorization` header
    /// is a 401 always. `now` decides expiry.
    pub async fn caller(
        &self,
        presented: Option<&Token>,
        malformed: bool,
        client: Option<&ClientAddress>,
        now: Timestamp,
    ) -> Result<Caller, AccessError> {
        // No bearer at all guesses nothing: it is the plain 401, whatever the client's count.
        if presented.is_none() && !malformed {
            return Err(AccessError::Missing);
        }
        clients::may_present_bearer(self.limits, client, self.failed_bearers_per_hour, now).await?;
        let found = if malformed {
            Err(AccessError::Refused)
        } else {
            self.identify(presented, now).await
        };
        if let Err(AccessError::Refused) = found {
            clients::bearer_refused(self.limits, client, self.failed_bearers_per_hour, now).await?;
        }
        found
    }

    /// The caller a well-formed bearer token stands for.
    async fn identify(
        &self,
        presented: Option<&Token>,
        now: Timestamp,
    ) -> Result<Caller, AccessError> {
        let token = presented.ok_or(AccessError::Missing)?;
        // Shorter than any organiser token can be (see ORGANISER_TOKEN_MIN_CHARS): refused
        // before it is compared with anything.
        if token.expose().len() < ORGANISER_TOKEN_MIN_CHARS {
            return Err(AccessError::Refused);
        }
        if self.deployment.matches(token) {
            return Ok(Caller::deployment());
        }
        let hash = token.hash();
        let (credential, last_used) = self
            .credentials
            .credential(&hash, now)
            .await?
            .ok_or(AccessError::Refused)?;
        let organiser = self
            .directory
            .organiser(&credential.owner)
            .await?
            .filter(|o| o.generation == credential.generation)
            .ok_or(AccessError::Refused)?;
        if credential.via == Via::Token && last_used_is_stale(last_used, now) {
            self.credentials
                .touch(&hash, now, LAST_USED_EVERY_SECS)
                .await?;
        }
        Ok(Caller {
            actor: Actor {
                email: Some(organiser.email),
                via: credential.via,
            },
            name: Some(organiser.name.to_string()),
            administrator: organiser.administrator,
            read_only: credential.read_only,
            credential: Some(hash),
        })
    }

    /// The caller's role on `event`: administrators act as managers everywhere.
    pub async fn role_on(
        &self,
        caller: &Caller,
        event: &EventId,
    ) -> Result<Option<Role>, StoreError> {
        if caller.administrator {
            return Ok(Some(Role::Manager));
        }
        let Some(email) = caller.email() else {
            return Ok(None);
        };
        Ok(self.directory.member(event, email).await?.map(|m| m.role))
    }

    /// Whether `caller` may do what a route needs. `event` is the route's event (for
    /// [`Need::Event`]); `write` is whether the request changes anything.
    pub async fn check(
        &self,
        caller: &Caller,
        need: Need,
        event: Option<&EventId>,
        write: bool,
    ) -> Result<(), AccessError> {
        match need {
            Need::Nobody => return Ok(()),
            Need::Caller => {}
            Need::Administrator if caller.administrator => {}
            Need::Administrator => {
                return Err(AccessError::Forbidden("this is for administrators"));
            }
            // Administrators act on every event, even one whose id does not parse (the
            // handler names the bad id).
            Need::Event(_) if caller.administrator => {}
            Need::Event(duty) => {
                let event = event.ok_or(AccessError::NoEvent)?;
                // Without a role the event is not there for this caller, read-only or not.
                let role = self
                    .role_on(caller, event)
                    .await?
                    .ok_or(AccessError::NoEvent)?;
                if !role.may(duty) {
                    return Err(AccessError::Forbidden(duty_refusal(duty)));
                }
            }
        }
        if write && caller.read_only {
            return Err(AccessError::Forbidden("this token is read-only"));
        }
        Ok(())
    }
}

fn last_used_is_stale(last: Option<Timestamp>, now: Timestamp) -> bool {
    last.is_none_or(|t| now.as_second() - t.as_second() >= LAST_USED_EVERY_SECS)
}

fn duty_refusal(duty: Duty) -> &'static str {
    match duty {
        Duty::Read => "your role does not let you read this event",
        Duty::Review => "reviewing registrations is for reviewers and managers",
        Duty::Edit => "editing the event and its programme is for editors and managers",
        Duty::Manage => "join details, announcements, the audit log and the team are for managers",
    }
}
