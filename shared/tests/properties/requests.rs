//! Request parsing as the handlers do it: `serve` routes, `json_body` reads the body, `query_params`
//! the query, and the domain parsers read the JSON. Whatever arrives, the answer is a value or a
//! list of problems named after the request's own fields, never a panic or a 500.

use http::{Method, StatusCode, header};
use lambda_http::Body;
use plenary::config::CorsConfig;
use plenary::domain::{
    APPLICATION_FIELDS, Amendment, Application, ApplicationError, Email, Event, EventId,
    FieldErrors, JoinInfo, Programme,
};
use plenary::http::{
    Edge, MAX_BODY_BYTES, Problem, Request, Route, json_body, query_params, serve,
};
use proptest::collection::vec;
use proptest::prelude::*;
use proptest::sample::select;
use serde_json::{Value, json};

use crate::strategies::{
    event_body, event_for_programmes, json, mutate, mutation, programme_body, registration_body,
    text,
};

const AMENDMENT_FIELDS: &[&str] = &[
    "given_name",
    "family_name",
    "organisation",
    "language",
    "accessibility_needs",
    "notifications",
    "answers",
    "participation",
];
const JOIN_INFO_FIELDS: &[&str] = &["url", "passcode", "dial_in", "instructions", "release_at"];

fn request(content_type: Option<&str>, body: Body) -> Request {
    let mut b = http::Request::builder().method("POST").uri("/v1/x");
    if let Some(ct) = content_type {
        b = b.header(header::CONTENT_TYPE, ct);
    }
    b.body(body).unwrap()
}

fn event() -> Event {
    Event::parse(
        EventId::parse("ws").unwrap(),
        &json!({"title": "W", "timezone": "Europe/Zurich",
                "starts_at": "2021-09-08T14:00:00+02:00", "ends_at": "2021-09-09T16:30:00+02:00",
                "eligibility": {"categories": ["member_state", "academia"],
                                "itu_member_states_only": true}}),
    )
    .unwrap()
}

/// Each problem names a field the client sent, or one the parser knows (dotted or indexed below
/// it), or the body as a whole; its message says something.
fn assert_named_after_fields(errors: &FieldErrors, body: &Value, allowed: &[&str]) {
    assert!(!errors.0.is_empty(), "an error without problems");
    for e in &errors.0 {
        let sent = body.as_object().is_some_and(|o| o.contains_key(&e.field));
        let known = allowed.iter().any(|a| {
            e.field == *a
                || e.field.starts_with(&format!("{a}."))
                || e.field.starts_with(&format!("{a}["))
        });
        assert!(
            sent || known || e.field == "body",
            "{:?} names no field of {body}",
            e.field
        );
        assert!(!e.message.trim().is_empty(), "{:?} has no message", e.field);
    }
    // The same list reaches the client as a 400 problem+json.
    let p = Problem::invalid(errors.clone());
    assert_eq!(p.status, StatusCode::BAD_REQUEST);
    assert_eq!(
        p.to_json()["errors"].as_array().unwrap().len(),
        errors.0.len()
    );
}

/// Runs every body parser a handler uses on `body`, checking each answer.
fn parse_with_every_parser(body: &Value) {
    match Application::parse(&event(), body) {
        Ok(a) => {
            // A value is what the body said, after the parsers' own normalisation.
            let email = body["email"].as_str().unwrap();
            assert_eq!(a.person.email, Email::parse(email).unwrap());
            assert_eq!(
                a.person.given_name.as_str(),
                body["given_name"].as_str().unwrap().trim()
            );
            assert_eq!(a.language.code(), body["language"].as_str().unwrap());
        }
        Err(ApplicationError::Invalid(errors)) => {
            assert_named_after_fields(&errors, body, APPLICATION_FIELDS);
        }
        Err(ApplicationError::NotEligible(why)) => assert!(!why.is_empty()),
    }
    match Amendment::parse(body) {
        Ok(a) => {
            if let Some(n) = a.given_name {
                assert_eq!(n.as_str(), body["given_name"].as_str().unwrap().trim());
            }
        }
        Err(errors) => assert_named_after_fields(&errors, body, AMENDMENT_FIELDS),
    }
    match Event::parse(EventId::parse("ws").unwrap(), body) {
        Ok(e) => {
            assert!(e.starts_at < e.ends_at);
            let back: Event = serde_json::from_value(serde_json::to_value(&e).unwrap()).unwrap();
            assert_eq!(back, e);
        }
        Err(errors) => assert_named_after_fields(&errors, body, Event::FIELDS),
    }
    match Programme::parse(&event_for_programmes("W"), body) {
        Ok(p) => assert!(
            p.sessions
                .windows(2)
                .all(|w| w[0].starts_at <= w[1].starts_at)
        ),
        Err(errors) => assert_named_after_fields(&errors, body, Programme::FIELDS),
    }
    match JoinInfo::parse(body) {
        Ok(j) => assert!(j.url.starts_with("http")),
        Err(errors) => assert_named_after_fields(&errors, body, JOIN_INFO_FIELDS),
    }
}

/// A body as clients send them: valid ones, valid ones with a few mutations, or any JSON.
fn any_body() -> impl Strategy<Value = Value> {
    let valid = prop_oneof![
        registration_body(),
        event_body(),
        programme_body(),
        Just(json!({"url": "https://meet.example/abc", "passcode": "123",
                    "release_at": "2021-09-07T12:00:00Z"})),
        Just(json!({"given_name": "Ada", "accessibility_needs": null, "language": "fr"})),
    ];
    prop_oneof![
        3 => (valid, vec(mutation(), 0..4)).prop_map(|(b, m)| mutate(b, &m)),
        1 => json(),
    ]
}

fn content_type() -> impl Strategy<Value = Option<&'static str>> {
    prop_oneof![
        6 => Just(Some("application/json")),
        1 => Just(Some("Application/JSON; charset=utf-8")),
        1 => Just(Some("text/plain")),
        1 => Just(Some("application/json-patch+json")),
        1 => Just(None),
    ]
}

/// Body bytes: JSON of any shape, broken JSON, blanks, or any bytes.
fn body_bytes() -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        3 => json().prop_map(|v| serde_json::to_vec(&v).unwrap()),
        2 => (json(), any::<prop::sample::Index>(), any::<u8>()).prop_map(|(v, i, b)| {
            let mut bytes = serde_json::to_vec(&v).unwrap();
            let at = i.index(bytes.len());
            bytes[at] = b;
            bytes
        }),
        1 => select(vec![&b""[..], b"   ", b"\r\n\t ", b"null", b"{}", b"[]"]).prop_map(<[u8]>::to_vec),
        2 => vec(any::<u8>(), 0..200),
    ]
}

fn body_of(bytes: Vec<u8>) -> Body {
    match String::from_utf8(bytes) {
        Ok(s) if s.is_empty() => Body::Empty,
        Ok(s) => Body::Text(s),
        Err(e) => Body::Binary(e.into_bytes()),
    }
}

proptest! {
    #[test]
    fn any_body_is_a_json_value_or_a_problem_naming_the_body(
        ct in content_type(),
        bytes in body_bytes(),
    ) {
        let got = json_body(&request(ct, body_of(bytes.clone())));
        let is_json = ct.is_some_and(|c| {
            c.split(';').next().unwrap().trim().eq_ignore_ascii_case("application/json")
        });
        match got {
            Ok(v) => {
                prop_assert!(is_json);
                prop_assert_eq!(v, serde_json::from_slice::<Value>(&bytes).unwrap());
            }
            Err(p) if !is_json => prop_assert_eq!(p.status, StatusCode::UNSUPPORTED_MEDIA_TYPE),
            Err(p) => {
                prop_assert_eq!(p.status, StatusCode::BAD_REQUEST);
                prop_assert_eq!(p.errors.len(), 1);
                prop_assert_eq!(&p.errors[0].field, "body");
                prop_assert!(serde_json::from_slice::<Value>(&bytes).is_err()
                    || bytes.iter().all(u8::is_ascii_whitespace));
            }
        }
    }

    #[test]
    fn a_body_past_the_limit_is_refused_whatever_it_holds(
        fill in vec(any::<u8>(), 0..64),
        extra in 1usize..1024,
    ) {
        let mut bytes = fill.repeat(MAX_BODY_BYTES / fill.len().max(1) + 1);
        bytes.resize(MAX_BODY_BYTES + extra, b' ');
        let p = json_body(&request(Some("application/json"), body_of(bytes))).unwrap_err();
        prop_assert_eq!(p.status, StatusCode::PAYLOAD_TOO_LARGE);
    }

    #[test]
    fn every_body_parser_gives_a_value_or_problems_named_after_the_fields(body in any_body()) {
        parse_with_every_parser(&body);
    }

    #[test]
    fn a_valid_registration_parses_to_the_values_sent(body in registration_body()) {
        let a = Application::parse(&event(), &body).unwrap();
        prop_assert_eq!(a.person.email, Email::parse(body["email"].as_str().unwrap()).unwrap());
        prop_assert_eq!(a.person.family_name.as_str(), body["family_name"].as_str().unwrap().trim());
        prop_assert_eq!(a.person.organisation.as_str(), body["organisation"].as_str().unwrap().trim());
        prop_assert_eq!(a.country.as_str(), body["country"].as_str().unwrap().trim().to_uppercase());
        prop_assert_eq!(
            a.person.accessibility_needs.as_ref().map(|n| n.as_str()),
            body.get("accessibility_needs").map(|n| n.as_str().unwrap().trim())
        );
        prop_assert_eq!(
            a.notifications.reminders,
            body["notifications"]["reminders"].as_bool().unwrap()
        );
    }

    #[test]
    fn a_valid_event_parses_unless_a_reminder_is_not_a_duration(body in event_body()) {
        match Event::parse(EventId::parse("ws").unwrap(), &body) {
            Ok(e) => {
                prop_assert_eq!(e.title.as_str(), body["title"].as_str().unwrap().trim());
                prop_assert_eq!(e.reminders.len(), body["reminders"].as_array().unwrap().len());
            }
            Err(errors) => prop_assert!(
                errors.0.iter().all(|e| e.field == "reminders"),
                "{:?}", errors
            ),
        }
    }

    #[test]
    fn a_valid_programme_parses_with_every_session_in_start_order(body in programme_body()) {
        let p = Programme::parse(&event_for_programmes("W"), &body).unwrap();
        prop_assert_eq!(p.sessions.len(), body["sessions"].as_array().unwrap().len());
        prop_assert_eq!(p.speakers.len(), body["speakers"].as_array().unwrap().len());
        prop_assert!(p.sessions.windows(2).all(|w| w[0].ends_at <= w[1].starts_at));
    }

    #[test]
    fn query_parameters_decode_to_the_pairs_encoded(
        pairs in vec((text(20), text(20)), 0..6),
    ) {
        let query = url::form_urlencoded::Serializer::new(String::new())
            .extend_pairs(&pairs)
            .finish();
        let req = http::Request::builder()
            .uri(format!("/v1/x?{query}"))
            .body(Body::Empty)
            .unwrap();
        prop_assert_eq!(query_params(&req), pairs);
    }

    #[test]
    fn any_query_string_decodes_without_panic(
        query in "([a-zA-Z0-9=&+;._~!$'()*,/:@?-]|%[0-9a-fA-FxX]{0,2}){0,60}",
    ) {
        let req = http::Request::builder()
            .uri(format!("/v1/x?{query}"))
            .body(Body::Empty)
            .unwrap();
        let pairs = query_params(&req);
        prop_assert!(pairs.len() <= query.matches('&').count() + 1);
    }
}

// Through `serve`, the way each function answers: routing, body, parser, problem.

#[derive(Debug, Clone, Copy)]
enum Endpoint {
    Register,
    Amend,
    PutEvent,
    PutDraft,
    PutJoinInfo,
    Programme,
}

const ROUTES: &[Route<Endpoint>] = &[
    Route {
        method: Method::POST,
        pattern: "/v1/events/{event_id}/registrations",
        endpoint: Endpoint::Register,
    },
    Route {
        method: Method::PATCH,
        pattern: "/v1/registrations/me",
        endpoint: Endpoint::Amend,
    },
    Route {
        method: Method::PUT,
        pattern: "/v1/admin/events/{event_id}",
        endpoint: Endpoint::PutEvent,
    },
    Route {
        method: Method::PUT,
        pattern: "/v1/admin/events/{event_id}/programme/draft",
        endpoint: Endpoint::PutDraft,
    },
    Route {
        method: Method::PUT,
        pattern: "/v1/admin/events/{event_id}/join-info",
        endpoint: Endpoint::PutJoinInfo,
    },
    Route {
        method: Method::GET,
        pattern: "/v1/events/{event_id}/programme",
        endpoint: Endpoint::Programme,
    },
];

/// What the real handlers do with a request before touching the store.
async fn dispatch(
    ep: Endpoint,
    params: plenary::http::Params,
    req: Request,
) -> Result<plenary::http::Response, Problem> {
    let id = || EventId::parse(params.get("event_id")).map_err(|_| Problem::not_found("the event"));
    let ok = |v: Value| Ok(plenary::http::json(&v));
    match ep {
        Endpoint::Register => {
            let body = json_body(&req)?;
            id()?;
            match Application::parse(&event(), &body) {
                Ok(_) => ok(json!({"status": "accepted"})),
                Err(ApplicationError::Invalid(e)) => Err(Problem::invalid(e)),
                Err(ApplicationError::NotEligible(why)) => {
                    Err(Problem::forbidden("not-eligible", &why))
                }
            }
        }
        Endpoint::Amend => {
            let body = json_body(&req)?;
            Amendment::parse(&body).map_err(Problem::invalid)?;
            ok(json!({}))
        }
        Endpoint::PutEvent => {
            let body = json_body(&req)?;
            let id = EventId::parse(params.get("event_id"))
                .map_err(|m| Problem::invalid_field("event_id", &m))?;
            let e = Event::parse(id, &body).map_err(Problem::invalid)?;
            ok(serde_json::to_value(&e).unwrap())
        }
        Endpoint::PutDraft => {
            let body = json_body(&req)?;
            id()?;
            let p =
                Programme::parse(&event_for_programmes("W"), &body).map_err(Problem::invalid)?;
            ok(serde_json::to_value(&p).unwrap())
        }
        Endpoint::PutJoinInfo => {
            let body = json_body(&req)?;
            JoinInfo::parse(&body).map_err(Problem::invalid)?;
            ok(json!({}))
        }
        Endpoint::Programme => {
            id()?;
            let tz = query_params(&req).into_iter().find(|(k, _)| k == "tz");
            if let Some((_, tz)) = tz {
                plenary::domain::Zone::parse(&tz).map_err(|m| Problem::invalid_field("tz", &m))?;
            }
            ok(json!({"event_id": params.get("event_id")}))
        }
    }
}

fn percent_encoded(s: &str) -> String {
    percent_encoding::utf8_percent_encode(s, percent_encoding::NON_ALPHANUMERIC).to_string()
}

/// A path: one of the routes with generated segments, a route with a piece missing or added, or
/// anything URI-shaped.
fn path() -> impl Strategy<Value = String> {
    let id = prop_oneof![
        3 => "[a-z0-9][a-z0-9-]{0,20}",
        2 => text(20).prop_map(|s| percent_encoded(&s)),
        1 => "(%[0-9A-Fa-f]{2}|[A-Za-z0-9._~!$&'()*+,;=:@-]){0,20}",
    ];
    prop_oneof![
        4 => (select(ROUTES.iter().map(|r| r.pattern).collect::<Vec<_>>()), id.clone())
            .prop_map(|(p, id)| p.replace("{event_id}", &id)),
        1 => (select(ROUTES.iter().map(|r| r.pattern).collect::<Vec<_>>()), id, "(/[a-z]{0,6}){0,2}")
            .prop_map(|(p, id, tail)| format!("{}{tail}", p.replace("{event_id}", &id))),
        1 => "/(([A-Za-z0-9._~!$&'()*+,;=:@-]|%[0-9A-Fa-f]{2}){1,12}(/([A-Za-z0-9._~!$&'()*+,;=:@-]|%[0-9A-Fa-f]{2}){0,12}){0,5}/?)?",
    ]
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap()
}

proptest! {
    #[test]
    fn any_request_through_serve_is_answered_without_a_server_error(
        method in select(vec![Method::GET, Method::HEAD, Method::POST, Method::PUT,
                              Method::PATCH, Method::DELETE, Method::OPTIONS]),
        path in path(),
        query in proptest::option::of(text(30).prop_map(|tz| format!("tz={}", percent_encoded(&tz)))),
        ct in content_type(),
        body in prop_oneof![
            2 => any_body().prop_map(|v| serde_json::to_vec(&v).unwrap()),
            1 => body_bytes(),
        ],
    ) {
        let uri = match &query {
            Some(q) => format!("{path}?{q}"),
            None => path.clone(),
        };
        let mut b = http::Request::builder().method(method).uri(&uri);
        if let Some(ct) = ct {
            b = b.header(header::CONTENT_TYPE, ct);
        }
        let req = b.body(body_of(body)).unwrap();
        let cors = CorsConfig { allowed_origins: vec![] };
        let res = runtime().block_on(serve(&cors, &Edge::direct(), ROUTES, req, dispatch));
        let status = res.status();
        prop_assert!(!status.is_server_error(), "{} for {}", status, uri);
        if status.is_client_error() {
            let Body::Text(text) = res.body() else {
                return Err(TestCaseError::fail(format!("{status} without a problem body")));
            };
            let problem: Value = serde_json::from_str(text).unwrap();
            prop_assert_eq!(problem["status"].as_u64(), Some(u64::from(status.as_u16())));
        }
    }

    #[test]
    fn path_parameters_arrive_percent_decoded(id in text(30).prop_filter("non-empty", |s| !s.is_empty())) {
        let req = http::Request::builder()
            .uri(format!("/v1/events/{}/programme", percent_encoded(&id)))
            .body(Body::Empty)
            .unwrap();
        let echo = async |_: Endpoint, params: plenary::http::Params, _: Request| {
            Ok(plenary::http::text(StatusCode::OK, "text/plain", params.get("event_id").to_owned()))
        };
        let cors = CorsConfig { allowed_origins: vec![] };
        let res = runtime().block_on(serve(&cors, &Edge::direct(), ROUTES, req, echo));
        prop_assert_eq!(res.body(), &Body::Text(id));
    }
}
