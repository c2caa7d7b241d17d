//! An event's `links` (its documents: the circular, a call for papers) over HTTP, on the memory
//! store and on DynamoDB: written by the organiser's PUT, read back as sent by the organiser's
//! GET and the public event, kept in order, refused with every bad link named, and the seed's
//! events carry their circular.

use plenary_tests::flows::*;
use plenary_tests::on_both_stores;
use plenary_tests::stack::{LocalStack, Store, problem, send};
use reqwest::Method;
use serde_json::{Value, json};

on_both_stores!(
    an_events_links_are_stored_as_sent_and_shown_in_order_to_the_organiser_and_the_public,
    bad_links_are_a_400_naming_each_and_change_nothing,
    the_seeds_events_link_to_their_circular,
);

fn links() -> Value {
    json!([
        {"title": "TSB Circular 331", "url": "https://www.itu.int/md/T17-TSB-CIR-0331/en"},
        {"title": "Programme (PDF)", "url": "https://example.org/programme.pdf"},
    ])
}

async fn an_events_links_are_stored_as_sent_and_shown_in_order_to_the_organiser_and_the_public(
    store: Store,
) {
    let s = LocalStack::start(store, &[]);
    let mut body = event_body(Some(40), true, false);
    body["links"] = links();
    create_event(&s, "linked", &body).await;

    let stored = s.admin_json("/v1/admin/events/linked").await;
    assert_eq!(stored["links"], links());
    let public = s.get_json("/v1/events/linked").await;
    assert_eq!(public["links"], links());

    // Sent back without links, the event has none; an event never given any shows an empty list.
    let mut again = stored.clone();
    again.as_object_mut().unwrap().remove("links");
    create_event(&s, "linked", &again).await;
    assert_eq!(s.get_json("/v1/events/linked").await["links"], json!([]));
    assert_eq!(
        s.admin_json("/v1/admin/events/linked").await["links"],
        json!([])
    );
}

async fn bad_links_are_a_400_naming_each_and_change_nothing(store: Store) {
    let s = LocalStack::start(store, &[]);
    let mut body = event_body(Some(40), true, false);
    body["links"] = links();
    create_event(&s, "linked", &body).await;

    body["links"] = json!([
        {"title": "", "url": "https://example.org"},
        {"title": "Script", "url": "javascript:alert(1)"},
        {"title": "No address"},
        {"title": "Relative", "url": "/docs/circular.pdf"},
    ]);
    let res = send(s.admin(Method::PUT, "/v1/admin/events/linked").json(&body)).await;
    let p = problem(res, 400).await;
    let mut named: Vec<&str> = p["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap())
        .collect();
    named.sort_unstable();
    assert_eq!(
        named,
        [
            "links[0].title",
            "links[1].url",
            "links[2].url",
            "links[3].url"
        ]
    );
    assert_eq!(s.get_json("/v1/events/linked").await["links"], links());
}

async fn the_seeds_events_link_to_their_circular(store: Store) {
    let s = LocalStack::start(store, &[]);
    for id in ["qos-workshop-2021", "sg12rg-afr-2021"] {
        let event = s.get_json(&format!("/v1/events/{id}")).await;
        assert_eq!(
            event["links"],
            json!([{"title": "TSB Circular 331", "url": "https://www.itu.int/md/T17-TSB-CIR-0331/en"}]),
            "{id}"
        );
    }
}
