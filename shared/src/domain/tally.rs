//! What a registration counts towards: the organiser's counts (stats, announcement audiences)
//! kept as counters that change in the same transaction as the registration, derived in one
//! place ([`delta`]) from its state before and after.
//!
//! Counters live in three places. [`Place::Main`] holds what does not depend on the time of
//! reading. [`Place::Made`] counts registrations by the UTC quarter-hour they were made (every
//! zone's offset is a multiple of 15 minutes, so the days in any zone add up from them, and a
//! change of the event's zone changes nothing stored). [`Place::Open`] holds what unconfirmed
//! registrations count, by the second their confirmation window closes: a registration lapses
//! with no write (and the table's TTL later deletes it with none), so which of them still count
//! is decided on reading, from the second.

use std::collections::BTreeMap;

use jiff::Timestamp;

use super::{Answer, Audience, Event, QuestionKind, Registration, Status};

/// The counter of everyone of `status` (unconfirmed ones: lapsed or not).
pub fn status_counter(status: Status) -> String {
    format!("status#{}", status.code())
}

/// Whom an announcement to `audience` reaches.
pub fn reach_counter(audience: Audience) -> String {
    format!("reach#{}", audience.code())
}

pub const ATTENDED: &str = "attended";
/// Registration requests for an address already held, each queueing its holder's link again.
pub const ASKED_AGAIN: &str = "asked_again";
pub const ABSENT: &str = "absent";
/// In an open bucket: the unconfirmed registrations whose window closes at that second.
pub const OPEN: &str = "n";
/// Joins what one unconfirmed registration counts into one counter of its open bucket.
const OPEN_JOIN: &str = "|";
pub const CATEGORY: &str = "category#";
pub const COUNTRY: &str = "country#";
pub const LANGUAGE: &str = "language#";
pub const PARTICIPATION: &str = "participation#";
/// `answer#{question}#{option or true/false}`.
pub const ANSWER: &str = "answer#";

/// Where a counter is kept.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Place {
    Main,
    /// Registrations made in a UTC month (`year * 12 + month - 1`), by quarter-hour.
    Made(i64),
    /// Unconfirmed registrations whose window closes in this minute (epoch minutes), by second.
    Open(i64),
}

/// One counter: a place and a name within it.
pub type Counter = (Place, String);

/// Counter deltas by place, then name.
pub type Deltas = BTreeMap<Place, BTreeMap<String, i64>>;

/// How many copies of each counter item there are. A registration's counters are always in the
/// copy of its id ([`shard`]) and reads add the copies up, so concurrent changes to different
/// registrations seldom meet on one item (transactions touching one item at once conflict and
/// retry: one item would serialise an opening rush).
pub const SHARDS: u32 = 16;

/// The copy of the counter items a registration's counters are kept in.
pub fn shard(id: &super::RegistrationId) -> u32 {
    shard_of(id.as_str())
}

/// The copy a request about an address (not a registration) is counted in: its guard's hash.
pub fn address_shard(email_hash: &str) -> u32 {
    shard_of(email_hash)
}

/// The copy of an event's waiting-mail count a notice is counted in, by its id.
pub fn mail_shard(notice_id: &str) -> u32 {
    shard_of(notice_id)
}

fn shard_of(key: &str) -> u32 {
    // FNV-1a: stable across builds and platforms, unlike the standard hasher.
    let mut h: u32 = 0x811c_9dc5;
    for b in key.bytes() {
        h ^= u32::from(b);
        h = h.wrapping_mul(0x0100_0193);
    }
    h % SHARDS
}

/// The quarter-hour (epoch seconds / 900) `t` falls in.
pub fn quarter(t: Timestamp) -> i64 {
    t.as_second().div_euclid(900)
}

/// The UTC month of quarter-hour `q`, as [`Place::Made`] numbers it.
pub fn month_of(q: i64) -> i64 {
    let date = Timestamp::from_second(q * 900)
        .unwrap_or(Timestamp::UNIX_EPOCH)
        .to_zoned(jiff::tz::TimeZone::UTC)
        .date();
    i64::from(date.year()) * 12 + i64::from(date.month()) - 1
}

/// The whole second at which an unconfirmed registration with window `confirm_by` lapses
/// (windows are whole seconds since they were; earlier ones round up).
pub fn lapse_second(confirm_by: Timestamp) -> i64 {
    let s = confirm_by.as_second();
    if confirm_by.subsec_nanosecond() > 0 {
        s + 1
    } else {
        s
    }
}

/// Whether answers to `question` are counted: yes/no and choice questions, current or removed.
pub fn counted(event: &Event, question: &str) -> bool {
    event.asked().question(question).is_some_and(|q| {
        matches!(
            q.kind,
            QuestionKind::Boolean | QuestionKind::Choice | QuestionKind::Choices
        )
    })
}

/// Every counter `r` adds one to, for `event`'s form.
pub fn counters(event: &Event, r: &Registration) -> Vec<Counter> {
    let mut out = Vec::new();
    let q = quarter(r.created_at);
    out.push((Place::Made(month_of(q)), format!("q{q}")));
    out.push((Place::Main, status_counter(r.status)));
    let open = match (r.status, r.confirm_by) {
        (Status::PendingConfirmation, Some(t)) => Some(lapse_second(t)),
        _ => None,
    };
    if r.status.is_live() {
        let mut dims = Vec::new();
        let mut dim = |name: String| dims.push(name);
        if open.is_some() {
            dim(OPEN.to_owned());
        }
        dim(format!("{CATEGORY}{}", r.category.code()));
        dim(format!("{COUNTRY}{}", r.country));
        dim(format!("{LANGUAGE}{}", r.language.code()));
        if let Some(p) = r.participation {
            dim(format!("{PARTICIPATION}{}", p.code()));
        }
        let given = r.person.as_ref().map(|p| p.answers.iter());
        for (id, a) in given.into_iter().flatten() {
            if !counted(event, id) {
                continue;
            }
            match a {
                Answer::Flag(b) => dim(format!("{ANSWER}{id}#{b}")),
                Answer::One(o) => dim(format!("{ANSWER}{id}#{o}")),
                Answer::Many(list) => {
                    for o in list {
                        dim(format!("{ANSWER}{id}#{o}"));
                    }
                }
            }
        }
        // What a live registration counts for: an unconfirmed one only while its window is
        // open, so it is kept by the second that window closes, all of it in one counter
        // (names joined by `|`, which no code or slug holds): one addition per registration
        // keeps the item's write as small as the confirmed counters'.
        match open {
            Some(s) => out.push((
                Place::Open(s.div_euclid(60)),
                format!("{:02}#{}", s.rem_euclid(60), dims.join(OPEN_JOIN)),
            )),
            None => out.extend(dims.into_iter().map(|d| (Place::Main, d))),
        }
    }
    if r.status == Status::Confirmed {
        let attended = match r.join_use.attended() {
            true => ATTENDED,
            false => ABSENT,
        };
        out.push((Place::Main, attended.to_owned()));
    }
    for audience in Audience::ALL {
        if audience.reaches(r) {
            out.push((Place::Main, reach_counter(*audience)));
        }
    }
    out
}

/// What the counters change by when `before` (none: a new registration) becomes `after`; only
/// counters that move.
pub fn delta(event: &Event, before: Option<&Registration>, after: &Registration) -> Deltas {
    let mut d = Deltas::new();
    for (place, name) in counters(event, after) {
        *d.entry(place).or_default().entry(name).or_default() += 1;
    }
    for (place, name) in before.map(|b| counters(event, b)).unwrap_or_default() {
        *d.entry(place).or_default().entry(name).or_default() -= 1;
    }
    for counts in d.values_mut() {
        counts.retain(|_, n| *n != 0);
    }
    d.retain(|_, counts| !counts.is_empty());
    d
}

/// Adds `more` into `into`.
pub fn merge(into: &mut Deltas, more: Deltas) {
    for (place, counts) in more {
        let to = into.entry(place).or_default();
        for (name, n) in counts {
            *to.entry(name).or_default() += n;
        }
    }
    for counts in into.values_mut() {
        counts.retain(|_, n| *n != 0);
    }
    into.retain(|_, counts| !counts.is_empty());
}

/// An event's counters as read.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Tally {
    /// Whether the counters are complete: kept since the event began, or recounted once.
    pub counted: bool,
    /// Per copy, raised by every change to it, so a recount can tell none came in meanwhile.
    pub seq: BTreeMap<u32, u64>,
    pub main: BTreeMap<String, i64>,
    /// Registrations made, by quarter-hour.
    pub made: BTreeMap<i64, i64>,
    /// What unconfirmed registrations count, by the second their window closes (at least the
    /// ones still open when read).
    pub open: BTreeMap<i64, BTreeMap<String, i64>>,
}

impl Tally {
    /// The counters `registrations` add up to (a recount).
    pub fn of<'a>(
        event: &Event,
        registrations: impl IntoIterator<Item = &'a Registration>,
    ) -> Self {
        let mut d = Deltas::new();
        for r in registrations {
            merge(&mut d, delta(event, None, r));
        }
        Self::from_deltas(d)
    }

    /// The counters that stored `places` hold (each copy of a place added in).
    pub fn from_deltas(places: impl IntoIterator<Item = (Place, BTreeMap<String, i64>)>) -> Self {
        let mut t = Self::default();
        for (place, counts) in places {
            match place {
                Place::Main => {
                    for (name, n) in counts {
                        *t.main.entry(name).or_default() += n;
                    }
                }
                Place::Made(_) => {
                    for (name, n) in counts {
                        if let Some(q) = name.strip_prefix('q').and_then(|q| q.parse().ok()) {
                            *t.made.entry(q).or_default() += n;
                        }
                    }
                }
                Place::Open(minute) => {
                    for (name, n) in counts {
                        let Some((s, counter)) = name.split_once('#') else {
                            continue;
                        };
                        let Ok(s) = s.parse::<i64>() else { continue };
                        let at = t.open.entry(minute * 60 + s).or_default();
                        for part in counter.split(OPEN_JOIN) {
                            *at.entry(part.to_owned()).or_default() += n;
                        }
                    }
                }
            }
        }
        t
    }

    /// The places these counters are kept in (the inverse of [`from_deltas`](Self::from_deltas)).
    pub fn places(&self) -> Deltas {
        let mut d = Deltas::new();
        d.insert(Place::Main, self.main.clone());
        for (q, n) in &self.made {
            d.entry(Place::Made(month_of(*q)))
                .or_default()
                .insert(format!("q{q}"), *n);
        }
        for (s, counts) in &self.open {
            let to = d.entry(Place::Open(s.div_euclid(60))).or_default();
            for (name, n) in counts {
                to.insert(format!("{:02}#{name}", s.rem_euclid(60)), *n);
            }
        }
        d
    }

    pub fn get(&self, name: &str) -> u64 {
        self.main.get(name).copied().unwrap_or(0).max(0) as u64
    }

    /// What the unconfirmed registrations whose window is still open at `now` count.
    pub fn open_at(&self, now: Timestamp) -> BTreeMap<String, u64> {
        let mut out = BTreeMap::new();
        for (_, counts) in self.open.range(now.as_second() + 1..) {
            for (name, n) in counts {
                *out.entry(name.clone()).or_default() += *n;
            }
        }
        out.into_iter()
            .map(|(k, v): (String, i64)| (k, v.max(0) as u64))
            .collect()
    }

    /// The live registrations' counters whose names begin with `prefix` at `now` (confirmed,
    /// waiting or awaiting approval, and unconfirmed ones still in their window), by the rest
    /// of the name.
    pub fn live(&self, prefix: &str, open: &BTreeMap<String, u64>) -> BTreeMap<String, u64> {
        let mut out: BTreeMap<String, u64> = BTreeMap::new();
        let main = self.main.iter().map(|(k, v)| (k, (*v).max(0) as u64));
        for (name, n) in main.chain(open.iter().map(|(k, v)| (k, *v))) {
            if let Some(rest) = name.strip_prefix(prefix) {
                *out.entry(rest.to_owned()).or_default() += n;
            }
        }
        // A counter that came back to zero is not one there was.
        out.retain(|_, n| *n > 0);
        out
    }
}
