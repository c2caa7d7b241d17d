//! Writes every email Plenary sends, of every kind in every language, as `.eml` files into the
//! folder given, for checkers nobody here wrote (`scripts/mail-check.sh`: Python's `email`
//! parser and SpamAssassin). Built as the notifications function builds them: the templates,
//! the links the function puts in (the website's pages, the API's one-click unsubscribe), the
//! calendar attachment of a digest, and the MIME renderer.

use std::path::PathBuf;

use jiff::Timestamp;
use jiff::tz::TimeZone;
use plenary::domain::{ChangeKind, Email, Language};
use plenary::mail::templates::{
    self, ChangeLine, Content, EventFacts, Message, format_instant, zone_label,
};
use plenary::mail::{Attachment, MessageKind, OutgoingEmail, mime, one_click_unsubscribe};

const SITE: &str = "https://workshops.example.org";
const API: &str = "https://api.workshops.example.org";
const TOKEN: &str = "q7bXo4kLr2Wm9Tn5Vc8Hy3Jd6Fs1Ga0PuZe4Rt8Yw2";
const EVENT: &str = "qos-workshop-2021";

fn at(s: &str) -> Timestamp {
    s.parse().expect("a fixed instant")
}

fn facts(language: Language) -> EventFacts {
    let tz = TimeZone::get("Europe/Zurich").expect("tzdb knows Zurich");
    EventFacts {
        title: "ITU Workshop on Performance, Quality of Service and Quality of Experience"
            .to_owned(),
        starts_local: format_instant(at("2021-09-08T12:00:00Z"), &tz, language),
        ends_local: format_instant(at("2021-09-09T14:30:00Z"), &tz, language),
        zone_name: "Europe/Zurich".to_owned(),
        zone_label: zone_label(at("2021-09-08T12:00:00Z"), &tz),
    }
}

fn content(kind: MessageKind, language: Language) -> Content {
    let tz = TimeZone::get("Europe/Zurich").expect("tzdb knows Zurich");
    let manage_url = format!("{SITE}/registration/manage?token={TOKEN}");
    let join_url = Some(format!("{API}/v1/join/{TOKEN}"));
    let time = |s: &str| format_instant(at(s), &tz, language);
    match kind {
        MessageKind::Confirmation => Content::Confirmation {
            confirm_url: format!("{SITE}/registration/confirm?token={TOKEN}"),
            expires_local: time("2021-08-25T08:00:00Z"),
        },
        MessageKind::ManageLink => Content::ManageLink { manage_url },
        MessageKind::Promotion => Content::Promotion { manage_url },
        MessageKind::Approval => Content::Approval { manage_url },
        MessageKind::Rejection => Content::Rejection,
        MessageKind::JoinLink => Content::JoinLink {
            manage_url,
            join_url,
        },
        MessageKind::Reminder => Content::Reminder {
            lead: String::new(),
            offset: "PT1H".to_owned(),
            manage_url,
            join_url,
            passcode: Some("842913".to_owned()),
            venue: None,
        },
        MessageKind::ProgrammeChanges => Content::ProgrammeChanges {
            changes: vec![
                ChangeLine {
                    change: ChangeKind::Moved,
                    title: "Opening session".to_owned(),
                    before: Some(time("2021-09-08T12:00:00Z")),
                    after: Some(time("2021-09-08T12:30:00Z")),
                    new_materials: Vec::new(),
                },
                ChangeLine {
                    change: ChangeKind::Added,
                    title: "Panel: measuring quality of experience".to_owned(),
                    before: None,
                    after: Some(time("2021-09-09T12:00:00Z")),
                    new_materials: Vec::new(),
                },
            ],
            programme_url: format!("{SITE}/events/{EVENT}"),
        },
        MessageKind::Announcement => Content::Announcement {
            subject: "The workshop's documents are online".to_owned(),
            body: "The presentations of the first day are now on the workshop's page.\n\
                   The second day starts at the same time.\n\nWe look forward to seeing you."
                .to_owned(),
        },
        MessageKind::OrganiserSignIn => Content::OrganiserSignIn {
            sign_in_url: format!("{SITE}/admin/sign-in?token={TOKEN}"),
            valid_minutes: 15,
        },
    }
}

const CALENDAR: &str = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Plenary//Plenary//EN\r\n\
    METHOD:PUBLISH\r\nBEGIN:VEVENT\r\nUID:qos-workshop-2021-opening@plenary\r\n\
    DTSTAMP:20210823T080000Z\r\nDTSTART:20210908T123000Z\r\nDTEND:20210908T130000Z\r\n\
    SEQUENCE:1\r\nSUMMARY:Opening session\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n";

fn main() {
    let dir = PathBuf::from(
        std::env::args()
            .nth(1)
            .expect("usage: mail_samples <folder>"),
    );
    std::fs::create_dir_all(&dir).expect("the folder can be made");
    let from = Email::parse("events@workshops.example.org").expect("a good address");
    let to = Email::parse("participant@example.org").expect("a good address");
    let mut written = 0;
    for language in Language::ALL {
        for kind in MessageKind::ALL {
            let event = facts(language);
            let content = content(kind, language);
            let page = format!(
                "{SITE}/unsubscribe?token={TOKEN}&lang={}&event={EVENT}",
                language.code()
            );
            let optional = kind.is_optional();
            let rendered = templates::render(&Message {
                kind,
                language,
                recipient_name: "Ada Lovelace",
                event: kind.is_about_an_event().then_some(&event),
                content: &content,
                unsubscribe_url: optional.then_some(page.as_str()),
            })
            .unwrap_or_else(|e| panic!("{e}"));
            let email = OutgoingEmail {
                key: format!("sample#{}#{}", kind.code(), language.code()),
                from: from.clone(),
                from_name: "ITU Workshops".to_owned(),
                to: to.clone(),
                subject: rendered.subject,
                text: rendered.text,
                html: Some(rendered.html),
                language,
                kind,
                headers: if optional {
                    one_click_unsubscribe(&format!("{API}/v1/unsubscribe?token={TOKEN}"))
                } else {
                    Vec::new()
                },
                attachments: if kind == MessageKind::ProgrammeChanges {
                    vec![Attachment {
                        filename: "programme.ics".to_owned(),
                        content_type: "text/calendar; method=PUBLISH; charset=utf-8".to_owned(),
                        content: CALENDAR.as_bytes().to_vec(),
                    }]
                } else {
                    Vec::new()
                },
            };
            let raw = mime::render_at(&email, at("2021-08-23T08:00:00Z"))
                .unwrap_or_else(|e| panic!("{e}"));
            let path = dir.join(format!("{}-{}.eml", kind.code(), language.code()));
            std::fs::write(&path, raw).expect("the file can be written");
            written += 1;
        }
    }
    println!("{written} messages in {}", dir.display());
}
