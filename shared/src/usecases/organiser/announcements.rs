//! An organiser's announcement: its subject and body per language (English the fall-back), its
//! audience, and how many it reaches; the notifications job sends it.

use jiff::Timestamp;
use serde_json::Value;

use crate::domain::tally;
use crate::domain::{
    Announcement, Audience, Email, Event, FieldError, FieldErrors, Language, Line,
    announcement_text,
};
use crate::mail::templates::{self, Content, EventFacts, Message, Rendered, TemplateError};
use crate::mail::{MessageKind, unsubscribe_page_url};
use crate::store::{JobStore, RegistrationStore, StoreError};
use crate::token::TokenSource;

use super::registrations::counts;

const FIELDS: [&str; 3] = ["subject", "body", "audience"];
const MAX_SUBJECT: usize = 200;
const MAX_BODY: usize = 20_000;

/// A valid announcement request, before it is accepted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AnnouncementRequest {
    pub subject: Vec<(Language, String)>,
    pub body: Vec<(Language, String)>,
    pub audience: Audience,
}

impl AnnouncementRequest {
    /// The body of `POST …/announcements`, every bad field named.
    pub fn parse(body: &Value) -> Result<Self, FieldErrors> {
        let mut errors = Vec::new();
        if let Some(obj) = body.as_object() {
            for k in obj.keys().filter(|k| !FIELDS.contains(&k.as_str())) {
                errors.push(FieldError {
                    field: k.clone(),
                    message: "is not a known field".into(),
                });
            }
        } else {
            errors.push(FieldError {
                field: "body".into(),
                message: "must be a JSON object".into(),
            });
        }
        let subject = per_language(body, "subject", &mut errors, MAX_SUBJECT);
        let text = per_language(body, "body", &mut errors, MAX_BODY);
        let audience = match body.get("audience").and_then(Value::as_str) {
            None if body.get("audience").is_none() => Audience::Confirmed,
            Some("confirmed") => Audience::Confirmed,
            Some("all") => Audience::All,
            Some("attended") => Audience::Attended,
            Some("absent") => Audience::Absent,
            _ => {
                errors.push(FieldError {
                    field: "audience".into(),
                    message: "must be confirmed, all, attended or absent".into(),
                });
                Audience::Confirmed
            }
        };
        if !errors.is_empty() {
            return Err(FieldErrors(errors));
        }
        Ok(Self {
            subject,
            body: text,
            audience,
        })
    }
}

/// A text per language: a plain string is the English text; an object maps language codes to
/// texts and must include English. Each text is trimmed, 1 to `max` characters; a subject is one
/// line.
fn per_language(
    v: &Value,
    field: &str,
    errors: &mut Vec<FieldError>,
    max: usize,
) -> Vec<(Language, String)> {
    let mut out = Vec::new();
    let mut bad = |field: String, message: String| errors.push(FieldError { field, message });
    match v.get(field) {
        None | Some(Value::Null) => bad(field.to_owned(), "is required".into()),
        Some(Value::String(t)) => out.push((Language::En, t.trim().to_owned())),
        Some(Value::Object(m)) => {
            for (lang, text) in m {
                match (Language::parse(lang), text.as_str()) {
                    (Ok(l), Some(t)) => out.push((l, t.trim().to_owned())),
                    (Err(_), _) => bad(
                        format!("{field}.{lang}"),
                        "is not one of ar, zh, en, fr, ru, es".into(),
                    ),
                    (_, None) => bad(format!("{field}.{lang}"), "must be a string".into()),
                }
            }
            if !out.iter().any(|(l, _)| *l == Language::En) && !out.is_empty() {
                bad(
                    format!("{field}.en"),
                    "is required: English is the fall-back for other languages".into(),
                );
            }
        }
        Some(_) => bad(
            field.to_owned(),
            "must be a string or an object of language → text".into(),
        ),
    }
    for (l, t) in &out {
        if t.is_empty() || t.chars().count() > max {
            bad(
                format!("{field}.{l}"),
                format!("must be 1 to {max} characters"),
            );
        } else if field == "subject" && t.chars().any(char::is_control) {
            bad(format!("{field}.{l}"), "must be one line".into());
        }
    }
    out
}

/// Accepts `request` for `event` from `by` (no one for the deployment's token): counts whom it
/// reaches now, from the event's counters (each audience's reach is one,
/// [`Audience::reaches`](crate::domain::Audience::reaches)), and queues it for the job, which
/// pages through the registrations to send it.
pub async fn announce(
    store: &dyn RegistrationStore,
    jobs: &dyn JobStore,
    ids: &dyn TokenSource,
    event: &Event,
    request: AnnouncementRequest,
    by: Option<Email>,
    now: Timestamp,
) -> Result<Announcement, StoreError> {
    let recipients = counts(store, event, now)
        .await?
        .get(&tally::reach_counter(request.audience));
    let a = Announcement {
        id: ids.new_id_at(now),
        event_id: event.id.clone(),
        subject: request.subject,
        body: request.body,
        audience: request.audience,
        created_at: now,
        created_by: by,
        recipients,
    };
    jobs.add_announcement(&a).await?;
    Ok(a)
}

/// Whom a preview greets when the organiser names no one (the console's sample name too).
pub const PREVIEW_NAME: &str = "Ada Lovelace";

/// The token of a preview's unsubscribe link: no registration's, and plainly not one.
pub const PREVIEW_TOKEN: &str = "preview";

/// `request` for `event` as a registrant reading `language` would get it by email: the texts
/// the job picks for them ([`announcement_text`]), the template in their language, `name`
/// greeted (else [`PREVIEW_NAME`]), and the unsubscribe page's link with [`PREVIEW_TOKEN`] for
/// their token on `site`. Nothing is queued, sent or written.
pub fn preview(
    event: &Event,
    request: &AnnouncementRequest,
    language: Language,
    name: Option<&Line>,
    site: &str,
) -> Result<Rendered, TemplateError> {
    let facts = EventFacts::of(event, language);
    let unsubscribe = unsubscribe_page_url(site, PREVIEW_TOKEN, language, &event.id);
    templates::render(&Message {
        kind: MessageKind::Announcement,
        language,
        recipient_name: name.map_or(PREVIEW_NAME, Line::as_str),
        event: Some(&facts),
        content: &Content::Announcement {
            subject: announcement_text(&request.subject, language).to_owned(),
            body: announcement_text(&request.body, language).to_owned(),
        },
        unsubscribe_url: Some(&unsubscribe),
    })
}
