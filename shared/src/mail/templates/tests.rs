use std::collections::BTreeSet;

use jiff::Timestamp;
use jiff::tz::TimeZone;

use super::i18n::{self, Translations};
use super::*;

/// The placeholder names a pattern uses.
fn placeholders(pattern: &str) -> BTreeSet<&str> {
    pattern
        .split('{')
        .skip(1)
        .filter_map(|s| s.split_once('}').map(|(name, _)| name))
        .collect()
}

const UNSUBSCRIBE: &str = "https://plenary.example/u/abc?t=1&s=2";
const SIGN_IN: &str = "https://plenary.example/admin/sign-in?token=SIGNIN";

fn event() -> EventFacts {
    EventFacts {
        title: "AI for Good: Standards & Trust".to_owned(),
        starts_local: "Wednesday 8 September 2021, 14:00".to_owned(),
        ends_local: "Wednesday 8 September 2021, 17:00".to_owned(),
        zone_name: "Europe/Zurich".to_owned(),
        zone_label: "CEST (UTC+02:00)".to_owned(),
    }
}

fn sample(kind: MessageKind) -> Content {
    let manage_url = "https://plenary.example/r/manage?k=XYZ".to_owned();
    match kind {
        MessageKind::Confirmation => Content::Confirmation {
            confirm_url: "https://plenary.example/r/confirm?k=ABC".to_owned(),
            expires_local: "Thursday 9 September 2021, 14:00".to_owned(),
        },
        MessageKind::ManageLink => Content::ManageLink { manage_url },
        MessageKind::Promotion => Content::Promotion { manage_url },
        MessageKind::Approval => Content::Approval { manage_url },
        MessageKind::Rejection => Content::Rejection,
        MessageKind::JoinLink => Content::JoinLink {
            manage_url,
            join_url: Some("https://plenary.example/j/JOIN".to_owned()),
        },
        MessageKind::Reminder => Content::Reminder {
            lead: String::new(),
            offset: "PT1H".to_owned(),
            manage_url,
            join_url: Some("https://plenary.example/j/JOIN".to_owned()),
            passcode: Some("842913".to_owned()),
            venue: Some("ITU headquarters, Place des Nations, Geneva".to_owned()),
        },
        MessageKind::ProgrammeChanges => Content::ProgrammeChanges {
            changes: vec![
                ChangeLine {
                    change: ChangeKind::Added,
                    title: "Opening".to_owned(),
                    before: None,
                    after: Some("14:00".to_owned()),
                    new_materials: Vec::new(),
                },
                ChangeLine {
                    change: ChangeKind::Removed,
                    title: "Coffee".to_owned(),
                    before: Some("15:00".to_owned()),
                    after: None,
                    new_materials: Vec::new(),
                },
                ChangeLine {
                    change: ChangeKind::Moved,
                    title: "Panel".to_owned(),
                    before: Some("15:30".to_owned()),
                    after: Some("16:00".to_owned()),
                    new_materials: Vec::new(),
                },
                ChangeLine {
                    change: ChangeKind::Updated,
                    title: "Keynote".to_owned(),
                    before: Some("14:15".to_owned()),
                    after: Some("14:15".to_owned()),
                    new_materials: vec!["Slides".to_owned(), "Recording".to_owned()],
                },
            ],
            programme_url: "https://plenary.example/e/ai/programme".to_owned(),
        },
        MessageKind::Announcement => Content::Announcement {
            subject: "Room change".to_owned(),
            body: "We moved to Room B.\nIt is on the 2nd floor.\n\nSee you there.".to_owned(),
        },
        MessageKind::OrganiserSignIn => Content::OrganiserSignIn {
            sign_in_url: SIGN_IN.to_owned(),
            valid_minutes: 15,
        },
    }
}

fn render_sample(
    kind: MessageKind,
    language: Language,
    name: &str,
    unsubscribe_url: Option<&str>,
) -> Result<Rendered, TemplateError> {
    let event = event();
    let content = sample(kind);
    render(&Message {
        kind,
        language,
        recipient_name: name,
        event: Some(&event),
        content: &content,
        unsubscribe_url,
    })
}

fn translations(language: Language) -> Translations {
    Translations::parse(i18n::source(language)).expect("the shipped translations parse")
}

#[test]
fn every_kind_renders_in_every_language_and_only_arabic_is_right_to_left() {
    for language in Language::ALL {
        for kind in MessageKind::ALL {
            let r = render_sample(kind, language, "Ada", Some(UNSUBSCRIBE))
                .unwrap_or_else(|e| panic!("{e}"));
            let at = format!("{} in {language}", kind.code());
            assert!(!r.subject.trim().is_empty(), "{at}: empty subject");
            assert!(!r.subject.contains('{'), "{at}: unfilled subject");
            assert!(r.text.contains("Ada"), "{at}: no greeting in text");
            assert!(!r.text.contains('{'), "{at}: unfilled text");
            assert!(r.html.contains("Ada"), "{at}: no greeting in HTML");
            assert!(
                r.html
                    .contains(&format!("<html lang=\"{}\"", language.code())),
                "{at}: lang"
            );
            let rtl = r.html.contains("dir=\"rtl\"");
            assert_eq!(rtl, language == Language::Ar, "{at}: direction");
            assert_eq!(!rtl, r.html.contains("dir=\"ltr\""), "{at}: direction");
            if !kind.is_about_an_event() {
                continue;
            }
            // Every message about an event says when, in which zone, and why it was sent.
            assert!(r.text.contains("Europe/Zurich"), "{at}: zone");
            assert!(r.text.contains("CEST (UTC+02:00)"), "{at}: zone label");
            assert!(
                r.text.contains("AI for Good"),
                "{at}: footer names the event"
            );
        }
    }
}

#[test]
fn every_language_has_exactly_the_english_message_ids() {
    let english: BTreeSet<String> = translations(Language::En).messages.into_keys().collect();
    for language in Language::ALL {
        let ids: BTreeSet<String> = translations(language).messages.into_keys().collect();
        let missing: Vec<_> = english.difference(&ids).collect();
        let extra: Vec<_> = ids.difference(&english).collect();
        assert!(missing.is_empty(), "{language} lacks {missing:?}");
        assert!(extra.is_empty(), "{language} has unknown {extra:?}");
    }
}

#[test]
fn every_translation_uses_the_same_placeholders_as_english() {
    let english = translations(Language::En);
    for language in Language::ALL {
        let tr = translations(language);
        for (id, en) in &english.messages {
            let Some(theirs) = tr.messages.get(id) else {
                continue;
            };
            assert_eq!(placeholders(theirs), placeholders(en), "{language}: {id}");
        }
        for (n, form) in [(1, &tr.lead.within), (2, &tr.datetime)] {
            assert!(!form.is_empty(), "{language}: empty pattern {n}");
        }
        assert_eq!(
            placeholders(&tr.lead.within),
            BTreeSet::from(["duration"]),
            "{language}"
        );
    }
}

#[test]
fn every_message_id_the_templates_use_is_in_the_english_file() {
    let english = translations(Language::En);
    for (name, source) in TEMPLATES {
        for (i, _) in source.match_indices("t.") {
            let before = source[..i].chars().next_back();
            if before.is_some_and(|c| c.is_alphanumeric() || c == '_' || c == '.') {
                continue;
            }
            let id: String = source[i + 2..]
                .chars()
                .take_while(|c| c.is_alphanumeric() || *c == '_')
                .collect();
            assert!(english.messages.contains_key(&id), "{name} uses {id:?}");
        }
    }
    for change in ["added", "removed", "moved", "updated"] {
        assert!(english.messages.contains_key(&format!("change_{change}")));
    }
    for kind in MessageKind::ALL {
        let id = format!("subject_{}", kind.code());
        assert!(
            kind == MessageKind::Announcement || english.messages.contains_key(&id),
            "{id}"
        );
    }
}

#[test]
fn a_translations_file_missing_a_section_or_a_plural_form_is_refused() {
    let mut json: serde_json::Value =
        serde_json::from_str(i18n::source(Language::Ru)).expect("valid JSON");
    let fields = json.as_object_mut().expect("an object");
    fields.remove("months");
    assert!(Translations::parse(&json.to_string()).is_err());

    let mut json: serde_json::Value =
        serde_json::from_str(i18n::source(Language::Ru)).expect("valid JSON");
    json["units"]["day"]
        .as_object_mut()
        .expect("an object")
        .remove("few");
    let err = Translations::parse(&json.to_string()).expect_err("few is required in Russian");
    assert!(err.contains("units.day"), "{err}");
}

#[test]
fn html_escapes_the_recipient_name_and_the_text_part_does_not() {
    for name in ["<script>alert(1)</script>", "Ada & \"Bob\""] {
        let r = render_sample(MessageKind::ManageLink, Language::En, name, None).expect("renders");
        assert!(!r.html.contains(name), "{}", r.html);
        assert!(r.text.contains(name), "{}", r.text);
    }
    let r = render_sample(
        MessageKind::ManageLink,
        Language::En,
        "<script>alert(1)</script>",
        None,
    )
    .expect("renders");
    assert!(r.html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"));
    let r = render_sample(
        MessageKind::Confirmation,
        Language::En,
        "Ada & \"Bob\"",
        None,
    )
    .expect("renders");
    assert!(r.html.contains("Dear Ada &amp; &quot;Bob&quot;,"));
    // The title comes through a translation and is escaped there too.
    assert!(r.html.contains("AI for Good: Standards &amp; Trust"));
    assert!(r.text.contains("AI for Good: Standards & Trust"));
}

#[test]
fn links_are_escaped_for_attributes_but_keep_their_slashes() {
    let r = render_sample(MessageKind::Confirmation, Language::En, "Ada", None).expect("renders");
    assert!(
        r.html
            .contains("href=\"https://plenary.example/r/confirm?k=ABC\"")
    );
    assert!(r.text.contains("https://plenary.example/r/confirm?k=ABC"));
    // One element a line after the button, for whoever reads the source.
    assert!(!r.html.contains("</p><p"), "{}", r.html);
}

#[test]
fn optional_mail_carries_the_unsubscribe_link_and_transactional_mail_never_does() {
    let escaped = UNSUBSCRIBE.replace('&', "&amp;");
    for language in Language::ALL {
        for kind in MessageKind::ALL {
            let r = render_sample(kind, language, "Ada", Some(UNSUBSCRIBE)).expect("renders");
            let at = format!("{} in {language}", kind.code());
            assert_eq!(r.text.contains(UNSUBSCRIBE), kind.is_optional(), "{at}");
            assert_eq!(r.html.contains(&escaped), kind.is_optional(), "{at}");
        }
    }
}

#[test]
fn optional_mail_without_an_unsubscribe_link_is_refused() {
    let err = render_sample(MessageKind::Reminder, Language::Fr, "Ada", None)
        .expect_err("an unsubscribe link is required");
    assert!(matches!(err, TemplateError::MissingUnsubscribe { .. }));
    assert!(err.to_string().contains("reminder email in fr"), "{err}");
}

#[test]
fn content_of_another_kind_is_refused_naming_kind_and_language() {
    let event = event();
    let content = Content::Rejection;
    let err = render(&Message {
        kind: MessageKind::Approval,
        language: Language::Es,
        recipient_name: "Ada",
        event: Some(&event),
        content: &content,
        unsubscribe_url: None,
    })
    .expect_err("kinds disagree");
    assert_eq!(
        err.to_string(),
        "approval email in es: the content is for a rejection email"
    );
}

#[test]
fn a_reminder_with_a_bad_offset_is_refused() {
    let event = event();
    let content = Content::Reminder {
        lead: String::new(),
        offset: "P1M".to_owned(),
        manage_url: "https://x.example/m".to_owned(),
        join_url: None,
        passcode: None,
        venue: None,
    };
    let err = render(&Message {
        kind: MessageKind::Reminder,
        language: Language::En,
        recipient_name: "Ada",
        event: Some(&event),
        content: &content,
        unsubscribe_url: Some(UNSUBSCRIBE),
    })
    .expect_err("months are not a reminder offset");
    assert!(matches!(err, TemplateError::Data { .. }), "{err}");
}

#[test]
fn subjects_follow_the_english_reference() {
    let subject = |kind| {
        render_sample(kind, Language::En, "Ada", Some(UNSUBSCRIBE))
            .expect("renders")
            .subject
    };
    let t = "AI for Good: Standards & Trust";
    assert_eq!(
        subject(MessageKind::Confirmation),
        format!("Confirm your registration for {t}")
    );
    assert_eq!(
        subject(MessageKind::ManageLink),
        format!("Your registration for {t}")
    );
    assert_eq!(
        subject(MessageKind::Promotion),
        format!("A seat is now yours at {t}")
    );
    assert_eq!(
        subject(MessageKind::Approval),
        format!("Your registration for {t} is approved")
    );
    assert_eq!(
        subject(MessageKind::Rejection),
        format!("Your registration for {t} was not accepted")
    );
    assert_eq!(
        subject(MessageKind::JoinLink),
        format!("Your new personal link to join {t}")
    );
    assert_eq!(
        subject(MessageKind::Reminder),
        format!("{t} starts in 1 hour")
    );
    assert_eq!(
        subject(MessageKind::ProgrammeChanges),
        format!("The programme of {t} has changed")
    );
    assert_eq!(subject(MessageKind::Announcement), "Room change");
    assert_eq!(
        subject(MessageKind::OrganiserSignIn),
        "Your sign-in link for the organisers' pages"
    );
}

#[test]
fn the_sign_in_link_says_how_long_it_works_and_names_no_event_in_every_language() {
    let minutes = [
        (Language::En, "15 minutes"),
        (Language::Fr, "15 minutes"),
        (Language::Es, "15 minutos"),
        (Language::Ru, "15 минут"),
        (Language::Zh, "15分钟"),
        (Language::Ar, "15 دقيقة"),
    ];
    for (language, valid_for) in minutes {
        let at = format!("sign-in in {language}");
        // Handed event facts anyway, it still says nothing of an event.
        let r = render_sample(
            MessageKind::OrganiserSignIn,
            language,
            "Ada",
            Some(UNSUBSCRIBE),
        )
        .unwrap_or_else(|e| panic!("{at}: {e}"));
        for part in [&r.text, &r.html] {
            assert!(part.contains(valid_for), "{at}: {part}");
            assert!(!part.contains("AI for Good"), "{at}: an event in {part}");
            assert!(!part.contains("Europe/Zurich"), "{at}: a zone in {part}");
            assert!(!part.contains(UNSUBSCRIBE), "{at}: transactional mail");
        }
        assert!(r.text.contains(SIGN_IN), "{at}: link in text");
        assert!(
            r.html.contains(&format!("href=\"{SIGN_IN}\"")),
            "{at}: button"
        );
        let tr = translations(language);
        let footer = tr.message("footer_organiser").unwrap();
        assert!(r.text.contains(footer), "{at}: why it was sent");
        assert!(
            !r.text.contains(tr.message("when_label").unwrap()),
            "{at}: no when"
        );
    }
    let fr = render_sample(MessageKind::OrganiserSignIn, Language::Fr, "Ada", None).unwrap();
    assert_eq!(
        fr.subject,
        "Votre lien de connexion à l’espace des organisateurs"
    );
    assert!(fr.text.starts_with("Bonjour Ada,"), "{}", fr.text);
}

#[test]
fn a_message_about_an_event_without_the_event_is_refused() {
    let content = sample(MessageKind::ManageLink);
    let err = render(&Message {
        kind: MessageKind::ManageLink,
        language: Language::En,
        recipient_name: "Ada",
        event: None,
        content: &content,
        unsubscribe_url: None,
    })
    .expect_err("a manage link is about an event");
    assert!(matches!(err, TemplateError::Data { .. }), "{err}");
    let content = sample(MessageKind::OrganiserSignIn);
    let ok = render(&Message {
        kind: MessageKind::OrganiserSignIn,
        language: Language::En,
        recipient_name: "Ada",
        event: None,
        content: &content,
        unsubscribe_url: None,
    });
    assert!(ok.is_ok(), "{ok:?}");
}

#[test]
fn the_one_hour_reminder_shows_the_join_link_and_passcode() {
    let r = render_sample(
        MessageKind::Reminder,
        Language::En,
        "Ada",
        Some(UNSUBSCRIBE),
    )
    .expect("renders");
    for part in [&r.text, &r.html] {
        assert!(part.contains("https://plenary.example/j/JOIN"));
        assert!(part.contains("Passcode: 842913"));
        assert!(part.contains("starts in 1 hour"));
    }
}

#[test]
fn programme_changes_list_each_change_with_old_and_new_times() {
    let r = render_sample(
        MessageKind::ProgrammeChanges,
        Language::En,
        "Ada",
        Some(UNSUBSCRIBE),
    )
    .expect("renders");
    for line in [
        "- Added: Opening",
        "- Removed: Coffee",
        "- Moved: Panel",
        "- Updated: Keynote",
    ] {
        assert!(r.text.contains(line), "{line} in {}", r.text);
    }
    assert!(r.text.contains("15:30 → 16:00"), "{}", r.text);
    assert!(r.html.contains("15:30 → 16:00"));
    let ar = render_sample(
        MessageKind::ProgrammeChanges,
        Language::Ar,
        "Ada",
        Some(UNSUBSCRIBE),
    )
    .expect("renders");
    // Read right to left, the arrow still points from the old time to the new; each time is
    // isolated, so neither is pulled across it.
    assert!(
        ar.text
            .contains("\u{2068}15:30\u{2069} ← \u{2068}16:00\u{2069}"),
        "{}",
        ar.text
    );
}

#[test]
fn announcements_keep_the_organisers_paragraphs_and_line_breaks() {
    let r = render_sample(
        MessageKind::Announcement,
        Language::En,
        "Ada",
        Some(UNSUBSCRIBE),
    )
    .expect("renders");
    assert!(
        r.text
            .contains("We moved to Room B.\nIt is on the 2nd floor.\n\nSee you there.")
    );
    assert!(
        r.html
            .contains("We moved to Room B.<br>It is on the 2nd floor.</p>")
    );
}

#[test]
fn a_subject_is_always_one_line() {
    let event = event();
    let content = Content::Announcement {
        subject: "Room\r\nBcc: someone@example.com".to_owned(),
        body: "Hello".to_owned(),
    };
    let r = render(&Message {
        kind: MessageKind::Announcement,
        language: Language::En,
        recipient_name: "Ada",
        event: Some(&event),
        content: &content,
        unsubscribe_url: Some(UNSUBSCRIBE),
    })
    .expect("renders");
    assert_eq!(r.subject, "Room Bcc: someone@example.com");
}

#[test]
fn format_instant_keeps_zurich_wall_clock_across_the_dst_change() {
    let zurich = TimeZone::get("Europe/Zurich").expect("bundled zone");
    let summer: Timestamp = "2021-10-30T08:00:00Z".parse().expect("instant");
    let winter: Timestamp = "2021-11-01T09:00:00Z".parse().expect("instant");
    assert_eq!(
        format_instant(summer, &zurich, Language::En),
        "Saturday 30 October 2021, 10:00"
    );
    assert_eq!(
        format_instant(winter, &zurich, Language::En),
        "Monday 1 November 2021, 10:00"
    );
    assert_eq!(zone_label(summer, &zurich), "CEST (UTC+02:00)");
    assert_eq!(zone_label(winter, &zurich), "CET (UTC+01:00)");
}

#[test]
fn format_instant_names_weekdays_and_months_in_each_language() {
    let zurich = TimeZone::get("Europe/Zurich").expect("bundled zone");
    let t: Timestamp = "2021-09-08T12:00:00Z".parse().expect("instant");
    let early: Timestamp = "2021-09-08T07:05:00Z".parse().expect("instant");
    let f = |t, l| format_instant(t, &zurich, l);
    assert_eq!(f(t, Language::En), "Wednesday 8 September 2021, 14:00");
    assert_eq!(f(t, Language::Fr), "mercredi 8 septembre 2021, 14 h 00");
    assert_eq!(f(early, Language::Fr), "mercredi 8 septembre 2021, 9 h 05");
    assert_eq!(f(t, Language::Ru), "среда, 8 сентября 2021 г., 14:00");
    assert_eq!(
        f(t, Language::Es),
        "miércoles, 8 de septiembre de 2021, 14:00"
    );
    assert_eq!(f(t, Language::Zh), "2021年9月8日星期三 14:00");
    assert_eq!(f(t, Language::Ar), "الأربعاء 8 سبتمبر 2021، الساعة 14:00");
    let february: Timestamp = "2022-02-01T12:00:00Z".parse().expect("instant");
    assert_eq!(f(february, Language::Fr), "mardi 1 février 2022, 13 h 00");
    assert_eq!(
        f(february, Language::Ru),
        "вторник, 1 февраля 2022 г., 13:00"
    );
}

#[test]
fn zone_label_falls_back_to_the_offset_where_tzdb_has_no_abbreviation() {
    let dubai = TimeZone::get("Asia/Dubai").expect("bundled zone");
    let t: Timestamp = "2021-09-08T12:00:00Z".parse().expect("instant");
    assert_eq!(zone_label(t, &dubai), "UTC+04:00");
    let new_york = TimeZone::get("America/New_York").expect("bundled zone");
    assert_eq!(zone_label(t, &new_york), "EDT (UTC-04:00)");
}

#[test]
fn reminder_leads_read_naturally_in_english_and_french() {
    let en = translations(Language::En);
    let fr = translations(Language::Fr);
    let lead = |tr: &Translations, o: &str| tr.lead(o).expect("a valid offset");
    assert_eq!(lead(&en, "P7D"), "in 7 days");
    assert_eq!(lead(&en, "P1D"), "tomorrow");
    assert_eq!(lead(&en, "PT1H"), "in 1 hour");
    assert_eq!(lead(&en, "PT90M"), "in 1 hour and 30 minutes");
    assert_eq!(lead(&en, "P1W"), "in 1 week");
    assert_eq!(lead(&en, "P1DT2H30M"), "in 1 day, 2 hours and 30 minutes");
    assert_eq!(lead(&en, "PT48H"), "in 2 days");
    assert_eq!(lead(&fr, "P7D"), "dans 7 jours");
    assert_eq!(lead(&fr, "P1D"), "demain");
    assert_eq!(lead(&fr, "PT1H"), "dans 1 heure");
    assert_eq!(lead(&fr, "PT90M"), "dans 1 heure et 30 minutes");
}

#[test]
fn russian_arabic_and_chinese_leads_use_their_own_plural_forms() {
    let ru = translations(Language::Ru);
    let ar = translations(Language::Ar);
    let zh = translations(Language::Zh);
    let lead = |tr: &Translations, o: &str| tr.lead(o).expect("a valid offset");
    assert_eq!(lead(&ru, "P7D"), "через 7 дней");
    assert_eq!(lead(&ru, "P2D"), "через 2 дня");
    assert_eq!(lead(&ru, "P21D"), "через 21 день");
    assert_eq!(lead(&ru, "PT1H"), "через 1 час");
    assert_eq!(lead(&ru, "PT90M"), "через 1 час и 30 минут");
    assert_eq!(lead(&ru, "PT1M"), "через 1 минуту");
    assert_eq!(lead(&ar, "P2D"), "بعد يومين");
    assert_eq!(lead(&ar, "P7D"), "بعد 7 أيام");
    assert_eq!(lead(&ar, "PT1H"), "بعد ساعة واحدة");
    assert_eq!(lead(&ar, "PT15M"), "بعد 15 دقيقة");
    assert_eq!(lead(&zh, "PT90M"), "1小时30分钟后");
    assert_eq!(lead(&zh, "P1D"), "明天");
}

/// The ASCII letters of `text` outside FSI … PDI, with where they are.
fn unisolated_text(text: &str) -> Vec<String> {
    let mut found = Vec::new();
    for line in text.lines() {
        let mut depth = 0usize;
        let mut run = String::new();
        for c in line.chars() {
            match c {
                '\u{2066}'..='\u{2068}' => depth += 1,
                '\u{2069}' => depth = depth.saturating_sub(1),
                c if depth == 0 && c.is_ascii_alphabetic() => run.push(c),
                _ if !run.is_empty() => found.push(format!("{run:?} in {line:?}")),
                _ => {}
            }
            if depth > 0 || !c.is_ascii_alphabetic() {
                run.clear();
            }
        }
        if !run.is_empty() {
            found.push(format!("{run:?} in {line:?}"));
        }
    }
    found
}

/// The ASCII letters of the HTML body's text that are in no `<bdi>` and no element with a `dir`
/// attribute (character references skipped).
fn unisolated_html(html: &str) -> Vec<String> {
    const VOID: [&str; 4] = ["br", "hr", "img", "meta"];
    let body = &html[html.find("<body").expect("a body")..];
    let mut open: Vec<bool> = Vec::new();
    let mut found = Vec::new();
    let mut rest = body;
    while !rest.is_empty() {
        if let Some(tag) = rest.strip_prefix('<') {
            let end = tag.find('>').expect("a closed tag");
            let inner = &tag[..end];
            if let Some(_closing) = inner.strip_prefix('/') {
                open.pop();
            } else {
                let name = inner.split_whitespace().next().unwrap_or_default();
                if !VOID.contains(&name) {
                    open.push(name == "bdi" || inner.contains(" dir="));
                }
            }
            rest = &tag[end + 1..];
        } else if rest.starts_with('&') {
            rest = &rest[rest.find(';').expect("a whole reference") + 1..];
        } else {
            let next = rest.find(['<', '&']).unwrap_or(rest.len());
            let text = &rest[..next];
            if !open.iter().any(|isolated| *isolated)
                && text.chars().any(|c| c.is_ascii_alphabetic())
            {
                found.push(format!("{text:?}"));
            }
            rest = &rest[next..];
        }
    }
    found
}

#[test]
fn arabic_mail_isolates_every_left_to_right_run_in_both_parts() {
    for kind in MessageKind::ALL {
        // A Latin name and an English announcement (the fall-back when the organisers wrote
        // none in Arabic) inside Arabic text.
        let r = render_sample(kind, Language::Ar, "Ada Lovelace", Some(UNSUBSCRIBE))
            .unwrap_or_else(|e| panic!("{e}"));
        let at = kind.code();
        let text = unisolated_text(&r.text);
        assert!(
            text.is_empty(),
            "{at}: not isolated in text: {text:?}\n{}",
            r.text
        );
        let html = unisolated_html(&r.html);
        assert!(
            html.is_empty(),
            "{at}: not isolated in HTML: {html:?}\n{}",
            r.html
        );
        if kind.is_about_an_event() {
            assert!(
                r.text
                    .contains("\u{2068}Europe/Zurich\u{2069} (\u{2068}CEST (UTC+02:00)\u{2069})"),
                "{at}: {}",
                r.text
            );
            assert!(
                r.html
                    .contains("<bdi>Europe/Zurich</bdi> (<bdi>CEST (UTC+02:00)</bdi>)"),
                "{at}: {}",
                r.html
            );
        }
    }
}

#[test]
fn left_to_right_mail_has_no_isolates_and_reads_as_before() {
    for language in Language::ALL.into_iter().filter(|l| !l.is_right_to_left()) {
        for kind in MessageKind::ALL {
            let r = render_sample(kind, language, "Ada", Some(UNSUBSCRIBE))
                .unwrap_or_else(|e| panic!("{e}"));
            let at = format!("{} in {language}", kind.code());
            assert!(
                !r.text.contains(['\u{2068}', '\u{2069}']),
                "{at}: {}",
                r.text
            );
            assert!(!r.html.contains("<bdi>"), "{at}: {}", r.html);
        }
    }
    let en = render_sample(
        MessageKind::Reminder,
        Language::En,
        "Ada",
        Some(UNSUBSCRIBE),
    )
    .expect("renders");
    assert!(
        en.text
            .contains("All times are in Europe/Zurich (CEST (UTC+02:00))."),
        "{}",
        en.text
    );
}
