//! Attendance over HTTP, on the memory store and on DynamoDB: uses of personal join links count
//! by day in the event's zone (a use at 00:30 in Tokyo is the next day there, while UTC is still
//! on the previous one), in `GET …/attendance`, `stats.attendance` and the CSV; and the
//! announcement audiences `attended` and `absent` reach exactly the right people, once each.

use plenary_tests::flows::*;
use plenary_tests::on_both_stores;
use plenary_tests::stack::{LocalStack, Store, no_redirects, problem, send};
use reqwest::Method;
use serde_json::{Value, json};

on_both_stores!(attendance_counts_days_in_the_events_zone_and_the_audiences_reach_the_right_people);

const EVENT: &str = "tokyo-2021";

async fn join(s: &LocalStack, bearer: &str) {
    let res = send(
        s.http
            .get(s.url("/v1/registrations/me/join"))
            .bearer_auth(bearer),
    )
    .await;
    assert_eq!(res.status(), 200);
    let details: Value = res.json().await.unwrap();
    let url = details["personal_url"].as_str().unwrap();
    let res = send(no_redirects().get(url)).await;
    assert_eq!(res.status(), 302);
}

async fn advance(s: &LocalStack, by: &str) {
    let res = send(s.post(&format!("/_local/clock?advance={by}"))).await;
    assert_eq!(res.status(), 200);
}

async fn announce(s: &LocalStack, audience: &str, subject: &str) -> Value {
    let path = format!("/v1/admin/events/{EVENT}/announcements");
    let body = json!({"subject": subject, "body": "Here are the slides and the recording.",
                      "audience": audience});
    let res = send(s.admin(Method::POST, &path).json(&body)).await;
    assert_eq!(res.status(), 202);
    res.json().await.unwrap()
}

async fn attendance_counts_days_in_the_events_zone_and_the_audiences_reach_the_right_people(
    store: Store,
) {
    // 09:30 in Tokyo on the first day.
    let s = LocalStack::start(store, &["--clock", "2021-09-08T00:30:00Z"]);
    let mut event = event_body(None, false, false);
    event["timezone"] = json!("Asia/Tokyo");
    event["starts_at"] = json!("2021-09-08T09:00:00+09:00");
    event["ends_at"] = json!("2021-09-09T18:00:00+09:00");
    event["registration"] =
        json!({"opens_at": "2021-01-01T00:00:00Z", "closes_at": "2021-09-09T09:00:00Z"});
    create_event(&s, EVENT, &event).await;
    let info = json!({"url": "https://meet.example/tokyo", "release_at": "2021-08-01T00:00:00Z"});
    assert_eq!(put_join_info(&s, EVENT, &info).await.status(), 200);

    let (ann, ann_me) = confirmed(&s, EVENT, "ann@example.org").await;
    let (bob, bob_me) = confirmed(&s, EVENT, "bob@example.org").await;
    let (_, cat_me) = confirmed(&s, EVENT, "cat@example.org").await;
    let (dan, dan_me) = confirmed(&s, EVENT, "dan@example.org").await;
    // Registered, never confirmed: in no list and no audience.
    assert_eq!(register(&s, EVENT, "eve@example.org").await.status(), 202);

    join(&s, &ann).await;
    join(&s, &ann).await;
    join(&s, &dan).await;
    // 15:30 UTC on the 8th is 00:30 on the 9th in Tokyo.
    advance(&s, "PT15H").await;
    join(&s, &bob).await;
    advance(&s, "PT1H").await;
    join(&s, &ann).await;
    // Dan attended, then cancelled: listed, but no longer confirmed.
    assert_eq!(cancel(&s, &dan).await.status(), 200);

    let a = s
        .admin_json(&format!("/v1/admin/events/{EVENT}/attendance"))
        .await;
    assert_eq!(a["timezone"], "Asia/Tokyo");
    // A large event's attendance outgrows one response: compressed when the client takes it,
    // the same answer inside.
    let gz = s
        .admin(Method::GET, &format!("/v1/admin/events/{EVENT}/attendance"))
        .header("accept-encoding", "gzip");
    let res = send(gz).await;
    assert_eq!(res.headers()["content-encoding"], "gzip");
    assert_eq!(res.headers()["cache-control"], "no-store");
    let packed = res.bytes().await.unwrap();
    let unpacked: Value = serde_json::from_reader(flate2::read::GzDecoder::new(&packed[..]))
        .expect("gzip-compressed JSON");
    assert_eq!(unpacked, a);
    assert_eq!(
        a["days"],
        json!([{"date": "2021-09-08", "attended": 2}, {"date": "2021-09-09", "attended": 2}])
    );
    let by_id = |me: &Value| {
        a["registrants"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["registration_id"] == me["id"])
            .cloned()
    };
    let ann_row = by_id(&ann_me).unwrap();
    assert_eq!(ann_row["email"], "ann@example.org");
    assert_eq!(ann_row["given_name"], "Ada");
    assert_eq!(ann_row["status"], "confirmed");
    assert_eq!(ann_row["joins"], 3);
    // The simulated clock runs on from where it was set: to the minute.
    let minute = |v: &Value| v.as_str().unwrap()[..16].to_owned() + &v.as_str().unwrap()[19..];
    assert_eq!(minute(&ann_row["first_join_at"]), "2021-09-08T09:30+09:00");
    assert_eq!(minute(&ann_row["last_join_at"]), "2021-09-09T01:30+09:00");
    assert_eq!(ann_row["days"], json!(["2021-09-08", "2021-09-09"]));
    let bob_row = by_id(&bob_me).unwrap();
    assert_eq!(bob_row["days"], json!(["2021-09-09"]));
    assert_eq!(minute(&bob_row["first_join_at"]), "2021-09-09T00:30+09:00");
    let cat_row = by_id(&cat_me).unwrap();
    assert_eq!(cat_row["joins"], 0);
    assert_eq!(cat_row["days"], json!([]));
    assert_eq!(cat_row["first_join_at"], Value::Null);
    let dan_row = by_id(&dan_me).unwrap();
    assert_eq!(
        (dan_row["status"].clone(), dan_row["joins"].clone()),
        (json!("cancelled"), json!(1))
    );
    assert_eq!(
        a["registrants"].as_array().unwrap().len(),
        4,
        "eve is not listed"
    );

    let st = stats(&s, EVENT).await;
    assert_eq!(st["attendance"], json!({"attended": 2, "absent": 1}));

    let csv = send(s.admin(
        Method::GET,
        &format!("/v1/admin/events/{EVENT}/registrations.csv"),
    ))
    .await
    .text()
    .await
    .unwrap();
    let mut reader = csv::Reader::from_reader(csv.trim_start_matches('\u{feff}').as_bytes());
    let header = reader.headers().unwrap().clone();
    let col = |name: &str| header.iter().position(|h| h == name).unwrap();
    let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    let row = |email: &str| rows.iter().find(|r| &r[col("email")] == email).unwrap();
    assert_eq!(&row("ann@example.org")[col("attended")], "true");
    assert_eq!(
        &row("ann@example.org")[col("days_attended")],
        "2021-09-08 2021-09-09"
    );
    assert_eq!(&row("ann@example.org")[col("join_link_uses")], "3");
    assert_eq!(&row("bob@example.org")[col("days_attended")], "2021-09-09");
    assert_eq!(&row("cat@example.org")[col("attended")], "false");
    assert_eq!(&row("cat@example.org")[col("days_attended")], "");

    // The audiences: those who came, and those who did not, each once.
    assert_eq!(announce(&s, "attended", "Thank you").await["recipients"], 2);
    assert_eq!(
        announce(&s, "absent", "Sorry we missed you").await["recipients"],
        1
    );
    drain_job(&s).await;
    drain_job(&s).await;
    let subjects = |mails: Vec<Value>| -> Vec<String> {
        let mut v: Vec<String> = mails
            .iter()
            .map(|m| m["subject"].as_str().unwrap().to_owned())
            .collect();
        v.sort();
        v
    };
    for (to, expected) in [
        ("ann@example.org", vec!["Thank you"]),
        ("bob@example.org", vec!["Thank you"]),
        ("cat@example.org", vec!["Sorry we missed you"]),
        ("dan@example.org", vec![]),
        ("eve@example.org", vec![]),
    ] {
        let got = subjects(mail_of_kind(&s, to, "announcement").await);
        assert_eq!(got.len(), expected.len(), "{to}: {got:?}");
        for (g, e) in got.iter().zip(&expected) {
            assert!(g.contains(e), "{to}: {g}");
        }
    }
    let bad = json!({"subject": "x", "body": "y", "audience": "late"});
    let path = format!("/v1/admin/events/{EVENT}/announcements");
    let p = problem(send(s.admin(Method::POST, &path).json(&bad)).await, 400).await;
    assert_eq!(error_fields(&p), ["audience"]);
}
