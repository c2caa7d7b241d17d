//! The local stack's mailer: nothing leaves the machine. Every message is kept in memory (served
//! by `GET /_local/outbox`) and, when a directory is given, written there as an `.eml` file that
//! any mail client opens. Tests can make the next sends fail to exercise retries.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::{Arc, Mutex, MutexGuard};

use async_trait::async_trait;
use serde::Serialize;

use super::{MailError, Mailer, MessageKind, OutgoingEmail, SendReceipt, mime};
use crate::Clock;
use crate::domain::{Email, Language};
use crate::token::{OsTokenSource, TokenSource};

/// One message as the mailbox recorded it; serialised as-is by `GET /_local/outbox`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SentMessage {
    /// The mailbox's own id (a ULID), also the `.eml` file's name.
    pub id: String,
    /// The key the message was claimed under.
    pub key: String,
    pub to: Email,
    pub subject: String,
    pub language: Language,
    pub kind: MessageKind,
    pub text: String,
    pub html: Option<String>,
    /// From, To, Subject, Message-ID, Date, Auto-Submitted, X-Plenary-Kind, Content-Language and
    /// the extra headers, decoded.
    pub headers: BTreeMap<String, String>,
    /// RFC 3339, from the injected clock.
    pub sent_at: String,
}

#[derive(Default)]
struct State {
    messages: Vec<SentMessage>,
    failures_left: usize,
    failure: Option<MailError>,
}

pub struct LocalMailbox {
    dir: Option<PathBuf>,
    clock: Arc<dyn Clock>,
    state: Mutex<State>,
}

impl std::fmt::Debug for LocalMailbox {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LocalMailbox")
            .field("dir", &self.dir)
            .field("messages", &self.lock().messages.len())
            .finish_non_exhaustive()
    }
}

impl LocalMailbox {
    /// `dir`: where to write `.eml` files (created when missing); `None` keeps messages in memory
    /// only.
    pub fn new(dir: Option<PathBuf>, clock: Arc<dyn Clock>) -> Self {
        Self {
            dir,
            clock,
            state: Mutex::new(State::default()),
        }
    }

    /// Every message sent so far, oldest first.
    pub fn messages(&self) -> Vec<SentMessage> {
        self.lock().messages.clone()
    }

    /// The next `n` sends fail with `error` and record nothing; replaces any earlier request.
    pub fn fail_next(&self, n: usize, error: MailError) {
        let mut state = self.lock();
        state.failures_left = n;
        state.failure = Some(error);
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        // A panic elsewhere while holding the lock leaves the list intact; keep serving it.
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn injected_failure(&self) -> Option<MailError> {
        let mut state = self.lock();
        if state.failures_left == 0 {
            return None;
        }
        state.failures_left -= 1;
        state.failure.clone()
    }
}

#[async_trait]
impl Mailer for LocalMailbox {
    async fn send(&self, message: &OutgoingEmail) -> Result<SendReceipt, MailError> {
        if let Some(error) = self.injected_failure() {
            return Err(error);
        }
        let now = self.clock.now();
        // Rendered even without a directory, so the local stack refuses what SES would; dated
        // by the injected clock, as `sent_at` is.
        let raw = mime::render_at(message, now)?;
        let now_ms = u64::try_from(now.as_millisecond()).unwrap_or_default();
        let id = OsTokenSource.new_id(now_ms);

        if let Some(dir) = &self.dir {
            let written = async {
                tokio::fs::create_dir_all(dir).await?;
                tokio::fs::write(dir.join(format!("{id}.eml")), &raw).await
            };
            written.await.map_err(|e| {
                MailError::Unavailable(format!("cannot write to the outbox {}: {e}", dir.display()))
            })?;
        }

        let mut headers = BTreeMap::from([
            (
                "From".to_owned(),
                if message.from_name.is_empty() {
                    message.from.to_string()
                } else {
                    format!("{} <{}>", message.from_name, message.from)
                },
            ),
            ("To".to_owned(), message.to.to_string()),
            ("Subject".to_owned(), message.subject.clone()),
            ("Message-ID".to_owned(), mime::message_id(message)),
            ("Date".to_owned(), mime::date_header(now)),
        ]);
        headers.extend(mime::extra_headers(message)?);

        let sent = SentMessage {
            id: id.clone(),
            key: message.key.clone(),
            to: message.to.clone(),
            subject: message.subject.clone(),
            language: message.language,
            kind: message.kind,
            text: message.text.clone(),
            html: message.html.clone(),
            headers,
            sent_at: now.to_string(),
        };
        self.lock().messages.push(sent);
        Ok(SendReceipt { message_id: id })
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use jiff::{SignedDuration, Timestamp};

    use super::*;
    use crate::clock::ManualClock;
    use crate::mail::{Attachment, one_click_unsubscribe};

    fn email(key: &str) -> OutgoingEmail {
        OutgoingEmail {
            key: key.to_owned(),
            from: Email::parse("events@plenary.example.org").unwrap(),
            from_name: "ITU Workshops".to_owned(),
            to: Email::parse("ada@example.org").unwrap(),
            subject: "Vos changements de programme".to_owned(),
            text: "Bonjour".to_owned(),
            html: Some("<p>Bonjour</p>".to_owned()),
            language: Language::Fr,
            kind: MessageKind::ProgrammeChanges,
            headers: one_click_unsubscribe("https://plenary.example.org/u?t=1"),
            attachments: vec![Attachment {
                filename: "programme.ics".to_owned(),
                content_type: "text/calendar; method=PUBLISH; charset=utf-8".to_owned(),
                content: b"BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n".to_vec(),
            }],
        }
    }

    fn clock() -> Arc<ManualClock> {
        Arc::new(ManualClock::at(
            "2021-08-23T08:00:00Z".parse::<Timestamp>().unwrap(),
        ))
    }

    /// A fresh directory under the system temp dir, removed when dropped.
    struct TempDir(PathBuf);

    impl TempDir {
        fn new(name: &str) -> Self {
            let path = std::env::temp_dir().join(format!(
                "plenary-outbox-{name}-{}-{}",
                std::process::id(),
                OsTokenSource.new_id(0)
            ));
            Self(path)
        }
    }

    impl Drop for TempDir {
        fn drop(&mut self) {
            let _ = std::fs::remove_dir_all(&self.0);
        }
    }

    #[tokio::test]
    async fn sent_messages_are_kept_oldest_first_with_the_clock_time() {
        let clock = clock();
        let mailbox = LocalMailbox::new(None, clock.clone());
        let first = mailbox.send(&email("a")).await.unwrap();
        clock.advance(SignedDuration::from_mins(5));
        let second = mailbox.send(&email("b")).await.unwrap();

        let messages = mailbox.messages();
        assert_eq!(messages.len(), 2);
        assert_eq!(messages[0].key, "a");
        assert_eq!(messages[0].id, first.message_id);
        assert_eq!(messages[0].sent_at, "2021-08-23T08:00:00Z");
        assert_eq!(messages[1].key, "b");
        assert_eq!(messages[1].id, second.message_id);
        assert_eq!(messages[1].sent_at, "2021-08-23T08:05:00Z");
        assert_ne!(first.message_id, second.message_id);
    }

    #[tokio::test]
    async fn a_sent_message_serialises_to_the_outbox_route_shape() {
        let mailbox = LocalMailbox::new(None, clock());
        mailbox
            .send(&email("reg-1#programme_changes#1"))
            .await
            .unwrap();
        let json = serde_json::to_value(&mailbox.messages()[0]).unwrap();
        let object = json.as_object().unwrap();
        let mut fields: Vec<&str> = object.keys().map(String::as_str).collect();
        fields.sort_unstable();
        assert_eq!(
            fields,
            [
                "headers", "html", "id", "key", "kind", "language", "sent_at", "subject", "text",
                "to"
            ]
        );
        assert_eq!(json["to"], "ada@example.org");
        assert_eq!(json["key"], "reg-1#programme_changes#1");
        assert_eq!(json["kind"], "programme_changes");
        assert_eq!(json["language"], "fr");
        assert_eq!(json["subject"], "Vos changements de programme");
        assert_eq!(json["text"], "Bonjour");
        assert_eq!(json["html"], "<p>Bonjour</p>");
        assert_eq!(json["sent_at"], "2021-08-23T08:00:00Z");
        let headers = &json["headers"];
        assert_eq!(
            headers["List-Unsubscribe"],
            "<https://plenary.example.org/u?t=1>"
        );
        assert_eq!(
            headers["List-Unsubscribe-Post"],
            "List-Unsubscribe=One-Click"
        );
        assert_eq!(headers["X-Plenary-Kind"], "programme_changes");
        assert_eq!(headers["Content-Language"], "fr");
        assert_eq!(
            headers["From"],
            "ITU Workshops <events@plenary.example.org>"
        );
        assert_eq!(headers["To"], "ada@example.org");
        assert!(headers["Message-ID"].as_str().unwrap().starts_with('<'));

        let mut text_only = email("k2");
        text_only.html = None;
        mailbox.send(&text_only).await.unwrap();
        let json = serde_json::to_value(&mailbox.messages()[1]).unwrap();
        assert!(json["html"].is_null());
    }

    #[tokio::test]
    async fn each_message_is_written_as_an_eml_file_when_a_directory_is_given() {
        let dir = TempDir::new("eml");
        let mailbox = LocalMailbox::new(Some(dir.0.join("nested")), clock());
        let receipt = mailbox.send(&email("a")).await.unwrap();
        let path = dir
            .0
            .join("nested")
            .join(format!("{}.eml", receipt.message_id));
        let text = String::from_utf8(std::fs::read(&path).unwrap()).unwrap();
        assert!(text.contains(&format!("Message-ID: {}", mime::message_id(&email("a")))));
        assert!(text.contains("Subject: Vos changements de programme"));
        assert!(text.contains("List-Unsubscribe: <https://plenary.example.org/u?t=1>"));
        assert!(text.contains("Content-Type: text/calendar"));
    }

    #[tokio::test]
    async fn the_date_header_follows_the_simulated_clock_like_sent_at() {
        let dir = TempDir::new("dated");
        let clock = clock();
        clock.advance(SignedDuration::from_hours(26));
        let mailbox = LocalMailbox::new(Some(dir.0.clone()), clock.clone());
        let sent = mailbox.send(&email("a")).await.unwrap();
        let message = &mailbox.messages()[0];
        assert_eq!(message.sent_at, "2021-08-24T10:00:00Z");
        assert_eq!(message.headers["Date"], "Tue, 24 Aug 2021 10:00:00 +0000");
        assert_eq!(message.headers["Auto-Submitted"], "auto-generated");
        let eml = std::fs::read_to_string(dir.0.join(format!("{}.eml", sent.message_id))).unwrap();
        assert!(
            eml.contains("\r\nDate: Tue, 24 Aug 2021 10:00:00 +0000\r\n"),
            "{eml}"
        );
    }

    #[tokio::test]
    async fn an_unwritable_directory_makes_the_send_fail_without_recording_it() {
        let dir = TempDir::new("blocked");
        std::fs::write(&dir.0, b"a file, not a directory").unwrap();
        let mailbox = LocalMailbox::new(Some(dir.0.clone()), clock());
        assert!(matches!(
            mailbox.send(&email("a")).await,
            Err(MailError::Unavailable(_))
        ));
        assert!(mailbox.messages().is_empty());
        let _ = std::fs::remove_file(&dir.0);
    }

    #[tokio::test]
    async fn injected_failures_fail_the_next_sends_and_then_stop() {
        let mailbox = LocalMailbox::new(None, clock());
        let throttled = MailError::Throttled {
            retry_after: Duration::from_secs(1),
        };
        mailbox.fail_next(2, throttled.clone());
        assert_eq!(mailbox.send(&email("a")).await, Err(throttled.clone()));
        assert_eq!(mailbox.send(&email("a")).await, Err(throttled));
        assert!(mailbox.messages().is_empty());
        mailbox.send(&email("a")).await.unwrap();
        assert_eq!(mailbox.messages().len(), 1);

        mailbox.fail_next(1, MailError::Rejected("no".to_owned()));
        mailbox.fail_next(0, MailError::Rejected("no".to_owned()));
        mailbox.send(&email("b")).await.unwrap();
        assert_eq!(mailbox.messages().len(), 2);
    }

    #[tokio::test]
    async fn a_message_the_renderer_refuses_is_not_recorded() {
        let mailbox = LocalMailbox::new(None, clock());
        let mut bad = email("a");
        bad.subject = "x\r\nBcc: y@example.org".to_owned();
        assert!(matches!(
            mailbox.send(&bad).await,
            Err(MailError::Rejected(_))
        ));
        assert!(mailbox.messages().is_empty());
    }
}
