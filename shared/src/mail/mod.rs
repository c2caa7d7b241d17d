//! The mailer port. A message is built from domain types; adapters turn it into MIME
//! ([`mime::render`]) and hand it to SES ([`SesMailer`]) or keep it in the local stack's mailbox
//! ([`LocalMailbox`], served at `/_local/outbox`). Not to be confused with the transactional
//! outbox of [`crate::store::OutboxStore`], the mail queued by state changes.

pub mod keys;
mod local_mailbox;
pub mod mime;
mod ses;
pub mod templates;

pub use keys::{FanoutKeys, JobName, MessageKey};
pub use local_mailbox::{LocalMailbox, SentMessage};
pub use ses::{SesMailer, ses_client};

use std::time::Duration;

use async_trait::async_trait;
use serde::{Deserialize, Serialize};

use crate::domain::{Email, EventId, Language};

/// What a message is for; transactional kinds never carry an unsubscribe link.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MessageKind {
    Confirmation,
    ManageLink,
    Promotion,
    Approval,
    Rejection,
    JoinLink,
    Reminder,
    ProgrammeChanges,
    Announcement,
    /// An organiser's sign-in link: to a person, about no event.
    OrganiserSignIn,
}

impl MessageKind {
    pub const ALL: [MessageKind; 10] = [
        Self::Confirmation,
        Self::ManageLink,
        Self::Promotion,
        Self::Approval,
        Self::Rejection,
        Self::JoinLink,
        Self::Reminder,
        Self::ProgrammeChanges,
        Self::Announcement,
        Self::OrganiserSignIn,
    ];

    pub fn code(self) -> &'static str {
        match self {
            Self::Confirmation => "confirmation",
            Self::ManageLink => "manage_link",
            Self::Promotion => "promotion",
            Self::Approval => "approval",
            Self::Rejection => "rejection",
            Self::JoinLink => "join_link",
            Self::Reminder => "reminder",
            Self::ProgrammeChanges => "programme_changes",
            Self::Announcement => "announcement",
            Self::OrganiserSignIn => "organiser_sign_in",
        }
    }

    /// Whether the message is about an event (and says when it is and why it was sent to a
    /// registrant); an organiser's sign-in link is about none.
    pub fn is_about_an_event(self) -> bool {
        self != Self::OrganiserSignIn
    }

    /// Optional mail may be refused by the recipient (RFC 8058 one-click unsubscribe).
    pub fn is_optional(self) -> bool {
        matches!(
            self,
            Self::Reminder | Self::ProgrammeChanges | Self::Announcement
        )
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Attachment {
    pub filename: String,
    /// A full media type, e.g. `text/calendar; method=PUBLISH; charset=utf-8`.
    pub content_type: String,
    pub content: Vec<u8>,
}

/// One email to one recipient.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutgoingEmail {
    /// The deterministic key (registration, kind, occurrence) this message was claimed under.
    pub key: String,
    pub from: Email,
    /// Shown as the From display name.
    pub from_name: String,
    pub to: Email,
    pub subject: String,
    pub text: String,
    pub html: Option<String>,
    pub language: Language,
    pub kind: MessageKind,
    /// Extra headers, e.g. `List-Unsubscribe` and `List-Unsubscribe-Post` on optional mail.
    pub headers: Vec<(String, String)>,
    pub attachments: Vec<Attachment>,
}

/// The RFC 8058 one-click unsubscribe headers of optional mail, for the unsubscribe link `url`.
pub fn one_click_unsubscribe(url: &str) -> Vec<(String, String)> {
    vec![
        ("List-Unsubscribe".to_owned(), format!("<{url}>")),
        (
            "List-Unsubscribe-Post".to_owned(),
            "List-Unsubscribe=One-Click".to_owned(),
        ),
    ]
}

/// The website's unsubscribe page for a registration's unsubscribe `token` (`site` without its
/// trailing slash), the link in an optional message's body: a person's click is a GET, and link
/// scanners follow GETs, so the page changes nothing until its button is pressed. It opens in
/// the registrant's `language` and names the `event`.
pub fn unsubscribe_page_url(
    site: &str,
    token: &str,
    language: Language,
    event: &EventId,
) -> String {
    format!(
        "{site}/unsubscribe?token={token}&lang={}&event={event}",
        language.code()
    )
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SendReceipt {
    /// The provider's id for the message.
    pub message_id: String,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MailError {
    /// Sending too fast: wait and send again; nothing is lost.
    #[error("the mail service is throttling; retry after {retry_after:?}")]
    Throttled { retry_after: Duration },
    /// A fault that may clear (network, 5xx).
    #[error("the mail service is unavailable: {0}")]
    Unavailable(String),
    /// The service will never accept this message (bad address, unverified sender, bad MIME).
    #[error("the mail service rejected the message: {0}")]
    Rejected(String),
}

#[async_trait]
pub trait Mailer: Send + Sync {
    async fn send(&self, message: &OutgoingEmail) -> Result<SendReceipt, MailError>;
}
