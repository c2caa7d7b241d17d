//! The AWS SDK configuration the DynamoDB and SES adapters both start from.

use aws_config::{BehaviorVersion, Region, SdkConfig};
use aws_credential_types::Credentials;

/// The configuration for `endpoint` (an emulator) or, without one, for AWS with the default
/// credential chain. The region is always explicit (`AWS_REGION`, else `us-east-1`) so the SDK
/// never asks instance metadata for it; with an endpoint, dummy static credentials keep it from
/// probing instance metadata for those too, which stalls off AWS.
pub(crate) async fn sdk_config(endpoint: Option<&str>) -> SdkConfig {
    let region = std::env::var("AWS_REGION")
        .ok()
        .filter(|r| !r.trim().is_empty())
        .unwrap_or_else(|| "us-east-1".to_owned());
    let mut loader = aws_config::defaults(BehaviorVersion::latest()).region(Region::new(region));
    if let Some(endpoint) = endpoint {
        // The emulator accepts any credentials.
        loader = loader
            .endpoint_url(endpoint)
            .credentials_provider(Credentials::new(
                "test",
                "test",
                None,
                None,
                "plenary-local",
            ));
    }
    loader.load().await
}
