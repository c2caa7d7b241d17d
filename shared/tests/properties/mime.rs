//! MIME rendering: any one-line subject and sender name, any text and HTML, read back the same by
//! an independent parser; and no header value, whatever it holds, adds a recipient or a header.

use mail_parser::{Address, MessageParser};
use plenary::domain::{Email, Language};
use plenary::mail::mime::render;
use plenary::mail::{Attachment, MailError, MessageKind, OutgoingEmail};
use proptest::prelude::*;
use proptest::sample::select;

use crate::strategies::{line_text, paragraph, text};

fn message() -> OutgoingEmail {
    OutgoingEmail {
        key: "reg-1#reminder#2021-08-23".to_owned(),
        from: Email::parse("events@plenary.example.org").unwrap(),
        from_name: "ITU Workshops".to_owned(),
        to: Email::parse("ada@example.org").unwrap(),
        subject: "Reminder".to_owned(),
        text: "Hello".to_owned(),
        html: Some("<p>Hello</p>".to_owned()),
        language: Language::En,
        kind: MessageKind::Reminder,
        headers: vec![],
        attachments: vec![],
    }
}

/// One-line text as the templates make subjects: whitespace runs are one space, no ends.
fn one_line(max: usize) -> impl Strategy<Value = String> {
    line_text(max).prop_map(|s| s.split_whitespace().collect::<Vec<_>>().join(" "))
}

/// Bodies travel with CRLF line ends; trailing whitespace at the very end is not kept apart.
fn body_as_read(s: &str) -> String {
    s.replace("\r\n", "\n").trim_end().to_owned()
}

fn addresses(a: Option<&Address<'_>>) -> Vec<String> {
    a.map(|a| {
        a.iter()
            .filter_map(|m| m.address().map(str::to_owned))
            .collect()
    })
    .unwrap_or_default()
}

proptest! {
    #[test]
    fn subject_sender_and_bodies_read_back_as_written(
        subject in one_line(120),
        from_name in one_line(60),
        text_body in paragraph(400).prop_map(|p| p.replace('\r', "")),
        html in proptest::option::of(paragraph(400).prop_map(|p| p.replace('\r', ""))),
        language in select(Language::ALL.to_vec()),
        with_calendar in any::<bool>(),
    ) {
        let mut m = message();
        m.subject = subject.clone();
        m.from_name = from_name.clone();
        m.text = text_body.clone();
        m.html = html.clone();
        m.language = language;
        if with_calendar {
            m.attachments.push(Attachment {
                filename: "workshop.ics".to_owned(),
                content_type: "text/calendar; method=PUBLISH; charset=utf-8".to_owned(),
                content: b"BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n".to_vec(),
            });
        }
        let raw = render(&m).unwrap();
        let head = String::from_utf8_lossy(&raw);
        let head = head.split("\r\n\r\n").next().unwrap();
        prop_assert!(head.is_ascii(), "headers are encoded: {}", head);
        prop_assert!(head.split("\r\n").all(|l| l.len() <= 998));
        let parsed = MessageParser::default().parse(&raw).expect("the message parses");
        prop_assert_eq!(parsed.subject().unwrap_or_default(), subject.as_str());
        let from = parsed.from().unwrap().first().unwrap();
        prop_assert_eq!(from.name().unwrap_or_default(), from_name.as_str());
        prop_assert_eq!(from.address(), Some("events@plenary.example.org"));
        prop_assert_eq!(addresses(parsed.to()), vec!["ada@example.org".to_owned()]);
        prop_assert_eq!(body_as_read(&parsed.body_text(0).unwrap_or_default()), body_as_read(&text_body));
        if let Some(html) = &html {
            prop_assert_eq!(body_as_read(&parsed.body_html(0).unwrap()), body_as_read(html));
        }
        prop_assert_eq!(parsed.attachment_count(), usize::from(with_calendar));
    }

    #[test]
    fn no_header_value_adds_a_recipient_or_a_header(
        name in prop_oneof![
            select(vec!["List-Unsubscribe", "X-Note", "Bcc", "cc", "Reply-To"]).prop_map(str::to_owned),
            text(20),
        ],
        value in text(120),
        subject in text(60),
        from_name in text(30),
    ) {
        let mut m = message();
        m.subject = subject;
        m.from_name = from_name;
        m.headers = vec![(name.clone(), value)];
        match render(&m) {
            Err(MailError::Rejected(why)) => prop_assert!(!why.is_empty()),
            Err(other) => return Err(TestCaseError::fail(format!("not a rejection: {other}"))),
            Ok(raw) => {
                let parsed = MessageParser::default().parse(&raw).expect("the message parses");
                prop_assert_eq!(addresses(parsed.to()), vec!["ada@example.org".to_owned()]);
                prop_assert!(addresses(parsed.cc()).is_empty());
                prop_assert!(addresses(parsed.bcc()).is_empty());
                // From, To, Subject, Message-ID, Date, MIME-Version, Content-Type, the three the
                // renderer adds (Auto-Submitted, X-Plenary-Kind, Content-Language), and the one given.
                let names: Vec<String> = parsed
                    .headers()
                    .iter()
                    .map(|h| h.name().to_ascii_lowercase())
                    .collect();
                prop_assert_eq!(names.len(), 11, "{:?}", names);
                prop_assert!(names.contains(&name.to_ascii_lowercase()), "{:?}", names);
            }
        }
    }
}
