use std::fmt;

use serde::{Deserialize, Serialize};

/// A short, URL-safe identifier chosen by people: lowercase letters, digits and hyphens, 1 to 64
/// characters, starting with a letter or digit. Event ids, session ids and speaker ids are slugs.
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Slug(String);

impl Slug {
    pub fn parse(raw: &str) -> Result<Self, String> {
        let ok_len = (1..=64).contains(&raw.len());
        let ok_chars = raw
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'_');
        let ok_start = raw
            .bytes()
            .next()
            .is_some_and(|b| b.is_ascii_lowercase() || b.is_ascii_digit());
        if ok_len && ok_chars && ok_start {
            Ok(Self(raw.to_owned()))
        } else {
            Err("must be 1 to 64 lowercase letters, digits, hyphens or underscores".to_owned())
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for Slug {
    type Error = String;
    fn try_from(s: String) -> Result<Self, String> {
        Self::parse(&s)
    }
}

impl From<Slug> for String {
    fn from(s: Slug) -> Self {
        s.0
    }
}

impl fmt::Display for Slug {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl fmt::Debug for Slug {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:?}", self.0)
    }
}

/// An event's id, as it appears in `/v1/events/{event_id}`.
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct EventId(Slug);

impl EventId {
    pub fn parse(raw: &str) -> Result<Self, String> {
        Slug::parse(raw).map(Self)
    }

    pub fn as_str(&self) -> &str {
        self.0.as_str()
    }
}

impl TryFrom<String> for EventId {
    type Error = String;
    fn try_from(s: String) -> Result<Self, String> {
        Self::parse(&s)
    }
}

impl From<EventId> for String {
    fn from(e: EventId) -> Self {
        e.0.0
    }
}

impl fmt::Display for EventId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl fmt::Debug for EventId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "EventId({:?})", self.as_str())
    }
}

/// A registration's id: a ULID as this API writes it, 26 characters of Crockford's base32 in
/// upper case (`^[0-9A-HJKMNP-TV-Z]{26}$`, the pattern the OpenAPI document gives). It is what
/// the organiser's routes name and what a page's `next_cursor` carries. Lower case, though a
/// ULID decoder would read it, is refused: the API never gives it, so it names nothing.
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct RegistrationId(String);

/// Crockford's base32 digits in upper case: no I, L, O or U.
const CROCKFORD: &[u8; 32] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";

impl RegistrationId {
    pub const LEN: usize = 26;

    pub fn parse(raw: &str) -> Result<Self, String> {
        if raw.len() == Self::LEN && raw.bytes().all(|b| CROCKFORD.contains(&b)) {
            Ok(Self(raw.to_owned()))
        } else {
            Err("must be 26 upper-case Crockford base32 characters (a ULID)".to_owned())
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// Every ULID's text is a registration id (the new ids come from here).
impl From<ulid::Ulid> for RegistrationId {
    fn from(u: ulid::Ulid) -> Self {
        Self(u.to_string())
    }
}

impl TryFrom<String> for RegistrationId {
    type Error = String;
    fn try_from(s: String) -> Result<Self, String> {
        Self::parse(&s)
    }
}

impl From<RegistrationId> for String {
    fn from(r: RegistrationId) -> Self {
        r.0
    }
}

impl fmt::Display for RegistrationId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl fmt::Debug for RegistrationId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "RegistrationId({:?})", self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs_take_lowercase_words_joined_by_hyphens() {
        assert!(EventId::parse("qos-workshop-2021").is_ok());
        for bad in ["", "Upper", "-lead", "sp ace", "slash/", &"x".repeat(65)] {
            assert!(EventId::parse(bad).is_err(), "{bad:?} accepted");
        }
    }

    #[test]
    fn registration_ids_are_upper_case_ulids() {
        let u = ulid::Ulid::from_parts(1_630_000_000_000, 42);
        let id = RegistrationId::from(u);
        assert_eq!(id.as_str(), u.to_string());
        assert_eq!(RegistrationId::parse(id.as_str()), Ok(id.clone()));
        assert!(RegistrationId::parse("01J0000000000000000000ABCZ").is_ok());
        for bad in [
            "",
            "01J000000000000000000000",
            "01J00000000000000000000000X",
            "01j0000000000000000000abcz",
            "01J000000000000000000000IL",
            "01J000000000000000000000OU",
            "01J00000000000000000000-00",
        ] {
            assert!(RegistrationId::parse(bad).is_err(), "{bad:?} accepted");
        }
    }
}
