//! Every key of the one table, in one place. `pk` groups what is read together; `sk` orders it.
//!
//! | item | pk | sk |
//! | --- | --- | --- |
//! | event | `EVENTS` | `EVENT#{event_id}` |
//! | programme draft | `EVENT#{event_id}` | `DRAFT` |
//! | published version N | `EVENT#{event_id}` | `PROGRAMME#V#{N:010}` |
//! | latest published version (a copy: one read serves a GET) | `EVENT#{event_id}` | `PROGRAMME#LATEST` |

use super::Key;
use crate::domain::EventId;

pub const EVENTS_PK: &str = "EVENTS";
pub const EVENT_SK_PREFIX: &str = "EVENT#";

pub fn event(id: &EventId) -> Key {
    Key::new(EVENTS_PK, format!("{EVENT_SK_PREFIX}{id}"))
}

fn event_pk(id: &EventId) -> String {
    format!("EVENT#{id}")
}

pub fn draft(id: &EventId) -> Key {
    Key::new(event_pk(id), "DRAFT")
}

pub const VERSION_SK_PREFIX: &str = "PROGRAMME#V#";

pub fn version(id: &EventId, n: u32) -> Key {
    Key::new(event_pk(id), format!("{VERSION_SK_PREFIX}{n:010}"))
}

pub fn versions(id: &EventId) -> super::Query {
    super::Query::prefix(event_pk(id), VERSION_SK_PREFIX)
}

pub fn latest(id: &EventId) -> Key {
    Key::new(event_pk(id), "PROGRAMME#LATEST")
}
