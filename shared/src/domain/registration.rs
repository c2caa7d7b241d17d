//! Registrations: what a person submits, the rules it must meet, and the record it becomes.

use jiff::Timestamp;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::codes::closed_list;
use super::fields::parse;
use super::participation::{self, Participation};
use super::{
    Answers, Category, CountryCode, Email, Event, EventId, FieldErrors, Fields, Language, Line,
    Paragraph, Question, RegistrationId,
};

/// Unconfirmed registrations hold no seat and lapse after this long.
pub const CONFIRMATION_WINDOW: jiff::SignedDuration = jiff::SignedDuration::from_hours(48);

closed_list! {
    pub enum Status {
        PendingConfirmation => "pending_confirmation",
        PendingApproval => "pending_approval",
        Confirmed => "confirmed",
        Waitlisted => "waitlisted",
        Rejected => "rejected",
        Cancelled => "cancelled",
    }
}

impl Status {
    /// A live registration holds its address: nobody may register it again for the event.
    pub fn is_live(self) -> bool {
        !matches!(self, Self::Rejected | Self::Cancelled)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct NotificationChoices {
    pub reminders: bool,
    pub programme_changes: bool,
    /// The organisers' announcements. Registrations stored before this choice existed got
    /// announcements, so an absent value reads as true.
    #[serde(default = "yes")]
    pub announcements: bool,
}

fn yes() -> bool {
    true
}

impl NotificationChoices {
    /// Nothing optional: what an unsubscription leaves.
    pub const NONE: Self = Self {
        reminders: false,
        programme_changes: false,
        announcements: false,
    };

    /// Whether any optional mail is wanted.
    pub fn any(self) -> bool {
        self.reminders || self.programme_changes || self.announcements
    }
}

impl Default for NotificationChoices {
    fn default() -> Self {
        Self {
            reminders: true,
            programme_changes: true,
            announcements: true,
        }
    }
}

/// The personal fields a registrant submits and may later change (not email, not event).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Person {
    pub email: Email,
    pub given_name: Line<100>,
    pub family_name: Line<100>,
    pub organisation: Line<200>,
    pub accessibility_needs: Option<Paragraph<1_000>>,
    /// Answers to the event's questions; personal, so an erasure erases them with the rest.
    #[serde(default, skip_serializing_if = "Answers::is_empty")]
    pub answers: Answers,
}

/// A submitted registration that passed every field check.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Application {
    pub person: Person,
    pub country: CountryCode,
    pub category: Category,
    pub language: Language,
    pub notifications: NotificationChoices,
    /// On hybrid events only: in the room or remote.
    pub participation: Option<Participation>,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ApplicationError {
    #[error("invalid fields")]
    Invalid(FieldErrors),
    #[error("{0}")]
    NotEligible(String),
}

pub const APPLICATION_FIELDS: &[&str] = &[
    "email",
    "given_name",
    "family_name",
    "country",
    "organisation",
    "category",
    "language",
    "consent",
    "accessibility_needs",
    "notifications",
    "answers",
    "participation",
];

fn notifications(f: &mut Fields<'_>) -> Option<NotificationChoices> {
    f.object(
        "notifications",
        &["reminders", "programme_changes", "announcements"],
        false,
        |n| {
            let reminders = n.optional("reminders", parse::boolean).unwrap_or(true);
            let programme_changes = n
                .optional("programme_changes", parse::boolean)
                .unwrap_or(true);
            let announcements = n.optional("announcements", parse::boolean).unwrap_or(true);
            Some(NotificationChoices {
                reminders,
                programme_changes,
                announcements,
            })
        },
    )
}

impl Application {
    /// Parses `POST …/registrations`, listing every bad field, then applies the event's
    /// eligibility rules (a 403, not a 400: the fields are fine, the person may not come).
    pub fn parse(event: &Event, body: &Value) -> Result<Self, ApplicationError> {
        let mut f = Fields::of(body, APPLICATION_FIELDS);
        let email = f.required("email", parse::with(Email::parse));
        let given_name = f.required("given_name", parse::with(Line::<100>::parse));
        let family_name = f.required("family_name", parse::with(Line::<100>::parse));
        let country = f.required("country", parse::with(CountryCode::parse));
        let organisation = f.required("organisation", parse::with(Line::<200>::parse));
        let category = f.required("category", parse::with(Category::parse));
        let language = f.required("language", parse::with(Language::parse));
        match f.required("consent", parse::boolean) {
            Some(true) | None => {}
            Some(false) => f.error("consent", "must be true to register"),
        }
        let accessibility_needs = f.optional(
            "accessibility_needs",
            parse::with(Paragraph::<1_000>::parse),
        );
        let notifications = notifications(&mut f).unwrap_or_default();
        let answers = Answers::parse(&mut f, &event.questions);
        let participation = participation::participation(&mut f, event);
        let app = (|| {
            Some(Self {
                person: Person {
                    email: email?,
                    given_name: given_name?,
                    family_name: family_name?,
                    organisation: organisation?,
                    accessibility_needs,
                    answers: answers?,
                },
                country: country?,
                category: category?,
                language: language?,
                notifications,
                participation: match event.is_hybrid() {
                    true => Some(participation?),
                    false => None,
                },
            })
        })();
        let app = f.finish(app).map_err(ApplicationError::Invalid)?;
        if !event.eligibility.categories.contains(&app.category) {
            return Err(ApplicationError::NotEligible(format!(
                "this event is open to: {}",
                event
                    .eligibility
                    .categories
                    .iter()
                    .map(|c| c.code())
                    .collect::<Vec<_>>()
                    .join(", ")
            )));
        }
        if event.eligibility.itu_member_states_only && !app.country.is_itu_member_state() {
            return Err(ApplicationError::NotEligible(format!(
                "this event is open to participants from ITU Member States; {} is not one",
                app.country
            )));
        }
        Ok(app)
    }
}

/// The changes `PATCH /v1/registrations/me` may make.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Amendment {
    pub given_name: Option<Line<100>>,
    pub family_name: Option<Line<100>>,
    pub organisation: Option<Line<200>>,
    pub language: Option<Language>,
    /// `Some(None)` clears the needs.
    pub accessibility_needs: Option<Option<Paragraph<1_000>>>,
    pub notifications: Option<NotificationChoices>,
    /// New answers to every current question (`Answers::replaced` keeps the others).
    pub answers: Option<Answers>,
    /// A switch of mode, on a hybrid event.
    pub participation: Option<Participation>,
}

impl Amendment {
    /// An amendment for an event without questions.
    pub fn parse(body: &Value) -> Result<Self, FieldErrors> {
        Self::read(&[], false, body)
    }

    /// Parses `PATCH /v1/registrations/me` for `event`: `answers`, when sent, answers its
    /// questions all again, checked as on registration with the other fields; `participation`
    /// switches mode on a hybrid event.
    pub fn parse_for(event: &Event, body: &Value) -> Result<Self, FieldErrors> {
        Self::read(&event.questions, event.is_hybrid(), body)
    }

    fn read(questions: &[Question], hybrid: bool, body: &Value) -> Result<Self, FieldErrors> {
        let allowed = [
            "given_name",
            "family_name",
            "organisation",
            "language",
            "accessibility_needs",
            "notifications",
            "answers",
            "participation",
        ];
        let mut f = Fields::of(body, &allowed);
        for fixed in ["email", "event_id", "country", "category"] {
            if body.get(fixed).is_some() {
                // Reported by Fields as unknown already; say why too.
                f.error(
                    fixed,
                    "cannot be changed; cancel and register again instead",
                );
            }
        }
        let given_name = f.optional("given_name", parse::with(Line::<100>::parse));
        let family_name = f.optional("family_name", parse::with(Line::<100>::parse));
        let organisation = f.optional("organisation", parse::with(Line::<200>::parse));
        let language = f.optional("language", parse::with(Language::parse));
        let accessibility_needs = match body.get("accessibility_needs") {
            None => None,
            Some(Value::Null) => Some(None),
            Some(_) => f
                .optional(
                    "accessibility_needs",
                    parse::with(Paragraph::<1_000>::parse),
                )
                .map(Some),
        };
        let notifications = notifications(&mut f);
        let answers = if f.has("answers") {
            Answers::parse(&mut f, questions)
        } else {
            None
        };
        let participation = participation::switch(&mut f, hybrid);
        f.finish(Some(Self {
            given_name,
            family_name,
            organisation,
            language,
            accessibility_needs,
            notifications,
            answers,
            participation,
        }))
    }
}

/// Use of a personal join link.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct JoinUse {
    pub count: u64,
    pub first_used_at: Option<Timestamp>,
    pub last_used_at: Option<Timestamp>,
    /// The dates (in the event's zone) on which the link was used, in order: the days attended.
    #[serde(default)]
    pub days: Vec<jiff::civil::Date>,
}

impl JoinUse {
    /// A registrant attended when their personal link was used at least once.
    pub fn attended(&self) -> bool {
        self.count > 0
    }
}

/// A registration as stored. After an erasure `person` is `None`: only the anonymous fields that
/// counts need stay.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Registration {
    pub id: RegistrationId,
    pub event_id: EventId,
    pub status: Status,
    pub person: Option<Person>,
    pub country: CountryCode,
    pub category: Category,
    pub language: Language,
    pub notifications: NotificationChoices,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
    /// When an unconfirmed registration lapses.
    pub confirm_by: Option<Timestamp>,
    pub confirmed_at: Option<Timestamp>,
    /// Place in the waiting list's queue (positions are counted from these).
    pub waitlist_ticket: Option<u64>,
    /// Bumped by each revocation; the personal join token is derived from it.
    pub join_generation: u32,
    pub join_use: JoinUse,
    /// Where one-click unsubscribe stopped optional mail.
    pub unsubscribed_at: Option<Timestamp>,
    /// Whether the registrant has a subscribable calendar URL open (`calendar-feed`).
    #[serde(default)]
    pub calendar_feed: bool,
    /// Bumped by each closing of the calendar URL; its token is derived from it.
    #[serde(default)]
    pub calendar_generation: u32,
    /// The choices the unsubscription turned off, so undoing it restores them.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unsubscribed_from: Option<NotificationChoices>,
    /// The keys its derived tokens come from; absent (`Shared`) in registrations stored before
    /// there was a key per purpose, so the links they were sent keep working.
    #[serde(default)]
    pub token_keys: TokenKeys,
    /// In the room or remote, on a hybrid event (none elsewhere, and on registrations stored
    /// before hybrid participation existed): which seats and queue it uses.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub participation: Option<Participation>,
}

/// Which keys a registration's derived tokens (personal join link, calendar URL, one-click
/// unsubscribe) are made with.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TokenKeys {
    /// One key for every purpose, the purpose a label in the message: registrations made before
    /// per-purpose keys. Their tokens are in mail already sent and in calendars already
    /// subscribed, and only their hashes are stored, so they cannot be re-issued silently.
    #[default]
    Shared,
    /// A key per purpose, derived from the configured secret by HMAC under the purpose's label:
    /// every registration made since.
    PerPurpose,
}

impl Registration {
    /// The record `app` becomes when it is taken: unconfirmed, lapsing after
    /// [`CONFIRMATION_WINDOW`], holding no seat and no place in the queue.
    pub fn new(id: RegistrationId, event_id: EventId, app: &Application, now: Timestamp) -> Self {
        Self {
            id,
            event_id,
            status: Status::PendingConfirmation,
            person: Some(app.person.clone()),
            country: app.country,
            category: app.category,
            language: app.language,
            notifications: app.notifications,
            created_at: now,
            updated_at: now,
            // A whole second, as the address guard and the counters keep it.
            confirm_by: now
                .checked_add(CONFIRMATION_WINDOW)
                .ok()
                .map(super::tally::lapse_second)
                .and_then(|s| Timestamp::from_second(s).ok()),
            confirmed_at: None,
            waitlist_ticket: None,
            join_generation: 0,
            join_use: Default::default(),
            calendar_feed: false,
            calendar_generation: 0,
            unsubscribed_at: None,
            unsubscribed_from: None,
            token_keys: TokenKeys::PerPurpose,
            participation: app.participation,
        }
    }

    /// The seats and queue this registration uses.
    pub fn pool(&self) -> super::Pool {
        super::Pool::of(self.participation)
    }

    /// Optional mail never goes to an erased registration or to an unsubscribed address.
    pub fn takes_optional_mail(&self) -> bool {
        self.person.is_some() && self.unsubscribed_at.is_none()
    }

    pub fn is_expired(&self, now: Timestamp) -> bool {
        self.status == Status::PendingConfirmation && self.confirm_by.is_some_and(|t| now >= t)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn event(only_members: bool) -> Event {
        Event::parse(
            EventId::parse("ws").unwrap(),
            &json!({"title": "W", "timezone": "Europe/Zurich",
                    "starts_at": "2021-09-08T14:00:00+02:00", "ends_at": "2021-09-09T16:30:00+02:00",
                    "eligibility": {"categories": ["member_state", "academia"],
                                    "itu_member_states_only": only_members}}),
        )
        .unwrap()
    }

    fn body() -> Value {
        json!({"email": "Ada@Example.org", "given_name": "Ada", "family_name": "Lovelace",
               "country": "GB", "organisation": "Analytical Engines", "category": "academia",
               "language": "en", "consent": true})
    }

    #[test]
    fn a_good_application_parses_with_notifications_on_by_default() {
        let a = Application::parse(&event(true), &body()).unwrap();
        assert_eq!(a.person.email.as_str(), "Ada@example.org");
        assert_eq!(a.notifications, NotificationChoices::default());
    }

    #[test]
    fn a_new_registration_awaits_confirmation_and_lapses_after_the_window() {
        let a = Application::parse(&event(true), &body()).unwrap();
        let now: Timestamp = "2021-08-23T08:00:00Z".parse().unwrap();
        let id = RegistrationId::parse("01J00000000000000000000001").unwrap();
        let r = Registration::new(id, EventId::parse("ws").unwrap(), &a, now);
        assert_eq!(r.status, Status::PendingConfirmation);
        assert_eq!(r.person.as_ref(), Some(&a.person));
        assert_eq!(
            (r.created_at, r.updated_at, r.confirmed_at),
            (now, now, None)
        );
        assert_eq!(r.waitlist_ticket, None);
        let lapses = now.checked_add(CONFIRMATION_WINDOW).unwrap();
        assert_eq!(r.confirm_by, Some(lapses));
        assert!(!r.is_expired(now) && r.is_expired(lapses));
    }

    #[test]
    fn every_bad_field_is_listed_at_once() {
        let b = json!({"email": "nope", "given_name": "A\nB", "family_name": "",
                       "country": "XX", "category": "alien", "language": "de", "consent": false,
                       "notifications": {"reminders": "yes"}, "extra": 1});
        let Err(ApplicationError::Invalid(errs)) = Application::parse(&event(false), &b) else {
            panic!("expected invalid fields")
        };
        let mut fields: Vec<_> = errs.0.iter().map(|e| e.field.as_str()).collect();
        fields.sort_unstable();
        assert_eq!(
            fields,
            [
                "category",
                "consent",
                "country",
                "email",
                "extra",
                "family_name",
                "given_name",
                "language",
                "notifications.reminders",
                "organisation"
            ]
        );
    }

    #[test]
    fn a_country_that_is_not_an_itu_member_state_is_not_eligible() {
        let mut b = body();
        b["country"] = json!("PW");
        assert!(matches!(
            Application::parse(&event(true), &b),
            Err(ApplicationError::NotEligible(_))
        ));
        assert!(Application::parse(&event(false), &b).is_ok());
    }

    #[test]
    fn a_category_the_event_does_not_admit_is_not_eligible() {
        let mut b = body();
        b["category"] = json!("individual");
        assert!(matches!(
            Application::parse(&event(false), &b),
            Err(ApplicationError::NotEligible(_))
        ));
    }

    #[test]
    fn an_amendment_refuses_the_email_and_clears_needs_with_null() {
        let a = Amendment::parse(&json!({"accessibility_needs": null, "language": "fr"})).unwrap();
        assert_eq!(a.accessibility_needs, Some(None));
        assert_eq!(a.language, Some(Language::Fr));
        let errs = Amendment::parse(&json!({"email": "x@y.org"})).unwrap_err();
        assert!(errs.0.iter().all(|e| e.field == "email"));
    }
}
