//! The audit log: who did what to which event (or to the installation), and when.

use jiff::Timestamp;
use serde::{Deserialize, Serialize};

use super::{Actor, EventId};

/// Where an entry is kept: with its event, or in the installation's log (organisers, tokens,
/// sign-ins, events created).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AuditScope {
    Event(EventId),
    Installation,
}

/// One organiser write. Names registrations by id only, never a registrant's personal data.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AuditEntry {
    /// A ULID: entries sort by it, newest last.
    pub id: String,
    pub at: Timestamp,
    pub actor: Actor,
    /// The operation, e.g. `publish`, `putMember`.
    pub action: String,
    /// What it acted on, e.g. `event qos-workshop-2021`, `registration 01J…`.
    pub target: String,
    pub summary: String,
}

/// How long entries are kept: two years, long enough to answer for one edition of an event
/// at the next.
pub const AUDIT_RETENTION: jiff::SignedDuration = jiff::SignedDuration::from_hours(2 * 366 * 24);
