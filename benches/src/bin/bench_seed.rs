//! Writes the benchmark event and its N-session programme (default 200) as JSON bodies for the
//! organiser routes (`event.json` for `PUT /v1/admin/events/{id}`, `programme.json` for
//! `PUT …/programme/draft`), and the same as a seed for `plenary-local --seed` (`seed.json`).
//!
//! `cargo run -p plenary-benches --bin bench-seed -- DIR [SESSIONS]`

use std::path::Path;

fn write(dir: &Path, name: &str, v: &serde_json::Value) {
    let path = dir.join(name);
    std::fs::write(&path, v.to_string())
        .unwrap_or_else(|e| panic!("cannot write {}: {e}", path.display()));
}

fn main() {
    let mut args = std::env::args().skip(1);
    let dir = args.next().unwrap_or_else(|| {
        eprintln!("usage: bench-seed DIR [SESSIONS]");
        std::process::exit(2)
    });
    let sessions = args.next().and_then(|s| s.parse().ok()).unwrap_or(200);
    let dir = Path::new(&dir);
    std::fs::create_dir_all(dir).unwrap_or_else(|e| panic!("cannot create {}: {e}", dir.display()));
    write(dir, "event.json", &plenary_benches::event_json());
    write(
        dir,
        "programme.json",
        &plenary_benches::programme_json(sessions, 80),
    );
    write(dir, "seed.json", &plenary_benches::seed_json(sessions));
    println!(
        "{}: event {} with {sessions} sessions",
        dir.display(),
        plenary_benches::EVENT
    );
}
