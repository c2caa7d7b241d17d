//! An organiser's announcement to an event's registrants, and whom it reaches.

use jiff::Timestamp;
use serde::{Deserialize, Serialize};

use super::{Email, EventId, Language, Registration, Status};

/// Who an announcement is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Audience {
    Confirmed,
    All,
    /// Confirmed registrants who used their personal join link ("thank you — the slides").
    Attended,
    /// Confirmed registrants who never used it ("sorry we missed you — the recording").
    Absent,
}

impl Audience {
    pub const ALL: &[Self] = &[Self::Confirmed, Self::All, Self::Attended, Self::Absent];

    pub fn code(self) -> &'static str {
        match self {
            Self::Confirmed => "confirmed",
            Self::All => "all",
            Self::Attended => "attended",
            Self::Absent => "absent",
        }
    }

    /// Whether an announcement to this audience goes to `r`: in the audience, wanting
    /// announcements, and taking optional mail at all.
    pub fn reaches(self, r: &Registration) -> bool {
        self.includes(r) && r.notifications.announcements && r.takes_optional_mail()
    }

    /// Whether `r` is in the audience by its status (unconfirmed addresses never are). Whether
    /// it gets the mail is `plenary::usecases::mail::Recipients::reach`.
    pub fn includes(self, r: &Registration) -> bool {
        match self {
            Self::Confirmed => r.status == Status::Confirmed,
            Self::All => matches!(
                r.status,
                Status::Confirmed | Status::Waitlisted | Status::PendingApproval
            ),
            Self::Attended => r.status == Status::Confirmed && r.join_use.attended(),
            Self::Absent => r.status == Status::Confirmed && !r.join_use.attended(),
        }
    }
}

/// An organiser's message, per language with English as the fall-back.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Announcement {
    pub id: String,
    pub event_id: EventId,
    pub subject: Vec<(Language, String)>,
    pub body: Vec<(Language, String)>,
    pub audience: Audience,
    pub created_at: Timestamp,
    /// The organiser who sent it; `None` for the deployment's token, which names no one (and
    /// for announcements stored before it was recorded).
    #[serde(default)]
    pub created_by: Option<Email>,
    pub recipients: u64,
}

/// What the organiser's list shows of an announcement: all of it but the body, which is kept
/// once, in the job's copy.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AnnouncementSummary {
    pub id: String,
    pub subject: Vec<(Language, String)>,
    pub audience: Audience,
    pub created_at: Timestamp,
    pub created_by: Option<Email>,
    pub recipients: u64,
}

impl Announcement {
    pub fn summary(&self) -> AnnouncementSummary {
        AnnouncementSummary {
            id: self.id.clone(),
            subject: self.subject.clone(),
            audience: self.audience,
            created_at: self.created_at,
            created_by: self.created_by.clone(),
            recipients: self.recipients,
        }
    }

    /// The subject and body in `language`, each else in English ([`announcement_text`]).
    pub fn text(&self, language: Language) -> (&str, &str) {
        (
            announcement_text(&self.subject, language),
            announcement_text(&self.body, language),
        )
    }
}

/// The text of an announcement's subject or body that a registrant reading `language` gets: the
/// text in `language`, else the English one (every announcement has English, the fall-back).
/// The one rule of the job's sending and the organiser's preview.
pub fn announcement_text(texts: &[(Language, String)], language: Language) -> &str {
    texts
        .iter()
        .find(|(l, _)| *l == language)
        .or_else(|| texts.iter().find(|(l, _)| *l == Language::En))
        .map(|(_, t)| t.as_str())
        .unwrap_or("")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_text_is_in_the_readers_language_else_in_english_per_field() {
        let texts = vec![
            (Language::En, "Room change".to_owned()),
            (Language::Fr, "Changement de salle".to_owned()),
        ];
        assert_eq!(
            announcement_text(&texts, Language::Fr),
            "Changement de salle"
        );
        assert_eq!(announcement_text(&texts, Language::En), "Room change");
        assert_eq!(announcement_text(&texts, Language::Ru), "Room change");
        assert_eq!(announcement_text(&[], Language::Ru), "");
    }
}
