//! Registration over HTTP, on the memory store and on DynamoDB: the newcomer's whole path, every
//! refusal as problem+json, duplicates without enumeration, idempotency, capacity, the waiting
//! list, approval, the per-minute cap, join links and erasure. Concurrent cases are in tests/races/tests/races.rs.

use std::collections::BTreeSet;

use plenary_tests::flows::*;
use plenary_tests::on_both_stores;
use plenary_tests::stack::{LocalStack, Store, header, no_redirects, problem, send};
use reqwest::Method;
use serde_json::{Value, json};

on_both_stores!(
    a_newcomer_registers_confirms_sees_joins_and_cancels,
    every_refusal_of_a_registration_is_a_clear_problem,
    a_repeat_registration_answers_the_same_and_mails_the_existing_registrant,
    the_same_idempotency_key_replays_and_a_different_body_is_422,
    a_full_event_waitlists_and_a_cancellation_promotes_the_first_in_line,
    a_full_event_without_a_waiting_list_refuses_confirmation,
    approval_required_registrations_wait_for_the_organiser,
    more_registrations_than_the_cap_get_429_with_retry_after_until_the_next_minute,
    the_organiser_lists_pages_exports_csv_and_counts,
    erasure_removes_personal_data_and_frees_the_address,
    a_revoked_join_link_is_gone_and_the_new_one_is_emailed_and_in_the_calendar,
    registrations_are_counted_by_the_day_they_were_made_in_the_event_s_zone,
);

const QOS: &str = "qos-workshop-2021";

async fn a_newcomer_registers_confirms_sees_joins_and_cancels(store: Store) {
    // The job runs only when this test runs it: the stack's one-second timer could otherwise
    // send the confirmation first (as it did on a loaded machine) and leave the report empty.
    let s = LocalStack::start(store, &["--notifications-interval", "0"]);
    let email = "newcomer@example.org";
    let res = register(&s, QOS, email).await;
    assert_eq!(res.status(), 202);
    assert_eq!(
        res.json::<Value>().await.unwrap(),
        json!({"status": "check_email"})
    );

    let report = run_job(&s).await;
    assert_eq!(report["sent"][0]["kind"], "confirmation");
    let mails = mail_to(&s, email).await;
    assert_eq!(mails.len(), 1);
    assert!(
        mails[0]["text"]
            .as_str()
            .unwrap()
            .contains("/registration/confirm?token=")
    );
    let token = token_in(&mails[0]);

    // Before confirming, the token does not open the /me routes.
    problem(me(&s, &token).await, 401).await;

    let confirmed: Value = confirm(&s, &token).await.json().await.unwrap();
    assert_eq!(confirmed["status"], "confirmed");
    assert_eq!(confirmed["email"], email);
    // Confirming twice is harmless.
    assert_eq!(confirm(&s, &token).await.status(), 200);

    let mine: Value = me(&s, &token).await.json().await.unwrap();
    for field in [
        "id",
        "event_id",
        "status",
        "given_name",
        "family_name",
        "country",
        "organisation",
        "category",
        "language",
    ] {
        assert!(!mine[field].is_null(), "{field} missing");
    }
    assert_eq!(mine["event_id"], QOS);

    let changes =
        json!({"organisation": "ITU", "language": "fr", "notifications": {"reminders": false}});
    let patch = s
        .http
        .patch(s.url("/v1/registrations/me"))
        .bearer_auth(&token);
    let patched: Value = send(patch.json(&changes)).await.json().await.unwrap();
    assert_eq!(patched["organisation"], "ITU");
    assert_eq!(patched["language"], "fr");
    assert_eq!(patched["notifications"]["reminders"], false);

    // Join details: refused until released.
    problem(join(&s, &token).await, 403).await;
    let info = json!({"url": "https://meet.example/qos", "passcode": "4321",
                      "dial_in": "+41 22 000 00 00", "instructions": "Join five minutes early.",
                      "release_at": "2021-08-01T00:00:00Z"});
    assert_eq!(put_join_info(&s, QOS, &info).await.status(), 200);
    let details: Value = join(&s, &token).await.json().await.unwrap();
    assert_eq!(details["passcode"], "4321");
    let personal = details["personal_url"].as_str().unwrap().to_owned();
    assert!(personal.contains("/v1/join/"), "{personal}");

    let no_redirects = no_redirects();
    let hop = send(no_redirects.get(&personal)).await;
    assert_eq!(hop.status(), 302);
    assert_eq!(hop.headers()["location"], "https://meet.example/qos");
    send(no_redirects.get(&personal)).await;

    // The organiser sees the uses.
    let csv = csv(&s, QOS).await;
    assert!(
        csv.lines()
            .any(|l| l.contains(email) && l.contains(",\"2\",")),
        "{csv}"
    );

    // Cancel: the token and the link stop working.
    assert_eq!(cancel(&s, &token).await.status(), 200);
    problem(me(&s, &token).await, 401).await;
    problem(send(no_redirects.get(&personal)).await, 410).await;
    let unknown = s.url("/v1/join/unknown-token-unknown-token");
    problem(send(no_redirects.get(unknown)).await, 404).await;
}

/// The registrant's join details (`GET /v1/registrations/me/join`).
async fn join(s: &LocalStack, token: &str) -> reqwest::Response {
    send(s.get("/v1/registrations/me/join").bearer_auth(token)).await
}

/// The organiser's CSV export of `event`.
async fn csv(s: &LocalStack, event: &str) -> String {
    let path = format!("/v1/admin/events/{event}/registrations.csv");
    send(s.admin(Method::GET, &path))
        .await
        .text()
        .await
        .unwrap()
}

async fn every_refusal_of_a_registration_is_a_clear_problem(store: Store) {
    let s = LocalStack::start(store, &[]);
    let bad = json!({"email": "not-an-address", "given_name": "", "family_name": "X\nY",
                     "country": "ZZ", "organisation": "O", "category": "robot",
                     "language": "de", "consent": false, "surprise": 1});
    let p = problem(post_registration(&s, QOS, &bad).await, 400).await;
    let fields: BTreeSet<&str> = error_fields(&p).into_iter().collect();
    assert_eq!(
        fields,
        BTreeSet::from([
            "email",
            "given_name",
            "family_name",
            "country",
            "category",
            "language",
            "consent",
            "surprise"
        ])
    );

    let mut palau = person("palau@example.org");
    palau["country"] = json!("PW");
    let p = problem(post_registration(&s, QOS, &palau).await, 403).await;
    assert_eq!(p["code"], "not-eligible");

    problem(register(&s, "no-such-event", "a@example.org").await, 404).await;

    let mut closed = event_body(None, false, false);
    closed["registration"] =
        json!({"opens_at": "2021-01-01T00:00:00Z", "closes_at": "2021-02-01T00:00:00Z"});
    create_event(&s, "closed-ws", &closed).await;
    let p = problem(register(&s, "closed-ws", "late@example.org").await, 409).await;
    assert_eq!(p["code"], "registration-closed");

    let text = s
        .post(&format!("/v1/events/{QOS}/registrations"))
        .header("content-type", "text/plain")
        .body("hello");
    problem(send(text).await, 415).await;

    problem(confirm(&s, "no-such-token-no-such-token").await, 404).await;
    problem(me(&s, "no-such-token-no-such-token").await, 401).await;
    problem(send(s.get("/v1/registrations/me")).await, 401).await;
}

async fn a_repeat_registration_answers_the_same_and_mails_the_existing_registrant(store: Store) {
    let s = LocalStack::start(store, &[]);
    let email = "repeat@example.org";
    let token = register_for_token(&s, QOS, email).await;
    // Unconfirmed: a repeat sends a fresh confirmation link.
    assert_eq!(register(&s, QOS, email).await.status(), 202);
    run_job(&s).await;
    let kinds: Vec<Value> = mail_to(&s, email)
        .await
        .iter()
        .map(|m| m["kind"].clone())
        .collect();
    assert_eq!(kinds, [json!("confirmation"), json!("confirmation")]);
    assert_eq!(confirm(&s, &token).await.status(), 200);
    // Confirmed: a repeat (even with another letter case) mails the manage link.
    assert_eq!(register(&s, QOS, "Repeat@Example.org").await.status(), 202);
    run_job(&s).await;
    let mails = mail_to(&s, email).await;
    assert_eq!(mails.last().unwrap()["kind"], "manage_link");
    let manage = token_in(mails.last().unwrap());
    assert_eq!(me(&s, &manage).await.status(), 200);
    // At most three such emails per address per hour.
    for _ in 0..5 {
        assert_eq!(register(&s, QOS, email).await.status(), 202);
    }
    run_job(&s).await;
    assert_eq!(
        mail_to(&s, email).await.len(),
        2 + 2,
        "the hourly limit was not applied"
    );
    // The organiser sees three requests for a held address that mailed its holder, one
    // registration.
    let stats: Value = s.admin_json(&format!("/v1/admin/events/{QOS}/stats")).await;
    assert_eq!(
        (&stats["asked_again"], &stats["total"]),
        (&json!(3), &json!(1))
    );
    // Resend answers 202 for strangers too.
    let resend = s
        .post(&format!("/v1/events/{QOS}/registrations/resend"))
        .json(&json!({"email": "stranger@example.org"}));
    assert_eq!(send(resend).await.status(), 202);
}

async fn the_same_idempotency_key_replays_and_a_different_body_is_422(store: Store) {
    let s = LocalStack::start(store, &[]);
    let path = format!("/v1/events/{QOS}/registrations");
    let send = |body: Value| {
        s.post(&path)
            .header("idempotency-key", "key-123")
            .json(&body)
            .send()
    };
    let first = send(person("idem@example.org")).await.unwrap();
    assert_eq!(first.status(), 202);
    let again = send(person("idem@example.org")).await.unwrap();
    assert_eq!(again.status(), 202);
    assert_eq!(again.headers()["idempotent-replayed"], "true");
    run_job(&s).await;
    assert_eq!(
        mail_to(&s, "idem@example.org").await.len(),
        1,
        "the replay had an effect"
    );
    let other = send(person("other@example.org")).await.unwrap();
    let p = problem(other, 422).await;
    assert_eq!(p["code"], "idempotency-key-reused");
}

async fn a_full_event_waitlists_and_a_cancellation_promotes_the_first_in_line(store: Store) {
    let s = LocalStack::start(store, &[]);
    create_event(&s, "small", &event_body(Some(2), true, false)).await;
    let (a, ra) = confirmed(&s, "small", "a@example.org").await;
    let (_, rb) = confirmed(&s, "small", "b@example.org").await;
    let (c, rc) = confirmed(&s, "small", "c@example.org").await;
    let (_, rd) = confirmed(&s, "small", "d@example.org").await;
    assert_eq!(
        (ra["status"].clone(), rb["status"].clone()),
        (json!("confirmed"), json!("confirmed"))
    );
    assert_eq!(rc["status"], "waitlisted");
    assert_eq!(rc["waitlist_position"], 1);
    assert_eq!(rd["waitlist_position"], 2);
    assert_eq!(cancel(&s, &a).await.status(), 200);
    let now_c: Value = me(&s, &c).await.json().await.unwrap();
    assert_eq!(now_c["status"], "confirmed");
    run_job(&s).await;
    assert!(
        !mail_of_kind(&s, "c@example.org", "promotion")
            .await
            .is_empty()
    );
    let stats: Value = s.admin_json("/v1/admin/events/small/stats").await;
    assert_eq!(stats["seats_taken"], 2);
    assert_eq!(stats["by_status"]["waitlisted"], 1);
}

async fn a_full_event_without_a_waiting_list_refuses_confirmation(store: Store) {
    let s = LocalStack::start(store, &[]);
    create_event(&s, "tiny", &event_body(Some(1), false, false)).await;
    confirmed(&s, "tiny", "first@example.org").await;
    let token = register_for_token(&s, "tiny", "second@example.org").await;
    let p = problem(confirm(&s, &token).await, 409).await;
    assert_eq!(p["code"], "event-full");
}

async fn approval_required_registrations_wait_for_the_organiser(store: Store) {
    let s = LocalStack::start(store, &[]);
    create_event(&s, "vetted", &event_body(Some(5), true, true)).await;
    let (_, a) = confirmed(&s, "vetted", "yes@example.org").await;
    let (_, b) = confirmed(&s, "vetted", "no@example.org").await;
    assert_eq!(a["status"], "pending_approval");
    let decide = |id: &str, decision: &str| {
        let path = format!("/v1/admin/events/vetted/registrations/{id}/{decision}");
        send(s.admin(Method::POST, &path))
    };
    let (a_id, b_id) = (a["id"].as_str().unwrap(), b["id"].as_str().unwrap());
    let ok: Value = decide(a_id, "approve").await.json().await.unwrap();
    assert_eq!(ok["status"], "confirmed");
    problem(decide(a_id, "approve").await, 409).await;
    let no: Value = decide(b_id, "reject").await.json().await.unwrap();
    assert_eq!(no["status"], "rejected");
    problem(decide("01ARZ3NDEKTSV4RRFFQ69G5FAV", "approve").await, 404).await;
    run_job(&s).await;
    assert!(
        !mail_of_kind(&s, "yes@example.org", "approval")
            .await
            .is_empty()
    );
    assert!(
        !mail_of_kind(&s, "no@example.org", "rejection")
            .await
            .is_empty()
    );
}

async fn more_registrations_than_the_cap_get_429_with_retry_after_until_the_next_minute(
    store: Store,
) {
    // The clock starts on the minute, so the few requests below share that minute.
    let s = LocalStack::start(
        store,
        &[
            "--registrations-per-event-per-minute",
            "3",
            "--clock",
            "2021-08-23T08:00:00Z",
        ],
    );
    create_event(&s, "capped", &event_body(None, false, false)).await;
    for i in 0..3 {
        let res = register(&s, "capped", &format!("cap{i}@example.org")).await;
        assert_eq!(res.status(), 202);
    }
    let res = register(&s, "capped", "cap3@example.org").await;
    let retry_after: u64 = res.headers()["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!((1..=60).contains(&retry_after), "Retry-After {retry_after}");
    let p = problem(res, 429).await;
    assert_eq!(p["code"], "too-many-requests");
    // Another event is not held back by this one's rush.
    assert_eq!(
        register(&s, QOS, "elsewhere@example.org").await.status(),
        202
    );
    // Refused means nothing happened: no registration and no email.
    run_job(&s).await;
    assert_eq!(mail_to(&s, "cap3@example.org").await.len(), 0);
    assert_eq!(all_registrations(&s, "capped").await.len(), 3);

    assert_eq!(
        send(s.post("/_local/clock?advance=PT1M")).await.status(),
        200
    );
    assert_eq!(
        register(&s, "capped", "cap3@example.org").await.status(),
        202
    );
    run_job(&s).await;
    assert_eq!(mail_to(&s, "cap3@example.org").await.len(), 1);
    assert_eq!(all_registrations(&s, "capped").await.len(), 4);
}

async fn the_organiser_lists_pages_exports_csv_and_counts(store: Store) {
    let s = LocalStack::start(store, &[]);
    create_event(&s, "paged", &event_body(None, false, false)).await;
    for i in 0..7 {
        let mut p = person(&format!("p{i}@example.org"));
        if i == 3 {
            p["organisation"] = json!("=HYPERLINK(\"http://evil.example\")");
        }
        assert_eq!(post_registration(&s, "paged", &p).await.status(), 202);
    }
    let mut seen = BTreeSet::new();
    let mut cursor: Option<String> = None;
    loop {
        let path = match &cursor {
            Some(c) => format!("/v1/admin/events/paged/registrations?limit=3&cursor={c}"),
            None => "/v1/admin/events/paged/registrations?limit=3".to_owned(),
        };
        let page: Value = s.admin_json(&path).await;
        for r in page["registrations"].as_array().unwrap() {
            assert!(
                seen.insert(r["id"].as_str().unwrap().to_owned()),
                "seen twice"
            );
        }
        match page["next_cursor"].as_str() {
            Some(c) => cursor = Some(c.to_owned()),
            None => break,
        }
    }
    assert_eq!(seen.len(), 7);
    for query in ["limit=0", "status=vip"] {
        let path = format!("/v1/admin/events/paged/registrations?{query}");
        problem(send(s.admin(Method::GET, &path)).await, 400).await;
    }
    // Cursors and registration ids are ULIDs as this API writes them; any other text (lower
    // case included) is not one it gave: 400 for the cursor, 404 for the path.
    for bad in ["01j00000000000000000000000", "0123456789ABCDEFGHIJKLMNOP"] {
        let cursor = format!("/v1/admin/events/paged/registrations?cursor={bad}");
        let p = problem(send(s.admin(Method::GET, &cursor)).await, 400).await;
        assert_eq!(p["detail"], "cursor is not a cursor this API gave");
        let approve = format!("/v1/admin/events/paged/registrations/{bad}/approve");
        problem(send(s.admin(Method::POST, &approve)).await, 404).await;
    }
    let res = send(s.admin(Method::GET, "/v1/admin/events/paged/registrations.csv")).await;
    assert!(header(&res, "content-type").starts_with("text/csv"));
    assert!(
        header(&res, "content-encoding").is_empty(),
        "plain unless asked"
    );
    let csv = res.text().await.unwrap();
    assert!(csv.starts_with('\u{feff}'));
    assert_eq!(csv.lines().count(), 8);
    assert!(csv.contains("\"'=HYPERLINK("), "{csv}");
    // Compressed when the client takes it, as every browser does: the same bytes inside.
    let gz = s
        .admin(Method::GET, "/v1/admin/events/paged/registrations.csv")
        .header("accept-encoding", "br, gzip;q=0.8");
    let res = send(gz).await;
    assert_eq!(header(&res, "content-encoding"), "gzip");
    assert_eq!(header(&res, "vary"), "Accept-Encoding");
    assert_eq!(header(&res, "cache-control"), "no-store");
    let packed = res.bytes().await.unwrap();
    let mut unpacked = String::new();
    std::io::Read::read_to_string(
        &mut flate2::read::GzDecoder::new(&packed[..]),
        &mut unpacked,
    )
    .expect("a gzip stream");
    assert_eq!(unpacked, csv);
    let stats: Value = s.admin_json("/v1/admin/events/paged/stats").await;
    assert_eq!(stats["by_status"]["pending_confirmation"], 7);
    assert_eq!(stats["by_country"]["GB"], 7);
    problem(send(s.get("/v1/admin/events/paged/stats")).await, 401).await;
}

async fn erasure_removes_personal_data_and_frees_the_address(store: Store) {
    let s = LocalStack::start(store, &[]);
    create_event(&s, "forget", &event_body(Some(3), false, false)).await;
    let (token, r) = confirmed(&s, "forget", "forget.me@example.org").await;
    let erase = s.http.delete(s.url("/v1/registrations/me?erase=true"));
    assert_eq!(send(erase.bearer_auth(&token)).await.status(), 200);
    let csv = csv(&s, "forget").await;
    assert!(!csv.contains("forget.me"), "{csv}");
    assert!(!csv.contains("Lovelace"));
    assert!(csv.contains(r["id"].as_str().unwrap()));
    let stats: Value = s.admin_json("/v1/admin/events/forget/stats").await;
    assert_eq!(stats["by_status"]["cancelled"], 1);
    assert_eq!(stats["seats_taken"], 0);
    // The address may register again.
    let again = register_for_token(&s, "forget", "forget.me@example.org").await;
    assert_eq!(confirm(&s, &again).await.status(), 200);
}

async fn a_revoked_join_link_is_gone_and_the_new_one_is_emailed_and_in_the_calendar(store: Store) {
    let s = LocalStack::start(store, &[]);
    let (token, r) = confirmed(&s, QOS, "revoke@example.org").await;
    let info = json!({"url": "https://meet.example/qos", "passcode": "9", "release_at": "2021-08-01T00:00:00Z"});
    assert_eq!(put_join_info(&s, QOS, &info).await.status(), 200);
    let old: Value = join(&s, &token).await.json().await.unwrap();
    let old_url = old["personal_url"].as_str().unwrap().to_owned();

    let calendar = send(
        s.get("/v1/registrations/me/calendar.ics")
            .bearer_auth(&token),
    )
    .await;
    assert_eq!(calendar.status(), 200);
    let ics = calendar.text().await.unwrap();
    assert_eq!(ics.matches("BEGIN:VEVENT").count(), 8);
    let unfolded = ics.replace("\r\n ", "");
    assert!(
        unfolded.contains(&old_url),
        "the personal link is not in the calendar"
    );

    let id = r["id"].as_str().unwrap();
    let revoke = format!("/v1/admin/events/{QOS}/registrations/{id}/revoke-join");
    assert_eq!(send(s.admin(Method::POST, &revoke)).await.status(), 200);
    let no_redirects = no_redirects();
    problem(send(no_redirects.get(&old_url)).await, 410).await;
    let new: Value = join(&s, &token).await.json().await.unwrap();
    let new_url = new["personal_url"].as_str().unwrap().to_owned();
    assert_ne!(new_url, old_url);
    assert_eq!(send(no_redirects.get(&new_url)).await.status(), 302);
    run_job(&s).await;
    let mail = mail_to(&s, "revoke@example.org").await;
    let sent = mail
        .iter()
        .find(|m| m["kind"] == "join_link")
        .expect("a join_link email");
    let path = new_url.split("/v1/join/").nth(1).unwrap();
    assert!(
        sent["text"].as_str().unwrap().contains(path),
        "the email lacks the new link"
    );
}

async fn registrations_are_counted_by_the_day_they_were_made_in_the_event_s_zone(store: Store) {
    // 21:30 UTC is 23:30 in Zurich; an hour later it is the next day there but not in UTC.
    let s = LocalStack::start(store, &["--clock", "2021-08-23T21:30:00Z"]);
    create_event(&s, "daily", &event_body(None, false, false)).await;
    for i in 0..2 {
        let email = format!("d{i}@example.org");
        assert_eq!(register(&s, "daily", &email).await.status(), 202);
    }
    assert_eq!(
        send(s.post("/_local/clock?advance=PT1H")).await.status(),
        200
    );
    assert_eq!(register(&s, "daily", "d2@example.org").await.status(), 202);
    // Lapsed registrations still count on the day they were made.
    assert_eq!(
        send(s.post("/_local/clock?advance=PT72H")).await.status(),
        200
    );
    assert_eq!(register(&s, "daily", "d3@example.org").await.status(), 202);
    let stats: Value = s.admin_json("/v1/admin/events/daily/stats").await;
    assert_eq!(
        stats["registrations_by_day"],
        json!({"2021-08-23": 2, "2021-08-24": 1, "2021-08-27": 1})
    );
    assert_eq!(stats["total"], 4);
    assert_eq!(stats["lapsed_unconfirmed"], 3);
}
