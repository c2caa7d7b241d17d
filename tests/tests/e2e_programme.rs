//! The programme over HTTP, on the memory store and on DynamoDB: the seeded publication, time
//! zones, ETags, versions and changes, the ICS and schedule.json exports, and the organiser's
//! draft and publish with their refusals.

use plenary_tests::flows::{create_event, error_fields, event_body, publish, put_draft};
use plenary_tests::on_both_stores;
use plenary_tests::stack::{LocalStack, Store, header, problem, send};
use reqwest::Method;
use serde_json::{Value, json};

on_both_stores!(
    the_seeded_programme_is_published_in_the_events_zone_by_day,
    another_zone_shows_the_same_instants_and_an_unknown_zone_is_400,
    an_unchanged_programme_answers_304_to_its_etag,
    an_unpublished_programme_is_404_and_unknown_events_are_404,
    the_organiser_edits_the_draft_and_publishes_version_two_with_its_changes,
    a_bad_draft_is_400_naming_every_problem,
    the_calendar_export_is_rfc_5545_with_stable_uids,
    the_schedule_export_is_in_the_frab_shape,
    two_publications_at_once_make_one_version_and_one_conflict,
    an_edited_event_renews_the_programme_and_its_exports_without_a_new_version,
);

const QOS: &str = "qos-workshop-2021";

async fn json(res: reqwest::Response) -> Value {
    assert_eq!(res.status(), 200, "unexpected status");
    res.json().await.unwrap()
}

/// A public GET that must answer 200, and its JSON body.
async fn read(s: &LocalStack, path: &str) -> Value {
    json(send(s.get(path)).await).await
}

async fn the_seeded_programme_is_published_in_the_events_zone_by_day(store: Store) {
    let s = LocalStack::start(store, &[]);
    let res = send(s.get(&format!("/v1/events/{QOS}/programme"))).await;
    assert_eq!(
        res.headers()["cache-control"],
        "public, max-age=60, stale-while-revalidate=300"
    );
    assert!(res.headers().contains_key("etag"));
    let p = json(res).await;
    assert_eq!(p["event_id"], QOS);
    assert_eq!(p["version"], 1);
    assert_eq!(p["timezone"], "Europe/Zurich");
    let days = p["days"].as_array().unwrap();
    assert_eq!(days.len(), 2);
    assert_eq!(days[0]["date"], "2021-09-08");
    assert_eq!(days[1]["date"], "2021-09-09");
    let first = &days[0]["sessions"][0];
    assert_eq!(first["kind"], "opening");
    assert_eq!(first["starts_at"], "2021-09-08T14:00:00+02:00");
    let last = days[1]["sessions"]
        .as_array()
        .unwrap()
        .last()
        .unwrap()
        .clone();
    assert_eq!(last["kind"], "closing");
    assert_eq!(last["ends_at"], "2021-09-09T16:30:00+02:00");
    for day in days {
        for session in day["sessions"].as_array().unwrap() {
            for field in [
                "id",
                "title",
                "kind",
                "starts_at",
                "ends_at",
                "abstract",
                "speakers",
            ] {
                assert!(!session[field].is_null(), "{field} missing");
            }
        }
    }
    let versions = read(&s, &format!("/v1/events/{QOS}/programme/versions")).await;
    assert_eq!(versions["versions"][0]["version"], 1);
    let speakers = read(&s, &format!("/v1/events/{QOS}/speakers")).await;
    assert_eq!(speakers["speakers"], json!([]));
}

async fn another_zone_shows_the_same_instants_and_an_unknown_zone_is_400(store: Store) {
    let s = LocalStack::start(store, &[]);
    let ny = read(
        &s,
        &format!("/v1/events/{QOS}/programme?tz=America/New_York"),
    )
    .await;
    assert_eq!(ny["timezone"], "America/New_York");
    assert_eq!(
        ny["days"][0]["sessions"][0]["starts_at"],
        "2021-09-08T08:00:00-04:00"
    );
    let tokyo = read(&s, &format!("/v1/events/{QOS}/programme?tz=Asia/Tokyo")).await;
    // 16:15 in Zurich is 23:15 in Tokyo, still 8 September; the closing of 9 September ends at 23:30.
    assert_eq!(
        tokyo["days"][1]["sessions"]
            .as_array()
            .unwrap()
            .last()
            .unwrap()["ends_at"],
        "2021-09-09T23:30:00+09:00"
    );
    let mars = format!("/v1/events/{QOS}/programme?tz=Mars/Olympus");
    let p = problem(send(s.get(&mars)).await, 400).await;
    assert_eq!(p["errors"][0]["field"], "tz");
}

async fn an_unchanged_programme_answers_304_to_its_etag(store: Store) {
    let s = LocalStack::start(store, &[]);
    let path = format!("/v1/events/{QOS}/programme");
    let res = send(s.get(&path)).await;
    let etag = res.headers()["etag"].to_str().unwrap().to_owned();
    let again = send(s.get(&path).header("if-none-match", &etag)).await;
    assert_eq!(again.status(), 304);
    assert_eq!(again.headers()["etag"].to_str().unwrap(), etag);
    assert!(again.bytes().await.unwrap().is_empty());
    // Another zone is another representation.
    let other = send(
        s.get(&format!("{path}?tz=Asia/Tokyo"))
            .header("if-none-match", &etag),
    )
    .await;
    assert_eq!(other.status(), 200);
}

async fn an_unpublished_programme_is_404_and_unknown_events_are_404(store: Store) {
    let s = LocalStack::start(store, &[]);
    let p = problem(
        send(s.get("/v1/events/sg12rg-afr-2021/programme")).await,
        404,
    )
    .await;
    assert_eq!(p["code"], "programme-not-published");
    for path in ["programme", "programme.ics"] {
        problem(
            send(s.get(&format!("/v1/events/nothing-here/{path}"))).await,
            404,
        )
        .await;
    }
}

async fn the_organiser_edits_the_draft_and_publishes_version_two_with_its_changes(store: Store) {
    let s = LocalStack::start(store, &[]);
    let draft_path = format!("/v1/admin/events/{QOS}/programme/draft");
    let mut draft = json(send(s.admin(Method::GET, &draft_path)).await).await;
    assert_eq!(draft["sessions"].as_array().unwrap().len(), 8);
    // Publishing the unchanged draft is refused.
    let p = problem(publish(&s, QOS).await, 409).await;
    assert_eq!(p["code"], "programme-unchanged");
    // Move session 1 by a quarter of an hour, rename session 4, drop the second break, add a speaker.
    let sessions = draft["sessions"].as_array_mut().unwrap();
    sessions[1]["ends_at"] = json!("2021-09-08T15:00:00+02:00");
    sessions[6]["title"] = json!("Session 4: Monitoring systems and methodologies");
    sessions.remove(5);
    draft["speakers"] =
        json!([{"id": "chair", "name": "Workshop Chair", "affiliation": "ITU", "bio": ""}]);
    draft["sessions"][0]["speakers"] = json!([{"id": "chair", "role": "chair"}]);
    assert_eq!(put_draft(&s, QOS, &draft).await.status(), 200);
    let published = json(publish(&s, QOS).await).await;
    assert_eq!(published["version"], 2);
    let kinds: Vec<(String, String)> = published["changes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            (
                c["session_id"].as_str().unwrap().to_owned(),
                c["change"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    for (session, change) in [
        ("session-1-evaluation", "moved"),
        ("session-4-monitoring", "updated"),
        ("break-day-2", "removed"),
        ("opening", "updated"),
    ] {
        let expected = (session.to_owned(), change.to_owned());
        assert!(kinds.contains(&expected), "{kinds:?}");
    }

    let p = read(&s, &format!("/v1/events/{QOS}/programme")).await;
    assert_eq!(p["version"], 2);
    assert_eq!(
        p["days"][0]["sessions"][0]["speakers"][0]["name"],
        "Workshop Chair"
    );
    let changes = read(&s, &format!("/v1/events/{QOS}/programme/changes?from=1")).await;
    assert_eq!(
        (changes["from"].clone(), changes["to"].clone()),
        (json!(1), json!(2))
    );
    let moved = changes["changes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["change"] == "moved")
        .unwrap();
    assert_eq!(moved["before"]["ends_at"], "2021-09-08T15:15:00+02:00");
    assert_eq!(moved["after"]["ends_at"], "2021-09-08T15:00:00+02:00");
    let all = read(
        &s,
        &format!("/v1/events/{QOS}/programme/changes?from=0&to=1"),
    )
    .await;
    assert_eq!(all["changes"].as_array().unwrap().len(), 8);
    for query in ["", "?from=5", "?from=x"] {
        let path = format!("/v1/events/{QOS}/programme/changes{query}");
        problem(send(s.get(&path)).await, 400).await;
    }
    let speakers = read(&s, &format!("/v1/events/{QOS}/speakers")).await;
    assert_eq!(speakers["speakers"][0]["sessions"], json!(["opening"]));
    let versions = read(&s, &format!("/v1/events/{QOS}/programme/versions")).await;
    assert_eq!(versions["versions"].as_array().unwrap().len(), 2);
}

async fn a_bad_draft_is_400_naming_every_problem(store: Store) {
    let s = LocalStack::start(store, &[]);
    let draft = json!({"speakers": [], "sessions": [
        {"id": "a", "title": "A", "kind": "talk", "starts_at": "2021-09-08T14:00:00+02:00", "ends_at": "2021-09-08T13:00:00+02:00"},
        {"id": "b", "title": "B", "kind": "dance", "starts_at": "2021-09-20T14:00:00+02:00", "ends_at": "2021-09-20T15:00:00+02:00"},
        {"id": "c", "title": "", "kind": "talk", "starts_at": "not a time", "ends_at": "2021-09-08T15:00:00+02:00"}
    ]});
    let p = problem(put_draft(&s, QOS, &draft).await, 400).await;
    let fields = error_fields(&p);
    for f in [
        "sessions[0].ends_at",
        "sessions[1].kind",
        "sessions[1].starts_at",
        "sessions[2].title",
        "sessions[2].starts_at",
    ] {
        assert!(fields.contains(&f), "{f} not in {fields:?}");
    }
    problem(
        put_draft(&s, "nothing-here", &json!({"sessions": []})).await,
        404,
    )
    .await;
}

async fn the_calendar_export_is_rfc_5545_with_stable_uids(store: Store) {
    let s = LocalStack::start(store, &[]);
    let res = send(s.get(&format!("/v1/events/{QOS}/programme.ics"))).await;
    assert_eq!(res.status(), 200);
    assert!(header(&res, "content-type").starts_with("text/calendar"));
    let ics = res.text().await.unwrap();
    assert!(ics.starts_with("BEGIN:VCALENDAR\r\n"));
    assert_eq!(ics.matches("BEGIN:VEVENT").count(), 8);
    assert!(ics.contains("UID:opening.qos-workshop-2021@plenary"));
    assert!(ics.contains("DTSTART:20210908T120000Z"));
    assert!(ics.split("\r\n").all(|l| l.len() <= 75));
}

async fn the_schedule_export_is_in_the_frab_shape(store: Store) {
    let s = LocalStack::start(store, &[]);
    let j = read(&s, &format!("/v1/events/{QOS}/schedule.json")).await;
    let c = &j["schedule"]["conference"];
    assert_eq!(c["daysCount"], 2);
    assert_eq!(c["time_zone_name"], "Europe/Zurich");
    let day0 = &c["days"][0];
    let talks = day0["rooms"]["Plenary"].as_array().unwrap();
    assert_eq!(talks[0]["start"], "14:00");
    assert_eq!(talks[0]["duration"], "00:15");
    assert!(j["schedule"]["version"].as_str().unwrap().starts_with("v1"));
}

async fn two_publications_at_once_make_one_version_and_one_conflict(store: Store) {
    let s = LocalStack::start(store, &[]);
    let draft_path = format!("/v1/admin/events/{QOS}/programme/draft");
    let mut draft = json(send(s.admin(Method::GET, &draft_path)).await).await;
    draft["sessions"][0]["title"] = json!("Opening and welcome");
    assert_eq!(put_draft(&s, QOS, &draft).await.status(), 200);
    let (a, b) = tokio::join!(publish(&s, QOS), publish(&s, QOS));
    let mut statuses = vec![a.status().as_u16(), b.status().as_u16()];
    statuses.sort_unstable();
    assert_eq!(statuses, [200, 409]);
    let versions = read(&s, &format!("/v1/events/{QOS}/programme/versions")).await;
    assert_eq!(versions["versions"].as_array().unwrap().len(), 2);
}

/// The function keeps renderings of the latest version while warm; an event edit is not a new
/// version, yet what it changes must reach clients holding the old ETag.
async fn an_edited_event_renews_the_programme_and_its_exports_without_a_new_version(store: Store) {
    let s = LocalStack::start(store, &[]);
    create_event(&s, "edited", &event_body(None, false, false)).await;
    let draft = json!({"speakers": [], "sessions": [{"id": "keynote", "title": "Keynote",
        "kind": "keynote", "starts_at": "2030-03-10T09:00:00+01:00",
        "ends_at": "2030-03-10T10:00:00+01:00", "abstract": "", "speakers": []}]});
    assert_eq!(put_draft(&s, "edited", &draft).await.status(), 200);
    assert_eq!(publish(&s, "edited").await.status(), 200);

    let fetch = async |path: &str, etag: Option<&str>| {
        let mut req = s.get(&format!("/v1/events/edited/{path}"));
        if let Some(e) = etag {
            req = req.header("if-none-match", e);
        }
        let res = send(req).await;
        let status = res.status().as_u16();
        let etag = res
            .headers()
            .get("etag")
            .map(|v| v.to_str().unwrap().to_owned());
        (status, etag, res.text().await.unwrap())
    };
    let mut before = Vec::new();
    for path in ["programme", "programme.ics", "schedule.json"] {
        let (status, etag, body) = fetch(path, None).await;
        assert_eq!(status, 200, "{path}");
        // Served twice from the same version: the same bytes, and 304 to the ETag.
        assert_eq!(fetch(path, None).await.2, body, "{path}");
        assert_eq!(fetch(path, etag.as_deref()).await.0, 304, "{path}");
        before.push((path, etag, body));
    }
    assert!(before[1].2.contains("Race workshop"));
    assert!(before[0].2.contains("\"timezone\":\"Europe/Zurich\""));

    let mut edited = event_body(None, false, false);
    edited["title"] = json!("Renamed workshop");
    edited["timezone"] = json!("Asia/Tokyo");
    create_event(&s, "edited", &edited).await;
    for (path, etag, old) in before {
        let (status, new_etag, body) = fetch(path, etag.as_deref()).await;
        assert_eq!(status, 200, "{path} kept its ETag after the event changed");
        assert_ne!(new_etag, etag, "{path}");
        assert_ne!(body, old, "{path}");
    }
    assert!(
        fetch("programme.ics", None)
            .await
            .2
            .contains("Renamed workshop")
    );
    assert!(
        fetch("programme", None)
            .await
            .2
            .contains("\"timezone\":\"Asia/Tokyo\"")
    );
}
