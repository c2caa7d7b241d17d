//! Notifications over HTTP, on the memory store and on DynamoDB: reminders at the seeded
//! workshop's offsets exactly once in each registrant's language, nothing for late registrants
//! or after the start, one digest with a calendar update for close publications, announcements
//! with an English fall-back, one-click unsubscribe, the unsubscribe page's link with its undo,
//! the announcements choice, and the headers every message carries.

use plenary_tests::flows::*;
use plenary_tests::on_both_stores;
use plenary_tests::stack::{LocalStack, Store, problem, send};
use reqwest::Method;
use serde_json::{Value, json};

on_both_stores!(
    each_reminder_reaches_each_confirmed_registrant_once_in_their_language,
    a_late_registrant_gets_no_reminder_that_was_due_before_they_confirmed,
    close_publications_reach_registrants_as_one_digest_with_a_calendar_update,
    nobody_gets_a_digest_of_a_version_whose_predecessor_they_never_saw,
    an_announcement_reaches_its_audience_with_an_english_fall_back,
    one_click_unsubscribe_stops_optional_mail_at_once,
    the_body_links_to_the_unsubscribe_page_which_changes_nothing_until_its_button_is_pressed,
    undoing_an_unsubscription_restores_the_choices_it_turned_off,
    announcements_go_only_to_registrants_who_keep_the_announcements_choice,
    every_message_is_auto_generated_and_dated_by_the_simulated_clock,
);

const QOS: &str = "qos-workshop-2021";

async fn run_at(s: &LocalStack, now: &str) -> Value {
    let res = send(s.post(&format!("/_local/notifications/run?now={now}"))).await;
    assert_eq!(res.status(), 200);
    res.json().await.unwrap()
}

async fn confirmed_in(s: &LocalStack, email: &str, language: &str) -> String {
    let mut p = person(email);
    p["language"] = json!(language);
    let token = token_for(s, QOS, &p).await;
    assert_eq!(confirm(s, &token).await.status(), 200);
    token
}

async fn each_reminder_reaches_each_confirmed_registrant_once_in_their_language(store: Store) {
    let s = LocalStack::start(store, &[]);
    confirmed_in(&s, "en@example.org", "en").await;
    confirmed_in(&s, "fr@example.org", "fr").await;
    confirmed_in(&s, "ar@example.org", "ar").await;
    // The workshop starts 2021-09-08T12:00Z; reminders P7D, P1D, PT1H.
    for now in ["2021-09-01T12:00:00Z", "2021-09-01T12:05:00Z"] {
        run_at(&s, now).await;
    }
    for (who, lang) in [
        ("en@example.org", "en"),
        ("fr@example.org", "fr"),
        ("ar@example.org", "ar"),
    ] {
        let reminders = mail_of_kind(&s, who, "reminder").await;
        assert_eq!(reminders.len(), 1, "{who} got {}", reminders.len());
        assert_eq!(reminders[0]["language"], lang);
        assert!(
            reminders[0]["headers"]["List-Unsubscribe"]
                .as_str()
                .unwrap()
                .contains("/v1/unsubscribe?token=")
        );
        assert_eq!(
            reminders[0]["headers"]["List-Unsubscribe-Post"],
            "List-Unsubscribe=One-Click"
        );
    }
    let ar = mail_to(&s, "ar@example.org").await;
    assert!(
        ar.last().unwrap()["html"]
            .as_str()
            .unwrap()
            .contains("dir=\"rtl\"")
    );
    // Transactional mail carries no unsubscribe header.
    assert!(ar[0]["headers"].get("List-Unsubscribe").is_none());

    // Connection details released: the one-hour reminder carries the personal link and passcode.
    let info = json!({"url": "https://meet.example/qos", "passcode": "4321", "release_at": "2021-09-07T00:00:00Z"});
    assert_eq!(put_join_info(&s, QOS, &info).await.status(), 200);
    run_at(&s, "2021-09-07T12:00:00Z").await;
    run_at(&s, "2021-09-08T11:00:00Z").await;
    run_at(&s, "2021-09-08T11:30:00Z").await;
    // After the start: nothing more.
    run_at(&s, "2021-09-08T12:00:00Z").await;
    let en = mail_of_kind(&s, "en@example.org", "reminder").await;
    assert_eq!(en.len(), 3);
    let last = en.last().unwrap()["text"].as_str().unwrap().to_owned();
    assert!(last.contains("/v1/join/"), "{last}");
    assert!(last.contains("4321"), "{last}");
}

async fn a_late_registrant_gets_no_reminder_that_was_due_before_they_confirmed(store: Store) {
    let s = LocalStack::start(store, &["--clock", "2021-09-05T00:00:00Z"]);
    confirmed_in(&s, "late@example.org", "en").await;
    // The one-week reminder was due on 1 September: not owed to someone confirmed on the 5th.
    run_at(&s, "2021-09-05T00:10:00Z").await;
    assert!(
        mail_of_kind(&s, "late@example.org", "reminder")
            .await
            .is_empty()
    );
    run_at(&s, "2021-09-07T12:00:00Z").await;
    assert_eq!(
        mail_of_kind(&s, "late@example.org", "reminder").await.len(),
        1
    );
}

async fn publish_moved_opening(s: &LocalStack, minutes: u32) {
    let draft_path = format!("/v1/admin/events/{QOS}/programme/draft");
    let mut draft: Value = s.admin_json(&draft_path).await;
    draft["sessions"][0]["ends_at"] = json!(format!("2021-09-08T14:{minutes:02}:00+02:00"));
    draft["sessions"][1]["starts_at"] = json!(format!("2021-09-08T14:{minutes:02}:00+02:00"));
    assert_eq!(put_draft(s, QOS, &draft).await.status(), 200);
    assert_eq!(publish(s, QOS).await.status(), 200);
}

async fn close_publications_reach_registrants_as_one_digest_with_a_calendar_update(store: Store) {
    let dir = std::env::temp_dir().join(format!(
        "plenary-digest-{}-{}",
        std::process::id(),
        store as u8
    ));
    let _ = std::fs::remove_dir_all(&dir);
    let s = LocalStack::start(
        store,
        &[
            "--clock",
            "2021-08-23T08:00:00Z",
            "--outbox-dir",
            dir.to_str().unwrap(),
        ],
    );
    confirmed_in(&s, "changes@example.org", "en").await;
    let mut quiet = person("quiet@example.org");
    quiet["notifications"] = json!({"programme_changes": false});
    post_registration(&s, QOS, &quiet).await;
    run_job(&s).await;
    let t = token_in(mail_to(&s, "quiet@example.org").await.last().unwrap());
    confirm(&s, &t).await;

    publish_moved_opening(&s, 20).await;
    publish_moved_opening(&s, 25).await;
    // Within ten minutes of the last publication: nothing yet.
    run_at(&s, "2021-08-23T08:05:00Z").await;
    let early = mail_of_kind(&s, "changes@example.org", "programme_changes").await;
    assert!(early.is_empty());
    run_at(&s, "2021-08-23T09:00:00Z").await;
    run_at(&s, "2021-08-23T09:30:00Z").await;
    let digests = mail_of_kind(&s, "changes@example.org", "programme_changes").await;
    assert_eq!(
        digests.len(),
        1,
        "two close publications must make one digest"
    );
    let unwanted = mail_of_kind(&s, "quiet@example.org", "programme_changes").await;
    assert!(unwanted.is_empty());
    // The calendar attachment updates the opening under its programme.ics UID, with a raised SEQUENCE.
    let eml = std::fs::read_dir(&dir)
        .unwrap()
        .filter_map(|e| std::fs::read_to_string(e.unwrap().path()).ok())
        .find(|t| t.contains("X-Plenary-Kind: programme_changes"))
        .expect("the digest's .eml file");
    assert!(eml.contains("text/calendar"), "no calendar part");
    let ics = plenary_tests::flows::decoded_calendar(&eml);
    assert!(
        ics.contains("UID:opening.qos-workshop-2021@plenary"),
        "{ics}"
    );
    assert!(ics.contains("SEQUENCE:2"), "{ics}");
    let _ = std::fs::remove_dir_all(&dir);
}

async fn digest_text(s: &LocalStack, to: &str) -> Vec<String> {
    mail_of_kind(s, to, "programme_changes")
        .await
        .iter()
        .map(|m| m["text"].as_str().unwrap().to_owned())
        .collect()
}

async fn nobody_gets_a_digest_of_a_version_whose_predecessor_they_never_saw(store: Store) {
    let s = LocalStack::start(store, &["--clock", "2021-08-23T08:00:00Z"]);
    // Registered seconds after the seed's version 1 was published: they saw it, so its digest
    // (every session "added") is not for them.
    confirmed_in(&s, "after-v1@example.org", "en").await;
    run_at(&s, "2021-08-23T08:30:00Z").await;
    assert_eq!(
        digest_text(&s, "after-v1@example.org").await,
        Vec::<String>::new(),
        "a digest of a version published before they registered"
    );

    // Version 2 moves the opening; someone registers; version 3, close behind, renames the
    // last session. One digest for both, but each is told only what changed since they came.
    let draft_path = format!("/v1/admin/events/{QOS}/programme/draft");
    let mut draft: Value = s.admin_json(&draft_path).await;
    let opening = draft["sessions"][0]["title"].as_str().unwrap().to_owned();
    draft["sessions"][0]["ends_at"] = json!("2021-09-08T14:20:00+02:00");
    draft["sessions"][1]["starts_at"] = json!("2021-09-08T14:20:00+02:00");
    assert_eq!(put_draft(&s, QOS, &draft).await.status(), 200);
    assert_eq!(publish(&s, QOS).await.status(), 200);
    confirmed_in(&s, "after-v2@example.org", "en").await;
    let last = draft["sessions"].as_array().unwrap().len() - 1;
    draft["sessions"][last]["title"] = json!("Closing, renamed");
    assert_eq!(put_draft(&s, QOS, &draft).await.status(), 200);
    assert_eq!(publish(&s, QOS).await.status(), 200);
    confirmed_in(&s, "after-v3@example.org", "en").await;
    run_at(&s, "2021-08-23T09:30:00Z").await;
    run_at(&s, "2021-08-23T10:00:00Z").await;

    let since_v1 = digest_text(&s, "after-v1@example.org").await;
    assert_eq!(since_v1.len(), 1, "{since_v1:?}");
    assert!(since_v1[0].contains(&opening) && since_v1[0].contains("Closing, renamed"));
    let since_v2 = digest_text(&s, "after-v2@example.org").await;
    assert_eq!(since_v2.len(), 1, "{since_v2:?}");
    assert!(since_v2[0].contains("Closing, renamed"), "{}", since_v2[0]);
    assert!(
        !since_v2[0].contains(&opening),
        "the opening moved before they registered: {}",
        since_v2[0]
    );
    assert!(digest_text(&s, "after-v3@example.org").await.is_empty());
}

async fn an_announcement_reaches_its_audience_with_an_english_fall_back(store: Store) {
    let s = LocalStack::start(store, &[]);
    confirmed_in(&s, "a-en@example.org", "en").await;
    confirmed_in(&s, "a-es@example.org", "es").await;
    confirmed_in(&s, "a-ru@example.org", "ru").await;
    let path = format!("/v1/admin/events/{QOS}/announcements");
    let announcement = json!({"subject": {"en": "Room change", "es": "Cambio de sala"},
                              "body": {"en": "We moved to a new room.", "es": "Nos hemos mudado."},
                              "audience": "confirmed"});
    let res = send(s.admin(Method::POST, &path).json(&announcement)).await;
    assert_eq!(res.status(), 202);
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["recipients"], 3);
    assert!(body["announcement_id"].is_string());
    run_job(&s).await;
    run_job(&s).await;
    let es = mail_of_kind(&s, "a-es@example.org", "announcement").await;
    assert_eq!(es.len(), 1);
    assert!(
        es[0]["subject"]
            .as_str()
            .unwrap()
            .contains("Cambio de sala")
    );
    let ru = mail_of_kind(&s, "a-ru@example.org", "announcement").await;
    assert!(
        ru[0]["subject"].as_str().unwrap().contains("Room change"),
        "English is the fall-back"
    );
    let bad = json!({"subject": {"fr": "x"}, "body": "y", "audience": "everyone"});
    let p = problem(send(s.admin(Method::POST, &path).json(&bad)).await, 400).await;
    let fields = error_fields(&p);
    assert!(
        fields.contains(&"subject.en") && fields.contains(&"audience"),
        "{fields:?}"
    );
}

async fn one_click_unsubscribe_stops_optional_mail_at_once(store: Store) {
    let s = LocalStack::start(store, &[]);
    let token = confirmed_in(&s, "bye@example.org", "en").await;
    run_at(&s, "2021-09-01T12:00:00Z").await;
    let reminder = mail_of_kind(&s, "bye@example.org", "reminder")
        .await
        .remove(0);
    let header = reminder["headers"]["List-Unsubscribe"].as_str().unwrap();
    let url = header.trim_start_matches('<').trim_end_matches('>');
    let one_click = s
        .http
        .post(url)
        .header("content-type", "application/x-www-form-urlencoded")
        .body("List-Unsubscribe=One-Click");
    assert_eq!(send(one_click).await.status(), 200);
    let mine: Value = me(&s, &token).await.json().await.unwrap();
    assert_eq!(
        mine["notifications"],
        json!({"reminders": false, "programme_changes": false, "announcements": false})
    );
    run_at(&s, "2021-09-07T12:00:00Z").await;
    let n = mail_of_kind(&s, "bye@example.org", "reminder").await.len();
    assert_eq!(n, 1, "a reminder went out after unsubscribing");
    let stranger = s.post("/v1/unsubscribe?token=not-a-real-token-at-all");
    problem(send(stranger).await, 404).await;
}

/// The link after `marker` in `text`, up to the first character no URL here holds.
fn link_after<'a>(text: &'a str, marker: &str) -> &'a str {
    let start = text
        .find(marker)
        .unwrap_or_else(|| panic!("no {marker} in {text}"));
    let rest = &text[start..];
    let end = rest
        .find(|c: char| c.is_whitespace() || matches!(c, '"' | '<' | '\u{2069}'))
        .unwrap_or(rest.len());
    &rest[..end]
}

fn query_value<'a>(url: &'a str, name: &str) -> &'a str {
    let q = url.split_once('?').map(|(_, q)| q).unwrap_or_default();
    q.split('&')
        .find_map(|kv| kv.strip_prefix(&format!("{name}=")))
        .unwrap_or_else(|| panic!("no {name} in {url}"))
}

async fn notifications_of(s: &LocalStack, bearer: &str) -> Value {
    let mine: Value = me(s, bearer).await.json().await.unwrap();
    mine["notifications"].clone()
}

async fn the_body_links_to_the_unsubscribe_page_which_changes_nothing_until_its_button_is_pressed(
    store: Store,
) {
    let s = LocalStack::start(store, &[]);
    let bearer = confirmed_in(&s, "page@example.org", "fr").await;
    run_at(&s, "2021-09-01T12:00:00Z").await;
    let reminder = mail_of_kind(&s, "page@example.org", "reminder")
        .await
        .remove(0);
    let text = reminder["text"].as_str().unwrap();
    let html = reminder["html"].as_str().unwrap();
    // The body's link is the website's page (a person's click is a GET); the header keeps the
    // API's one-click route for mail clients.
    let page = link_after(text, &format!("{}/unsubscribe?token=", s.base));
    assert!(
        html.contains(&format!("href=\"{}\"", page.replace('&', "&amp;"))),
        "{html}"
    );
    assert!(!text.contains("/v1/unsubscribe"), "{text}");
    assert!(!html.contains("/v1/unsubscribe"), "{html}");
    assert_eq!(query_value(page, "lang"), "fr");
    assert_eq!(query_value(page, "event"), QOS);
    let token = query_value(page, "token");
    let header = reminder["headers"]["List-Unsubscribe"].as_str().unwrap();
    assert_eq!(header, format!("<{}/v1/unsubscribe?token={token}>", s.base));

    // Opening the page, as a person or a link scanner does, any number of times, stops nothing.
    for _ in 0..3 {
        let res = send(s.http.get(page)).await;
        assert_eq!(res.status(), 200);
        assert_eq!(
            plenary_tests::stack::header(&res, "content-type"),
            "text/html; charset=utf-8"
        );
        assert_eq!(
            plenary_tests::stack::header(&res, "cache-control"),
            "no-store"
        );
        let body = res.text().await.unwrap();
        assert!(body.contains("/assets/unsubscribe.js"), "{body}");
    }
    assert_eq!(send(s.http.head(page)).await.status(), 200);
    assert_eq!(
        notifications_of(&s, &bearer).await,
        json!({"reminders": true, "programme_changes": true, "announcements": true})
    );
    // Neither does a GET of the API route (it is a POST only).
    let get = send(s.get(&format!("/v1/unsubscribe?token={token}"))).await;
    assert_eq!(get.status(), 405);
    run_at(&s, "2021-09-07T12:00:00Z").await;
    assert_eq!(
        mail_of_kind(&s, "page@example.org", "reminder").await.len(),
        2
    );

    // The page's button: a POST without a body. The answer says what stopped and in which
    // language to confirm.
    let res = send(s.post(&format!("/v1/unsubscribe?token={token}"))).await;
    assert_eq!(res.status(), 200);
    let answer: Value = res.json().await.unwrap();
    assert_eq!(
        answer,
        json!({"status": "unsubscribed", "language": "fr", "event_id": QOS,
               "stopped": ["reminders", "programme_changes", "announcements"]})
    );
    assert_eq!(
        notifications_of(&s, &bearer).await,
        json!({"reminders": false, "programme_changes": false, "announcements": false})
    );
    run_at(&s, "2021-09-08T11:00:00Z").await;
    assert_eq!(
        mail_of_kind(&s, "page@example.org", "reminder").await.len(),
        2,
        "a reminder went out after unsubscribing"
    );
}

async fn undoing_an_unsubscription_restores_the_choices_it_turned_off(store: Store) {
    let s = LocalStack::start(store, &[]);
    let mut p = person("undo@example.org");
    p["language"] = json!("ar");
    p["notifications"] = json!({"reminders": true, "programme_changes": false});
    let bearer = token_for(&s, QOS, &p).await;
    assert_eq!(confirm(&s, &bearer).await.status(), 200);
    let before = json!({"reminders": true, "programme_changes": false, "announcements": true});
    assert_eq!(notifications_of(&s, &bearer).await, before);
    run_at(&s, "2021-09-01T12:00:00Z").await;
    let reminder = mail_of_kind(&s, "undo@example.org", "reminder")
        .await
        .remove(0);
    let page = link_after(
        reminder["text"].as_str().unwrap(),
        &format!("{}/unsubscribe?token=", s.base),
    );
    let token = query_value(page, "token").to_owned();
    let undo = format!("/v1/unsubscribe/undo?token={token}");

    // Undoing before unsubscribing changes nothing.
    let res = send(s.post(&undo)).await;
    assert_eq!(res.status(), 200);
    assert_eq!(notifications_of(&s, &bearer).await, before);

    let res = send(s.post(&format!("/v1/unsubscribe?token={token}"))).await;
    assert_eq!(res.status(), 200);
    for _ in 0..2 {
        let res = send(s.post(&undo)).await;
        assert_eq!(res.status(), 200);
        assert_eq!(
            plenary_tests::stack::header(&res, "cache-control"),
            "no-store"
        );
        let answer: Value = res.json().await.unwrap();
        assert_eq!(
            answer,
            json!({"status": "subscribed", "language": "ar", "event_id": QOS,
                   "notifications": before})
        );
        assert_eq!(notifications_of(&s, &bearer).await, before);
    }
    // Reminders come again; change notices stay off as they were chosen.
    run_at(&s, "2021-09-07T12:00:00Z").await;
    assert_eq!(
        mail_of_kind(&s, "undo@example.org", "reminder").await.len(),
        2
    );

    // Unknown, malformed and missing tokens; a cancelled registration has nothing to resume.
    problem(
        send(s.post("/v1/unsubscribe/undo?token=Zq7bXo4kLr2Wm9Tn5Vc8Hy3Jd6Fs1Ga0Pu")).await,
        404,
    )
    .await;
    problem(send(s.post("/v1/unsubscribe/undo?token=..%2F")).await, 404).await;
    let p = problem(send(s.post("/v1/unsubscribe/undo")).await, 400).await;
    assert_eq!(error_fields(&p), ["token"]);
    assert!(cancel(&s, &bearer).await.status().is_success());
    let p = problem(send(s.post(&undo)).await, 410).await;
    assert!(p["type"].as_str().unwrap().ends_with("registration-ended"));
}

async fn announcements_go_only_to_registrants_who_keep_the_announcements_choice(store: Store) {
    let s = LocalStack::start(store, &[]);
    let with = |email: &str, choices: Value| {
        let mut p = person(email);
        p["notifications"] = choices;
        p
    };
    let cases = [
        // Absent: on, as before the choice existed.
        ("ann-default@example.org", json!(null)),
        (
            "ann-off@example.org",
            json!({"reminders": true, "programme_changes": true, "announcements": false}),
        ),
        // The two older choices off do not stop announcements: they are a choice of their own.
        (
            "ann-only@example.org",
            json!({"reminders": false, "programme_changes": false}),
        ),
        ("ann-patched@example.org", json!(null)),
    ];
    let mut bearers = Vec::new();
    for (email, choices) in &cases {
        let body = if choices.is_null() {
            person(email)
        } else {
            with(email, choices.clone())
        };
        let bearer = token_for(&s, QOS, &body).await;
        assert_eq!(confirm(&s, &bearer).await.status(), 200);
        bearers.push(bearer);
    }
    let mine: Value = me(&s, &bearers[2]).await.json().await.unwrap();
    assert_eq!(
        mine["notifications"],
        json!({"reminders": false, "programme_changes": false, "announcements": true})
    );
    // The manage page's form turns it off.
    let patch = json!({"notifications": {"reminders": true, "programme_changes": true, "announcements": false}});
    let res = send(
        s.http
            .patch(format!("{}/v1/registrations/me", s.base))
            .bearer_auth(&bearers[3])
            .json(&patch),
    )
    .await;
    assert_eq!(res.status(), 200);
    let patched: Value = res.json().await.unwrap();
    assert_eq!(patched["notifications"]["announcements"], false);
    // A bad value is named.
    let bad = json!({"notifications": {"announcements": "no"}});
    let res = send(
        s.http
            .patch(format!("{}/v1/registrations/me", s.base))
            .bearer_auth(&bearers[3])
            .json(&bad),
    )
    .await;
    let p = problem(res, 400).await;
    assert_eq!(error_fields(&p), ["notifications.announcements"]);

    let path = format!("/v1/admin/events/{QOS}/announcements");
    let announcement = json!({"subject": {"en": "Room change"}, "body": {"en": "New room."},
                              "audience": "confirmed"});
    let res = send(s.admin(Method::POST, &path).json(&announcement)).await;
    assert_eq!(res.status(), 202);
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["recipients"], 2, "{body}");
    drain_job(&s).await;
    for (email, expected) in [
        ("ann-default@example.org", 1),
        ("ann-off@example.org", 0),
        ("ann-only@example.org", 1),
        ("ann-patched@example.org", 0),
    ] {
        let got = mail_of_kind(&s, email, "announcement").await.len();
        assert_eq!(got, expected, "{email}");
    }
}

async fn every_message_is_auto_generated_and_dated_by_the_simulated_clock(store: Store) {
    let dir = std::env::temp_dir().join(format!(
        "plenary-e2e-dated-{}-{:?}",
        std::process::id(),
        store
    ));
    let _ = std::fs::remove_dir_all(&dir);
    let s = LocalStack::start(
        store,
        &[
            "--clock",
            "2021-08-23T08:00:00Z",
            "--outbox-dir",
            dir.to_str().unwrap(),
        ],
    );
    confirmed_in(&s, "dated@example.org", "en").await;
    let mails = mail_to(&s, "dated@example.org").await;
    assert!(!mails.is_empty());
    for m in &mails {
        assert_eq!(m["headers"]["Auto-Submitted"], "auto-generated", "{m}");
        let sent_at: jiff::Timestamp = m["sent_at"].as_str().unwrap().parse().unwrap();
        // The simulated clock, not today's date.
        assert!(sent_at < "2021-09-01T00:00:00Z".parse().unwrap(), "{m}");
        let date = m["headers"]["Date"].as_str().unwrap();
        let parsed = jiff::fmt::rfc2822::parse(date).unwrap().timestamp();
        // RFC 5322 dates have whole seconds.
        assert_eq!(parsed.as_second(), sent_at.as_second(), "{m}");
        let eml = std::fs::read_to_string(dir.join(format!("{}.eml", m["id"].as_str().unwrap())))
            .unwrap();
        let line = |l: &str| eml.split("\r\n").any(|x| x == l);
        assert!(line(&format!("Date: {date}")), "{eml}");
        assert!(line("Auto-Submitted: auto-generated"), "{eml}");
        assert!(
            line("From: \"Plenary (local)\" <events@plenary.localhost>"),
            "the From name is quoted, not encoded: {eml}"
        );
    }
    let _ = std::fs::remove_dir_all(&dir);
}
