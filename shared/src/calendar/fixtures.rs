//! A two-day-and-a-bit Geneva programme around the end of summer time (2021-10-31), shared by
//! the renderers' tests.

use jiff::Timestamp;
use serde_json::{Value, json};

use crate::domain::{Event, EventId, Programme, Publication};

pub const SITE: &str = "https://plenary.example/";

pub fn event() -> Event {
    Event::parse(
        EventId::parse("itu-ws-2021").unwrap(),
        &json!({"title": "ITU Workshop; Geneva, 2021", "timezone": "Europe/Zurich",
                "description": "Two days on standards.",
                "languages": ["fr", "en"],
                "starts_at": "2021-10-30T09:00:00+02:00", "ends_at": "2021-11-01T18:00:00+01:00"}),
    )
    .unwrap()
}

pub fn session(id: &str, start: &str, end: &str, track: Option<&str>) -> Value {
    json!({"id": id, "title": format!("Session {id}"), "kind": "talk", "track": track,
           "starts_at": start, "ends_at": end,
           "abstract": format!("About {id}."),
           "speakers": [{"id": "ada", "role": "speaker"}]})
}

/// The sessions of the first version: 10:00 local on the Saturday (CEST, 08:00Z), on the
/// Sunday after the clocks went back, and on the Monday (CET, 09:00Z).
pub fn sessions() -> Vec<Value> {
    vec![
        session(
            "opening",
            "2021-10-30T10:00:00+02:00",
            "2021-10-30T11:00:00+02:00",
            None,
        ),
        session(
            "panel",
            "2021-10-31T10:00:00+01:00",
            "2021-10-31T11:30:00+01:00",
            Some("Room B"),
        ),
        session(
            "closing",
            "2021-11-01T10:00:00+01:00",
            "2021-11-01T11:00:00+01:00",
            None,
        ),
    ]
}

pub fn programme(sessions: Vec<Value>) -> Programme {
    let body = json!({
        "speakers": [
            {"id": "ada", "name": "Ada Lovelace", "affiliation": "ITU, Geneva"},
            {"id": "li", "name": "李华"}
        ],
        "sessions": sessions,
    });
    Programme::parse(&event(), &body).unwrap()
}

pub fn at(s: &str) -> Timestamp {
    s.parse().unwrap()
}

pub fn first() -> Publication {
    Publication::next(None, programme(sessions()), at("2021-10-01T12:00:00Z")).unwrap()
}

/// The second version: `panel` moves an hour later, `closing` is removed, `lunch` is added.
pub fn second(first: &Publication) -> Publication {
    let mut s = sessions();
    s[1]["starts_at"] = json!("2021-10-31T11:00:00+01:00");
    s[1]["ends_at"] = json!("2021-10-31T12:30:00+01:00");
    s.pop();
    s.push(session(
        "lunch",
        "2021-10-31T13:00:00+01:00",
        "2021-10-31T14:00:00+01:00",
        None,
    ));
    Publication::next(Some(first), programme(s), at("2021-10-15T08:30:00Z")).unwrap()
}
