//! The banner's `console:` address, `GET /_local/sign-in`, over HTTP on both stores: it answers
//! 303 to `/admin/sign-in?token=…` with a fresh one-time link for the seeded administrator
//! `admin@plenary.local` (kept out of caches and referrers, and mailed to no one), which opens an
//! administrator's session once; `next` follows only to a console address; and once that
//! administrator is removed the address is a 404 problem, not a session for anyone.

use plenary_tests::flows::{drain_job, exchange_sign_in, sign_in_mails};
use plenary_tests::on_both_stores;
use plenary_tests::stack::{LocalStack, Store, header, no_redirects, problem};
use reqwest::{Method, StatusCode};
use serde_json::Value;

on_both_stores!(
    the_banners_console_address_opens_a_one_time_link_for_the_local_administrator,
    next_follows_only_to_a_console_address,
    without_the_local_administrator_the_address_is_a_404_problem,
);

const ADMIN: &str = "admin@plenary.local";

fn start(store: Store) -> LocalStack {
    LocalStack::start(store, &["--clock", "2021-08-23T08:00:00Z"])
}

/// `GET /_local/sign-in` (with `query`), not following its redirect.
async fn local_sign_in(s: &LocalStack, query: &str) -> reqwest::Response {
    no_redirects()
        .get(s.url(&format!("/_local/sign-in{query}")))
        .send()
        .await
        .unwrap()
}

/// The `Location` of a 303 from `/_local/sign-in`, parsed against the stack's address.
fn location(res: &reqwest::Response) -> reqwest::Url {
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    reqwest::Url::parse("http://stack.invalid")
        .unwrap()
        .join(&header(res, "location"))
        .unwrap()
}

fn param(to: &reqwest::Url, name: &str) -> Option<String> {
    to.query_pairs()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.into_owned())
}

async fn the_banners_console_address_opens_a_one_time_link_for_the_local_administrator(
    store: Store,
) {
    let s = start(store);
    let console = format!("console:   {}/_local/sign-in", s.base);
    assert!(s.banner.contains(&console), "banner:\n{}", s.banner);
    assert!(s.banner.contains(ADMIN), "banner:\n{}", s.banner);

    let res = local_sign_in(&s, "").await;
    assert_eq!(header(&res, "cache-control"), "no-store");
    assert_eq!(header(&res, "referrer-policy"), "no-referrer");
    let to = location(&res);
    assert_eq!(to.path(), "/admin/sign-in");
    assert_eq!(param(&to, "next"), None);
    let token = param(&to, "token").expect("a token in the link");

    let session = exchange_sign_in(&s, &token).await;
    assert_eq!(session.status(), 201);
    let session: Value = session.json().await.unwrap();
    assert_eq!(session["organiser"]["email"], ADMIN);
    assert_eq!(session["organiser"]["administrator"], true);
    let bearer = session["token"].as_str().unwrap();
    let me = s
        .get("/v1/admin/me")
        .bearer_auth(bearer)
        .send()
        .await
        .unwrap();
    assert_eq!(me.status(), 200);
    let me: Value = me.json().await.unwrap();
    assert_eq!(
        (me["email"].as_str(), me["administrator"].as_bool()),
        (Some(ADMIN), Some(true))
    );

    // The link works once, like an emailed one; the address makes a new one each time.
    problem(exchange_sign_in(&s, &token).await, 410).await;
    let again = param(&location(&local_sign_in(&s, "").await), "token").unwrap();
    assert_ne!(again, token);
    assert_eq!(exchange_sign_in(&s, &again).await.status(), 201);

    // Nothing went through the mail: the link is handed over, not sent.
    drain_job(&s).await;
    assert_eq!(sign_in_mails(&s).await, Vec::<Value>::new());
}

async fn next_follows_only_to_a_console_address(store: Store) {
    let s = start(store);
    let to = location(
        &local_sign_in(&s, "?next=%2Fadmin%2Fprogramme%3Fevent%3Dqos-workshop-2021").await,
    );
    assert_eq!(
        param(&to, "next").as_deref(),
        Some("/admin/programme?event=qos-workshop-2021")
    );
    for elsewhere in [
        "https%3A%2F%2Fevil.example%2Fadmin",
        "%2F%2Fevil.example%2Fadmin",
        "%2Fv1%2Fadmin%2Fme",
        "javascript%3Aalert(1)",
    ] {
        let to = location(&local_sign_in(&s, &format!("?next={elsewhere}")).await);
        assert_eq!(param(&to, "next"), None, "next={elsewhere}");
        assert!(param(&to, "token").is_some());
    }
}

async fn without_the_local_administrator_the_address_is_a_404_problem(store: Store) {
    let s = start(store);
    let removed = s
        .admin(Method::DELETE, "/v1/admin/organisers/admin%40plenary.local")
        .send()
        .await
        .unwrap();
    assert_eq!(removed.status(), 204);
    let body = problem(local_sign_in(&s, "").await, 404).await;
    assert!(
        body["type"].as_str().unwrap().ends_with("no-local-admin"),
        "{body}"
    );
    assert_eq!(header(&local_sign_in(&s, "").await, "location"), "");
}
