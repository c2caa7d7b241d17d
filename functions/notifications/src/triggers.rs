//! What starts a run in AWS: EventBridge Scheduler (every few minutes), the DynamoDB stream of
//! new outbox entries and of the job's own requests for another run (a run that ends with work
//! left asks for the next at once), and SNS carrying SES bounce and complaint notifications. Each payload is
//! read with the `aws_lambda_events` types.

use std::time::Duration;

use aws_lambda_events::event::dynamodb::Event as StreamEvent;
use aws_lambda_events::event::sns::SnsEvent;
use jiff::Timestamp;
use plenary::domain::Email;
use serde::Deserialize;
use serde_json::{Value, json};

use crate::{App, RunError};

#[derive(Debug, PartialEq, Eq)]
pub enum Trigger {
    Schedule,
    Stream { records: usize },
    Ses(Vec<SesNotice>),
}

/// A bounce or complaint: the addresses to suppress.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SesNotice {
    pub kind: SesNoticeKind,
    pub addresses: Vec<String>,
}

/// The SES notifications that suppress an address; SES's other types are ignored.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SesNoticeKind {
    Bounce,
    Complaint,
}

impl SesNoticeKind {
    /// From SES's `notificationType` (or `eventType`).
    pub fn parse(raw: &str) -> Option<Self> {
        match raw {
            "Bounce" => Some(Self::Bounce),
            "Complaint" => Some(Self::Complaint),
            _ => None,
        }
    }

    /// As SES names it, which is also the suppression's stored reason.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Bounce => "Bounce",
            Self::Complaint => "Complaint",
        }
    }
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct SesMessage {
    notification_type: Option<String>,
    event_type: Option<String>,
    bounce: Option<Bounce>,
    complaint: Option<Complaint>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Bounce {
    bounce_type: String,
    bounced_recipients: Vec<Recipient>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Complaint {
    complained_recipients: Vec<Recipient>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Recipient {
    email_address: String,
}

/// Reads one SES notification (as SNS delivers it): permanent bounces and complaints suppress;
/// transient bounces do not.
pub fn ses_notice(message: &str) -> Option<SesNotice> {
    let m: SesMessage = serde_json::from_str(message).ok()?;
    let kind = SesNoticeKind::parse(&m.notification_type.or(m.event_type)?)?;
    let addresses = match kind {
        SesNoticeKind::Bounce => {
            let b = m.bounce?;
            if b.bounce_type != "Permanent" {
                return None;
            }
            b.bounced_recipients
        }
        SesNoticeKind::Complaint => m.complaint?.complained_recipients,
    };
    Some(SesNotice {
        kind,
        addresses: addresses.into_iter().map(|r| r.email_address).collect(),
    })
}

pub fn classify(payload: &Value) -> Trigger {
    let source = payload["Records"][0]
        .get("EventSource")
        .or_else(|| payload["Records"][0].get("eventSource"))
        .and_then(Value::as_str)
        .unwrap_or("");
    if source == "aws:sns"
        && let Ok(e) = serde_json::from_value::<SnsEvent>(payload.clone())
    {
        return Trigger::Ses(
            e.records
                .iter()
                .filter_map(|r| ses_notice(&r.sns.message))
                .collect(),
        );
    }
    if source == "aws:dynamodb"
        && let Ok(e) = serde_json::from_value::<StreamEvent>(payload.clone())
    {
        return Trigger::Stream {
            records: e.records.len(),
        };
    }
    Trigger::Schedule
}

/// What a run without a usable deadline may take: Lambda always sends one in the future, but a
/// local runtime emulator (`cargo lambda watch`) sends one already past, which would make every
/// run stop before its first email.
pub const NO_DEADLINE_BUDGET: Duration = Duration::from_secs(10);

/// The budget of a run: the time until the runtime's deadline, or `NO_DEADLINE_BUDGET` when that
/// has already passed as the invocation starts.
pub fn budget_until(deadline: std::time::SystemTime, now: std::time::SystemTime) -> Duration {
    match deadline.duration_since(now) {
        Ok(left) if !left.is_zero() => left,
        _ => {
            tracing::warn!("the runtime gave no deadline in the future; running on a short budget");
            NO_DEADLINE_BUDGET
        }
    }
}

/// Handles one invocation; `budget` is the time a job run may take (see [`budget_until`]).
pub async fn handle(app: &App, payload: Value, budget: Duration) -> Result<Value, RunError> {
    let now: Timestamp = app.clock.now();
    match classify(&payload) {
        Trigger::Ses(notices) => {
            let mut suppressed = 0;
            for n in &notices {
                for a in &n.addresses {
                    match Email::parse(a) {
                        Ok(email) => {
                            app.suppressions
                                .suppress(&email, n.kind.as_str(), now)
                                .await?;
                            suppressed += 1;
                        }
                        Err(_) => tracing::warn!("an SES notification named an unusable address"),
                    }
                }
            }
            Ok(json!({"suppressed": suppressed}))
        }
        Trigger::Stream { .. } | Trigger::Schedule => {
            let report = crate::run(app, now, budget).await?;
            let again = report.wants_another_run();
            if again {
                // The next run starts from the stream as soon as this one returns; the
                // function's reserved concurrency of one keeps it from overlapping this one.
                let id = app.tokens.new_id(now.as_millisecond().max(0) as u64);
                app.jobs.request_run(&id, now).await?;
            }
            tracing::info!(
                budget_ms = budget.as_millis() as u64,
                sent = report.sent.len(),
                failed = report.failed,
                more = report.more,
                again,
                "job run"
            );
            // A line of its own, unprefixed, for CloudWatch's metric extraction.
            println!("{}", crate::metrics::emf(&report, now));
            Ok(serde_json::to_value(&report).unwrap_or(Value::Null))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_deadline_in_the_future_is_kept_and_one_already_past_gets_the_short_budget() {
        let now = std::time::SystemTime::now();
        let later = now + Duration::from_secs(300);
        assert_eq!(budget_until(later, now), Duration::from_secs(300));
        assert_eq!(budget_until(now, now), NO_DEADLINE_BUDGET);
        assert_eq!(budget_until(std::time::UNIX_EPOCH, now), NO_DEADLINE_BUDGET);
    }

    #[test]
    fn a_permanent_bounce_names_its_addresses_and_a_transient_one_is_ignored() {
        let permanent = r#"{"notificationType":"Bounce","bounce":{"bounceType":"Permanent",
            "bouncedRecipients":[{"emailAddress":"gone@example.org"}]},"mail":{}}"#;
        assert_eq!(
            ses_notice(permanent).unwrap().addresses,
            ["gone@example.org"]
        );
        let transient = permanent.replace("Permanent", "Transient");
        assert!(ses_notice(&transient).is_none());
    }

    #[test]
    fn a_complaint_suppresses_its_addresses() {
        let c = r#"{"notificationType":"Complaint","complaint":{
            "complainedRecipients":[{"emailAddress":"angry@example.org"}]},"mail":{}}"#;
        assert_eq!(ses_notice(c).unwrap().kind, SesNoticeKind::Complaint);
        assert_eq!(SesNoticeKind::Complaint.as_str(), "Complaint");
        let delivery = c.replace("\"Complaint\"", "\"Delivery\"");
        assert!(ses_notice(&delivery).is_none());
    }

    #[test]
    fn payloads_are_told_apart_by_their_source() {
        let sns = json!({"Records": [{"EventSource": "aws:sns", "EventVersion": "1.0",
            "EventSubscriptionArn": "arn", "Sns": {"Type": "Notification", "MessageId": "m",
            "TopicArn": "arn", "Subject": null, "Message": "{\"notificationType\":\"Complaint\",\"complaint\":{\"complainedRecipients\":[{\"emailAddress\":\"a@b.org\"}]}}",
            "Timestamp": "2021-09-01T00:00:00Z", "SignatureVersion": "1", "Signature": "s",
            "SigningCertUrl": "u", "UnsubscribeUrl": "u", "MessageAttributes": {}}}]});
        assert!(matches!(classify(&sns), Trigger::Ses(n) if n.len() == 1));
        let schedule =
            json!({"version": "0", "detail-type": "Scheduled Event", "source": "aws.scheduler"});
        assert_eq!(classify(&schedule), Trigger::Schedule);
    }
}
