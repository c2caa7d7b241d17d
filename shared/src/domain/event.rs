//! The event: what the organiser configures with `PUT /v1/admin/events/{id}` and what the public
//! routes show.

use std::fmt;

use jiff::tz::TimeZone;
use jiff::{SignedDuration, Span, Timestamp, Zoned};
use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::fields::parse;
use super::form::{self, Question};
use super::{Email, EventId, FieldErrors, Fields, Language, Line, Paragraph};

/// An IANA time zone, resolved against the bundled time-zone database.
#[derive(Clone, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Zone {
    name: String,
    tz: TimeZone,
}

impl Zone {
    pub fn parse(name: &str) -> Result<Self, String> {
        // Only named IANA zones: fixed offsets or POSIX strings are not an event's place.
        if !name.contains('/') && name != "UTC" {
            return Err("must be an IANA time zone such as Europe/Zurich".to_owned());
        }
        TimeZone::get(name)
            .map(|tz| Self {
                name: name.to_owned(),
                tz,
            })
            .map_err(|_| format!("{name:?} is not a known IANA time zone"))
    }

    pub fn utc() -> Self {
        Self {
            name: "UTC".to_owned(),
            tz: TimeZone::UTC,
        }
    }

    pub fn name(&self) -> &str {
        &self.name
    }

    pub fn tz(&self) -> &TimeZone {
        &self.tz
    }

    pub fn at(&self, t: Timestamp) -> Zoned {
        t.to_zoned(self.tz.clone())
    }
}

impl PartialEq for Zone {
    fn eq(&self, other: &Self) -> bool {
        self.name == other.name
    }
}
impl Eq for Zone {}

impl TryFrom<String> for Zone {
    type Error = String;
    fn try_from(s: String) -> Result<Self, String> {
        Self::parse(&s)
    }
}

impl From<Zone> for String {
    fn from(z: Zone) -> Self {
        z.name
    }
}

impl fmt::Debug for Zone {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Zone({})", self.name)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum EventFormat {
    Virtual,
    InPerson,
    Hybrid,
}

impl EventFormat {
    fn parse(s: &str) -> Result<Self, String> {
        serde_json::from_value(Value::String(s.to_owned()))
            .map_err(|_| "must be one of virtual, in_person, hybrid".to_owned())
    }
}

// Which routes obey it is decided in one place: `usecases::reader::may_see`.
/// Who finds the event: a `public` one is listed by `GET /v1/events`, an `unlisted` one is
/// reached only by its id (a link the organiser hands out), a `draft` one not at all by the
/// public.
#[derive(
    Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum Visibility {
    #[default]
    Public,
    Unlisted,
    Draft,
}

impl Visibility {
    pub const ALL: [Visibility; 3] = [Self::Public, Self::Unlisted, Self::Draft];

    pub fn parse(s: &str) -> Result<Self, String> {
        serde_json::from_value(Value::String(s.to_owned()))
            .map_err(|_| "must be one of public, unlisted, draft".to_owned())
    }

    pub fn code(self) -> &'static str {
        match self {
            Self::Public => "public",
            Self::Unlisted => "unlisted",
            Self::Draft => "draft",
        }
    }
}

/// Who may register, as the ITU circulars put it.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Hash,
    PartialOrd,
    Ord,
    Serialize,
    Deserialize,
    schemars::JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum Category {
    MemberState,
    SectorMember,
    Associate,
    Academia,
    Individual,
}

impl Category {
    pub const ALL: [Category; 5] = [
        Self::MemberState,
        Self::SectorMember,
        Self::Associate,
        Self::Academia,
        Self::Individual,
    ];

    pub fn parse(s: &str) -> Result<Self, String> {
        serde_json::from_value(Value::String(s.to_owned())).map_err(|_| {
            "must be one of member_state, sector_member, associate, academia, individual".to_owned()
        })
    }

    pub fn code(self) -> &'static str {
        match self {
            Self::MemberState => "member_state",
            Self::SectorMember => "sector_member",
            Self::Associate => "associate",
            Self::Academia => "academia",
            Self::Individual => "individual",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Eligibility {
    pub categories: Vec<Category>,
    pub itu_member_states_only: bool,
}

impl Default for Eligibility {
    fn default() -> Self {
        Self {
            categories: Category::ALL.to_vec(),
            itu_member_states_only: false,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RegistrationWindow {
    pub opens_at: Option<Timestamp>,
    pub closes_at: Option<Timestamp>,
}

impl RegistrationWindow {
    pub fn is_open(&self, now: Timestamp) -> bool {
        self.opens_at.is_none_or(|o| now >= o) && self.closes_at.is_none_or(|c| now < c)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Contact {
    pub name: Line<100>,
    pub email: Email,
}

/// A document of the event (its circular, a call for papers, the venue's page): a title and an
/// http(s) address.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Link {
    pub title: Line<200>,
    pub url: String,
}

/// The most links an event lists.
pub const MAX_LINKS: usize = 20;

/// The longest address a link may have.
pub const MAX_LINK_URL: usize = 2_000;

/// An absolute http(s) address, as browsers and mail clients follow it.
pub(crate) fn web_url(raw: &str) -> Result<String, String> {
    let u = url::Url::parse(raw.trim()).map_err(|_| "must be an absolute URL".to_owned())?;
    if u.scheme() != "https" && u.scheme() != "http" {
        return Err("must be an http(s) URL".to_owned());
    }
    Ok(u.to_string())
}

pub(crate) fn link_url(raw: &str) -> Result<String, String> {
    let url = web_url(raw)?;
    if url.len() > MAX_LINK_URL {
        return Err(format!("must be at most {MAX_LINK_URL} characters"));
    }
    Ok(url)
}

/// How long before the start a reminder goes: an ISO 8601 duration such as `P7D` or `PT1H`,
/// counted in the event's zone (so `P1D` is the same wall-clock time the day before, across a
/// daylight-saving change).
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct ReminderOffset(String);

impl ReminderOffset {
    pub fn parse(raw: &str) -> Result<Self, String> {
        let span: Span = raw
            .parse()
            .map_err(|_| format!("{raw:?} is not an ISO 8601 duration such as P7D or PT1H"))?;
        if span.get_years() != 0 || span.get_months() != 0 {
            return Err("use weeks, days, hours and minutes, not months or years".to_owned());
        }
        if span.is_negative() || span.is_zero() {
            return Err("must be a positive duration".to_owned());
        }
        if raw.len() > 32 {
            return Err("is too long".to_owned());
        }
        Ok(Self(raw.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn span(&self) -> Span {
        // Parsed once already when the value was built.
        self.0.parse().unwrap_or_default()
    }

    /// The instant this reminder is due for an event starting at `start` in `zone`.
    pub fn due_before(&self, start: Timestamp, zone: &Zone) -> Option<Timestamp> {
        zone.at(start)
            .checked_sub(self.span())
            .ok()
            .map(|z| z.timestamp())
    }
}

impl TryFrom<String> for ReminderOffset {
    type Error = String;
    fn try_from(s: String) -> Result<Self, String> {
        Self::parse(&s)
    }
}

impl From<ReminderOffset> for String {
    fn from(r: ReminderOffset) -> Self {
        r.0
    }
}

impl fmt::Debug for ReminderOffset {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Event {
    pub id: EventId,
    pub title: Line<200>,
    pub description: Paragraph<10_000>,
    pub timezone: Zone,
    pub starts_at: Timestamp,
    pub ends_at: Timestamp,
    pub format: EventFormat,
    pub languages: Vec<Language>,
    pub registration: RegistrationWindow,
    pub contact: Option<Contact>,
    /// The event's documents, in the organiser's order; events stored before links existed
    /// have none.
    #[serde(default)]
    pub links: Vec<Link>,
    /// Seats; `None` is unlimited.
    pub capacity: Option<u32>,
    pub waitlist: bool,
    pub approval_required: bool,
    pub eligibility: Eligibility,
    pub reminders: Vec<ReminderOffset>,
    /// Events stored before visibility existed have none, and were public.
    #[serde(default)]
    pub visibility: Visibility,
    /// The registration form's own questions, in order (events stored before forms had none).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub questions: Vec<Question>,
    /// What is remembered of questions and options the organiser removed, so their stored
    /// answers keep a label; written by the event's save, never by the organiser's body.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub past_questions: Vec<Question>,
    /// Registrations from addresses at one email domain the event takes in an hour; `None` (the
    /// default) counts no domain, since one ministry or operator may register dozens of staff.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub registrations_per_email_domain_per_hour: Option<u32>,
    /// A hybrid event's room: its seats, waiting list and venue (`capacity` and `waitlist`
    /// are then the remote ones).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub in_person: Option<super::InPerson>,
}

/// The highest per-domain limit an organiser may set: above it, set none.
pub const MAX_REGISTRATIONS_PER_EMAIL_DOMAIN_PER_HOUR: u64 = 100_000;

/// The longest event: a workshop or conference, not a season.
pub const MAX_EVENT_DAYS: i64 = 60;

pub(crate) fn instant(v: &Value) -> Result<Timestamp, String> {
    let s = parse::string(v)?;
    // RFC 3339 with an explicit offset: a bare local time is ambiguous.
    s.parse::<Timestamp>().map_err(|_| {
        "must be an RFC 3339 instant with an offset, e.g. 2021-09-08T14:00:00+02:00".to_owned()
    })
}

impl Event {
    pub const FIELDS: &'static [&'static str] = &[
        "title",
        "description",
        "timezone",
        "starts_at",
        "ends_at",
        "format",
        "languages",
        "registration",
        "contact",
        "links",
        "capacity",
        "waitlist",
        "approval_required",
        "eligibility",
        "reminders",
        "visibility",
        "questions",
        "registrations_per_email_domain_per_hour",
        "in_person",
    ];

    /// What `GET /v1/admin/events/{id}` shows beside [`FIELDS`](Self::FIELDS): accepted back
    /// (as instants or null) so a body read can be sent again with one field changed, and ignored,
    /// because the store writes them.
    pub const READ_ONLY_FIELDS: &'static [&'static str] = &["created_at", "updated_at"];

    /// The questions this event asks and has asked.
    pub fn asked(&self) -> form::Asked<'_> {
        form::Asked {
            current: &self.questions,
            past: &self.past_questions,
        }
    }

    /// Over once its end has passed: its page leads with the materials and takes no more
    /// registrations.
    pub fn has_ended(&self, now: Timestamp) -> bool {
        now >= self.ends_at
    }

    /// Every local date the event covers in its zone, first to last; its end is exclusive, so
    /// an event ending at midnight does not hold the next day.
    pub fn local_dates(&self) -> Vec<jiff::civil::Date> {
        let last_instant = self
            .ends_at
            .checked_sub(SignedDuration::from_nanos(1))
            .unwrap_or(self.ends_at)
            .max(self.starts_at);
        let last = self.timezone.at(last_instant).date();
        let mut dates = Vec::new();
        let mut d = self.timezone.at(self.starts_at).date();
        // Events last at most MAX_EVENT_DAYS; the cap bounds anything stored before that rule.
        while d <= last && dates.len() <= MAX_EVENT_DAYS as usize {
            dates.push(d);
            match d.tomorrow() {
                Ok(next) => d = next,
                Err(_) => break,
            }
        }
        dates
    }

    /// Parses the organiser's `PUT /v1/admin/events/{id}` body, listing every problem.
    pub fn parse(id: EventId, body: &Value) -> Result<Self, FieldErrors> {
        let accepted: Vec<&str> = Self::FIELDS
            .iter()
            .chain(Self::READ_ONLY_FIELDS)
            .copied()
            .collect();
        let mut f = Fields::of(body, &accepted);
        for field in Self::READ_ONLY_FIELDS {
            f.optional(field, instant);
        }
        let title = f.required("title", parse::with(Line::<200>::parse));
        let description = f
            .optional("description", parse::with(Paragraph::<10_000>::parse))
            .unwrap_or_default();
        let timezone = f.required("timezone", parse::with(Zone::parse));
        let starts_at = f.required("starts_at", instant);
        let ends_at = f.required("ends_at", instant);
        check_duration(&mut f, starts_at, ends_at);
        let format = f
            .optional("format", parse::with(EventFormat::parse))
            .unwrap_or(EventFormat::Virtual);
        let languages = f
            .optional("languages", |v| {
                parse::list(v, 6, parse::with(Language::parse))
            })
            .unwrap_or_else(|| vec![Language::En]);
        let registration = registration_window(&mut f, starts_at);
        let contact = contact(&mut f);
        let links = links(&mut f);
        let capacity = f
            .optional("capacity", |v| parse::whole_number(v, 1, 1_000_000))
            .map(|n| n as u32);
        let waitlist = f.optional("waitlist", parse::boolean).unwrap_or(false);
        let approval_required = f
            .optional("approval_required", parse::boolean)
            .unwrap_or(false);
        let eligibility = eligibility(&mut f);
        let reminders = f
            .optional("reminders", |v| {
                parse::list(v, 10, parse::with(ReminderOffset::parse))
            })
            .unwrap_or_default();
        let visibility = f
            .optional("visibility", parse::with(Visibility::parse))
            .unwrap_or_default();
        let questions = form::questions(&mut f);
        let per_domain = f
            .optional("registrations_per_email_domain_per_hour", |v| {
                parse::whole_number(v, 1, MAX_REGISTRATIONS_PER_EMAIL_DOMAIN_PER_HOUR)
            })
            .map(|n| n as u32);
        let in_person = super::participation::in_person(&mut f, format);
        let event = (|| {
            Some(Self {
                id,
                title: title?,
                description,
                timezone: timezone?,
                starts_at: starts_at?,
                ends_at: ends_at?,
                format,
                languages,
                registration,
                contact,
                links: links?,
                capacity,
                waitlist,
                approval_required,
                eligibility,
                reminders,
                visibility,
                questions,
                past_questions: Vec::new(),
                registrations_per_email_domain_per_hour: per_domain,
                in_person,
            })
        })();
        f.finish(event)
    }
}

/// An event ends after it starts and lasts at most [`MAX_EVENT_DAYS`].
fn check_duration(f: &mut Fields<'_>, starts_at: Option<Timestamp>, ends_at: Option<Timestamp>) {
    if let (Some(s), Some(e)) = (starts_at, ends_at) {
        if e <= s {
            f.error("ends_at", "must be after starts_at");
        } else if e.duration_since(s) > SignedDuration::from_hours(24 * MAX_EVENT_DAYS) {
            f.error(
                "ends_at",
                format!("an event lasts at most {MAX_EVENT_DAYS} days"),
            );
        }
    }
}

/// The optional `registration` object: it closes after it opens, and at the event's start
/// unless the organiser says otherwise.
fn registration_window(f: &mut Fields<'_>, starts_at: Option<Timestamp>) -> RegistrationWindow {
    let registration = f
        .object("registration", &["opens_at", "closes_at"], false, |r| {
            let opens_at = r.optional("opens_at", instant);
            let closes_at = r.optional("closes_at", instant);
            if let (Some(o), Some(c)) = (opens_at, closes_at)
                && c <= o
            {
                r.error("closes_at", "must be after opens_at");
            }
            Some(RegistrationWindow {
                opens_at,
                closes_at,
            })
        })
        .unwrap_or(RegistrationWindow {
            opens_at: None,
            closes_at: None,
        });
    RegistrationWindow {
        closes_at: registration.closes_at.or(starts_at),
        ..registration
    }
}

/// The optional `contact` object: a name and an email, both required when it is given.
fn contact(f: &mut Fields<'_>) -> Option<Contact> {
    f.object("contact", &["name", "email"], false, |c| {
        let name = c.required("name", parse::with(Line::<100>::parse));
        let email = c.required("email", parse::with(Email::parse));
        Some(Contact {
            name: name?,
            email: email?,
        })
    })
}

/// The optional `links` list: each a title and an http(s) address, problems named
/// `links[i].title` and `links[i].url`.
fn links(f: &mut Fields<'_>) -> Option<Vec<Link>> {
    if !f.has("links") {
        return Some(Vec::new());
    }
    f.list_of_objects("links", &["title", "url"], MAX_LINKS, |l| {
        let title = l.required("title", parse::with(Line::<200>::parse));
        let url = l.required("url", parse::with(link_url));
        Some(Link {
            title: title?,
            url: url?,
        })
    })
}

/// The optional `eligibility` object: every category and any country unless restricted.
fn eligibility(f: &mut Fields<'_>) -> Eligibility {
    f.object(
        "eligibility",
        &["categories", "itu_member_states_only"],
        false,
        |e| {
            let categories = e
                .optional("categories", |v| {
                    parse::list(v, 5, parse::with(Category::parse))
                })
                .unwrap_or_else(|| Category::ALL.to_vec());
            let only = e
                .optional("itu_member_states_only", parse::boolean)
                .unwrap_or(false);
            Some(Eligibility {
                categories,
                itu_member_states_only: only,
            })
        },
    )
    .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn body() -> Value {
        json!({"title": "ITU Workshop", "timezone": "Europe/Zurich",
               "starts_at": "2021-09-08T14:00:00+02:00", "ends_at": "2021-09-09T16:30:00+02:00",
               "format": "virtual", "languages": ["en", "fr"],
               "contact": {"name": "TSB Events", "email": "tsbevents@itu.int"},
               "capacity": 1000, "waitlist": true,
               "eligibility": {"categories": ["member_state"], "itu_member_states_only": true},
               "reminders": ["P7D", "P1D", "PT1H"]})
    }

    #[test]
    fn an_organisers_event_body_parses_with_defaults() {
        let e = Event::parse(EventId::parse("ws").unwrap(), &body()).unwrap();
        assert_eq!(e.timezone.name(), "Europe/Zurich");
        assert_eq!(e.registration.closes_at, Some(e.starts_at));
        assert_eq!(e.capacity, Some(1000));
        assert_eq!(e.reminders.len(), 3);
        let back: Event = serde_json::from_value(serde_json::to_value(&e).unwrap()).unwrap();
        assert_eq!(back, e);
    }

    #[test]
    fn every_bad_field_of_an_event_is_listed() {
        let mut b = body();
        b["timezone"] = json!("Mars/Olympus");
        b["ends_at"] = json!("2021-09-01T00:00:00Z");
        b["languages"] = json!(["de"]);
        b["reminders"] = json!(["P1M"]);
        b["contact"]["email"] = json!("nope");
        b["surprise"] = json!(1);
        let errs = Event::parse(EventId::parse("ws").unwrap(), &b).unwrap_err();
        let mut names: Vec<_> = errs.0.iter().map(|e| e.field.clone()).collect();
        names.sort();
        assert_eq!(
            names,
            [
                "contact.email",
                "ends_at",
                "languages",
                "reminders",
                "surprise",
                "timezone"
            ]
        );
    }

    #[test]
    fn an_events_links_keep_their_order_and_an_event_without_them_has_none() {
        let id = EventId::parse("ws").unwrap();
        assert!(Event::parse(id.clone(), &body()).unwrap().links.is_empty());
        let mut b = body();
        b["links"] = json!([
            {"title": "TSB Circular 331", "url": "https://www.itu.int/md/T17-TSB-CIR-0331/en"},
            {"title": "Programme (PDF)", "url": "http://example.org/p.pdf"},
        ]);
        let e = Event::parse(id, &b).unwrap();
        let shown: Vec<(&str, &str)> = e
            .links
            .iter()
            .map(|l| (l.title.as_str(), l.url.as_str()))
            .collect();
        assert_eq!(
            shown,
            [
                (
                    "TSB Circular 331",
                    "https://www.itu.int/md/T17-TSB-CIR-0331/en"
                ),
                ("Programme (PDF)", "http://example.org/p.pdf")
            ]
        );
    }

    #[test]
    fn every_bad_link_is_a_problem_named_by_its_place_and_field() {
        let id = EventId::parse("ws").unwrap();
        let long = format!("https://example.org/{}", "a".repeat(MAX_LINK_URL));
        let mut b = body();
        b["links"] = json!([
            {"title": "", "url": "javascript:alert(1)"},
            {"url": "https://example.org"},
            {"title": "Long", "url": long},
            {"title": "Extra", "url": "https://example.org", "kind": "pdf"},
            "https://example.org",
        ]);
        let errs = Event::parse(id.clone(), &b).unwrap_err();
        let names: Vec<_> = errs.0.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(
            names,
            [
                "links[0].title",
                "links[0].url",
                "links[1].title",
                "links[2].url",
                "links[3].kind",
                "links[4]"
            ]
        );
        for bad in [
            json!("https://example.org"),
            json!(vec![
                json!({"title": "T", "url": "https://e.org"});
                MAX_LINKS + 1
            ]),
        ] {
            let mut b = body();
            b["links"] = bad;
            let errs = Event::parse(id.clone(), &b).unwrap_err();
            let names: Vec<_> = errs.0.iter().map(|e| e.field.as_str()).collect();
            assert_eq!(names, ["links"]);
        }
    }

    #[test]
    fn an_event_stored_before_links_existed_reads_with_none() {
        let e = Event::parse(EventId::parse("ws").unwrap(), &body()).unwrap();
        let mut stored = serde_json::to_value(&e).unwrap();
        stored.as_object_mut().unwrap().remove("links");
        let back: Event = serde_json::from_value(stored).unwrap();
        assert_eq!(back, e);
    }

    #[test]
    fn an_event_is_public_unless_the_organiser_says_unlisted_or_draft() {
        let id = EventId::parse("ws").unwrap();
        assert_eq!(
            Event::parse(id.clone(), &body()).unwrap().visibility,
            Visibility::Public
        );
        for v in Visibility::ALL {
            let mut b = body();
            b["visibility"] = json!(v.code());
            assert_eq!(Event::parse(id.clone(), &b).unwrap().visibility, v);
            assert_eq!(Visibility::parse(v.code()), Ok(v));
        }
    }

    #[test]
    fn an_unknown_visibility_is_a_problem_named_visibility() {
        for bad in [
            json!("hidden"),
            json!("Public"),
            json!(""),
            json!(true),
            json!(["draft"]),
        ] {
            let mut b = body();
            b["visibility"] = bad.clone();
            let errs = Event::parse(EventId::parse("ws").unwrap(), &b).unwrap_err();
            let names: Vec<_> = errs.0.iter().map(|e| e.field.as_str()).collect();
            assert_eq!(names, ["visibility"], "{bad}");
        }
    }

    #[test]
    fn an_event_stored_before_visibility_existed_reads_as_public() {
        let mut e = Event::parse(EventId::parse("ws").unwrap(), &body()).unwrap();
        e.visibility = Visibility::Draft;
        let mut stored = serde_json::to_value(&e).unwrap();
        assert_eq!(stored["visibility"], "draft");
        stored.as_object_mut().unwrap().remove("visibility");
        let old: Event = serde_json::from_value(stored).unwrap();
        assert_eq!(old.visibility, Visibility::Public);
    }

    #[test]
    fn the_read_only_times_a_get_shows_are_taken_back_and_ignored_but_must_be_instants() {
        let plain = Event::parse(EventId::parse("ws").unwrap(), &body()).unwrap();
        let mut b = body();
        b["created_at"] = json!("2021-08-23T08:00:00Z");
        b["updated_at"] = json!(null);
        assert_eq!(
            Event::parse(EventId::parse("ws").unwrap(), &b).unwrap(),
            plain
        );
        b["updated_at"] = json!("yesterday");
        b["created_at"] = json!(3);
        let errs = Event::parse(EventId::parse("ws").unwrap(), &b).unwrap_err();
        let names: Vec<_> = errs.0.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(names, ["created_at", "updated_at"]);
    }

    #[test]
    fn a_one_day_reminder_keeps_the_wall_clock_time_across_a_dst_change() {
        let zone = Zone::parse("Europe/Zurich").unwrap();
        // Clocks went back at 03:00 on 31 October 2021; a 10:00 CET (+01:00) start that day.
        let start: Timestamp = "2021-10-31T09:00:00Z".parse().unwrap();
        let due = ReminderOffset::parse("P1D")
            .unwrap()
            .due_before(start, &zone)
            .unwrap();
        // 10:00 CEST (+02:00) on 30 October is 08:00Z: 25 hours earlier, same wall clock.
        assert_eq!(due.to_string(), "2021-10-30T08:00:00Z");
    }

    #[test]
    fn registration_is_open_only_inside_its_window() {
        let w = RegistrationWindow {
            opens_at: Some("2021-08-01T00:00:00Z".parse().unwrap()),
            closes_at: Some("2021-09-08T12:00:00Z".parse().unwrap()),
        };
        assert!(!w.is_open("2021-07-31T23:59:59Z".parse().unwrap()));
        assert!(w.is_open("2021-08-23T08:00:00Z".parse().unwrap()));
        assert!(!w.is_open("2021-09-08T12:00:00Z".parse().unwrap()));
    }
}
