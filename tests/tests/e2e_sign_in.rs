//! Organisers signing in by emailed link, over HTTP on both stores: asking for a link answers
//! the same bytes whoever the address belongs to; the mail job then sends exactly one
//! `organiser_sign_in` email per request of a known organiser (an administrator or a team
//! member), in the language asked for, with `{site}/admin/sign-in?token=…`, and nothing to
//! anyone else; the link opens a session once (then 410, and 410 once it is 15 minutes old);
//! the sixth request in an hour sends nothing more; a bad body is a 400 naming the field; and
//! over loopback the two kinds of address take the same time.

use std::time::{Duration, Instant};

use plenary_tests::flows::{
    create_event, drain_job, error_fields, event_body, mail_of_kind, mail_to, outbox, token_in,
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
    over_loopback_known_and_unknown_addresses_take_the_same_time,
);

const SITE: &str = "https://site.example";

fn start(store: Store) -> LocalStack {
    LocalStack::start(
        store,
        &["--clock", "2021-08-23T08:00:00Z", "--site-url", SITE],
    )
}

/// An administrator added with the deployment token.
async fn add_organiser(s: &LocalStack, email: &str, name: &str) {
    let res = s
        .admin(
            Method::PUT,
            &format!("/v1/admin/organisers/{}", email.replace('@', "%40")),
        )
        .json(&json!({"name": name, "administrator": true}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
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

/// What asking for a link answered: status, the headers a client sees, and the body's bytes.
#[derive(Debug, PartialEq, Eq)]
struct Answer {
    status: u16,
    content_type: String,
    cache_control: String,
    body: Vec<u8>,
}

async fn ask(s: &LocalStack, body: Value) -> Answer {
    let res = s
        .post("/v1/admin/sign-in")
        .json(&body)
        .send()
        .await
        .unwrap();
    let header = |name: &str| {
        res.headers()
            .get(name)
            .map(|v| v.to_str().unwrap().to_owned())
            .unwrap_or_default()
    };
    Answer {
        status: res.status().as_u16(),
        content_type: header("content-type"),
        cache_control: header("cache-control"),
        body: res.bytes().await.unwrap().to_vec(),
    }
}

async fn sign_in_mails(s: &LocalStack) -> Vec<Value> {
    outbox(s)
        .await
        .into_iter()
        .filter(|m| m["kind"] == "organiser_sign_in")
        .collect()
}

async fn exchange(s: &LocalStack, token: &str) -> reqwest::Response {
    s.post("/v1/admin/sessions")
        .json(&json!({"token": token}))
        .send()
        .await
        .unwrap()
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
    let res = exchange(&s, &token_in(m)).await;
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
    assert_eq!(exchange(&s, &first).await.status(), 201);
    let again = problem(exchange(&s, &first).await, 410).await;
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
    problem(exchange(&s, &second).await, 410).await;
    // An unknown one is 404, as before.
    problem(
        exchange(&s, "Zq7bXo4kLr2Wm9Tn5Vc8Hy3Jd6Fs1Ga0Pu").await,
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

fn median(mut xs: Vec<Duration>) -> Duration {
    xs.sort();
    xs[xs.len() / 2]
}

/// Alternating requests for organisers and strangers: the medians of the two differ by less
/// than a fifth of the slower one. (The store calls being the same is proven in process, in
/// `sign_in_request_path.rs`; this is the same seen from a client.)
async fn over_loopback_known_and_unknown_addresses_take_the_same_time(store: Store) {
    let s = start(store);
    const PEOPLE: usize = 8;
    let known: Vec<String> = (0..PEOPLE)
        .map(|i| format!("known{i}@signin.example"))
        .collect();
    let unknown: Vec<String> = (0..PEOPLE)
        .map(|i| format!("nobod{i}@signin.example"))
        .collect();
    for k in &known {
        add_organiser(&s, k, "Known").await;
    }
    // Warm the connection and the store first; these count against nobody measured.
    for i in 0..4 {
        ask(&s, json!({"email": format!("warmup{i}@signin.example")})).await;
    }
    let (mut k_times, mut u_times) = (Vec::new(), Vec::new());
    // Five rounds: each address once a round, so none reaches the hourly limit.
    for round in 0..5 {
        for i in 0..PEOPLE {
            // Which goes first alternates, so going first or second favours neither.
            let pair = if (round + i) % 2 == 0 {
                [(&known[i], true), (&unknown[i], false)]
            } else {
                [(&unknown[i], false), (&known[i], true)]
            };
            for (email, is_known) in pair {
                let t = Instant::now();
                let a = ask(&s, json!({"email": email})).await;
                let took = t.elapsed();
                assert_eq!(a.status, 202);
                if is_known {
                    k_times.push(took);
                } else {
                    u_times.push(took);
                }
            }
        }
    }
    let (k, u) = (median(k_times), median(u_times));
    eprintln!("sign-in over loopback: median {k:?} for organisers, {u:?} for strangers");
    let slower = k.max(u);
    let gap = k.abs_diff(u);
    assert!(
        gap * 5 < slower,
        "median {k:?} for organisers and {u:?} for strangers differ by more than a fifth"
    );
    // And the job did tell them apart: one link per organiser's request.
    drain_job(&s).await;
    assert_eq!(sign_in_mails(&s).await.len(), 5 * PEOPLE);
}
