//! Organisers as people: who they are, their roles on an event's team, and what each role may do.

use jiff::{SignedDuration, Timestamp};
use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::codes::closed_list;
use super::fields::parse;
use super::{Email, FieldErrors, Fields, Language, Line};

closed_list! {
    /// A role on one event's team. An administrator needs none: they may do everything
    /// everywhere.
    pub enum Role {
        Viewer => "viewer",
        Reviewer => "reviewer",
        Editor => "editor",
        Manager => "manager",
    }
}

/// What a route asks of the caller's role on its event.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Duty {
    /// Read the event, the draft and its changes, versions, stats, the team.
    Read,
    /// Registrations: list, CSV, attendance; approve, reject, revoke join links.
    Review,
    /// Edit the event, the draft, materials and uploads; publish.
    Edit,
    /// Join details, announcements, the audit log, team changes.
    Manage,
}

impl Role {
    /// The role table of the contract: the one place that says what a role may do.
    pub fn may(self, duty: Duty) -> bool {
        match duty {
            Duty::Read => true,
            Duty::Review => matches!(self, Self::Reviewer | Self::Manager),
            Duty::Edit => matches!(self, Self::Editor | Self::Manager),
            Duty::Manage => self == Self::Manager,
        }
    }
}

/// How a caller proved who they are.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum Via {
    /// A session from an emailed sign-in link.
    Session,
    /// A personal API token.
    Token,
    /// The deployment's organiser token: the installation's administrator.
    Deployment,
}

/// Who did something, as the audit log names them: never more than an organiser's address.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Actor {
    /// None for the deployment token, which belongs to no one.
    pub email: Option<Email>,
    pub via: Via,
}

impl Actor {
    pub const DEPLOYMENT: Actor = Actor {
        email: None,
        via: Via::Deployment,
    };
}

/// A person who may sign in: an administrator, or a member of some event's team.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Organiser {
    pub email: Email,
    pub name: Line<200>,
    pub administrator: bool,
    pub created_at: Timestamp,
    /// Changes when the person is removed and added again, so every session and token issued
    /// before the removal stays dead.
    pub generation: String,
}

/// One person on one event's team.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Member {
    pub email: Email,
    pub name: Line<200>,
    pub role: Role,
    pub added_at: Timestamp,
    /// None when the deployment token added them.
    pub added_by: Option<Email>,
}

/// `PUT /v1/admin/organisers/{email}`.
#[derive(Debug, Clone, PartialEq)]
pub struct OrganiserRequest {
    pub name: Line<200>,
    pub administrator: bool,
}

impl OrganiserRequest {
    pub fn parse(body: &Value) -> Result<Self, FieldErrors> {
        let mut f = Fields::of(body, &["name", "administrator"]);
        let name = f.required("name", parse::with(Line::<200>::parse));
        let administrator = f.optional("administrator", parse::boolean);
        let request = name.map(|name| Self {
            name,
            administrator: administrator.unwrap_or(false),
        });
        f.finish(request)
    }
}

/// `PUT /v1/admin/events/{event_id}/team/{email}`.
#[derive(Debug, Clone, PartialEq)]
pub struct MemberRequest {
    pub role: Role,
    pub name: Option<Line<200>>,
}

impl MemberRequest {
    pub fn parse(body: &Value) -> Result<Self, FieldErrors> {
        let mut f = Fields::of(body, &["role", "name"]);
        let role = f.required("role", parse::with(Role::parse));
        let name = f.optional("name", parse::with(Line::<200>::parse));
        let request = role.map(|role| Self { role, name });
        f.finish(request)
    }
}

/// `POST /v1/admin/sign-in`.
#[derive(Debug, Clone, PartialEq)]
pub struct SignInRequest {
    pub email: Email,
    /// The language of the sign-in email (English when absent).
    pub language: Language,
}

impl SignInRequest {
    pub fn parse(body: &Value) -> Result<Self, FieldErrors> {
        let mut f = Fields::of(body, &["email", "language"]);
        let email = f.required("email", parse::with(Email::parse));
        let language = f.optional("language", parse::with(Language::parse));
        let request = email.map(|email| Self {
            email,
            language: language.unwrap_or(Language::En),
        });
        f.finish(request)
    }
}

/// How long a personal token lives when its owner does not say.
pub const DEFAULT_TOKEN_LIFETIME: SignedDuration = SignedDuration::from_hours(90 * 24);
/// The longest a personal token may live.
pub const MAX_TOKEN_LIFETIME: SignedDuration = SignedDuration::from_hours(366 * 24);
/// How long a session from a sign-in link lasts.
pub const SESSION_LIFETIME: SignedDuration = SignedDuration::from_hours(12);
/// How long an emailed sign-in link works (once).
pub const SIGN_IN_LINK_LIFETIME: SignedDuration = SignedDuration::from_mins(15);

/// `POST /v1/admin/tokens`, read against the clock: the expiry is in the future and at most a
/// year ahead.
#[derive(Debug, Clone, PartialEq)]
pub struct TokenRequest {
    pub name: Line<100>,
    pub expires_at: Timestamp,
    pub read_only: bool,
}

impl TokenRequest {
    pub fn parse(body: &Value, now: Timestamp) -> Result<Self, FieldErrors> {
        let mut f = Fields::of(body, &["name", "expires_at", "read_only"]);
        let name = f.required("name", parse::with(Line::<100>::parse));
        let expires_at = f
            .optional("expires_at", |v| {
                let t: Timestamp = parse::string(v)?
                    .parse()
                    .map_err(|_| "must be an RFC 3339 date and time".to_owned())?;
                if t <= now {
                    Err("must be in the future".to_owned())
                } else if t > now + MAX_TOKEN_LIFETIME {
                    Err("must be at most a year ahead".to_owned())
                } else {
                    Ok(t)
                }
            })
            .unwrap_or(now + DEFAULT_TOKEN_LIFETIME);
        let read_only = f.optional("read_only", parse::boolean).unwrap_or(false);
        let request = name.map(|name| Self {
            name,
            expires_at,
            read_only,
        });
        f.finish(request)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn the_role_table_is_the_contracts() {
        use Duty::*;
        let table = [
            (Role::Viewer, [true, false, false, false]),
            (Role::Reviewer, [true, true, false, false]),
            (Role::Editor, [true, false, true, false]),
            (Role::Manager, [true, true, true, true]),
        ];
        for (role, may) in table {
            let got = [Read, Review, Edit, Manage].map(|d| role.may(d));
            assert_eq!(got, may, "{role}");
        }
    }

    #[test]
    fn a_token_request_defaults_to_ninety_days_and_refuses_more_than_a_year() {
        let now: Timestamp = "2026-12-01T00:00:00Z".parse().unwrap();
        let t = TokenRequest::parse(&json!({"name": "CI"}), now).unwrap();
        assert_eq!(t.expires_at, now + DEFAULT_TOKEN_LIFETIME);
        assert!(!t.read_only);
        let errs = TokenRequest::parse(
            &json!({"name": "", "expires_at": "2028-12-01T00:00:00Z", "read_only": 1}),
            now,
        )
        .unwrap_err();
        let names: Vec<_> = errs.0.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(names, ["name", "expires_at", "read_only"]);
        let past = TokenRequest::parse(
            &json!({"name": "x", "expires_at": "2026-11-30T00:00:00Z"}),
            now,
        );
        assert!(past.is_err());
    }

    #[test]
    fn a_member_request_names_an_unknown_role() {
        let errs = MemberRequest::parse(&json!({"role": "owner"})).unwrap_err();
        assert_eq!(errs.0[0].field, "role");
        let ok = MemberRequest::parse(&json!({"role": "editor", "name": "Ada"})).unwrap();
        assert_eq!(ok.role, Role::Editor);
    }
}
