use serde_json::json;

use super::*;
use crate::calendar::fixtures::{SITE, at, event, first, programme, second, session, sessions};

/// Plenary's restatement of the c3voc schema; tests/fixtures/README.md says where it comes from.
const SCHEMA_TEXT: &str = include_str!("../../../../tests/fixtures/c3voc-schedule.schema.json");

/// A validator of the c3voc schema, formats included.
fn validator() -> jsonschema::Validator {
    let schema: Value = serde_json::from_str(SCHEMA_TEXT).unwrap();
    jsonschema::options()
        .with_draft(jsonschema::Draft::Draft201909)
        .should_validate_formats(true)
        .build(&schema)
        .unwrap()
}

fn assert_valid(schedule: &Value) {
    let validator = validator();
    let errors: Vec<String> = validator
        .iter_errors(schedule)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect();
    assert!(
        errors.is_empty(),
        "{errors:#?}\n{}",
        serde_json::to_string_pretty(schedule).unwrap()
    );
}

/// Every talk of every day, with its day's date.
fn talks(schedule: &Value) -> Vec<(String, Value)> {
    let mut out = Vec::new();
    for day in schedule["schedule"]["conference"]["days"]
        .as_array()
        .unwrap()
    {
        for talks in day["rooms"].as_object().unwrap().values() {
            for t in talks.as_array().unwrap() {
                out.push((day["date"].as_str().unwrap().to_owned(), t.clone()));
            }
        }
    }
    out
}

fn talk<'a>(talks: &'a [(String, Value)], slug: &str) -> &'a (String, Value) {
    talks.iter().find(|(_, t)| t["slug"] == slug).unwrap()
}

/// The fixture's event, ending at `ends_at` instead.
fn ending(ends_at: &str) -> Event {
    Event {
        ends_at: at(ends_at),
        ..event()
    }
}

/// The first publication of the fixture's first two sessions.
fn two_sessions() -> Publication {
    let two = programme(sessions()[..2].to_vec());
    Publication::next(None, two, at("2021-10-01T12:00:00Z")).unwrap()
}

#[test]
fn a_two_day_zurich_schedule_validates_against_the_c3voc_schema() {
    // The weekend the clocks go back: Saturday in CEST, Sunday (25 hours) in CET.
    let two_days = ending("2021-10-31T18:00:00+01:00");
    let s = schedule_json(&two_days, &two_sessions(), SITE);
    assert_valid(&s);
    let c = &s["schedule"]["conference"];
    assert_eq!(s["$schema"], "https://c3voc.de/schedule/schema.json");
    assert_eq!(s["generator"]["name"], "plenary");
    assert_eq!(s["schedule"]["base_url"], "https://plenary.example/");
    assert_eq!(c["acronym"], "itu_ws_2021");
    assert_eq!(c["start"], "2021-10-30T09:00:00+02:00");
    assert_eq!(c["end"], "2021-10-31");
    assert_eq!(c["daysCount"], 2);
    assert_eq!(c["time_zone_name"], "Europe/Zurich");
    assert_eq!(c["url"], "https://plenary.example/events/itu-ws-2021");
    let days = c["days"].as_array().unwrap();
    assert_eq!(days[1]["day_start"], "2021-10-31T00:00:00+02:00");
    assert_eq!(days[1]["day_end"], "2021-10-31T18:00:00+01:00");
    let all = talks(&s);
    let (_, panel) = talk(&all, "itu-ws-2021-panel");
    assert_eq!(panel["date"], "2021-10-31T10:00:00+01:00");
    assert_eq!(panel["start"], "10:00");
    assert_eq!(panel["duration"], "01:30");
    assert_eq!(panel["room"], "Room B");
    assert_eq!(panel["track"], "Room B");
    assert_eq!(panel["type"], "talk");
    assert_eq!(panel["language"], "fr");
    assert_eq!(
        panel["url"],
        "https://plenary.example/events/itu-ws-2021#panel"
    );
    assert_eq!(panel["persons"][0]["name"], "Ada Lovelace");
    let (_, opening) = talk(&all, "itu-ws-2021-opening");
    assert_eq!(opening["room"], "Plenary");
}

#[test]
fn every_version_of_the_fixture_programme_validates() {
    let v1 = first();
    let v2 = second(&v1);
    assert_valid(&schedule_json(&event(), &v1, SITE));
    assert_valid(&schedule_json(&event(), &v2, SITE));
}

#[test]
fn the_version_string_changes_with_every_publication() {
    let v1 = first();
    let v2 = second(&v1);
    let a = schedule_json(&event(), &v1, SITE);
    let b = schedule_json(&event(), &v2, SITE);
    assert_eq!(a["schedule"]["version"], "v1 2021-10-01T12:00:00Z");
    assert_eq!(b["schedule"]["version"], "v2 2021-10-15T08:30:00Z");
}

#[test]
fn guids_and_ids_stay_the_same_for_a_session_across_versions() {
    let v1 = first();
    let v2 = second(&v1);
    let a = talks(&schedule_json(&event(), &v1, SITE));
    let b = talks(&schedule_json(&event(), &v2, SITE));
    // `panel` moved and `lunch` was added before nothing else changed order.
    for slug in ["itu-ws-2021-opening", "itu-ws-2021-panel"] {
        let (_, x) = talk(&a, slug);
        let (_, y) = talk(&b, slug);
        assert_eq!(x["guid"], y["guid"], "{slug}");
        assert_eq!(x["id"], y["id"], "{slug}");
    }
    let mut ids: Vec<&Value> = b.iter().map(|(_, t)| &t["id"]).collect();
    ids.sort_by_key(|v| v.as_u64());
    ids.dedup();
    assert_eq!(ids.len(), b.len(), "ids are distinct");
    // Room guids too, and they are name-based UUIDs (version 5).
    let rooms = |v: &Publication| {
        schedule_json(&event(), v, SITE)["schedule"]["conference"]["rooms"].clone()
    };
    assert_eq!(rooms(&v1), rooms(&v2));
    let g: Uuid = talk(&a, "itu-ws-2021-panel").1["guid"]
        .as_str()
        .unwrap()
        .parse()
        .unwrap();
    assert_eq!(g.get_version_num(), 5);
}

#[test]
fn days_are_counted_and_grouped_in_the_events_zone() {
    // 00:30 on Sunday in Zurich is still Saturday in UTC (22:30Z).
    let mut s = sessions();
    s.push(session(
        "night",
        "2021-10-31T00:30:00+02:00",
        "2021-10-31T01:00:00+02:00",
        Some("Bar"),
    ));
    let p = Publication::next(None, programme(s), at("2021-10-01T12:00:00Z")).unwrap();
    let schedule = schedule_json(&event(), &p, SITE);
    assert_valid(&schedule);
    let c = &schedule["schedule"]["conference"];
    assert_eq!(c["daysCount"], 3);
    let dates: Vec<&str> = c["days"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["date"].as_str().unwrap())
        .collect();
    assert_eq!(dates, ["2021-10-30", "2021-10-31", "2021-11-01"]);
    let all = talks(&schedule);
    let (date, night) = talk(&all, "itu-ws-2021-night");
    assert_eq!(date, "2021-10-31");
    assert_eq!(night["start"], "00:30");
    assert_eq!(talk(&all, "itu-ws-2021-closing").0, "2021-11-01");
    // Every day lists every room, empty or not, as frab does.
    for day in c["days"].as_array().unwrap() {
        let rooms: Vec<&String> = day["rooms"].as_object().unwrap().keys().collect();
        assert_eq!(rooms, ["Bar", "Plenary", "Room B"]);
    }
    let days = c["days"].as_array().unwrap();
    assert_eq!(days[0]["day_start"], "2021-10-30T09:00:00+02:00");
    assert_eq!(days[2]["day_start"], "2021-11-01T00:00:00+01:00");
    assert_eq!(days[2]["day_end"], "2021-11-01T18:00:00+01:00");
}

#[test]
fn an_event_ending_at_midnight_does_not_count_the_next_day() {
    let e = ending("2021-11-01T00:00:00+01:00");
    let c = &schedule_json(&e, &two_sessions(), SITE)["schedule"]["conference"];
    assert_eq!(c["daysCount"], 2);
    assert_eq!(c["end"], "2021-10-31");
}

#[test]
fn ids_that_break_the_schemas_patterns_are_adapted_to_them() {
    assert_eq!(acronym("ws"), "ws__");
    assert_eq!(acronym("wtsa-24"), "wtsa_24");
    assert!(c3voc_zone_name("Europe/Zurich"));
    assert!(c3voc_zone_name("America/Argentina/Buenos_Aires"));
    assert!(c3voc_zone_name("UTC"));
    assert!(!c3voc_zone_name("Etc/GMT-3"));
    assert_eq!(hh_mm(SignedDuration::from_mins(25 * 60 + 5)), "25:05");
    let e = event();
    let mut odd = session(
        "odd-",
        "2021-10-30T12:00:00+02:00",
        "2021-10-30T12:10:00+02:00",
        None,
    );
    odd["speakers"] = json!([]);
    let p = Publication::next(None, programme(vec![odd]), at("2021-10-01T12:00:00Z")).unwrap();
    assert_eq!(slug(&e, &p.programme.sessions[0]), "itu-ws-2021-odd");
    assert_valid(&schedule_json(&e, &p, SITE));
}

#[test]
fn the_namespace_is_the_dns_uuid_of_plenary() {
    assert_eq!(NAMESPACE, Uuid::new_v5(&Uuid::NAMESPACE_DNS, b"plenary"));
}

#[test]
fn the_schema_check_rejects_what_breaks_the_c3voc_rules() {
    let good = schedule_json(&event(), &first(), SITE);
    let validator = validator();
    assert!(validator.is_valid(&good));
    let talk = "/schedule/conference/days/0/rooms/Plenary/0";
    let breakages: [(&str, Value); 6] = [
        (
            "/schedule/conference/end",
            json!("2021-11-01T18:00:00+01:00"),
        ),
        ("/schedule/conference/acronym", json!("itu-ws")),
        (&format!("{talk}/duration")[..], json!("1h")),
        (&format!("{talk}/guid")[..], json!("not-a-uuid")),
        (&format!("{talk}/slug")[..], json!("ends-with-")),
        (&format!("{talk}/do_not_record")[..], json!(false)),
    ];
    for (pointer, value) in breakages {
        let mut bad = good.clone();
        let (parent, key) = pointer.rsplit_once('/').unwrap();
        bad.pointer_mut(parent).unwrap()[key] = value;
        assert!(!validator.is_valid(&bad), "{pointer} should be refused");
    }
}

/// The bundled seed of the local stack, rendered as the stack would: the circular's workshop.
fn seeded() -> (crate::domain::Event, crate::domain::Publication) {
    // `{local}` is the local stack's own address, which it puts in when it seeds.
    let text = include_str!("../../../../local/seed/circular-331.json")
        .replace("{local}", "https://workshops.example.org");
    let seed: Value = serde_json::from_str(&text).unwrap();
    let qos = &seed["events"][0];
    let event = crate::domain::Event::parse(
        crate::domain::EventId::parse(qos["id"].as_str().unwrap()).unwrap(),
        &qos["event"],
    )
    .unwrap();
    let draft = crate::domain::Programme::parse(&event, &qos["programme"]["draft"]).unwrap();
    let p = crate::domain::Publication::next(None, draft, at("2021-08-23T08:00:00Z")).unwrap();
    (event, p)
}

#[test]
fn the_seeded_workshops_schedule_validates_against_the_c3voc_schema() {
    let (event, p) = seeded();
    let schedule = schedule_json(&event, &p, SITE);
    assert_valid(&schedule);
    assert_eq!(schedule["schedule"]["conference"]["daysCount"], 2);
}

#[test]
fn the_seeded_workshops_calendar_parses_back_with_one_event_per_session() {
    use std::str::FromStr as _;
    let (event, p) = seeded();
    let ics = crate::calendar::programme_ics(&event, &p, SITE);
    let cal = icalendar::Calendar::from_str(&ics).expect("RFC 5545");
    let events = cal
        .components
        .iter()
        .filter(|c| c.as_event().is_some())
        .count();
    assert_eq!(events, p.programme.sessions.len());
    assert!(ics.split("\r\n").all(|l| l.len() <= 75));
}
