use std::collections::BTreeMap;

use icalendar::{CalendarComponent, Component};
use serde_json::json;

use super::*;
use crate::calendar::fixtures::{SITE, at, event, first, programme, second, session, sessions};

/// One VEVENT's properties, unescaped by the parser.
type Props = BTreeMap<String, String>;

/// Parses `ics` back with an independent parser: the calendar's own properties and each VEVENT's.
fn parse(ics: &str) -> (icalendar::Calendar, Vec<Props>) {
    let cal: icalendar::Calendar = ics.parse().unwrap();
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
    (cal, events)
}

fn by_uid(events: &[Props]) -> BTreeMap<String, Props> {
    events
        .iter()
        .map(|e| (e["UID"].clone(), e.clone()))
        .collect()
}

fn assert_well_formed(ics: &str) {
    assert!(ics.ends_with("\r\n"), "the last line ends with CRLF");
    // Splitting on CRLF must leave no stray CR or LF inside a line.
    let lines: Vec<&str> = ics.trim_end_matches("\r\n").split("\r\n").collect();
    for line in &lines {
        assert!(line.len() <= 75, "{} octets: {line:?}", line.len());
        assert!(!line.contains('\r') && !line.contains('\n'), "{line:?}");
    }
}

#[test]
fn the_programme_has_one_vevent_per_session_with_a_uid_that_names_no_version() {
    let p = first();
    let ics = programme_ics(&event(), &p, SITE);
    assert_well_formed(&ics);
    // The parser keeps CATEGORIES apart, as a list property.
    assert_eq!(ics.matches("\r\nCATEGORIES:talk\r\n").count(), 3);
    let (cal, events) = parse(&ics);
    assert_eq!(
        cal.property_value("PRODID"),
        Some("-//Plenary//Plenary//EN")
    );
    assert_eq!(cal.property_value("VERSION"), Some("2.0"));
    assert_eq!(cal.property_value("CALSCALE"), Some("GREGORIAN"));
    // A feed, not an iTIP message: no METHOD, so no ORGANIZER is owed (RFC 5546).
    assert_eq!(cal.property_value("METHOD"), None);
    assert!(events.iter().all(|e| !e.contains_key("ORGANIZER")));
    assert_eq!(
        cal.property_value("X-WR-CALNAME"),
        Some("ITU Workshop; Geneva, 2021")
    );
    assert_eq!(cal.property_value("X-WR-TIMEZONE"), Some("Europe/Zurich"));
    let uids: Vec<&str> = events.iter().map(|e| e["UID"].as_str()).collect();
    assert_eq!(
        uids,
        [
            "opening.itu-ws-2021@plenary",
            "panel.itu-ws-2021@plenary",
            "closing.itu-ws-2021@plenary"
        ]
    );
    let panel = &events[1];
    assert_eq!(panel["SEQUENCE"], "0");
    assert_eq!(panel["DTSTAMP"], "20211001T120000Z");
    assert_eq!(panel["LAST-MODIFIED"], "20211001T120000Z");
    assert_eq!(panel["SUMMARY"], "Session panel");
    assert_eq!(panel["LOCATION"], "Room B");
    assert_eq!(panel["STATUS"], "CONFIRMED");
    assert_eq!(
        panel["URL"],
        "https://plenary.example/events/itu-ws-2021#panel"
    );
    assert_eq!(
        panel["DESCRIPTION"],
        "About panel.\n\nAda Lovelace (ITU, Geneva), speaker"
    );
    assert!(!events[0].contains_key("LOCATION"), "no track, no location");
}

#[test]
fn session_times_are_utc_instants_that_follow_zurich_across_the_end_of_summer_time() {
    let ics = programme_ics(&event(), &first(), SITE);
    let events = by_uid(&parse(&ics).1);
    // 10:00 local each day: CEST (+02:00) on Saturday, CET (+01:00) from Sunday on.
    let opening = &events["opening.itu-ws-2021@plenary"];
    assert_eq!(opening["DTSTART"], "20211030T080000Z");
    assert_eq!(opening["DTEND"], "20211030T090000Z");
    assert_eq!(
        events["panel.itu-ws-2021@plenary"]["DTSTART"],
        "20211031T090000Z"
    );
    assert_eq!(
        events["closing.itu-ws-2021@plenary"]["DTSTART"],
        "20211101T090000Z"
    );
}

#[test]
fn text_escapes_backslashes_semicolons_commas_and_line_breaks() {
    let mut s = session(
        "esc",
        "2021-10-30T10:00:00+02:00",
        "2021-10-30T11:00:00+02:00",
        Some("Room A; west, upstairs"),
    );
    s["title"] = json!(r"Standards; codecs, and C:\ paths");
    s["abstract"] = json!("Line one;\nline two,\r\nline three\\");
    let p = Publication::next(None, programme(vec![s]), at("2021-10-01T12:00:00Z")).unwrap();
    let ics = programme_ics(&event(), &p, SITE);
    assert_well_formed(&ics);
    let unfolded = ics.replace("\r\n ", "");
    assert!(
        unfolded.contains("\r\nSUMMARY:Standards\\; codecs\\, and C:\\\\ paths\r\n"),
        "{unfolded}"
    );
    assert!(
        unfolded.contains("\r\nLOCATION:Room A\\; west\\, upstairs\r\n"),
        "{unfolded}"
    );
    // CRLF inside the abstract is one line break, not a stray CR.
    assert!(
        unfolded.contains("DESCRIPTION:Line one\\;\\nline two\\,\\nline three\\\\\\n\\nAda"),
        "{unfolded}"
    );
    assert!(unfolded.contains("X-WR-CALNAME:ITU Workshop\\; Geneva\\, 2021\r\n"));
    let e = &parse(&ics).1[0];
    assert_eq!(e["SUMMARY"], r"Standards; codecs, and C:\ paths");
    assert_eq!(e["LOCATION"], "Room A; west, upstairs");
    assert_eq!(
        e["DESCRIPTION"],
        "Line one;\nline two,\nline three\\\n\nAda Lovelace (ITU, Geneva), speaker"
    );
}

#[test]
fn long_arabic_and_chinese_lines_fold_at_75_octets_without_splitting_a_character() {
    let arabic = "ورشة عمل الاتحاد الدولي للاتصالات حول معايير الذكاء الاصطناعي والشبكات";
    let chinese = "国际电信联盟关于人工智能与未来网络标准的研讨会，欢迎各位专家参加讨论。";
    let mut s = session(
        "long",
        "2021-10-30T10:00:00+02:00",
        "2021-10-30T11:00:00+02:00",
        None,
    );
    s["title"] = json!(format!("{arabic} {chinese}"));
    s["abstract"] = json!(format!("{chinese}\n{arabic}\n{chinese}{chinese}"));
    s["speakers"] = json!([{"id": "li", "role": "主持人"}]);
    let p = Publication::next(None, programme(vec![s]), at("2021-10-01T12:00:00Z")).unwrap();
    let ics = programme_ics(&event(), &p, SITE);
    assert_well_formed(&ics);
    assert!(
        ics.split("\r\n").any(|l| l.starts_with(' ')),
        "long lines are folded"
    );
    let e = &parse(&ics).1[0];
    assert_eq!(e["SUMMARY"], format!("{arabic} {chinese}"));
    assert_eq!(
        e["DESCRIPTION"],
        format!("{chinese}\n{arabic}\n{chinese}{chinese}\n\n李华, 主持人")
    );
}

#[test]
fn folding_cuts_between_characters_at_every_alignment() {
    // Shift multi-byte characters (2, 3 and 4 octets) across the 75-octet boundary.
    for pad in 0..8 {
        let value = format!("{}{}", "a".repeat(pad), "é老🙂ع".repeat(40));
        let mut out = String::new();
        fold_into(&mut out, &format!("DESCRIPTION:{value}"));
        for line in out.trim_end_matches("\r\n").split("\r\n") {
            assert!(line.len() <= 75, "pad {pad}: {} octets", line.len());
        }
        assert_eq!(
            out.replace("\r\n ", ""),
            format!("DESCRIPTION:{value}\r\n"),
            "pad {pad}"
        );
    }
    let mut out = String::new();
    fold_into(&mut out, &"x".repeat(75));
    assert_eq!(out.matches("\r\n").count(), 1, "75 octets fit one line");
}

#[test]
fn a_moved_session_keeps_its_uid_and_raises_its_sequence() {
    let v1 = first();
    let v2 = second(&v1);
    let before = by_uid(&parse(&programme_ics(&event(), &v1, SITE)).1);
    let after = by_uid(&parse(&programme_ics(&event(), &v2, SITE)).1);
    let uid = "panel.itu-ws-2021@plenary";
    assert_eq!(before[uid]["SEQUENCE"], "0");
    assert_eq!(after[uid]["SEQUENCE"], "1");
    assert_eq!(before[uid]["DTSTART"], "20211031T090000Z");
    assert_eq!(after[uid]["DTSTART"], "20211031T100000Z");
    assert_eq!(after[uid]["DTSTAMP"], "20211015T083000Z");
    // An unchanged session keeps its sequence too.
    assert_eq!(after["opening.itu-ws-2021@plenary"]["SEQUENCE"], "0");
}

#[test]
fn the_change_digest_updates_changed_sessions_and_cancels_removed_ones_at_their_old_time() {
    let v1 = first();
    let v2 = second(&v1);
    let ics = changes_ics(
        &event(),
        &v2,
        Some(&v1),
        &v2.changes,
        None,
        &organizer(),
        SITE,
    );
    assert_well_formed(&ics);
    let (cal, events) = parse(&ics);
    assert_eq!(cal.property_value("METHOD"), Some("PUBLISH"));
    // RFC 5546 §3.2.1: every VEVENT of a PUBLISH names its organiser.
    assert!(ics.contains("\r\nORGANIZER;CN=\"TSB Events\":mailto:tsbevents@itu.int\r\n"));
    assert!(
        events.iter().all(|e| e.contains_key("ORGANIZER")),
        "{events:?}"
    );
    let events = by_uid(&events);
    assert_eq!(events.len(), 3, "{events:?}");
    let moved = &events["panel.itu-ws-2021@plenary"];
    assert_eq!(moved["SEQUENCE"], "1");
    assert_eq!(moved["STATUS"], "CONFIRMED");
    let added = &events["lunch.itu-ws-2021@plenary"];
    assert_eq!(added["SEQUENCE"], "0");
    let removed = &events["closing.itu-ws-2021@plenary"];
    assert_eq!(removed["STATUS"], "CANCELLED");
    assert_eq!(removed["SEQUENCE"], "1");
    assert_eq!(removed["DTSTART"], "20211101T090000Z");
    assert_eq!(removed["DTSTAMP"], "20211015T083000Z");
    assert!(!events.contains_key("opening.itu-ws-2021@plenary"));
}

#[test]
fn a_cancellation_exceeds_the_last_sequence_the_removed_session_had() {
    let v1 = first();
    let mut s = sessions();
    s[2]["title"] = json!("Closing, renamed");
    let v2 =
        Publication::next(Some(&v1), programme(s.clone()), at("2021-10-10T00:00:00Z")).unwrap();
    assert_eq!(
        v2.sequences[&crate::domain::Slug::parse("closing").unwrap()],
        1
    );
    s.pop();
    let v3 = Publication::next(Some(&v2), programme(s), at("2021-10-20T00:00:00Z")).unwrap();
    let events = by_uid(
        &parse(&changes_ics(
            &event(),
            &v3,
            Some(&v2),
            &v3.changes,
            None,
            &organizer(),
            SITE,
        ))
        .1,
    );
    let removed = &events["closing.itu-ws-2021@plenary"];
    assert_eq!(removed["SEQUENCE"], "2");
    assert_eq!(removed["SUMMARY"], "Closing, renamed");
}

fn organizer() -> Organizer {
    Organizer {
        // A DQUOTE cannot stand in a quoted parameter: it is dropped.
        name: "TSB \"Events\"".to_owned(),
        email: "tsbevents@itu.int".to_owned(),
    }
}

#[test]
fn a_digests_entries_carry_the_join_details_the_personal_calendar_has() {
    let v1 = first();
    let v2 = second(&v1);
    let mine = by_uid(&parse(&registrant_ics(&event(), Some(&v2), Some(&join()), SITE)).1);
    let digest = changes_ics(
        &event(),
        &v2,
        Some(&v1),
        &v2.changes,
        Some(&join()),
        &organizer(),
        SITE,
    );
    let digest = by_uid(&parse(&digest).1);
    let moved = "panel.itu-ws-2021@plenary";
    for field in [
        "DESCRIPTION",
        "URL",
        "SEQUENCE",
        "DTSTART",
        "DTEND",
        "SUMMARY",
    ] {
        assert_eq!(digest[moved][field], mine[moved][field], "{field}");
    }
    assert!(digest[moved]["DESCRIPTION"].contains("Passcode: 998877"));
    // A cancelled session keeps them too: applying it must not strip the entry first.
    assert!(digest["closing.itu-ws-2021@plenary"]["DESCRIPTION"].contains("Join: "));
}

fn join() -> JoinDetails {
    JoinDetails {
        personal_url: "https://meet.example/j/123?pwd=abc".to_owned(),
        passcode: Some("998877".to_owned()),
        dial_in: Some("+41 22 730 5111, 123#".to_owned()),
    }
}

#[test]
fn a_registrants_calendar_carries_their_personal_join_link_on_every_session() {
    let p = first();
    let ics = registrant_ics(&event(), Some(&p), Some(&join()), SITE);
    assert_well_formed(&ics);
    let events = parse(&ics).1;
    assert_eq!(events.len(), 3);
    for e in &events {
        assert_eq!(e["URL"], "https://meet.example/j/123?pwd=abc");
        assert!(
            e["DESCRIPTION"].ends_with(
                "\n\nJoin: https://meet.example/j/123?pwd=abc\nPasscode: 998877\n\
                 Dial-in: +41 22 730 5111, 123#"
            ),
            "{:?}",
            e["DESCRIPTION"]
        );
    }
    // The same entries as the public programme, so a calendar holding both merges them.
    let public = by_uid(&parse(&programme_ics(&event(), &p, SITE)).1);
    for e in &events {
        assert_eq!(public[&e["UID"]]["SEQUENCE"], e["SEQUENCE"]);
        assert_eq!(public[&e["UID"]]["DTSTART"], e["DTSTART"]);
    }
}

#[test]
fn before_any_publication_a_registrants_calendar_holds_the_whole_event() {
    let ics = registrant_ics(&event(), None, None, SITE);
    assert_well_formed(&ics);
    let events = parse(&ics).1;
    assert_eq!(events.len(), 1);
    let e = &events[0];
    assert_eq!(e["UID"], "itu-ws-2021@plenary");
    assert_eq!(e["SEQUENCE"], "0");
    assert_eq!(e["SUMMARY"], "ITU Workshop; Geneva, 2021");
    assert_eq!(e["DESCRIPTION"], "Two days on standards.");
    assert_eq!(e["DTSTART"], "20211030T070000Z");
    assert_eq!(e["DTEND"], "20211101T170000Z");
    assert_eq!(e["URL"], "https://plenary.example/events/itu-ws-2021");

    let with_join = parse(&registrant_ics(&event(), None, Some(&join()), SITE)).1;
    assert_eq!(with_join[0]["URL"], "https://meet.example/j/123?pwd=abc");
    assert!(with_join[0]["DESCRIPTION"].contains("Passcode: 998877"));
}

#[test]
fn the_same_publication_renders_to_the_same_bytes() {
    let p = first();
    assert_eq!(
        programme_ics(&event(), &p, SITE),
        programme_ics(&event(), &p, "https://plenary.example")
    );
}
