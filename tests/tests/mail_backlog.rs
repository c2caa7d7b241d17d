//! The cap on an event's waiting mail, through the registration handler and the mail job in
//! process, on both stores: past the cap a registration or a resend gets 503 mail-backlog with
//! Retry-After and leaves nothing behind, the backlog never passes the cap however many ask,
//! another event is not held back, and once the job has sent the mail the event takes
//! registrations again. The waiting count is the stats' `queued`, checked against the outbox.

use std::sync::Arc;
use std::time::Duration;

use plenary::Clock as _;
use plenary::clock::ManualClock;
use plenary::domain::{Email, Event, EventId};
use plenary::mail::LocalMailbox;
use plenary::store::{EventWriter, MemoryTable, OutboxStore, RegistrationStore, Table, TableStore};
use plenary::wiring::Services;
use plenary_notifications::pace::Pacer;
use plenary_tests::dynamo_fixture;
use serde_json::{Value, json};

macro_rules! on_both_stores {
    ($($case:ident),* $(,)?) => {
        mod memory {
            use super::*;
            $( #[tokio::test] async fn $case() { super::$case(Kind::Memory).await } )*
        }
        mod dynamodb {
            use super::*;
            $( #[tokio::test] async fn $case() { super::$case(Kind::Dynamodb).await } )*
        }
    };
}

#[derive(Clone, Copy)]
enum Kind {
    Memory,
    Dynamodb,
}

on_both_stores!(
    past_the_cap_registrations_and_resends_get_503_and_the_backlog_never_passes_it,
    once_the_job_has_sent_the_backlog_the_event_takes_registrations_again,
);

/// Three emails per copy of the count (sixteen copies).
const CAP: u32 = 48;

fn post(path: &str, body: Value) -> plenary::http::Request {
    http::Request::builder()
        .method("POST")
        .uri(path)
        .header("content-type", "application/json")
        .body(lambda_http::Body::Text(body.to_string()))
        .unwrap()
}

fn register(event: &str, email: &str) -> plenary::http::Request {
    post(
        &format!("/v1/events/{event}/registrations"),
        json!({"email": email, "given_name": "B", "family_name": "Log", "country": "CH",
               "organisation": "O", "category": "academia", "language": "en", "consent": true}),
    )
}

fn resend(event: &str, email: &str) -> plenary::http::Request {
    post(
        &format!("/v1/events/{event}/registrations/resend"),
        json!({"email": email}),
    )
}

fn body(res: &plenary::http::Response) -> Value {
    match res.body() {
        lambda_http::Body::Text(t) => serde_json::from_str(t).unwrap(),
        other => panic!("a text body expected, got {other:?}"),
    }
}

struct World {
    store: Arc<TableStore>,
    app: plenary_registration::App,
    job: plenary_notifications::App,
    clock: Arc<ManualClock>,
}

async fn world(kind: Kind) -> World {
    let table: Arc<dyn Table> = match kind {
        Kind::Memory => Arc::new(MemoryTable::new()),
        Kind::Dynamodb => Arc::new(dynamo_fixture::fresh_table("backlog").await),
    };
    let store = Arc::new(TableStore::new(table));
    let clock = Arc::new(ManualClock::at("2021-08-23T08:00:15Z".parse().unwrap()));
    for id in ["busy", "quiet"] {
        let event = Event::parse(
            EventId::parse(id).unwrap(),
            &json!({"title": "Backlog", "timezone": "Europe/Zurich",
                    "starts_at": "2021-09-08T12:00:00Z", "ends_at": "2021-09-08T14:00:00Z",
                    "registration": {"opens_at": "2021-01-01T00:00:00Z"}}),
        )
        .unwrap();
        store.put_event(&event, clock.now()).await.unwrap();
    }
    let mut config = plenary_tests::config();
    config.mail_backlog_per_event = CAP;
    // Only the backlog limits here.
    config.registrations_per_event_per_minute = 100_000;
    config.requests_per_client_per_minute = 100_000;
    let services = Services::new(store.clone()).with_clock(clock.clone());
    let mailbox = Arc::new(LocalMailbox::new(None, clock.clone()));
    World {
        app: plenary_registration::App::new(&services, &config).unwrap(),
        job: plenary_notifications::App::new(&services, &config, mailbox, Pacer::unlimited())
            .unwrap(),
        store,
        clock,
    }
}

async fn waiting(w: &World, event: &str) -> u64 {
    let event = EventId::parse(event).unwrap();
    let counted = w.store.mail_counts(&event).await.unwrap().queued;
    let in_outbox = plenary_tests::all_queued(w.store.as_ref())
        .await
        .iter()
        .filter(|n| n.event() == Some(&event))
        .count();
    assert_eq!(counted, in_outbox as u64, "the count is the outbox's");
    counted
}

async fn registered(w: &World, event: &str, email: &str) -> bool {
    let event = EventId::parse(event).unwrap();
    let email = Email::parse(email).unwrap();
    w.store.by_email(&event, &email).await.unwrap().is_some()
}

/// Registers new addresses at `event` until one is refused; the number taken before it.
async fn fill(w: &World, event: &str) -> (u32, plenary::http::Response, String) {
    for n in 0..10 * CAP {
        let email = format!("b{n}@{event}.test");
        let res = plenary_registration::handle(&w.app, register(event, &email)).await;
        if res.status() != 202 {
            return (n, res, email);
        }
    }
    panic!("{} registrations and no refusal", 10 * CAP);
}

fn assert_backlog_refusal(res: &plenary::http::Response) {
    assert_eq!(res.status(), 503);
    assert_eq!(res.headers()["retry-after"], "60");
    let p = body(res);
    assert_eq!(p["code"], "mail-backlog", "{p}");
    assert!(p["detail"].as_str().unwrap().contains("48 emails"), "{p}");
}

async fn past_the_cap_registrations_and_resends_get_503_and_the_backlog_never_passes_it(
    kind: Kind,
) {
    let w = world(kind).await;
    let (taken, refused, email) = fill(&w, "busy").await;
    assert!((1..=CAP).contains(&taken), "{taken} taken");
    assert_backlog_refusal(&refused);
    assert!(
        !registered(&w, "busy", &email).await,
        "nothing is left of a refusal"
    );
    assert_eq!(waiting(&w, "busy").await, u64::from(taken));

    // However many more ask, the backlog stays under the cap: each is taken or refused.
    let mut more = 0;
    // Enough that every copy of the count fills (a copy short of its share after 384 is
    // a chance of about one in 10^8).
    for n in 0..8 * CAP {
        let res =
            plenary_registration::handle(&w.app, register("busy", &format!("m{n}@busy.test")))
                .await;
        match res.status().as_u16() {
            202 => more += 1,
            _ => assert_backlog_refusal(&res),
        }
    }
    let total = waiting(&w, "busy").await;
    assert_eq!(total, u64::from(taken + more));
    assert!(total <= u64::from(CAP), "{total} waiting past the cap");

    // A resend queues mail too, within the same cap, for a registered address as for a
    // stranger (each address asks once: an address has its own hourly share).
    for who in ["b", "stranger"] {
        let mut refused = false;
        for i in 0..taken {
            let res = plenary_registration::handle(
                &w.app,
                resend("busy", &format!("{who}{i}@busy.test")),
            )
            .await;
            if res.status() != 202 {
                assert_backlog_refusal(&res);
                refused = true;
            }
        }
        assert!(refused, "no resend for {who} was refused");
    }
    assert!(waiting(&w, "busy").await <= u64::from(CAP));

    // Another event's backlog is its own.
    let res = plenary_registration::handle(&w.app, register("quiet", "q@quiet.test")).await;
    assert_eq!(res.status(), 202);
    assert_eq!(waiting(&w, "quiet").await, 1);
}

async fn once_the_job_has_sent_the_backlog_the_event_takes_registrations_again(kind: Kind) {
    let w = world(kind).await;
    let (_, refused, email) = fill(&w, "busy").await;
    assert_backlog_refusal(&refused);
    let report = plenary_notifications::run(&w.job, w.clock.now(), Duration::from_secs(300))
        .await
        .unwrap();
    assert!(!report.sent.is_empty());
    assert_eq!(
        waiting(&w, "busy").await,
        0,
        "every sent email left the count"
    );
    w.clock.advance(jiff::SignedDuration::from_secs(60));
    let res = plenary_registration::handle(&w.app, register("busy", &email)).await;
    assert_eq!(res.status(), 202, "{}", body(&res));
    assert!(registered(&w, "busy", &email).await);
    assert_eq!(waiting(&w, "busy").await, 1);
}
