//! Every key of the one table, in one place. `pk` groups what is read together; `sk` orders it.
//!
//! | item | pk | sk |
//! | --- | --- | --- |
//! | event | `EVENTS` | `EVENT#{event_id}` |
//! | programme draft | `EVENT#{event_id}` | `DRAFT` |
//! | published version N | `EVENT#{event_id}` | `PROGRAMME#V#{N:010}` |
//! | latest published version (a copy: one read serves a GET) | `EVENT#{event_id}` | `PROGRAMME#LATEST` |
//! | remote connection details | `EVENT#{event_id}` | `JOININFO` |
//! | registration | `EVENT#{event_id}` | `REG#{registration_id}` |
//! | one live registration per address (the guard) | `EVENT#{event_id}` | `EMAIL#{sha256(normalised email)}` |
//! | seats taken and the waiting-list ticket counter | `EVENT#{event_id}` | `SEATS` |
//! | waiting-list place | `EVENT#{event_id}` | `WAIT#{ticket:012}` |
//! | registrant token (hash) → registration | `TOKEN#{sha256(token)}` | `TOKEN` |
//! | personal join token (hash) → registration | `JOIN#{sha256(token)}` | `JOIN` |
//! | outbox entry (mail to send) | `OUTBOX` | `MSG#{id}` |
//! | sent-mail claim (exactly-once intent) | `SENT#{message key}` | `SENT` |
//! | mail counts of an event | `EVENT#{event_id}` | `MAILSTATS` |
//! | suppressed address (bounce, complaint) | `SUPPRESSED#{sha256(normalised email)}` | `SUPPRESSED` |
//! | one-click unsubscribe token (hash) → registration | `UNSUBSCRIBE#{sha256(token)}` | `UNSUBSCRIBE` |
//! | fan-out progress of a reminder, digest or announcement | `EVENT#{event_id}` | `FANOUT#{job}` |
//! | programme waiting for its change digest | `DIGESTS` | `{event_id}` |
//! | announcement (the job's copy) | `ANNOUNCEMENTS` | `{announcement_id}` |
//! | announcement in its event's list (summary, messages sent) | `EVENT#{event_id}` | `ANNOUNCEMENT#{announcement_id}` |
//! | rate-limit window | `RATE#{scope}` | `{window start}` |
//! | idempotency record | `IDEMPOTENCY#{sha256(key)}` | `IDEMPOTENCY` |

use super::{Key, Query};
use crate::domain::{Email, EventId, RegistrationId};
use crate::http::IdempotencyKeyHash;
use crate::mail::{JobName, MessageKey};
use crate::token::TokenHash;

/// The hash under which an address is keyed (its guard, its suppression): personal data stays
/// out of keys.
pub fn email_hash(email: &Email) -> String {
    TokenHash::of(&email.normalised()).as_str().to_owned()
}

pub const EVENTS_PK: &str = "EVENTS";
pub const EVENT_SK_PREFIX: &str = "EVENT#";

pub fn event(id: &EventId) -> Key {
    Key::new(EVENTS_PK, format!("{EVENT_SK_PREFIX}{id}"))
}

/// Every event, in id order.
pub fn events() -> Query {
    Query::prefix(EVENTS_PK, EVENT_SK_PREFIX)
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

pub fn versions(id: &EventId) -> Query {
    Query::prefix(event_pk(id), VERSION_SK_PREFIX)
}

pub fn latest(id: &EventId) -> Key {
    Key::new(event_pk(id), "PROGRAMME#LATEST")
}

pub const REG_SK_PREFIX: &str = "REG#";

pub fn registration(event: &EventId, id: &RegistrationId) -> Key {
    Key::new(event_pk(event), format!("{REG_SK_PREFIX}{id}"))
}

pub fn registrations(event: &EventId) -> Query {
    Query::prefix(event_pk(event), REG_SK_PREFIX)
}

pub fn email_guard(event: &EventId, email_hash: &str) -> Key {
    Key::new(event_pk(event), format!("EMAIL#{email_hash}"))
}

pub fn seats(event: &EventId) -> Key {
    Key::new(event_pk(event), "SEATS")
}

pub const WAIT_SK_PREFIX: &str = "WAIT#";

pub fn wait_sk(ticket: u64) -> String {
    format!("{WAIT_SK_PREFIX}{ticket:012}")
}

pub fn wait(event: &EventId, ticket: u64) -> Key {
    Key::new(event_pk(event), wait_sk(ticket))
}

pub fn waitlist(event: &EventId) -> Query {
    Query::prefix(event_pk(event), WAIT_SK_PREFIX)
}

pub fn token(hash: &str) -> Key {
    Key::new(format!("TOKEN#{hash}"), "TOKEN")
}

pub fn join_token(hash: &str) -> Key {
    Key::new(format!("JOIN#{hash}"), "JOIN")
}

pub const OUTBOX_PK: &str = "OUTBOX";
pub const OUTBOX_SK_PREFIX: &str = "MSG#";

pub fn outbox(id: &str) -> Key {
    Key::new(OUTBOX_PK, format!("{OUTBOX_SK_PREFIX}{id}"))
}

/// Every outbox entry, oldest first (ids are ULIDs).
pub fn outbox_entries() -> Query {
    Query::prefix(OUTBOX_PK, OUTBOX_SK_PREFIX)
}

pub fn sent(message_key: &MessageKey) -> Key {
    Key::new(format!("SENT#{message_key}"), "SENT")
}

pub fn rate(scope: &str, window: &str) -> Key {
    Key::new(format!("RATE#{scope}"), window)
}

pub fn idempotency(key_hash: &IdempotencyKeyHash) -> Key {
    Key::new(format!("IDEMPOTENCY#{}", key_hash.as_str()), "IDEMPOTENCY")
}

pub fn join_info(event: &EventId) -> Key {
    Key::new(event_pk(event), "JOININFO")
}

pub fn fanout(event: &EventId, job: &JobName) -> Key {
    Key::new(event_pk(event), format!("FANOUT#{job}"))
}

pub const DIGESTS_PK: &str = "DIGESTS";

pub fn digest(event: &EventId) -> Key {
    Key::new(DIGESTS_PK, event.to_string())
}

/// Every programme's digest item.
pub fn digests() -> Query {
    Query {
        pk: DIGESTS_PK.to_owned(),
        ..Query::default()
    }
}

pub const ANNOUNCEMENTS_PK: &str = "ANNOUNCEMENTS";

pub fn announcement(id: &str) -> Key {
    Key::new(ANNOUNCEMENTS_PK, id)
}

/// Every announcement.
pub fn announcements() -> Query {
    Query {
        pk: ANNOUNCEMENTS_PK.to_owned(),
        ..Query::default()
    }
}

pub const EVENT_ANNOUNCEMENT_SK_PREFIX: &str = "ANNOUNCEMENT#";

pub fn event_announcement(event: &EventId, id: &str) -> Key {
    Key::new(
        event_pk(event),
        format!("{EVENT_ANNOUNCEMENT_SK_PREFIX}{id}"),
    )
}

/// An event's announcements, newest first (ids are ULIDs).
pub fn event_announcements(event: &EventId) -> Query {
    Query {
        descending: true,
        ..Query::prefix(event_pk(event), EVENT_ANNOUNCEMENT_SK_PREFIX)
    }
}

pub fn unsubscribe(hash: &str) -> Key {
    Key::new(format!("UNSUBSCRIBE#{hash}"), "UNSUBSCRIBE")
}

pub fn mail_stats(event: &EventId) -> Key {
    Key::new(event_pk(event), "MAILSTATS")
}

pub fn suppressed(email_hash: &str) -> Key {
    Key::new(format!("SUPPRESSED#{email_hash}"), "SUPPRESSED")
}
