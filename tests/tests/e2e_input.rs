//! Hostile input over HTTP, on the memory store and on DynamoDB (issue 20's input points): CSV
//! cells that a spreadsheet splitting on `;` would run, links built from the client's `Host`,
//! bidi controls and undeliverable addresses, one address in NFC and NFD, manage tokens after
//! the event, duplicate JSON keys, a body on `publish`, the draft in a cache, and an error answer
//! many times the request.

use plenary_tests::flows::*;
use plenary_tests::on_both_stores;
use plenary_tests::stack::{LocalStack, Store, header, problem, send};
use reqwest::Method;
use serde_json::{Value, json};

on_both_stores!(
    no_piece_of_the_csv_starts_a_formula_wherever_a_spreadsheet_splits_it,
    personal_links_come_from_configuration_whatever_host_the_client_names,
    bidi_controls_quoted_and_undeliverable_addresses_are_refused_naming_the_field,
    one_address_in_nfc_and_in_nfd_is_one_registration,
    a_manage_token_opens_the_registration_until_thirty_days_after_the_event_ends,
    a_key_sent_twice_is_refused_naming_it_and_nothing_is_registered,
    publish_refuses_a_body_and_the_draft_is_never_cached,
    thousands_of_bad_fields_get_fifty_errors_and_the_count,
);

const EVENT: &str = "input";

/// A stack (the job's timer off) with an open event [`EVENT`] ending on 2 September 2021.
async fn stack(store: Store) -> LocalStack {
    let s = LocalStack::start(
        store,
        &[
            "--notifications-interval",
            "0",
            "--clock",
            "2021-08-23T08:00:00Z",
        ],
    );
    let mut event = event_body(None, false, false);
    event["starts_at"] = json!("2021-09-01T09:00:00Z");
    event["ends_at"] = json!("2021-09-02T17:00:00Z");
    create_event(&s, EVENT, &event).await;
    s
}

/// What a spreadsheet takes as the start of a formula.
const FORMULA: [char; 11] = [
    '=', '+', '-', '@', '\t', '\r', '\u{FF1D}', '\u{FF0B}', '\u{FF0D}', '\u{FF20}', '|',
];

async fn no_piece_of_the_csv_starts_a_formula_wherever_a_spreadsheet_splits_it(store: Store) {
    let s = stack(store).await;
    let mut body = person("sheet@example.org");
    body["given_name"] = json!("Ada;=1+1");
    body["family_name"] = json!("\u{FF1D}1+1");
    body["organisation"] = json!("x,|cmd");
    body["accessibility_needs"] = json!("a\t@SUM(A1)\n-2");
    assert_eq!(post_registration(&s, EVENT, &body).await.status(), 202);
    let path = format!("/v1/admin/events/{EVENT}/registrations.csv");
    let csv = send(s.admin(Method::GET, &path))
        .await
        .text()
        .await
        .unwrap();
    let csv = csv.strip_prefix('\u{feff}').unwrap();

    // Read as written (quotes honoured): each cell is the registrant's text with an apostrophe
    // before every piece that would start a formula.
    let rows: Vec<Vec<String>> = csv::Reader::from_reader(csv.as_bytes())
        .records()
        .map(|r| r.unwrap().iter().map(str::to_owned).collect())
        .collect();
    let row = &rows[0];
    assert!(row.contains(&"Ada;'=1+1".to_owned()), "{row:?}");
    assert!(row.contains(&"'\u{FF1D}1+1".to_owned()), "{row:?}");
    assert!(row.contains(&"x,'|cmd".to_owned()), "{row:?}");
    assert!(row.contains(&"a\t'@SUM(A1)\n'-2".to_owned()), "{row:?}");

    // Every field is quoted, the header's too.
    let header_line = csv.lines().next().unwrap();
    assert!(
        header_line
            .split(',')
            .all(|f| f.len() >= 2 && f.starts_with('"') && f.ends_with('"')),
        "{header_line}"
    );
    assert!(csv.contains("\"Ada;'=1+1\""), "{csv}");
    // Read by a spreadsheet that ignores the quotes and splits on `;`, `,`, tab or a line
    // break: no piece starts a formula.
    for piece in csv.split([';', ',', '\t', '\n', '\r']) {
        let piece = piece.trim_start_matches(['"', ' ']);
        assert!(!piece.starts_with(FORMULA), "{piece:?} in {csv}");
    }
}

async fn personal_links_come_from_configuration_whatever_host_the_client_names(store: Store) {
    let s = stack(store).await;
    let (token, _) = confirmed(&s, EVENT, "links@example.org").await;
    let info = json!({"url": "https://meet.example/input", "instructions": "Join early.",
                      "release_at": "2021-08-01T00:00:00Z"});
    assert_eq!(put_join_info(&s, EVENT, &info).await.status(), 200);
    let hostile = |req: reqwest::RequestBuilder| {
        req.bearer_auth(&token)
            .header("host", "evil.example")
            .header("x-forwarded-host", "evil.example")
            .header("x-forwarded-proto", "javascript")
    };
    let details: Value = send(hostile(s.get("/v1/registrations/me/join")))
        .await
        .json()
        .await
        .unwrap();
    let personal = details["personal_url"].as_str().unwrap();
    assert!(personal.starts_with(&s.url("/v1/join/")), "{personal}");
    let feed: Value = send(hostile(s.post("/v1/registrations/me/calendar-feed")))
        .await
        .json()
        .await
        .unwrap();
    let url = feed["url"].as_str().unwrap();
    assert!(url.starts_with(&s.url("/v1/calendar-feeds/")), "{url}");
    let ics = send(hostile(s.get("/v1/registrations/me/calendar.ics")))
        .await
        .text()
        .await
        .unwrap();
    assert!(ics.contains(&s.url("/v1/join/")), "{ics}");
    assert!(
        !ics.contains("evil.example") && !ics.contains("javascript"),
        "{ics}"
    );
}

async fn bidi_controls_quoted_and_undeliverable_addresses_are_refused_naming_the_field(
    store: Store,
) {
    let s = stack(store).await;
    let cases = [
        ("email", "ada\u{202E}gro.elpmaxe@example.org"),
        ("email", "ada@exa\u{2066}mple.org"),
        ("email", "\"a,b\"@example.org"),
        ("email", "josé@example.org"),
        ("given_name", "Ada\u{202E}ecalevoL"),
        ("family_name", "\u{2067}Lovelace"),
        ("organisation", "Analytical\u{200F} Engines"),
    ];
    for (field, value) in cases {
        let mut body = person("refused@example.org");
        body[field] = json!(value);
        let p = problem(post_registration(&s, EVENT, &body).await, 400).await;
        assert_eq!(error_fields(&p), [field], "{value:?}: {p}");
    }
    assert!(all_registrations(&s, EVENT).await.is_empty());
    run_job(&s).await;
    assert!(mail_to(&s, "refused@example.org").await.is_empty());
}

async fn one_address_in_nfc_and_in_nfd_is_one_registration(store: Store) {
    let s = stack(store).await;
    for email in [
        "ada@b\u{00FC}cher.example",
        "ada@bu\u{0308}cher.example",
        "ADA@B\u{00DC}CHER.EXAMPLE",
    ] {
        assert_eq!(register(&s, EVENT, email).await.status(), 202, "{email}");
    }
    let all = all_registrations(&s, EVENT).await;
    assert_eq!(all.len(), 1, "{all:?}");
    assert_eq!(all[0]["email"], "ada@xn--bcher-kva.example");
}

async fn a_manage_token_opens_the_registration_until_thirty_days_after_the_event_ends(
    store: Store,
) {
    let s = stack(store).await;
    let (token, _) = confirmed(&s, EVENT, "later@example.org").await;
    // The event ends on 2 September at 17:00; 30 days later is 2 October at 17:00, which is
    // 23 August 08:00 + 969 hours.
    advance(&s, "PT968H").await;
    assert_eq!(me(&s, &token).await.status(), 200);
    advance(&s, "PT2H").await;
    let p = problem(me(&s, &token).await, 401).await;
    assert!(
        p["detail"]
            .as_str()
            .unwrap()
            .contains("30 days after the event"),
        "{p}"
    );
    problem(cancel(&s, &token).await, 401).await;
}

async fn advance(s: &LocalStack, by: &str) {
    let res = send(s.post(&format!("/_local/clock?advance={by}"))).await;
    assert_eq!(res.status(), 200);
}

async fn a_key_sent_twice_is_refused_naming_it_and_nothing_is_registered(store: Store) {
    let s = stack(store).await;
    let body = person("twice@example.org").to_string();
    let twice = body.replacen('{', r#"{"email":"someone.else@example.org","#, 1);
    let res = send(
        s.post(&format!("/v1/events/{EVENT}/registrations"))
            .header("content-type", "application/json")
            .body(twice),
    )
    .await;
    let p = problem(res, 400).await;
    assert_eq!(error_fields(&p), ["email"], "{p}");
    assert!(
        p["detail"].as_str().unwrap().contains("more than once"),
        "{p}"
    );
    assert!(all_registrations(&s, EVENT).await.is_empty());
}

async fn publish_refuses_a_body_and_the_draft_is_never_cached(store: Store) {
    let s = stack(store).await;
    let draft = json!({"speakers": [], "sessions": [{"id": "opening", "title": "Opening",
        "kind": "opening", "starts_at": "2021-09-01T09:00:00Z", "ends_at": "2021-09-01T09:30:00Z"}]});
    assert_eq!(put_draft(&s, EVENT, &draft).await.status(), 200);
    let path = format!("/v1/admin/events/{EVENT}/programme/draft");
    let res = send(s.admin(Method::GET, &path)).await;
    assert_eq!(res.status(), 200);
    assert_eq!(header(&res, "cache-control"), "no-store");

    let publish_path = format!("/v1/admin/events/{EVENT}/programme/publish");
    let res = send(
        s.admin(Method::POST, &publish_path)
            .json(&json!({"version": 7})),
    )
    .await;
    let p = problem(res, 400).await;
    assert_eq!(error_fields(&p), ["body"], "{p}");
    // Nothing was published.
    problem(
        send(s.get(&format!("/v1/events/{EVENT}/programme"))).await,
        404,
    )
    .await;
    assert_eq!(publish(&s, EVENT).await.status(), 200);
    assert_eq!(
        s.get_json(&format!("/v1/events/{EVENT}/programme")).await["version"],
        1
    );
}

async fn thousands_of_bad_fields_get_fifty_errors_and_the_count(store: Store) {
    let s = stack(store).await;
    let mut body = person("many@example.org");
    for i in 0..3_000 {
        body[format!("x{i:04}")] = json!(0);
    }
    let sent = body.to_string().len();
    let res = post_registration(&s, EVENT, &body).await;
    assert_eq!(res.status(), 400);
    let answer = res.text().await.unwrap();
    let p: Value = serde_json::from_str(&answer).unwrap();
    assert_eq!(p["errors"].as_array().unwrap().len(), 50, "{p}");
    assert!(p["errors_total"].as_u64().unwrap() >= 3_000, "{p}");
    assert!(
        p["detail"].as_str().unwrap().contains("the first 50"),
        "{p}"
    );
    assert!(
        answer.len() < sent,
        "{} bytes out for {sent} in",
        answer.len()
    );
    assert!(all_registrations(&s, EVENT).await.is_empty());
}
