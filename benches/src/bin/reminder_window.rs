//! Reminders to 50,000 registrants at SES's 14 messages a second, simulated on tokio's paused
//! clock (`plenary_benches::simulation`): every reminder checked against its window, counted
//! per recipient, and how long the simulation took.
//!
//! `cargo run --release -p plenary-benches --bin reminder-window [-- RECIPIENTS RATE]`

fn arg(i: usize, default: f64) -> f64 {
    std::env::args()
        .nth(i)
        .and_then(|a| a.parse().ok())
        .unwrap_or(default)
}

fn main() {
    let n = arg(1, 50_000.0) as usize;
    let rate = arg(2, 14.0);
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .start_paused(true)
        .build()
        .expect("a runtime");
    let started = std::time::Instant::now();
    let s = rt.block_on(plenary_benches::simulation::simulate(n, rate));
    println!(
        "recipients {n}, rate {rate}/s, planned lead {:.1} min, {} runs ({} started by the run before)",
        s.lead.as_secs_f64() / 60.0,
        s.runs,
        s.asked
    );
    for o in &s.offsets {
        println!(
            "{}: sent {}, inside the window {}, duplicates {}, lost {}; first {:.1} min and last {:.1} min before its moment; busiest second {}",
            o.offset,
            o.sent,
            o.inside,
            o.duplicates,
            o.lost,
            o.first_minutes,
            o.last_minutes,
            o.busiest_second
        );
    }
    let ok = s.all_in_time();
    println!(
        "simulated in {:.1} s of real time: {}",
        started.elapsed().as_secs_f64(),
        if ok {
            "every reminder inside its window, none twice, none lost"
        } else {
            "FAILED"
        }
    );
    if !ok {
        std::process::exit(1);
    }
}
