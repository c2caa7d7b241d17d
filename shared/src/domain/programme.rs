//! The programme: a draft the organiser edits freely, and immutable published versions, each with
//! the changes from the one before and, per session, how many versions changed it (the ICS
//! SEQUENCE that lets calendars update an imported session).

use std::collections::{BTreeMap, BTreeSet};

use jiff::Timestamp;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::codes::closed_list;
use super::event::instant;
use super::fields::parse;
use super::material::{MAX_MATERIALS, Material, UrlPolicy};
use super::{Event, FieldErrors, Fields, Line, Paragraph, Slug};

/// A large conference's programme (the store keeps documents deflated, in parts when one item
/// cannot hold them).
pub const MAX_SESSIONS: usize = 1_000;
/// A programme's document as JSON: 1,000 sessions with 110-word abstracts and 600 speakers
/// with 45-word bios take 1.3 MB. Deflated it goes into the store's parts (`store/codec.rs`).
pub const MAX_PROGRAMME_BYTES: usize = 1_500_000;
pub const MAX_SPEAKERS: usize = 1_000;

closed_list! {
    pub enum SessionKind {
        Opening => "opening",
        Keynote => "keynote",
        Talk => "talk",
        Panel => "panel",
        Break => "break",
        Meeting => "meeting",
        Closing => "closing",
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Speaker {
    pub id: Slug,
    pub name: Line<100>,
    pub affiliation: Option<Line<200>>,
    pub bio: Paragraph<5_000>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SessionSpeaker {
    pub id: Slug,
    /// As the organiser names it: speaker, moderator, panelist, chair…
    pub role: Line<50>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Session {
    pub id: Slug,
    pub title: Line<200>,
    pub kind: SessionKind,
    /// The track or room; sessions in the same one may not overlap.
    pub track: Option<Line<100>>,
    pub starts_at: Timestamp,
    pub ends_at: Timestamp,
    #[serde(rename = "abstract")]
    pub summary: Paragraph<10_000>,
    pub speakers: Vec<SessionSpeaker>,
    /// Slides, documents, recordings and links, in the organiser's order. Absent from stored
    /// versions that have none, so their documents stay as they were.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub materials: Vec<Material>,
}

impl Speaker {
    const FIELDS: &'static [&'static str] = &["id", "name", "affiliation", "bio"];

    /// One item of the draft's `speakers`.
    fn read(s: &mut Fields<'_>) -> Option<Self> {
        let id = s.required("id", parse::with(Slug::parse));
        let name = s.required("name", parse::with(Line::<100>::parse));
        let affiliation = s.optional("affiliation", parse::with(Line::<200>::parse));
        let bio = s
            .optional("bio", parse::with(Paragraph::<5_000>::parse))
            .unwrap_or_default();
        Some(Self {
            id: id?,
            name: name?,
            affiliation,
            bio,
        })
    }
}

impl SessionSpeaker {
    const FIELDS: &'static [&'static str] = &["id", "role"];
    const MAX: usize = 50;

    /// One item of a session's `speakers`; the role is "speaker" unless named.
    fn read(sp: &mut Fields<'_>) -> Option<Self> {
        let id = sp.required("id", parse::with(Slug::parse));
        let role = sp
            .optional("role", parse::with(Line::<50>::parse))
            .or_else(|| Line::parse("speaker").ok());
        Some(Self {
            id: id?,
            role: role?,
        })
    }
}

impl Session {
    const FIELDS: &'static [&'static str] = &[
        "id",
        "title",
        "kind",
        "track",
        "starts_at",
        "ends_at",
        "abstract",
        "speakers",
        "materials",
    ];

    /// One item of the draft's `sessions`, checked against `event`'s times.
    fn read(s: &mut Fields<'_>, event: &Event, urls: UrlPolicy) -> Option<Self> {
        let id = s.required("id", parse::with(Slug::parse));
        let title = s.required("title", parse::with(Line::<200>::parse));
        let kind = s.required("kind", parse::with(SessionKind::parse));
        let track = s.optional("track", parse::with(Line::<100>::parse));
        let starts_at = s.required("starts_at", instant);
        let ends_at = s.required("ends_at", instant);
        let summary = s
            .optional("abstract", parse::with(Paragraph::<10_000>::parse))
            .unwrap_or_default();
        let speakers = s
            .list_of_objects(
                "speakers",
                SessionSpeaker::FIELDS,
                SessionSpeaker::MAX,
                SessionSpeaker::read,
            )
            .unwrap_or_default();
        let materials = s
            .list_of_objects("materials", Material::FIELDS, MAX_MATERIALS, |m| {
                Material::read(m, urls)
            })
            .unwrap_or_default();
        check_session_times(s, event, starts_at, ends_at);
        Some(Self {
            id: id?,
            title: title?,
            kind: kind?,
            track,
            starts_at: starts_at?,
            ends_at: ends_at?,
            summary,
            speakers,
            materials,
        })
    }

    /// Where and when, the part of a session whose change is a "move".
    fn place(&self) -> (Timestamp, Timestamp, Option<&str>) {
        (
            self.starts_at,
            self.ends_at,
            self.track.as_ref().map(Line::as_str),
        )
    }
}

/// A session ends after it starts and lies within its event.
fn check_session_times(
    s: &mut Fields<'_>,
    event: &Event,
    starts_at: Option<Timestamp>,
    ends_at: Option<Timestamp>,
) {
    if let (Some(st), Some(en)) = (starts_at, ends_at) {
        if en <= st {
            s.error("ends_at", "must be after starts_at");
        } else if st < event.starts_at || en > event.ends_at {
            s.error(
                "starts_at",
                "the session must lie within the event's start and end",
            );
        }
    }
}

/// The programme fits its item: at most [`MAX_PROGRAMME_BYTES`] as JSON.
fn check_size(f: &mut Fields<'_>, programme: &Programme) {
    let size = serde_json::to_vec(programme).map_or(0, |v| v.len());
    if size > MAX_PROGRAMME_BYTES {
        f.error(
            "sessions",
            format!(
                "the programme is {size} bytes; at most {MAX_PROGRAMME_BYTES} fit (shorten abstracts or bios)"
            ),
        );
    }
}

/// The content of a programme: what the organiser edits and what a version freezes.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Programme {
    pub speakers: Vec<Speaker>,
    /// In start order.
    pub sessions: Vec<Session>,
}

impl Programme {
    pub const FIELDS: &'static [&'static str] = &["speakers", "sessions"];

    /// [`parse_with`](Self::parse_with) taking https addresses only, as a deployment does.
    pub fn parse(event: &Event, body: &Value) -> Result<Self, FieldErrors> {
        Self::parse_with(event, body, UrlPolicy::HttpsOnly)
    }

    /// Parses the organiser's draft and checks it against `event`, listing every problem:
    /// sessions outside the event, end not after start, overlaps in one track, unknown speakers,
    /// duplicate ids (of sessions, speakers, and materials within a session); materials'
    /// addresses as `urls` allows.
    pub fn parse_with(event: &Event, body: &Value, urls: UrlPolicy) -> Result<Self, FieldErrors> {
        let mut f = Fields::of(body, Self::FIELDS);
        let speakers = f
            .list_of_objects("speakers", Speaker::FIELDS, MAX_SPEAKERS, Speaker::read)
            .unwrap_or_default();
        let sessions = f
            .list_of_objects("sessions", Session::FIELDS, MAX_SESSIONS, |s| {
                Session::read(s, event, urls)
            })
            .unwrap_or_default();

        if f.is_clean() {
            check_references(&mut f, &speakers, &sessions);
        }
        let mut programme = Self { speakers, sessions };
        check_size(&mut f, &programme);
        programme.sort_sessions();
        f.finish(Some(programme))
    }

    /// Start order: by start, then end, then id.
    fn sort_sessions(&mut self) {
        self.sessions
            .sort_by(|a, b| (a.starts_at, a.ends_at, &a.id).cmp(&(b.starts_at, b.ends_at, &b.id)));
    }

    pub fn session(&self, id: &Slug) -> Option<&Session> {
        self.sessions.iter().find(|s| &s.id == id)
    }

    pub fn speaker(&self, id: &Slug) -> Option<&Speaker> {
        self.speakers.iter().find(|s| &s.id == id)
    }
}

/// The checks that span the lists, made once each item parsed.
fn check_references(f: &mut Fields<'_>, speakers: &[Speaker], sessions: &[Session]) {
    let mut speaker_ids = BTreeSet::new();
    for (i, s) in speakers.iter().enumerate() {
        if !speaker_ids.insert(&s.id) {
            f.error(
                &format!("speakers[{i}].id"),
                format!("{} is used twice", s.id),
            );
        }
    }
    let mut session_ids = BTreeSet::new();
    for (i, s) in sessions.iter().enumerate() {
        if !session_ids.insert(&s.id) {
            f.error(
                &format!("sessions[{i}].id"),
                format!("{} is used twice", s.id),
            );
        }
        for (j, sp) in s.speakers.iter().enumerate() {
            if !speaker_ids.contains(&sp.id) {
                f.error(
                    &format!("sessions[{i}].speakers[{j}].id"),
                    format!("{} is not in speakers", sp.id),
                );
            }
        }
        let mut material_ids = BTreeSet::new();
        for (j, m) in s.materials.iter().enumerate() {
            if !material_ids.insert(&m.id) {
                f.error(
                    &format!("sessions[{i}].materials[{j}].id"),
                    format!("{} is used twice in this session", m.id),
                );
            }
        }
    }
    // Overlaps within one track (no track is one room too).
    let mut by_track: BTreeMap<Option<&str>, Vec<(usize, &Session)>> = BTreeMap::new();
    for (i, s) in sessions.iter().enumerate() {
        by_track
            .entry(s.track.as_ref().map(Line::as_str))
            .or_default()
            .push((i, s));
    }
    for list in by_track.values_mut() {
        list.sort_by_key(|(_, s)| (s.starts_at, s.ends_at));
        for pair in list.windows(2) {
            let ((_, a), (j, b)) = (pair[0], pair[1]);
            if b.starts_at < a.ends_at {
                f.error(
                    &format!("sessions[{j}].starts_at"),
                    format!("overlaps {} in the same track", a.id),
                );
            }
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum ChangeKind {
    Added,
    Removed,
    /// Its time or track changed.
    Moved,
    /// Something else changed (title, kind, abstract, speakers).
    Updated,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Change {
    pub change: ChangeKind,
    pub session_id: Slug,
    pub title: String,
    pub before: Option<Session>,
    pub after: Option<Session>,
}

impl Change {
    /// The materials the session has now and did not have before: a new id, or a new address
    /// under an old one (every material of an added session).
    pub fn new_materials(&self) -> Vec<&Material> {
        let Some(after) = &self.after else {
            return Vec::new();
        };
        let before = self.before.as_ref().map_or(&[][..], |b| &b.materials[..]);
        after
            .materials
            .iter()
            .filter(|m| !before.iter().any(|o| o.id == m.id && o.url == m.url))
            .collect()
    }
}

/// What changed from `old` to `new`, sessions in the new programme's order, removals last.
pub fn changes(old: &Programme, new: &Programme) -> Vec<Change> {
    let mut out = Vec::new();
    for s in &new.sessions {
        match old.session(&s.id) {
            None => out.push(Change {
                change: ChangeKind::Added,
                session_id: s.id.clone(),
                title: s.title.to_string(),
                before: None,
                after: Some(s.clone()),
            }),
            Some(o) if o != s => out.push(Change {
                change: if o.place() != s.place() {
                    ChangeKind::Moved
                } else {
                    ChangeKind::Updated
                },
                session_id: s.id.clone(),
                title: s.title.to_string(),
                before: Some(o.clone()),
                after: Some(s.clone()),
            }),
            Some(_) => {}
        }
    }
    for o in &old.sessions {
        if new.session(&o.id).is_none() {
            out.push(Change {
                change: ChangeKind::Removed,
                session_id: o.id.clone(),
                title: o.title.to_string(),
                before: Some(o.clone()),
                after: None,
            });
        }
    }
    // A speaker's new name or bio changes every session they speak in.
    for s in &new.sessions {
        if out.iter().any(|c| c.session_id == s.id) {
            continue;
        }
        let speaker_changed = s
            .speakers
            .iter()
            .any(|sp| old.speaker(&sp.id) != new.speaker(&sp.id));
        if speaker_changed {
            out.push(Change {
                change: ChangeKind::Updated,
                session_id: s.id.clone(),
                title: s.title.to_string(),
                before: old.session(&s.id).cloned(),
                after: Some(s.clone()),
            });
        }
    }
    out
}

/// One published version: frozen content, its changes from the previous version, and the ICS
/// SEQUENCE of each session.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Publication {
    pub version: u32,
    pub published_at: Timestamp,
    pub programme: Programme,
    /// From the previous version; computed when publishing, not stored (any two versions can
    /// be compared again), which keeps a version's item well inside DynamoDB's 400 KB.
    #[serde(skip_serializing, default)]
    pub changes: Vec<Change>,
    /// Per session: how many published versions changed it after it first appeared.
    pub sequences: BTreeMap<Slug, u32>,
    pub summary: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum PublishRefusal {
    #[error("the draft is the same as the published version")]
    Unchanged,
}

impl Publication {
    /// The version that follows `previous` with `draft` as its content.
    pub fn next(
        previous: Option<&Publication>,
        draft: Programme,
        now: Timestamp,
    ) -> Result<Self, PublishRefusal> {
        let empty = Programme::default();
        let old = previous.map_or(&empty, |p| &p.programme);
        if previous.is_some() && *old == draft {
            return Err(PublishRefusal::Unchanged);
        }
        let changes = changes(old, &draft);
        let mut sequences = BTreeMap::new();
        for s in &draft.sessions {
            let before = previous.and_then(|p| p.sequences.get(&s.id).copied());
            let changed = changes.iter().any(|c| {
                c.session_id == s.id && matches!(c.change, ChangeKind::Moved | ChangeKind::Updated)
            });
            let seq = match before {
                Some(n) if changed => n + 1,
                Some(n) => n,
                None => 0,
            };
            sequences.insert(s.id.clone(), seq);
        }
        let version = previous.map_or(1, |p| p.version + 1);
        let summary = summarise(&changes, version);
        Ok(Self {
            version,
            published_at: now,
            programme: draft,
            changes,
            sequences,
            summary,
        })
    }
}

fn summarise(changes: &[Change], version: u32) -> String {
    if version == 1 {
        return format!("First publication: {} sessions", changes.len());
    }
    let count = |k: ChangeKind| changes.iter().filter(|c| c.change == k).count();
    let parts: Vec<String> = [
        (ChangeKind::Added, "added"),
        (ChangeKind::Removed, "removed"),
        (ChangeKind::Moved, "moved"),
        (ChangeKind::Updated, "updated"),
    ]
    .into_iter()
    .filter_map(|(k, word)| {
        let n = count(k);
        (n > 0).then(|| format!("{n} {word}"))
    })
    .collect();
    let summary = if parts.is_empty() {
        "Speaker details changed".to_owned()
    } else {
        format!("Sessions {}", parts.join(", "))
    };
    match new_materials_named(changes) {
        Some(named) => format!("{summary}; new materials: {named}"),
        None => summary,
    }
}

/// How many materials a version's summary names before it counts the rest.
const NAMED_MATERIALS: usize = 5;

/// "Slides (Opening), Recording (Keynote) and 3 more", or None when no material is new.
fn new_materials_named(changes: &[Change]) -> Option<String> {
    let all: Vec<String> = changes
        .iter()
        .flat_map(|c| {
            c.new_materials()
                .into_iter()
                .map(move |m| format!("{} ({})", m.title, c.title))
        })
        .collect();
    if all.is_empty() {
        return None;
    }
    let mut named = all
        .iter()
        .take(NAMED_MATERIALS)
        .cloned()
        .collect::<Vec<_>>()
        .join(", ");
    if all.len() > NAMED_MATERIALS {
        named.push_str(&format!(" and {} more", all.len() - NAMED_MATERIALS));
    }
    Some(named)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::EventId;
    use serde_json::json;

    fn event() -> Event {
        Event::parse(
            EventId::parse("ws").unwrap(),
            &json!({"title": "W", "timezone": "Europe/Zurich",
                    "starts_at": "2021-09-08T14:00:00+02:00", "ends_at": "2021-09-09T16:30:00+02:00"}),
        )
        .unwrap()
    }

    fn session(id: &str, start: &str, end: &str) -> Value {
        json!({"id": id, "title": format!("Session {id}"), "kind": "talk", "track": "Plenary",
               "starts_at": start, "ends_at": end, "speakers": [{"id": "tba", "role": "speaker"}]})
    }

    fn draft(sessions: Vec<Value>) -> Value {
        json!({"speakers": [{"id": "tba", "name": "To be announced"}], "sessions": sessions})
    }

    fn parsed(sessions: Vec<Value>) -> Programme {
        Programme::parse(&event(), &draft(sessions)).unwrap()
    }

    #[test]
    fn a_good_draft_parses_with_sessions_in_start_order() {
        let p = parsed(vec![
            session(
                "b",
                "2021-09-09T14:00:00+02:00",
                "2021-09-09T15:00:00+02:00",
            ),
            session(
                "a",
                "2021-09-08T14:00:00+02:00",
                "2021-09-08T15:00:00+02:00",
            ),
        ]);
        let ids: Vec<_> = p.sessions.iter().map(|s| s.id.as_str()).collect();
        assert_eq!(ids, ["a", "b"]);
    }

    #[test]
    fn every_problem_of_a_draft_is_listed() {
        let mut body = draft(vec![
            session(
                "a",
                "2021-09-08T14:00:00+02:00",
                "2021-09-08T15:00:00+02:00",
            ),
            // overlaps a in the same track
            session(
                "b",
                "2021-09-08T14:30:00+02:00",
                "2021-09-08T15:30:00+02:00",
            ),
            // a duplicate id
            session(
                "a",
                "2021-09-09T14:00:00+02:00",
                "2021-09-09T14:30:00+02:00",
            ),
            // outside the event
            session(
                "c",
                "2021-09-10T14:00:00+02:00",
                "2021-09-10T15:00:00+02:00",
            ),
            // ends before it starts
            session(
                "d",
                "2021-09-09T15:00:00+02:00",
                "2021-09-09T14:45:00+02:00",
            ),
        ]);
        body["sessions"][0]["speakers"] = json!([{"id": "nobody"}]);
        let errs = Programme::parse(&event(), &body).unwrap_err();
        let fields: Vec<_> = errs.0.iter().map(|e| e.field.as_str()).collect();
        assert!(fields.contains(&"sessions[3].starts_at"), "{fields:?}");
        assert!(fields.contains(&"sessions[4].ends_at"), "{fields:?}");
        // Cross-item checks run once every item parses; fix those two and they show.
        body["sessions"].as_array_mut().unwrap().truncate(3);
        let errs = Programme::parse(&event(), &body).unwrap_err();
        let fields: Vec<_> = errs.0.iter().map(|e| e.field.as_str()).collect();
        assert!(fields.contains(&"sessions[2].id"), "{fields:?}");
        assert!(fields.contains(&"sessions[0].speakers[0].id"), "{fields:?}");
        assert!(fields.contains(&"sessions[1].starts_at"), "{fields:?}");
    }

    #[test]
    fn sessions_in_different_tracks_may_run_at_once() {
        let mut b = session(
            "b",
            "2021-09-08T14:00:00+02:00",
            "2021-09-08T15:00:00+02:00",
        );
        b["track"] = json!("Room 2");
        parsed(vec![
            session(
                "a",
                "2021-09-08T14:00:00+02:00",
                "2021-09-08T15:00:00+02:00",
            ),
            b,
        ]);
    }

    #[test]
    fn changes_name_added_removed_moved_and_updated_sessions() {
        let v1 = parsed(vec![
            session(
                "a",
                "2021-09-08T14:00:00+02:00",
                "2021-09-08T15:00:00+02:00",
            ),
            session(
                "b",
                "2021-09-08T15:00:00+02:00",
                "2021-09-08T16:00:00+02:00",
            ),
            session(
                "c",
                "2021-09-09T14:00:00+02:00",
                "2021-09-09T15:00:00+02:00",
            ),
        ]);
        let mut c = session(
            "c",
            "2021-09-09T14:00:00+02:00",
            "2021-09-09T15:00:00+02:00",
        );
        c["title"] = json!("Renamed");
        let v2 = parsed(vec![
            session(
                "a",
                "2021-09-08T14:30:00+02:00",
                "2021-09-08T15:00:00+02:00",
            ),
            c,
            session(
                "d",
                "2021-09-09T15:00:00+02:00",
                "2021-09-09T16:00:00+02:00",
            ),
        ]);
        let got: Vec<_> = changes(&v1, &v2)
            .into_iter()
            .map(|c| (c.session_id.to_string(), c.change))
            .collect();
        assert_eq!(
            got,
            [
                ("a".into(), ChangeKind::Moved),
                ("c".into(), ChangeKind::Updated),
                ("d".into(), ChangeKind::Added),
                ("b".into(), ChangeKind::Removed),
            ]
        );
    }

    #[test]
    fn a_version_that_only_adds_materials_is_a_new_version_naming_them() {
        let now: Timestamp = "2021-08-01T00:00:00Z".parse().unwrap();
        let a = || {
            session(
                "a",
                "2021-09-08T14:00:00+02:00",
                "2021-09-08T15:00:00+02:00",
            )
        };
        let v1 = Publication::next(None, parsed(vec![a()]), now).unwrap();
        let mut with = a();
        with["materials"] = json!([
            {"id": "slides", "title": "Slides", "kind": "slides",
             "url": "https://example.org/a.pdf", "language": "en"},
            {"id": "rec", "title": "Recording", "kind": "recording", "url": "https://example.org/rec"},
        ]);
        let v2 = Publication::next(Some(&v1), parsed(vec![with.clone()]), now).unwrap();
        assert_eq!(v2.version, 2);
        assert_eq!(v2.changes.len(), 1);
        assert_eq!(v2.changes[0].change, ChangeKind::Updated);
        let titles: Vec<_> = v2.changes[0]
            .new_materials()
            .iter()
            .map(|m| m.title.to_string())
            .collect();
        assert_eq!(titles, ["Slides", "Recording"]);
        assert_eq!(
            v2.summary,
            "Sessions 1 updated; new materials: Slides (Session a), Recording (Session a)"
        );
        // Retitling a material is a change, but names no new material.
        with["materials"][0]["title"] = json!("Slides, revised");
        let v3 = Publication::next(Some(&v2), parsed(vec![with]), now).unwrap();
        assert!(v3.changes[0].new_materials().is_empty());
        assert_eq!(v3.summary, "Sessions 1 updated");
    }

    #[test]
    fn materials_are_at_most_twenty_with_ids_unique_in_their_session() {
        let mut s = session(
            "a",
            "2021-09-08T14:00:00+02:00",
            "2021-09-08T15:00:00+02:00",
        );
        let m = |id: &str| json!({"id": id, "title": "T", "kind": "link", "url": "https://e.org"});
        s["materials"] = json!((0..21).map(|i| m(&format!("m{i}"))).collect::<Vec<_>>());
        let errs = Programme::parse(&event(), &draft(vec![s.clone()])).unwrap_err();
        assert_eq!(errs.0[0].field, "sessions[0].materials");
        s["materials"] = json!([m("x"), m("x")]);
        let errs = Programme::parse(&event(), &draft(vec![s.clone()])).unwrap_err();
        assert_eq!(errs.0[0].field, "sessions[0].materials[1].id");
        s["materials"] = json!([m("x"), {"id": "y", "title": "T", "kind": "slides", "url": "http://e.org/a.pdf"}]);
        let errs = Programme::parse(&event(), &draft(vec![s.clone()])).unwrap_err();
        assert_eq!(errs.0[0].field, "sessions[0].materials[1].url");
        let p = Programme::parse_with(&event(), &draft(vec![s]), UrlPolicy::HttpAllowed).unwrap();
        assert_eq!(p.sessions[0].materials.len(), 2);
    }

    #[test]
    fn a_sessions_sequence_counts_the_versions_that_changed_it() {
        let now: Timestamp = "2021-08-01T00:00:00Z".parse().unwrap();
        let a = |start: &str, end: &str| session("a", start, end);
        let v1 = Publication::next(
            None,
            parsed(vec![
                a("2021-09-08T14:00:00+02:00", "2021-09-08T15:00:00+02:00"),
                session(
                    "b",
                    "2021-09-09T14:00:00+02:00",
                    "2021-09-09T15:00:00+02:00",
                ),
            ]),
            now,
        )
        .unwrap();
        assert_eq!(v1.version, 1);
        assert_eq!(v1.sequences.values().copied().collect::<Vec<_>>(), [0, 0]);
        let moved = parsed(vec![
            a("2021-09-08T15:00:00+02:00", "2021-09-08T16:00:00+02:00"),
            session(
                "b",
                "2021-09-09T14:00:00+02:00",
                "2021-09-09T15:00:00+02:00",
            ),
        ]);
        let v2 = Publication::next(Some(&v1), moved.clone(), now).unwrap();
        assert_eq!(v2.version, 2);
        assert_eq!(v2.sequences[&Slug::parse("a").unwrap()], 1);
        assert_eq!(v2.sequences[&Slug::parse("b").unwrap()], 0);
        assert_eq!(
            Publication::next(Some(&v2), moved, now),
            Err(PublishRefusal::Unchanged)
        );
    }
}
