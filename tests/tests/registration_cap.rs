//! The cap on registrations per event per minute, through the registration handler in process
//! with a clock that moves only when told: over the cap a request gets 429 with Retry-After and
//! leaves no registration and no email; the count lives in the store, so two instances of the
//! function share it; the next minute takes registrations again.

use std::sync::Arc;

use plenary::Clock as _;
use plenary::clock::ManualClock;
use plenary::domain::{Email, Event, EventId};
use plenary::store::{EventWriter, MemoryTable, RegistrationStore, Table, TableStore};
use plenary::wiring::Services;
use serde_json::{Value, json};

const CAP: u32 = 3;

fn post(event: &str, email: &str, key: Option<&str>) -> plenary::http::Request {
    let mut req = http::Request::builder()
        .method("POST")
        .uri(format!("/v1/events/{event}/registrations"))
        .header("content-type", "application/json");
    if let Some(k) = key {
        req = req.header("idempotency-key", k);
    }
    req.body(lambda_http::Body::Text(
        json!({"email": email, "given_name": "C", "family_name": "Ap", "country": "CH",
               "organisation": "O", "category": "academia", "language": "en", "consent": true})
        .to_string(),
    ))
    .unwrap()
}

fn body(res: &plenary::http::Response) -> Value {
    match res.body() {
        lambda_http::Body::Text(t) => serde_json::from_str(t).unwrap(),
        other => panic!("a text body expected, got {other:?}"),
    }
}

struct World {
    store: Arc<TableStore>,
    clock: Arc<ManualClock>,
    /// Two instances of the function over one store, as Lambda runs them.
    instances: [plenary_registration::App; 2],
}

async fn world() -> World {
    let store = Arc::new(TableStore::new(
        Arc::new(MemoryTable::new()) as Arc<dyn Table>
    ));
    // A quarter past the minute: Retry-After is then 45.
    let clock = Arc::new(ManualClock::at("2021-08-23T08:00:15Z".parse().unwrap()));
    for id in ["capped", "other"] {
        let event = Event::parse(
            EventId::parse(id).unwrap(),
            &json!({"title": "Cap", "timezone": "Europe/Zurich",
                    "starts_at": "2021-09-08T12:00:00Z", "ends_at": "2021-09-08T14:00:00Z",
                    "registration": {"opens_at": "2021-01-01T00:00:00Z"}}),
        )
        .unwrap();
        store.put_event(&event, clock.now()).await.unwrap();
    }
    let mut config = plenary_tests::config();
    config.registrations_per_event_per_minute = CAP;
    let services = Services::new(store.clone()).with_clock(clock.clone());
    let app = || plenary_registration::App::new(&services, &config).unwrap();
    World {
        instances: [app(), app()],
        store,
        clock,
    }
}

async fn registered(w: &World, event: &str, email: &str) -> bool {
    let event = EventId::parse(event).unwrap();
    let email = Email::parse(email).unwrap();
    w.store.by_email(&event, &email).await.unwrap().is_some()
}

async fn queued_emails(w: &World) -> usize {
    plenary_tests::all_queued(w.store.as_ref()).await.len()
}

#[tokio::test]
async fn over_the_cap_a_registration_gets_429_with_retry_after_and_leaves_nothing_behind() {
    let w = world().await;
    // The cap is shared: instance 0 takes two, instance 1 the third.
    for (i, n) in [(0, 1), (0, 2), (1, 3)] {
        let res = plenary_registration::handle(
            &w.instances[i],
            post("capped", &format!("c{n}@cap.test"), None),
        )
        .await;
        assert_eq!(res.status(), 202, "registration {n}");
    }
    let res =
        plenary_registration::handle(&w.instances[0], post("capped", "c4@cap.test", None)).await;
    assert_eq!(res.status(), 429);
    assert_eq!(res.headers()["retry-after"], "45");
    assert_eq!(res.headers()["content-type"], "application/problem+json");
    let p = body(&res);
    assert_eq!(p["status"], 429);
    assert_eq!(p["code"], "too-many-requests");
    assert!(
        p["detail"]
            .as_str()
            .unwrap()
            .contains("3 registrations a minute"),
        "{p}"
    );
    assert!(!registered(&w, "capped", "c4@cap.test").await);
    assert_eq!(
        queued_emails(&w).await,
        3,
        "the refused request queued an email"
    );

    // A repeat of an address already registered is counted too (it would send an email).
    let res =
        plenary_registration::handle(&w.instances[1], post("capped", "c1@cap.test", None)).await;
    assert_eq!(res.status(), 429);
    assert_eq!(queued_emails(&w).await, 3);

    // Another event has its own count.
    let res =
        plenary_registration::handle(&w.instances[1], post("other", "c4@cap.test", None)).await;
    assert_eq!(res.status(), 202);

    // The next minute takes registrations again.
    w.clock.advance(jiff::SignedDuration::from_secs(45));
    let res =
        plenary_registration::handle(&w.instances[0], post("capped", "c4@cap.test", None)).await;
    assert_eq!(res.status(), 202);
    assert!(registered(&w, "capped", "c4@cap.test").await);
}

#[tokio::test]
async fn a_429_is_not_kept_as_the_answer_to_its_idempotency_key() {
    let w = world().await;
    for n in 1..=CAP {
        let res = plenary_registration::handle(
            &w.instances[0],
            post("capped", &format!("k{n}@cap.test"), None),
        )
        .await;
        assert_eq!(res.status(), 202);
    }
    let refused = plenary_registration::handle(
        &w.instances[0],
        post("capped", "late@cap.test", Some("late-key")),
    )
    .await;
    assert_eq!(refused.status(), 429);
    // Retrying after Retry-After with the same key registers: the 429 was not stored as the
    // key's answer (a replayed 429 would refuse the client for a day).
    w.clock.advance(jiff::SignedDuration::from_mins(1));
    let retried = plenary_registration::handle(
        &w.instances[0],
        post("capped", "late@cap.test", Some("late-key")),
    )
    .await;
    assert_eq!(retried.status(), 202);
    assert!(retried.headers().get("idempotent-replayed").is_none());
    assert!(registered(&w, "capped", "late@cap.test").await);
}
