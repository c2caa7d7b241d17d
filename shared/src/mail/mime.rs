//! Turns an [`OutgoingEmail`] into a raw RFC 5322 message with lettre's builder, so encoding
//! (RFC 2047 subjects, quoted-printable/base64 bodies, boundaries, folding) is never hand-written.

use std::time::SystemTime;

use jiff::Timestamp;
use lettre::Message;
use lettre::message::header::{self, ContentType, HeaderName, HeaderValue};
use lettre::message::{Attachment as MimeAttachment, Mailbox, MultiPart, SinglePart};
use sha2::{Digest, Sha256};

use super::{MailError, OutgoingEmail};

/// Headers that [`render`] writes itself; an extra header with one of these names would make a
/// second, contradictory copy (or add recipients), so it is refused.
const OWN_HEADERS: [&str; 15] = [
    "from",
    "sender",
    "to",
    "cc",
    "bcc",
    "subject",
    "message-id",
    "date",
    "mime-version",
    "content-type",
    "content-transfer-encoding",
    "content-language",
    "x-plenary-kind",
    "return-path",
    "auto-submitted",
];

/// The raw message, ready for SES `SendRawEmail` or an `.eml` file, dated now by the wall clock.
/// See [`render_at`].
pub fn render(msg: &OutgoingEmail) -> Result<Vec<u8>, MailError> {
    render_at(msg, Timestamp::now())
}

/// The raw message with its `Date:` at `at`: the local stack passes its injected clock, so the
/// header agrees with the outbox's `sent_at` under a simulated clock.
///
/// Refuses ([`MailError::Rejected`]) what would never be a sound message: control characters in
/// the subject, display name, header names or values (CR/LF would inject headers), an extra header
/// that clashes with one written here, or an unparsable attachment content type.
pub fn render_at(msg: &OutgoingEmail, at: Timestamp) -> Result<Vec<u8>, MailError> {
    let from = Mailbox::new(
        (!msg.from_name.is_empty()).then(|| msg.from_name.clone()),
        address(msg.from.as_str())?,
    );
    let to = Mailbox::new(None, address(msg.to.as_str())?);
    check_text("the display name", &msg.from_name)?;
    check_text("the subject", &msg.subject)?;

    let mut builder = Message::builder()
        .from(from)
        .to(to)
        .subject(msg.subject.clone())
        .date(SystemTime::from(at))
        .message_id(Some(message_id(msg)));
    if let Some(quoted) = quoted_from(&msg.from_name, msg.from.as_str()) {
        // Written as it is: lettre would base64-encode an ASCII name holding a parenthesis,
        // which spam filters hold against the sender (SpamAssassin's FROM_EXCESS_BASE64).
        builder = builder.raw_header(HeaderValue::dangerous_new_pre_encoded(
            HeaderName::new_from_ascii_str("From"),
            quoted.clone(),
            quoted,
        ));
    }
    for (name, value) in extra_headers(msg)? {
        builder = builder.raw_header(raw_header(&name, value)?);
    }

    let body = match &msg.html {
        Some(html) => MultiPart::alternative_plain_html(msg.text.clone(), html.clone()),
        None => MultiPart::alternative().singlepart(SinglePart::plain(msg.text.clone())),
    };
    let message = if msg.attachments.is_empty() {
        builder.multipart(body)
    } else {
        let mut mixed = MultiPart::mixed().multipart(body);
        for attachment in &msg.attachments {
            check_text("an attachment filename", &attachment.filename)?;
            let content_type = ContentType::parse(&attachment.content_type).map_err(|e| {
                MailError::Rejected(format!(
                    "the attachment content type {:?} is invalid: {e}",
                    attachment.content_type
                ))
            })?;
            mixed = mixed.singlepart(
                MimeAttachment::new(attachment.filename.clone())
                    .body(attachment.content.clone(), content_type),
            );
        }
        builder.multipart(mixed)
    }
    .map_err(|e| MailError::Rejected(format!("the message cannot be built: {e}")))?;
    Ok(message.formatted())
}

/// The `Date:` header's value for a message sent at `at`, as [`render_at`] writes it.
pub fn date_header(at: Timestamp) -> String {
    let mut headers = header::Headers::new();
    headers.set(header::Date::new(SystemTime::from(at)));
    headers.get_raw("Date").unwrap_or_default().to_owned()
}

/// `"Name" <address>` for a display name of printable ASCII, quoted (with `\` and `"` escaped)
/// rather than RFC 2047-encoded; `None` (lettre encodes it) for any other name, a non-ASCII
/// address, or a header too long for one line.
fn quoted_from(name: &str, address: &str) -> Option<String> {
    let printable = |s: &str| s.bytes().all(|b| (0x20..=0x7e).contains(&b));
    if name.is_empty() || !printable(name) || !printable(address) {
        return None;
    }
    let escaped = name.replace('\\', "\\\\").replace('"', "\\\"");
    let value = format!("\"{escaped}\" <{address}>");
    // 78 characters a line, "From: " included (RFC 5322 2.1.1); longer names are folded by lettre.
    (value.len() + "From: ".len() <= 78).then_some(value)
}

/// The message-level headers [`render`] writes besides From, To, Subject and Date, in order,
/// decoded: `Auto-Submitted`, `X-Plenary-Kind`, `Content-Language`, then the message's extra
/// headers.
pub fn extra_headers(msg: &OutgoingEmail) -> Result<Vec<(String, String)>, MailError> {
    let mut headers = vec![
        // RFC 3834: every message is sent by the system, so auto-responders must not answer it.
        ("Auto-Submitted".to_owned(), "auto-generated".to_owned()),
        ("X-Plenary-Kind".to_owned(), msg.kind.code().to_owned()),
        (
            "Content-Language".to_owned(),
            msg.language.code().to_owned(),
        ),
    ];
    for (name, value) in &msg.headers {
        check_header_name(name)?;
        check_text(&format!("the header {name}"), value)?;
        if OWN_HEADERS.iter().any(|own| own.eq_ignore_ascii_case(name)) {
            return Err(MailError::Rejected(format!(
                "the header {name} is set by the renderer and cannot be given"
            )));
        }
        headers.push((name.clone(), value.clone()));
    }
    Ok(headers)
}

/// Derived from the message key, so a retried send of the same message carries the same id and
/// mail clients can recognise the duplicate.
pub fn message_id(msg: &OutgoingEmail) -> String {
    let digest = Sha256::digest(msg.key.as_bytes());
    let hex: String = digest.iter().take(16).map(|b| format!("{b:02x}")).collect();
    let domain = msg.from.as_str().rsplit('@').next().unwrap_or_default();
    // An id-right must be ASCII; an internationalised sender domain falls back to a fixed one.
    let domain = if domain.is_ascii() && !domain.is_empty() {
        domain
    } else {
        "plenary.invalid"
    };
    format!("<{hex}@{domain}>")
}

fn address(raw: &str) -> Result<lettre::Address, MailError> {
    raw.parse()
        .map_err(|e| MailError::Rejected(format!("the address cannot be used in a message: {e}")))
}

fn raw_header(name: &str, value: String) -> Result<HeaderValue, MailError> {
    let name = HeaderName::new_from_ascii(name.to_owned())
        .map_err(|_| MailError::Rejected(format!("{name:?} is not a valid header name")))?;
    // `new` (not the pre-encoded variant) folds and RFC 2047-encodes non-ASCII values.
    Ok(HeaderValue::new(name, value))
}

/// RFC 5322 field names: printable ASCII except the colon.
fn check_header_name(name: &str) -> Result<(), MailError> {
    if name.is_empty() || !name.bytes().all(|b| (33..=126).contains(&b) && b != b':') {
        return Err(MailError::Rejected(format!(
            "{name:?} is not a valid header name"
        )));
    }
    Ok(())
}

/// Single-line text: a CR or LF would end the header and start another one.
fn check_text(what: &str, value: &str) -> Result<(), MailError> {
    if value.chars().any(char::is_control) {
        return Err(MailError::Rejected(format!(
            "{what} must not contain line breaks or control characters"
        )));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use mail_parser::{MessageParser, MimeHeaders};

    use super::*;
    use crate::domain::{Email, Language};
    use crate::mail::{Attachment, MessageKind, one_click_unsubscribe};

    const ICS: &str = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Plenary//EN\r\nMETHOD:PUBLISH\r\nBEGIN:VEVENT\r\nUID:ws-1@plenary\r\nSUMMARY:Atelier\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n";

    fn email() -> OutgoingEmail {
        OutgoingEmail {
            key: "reg-1#reminder#2021-08-23".to_owned(),
            from: Email::parse("events@plenary.example.org").unwrap(),
            from_name: "ITU Workshops".to_owned(),
            to: Email::parse("ada@example.org").unwrap(),
            subject: "Reminder: your workshop starts tomorrow".to_owned(),
            text: "Hello Ada,\nsee you tomorrow.".to_owned(),
            html: Some("<p>Hello Ada,</p><p>see you tomorrow.</p>".to_owned()),
            language: Language::En,
            kind: MessageKind::Reminder,
            headers: one_click_unsubscribe("https://plenary.example.org/unsubscribe?t=abc"),
            attachments: vec![],
        }
    }

    fn with_calendar(mut msg: OutgoingEmail) -> OutgoingEmail {
        msg.attachments.push(Attachment {
            filename: "workshop.ics".to_owned(),
            content_type: "text/calendar; method=PUBLISH; charset=utf-8".to_owned(),
            content: ICS.as_bytes().to_vec(),
        });
        msg
    }

    fn parse(raw: &[u8]) -> mail_parser::Message<'_> {
        MessageParser::default()
            .parse(raw)
            .expect("the rendered message parses")
    }

    /// The text part as written: bodies travel with CRLF line ends (RFC 5322 canonical form).
    fn plain(parsed: &mail_parser::Message<'_>) -> String {
        let text = parsed.body_text(0).expect("a text part");
        text.replace("\r\n", "\n").trim_end().to_owned()
    }

    #[test]
    fn the_envelope_headers_and_extra_headers_are_written() {
        let raw = render(&email()).unwrap();
        let parsed = parse(&raw);
        let from = parsed.from().unwrap().first().unwrap();
        assert_eq!(from.name(), Some("ITU Workshops"));
        assert_eq!(from.address(), Some("events@plenary.example.org"));
        assert_eq!(
            parsed.to().unwrap().first().unwrap().address(),
            Some("ada@example.org")
        );
        assert_eq!(
            parsed.subject(),
            Some("Reminder: your workshop starts tomorrow")
        );
        assert_eq!(
            parsed.message_id(),
            Some(message_id(&email()).trim_matches(['<', '>']))
        );
        let header = |name| parsed.header_raw(name).map(str::trim);
        assert_eq!(
            header("List-Unsubscribe"),
            Some("<https://plenary.example.org/unsubscribe?t=abc>")
        );
        assert_eq!(
            header("List-Unsubscribe-Post"),
            Some("List-Unsubscribe=One-Click")
        );
        assert_eq!(header("X-Plenary-Kind"), Some("reminder"));
        assert_eq!(header("Content-Language"), Some("en"));
        assert!(header("Date").is_some());
    }

    #[test]
    fn the_message_id_follows_the_key() {
        let a = message_id(&email());
        assert_eq!(a, message_id(&email()));
        assert!(a.starts_with('<') && a.ends_with("@plenary.example.org>"));
        let mut other = email();
        other.key = "reg-2#reminder#2021-08-23".to_owned();
        assert_ne!(a, message_id(&other));
    }

    #[test]
    fn text_and_html_are_alternatives_in_utf8() {
        let raw = render(&email()).unwrap();
        let parsed = parse(&raw);
        let root = parsed.root_part().content_type().unwrap();
        assert_eq!(root.ctype(), "multipart");
        assert_eq!(root.subtype(), Some("alternative"));
        assert_eq!(plain(&parsed), "Hello Ada,\nsee you tomorrow.");
        assert_eq!(
            parsed.body_html(0).unwrap().trim_end(),
            "<p>Hello Ada,</p><p>see you tomorrow.</p>"
        );
        for part in [parsed.text_part(0).unwrap(), parsed.html_part(0).unwrap()] {
            let ct = part.content_type().unwrap();
            assert_eq!(
                ct.attribute("charset").map(str::to_lowercase),
                Some("utf-8".to_owned())
            );
        }
        assert_eq!(parsed.attachment_count(), 0);
    }

    #[test]
    fn a_text_only_message_has_no_html_part() {
        let mut msg = email();
        msg.html = None;
        let raw = render(&msg).unwrap();
        let parsed = parse(&raw);
        assert_eq!(
            parsed.html_body_count(),
            1,
            "mail-parser derives one from text"
        );
        assert!(!String::from_utf8_lossy(&raw).contains("text/html"));
        assert_eq!(plain(&parsed), "Hello Ada,\nsee you tomorrow.");
    }

    #[test]
    fn an_attachment_wraps_the_alternatives_in_a_mixed_part() {
        let raw = render(&with_calendar(email())).unwrap();
        let parsed = parse(&raw);
        let root = parsed.root_part().content_type().unwrap();
        assert_eq!(root.subtype(), Some("mixed"));
        assert_eq!(plain(&parsed), "Hello Ada,\nsee you tomorrow.");
        assert!(parsed.body_html(0).unwrap().contains("<p>Hello Ada,</p>"));
        assert_eq!(parsed.attachment_count(), 1);
        let ics = parsed.attachment(0).unwrap();
        assert_eq!(ics.attachment_name(), Some("workshop.ics"));
        let ct = ics.content_type().unwrap();
        assert_eq!((ct.ctype(), ct.subtype()), ("text", Some("calendar")));
        assert_eq!(ct.attribute("method"), Some("PUBLISH"));
        assert_eq!(ics.contents(), ICS.as_bytes());
    }

    #[test]
    fn arabic_and_chinese_subjects_and_bodies_round_trip() {
        for (language, subject, text, html) in [
            (
                Language::Ar,
                "تذكير: تبدأ ورشة العمل غدًا",
                "مرحبًا، نراكم غدًا.",
                "<p dir=\"rtl\">مرحبًا، نراكم غدًا.</p>",
            ),
            (
                Language::Zh,
                "提醒：您的研讨会明天开始",
                "您好，明天见。",
                "<p>您好，明天见。</p>",
            ),
        ] {
            let mut msg = with_calendar(email());
            msg.language = language;
            msg.subject = subject.to_owned();
            msg.from_name = "国际电联 / الاتحاد".to_owned();
            msg.text = text.to_owned();
            msg.html = Some(html.to_owned());
            let raw = render(&msg).unwrap();
            let head = String::from_utf8_lossy(&raw);
            let head = head.split("\r\n\r\n").next().unwrap();
            assert!(head.is_ascii(), "headers are encoded: {head}");
            assert!(head.lines().all(|l| l.len() <= 998));
            let parsed = parse(&raw);
            assert_eq!(parsed.subject(), Some(subject));
            assert_eq!(
                parsed.from().unwrap().first().unwrap().name(),
                Some("国际电联 / الاتحاد")
            );
            assert_eq!(plain(&parsed), text);
            assert_eq!(parsed.body_html(0).unwrap().trim_end(), html);
            assert_eq!(
                parsed.header_raw("Content-Language").map(str::trim),
                Some(language.code())
            );
        }
    }

    #[test]
    fn a_header_value_with_a_line_break_cannot_inject_a_header() {
        for value in [
            "<https://x.example.org/u>\r\nBcc: victim@example.org",
            "<https://x.example.org/u>\nBcc: victim@example.org",
            "<https://x.example.org/u>\rBcc: victim@example.org",
        ] {
            let mut msg = email();
            msg.headers = vec![("List-Unsubscribe".to_owned(), value.to_owned())];
            assert!(matches!(render(&msg), Err(MailError::Rejected(_))));
        }
        let mut msg = email();
        msg.subject = "Hello\r\nBcc: victim@example.org".to_owned();
        assert!(matches!(render(&msg), Err(MailError::Rejected(_))));
        let mut msg = email();
        msg.from_name = "Ops\r\nBcc: victim@example.org".to_owned();
        assert!(matches!(render(&msg), Err(MailError::Rejected(_))));
        let mut msg = email();
        msg.headers = vec![("X-A\r\nBcc".to_owned(), "v".to_owned())];
        assert!(matches!(render(&msg), Err(MailError::Rejected(_))));
    }

    #[test]
    fn an_extra_header_cannot_replace_one_the_renderer_writes() {
        for name in ["Bcc", "to", "Subject", "Content-Type", "X-Plenary-Kind"] {
            let mut msg = email();
            msg.headers = vec![(name.to_owned(), "x@example.org".to_owned())];
            assert!(
                matches!(render(&msg), Err(MailError::Rejected(_))),
                "{name} was accepted"
            );
        }
    }

    #[test]
    fn a_malformed_attachment_type_is_rejected() {
        let mut msg = with_calendar(email());
        msg.attachments[0].content_type = "not a type".to_owned();
        assert!(matches!(render(&msg), Err(MailError::Rejected(_))));
    }

    fn raw_header_line(raw: &[u8], name: &str) -> String {
        let text = String::from_utf8_lossy(raw);
        text.lines()
            .find(|l| l.starts_with(&format!("{name}: ")))
            .unwrap_or_else(|| panic!("no {name} in {text}"))
            .to_owned()
    }

    #[test]
    fn every_message_says_it_was_auto_generated() {
        for kind in MessageKind::ALL {
            let mut msg = email();
            msg.kind = kind;
            let raw = render(&msg).unwrap();
            assert_eq!(
                parse(&raw).header_raw("Auto-Submitted").map(str::trim),
                Some("auto-generated"),
                "{}",
                kind.code()
            );
        }
        // It is the renderer's: a second, contradictory copy is refused.
        let mut msg = email();
        msg.headers
            .push(("Auto-Submitted".to_owned(), "no".to_owned()));
        assert!(matches!(render(&msg), Err(MailError::Rejected(_))));
    }

    #[test]
    fn an_ascii_display_name_is_quoted_not_base64_encoded() {
        let mut msg = email();
        msg.from_name = "Plenary (local)".to_owned();
        let raw = render(&msg).unwrap();
        assert_eq!(
            raw_header_line(&raw, "From"),
            "From: \"Plenary (local)\" <events@plenary.example.org>"
        );
        assert_eq!(
            parse(&raw).from().unwrap().first().unwrap().name(),
            Some("Plenary (local)")
        );
        // Quotes and backslashes are escaped inside the quoted string.
        msg.from_name = r#"The "ITU" \ TSB"#.to_owned();
        let raw = render(&msg).unwrap();
        assert_eq!(
            raw_header_line(&raw, "From"),
            r#"From: "The \"ITU\" \\ TSB" <events@plenary.example.org>"#
        );
        assert_eq!(
            parse(&raw).from().unwrap().first().unwrap().name(),
            Some(r#"The "ITU" \ TSB"#)
        );
        // A name beyond ASCII still needs RFC 2047, and reads back the same.
        msg.from_name = "Atelier de l’UIT".to_owned();
        let raw = render(&msg).unwrap();
        assert!(raw_header_line(&raw, "From").contains("=?utf-8?"));
        assert_eq!(
            parse(&raw).from().unwrap().first().unwrap().name(),
            Some("Atelier de l’UIT")
        );
    }

    #[test]
    fn the_date_header_is_the_instant_given_not_the_wall_clock() {
        let at: Timestamp = "2021-08-23T08:00:00Z".parse().unwrap();
        let raw = render_at(&email(), at).unwrap();
        assert_eq!(
            raw_header_line(&raw, "Date"),
            "Date: Mon, 23 Aug 2021 08:00:00 +0000"
        );
        assert_eq!(date_header(at), "Mon, 23 Aug 2021 08:00:00 +0000");
        let parsed = parse(&raw);
        assert_eq!(parsed.date().unwrap().to_timestamp(), at.as_second());
    }
}
