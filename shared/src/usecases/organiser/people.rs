//! Organisers as people: administrators manage the organisers, managers their event's team, and
//! everyone their own sessions and personal tokens.

use jiff::Timestamp;

use super::access::Caller;
use crate::domain::{
    Actor, Email, EventId, Line, Member, MemberRequest, Organiser, OrganiserRequest, Role,
    SESSION_LIFETIME, TokenRequest, Via,
};
use crate::store::{Credential, Credentials, Directory, Redeemed, Saved, StoreError, recording};
use crate::token::{Token, TokenSource};

#[derive(Debug, thiserror::Error)]
pub enum PeopleError {
    #[error("not found: {0}")]
    NotFound(&'static str),
    #[error("forbidden: {0}")]
    Forbidden(&'static str),
    #[error(transparent)]
    Store(#[from] StoreError),
}

#[derive(Debug, thiserror::Error)]
pub enum SessionError {
    #[error("unknown sign-in link")]
    Unknown,
    #[error("the sign-in link was used or has expired")]
    Spent,
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// The context of these use cases.
pub struct People<'a> {
    pub directory: &'a dyn Directory,
    pub credentials: &'a dyn Credentials,
    pub tokens: &'a dyn TokenSource,
    pub now: Timestamp,
}

/// A new secret, shown once.
#[derive(Debug)]
pub struct Issued<T> {
    pub token: Token,
    pub what: T,
}

fn new_generation(tokens: &dyn TokenSource, now: Timestamp) -> String {
    tokens.new_id_at(now)
}

impl People<'_> {
    fn new_organiser(&self, email: &Email, name: Line<200>, administrator: bool) -> Organiser {
        Organiser {
            email: email.clone(),
            name,
            administrator,
            created_at: self.now,
            generation: new_generation(self.tokens, self.now),
        }
    }

    /// Creates or updates a person (administrators only; the route checks).
    pub async fn put_organiser(
        &self,
        email: &Email,
        request: OrganiserRequest,
    ) -> Result<(Organiser, Saved), PeopleError> {
        let organiser = match self.directory.organiser(email).await? {
            Some(existing) => Organiser {
                name: request.name,
                administrator: request.administrator,
                ..existing
            },
            None => self.new_organiser(email, request.name, request.administrator),
        };
        let saved = self.directory.put_organiser(&organiser).await?;
        Ok((organiser, saved))
    }

    pub async fn remove_organiser(&self, email: &Email) -> Result<(), PeopleError> {
        if self.directory.remove_organiser(email).await? {
            Ok(())
        } else {
            Err(PeopleError::NotFound("the organiser"))
        }
    }

    /// Adds or changes a member of `event`'s team; an unknown address becomes an organiser.
    pub async fn put_member(
        &self,
        caller: &Caller,
        event: &EventId,
        email: &Email,
        request: MemberRequest,
    ) -> Result<(Member, Saved), PeopleError> {
        let existing = self.directory.organiser(email).await?;
        let name = request
            .name
            .clone()
            .or_else(|| existing.as_ref().map(|o| o.name.clone()))
            .unwrap_or_else(|| name_from_address(email));
        let new_organiser = match existing {
            Some(_) => None,
            None => Some(self.new_organiser(email, name.clone(), false)),
        };
        let previous = self.directory.member(event, email).await?;
        let member = Member {
            email: email.clone(),
            name,
            role: request.role,
            added_at: previous.as_ref().map_or(self.now, |m| m.added_at),
            added_by: match previous {
                Some(m) => m.added_by,
                None => caller.email().cloned(),
            },
        };
        let saved = self
            .directory
            .put_member(event, &member, new_organiser.as_ref())
            .await?;
        Ok((member, saved))
    }

    pub async fn remove_member(&self, event: &EventId, email: &Email) -> Result<(), PeopleError> {
        if self.directory.remove_member(event, email).await? {
            Ok(())
        } else {
            Err(PeopleError::NotFound("the team member"))
        }
    }

    /// The events a caller may see, with their role (administrators: every event, as managers).
    pub async fn roles(&self, caller: &Caller) -> Result<Vec<(EventId, Role)>, StoreError> {
        match caller.email() {
            Some(email) if !caller.administrator => self.directory.memberships(email).await,
            _ => Ok(Vec::new()),
        }
    }

    /// Exchanges an emailed sign-in link for a session of [`SESSION_LIFETIME`].
    pub async fn open_session(
        &self,
        link: &Token,
    ) -> Result<Issued<(Credential, Organiser)>, SessionError> {
        let email = match self
            .credentials
            .redeem_sign_in_link(&link.hash(), self.now)
            .await?
        {
            Redeemed::Valid(email) => email,
            Redeemed::Unknown => return Err(SessionError::Unknown),
            Redeemed::Spent => return Err(SessionError::Spent),
        };
        // Removed between the email and the click: the link is spent with them.
        let organiser = self
            .directory
            .organiser(&email)
            .await?
            .ok_or(SessionError::Spent)?;
        let session = Credential {
            via: Via::Session,
            owner: organiser.email.clone(),
            generation: organiser.generation.clone(),
            expires_at: self.now + SESSION_LIFETIME,
            read_only: false,
            token_id: None,
        };
        let token = self.tokens.new_token();
        let actor = Actor {
            email: Some(organiser.email.clone()),
            via: Via::Session,
        };
        let entry = super::audit::sign_in_entry(actor, self.now, self.tokens);
        recording(
            &[entry],
            self.credentials.put_session(&token.hash(), &session),
        )
        .await??;
        Ok(Issued {
            token,
            what: (session, organiser),
        })
    }

    /// Signs out: the caller's bearer is refused from now on (a personal token is revoked).
    pub async fn sign_out(&self, caller: &Caller) -> Result<(), PeopleError> {
        match &caller.credential {
            Some(hash) => Ok(self.credentials.delete_credential(hash).await?),
            None => Err(PeopleError::Forbidden(
                "the deployment token cannot sign out; rotate it in the deployment instead",
            )),
        }
    }

    /// A new personal token for the caller, acting with the caller's roles as they are at
    /// each request.
    pub async fn issue_token(
        &self,
        caller: &Caller,
        request: TokenRequest,
    ) -> Result<Issued<(Credential, String)>, PeopleError> {
        let email = caller.email().ok_or(PeopleError::Forbidden(
            "personal tokens belong to people; sign in as one to create one",
        ))?;
        let organiser = self
            .directory
            .organiser(email)
            .await?
            .ok_or(PeopleError::NotFound("the organiser"))?;
        let id = self.tokens.new_id_at(self.now);
        let credential = Credential {
            via: Via::Token,
            owner: organiser.email,
            generation: organiser.generation,
            expires_at: request.expires_at,
            read_only: request.read_only,
            token_id: Some(id.clone()),
        };
        let token = self.tokens.new_token();
        self.credentials
            .put_token(&token.hash(), &credential, request.name.as_str(), self.now)
            .await?;
        Ok(Issued {
            token,
            what: (credential, request.name.to_string()),
        })
    }

    pub async fn revoke_token(&self, caller: &Caller, token_id: &str) -> Result<(), PeopleError> {
        let revoked = match caller.email() {
            Some(email) => self.credentials.revoke_token(email, token_id).await?,
            None => false,
        };
        if revoked {
            Ok(())
        } else {
            Err(PeopleError::NotFound("the token"))
        }
    }
}

/// A member added without a name is shown by the part of the address before the `@`.
fn name_from_address(email: &Email) -> Line<200> {
    let local = email.as_str().split('@').next().unwrap_or_default();
    Line::parse(local)
        .or_else(|_| Line::parse(email.as_str()))
        .unwrap_or_else(|_| Line::parse("organiser").expect("a valid line"))
}
