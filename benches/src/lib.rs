//! Shared pieces of the benchmarks: a store-call counting [`Table`](plenary::store::Table),
//! a generated 200-session programme, and the apps of the functions wired in process over one
//! memory store (as `tests/tests/notifications_job.rs` does).

pub mod counting;
pub mod simulation;

use std::sync::Arc;

use jiff::Timestamp;
use plenary::clock::ManualClock;
use plenary::config::{BaseUrl, CorsConfig};
use plenary::domain::{
    Application, Event, EventId, Programme, Publication, Registration, RegistrationId, Status,
};
use plenary::mail::Mailer;
use plenary::store::{
    Change, EventWriter, ProgrammeReader, ProgrammeWriter, RegistrationStore, Table, TableStore,
};
use plenary::token::OsTokenSource;
use plenary::wiring::Services;
use plenary::{Clock, Config};
use serde_json::{Value, json};

pub use counting::{Call, Calls, CountingTable};

/// The benchmark event: two days, registration open under [`CLOCK`].
pub const EVENT: &str = "bench-2030";
/// The clock the apps run on: registration is open, the event years ahead.
pub const CLOCK: &str = "2021-08-23T08:00:00Z";
/// The one-day reminder's moment for [`EVENT`].
pub const REMINDER_DUE: &str = "2030-03-09T08:00:00Z";

pub fn at(s: &str) -> Timestamp {
    s.parse().expect("an RFC 3339 instant")
}

pub fn event_json() -> Value {
    json!({
        "title": "Benchmark workshop on quality of service",
        "description": "Two days, four rooms, two hundred sessions.",
        "timezone": "Europe/Zurich",
        "starts_at": "2030-03-10T08:00:00+01:00",
        "ends_at": "2030-03-11T18:00:00+01:00",
        "format": "virtual",
        "languages": ["en", "fr", "es"],
        "registration": {"opens_at": "2021-01-01T00:00:00Z"},
        "contact": {"name": "Bench", "email": "bench@plenary.test"},
        "waitlist": false,
        "approval_required": false,
        "eligibility": {"categories": ["academia", "individual", "member_state", "sector_member"],
                        "itu_member_states_only": true},
        "reminders": ["P1D"],
    })
}

pub fn event() -> Event {
    Event::parse(EventId::parse(EVENT).expect("an id"), &event_json()).expect("a valid event")
}

const TRACKS: [&str; 4] = ["Room A", "Room B", "Room C", "Room D"];
const LOREM: &str = "Measurement campaigns, crowdsourced data and regulatory benchmarks of mobile \
    and fixed service quality: methods, pitfalls and lessons from national regulators, operators \
    and academia, with a view to harmonised key performance indicators and comparable results.";

/// A programme of `sessions` sessions over the event's two days in four rooms of 20-minute
/// slots (at most 2 × 4 × 30), with `speakers` speakers, two or three per session.
pub fn programme_json(sessions: usize, speakers: usize) -> Value {
    let speakers_json: Vec<Value> = (0..speakers)
        .map(|i| {
            json!({"id": format!("speaker-{i}"), "name": format!("Speaker Number {i}"),
                   "affiliation": format!("Administration {i}, Ministry of ICT"),
                   "bio": format!("Speaker {i} leads the quality-of-service unit. {LOREM}")})
        })
        .collect();
    let per_day = sessions.div_ceil(2);
    let mut list = Vec::with_capacity(sessions);
    for n in 0..sessions {
        let (day, k) = (n / per_day, n % per_day);
        let (track, slot) = (k % TRACKS.len(), k / TRACKS.len());
        let start = at(&format!("2030-03-{}T07:00:00Z", 10 + day))
            .checked_add(jiff::SignedDuration::from_mins(20 * slot as i64))
            .expect("in range");
        let end = start
            .checked_add(jiff::SignedDuration::from_mins(20))
            .expect("in range");
        let panel = n % 5 == 0;
        let who: Vec<Value> = (0..if panel { 3 } else { 2 })
            .map(|j| {
                json!({"id": format!("speaker-{}", (n * 3 + j) % speakers),
                       "role": if panel && j == 0 { "moderator" } else { "speaker" }})
            })
            .collect();
        list.push(json!({
            "id": format!("s{n:03}"),
            "title": format!("Session {n}: service quality evaluation and benchmarking, part {}", n % 7 + 1),
            "kind": if panel { "panel" } else { "talk" },
            "track": TRACKS[track],
            "starts_at": start.to_string(),
            "ends_at": end.to_string(),
            "abstract": LOREM,
            "speakers": who,
        }));
    }
    json!({"speakers": speakers_json, "sessions": list})
}

/// The event with a published programme of `sessions` sessions: version 1, then a version 2
/// that retitles three sessions (so the latest document carries a short change list, as a
/// real programme's latest version does).
pub async fn publish(store: &TableStore, sessions: usize, now: Timestamp) -> Event {
    let event = event();
    store.put_event(&event, now).await.expect("event stored");
    let mut body = programme_json(sessions, 80);
    let v1 = Programme::parse(&event, &body).expect("a valid programme");
    store
        .publish(&event, &Publication::next(None, v1, now).expect("v1"))
        .await
        .expect("v1 published");
    for n in [3, 50, 120] {
        if let Some(s) = body["sessions"].get_mut(n) {
            s["title"] = json!(format!("Session {n} (updated)"));
        }
    }
    let v2 = Programme::parse(&event, &body).expect("a valid programme");
    let latest = store.latest(&event.id).await.expect("read").expect("v1");
    store
        .publish(
            &event,
            &Publication::next(Some(&latest.publication), v2, now).expect("v2"),
        )
        .await
        .expect("v2 published");
    event
}

/// A seed file for `plenary-local --seed`: the bundled seed's clock and the benchmark event
/// with a published programme of `sessions` sessions.
pub fn seed_json(sessions: usize) -> Value {
    json!({
        "source": "generated by plenary-benches (bench-seed)",
        "clock": CLOCK,
        "events": [{"id": EVENT, "event": event_json(),
                    "programme": {"draft": programme_json(sessions, 80), "publish": true}}],
    })
}

pub fn cors() -> CorsConfig {
    CorsConfig {
        allowed_origins: vec!["https://site.test".into()],
    }
}

pub fn clock() -> Arc<ManualClock> {
    Arc::new(ManualClock::at(at(CLOCK)))
}

/// The apps' configuration: links to `https://site.test` and `https://api.test`, CORS for the
/// site, and no cap on registrations (the benches send far more than a minute's share under a
/// clock that stands still).
pub fn config() -> Config {
    let mut config = Config::local(
        "plenary-bench",
        plenary::domain::Email::parse("events@plenary.test").expect("an address"),
        BaseUrl::parse("https://site.test").expect("a base URL"),
    );
    config.sender_name = "Plenary bench".into();
    config.api_url = BaseUrl::parse("https://api.test").expect("a base URL");
    config.cors = cors();
    config.registrations_per_event_per_minute = u32::MAX;
    config
}

fn services(store: &TableStore, clock: Arc<dyn Clock>) -> Services {
    Services::new(store.clone()).with_clock(clock)
}

pub fn programme_app(store: &TableStore, clock: Arc<dyn Clock>) -> plenary_programme::App {
    plenary_programme::App::new(&services(store, clock), &config())
}

pub fn registration_app(store: &TableStore, clock: Arc<dyn Clock>) -> plenary_registration::App {
    plenary_registration::App::new(&services(store, clock), &config()).expect("configured")
}

pub fn notifications_app(
    store: &TableStore,
    clock: Arc<dyn Clock>,
    mailer: Arc<dyn Mailer>,
    pacer: plenary_notifications::pace::Pacer,
) -> plenary_notifications::App {
    plenary_notifications::App::new(&services(store, clock), &config(), mailer, pacer)
        .expect("configured")
}

/// A registration body; `email` must be unique per registration to take the new-registration
/// path (a repeat address takes the reminder path instead).
pub fn person(email: &str) -> Value {
    json!({"email": email, "given_name": "Ada", "family_name": "Lovelace", "country": "GB",
           "organisation": "Analytical Engines", "category": "academia", "language": "en",
           "consent": true})
}

pub fn get(uri: &str) -> plenary::http::Request {
    http::Request::builder()
        .method("GET")
        .uri(uri)
        .body(lambda_http::Body::Empty)
        .expect("a request")
}

pub fn post_json(uri: &str, body: &Value) -> plenary::http::Request {
    http::Request::builder()
        .method("POST")
        .uri(uri)
        .header("content-type", "application/json")
        .body(lambda_http::Body::Text(body.to_string()))
        .expect("a request")
}

pub fn programme_path() -> String {
    format!("/v1/events/{EVENT}/programme")
}

pub fn registrations_path() -> String {
    format!("/v1/events/{EVENT}/registrations")
}

/// A memory store (optionally behind a counter) holding the benchmark event.
pub fn memory_table() -> Arc<dyn Table> {
    Arc::new(plenary::store::MemoryTable::new())
}

/// `n` confirmed registrations of `event` (ids `…{i:06}`), each holding its seat, written
/// directly as `tests/tests/notifications_job.rs` does: the registration rules are not what is
/// measured.
pub async fn confirmed(store: &TableStore, event: &Event, n: usize, now: Timestamp) {
    for i in 0..n {
        let language = ["en", "fr", "es"][i % 3];
        let app = Application::parse(
            event,
            &json!({"email": format!("r{i}@fanout.test"), "given_name": "R",
                    "family_name": format!("{i}"), "country": "CH", "organisation": "O",
                    "category": "academia", "language": language, "consent": true}),
        )
        .expect("a valid application");
        let id = RegistrationId::parse(&format!("01J00000000000000000{i:06}")).expect("a ULID");
        let mut r = Registration::new(id, event.id.clone(), &app, now);
        r.status = Status::Confirmed;
        r.confirm_by = None;
        r.confirmed_at = Some(now);
        let mut ch = Change::new();
        ch.save(event, None, &r).expect("a change");
        ch.take_seat(&event.id, plenary::domain::Pool::Event, None);
        store.commit(ch).await.expect("committed");
    }
}

/// A confirmation token for the live registration of `email`, granted directly (what the
/// notifications job does when it sends the confirmation email).
pub async fn grant_confirmation_token(
    store: &TableStore,
    event: &EventId,
    email: &str,
) -> plenary::token::Token {
    use plenary::TokenSource;
    let email = plenary::domain::Email::parse(email).expect("an address");
    let s = store
        .by_email(event, &email)
        .await
        .expect("read")
        .expect("registered");
    let token = OsTokenSource.new_token();
    let mut ch = Change::new();
    ch.grant_token(&token.hash(), &s.registration);
    store.commit(ch).await.expect("granted");
    token
}

/// Peak resident set of this process (VmHWM), in KiB.
pub fn peak_rss_kib() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
}

/// An organiser app over `store` with a published event, its deployment token and a viewer's
/// session on that event: the role check's cost, in store calls and in time.
pub struct OrganiserWorld {
    pub app: plenary_organiser::App,
    pub deployment: String,
    pub session: String,
    /// The event's draft: a GET any role may make.
    pub path: String,
}

impl OrganiserWorld {
    pub fn draft_get(&self, bearer: &str) -> plenary::http::Request {
        let mut req = get(&self.path);
        req.headers_mut().insert(
            "authorization",
            format!("Bearer {bearer}").parse().expect("a header value"),
        );
        req
    }
}

pub async fn organiser_world(store: &TableStore) -> OrganiserWorld {
    use plenary::domain::{EventId, Line, Member, Organiser, Role, SESSION_LIFETIME, Via};
    use plenary::store::{Credential, Credentials, Directory};
    use plenary::token::{OsTokenSource, TokenHash, TokenSource};

    let now = at(CLOCK);
    publish(store, 20, now).await;
    let email = plenary::domain::Email::parse("chair@bench.test").expect("an address");
    let name = Line::parse("Chair").expect("a name");
    let organiser = Organiser {
        email: email.clone(),
        name: name.clone(),
        administrator: false,
        created_at: now,
        generation: "g1".into(),
    };
    let member = Member {
        email: email.clone(),
        name,
        role: Role::Viewer,
        added_at: now,
        added_by: None,
    };
    let event = EventId::parse(EVENT).expect("an event id");
    store
        .put_member(&event, &member, Some(&organiser))
        .await
        .expect("a member");
    let session = OsTokenSource.new_token();
    let credential = Credential {
        via: Via::Session,
        owner: email,
        generation: "g1".into(),
        expires_at: now + SESSION_LIFETIME,
        read_only: false,
        token_id: None,
    };
    store
        .put_session(&session.hash(), &credential)
        .await
        .expect("a session");
    let deployment = "bench-deployment-token-0123456789abcdefghij".to_owned();
    let mut config = config();
    config.organiser_token_hash = Some(TokenHash::of(&deployment));
    let app = plenary_organiser::App::new(&services(store, clock()), &config).expect("configured");
    OrganiserWorld {
        app,
        deployment,
        session: session.expose().to_owned(),
        path: format!("/v1/admin/events/{EVENT}/programme/draft"),
    }
}

/// `n` confirmed registrations of `event` ([`confirmed`]), of which every second one used its
/// personal join link: once on the first day and, for every fourth, again on the second (the
/// counters the join redirect writes, through the same store call).
pub async fn attended(store: &TableStore, event: &Event, n: usize, now: Timestamp) {
    confirmed(store, event, n, now).await;
    let days = event.local_dates();
    let (first, second) = (days[0], days[days.len() - 1]);
    for i in (0..n).step_by(2) {
        let id = RegistrationId::parse(&format!("01J00000000000000000{i:06}")).expect("a ULID");
        let read = || async {
            store
                .registration(&event.id, &id)
                .await
                .expect("read")
                .expect("registered")
        };
        store
            .record_join_use(Some(event), &read().await, first, event.starts_at)
            .await
            .expect("a join");
        if i % 4 == 0 {
            let later = event.ends_at - jiff::SignedDuration::from_hours(1);
            store
                .record_join_use(Some(event), &read().await, second, later)
                .await
                .expect("a join");
        }
    }
}

/// An organiser app over `store` with its deployment token, and a GET of `path` by it.
pub fn organiser_app(store: &TableStore) -> (plenary_organiser::App, String) {
    let deployment = "bench-deployment-token-0123456789abcdefghij".to_owned();
    let mut config = config();
    config.organiser_token_hash = Some(plenary::token::TokenHash::of(&deployment));
    let app = plenary_organiser::App::new(&services(store, clock()), &config).expect("configured");
    (app, deployment)
}

/// A GET of `path` with `bearer`.
pub fn get_with(path: &str, bearer: &str) -> plenary::http::Request {
    let mut req = get(path);
    req.headers_mut().insert(
        "authorization",
        format!("Bearer {bearer}").parse().expect("a header value"),
    );
    req
}
