//! The production upload adapter against the emulator's S3, through the organiser handler in
//! process on both stores: the form it signs is a presigned POST that S3 takes (a real
//! multipart POST of a file to the bucket, stored with its declared type), and its policy
//! document holds exactly the limits S3 enforces — this key, this type, this exact size, an
//! hour. moto 5.2.5 stores what is posted without evaluating the policy (its POST handler reads
//! neither `policy` nor `content-length-range`), so the refusals of a file too big or of
//! another type are checked by `plenary::files::policy::check`, S3's check as the local stack
//! runs it, on the very form sent to the emulator.

use std::collections::BTreeMap;
use std::sync::Arc;

use plenary::Clock;
use plenary::clock::ManualClock;
use plenary::config::UploadsConfig;
use plenary::files::policy::{self, Refusal};
use plenary::http::Request;
use plenary::store::{MemoryTable, Table, TableStore};
use plenary::token::TokenHash;
use plenary::wiring::Services;
use plenary_organiser::{App, handle};
use plenary_tests::flows::{form_fields, post_form};
use plenary_tests::stack::Store;
use plenary_tests::{dynamo_fixture, on_both_stores};
use serde_json::{Value, json};

on_both_stores!(a_presigned_post_puts_the_file_in_the_bucket_within_its_policy,);

const TOKEN: &str = "deployment-token-of-the-s3-upload-tests-0123";

async fn app(store: Store, bucket: &str) -> (App, Arc<ManualClock>) {
    let table: Arc<dyn Table> = match store {
        Store::Memory => Arc::new(MemoryTable::new()),
        Store::Dynamodb => Arc::new(dynamo_fixture::fresh_table("uploads").await),
    };
    let now = jiff::Timestamp::from_second(jiff::Timestamp::now().as_second()).unwrap();
    let clock = Arc::new(ManualClock::at(now));
    let mut config = plenary_tests::config();
    config.organiser_token_hash = Some(TokenHash::of(TOKEN));
    config.uploads = Some(UploadsConfig::S3 {
        bucket: bucket.to_owned(),
        region: "us-east-1".to_owned(),
        endpoint: Some(dynamo_fixture::endpoint()),
    });
    let services = Services::new(TableStore::new(table)).with_clock(clock.clone());
    (App::new(&services, &config).unwrap(), clock)
}

async fn call(app: &App, method: &str, path: &str, body: Value) -> (u16, Value) {
    let req: Request = http::Request::builder()
        .method(method)
        .uri(path)
        .header("content-type", "application/json")
        .header("authorization", format!("Bearer {TOKEN}"))
        .body(lambda_http::Body::Text(body.to_string()))
        .unwrap();
    let res = handle(app, req).await;
    let status = res.status().as_u16();
    let body = match res.body() {
        lambda_http::Body::Text(t) => serde_json::from_str(t).unwrap_or(Value::Null),
        _ => Value::Null,
    };
    (status, body)
}

async fn a_presigned_post_puts_the_file_in_the_bucket_within_its_policy(store: Store) {
    let endpoint = dynamo_fixture::endpoint();
    let bucket = dynamo_fixture::unique_table_name("uploads").to_lowercase();
    let http = reqwest::Client::new();
    // The emulator takes an unsigned CreateBucket.
    let made = http
        .put(format!("{endpoint}/{bucket}"))
        .send()
        .await
        .unwrap();
    assert!(made.status().is_success(), "{}", made.text().await.unwrap());
    let (app, clock) = app(store, &bucket).await;
    let event = json!({"title": "Uploads", "timezone": "Europe/Zurich",
        "starts_at": "2031-09-08T12:00:00Z", "ends_at": "2031-09-08T14:00:00Z",
        "registration": {"opens_at": "2021-01-01T00:00:00Z"}});
    assert_eq!(call(&app, "PUT", "/v1/admin/events/s3", event).await.0, 201);

    let file = b"QoS slides, in plain text for the test.\n".repeat(40);
    let (status, g) = call(
        &app,
        "POST",
        "/v1/admin/events/s3/uploads",
        json!({"filename": "slides.txt", "content_type": "text/plain", "size": file.len()}),
    )
    .await;
    assert_eq!(status, 201, "{g}");
    let url = g["upload"]["url"].as_str().unwrap();
    assert_eq!(url, format!("{endpoint}/{bucket}"));
    let key = g["key"].as_str().unwrap();
    assert!(
        key.starts_with("files/s3/") && key.ends_with("/slides.txt"),
        "{key}"
    );
    // Served by the CDN under the site's /files/ path, the key being that path.
    assert_eq!(g["file_url"], format!("https://site.test/{key}"));

    // The policy document itself: every limit S3 enforces, signed with the caller's credentials.
    let fields = form_fields(&g);
    let doc = policy::policy_of(&fields).unwrap();
    let conditions = doc["conditions"].as_array().unwrap();
    for c in [
        json!({"bucket": bucket}),
        json!({"key": key}),
        json!({"Content-Type": "text/plain"}),
        json!(["content-length-range", file.len(), file.len()]),
        json!({"x-amz-algorithm": "AWS4-HMAC-SHA256"}),
    ] {
        assert!(conditions.contains(&c), "{c} not in {doc}");
    }
    let expiration: jiff::Timestamp = doc["expiration"].as_str().unwrap().parse().unwrap();
    assert_eq!(
        expiration,
        clock.now() + jiff::SignedDuration::from_hours(1)
    );
    let sent: BTreeMap<String, String> = fields.iter().cloned().collect();
    let by_test_keys = |akid: &str| (akid == "test").then(|| "test".to_owned());
    let checked = policy::check(&sent, &bucket, "us-east-1", by_test_keys, clock.now()).unwrap();
    assert_eq!(checked.length, (file.len() as u64, file.len() as u64));
    // Another type, or the form after its hour: refused by S3's check.
    let mut html = sent.clone();
    html.insert("Content-Type".into(), "text/html".into());
    let refused = policy::check(&html, &bucket, "us-east-1", by_test_keys, clock.now());
    assert!(matches!(refused, Err(Refusal::Policy(_))), "{refused:?}");
    let late = clock.now() + jiff::SignedDuration::from_mins(61);
    let refused = policy::check(&sent, &bucket, "us-east-1", by_test_keys, late);
    assert!(matches!(refused, Err(Refusal::Expired(_))), "{refused:?}");

    // A real POST of the file to the presigned form: the emulator's S3 takes it.
    let res = post_form(url, &fields, "slides.txt", &file).await;
    assert_eq!(res.status(), 204, "{}", res.text().await.unwrap());
    // Read back as an authenticated caller would (the bucket is private; the emulator checks
    // that a request is signed, not its signature).
    let stored = http
        .get(format!("{endpoint}/{bucket}/{key}"))
        .header(
            "authorization",
            "AWS4-HMAC-SHA256 Credential=test/20261202/us-east-1/s3/aws4_request, \
             SignedHeaders=host, Signature=0",
        )
        .send()
        .await
        .unwrap();
    assert_eq!(stored.status(), 200);
    assert_eq!(
        stored.headers()["content-type"].to_str().unwrap(),
        "text/plain"
    );
    assert_eq!(stored.bytes().await.unwrap().as_ref(), file.as_slice());

    // The grant is in the event's audit log.
    let (_, log) = call(&app, "GET", "/v1/admin/events/s3/audit", Value::Null).await;
    // (Not necessarily first: the event was put in the same second, and entries of one
    // millisecond have no order of their own.)
    let actions: Vec<&str> = log["entries"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|e| e["action"].as_str())
        .collect();
    assert!(actions.contains(&"createUpload"), "{log}");
}
