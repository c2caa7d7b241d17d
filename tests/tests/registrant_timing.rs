//! Over loopback, on DynamoDB (the emulator) and on the memory store: asking for one's link again
//! (`…/registrations/resend`) and registering an address a second time take the same time as
//! the same requests for an address nobody registered (issue 20, point 3). The two paths are
//! compared in one run, alternating, with the job's timer off; no absolute time is asserted.
//! Alone in its test binary, so no other test shares the machine with the measurement.
//!
//! What makes them equal: the request path reads only the address's guard and queues the
//! request whoever holds it; the notifications job, off the request path, finds the
//! registration and sends its link, or nothing.

use std::time::{Duration, Instant};

use plenary_tests::flows::{create_event, drain_job, event_body, mail_to, person, register};
use plenary_tests::stack::{LocalStack, Store, send};
use serde_json::json;

const EVENT: &str = "timing-ws";

/// One test, both stores one after the other: never two measurements at once.
#[tokio::test]
async fn registered_and_unknown_addresses_take_the_same_time_to_resend_and_register_on_both_stores()
{
    for store in [Store::Dynamodb, Store::Memory] {
        let s = LocalStack::start(
            store,
            &[
                "--clock",
                "2021-08-23T08:00:00Z",
                "--notifications-interval",
                "0",
                "--registrations-per-event-per-minute",
                "100000",
            ],
        );
        create_event(&s, EVENT, &event_body(None, false, false)).await;
        resend_takes_the_same_time(&s, store).await;
        registering_again_takes_the_same_time(&s, store).await;
    }
}

fn median(mut xs: Vec<Duration>) -> Duration {
    xs.sort();
    xs[xs.len() / 2]
}

/// Enough samples that one slow moment of a loaded machine moves neither median.
const PEOPLE: usize = 40;
/// Each address at most three times: a registration's confirmation and three more stay inside
/// an address's hourly share of four, so no measured request is one the limit refuses.
const ROUNDS: usize = 3;

/// Times `request` for known addresses and for `unknown(round, i)`, alternating which goes
/// first; fails when the medians differ by more than a fifth of the slower one.
async fn compare<F, Fut>(
    what: &str,
    store: Store,
    known: &[String],
    unknown: impl Fn(usize, usize) -> String,
    request: F,
) where
    F: Fn(String) -> Fut,
    Fut: std::future::Future<Output = reqwest::Response>,
{
    // Warm the connection and the store first; these count against nobody measured.
    for i in 0..4 {
        request(format!("warmup{i}-{what}@timing.example")).await;
    }
    let (mut k_times, mut u_times) = (Vec::new(), Vec::new());
    for round in 0..ROUNDS {
        for (i, k) in known.iter().enumerate() {
            let u = unknown(round, i);
            let pair = if (round + i) % 2 == 0 {
                [(k, true), (&u, false)]
            } else {
                [(&u, false), (k, true)]
            };
            for (email, is_known) in pair {
                let t = Instant::now();
                let res = request(email.clone()).await;
                let took = t.elapsed();
                assert_eq!(res.status(), 202, "{what} for {email}");
                if is_known {
                    k_times.push(took);
                } else {
                    u_times.push(took);
                }
            }
        }
    }
    let (k, u) = (median(k_times), median(u_times));
    eprintln!("{what} over loopback on {store:?}: median {k:?} registered, {u:?} unknown");
    let slower = k.max(u);
    assert!(
        k.abs_diff(u) * 5 < slower,
        "{what} on {store:?}: median {k:?} for registered and {u:?} for unknown addresses \
         differ by more than a fifth"
    );
}

fn address(kind: &str, i: usize) -> String {
    format!("{kind}{i}@timing.example")
}

async fn registered(s: &LocalStack, kind: &str) -> Vec<String> {
    let known: Vec<String> = (0..PEOPLE).map(|i| address(kind, i)).collect();
    for k in &known {
        assert_eq!(register(s, EVENT, k).await.status(), 202);
    }
    known
}

async fn resend_takes_the_same_time(s: &LocalStack, store: Store) {
    let known = registered(s, "known-resend-").await;
    let path = format!("/v1/events/{EVENT}/registrations/resend");
    let unknown = |_round, i| address("nobody-resend-", i);
    compare("resend", store, &known, unknown, |email| {
        send(s.post(&path).json(&json!({ "email": email })))
    })
    .await;
    // And the job did tell them apart: each registrant got their confirmation and their link
    // once a round; strangers got nothing.
    drain_job(s).await;
    assert_eq!(mail_to(s, &known[0]).await.len(), 1 + ROUNDS);
    assert!(mail_to(s, &address("nobody-resend-", 0)).await.is_empty());
}

async fn registering_again_takes_the_same_time(s: &LocalStack, store: Store) {
    let known = registered(s, "known-register-").await;
    let path = format!("/v1/events/{EVENT}/registrations");
    // A new address each time: its registration is the first for it.
    let unknown = |round, i| address(&format!("new{round}-register-"), i);
    compare("registering", store, &known, unknown, |email| {
        send(s.post(&path).json(&person(&email)))
    })
    .await;
    drain_job(s).await;
    // A repeat mails the existing registrant their link again; a new address got its one
    // confirmation.
    assert_eq!(mail_to(s, &known[0]).await.len(), 1 + ROUNDS);
    assert_eq!(mail_to(s, &address("new0-register-", 0)).await.len(), 1);
}
