//! Limits per client and per email domain over HTTP, on both stores, with the limits at their
//! defaults (the other suites raise the per-client ones: they all talk from loopback). A second
//! client is a second loopback source address (127.0.0.2), as a second address would be behind
//! API Gateway.

use std::net::{IpAddr, Ipv4Addr};

use plenary::usecases::clients::{
    FAILED_BEARERS_PER_CLIENT_PER_HOUR, REQUESTS_PER_CLIENT_PER_MINUTE,
};
use plenary::usecases::organiser::access::Need;
use plenary::usecases::registrant::REGISTRATIONS_PER_EVENT_PER_MINUTE;
use plenary_tests::flows::*;
use plenary_tests::on_both_stores;
use plenary_tests::stack::{LocalStack, ORGANISER_TOKEN, Store, header, problem, send};
use reqwest::Method;
use serde_json::{Value, json};

on_both_stores!(
    a_flood_from_one_client_leaves_a_registrant_from_another_client_accepted,
    every_public_write_route_counts_each_clients_requests_apart,
    an_organiser_may_limit_registrations_per_email_domain_which_is_off_by_default,
    a_client_that_presented_too_many_refused_bearers_is_refused_until_the_next_hour,
);

const QOS: &str = "qos-workshop-2021";

/// The stack with every limit at its default (or `per_client` requests a minute), the job's
/// timer off.
fn start(store: Store, per_client: Option<u32>) -> LocalStack {
    let per_client = per_client
        .unwrap_or(REQUESTS_PER_CLIENT_PER_MINUTE)
        .to_string();
    let bearers = FAILED_BEARERS_PER_CLIENT_PER_HOUR.to_string();
    LocalStack::start(
        store,
        &[
            "--notifications-interval",
            "0",
            "--requests-per-client-per-minute",
            &per_client,
            "--failed-bearers-per-client-per-hour",
            &bearers,
        ],
    )
}

/// A client from another loopback address: another client to the limits.
fn other_client() -> reqwest::Client {
    reqwest::Client::builder()
        .local_address(IpAddr::V4(Ipv4Addr::new(127, 0, 0, 2)))
        .build()
        .unwrap()
}

/// Moves the simulated clock to the start of the next minute, so that a burst that follows
/// stays inside one window of the per-minute counts.
async fn next_minute(s: &LocalStack) {
    // The clock answers where it stands only when it is moved: one second, then the rest.
    let now: Value = send(s.post("/_local/clock?advance=PT1S"))
        .await
        .json()
        .await
        .unwrap();
    let now: jiff::Timestamp = now["now"].as_str().unwrap().parse().unwrap();
    let into = now.as_second().rem_euclid(60);
    let res = send(s.post(&format!("/_local/clock?advance=PT{}S", 60 - into))).await;
    assert_eq!(res.status(), 200);
}

async fn a_flood_from_one_client_leaves_a_registrant_from_another_client_accepted(store: Store) {
    let s = start(store, None);
    create_event(&s, "flooded", &event_body(None, false, false)).await;
    next_minute(&s).await;
    // More than the event's default cap, from one client, eight at a time: what took the whole
    // event for the rest of the minute before.
    let flood = REGISTRATIONS_PER_EVENT_PER_MINUTE as usize + 10;
    let work: Vec<String> = (0..flood)
        .map(|i| format!("flood{i}@victims.example"))
        .collect();
    let statuses = with_clients(&s, 8, work, |http, base, email| async move {
        let res = http
            .post(format!("{base}/v1/events/flooded/registrations"))
            .json(&person(&email))
            .send()
            .await
            .unwrap();
        let retry_after = header(&res, "retry-after");
        (res.status().as_u16(), retry_after)
    })
    .await;
    let accepted = statuses.iter().filter(|(st, _)| *st == 202).count();
    // An office behind one address registers sixty colleagues in a minute; the rest is refused.
    assert_eq!(accepted, REQUESTS_PER_CLIENT_PER_MINUTE as usize);
    for (status, retry_after) in statuses.iter().filter(|(st, _)| *st != 202) {
        assert_eq!(*status, 429);
        let secs: u64 = retry_after.parse().unwrap();
        assert!((1..=60).contains(&secs), "Retry-After {secs}");
    }
    let refused = send(
        s.post("/v1/events/flooded/registrations")
            .json(&person("one-more@victims.example")),
    )
    .await;
    let p = problem(refused, 429).await;
    assert_eq!(p["code"], "too-many-requests");
    assert!(
        p["detail"].as_str().unwrap().contains("from one address"),
        "{p}"
    );

    // A real registrant from another address in the same minute is taken, and told.
    let real = other_client()
        .post(s.url("/v1/events/flooded/registrations"))
        .json(&person("real@registrant.example"))
        .send()
        .await
        .unwrap();
    assert_eq!(real.status(), 202);
    run_job(&s).await;
    drain_job(&s).await;
    assert_eq!(mail_to(&s, "real@registrant.example").await.len(), 1);
    // Refused means nothing was kept and nobody was mailed.
    assert!(mail_to(&s, "one-more@victims.example").await.is_empty());
    assert_eq!(
        all_registrations(&s, "flooded").await.len(),
        REQUESTS_PER_CLIENT_PER_MINUTE as usize + 1
    );
}

/// A public write route with its path parameters filled in.
fn write_routes() -> Vec<(Method, String)> {
    let fill = |pattern: &str| {
        pattern
            .replace("{event_id}", QOS)
            .split('/')
            .map(|seg| {
                if seg.starts_with('{') {
                    "a-well-formed-stranger-token-0123456789".to_owned()
                } else {
                    seg.to_owned()
                }
            })
            .collect::<Vec<_>>()
            .join("/")
    };
    let method = |m: &::http::Method| Method::from_bytes(m.as_str().as_bytes()).unwrap();
    let registration = plenary_registration::ROUTES
        .iter()
        .filter(|r| r.method != ::http::Method::GET)
        .map(|r| (method(&r.method), fill(r.pattern)));
    let signing_in = plenary_organiser::ROUTES
        .iter()
        .filter(|r| r.method != ::http::Method::GET && r.endpoint.need() == Need::Nobody)
        .map(|r| (method(&r.method), fill(r.pattern)));
    registration.chain(signing_in).collect()
}

async fn every_public_write_route_counts_each_clients_requests_apart(store: Store) {
    const PER_CLIENT: u32 = 3;
    let s = start(store, Some(PER_CLIENT));
    let routes = write_routes();
    // Registering, resending, confirming, the registrant's own writes, unsubscribing, signing in.
    assert!(routes.len() >= 10, "{routes:?}");
    assert!(
        routes
            .iter()
            .any(|(_, p)| p.ends_with("/registrations/resend"))
    );
    assert!(routes.iter().any(|(_, p)| p == "/v1/admin/sign-in"));
    let other = other_client();
    for (method, path) in &routes {
        next_minute(&s).await;
        let request = |http: &reqwest::Client| {
            http.request(
                method.clone(),
                s.url(&format!("{path}?token=a-well-formed-stranger-token-0123")),
            )
            .bearer_auth("a-well-formed-stranger-token-0123456789")
            .json(&json!({}))
        };
        for _ in 0..PER_CLIENT {
            let res = send(request(&s.http)).await;
            assert_ne!(res.status(), 429, "{method} {path} refused too early");
        }
        let res = send(request(&s.http)).await;
        assert_eq!(res.status(), 429, "{method} {path} was not limited");
        assert!(!header(&res, "retry-after").is_empty());
        problem(res, 429).await;
        // Another client is counted apart.
        let res = send(request(&other)).await;
        assert_ne!(res.status(), 429, "{method} {path} refused another client");
    }
}

async fn an_organiser_may_limit_registrations_per_email_domain_which_is_off_by_default(
    store: Store,
) {
    let s = start(store, None);
    let mut limited = event_body(None, false, false);
    limited["registrations_per_email_domain_per_hour"] = json!(2);
    create_event(&s, "per-domain", &limited).await;
    let shown = s.admin_json("/v1/admin/events/per-domain").await;
    assert_eq!(shown["registrations_per_email_domain_per_hour"], 2);
    for i in 0..2 {
        let res = register(&s, "per-domain", &format!("staff{i}@ministry.example")).await;
        assert_eq!(res.status(), 202);
    }
    // The domain is counted whatever its case; other domains are not held back.
    let p = problem(
        register(&s, "per-domain", "staff2@MINISTRY.example").await,
        429,
    )
    .await;
    assert!(
        p["detail"].as_str().unwrap().contains("email domain"),
        "{p}"
    );
    assert_eq!(
        register(&s, "per-domain", "someone@elsewhere.example")
            .await
            .status(),
        202
    );
    // Refused means nothing was kept.
    assert_eq!(all_registrations(&s, "per-domain").await.len(), 3);
    // The next hour takes the domain's registrations again.
    assert_eq!(
        send(s.post("/_local/clock?advance=PT1H")).await.status(),
        200
    );
    assert_eq!(
        register(&s, "per-domain", "staff2@ministry.example")
            .await
            .status(),
        202
    );

    // Off by default: an event without it takes a whole delegation from one domain.
    create_event(&s, "open", &event_body(None, false, false)).await;
    let shown = s.admin_json("/v1/admin/events/open").await;
    assert!(shown["registrations_per_email_domain_per_hour"].is_null());
    for i in 0..12 {
        let res = register(&s, "open", &format!("delegate{i}@ministry.example")).await;
        assert_eq!(res.status(), 202);
    }

    // A limit that is not a positive whole number is a 400 naming the field.
    let mut bad = event_body(None, false, false);
    bad["registrations_per_email_domain_per_hour"] = json!(0);
    let res = send(s.admin(Method::PUT, "/v1/admin/events/bad").json(&bad)).await;
    let p = problem(res, 400).await;
    assert_eq!(
        error_fields(&p),
        ["registrations_per_email_domain_per_hour"]
    );
}

async fn a_client_that_presented_too_many_refused_bearers_is_refused_until_the_next_hour(
    store: Store,
) {
    let s = start(store, None);
    let events = |http: &reqwest::Client, token: &str| {
        http.get(s.url("/v1/admin/events")).bearer_auth(token)
    };
    // Good bearers are not counted.
    for _ in 0..FAILED_BEARERS_PER_CLIENT_PER_HOUR + 5 {
        assert_eq!(send(events(&s.http, ORGANISER_TOKEN)).await.status(), 200);
    }
    // Guesses: each one refused, well-formed or not, until the limit.
    for i in 0..FAILED_BEARERS_PER_CLIENT_PER_HOUR {
        let guess = if i % 2 == 0 {
            format!("a-guessed-organiser-token-{i:020}")
        } else {
            "short".to_owned()
        };
        let res = send(events(&s.http, &guess)).await;
        assert_eq!(res.status(), 401, "guess {i}");
    }
    // Then even the right token is refused from that client, unread, until the next hour.
    let res = send(events(&s.http, ORGANISER_TOKEN)).await;
    let retry_after: u64 = header(&res, "retry-after").parse().unwrap();
    assert!(
        (1..=3600).contains(&retry_after),
        "Retry-After {retry_after}"
    );
    problem(res, 429).await;
    // A request with no bearer guesses nothing: still the plain 401, and not counted.
    let bare = send(s.http.get(s.url("/v1/admin/events"))).await;
    assert_eq!(bare.status(), 401);
    // Another client is not held back.
    assert_eq!(
        send(events(&other_client(), ORGANISER_TOKEN))
            .await
            .status(),
        200
    );
    assert_eq!(
        send(s.post("/_local/clock?advance=PT1H")).await.status(),
        200
    );
    assert_eq!(send(events(&s.http, ORGANISER_TOKEN)).await.status(), 200);
}
