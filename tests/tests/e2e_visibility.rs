//! Event visibility over HTTP, on the memory store and on DynamoDB: a public event is listed, an
//! unlisted one works by its id without being listed, a draft answers every public route exactly
//! as an unknown event and takes no registrations, while people who registered before keep their
//! own routes; and a bad value is a 400 naming the field.

use plenary_tests::flows::{
    cancel, confirm, create_event, event_body, mail_to, me, publish, put_draft, put_join_info,
    register, register_for_token, run_job,
};
use plenary_tests::on_both_stores;
use plenary_tests::stack::{LocalStack, Store, header, no_redirects, problem, send};
use reqwest::Method;
use serde_json::{Value, json};

on_both_stores!(
    a_draft_answers_every_public_route_as_an_unknown_event_and_takes_no_registration,
    an_unlisted_event_works_by_its_id_but_is_listed_only_once_public,
    people_registered_before_the_event_became_a_draft_keep_their_own_routes,
    a_bad_visibility_is_a_400_naming_the_field_and_changes_nothing,
);

/// An id no event has: a draft must be indistinguishable from it.
const UNKNOWN: &str = "no-such-event";

fn with_visibility(visibility: Option<&str>) -> Value {
    let mut body = event_body(None, false, false);
    if let Some(v) = visibility {
        body["visibility"] = json!(v);
    }
    body
}

/// Puts a draft programme of one session and publishes it.
async fn publish_programme(s: &LocalStack, id: &str) {
    let draft = json!({"speakers": [{"id": "ada", "name": "Ada Lovelace"}],
        "sessions": [{"id": "keynote", "title": "Keynote", "kind": "keynote",
        "starts_at": "2030-03-10T09:00:00+01:00", "ends_at": "2030-03-10T10:00:00+01:00",
        "speakers": [{"id": "ada", "role": "speaker"}]}]});
    assert_eq!(put_draft(s, id, &draft).await.status(), 200);
    assert_eq!(publish(s, id).await.status(), 200);
}

/// Every public GET of one event, relative to `/v1/events/{id}`.
const PUBLIC_READS: &[&str] = &[
    "",
    "/programme",
    "/programme?tz=Asia/Tokyo",
    "/programme/versions",
    "/programme/changes?from=0",
    "/programme.ics",
    "/schedule.json",
    "/speakers",
];

/// What a public route answers for `event`: status, content type, caching and body.
async fn answer(s: &LocalStack, event: &str, route: &str) -> (u16, String, String, String) {
    let res = match route {
        "register" => register(s, event, "newcomer@example.org").await,
        "resend" => {
            let resend = s.post(&format!("/v1/events/{event}/registrations/resend"));
            send(resend.json(&json!({"email": "newcomer@example.org"}))).await
        }
        read => send(s.get(&format!("/v1/events/{event}{read}"))).await,
    };
    let (ct, cache) = (header(&res, "content-type"), header(&res, "cache-control"));
    (res.status().as_u16(), ct, cache, res.text().await.unwrap())
}

async fn listed(s: &LocalStack) -> Vec<String> {
    let list = s.get_json("/v1/events").await;
    list["events"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["id"].as_str().unwrap().to_owned())
        .collect()
}

async fn a_draft_answers_every_public_route_as_an_unknown_event_and_takes_no_registration(
    store: Store,
) {
    let s = LocalStack::start(store, &[]);
    // One published while public and then turned into a draft, one a draft from the start.
    create_event(&s, "was-public", &with_visibility(None)).await;
    publish_programme(&s, "was-public").await;
    let res = send(s.get("/v1/events/was-public/programme")).await;
    assert_eq!(res.status(), 200);
    let etag = res.headers()["etag"].to_str().unwrap().to_owned();
    create_event(&s, "was-public", &with_visibility(Some("draft"))).await;
    create_event(&s, "always-draft", &with_visibility(Some("draft"))).await;

    let routes = PUBLIC_READS.iter().copied().chain(["register", "resend"]);
    for route in routes {
        let unknown = answer(&s, UNKNOWN, route).await;
        assert_eq!(unknown.0, 404, "{route}");
        for draft in ["was-public", "always-draft"] {
            assert_eq!(answer(&s, draft, route).await, unknown, "{draft}{route}");
        }
    }
    // A client holding the programme's ETag gets no 304 either.
    let res = send(
        s.get("/v1/events/was-public/programme")
            .header("if-none-match", &etag),
    )
    .await;
    problem(res, 404).await;

    let ids = listed(&s).await;
    assert!(ids.iter().any(|id| id == "qos-workshop-2021"), "{ids:?}");
    assert!(
        !ids.iter()
            .any(|id| id == "was-public" || id == "always-draft")
    );

    // The refused registrations left nothing behind: no registration, no email.
    run_job(&s).await;
    assert!(mail_to(&s, "newcomer@example.org").await.is_empty());
    for draft in ["was-public", "always-draft"] {
        let page = s
            .admin_json(&format!("/v1/admin/events/{draft}/registrations"))
            .await;
        assert_eq!(page["registrations"], json!([]), "{draft}");
    }
}

async fn an_unlisted_event_works_by_its_id_but_is_listed_only_once_public(store: Store) {
    let s = LocalStack::start(store, &[]);
    create_event(&s, "by-link", &with_visibility(Some("unlisted"))).await;
    publish_programme(&s, "by-link").await;
    assert!(!listed(&s).await.iter().any(|id| id == "by-link"));
    for route in PUBLIC_READS {
        let (status, ..) = answer(&s, "by-link", route).await;
        assert_eq!(status, 200, "{route}");
    }
    let event = s.get_json("/v1/events/by-link").await;
    assert_eq!(event["visibility"], "unlisted");
    assert_eq!(
        register(&s, "by-link", "linked@example.org").await.status(),
        202
    );
    run_job(&s).await;
    let mails = mail_to(&s, "linked@example.org").await;
    assert_eq!(mails.len(), 1);
    assert_eq!(mails[0]["kind"], "confirmation");

    // Without the field the event is public again: listed, and shown as public.
    create_event(&s, "by-link", &with_visibility(None)).await;
    assert!(listed(&s).await.iter().any(|id| id == "by-link"));
    let event = s.get_json("/v1/events/by-link").await;
    assert_eq!(event["visibility"], "public");

    // A draft for a while, then public again: its programme is served again.
    create_event(&s, "by-link", &with_visibility(Some("draft"))).await;
    assert!(!listed(&s).await.iter().any(|id| id == "by-link"));
    problem(send(s.get("/v1/events/by-link/programme")).await, 404).await;
    create_event(&s, "by-link", &with_visibility(Some("public"))).await;
    assert!(listed(&s).await.iter().any(|id| id == "by-link"));
    for route in PUBLIC_READS {
        let (status, ..) = answer(&s, "by-link", route).await;
        assert_eq!(status, 200, "{route} after the draft");
    }
}

async fn people_registered_before_the_event_became_a_draft_keep_their_own_routes(store: Store) {
    let s = LocalStack::start(store, &[]);
    create_event(&s, "drafted", &with_visibility(None)).await;
    let (seated, pending) = ("seated@example.org", "pending@example.org");
    let token = register_for_token(&s, "drafted", seated).await;
    assert_eq!(confirm(&s, &token).await.status(), 200);
    let pending_token = register_for_token(&s, "drafted", pending).await;
    let info = json!({"url": "https://meet.example/drafted", "release_at": "2021-08-01T00:00:00Z"});
    assert_eq!(put_join_info(&s, "drafted", &info).await.status(), 200);

    create_event(&s, "drafted", &with_visibility(Some("draft"))).await;
    problem(send(s.get("/v1/events/drafted")).await, 404).await;

    // Confirming a registration made while the event took them still works.
    let res = confirm(&s, &pending_token).await;
    assert_eq!(res.status(), 200);
    let confirmed: Value = res.json().await.unwrap();
    assert_eq!(confirmed["status"], "confirmed");

    // The registrant's own routes: read, amend, calendar, join details and the personal link.
    let mine: Value = me(&s, &token).await.json().await.unwrap();
    assert_eq!(mine["status"], "confirmed");
    let patch = s
        .http
        .patch(s.url("/v1/registrations/me"))
        .bearer_auth(&token);
    let res = send(patch.json(&json!({"organisation": "ITU"}))).await;
    assert_eq!(res.status(), 200);
    let calendar = s.get("/v1/registrations/me/calendar.ics");
    assert_eq!(send(calendar.bearer_auth(&token)).await.status(), 200);
    let res = send(s.get("/v1/registrations/me/join").bearer_auth(&token)).await;
    assert_eq!(res.status(), 200);
    let details: Value = res.json().await.unwrap();
    let personal = details["personal_url"].as_str().unwrap();
    let hop = send(no_redirects().get(personal)).await;
    assert_eq!(hop.status(), 302);

    // But no one registers anew, and no link is sent again, not even to a registrant.
    let mails_before = mail_to(&s, seated).await.len();
    problem(register(&s, "drafted", "late@example.org").await, 404).await;
    problem(register(&s, "drafted", seated).await, 404).await;
    let resend = s.post("/v1/events/drafted/registrations/resend");
    problem(send(resend.json(&json!({"email": seated}))).await, 404).await;
    run_job(&s).await;
    assert!(mail_to(&s, "late@example.org").await.is_empty());
    assert_eq!(mail_to(&s, seated).await.len(), mails_before);

    // And a registrant may still cancel.
    assert_eq!(cancel(&s, &token).await.status(), 200);
}

async fn a_bad_visibility_is_a_400_naming_the_field_and_changes_nothing(store: Store) {
    let s = LocalStack::start(store, &[]);
    let put = async |id: &str, body: &Value| {
        send(
            s.admin(Method::PUT, &format!("/v1/admin/events/{id}"))
                .json(body),
        )
        .await
    };
    for bad in [json!("hidden"), json!("Draft"), json!(7)] {
        let mut body = with_visibility(None);
        body["visibility"] = bad.clone();
        let p = problem(put("fresh", &body).await, 400).await;
        let errors = p["errors"].as_array().unwrap();
        assert_eq!(errors.len(), 1, "{bad}: {errors:?}");
        assert_eq!(errors[0]["field"], "visibility", "{bad}");
        if bad.is_string() {
            let message = errors[0]["message"].as_str().unwrap();
            assert!(message.contains("public, unlisted, draft"), "{message}");
        }
    }
    problem(send(s.get("/v1/events/fresh")).await, 404).await;

    create_event(&s, "kept", &with_visibility(Some("unlisted"))).await;
    let mut body = with_visibility(Some("secret"));
    body["title"] = json!("Renamed");
    problem(put("kept", &body).await, 400).await;
    let event = s.get_json("/v1/events/kept").await;
    assert_eq!(
        (&event["visibility"], &event["title"]),
        (&json!("unlisted"), &json!("Race workshop"))
    );
    assert!(!listed(&s).await.iter().any(|id| id == "kept"));
}
