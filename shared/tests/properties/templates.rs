//! The email templates: any names, titles, links and organiser text render in all six languages
//! without panic; the HTML part escapes every one of them, the text part keeps them as written,
//! and the subject is one line.

use jiff::tz::TimeZone;
use plenary::domain::{ChangeKind, Language, ReminderOffset};
use plenary::mail::MessageKind;
use plenary::mail::templates::{
    ChangeLine, Content, EventFacts, Message, format_instant, render, zone_label,
};
use proptest::collection::vec;
use proptest::prelude::*;
use proptest::sample::select;

use crate::strategies::{duration, instant, line_text, text};

/// Starts every generated string, so its copies can be found in the output. A private-use
/// character: no template or translation has one.
const MARK: char = '\u{E000}';

/// Generated text that begins with [`MARK`] and `<`: in the HTML part the `<` must be escaped.
fn marked(max: usize) -> impl Strategy<Value = String> {
    text(max).prop_map(|s| format!("{MARK}<{}", s.replace(MARK, "")))
}

/// What a single-line field holds (names, titles): marked, without line breaks.
fn marked_line(max: usize) -> impl Strategy<Value = String> {
    line_text(max).prop_map(|s| format!("{MARK}<{}", s.replace(MARK, "")))
}

/// The HTML escaping the templates promise: `& < > " '`, and `/` left alone.
fn escape_html(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
        .replace('\'', "&#x27;")
}

fn change() -> impl Strategy<Value = ChangeLine> {
    (
        select(vec![
            ChangeKind::Added,
            ChangeKind::Removed,
            ChangeKind::Moved,
            ChangeKind::Updated,
        ]),
        marked(60),
        proptest::option::of(marked(30)),
        proptest::option::of(marked(30)),
        proptest::collection::vec(marked(30), 0..3),
    )
        .prop_map(|(change, title, before, after, new_materials)| ChangeLine {
            change,
            title,
            before,
            after,
            new_materials,
        })
}

/// Generated content for a message of `kind` (an exhaustive match: no kind goes without).
fn content(kind: MessageKind) -> BoxedStrategy<Content> {
    let url = || marked(40);
    match kind {
        MessageKind::Confirmation => (url(), marked(30))
            .prop_map(|(confirm_url, expires_local)| Content::Confirmation {
                confirm_url,
                expires_local,
            })
            .boxed(),
        MessageKind::ManageLink => url()
            .prop_map(|manage_url| Content::ManageLink { manage_url })
            .boxed(),
        MessageKind::Promotion => url()
            .prop_map(|manage_url| Content::Promotion { manage_url })
            .boxed(),
        MessageKind::Approval => url()
            .prop_map(|manage_url| Content::Approval { manage_url })
            .boxed(),
        MessageKind::Rejection => Just(Content::Rejection).boxed(),
        MessageKind::JoinLink => (url(), proptest::option::of(url()))
            .prop_map(|(manage_url, join_url)| Content::JoinLink {
                manage_url,
                join_url,
            })
            .boxed(),
        MessageKind::Reminder => (
            duration(),
            url(),
            proptest::option::of(url()),
            proptest::option::of(marked(20)),
            proptest::option::of(marked(40)),
        )
            .prop_map(
                |(offset, manage_url, join_url, passcode, venue)| Content::Reminder {
                    lead: String::new(),
                    offset,
                    manage_url,
                    join_url,
                    passcode,
                    venue,
                },
            )
            .boxed(),
        MessageKind::ProgrammeChanges => (vec(change(), 0..5), url())
            .prop_map(|(changes, programme_url)| Content::ProgrammeChanges {
                changes,
                programme_url,
            })
            .boxed(),
        MessageKind::Announcement => (marked(80), marked(400))
            .prop_map(|(subject, body)| Content::Announcement { subject, body })
            .boxed(),
        MessageKind::OrganiserSignIn => (url(), 1u64..=1440)
            .prop_map(|(sign_in_url, valid_minutes)| Content::OrganiserSignIn {
                sign_in_url,
                valid_minutes,
            })
            .boxed(),
    }
}

fn event_facts() -> impl Strategy<Value = EventFacts> {
    (
        marked_line(120),
        marked(40),
        marked(40),
        marked(30),
        marked(30),
    )
        .prop_map(
            |(title, starts_local, ends_local, zone_name, zone_label)| EventFacts {
                title,
                starts_local,
                ends_local,
                zone_name,
                zone_label,
            },
        )
}

proptest! {
    #[test]
    fn any_message_renders_in_every_language_with_its_text_escaped_in_html(
        name in marked_line(100),
        event in event_facts(),
        content in select(MessageKind::ALL.to_vec()).prop_flat_map(content),
        unsubscribe in marked(40),
    ) {
        let kind = content.kind();
        for language in Language::ALL {
            let m = Message {
                kind,
                language,
                recipient_name: &name,
                event: Some(&event),
                content: &content,
                unsubscribe_url: Some(&unsubscribe),
            };
            let r = match (render(&m), &content) {
                (Ok(r), _) => r,
                // An offset no event would accept may be refused; one it accepts must render.
                (Err(_), Content::Reminder { offset, .. }) if ReminderOffset::parse(offset).is_err() => continue,
                (Err(e), _) => return Err(TestCaseError::fail(format!("{e}"))),
            };
            let at = format!("{} in {language}", kind.code());
            prop_assert!(!r.subject.contains(['\r', '\n']), "{}: subject {:?}", at, r.subject);
            prop_assert_eq!(r.subject.trim(), r.subject.as_str(), "{}", at);
            // Nothing generated reaches the HTML unescaped…
            prop_assert!(!r.html.contains(&format!("{MARK}<")), "{}: raw text in HTML", at);
            // …and the greeting and the footer show the name and the title, escaped (a sign-in
            // link is about no event).
            prop_assert!(r.html.contains(&escape_html(&name)), "{}: name", at);
            if kind.is_about_an_event() {
                prop_assert!(r.html.contains(&escape_html(&event.title)), "{}: title", at);
            }
            // The text part is not HTML: the name is there as written.
            prop_assert!(r.text.contains(&format!("{MARK}<")), "{}: text escaped", at);
        }
    }

    #[test]
    fn any_instant_reads_as_a_local_date_and_zone_in_every_language(
        t in instant(),
        zone in select(jiff::tz::db().available().map(|n| n.as_str().to_owned()).collect::<Vec<_>>()),
    ) {
        let tz = TimeZone::get(&zone).unwrap();
        for language in Language::ALL {
            let local = format_instant(t, &tz, language);
            prop_assert!(!local.is_empty() && !local.contains(['{', '}']), "{}", local);
        }
        let label = zone_label(t, &tz);
        prop_assert!(label.contains("UTC+") || label.contains("UTC-"), "{}", label);
    }
}
