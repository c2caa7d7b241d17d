//! The frab / c3voc `schedule.json` that conference tools (players, signage, recording and
//! streaming pipelines, schedule apps) exchange, written to the c3voc schema
//! (`https://c3voc.de/schedule/schema.json`).
//!
//! Days are local dates in the event's zone. Guids are name-based UUIDs (v5) and ids a hash, so
//! both stay the same for a session across versions and tools can match what they imported.

use std::collections::BTreeSet;

use jiff::civil::Date;
use jiff::{SignedDuration, Timestamp};
use serde_json::{Map, Value, json};
use sha2::{Digest, Sha256};
use uuid::Uuid;

use super::base;
use crate::domain::{Event, Line, MaterialKind, Programme, Publication, Session};
use crate::views::at;

const SCHEMA: &str = "https://c3voc.de/schedule/schema.json";
/// The room (and track) of sessions that name none.
const DEFAULT_ROOM: &str = "Plenary";
/// UUID v5 of the DNS namespace and "plenary": fixed here, so guids never depend on the site's
/// address.
const NAMESPACE: Uuid = Uuid::from_u128(0xbd98c8d1_f740_5ce1_b929_b24eeadcdcfb);

/// `publication` as c3voc `schedule.json`, with local times in the event's zone.
pub fn schedule_json(event: &Event, publication: &Publication, site_url: &str) -> Value {
    let site = base(site_url);
    json!({
        "$schema": SCHEMA,
        "generator": {"name": "plenary", "version": env!("CARGO_PKG_VERSION")},
        "schedule": {
            "version": format!("v{} {}", publication.version, publication.published_at),
            "base_url": format!("{site}/"),
            "conference": conference(event, &publication.programme, site),
        },
    })
}

/// The schedule's `conference`: the event, its rooms and its days.
fn conference(event: &Event, programme: &Programme, site: &str) -> Value {
    let zone = &event.timezone;
    let rooms = rooms(programme);
    let last = last_date(event);
    let dates = dates(event, programme);
    let language = event.languages.first().map_or("en", |l| l.code());
    let days: Vec<Value> = dates
        .iter()
        .enumerate()
        .map(|(index, &date)| day(event, programme, &rooms, index, date, site, language))
        .collect();

    let mut conference = json!({
        "acronym": acronym(event.id.as_str()),
        "title": event.title.as_str(),
        "start": at(zone, event.starts_at),
        // The schema wants a date here, unlike `start`.
        "end": dates.last().copied().unwrap_or(last).to_string(),
        "daysCount": dates.len(),
        "timeslot_duration": "00:05",
        "url": format!("{site}/events/{}", event.id),
        "rooms": rooms
            .iter()
            .map(|r| json!({"name": r, "guid": guid(event, "room", r)}))
            .collect::<Vec<_>>(),
        "days": days,
    });
    // The schema's pattern admits Area/Location names and UTC only; local times carry their
    // offset anyway, so a zone such as Etc/GMT-3 is left out rather than made invalid.
    if c3voc_zone_name(zone.name())
        && let Some(c) = conference.as_object_mut()
    {
        c.insert("time_zone_name".to_owned(), json!(zone.name()));
    }
    conference
}

/// Every room, in the order the sessions first use it.
fn rooms(programme: &Programme) -> Vec<&str> {
    let mut rooms: Vec<&str> = Vec::new();
    for s in &programme.sessions {
        let r = room(s);
        if !rooms.contains(&r) {
            rooms.push(r);
        }
    }
    rooms
}

/// The event's last local date. The end is exclusive: an event ending at midnight does not hold
/// the next day.
fn last_date(event: &Event) -> Date {
    event
        .timezone
        .at(event
            .ends_at
            .checked_sub(SignedDuration::from_nanos(1))
            .unwrap_or(event.ends_at))
        .date()
}

/// Every local date the event covers, plus any a session falls on should the event's dates
/// have been edited since this version was published.
fn dates(event: &Event, programme: &Programme) -> BTreeSet<Date> {
    let zone = &event.timezone;
    let last = last_date(event);
    let mut dates = BTreeSet::new();
    let mut d = zone.at(event.starts_at).date();
    // Events last at most MAX_EVENT_DAYS (checked when one is saved); the cap also bounds the
    // work for anything stored before that rule.
    while d <= last && dates.len() < crate::domain::MAX_EVENT_DAYS as usize {
        dates.insert(d);
        match d.tomorrow() {
            Ok(next) => d = next,
            Err(_) => break,
        }
    }
    dates.extend(
        programme
            .sessions
            .iter()
            .map(|s| zone.at(s.starts_at).date()),
    );
    dates
}

/// One schedule day: its bounds and, per room, the sessions starting that local date.
fn day(
    event: &Event,
    programme: &Programme,
    rooms: &[&str],
    index: usize,
    date: Date,
    site: &str,
    language: &str,
) -> Value {
    let zone = &event.timezone;
    let mut by_room = Map::new();
    for &r in rooms {
        let talks: Vec<Value> = programme
            .sessions
            .iter()
            .filter(|s| room(s) == r && zone.at(s.starts_at).date() == date)
            .map(|s| talk(event, programme, s, site, language))
            .collect();
        by_room.insert(r.to_owned(), Value::Array(talks));
    }
    let (day_start, day_end) = day_bounds(event, date);
    json!({
        "index": index,
        "date": date.to_string(),
        "day_start": at(zone, day_start),
        "day_end": at(zone, day_end),
        "rooms": by_room,
    })
}

fn room(s: &Session) -> &str {
    s.track.as_ref().map_or(DEFAULT_ROOM, Line::as_str)
}

/// One session as a schedule "event".
fn talk(event: &Event, programme: &Programme, s: &Session, site: &str, language: &str) -> Value {
    let zone = &event.timezone;
    let persons: Vec<Value> = s
        .speakers
        .iter()
        .map(|sp| {
            let (name, bio) = programme
                .speaker(&sp.id)
                .map_or((sp.id.as_str(), ""), |p| (p.name.as_str(), p.bio.as_str()));
            // The pretalx shape (`name`); `public_name` too for frab-era readers. With no `id`
            // it matches only the pretalx branch of the schema's oneOf.
            json!({
                "guid": guid(event, "speaker", sp.id.as_str()),
                "name": name,
                "public_name": name,
                "biography": bio,
            })
        })
        .collect();
    json!({
        "guid": guid(event, "session", s.id.as_str()),
        "id": numeric_id(event, s),
        "date": at(zone, s.starts_at),
        "start": zone.at(s.starts_at).strftime("%H:%M").to_string(),
        "duration": hh_mm(s.ends_at.duration_since(s.starts_at)),
        "room": room(s),
        "slug": slug(event, s),
        "url": format!("{site}/events/{}#{}", event.id, s.id),
        "title": s.title.as_str(),
        "subtitle": "",
        "track": room(s),
        "type": s.kind.code(),
        "language": language,
        "abstract": s.summary.as_str(),
        "description": "",
        "recording_license": "",
        "persons": persons,
        "links": materials(s, false),
        "attachments": materials(s, true),
    })
}

/// A session's materials in frab's shape (`{"title", "url"}`): files (slides and documents)
/// under `attachments`, the rest (recordings, links) under `links`, as frab and pretalx export
/// them.
fn materials(s: &Session, files: bool) -> Vec<Value> {
    s.materials
        .iter()
        .filter(|m| matches!(m.kind, MaterialKind::Slides | MaterialKind::Document) == files)
        .map(|m| json!({"title": m.title.as_str(), "url": m.url}))
        .collect()
}

/// Where a day starts and ends: local midnight to midnight, cut to the event on its first and
/// last day.
fn day_bounds(event: &Event, date: Date) -> (Timestamp, Timestamp) {
    let tz = event.timezone.tz();
    let midnight = |d: Date| d.to_zoned(tz.clone()).map(|z| z.timestamp()).ok();
    let lo = midnight(date).unwrap_or(event.starts_at);
    let hi = date
        .tomorrow()
        .ok()
        .and_then(midnight)
        .unwrap_or(event.ends_at);
    let start = if event.starts_at > lo && event.starts_at < hi {
        event.starts_at
    } else {
        lo
    };
    let end = if event.ends_at > lo && event.ends_at < hi {
        event.ends_at
    } else {
        hi
    };
    (start, end)
}

fn guid(event: &Event, kind: &str, name: &str) -> String {
    Uuid::new_v5(&NAMESPACE, format!("{}/{kind}/{name}", event.id).as_bytes()).to_string()
}

/// A positive 31-bit integer from a hash of the event and session ids: the same in every
/// version, independent of order. Two sessions of one event collide with odds of about n²/2³²
/// (under 1 in 10,000 at 500 sessions); the guid stays the identity that matters.
fn numeric_id(event: &Event, s: &Session) -> u32 {
    let digest = Sha256::digest(format!("{}/{}", event.id, s.id).as_bytes());
    let n = u32::from_be_bytes([digest[0], digest[1], digest[2], digest[3]]) & 0x7fff_ffff;
    n.max(1)
}

/// `H:MM` zero-padded to two hour digits, as the schema's duration pattern has it.
fn hh_mm(d: SignedDuration) -> String {
    let minutes = d.as_secs().max(0) / 60;
    format!("{:02}:{:02}", minutes / 60, minutes % 60)
}

/// The schema's acronym pattern allows no hyphen after the first character and wants at least
/// four: hyphens become underscores and a short id is padded with them.
fn acronym(event_id: &str) -> String {
    let mut a = event_id.replace('-', "_");
    while a.len() < 4 {
        a.push('_');
    }
    a
}

/// The schema's slug pattern wants a letter or digit last.
fn slug(event: &Event, s: &Session) -> String {
    format!("{}-{}", event.id, s.id)
        .trim_end_matches(['-', '_'])
        .to_owned()
}

/// Whether `name` matches the schema's `^([A-Z][a-z]+/[A-Z][a-z]+)|UTC$`.
fn c3voc_zone_name(name: &str) -> bool {
    fn word(s: &str) -> usize {
        let mut chars = s.chars();
        match chars.next() {
            Some(c) if c.is_ascii_uppercase() => {
                let rest = chars.take_while(char::is_ascii_lowercase).count();
                if rest > 0 { rest + 1 } else { 0 }
            }
            _ => 0,
        }
    }
    let area = word(name);
    let located = area > 0
        && name[area..]
            .strip_prefix('/')
            .is_some_and(|rest| word(rest) > 0);
    located || name.ends_with("UTC")
}

#[cfg(test)]
mod tests;
