//! Reminders by their moment at scale, on tokio's paused clock (`plenary_benches::simulation`):
//! a small version of BENCHMARKS.md's 50,000-recipient run, so a change to the planning, the
//! pacing or the job's continuation that makes a reminder late fails the test command.

#[tokio::test(start_paused = true)]
async fn every_reminder_to_three_thousand_at_five_a_second_goes_inside_its_window_once() {
    // 3,000 at 5 a second take 10 minutes: beyond one run, and beyond a schedule period.
    let s = plenary_benches::simulation::simulate(3_000, 5.0).await;
    assert!(s.all_in_time(), "{s:#?}");
    assert!(s.asked > 0, "no run started the next: {s:#?}");
}
