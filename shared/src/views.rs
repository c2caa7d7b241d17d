//! The public JSON shapes of events and programmes (the response bodies of the OpenAPI
//! document), shared by the functions that show them: programme reads, organiser answers and
//! notification digests.

use crate::domain::form::{Expected, Labels};
use crate::domain::{
    AnnouncementSummary, Audience, Category, Change, ChangeKind, Event, EventFormat, JoinInfo,
    Language, Material, MaterialKind, NotificationChoices, Programme, Publication, Registration,
    Session, SessionKind, Speaker, Status, Visibility, Zone,
};
use crate::domain::{Answers, InPerson, Participation, Question, QuestionKind};
use crate::store::Written;
use jiff::Timestamp;
use schemars::JsonSchema;
use serde::Serialize;
use serde_json::{Map, Value, json};
use std::collections::BTreeMap;

mod people;
pub use people::*;

/// Instants go out as RFC 3339 with the event's own offset, so a reader sees local times.
fn local(e: &Event, t: Timestamp) -> String {
    at(&e.timezone, t)
}

#[derive(Debug, Serialize, JsonSchema)]
pub struct EventList {
    pub events: Vec<EventSummary>,
}

#[derive(Debug, Serialize, JsonSchema)]
pub struct RegistrationView {
    pub opens_at: Option<String>,
    pub closes_at: Option<String>,
    pub open: bool,
}

impl RegistrationView {
    fn of(e: &Event, now: Timestamp) -> Self {
        Self {
            opens_at: e.registration.opens_at.map(|t| local(e, t)),
            closes_at: e.registration.closes_at.map(|t| local(e, t)),
            open: e.registration.is_open(now),
        }
    }
}

#[derive(Debug, Serialize, JsonSchema)]
pub struct EventSummary {
    pub id: String,
    pub title: String,
    pub starts_at: String,
    pub ends_at: String,
    pub timezone: String,
    pub registration: RegistrationView,
}

impl EventSummary {
    pub fn of(e: &Event, now: Timestamp) -> Self {
        Self {
            id: e.id.to_string(),
            title: e.title.to_string(),
            starts_at: local(e, e.starts_at),
            ends_at: local(e, e.ends_at),
            timezone: e.timezone.name().to_owned(),
            registration: RegistrationView::of(e, now),
        }
    }
}

#[derive(Debug, Serialize, JsonSchema)]
pub struct ContactView {
    pub name: String,
    pub email: String,
}

/// One of the event's documents.
#[derive(Debug, Serialize, JsonSchema)]
pub struct LinkView {
    pub title: String,
    #[schemars(extend("format" = "uri"))]
    pub url: String,
}

#[derive(Debug, Serialize, JsonSchema)]
pub struct EventView {
    pub id: String,
    pub title: String,
    pub description: String,
    pub timezone: String,
    pub starts_at: String,
    pub ends_at: String,
    pub format: EventFormat,
    pub languages: Vec<Language>,
    pub registration: RegistrationView,
    pub contact: Option<ContactView>,
    /// The event's documents (its circular, for one), in the organiser's order.
    pub links: Vec<LinkView>,
    pub capacity: Option<u32>,
    pub waitlist: bool,
    pub approval_required: bool,
    /// `public` or `unlisted` (a draft is never shown): a website may keep an unlisted event's
    /// page out of search engines.
    pub visibility: Visibility,
    /// The registration form's questions, in order; the registration body answers them in
    /// `answers`.
    pub questions: Vec<QuestionView>,
    /// A hybrid event's room (null for other events): its own seats, waiting list and
    /// venue; `capacity` and `waitlist` above are then the remote ones.
    pub in_person: Option<InPersonView>,
    /// A hybrid event's seats left now in each mode (null in a mode: unlimited), for a form
    /// asking "in person or remote"; null for other events. Cached like the rest of the event
    /// (a minute), so a count, not a promise: the confirmation decides.
    pub seats_left: Option<SeatsLeftView>,
    /// Whether the event is over (its end has passed): a website then leads with its
    /// presentations and recordings and says it has ended instead of offering the form.
    pub ended: bool,
}

#[derive(Debug, Serialize, JsonSchema)]
pub struct SeatsLeftView {
    pub in_person: Option<u64>,
    pub remote: Option<u64>,
}

/// A hybrid event's room, as `PUT /v1/admin/events/{id}` takes it and the event shows it.
#[derive(Debug, Serialize, serde::Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct InPersonView {
    /// Seats in the room; absent or null is unlimited.
    #[schemars(range(min = 1, max = 1000000))]
    #[serde(default)]
    pub capacity: Option<u32>,
    /// Whether registrants find a place in the room's own queue when it is full (default
    /// false).
    #[serde(default)]
    pub waitlist: bool,
    /// Named in the in-person participants' reminders and calendars (LOCATION).
    #[serde(default)]
    pub venue: Option<VenueView>,
}

#[derive(Debug, Serialize, serde::Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct VenueView {
    #[schemars(length(min = 1, max = 200))]
    pub name: String,
    #[schemars(length(min = 1, max = 500))]
    #[serde(default)]
    pub address: Option<String>,
}

impl InPersonView {
    pub fn of(room: &InPerson) -> Self {
        Self {
            capacity: room.capacity,
            waitlist: room.waitlist,
            venue: room.venue.as_ref().map(|v| VenueView {
                name: v.name.to_string(),
                address: v.address.as_ref().map(|a| a.as_str().to_owned()),
            }),
        }
    }
}

/// One question of a registration form, as `PUT /v1/admin/events/{id}` takes it and the event
/// shows it.
#[derive(Debug, Serialize, serde::Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct QuestionView {
    /// Unique in the form: the key of its answer in `answers`.
    #[schemars(regex(pattern = r"^[a-z0-9][a-z0-9_-]{0,63}$"))]
    pub id: String,
    pub kind: QuestionKind,
    /// Whether a registrant it applies to must answer it (default false).
    #[serde(default)]
    pub required: bool,
    /// Per language; `en` is required and stands in for a missing language.
    pub label: BTreeMap<Language, String>,
    /// `choice` and `choices` only (and required there): at most 50.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub options: Option<Vec<OptionView>>,
    /// `text` (1 to 1000, default 200) and `paragraph` (1 to 10000, default 2000) only.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_length: Option<u32>,
    /// The question applies only when an earlier `choice` or `boolean` question's answer
    /// equals `equals` (an option id or a boolean); otherwise it must not be answered.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub shown_if: Option<ConditionView>,
}

#[derive(Debug, Serialize, serde::Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct OptionView {
    #[schemars(regex(pattern = r"^[a-z0-9][a-z0-9_-]{0,63}$"))]
    pub id: String,
    pub label: BTreeMap<Language, String>,
}

#[derive(Debug, Serialize, serde::Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ConditionView {
    /// The id of an earlier `choice` or `boolean` question.
    pub question: String,
    pub equals: ExpectedView,
}

/// An option id of a `choice` question, or true or false for a `boolean` one.
#[derive(Debug, Serialize, serde::Deserialize, JsonSchema)]
#[serde(untagged)]
pub enum ExpectedView {
    Flag(bool),
    Option(String),
}

fn labels(l: &Labels) -> BTreeMap<Language, String> {
    l.languages().map(|(k, v)| (k, v.to_owned())).collect()
}

impl QuestionView {
    pub fn of(q: &Question) -> Self {
        Self {
            id: q.id.to_string(),
            kind: q.kind,
            required: q.required,
            label: labels(&q.label),
            options: q.kind.has_options().then(|| {
                q.options
                    .iter()
                    .map(|o| OptionView {
                        id: o.id.to_string(),
                        label: labels(&o.label),
                    })
                    .collect()
            }),
            max_length: q.max_length,
            shown_if: q.shown_if.as_ref().map(|c| ConditionView {
                question: c.question.to_string(),
                equals: match &c.equals {
                    Expected::Flag(b) => ExpectedView::Flag(*b),
                    Expected::Option(o) => ExpectedView::Option(o.to_string()),
                },
            }),
        }
    }
}

impl EventView {
    pub fn of(e: &Event, now: Timestamp) -> Self {
        Self {
            id: e.id.to_string(),
            title: e.title.to_string(),
            description: e.description.as_str().to_owned(),
            timezone: e.timezone.name().to_owned(),
            starts_at: local(e, e.starts_at),
            ends_at: local(e, e.ends_at),
            format: e.format,
            languages: e.languages.clone(),
            registration: RegistrationView::of(e, now),
            contact: e.contact.as_ref().map(|c| ContactView {
                name: c.name.to_string(),
                email: c.email.to_string(),
            }),
            links: e
                .links
                .iter()
                .map(|l| LinkView {
                    title: l.title.to_string(),
                    url: l.url.clone(),
                })
                .collect(),
            capacity: e.capacity,
            waitlist: e.waitlist,
            approval_required: e.approval_required,
            visibility: e.visibility,
            questions: e.questions.iter().map(QuestionView::of).collect(),
            in_person: e.in_person.as_ref().map(InPersonView::of),
            seats_left: None,
            ended: e.has_ended(now),
        }
    }
}

/// `GET /v1/admin/events/{id}`: the very body `PUT` takes (one entry per name of
/// [`Event::FIELDS`], as stored, instants in the event's offset), so it can be edited and sent
/// back; plus when the event was first and last written (null when not recorded).
#[derive(Debug, Serialize)]
pub struct OrganiserEventView {
    #[serde(flatten)]
    pub fields: Map<String, Value>,
    pub created_at: Option<String>,
    pub updated_at: Option<String>,
}

impl OrganiserEventView {
    pub fn of(e: &Event, written: &Written) -> Self {
        Self {
            fields: Event::FIELDS
                .iter()
                .filter_map(|&name| Some((name.to_owned(), event_field(e, name)?)))
                .collect(),
            created_at: written.created_at.map(|t| t.to_string()),
            updated_at: written.updated_at.map(|t| t.to_string()),
        }
    }
}

/// The field `name` of the organiser's event body, as [`Event::parse`] reads it back: one line
/// per name of [`Event::FIELDS`] (a test holds them equal, and `None` is a name without one).
fn event_field(e: &Event, name: &str) -> Option<Value> {
    let local = |t: Timestamp| local(e, t);
    Some(match name {
        "title" => json!(e.title.as_str()),
        "description" => json!(e.description.as_str()),
        "timezone" => json!(e.timezone.name()),
        "starts_at" => json!(local(e.starts_at)),
        "ends_at" => json!(local(e.ends_at)),
        "format" => json!(e.format),
        "languages" => json!(e.languages),
        "registration" => json!({"opens_at": e.registration.opens_at.map(local),
                                 "closes_at": e.registration.closes_at.map(local)}),
        "contact" => json!(e.contact),
        "links" => json!(e.links),
        "capacity" => json!(e.capacity),
        "waitlist" => json!(e.waitlist),
        "approval_required" => json!(e.approval_required),
        "eligibility" => json!(e.eligibility),
        "reminders" => json!(e.reminders),
        "visibility" => json!(e.visibility),
        "registrations_per_email_domain_per_hour" => {
            json!(e.registrations_per_email_domain_per_hour)
        }
        "questions" => json!(e.questions.iter().map(QuestionView::of).collect::<Vec<_>>()),
        "in_person" => json!(e.in_person.as_ref().map(InPersonView::of)),
        _ => return None,
    })
}

/// `GET …/join-info`: what `PUT …/join-info` stored, in the shape it takes.
#[derive(Debug, Serialize, JsonSchema)]
pub struct JoinInfoView {
    pub url: String,
    pub passcode: Option<String>,
    pub dial_in: Option<String>,
    pub instructions: String,
    pub release_at: String,
    /// Whether registrants may see the details now (`release_at` has passed on the API's clock).
    pub released: bool,
}

impl JoinInfoView {
    pub fn of(info: &JoinInfo, now: Timestamp) -> Self {
        Self {
            url: info.url.clone(),
            passcode: info.passcode.as_ref().map(|p| p.as_str().to_owned()),
            dial_in: info.dial_in.as_ref().map(|d| d.as_str().to_owned()),
            instructions: info.instructions.as_str().to_owned(),
            // As the PUT's answer gives it.
            release_at: info.release_at.to_string(),
            released: info.is_released(now),
        }
    }
}

/// An instant shown in `zone`, RFC 3339 with that zone's offset at that instant.
pub fn at(zone: &Zone, t: Timestamp) -> String {
    zone.at(t).strftime("%Y-%m-%dT%H:%M:%S%:z").to_string()
}

#[derive(Debug, Serialize, JsonSchema)]
pub struct SpeakerRef {
    pub id: String,
    pub name: String,
    pub affiliation: Option<String>,
    pub role: String,
}

// What every view of a session shows (the programme, its changes and the draft), its times in
// `zone`; each view flattens it and adds its own form of the speakers. Not a doc comment: that
// would become the description of both views in the OpenAPI document.
#[derive(Debug, Serialize, JsonSchema)]
pub struct SessionFields {
    pub id: String,
    pub title: String,
    pub kind: SessionKind,
    pub track: Option<String>,
    pub starts_at: String,
    pub ends_at: String,
    #[serde(rename = "abstract")]
    pub summary: String,
    /// Slides, documents, recordings and links, public once published (`[]` when none).
    pub materials: Vec<MaterialView>,
}

/// A material as the programme, its changes and the draft show it.
#[derive(Debug, Serialize, JsonSchema)]
pub struct MaterialView {
    pub id: String,
    pub title: String,
    pub kind: MaterialKind,
    pub url: String,
    /// The language it is in; null when it names none.
    pub language: Option<Language>,
}

impl MaterialView {
    pub fn of(m: &Material) -> Self {
        Self {
            id: m.id.to_string(),
            title: m.title.to_string(),
            kind: m.kind,
            url: m.url.clone(),
            language: m.language,
        }
    }
}

impl SessionFields {
    pub fn of(s: &Session, zone: &Zone) -> Self {
        Self {
            id: s.id.to_string(),
            title: s.title.to_string(),
            kind: s.kind,
            track: s.track.as_ref().map(ToString::to_string),
            starts_at: at(zone, s.starts_at),
            ends_at: at(zone, s.ends_at),
            summary: s.summary.as_str().to_owned(),
            materials: s.materials.iter().map(MaterialView::of).collect(),
        }
    }
}

#[derive(Debug, Serialize, JsonSchema)]
pub struct SessionView {
    #[serde(flatten)]
    pub session: SessionFields,
    pub speakers: Vec<SpeakerRef>,
}

impl SessionView {
    pub fn of(s: &Session, programme: &Programme, zone: &Zone) -> Self {
        Self {
            session: SessionFields::of(s, zone),
            speakers: s
                .speakers
                .iter()
                .map(|sp| {
                    let known = programme.speaker(&sp.id);
                    SpeakerRef {
                        id: sp.id.to_string(),
                        name: known.map(|k| k.name.to_string()).unwrap_or_default(),
                        affiliation: known
                            .and_then(|k| k.affiliation.as_ref())
                            .map(ToString::to_string),
                        role: sp.role.to_string(),
                    }
                })
                .collect(),
        }
    }
}

#[derive(Debug, Serialize, JsonSchema)]
pub struct DayView {
    pub date: String,
    pub sessions: Vec<SessionView>,
}

#[derive(Debug, Serialize, JsonSchema)]
pub struct ProgrammeView {
    pub event_id: String,
    pub version: u32,
    pub published_at: String,
    pub timezone: String,
    pub days: Vec<DayView>,
}

impl ProgrammeView {
    /// The programme with every instant in `zone`, sessions grouped by their date there.
    pub fn of(event: &Event, p: &Publication, zone: &Zone) -> Self {
        let mut days: Vec<DayView> = Vec::new();
        for s in &p.programme.sessions {
            let date = zone.at(s.starts_at).date().to_string();
            let view = SessionView::of(s, &p.programme, zone);
            match days.last_mut() {
                Some(d) if d.date == date => d.sessions.push(view),
                _ => days.push(DayView {
                    date,
                    sessions: vec![view],
                }),
            }
        }
        Self {
            event_id: event.id.to_string(),
            version: p.version,
            published_at: at(zone, p.published_at),
            timezone: zone.name().to_owned(),
            days,
        }
    }
}

#[derive(Debug, Serialize, JsonSchema)]
pub struct VersionView {
    pub version: u32,
    pub published_at: String,
    pub summary: String,
}

#[derive(Debug, Serialize, JsonSchema)]
pub struct ChangeView {
    pub change: ChangeKind,
    pub session_id: String,
    pub title: String,
    pub before: Option<SessionView>,
    pub after: Option<SessionView>,
    /// The materials the session gained (a new one, or a new address), which the digest names.
    pub new_materials: Vec<MaterialView>,
}

impl ChangeView {
    pub fn of(c: &Change, old: &Programme, new: &Programme, zone: &Zone) -> Self {
        Self {
            change: c.change,
            session_id: c.session_id.to_string(),
            title: c.title.clone(),
            before: c.before.as_ref().map(|s| SessionView::of(s, old, zone)),
            after: c.after.as_ref().map(|s| SessionView::of(s, new, zone)),
            new_materials: c
                .new_materials()
                .into_iter()
                .map(MaterialView::of)
                .collect(),
        }
    }
}

#[derive(Debug, Serialize, JsonSchema)]
pub struct SpeakerView {
    pub id: String,
    pub name: String,
    pub affiliation: Option<String>,
    pub bio: String,
    pub sessions: Vec<String>,
}

impl SpeakerView {
    pub fn of(s: &Speaker, programme: &Programme) -> Self {
        Self {
            id: s.id.to_string(),
            name: s.name.to_string(),
            affiliation: s.affiliation.as_ref().map(ToString::to_string),
            bio: s.bio.as_str().to_owned(),
            sessions: programme
                .sessions
                .iter()
                .filter(|x| x.speakers.iter().any(|sp| sp.id == s.id))
                .map(|x| x.id.to_string())
                .collect(),
        }
    }
}

#[derive(Debug, Serialize, JsonSchema)]
pub struct DraftSessionView {
    #[serde(flatten)]
    pub session: SessionFields,
    pub speakers: Vec<DraftSpeakerRef>,
}

#[derive(Debug, Serialize, JsonSchema)]
pub struct DraftSpeakerRef {
    pub id: String,
    pub role: String,
}

#[derive(Debug, Serialize, JsonSchema)]
pub struct DraftSpeakerView {
    pub id: String,
    pub name: String,
    pub affiliation: Option<String>,
    pub bio: String,
}

/// A draft in the very shape `PUT …/programme/draft` takes, so it can be edited and sent back.
#[derive(Debug, Serialize, JsonSchema)]
pub struct DraftView {
    pub speakers: Vec<DraftSpeakerView>,
    pub sessions: Vec<DraftSessionView>,
}

impl DraftView {
    pub fn of(p: &Programme, zone: &Zone) -> Self {
        Self {
            speakers: p
                .speakers
                .iter()
                .map(|s| DraftSpeakerView {
                    id: s.id.to_string(),
                    name: s.name.to_string(),
                    affiliation: s.affiliation.as_ref().map(ToString::to_string),
                    bio: s.bio.as_str().to_owned(),
                })
                .collect(),
            sessions: p
                .sessions
                .iter()
                .map(|s| DraftSessionView {
                    session: SessionFields::of(s, zone),
                    speakers: s
                        .speakers
                        .iter()
                        .map(|sp| DraftSpeakerRef {
                            id: sp.id.to_string(),
                            role: sp.role.to_string(),
                        })
                        .collect(),
                })
                .collect(),
        }
    }
}

/// A registration as its owner and the organiser see it (`GET /v1/registrations/me`).
#[derive(Debug, Serialize, JsonSchema)]
pub struct RegistrantView {
    pub id: String,
    pub event_id: String,
    pub status: Status,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub waitlist_position: Option<u64>,
    pub email: Option<String>,
    pub given_name: Option<String>,
    pub family_name: Option<String>,
    pub country: String,
    pub organisation: Option<String>,
    pub category: Category,
    pub language: Language,
    pub accessibility_needs: Option<String>,
    pub notifications: NotificationChoices,
    /// Answers to the event's questions by question id (an option id, a list of them, a text
    /// or a boolean), including answers to questions the organiser has since removed; empty
    /// after an erasure.
    pub answers: BTreeMap<String, Value>,
    /// `in_person` or `remote` on a hybrid event (its own seats and waiting list); null on
    /// other events.
    pub participation: Option<Participation>,
    pub created_at: String,
    pub confirmed_at: Option<String>,
    pub updated_at: String,
}

fn answers_json(a: Option<&Answers>) -> BTreeMap<String, Value> {
    a.map(|a| a.iter().map(|(k, v)| (k.to_owned(), v.to_json())).collect())
        .unwrap_or_default()
}

impl RegistrantView {
    pub fn of(r: &Registration, waitlist_position: Option<u64>) -> Self {
        let p = r.person.as_ref();
        let utc = |t: Timestamp| t.to_string();
        Self {
            id: r.id.to_string(),
            event_id: r.event_id.to_string(),
            status: r.status,
            waitlist_position,
            email: p.map(|p| p.email.to_string()),
            given_name: p.map(|p| p.given_name.to_string()),
            family_name: p.map(|p| p.family_name.to_string()),
            country: r.country.to_string(),
            organisation: p.map(|p| p.organisation.to_string()),
            category: r.category,
            language: r.language,
            accessibility_needs: p
                .and_then(|p| p.accessibility_needs.as_ref())
                .map(|a| a.as_str().to_owned()),
            notifications: r.notifications,
            answers: answers_json(p.map(|p| &p.answers)),
            participation: r.participation,
            created_at: utc(r.created_at),
            confirmed_at: r.confirmed_at.map(utc),
            updated_at: utc(r.updated_at),
        }
    }
}

/// `GET …/programme/versions`.
#[derive(Debug, Serialize, JsonSchema)]
pub struct VersionList {
    pub versions: Vec<VersionView>,
}

/// `GET …/programme/changes?from=N[&to=M]`.
#[derive(Debug, Serialize, JsonSchema)]
pub struct ChangeList {
    pub from: u32,
    pub to: u32,
    pub changes: Vec<ChangeView>,
}

/// `GET …/speakers`.
#[derive(Debug, Serialize, JsonSchema)]
pub struct SpeakerList {
    pub speakers: Vec<SpeakerView>,
}

/// `PUT /v1/admin/events/{id}`.
#[derive(Debug, Serialize, JsonSchema)]
pub struct EventSaved {
    pub id: String,
    /// `created` or `replaced`.
    pub saved: String,
}

/// `POST …/programme/publish`.
#[derive(Debug, Serialize, JsonSchema)]
pub struct PublishedVersion {
    pub version: u32,
    pub changes: Vec<ChangeView>,
}

/// `PUT …/join-info`.
#[derive(Debug, Serialize, JsonSchema)]
pub struct JoinInfoSaved {
    pub event_id: String,
    pub release_at: String,
    pub released: bool,
}

/// `POST …/uploads`: the form to send the file with, and where it is then served.
#[derive(Debug, Serialize, JsonSchema)]
pub struct UploadGranted {
    pub upload: UploadFormView,
    /// Where the file is served, publicly, once sent: a session material's `url`.
    pub file_url: String,
    /// Until when the form may be used.
    pub expires_at: String,
    /// The storage key the file is kept under.
    pub key: String,
    pub upload_id: String,
}

/// Send `multipart/form-data` to `url`: every entry of `fields`, then the file as `file`.
#[derive(Debug, Serialize, JsonSchema)]
pub struct UploadFormView {
    pub url: String,
    /// Always `POST`.
    pub method: String,
    pub fields: std::collections::BTreeMap<String, String>,
}

impl UploadGranted {
    pub fn of(form: &crate::files::UploadForm, upload: &crate::domain::Upload) -> Self {
        Self {
            upload: UploadFormView {
                url: form.url.clone(),
                method: "POST".to_owned(),
                fields: form.fields.iter().cloned().collect(),
            },
            file_url: upload.file_url.clone(),
            expires_at: upload.expires_at.to_string(),
            key: upload.key.clone(),
            upload_id: upload.id.clone(),
        }
    }
}

/// `GET …/programme/draft/changes`: the shape of `…/programme/changes`, from the latest version
/// to the one publishing now would make, and how many registrants its digest would reach.
#[derive(Debug, Serialize, JsonSchema)]
pub struct DraftChanges {
    #[serde(flatten)]
    pub changes: ChangeList,
    pub notified: u64,
}

/// `GET /v1/admin/events/{id}/registrations`.
#[derive(Debug, Serialize, JsonSchema)]
pub struct RegistrationPageView {
    pub registrations: Vec<RegistrantView>,
    pub next_cursor: Option<String>,
}

#[derive(Debug, Serialize, JsonSchema)]
pub struct MailCountsView {
    pub queued: u64,
    pub sent: u64,
    pub failed: u64,
    pub suppressed: u64,
}

/// `GET /v1/admin/events/{id}/stats`.
#[derive(Debug, Serialize, JsonSchema)]
pub struct StatsView {
    pub event_id: String,
    pub total: u64,
    pub by_status: std::collections::BTreeMap<String, u64>,
    /// Unconfirmed registrations past their 48 hours (not in `by_status`).
    pub lapsed_unconfirmed: u64,
    /// Registration requests for an address already registered, each of which mailed its
    /// holder their link again (not counted in `total`). Many suggest the confirmation email is
    /// not arriving.
    pub asked_again: u64,
    pub by_category: std::collections::BTreeMap<String, u64>,
    pub by_country: std::collections::BTreeMap<String, u64>,
    pub by_language: std::collections::BTreeMap<String, u64>,
    /// Registrations made on each day (`YYYY-MM-DD` in the event's zone; days without one are
    /// absent), whatever became of them: the values add up to `total`.
    pub registrations_by_day: std::collections::BTreeMap<String, u64>,
    pub capacity: Option<u32>,
    pub seats_taken: u64,
    pub emails: MailCountsView,
    /// For each `choice`, `choices` and `boolean` question (removed ones too, when answered):
    /// live registrations by option id, or by `true` and `false`.
    pub answers: BTreeMap<String, BTreeMap<String, u64>>,
    pub attendance: AttendanceCounts,
    /// Hybrid events: live registrations by `participation` (`in_person`, `remote`); empty
    /// for other events.
    pub by_participation: BTreeMap<String, u64>,
    /// Hybrid events: the room's seats (`capacity` and `seats_taken` above are the remote
    /// ones); null for other events.
    pub in_person: Option<RoomStatsView>,
}

/// Confirmed registrants who used their personal join link at least once, and those who did
/// not (a use counts as attending).
#[derive(Debug, Serialize, JsonSchema)]
pub struct AttendanceCounts {
    pub attended: u64,
    pub absent: u64,
}

/// `GET …/attendance`: how many attended each day (`YYYY-MM-DD` in the event's zone: every
/// day of the event, and any other day a link was used), and each registrant's joins.
#[derive(Debug, Serialize, JsonSchema)]
pub struct AttendanceView {
    pub event_id: String,
    /// The event's zone, in which the days are counted and the instants shown.
    pub timezone: String,
    pub days: Vec<AttendanceDay>,
    /// Every confirmed registrant, and anyone else whose link was used, in registration order.
    pub registrants: Vec<AttendeeView>,
}

#[derive(Debug, Serialize, JsonSchema)]
pub struct AttendanceDay {
    pub date: String,
    /// Registrants who used their join link that day.
    pub attended: u64,
}

#[derive(Debug, Serialize, JsonSchema)]
pub struct AttendeeView {
    pub registration_id: String,
    /// Null once the registrant's personal data is erased (so are `family_name` and `email`).
    pub given_name: Option<String>,
    pub family_name: Option<String>,
    pub email: Option<String>,
    pub status: Status,
    /// Uses of their personal join link.
    pub joins: u64,
    pub first_join_at: Option<String>,
    pub last_join_at: Option<String>,
    /// The days attended, in order.
    pub days: Vec<String>,
}

/// The room of a hybrid event in `stats`.
#[derive(Debug, Serialize, JsonSchema)]
pub struct RoomStatsView {
    /// Null: unlimited.
    pub capacity: Option<u32>,
    pub seats_taken: u64,
}

/// `POST …/announcements`.
#[derive(Debug, Serialize, JsonSchema)]
pub struct AnnouncementAccepted {
    pub announcement_id: String,
    pub recipients: u64,
}

/// `POST …/announcements/preview`: the announcement as a registrant reading `language` gets it
/// by email, rendered by the mail job's templates (the unsubscribe link's token a placeholder).
#[derive(Debug, Serialize, JsonSchema)]
pub struct AnnouncementPreview {
    pub language: Language,
    /// The email's subject line.
    pub subject: String,
    /// The plain-text part.
    pub text: String,
    /// The HTML part, a whole document.
    pub html: String,
}

impl AnnouncementPreview {
    pub fn of(language: Language, rendered: crate::mail::templates::Rendered) -> Self {
        Self {
            language,
            subject: rendered.subject,
            text: rendered.text,
            html: rendered.html,
        }
    }
}

/// `GET …/announcements`, newest first.
#[derive(Debug, Serialize, JsonSchema)]
pub struct AnnouncementList {
    pub announcements: Vec<AnnouncementView>,
}

#[derive(Debug, Serialize, JsonSchema)]
pub struct AnnouncementView {
    pub announcement_id: String,
    /// Per language, as it was posted (English always among them).
    pub subject: std::collections::BTreeMap<Language, String>,
    pub audience: Audience,
    pub created_at: String,
    /// The organiser's email; null for the deployment's token.
    pub created_by: Option<String>,
    /// Whom it reached when it was accepted, as the POST answered.
    pub recipients: u64,
    /// Messages sent so far.
    pub sent: u64,
}

impl AnnouncementView {
    pub fn of(a: &AnnouncementSummary, sent: u64) -> Self {
        Self {
            announcement_id: a.id.clone(),
            subject: a.subject.iter().cloned().collect(),
            audience: a.audience,
            created_at: a.created_at.to_string(),
            created_by: a.created_by.as_ref().map(ToString::to_string),
            recipients: a.recipients,
            sent,
        }
    }
}

/// `202` of the public registration routes, whatever happened (no enumeration).
#[derive(Debug, Serialize, JsonSchema)]
pub struct CheckEmail {
    /// Always `check_email`.
    pub status: String,
}

impl CheckEmail {
    pub fn new() -> Self {
        Self {
            status: "check_email".to_owned(),
        }
    }
}

impl Default for CheckEmail {
    fn default() -> Self {
        Self::new()
    }
}

/// `DELETE /v1/registrations/me`.
#[derive(Debug, Serialize, JsonSchema)]
pub struct Cancelled {
    /// Always `cancelled`.
    pub status: String,
    pub erased: bool,
}

/// `GET /v1/registrations/me/join`.
#[derive(Debug, Serialize, JsonSchema)]
pub struct JoinDetailsView {
    pub personal_url: String,
    pub passcode: Option<String>,
    pub dial_in: Option<String>,
    pub instructions: String,
    pub release_at: String,
}

/// `POST /v1/registrations/me/calendar-feed`: the subscribable URL of the personal calendar.
#[derive(Debug, Serialize, JsonSchema)]
pub struct CalendarFeed {
    /// `{api}/v1/calendar-feeds/{token}`: anyone holding it reads the calendar, join details too.
    pub url: String,
    /// The same URL as `webcal://`, which calendar apps open as a subscription.
    pub webcal_url: String,
}

/// `POST /v1/unsubscribe`.
#[derive(Debug, Serialize, JsonSchema)]
pub struct Unsubscribed {
    /// Always `unsubscribed`.
    pub status: String,
    /// The notification choices now off: `reminders`, `programme_changes`, `announcements`.
    pub stopped: Vec<String>,
    /// The registrant's language, so a page can confirm in it.
    pub language: Language,
    /// The event the registration is for.
    pub event_id: String,
}

impl Unsubscribed {
    pub fn of(r: &Registration) -> Self {
        Self {
            status: "unsubscribed".to_owned(),
            stopped: CHOICES.map(str::to_owned).to_vec(),
            language: r.language,
            event_id: r.event_id.to_string(),
        }
    }
}

/// Every notification choice, by its field name.
const CHOICES: [&str; 3] = ["reminders", "programme_changes", "announcements"];

/// `POST /v1/unsubscribe/undo`.
#[derive(Debug, Serialize, JsonSchema)]
pub struct Resubscribed {
    /// Always `subscribed`.
    pub status: String,
    /// The notification choices on again, as they were before the unsubscription.
    pub notifications: NotificationChoices,
    /// The registrant's language, so a page can confirm in it.
    pub language: Language,
    /// The event the registration is for.
    pub event_id: String,
}

impl Resubscribed {
    pub fn of(r: &Registration) -> Self {
        Self {
            status: "subscribed".to_owned(),
            notifications: r.notifications,
            language: r.language,
            event_id: r.event_id.to_string(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::EventId;

    /// An event with every optional field set, none at its default.
    fn full_event() -> Event {
        Event::parse(
            EventId::parse("ws").unwrap(),
            &json!({"title": "ITU Workshop", "description": "Two afternoons.",
                    "timezone": "Europe/Zurich",
                    "starts_at": "2021-09-08T14:00:00+02:00", "ends_at": "2021-09-09T16:30:00+02:00",
                    "format": "hybrid", "languages": ["en", "fr"],
                    "registration": {"opens_at": "2021-08-01T00:00:00Z", "closes_at": "2021-09-07T12:00:00Z"},
                    "contact": {"name": "TSB Events", "email": "tsbevents@itu.int"},
                    "links": [{"title": "TSB Circular 331", "url": "https://www.itu.int/md/T17-TSB-CIR-0331/en"}],
                    "capacity": 1000, "waitlist": true, "approval_required": true,
                    "eligibility": {"categories": ["member_state"], "itu_member_states_only": true},
                    "reminders": ["P7D", "PT1H"]}),
        )
        .unwrap()
    }

    #[test]
    fn the_organisers_event_view_shows_every_field_the_put_takes_and_parses_back_to_the_event() {
        let e = full_event();
        let written = Written {
            created_at: Some("2021-08-23T08:00:00Z".parse().unwrap()),
            updated_at: Some("2021-08-24T09:30:00.5Z".parse().unwrap()),
        };
        let view = OrganiserEventView::of(&e, &written);
        for name in Event::FIELDS {
            assert!(view.fields.contains_key(*name), "{name} is not shown");
        }
        let body = serde_json::to_value(&view).unwrap();
        assert_eq!(body["starts_at"], "2021-09-08T14:00:00+02:00");
        assert_eq!(body["created_at"], "2021-08-23T08:00:00Z");
        assert_eq!(body["updated_at"], "2021-08-24T09:30:00.5Z");
        assert_eq!(Event::parse(e.id.clone(), &body).unwrap(), e);
    }

    #[test]
    fn the_public_event_shows_its_links_in_order_as_title_and_url() {
        let body =
            serde_json::to_value(EventView::of(&full_event(), Timestamp::UNIX_EPOCH)).unwrap();
        assert_eq!(
            body["links"],
            json!([{"title": "TSB Circular 331", "url": "https://www.itu.int/md/T17-TSB-CIR-0331/en"}])
        );
    }

    #[test]
    fn an_event_written_before_its_times_were_recorded_shows_them_as_null() {
        let body = serde_json::to_value(OrganiserEventView::of(&full_event(), &Written::default()))
            .unwrap();
        assert!(body["created_at"].is_null() && body["updated_at"].is_null());
        assert!(body.as_object().unwrap().contains_key("created_at"));
    }
}
