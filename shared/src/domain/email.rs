use std::fmt;

use serde::{Deserialize, Serialize};

/// An email address as we store and send to it: what Amazon SES can deliver. Trimmed,
/// syntax-checked (RFC 5321/5322 through the `email_address` crate), at most 254 characters, no
/// control, invisible formatting or bidi characters, no quoted local part, a local part in ASCII
/// (SES does not support SMTPUTF8) and a domain in its ASCII form: an internationalised domain
/// goes through IDNA (UTS 46: NFC, case folding, compatibility mapping, then Punycode) so that
/// one address written in NFC, NFD, fullwidth or another case is one address.
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
    #[error(
        "must not contain invisible formatting characters such as bidirectional controls \
         (U+202E and the like)"
    )]
    Invisible,
    #[error("must not have a quoted local part: mail to it cannot be delivered")]
    Quoted,
    #[error(
        "must have a local part (before the @) in plain ASCII letters, digits and \
         ! # $ % & ' * + - / = ? ^ _ ` {{ | }} ~ .: mail to other addresses cannot be delivered"
    )]
    NotAscii,
    #[error("is not a valid email address")]
    Syntax,
}

/// Format characters (general category Cf) that an address never holds and that change how it
/// displays or compares: bidi controls, zero-width characters, joiners, the word joiner and
/// invisible operators, the byte-order mark, the soft hyphen, interlinear annotation marks.
fn is_invisible(c: char) -> bool {
    super::is_bidi_control(c)
        || matches!(
            c,
            '\u{00AD}'
                | '\u{180E}'
                | '\u{200B}'..='\u{200D}'
                | '\u{2060}'..='\u{2064}'
                | '\u{206A}'..='\u{206F}'
                | '\u{FEFF}'
                | '\u{FFF9}'..='\u{FFFB}'
        )
}

impl Email {
    /// An address a person typed, for a registration, an organiser or configuration.
    pub fn parse(raw: &str) -> Result<Self, EmailError> {
        let s = raw.trim();
        if s.chars().any(is_invisible) {
            return Err(EmailError::Invisible);
        }
        // A quoted local part (`"a,b"@example.org`) is valid RFC 5322, but SES cannot send to it.
        if s.contains('"') || s.contains('\\') {
            return Err(EmailError::Quoted);
        }
        let (local, domain) = Self::checked(s)?;
        if !local.is_ascii() {
            return Err(EmailError::NotAscii);
        }
        let domain = if domain.is_ascii() {
            domain.to_ascii_lowercase()
        } else {
            idna::domain_to_ascii(&domain).map_err(|_| EmailError::Syntax)?
        };
        if !domain.contains('.') || domain.ends_with('.') {
            return Err(EmailError::Syntax);
        }
        let address = format!("{local}@{domain}");
        if address.len() > 254 {
            return Err(EmailError::TooLong);
        }
        Ok(Self(address))
    }

    /// An address read back from the store, by the rules it was stored under: addresses
    /// accepted before the SES rules above (a Unicode local part or domain) keep reading, so no
    /// stored registration becomes unreadable.
    fn stored(raw: &str) -> Result<Self, EmailError> {
        let (local, domain) = Self::checked(raw.trim())?;
        Ok(Self(format!("{local}@{}", domain.to_ascii_lowercase())))
    }

    /// The checks every address has always had: the local part and the domain as written.
    fn checked(s: &str) -> Result<(String, String), EmailError> {
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
        Ok((local.to_owned(), domain.to_owned()))
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

    /// The domain as parsing normalised it (IDNA: NFC, lower case, Punycode), so one domain
    /// written in any case or normal form is one domain to a per-domain limit.
    pub fn domain(&self) -> String {
        let domain = self.0.rsplit_once('@').map_or("", |(_, d)| d);
        domain.to_lowercase()
    }
}

impl TryFrom<String> for Email {
    type Error = EmailError;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        Self::stored(&s)
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
    fn international_domains_are_accepted_in_their_ascii_form() {
        assert_eq!(
            Email::parse("ada@例子.广告").unwrap().as_str(),
            "ada@xn--fsqu00a.xn--4rr70v"
        );
        assert_eq!(
            Email::parse("jose@correo.españa").unwrap().as_str(),
            "jose@correo.xn--espaa-rta"
        );
    }

    #[test]
    fn one_address_in_nfc_nfd_fullwidth_or_upper_case_is_one_address() {
        let nfc = Email::parse("ada@b\u{00FC}cher.example").unwrap();
        let nfd = Email::parse("ada@bu\u{0308}cher.example").unwrap();
        let upper = Email::parse("ada@B\u{00DC}CHER.EXAMPLE").unwrap();
        let fullwidth = Email::parse("ada@\u{FF42}\u{00FC}cher.example").unwrap();
        assert_eq!(nfc.as_str(), "ada@xn--bcher-kva.example");
        for e in [&nfd, &upper, &fullwidth] {
            assert_eq!(e.normalised(), nfc.normalised());
        }
    }

    #[test]
    fn a_per_domain_limit_counts_one_domain_in_nfc_nfd_or_upper_case_as_one() {
        for raw in [
            "ada@b\u{00FC}cher.example",
            "Grace@bu\u{0308}cher.example",
            "ada@B\u{00DC}CHER.EXAMPLE",
        ] {
            assert_eq!(Email::parse(raw).unwrap().domain(), "xn--bcher-kva.example");
        }
    }

    #[test]
    fn what_ses_cannot_deliver_is_refused_with_a_reason() {
        assert_eq!(Email::parse("\"a,b\"@example.org"), Err(EmailError::Quoted));
        assert_eq!(Email::parse("\"ada\"@example.org"), Err(EmailError::Quoted));
        assert_eq!(Email::parse("josé@correo.es"), Err(EmailError::NotAscii));
        assert_eq!(Email::parse("用户@例子.广告"), Err(EmailError::NotAscii));
        assert_eq!(
            Email::parse("jose\u{0301}@correo.es"),
            Err(EmailError::NotAscii)
        );
    }

    #[test]
    fn bidi_controls_and_invisible_characters_are_refused() {
        for c in [
            '\u{202E}', '\u{2066}', '\u{200F}', '\u{200B}', '\u{FEFF}', '\u{00AD}',
        ] {
            assert_eq!(
                Email::parse(&format!("ada{c}@example.org")),
                Err(EmailError::Invisible),
                "{c:?}"
            );
            assert_eq!(
                Email::parse(&format!("ada@exa{c}mple.org")),
                Err(EmailError::Invisible),
                "{c:?}"
            );
        }
    }

    #[test]
    fn an_address_stored_before_these_rules_still_reads_back() {
        let e: Email = serde_json::from_str("\"josé@Correo.ES\"").unwrap();
        assert_eq!(e.as_str(), "josé@correo.es");
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
