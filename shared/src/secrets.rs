//! Secret settings read at start-up: the [`Secrets`] port, and its AWS Secrets Manager adapter.
//! A deployed function reads its secret once per instance, so the join key and the organiser
//! token hash never sit in the function's configuration (where anyone allowed
//! `lambda:GetFunctionConfiguration` reads them). Which fields a secret holds and which
//! settings they become is [`crate::config`]'s business.

use async_trait::async_trait;
use aws_sdk_secretsmanager::error::{DisplayErrorContext, ProvideErrorMetadata, SdkError};

/// Where secret values are kept.
#[async_trait]
pub trait Secrets: Send + Sync {
    /// The current text of the secret `id` (a name or an ARN).
    async fn read(&self, id: &str) -> Result<String, SecretsError>;
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SecretsError {
    #[error("the secret does not exist")]
    NotFound,
    #[error("the function may not read the secret: {0}")]
    Denied(String),
    /// A binary secret, or one scheduled for deletion: nothing to read as settings.
    #[error("the secret has no text to read: {0}")]
    NoText(String),
    #[error("Secrets Manager could not be reached: {0}")]
    Unavailable(String),
}

/// AWS Secrets Manager.
#[derive(Debug, Clone)]
pub struct SecretsManager {
    client: aws_sdk_secretsmanager::Client,
}

impl SecretsManager {
    /// Over `endpoint` (an emulator) or, without one, AWS with the default credential chain.
    pub async fn connect(endpoint: Option<&str>) -> Self {
        let config = crate::aws::sdk_config(endpoint).await;
        Self {
            client: aws_sdk_secretsmanager::Client::new(&config),
        }
    }
}

#[async_trait]
impl Secrets for SecretsManager {
    async fn read(&self, id: &str) -> Result<String, SecretsError> {
        let out = self
            .client
            .get_secret_value()
            .secret_id(id)
            .send()
            .await
            .map_err(translate)?;
        out.secret_string
            .ok_or_else(|| SecretsError::NoText("it is a binary secret".to_owned()))
    }
}

fn translate<E>(err: SdkError<E>) -> SecretsError
where
    E: ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
{
    let detail = DisplayErrorContext(&err).to_string();
    match &err {
        SdkError::ServiceError(se) => match se.err().code() {
            Some("ResourceNotFoundException") => SecretsError::NotFound,
            // Not granted to the role, or its KMS key not usable by it.
            Some("AccessDeniedException" | "AccessDenied" | "DecryptionFailure") => {
                SecretsError::Denied(detail)
            }
            // Scheduled for deletion.
            Some("InvalidRequestException") => SecretsError::NoText(detail),
            _ => SecretsError::Unavailable(detail),
        },
        _ => SecretsError::Unavailable(detail),
    }
}
