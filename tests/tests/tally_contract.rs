//! The organiser's counts from counters, on the memory store and on DynamoDB: after a random
//! run of registrations, confirmations, cancellations, waiting-list promotions, rejections,
//! changes through `PATCH /me` (language, answers, mode), unsubscriptions, join-link uses,
//! erasures and lapsed windows, `stats` and every announcement audience's reach equal a recount
//! over every registration (the computation stats made before counters, kept here) — at the
//! second an unconfirmed registration lapses too. An event whose counters are missing (made
//! before they were kept) is recounted once and counts from its counters after.

use std::collections::BTreeMap;
use std::sync::Arc;

use jiff::{SignedDuration, Timestamp};
use plenary::TokenSource;
use plenary::clock::ManualClock;
use plenary::domain::tally::{self, Tally};
use plenary::domain::{
    Answer, Audience, Event, EventId, Participation, Pool, QuestionKind, Registration, Status,
};
use plenary::store::{
    Change, EventWriter, MemoryTable, OutboxStore, RegistrationStore, Stored, Table, TableStore,
    Write,
};
use plenary::token::Token;
use plenary::usecases::Registrar;
use plenary::usecases::registrant::Intake;

/// Limits no test here reaches.
const WIDE_OPEN: Intake = Intake {
    per_minute: 10_000,
    mail_backlog: 1_000_000,
};
use plenary::usecases::mail::Recipients;
use plenary::usecases::organiser::registrations::{counts, everyone, stats};
use plenary::views;
use plenary_tests::dynamo_fixture;
use plenary_tests::flows::event_body;
use plenary_tests::on_both_stores;
use plenary_tests::stack::Store;
use serde_json::{Value, json};

on_both_stores!(
    after_a_random_run_of_changes_the_counts_equal_a_recount_of_every_registration,
    an_event_without_counters_is_recounted_once_and_counts_from_them_after,
);

fn at(s: &str) -> Timestamp {
    s.parse().unwrap()
}

const EVENT: &str = "counted";

fn event() -> Event {
    let mut e = event_body(Some(3), true, false);
    e["format"] = json!("hybrid");
    e["in_person"] = json!({"capacity": 2, "waitlist": true,
                            "venue": {"name": "Popov room", "address": "Place des Nations"}});
    e["questions"] = json!([
      {"id": "sg12", "kind": "boolean", "required": false, "label": {"en": "SG12 too?"}},
      {"id": "role", "kind": "choice", "required": true, "label": {"en": "Your role"},
       "options": [{"id": "regulator", "label": {"en": "Regulator"}},
                   {"id": "operator", "label": {"en": "Operator"}},
                   {"id": "other", "label": {"en": "Other"}}]},
      {"id": "role_other", "kind": "text", "required": true, "max_length": 200,
       "label": {"en": "Which role?"}, "shown_if": {"question": "role", "equals": "other"}},
      {"id": "topics", "kind": "choices", "required": false, "label": {"en": "Topics"},
       "options": [{"id": "qos", "label": {"en": "QoS"}}, {"id": "qoe", "label": {"en": "QoE"}}]}
    ]);
    Event::parse(EventId::parse(EVENT).unwrap(), &e).unwrap()
}

/// A small deterministic generator (xorshift), so a failing run can be repeated.
struct Dice(u64);

/// Names the variable that fixes the random run's seed, to repeat a failed run.
const SEED_VAR: &str = "PLENARY_TALLY_SEED";

impl Dice {
    /// Seeded from `PLENARY_TALLY_SEED` (decimal or 0x-hex), else from the time, the seed
    /// printed either way (the test shows it when it fails).
    fn seeded() -> Self {
        let seed = match std::env::var(SEED_VAR) {
            Ok(v) => {
                let v = v.trim();
                match v.strip_prefix("0x") {
                    Some(hex) => u64::from_str_radix(hex, 16),
                    None => v.parse(),
                }
                .unwrap_or_else(|e| panic!("{SEED_VAR}={v} is not a number: {e}"))
            }
            Err(_) => std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(1, |d| d.as_nanos() as u64),
        };
        println!("seed {seed:#x}: {SEED_VAR}={seed:#x} repeats this run");
        // xorshift never leaves zero.
        Self(seed.max(1))
    }

    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    fn pick<'a, T>(&mut self, of: &'a [T]) -> &'a T {
        &of[self.below(of.len())]
    }
}

/// Registration ids and tokens from a seed: ids made in one millisecond come in the seed's
/// order, and each falls in the seed's counter copy, as random ids do, yet a run can be
/// repeated (the clock is manual, so nothing else varies).
struct SeededIds(std::sync::Mutex<Dice>);

impl TokenSource for SeededIds {
    fn new_token(&self) -> Token {
        let n = self.0.lock().unwrap().next();
        Token::parse(&format!("seeded-token-{n:032x}")).unwrap()
    }

    fn new_ulid(&self, now_ms: u64) -> ulid::Ulid {
        let mut d = self.0.lock().unwrap();
        let random = (u128::from(d.next()) << 64) | u128::from(d.next());
        ulid::Ulid::from_parts(now_ms, random)
    }
}

fn answers(d: &mut Dice) -> Value {
    let mut a = serde_json::Map::new();
    let role = *d.pick(&["regulator", "operator", "other"]);
    a.insert("role".into(), json!(role));
    if role == "other" {
        a.insert(
            "role_other".into(),
            json!(format!("Role {}", d.below(1000))),
        );
    }
    if d.below(3) > 0 {
        a.insert("sg12".into(), json!(d.below(2) == 0));
    }
    let topics: Vec<&str> = ["qos", "qoe"]
        .into_iter()
        .filter(|_| d.below(2) == 0)
        .collect();
    if !topics.is_empty() {
        a.insert("topics".into(), json!(topics));
    }
    Value::Object(a)
}

struct World {
    table: Arc<dyn Table>,
    store: Arc<TableStore>,
    clock: Arc<ManualClock>,
    ids: SeededIds,
    join_key: plenary::token::JoinKey,
    event: Event,
}

impl World {
    async fn new(store: Store, name: &str) -> Self {
        let table: Arc<dyn Table> = match store {
            Store::Memory => Arc::new(MemoryTable::new()),
            Store::Dynamodb => Arc::new(dynamo_fixture::fresh_table(name).await),
        };
        let store = Arc::new(TableStore::new(table.clone()));
        let clock = Arc::new(ManualClock::at(at("2021-08-02T08:00:00Z")));
        let event = event();
        store
            .put_event(&event, at("2021-08-01T00:00:00Z"))
            .await
            .unwrap();
        Self {
            table,
            store,
            clock,
            ids: SeededIds(std::sync::Mutex::new(Dice::seeded())),
            join_key: plenary_tests::config().join_key.unwrap(),
            event,
        }
    }

    fn registrar(&self) -> Registrar<'_> {
        Registrar {
            events: self.store.as_ref(),
            store: self.store.as_ref(),
            limits: self.store.as_ref(),
            join_info: self.store.as_ref(),
            clock: self.clock.as_ref(),
            ids: &self.ids,
            join_key: &self.join_key,
        }
    }

    fn now(&self) -> Timestamp {
        use plenary::Clock as _;
        self.clock.now()
    }

    async fn everyone(&self) -> Vec<Registration> {
        everyone(self.store.as_ref(), &self.event.id).await.unwrap()
    }

    async fn stored(&self, r: &Registration) -> Stored {
        self.store
            .registration(&r.event_id, &r.id)
            .await
            .unwrap()
            .unwrap()
    }

    /// A registration of `status` chosen by `d`, as stored now.
    async fn one(&self, d: &mut Dice, of: &[Status]) -> Option<Stored> {
        let all: Vec<Registration> = self
            .everyone()
            .await
            .into_iter()
            .filter(|r| of.contains(&r.status))
            .collect();
        if all.is_empty() {
            return None;
        }
        let r = d.pick(&all).clone();
        Some(self.stored(&r).await)
    }

    /// Grants `r` a token of the kind the emails carry, and gives it back.
    async fn grant(&self, r: &Registration) -> plenary::token::Token {
        let token = self.ids.new_token();
        let mut ch = Change::new();
        ch.grant_token(&token.hash(), r);
        self.store.commit(ch).await.unwrap();
        token
    }

    /// The counts now, from the counters and by the recount; they must agree.
    async fn agree(&self, when: &str) {
        let now = self.now();
        let kept = stats(self.store.as_ref(), self.store.as_ref(), &self.event, now)
            .await
            .unwrap();
        let all = self.everyone().await;
        let recounted = recount(
            self.store.as_ref(),
            self.store.as_ref(),
            &self.event,
            &all,
            now,
        )
        .await;
        assert_eq!(
            serde_json::to_value(&kept).unwrap(),
            serde_json::to_value(&recounted).unwrap(),
            "stats from counters differ from the recount {when} ({now})"
        );
        let tally = counts(self.store.as_ref(), &self.event, now).await.unwrap();
        assert!(tally.counted, "the counters are not complete {when}");
        for audience in Audience::ALL {
            let reached = all
                .iter()
                .filter(|r| Recipients::Announcement(*audience).reach(r))
                .count() as u64;
            assert_eq!(
                tally.get(&tally::reach_counter(*audience)),
                reached,
                "the {} audience's reach {when}",
                audience.code()
            );
        }
    }
}

async fn after_a_random_run_of_changes_the_counts_equal_a_recount_of_every_registration(
    store: Store,
) {
    let w = World::new(store, "tally").await;
    let reg = w.registrar();
    let id = w.event.id.clone();
    let mut d = Dice(0x9E37_79B9_7F4A_7C15);
    let live = [
        Status::PendingConfirmation,
        Status::PendingApproval,
        Status::Confirmed,
        Status::Waitlisted,
    ];
    let mut made = 0;
    for step in 0..160 {
        match d.below(12) {
            0..=2 => {
                made += 1;
                let body = json!({"email": format!("r{made}@tally.test"), "given_name": "R",
                    "family_name": format!("{made}"), "organisation": "O", "consent": true,
                    "country": *d.pick(&["GB", "FR", "CH", "KE"]),
                    "category": *d.pick(&["academia", "individual"]),
                    "language": *d.pick(&["en", "fr", "es"]),
                    "participation": *d.pick(&["in_person", "remote"]),
                    "notifications": {"announcements": d.below(4) > 0},
                    "answers": answers(&mut d)});
                reg.register(&id, &body, None, WIDE_OPEN).await.unwrap();
            }
            3..=4 => {
                if let Some(s) = w.one(&mut d, &[Status::PendingConfirmation]).await {
                    let token = w.grant(&s.registration).await;
                    let _ = reg.confirm(&token).await;
                }
            }
            5 => {
                if let Some(s) = w.one(&mut d, &live).await {
                    let erase = d.below(2) == 0;
                    reg.cancel(s, erase).await.unwrap();
                }
            }
            6 => {
                // An erasure of one that has ended.
                let ended = [Status::Cancelled, Status::Rejected];
                if let Some(s) = w.one(&mut d, &ended).await {
                    reg.cancel(s, true).await.unwrap();
                }
            }
            7 => {
                if let Some(s) = w.one(&mut d, &live).await {
                    let _ = reg.reject(&id, &s.registration.id).await;
                }
            }
            8 => {
                if let Some(s) = w.one(&mut d, &live).await {
                    let body = match d.below(3) {
                        0 => json!({"language": *d.pick(&["en", "fr", "ru"])}),
                        1 => json!({"answers": answers(&mut d)}),
                        _ => json!({"participation": *d.pick(&["in_person", "remote"])}),
                    };
                    // A switch to a full room is refused; the counts must hold either way.
                    let _ = reg.amend(s, &body).await;
                }
            }
            9 => {
                if let Some(s) = w.one(&mut d, &live).await {
                    let r = &s.registration;
                    let token = w.join_key.unsubscribe_token(r.token_keys, &r.id);
                    let mut ch = Change::new();
                    ch.grant_unsubscribe(&token.hash(), r);
                    let _ = w.store.commit(ch).await;
                    match r.unsubscribed_at {
                        None => drop(reg.unsubscribe(&token).await.unwrap()),
                        Some(_) => drop(reg.resubscribe(&token).await.unwrap()),
                    }
                }
            }
            10 => {
                if let Some(s) = w.one(&mut d, &[Status::Confirmed]).await {
                    let day = w.event.timezone.at(w.now()).date();
                    w.store
                        .record_join_use(Some(&w.event), &s, day, w.now())
                        .await
                        .unwrap();
                }
            }
            _ => {
                // Now and then past a confirmation window (48 hours), so some lapse.
                let hours = *d.pick(&[0, 1, 3, 7, 20, 30]);
                w.clock.advance(SignedDuration::from_mins(hours * 60 + 7));
            }
        }
        if step % 20 == 19 {
            w.agree(&format!("after step {step}")).await;
        }
    }
    w.agree("at the end").await;
    // Just before, at and after the second an unconfirmed registration lapses.
    let pending: Vec<Timestamp> = w
        .everyone()
        .await
        .iter()
        .filter(|r| r.status == Status::PendingConfirmation && !r.is_expired(w.now()))
        .filter_map(|r| r.confirm_by)
        .collect();
    let lapse = *pending
        .first()
        .expect("one still unconfirmed in its window");
    for by in [-1, 0, 1] {
        w.clock.set(lapse + SignedDuration::from_secs(by));
        w.agree(&format!("{by} s from a lapse")).await;
    }
    let all = w.everyone().await;
    for s in [Status::Confirmed, Status::Cancelled, Status::Waitlisted] {
        assert!(
            all.iter().any(|r| r.status == s),
            "the run never made a {s:?} registration: make it longer"
        );
    }
    assert!(all.iter().any(|r| r.person.is_none()), "no erasure");
    assert!(all.iter().any(|r| r.join_use.attended()), "no attendance");
}

async fn an_event_without_counters_is_recounted_once_and_counts_from_them_after(store: Store) {
    let w = World::new(store, "recount").await;
    let reg = w.registrar();
    let mut d = Dice(7);
    for i in 0..6 {
        let body = json!({"email": format!("old{i}@tally.test"), "given_name": "O",
            "family_name": "Ld", "organisation": "O", "consent": true, "country": "GB",
            "category": "academia", "language": "en", "participation": "remote",
            "answers": answers(&mut d)});
        reg.register(&w.event.id, &body, None, WIDE_OPEN)
            .await
            .unwrap();
    }
    let first = w.everyone().await[0].clone();
    let token = w.grant(&first).await;
    reg.confirm(&token).await.unwrap();
    // As an event made before counters were kept: no counter items at all.
    let parts = w
        .table
        .query_all(&plenary::store::keys::tally_items(&w.event.id))
        .await
        .unwrap();
    assert!(!parts.is_empty(), "registrations kept no counters");
    for p in parts {
        let key = plenary::store::Key::of(&p).unwrap();
        w.table
            .write(Write::Delete { key, cond: None })
            .await
            .unwrap();
    }
    let missing = w.store.tally(&w.event.id, w.now()).await.unwrap();
    assert_eq!(missing, Tally::default());
    w.agree("recounting").await;
    let kept = w.store.tally(&w.event.id, w.now()).await.unwrap();
    assert!(kept.counted, "the recount was not written");
    // A change after the recount moves the written counters.
    let second = w.everyone().await[1].clone();
    let token = w.grant(&second).await;
    reg.confirm(&token).await.unwrap();
    w.agree("after a change following the recount").await;

    // A recount that a change overtook is not written: the counters stay incomplete.
    let stale = w.store.tally(&w.event.id, w.now()).await.unwrap();
    let all = w.everyone().await;
    let recount = Tally::of(&w.event, &all);
    // A change in a copy the last change moved (its `seq` above 0).
    reg.cancel(w.stored(&second).await, false).await.unwrap();
    let first = plenary::store::keys::tally(&w.event.id, tally::Place::Main, 0);
    w.table
        .write(Write::update(first).remove("counted"))
        .await
        .unwrap();
    assert!(
        !w.store
            .put_tally(&w.event.id, &recount, &stale.seq)
            .await
            .unwrap(),
        "a recount overtaken by a change was written"
    );
    assert!(!w.store.tally(&w.event.id, w.now()).await.unwrap().counted);
    w.agree("recounting again").await;
}

/// The organiser's counts as they were computed before counters: from every registration.
async fn recount(
    store: &dyn RegistrationStore,
    outbox: &dyn OutboxStore,
    event: &Event,
    all: &[Registration],
    now: Timestamp,
) -> views::StatsView {
    let mut by_status: BTreeMap<&str, u64> = Status::ALL.iter().map(|s| (s.code(), 0)).collect();
    let mut by_category: BTreeMap<&str, u64> = BTreeMap::new();
    let mut by_country: BTreeMap<String, u64> = BTreeMap::new();
    let mut by_language: BTreeMap<&str, u64> = BTreeMap::new();
    let mut by_day: BTreeMap<String, u64> = BTreeMap::new();
    let asked = event.asked();
    let mut answers: BTreeMap<String, BTreeMap<String, u64>> = BTreeMap::new();
    for q in &event.questions {
        let counts = match q.kind {
            QuestionKind::Boolean => ["true", "false"].map(|k| (k.to_owned(), 0)).into(),
            QuestionKind::Choice | QuestionKind::Choices => {
                q.options.iter().map(|o| (o.id.to_string(), 0)).collect()
            }
            _ => continue,
        };
        answers.insert(q.id.to_string(), counts);
    }
    let mut by_participation: BTreeMap<String, u64> = if event.is_hybrid() {
        Participation::ALL
            .iter()
            .map(|p| (p.code().to_owned(), 0))
            .collect()
    } else {
        BTreeMap::new()
    };
    let mut lapsed = 0;
    let (mut attended, mut absent) = (0, 0);
    for r in all {
        let day = event.timezone.at(r.created_at).date().to_string();
        *by_day.entry(day).or_default() += 1;
        if r.is_expired(now) {
            lapsed += 1;
            continue;
        }
        *by_status.entry(r.status.code()).or_default() += 1;
        if r.status == Status::Confirmed {
            match r.join_use.attended() {
                true => attended += 1,
                false => absent += 1,
            }
        }
        if r.status.is_live() {
            *by_category.entry(r.category.code()).or_default() += 1;
            *by_country.entry(r.country.to_string()).or_default() += 1;
            *by_language.entry(r.language.code()).or_default() += 1;
            if let Some(p) = r.participation {
                *by_participation.entry(p.code().to_owned()).or_default() += 1;
            }
            let given = r.person.as_ref().map(|p| p.answers.iter());
            for (id, a) in given.into_iter().flatten() {
                let counted = asked.question(id).is_some_and(|q| {
                    matches!(
                        q.kind,
                        QuestionKind::Boolean | QuestionKind::Choice | QuestionKind::Choices
                    )
                });
                if !counted {
                    continue;
                }
                let counts = answers.entry(id.to_owned()).or_default();
                match a {
                    Answer::Flag(b) => *counts.entry(b.to_string()).or_default() += 1,
                    Answer::One(o) => *counts.entry(o.clone()).or_default() += 1,
                    Answer::Many(list) => {
                        for o in list {
                            *counts.entry(o.clone()).or_default() += 1;
                        }
                    }
                }
            }
        }
    }
    let seats = store.seats(&event.id, Pool::Event).await.unwrap();
    let in_person = match event.is_hybrid() {
        true => Some(views::RoomStatsView {
            capacity: event.seating(Some(Participation::InPerson)).capacity,
            seats_taken: store.seats(&event.id, Pool::InPerson).await.unwrap().taken,
        }),
        false => None,
    };
    let mail = outbox.mail_counts(&event.id).await.unwrap();
    let own = |m: BTreeMap<&str, u64>| m.into_iter().map(|(k, v)| (k.to_owned(), v)).collect();
    views::StatsView {
        event_id: event.id.to_string(),
        total: all.len() as u64,
        // Each address registers once here: no repeat to count.
        asked_again: 0,
        by_status: own(by_status),
        lapsed_unconfirmed: lapsed,
        by_category: own(by_category),
        by_country,
        by_language: own(by_language),
        registrations_by_day: by_day,
        capacity: event.capacity,
        seats_taken: seats.taken,
        emails: views::MailCountsView {
            queued: mail.queued,
            sent: mail.sent,
            failed: mail.failed,
            suppressed: mail.suppressed,
        },
        answers,
        attendance: views::AttendanceCounts { attended, absent },
        by_participation,
        in_person,
    }
}
