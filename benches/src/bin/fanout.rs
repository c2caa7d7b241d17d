//! The reminder fan-out on the memory store through the LocalMailbox: 10,000 recipients
//! unpaced, then a bounded paced sample at `Pacer::new(50.0)`. Prints the rate, duplicates and
//! losses counted per recipient, and the peak RSS (VmHWM).
//!
//! `cargo run --release -p plenary-benches --bin fanout [-- UNPACED PACED RATE]`

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use plenary::mail::LocalMailbox;
use plenary::store::{EventWriter, TableStore};
use plenary_benches::{
    CLOCK, CountingTable, REMINDER_DUE, at, clock, confirmed, notifications_app, peak_rss_kib,
};
use plenary_notifications::pace::Pacer;

struct Outcome {
    sent: usize,
    elapsed: Duration,
    duplicates: usize,
    lost: usize,
    more: bool,
    calls: plenary_benches::Calls,
}

async fn fan_out(n: usize, pacer: Pacer) -> Outcome {
    let counter = Arc::new(CountingTable::new(plenary_benches::memory_table()));
    let store = TableStore::new(counter.clone());
    let event = plenary_benches::event();
    store.put_event(&event, at(CLOCK)).await.expect("stored");
    confirmed(&store, &event, n, at(CLOCK)).await;
    counter.reset();
    let clock = clock();
    let mailbox = Arc::new(LocalMailbox::new(None, clock.clone()));
    let app = notifications_app(&store, clock, mailbox.clone(), pacer);
    let started = Instant::now();
    // A budget far beyond the run (Lambda gives 15 minutes at most; the job stops cleanly
    // before its budget runs out, which is not what is measured here).
    let report = plenary_notifications::run(&app, at(REMINDER_DUE), Duration::from_secs(3600))
        .await
        .expect("the job runs");
    let elapsed = started.elapsed();
    let calls = counter.calls();
    let mut per: BTreeMap<String, usize> = BTreeMap::new();
    for m in mailbox.messages() {
        *per.entry(m.to.to_string()).or_default() += 1;
    }
    let lost = (0..n)
        .filter(|i| !per.contains_key(&format!("r{i}@fanout.test")))
        .count();
    Outcome {
        sent: report.sent.len(),
        elapsed,
        duplicates: per.values().map(|c| c.saturating_sub(1)).sum(),
        lost,
        more: report.more,
        calls,
    }
}

fn arg(i: usize, default: f64) -> f64 {
    std::env::args()
        .nth(i)
        .and_then(|a| a.parse().ok())
        .unwrap_or(default)
}

fn print(label: &str, n: usize, o: &Outcome) {
    let rate = o.sent as f64 / o.elapsed.as_secs_f64();
    println!(
        "{label}: recipients {n}, sent {}, {:.3} s, {rate:.0} messages/s, duplicates {}, lost {}, more {}",
        o.sent,
        o.elapsed.as_secs_f64(),
        o.duplicates,
        o.lost,
        o.more
    );
    let per = |x: u64| x as f64 / o.sent.max(1) as f64;
    let c = &o.calls;
    println!(
        "{label}: store calls per message: get {:.2}, query {:.3}, write {:.2}, update_returning {:.2}, transact {:.2}",
        per(c.get),
        per(c.query),
        per(c.write),
        per(c.update_returning),
        per(c.transact)
    );
}

fn main() {
    let unpaced = arg(1, 10_000.0) as usize;
    let paced = arg(2, 1_000.0) as usize;
    let rate = arg(3, 50.0);
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("a runtime");
    let rss_before = peak_rss_kib().unwrap_or(0);

    let o = rt.block_on(fan_out(unpaced, Pacer::unlimited()));
    print("unpaced", unpaced, &o);
    let rss = peak_rss_kib().unwrap_or(0);
    println!(
        "unpaced: peak RSS (VmHWM) {:.1} MiB (at start {:.1} MiB); the outbox keeps every message in memory",
        rss as f64 / 1024.0,
        rss_before as f64 / 1024.0
    );

    if paced > 0 {
        let o = rt.block_on(fan_out(paced, Pacer::new(rate)));
        print(&format!("paced at {rate}/s"), paced, &o);
        let achieved = o.sent as f64 / o.elapsed.as_secs_f64();
        // The bucket starts full (a burst of `rate`); the steady rate leaves that burst out.
        let burst = rate.max(1.0).min(o.sent as f64);
        let steady = (o.sent as f64 - burst) / o.elapsed.as_secs_f64();
        println!(
            "paced: achieved {achieved:.2}/s over the run ({:.1}% of {rate}/s), steady {steady:.2}/s after the initial burst of {burst:.0} ({:.1}%)",
            100.0 * achieved / rate,
            100.0 * steady / rate
        );
    }
    println!(
        "peak RSS (VmHWM) at exit: {:.1} MiB",
        peak_rss_kib().unwrap_or(0) as f64 / 1024.0
    );
}
