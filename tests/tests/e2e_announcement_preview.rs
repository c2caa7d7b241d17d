//! The preview of an announcement over HTTP, on the memory store and on DynamoDB: the email a
//! registrant of the language would get (the same subject, text and HTML as the job then sends,
//! but for the unsubscribe token), each text in that language else in English, the name greeted;
//! the announcement's own 400s and the query's; nothing sent, queued or recorded; for managers
//! only, read-only tokens included.

use plenary_tests::flows::*;
use plenary_tests::on_both_stores;
use plenary_tests::stack::{LocalStack, Store, problem, send};
use reqwest::Method;
use serde_json::{Value, json};

on_both_stores!(
    a_french_preview_is_the_email_a_french_registrant_then_gets,
    a_language_without_a_text_of_its_own_falls_back_to_english_field_by_field,
    a_bad_body_or_query_is_a_400_naming_each_field,
    a_preview_sends_queues_and_records_nothing,
    only_managers_may_preview_and_a_read_only_token_may_too,
);

const SITE: &str = "https://site.example";
const EVENT: &str = "told";

fn start(store: Store) -> LocalStack {
    LocalStack::start(
        store,
        &["--site-url", SITE, "--notifications-interval", "0"],
    )
}

fn preview_path(query: &str) -> String {
    format!("/v1/admin/events/{EVENT}/announcements/preview{query}")
}

async fn preview_with(
    s: &LocalStack,
    bearer: Option<&str>,
    query: &str,
    body: &Value,
) -> reqwest::Response {
    let path = preview_path(query);
    let req = match bearer {
        Some(b) => s.post(&path).bearer_auth(b),
        None => s.admin(Method::POST, &path),
    };
    send(req.json(body)).await
}

async fn preview(s: &LocalStack, query: &str, body: &Value) -> Value {
    let res = preview_with(s, None, query, body).await;
    assert_eq!(res.status(), 200, "preview{query}");
    assert_eq!(res.headers()["cache-control"], "no-store");
    res.json().await.unwrap()
}

fn news() -> Value {
    json!({"subject": {"en": "Room change", "fr": "Changement de salle"},
           "body": {"en": "We moved to room B.\n\nSee you there.",
                    "fr": "Nous sommes passés en salle B.\n\nÀ bientôt."},
           "audience": "confirmed"})
}

async fn confirmed_in(s: &LocalStack, email: &str, language: &str) {
    let mut p = person(email);
    p["language"] = json!(language);
    let token = token_for(s, EVENT, &p).await;
    assert_eq!(confirm(s, &token).await.status(), 200);
}

async fn a_french_preview_is_the_email_a_french_registrant_then_gets(store: Store) {
    let s = start(store);
    create_event(&s, EVENT, &event_body(None, false, false)).await;
    confirmed_in(&s, "fr@example.org", "fr").await;
    drain_job(&s).await;

    // person() is Ada Lovelace: the preview greets her by the name the job would use.
    let p = preview(&s, "?language=fr&name=Ada%20Lovelace", &news()).await;
    assert_eq!(p["language"], "fr");
    assert_eq!(p["subject"], "Changement de salle");
    let (text, html) = (p["text"].as_str().unwrap(), p["html"].as_str().unwrap());
    for part in [text, html] {
        assert!(part.contains("Bonjour Ada Lovelace,"), "{part}");
        assert!(
            part.contains("Un message des organisateurs de Race workshop"),
            "{part}"
        );
        assert!(part.contains("Nous sommes passés en salle B."), "{part}");
        assert!(part.contains("Quand"), "{part}");
        assert!(!part.contains("We moved"), "{part}");
    }
    assert!(html.contains("lang=\"fr\""), "{html}");
    let unsubscribe = format!("{SITE}/unsubscribe?token=preview&lang=fr&event={EVENT}");
    assert!(text.contains(&unsubscribe), "{text}");

    // The job then sends the very same email, but for the registrant's own token.
    let res = send(
        s.admin(
            Method::POST,
            &format!("/v1/admin/events/{EVENT}/announcements"),
        )
        .json(&news()),
    )
    .await;
    assert_eq!(res.status(), 202);
    drain_job(&s).await;
    let sent = mail_of_kind(&s, "fr@example.org", "announcement").await;
    assert_eq!(sent.len(), 1);
    let mail = &sent[0];
    let token = token_in(mail);
    let as_preview = |part: &str| {
        mail[part]
            .as_str()
            .unwrap()
            .replace(&format!("token={token}"), "token=preview")
    };
    assert_eq!(mail["subject"], p["subject"]);
    assert_eq!(as_preview("text"), text);
    assert_eq!(as_preview("html"), html);
}

async fn a_language_without_a_text_of_its_own_falls_back_to_english_field_by_field(store: Store) {
    let s = start(store);
    create_event(&s, EVENT, &event_body(None, false, false)).await;
    let only_subject = json!({"subject": {"en": "Slides", "fr": "Diapositives"},
                              "body": {"en": "They are online."}});

    // Russian has no text: both in English, the template in Russian.
    let ru = preview(&s, "?language=ru", &only_subject).await;
    assert_eq!(ru["language"], "ru");
    assert_eq!(ru["subject"], "Slides");
    for part in ["text", "html"] {
        let part = ru[part].as_str().unwrap();
        assert!(part.contains("They are online."), "{part}");
        assert!(part.contains("Здравствуйте, Ada Lovelace!"), "{part}");
    }
    // French has a subject but no body: the subject in French, the body in English.
    let fr = preview(&s, "?language=fr&name=Marie%20Curie", &only_subject).await;
    assert_eq!(fr["subject"], "Diapositives");
    let text = fr["text"].as_str().unwrap();
    assert!(text.contains("They are online."), "{text}");
    assert!(text.contains("Bonjour Marie Curie,"), "{text}");
    // No language asked: English; a plain string is the English text; an empty name the default.
    let en = preview(&s, "?name=", &json!({"subject": "Hello", "body": "Plain."})).await;
    assert_eq!(en["language"], "en");
    assert_eq!(en["subject"], "Hello");
    assert!(
        en["text"]
            .as_str()
            .unwrap()
            .starts_with("Dear Ada Lovelace,")
    );
}

async fn a_bad_body_or_query_is_a_400_naming_each_field(store: Store) {
    let s = start(store);
    create_event(&s, EVENT, &event_body(None, false, false)).await;
    let no_english = json!({"subject": {"fr": "Changement de salle"}, "body": "We moved."});
    let p = problem(preview_with(&s, None, "", &no_english).await, 400).await;
    assert_eq!(error_fields(&p), ["subject.en"]);
    // The same answer as the announcement itself gives.
    let path = format!("/v1/admin/events/{EVENT}/announcements");
    let sent = problem(
        send(s.admin(Method::POST, &path).json(&no_english)).await,
        400,
    )
    .await;
    assert_eq!(sent["errors"], p["errors"]);

    let p = problem(preview_with(&s, None, "?language=de", &news()).await, 400).await;
    assert_eq!(error_fields(&p), ["language"]);
    let long = "a".repeat(201);
    let p = problem(
        preview_with(&s, None, &format!("?name={long}"), &news()).await,
        400,
    )
    .await;
    assert_eq!(error_fields(&p), ["name"]);
    assert_eq!(
        error_fields(&problem(preview_with(&s, None, "?name=a%0Ab", &news()).await, 400).await),
        ["name"]
    );
    // Every bad field at once, the query's and the body's.
    let p = problem(
        preview_with(&s, None, "?language=xx", &json!({"body": "x", "extra": 1})).await,
        400,
    )
    .await;
    let mut fields = error_fields(&p);
    fields.sort_unstable();
    assert_eq!(fields, ["extra", "language", "subject"]);
    // An unknown event, once the request is good.
    let other = send(
        s.admin(
            Method::POST,
            "/v1/admin/events/nothing-here/announcements/preview",
        )
        .json(&news()),
    )
    .await;
    problem(other, 404).await;
}

async fn a_preview_sends_queues_and_records_nothing(store: Store) {
    let s = start(store);
    create_event(&s, EVENT, &event_body(None, false, false)).await;
    confirmed_in(&s, "en@example.org", "en").await;
    confirmed_in(&s, "fr@example.org", "fr").await;
    drain_job(&s).await;
    let mailed = outbox(&s).await.len();
    let emails = stats(&s, EVENT).await["emails"].clone();
    let audit_path = format!("/v1/admin/events/{EVENT}/audit");
    let audited = s.admin_json(&audit_path).await;
    assert!(!audited["entries"].as_array().unwrap().is_empty());

    for language in ["en", "fr", "ar"] {
        preview(&s, &format!("?language={language}"), &news()).await;
    }
    drain_job(&s).await;
    assert_eq!(outbox(&s).await.len(), mailed, "no mail sent");
    let listed = s
        .admin_json(&format!("/v1/admin/events/{EVENT}/announcements"))
        .await;
    assert_eq!(listed, json!({"announcements": []}), "nothing queued");
    assert_eq!(stats(&s, EVENT).await["emails"], emails, "no mail counted");
    assert_eq!(s.admin_json(&audit_path).await, audited, "no audit entry");
}

async fn only_managers_may_preview_and_a_read_only_token_may_too(store: Store) {
    let s = start(store);
    create_event(&s, EVENT, &event_body(None, false, false)).await;
    let mut bearers = Vec::new();
    for role in ["viewer", "reviewer", "editor", "manager"] {
        let email = format!("{role}@team.example");
        let res = send(
            s.admin(
                Method::PUT,
                &format!(
                    "/v1/admin/events/{EVENT}/team/{}",
                    email.replace('@', "%40")
                ),
            )
            .json(&json!({"role": role, "name": role})),
        )
        .await;
        assert_eq!(res.status(), 200);
        assert_eq!(ask_sign_in(&s, json!({"email": email})).await.status, 202);
        bearers.push((role, email));
    }
    drain_job(&s).await;
    let links = sign_in_mails(&s).await;
    let mut sessions = Vec::new();
    for (role, email) in bearers {
        let mail = links.iter().find(|m| m["to"] == email.as_str()).unwrap();
        let res = exchange_sign_in(&s, &token_in(mail)).await;
        assert_eq!(res.status(), 201);
        let body: Value = res.json().await.unwrap();
        sessions.push((role, body["token"].as_str().unwrap().to_owned()));
    }
    for (role, bearer) in &sessions {
        let res = preview_with(&s, Some(bearer), "?language=fr", &news()).await;
        if *role == "manager" {
            assert_eq!(res.status(), 200, "a manager");
        } else {
            let p = problem(res, 403).await;
            assert!(
                p["type"].as_str().unwrap().ends_with("forbidden"),
                "{role}: {p}"
            );
        }
    }
    problem(send(s.post(&preview_path("")).json(&news())).await, 401).await;
    // A manager's read-only token previews (it writes nothing), and may not send.
    let manager = &sessions[3].1;
    let res = send(
        s.post("/v1/admin/tokens")
            .bearer_auth(manager)
            .json(&json!({"name": "ro", "read_only": true})),
    )
    .await;
    assert_eq!(res.status(), 201);
    let read_only: Value = res.json().await.unwrap();
    let read_only = read_only["token"].as_str().unwrap();
    let res = preview_with(&s, Some(read_only), "?language=fr", &news()).await;
    assert_eq!(res.status(), 200);
    let sent = send(
        s.post(&format!("/v1/admin/events/{EVENT}/announcements"))
            .bearer_auth(read_only)
            .json(&news()),
    )
    .await;
    problem(sent, 403).await;
}
