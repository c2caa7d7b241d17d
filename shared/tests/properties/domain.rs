//! The domain parsers: on any input a value or an error, never a panic; a value is what the rules
//! say, parses again to itself (normalisation is idempotent) and survives serde.

use plenary::domain::{
    Category, CountryCode, Email, EventId, Language, Line, Paragraph, ReminderOffset, SessionKind,
    Slug, Status, Visibility, Zone,
};
use proptest::prelude::*;
use proptest::sample::select;

use crate::strategies::{duration, email, instant, line, paragraph, text};

/// A string of any kind: mostly tricky text, sometimes near-miss values.
fn anything() -> impl Strategy<Value = String> {
    prop_oneof![
        3 => text(80),
        1 => crate::strategies::plausible_string(),
        1 => any::<String>(),
    ]
}

fn serde_round_trip<T>(x: &T) -> T
where
    T: serde::Serialize + serde::de::DeserializeOwned,
{
    serde_json::from_value(serde_json::to_value(x).unwrap()).unwrap()
}

fn is_line_break_or_control(c: char) -> bool {
    c.is_control() || matches!(c, '\u{2028}' | '\u{2029}') || plenary::domain::is_bidi_control(c)
}

proptest! {
    #[test]
    fn a_line_is_the_trimmed_text_when_it_has_no_control_and_fits(s in anything()) {
        let t = s.trim();
        let expected_ok = !t.is_empty() && t.chars().count() <= 20 && !t.chars().any(is_line_break_or_control);
        match Line::<20>::parse(&s) {
            Ok(l) => {
                prop_assert!(expected_ok);
                prop_assert_eq!(l.as_str(), t);
                prop_assert_eq!(Line::<20>::parse(l.as_str()), Ok(l.clone()));
                prop_assert_eq!(serde_round_trip(&l), l);
            }
            Err(m) => {
                prop_assert!(!expected_ok, "{:?} refused: {}", s, m);
            }
        }
    }

    #[test]
    fn a_generated_line_is_accepted_as_itself_trimmed(s in line(200)) {
        let l = Line::<200>::parse(&s).unwrap();
        prop_assert_eq!(l.as_str(), s.trim());
    }

    #[test]
    fn a_paragraph_keeps_line_breaks_and_tabs_and_refuses_other_controls(s in anything()) {
        let t = s.trim();
        let expected_ok = t.chars().count() <= 50
            && !t.chars().any(|c| c.is_control() && !matches!(c, '\n' | '\r' | '\t'));
        match Paragraph::<50>::parse(&s) {
            Ok(p) => {
                prop_assert!(expected_ok);
                prop_assert_eq!(p.as_str(), t);
                let again = Paragraph::<50>::parse(p.as_str()).unwrap();
                prop_assert_eq!(again.as_str(), t);
                let back = serde_round_trip(&p);
                prop_assert_eq!(back.as_str(), t);
            }
            Err(_) => prop_assert!(!expected_ok, "{:?} refused", s),
        }
    }

    #[test]
    fn a_generated_paragraph_is_accepted(s in paragraph(500)) {
        let p = Paragraph::<10_000>::parse(&s).unwrap();
        prop_assert_eq!(p.as_str(), s.trim());
    }

    #[test]
    fn an_email_is_refused_or_parses_again_to_itself(s in prop_oneof![anything(), email()]) {
        if let Ok(e) = Email::parse(&s) {
            let a = e.as_str();
            prop_assert!(a.chars().count() <= 254);
            prop_assert!(!a.chars().any(|c| c.is_control() || c.is_whitespace()));
            let (_, domain) = a.rsplit_once('@').unwrap();
            prop_assert!(domain.contains('.'));
            prop_assert_eq!(domain, domain.to_ascii_lowercase());
            prop_assert_eq!(Email::parse(a), Ok(e.clone()));
            prop_assert_eq!(serde_round_trip(&e), e.clone());
            // Debug output (and so a log) shows the domain only: addresses are personal data.
            prop_assert_eq!(format!("{e:?}"), format!("Email(***@{domain})"));
        }
    }

    #[test]
    fn a_plain_address_is_accepted_with_its_domain_lower_cased(s in email()) {
        let e = Email::parse(&format!("  {s}\t")).unwrap();
        let (local, domain) = s.rsplit_once('@').unwrap();
        prop_assert_eq!(e.as_str(), format!("{local}@{}", domain.to_ascii_lowercase()));
    }

    #[test]
    fn addresses_that_differ_only_in_case_are_one_registrant(s in email()) {
        let upper = Email::parse(&s.to_ascii_uppercase()).unwrap();
        let lower = Email::parse(&s.to_ascii_lowercase()).unwrap();
        prop_assert_eq!(upper.normalised(), lower.normalised());
        prop_assert_eq!(lower.normalised(), lower.normalised().to_lowercase());
    }

    #[test]
    fn a_slug_is_exactly_the_lowercase_word_rule(s in prop_oneof![anything(), "[a-z0-9_-]{0,70}"]) {
        let b = s.as_bytes();
        let expected_ok = (1..=64).contains(&b.len())
            && (b[0].is_ascii_lowercase() || b[0].is_ascii_digit())
            && b.iter().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || *c == b'-' || *c == b'_');
        match Slug::parse(&s) {
            Ok(slug) => {
                prop_assert!(expected_ok);
                prop_assert_eq!(slug.as_str(), s.as_str());
                prop_assert_eq!(serde_round_trip(&slug), slug);
                let id = EventId::parse(&s).unwrap();
                prop_assert_eq!(id.to_string(), s);
            }
            Err(_) => {
                prop_assert!(!expected_ok);
                prop_assert!(EventId::parse(&s).is_err());
            }
        }
    }

    #[test]
    fn a_country_code_is_two_capitals_in_any_case_or_spacing(s in prop_oneof![anything(), "[a-zA-Z ]{1,4}"]) {
        if let Ok(c) = CountryCode::parse(&s) {
            let code = c.as_str();
            prop_assert!(code.len() == 2 && code.bytes().all(|b| b.is_ascii_uppercase()));
            prop_assert_eq!(code, s.trim().to_ascii_uppercase());
            prop_assert_eq!(CountryCode::parse(&code.to_ascii_lowercase()), Ok(c));
            prop_assert_eq!(serde_round_trip(&c), c);
        }
    }

    #[test]
    fn the_closed_lists_parse_their_own_codes_and_nothing_else(s in anything()) {
        if let Ok(l) = Language::parse(&s) {
            prop_assert_eq!(l.code(), s.as_str());
        }
        if let Ok(st) = Status::parse(&s) {
            prop_assert_eq!(st.code(), s.as_str());
        }
        if let Ok(c) = Category::parse(&s) {
            prop_assert_eq!(c.code(), s.as_str());
        }
        if let Ok(k) = SessionKind::parse(&s) {
            prop_assert_eq!(k.code(), s.as_str());
        }
        if let Ok(v) = Visibility::parse(&s) {
            prop_assert_eq!(v.code(), s.as_str());
        }
    }

    #[test]
    fn a_zone_is_an_iana_name_that_parses_again_to_itself(
        s in prop_oneof![anything(), select(zone_names()), "[A-Za-z_]{1,12}/[A-Za-z_+-]{1,14}"],
    ) {
        if let Ok(z) = Zone::parse(&s) {
            prop_assert_eq!(z.name(), s.as_str());
            prop_assert!(s.contains('/') || s == "UTC");
            prop_assert_eq!(Zone::parse(z.name()), Ok(z.clone()));
            prop_assert_eq!(serde_round_trip(&z), z);
        }
    }

    #[test]
    fn every_bundled_iana_zone_is_accepted(name in select(zone_names())) {
        prop_assert!(Zone::parse(&name).is_ok(), "{} refused", name);
    }

    #[test]
    fn a_reminder_offset_is_a_positive_duration_that_falls_before_the_start(
        s in prop_oneof![duration(), anything()],
        start in instant(),
        zone in select(zone_names()),
    ) {
        if let Ok(r) = ReminderOffset::parse(&s) {
            prop_assert_eq!(r.as_str(), s.as_str());
            prop_assert!(r.span().is_positive());
            prop_assert_eq!(r.span().get_years(), 0);
            prop_assert_eq!(r.span().get_months(), 0);
            prop_assert_eq!(ReminderOffset::parse(r.as_str()), Ok(r.clone()));
            let zone = Zone::parse(&zone).unwrap();
            if let Some(due) = r.due_before(start, &zone) {
                prop_assert!(due <= start, "{} before {} in {} is {}", s, start, zone.name(), due);
            }
        }
    }

    #[test]
    fn any_instant_in_any_zone_has_a_local_time(t in instant(), zone in select(zone_names())) {
        let zone = Zone::parse(&zone).unwrap();
        prop_assert_eq!(zone.at(t).timestamp(), t);
    }
}

/// The IANA names of the bundled database that Plenary takes (the named, slashed ones).
fn zone_names() -> Vec<String> {
    jiff::tz::db()
        .available()
        .map(|n| n.as_str().to_owned())
        .filter(|n| n.contains('/') || n == "UTC")
        .collect()
}
