use std::fmt;

use serde::{Deserialize, Serialize};

/// One line of human text (a title, a name): non-empty after trimming, at most `MAX` characters
/// of any script, no control characters or line breaks, since such text ends up in email headers,
/// and no bidirectional controls, which could make it display as something else (see
/// [`is_bidi_control`]).
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
        if s.chars().any(is_bidi_control) {
            return Err(
                "must not contain bidirectional control characters (U+202A to U+202E, U+2066 to \
                 U+2069, U+200E, U+200F, U+061C)"
                    .to_owned(),
            );
        }
        Ok(Self(s.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// Unicode's `Bidi_Control` characters: embeddings, overrides, isolates and marks. Typed text
/// never needs them (our pages and mail isolate each value themselves), and U+202E and friends
/// make a name or an address in a list or a mail display as other text.
pub fn is_bidi_control(c: char) -> bool {
    matches!(
        c,
        '\u{061C}' | '\u{200E}' | '\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}'
    )
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
    fn a_line_refuses_bidirectional_controls_with_a_reason() {
        for c in [
            '\u{202E}', '\u{202A}', '\u{2066}', '\u{2069}', '\u{200F}', '\u{061C}',
        ] {
            let m = Line::<100>::parse(&format!("Ada{c}ecalevol")).unwrap_err();
            assert!(m.contains("bidirectional"), "{c:?}: {m}");
        }
        // Letters of right-to-left scripts need no control: they stay welcome.
        assert!(Line::<100>::parse("محمد بن موسى").is_ok());
        // Joiners are letters' business in Persian and emoji, not bidi controls.
        assert!(Line::<100>::parse("می\u{200C}خواهم").is_ok());
    }

    #[test]
    fn a_paragraph_keeps_line_breaks_but_refuses_other_controls() {
        assert!(Paragraph::<100>::parse("one\ntwo").is_ok());
        assert!(Paragraph::<100>::parse("bell\u{7}").is_err());
    }
}
