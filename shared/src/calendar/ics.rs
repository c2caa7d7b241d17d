//! RFC 5545 iCalendar output.
//!
//! Written by hand rather than with the `icalendar` crate: its writer leaves a bare CR in TEXT
//! values (an abstract pasted with CRLF line breaks yields an invalid content line), and it
//! brings chrono with the system clock plus a random UID and a wall-clock DTSTAMP by default,
//! which a pure renderer must not have. Escaping and folding are two small functions here.
//!
//! Every time is written in UTC (`…Z`): sessions are exact instants, so no VTIMEZONE is needed
//! and calendars show them in the reader's own zone.
//!
//! METHOD, per output (RFC 5546): `programme.ics` and the personal calendar are feeds a calendar
//! subscribes to or imports, not iTIP messages, so they carry no METHOD (a PUBLISH would require an
//! ORGANIZER and tell mail clients to treat the file as a scheduling message). A digest's
//! attachment is an iTIP message in an email (`text/calendar; method=PUBLISH`), so it says
//! `METHOD:PUBLISH` and gives every VEVENT the ORGANIZER that PUBLISH requires: the event's
//! contact, or the sender when the event names none.

use jiff::Timestamp;

use super::base;
use crate::domain::{Change, ChangeKind, Event, Line, Programme, Publication, Session};

const PRODID: &str = "-//Plenary//Plenary//EN";
/// RFC 5545 §3.1: a content line is at most 75 octets, not counting its CRLF.
const MAX_LINE_OCTETS: usize = 75;

/// Who publishes an iTIP message: a display name and an address.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Organizer {
    pub name: String,
    pub email: String,
}

/// How a registrant joins: what their personal calendar adds to each entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JoinDetails {
    pub personal_url: String,
    pub passcode: Option<String>,
    pub dial_in: Option<String>,
}

/// The public programme: one VEVENT per session, whose UID stays the same across versions and
/// whose SEQUENCE rises each time a version changes it, so a re-import updates in place.
pub fn programme_ics(event: &Event, publication: &Publication, site_url: &str) -> String {
    let mut cal = Writer::calendar(event, None);
    for s in &publication.programme.sessions {
        cal.vevent(&registrant_entry(
            event,
            publication,
            &publication.programme,
            s,
            site_url,
            None,
            None,
        ));
    }
    cal.finish()
}

/// A registrant's own calendar: the programme's sessions (or, before any is published, the
/// whole event as one entry), with their personal join link when there is one.
pub fn registrant_ics(
    event: &Event,
    publication: Option<&Publication>,
    join: Option<&JoinDetails>,
    site_url: &str,
) -> String {
    registrant_ics_at(event, publication, join, None, site_url)
}

/// [`registrant_ics`] for a registrant who comes to `venue` (an in-person participant of a
/// hybrid event): every entry's LOCATION names it.
pub fn registrant_ics_at(
    event: &Event,
    publication: Option<&Publication>,
    join: Option<&JoinDetails>,
    venue: Option<&str>,
    site_url: &str,
) -> String {
    let mut cal = Writer::calendar(event, None);
    match publication {
        Some(p) => {
            for s in &p.programme.sessions {
                cal.vevent(&registrant_entry(
                    event,
                    p,
                    &p.programme,
                    s,
                    site_url,
                    join,
                    venue,
                ));
            }
        }
        None => {
            let url = format!("{}/events/{}", base(site_url), event.id);
            cal.vevent(&Entry {
                uid: format!("{}@plenary", event.id),
                sequence: 0,
                // With nothing published there is no publication time; the event's start is a
                // stable stand-in, so the same event renders to the same bytes.
                stamp: event.starts_at,
                start: event.starts_at,
                end: event.ends_at,
                summary: event.title.as_str(),
                description: description(&[event.description.as_str()], join),
                location: venue.map(str::to_owned),
                category: None,
                url: join.map_or(url, |j| j.personal_url.clone()),
                attachments: Vec::new(),
                cancelled: false,
            });
        }
    }
    cal.finish()
}

/// What changed from `previous` to `publication` (`changes`, which may span several versions
/// when publications are merged into one digest): the added, moved and updated sessions as they
/// are now, and each removed one cancelled at its old time. `previous` holds the removed
/// sessions' last SEQUENCE, which a cancellation must exceed. `join` is the registrant's, as
/// their personal calendar has it: each entry is built by the same [`registrant_entry`], so
/// applying the update keeps the join details in their calendar.
pub fn changes_ics(
    event: &Event,
    publication: &Publication,
    previous: Option<&Publication>,
    changes: &[Change],
    join: Option<&JoinDetails>,
    organizer: &Organizer,
    site_url: &str,
) -> String {
    changes_ics_at(
        event,
        publication,
        previous,
        changes,
        (join, None),
        organizer,
        site_url,
    )
}

/// [`changes_ics`] for a registrant with `join` details who comes to `venue` (an in-person
/// participant), as [`registrant_ics_at`] has their calendar.
pub fn changes_ics_at(
    event: &Event,
    publication: &Publication,
    previous: Option<&Publication>,
    changes: &[Change],
    (join, venue): (Option<&JoinDetails>, Option<&str>),
    organizer: &Organizer,
    site_url: &str,
) -> String {
    let mut cal = Writer::calendar(event, Some(organizer));
    for change in changes {
        match (change.change, &change.after, &change.before) {
            (ChangeKind::Added | ChangeKind::Moved | ChangeKind::Updated, Some(after), _) => {
                cal.vevent(&registrant_entry(
                    event,
                    publication,
                    &publication.programme,
                    after,
                    site_url,
                    join,
                    venue,
                ));
            }
            (ChangeKind::Removed, _, Some(before)) => {
                let last = previous
                    .and_then(|p| p.sequences.get(&before.id).copied())
                    .unwrap_or(0);
                // Speakers as they were, when the previous version is at hand.
                let programme = previous.map_or(&publication.programme, |p| &p.programme);
                let mut entry =
                    registrant_entry(event, publication, programme, before, site_url, join, venue);
                entry.sequence = last + 1;
                entry.cancelled = true;
                cal.vevent(&entry);
            }
            // A change without the session it names carries nothing to show.
            _ => {}
        }
    }
    cal.finish()
}

/// The fields of one VEVENT, before escaping.
struct Entry<'a> {
    uid: String,
    sequence: u32,
    stamp: Timestamp,
    start: Timestamp,
    end: Timestamp,
    summary: &'a str,
    description: String,
    location: Option<String>,
    category: Option<&'static str>,
    url: String,
    /// The session's materials' addresses, one ATTACH each.
    attachments: Vec<&'a str>,
    cancelled: bool,
}

/// One session's entry as a registrant's calendars show it (the public programme's with no
/// `join`): the personal calendar and a digest's attachment both build theirs here.
fn registrant_entry<'a>(
    event: &Event,
    publication: &Publication,
    programme: &Programme,
    s: &'a Session,
    site_url: &str,
    join: Option<&JoinDetails>,
    venue: Option<&str>,
) -> Entry<'a> {
    let speakers: Vec<String> = s
        .speakers
        .iter()
        .map(|sp| match programme.speaker(&sp.id) {
            Some(p) => match &p.affiliation {
                Some(a) => format!("{} ({a}), {}", p.name, sp.role),
                None => format!("{}, {}", p.name, sp.role),
            },
            // References are checked when a draft parses; a missing one still names its id.
            None => format!("{}, {}", sp.id, sp.role),
        })
        .collect();
    let speakers = speakers.join("\n");
    let url = format!("{}/events/{}#{}", base(site_url), event.id, s.id);
    Entry {
        uid: format!("{}.{}@plenary", s.id, event.id),
        sequence: publication.sequences.get(&s.id).copied().unwrap_or(0),
        stamp: publication.published_at,
        start: s.starts_at,
        end: s.ends_at,
        summary: s.title.as_str(),
        description: description(&[s.summary.as_str(), &speakers], join),
        // The room's address for whoever comes in person, after the session's track.
        location: match (s.track.as_ref().map(Line::as_str), venue) {
            (Some(t), Some(v)) => Some(format!("{t}, {v}")),
            (t, v) => t.or(v).map(str::to_owned),
        },
        category: Some(s.kind.code()),
        url: join.map_or(url, |j| j.personal_url.clone()),
        attachments: s.materials.iter().map(|m| m.url.as_str()).collect(),
        cancelled: false,
    }
}

/// The non-empty parts, a blank line apart, then how to join.
fn description(parts: &[&str], join: Option<&JoinDetails>) -> String {
    let mut blocks: Vec<String> = parts
        .iter()
        .filter(|p| !p.trim().is_empty())
        .map(|p| (*p).to_owned())
        .collect();
    if let Some(j) = join {
        let mut lines = vec![format!("Join: {}", j.personal_url)];
        if let Some(p) = &j.passcode {
            lines.push(format!("Passcode: {p}"));
        }
        if let Some(d) = &j.dial_in {
            lines.push(format!("Dial-in: {d}"));
        }
        blocks.push(lines.join("\n"));
    }
    blocks.join("\n\n")
}

/// Builds the calendar text line by line, folding as it goes.
struct Writer {
    out: String,
    /// Set for an iTIP PUBLISH message, which then names its ORGANIZER in every VEVENT.
    organizer: Option<String>,
}

impl Writer {
    fn calendar(event: &Event, organizer: Option<&Organizer>) -> Self {
        let mut w = Self {
            out: String::new(),
            organizer: organizer.map(organizer_line),
        };
        w.raw("BEGIN", "VCALENDAR");
        w.raw("VERSION", "2.0");
        w.raw("PRODID", PRODID);
        w.raw("CALSCALE", "GREGORIAN");
        if w.organizer.is_some() {
            w.raw("METHOD", "PUBLISH");
        }
        w.text("X-WR-CALNAME", event.title.as_str());
        w.text("X-WR-TIMEZONE", event.timezone.name());
        w
    }

    fn vevent(&mut self, e: &Entry<'_>) {
        self.raw("BEGIN", "VEVENT");
        self.text("UID", &e.uid);
        self.raw("SEQUENCE", &e.sequence.to_string());
        self.raw("DTSTAMP", &utc(e.stamp));
        self.raw("DTSTART", &utc(e.start));
        self.raw("DTEND", &utc(e.end));
        if let Some(line) = self.organizer.clone() {
            fold_into(&mut self.out, &line);
        }
        self.text("SUMMARY", e.summary);
        if !e.description.is_empty() {
            self.text("DESCRIPTION", &e.description);
        }
        if let Some(l) = &e.location {
            self.text("LOCATION", l);
        }
        if let Some(c) = e.category {
            self.text("CATEGORIES", c);
        }
        // A URI value, not TEXT: no escaping.
        self.raw("URL", &e.url);
        // RFC 5545 §3.8.1.1: a URI value by default, so a material is linked, not embedded.
        for a in &e.attachments {
            self.raw("ATTACH", a);
        }
        self.raw(
            "STATUS",
            if e.cancelled {
                "CANCELLED"
            } else {
                "CONFIRMED"
            },
        );
        // Publication keeps no per-session edit time; the version's publication is the latest
        // moment this entry could have changed.
        self.raw("LAST-MODIFIED", &utc(e.stamp));
        self.raw("END", "VEVENT");
    }

    fn finish(mut self) -> String {
        self.raw("END", "VCALENDAR");
        self.out
    }

    fn raw(&mut self, name: &str, value: &str) {
        fold_into(&mut self.out, &format!("{name}:{value}"));
    }

    fn text(&mut self, name: &str, value: &str) {
        self.raw(name, &escape(value));
    }
}

/// `ORGANIZER;CN="name":mailto:address`. A quoted parameter value may hold neither DQUOTE nor a
/// control character (RFC 5545 §3.1), so those are dropped from the name.
fn organizer_line(o: &Organizer) -> String {
    let name: String = o
        .name
        .chars()
        .filter(|c| *c != '"' && !c.is_control())
        .collect();
    format!("ORGANIZER;CN=\"{name}\":mailto:{}", o.email)
}

/// `YYYYMMDDTHHMMSSZ`, the UTC form of an RFC 5545 DATE-TIME.
fn utc(t: Timestamp) -> String {
    t.strftime("%Y%m%dT%H%M%SZ").to_string()
}

/// RFC 5545 §3.3.11 TEXT escaping. Any line break (LF, CRLF or a lone CR) becomes `\n`: a raw
/// CR or LF would end the content line.
fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\\' => out.push_str("\\\\"),
            ';' => out.push_str("\\;"),
            ',' => out.push_str("\\,"),
            '\r' => {
                if chars.peek() == Some(&'\n') {
                    chars.next();
                }
                out.push_str("\\n");
            }
            '\n' => out.push_str("\\n"),
            c => out.push(c),
        }
    }
    out
}

/// Appends `line` folded at 75 octets (RFC 5545 §3.1), cutting only between UTF-8 characters,
/// each part ending in CRLF and each continuation starting with one space.
fn fold_into(out: &mut String, line: &str) {
    let mut rest = line;
    let mut limit = MAX_LINE_OCTETS;
    while rest.len() > limit {
        let mut cut = limit;
        // A UTF-8 character is at most 4 octets, so this stops well before 0.
        while !rest.is_char_boundary(cut) {
            cut -= 1;
        }
        out.push_str(&rest[..cut]);
        out.push_str("\r\n ");
        rest = &rest[cut..];
        // The leading space of a continuation line counts towards its 75 octets.
        limit = MAX_LINE_OCTETS - 1;
    }
    out.push_str(rest);
    out.push_str("\r\n");
}

#[cfg(test)]
mod tests;
