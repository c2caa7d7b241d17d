//! The iCalendar writer: for any titles, abstracts, speakers, tracks and join details, every
//! calendar is well-formed (content lines of at most 75 octets, CRLF only, folded lines start
//! with a space) and an independent parser reads back the same text.

use std::collections::BTreeMap;

use icalendar::{CalendarComponent, Component};
use jiff::Timestamp;
use plenary::calendar::{JoinDetails, Organizer, changes_ics, programme_ics, registrant_ics};
use plenary::domain::{ChangeKind, Event, Programme, Publication, Session};
use proptest::prelude::*;

use crate::strategies::{event_for_programmes, line, paragraph, programme_body};

fn organizer() -> Organizer {
    Organizer {
        name: "Programme \"team\"".to_owned(),
        email: "team@example.org".to_owned(),
    }
}

const SITE: &str = "https://plenary.example/";

/// One VEVENT's properties as the parser read them (unfolded, unescaped).
type Props = BTreeMap<String, String>;

fn assert_well_formed(ics: &str) -> Result<(), TestCaseError> {
    prop_assert!(ics.ends_with("\r\n"), "the last line ends with CRLF");
    for line in ics.trim_end_matches("\r\n").split("\r\n") {
        prop_assert!(line.len() <= 75, "{} octets: {:?}", line.len(), line);
        prop_assert!(!line.contains(['\r', '\n']), "a bare CR or LF: {:?}", line);
        let named = line.split_once([':', ';']).is_some_and(|(name, _)| {
            !name.is_empty() && name.bytes().all(|b| b.is_ascii_uppercase() || b == b'-')
        });
        prop_assert!(
            line.starts_with(' ') || named,
            "neither a property nor a continuation: {:?}",
            line
        );
    }
    Ok(())
}

fn parse(ics: &str) -> Result<(icalendar::Calendar, Vec<Props>), TestCaseError> {
    let cal: icalendar::Calendar = ics
        .parse()
        .map_err(|e| TestCaseError::fail(format!("the parser refused the calendar: {e}\n{ics}")))?;
    let events = cal
        .components
        .iter()
        .filter_map(|c| match c {
            CalendarComponent::Event(e) => Some(
                e.properties()
                    .iter()
                    .map(|(k, p)| (k.clone(), p.value().to_owned()))
                    .collect(),
            ),
            _ => None,
        })
        .collect();
    Ok((cal, events))
}

/// Line breaks as the writer gives them: CRLF and a lone CR are one line break each.
fn breaks_as_lf(s: &str) -> String {
    s.replace("\r\n", "\n").replace('\r', "\n")
}

/// What a session's DESCRIPTION says: its abstract, then one line per speaker, a blank line
/// apart, then how to join.
fn description(s: &Session, programme: &Programme, join: Option<&JoinDetails>) -> String {
    let speakers: Vec<String> = s
        .speakers
        .iter()
        .map(|sp| {
            let p = programme.speaker(&sp.id).unwrap();
            match &p.affiliation {
                Some(a) => format!("{} ({a}), {}", p.name, sp.role),
                None => format!("{}, {}", p.name, sp.role),
            }
        })
        .collect();
    let speakers = speakers.join("\n");
    let mut blocks: Vec<String> = [s.summary.as_str(), speakers.as_str()]
        .into_iter()
        .filter(|b| !b.trim().is_empty())
        .map(str::to_owned)
        .collect();
    if let Some(j) = join {
        let mut lines = vec![format!("Join: {}", j.personal_url)];
        lines.extend(j.passcode.as_ref().map(|p| format!("Passcode: {p}")));
        lines.extend(j.dial_in.as_ref().map(|d| format!("Dial-in: {d}")));
        blocks.push(lines.join("\n"));
    }
    breaks_as_lf(&blocks.join("\n\n"))
}

fn assert_sessions_read_back(
    events: &[Props],
    event: &Event,
    p: &Publication,
    join: Option<&JoinDetails>,
) -> Result<(), TestCaseError> {
    prop_assert_eq!(events.len(), p.programme.sessions.len());
    for (e, s) in events.iter().zip(&p.programme.sessions) {
        prop_assert_eq!(&e["UID"], &format!("{}.{}@plenary", s.id, event.id));
        prop_assert_eq!(&e["SUMMARY"], s.title.as_str());
        prop_assert_eq!(
            e.get("LOCATION").map(String::as_str),
            s.track.as_ref().map(|t| t.as_str())
        );
        prop_assert_eq!(
            e.get("DESCRIPTION").map(String::as_str).unwrap_or_default(),
            description(s, &p.programme, join)
        );
        prop_assert_eq!(
            &e["DTSTART"],
            &s.starts_at.strftime("%Y%m%dT%H%M%SZ").to_string()
        );
    }
    Ok(())
}

fn join_details() -> impl Strategy<Value = JoinDetails> {
    (
        "[A-Za-z0-9_-]{8,40}",
        proptest::option::of(line(100)),
        proptest::option::of(paragraph(200)),
    )
        .prop_map(|(token, passcode, dial_in)| JoinDetails {
            personal_url: format!("{SITE}j/{token}"),
            passcode: passcode.map(|p| p.trim().to_owned()),
            dial_in: dial_in
                .map(|d| d.trim().to_owned())
                .filter(|d| !d.is_empty()),
        })
}

fn published(
    event: &Event,
    body: &serde_json::Value,
    previous: Option<&Publication>,
    at: &str,
) -> Option<Publication> {
    let draft = Programme::parse(event, body).expect("a generated programme parses");
    Publication::next(previous, draft, at.parse::<Timestamp>().unwrap()).ok()
}

proptest! {
    #[test]
    fn the_public_calendar_is_well_formed_and_reads_back_as_written(
        title in line(200),
        body in programme_body(),
    ) {
        let event = event_for_programmes(&title);
        let v1 = published(&event, &body, None, "2021-10-01T12:00:00Z").unwrap();
        let ics = programme_ics(&event, &v1, SITE);
        assert_well_formed(&ics)?;
        let (cal, events) = parse(&ics)?;
        prop_assert_eq!(cal.property_value("X-WR-CALNAME"), Some(event.title.as_str()));
        assert_sessions_read_back(&events, &event, &v1, None)?;
    }

    #[test]
    fn a_registrants_calendar_carries_the_join_details_as_written(
        title in line(200),
        body in programme_body(),
        join in join_details(),
        published_yet in any::<bool>(),
    ) {
        let event = event_for_programmes(&title);
        let v1 = published(&event, &body, None, "2021-10-01T12:00:00Z").unwrap();
        let ics = registrant_ics(&event, published_yet.then_some(&v1), Some(&join), SITE);
        assert_well_formed(&ics)?;
        let (_, events) = parse(&ics)?;
        if published_yet {
            assert_sessions_read_back(&events, &event, &v1, Some(&join))?;
        } else {
            prop_assert_eq!(events.len(), 1);
            prop_assert_eq!(&events[0]["SUMMARY"], event.title.as_str());
            let passcode = join.passcode.as_ref().map(|p| format!("\nPasscode: {p}"));
            let dial_in = join.dial_in.as_ref().map(|d| format!("\nDial-in: {d}"));
            let how = breaks_as_lf(&format!(
                "Join: {}{}{}",
                join.personal_url,
                passcode.unwrap_or_default(),
                dial_in.unwrap_or_default()
            ));
            let said = &events[0]["DESCRIPTION"];
            prop_assert!(said.ends_with(&how), "{:?} does not end with {:?}", said, how);
        }
        prop_assert!(events.iter().all(|e| e["URL"] == join.personal_url));
    }

    #[test]
    fn a_changes_calendar_has_one_entry_per_change_and_cancels_the_removed(
        title in line(200),
        first in programme_body(),
        second in programme_body(),
    ) {
        let event = event_for_programmes(&title);
        let v1 = published(&event, &first, None, "2021-10-01T12:00:00Z").unwrap();
        // The same session ids come back with other times and text: moves, updates, removals.
        let Some(v2) = published(&event, &second, Some(&v1), "2021-10-15T08:30:00Z") else {
            return Ok(());
        };
        let ics = changes_ics(&event, &v2, Some(&v1), &v2.changes, None, &organizer(), SITE);
        assert_well_formed(&ics)?;
        let (_, events) = parse(&ics)?;
        prop_assert_eq!(events.len(), v2.changes.len());
        for (e, c) in events.iter().zip(&v2.changes) {
            prop_assert_eq!(&e["SUMMARY"], &c.title);
            let cancelled = c.change == ChangeKind::Removed;
            prop_assert_eq!(e["STATUS"] == "CANCELLED", cancelled);
            let before = v1.sequences.get(&c.session_id).copied();
            let sequence: u32 = e["SEQUENCE"].parse().unwrap();
            match (c.change, before) {
                (ChangeKind::Removed, Some(b)) => prop_assert_eq!(sequence, b + 1),
                (ChangeKind::Added, _) => prop_assert_eq!(sequence, 0),
                (_, Some(b)) => prop_assert!(sequence > b),
                (_, None) => {}
            }
        }
    }
}
