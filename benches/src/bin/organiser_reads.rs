//! The organiser's reads of a large event, through the organiser handler on the memory store:
//! `n` confirmed registrations (default 50,000), half of whom used their join link, then the
//! registrations export (plain, and with `Accept-Encoding: gzip`), the attendance and the stats,
//! each timed (the median of 3) with its body's size, its store calls, and the peak RSS. The
//! bodies are set against what one Lambda response may carry (`plenary::http::large::MAX_BODY`).
//!
//! `cargo run --release -p plenary-benches --bin organiser-reads [-- N]`

use std::sync::Arc;
use std::time::{Duration, Instant};

use plenary::store::{EventWriter, TableStore};
use plenary_benches::{CLOCK, CountingTable, at, attended, get_with, organiser_app, peak_rss_kib};

#[tokio::main(flavor = "current_thread")]
async fn main() {
    let n: usize = std::env::args()
        .nth(1)
        .map(|a| a.parse().expect("N is a count"))
        .unwrap_or(50_000);
    let counter = Arc::new(CountingTable::new(plenary_benches::memory_table()));
    let store = TableStore::new(counter.clone());
    let event = plenary_benches::event();
    store.put_event(&event, at(CLOCK)).await.expect("stored");
    let seeded = Instant::now();
    attended(&store, &event, n, at(CLOCK)).await;
    println!(
        "{n} confirmed registrations, {} of them joined, seeded in {:.1?}; peak RSS {:?} KiB",
        n.div_ceil(2),
        seeded.elapsed(),
        peak_rss_kib()
    );
    let (app, token) = organiser_app(&store);
    let base = format!("/v1/admin/events/{}", event.id);
    for (what, path, gzip) in [
        ("export, plain", "registrations.csv", false),
        ("export, gzip", "registrations.csv", true),
        ("attendance, plain", "attendance", false),
        ("attendance, gzip", "attendance", true),
        ("stats", "stats", false),
    ] {
        let mut times: Vec<Duration> = Vec::new();
        let mut last = None;
        for _ in 0..3 {
            let mut req = get_with(&format!("{base}/{path}"), &token);
            if gzip {
                req.headers_mut()
                    .insert("accept-encoding", "gzip".parse().expect("a header value"));
            }
            counter.reset();
            let started = Instant::now();
            let res = plenary_organiser::handle(&app, req).await;
            times.push(started.elapsed());
            last = Some((res, counter.calls()));
        }
        times.sort();
        let (res, calls) = last.expect("three runs");
        let bytes = res.body().len();
        let share = bytes as f64 / plenary::http::large::MAX_BODY as f64;
        println!(
            "{what}: {} in {:.1?} (median of 3), {bytes} bytes ({share:.2} of {}), {calls:?}",
            res.status(),
            times[1],
            plenary::http::large::MAX_BODY,
        );
    }
    println!("peak RSS after the reads: {:?} KiB", peak_rss_kib());
}
