use std::fmt;

use serde::{Deserialize, Serialize};

/// An email address as we store and send to it: trimmed, syntax-checked (RFC 5321/5322 through the
/// `email_address` crate), at most 254 characters, no control characters, domain lower-cased.
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Email(String);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EmailError {
    #[error("must not be empty")]
    Empty,
    #[error("must be at most 254 characters")]
    TooLong,
    #[error("must not contain control characters or spaces")]
    BadCharacters,
    #[error("is not a valid email address")]
    Syntax,
}

impl Email {
    pub fn parse(raw: &str) -> Result<Self, EmailError> {
        let s = raw.trim();
        if s.is_empty() {
            return Err(EmailError::Empty);
        }
        if s.chars().count() > 254 {
            return Err(EmailError::TooLong);
        }
        if s.chars().any(|c| c.is_control() || c.is_whitespace()) {
            return Err(EmailError::BadCharacters);
        }
        // Display names and comments are valid RFC 5322 but not an address to store.
        if s.contains('<') || s.contains('>') || s.contains('(') {
            return Err(EmailError::Syntax);
        }
        let parsed: email_address::EmailAddress = s.parse().map_err(|_| EmailError::Syntax)?;
        let (local, domain) = (parsed.local_part(), parsed.domain());
        // The address must be deliverable on the public internet: a dotted domain, no IP literal.
        if !domain.contains('.') || domain.starts_with('[') || domain.ends_with('.') {
            return Err(EmailError::Syntax);
        }
        Ok(Self(format!("{local}@{}", domain.to_ascii_lowercase())))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The form used for "one registration per address": the whole address lower-cased. Local
    /// parts are case-sensitive in theory and never in practice; treating them so prevents
    /// duplicates that differ only by case.
    pub fn normalised(&self) -> String {
        self.0.to_lowercase()
    }

    /// The domain, lower-cased (what a per-domain limit counts).
    pub fn domain(&self) -> String {
        let domain = self.0.rsplit_once('@').map_or("", |(_, d)| d);
        domain.to_lowercase()
    }
}

impl TryFrom<String> for Email {
    type Error = EmailError;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        Self::parse(&s)
    }
}

impl From<Email> for String {
    fn from(e: Email) -> Self {
        e.0
    }
}

impl fmt::Display for Email {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// Addresses are personal data: `Debug` (and so logs) never shows them whole.
impl fmt::Debug for Email {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let domain = self.0.rsplit('@').next().unwrap_or_default();
        write!(f, "Email(***@{domain})")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_valid_address_is_trimmed_and_its_domain_lower_cased() {
        let e = Email::parse("  Ada.Lovelace@Example.ORG ").unwrap();
        assert_eq!(e.as_str(), "Ada.Lovelace@example.org");
        assert_eq!(e.normalised(), "ada.lovelace@example.org");
    }

    #[test]
    fn international_addresses_are_accepted() {
        assert!(Email::parse("用户@例子.广告").is_ok());
        assert!(Email::parse("josé@correo.es").is_ok());
    }

    #[test]
    fn invalid_addresses_are_refused_with_a_reason() {
        assert_eq!(Email::parse(""), Err(EmailError::Empty));
        assert_eq!(
            Email::parse("a b@example.org"),
            Err(EmailError::BadCharacters)
        );
        assert_eq!(
            Email::parse("a@example.org\r\nBcc: x@y.z"),
            Err(EmailError::BadCharacters)
        );
        assert_eq!(Email::parse("no-at-sign"), Err(EmailError::Syntax));
        assert_eq!(Email::parse("x@localhost"), Err(EmailError::Syntax));
        assert_eq!(
            Email::parse("Ada<ada@example.org>"),
            Err(EmailError::Syntax)
        );
        let long = format!("{}@example.org", "a".repeat(250));
        assert_eq!(Email::parse(&long), Err(EmailError::TooLong));
    }

    #[test]
    fn debug_output_hides_the_local_part() {
        let e = Email::parse("secret.person@example.org").unwrap();
        assert!(!format!("{e:?}").contains("secret"));
    }

    #[test]
    fn deserialising_goes_through_the_parser() {
        assert!(serde_json::from_str::<Email>("\"bad\"").is_err());
        let e: Email = serde_json::from_str("\"a@B.org\"").unwrap();
        assert_eq!(e.as_str(), "a@b.org");
    }
}
