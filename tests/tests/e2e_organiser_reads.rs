//! The organiser's reads over HTTP, on the memory store and on DynamoDB: the event as stored
//! (read, one field changed, written back), the join details, the announcements with their
//! sent counts, and what publishing the draft would change and whom its digest would reach,
//! checked against what publishing and the job then do.

use std::collections::BTreeSet;

use plenary_tests::flows::{self, *};
use plenary_tests::on_both_stores;
use plenary_tests::stack::{LocalStack, Store, problem, send};
use reqwest::Method;
use serde_json::{Value, json};

on_both_stores!(
    the_organisers_event_is_the_body_put_takes_and_goes_back_with_one_field_changed,
    the_join_details_read_back_as_stored_and_are_404_before_they_are_set,
    announcements_are_listed_newest_first_with_sent_counts_that_move_as_the_job_sends,
    the_draft_changes_are_what_publishing_does_and_notified_is_who_gets_the_digest,
);

/// The job runs only when a test runs it, so counts are read before and after.
const NO_TIMER: [&str; 2] = ["--notifications-interval", "0"];

async fn ok_json(res: reqwest::Response) -> Value {
    assert_eq!(res.status(), 200, "unexpected status");
    assert_eq!(res.headers()["cache-control"], "no-store");
    res.json().await.unwrap()
}

async fn admin_get(s: &LocalStack, path: &str) -> Value {
    ok_json(send(s.admin(Method::GET, path)).await).await
}

/// 404 for an unknown and a malformed event id, 401 without the organiser token.
async fn refuses_strangers(s: &LocalStack, path_of: impl Fn(&str) -> String) {
    for id in ["nothing-here", "Not_An_Id!"] {
        problem(send(s.admin(Method::GET, &path_of(id))).await, 404).await;
    }
    problem(send(s.get(&path_of("qos-workshop-2021"))).await, 401).await;
}

fn full_event() -> Value {
    let mut e = event_body(Some(40), true, false);
    e["description"] = json!("Two afternoons on quality of service.");
    e["format"] = json!("hybrid");
    e["languages"] = json!(["en", "fr"]);
    e["contact"] = json!({"name": "TSB Events", "email": "tsbevents@itu.int"});
    e
}

async fn the_organisers_event_is_the_body_put_takes_and_goes_back_with_one_field_changed(
    store: Store,
) {
    let s = LocalStack::start(store, &[]);
    create_event(&s, "reads", &full_event()).await;
    let first = admin_get(&s, "/v1/admin/events/reads").await;

    // Exactly the fields the document gives the PUT's body (created_at and updated_at among them).
    let doc = s.get_json("/v1/openapi.json").await;
    let documented: BTreeSet<&str> = doc["components"]["schemas"]["EventRequest"]["properties"]
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    let shown: BTreeSet<&str> = first
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    assert_eq!(shown, documented);
    assert!(shown.contains("created_at") && shown.contains("updated_at"));

    // As stored: what was sent, with the defaults the PUT filled in, instants in the event's zone.
    let sent = full_event();
    for field in [
        "title",
        "description",
        "timezone",
        "starts_at",
        "format",
        "languages",
        "contact",
        "capacity",
        "waitlist",
        "approval_required",
        "eligibility",
        "reminders",
    ] {
        assert_eq!(first[field], sent[field], "{field}");
    }
    assert_eq!(
        first["registration"],
        json!({"opens_at": "2021-01-01T01:00:00+01:00", "closes_at": "2030-03-10T09:00:00+01:00"})
    );
    let created: jiff::Timestamp = first["created_at"].as_str().unwrap().parse().unwrap();
    assert_eq!(first["updated_at"], first["created_at"]);

    assert_eq!(
        send(s.post("/_local/clock?advance=PT1M")).await.status(),
        200
    );
    let mut edited = first.clone();
    edited["title"] = json!("Renamed workshop");
    let res = send(s.admin(Method::PUT, "/v1/admin/events/reads").json(&edited)).await;
    assert_eq!(res.status(), 200, "the body read goes back as it is");
    assert_eq!(res.json::<Value>().await.unwrap()["saved"], "replaced");

    let second = admin_get(&s, "/v1/admin/events/reads").await;
    assert_eq!(
        second["created_at"], first["created_at"],
        "created_at is kept"
    );
    let updated: jiff::Timestamp = second["updated_at"].as_str().unwrap().parse().unwrap();
    assert!(updated.duration_since(created) >= jiff::SignedDuration::from_mins(1));
    let mut expected = edited.clone();
    expected["updated_at"] = second["updated_at"].clone();
    assert_eq!(second, expected, "only the title and updated_at changed");

    // The public view is as it was: the new title, no times of writing.
    let public = s.get_json("/v1/events/reads").await;
    assert_eq!(public["title"], "Renamed workshop");
    assert!(public.get("created_at").is_none() && public.get("updated_at").is_none());

    // The seed is written when the stack starts, so its events have their times too.
    let seeded = admin_get(&s, "/v1/admin/events/qos-workshop-2021").await;
    assert!(seeded["created_at"].is_string());
    assert_eq!(seeded["timezone"], "Europe/Zurich");

    refuses_strangers(&s, |id| format!("/v1/admin/events/{id}")).await;
}

async fn the_join_details_read_back_as_stored_and_are_404_before_they_are_set(store: Store) {
    let s = LocalStack::start(store, &[]);
    create_event(&s, "joinable", &event_body(None, false, false)).await;
    let path = "/v1/admin/events/joinable/join-info";
    let p = problem(send(s.admin(Method::GET, path)).await, 404).await;
    assert_eq!(p["code"], "join-info-not-set");

    let info = json!({"url": "https://meet.example/abc?pwd=1", "passcode": "123 456",
                      "dial_in": "+41 22 730 5111", "instructions": "Join five minutes early.",
                      "release_at": "2030-03-09T09:00:00+01:00"});
    let res = send(s.admin(Method::PUT, path).json(&info)).await;
    assert_eq!(res.status(), 200);
    let saved: Value = res.json().await.unwrap();

    let read = admin_get(&s, path).await;
    assert_eq!(
        read,
        json!({"url": "https://meet.example/abc?pwd=1", "passcode": "123 456",
               "dial_in": "+41 22 730 5111", "instructions": "Join five minutes early.",
               "release_at": saved["release_at"], "released": false})
    );
    assert_eq!(read["release_at"], "2030-03-09T08:00:00Z");
    // What was read goes back as it is.
    let res = send(s.admin(Method::PUT, path).json(&read)).await;
    assert_eq!(res.status(), 200);
    assert_eq!(admin_get(&s, path).await, read);

    // Optional details left out read back as null and empty.
    let bare = json!({"url": "https://meet.example/x", "release_at": "2030-03-09T09:00:00+01:00"});
    let res = send(s.admin(Method::PUT, path).json(&bare)).await;
    assert_eq!(res.status(), 200);
    let bare = admin_get(&s, path).await;
    assert!(bare["passcode"].is_null() && bare["dial_in"].is_null());
    assert_eq!(bare["instructions"], "");

    // `released` follows the stack's clock (the seed's, in 2021): a past release time is out.
    let past = json!({"url": "https://meet.example/x", "release_at": "2021-01-01T00:00:00Z"});
    let res = send(s.admin(Method::PUT, path).json(&past)).await;
    assert_eq!(res.status(), 200);
    assert_eq!(admin_get(&s, path).await["released"], true);

    refuses_strangers(&s, |id| format!("/v1/admin/events/{id}/join-info")).await;
}

async fn announce(s: &LocalStack, event: &str, body: Value) -> Value {
    let path = format!("/v1/admin/events/{event}/announcements");
    let res = send(s.admin(Method::POST, &path).json(&body)).await;
    assert_eq!(res.status(), 202);
    res.json().await.unwrap()
}

async fn confirmed(s: &LocalStack, event: &str, email: &str) {
    let token = register_for_token(s, event, email).await;
    assert_eq!(confirm(s, &token).await.status(), 200);
}

async fn announcements_are_listed_newest_first_with_sent_counts_that_move_as_the_job_sends(
    store: Store,
) {
    let s = LocalStack::start(store, &NO_TIMER);
    create_event(&s, "told", &event_body(None, false, false)).await;
    let path = "/v1/admin/events/told/announcements";
    assert_eq!(admin_get(&s, path).await, json!({"announcements": []}));
    confirmed(&s, "told", "one@example.org").await;
    confirmed(&s, "told", "two@example.org").await;
    assert_eq!(
        register(&s, "told", "unconfirmed@example.org")
            .await
            .status(),
        202
    );
    drain_job(&s).await;

    let first = announce(
        &s,
        "told",
        json!({"subject": "Room change", "body": "We moved.", "audience": "confirmed"}),
    )
    .await;
    // Ids order by the millisecond they were made in; a second apart, the order is certain.
    assert_eq!(
        send(s.post("/_local/clock?advance=PT1S")).await.status(),
        200
    );
    let second = announce(
        &s,
        "told",
        json!({"subject": {"en": "Slides", "fr": "Diapositives"},
               "body": {"en": "They are online.", "fr": "Elles sont en ligne."}, "audience": "all"}),
    )
    .await;
    // Another event's announcement is not in this one's list.
    announce(
        &s,
        "qos-workshop-2021",
        json!({"subject": "Elsewhere", "body": "x"}),
    )
    .await;

    let listed = admin_get(&s, path).await["announcements"].clone();
    let list = listed.as_array().unwrap();
    assert_eq!(list.len(), 2);
    assert_eq!(
        list[0]["announcement_id"], second["announcement_id"],
        "newest first"
    );
    assert_eq!(list[1]["announcement_id"], first["announcement_id"]);
    assert_eq!(
        list[0]["subject"],
        json!({"en": "Slides", "fr": "Diapositives"})
    );
    assert_eq!(list[1]["subject"], json!({"en": "Room change"}));
    assert_eq!(list[0]["audience"], "all");
    assert_eq!(list[1]["audience"], "confirmed");
    for (entry, accepted) in [(&list[0], &second), (&list[1], &first)] {
        assert_eq!(entry["recipients"], accepted["recipients"]);
        assert_eq!(entry["recipients"], 2);
        assert_eq!(entry["sent"], 0, "nothing is sent before the job runs");
        assert!(
            entry["created_by"].is_null(),
            "the deployment's token names no one"
        );
    }
    let at = |e: &Value| -> jiff::Timestamp { e["created_at"].as_str().unwrap().parse().unwrap() };
    assert!(at(&list[0]) > at(&list[1]));

    drain_job(&s).await;
    let after = admin_get(&s, path).await["announcements"].clone();
    for entry in after.as_array().unwrap() {
        assert_eq!(entry["sent"], entry["recipients"], "{entry}");
    }
    let mut delivered = 0;
    for who in ["one@example.org", "two@example.org"] {
        delivered += mail_to(&s, who)
            .await
            .iter()
            .filter(|m| m["kind"] == "announcement")
            .count();
    }
    assert_eq!(delivered, 4);
    // Another run sends nothing again, and the counts stay.
    drain_job(&s).await;
    assert_eq!(admin_get(&s, path).await["announcements"], after);

    refuses_strangers(&s, |id| format!("/v1/admin/events/{id}/announcements")).await;
}

fn session(id: &str, title: &str, from: &str, to: &str) -> Value {
    json!({"id": id, "title": title, "kind": "talk", "starts_at": format!("2030-03-10T{from}:00+01:00"),
           "ends_at": format!("2030-03-10T{to}:00+01:00"), "abstract": "", "speakers": []})
}

async fn put_draft(s: &LocalStack, draft: &Value) {
    assert_eq!(flows::put_draft(s, "drafty", draft).await.status(), 200);
}

async fn publish(s: &LocalStack) -> Value {
    ok_body(flows::publish(s, "drafty").await).await
}

async fn ok_body(res: reqwest::Response) -> Value {
    assert_eq!(res.status(), 200, "unexpected status");
    res.json().await.unwrap()
}

/// Runs the job at `now` until it has nothing left, and returns how many change digests went to
/// `people`.
async fn digests_at(s: &LocalStack, now: &str, people: &[&str]) -> usize {
    for _ in 0..100 {
        let res = send(s.post(&format!("/_local/notifications/run?now={now}"))).await;
        let report: Value = ok_body(res).await;
        if report["sent"].as_array().is_none_or(Vec::is_empty) && report["more"] != true {
            break;
        }
    }
    let mut digests = 0;
    for who in people {
        digests += mail_of_kind(s, who, "programme_changes").await.len();
    }
    digests
}

async fn the_draft_changes_are_what_publishing_does_and_notified_is_who_gets_the_digest(
    store: Store,
) {
    let s = LocalStack::start(store, &NO_TIMER);
    create_event(&s, "drafty", &event_body(None, false, false)).await;
    let changes_path = "/v1/admin/events/drafty/programme/draft/changes";
    let people = [
        "keen@example.org",
        "eager@example.org",
        "quiet@example.org",
        "later@example.org",
    ];
    confirmed(&s, "drafty", people[0]).await;
    confirmed(&s, "drafty", people[1]).await;
    let mut quiet = person(people[2]);
    quiet["notifications"] = json!({"programme_changes": false});
    assert_eq!(post_registration(&s, "drafty", &quiet).await.status(), 202);
    run_job(&s).await;
    let token = token_in(mail_to(&s, people[2]).await.last().unwrap());
    assert_eq!(confirm(&s, &token).await.status(), 200);
    // Unconfirmed: no digest.
    assert_eq!(
        register(&s, "drafty", "unconfirmed@example.org")
            .await
            .status(),
        202
    );
    drain_job(&s).await;

    // No draft: nothing would change (as GET …/draft answers an empty draft, not 404).
    assert_eq!(
        admin_get(&s, changes_path).await,
        json!({"from": 0, "to": 0, "changes": [], "notified": 0})
    );
    ok_body(send(s.admin(Method::GET, "/v1/admin/events/drafty/programme/draft")).await).await;

    // Before the first publication the changes are against version 0.
    let mut draft = json!({"speakers": [], "sessions": [
        session("keynote", "Keynote", "09:00", "10:00"),
        session("panel", "Panel", "10:30", "12:00"),
    ]});
    put_draft(&s, &draft).await;
    let preview = admin_get(&s, changes_path).await;
    assert_eq!(
        (preview["from"].clone(), preview["to"].clone()),
        (json!(0), json!(1))
    );
    assert_eq!(preview["changes"].as_array().unwrap().len(), 2);
    assert!(
        preview["changes"]
            .as_array()
            .unwrap()
            .iter()
            .all(|c| c["change"] == "added")
    );
    assert_eq!(preview["notified"], 2);
    // The preview wrote nothing: still unpublished.
    problem(send(s.get("/v1/events/drafty/programme")).await, 404).await;
    let published = publish(&s).await;
    assert_eq!(published["version"], preview["to"]);
    assert_eq!(published["changes"], preview["changes"]);
    let public = ok_body(send(s.get("/v1/events/drafty/programme/changes?from=0")).await).await;
    assert_eq!(public["changes"], preview["changes"]);
    // The draft is now the published version: nothing to change.
    assert_eq!(
        admin_get(&s, changes_path).await,
        json!({"from": 1, "to": 1, "changes": [], "notified": 0})
    );
    // The digest goes out once the publication settles, to as many as were counted.
    let first_digests = digests_at(&s, "2021-08-23T09:00:00Z", &people).await;
    assert_eq!(first_digests as u64, preview["notified"].as_u64().unwrap());

    // A later version: the changes are from the latest, and a new registrant counts.
    confirmed(&s, "drafty", people[3]).await;
    draft["sessions"][1] = session("panel", "Panel", "11:00", "12:00");
    draft["sessions"][0]["title"] = json!("Opening keynote");
    put_draft(&s, &draft).await;
    let preview = admin_get(&s, changes_path).await;
    assert_eq!(
        (preview["from"].clone(), preview["to"].clone()),
        (json!(1), json!(2))
    );
    let kinds: BTreeSet<(String, String)> = preview["changes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            (
                c["session_id"].as_str().unwrap().into(),
                c["change"].as_str().unwrap().into(),
            )
        })
        .collect();
    assert_eq!(
        kinds,
        BTreeSet::from([
            ("keynote".into(), "updated".into()),
            ("panel".into(), "moved".into())
        ])
    );
    assert_eq!(
        preview["changes"][1]["before"]["starts_at"],
        "2030-03-10T10:30:00+01:00"
    );
    assert_eq!(preview["notified"], 3);
    let published = publish(&s).await;
    assert_eq!(published["changes"], preview["changes"]);
    let all_digests = digests_at(&s, "2021-08-23T10:00:00Z", &people).await;
    assert_eq!(
        (all_digests - first_digests) as u64,
        preview["notified"].as_u64().unwrap()
    );

    refuses_strangers(&s, |id| {
        format!("/v1/admin/events/{id}/programme/draft/changes")
    })
    .await;
}
