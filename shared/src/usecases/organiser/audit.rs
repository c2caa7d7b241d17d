//! What the audit log says of an organiser's write: one entry per write route, kept with the
//! event it changes (and in the installation's log for what concerns the installation).

use jiff::Timestamp;

use super::access::Caller;
use crate::domain::{Actor, AuditEntry, AuditScope, EventId};
use crate::token::TokenSource;

/// What a write acted on, from its path parameters.
#[derive(Debug, Clone, Copy, Default)]
pub struct Target<'a> {
    pub event: Option<&'a EventId>,
    pub registration: Option<&'a str>,
    pub email: Option<&'a str>,
    pub token: Option<&'a str>,
}

impl Target<'_> {
    /// Registrations by id only; an organiser by their address (theirs is not a
    /// registrant's personal data).
    fn describe(&self) -> String {
        match (self.registration, self.email, self.token, self.event) {
            (Some(r), ..) => format!("registration {r}"),
            (_, Some(e), _, Some(_)) => format!("member {e}"),
            (_, Some(e), ..) => format!("organiser {e}"),
            (_, _, Some(t), _) => format!("token {t}"),
            (.., Some(ev)) => format!("event {ev}"),
            _ => "installation".to_owned(),
        }
    }
}

/// The entries for `action` by `caller` on `target`: with its event, or in the installation's
/// log when it has none; an event's creation or replacement is in both.
pub fn entries_for(
    caller: &Caller,
    action: &str,
    summary: &str,
    target: Target<'_>,
    now: Timestamp,
    ids: &dyn TokenSource,
) -> Vec<(AuditScope, AuditEntry)> {
    let entry = |scope: AuditScope| {
        (
            scope,
            AuditEntry {
                id: ids.new_id_at(now),
                at: now,
                actor: caller.actor.clone(),
                action: action.to_owned(),
                target: target.describe(),
                summary: summary.to_owned(),
            },
        )
    };
    match target.event {
        Some(event) if action == "putEvent" => vec![
            entry(AuditScope::Event(event.clone())),
            entry(AuditScope::Installation),
        ],
        Some(event) => vec![entry(AuditScope::Event(event.clone()))],
        None => vec![entry(AuditScope::Installation)],
    }
}

/// The installation's entry for a sign-in: the person is known only once the link is redeemed.
pub fn sign_in_entry(
    actor: Actor,
    now: Timestamp,
    ids: &dyn TokenSource,
) -> (AuditScope, AuditEntry) {
    (
        AuditScope::Installation,
        AuditEntry {
            id: ids.new_id_at(now),
            at: now,
            target: actor
                .email
                .as_ref()
                .map_or_else(|| "installation".to_owned(), |e| format!("organiser {e}")),
            actor,
            action: "openSession".to_owned(),
            summary: "Signed in with an emailed link".to_owned(),
        },
    )
}
