//! The bodies of the organisers-as-people routes: sessions, the caller, organisers, teams and
//! personal tokens. Secrets appear only in the answer that issues them.

use schemars::JsonSchema;
use serde::Serialize;

use crate::domain::{EventId, Member, Organiser, Role};
use crate::store::{Credential, TokenInfo};

/// `POST /v1/admin/sign-in`: the same whatever the address.
#[derive(Debug, Serialize, JsonSchema)]
pub struct SignInRequested {
    /// Always `check_email`.
    pub status: &'static str,
}

impl SignInRequested {
    pub const ANSWER: Self = Self {
        status: "check_email",
    };
}

#[derive(Debug, Serialize, JsonSchema)]
pub struct OrganiserRef {
    pub email: String,
    pub name: String,
    pub administrator: bool,
}

/// `POST /v1/admin/sessions`.
#[derive(Debug, Serialize, JsonSchema)]
pub struct SessionOpened {
    /// The bearer for every `/v1/admin/…` route, shown this once.
    pub token: String,
    #[schemars(extend("format" = "date-time"))]
    pub expires_at: String,
    pub organiser: OrganiserRef,
}

impl SessionOpened {
    pub fn of(token: &str, session: &Credential, o: &Organiser) -> Self {
        Self {
            token: token.to_owned(),
            expires_at: session.expires_at.to_string(),
            organiser: OrganiserRef {
                email: o.email.to_string(),
                name: o.name.to_string(),
                administrator: o.administrator,
            },
        }
    }
}

#[derive(Debug, Serialize, JsonSchema)]
pub struct EventRole {
    pub event_id: String,
    pub role: Role,
}

/// `GET /v1/admin/me`.
#[derive(Debug, Serialize, JsonSchema)]
pub struct Me {
    /// Null for the deployment token.
    pub email: Option<String>,
    pub name: Option<String>,
    pub administrator: bool,
    /// The caller's roles (administrators may act on every event, listed or not).
    pub events: Vec<EventRole>,
}

impl EventRole {
    pub fn list(roles: &[(EventId, Role)]) -> Vec<Self> {
        roles
            .iter()
            .map(|(e, r)| Self {
                event_id: e.to_string(),
                role: *r,
            })
            .collect()
    }
}

#[derive(Debug, Serialize, JsonSchema)]
pub struct OrganiserView {
    pub email: String,
    pub name: String,
    pub administrator: bool,
    #[schemars(extend("format" = "date-time"))]
    pub created_at: String,
}

impl OrganiserView {
    pub fn of(o: &Organiser) -> Self {
        Self {
            email: o.email.to_string(),
            name: o.name.to_string(),
            administrator: o.administrator,
            created_at: o.created_at.to_string(),
        }
    }
}

/// `GET /v1/admin/organisers`.
#[derive(Debug, Serialize, JsonSchema)]
pub struct OrganiserList {
    pub organisers: Vec<OrganiserView>,
}

#[derive(Debug, Serialize, JsonSchema)]
pub struct MemberView {
    pub email: String,
    pub name: String,
    pub role: Role,
    #[schemars(extend("format" = "date-time"))]
    pub added_at: String,
    /// Null when the deployment token added them.
    pub added_by: Option<String>,
}

impl MemberView {
    pub fn of(m: &Member) -> Self {
        Self {
            email: m.email.to_string(),
            name: m.name.to_string(),
            role: m.role,
            added_at: m.added_at.to_string(),
            added_by: m.added_by.as_ref().map(ToString::to_string),
        }
    }
}

/// `GET /v1/admin/events/{event_id}/team`.
#[derive(Debug, Serialize, JsonSchema)]
pub struct TeamView {
    pub members: Vec<MemberView>,
}

/// `POST /v1/admin/tokens`: the secret, shown this once.
#[derive(Debug, Serialize, JsonSchema)]
pub struct TokenIssued {
    pub id: String,
    pub name: String,
    pub token: String,
    #[schemars(extend("format" = "date-time"))]
    pub expires_at: String,
    pub read_only: bool,
}

#[derive(Debug, Serialize, JsonSchema)]
pub struct TokenView {
    pub id: String,
    pub name: String,
    #[schemars(extend("format" = "date-time"))]
    pub created_at: String,
    #[schemars(extend("format" = "date-time"))]
    pub expires_at: String,
    #[schemars(extend("format" = "date-time"))]
    pub last_used_at: Option<String>,
    pub read_only: bool,
}

/// `GET /v1/admin/tokens`: never the secrets.
#[derive(Debug, Serialize, JsonSchema)]
pub struct TokenList {
    pub tokens: Vec<TokenView>,
}

impl TokenView {
    pub fn of(t: &TokenInfo) -> Self {
        Self {
            id: t.id.clone(),
            name: t.name.clone(),
            created_at: t.created_at.to_string(),
            expires_at: t.expires_at.to_string(),
            last_used_at: t.last_used_at.map(|t| t.to_string()),
            read_only: t.read_only,
        }
    }
}

#[derive(Debug, Serialize, JsonSchema)]
pub struct ActorView {
    /// Null for the deployment token.
    pub email: Option<String>,
    pub via: crate::domain::Via,
}

#[derive(Debug, Serialize, JsonSchema)]
pub struct AuditEntryView {
    #[schemars(extend("format" = "date-time"))]
    pub at: String,
    pub actor: ActorView,
    pub action: String,
    pub target: String,
    pub summary: String,
}

/// `GET …/audit`: newest first.
#[derive(Debug, Serialize, JsonSchema)]
pub struct AuditPageView {
    pub entries: Vec<AuditEntryView>,
    pub next_cursor: Option<String>,
}

impl AuditPageView {
    pub fn of(page: &crate::store::AuditPage) -> Self {
        Self {
            entries: page
                .entries
                .iter()
                .map(|e| AuditEntryView {
                    at: e.at.to_string(),
                    actor: ActorView {
                        email: e.actor.email.as_ref().map(ToString::to_string),
                        via: e.actor.via,
                    },
                    action: e.action.clone(),
                    target: e.target.clone(),
                    summary: e.summary.clone(),
                })
                .collect(),
            next_cursor: page.next_cursor.clone(),
        }
    }
}

#[derive(Debug, Serialize, JsonSchema)]
pub struct RegistrationCounts {
    pub confirmed: u64,
    pub waitlisted: u64,
    /// Awaiting confirmation of the address or the organiser's approval.
    pub pending: u64,
}

#[derive(Debug, Serialize, JsonSchema)]
pub struct OrganiserEventLine {
    pub id: String,
    pub title: String,
    /// In the event's own offset.
    pub starts_at: String,
    pub ends_at: String,
    pub timezone: String,
    pub visibility: crate::domain::Visibility,
    pub role: Role,
    /// Null before the first publication.
    pub published_version: Option<u32>,
    pub registrations: RegistrationCounts,
}

/// `GET /v1/admin/events`: every event the caller has a role in, unlisted and draft ones too.
#[derive(Debug, Serialize, JsonSchema)]
pub struct OrganiserEventList {
    pub events: Vec<OrganiserEventLine>,
}

impl OrganiserEventLine {
    /// One line: the event, the caller's role on it, its latest version and its counts.
    pub fn of(
        e: &crate::domain::Event,
        role: Role,
        published_version: Option<u32>,
        registrations: RegistrationCounts,
    ) -> Self {
        Self {
            id: e.id.to_string(),
            title: e.title.to_string(),
            starts_at: super::at(&e.timezone, e.starts_at),
            ends_at: super::at(&e.timezone, e.ends_at),
            timezone: e.timezone.name().to_owned(),
            visibility: e.visibility,
            role,
            published_version,
            registrations,
        }
    }
}
