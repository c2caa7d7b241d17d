use std::fmt;

use serde::{Deserialize, Serialize};

/// One line of human text (a title, a name): non-empty after trimming, at most `MAX` characters
/// of any script, no control characters or line breaks, since such text ends up in email headers.
#[derive(Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Line<const MAX: usize = 200>(String);

impl<const MAX: usize> Line<MAX> {
    pub fn parse(raw: &str) -> Result<Self, String> {
        let s = raw.trim();
        if s.is_empty() {
            return Err("must not be empty".to_owned());
        }
        if s.chars().count() > MAX {
            return Err(format!("must be at most {MAX} characters"));
        }
        if s.chars()
            .any(|c| c.is_control() || c == '\u{2028}' || c == '\u{2029}')
        {
            return Err("must not contain line breaks or control characters".to_owned());
        }
        Ok(Self(s.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl<const MAX: usize> TryFrom<String> for Line<MAX> {
    type Error = String;
    fn try_from(s: String) -> Result<Self, String> {
        Self::parse(&s)
    }
}

impl<const MAX: usize> From<Line<MAX>> for String {
    fn from(l: Line<MAX>) -> Self {
        l.0
    }
}

impl<const MAX: usize> fmt::Display for Line<MAX> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl<const MAX: usize> fmt::Debug for Line<MAX> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:?}", self.0)
    }
}

/// Free text that may span lines (a description, an abstract): at most `MAX` characters, no
/// control characters other than line breaks and tabs. May be empty.
#[derive(Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Paragraph<const MAX: usize = 10_000>(String);

impl<const MAX: usize> Paragraph<MAX> {
    pub fn parse(raw: &str) -> Result<Self, String> {
        let s = raw.trim();
        if s.chars().count() > MAX {
            return Err(format!("must be at most {MAX} characters"));
        }
        if s.chars()
            .any(|c| c.is_control() && c != '\n' && c != '\r' && c != '\t')
        {
            return Err("must not contain control characters".to_owned());
        }
        Ok(Self(s.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl<const MAX: usize> TryFrom<String> for Paragraph<MAX> {
    type Error = String;
    fn try_from(s: String) -> Result<Self, String> {
        Self::parse(&s)
    }
}

impl<const MAX: usize> From<Paragraph<MAX>> for String {
    fn from(p: Paragraph<MAX>) -> Self {
        p.0
    }
}

impl<const MAX: usize> fmt::Debug for Paragraph<MAX> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Paragraph({} chars)", self.0.chars().count())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_line_takes_any_script_but_no_line_breaks() {
        assert!(Line::<100>::parse("محمد").is_ok());
        assert!(Line::<100>::parse("李").is_ok());
        assert!(Line::<100>::parse("Ada\nBcc: x").is_err());
        assert!(Line::<100>::parse("   ").is_err());
        assert!(Line::<3>::parse("abcd").is_err());
        assert_eq!(Line::<100>::parse("  Ada ").unwrap().as_str(), "Ada");
    }

    #[test]
    fn a_paragraph_keeps_line_breaks_but_refuses_other_controls() {
        assert!(Paragraph::<100>::parse("one\ntwo").is_ok());
        assert!(Paragraph::<100>::parse("bell\u{7}").is_err());
    }
}
