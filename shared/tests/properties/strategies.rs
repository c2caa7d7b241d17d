//! Generators shared by the properties: text that hits every escaping rule, plausible field values
//! (so parsers get past their first check), JSON of any shape, and valid bodies to mutate.

use jiff::Timestamp;
use plenary::domain::{APPLICATION_FIELDS, Event, Programme, is_bidi_control};
use proptest::collection::{btree_map, vec};
use proptest::prelude::*;
use proptest::sample::{Index, select};
use serde_json::{Value, json};

/// Characters that matter to some writer or parser here: line breaks and other controls, HTML,
/// iCalendar, CSV, JSON and URL specials, spreadsheet formula starters, multi-byte letters,
/// combining marks, invisible and 4-octet characters. Letters are listed often so they weigh most.
const CHARS: &[char] = &[
    'a',
    'b',
    'c',
    'd',
    'e',
    'f',
    'g',
    'h',
    'i',
    'j',
    'k',
    'l',
    'm',
    'n',
    'o',
    'p',
    'q',
    'r',
    's',
    't',
    'u',
    'v',
    'w',
    'x',
    'y',
    'z',
    'a',
    'e',
    'i',
    'o',
    'u',
    'n',
    's',
    't',
    'A',
    'B',
    'Z',
    '0',
    '1',
    '9',
    ' ',
    ' ',
    ' ',
    '\t',
    '\r',
    '\n',
    '"',
    '\'',
    '<',
    '>',
    '&',
    ';',
    ',',
    '\\',
    ':',
    '=',
    '+',
    '-',
    '@',
    '/',
    '{',
    '}',
    '%',
    '#',
    '?',
    '.',
    '[',
    ']',
    '*',
    'é',
    'ß',
    'ж',
    '李',
    '华',
    'ع',
    'ب',
    '\u{0301}',
    '\u{00A0}',
    '\u{200B}',
    '\u{200F}',
    '\u{2028}',
    '\u{FEFF}',
    '\u{1F600}',
    '\u{10348}',
    '\u{0}',
    '\u{7}',
    '\u{1B}',
    '\u{7F}',
    '\u{85}',
];

/// One character: from [`CHARS`] 15 times in 16, else any at all. Drawn from a single integer,
/// which is cheap to generate and shrinks towards `a`.
pub fn tricky_char() -> impl Strategy<Value = char> {
    any::<u32>().prop_map(|n| {
        if n % 16 != 15 {
            CHARS[(n as usize / 16) % CHARS.len()]
        } else {
            char::from_u32((n / 16) % 0x11_0000).unwrap_or('\u{FFFD}')
        }
    })
}

/// Any text up to `max` characters, drawn from [`tricky_char`].
pub fn text(max: usize) -> impl Strategy<Value = String> {
    vec(tricky_char(), 0..=max).prop_map(String::from_iter)
}

fn is_line_break_or_control(c: char) -> bool {
    c.is_control() || matches!(c, '\u{2028}' | '\u{2029}')
}

/// Text with no control characters (what a `Line` may hold), possibly blank.
pub fn line_text(max: usize) -> impl Strategy<Value = String> {
    text(max).prop_map(|s| {
        s.chars()
            .map(|c| if is_line_break_or_control(c) { ' ' } else { c })
            .collect()
    })
}

/// A `Line`'s content: [`line_text`] with a letter in it, so it is never blank.
pub fn line(max: usize) -> impl Strategy<Value = String> {
    (
        line_text(max.saturating_sub(1) / 2),
        "[a-z]",
        line_text(max.saturating_sub(1) / 2),
    )
        // A `Line` refuses bidi controls too.
        .prop_map(|(a, x, b)| {
            format!("{a}{x}{b}")
                .chars()
                .map(|c| if is_bidi_control(c) { ' ' } else { c })
                .collect()
        })
}

/// A `Paragraph`'s content: [`line_text`] plus line breaks (LF, CRLF, lone CR) and tabs.
pub fn paragraph(max: usize) -> impl Strategy<Value = String> {
    text(max).prop_map(|s| {
        s.chars()
            .map(|c| match c {
                '\n' | '\r' | '\t' => c,
                c if c.is_control() => '\n',
                c => c,
            })
            .collect()
    })
}

/// Addresses the `email_address` crate accepts: dot-atoms with a dotted domain, in any case.
pub fn email() -> impl Strategy<Value = String> {
    (
        "[a-zA-Z0-9!#$%&'*+/=?^_`{|}~-]{1,16}(\\.[a-zA-Z0-9_+-]{1,8}){0,2}",
        "[a-zA-Z0-9]([a-zA-Z0-9-]{0,8}[a-zA-Z0-9])?(\\.[a-zA-Z]{2,6}){1,2}",
    )
        .prop_map(|(local, domain)| format!("{local}@{domain}"))
}

/// An instant between 1900 and 2100, to the second.
pub fn instant() -> impl Strategy<Value = Timestamp> {
    (-2_208_988_800i64..4_102_444_800).prop_map(|s| Timestamp::from_second(s).unwrap())
}

/// An RFC 3339 instant with an offset, as clients send them.
pub fn rfc3339() -> impl Strategy<Value = String> {
    (instant(), -12i8..=14).prop_map(|(t, h)| {
        let offset = jiff::tz::Offset::from_hours(h).unwrap();
        t.display_with_offset(offset).to_string()
    })
}

/// An ISO 8601 duration as an organiser might write a reminder: mostly well-formed, sometimes
/// with months, years, signs, fractions or huge numbers.
pub fn duration() -> impl Strategy<Value = String> {
    prop_oneof![
        (0u32..60, 0u32..400, 0u32..100, 0u32..10_000).prop_map(|(w, d, h, m)| {
            let mut s = "P".to_owned();
            if w > 0 {
                s += &format!("{w}W");
            }
            if d > 0 {
                s += &format!("{d}D");
            }
            if h > 0 || m > 0 {
                s += "T";
                if h > 0 {
                    s += &format!("{h}H");
                }
                if m > 0 {
                    s += &format!("{m}M");
                }
            }
            s
        }),
        "-?[Pp]([0-9]{1,12}[YMWD]){0,3}([Tt]([0-9]{1,12}(\\.[0-9]{1,9})?[HMS]){1,3})?",
        text(16),
    ]
}

/// Strings a field of some body expects, right or nearly right, so parsers go past the type check.
pub fn plausible_string() -> impl Strategy<Value = String> {
    prop_oneof![
        email(),
        rfc3339(),
        duration(),
        select(vec![
            "Europe/Zurich",
            "America/New_York",
            "UTC",
            "Mars/Olympus",
            "CH",
            "ch",
            "PW",
            "XX",
            "en",
            "ar",
            "de",
            "member_state",
            "academia",
            "alien",
            "talk",
            "break",
            "virtual",
            "hybrid",
            "confirmed",
            "all",
            "unlisted",
            "draft",
            "Public",
            "https://meet.example/abc",
            "javascript:alert(1)",
            "2021-09-08T14:00:00",
            "speaker",
        ])
        .prop_map(str::to_owned),
        "[a-z0-9][a-z0-9_-]{0,10}",
        line(30),
        paragraph(60),
    ]
}

/// Every field name some body parser reads, so generated objects hit known fields often: the
/// parsers' own top-level lists, then the names inside nested objects and the other bodies.
fn field_names() -> Vec<&'static str> {
    let nested = [
        "reminders",
        "programme_changes",
        "opens_at",
        "closes_at",
        "name",
        "categories",
        "itu_member_states_only",
        "id",
        "affiliation",
        "bio",
        "kind",
        "track",
        "abstract",
        "role",
        "url",
        "passcode",
        "dial_in",
        "instructions",
        "release_at",
        "event_id",
        "token",
    ];
    APPLICATION_FIELDS
        .iter()
        .chain(Event::FIELDS)
        .chain(Programme::FIELDS)
        .chain(&nested)
        .copied()
        .collect()
}

fn key() -> impl Strategy<Value = String> {
    prop_oneof![
        4 => select(field_names()).prop_map(str::to_owned),
        1 => text(12),
    ]
}

fn leaf() -> impl Strategy<Value = Value> {
    prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::from),
        any::<i64>().prop_map(Value::from),
        any::<u64>().prop_map(Value::from),
        (0u64..2_000_000).prop_map(Value::from),
        any::<f64>().prop_filter_map("finite", |f| serde_json::Number::from_f64(f)
            .map(Value::Number)),
        text(40).prop_map(Value::from),
        plausible_string().prop_map(Value::from),
    ]
}

/// JSON of any shape, up to four levels deep, with keys that are often real field names.
pub fn json() -> impl Strategy<Value = Value> {
    leaf().prop_recursive(4, 64, 8, |inner| {
        prop_oneof![
            vec(inner.clone(), 0..8).prop_map(Value::Array),
            btree_map(key(), inner, 0..8).prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

/// One change to a JSON document: at the `target`-th object or array inside it, replace, remove
/// or add a member, or wrap the whole value in an array.
#[derive(Debug, Clone)]
pub enum Mutation {
    Replace(Index, Value),
    Remove(Index),
    Add(String, Value),
    Null(Index),
    Wrap,
}

pub fn mutation() -> impl Strategy<Value = (Index, Mutation)> {
    (
        any::<Index>(),
        prop_oneof![
            4 => (any::<Index>(), json()).prop_map(|(i, v)| Mutation::Replace(i, v)),
            2 => any::<Index>().prop_map(Mutation::Remove),
            2 => (key(), json()).prop_map(|(k, v)| Mutation::Add(k, v)),
            1 => any::<Index>().prop_map(Mutation::Null),
            1 => Just(Mutation::Wrap),
        ],
    )
}

/// Applies `mutations` to `body` in order.
pub fn mutate(mut body: Value, mutations: &[(Index, Mutation)]) -> Value {
    for (target, m) in mutations {
        if let Mutation::Wrap = m {
            body = Value::Array(vec![body]);
            continue;
        }
        let paths = container_paths(&body);
        let path = target.get(&paths);
        let Some(node) = body.pointer_mut(path) else {
            continue;
        };
        match (node, m) {
            (Value::Object(map), Mutation::Replace(i, v)) if !map.is_empty() => {
                let k = i.get(&map.keys().cloned().collect::<Vec<_>>()).clone();
                map.insert(k, v.clone());
            }
            (Value::Object(map), Mutation::Remove(i)) if !map.is_empty() => {
                let k = i.get(&map.keys().cloned().collect::<Vec<_>>()).clone();
                map.remove(&k);
            }
            (Value::Object(map), Mutation::Null(i)) if !map.is_empty() => {
                let k = i.get(&map.keys().cloned().collect::<Vec<_>>()).clone();
                map.insert(k, Value::Null);
            }
            (Value::Object(map), Mutation::Add(k, v)) => {
                map.insert(k.clone(), v.clone());
            }
            (Value::Array(items), Mutation::Replace(i, v)) if !items.is_empty() => {
                let n = i.index(items.len());
                items[n] = v.clone();
            }
            (Value::Array(items), Mutation::Remove(i)) if !items.is_empty() => {
                items.remove(i.index(items.len()));
            }
            (Value::Array(items), Mutation::Add(_, v)) => items.push(v.clone()),
            _ => {}
        }
    }
    body
}

/// JSON pointers to every object and array in `v`, the root (`""`) first.
fn container_paths(v: &Value) -> Vec<String> {
    fn walk(v: &Value, at: String, out: &mut Vec<String>) {
        match v {
            Value::Object(m) => {
                out.push(at.clone());
                for (k, c) in m {
                    let k = k.replace('~', "~0").replace('/', "~1");
                    walk(c, format!("{at}/{k}"), out);
                }
            }
            Value::Array(items) => {
                out.push(at.clone());
                for (i, c) in items.iter().enumerate() {
                    walk(c, format!("{at}/{i}"), out);
                }
            }
            _ => {}
        }
    }
    let mut out = Vec::new();
    walk(v, String::new(), &mut out);
    out
}

/// A valid `POST …/registrations` body with generated names, address and choices.
pub fn registration_body() -> impl Strategy<Value = Value> {
    (
        email(),
        line(100),
        line(100),
        line(200),
        select(vec!["CH", "ke", " GB ", "VA", "br"]),
        select(vec!["member_state", "academia"]),
        select(vec!["ar", "zh", "en", "fr", "ru", "es"]),
        proptest::option::of(paragraph(1_000)),
        any::<(bool, bool)>(),
    )
        .prop_map(
            |(email, given, family, org, country, category, language, needs, (r, p))| {
                let mut b = json!({
                    "email": email, "given_name": given, "family_name": family,
                    "organisation": org, "country": country, "category": category,
                    "language": language, "consent": true,
                    "notifications": {"reminders": r, "programme_changes": p},
                });
                if let Some(n) = needs {
                    b["accessibility_needs"] = Value::from(n);
                }
                b
            },
        )
}

/// A valid `PUT /v1/admin/events/{id}` body.
pub fn event_body() -> impl Strategy<Value = Value> {
    (
        line(200),
        paragraph(300),
        select(vec![
            "Europe/Zurich",
            "America/New_York",
            "Asia/Kolkata",
            "UTC",
        ]),
        instant(),
        1i64..(60 * 24 * 3600),
        vec(select(vec!["ar", "zh", "en", "fr", "ru", "es"]), 1..6),
        vec(duration(), 0..4),
    )
        .prop_map(
            |(title, description, tz, start, length, languages, reminders)| {
                let end = start + jiff::SignedDuration::from_secs(length);
                let mut languages = languages;
                languages.sort_unstable();
                languages.dedup();
                json!({
                    "title": title, "description": description, "timezone": tz,
                    "starts_at": start.to_string(), "ends_at": end.to_string(),
                    "languages": languages,
                    "contact": {"name": "TSB Events", "email": "tsbevents@itu.int"},
                    "capacity": 100, "waitlist": true,
                    "eligibility": {"categories": ["member_state", "academia"]},
                    "reminders": reminders,
                })
            },
        )
}

/// A draft programme for [`event_for_programmes`]: up to four speakers and six back-to-back
/// sessions of generated text, every reference valid.
pub fn programme_body() -> impl Strategy<Value = Value> {
    let speaker = (line(100), proptest::option::of(line(120)), paragraph(100));
    let session = (
        line(160),
        select(vec!["opening", "talk", "panel", "break", "closing"]),
        proptest::option::of(line(60)),
        paragraph(200),
        vec((any::<Index>(), line(50)), 0..3),
        1i64..180,
    );
    (vec(speaker, 1..4), vec(session, 1..6)).prop_map(|(speakers, sessions)| {
        let n = speakers.len();
        let speakers: Vec<Value> = speakers
            .into_iter()
            .enumerate()
            .map(|(i, (name, affiliation, bio))| {
                json!({"id": format!("s{i}"), "name": name, "affiliation": affiliation, "bio": bio})
            })
            .collect();
        // Back to back from the event's start, so no two sessions overlap whatever their track.
        let mut at = PROGRAMME_EVENT_START.parse::<Timestamp>().unwrap();
        let sessions: Vec<Value> = sessions
            .into_iter()
            .enumerate()
            .map(|(i, (title, kind, track, summary, who, minutes))| {
                let end = at + jiff::SignedDuration::from_mins(minutes);
                let speakers: Vec<Value> = who
                    .iter()
                    .map(|(ix, role)| json!({"id": format!("s{}", ix.index(n)), "role": role}))
                    .collect();
                let s = json!({
                    "id": format!("session-{i}"), "title": title, "kind": kind, "track": track,
                    "starts_at": at.to_string(), "ends_at": end.to_string(),
                    "abstract": summary, "speakers": speakers,
                });
                at = end;
                s
            })
            .collect();
        json!({"speakers": speakers, "sessions": sessions})
    })
}

pub const PROGRAMME_EVENT_START: &str = "2021-10-30T07:00:00Z";

/// The event [`programme_body`] fits in: three days from [`PROGRAMME_EVENT_START`], across the
/// end of summer time in Geneva.
pub fn event_for_programmes(title: &str) -> Event {
    Event::parse(
        plenary::domain::EventId::parse("prop-ws").unwrap(),
        &json!({"title": title, "timezone": "Europe/Zurich",
                "starts_at": PROGRAMME_EVENT_START, "ends_at": "2021-11-02T07:00:00Z"}),
    )
    .expect("the programmes' event parses")
}
