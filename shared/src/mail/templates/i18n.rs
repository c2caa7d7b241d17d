//! Translations as data: one JSON file per language under `i18n/`. The messages are plain text
//! with `{name}` placeholders; escaping happens where they are printed, never in the data.

use std::collections::BTreeMap;

use jiff::Span;
use serde::Deserialize;

use crate::domain::Language;

/// The raw translations file of a language, embedded at compile time.
pub(super) fn source(language: Language) -> &'static str {
    match language {
        Language::Ar => include_str!("i18n/ar.json"),
        Language::Zh => include_str!("i18n/zh.json"),
        Language::En => include_str!("i18n/en.json"),
        Language::Fr => include_str!("i18n/fr.json"),
        Language::Ru => include_str!("i18n/ru.json"),
        Language::Es => include_str!("i18n/es.json"),
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct Translations {
    pub plural: PluralRule,
    /// In the form used inside a date (genitive in Russian).
    pub months: [String; 12],
    /// Monday first.
    pub weekdays: [String; 7],
    /// Placeholders: weekday, day, month, year, hh (zero-padded hour), h, mm.
    pub datetime: String,
    pub lead: LeadWords,
    pub units: Units,
    /// Every user-visible sentence of the templates, by message id.
    pub messages: BTreeMap<String, String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct LeadWords {
    /// "in {duration}".
    pub within: String,
    /// Said instead of "in 1 day".
    pub tomorrow: String,
    pub separator: String,
    /// Joins the last two parts of a duration.
    pub and: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct Units {
    pub week: Forms,
    pub day: Forms,
    pub hour: Forms,
    pub minute: Forms,
}

/// A counted phrase in each CLDR plural category the language needs; `{n}` is the count.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct Forms {
    pub zero: Option<String>,
    pub one: Option<String>,
    pub two: Option<String>,
    pub few: Option<String>,
    pub many: Option<String>,
    pub other: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Category {
    Zero,
    One,
    Two,
    Few,
    Many,
    Other,
}

/// The CLDR cardinal rules for whole numbers, named after a language that uses each; a new
/// language picks one of these in its file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub(super) enum PluralRule {
    /// one: n = 1; other.
    English,
    /// one: n = 0 or 1; other.
    French,
    /// other only.
    Chinese,
    /// one: n%10 = 1, n%100 ≠ 11; few: n%10 in 2..4, n%100 not in 12..14; many: the rest.
    Russian,
    /// zero, one, two; few: n%100 in 3..10; many: n%100 in 11..99; other.
    Arabic,
}

impl PluralRule {
    pub fn category(self, n: u64) -> Category {
        match self {
            Self::English if n == 1 => Category::One,
            Self::French if n <= 1 => Category::One,
            Self::English | Self::French | Self::Chinese => Category::Other,
            Self::Russian => match (n % 10, n % 100) {
                (1, h) if h != 11 => Category::One,
                (2..=4, h) if !(12..=14).contains(&h) => Category::Few,
                _ => Category::Many,
            },
            Self::Arabic => match (n, n % 100) {
                (0, _) => Category::Zero,
                (1, _) => Category::One,
                (2, _) => Category::Two,
                (_, 3..=10) => Category::Few,
                (_, 11..=99) => Category::Many,
                _ => Category::Other,
            },
        }
    }

    /// The categories whole numbers can fall in, so each needs a form.
    pub fn categories(self) -> &'static [Category] {
        match self {
            Self::English | Self::French => &[Category::One, Category::Other],
            Self::Chinese => &[Category::Other],
            Self::Russian => &[Category::One, Category::Few, Category::Many],
            Self::Arabic => &[
                Category::Zero,
                Category::One,
                Category::Two,
                Category::Few,
                Category::Many,
                Category::Other,
            ],
        }
    }
}

impl Forms {
    pub fn get(&self, c: Category) -> Option<&str> {
        match c {
            Category::Zero => self.zero.as_deref(),
            Category::One => self.one.as_deref(),
            Category::Two => self.two.as_deref(),
            Category::Few => self.few.as_deref(),
            Category::Many => self.many.as_deref(),
            Category::Other => self.other.as_deref(),
        }
    }
}

impl Translations {
    /// Parses and checks a translations file: every plural category the rule needs has a form.
    pub fn parse(raw: &str) -> Result<Self, String> {
        let t: Self = serde_json::from_str(raw).map_err(|e| e.to_string())?;
        for (unit, forms) in [
            ("week", &t.units.week),
            ("day", &t.units.day),
            ("hour", &t.units.hour),
            ("minute", &t.units.minute),
        ] {
            for &c in t.plural.categories() {
                if forms.get(c).is_none() {
                    return Err(format!("units.{unit} has no {c:?} form"));
                }
            }
        }
        Ok(t)
    }

    pub fn message(&self, id: &str) -> Result<&str, String> {
        self.messages
            .get(id)
            .map(String::as_str)
            .ok_or_else(|| format!("no message {id:?}"))
    }

    fn counted(&self, forms: &Forms, n: u64) -> Result<String, String> {
        let form = forms
            .get(self.plural.category(n))
            .ok_or_else(|| format!("no plural form for {n}"))?;
        let n = n.to_string();
        fill(form, |k| (k == "n").then(|| n.clone()))
    }

    /// "15 minutes", in the language's plural form.
    pub fn minutes(&self, n: u64) -> Result<String, String> {
        self.counted(&self.units.minute, n)
    }

    /// "in 7 days", "tomorrow", "in 1 hour and 30 minutes" for an ISO 8601 reminder offset.
    /// Minutes and hours carry into hours and days; weeks are said only when written as weeks.
    pub fn lead(&self, offset: &str) -> Result<String, String> {
        let span: Span = offset
            .parse()
            .map_err(|e| format!("{offset:?} is not an ISO 8601 duration: {e}"))?;
        if span.get_years() != 0 || span.get_months() != 0 {
            return Err(format!("{offset:?} uses months or years"));
        }
        if span.is_negative() || span.is_zero() {
            return Err(format!("{offset:?} is not a positive duration"));
        }
        let weeks = u64::from(span.get_weeks().unsigned_abs());
        // Seconds and smaller are below what a reminder promises; they round down.
        let minutes = i64::from(span.get_days()) * 1440
            + i64::from(span.get_hours()) * 60
            + span.get_minutes()
            + span.get_seconds() / 60;
        let minutes = minutes.unsigned_abs();
        let (days, hours, minutes) = (minutes / 1440, minutes % 1440 / 60, minutes % 60);
        if (weeks, days, hours, minutes) == (0, 1, 0, 0) {
            return Ok(self.lead.tomorrow.clone());
        }
        let mut parts = Vec::new();
        for (n, forms) in [
            (weeks, &self.units.week),
            (days, &self.units.day),
            (hours, &self.units.hour),
            (minutes, &self.units.minute),
        ] {
            if n > 0 {
                parts.push(self.counted(forms, n)?);
            }
        }
        let duration = match parts.split_last() {
            Some((last, [])) => last.clone(),
            Some((last, init)) => {
                format!("{}{}{last}", init.join(&self.lead.separator), self.lead.and)
            }
            // Under a minute: nothing worth saying but the minute.
            None => self.counted(&self.units.minute, 1)?,
        };
        fill(&self.lead.within, |k| {
            (k == "duration").then(|| duration.clone())
        })
    }
}

/// Replaces each `{name}` in `pattern` with `value(name)`; a placeholder without a value is an
/// error, so a typo in a translation cannot go out as a literal `{titel}`.
pub(super) fn fill(
    pattern: &str,
    value: impl Fn(&str) -> Option<String>,
) -> Result<String, String> {
    let mut out = String::with_capacity(pattern.len() + 32);
    let mut rest = pattern;
    while let Some(open) = rest.find('{') {
        out.push_str(&rest[..open]);
        let after = &rest[open + 1..];
        let close = after
            .find('}')
            .ok_or_else(|| format!("unclosed placeholder in {pattern:?}"))?;
        let name = &after[..close];
        let v = value(name).ok_or_else(|| format!("no value for {{{name}}} in {pattern:?}"))?;
        out.push_str(&v);
        rest = &after[close + 1..];
    }
    out.push_str(rest);
    Ok(out)
}
