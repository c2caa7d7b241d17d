//! Every calendar the local stack produces, on the memory store and on DynamoDB, read by
//! libical (`scripts/ical-validator.sh` builds `tests/ical/validate.c`; its path is in
//! `PLENARY_ICAL_VALIDATOR`): the public `programme.ics`, the personal calendar before and after
//! a programme is published, and each digest's attachment must parse and pass libical's
//! RFC 5545 / RFC 5546 restriction check. A digest's attachment carries what the registrant's
//! personal calendar carries for the same entry (the join details once released).

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::process::Command;

use plenary_tests::flows::*;
use plenary_tests::on_both_stores;
use plenary_tests::stack::{LocalStack, Store, send};
use serde_json::{Value, json};

on_both_stores!(
    every_calendar_output_passes_libicals_checks_and_a_digest_keeps_the_join_details,
    a_subscribable_calendar_url_serves_the_personal_calendar_until_it_is_closed,
    materials_are_attached_to_their_sessions_in_every_calendar_and_pass_libical,
);

const QOS: &str = "qos-workshop-2021";
const SG12: &str = "sg12rg-afr-2021";

fn validator() -> PathBuf {
    match std::env::var_os("PLENARY_ICAL_VALIDATOR") {
        Some(p) => PathBuf::from(p),
        None => panic!(
            "PLENARY_ICAL_VALIDATOR is unset: export PLENARY_ICAL_VALIDATOR=\"$(scripts/ical-validator.sh)\""
        ),
    }
}

async fn personal_calendar(s: &LocalStack, bearer: &str) -> String {
    let res = send(
        s.http
            .get(s.url("/v1/registrations/me/calendar.ics"))
            .bearer_auth(bearer),
    )
    .await;
    assert_eq!(res.status(), 200);
    res.text().await.unwrap()
}

async fn open_feed(s: &LocalStack, bearer: &str) -> Value {
    let res = send(
        s.http
            .post(s.url("/v1/registrations/me/calendar-feed"))
            .bearer_auth(bearer),
    )
    .await;
    assert_eq!(res.status(), 200);
    res.json().await.unwrap()
}

async fn a_subscribable_calendar_url_serves_the_personal_calendar_until_it_is_closed(store: Store) {
    let s = LocalStack::start(store, &[]);
    let (bearer, _) = confirmed(&s, QOS, "subscriber@example.org").await;
    let feed = open_feed(&s, &bearer).await;
    let url = feed["url"].as_str().unwrap().to_owned();
    assert!(url.starts_with(&s.url("/v1/calendar-feeds/")), "{url}");
    assert_eq!(
        feed["webcal_url"].as_str().unwrap(),
        url.replacen("http://", "webcal://", 1)
    );
    // Opening it again gives the same URL: the manage page can show it on every visit.
    assert_eq!(open_feed(&s, &bearer).await["url"], url.as_str());
    // No header needed, and the same calendar the Bearer route gives.
    let res = send(s.http.get(&url)).await;
    assert_eq!(res.status(), 200);
    assert!(
        res.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/calendar")
    );
    assert_eq!(
        res.text().await.unwrap(),
        personal_calendar(&s, &bearer).await
    );
    // Read-only: the feed's token opens nothing else.
    let token = url.rsplit('/').next().unwrap();
    let me = send(s.http.get(s.url("/v1/registrations/me")).bearer_auth(token)).await;
    assert_eq!(me.status(), 401);
    let del = send(
        s.http
            .delete(s.url("/v1/registrations/me/calendar-feed"))
            .bearer_auth(&bearer),
    )
    .await;
    assert_eq!(del.status(), 204);
    assert_eq!(send(s.http.get(&url)).await.status(), 404);
    // A new URL can be opened; the closed one stays closed.
    let again = open_feed(&s, &bearer).await["url"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_ne!(again, url);
    assert_eq!(send(s.http.get(&again)).await.status(), 200);
    assert_eq!(send(s.http.get(&url)).await.status(), 404);
    // Cancelling the registration ends it.
    assert_eq!(cancel(&s, &bearer).await.status(), 200);
    assert_eq!(send(s.http.get(&again)).await.status(), 410);
}

/// Runs libical over `files` (name, text) written into `dir`, and fails on any refusal.
fn assert_libical_accepts(dir: &std::path::Path, files: &[(String, String)]) {
    let mut paths = Vec::new();
    for (name, text) in files {
        let p = dir.join(name);
        std::fs::write(&p, text).unwrap();
        paths.push(p);
    }
    let out = Command::new(validator())
        .args(&paths)
        .output()
        .unwrap_or_else(|e| panic!("cannot run the validator: {e}"));
    let report = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "libical refused a calendar:\n{report}"
    );
    assert_eq!(report.matches(": ok\n").count(), files.len(), "{report}");
}

async fn materials_are_attached_to_their_sessions_in_every_calendar_and_pass_libical(store: Store) {
    validator();
    let dir = std::env::temp_dir().join(format!(
        "plenary-attach-{}-{}",
        std::process::id(),
        store as u8
    ));
    let _ = std::fs::remove_dir_all(&dir);
    let mail_dir = dir.join("mail");
    let s = LocalStack::start(
        store,
        &[
            "--clock",
            "2021-08-23T08:00:00Z",
            "--outbox-dir",
            mail_dir.to_str().unwrap(),
        ],
    );
    let (bearer, _) = confirmed(&s, QOS, "attach@example.org").await;
    let draft_path = format!("/v1/admin/events/{QOS}/programme/draft");
    let mut draft: Value = s.admin_json(&draft_path).await;
    // A long address, so the ATTACH line is folded too.
    let slides = format!(
        "https://www.itu.int/en/ITU-T/Workshops-and-Seminars/qos/{}/slides.pdf?a=1,b=2;c",
        "x".repeat(90)
    );
    // Only this test's materials (the seed's closing session has some of its own).
    for session in draft["sessions"].as_array_mut().unwrap() {
        session["materials"] = json!([]);
    }
    draft["sessions"][0]["materials"] = json!([
        {"id": "slides", "title": "Slides", "kind": "slides", "url": slides, "language": "en"},
        {"id": "rec", "title": "Recording", "kind": "recording", "url": "https://media.example.org/r"},
    ]);
    draft["sessions"][2]["materials"] =
        json!([{"id": "paper", "title": "Paper", "kind": "document", "url": "https://e.org/p"}]);
    assert_eq!(put_draft(&s, QOS, &draft).await.status(), 200);
    assert_eq!(publish(&s, QOS).await.status(), 200);
    let res = send(s.post("/_local/notifications/run?now=2021-08-23T09:00:00Z")).await;
    assert_eq!(res.status(), 200);

    let programme = send(s.get(&format!("/v1/events/{QOS}/programme.ics")))
        .await
        .text()
        .await
        .unwrap();
    let digest: Vec<String> = std::fs::read_dir(&mail_dir)
        .unwrap()
        .filter_map(|e| std::fs::read_to_string(e.unwrap().path()).ok())
        .filter(|t| t.contains("X-Plenary-Kind: programme_changes"))
        .map(|eml| decoded_calendar(&eml))
        .collect();
    assert_eq!(digest.len(), 1);
    let files = vec![
        ("programme.ics".to_owned(), programme.clone()),
        (
            "personal.ics".to_owned(),
            personal_calendar(&s, &bearer).await,
        ),
        ("digest.ics".to_owned(), digest[0].clone()),
    ];
    assert_libical_accepts(&dir, &files);
    for (name, text) in &files {
        let unfolded = text.replace("\r\n ", "");
        let first = draft["sessions"][0]["id"].as_str().unwrap();
        let third = draft["sessions"][2]["id"].as_str().unwrap();
        let attached = |uid: &str| -> Vec<String> {
            unfolded
                .split("BEGIN:VEVENT")
                .find(|e| e.contains(&format!("UID:{uid}.{QOS}@plenary\r\n")))
                .unwrap_or_else(|| panic!("{uid} in {name}"))
                .split("\r\n")
                .filter_map(|l| l.strip_prefix("ATTACH:"))
                .map(str::to_owned)
                .collect()
        };
        assert_eq!(
            attached(first),
            [slides.clone(), "https://media.example.org/r".to_owned()],
            "{name}"
        );
        assert_eq!(attached(third), ["https://e.org/p"], "{name}");
        assert_eq!(unfolded.matches("\r\nATTACH:").count(), 3, "{name}");
    }
    let _ = std::fs::remove_dir_all(&dir);
}

/// Each VEVENT's unfolded properties by UID (parameters dropped from the name).
fn entries(ics: &str) -> BTreeMap<String, BTreeMap<String, String>> {
    let unfolded = ics.replace("\r\n ", "");
    let mut out = BTreeMap::new();
    let mut current: Option<BTreeMap<String, String>> = None;
    for line in unfolded.split("\r\n") {
        let Some((name, value)) = line.split_once(':') else {
            continue;
        };
        let name = name.split(';').next().unwrap_or(name);
        match (name, value) {
            ("BEGIN", "VEVENT") => current = Some(BTreeMap::new()),
            ("END", "VEVENT") => {
                let e = current.take().unwrap();
                out.insert(e["UID"].clone(), e);
            }
            _ => {
                if let Some(e) = current.as_mut() {
                    e.insert(name.to_owned(), value.to_owned());
                }
            }
        }
    }
    out
}

async fn every_calendar_output_passes_libicals_checks_and_a_digest_keeps_the_join_details(
    store: Store,
) {
    let validator = validator();
    let dir = std::env::temp_dir().join(format!(
        "plenary-calendars-{}-{}",
        std::process::id(),
        store as u8
    ));
    let _ = std::fs::remove_dir_all(&dir);
    let mail_dir = dir.join("mail");
    let s = LocalStack::start(
        store,
        &[
            "--clock",
            "2021-08-23T08:00:00Z",
            "--outbox-dir",
            mail_dir.to_str().unwrap(),
        ],
    );
    let (bearer, _) = confirmed(&s, QOS, "calendar@example.org").await;
    // The other seeded event has no programme: its personal calendar is one whole-event entry.
    let (early, _) = confirmed(&s, SG12, "calendar@example.org").await;
    let info = json!({"url": "https://meet.example/qos", "passcode": "4321",
                      "dial_in": "+41 22 730 5111", "release_at": "2021-08-01T00:00:00Z"});
    assert_eq!(put_join_info(&s, QOS, &info).await.status(), 200);

    // A new version: the opening moves and the last session is removed (a cancellation).
    let draft_path = format!("/v1/admin/events/{QOS}/programme/draft");
    let mut draft: Value = s.admin_json(&draft_path).await;
    draft["sessions"][0]["ends_at"] = json!("2021-09-08T14:20:00+02:00");
    draft["sessions"][1]["starts_at"] = json!("2021-09-08T14:20:00+02:00");
    let removed = draft["sessions"].as_array_mut().unwrap().pop().unwrap();
    assert_eq!(put_draft(&s, QOS, &draft).await.status(), 200);
    assert_eq!(publish(&s, QOS).await.status(), 200);
    let res = send(s.post("/_local/notifications/run?now=2021-08-23T09:00:00Z")).await;
    assert_eq!(res.status(), 200);

    let mut files: Vec<(String, String)> = Vec::new();
    let programme = send(s.get(&format!("/v1/events/{QOS}/programme.ics"))).await;
    assert_eq!(programme.status(), 200);
    files.push(("programme.ics".into(), programme.text().await.unwrap()));
    let mine = personal_calendar(&s, &bearer).await;
    files.push(("personal.ics".into(), mine.clone()));
    let feed = open_feed(&s, &bearer).await;
    let subscribed = send(s.http.get(feed["url"].as_str().unwrap())).await;
    assert_eq!(subscribed.status(), 200);
    files.push(("subscribed.ics".into(), subscribed.text().await.unwrap()));
    files.push((
        "personal-unpublished.ics".into(),
        personal_calendar(&s, &early).await,
    ));
    let digests: Vec<String> = std::fs::read_dir(&mail_dir)
        .unwrap()
        .filter_map(|e| std::fs::read_to_string(e.unwrap().path()).ok())
        .filter(|t| t.contains("X-Plenary-Kind: programme_changes"))
        .map(|eml| decoded_calendar(&eml))
        .collect();
    assert_eq!(digests.len(), 1, "one digest, to the one registrant");
    for (i, d) in digests.iter().enumerate() {
        files.push((format!("digest-{i}.ics"), d.clone()));
    }
    let mut paths = Vec::new();
    for (name, text) in &files {
        let p = dir.join(name);
        std::fs::write(&p, text).unwrap();
        paths.push(p);
    }
    let out = Command::new(&validator)
        .args(&paths)
        .output()
        .unwrap_or_else(|e| panic!("cannot run {}: {e}", validator.display()));
    let report = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "libical refused a calendar:\n{report}"
    );
    assert_eq!(report.matches(": ok\n").count(), files.len(), "{report}");

    // Only the digest is an iTIP message, naming the event's contact as its organiser.
    for (name, text) in &files {
        let itip = name.starts_with("digest");
        assert_eq!(text.contains("\r\nMETHOD:PUBLISH\r\n"), itip, "{name}");
        assert_eq!(text.contains("\r\nORGANIZER"), itip, "{name}");
    }
    // Applying the digest keeps the join details the personal calendar gave each entry.
    let digest = entries(&digests[0]);
    let personal = entries(&mine);
    let opening = format!(
        "{}.{QOS}@plenary",
        draft["sessions"][0]["id"].as_str().unwrap()
    );
    for field in ["DESCRIPTION", "URL", "SEQUENCE", "DTSTART", "DTEND"] {
        assert_eq!(
            digest[&opening][field], personal[&opening][field],
            "{field} of {opening}"
        );
    }
    assert!(digest[&opening]["DESCRIPTION"].contains("Passcode: 4321"));
    let gone = format!("{}.{QOS}@plenary", removed["id"].as_str().unwrap());
    assert_eq!(digest[&gone]["STATUS"], "CANCELLED");
    assert!(digest[&gone]["DESCRIPTION"].contains("/v1/join/"));
    let _ = std::fs::remove_dir_all(&dir);
}
