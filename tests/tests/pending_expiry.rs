//! Unconfirmed registrations expire, through the registration handler in process on both stores
//! with a clock that moves only when told: the registration, its address guard and the token of
//! its confirmation link carry the table's TTL (`expires_at`, a week after the 48-hour window,
//! so a late click still hears "expired"); confirming takes it off all three; once the window
//! closes the address may register again and the lapsed registration is not counted as pending;
//! and the memory store, like DynamoDB's TTL, removes the three items afterwards.

use std::sync::Arc;

use jiff::{SignedDuration, Timestamp};
use plenary::Clock as _;
use plenary::clock::ManualClock;
use plenary::domain::{CONFIRMATION_WINDOW, Email, Event, EventId, Status};
use plenary::store::{
    Change, CommitError, EventWriter, Key, LAPSED_KEPT, MemoryTable, RegistrationStore, TTL,
    TTL_DELETION_DELAY, Table, TableStore, email_hash, keys,
};
use plenary::token::Token;
use plenary::wiring::Services;
use plenary_tests::dynamo_fixture;
use plenary_tests::on_both_stores;
use plenary_tests::stack::Store;
use serde_json::{Value, json};

on_both_stores!(
    an_unconfirmed_registration_its_guard_and_its_link_lapse_together_and_free_the_address,
    confirming_takes_the_ttl_off_the_registration_its_guard_and_the_link_that_confirmed_it,
    an_in_person_registrant_confirming_into_a_full_room_joins_its_queue_and_stops_lapsing,
    registering_again_commits_only_while_the_guard_still_holds_the_address,
);

const EVENT: &str = "lapsing";
const START: &str = "2021-08-23T08:00:00Z";

struct World {
    table: Arc<dyn Table>,
    store: Arc<TableStore>,
    clock: Arc<ManualClock>,
    services: Services,
    app: plenary_registration::App,
}

async fn world(store: Store) -> World {
    world_of(store, json!({})).await
}

/// A world whose event has `extra`'s fields too (a hybrid event's room).
async fn world_of(store: Store, extra: Value) -> World {
    let clock = Arc::new(ManualClock::at(START.parse().unwrap()));
    let table: Arc<dyn Table> = match store {
        // On the clock, as the local stack runs it: lapsed items go.
        Store::Memory => Arc::new(MemoryTable::with_clock(clock.clone())),
        Store::Dynamodb => Arc::new(dynamo_fixture::fresh_table("lapse").await),
    };
    let store = Arc::new(TableStore::new(table.clone()));
    let mut body = json!({"title": "Lapse", "timezone": "Europe/Zurich",
                          "starts_at": "2021-09-08T12:00:00Z", "ends_at": "2021-09-08T14:00:00Z",
                          "registration": {"opens_at": "2021-01-01T00:00:00Z"}});
    for (k, v) in extra.as_object().unwrap() {
        body[k] = v.clone();
    }
    let event = Event::parse(EventId::parse(EVENT).unwrap(), &body).unwrap();
    store.put_event(&event, clock.now()).await.unwrap();
    let services = Services::new(store.clone()).with_clock(clock.clone());
    let app = plenary_registration::App::new(&services, &plenary_tests::config()).unwrap();
    World {
        table,
        store,
        clock,
        services,
        app,
    }
}

fn request(method: &str, path: &str, body: Value) -> plenary::http::Request {
    http::Request::builder()
        .method(method)
        .uri(path)
        .header("content-type", "application/json")
        .body(lambda_http::Body::Text(body.to_string()))
        .unwrap()
}

async fn register(w: &World, email: &str) -> u16 {
    register_as(w, email, None).await
}

/// Registers `email`, taking part as `participation` when the event is hybrid.
async fn register_as(w: &World, email: &str, participation: Option<&str>) -> u16 {
    let mut body = json!({"email": email, "given_name": "L", "family_name": "Apse",
                          "country": "CH", "organisation": "O", "category": "academia",
                          "language": "en", "consent": true});
    if let Some(p) = participation {
        body["participation"] = json!(p);
    }
    let path = format!("/v1/events/{EVENT}/registrations");
    let res = plenary_registration::handle(&w.app, request("POST", &path, body)).await;
    res.status().as_u16()
}

/// The keys of the registration of `email` and of its guard, and a confirmation link's token
/// granted as the mail job grants it.
async fn pending(w: &World, email: &str) -> (Key, Key, Token) {
    let event = EventId::parse(EVENT).unwrap();
    let email = Email::parse(email).unwrap();
    let s = w.store.by_email(&event, &email).await.unwrap().unwrap();
    assert_eq!(s.registration.status, Status::PendingConfirmation);
    let token = plenary::usecases::mail::grant_manage_token(
        w.store.as_ref(),
        w.services.tokens.as_ref(),
        &s.registration,
    )
    .await
    .unwrap();
    (
        keys::registration(&event, &s.registration.id),
        keys::email_guard(&event, &email_hash(&email)),
        token,
    )
}

async fn ttl(w: &World, key: &Key) -> Option<i64> {
    let item = w.table.get(key).await.unwrap().expect("the item is there");
    item.get(TTL).and_then(Value::as_i64)
}

async fn pending_count(w: &World) -> u64 {
    w.store
        .count_status(
            &EventId::parse(EVENT).unwrap(),
            Status::PendingConfirmation,
            w.clock.now(),
        )
        .await
        .unwrap()
}

fn later(by: SignedDuration) -> Timestamp {
    START.parse::<Timestamp>().unwrap() + by
}

async fn an_unconfirmed_registration_its_guard_and_its_link_lapse_together_and_free_the_address(
    store: Store,
) {
    let w = world(store).await;
    assert_eq!(register(&w, "late@lapse.example").await, 202);
    let (registration, guard, token) = pending(&w, "late@lapse.example").await;
    let link = keys::token(token.hash().as_str());
    let expires = later(CONFIRMATION_WINDOW + LAPSED_KEPT).as_second();
    for key in [&registration, &guard, &link] {
        assert_eq!(ttl(&w, key).await, Some(expires), "{key:?}");
    }
    assert_eq!(pending_count(&w).await, 1);

    // The window closes: not pending any more, and the address is free again.
    w.clock
        .set(later(CONFIRMATION_WINDOW + SignedDuration::from_secs(1)));
    assert_eq!(pending_count(&w).await, 0);
    let res = plenary_registration::handle(
        &w.app,
        request(
            "POST",
            "/v1/registrations/confirm",
            json!({"token": token.expose()}),
        ),
    )
    .await;
    assert_eq!(
        res.status(),
        410,
        "a late click hears that the link expired"
    );
    assert_eq!(register(&w, "late@lapse.example").await, 202);
    let (again, guard_again, _) = pending(&w, "late@lapse.example").await;
    assert_ne!(again, registration);
    assert_eq!(guard_again, guard);
    assert_eq!(pending_count(&w).await, 1);

    if store == Store::Memory {
        // Past the first one's TTL and the table's deletion delay: its items are gone, the new
        // registration (still within its own week) is not.
        w.clock.set(
            later(CONFIRMATION_WINDOW + LAPSED_KEPT + TTL_DELETION_DELAY)
                + SignedDuration::from_secs(1),
        );
        assert!(w.table.get(&registration).await.unwrap().is_none());
        assert!(w.table.get(&link).await.unwrap().is_none());
        assert!(w.table.get(&again).await.unwrap().is_some());
        // And a registration never confirmed leaves the table with its guard in the end.
        w.clock.set(
            later(CONFIRMATION_WINDOW * 2 + LAPSED_KEPT * 2 + TTL_DELETION_DELAY)
                + SignedDuration::from_secs(1),
        );
        for key in [&again, &guard] {
            assert!(w.table.get(key).await.unwrap().is_none(), "{key:?}");
        }
        let event = EventId::parse(EVENT).unwrap();
        let page = w.store.page(&event, None, 100, None).await.unwrap();
        assert!(page.registrations.is_empty());
    }
}

async fn confirming_takes_the_ttl_off_the_registration_its_guard_and_the_link_that_confirmed_it(
    store: Store,
) {
    let w = world(store).await;
    assert_eq!(register(&w, "prompt@lapse.example").await, 202);
    let (registration, guard, token) = pending(&w, "prompt@lapse.example").await;
    let link = keys::token(token.hash().as_str());
    let res = plenary_registration::handle(
        &w.app,
        request(
            "POST",
            "/v1/registrations/confirm",
            json!({"token": token.expose()}),
        ),
    )
    .await;
    assert_eq!(res.status(), 200);
    for key in [&registration, &guard, &link] {
        assert_eq!(ttl(&w, key).await, None, "{key:?} still lapses");
    }
    if store == Store::Memory {
        // Long after any TTL would have acted, the confirmed registrant keeps everything. (Not
        // a year on: the manage token itself ends 30 days after the event, on 2021-10-08.)
        w.clock.set(later(
            (CONFIRMATION_WINDOW + LAPSED_KEPT + TTL_DELETION_DELAY) * 2,
        ));
        for key in [&registration, &guard, &link] {
            assert!(w.table.get(key).await.unwrap().is_some(), "{key:?}");
        }
        let res = plenary_registration::handle(
            &w.app,
            http::Request::builder()
                .method("GET")
                .uri("/v1/registrations/me")
                .header("authorization", format!("Bearer {}", token.expose()))
                .body(lambda_http::Body::Empty)
                .unwrap(),
        )
        .await;
        assert_eq!(res.status(), 200);
    }
}

async fn confirm(w: &World, token: &Token) -> Value {
    let res = plenary_registration::handle(
        &w.app,
        request(
            "POST",
            "/v1/registrations/confirm",
            json!({"token": token.expose()}),
        ),
    )
    .await;
    assert_eq!(res.status(), 200);
    match res.body() {
        lambda_http::Body::Text(t) => serde_json::from_str(t).unwrap(),
        lambda_http::Body::Binary(b) => serde_json::from_slice(b).unwrap(),
        _ => panic!("a confirmation answers the registration"),
    }
}

/// A hybrid event's room has its own seats and queue: the confirmation that finds the room
/// full queues the registration there, and that path too takes the TTL off its three items.
async fn an_in_person_registrant_confirming_into_a_full_room_joins_its_queue_and_stops_lapsing(
    store: Store,
) {
    let room = json!({"format": "hybrid", "capacity": 10, "waitlist": false,
                      "in_person": {"capacity": 1, "waitlist": true,
                                    "venue": {"name": "Popov room", "address": "Geneva"}}});
    let w = world_of(store, room).await;
    for email in ["first@lapse.example", "second@lapse.example"] {
        assert_eq!(register_as(&w, email, Some("in_person")).await, 202);
    }
    let (_, _, first) = pending(&w, "first@lapse.example").await;
    assert_eq!(confirm(&w, &first).await["status"], "confirmed");
    let (registration, guard, token) = pending(&w, "second@lapse.example").await;
    let link = keys::token(token.hash().as_str());
    for key in [&registration, &guard, &link] {
        assert!(
            ttl(&w, key).await.is_some(),
            "{key:?} does not lapse while pending"
        );
    }
    let seen = confirm(&w, &token).await;
    assert_eq!(seen["status"], "waitlisted");
    for key in [&registration, &guard, &link] {
        assert_eq!(ttl(&w, key).await, None, "{key:?} still lapses");
    }
}

/// A repeat's reminder goes with a check of the address's guard: read as held, then released
/// (here: its window closed) before the commit, the repeat must not be a reminder to nobody but
/// register the address (the use case retries); a stranger's address is held by nobody.
async fn registering_again_commits_only_while_the_guard_still_holds_the_address(store: Store) {
    let w = world(store).await;
    assert_eq!(register(&w, "again@example.org").await, 202);
    let event = EventId::parse(EVENT).unwrap();
    let again = |email: &str, at: Timestamp| {
        let mut ch = Change::new();
        ch.ask_again(&event, &Email::parse(email).unwrap(), at);
        w.store.commit(ch)
    };
    let now = w.clock.now();
    assert_eq!(again("again@example.org", now).await, Ok(()));
    let closed = now + CONFIRMATION_WINDOW + SignedDuration::from_secs(1);
    assert!(matches!(
        again("again@example.org", closed).await,
        Err(CommitError::Conflict(_))
    ));
    assert!(matches!(
        again("stranger@example.org", now).await,
        Err(CommitError::Conflict(_))
    ));
}
