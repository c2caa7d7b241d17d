//! How many store calls a request costs, counted through [`CountingTable`]: each is one DynamoDB
//! request in production, so these numbers are the cost model's (docs/cost-model.md).

use std::sync::Arc;

use plenary::store::TableStore;
use plenary_benches::{
    Calls, CountingTable, at, clock, get, grant_confirmation_token, person, post_json,
    programme_app, programme_path, publish, registration_app, registrations_path,
};

fn show(log: &[plenary_benches::Call]) -> String {
    log.iter().map(|c| format!("\n  {c}")).collect()
}

async fn programme_world() -> (Arc<CountingTable>, plenary_programme::App) {
    let counter = Arc::new(CountingTable::logging(plenary_benches::memory_table()));
    let store = TableStore::new(counter.clone());
    publish(&store, 200, at(plenary_benches::CLOCK)).await;
    let app = programme_app(&store, clock());
    counter.reset();
    (counter, app)
}

#[tokio::test]
async fn a_programme_get_is_exactly_one_store_read() {
    let (counter, app) = programme_world().await;
    let path = programme_path();
    for uri in [path.clone(), format!("{path}?tz=America/New_York")] {
        let res = plenary_programme::handle(&app, get(&uri)).await;
        assert_eq!(res.status(), 200);
        let log = counter.take_log();
        let calls = counter.calls();
        eprintln!("GET {uri} made:{}", show(&log));
        assert_eq!(
            calls,
            Calls {
                get: 1,
                ..Calls::default()
            },
            "GET {uri} made:{}",
            show(&log)
        );
        // Eventually consistent: half the read units (issue 19); a minute's staleness is
        // already in its Cache-Control.
        assert!(
            log.iter().all(|c| c.op == "get_eventually"),
            "GET {uri} made:{}",
            show(&log)
        );
        counter.reset();
    }
}

#[tokio::test]
async fn a_revalidated_programme_get_is_one_store_read_too() {
    let (counter, app) = programme_world().await;
    let first = plenary_programme::handle(&app, get(&programme_path())).await;
    let etag = first.headers()["etag"].clone();
    counter.reset();
    let mut req = get(&programme_path());
    req.headers_mut().insert("if-none-match", etag);
    let res = plenary_programme::handle(&app, req).await;
    assert_eq!(res.status(), 304);
    assert_eq!(
        counter.calls(),
        Calls {
            get: 1,
            ..Calls::default()
        },
        "{}",
        show(&counter.take_log())
    );
}

async fn registration_world() -> (Arc<CountingTable>, TableStore, plenary_registration::App) {
    let counter = Arc::new(CountingTable::logging(plenary_benches::memory_table()));
    let store = TableStore::new(counter.clone());
    publish(&store, 8, at(plenary_benches::CLOCK)).await;
    let app = registration_app(&store, clock());
    counter.reset();
    (counter, store, app)
}

/// The writes of a new registration: one transaction, every write in it conditional, after the
/// event's per-minute counter (one conditional single write) and the address's hourly email
/// count (one more: a repeat of the address counts it too, so both cost the same; see
/// `tests/tests/registrant_timing.rs`). Reads before them (the event, the address's guard) are
/// counted and pinned here as they are today.
#[tokio::test]
async fn a_registration_post_is_one_conditional_transaction() {
    let (counter, _, app) = registration_world().await;
    let res = plenary_registration::handle(
        &app,
        post_json(&registrations_path(), &person("ada@count.test")),
    )
    .await;
    assert_eq!(res.status(), 202);
    let log = counter.take_log();
    let calls = counter.calls();
    eprintln!("POST made:{}", show(&log));
    assert_eq!(
        (calls.transact, calls.write, calls.update_returning),
        (1, 2, 0),
        "POST made:{}",
        show(&log)
    );
    let writes: Vec<_> = log.iter().filter(|c| c.op == "write").collect();
    assert!(
        writes[0].keys[0].pk.starts_with("RATE#registrations#") && writes[0].conditional == [true],
        "the first single write is not the conditional per-minute counter: {}",
        writes[0]
    );
    assert!(
        writes[1].keys[0].pk.starts_with("RATE#email#") && writes[1].conditional == [true],
        "the second single write is not the address's email count: {}",
        writes[1]
    );
    let tx = log
        .iter()
        .find(|c| c.op == "transact")
        .expect("a transaction");
    // The event's counters are additions, which hold whatever else commits; every other
    // write in the transaction is conditional.
    assert!(
        tx.keys
            .iter()
            .zip(&tx.conditional)
            .all(|(k, c)| *c || k.sk.starts_with("TALLY")),
        "unconditional writes in the transaction: {tx}"
    );
    assert!(
        tx.keys.iter().any(|k| k.sk.starts_with("TALLY#MAIN#")),
        "the counters are not in the transaction: {tx}"
    );
    // Reads: the event, then the address's guard item (no registration behind it yet).
    assert_eq!((calls.get, calls.query), (2, 0), "POST made:{}", show(&log));
}

/// Answers cost nothing more: with a form of questions, a registration answering them is the
/// same calls as one without, and the answers are in the registration the transaction wrote.
#[tokio::test]
async fn a_registration_answering_the_events_questions_is_still_one_conditional_transaction() {
    use plenary::store::{EventWriter, RegistrationStore};
    let (counter, store, app) = registration_world().await;
    let mut body = plenary_benches::event_json();
    body["questions"] = serde_json::json!([
        {"id": "sg12", "kind": "boolean", "label": {"en": "SG12RG-AFR too?"}},
        {"id": "role", "kind": "choice", "required": true, "label": {"en": "Your role"},
         "options": [{"id": "regulator", "label": {"en": "Regulator"}},
                     {"id": "academia", "label": {"en": "Academia"}}]},
        {"id": "remarks", "kind": "paragraph", "label": {"en": "Remarks"}}
    ]);
    let event = plenary::domain::Event::parse(plenary_benches::event().id, &body).unwrap();
    store
        .put_event(&event, at(plenary_benches::CLOCK))
        .await
        .unwrap();
    counter.reset();
    let mut registration = person("ada@answers.test");
    registration["answers"] =
        serde_json::json!({"sg12": true, "role": "regulator", "remarks": "Hello"});
    let res =
        plenary_registration::handle(&app, post_json(&registrations_path(), &registration)).await;
    assert_eq!(res.status(), 202);
    let log = counter.take_log();
    let calls = counter.calls();
    assert_eq!(
        (
            calls.transact,
            calls.write,
            calls.update_returning,
            calls.get,
            calls.query
        ),
        (1, 2, 0, 2, 0),
        "POST with answers made:{}",
        show(&log)
    );
    let email = plenary::domain::Email::parse("ada@answers.test").unwrap();
    let stored = store.by_email(&event.id, &email).await.unwrap().unwrap();
    let answers = &stored.registration.person.unwrap().answers;
    assert_eq!(answers.iter().count(), 3, "{answers:?}");
}

#[tokio::test]
async fn with_an_idempotency_key_a_registration_post_adds_one_claim_and_records_the_answer_in_its_transaction()
 {
    let (counter, _, app) = registration_world().await;
    let mut req = post_json(&registrations_path(), &person("ada@key.test"));
    req.headers_mut()
        .insert("idempotency-key", "bench-key-1".parse().unwrap());
    let res = plenary_registration::handle(&app, req).await;
    assert_eq!(res.status(), 202);
    let log = counter.take_log();
    let calls = counter.calls();
    eprintln!("POST with Idempotency-Key made:{}", show(&log));
    // The key record claimed (one conditional put), the per-minute counter and the email count;
    // the key's answer is recorded inside the registration's one transaction, so a fault cannot
    // separate the two.
    assert_eq!(
        (calls.transact, calls.write, calls.update_returning),
        (1, 3, 0),
        "POST made:{}",
        show(&log)
    );
    assert_eq!(calls.get, 2, "POST made:{}", show(&log));
}

/// Not a target, pinned so a change shows: what a confirmation costs.
#[tokio::test]
async fn a_confirmation_is_reads_and_one_transaction() {
    let (counter, store, app) = registration_world().await;
    let res = plenary_registration::handle(
        &app,
        post_json(&registrations_path(), &person("bob@count.test")),
    )
    .await;
    assert_eq!(res.status(), 202);
    let event = plenary::domain::EventId::parse(plenary_benches::EVENT).unwrap();
    let token = grant_confirmation_token(&store, &event, "bob@count.test").await;
    counter.reset();
    let res = plenary_registration::handle(
        &app,
        post_json(
            "/v1/registrations/confirm",
            &serde_json::json!({"token": token.expose()}),
        ),
    )
    .await;
    assert_eq!(res.status(), 200);
    let log = counter.take_log();
    let calls = counter.calls();
    assert_eq!(
        calls.transact + calls.write,
        1,
        "confirm made:{}",
        show(&log)
    );
    eprintln!("confirm made {calls:?}:{}", show(&log));
}

/// Hybrid participation costs nothing more: a registration taking part in person is the same
/// calls as any, and its confirmation takes the room's seat (not the remote one) inside its one
/// transaction.
#[tokio::test]
async fn an_in_person_registration_of_a_hybrid_event_is_still_one_conditional_transaction() {
    use plenary::store::EventWriter;
    let (counter, store, app) = registration_world().await;
    let mut body = plenary_benches::event_json();
    body["format"] = serde_json::json!("hybrid");
    body["in_person"] = serde_json::json!({"capacity": 50, "waitlist": true,
                                           "venue": {"name": "ITU headquarters"}});
    let event = plenary::domain::Event::parse(plenary_benches::event().id, &body).unwrap();
    store
        .put_event(&event, at(plenary_benches::CLOCK))
        .await
        .unwrap();
    counter.reset();
    let mut registration = person("ada@room.test");
    registration["participation"] = serde_json::json!("in_person");
    let res =
        plenary_registration::handle(&app, post_json(&registrations_path(), &registration)).await;
    assert_eq!(res.status(), 202);
    let log = counter.take_log();
    let calls = counter.calls();
    assert_eq!(
        (
            calls.transact,
            calls.write,
            calls.update_returning,
            calls.get,
            calls.query
        ),
        (1, 2, 0, 2, 0),
        "an in-person POST made:{}",
        show(&log)
    );

    let token = grant_confirmation_token(&store, &event.id, "ada@room.test").await;
    counter.reset();
    let res = plenary_registration::handle(
        &app,
        post_json(
            "/v1/registrations/confirm",
            &serde_json::json!({"token": token.expose()}),
        ),
    )
    .await;
    assert_eq!(res.status(), 200);
    let log = counter.take_log();
    let calls = counter.calls();
    assert_eq!(
        (calls.transact, calls.write),
        (1, 0),
        "an in-person confirmation made:{}",
        show(&log)
    );
    let tx = log.iter().find(|c| c.op == "transact").unwrap();
    let room = plenary::store::keys::seats(&event.id, plenary::domain::Pool::InPerson);
    let remote = plenary::store::keys::seats(&event.id, plenary::domain::Pool::Event);
    assert!(
        tx.keys.contains(&room) && !tx.keys.contains(&remote),
        "the confirmation did not take the room's seat: {tx}"
    );
}

/// Not a target, printed for the cost model: what the job's sending of one confirmation email
/// costs in store calls (the outbox entry the POST wrote, the token it grants, the claim).
#[tokio::test]
async fn the_confirmation_email_of_a_registration() {
    let (counter, store, app) = registration_world().await;
    let res = plenary_registration::handle(
        &app,
        post_json(&registrations_path(), &person("eve@count.test")),
    )
    .await;
    assert_eq!(res.status(), 202);
    let clock = clock();
    let mailbox = Arc::new(plenary::mail::LocalMailbox::new(None, clock.clone()));
    let job = plenary_benches::notifications_app(
        &store,
        clock,
        mailbox.clone(),
        plenary_notifications::pace::Pacer::unlimited(),
    );
    counter.reset();
    let report = plenary_notifications::run(
        &job,
        at(plenary_benches::CLOCK),
        std::time::Duration::from_secs(60),
    )
    .await
    .unwrap();
    assert_eq!(report.sent.len(), 1);
    eprintln!(
        "one confirmation email made {:?}:{}",
        counter.calls(),
        show(&counter.take_log())
    );
}

/// What the role check adds to an organiser GET: nothing for the deployment token; for a
/// person's session, three reads (the session, the person, their place on the team), read
/// afresh on every request so that a change of role takes effect at once.
#[tokio::test]
async fn the_role_check_adds_three_reads_to_an_organiser_get_and_nothing_for_the_deployment_token()
{
    let counter = Arc::new(CountingTable::logging(plenary_benches::memory_table()));
    let store = TableStore::new(counter.clone());
    let o = plenary_benches::organiser_world(&store).await;
    let mut costs = Vec::new();
    for bearer in [&o.deployment, &o.session] {
        counter.reset();
        let res = plenary_organiser::handle(&o.app, o.draft_get(bearer)).await;
        assert_eq!(res.status(), 200);
        let log = counter.take_log();
        eprintln!("GET {} made:{}", o.path, show(&log));
        costs.push(counter.calls());
    }
    let (deployment, session) = (costs[0], costs[1]);
    assert_eq!(deployment.write + deployment.transact, 0);
    assert_eq!(
        session.write + session.transact,
        0,
        "a session records no use"
    );
    assert_eq!(session.get, deployment.get + 3);
    assert_eq!(session.query, deployment.query);
}

/// Attendance at 10,000 registrants (half of them joined): the event's registrations are read
/// from its own partition, a query per 500, and nothing else of the table is read; the joins
/// come with each registration (counters on its item), so no join log is scanned. The stats
/// read the same pages.
#[tokio::test]
async fn attendance_at_ten_thousand_registrants_reads_the_events_registrations_a_page_at_a_time() {
    let counter = Arc::new(CountingTable::logging(plenary_benches::memory_table()));
    let store = TableStore::new(counter.clone());
    let now = at(plenary_benches::CLOCK);
    let event = publish(&store, 20, now).await;
    plenary_benches::attended(&store, &event, 10_000, now).await;
    let (app, token) = plenary_benches::organiser_app(&store);
    // (Stats read counters: `stats_and_the_recipient_count_…` below.)
    for route in ["attendance"] {
        counter.reset();
        let path = format!("/v1/admin/events/{}/{route}", plenary_benches::EVENT);
        let res = plenary_organiser::handle(&app, plenary_benches::get_with(&path, &token)).await;
        assert_eq!(res.status(), 200);
        let log = counter.take_log();
        let calls = counter.calls();
        let queries: Vec<&plenary_benches::Call> = log.iter().filter(|c| c.op == "query").collect();
        let bytes: usize = queries.iter().flat_map(|c| c.bytes.iter()).sum();
        eprintln!(
            "GET …/{route} at 10,000 registrants: {calls:?}, {} queries reading {bytes} bytes",
            queries.len()
        );
        let registrations = queries
            .iter()
            .filter(|c| c.keys[0].sk.starts_with("REG#"))
            .count();
        // 20 full pages of 500, and the one that finds nothing after the last.
        assert_eq!(
            registrations,
            21,
            "one query per 500 registrations:{}",
            show(&log)
        );
        assert!(
            queries
                .iter()
                .all(|c| c.keys[0].pk == format!("EVENT#{}", plenary_benches::EVENT))
        );
        assert_eq!(calls.writes(), 0);
        if route == "attendance" {
            assert_eq!(calls.query, 21, "{}", show(&log));
            let body: serde_json::Value = serde_json::from_slice(res.body()).expect("JSON");
            assert_eq!(body["registrants"].as_array().unwrap().len(), 10_000);
            let days: Vec<u64> = body["days"]
                .as_array()
                .unwrap()
                .iter()
                .map(|d| d["attended"].as_u64().unwrap())
                .collect();
            assert_eq!(days, [5_000, 2_500]);
        }
    }
}

/// Stats and an announcement's recipient count come from the event's counters: the same store
/// calls at 10 registrations as at 5,000, none of them a read of the registrations, and the
/// counts right.
#[tokio::test]
async fn stats_and_the_recipient_count_take_the_same_store_calls_at_ten_and_at_five_thousand_registrations()
 {
    let mut seen = Vec::new();
    for n in [10, 5_000] {
        let counter = Arc::new(CountingTable::logging(plenary_benches::memory_table()));
        let store = TableStore::new(counter.clone());
        let now = at(plenary_benches::CLOCK);
        let event = publish(&store, 20, now).await;
        plenary_benches::attended(&store, &event, n, now).await;
        let (app, token) = plenary_benches::organiser_app(&store);
        let base = format!("/v1/admin/events/{}", plenary_benches::EVENT);

        counter.reset();
        let res = plenary_organiser::handle(
            &app,
            plenary_benches::get_with(&format!("{base}/stats"), &token),
        )
        .await;
        assert_eq!(res.status(), 200);
        let stats_log = counter.take_log();
        let stats_calls = counter.calls();
        let body = body_json(&res);
        assert_eq!(body["total"], n);
        assert_eq!(body["by_status"]["confirmed"], n);
        assert_eq!(body["attendance"]["attended"], n / 2);

        counter.reset();
        let mut req = post_json(
            &format!("{base}/announcements"),
            &serde_json::json!({"subject": "Slides", "body": "Here.", "audience": "attended"}),
        );
        req.headers_mut()
            .insert("authorization", format!("Bearer {token}").parse().unwrap());
        let res = plenary_organiser::handle(&app, req).await;
        assert_eq!(res.status(), 202);
        let announce_log = counter.take_log();
        let announce_calls = counter.calls();
        assert_eq!(body_json(&res)["recipients"], n / 2);

        eprintln!("at {n} registrations: stats {stats_calls:?}, announcement {announce_calls:?}");
        for log in [&stats_log, &announce_log] {
            assert!(
                log.iter()
                    .all(|c| c.keys.iter().all(|k| !k.sk.starts_with("REG#"))),
                "a registration was read:{}",
                show(log)
            );
        }
        seen.push((stats_calls, announce_calls));
    }
    assert_eq!(
        seen[0], seen[1],
        "the store calls grew with the registrations"
    );
}

fn body_json(res: &plenary::http::Response) -> serde_json::Value {
    match res.body() {
        lambda_http::Body::Text(t) => serde_json::from_str(t).unwrap(),
        other => panic!("{other:?}"),
    }
}

/// The registrations export at 5,000 registrations: read a page of 500 at a time from the
/// event's own partition (so the handler never holds the event whole), written through gzip
/// when asked, the compressed body the plain one, well inside one Lambda response. (The 50,000
/// figures: `cargo run --release -p plenary-benches --bin organiser-reads`, BENCHMARKS.md.)
#[tokio::test]
async fn the_export_reads_the_event_a_page_at_a_time_and_compresses_within_one_response() {
    let counter = Arc::new(CountingTable::logging(plenary_benches::memory_table()));
    let store = TableStore::new(counter.clone());
    let now = at(plenary_benches::CLOCK);
    let event = publish(&store, 20, now).await;
    plenary_benches::confirmed(&store, &event, 5_000, now).await;
    let (app, token) = plenary_benches::organiser_app(&store);
    let path = format!(
        "/v1/admin/events/{}/registrations.csv",
        plenary_benches::EVENT
    );
    let mut bodies = Vec::new();
    for gzip in [false, true] {
        let mut req = plenary_benches::get_with(&path, &token);
        if gzip {
            req.headers_mut()
                .insert("accept-encoding", "gzip".parse().unwrap());
        }
        counter.reset();
        let res = plenary_organiser::handle(&app, req).await;
        assert_eq!(res.status(), 200);
        let log = counter.take_log();
        let pages = log
            .iter()
            .filter(|c| c.op == "query" && c.keys[0].sk.starts_with("REG#"))
            .count();
        assert_eq!(
            pages,
            11,
            "10 full pages of 500, and the one after:{}",
            show(&log)
        );
        assert_eq!(counter.calls().writes(), 0);
        bodies.push(res.body().to_vec());
    }
    let (plain, packed) = (&bodies[0], &bodies[1]);
    let mut unpacked = Vec::new();
    std::io::Read::read_to_end(
        &mut flate2::read::GzDecoder::new(&packed[..]),
        &mut unpacked,
    )
    .expect("a gzip stream");
    assert_eq!(&unpacked, plain);
    assert_eq!(
        plain.iter().filter(|b| **b == b'\n').count(),
        5_001,
        "a header and a row each"
    );
    eprintln!(
        "export at 5,000 registrations: {} bytes plain, {} gzip",
        plain.len(),
        packed.len()
    );
    assert!(
        packed.len() * 4 < plain.len(),
        "compressed at least fourfold"
    );
    assert!(packed.len() < plenary::http::large::MAX_BODY / 40);
}
