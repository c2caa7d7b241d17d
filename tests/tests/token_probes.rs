//! Every route that takes a token, probed with bad ones, on both stores: no token, a malformed
//! one, a well-formed stranger, a spent one (expired, cancelled, revoked, used) and someone
//! else's token of another kind. Each gets the status the contract gives (401, 403, 404, 410…)
//! and no answer carries a registrant's data. The routes come from the routers' `ROUTES`, each
//! classified by the OpenAPI document (security scheme, a `…token` path or query parameter, a
//! `token` body field), so a new token route is probed without being listed here, and a new
//! route the classification cannot place fails the suite.

use std::collections::BTreeSet;

use plenary::usecases::organiser::access::Need;
use plenary_tests::flows::*;
use plenary_tests::on_both_stores;
use plenary_tests::stack::{LocalStack, ORGANISER_TOKEN, Store, no_redirects, send};
use reqwest::Method;
use serde_json::{Value, json};

on_both_stores!(every_token_route_refuses_bad_tokens_without_revealing_anyone);

/// Where a route takes its token.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Carrier {
    RegistrantBearer,
    OrganiserBearer,
    /// `{"token": …}` in a JSON body.
    BodyField,
    /// A `{…_token}` path segment.
    PathSegment,
    /// `?token=…`.
    QueryParam,
}

/// Routes that take no token at all. A route must be here or be classified as taking one.
const PUBLIC: &[(&str, &str)] = &[
    ("get", "/v1/events"),
    ("get", "/v1/events/{event_id}"),
    ("get", "/v1/events/{event_id}/programme"),
    ("get", "/v1/events/{event_id}/programme/versions"),
    ("get", "/v1/events/{event_id}/programme/changes"),
    ("get", "/v1/events/{event_id}/programme.ics"),
    ("get", "/v1/events/{event_id}/schedule.json"),
    ("get", "/v1/events/{event_id}/speakers"),
    ("get", "/v1/openapi.json"),
    ("post", "/v1/events/{event_id}/registrations"),
    ("post", "/v1/events/{event_id}/registrations/resend"),
    ("post", "/v1/admin/sign-in"),
];

type Route = (String, String);

fn served_routes() -> Vec<Route> {
    let mut all = Vec::new();
    let mut add = |m: &http::Method, p: &str| all.push((m.as_str().to_lowercase(), p.to_owned()));
    plenary_programme::ROUTES
        .iter()
        .for_each(|r| add(&r.method, r.pattern));
    plenary_registration::ROUTES
        .iter()
        .for_each(|r| add(&r.method, r.pattern));
    plenary_organiser::ROUTES
        .iter()
        .for_each(|r| add(&r.method, r.pattern));
    all
}

/// How the OpenAPI document says `route` takes a token, if it does.
fn carrier(doc: &Value, (method, path): &Route) -> Option<Carrier> {
    let op = &doc["paths"][path][method];
    assert!(
        op.is_object(),
        "{method} {path} is served but not documented"
    );
    let schemes: Vec<&str> = op["security"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(Value::as_object)
        .flat_map(|m| m.keys().map(String::as_str))
        .collect();
    if schemes.contains(&"registrantToken") {
        return Some(Carrier::RegistrantBearer);
    }
    if schemes.contains(&"organiserToken") {
        return Some(Carrier::OrganiserBearer);
    }
    for p in op["parameters"].as_array().into_iter().flatten() {
        let name = p["name"].as_str().unwrap_or_default();
        match p["in"].as_str() {
            Some("path") if name.ends_with("token") => return Some(Carrier::PathSegment),
            Some("query") if name == "token" => return Some(Carrier::QueryParam),
            _ => {}
        }
    }
    let schema = &op["requestBody"]["content"]["application/json"]["schema"];
    let schema = match schema["$ref"].as_str() {
        Some(r) => &doc["components"]["schemas"][r.trim_start_matches("#/components/schemas/")],
        None => schema,
    };
    schema["properties"]
        .get("token")
        .map(|_| Carrier::BodyField)
}

fn token_routes() -> Vec<(Route, Carrier)> {
    let doc: Value = serde_json::from_str(plenary::openapi::document()).unwrap();
    served_routes()
        .into_iter()
        .filter_map(|r| carrier(&doc, &r).map(|c| (r, c)))
        .collect()
}

#[test]
fn every_route_is_either_public_or_probed_for_its_token() {
    let doc: Value = serde_json::from_str(plenary::openapi::document()).unwrap();
    let public: BTreeSet<Route> = PUBLIC
        .iter()
        .map(|(m, p)| ((*m).to_owned(), (*p).to_owned()))
        .collect();
    for route in served_routes() {
        match (carrier(&doc, &route), public.contains(&route)) {
            (Some(c), true) => panic!("{route:?} is listed as public but takes a token ({c:?})"),
            (None, false) => panic!(
                "{route:?} takes no token the OpenAPI document shows: list it in PUBLIC if it \
                 is public, or document how it takes its token so it is probed"
            ),
            (Some(c), false) => assert!(
                expected(&route, c).is_some(),
                "{route:?} takes a token ({c:?}) but has no expected answers to probe with"
            ),
            (None, true) => {}
        }
    }
    // The classification finds what the contract says, so it is not vacuous.
    let found: BTreeSet<(String, String, Carrier)> = token_routes()
        .into_iter()
        .map(|((m, p), c)| (m, p, c))
        .collect();
    for (m, p, c) in [
        ("get", "/v1/registrations/me", Carrier::RegistrantBearer),
        ("delete", "/v1/registrations/me", Carrier::RegistrantBearer),
        (
            "get",
            "/v1/registrations/me/calendar.ics",
            Carrier::RegistrantBearer,
        ),
        ("post", "/v1/registrations/confirm", Carrier::BodyField),
        ("get", "/v1/join/{join_token}", Carrier::PathSegment),
        (
            "get",
            "/v1/calendar-feeds/{feed_token}",
            Carrier::PathSegment,
        ),
        ("post", "/v1/unsubscribe", Carrier::QueryParam),
        (
            "get",
            "/v1/admin/events/{event_id}/stats",
            Carrier::OrganiserBearer,
        ),
    ] {
        assert!(
            found.contains(&(m.to_owned(), p.to_owned(), c)),
            "{m} {p} not found as {c:?}"
        );
    }
    assert_eq!(
        found
            .iter()
            .filter(|(_, _, c)| *c == Carrier::OrganiserBearer)
            .count(),
        plenary_organiser::ROUTES
            .iter()
            .filter(|r| r.endpoint.need() != Need::Nobody)
            .count(),
        "every organiser route but the ones of signing in takes an organiser token"
    );
}

/// The probes, in this order.
const PROBES: [&str; 5] = ["missing", "malformed", "random", "spent", "foreign"];

/// What each probe must get on `route`: one status per entry of [`PROBES`].
fn expected((method, path): &Route, carrier: Carrier) -> Option<[u16; 5]> {
    match carrier {
        Carrier::RegistrantBearer => Some([401; 5]),
        // The contract: 401 without an organiser token and with a wrong one (with people and
        // tokens, "wrong" and "revoked" cannot be told apart; 403 is a role lacking an action).
        Carrier::OrganiserBearer => Some([401; 5]),
        _ => match (method.as_str(), path.as_str()) {
            // A body without a well-formed token is invalid; an unknown one 404; an expired or
            // cancelled one 410.
            ("post", "/v1/registrations/confirm") => Some([400, 400, 404, 410, 404]),
            // A sign-in link used once is spent; a registrant's tokens are unknown links to it.
            ("post", "/v1/admin/sessions") => Some([400, 400, 404, 410, 404]),
            // No segment is no route; a revoked or cancelled link is 410.
            ("get", "/v1/join/{join_token}") => Some([404, 404, 404, 410, 404]),
            // The same for a calendar URL: a cancelled registrant's is 410, another kind 404.
            ("get", "/v1/calendar-feeds/{feed_token}") => Some([404, 404, 404, 410, 404]),
            // RFC 8058: a mail client may post the same one-click link twice, so a used token
            // is answered 200 again (with nothing of the registration in it).
            ("post", "/v1/unsubscribe") => Some([400, 404, 404, 200, 404]),
            // Undoing needs a live registration: a cancelled registrant's link has nothing to
            // resume.
            ("post", "/v1/unsubscribe/undo") => Some([400, 404, 404, 410, 404]),
            _ => None,
        },
    }
}

/// A registrant's tokens of every kind.
#[derive(Debug)]
struct Holder {
    id: String,
    bearer: String,
    join: String,
    unsubscribe: String,
    /// The token of its subscribable calendar URL.
    feed: String,
}

/// What must never appear in an answer to a probe.
const PRIVATE: &[&str] = &[
    "victim@probe.example",
    "Victoria",
    "Secretkeeper",
    "Clandestine",
    "gone@probe.example",
    "Gustav",
    "Departed",
    "late@probe.example",
    "keeper@probe.example",
    "Keeper of links",
];

fn applicant(email: &str, given: &str, family: &str) -> Value {
    json!({"email": email, "given_name": given, "family_name": family, "country": "CH",
           "organisation": "Clandestine Ltd", "category": "academia", "language": "en",
           "consent": true})
}

fn after(text: &str, marker: &str) -> String {
    let start = text
        .find(marker)
        .unwrap_or_else(|| panic!("no {marker} in {text}"))
        + marker.len();
    text[start..]
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_')
        .collect()
}

/// A confirmed registrant and its personal join link (its unsubscribe link comes later, with an
/// announcement).
async fn holder(s: &LocalStack, bearer: &str) -> Holder {
    let r: Value = confirm(s, bearer).await.json().await.unwrap();
    assert_eq!(r["status"], "confirmed");
    let join: Value = send(s.get("/v1/registrations/me/join").bearer_auth(bearer))
        .await
        .json()
        .await
        .unwrap();
    let feed: Value = send(
        s.post("/v1/registrations/me/calendar-feed")
            .bearer_auth(bearer),
    )
    .await
    .json()
    .await
    .unwrap();
    Holder {
        id: r["id"].as_str().unwrap().to_owned(),
        bearer: bearer.to_owned(),
        join: after(join["personal_url"].as_str().unwrap(), "/v1/join/"),
        unsubscribe: String::new(),
        feed: after(feed["url"].as_str().unwrap(), "/v1/calendar-feeds/"),
    }
}

struct Cast {
    victim: Holder,
    /// Cancelled after using its unsubscribe link once.
    gone: Holder,
    /// A confirmation token 49 hours old.
    expired: String,
    /// An organiser's emailed sign-in link, exchanged for a session once.
    used_sign_in: String,
}

async fn cast(s: &LocalStack) -> Cast {
    create_event(s, "probe", &event_body(None, false, false)).await;
    let info = json!({"url": "https://meet.example/probe", "release_at": "2021-08-01T00:00:00Z"});
    assert_eq!(put_join_info(s, "probe", &info).await.status(), 200);
    for body in [
        applicant("victim@probe.example", "Victoria", "Secretkeeper"),
        applicant("gone@probe.example", "Gustav", "Departed"),
        applicant("late@probe.example", "Lars", "Tardy"),
    ] {
        assert_eq!(post_registration(s, "probe", &body).await.status(), 202);
    }
    drain_job(s).await;
    let tokens = confirmation_tokens(s).await;
    let first = |a: &str| tokens[a][0].clone();
    let mut victim = holder(s, &first("victim@probe.example")).await;
    let mut gone = holder(s, &first("gone@probe.example")).await;
    // An announcement carries the one-click unsubscribe link.
    let announcement = json!({"subject": "Probe", "body": "Hello", "audience": "confirmed"});
    let announce = s.admin(Method::POST, "/v1/admin/events/probe/announcements");
    assert_eq!(send(announce.json(&announcement)).await.status(), 202);
    drain_job(s).await;
    for (h, address) in [
        (&mut victim, "victim@probe.example"),
        (&mut gone, "gone@probe.example"),
    ] {
        let announcement = mail_of_kind(s, address, "announcement")
            .await
            .into_iter()
            .next()
            .unwrap_or_else(|| panic!("no announcement to {address}"));
        let header = announcement["headers"]["List-Unsubscribe"]
            .as_str()
            .unwrap();
        h.unsubscribe = after(header, "token=");
    }
    // The gone registrant unsubscribes once (so its link is a used one), then cancels.
    let unsubscribe = s
        .post(&format!("/v1/unsubscribe?token={}", gone.unsubscribe))
        .header("content-type", "application/x-www-form-urlencoded")
        .body("List-Unsubscribe=One-Click");
    assert_eq!(send(unsubscribe).await.status(), 200);
    assert_eq!(cancel(s, &gone.bearer).await.status(), 200);
    // An organiser signs in once with an emailed link, which is then spent.
    let keeper = s.admin(Method::PUT, "/v1/admin/organisers/keeper%40probe.example");
    let res = send(keeper.json(&json!({"name": "Keeper of links"}))).await;
    assert_eq!(res.status(), 200);
    let ask = s.post("/v1/admin/sign-in");
    let res = send(ask.json(&json!({"email": "keeper@probe.example"}))).await;
    assert_eq!(res.status(), 202);
    drain_job(s).await;
    let link = mail_of_kind(s, "keeper@probe.example", "organiser_sign_in")
        .await
        .into_iter()
        .next()
        .expect("a sign-in link to the organiser");
    let used_sign_in = token_in(&link);
    let exchange = s.post("/v1/admin/sessions");
    let res = send(exchange.json(&json!({"token": used_sign_in}))).await;
    assert_eq!(res.status(), 201);
    // Two days on, the unconfirmed link has lapsed (48 hours).
    assert_eq!(
        send(s.post("/_local/clock?advance=PT49H")).await.status(),
        200
    );
    Cast {
        victim,
        gone,
        expired: first("late@probe.example"),
        used_sign_in,
    }
}

/// The tokens each probe sends to a route taking its token this way (`None`: no token at all).
/// "foreign" tokens are the victim's own, live, but of another kind: a join token is not a
/// bearer, a registrant is not the organiser.
fn tokens_for(c: &Cast, (method, path): &Route, carrier: Carrier) -> [Vec<Option<String>>; 5] {
    let (v, g) = (&c.victim, &c.gone);
    let some = |t: &str| Some(t.to_owned());
    let malformed = vec![
        some("not a token!"),
        some("short"),
        some("../../etc/passwd"),
    ];
    let random = vec![some("Zq7bXo4kLr2Wm9Tn5Vc8Hy3Jd6Fs1Ga0Pu")];
    let (spent, foreign) = match carrier {
        Carrier::RegistrantBearer => (
            vec![some(&g.bearer)],
            vec![some(&v.join), some(&v.unsubscribe)],
        ),
        Carrier::OrganiserBearer => (
            vec![some(&g.bearer), some(&format!("{ORGANISER_TOKEN}x"))],
            vec![some(&v.bearer), some(&v.join)],
        ),
        // The sign-in exchange's spent token is a used link; a confirmation link and a
        // cancelled bearer are unknown links to it.
        Carrier::BodyField
            if (method.as_str(), path.as_str()) == ("post", "/v1/admin/sessions") =>
        {
            (
                vec![some(&c.used_sign_in)],
                vec![
                    some(&v.join),
                    some(&v.unsubscribe),
                    some(&c.expired),
                    some(&g.bearer),
                ],
            )
        }
        Carrier::BodyField => (
            vec![some(&c.expired), some(&g.bearer)],
            vec![some(&v.join), some(&v.unsubscribe)],
        ),
        Carrier::PathSegment if path.contains("{feed_token}") => (
            vec![some(&g.feed)],
            vec![some(&v.bearer), some(&v.unsubscribe), some(&v.join)],
        ),
        Carrier::PathSegment => (
            vec![some(&g.join)],
            vec![some(&v.bearer), some(&v.unsubscribe), some(&v.feed)],
        ),
        Carrier::QueryParam => (
            vec![some(&g.unsubscribe)],
            vec![some(&v.bearer), some(&v.join)],
        ),
    };
    [vec![None], malformed, random, spent, foreign]
}

/// A body the route would accept, so a missing check would show as a success.
fn valid_body((method, path): &Route) -> Option<Value> {
    match (method.as_str(), path.as_str()) {
        ("put", "/v1/admin/events/{event_id}") => {
            let mut event = event_body(None, false, false);
            event["title"] = json!("Hijacked");
            Some(event)
        }
        ("put", "/v1/admin/events/{event_id}/programme/draft") => {
            Some(json!({"speakers": [], "sessions": []}))
        }
        ("put", "/v1/admin/events/{event_id}/join-info") => Some(
            json!({"url": "https://evil.example/hijack", "release_at": "2021-08-01T00:00:00Z"}),
        ),
        ("post", "/v1/admin/events/{event_id}/announcements")
        | ("post", "/v1/admin/events/{event_id}/announcements/preview") => {
            Some(json!({"subject": "Probed", "body": "Probed", "audience": "all"}))
        }
        ("patch", "/v1/registrations/me") => Some(json!({"organisation": "Probed"})),
        _ => None,
    }
}

fn encoded(t: &str) -> String {
    t.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// One probe of `route` with `token`, carried as the route takes it.
async fn send_probe(
    s: &LocalStack,
    route: &Route,
    carrier: Carrier,
    victim: &Holder,
    token: Option<&str>,
) -> reqwest::Response {
    let (method, pattern) = route;
    let mut path = pattern
        .replace("{event_id}", "probe")
        .replace("{registration_id}", &victim.id)
        .replace("{email}", "someone%40probe.example")
        .replace("{token_id}", "01J00000000000000000000000");
    if carrier == Carrier::PathSegment {
        let t = token.map(encoded).unwrap_or_default();
        path = path.replace("{join_token}", &t).replace("{feed_token}", &t);
    }
    if carrier == Carrier::QueryParam
        && let Some(t) = token
    {
        path.push_str(&format!("?token={}", encoded(t)));
    }
    let method = Method::from_bytes(method.to_uppercase().as_bytes()).unwrap();
    let mut req = no_redirects().request(method, s.url(&path));
    if matches!(
        carrier,
        Carrier::RegistrantBearer | Carrier::OrganiserBearer
    ) && let Some(t) = token
    {
        req = req.header("authorization", format!("Bearer {t}"));
    }
    req = match (carrier, valid_body(route)) {
        (Carrier::BodyField, _) => match token {
            Some(t) => req.json(&json!({"token": t})),
            None => req.json(&json!({})),
        },
        (Carrier::QueryParam, _) => req
            .header("content-type", "application/x-www-form-urlencoded")
            .body("List-Unsubscribe=One-Click"),
        (_, Some(body)) => req.json(&body),
        (_, None) => req,
    };
    send(req).await
}

async fn every_token_route_refuses_bad_tokens_without_revealing_anyone(store: Store) {
    let s = LocalStack::start(store, &["--clock", "2021-08-23T08:00:00Z"]);
    let c = cast(&s).await;
    let mut private: Vec<&str> = PRIVATE.to_vec();
    private.extend([c.victim.id.as_str(), c.gone.id.as_str()]);
    let routes = token_routes();
    let mut failures = Vec::new();
    let mut probed = 0;
    for (route, carrier) in &routes {
        let statuses = expected(route, *carrier)
            .unwrap_or_else(|| panic!("no expected answers for {route:?}"));
        for ((probe, tokens), status) in PROBES
            .iter()
            .zip(tokens_for(&c, route, *carrier))
            .zip(statuses)
        {
            for token in tokens {
                let res = send_probe(&s, route, *carrier, &c.victim, token.as_deref()).await;
                let got = res.status().as_u16();
                let body = res.text().await.unwrap_or_default();
                probed += 1;
                if got != status {
                    failures.push(format!(
                        "{} {} with a {probe} token {token:?}: {got}, expected {status}: {body}",
                        route.0, route.1
                    ));
                }
                // The route's own path may name the victim's id; an answer must not.
                for secret in &private {
                    let echoed = route.1.contains("{registration_id}") && *secret == c.victim.id;
                    if body.contains(secret) && !echoed {
                        failures.push(format!(
                            "{} {} with a {probe} token: the answer reveals {secret}: {body}",
                            route.0, route.1
                        ));
                    }
                }
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {probed} probes failed:
{}",
        failures.len(),
        failures.join(
            "
"
        )
    );

    // Nothing any probe sent took effect: the victim is as before, its links still work.
    let mine: Value = me(&s, &c.victim.bearer).await.json().await.unwrap();
    assert_eq!(mine["status"], "confirmed");
    assert_eq!(mine["organisation"], "Clandestine Ltd");
    assert_eq!(mine["notifications"]["reminders"], true);
    let hop = send(no_redirects().get(s.url(&format!("/v1/join/{}", c.victim.join)))).await;
    assert_eq!(hop.status(), 302);
    assert_eq!(hop.headers()["location"], "https://meet.example/probe");
    let feed = send(s.get(&format!("/v1/calendar-feeds/{}", c.victim.feed))).await;
    assert_eq!(feed.status(), 200);
    let event = s.get_json("/v1/events/probe").await;
    assert_eq!(event["title"], "Race workshop");
    drain_job(&s).await;
    assert!(
        !outbox(&s)
            .await
            .iter()
            .any(|m| m["subject"].as_str().unwrap_or_default().contains("Probed")),
        "a probe's announcement was sent"
    );
}
