//! Organisers' files: the port that signs a form to upload one ([`UploadForms`]) and its two
//! adapters. In a deployment the form is an S3 presigned POST to the uploads bucket and the file
//! is served by the CDN at `{site}/files/…`; locally the form goes to `plenary-local`'s own
//! upload route, which checks it as S3 does ([`policy::check`]) and serves the folder.

pub mod policy;

use std::path::PathBuf;
use std::sync::Arc;

use async_trait::async_trait;
use aws_credential_types::provider::ProvideCredentials as _;
use jiff::Timestamp;
use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};
use tokio::sync::OnceCell;

pub use policy::{Grant, SigningKeys};

/// Every key the organisers' files are stored under starts here: the uploads prefix (the only
/// one the organiser function may write to) and the CDN's path, so a key is its own path.
pub const FILES_PREFIX: &str = "files/";

/// The local stack's upload route.
pub const LOCAL_UPLOAD_PATH: &str = "/_local/uploads";

/// The bucket name the local stack's forms are signed for.
pub const LOCAL_BUCKET: &str = "plenary-local";
/// The region the local stack's forms are signed for.
pub const LOCAL_REGION: &str = "local";

/// A form to send one file with: POST `url` as `multipart/form-data`, every field, then `file`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UploadForm {
    pub url: String,
    pub fields: Vec<(String, String)>,
}

#[derive(Debug, thiserror::Error)]
pub enum FilesError {
    #[error("no credentials to sign the upload form with: {0}")]
    Credentials(String),
}

/// Signs upload forms and says where the files they send are served.
#[async_trait]
pub trait UploadForms: Send + Sync {
    /// The bucket the forms are for.
    fn bucket(&self) -> &str;
    async fn form(&self, grant: &Grant, now: Timestamp) -> Result<UploadForm, FilesError>;
    /// Where the file stored under `key` is served, publicly.
    fn file_url(&self, key: &str) -> String;
}

/// Everything but unreserved characters is escaped in a key's segments.
const SEGMENT: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'_')
    .remove(b'.')
    .remove(b'~');

/// `{base}/{key}`, each segment of the key percent-encoded.
fn url_of(base: &str, key: &str) -> String {
    let path: Vec<String> = key
        .split('/')
        .map(|s| utf8_percent_encode(s, SEGMENT).to_string())
        .collect();
    format!("{}/{}", base.trim_end_matches('/'), path.join("/"))
}

/// Where organisers' uploads go.
#[derive(Debug, Clone)]
pub enum UploadsConfig {
    /// A deployment: presigned POSTs to this bucket (in the function's region), served by the
    /// CDN under the site's `/files/`.
    S3 {
        bucket: String,
        region: String,
        /// An S3-compatible endpoint (the emulator); None for AWS's own (or `AWS_ENDPOINT_URL`).
        endpoint: Option<String>,
    },
    /// The local stack: its own upload route, the files kept in `dir`, forms signed with
    /// `keys` (made for the process).
    Local {
        dir: std::path::PathBuf,
        keys: SigningKeys,
    },
}

impl UploadsConfig {
    /// A local folder and a signing key made at random for this process.
    pub fn local(dir: std::path::PathBuf) -> Self {
        use base64::Engine as _;
        let mut secret = [0u8; 32];
        getrandom::fill(&mut secret).expect("the operating system's random source");
        Self::Local {
            dir,
            keys: SigningKeys {
                access_key_id: "plenary-local".to_owned(),
                secret_access_key: base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(secret),
                session_token: None,
            },
        }
    }
}

/// The adapter the configuration names: files served under `site` (a deployment's CDN) or `api`
/// (the local stack itself).
pub fn forms(uploads: &UploadsConfig, site: &str, api: &str) -> Arc<dyn UploadForms> {
    match uploads {
        UploadsConfig::S3 {
            bucket,
            region,
            endpoint,
        } => Arc::new(S3Forms {
            bucket: bucket.clone(),
            region: region.clone(),
            endpoint: endpoint.clone(),
            site: site.to_owned(),
            sdk: OnceCell::new(),
        }),
        UploadsConfig::Local { keys, .. } => Arc::new(LocalForms {
            api: api.to_owned(),
            keys: keys.clone(),
        }),
    }
}

/// The origin a bucket's own host answers on, where the console posts a file's form: the
/// deployed pages' policy lets them connect to it (`crate::http::site`).
pub fn bucket_origin(bucket: &str, region: &str) -> String {
    format!("https://{bucket}.s3.{region}.amazonaws.com")
}

/// Presigned POSTs to an S3 bucket, signed with the function's own credentials (its role's,
/// through the SDK's default chain, refreshed as they expire).
pub struct S3Forms {
    bucket: String,
    region: String,
    /// An S3-compatible endpoint (the emulator); None for AWS's own.
    endpoint: Option<String>,
    site: String,
    sdk: OnceCell<aws_config::SdkConfig>,
}

impl S3Forms {
    /// Where the form is posted: the emulator's path-style address, or the bucket's own host.
    fn post_url(&self, sdk: &aws_config::SdkConfig) -> String {
        match self.endpoint.as_deref().or(sdk.endpoint_url()) {
            Some(e) => format!("{}/{}", e.trim_end_matches('/'), self.bucket),
            None => format!("{}/", bucket_origin(&self.bucket, &self.region)),
        }
    }
}

#[async_trait]
impl UploadForms for S3Forms {
    fn bucket(&self) -> &str {
        &self.bucket
    }

    async fn form(&self, grant: &Grant, now: Timestamp) -> Result<UploadForm, FilesError> {
        let sdk = self
            .sdk
            .get_or_init(|| crate::aws::sdk_config(self.endpoint.as_deref()))
            .await;
        let provider = sdk
            .credentials_provider()
            .ok_or_else(|| FilesError::Credentials("none configured".to_owned()))?;
        let creds = provider
            .provide_credentials()
            .await
            .map_err(|e| FilesError::Credentials(e.to_string()))?;
        let keys = SigningKeys {
            access_key_id: creds.access_key_id().to_owned(),
            secret_access_key: creds.secret_access_key().to_owned(),
            session_token: creds.session_token().map(str::to_owned),
        };
        Ok(UploadForm {
            url: self.post_url(sdk),
            fields: policy::signed_fields(grant, &keys, &self.region, now),
        })
    }

    fn file_url(&self, key: &str) -> String {
        url_of(&self.site, key)
    }
}

/// The local stack's forms: signed as S3's are, with a key made for this process, posted to
/// its own upload route and served by it.
pub struct LocalForms {
    api: String,
    keys: SigningKeys,
}

#[async_trait]
impl UploadForms for LocalForms {
    fn bucket(&self) -> &str {
        LOCAL_BUCKET
    }

    async fn form(&self, grant: &Grant, now: Timestamp) -> Result<UploadForm, FilesError> {
        Ok(UploadForm {
            url: format!("{}{LOCAL_UPLOAD_PATH}", self.api),
            fields: policy::signed_fields(grant, &self.keys, LOCAL_REGION, now),
        })
    }

    fn file_url(&self, key: &str) -> String {
        url_of(&self.api, key)
    }
}

/// Where the local stack keeps its files, and the keys its forms are signed with.
pub fn local_folder(uploads: &UploadsConfig) -> Option<(PathBuf, SigningKeys)> {
    match uploads {
        UploadsConfig::Local { dir, keys } => Some((dir.clone(), keys.clone())),
        UploadsConfig::S3 { .. } => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_files_url_escapes_each_segment_of_its_key() {
        assert_eq!(
            url_of(
                "https://site.test/",
                "files/qos/01J/Présentation QoS #1.pdf"
            ),
            "https://site.test/files/qos/01J/Pr%C3%A9sentation%20QoS%20%231.pdf"
        );
    }
}
