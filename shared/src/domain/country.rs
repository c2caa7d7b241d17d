//! Countries: ISO 3166-1 alpha-2 codes, and which are ITU Member States. Both lists are data
//! files in `shared/data/`, with their sources named there.

use std::collections::BTreeSet;
use std::fmt;
use std::sync::LazyLock;

use serde::{Deserialize, Serialize};

const ISO_3166: &str = include_str!("../../data/iso3166-1-alpha2.tsv");
const ITU_MEMBERS: &str = include_str!("../../data/itu-member-states.txt");

fn data_lines(text: &str) -> impl Iterator<Item = &str> {
    text.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
}

static CODES: LazyLock<BTreeSet<&'static str>> = LazyLock::new(|| {
    data_lines(ISO_3166)
        .filter_map(|l| l.split('\t').next())
        .collect()
});

static MEMBERS: LazyLock<BTreeSet<&'static str>> =
    LazyLock::new(|| data_lines(ITU_MEMBERS).collect());

#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct CountryCode([u8; 2]);

impl CountryCode {
    /// An assigned ISO 3166-1 alpha-2 code, upper case (`ch`, ` CH ` are accepted as `CH`).
    pub fn parse(raw: &str) -> Result<Self, String> {
        let up = raw.trim().to_ascii_uppercase();
        if CODES.contains(up.as_str()) {
            let b = up.as_bytes();
            Ok(Self([b[0], b[1]]))
        } else {
            Err("must be an ISO 3166-1 alpha-2 country code, e.g. CH".to_owned())
        }
    }

    pub fn as_str(&self) -> &str {
        // Built only from the ASCII codes of the data file.
        std::str::from_utf8(&self.0).unwrap_or("??")
    }

    pub fn is_itu_member_state(&self) -> bool {
        MEMBERS.contains(self.as_str())
    }
}

impl TryFrom<String> for CountryCode {
    type Error = String;
    fn try_from(s: String) -> Result<Self, String> {
        Self::parse(&s)
    }
}

impl From<CountryCode> for String {
    fn from(c: CountryCode) -> Self {
        c.as_str().to_owned()
    }
}

impl fmt::Display for CountryCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl fmt::Debug for CountryCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "CountryCode({})", self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_data_files_hold_249_codes_and_193_member_states() {
        assert_eq!(CODES.len(), 249);
        assert_eq!(MEMBERS.len(), 193);
        assert!(MEMBERS.iter().all(|m| CODES.contains(m)));
    }

    #[test]
    fn codes_parse_in_any_case_and_unknown_ones_are_refused() {
        assert_eq!(CountryCode::parse(" ch ").unwrap().as_str(), "CH");
        assert!(CountryCode::parse("XX").is_err());
        assert!(CountryCode::parse("CHE").is_err());
    }

    #[test]
    fn membership_follows_itu_not_the_un() {
        let m = |c: &str| CountryCode::parse(c).unwrap().is_itu_member_state();
        assert!(m("CH") && m("KE") && m("VA"));
        assert!(!m("PW"), "Palau is a UN member but not an ITU Member State");
        assert!(!m("TW") && !m("PR") && !m("AQ"));
    }
}
