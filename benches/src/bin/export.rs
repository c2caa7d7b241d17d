//! The registrations export at a large event, through the organiser handler on the memory store:
//! `n` confirmed registrations (default 50,000), then `GET …/registrations.csv` plain and with
//! `Accept-Encoding: gzip`, each timed (the median of 3), with the body's size against what one
//! Lambda response may carry (`MAX_EXPORT_BYTES`), the store calls, and the peak RSS.
//!
//! `cargo run --release -p plenary-benches --bin export [-- N]`

use std::sync::Arc;
use std::time::{Duration, Instant};

use plenary::store::{EventWriter, TableStore};
use plenary_benches::{CLOCK, CountingTable, at, confirmed, get_with, organiser_app, peak_rss_kib};

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
    confirmed(&store, &event, n, at(CLOCK)).await;
    println!(
        "{n} confirmed registrations seeded in {:.1?}",
        seeded.elapsed()
    );
    let rss_seeded = peak_rss_kib();
    let (app, token) = organiser_app(&store);
    let path = format!("/v1/admin/events/{}/registrations.csv", event.id);
    for gzip in [false, true] {
        let mut times: Vec<Duration> = Vec::new();
        let mut last = None;
        for _ in 0..3 {
            let mut req = get_with(&path, &token);
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
        println!(
            "{}: {} in {:.1?} (median of 3), {bytes} bytes ({:.2} of the {} one response may carry), {calls:?}",
            if gzip { "gzip " } else { "plain" },
            res.status(),
            times[1],
            bytes as f64 / plenary_organiser::MAX_EXPORT_BYTES as f64,
            plenary_organiser::MAX_EXPORT_BYTES,
        );
    }
    println!(
        "peak RSS: {:?} KiB after seeding, {:?} KiB after the exports",
        rss_seeded,
        peak_rss_kib()
    );
}
