//! Calendar renderers: pure functions from an event and its published programme to the formats
//! other tools import.
//!
//! - [`ics`]: RFC 5545 iCalendar, for calendar apps (the public programme, a registrant's
//!   personal calendar, and a digest of what a new version changed).
//! - [`schedule`]: the frab / c3voc `schedule.json` that conference tools exchange.

pub mod ics;
pub mod schedule;

#[cfg(test)]
mod fixtures;

pub use ics::{
    JoinDetails, Organizer, changes_ics, changes_ics_at, programme_ics, registrant_ics,
    registrant_ics_at,
};
pub use schedule::schedule_json;

/// The site's base URL without a trailing slash, so paths join with exactly one.
fn base(site_url: &str) -> &str {
    site_url.trim_end_matches('/')
}
