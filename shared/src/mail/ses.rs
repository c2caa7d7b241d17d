//! The SES adapter: renders the message and sends it with `SendRawEmail` (the only SES call that
//! takes custom headers and attachments). SDK errors are translated here, so nothing above the
//! port sees an AWS type.

use std::time::Duration;

use async_trait::async_trait;
use aws_sdk_ses::error::{DisplayErrorContext, ProvideErrorMetadata, SdkError};
use aws_sdk_ses::primitives::Blob;
use aws_sdk_ses::types::RawMessage;

use super::{MailError, Mailer, OutgoingEmail, SendReceipt, mime};

/// How long to wait after SES says we are sending too fast: its rate limit is per second.
const THROTTLE_PAUSE: Duration = Duration::from_secs(1);

#[derive(Debug, Clone)]
pub struct SesMailer {
    client: aws_sdk_ses::Client,
    configuration_set: Option<String>,
}

impl SesMailer {
    /// `configuration_set`: the SES configuration set whose event destinations receive this
    /// mail's bounces and complaints, when there is one.
    pub fn new(client: aws_sdk_ses::Client, configuration_set: Option<String>) -> Self {
        Self {
            client,
            configuration_set,
        }
    }

    /// The account's maximum send rate (messages a second) as SES reports it (`GetSendQuota`):
    /// 1 in the sandbox, more once out of it. None when SES cannot say; the caller keeps its
    /// own ceiling then, and throttling still backs off.
    pub async fn max_send_rate(&self) -> Option<f64> {
        match self.client.get_send_quota().send().await {
            Ok(quota) => Some(quota.max_send_rate()).filter(|r| *r > 0.0),
            Err(e) => {
                tracing::warn!(error = %DisplayErrorContext(&e), "SES did not report the send quota");
                None
            }
        }
    }
}

#[async_trait]
impl Mailer for SesMailer {
    async fn send(&self, message: &OutgoingEmail) -> Result<SendReceipt, MailError> {
        let raw = RawMessage::builder()
            .data(Blob::new(mime::render(message)?))
            .build()
            .map_err(|e| MailError::Rejected(format!("the raw message is incomplete: {e}")))?;
        let output = self
            .client
            .send_raw_email()
            .source(message.from.as_str())
            .destinations(message.to.as_str())
            .raw_message(raw)
            .set_configuration_set_name(self.configuration_set.clone())
            .send()
            .await
            .map_err(translate)?;
        Ok(SendReceipt {
            message_id: output.message_id().to_owned(),
        })
    }
}

/// An SES client for `endpoint` (an emulator) or, without one, for AWS with the default credential
/// chain; region and credentials as `aws::sdk_config` sets them.
pub async fn ses_client(endpoint: Option<&str>) -> aws_sdk_ses::Client {
    let sdk = crate::aws::sdk_config(endpoint).await;
    let mut config = aws_sdk_ses::config::Builder::from(&sdk);
    if let Some(xray) = crate::xray::Subsegments::from_env() {
        config = config.interceptor(xray);
    }
    aws_sdk_ses::Client::from_conf(config.build())
}

fn translate<E>(err: SdkError<E>) -> MailError
where
    E: ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
{
    match &err {
        SdkError::ServiceError(service) => classify(
            Some(service.raw().status().as_u16()),
            service.err().code(),
            service.err().message(),
        ),
        // The request could not be built: sending it again will not help.
        SdkError::ConstructionFailure(_) => {
            MailError::Rejected(DisplayErrorContext(&err).to_string())
        }
        // Timeouts, connection failures, unreadable responses: may clear.
        _ => match err.raw_response().map(|r| r.status().as_u16()) {
            Some(status) => classify(Some(status), err.code(), err.message()),
            None => MailError::Unavailable(DisplayErrorContext(&err).to_string()),
        },
    }
}

/// The decision, apart from the SDK's types so it can be tested directly.
fn classify(status: Option<u16>, code: Option<&str>, message: Option<&str>) -> MailError {
    let code = code.unwrap_or("Unknown");
    let message = message.unwrap_or_default();
    let described = format!("{code}: {message}");
    // SES reports the daily quota with the throttling code too, but it lasts until the quota
    // window moves on: retrying in a second would only spin.
    if message.contains("Daily message quota exceeded") {
        return MailError::Unavailable(described);
    }
    if matches!(code, "Throttling" | "ThrottlingException")
        || status == Some(429)
        || message.contains("Maximum sending rate exceeded")
    {
        return MailError::Throttled {
            retry_after: THROTTLE_PAUSE,
        };
    }
    match status {
        Some(400..=499) => MailError::Rejected(described),
        Some(status) => MailError::Unavailable(format!("{described} (HTTP {status})")),
        None => MailError::Unavailable(described),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::{Email, Language};
    use crate::mail::MessageKind;

    #[test]
    fn throttling_is_recognised_by_code_status_or_message() {
        let throttled = MailError::Throttled {
            retry_after: Duration::from_secs(1),
        };
        assert_eq!(
            classify(
                Some(400),
                Some("Throttling"),
                Some("Maximum sending rate exceeded.")
            ),
            throttled
        );
        assert_eq!(
            classify(Some(400), Some("ThrottlingException"), None),
            throttled
        );
        assert_eq!(classify(Some(429), Some("Whatever"), None), throttled);
        assert_eq!(
            classify(
                Some(400),
                Some("Unknown"),
                Some("Maximum sending rate exceeded.")
            ),
            throttled
        );
    }

    #[test]
    fn the_daily_quota_is_not_a_one_second_throttle() {
        assert!(matches!(
            classify(
                Some(400),
                Some("Throttling"),
                Some("Daily message quota exceeded.")
            ),
            MailError::Unavailable(_)
        ));
    }

    #[test]
    fn client_errors_are_rejections_that_name_the_code() {
        for code in [
            "MessageRejected",
            "MailFromDomainNotVerifiedException",
            "ConfigurationSetDoesNotExist",
            "InvalidParameterValue",
        ] {
            match classify(Some(400), Some(code), Some("because")) {
                MailError::Rejected(why) => assert_eq!(why, format!("{code}: because")),
                other => panic!("{code} gave {other:?}"),
            }
        }
    }

    #[test]
    fn server_errors_are_unavailability() {
        assert!(matches!(
            classify(Some(500), Some("InternalFailure"), None),
            MailError::Unavailable(_)
        ));
        assert!(matches!(
            classify(Some(503), Some("ServiceUnavailable"), None),
            MailError::Unavailable(_)
        ));
    }

    #[tokio::test]
    async fn an_unreachable_service_is_unavailable() {
        // Port 9 (discard) on loopback: nothing listens, the connection is refused at once.
        let mailer = SesMailer::new(ses_client(Some("http://127.0.0.1:9")).await, None);
        let message = OutgoingEmail {
            key: "k".to_owned(),
            from: Email::parse("events@plenary.example.org").unwrap(),
            from_name: "Plenary".to_owned(),
            to: Email::parse("ada@example.org").unwrap(),
            subject: "Hello".to_owned(),
            text: "Hello".to_owned(),
            html: None,
            language: Language::En,
            kind: MessageKind::Confirmation,
            headers: vec![],
            attachments: vec![],
        };
        match mailer.send(&message).await {
            Err(MailError::Unavailable(_)) => {}
            other => panic!("expected Unavailable, got {other:?}"),
        }
    }
}
