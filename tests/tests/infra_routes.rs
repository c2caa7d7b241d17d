//! The deployment template routes exactly the requests the functions serve: every `HttpApi` event
//! in `infra/template.yaml` is a route of the function it invokes (`ROUTES` in its crate), and
//! every route of every HTTP function has its event. A route added to a router but not to the
//! template would be a 404 from API Gateway in production, never reaching the function.

use std::collections::{BTreeMap, BTreeSet};

use plenary::http::Route;
use serde_yaml_ng::Value;

/// (method, path), as API Gateway writes a route key.
type RouteKey = (String, String);

fn template() -> Value {
    plenary_tests::infra::template("template.yaml")
}

fn str_at<'a>(v: &'a Value, key: &str) -> Option<&'a str> {
    v.get(key).and_then(Value::as_str)
}

/// The binary a function resource deploys: `../target/lambda/<binary>/bootstrap.zip`.
fn binary_of(function: &Value) -> String {
    let code = str_at(&function["Properties"], "CodeUri").expect("a function has a CodeUri");
    let mut parts = code.rsplit('/');
    assert_eq!(parts.next(), Some("bootstrap.zip"), "CodeUri {code}");
    parts.next().expect("CodeUri names a folder").to_owned()
}

/// The routes of every function resource in the template, by binary name.
fn template_routes() -> BTreeMap<String, BTreeSet<RouteKey>> {
    let template = template();
    let resources = template["Resources"]
        .as_mapping()
        .expect("the template has Resources");
    let mut by_binary: BTreeMap<String, BTreeSet<RouteKey>> = BTreeMap::new();
    for (name, resource) in resources {
        if str_at(resource, "Type") != Some("AWS::Serverless::Function") {
            continue;
        }
        let routes = by_binary.entry(binary_of(resource)).or_default();
        let Some(events) = resource["Properties"]
            .get("Events")
            .and_then(Value::as_mapping)
        else {
            continue;
        };
        for (event_name, event) in events {
            if str_at(event, "Type") != Some("HttpApi") {
                continue;
            }
            let props = &event["Properties"];
            let where_ = format!("{name:?} event {event_name:?}");
            let method = str_at(props, "Method").unwrap_or_else(|| panic!("{where_}: Method"));
            let path = str_at(props, "Path").unwrap_or_else(|| panic!("{where_}: Path"));
            assert_eq!(
                props["ApiId"]["Ref"].as_str(),
                Some("HttpApi"),
                "{where_} is on the one HTTP API"
            );
            let fresh = routes.insert((method.to_uppercase(), path.to_owned()));
            assert!(fresh, "{where_} repeats {method} {path}");
        }
    }
    by_binary
}

fn crate_routes<E>(routes: &[Route<E>]) -> BTreeSet<RouteKey> {
    routes
        .iter()
        .map(|r| (r.method.as_str().to_owned(), r.pattern.to_owned()))
        .collect()
}

#[test]
fn the_template_routes_exactly_the_routes_each_function_serves() {
    let template = template_routes();
    let expected: BTreeMap<String, BTreeSet<RouteKey>> = [
        ("programme", crate_routes(plenary_programme::ROUTES)),
        ("registration", crate_routes(plenary_registration::ROUTES)),
        ("organiser", crate_routes(plenary_organiser::ROUTES)),
        // The mail job has no HTTP route: schedule, stream and SNS only.
        ("notifications", BTreeSet::new()),
    ]
    .into_iter()
    .map(|(name, routes)| (name.to_owned(), routes))
    .collect();

    assert_eq!(
        template.keys().collect::<Vec<_>>(),
        expected.keys().collect::<Vec<_>>(),
        "the template deploys the four functions"
    );
    for (binary, routes) in &expected {
        let deployed = &template[binary];
        let missing: Vec<_> = routes.difference(deployed).collect();
        let extra: Vec<_> = deployed.difference(routes).collect();
        assert!(
            missing.is_empty() && extra.is_empty(),
            "{binary}: routes the template lacks {missing:?}; template routes the function does not serve {extra:?}"
        );
    }
}

#[test]
fn no_route_is_served_by_two_functions() {
    let mut seen: BTreeMap<RouteKey, String> = BTreeMap::new();
    for (binary, routes) in template_routes() {
        for route in routes {
            if let Some(other) = seen.insert(route.clone(), binary.clone()) {
                panic!("{route:?} is on both {other} and {binary}");
            }
        }
    }
    assert!(!seen.is_empty());
}
