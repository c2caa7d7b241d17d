//! The local stack against a hostile network and a hostile web page (issue 20, point 11), on
//! the real binary: slow clients cannot hold connections open (headers and bodies must arrive
//! in time, bodies are capped), and `/_local/*` refuses foreign `Host` names (DNS rebinding)
//! and cross-site requests while the public API and `/health` keep answering them.

use std::time::{Duration, Instant};

use plenary_tests::stack::{LocalStack, Store, problem, send};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

fn start() -> LocalStack {
    LocalStack::start(
        Store::Memory,
        &[
            "--clock",
            "2021-08-23T08:00:00Z",
            "--header-read-timeout",
            "1",
            "--body-read-timeout",
            "1",
            "--notifications-interval",
            "0",
        ],
    )
}

fn authority(s: &LocalStack) -> String {
    s.base.trim_start_matches("http://").to_owned()
}

/// Reads until the server closes the connection (or `limit` passes); what it sent.
async fn read_until_closed(conn: &mut TcpStream, limit: Duration) -> Option<String> {
    let mut got = Vec::new();
    let mut buf = [0u8; 4096];
    let read_all = async {
        loop {
            match conn.read(&mut buf).await {
                Ok(0) | Err(_) => break,
                Ok(n) => got.extend_from_slice(&buf[..n]),
            }
        }
    };
    tokio::time::timeout(limit, read_all).await.ok()?;
    Some(String::from_utf8_lossy(&got).into_owned())
}

#[tokio::test]
async fn connections_that_send_their_headers_slowly_are_closed_and_others_are_served() {
    let s = start();
    // A slowloris: many connections, each with a request line and never the end of its headers.
    let mut slow = Vec::new();
    for _ in 0..100 {
        let mut c = TcpStream::connect(authority(&s)).await.unwrap();
        c.write_all(b"GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ")
            .await
            .unwrap();
        slow.push(c);
    }
    // An idle connection that never sends a byte is closed the same way.
    slow.push(TcpStream::connect(authority(&s)).await.unwrap());
    let started = Instant::now();
    // Meanwhile everyone else is served.
    assert_eq!(send(s.get("/health")).await.status(), 200);
    for mut c in slow {
        let closed = read_until_closed(&mut c, Duration::from_secs(10)).await;
        assert!(
            closed.is_some(),
            "a connection with unfinished headers stayed open"
        );
    }
    // The header timeout is 1 s: all were closed within a few seconds, not the 10 s allowed.
    assert!(started.elapsed() < Duration::from_secs(8));
    // On a new connection: the shared client's kept-alive one has been idle past the timeout
    // too, and a request racing its close would fail for the client's reason, not the server's.
    let fresh = reqwest::Client::new();
    assert_eq!(send(fresh.get(s.url("/health"))).await.status(), 200);
}

#[tokio::test]
async fn a_body_that_arrives_too_slowly_gets_408_and_the_connection_is_closed() {
    let s = start();
    let mut c = TcpStream::connect(authority(&s)).await.unwrap();
    let head = format!(
        "POST /v1/events/qos-workshop-2021/registrations/resend HTTP/1.1\r\nHost: {}\r\n\
         Content-Type: application/json\r\nContent-Length: 100\r\n\r\n{{\"email\":",
        authority(&s)
    );
    c.write_all(head.as_bytes()).await.unwrap();
    let answer = read_until_closed(&mut c, Duration::from_secs(10))
        .await
        .expect("the server closes the connection");
    assert!(answer.starts_with("HTTP/1.1 408"), "{answer}");
    assert!(answer.contains("application/problem+json"), "{answer}");
    assert!(answer.contains("request-timeout"), "{answer}");
}

#[tokio::test]
async fn a_body_over_the_limit_is_refused_with_413_before_it_is_all_sent() {
    let s = start();
    let mut c = TcpStream::connect(authority(&s)).await.unwrap();
    // Announces 10 MB but sends a little over the 64 KiB limit: the answer must not wait for
    // the rest.
    let head = format!(
        "POST /v1/events/qos-workshop-2021/registrations/resend HTTP/1.1\r\nHost: {}\r\n\
         Content-Type: application/json\r\nContent-Length: 10000000\r\n\r\n",
        authority(&s)
    );
    c.write_all(head.as_bytes()).await.unwrap();
    c.write_all(&vec![b' '; 70 * 1024]).await.unwrap();
    let mut buf = vec![0u8; 4096];
    let n = tokio::time::timeout(Duration::from_secs(5), c.read(&mut buf))
        .await
        .expect("answered without the rest of the body")
        .unwrap();
    let answer = String::from_utf8_lossy(&buf[..n]);
    assert!(answer.starts_with("HTTP/1.1 413"), "{answer}");
}

#[tokio::test]
async fn local_routes_refuse_a_foreign_host_name_while_the_api_still_answers_it() {
    let s = start();
    let rebound = "rebind.evil.example:3000";
    for (method, path) in [
        (reqwest::Method::GET, "/_local/outbox"),
        (reqwest::Method::POST, "/_local/clock?advance=PT1H"),
        (reqwest::Method::POST, "/_local/notifications/run"),
        (reqwest::Method::GET, "/_local/sign-in"),
    ] {
        let res = send(
            s.http
                .request(method.clone(), s.url(path))
                .header("host", rebound),
        )
        .await;
        let p = problem(res, 403).await;
        assert!(p["type"].as_str().unwrap().ends_with("foreign-host"), "{p}");
    }
    // Names that are this machine's own are served.
    let port = authority(&s).rsplit_once(':').unwrap().1.to_owned();
    for host in [authority(&s), format!("localhost:{port}")] {
        let res = send(s.get("/_local/outbox").header("host", host)).await;
        assert_eq!(res.status(), 200);
    }
    // The public API and the health check answer whatever the name.
    assert_eq!(
        send(s.get("/v1/events").header("host", rebound))
            .await
            .status(),
        200
    );
    assert_eq!(
        send(s.get("/health").header("host", rebound))
            .await
            .status(),
        200
    );
    assert_clock_unmoved(&s).await;
}

#[tokio::test]
async fn local_routes_refuse_cross_site_requests_and_serve_their_own_pages() {
    let s = start();
    let cross: [&[(&str, &str)]; 4] = [
        &[("origin", "https://evil.example")],
        &[("origin", "null")],
        &[("sec-fetch-site", "cross-site")],
        &[
            ("sec-fetch-site", "same-site"),
            ("origin", "http://dev.localhost"),
        ],
    ];
    for headers in cross {
        for path in ["/_local/clock?advance=PT1H", "/_local/notifications/run"] {
            let mut req = s.post(path);
            for (k, v) in headers {
                req = req.header(*k, *v);
            }
            let p = problem(send(req).await, 403).await;
            assert!(p["type"].as_str().unwrap().ends_with("cross-site"), "{p}");
        }
    }
    assert_clock_unmoved(&s).await;
    // The stack's own pages (same origin) and the developer's own address bar are served.
    let own = s.base.clone();
    let res = send(
        s.post("/_local/notifications/run")
            .header("origin", own)
            .header("sec-fetch-site", "same-origin"),
    )
    .await;
    assert_eq!(res.status(), 200);
    let res = send(s.get("/_local/outbox").header("sec-fetch-site", "none")).await;
    assert_eq!(res.status(), 200);
}

/// Nothing refused moved the clock: a second's move from here lands within the minute the
/// stack started in (the simulated clock runs on from its start; each refused move was an hour).
async fn assert_clock_unmoved(s: &LocalStack) {
    let res = send(s.post("/_local/clock?advance=PT1S")).await;
    assert_eq!(res.status(), 200);
    let body: serde_json::Value = res.json().await.unwrap();
    let now: jiff::Timestamp = body["now"].as_str().unwrap().parse().unwrap();
    let start: jiff::Timestamp = "2021-08-23T08:00:00Z".parse().unwrap();
    assert!(
        now > start && now < start + jiff::SignedDuration::from_mins(1),
        "the clock moved: {now}"
    );
}
