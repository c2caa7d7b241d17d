//! The foundation over HTTP: the local stack starts, serves the seed, and answers every client
//! mistake with problem+json — on the memory store and on DynamoDB (the emulator).

use plenary_tests::flows::error_fields;
use plenary_tests::on_both_stores;
use plenary_tests::stack::{LocalStack, ORGANISER_TOKEN, Store, problem, send};
use reqwest::Method;
use serde_json::{Value, json};

on_both_stores!(
    the_stack_answers_health_and_lists_the_seeded_events,
    an_event_is_shown_with_its_public_fields_and_an_unknown_one_is_a_problem,
    the_organiser_routes_refuse_a_missing_or_wrong_token,
    a_bad_event_body_is_a_400_naming_every_field,
    wrong_content_type_oversized_and_malformed_bodies_are_4xx_problems,
    an_organiser_creates_then_replaces_an_event_that_everyone_then_sees,
);

async fn the_stack_answers_health_and_lists_the_seeded_events(store: Store) {
    let s = LocalStack::start(store, &[]);
    assert_eq!(send(s.get("/health")).await.status(), 200);
    let res = send(s.get("/v1/events")).await;
    assert_eq!(res.status(), 200);
    assert!(res.headers().contains_key("x-request-id"));
    let body: Value = res.json().await.unwrap();
    let ids: Vec<&str> = body["events"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, ["qos-workshop-2021", "sg12rg-afr-2021"]);
    let qos = &body["events"][0];
    assert_eq!(qos["starts_at"], "2021-09-08T14:00:00+02:00");
    assert_eq!(qos["timezone"], "Europe/Zurich");
    // The seed's simulated clock starts on 23 August 2021, so registration is open.
    assert_eq!(qos["registration"]["open"], true);
    assert_eq!(
        qos["registration"]["closes_at"],
        "2021-09-08T14:00:00+02:00"
    );
}

async fn an_event_is_shown_with_its_public_fields_and_an_unknown_one_is_a_problem(store: Store) {
    let s = LocalStack::start(store, &[]);
    let e = s.get_json("/v1/events/qos-workshop-2021").await;
    for field in [
        "id",
        "title",
        "description",
        "timezone",
        "starts_at",
        "ends_at",
        "format",
        "languages",
        "registration",
        "contact",
    ] {
        assert!(!e[field].is_null(), "{field} is missing");
    }
    assert_eq!(e["format"], "virtual");
    for path in [
        "/v1/events/no-such-event",
        "/v1/events/NOT_A_SLUG",
        "/v1/nowhere",
    ] {
        problem(send(s.get(path)).await, 404).await;
    }
    problem(send(s.post("/v1/events")).await, 405).await;
}

async fn the_organiser_routes_refuse_a_missing_or_wrong_token(store: Store) {
    let s = LocalStack::start(store, &[]);
    let path = "/v1/admin/events/new-event";
    let none = send(s.put(path).json(&json!({}))).await;
    assert_eq!(none.headers()["www-authenticate"], "Bearer");
    problem(none, 401).await;
    let wrong = s.put(path).bearer_auth("not-the-organiser-token-at-all");
    problem(send(wrong.json(&json!({}))).await, 401).await;
}

fn workshop() -> Value {
    json!({"title": "Test workshop", "description": "For the tests.",
           "timezone": "America/New_York",
           "starts_at": "2030-03-10T09:00:00-04:00", "ends_at": "2030-03-10T17:00:00-04:00",
           "format": "hybrid", "languages": ["en", "es"],
           "registration": {"opens_at": "2021-01-01T00:00:00Z"},
           "contact": {"name": "Organiser", "email": "organiser@example.org"},
           "capacity": 20, "waitlist": true, "approval_required": false,
           "eligibility": {"categories": ["academia", "individual"], "itu_member_states_only": false},
           "reminders": ["P1D", "PT1H"]})
}

async fn a_bad_event_body_is_a_400_naming_every_field(store: Store) {
    let s = LocalStack::start(store, &[]);
    let mut body = workshop();
    body["timezone"] = json!("Atlantis/Capital");
    body["format"] = json!("telepathic");
    body["capacity"] = json!(-1);
    body["languages"] = json!(["en", "tlh"]);
    body["contact"] = json!({"name": "", "email": "nobody"});
    body["unexpected"] = json!(true);
    let res = send(s.admin(Method::PUT, "/v1/admin/events/test-ws").json(&body)).await;
    let p = problem(res, 400).await;
    let mut fields = error_fields(&p);
    fields.sort_unstable();
    assert_eq!(
        fields,
        [
            "capacity",
            "contact.email",
            "contact.name",
            "format",
            "languages",
            "timezone",
            "unexpected"
        ]
    );
    // Nothing was stored.
    problem(send(s.get("/v1/events/test-ws")).await, 404).await;
}

async fn wrong_content_type_oversized_and_malformed_bodies_are_4xx_problems(store: Store) {
    let s = LocalStack::start(store, &[]);
    let path = "/v1/admin/events/test-ws";
    let put = |content_type: &str, body: String| {
        send(
            s.admin(Method::PUT, path)
                .header("content-type", content_type)
                .body(body),
        )
    };
    problem(put("text/plain", workshop().to_string()).await, 415).await;
    let mut big = workshop();
    big["description"] = json!("x".repeat(70 * 1024));
    let res = send(s.admin(Method::PUT, path).json(&big)).await;
    problem(res, 413).await;
    let p = problem(put("application/json", "{\"title\": ".into()).await, 400).await;
    assert_eq!(p["errors"][0]["field"], "body");
    problem(put("application/json", "[]".into()).await, 400).await;
}

async fn an_organiser_creates_then_replaces_an_event_that_everyone_then_sees(store: Store) {
    let s = LocalStack::start(store, &[]);
    let path = "/v1/admin/events/test-ws";
    let res = send(s.admin(Method::PUT, path).json(&workshop())).await;
    assert_eq!(res.status(), 201);
    let mut changed = workshop();
    changed["title"] = json!("Test workshop, renamed");
    let res = send(s.admin(Method::PUT, path).json(&changed)).await;
    assert_eq!(res.status(), 200);
    let e = s.get_json("/v1/events/test-ws").await;
    assert_eq!(e["title"], "Test workshop, renamed");
    // Shown in the event's own zone: 09:00 in New York.
    assert_eq!(e["starts_at"], "2030-03-10T09:00:00-04:00");
    let list = s.get_json("/v1/events").await;
    assert_eq!(list["events"].as_array().unwrap().len(), 3);
    let _ = ORGANISER_TOKEN;
}

#[tokio::test]
async fn the_banner_names_the_address_store_mailer_clock_and_organiser_token() {
    let s = LocalStack::start(Store::Memory, &[]);
    for needle in [
        "listening on http://127.0.0.1:",
        "store:     memory",
        "mailer:    outbox",
        "clock:     simulated, started at 2021-08-23T08:00:00Z",
        &format!("organiser: {ORGANISER_TOKEN}"),
    ] {
        assert!(
            s.banner.contains(needle),
            "banner lacks {needle:?}:\n{}",
            s.banner
        );
    }
}

#[tokio::test]
async fn a_cors_preflight_from_the_site_is_answered_and_a_stranger_gets_no_cors_headers() {
    let s = LocalStack::start(
        Store::Memory,
        &["--allowed-origins", "https://workshop.example"],
    );
    let preflight = s
        .http
        .request(Method::OPTIONS, s.url("/v1/events"))
        .header("origin", "https://workshop.example")
        .header("access-control-request-method", "GET");
    let res = send(preflight).await;
    assert_eq!(res.status(), 204);
    assert_eq!(
        res.headers()["access-control-allow-origin"],
        "https://workshop.example"
    );
    let res = send(
        s.get("/v1/events")
            .header("origin", "https://stranger.example"),
    )
    .await;
    assert!(res.headers().get("access-control-allow-origin").is_none());
}

#[tokio::test]
async fn the_stack_stops_cleanly_on_sigterm() {
    let s = LocalStack::start(Store::Memory, &[]);
    assert!(s.stop().success());
}

#[tokio::test]
async fn a_stack_without_a_seed_has_no_events() {
    let s = LocalStack::start(Store::Memory, &["--seed", "none", "--clock", "now"]);
    let list = s.get_json("/v1/events").await;
    assert_eq!(list["events"], json!([]));
    assert!(s.banner.contains("clock:     real time"));
}

#[tokio::test]
async fn the_simulated_clock_moves_forward_on_request_and_never_back() {
    let s = LocalStack::start(Store::Memory, &["--clock", "2021-08-23T08:00:00Z"]);
    let res = send(s.post("/_local/clock?advance=PT48H")).await;
    assert_eq!(res.status(), 200);
    let now: jiff::Timestamp = res.json::<Value>().await.unwrap()["now"]
        .as_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!(now >= "2021-08-25T08:00:00Z".parse().unwrap(), "{now}");
    assert!(now < "2021-08-25T08:01:00Z".parse().unwrap(), "{now}");
    // What the API sees moved too: registration for the seed's event is open until its start.
    send(s.post("/_local/clock?advance=PT400H")).await;
    let qos = s.get_json("/v1/events/qos-workshop-2021").await;
    assert_eq!(qos["registration"]["open"], false);
    for bad in ["-PT1M", "PT0S", "soon", ""] {
        let p = problem(
            send(s.post(&format!("/_local/clock?advance={bad}"))).await,
            400,
        )
        .await;
        assert_eq!(p["errors"][0]["field"], "advance", "{bad}");
    }
    problem(send(s.post("/_local/clock")).await, 400).await;

    let real = LocalStack::start(Store::Memory, &["--clock", "now"]);
    let p = problem(send(real.post("/_local/clock?advance=PT1M")).await, 409).await;
    assert_eq!(p["code"], "real-time-clock");
}
