//! The names mail is sent under, in one place. Each message is claimed under its deterministic
//! [`MessageKey`] before it goes (the claim is what stops a second send), and each fan-out saves
//! its progress under its [`JobName`]. Both are stored: a changed string would send the same
//! mail again, so every one is built here and nowhere else.
//!
//! | what | job name | message key |
//! | --- | --- | --- |
//! | transactional notice (to a registrant, or an organiser's sign-in link) | — | `notice:{notice_id}` |
//! | reminder at an offset | `reminder#{offset}` | `reminder:{event_id}:{offset}:{registration_id}` |
//! | programme-change digest of version N | `digest#{N}` | `digest:{event_id}:{N}:{registration_id}` |
//! | announcement | `announcement#{announcement_id}` | `announcement:{announcement_id}:{registration_id}` |

use std::fmt;

use serde::Serialize;

use crate::domain::{EventId, RegistrationId};

/// The key one message is claimed under before it is sent.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
#[serde(transparent)]
pub struct MessageKey(String);

impl MessageKey {
    /// The email of a transactional outbox notice.
    pub fn notice(notice_id: &str) -> Self {
        Self(format!("notice:{notice_id}"))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for MessageKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// The name a fan-out's checkpoint is saved under (per event).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct JobName(String);

impl JobName {
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for JobName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// One fan-out of optional mail: its job name, and the prefix of each recipient's message key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FanoutKeys {
    job: JobName,
    prefix: String,
}

impl FanoutKeys {
    /// The reminder at `offset` (ISO 8601, as the event states it) before `event` starts.
    pub fn reminder(event: &EventId, offset: &str) -> Self {
        Self {
            job: JobName(format!("reminder#{offset}")),
            prefix: format!("reminder:{event}:{offset}"),
        }
    }

    /// The digest of the changes up to published `version` of `event`'s programme.
    pub fn digest(event: &EventId, version: u32) -> Self {
        Self {
            job: JobName(format!("digest#{version}")),
            prefix: format!("digest:{event}:{version}"),
        }
    }

    /// The organiser's announcement `announcement_id`.
    pub fn announcement(announcement_id: &str) -> Self {
        Self {
            job: JobName(format!("announcement#{announcement_id}")),
            prefix: format!("announcement:{announcement_id}"),
        }
    }

    pub fn job(&self) -> &JobName {
        &self.job
    }

    /// The key of the message to `registration`.
    pub fn message(&self, registration: &RegistrationId) -> MessageKey {
        MessageKey(format!("{}:{registration}", self.prefix))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// These strings are stored (claims, checkpoints): they must never change.
    #[test]
    fn every_key_is_the_string_already_stored() {
        let event = EventId::parse("ws").unwrap();
        let r = RegistrationId::parse("01J00000000000000000000000").unwrap();
        assert_eq!(
            MessageKey::notice("01J0NOTICE0000000000000000").as_str(),
            "notice:01J0NOTICE0000000000000000"
        );
        let reminder = FanoutKeys::reminder(&event, "P1D");
        assert_eq!(reminder.job().as_str(), "reminder#P1D");
        assert_eq!(
            reminder.message(&r).as_str(),
            "reminder:ws:P1D:01J00000000000000000000000"
        );
        let digest = FanoutKeys::digest(&event, 3);
        assert_eq!(digest.job().as_str(), "digest#3");
        assert_eq!(
            digest.message(&r).as_str(),
            "digest:ws:3:01J00000000000000000000000"
        );
        let a = FanoutKeys::announcement("01J0ANNOUNCE00000000000000");
        assert_eq!(a.job().as_str(), "announcement#01J0ANNOUNCE00000000000000");
        assert_eq!(
            a.message(&r).as_str(),
            "announcement:01J0ANNOUNCE00000000000000:01J00000000000000000000000"
        );
        assert_eq!(
            serde_json::to_value(a.message(&r)).unwrap(),
            "announcement:01J0ANNOUNCE00000000000000:01J00000000000000000000000"
        );
    }
}
