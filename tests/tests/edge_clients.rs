//! Who a client is behind CloudFront, through the registration handler in process, on both
//! stores: with the deployment's origin secret configured, every request reaches the function
//! from one edge server's address, and the per-client limit counts the viewer CloudFront names
//! (`CloudFront-Viewer-Address`), so two people behind one edge each get their own limit, and a
//! request without the secret (one that went around the CDN) is refused 403 before it is counted.
//! Without a secret (the local stack) the client is the peer, and a client that writes its own
//! `CloudFront-Viewer-Address` to pass for someone else is still counted as itself.

use std::net::IpAddr;
use std::sync::Arc;

use plenary::Clock as _;
use plenary::clock::ManualClock;
use plenary::domain::{Event, EventId};
use plenary::http::{Edge, ORIGIN_HEADER, OriginSecret, VIEWER_ADDRESS};
use plenary::store::{EventWriter, MemoryTable, Table, TableStore};
use plenary::wiring::Services;
use plenary_registration::{App, handle};
use plenary_tests::dynamo_fixture;
use plenary_tests::on_both_stores;
use plenary_tests::stack::Store;
use serde_json::json;

/// Requests one client may make to the resend route in a minute, here.
const PER_CLIENT: u32 = 2;
const SECRET: &str = "9c56cc51b374c3ba189210d5b6d4bf57790d351c96c47c02190ecf1e430635ab";
/// A CloudFront edge server: every request behind the CDN comes from it.
const EDGE: [u8; 4] = [130, 176, 17, 42];

on_both_stores!(
    behind_the_cdn_two_viewers_of_one_edge_server_have_a_limit_each,
    without_an_origin_secret_a_client_cannot_escape_its_limit_with_a_viewer_header,
);

async fn app(store: Store, edge: Edge) -> App {
    let table: Arc<dyn Table> = match store {
        Store::Memory => Arc::new(MemoryTable::new()),
        Store::Dynamodb => Arc::new(dynamo_fixture::fresh_table("edge").await),
    };
    let store = Arc::new(TableStore::new(table));
    let clock = Arc::new(ManualClock::at("2021-08-23T08:00:15Z".parse().unwrap()));
    let event = Event::parse(
        EventId::parse("edge").unwrap(),
        &json!({"title": "Edge", "timezone": "Europe/Zurich",
                "starts_at": "2021-09-08T12:00:00Z", "ends_at": "2021-09-08T14:00:00Z",
                "registration": {"opens_at": "2021-01-01T00:00:00Z"}}),
    )
    .unwrap();
    store.put_event(&event, clock.now()).await.unwrap();
    let mut config = plenary_tests::config();
    config.requests_per_client_per_minute = PER_CLIENT;
    config.edge = edge;
    App::new(&Services::new(store).with_clock(clock), &config).unwrap()
}

/// A resend from `peer`, with the headers given; a new address each time, so only the
/// per-client limit can refuse it.
async fn resend(app: &App, peer: IpAddr, headers: &[(&str, &str)]) -> u16 {
    static N: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);
    let n = N.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let mut req = http::Request::builder()
        .method("POST")
        .uri("/v1/events/edge/registrations/resend")
        .header("content-type", "application/json");
    for (k, v) in headers {
        req = req.header(*k, *v);
    }
    let body = json!({"email": format!("p{n}@d{n}.edge.test")}).to_string();
    let req = plenary::http::from_peer(req.body(lambda_http::Body::Text(body)).unwrap(), peer);
    handle(app, req).await.status().as_u16()
}

async fn behind_the_cdn_two_viewers_of_one_edge_server_have_a_limit_each(store: Store) {
    let edge = Edge::behind_cdn(OriginSecret::parse(SECRET).unwrap(), None);
    let app = app(store, edge).await;
    let ada = [
        (ORIGIN_HEADER, SECRET),
        (VIEWER_ADDRESS, "198.51.100.10:46532"),
    ];
    // IPv6, without brackets, as CloudFront writes it.
    let bo = [
        (ORIGIN_HEADER, SECRET),
        (VIEWER_ADDRESS, "2001:db8:7:1::5:443"),
    ];
    for _ in 0..PER_CLIENT {
        assert_eq!(resend(&app, EDGE.into(), &ada).await, 202);
    }
    assert_eq!(resend(&app, EDGE.into(), &ada).await, 429, "ada's limit");
    // Same edge server, another viewer: a limit of its own.
    for _ in 0..PER_CLIENT {
        assert_eq!(resend(&app, EDGE.into(), &bo).await, 202, "bo is not ada");
    }
    // Another address in bo's /64 is bo.
    let bo_again = [
        (ORIGIN_HEADER, SECRET),
        (VIEWER_ADDRESS, "2001:db8:7:1:ffff::9:443"),
    ];
    assert_eq!(resend(&app, EDGE.into(), &bo_again).await, 429, "bo's /64");
    // Around the CDN: refused whatever viewer it names, and counted for nobody.
    let direct = [(VIEWER_ADDRESS, "203.0.113.99:1")];
    assert_eq!(resend(&app, [203, 0, 113, 99].into(), &direct).await, 403);
    let wrong = [(
        ORIGIN_HEADER,
        "not-the-secret-not-the-secret-not-the-secret",
    )];
    assert_eq!(resend(&app, EDGE.into(), &wrong).await, 403);
    let carol = [(ORIGIN_HEADER, SECRET), (VIEWER_ADDRESS, "203.0.113.99:2")];
    assert_eq!(resend(&app, EDGE.into(), &carol).await, 202);
}

async fn without_an_origin_secret_a_client_cannot_escape_its_limit_with_a_viewer_header(
    store: Store,
) {
    let app = app(store, Edge::direct()).await;
    let me: IpAddr = [203, 0, 113, 7].into();
    for _ in 0..PER_CLIENT {
        assert_eq!(resend(&app, me, &[]).await, 202);
    }
    for forged in ["198.51.100.77:443", "2001:db8:9::1:443"] {
        let headers = [(VIEWER_ADDRESS, forged), (ORIGIN_HEADER, SECRET)];
        assert_eq!(resend(&app, me, &headers).await, 429, "{forged}");
    }
    // The address it named is untouched: its own client, with its whole limit.
    assert_eq!(resend(&app, [198, 51, 100, 77].into(), &[]).await, 202);
}
