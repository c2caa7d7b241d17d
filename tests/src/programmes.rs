//! A large conference's programme, for the suites and benchmarks that need one (issue 19): 1,000
//! sessions in 8 rooms over 5 days and 600 speakers, with abstracts and bios of prose-like text.

use plenary::domain::{Event, EventId};
use serde_json::{Value, json};

/// The conference the programme belongs to (5 days, Europe/Zurich).
pub fn conference() -> Event {
    Event::parse(
        EventId::parse("big-conference").expect("an id"),
        &json!({"title": "A large conference", "timezone": "Europe/Zurich",
                "starts_at": "2026-06-01T08:00:00+02:00", "ends_at": "2026-06-05T21:00:00+02:00"}),
    )
    .expect("an event")
}

/// Words from a vocabulary of 4,000 made-up ones, drawn by a fixed generator: text that
/// deflates about as prose does (far less than one word repeated).
struct Prose(u64);

impl Prose {
    fn word(&mut self) -> String {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        let n = (self.0 >> 33) % 4000;
        // Each word's letters from a hash of its number: 4,000 distinct, irregular words.
        let letters = b"etaoinshrdlucmfwypvbgkqjxz";
        let len = 2 + (n % 9) as usize;
        (0..len as u64)
            .map(|i| {
                let h = (n * 31 + i + 1).wrapping_mul(0x9E37_79B9_7F4A_7C15) >> 59;
                letters[(h % 26) as usize] as char
            })
            .collect()
    }

    fn words(&mut self, n: usize) -> String {
        (0..n).map(|_| self.word()).collect::<Vec<_>>().join(" ")
    }
}

/// The draft of [`conference`]: 1,000 sessions in 8 rooms over 5 days (25 half-hour slots a
/// day), each with two of 600 speakers; the first session's title ends with `label`, so two
/// labels make two versions that differ in one session.
pub fn conference_draft(label: &str) -> Value {
    let mut prose = Prose(42);
    let speakers: Vec<Value> = (0..600)
        .map(|i| {
            json!({"id": format!("sp{i}"), "name": prose.words(2), "affiliation": prose.words(4),
                   "bio": prose.words(45)})
        })
        .collect();
    let mut sessions = Vec::new();
    for day in 0..5 {
        for slot in 0..25 {
            for room in 0..8 {
                let i = (day * 25 + slot) * 8 + room;
                let at = |minutes: usize| {
                    format!(
                        "2026-06-0{}T{:02}:{:02}:00+02:00",
                        day + 1,
                        8 + minutes / 60,
                        minutes % 60
                    )
                };
                let title = match i {
                    0 => format!("Opening {label}"),
                    _ => prose.words(7),
                };
                sessions.push(json!({
                    "id": format!("s{i:04}"), "title": title, "kind": "talk",
                    "track": format!("Room {room}"),
                    "starts_at": at(slot * 30), "ends_at": at(slot * 30 + 30),
                    "abstract": prose.words(110),
                    "speakers": [{"id": format!("sp{}", i % 600), "role": "speaker"},
                                 {"id": format!("sp{}", (i * 7 + 1) % 600), "role": "moderator"}]
                }));
            }
        }
    }
    json!({"speakers": speakers, "sessions": sessions})
}
