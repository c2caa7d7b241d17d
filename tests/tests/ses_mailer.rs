//! `SesMailer` against moto's SES emulator: what goes out through `SendRawEmail` is read back from
//! moto's recorded state (`/moto-api/data.json`) and parsed as a mail client would.
//!
//! Needs the emulator: `eval "$(scripts/emulator.sh start)"` sets `PLENARY_TEST_AWS_ENDPOINT`.

use std::time::{SystemTime, UNIX_EPOCH};

use mail_parser::{MessageParser, MimeHeaders};
use plenary::domain::{Email, Language};
use plenary::mail::{
    Attachment, MailError, Mailer, MessageKind, OutgoingEmail, SesMailer, one_click_unsubscribe,
    ses_client,
};
use serde_json::Value;

const ICS: &str = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Plenary//EN\r\nMETHOD:PUBLISH\r\nBEGIN:VEVENT\r\nUID:ai-for-good-2021@plenary\r\nDTSTART:20210823T080000Z\r\nSUMMARY:Atelier / 研讨会 / ورشة\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n";

/// Skipping silently would pass without testing anything, so a missing emulator fails loudly.
fn endpoint() -> String {
    std::env::var("PLENARY_TEST_AWS_ENDPOINT").unwrap_or_else(|_| {
        panic!(
            "PLENARY_TEST_AWS_ENDPOINT is not set: start the emulator with \
             `eval \"$(scripts/emulator.sh start)\"` and run these tests again"
        )
    })
}

/// A local part no other test (or earlier run against the same emulator) uses.
fn unique(prefix: &str) -> String {
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or_default();
    format!("{prefix}-{}-{nanos}", std::process::id())
}

fn message(from: &str, to: &str) -> OutgoingEmail {
    OutgoingEmail {
        key: format!("{to}#reminder#2021-08-23"),
        from: Email::parse(from).unwrap(),
        from_name: "ITU Workshops".to_owned(),
        to: Email::parse(to).unwrap(),
        subject: "提醒：您的研讨会明天开始".to_owned(),
        text: "您好，明天见。\nSee you tomorrow.".to_owned(),
        html: Some("<p>您好，明天见。</p><p>See you tomorrow.</p>".to_owned()),
        language: Language::Zh,
        kind: MessageKind::Reminder,
        headers: one_click_unsubscribe("https://plenary.example.org/unsubscribe?t=abc"),
        attachments: vec![Attachment {
            filename: "workshop.ics".to_owned(),
            content_type: "text/calendar; method=PUBLISH; charset=utf-8".to_owned(),
            content: ICS.as_bytes().to_vec(),
        }],
    }
}

/// Every `raw_data` moto recorded for `SendRawEmail`, in any account and region.
async fn recorded_raw_messages(endpoint: &str) -> Vec<String> {
    let state: Value = reqwest::get(format!("{endpoint}/moto-api/data.json"))
        .await
        .expect("moto's state is reachable")
        .error_for_status()
        .expect("moto's state is served")
        .json()
        .await
        .expect("moto's state is JSON");
    let mut found = Vec::new();
    collect_raw_data(&state["ses"], &mut found);
    found
}

/// The nesting under `ses` (account, region, model) differs between moto versions; look for the
/// `RawMessage` lists wherever they are.
fn collect_raw_data(value: &Value, found: &mut Vec<String>) {
    match value {
        Value::Object(map) => {
            for (key, child) in map {
                if key == "RawMessage" {
                    if let Some(entries) = child.as_array() {
                        found.extend(
                            entries
                                .iter()
                                .filter_map(|e| e["raw_data"].as_str())
                                .map(str::to_owned),
                        );
                    }
                } else {
                    collect_raw_data(child, found);
                }
            }
        }
        Value::Array(items) => items.iter().for_each(|i| collect_raw_data(i, found)),
        _ => {}
    }
}

#[tokio::test]
async fn a_raw_message_reaches_ses_with_both_parts_and_the_calendar() {
    let endpoint = endpoint();
    let client = ses_client(Some(&endpoint)).await;
    let from = format!("{}@plenary.example.org", unique("sender"));
    let to = format!("{}@example.org", unique("ada"));
    client
        .verify_email_identity()
        .email_address(&from)
        .send()
        .await
        .expect("moto verifies the sender");

    let mailer = SesMailer::new(client, None);
    let receipt = mailer
        .send(&message(&from, &to))
        .await
        .expect("SES accepts the message");
    assert!(!receipt.message_id.is_empty());

    let recorded = recorded_raw_messages(&endpoint).await;
    let raw = recorded
        .iter()
        .find(|raw| raw.contains(&from) && raw.contains(&to))
        .unwrap_or_else(|| panic!("no recorded message from {from} to {to} in {recorded:#?}"));
    let parsed = MessageParser::default()
        .parse(raw.as_bytes())
        .expect("the recorded message parses");

    let sender = parsed.from().and_then(|a| a.first()).expect("a From");
    assert_eq!(sender.address(), Some(from.as_str()));
    assert_eq!(sender.name(), Some("ITU Workshops"));
    assert_eq!(
        parsed
            .to()
            .and_then(|a| a.first())
            .and_then(|a| a.address()),
        Some(to.as_str())
    );
    assert_eq!(parsed.subject(), Some("提醒：您的研讨会明天开始"));
    for (name, value) in [
        (
            "List-Unsubscribe",
            "<https://plenary.example.org/unsubscribe?t=abc>",
        ),
        ("List-Unsubscribe-Post", "List-Unsubscribe=One-Click"),
        ("X-Plenary-Kind", "reminder"),
        ("Content-Language", "zh"),
    ] {
        assert_eq!(
            parsed.header_raw(name).map(str::trim),
            Some(value),
            "{name}"
        );
    }

    let text = parsed.body_text(0).expect("a text part");
    assert_eq!(
        text.replace("\r\n", "\n").trim_end(),
        "您好，明天见。\nSee you tomorrow."
    );
    let html = parsed.body_html(0).expect("an HTML part");
    assert_eq!(
        html.trim_end(),
        "<p>您好，明天见。</p><p>See you tomorrow.</p>"
    );

    assert_eq!(parsed.attachment_count(), 1);
    let calendar = parsed.attachment(0).expect("the calendar");
    assert_eq!(calendar.attachment_name(), Some("workshop.ics"));
    let content_type = calendar.content_type().expect("a content type");
    assert_eq!(
        (content_type.ctype(), content_type.subtype()),
        ("text", Some("calendar"))
    );
    assert_eq!(content_type.attribute("method"), Some("PUBLISH"));
    assert_eq!(calendar.contents(), ICS.as_bytes());
}

#[tokio::test]
async fn an_unverified_sender_is_rejected_not_retried() {
    let endpoint = endpoint();
    let mailer = SesMailer::new(ses_client(Some(&endpoint)).await, None);
    let from = format!("{}@plenary.example.org", unique("unverified"));
    let to = format!("{}@example.org", unique("ada"));

    match mailer.send(&message(&from, &to)).await {
        Err(MailError::Rejected(why)) => {
            assert!(
                why.contains("MessageRejected"),
                "the reason names the code: {why}"
            );
        }
        other => panic!("expected a rejection, got {other:?}"),
    }
    let recorded = recorded_raw_messages(&endpoint).await;
    assert!(!recorded.iter().any(|raw| raw.contains(&from)));
}

#[tokio::test]
async fn the_account_send_rate_is_read_from_ses_and_an_unreachable_ses_reports_none() {
    let mailer = SesMailer::new(ses_client(Some(&endpoint())).await, None);
    // moto reports a sandbox account's quota: one message a second.
    assert_eq!(mailer.max_send_rate().await, Some(1.0));
    // Nothing listens on port 9 of loopback: the job keeps its configured ceiling then.
    let gone = SesMailer::new(ses_client(Some("http://127.0.0.1:9")).await, None);
    assert_eq!(gone.max_send_rate().await, None);
}
