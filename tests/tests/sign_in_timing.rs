//! Over loopback, asking for a sign-in link takes the same time for an organiser's address as
//! for a stranger's, on both stores: the two paths are compared in one run, alternating, with
//! the job's timer off. Alone in its test binary, so no other test shares the machine with the
//! measurement. (That the request path makes the same store calls either way is proven in
//! process in `sign_in_request_path.rs`.)

use std::time::{Duration, Instant};

use plenary_tests::flows::{add_organiser, ask_sign_in as ask, drain_job, sign_in_mails};
use plenary_tests::stack::{LocalStack, Store};
use serde_json::json;

const SITE: &str = "https://site.example";

/// One test, both stores one after the other: never two measurements at once.
#[tokio::test]
async fn over_loopback_known_and_unknown_addresses_take_the_same_time_on_both_stores() {
    over_loopback_known_and_unknown_addresses_take_the_same_time(Store::Memory).await;
    over_loopback_known_and_unknown_addresses_take_the_same_time(Store::Dynamodb).await;
}

fn median(mut xs: Vec<Duration>) -> Duration {
    xs.sort();
    xs[xs.len() / 2]
}

/// Alternating requests for organisers and strangers: the medians of the two differ by less
/// than a fifth of the slower one. (The store calls being the same is proven in process, in
/// `sign_in_request_path.rs`; this is the same seen from a client.)
async fn over_loopback_known_and_unknown_addresses_take_the_same_time(store: Store) {
    // The job's timer off: its sending (for organisers only, and off the request path) would
    // otherwise share the machine with whichever request came next.
    let s = LocalStack::start(
        store,
        &[
            "--clock",
            "2021-08-23T08:00:00Z",
            "--site-url",
            SITE,
            "--notifications-interval",
            "0",
        ],
    );
    // Enough samples that one slow moment of a loaded machine moves neither median.
    const PEOPLE: usize = 24;
    let known: Vec<String> = (0..PEOPLE)
        .map(|i| format!("known{i}@signin.example"))
        .collect();
    let unknown: Vec<String> = (0..PEOPLE)
        .map(|i| format!("nobod{i}@signin.example"))
        .collect();
    for k in &known {
        add_organiser(&s, k, "Known").await;
    }
    // Warm the connection and the store first; these count against nobody measured.
    for i in 0..4 {
        ask(&s, json!({"email": format!("warmup{i}@signin.example")})).await;
    }
    let (mut k_times, mut u_times) = (Vec::new(), Vec::new());
    // Five rounds: each address once a round, so none reaches the hourly limit.
    for round in 0..5 {
        for i in 0..PEOPLE {
            // Which goes first alternates, so going first or second favours neither.
            let pair = if (round + i) % 2 == 0 {
                [(&known[i], true), (&unknown[i], false)]
            } else {
                [(&unknown[i], false), (&known[i], true)]
            };
            for (email, is_known) in pair {
                let t = Instant::now();
                let a = ask(&s, json!({"email": email})).await;
                let took = t.elapsed();
                assert_eq!(a.status, 202);
                if is_known {
                    k_times.push(took);
                } else {
                    u_times.push(took);
                }
            }
        }
    }
    let (k, u) = (median(k_times), median(u_times));
    eprintln!("sign-in over loopback: median {k:?} for organisers, {u:?} for strangers");
    let slower = k.max(u);
    let gap = k.abs_diff(u);
    assert!(
        gap * 5 < slower,
        "median {k:?} for organisers and {u:?} for strangers differ by more than a fifth"
    );
    // And the job did tell them apart: one link per organiser's request.
    drain_job(&s).await;
    assert_eq!(sign_in_mails(&s).await.len(), 5 * PEOPLE);
}
