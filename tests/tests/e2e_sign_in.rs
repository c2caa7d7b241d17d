//! Organisers signing in by emailed link, over HTTP on both stores: asking for a link answers
//! the same bytes whoever the address belongs to; the mail job then sends exactly one
//! `organiser_sign_in` email per request of a known organiser (an administrator or a team
//! member), in the language asked for, with `{site}/admin/sign-in?token=…`, and nothing to
//! anyone else; the link opens a session once (then 410, and 410 once it is 15 minutes old);
//! the sixth request in an hour sends nothing more; and a bad body is a 400 naming the field.
//! (Over loopback the two kinds of address take the same time: `sign_in_timing.rs`.)

use plenary_tests::flows::{
    add_organiser, ask_sign_in as ask, create_event, drain_job, error_fields, event_body,
    exchange_sign_in, mail_of_kind, mail_to, sign_in_mails, token_in,
};
use plenary_tests::on_both_stores;
use plenary_tests::stack::{LocalStack, Store, problem};
use reqwest::Method;
use serde_json::{Value, json};

on_both_stores!(
    a_known_organiser_gets_one_link_in_their_language_and_a_stranger_nothing_with_the_same_answer,
    the_link_opens_a_session_once_and_not_after_fifteen_minutes,
    the_sixth_request_in_an_hour_sends_nothing_more_and_answers_the_same,
    a_bad_body_is_a_400_naming_the_field_and_queues_nothing,
);

const SITE: &str = "https://site.example";

fn start(store: Store) -> LocalStack {
    LocalStack::start(
        store,
        &["--clock", "2021-08-23T08:00:00Z", "--site-url", SITE],
    )
}

/// A member of an event's team (an organiser by being one).
async fn add_member(s: &LocalStack, event: &str, email: &str, name: &str) {
    let res = s
        .admin(
            Method::PUT,
            &format!(
                "/v1/admin/events/{event}/team/{}",
                email.replace('@', "%40")
            ),
        )
        .json(&json!({"role": "editor", "name": name}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
}

async fn a_known_organiser_gets_one_link_in_their_language_and_a_stranger_nothing_with_the_same_answer(
    store: Store,
) {
    let s = start(store);
    create_event(&s, "signin", &event_body(None, false, false)).await;
    add_organiser(&s, "admin@signin.example", "Ada Admin").await;
    add_member(&s, "signin", "chair@signin.example", "Chloé Chair").await;

    let admin = ask(&s, json!({"email": "admin@signin.example"})).await;
    let chair = ask(
        &s,
        json!({"email": "chair@signin.example", "language": "fr"}),
    )
    .await;
    let stranger = ask(
        &s,
        json!({"email": "stranger@signin.example", "language": "fr"}),
    )
    .await;
    assert_eq!(admin.status, 202);
    assert_eq!(
        serde_json::from_slice::<Value>(&admin.body).unwrap(),
        json!({"status": "check_email"})
    );
    assert_eq!(chair, admin, "an organiser's answer differs");
    assert_eq!(stranger, admin, "a stranger's answer differs");

    drain_job(&s).await;
    let mails = sign_in_mails(&s).await;
    assert_eq!(mails.len(), 2, "{mails:#?}");
    assert!(mail_to(&s, "stranger@signin.example").await.is_empty());
    for (to, language, subject, greeting) in [
        (
            "admin@signin.example",
            "en",
            "Your sign-in link for the organisers' pages",
            "Dear Ada Admin,",
        ),
        (
            "chair@signin.example",
            "fr",
            "Votre lien de connexion à l’espace des organisateurs",
            "Bonjour Chloé Chair,",
        ),
    ] {
        let mine = mail_of_kind(&s, to, "organiser_sign_in").await;
        assert_eq!(mine.len(), 1, "{to}: {mine:#?}");
        let m = &mine[0];
        assert_eq!(m["kind"], "organiser_sign_in");
        assert_eq!(m["language"], language, "{to}");
        assert_eq!(m["subject"], subject, "{to}");
        assert_eq!(m["headers"]["Content-Language"], language, "{to}");
        let text = m["text"].as_str().unwrap();
        assert!(text.starts_with(greeting), "{to}: {text}");
        let token = token_in(m);
        let link = format!("{SITE}/admin/sign-in?token={token}");
        assert!(text.contains(&link), "{to}: {text}");
        let html = m["html"].as_str().expect("an HTML part");
        assert!(html.contains(&format!("href=\"{link}\"")), "{to}: {html}");
        // Transactional: no unsubscribe, and nothing of an event.
        assert!(m["headers"].get("List-Unsubscribe").is_none(), "{to}");
        assert!(!text.contains("Race workshop"), "{to}: {text}");
    }

    // The link opens a session that the organiser routes accept.
    let m = &mail_of_kind(&s, "chair@signin.example", "organiser_sign_in").await[0];
    let res = exchange_sign_in(&s, &token_in(m)).await;
    assert_eq!(res.status(), 201);
    let session: Value = res.json().await.unwrap();
    assert_eq!(session["organiser"]["email"], "chair@signin.example");
    let me: Value = s
        .get("/v1/admin/me")
        .bearer_auth(session["token"].as_str().unwrap())
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(me["email"], "chair@signin.example");
    assert_eq!(
        me["events"],
        json!([{"event_id": "signin", "role": "editor"}])
    );
}

async fn the_link_opens_a_session_once_and_not_after_fifteen_minutes(store: Store) {
    let s = start(store);
    add_organiser(&s, "admin@signin.example", "Ada Admin").await;
    assert_eq!(
        ask(&s, json!({"email": "admin@signin.example"}))
            .await
            .status,
        202
    );
    drain_job(&s).await;
    let first = token_in(&sign_in_mails(&s).await[0]);
    assert_eq!(exchange_sign_in(&s, &first).await.status(), 201);
    let again = problem(exchange_sign_in(&s, &first).await, 410).await;
    assert!(again["detail"].is_string());

    // A fresh link, 16 minutes old: spent too.
    assert_eq!(
        ask(&s, json!({"email": "admin@signin.example"}))
            .await
            .status,
        202
    );
    drain_job(&s).await;
    let mails = sign_in_mails(&s).await;
    assert_eq!(mails.len(), 2);
    let second = token_in(&mails[1]);
    assert_ne!(second, first);
    let res = s.post("/_local/clock?advance=PT16M").send().await.unwrap();
    assert_eq!(res.status(), 200);
    problem(exchange_sign_in(&s, &second).await, 410).await;
    // An unknown one is 404, as before.
    problem(
        exchange_sign_in(&s, "Zq7bXo4kLr2Wm9Tn5Vc8Hy3Jd6Fs1Ga0Pu").await,
        404,
    )
    .await;
}

async fn the_sixth_request_in_an_hour_sends_nothing_more_and_answers_the_same(store: Store) {
    let s = start(store);
    add_organiser(&s, "admin@signin.example", "Ada Admin").await;
    let body = json!({"email": "admin@signin.example"});
    let first = ask(&s, body.clone()).await;
    for n in 2..=6 {
        assert_eq!(ask(&s, body.clone()).await, first, "request {n}");
    }
    drain_job(&s).await;
    assert_eq!(sign_in_mails(&s).await.len(), 5, "the sixth was sent");
    // Another address has its own count.
    add_organiser(&s, "other@signin.example", "Otto Other").await;
    assert_eq!(
        ask(&s, json!({"email": "other@signin.example"})).await,
        first
    );
    drain_job(&s).await;
    assert_eq!(mail_to(&s, "other@signin.example").await.len(), 1);
    // The next hour counts afresh.
    let res = s.post("/_local/clock?advance=PT1H").send().await.unwrap();
    assert_eq!(res.status(), 200);
    assert_eq!(ask(&s, body).await, first);
    drain_job(&s).await;
    assert_eq!(mail_to(&s, "admin@signin.example").await.len(), 6);
}

async fn a_bad_body_is_a_400_naming_the_field_and_queues_nothing(store: Store) {
    let s = start(store);
    add_organiser(&s, "admin@signin.example", "Ada Admin").await;
    for (body, named) in [
        (json!({"email": "not an address"}), vec!["email"]),
        (json!({}), vec!["email"]),
        (json!({"email": 42}), vec!["email"]),
        (
            json!({"email": "admin@signin.example", "language": "de"}),
            vec!["language"],
        ),
        (
            json!({"email": "admin@signin.example", "password": "x"}),
            vec!["password"],
        ),
        (
            json!({"email": "", "language": "xx"}),
            vec!["email", "language"],
        ),
    ] {
        let res = s
            .post("/v1/admin/sign-in")
            .json(&body)
            .send()
            .await
            .unwrap();
        let p = problem(res, 400).await;
        assert_eq!(error_fields(&p), named, "{body}");
    }
    let res = s
        .post("/v1/admin/sign-in")
        .header("content-type", "application/json")
        .body("{not json")
        .send()
        .await
        .unwrap();
    problem(res, 400).await;
    drain_job(&s).await;
    assert!(sign_in_mails(&s).await.is_empty());
}
