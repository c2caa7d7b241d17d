//! The OpenAPI document describes exactly the routes the three HTTP functions serve, and the local
//! stack serves it at /v1/openapi.json. A route is declared from its operation
//! (`plenary::routes!`), so what can still go wrong is an operation no function serves, or one
//! served by two.

use std::collections::BTreeSet;

use plenary_tests::stack::{LocalStack, Store};

fn routers() -> BTreeSet<(String, String)> {
    let mut set = BTreeSet::new();
    let mut add = |m: &http::Method, p: &str| {
        set.insert((m.as_str().to_ascii_lowercase(), p.to_owned()));
    };
    for r in plenary_programme::ROUTES {
        add(&r.method, r.pattern);
    }
    for r in plenary_registration::ROUTES {
        add(&r.method, r.pattern);
    }
    for r in plenary_organiser::ROUTES {
        add(&r.method, r.pattern);
    }
    set
}

#[test]
fn the_openapi_operations_are_exactly_the_routers_routes() {
    let documented: BTreeSet<(String, String)> = plenary::openapi::OPERATIONS
        .iter()
        .map(|o| (o.method.as_str().to_ascii_lowercase(), o.path.to_owned()))
        .collect();
    let served = routers();
    let missing: Vec<_> = served.difference(&documented).collect();
    let extra: Vec<_> = documented.difference(&served).collect();
    assert!(
        missing.is_empty() && extra.is_empty(),
        "undocumented: {missing:?}; not served: {extra:?}"
    );
}

#[test]
fn no_two_functions_claim_the_same_route() {
    let total = plenary_programme::ROUTES.len()
        + plenary_registration::ROUTES.len()
        + plenary_organiser::ROUTES.len();
    assert_eq!(routers().len(), total);
}

#[tokio::test]
async fn the_local_stack_serves_the_document() {
    let s = LocalStack::start(Store::Memory, &[]);
    let doc = s.get_json("/v1/openapi.json").await;
    assert_eq!(doc["openapi"], "3.1.0");
    assert!(doc["paths"]["/v1/events"]["get"].is_object());
}
