//! Registration under injected store faults, through the real handler: a client sees a 503 with
//! Retry-After (never a 500 with internals), can retry with its Idempotency-Key, and no partial
//! state survives — every registration has its address guard and its confirmation email, and
//! no address has two registrations.

use std::collections::BTreeMap;
use std::sync::Arc;

use plenary::Clock as _;
use plenary::clock::ManualClock;
use plenary::domain::EventId;
use plenary::store::{
    Cond, EventWriter, FaultyTable, MemoryTable, Query, RegistrationStore, Table, TableError,
    TableStore, keys,
};
use plenary::wiring::Services;
use serde_json::{Value, json};

fn post(event: &str, email: &str, key: &str) -> plenary::http::Request {
    http::Request::builder()
        .method("POST")
        .uri(format!("/v1/events/{event}/registrations"))
        .header("content-type", "application/json")
        .header("idempotency-key", key)
        .body(lambda_http::Body::Text(
            json!({"email": email, "given_name": "F", "family_name": "T", "country": "CH",
                   "organisation": "O", "category": "academia", "language": "en", "consent": true})
            .to_string(),
        ))
        .unwrap()
}

#[tokio::test]
async fn under_store_faults_clients_get_503_and_retries_leave_no_partial_state() {
    let memory = Arc::new(MemoryTable::new());
    let faulty = Arc::new(FaultyTable::new(memory.clone(), 0x5eed));
    let store = Arc::new(TableStore::new(faulty.clone() as Arc<dyn Table>));
    let clock = Arc::new(ManualClock::at("2021-08-23T08:00:00Z".parse().unwrap()));
    let event = plenary::domain::Event::parse(
        EventId::parse("faulty").unwrap(),
        &json!({"title": "F", "timezone": "Europe/Zurich", "starts_at": "2021-09-08T12:00:00Z",
                "ends_at": "2021-09-08T14:00:00Z", "capacity": 100}),
    )
    .unwrap();
    store.put_event(&event, clock.now()).await.unwrap();
    let services = Services::new(store.clone()).with_clock(clock.clone());
    let app = plenary_registration::App::new(&services, &plenary_tests::config()).unwrap();

    faulty.fail(300, TableError::Unavailable("injected".into()));
    let mut failed = Vec::new();
    for i in 0..120 {
        let (email, key) = (format!("f{i}@faults.test"), format!("key-{i}"));
        let res = plenary_registration::handle(&app, post("faulty", &email, &key)).await;
        match res.status().as_u16() {
            202 => {}
            503 => {
                assert!(res.headers().contains_key("retry-after"));
                let lambda_http::Body::Text(body) = res.body() else {
                    panic!()
                };
                assert!(!body.contains("injected"), "internals leaked: {body}");
                failed.push((email, key));
            }
            other => panic!("status {other} under faults"),
        }
    }
    assert!(faulty.injected() > 0 && !failed.is_empty());

    // Faults stop; a claim left running by a failed request expires after a minute.
    faulty.fail(0, TableError::Unavailable(String::new()));
    clock.advance(jiff::SignedDuration::from_secs(61));
    for (email, key) in &failed {
        let res = plenary_registration::handle(&app, post("faulty", email, key)).await;
        assert_eq!(res.status(), 202, "retry of {email}");
    }

    // Invariants, read from the table itself.
    let mut regs: BTreeMap<String, Value> = BTreeMap::new();
    let mut q = keys::registrations(&event.id);
    loop {
        let page = memory.query(&q).await.unwrap();
        for item in &page.items {
            let doc: Value = serde_json::from_str(item["doc"].as_str().unwrap()).unwrap();
            let email = doc["person"]["email"].as_str().unwrap().to_owned();
            assert!(
                regs.insert(email, doc).is_none(),
                "an address has two registrations"
            );
        }
        match page.last {
            Some(l) => q.after = Some(l),
            None => break,
        }
    }
    assert_eq!(regs.len(), 120);
    for (email, doc) in &regs {
        let e = plenary::domain::Email::parse(email).unwrap();
        let guard = store.by_email(&event.id, &e).await.unwrap();
        assert_eq!(
            guard.map(|s| s.registration.id.to_string()),
            doc["id"].as_str().map(str::to_owned),
            "{email} lacks its guard"
        );
    }
    let mut outbox = Query::prefix(keys::OUTBOX_PK, keys::OUTBOX_LANE_PREFIX);
    outbox.filter = Some(Cond::Exists);
    let notices = memory.query(&outbox).await.unwrap().items.len();
    assert_eq!(
        notices, 120,
        "every registration has exactly its confirmation email"
    );
}
