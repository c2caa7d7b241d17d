//! Configuration, read once at start-up from the environment and, in a deployment, the secret
//! settings from one Secrets Manager secret (`PLENARY_SECRET_ID`). A missing or malformed setting
//! stops start-up with one error that names every problem, rather than failing on the first
//! request.

use std::collections::BTreeMap;
use std::fmt;
use std::str::FromStr;

use crate::domain::{Email, UrlPolicy};
pub use crate::files::UploadsConfig;
use crate::http::{Edge, OriginSecret};
use crate::secrets::{Secrets, SecretsManager};
use crate::token::{JoinKey, TokenHash};
use crate::usecases::clients::{
    FAILED_BEARERS_PER_CLIENT_PER_HOUR, REQUESTS_PER_CLIENT_PER_MINUTE,
};
use crate::usecases::registrant::{mail_backlog_per_event, registrations_per_event_per_minute};

/// The variables, in one place so the deployment template and the README can list them.
pub mod vars {
    pub const TABLE: &str = "PLENARY_TABLE";
    pub const SENDER: &str = "PLENARY_SENDER";
    pub const SENDER_NAME: &str = "PLENARY_SENDER_NAME";
    pub const SITE_URL: &str = "PLENARY_SITE_URL";
    pub const API_URL: &str = "PLENARY_API_URL";
    pub const ALLOWED_ORIGINS: &str = "PLENARY_ALLOWED_ORIGINS";
    pub const ORGANISER_TOKEN_HASH: &str = "PLENARY_ORGANISER_TOKEN_HASH";
    pub const SES_RATE: &str = "PLENARY_SES_RATE";
    pub const CONFIGURATION_SET: &str = "PLENARY_SES_CONFIGURATION_SET";
    pub const JOIN_KEY: &str = "PLENARY_JOIN_KEY";
    pub const REGISTRATIONS_PER_EVENT_PER_MINUTE: &str =
        "PLENARY_REGISTRATIONS_PER_EVENT_PER_MINUTE";
    pub const REQUESTS_PER_CLIENT_PER_MINUTE: &str = "PLENARY_REQUESTS_PER_CLIENT_PER_MINUTE";
    pub const MAIL_BACKLOG_PER_EVENT: &str = "PLENARY_MAIL_BACKLOG_PER_EVENT";
    pub const FAILED_BEARERS_PER_CLIENT_PER_HOUR: &str =
        "PLENARY_FAILED_BEARERS_PER_CLIENT_PER_HOUR";
    /// A Secrets Manager secret (name or ARN) holding the secret settings as JSON
    /// ([`SECRET_FIELDS`](super::SECRET_FIELDS)), read at start-up instead of the environment.
    pub const SECRET_ID: &str = "PLENARY_SECRET_ID";
    pub const UPLOADS_BUCKET: &str = "PLENARY_UPLOADS_BUCKET";
    /// The secret CloudFront sends the API origin (`X-Plenary-Origin`); set, every HTTP request
    /// without it is refused and the client is the viewer CloudFront names.
    pub const ORIGIN_SECRET: &str = "PLENARY_ORIGIN_SECRET";
    /// The origin secret before the current one, also taken while a rotation reaches every edge.
    pub const ORIGIN_SECRET_PREVIOUS: &str = "PLENARY_ORIGIN_SECRET_PREVIOUS";
    /// Set by Lambda: the function's region, where its uploads bucket is too.
    pub const REGION: &str = "AWS_REGION";
}

/// The JSON fields of the secret `PLENARY_SECRET_ID` names, and the setting each stands for.
/// A field may be absent (a function that needs it then says so); present, it must be the only
/// source of its setting.
pub const SECRET_FIELDS: [(&str, &str); 4] = [
    ("organiser_token_hash", vars::ORGANISER_TOKEN_HASH),
    ("join_key", vars::JOIN_KEY),
    ("origin_secret", vars::ORIGIN_SECRET),
    ("origin_secret_previous", vars::ORIGIN_SECRET_PREVIOUS),
];

/// The From display name when `PLENARY_SENDER_NAME` is not set.
pub const DEFAULT_SENDER_NAME: &str = "Plenary";
/// Emails per second when `PLENARY_SES_RATE` is not set.
pub const DEFAULT_SES_RATE: f64 = 1.0;

#[derive(Debug, Clone)]
pub struct Config {
    /// The DynamoDB table holding everything.
    pub table: String,
    /// The From address of every email (an SES-verified identity).
    pub sender: Email,
    /// The From display name of every email.
    pub sender_name: String,
    /// The website's base URL; links in emails point here.
    pub site_url: BaseUrl,
    /// The API's base URL, for the unsubscribe and personal join links in emails; the site's by
    /// default.
    pub api_url: BaseUrl,
    pub cors: CorsConfig,
    /// SHA-256 of the organiser token; only the organiser function needs it.
    pub organiser_token_hash: Option<TokenHash>,
    /// Emails per second the account may send.
    pub ses_rate: f64,
    pub ses_configuration_set: Option<String>,
    /// The secret personal join links are derived from.
    pub join_key: Option<JoinKey>,
    /// Registrations one event takes in a minute, across every instance of the function; by
    /// default derived from `ses_rate` ([`registrations_per_event_per_minute`]).
    pub registrations_per_event_per_minute: u32,
    /// Requests one client (address, IPv6 /64) may make to one public write route in a minute.
    pub requests_per_client_per_minute: u32,
    /// Emails waiting to be sent for one event past which public requests that would queue
    /// more are refused; by default an hour of mail at `ses_rate`
    /// ([`mail_backlog_per_event`]).
    pub mail_backlog_per_event: u32,
    /// Refused organiser bearers one client may present in an hour.
    pub failed_bearers_per_client_per_hour: u32,
    /// Which addresses session materials may have: https only in a deployment; the local stack
    /// also takes http, the scheme it serves its own uploads on.
    pub material_urls: UrlPolicy,
    /// Where organisers' files go; only the organiser function (and the local stack) needs it.
    pub uploads: Option<UploadsConfig>,
    /// The CDN in front of the HTTP functions, from `PLENARY_ORIGIN_SECRET` (and its previous
    /// value); without it requests are taken from anyone and the client is the peer.
    pub edge: Edge,
}

#[derive(Debug, Clone, Default)]
pub struct CorsConfig {
    /// Exact origins allowed to call the API from a browser; `*` allows any.
    pub allowed_origins: Vec<String>,
}

impl CorsConfig {
    /// A comma-separated list of origins; blanks and trailing slashes are dropped.
    pub fn parse(list: &str) -> Self {
        Self {
            allowed_origins: list
                .split(',')
                .map(|s| s.trim().trim_end_matches('/').to_owned())
                .filter(|s| !s.is_empty())
                .collect(),
        }
    }

    pub fn allows(&self, origin: &str) -> bool {
        self.allowed_origins
            .iter()
            .any(|o| o == "*" || o.eq_ignore_ascii_case(origin))
    }
}

/// An http(s) base URL (the site's, the API's), parsed once. It is shown without a trailing
/// slash and has no query or fragment, so `format!("{base}/events/{id}")` joins with exactly one
/// slash and [`BaseUrl::link`] builds any other link.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BaseUrl(url::Url);

#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum BaseUrlError {
    #[error("must be an http(s) URL")]
    NotHttp,
    #[error("must be an http(s) URL without a query or fragment")]
    QueryOrFragment,
}

impl BaseUrl {
    pub fn parse(raw: &str) -> Result<Self, BaseUrlError> {
        let url = url::Url::parse(raw.trim()).map_err(|_| BaseUrlError::NotHttp)?;
        if !matches!(url.scheme(), "http" | "https") {
            return Err(BaseUrlError::NotHttp);
        }
        if url.query().is_some() || url.fragment().is_some() {
            return Err(BaseUrlError::QueryOrFragment);
        }
        Ok(Self(url))
    }

    /// The URL without its trailing slash: `https://example.org/ws`.
    pub fn as_str(&self) -> &str {
        self.0.as_str().trim_end_matches('/')
    }

    /// A link below this URL: `{base}/{path}?{query}`, the query form-encoded.
    pub fn link(&self, path: &str, query: &[(&str, &str)]) -> String {
        let mut url = self.0.clone();
        let base = url.path().trim_end_matches('/').to_owned();
        url.set_path(&format!("{base}/{}", path.trim_start_matches('/')));
        if !query.is_empty() {
            url.query_pairs_mut().extend_pairs(query);
        }
        url.to_string()
    }
}

impl fmt::Display for BaseUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for BaseUrl {
    type Err = BaseUrlError;

    fn from_str(raw: &str) -> Result<Self, Self::Err> {
        Self::parse(raw)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("configuration is incomplete: {}", .problems.join("; "))]
pub struct ConfigError {
    pub problems: Vec<String>,
}

impl Config {
    pub fn from_env() -> Result<Self, ConfigError> {
        Self::from_vars(&std::env::vars().collect())
    }

    /// A deployed function's configuration: the environment and, when `PLENARY_SECRET_ID` is
    /// set, the secret settings read from AWS Secrets Manager, once (a function calls this once
    /// per instance, before its first request). Without it no client is built, so a function
    /// that needs no secret pays nothing for them.
    pub async fn load() -> Result<Self, ConfigError> {
        let env: BTreeMap<String, String> = std::env::vars().collect();
        if optional(&env, vars::SECRET_ID).is_none() {
            return Self::from_vars(&env);
        }
        let started = std::time::Instant::now();
        let config = Self::from_vars_and_secrets(&env, &SecretsManager::connect(None).await).await;
        // The cost on init, in every cold start's log (BENCHMARKS.md has measured figures).
        tracing::info!(
            elapsed_ms = started.elapsed().as_secs_f64() * 1000.0,
            "secret settings read from Secrets Manager"
        );
        config
    }

    /// [`from_vars`](Self::from_vars) with the secret `PLENARY_SECRET_ID` names, if any, read
    /// through `secrets` and its fields standing for their settings.
    pub async fn from_vars_and_secrets(
        env: &BTreeMap<String, String>,
        secrets: &dyn Secrets,
    ) -> Result<Self, ConfigError> {
        let Some(id) = optional(env, vars::SECRET_ID) else {
            return Self::from_vars(env);
        };
        let text = secrets.read(id).await.map_err(|e| ConfigError {
            problems: vec![format!("{} {id} could not be read: {e}", vars::SECRET_ID)],
        })?;
        Self::from_vars(&with_secret(env, id, &text)?)
    }

    /// Reads the settings from a map, so tests need not touch the process environment.
    pub fn from_vars(env: &BTreeMap<String, String>) -> Result<Self, ConfigError> {
        let mut read = Reader {
            env,
            problems: Vec::new(),
        };
        let table = read.required(vars::TABLE);
        let sender = read.required(vars::SENDER);
        let site_url = read.required(vars::SITE_URL);
        let origins = read.required(vars::ALLOWED_ORIGINS);

        let sender = read.parsed(vars::SENDER, sender, |s| {
            Email::parse(s).map_err(|e| format!("is not an email address: {e}"))
        });
        let sender_name = read.optional(vars::SENDER_NAME);
        let sender_name = read.parsed(vars::SENDER_NAME, sender_name, display_name);
        let site_url = read.parsed(vars::SITE_URL, site_url, BaseUrl::parse);
        let api_url = read.optional(vars::API_URL);
        let api_url = read.parsed(vars::API_URL, api_url, BaseUrl::parse);
        let hash = read.optional(vars::ORGANISER_TOKEN_HASH);
        let organiser_token_hash = read.parsed(vars::ORGANISER_TOKEN_HASH, hash, |h| {
            TokenHash::parse(h).ok_or("must be 64 hex digits (the SHA-256 of the organiser token)")
        });
        let rate = read.optional(vars::SES_RATE);
        let ses_rate = read.parsed(vars::SES_RATE, rate, positive_rate);
        let key = read.optional(vars::JOIN_KEY);
        let join_key = read.parsed(vars::JOIN_KEY, key, |k| {
            JoinKey::parse(k).ok_or("must be 32 random bytes as 64 hex digits or URL-safe base64")
        });
        let cap = read.optional(vars::REGISTRATIONS_PER_EVENT_PER_MINUTE);
        let cap = read.parsed(
            vars::REGISTRATIONS_PER_EVENT_PER_MINUTE,
            cap,
            positive_count,
        );
        let per_client = read.optional(vars::REQUESTS_PER_CLIENT_PER_MINUTE);
        let per_client = read.parsed(
            vars::REQUESTS_PER_CLIENT_PER_MINUTE,
            per_client,
            positive_count,
        );
        let backlog = read.optional(vars::MAIL_BACKLOG_PER_EVENT);
        let backlog = read.parsed(vars::MAIL_BACKLOG_PER_EVENT, backlog, positive_count);
        let failed = read.optional(vars::FAILED_BEARERS_PER_CLIENT_PER_HOUR);
        let failed = read.parsed(
            vars::FAILED_BEARERS_PER_CLIENT_PER_HOUR,
            failed,
            positive_count,
        );
        let edge = read.edge();

        match (table, sender, site_url) {
            (Some(table), Some(sender), Some(site_url)) if read.problems.is_empty() => Ok(Self {
                table: table.to_owned(),
                sender,
                sender_name: sender_name.unwrap_or_else(|| DEFAULT_SENDER_NAME.to_owned()),
                api_url: api_url.unwrap_or_else(|| site_url.clone()),
                site_url,
                cors: origins.map(CorsConfig::parse).unwrap_or_default(),
                organiser_token_hash,
                ses_rate: ses_rate.unwrap_or(DEFAULT_SES_RATE),
                ses_configuration_set: read.optional(vars::CONFIGURATION_SET).map(str::to_owned),
                join_key,
                registrations_per_event_per_minute: cap.unwrap_or_else(|| {
                    registrations_per_event_per_minute(ses_rate.unwrap_or(DEFAULT_SES_RATE))
                }),
                requests_per_client_per_minute: per_client
                    .unwrap_or(REQUESTS_PER_CLIENT_PER_MINUTE),
                mail_backlog_per_event: backlog.unwrap_or_else(|| {
                    mail_backlog_per_event(ses_rate.unwrap_or(DEFAULT_SES_RATE))
                }),
                failed_bearers_per_client_per_hour: failed
                    .unwrap_or(FAILED_BEARERS_PER_CLIENT_PER_HOUR),
                material_urls: UrlPolicy::HttpsOnly,
                uploads: read
                    .optional(vars::UPLOADS_BUCKET)
                    .map(|bucket| UploadsConfig::S3 {
                        bucket: bucket.to_owned(),
                        region: read
                            .optional(vars::REGION)
                            .unwrap_or("us-east-1")
                            .to_owned(),
                        endpoint: None,
                    }),
                edge,
            }),
            _ => Err(ConfigError {
                problems: read.problems,
            }),
        }
    }

    /// A configuration for a stack in one process (the local server, the in-process tests, the
    /// benches): the required settings as given, every optional one at its default, no organiser
    /// token, and a join key made up for this process. Change the public fields to differ.
    pub fn local(table: impl Into<String>, sender: Email, site_url: BaseUrl) -> Self {
        Self {
            table: table.into(),
            sender,
            sender_name: DEFAULT_SENDER_NAME.to_owned(),
            api_url: site_url.clone(),
            site_url,
            cors: CorsConfig::default(),
            organiser_token_hash: None,
            ses_rate: DEFAULT_SES_RATE,
            ses_configuration_set: None,
            join_key: Some(JoinKey::random()),
            registrations_per_event_per_minute: registrations_per_event_per_minute(
                DEFAULT_SES_RATE,
            ),
            requests_per_client_per_minute: REQUESTS_PER_CLIENT_PER_MINUTE,
            mail_backlog_per_event: mail_backlog_per_event(DEFAULT_SES_RATE),
            failed_bearers_per_client_per_hour: FAILED_BEARERS_PER_CLIENT_PER_HOUR,
            material_urls: UrlPolicy::HttpAllowed,
            uploads: Some(UploadsConfig::local(
                std::env::temp_dir().join("plenary-uploads"),
            )),
            edge: Edge::direct(),
        }
    }

    /// The organiser function cannot run without its token hash.
    pub fn require_organiser_token(&self) -> Result<TokenHash, ConfigError> {
        self.organiser_token_hash
            .clone()
            .ok_or_else(|| ConfigError {
                problems: vec![format!("{} is not set", vars::ORGANISER_TOKEN_HASH)],
            })
    }

    /// The organiser function signs upload forms for this bucket (or the local stack's folder).
    pub fn require_uploads(&self) -> Result<&UploadsConfig, ConfigError> {
        self.uploads.as_ref().ok_or_else(|| ConfigError {
            problems: vec![format!("{} is not set", vars::UPLOADS_BUCKET)],
        })
    }

    /// The registration, organiser and notifications functions derive join links with this key.
    pub fn require_join_key(&self) -> Result<JoinKey, ConfigError> {
        self.join_key.clone().ok_or_else(|| ConfigError {
            problems: vec![format!("{} is not set", vars::JOIN_KEY)],
        })
    }
}

/// `env` with the settings of the secret `id` (its text `text`) added: every field of
/// [`SECRET_FIELDS`] it has becomes its variable. A secret that is not a JSON object, a field that
/// is not a string, and a setting also present in the environment (it would be unclear which one
/// counts, and the point is to keep it out of the environment) are problems; none names a value.
pub fn with_secret(
    env: &BTreeMap<String, String>,
    id: &str,
    text: &str,
) -> Result<BTreeMap<String, String>, ConfigError> {
    let Ok(serde_json::Value::Object(fields)) = serde_json::from_str(text) else {
        return Err(ConfigError {
            problems: vec![format!(
                "{} {id} must hold a JSON object with the fields {}",
                vars::SECRET_ID,
                SECRET_FIELDS.map(|(field, _)| field).join(", ")
            )],
        });
    };
    let mut env = env.clone();
    let mut problems = Vec::new();
    for (field, var) in SECRET_FIELDS {
        match fields.get(field) {
            None => {}
            Some(serde_json::Value::String(value)) if optional(&env, var).is_none() => {
                env.insert(var.to_owned(), value.clone());
            }
            Some(serde_json::Value::String(_)) => problems.push(format!(
                "{var} is set in the environment and as {field} in the secret {id}: keep it in the secret only"
            )),
            Some(_) => problems.push(format!("{field} in the secret {id} must be a string")),
        }
    }
    if problems.is_empty() {
        Ok(env)
    } else {
        Err(ConfigError { problems })
    }
}

/// A variable's value, trimmed; unset and blank are the same.
fn optional<'a>(env: &'a BTreeMap<String, String>, name: &str) -> Option<&'a str> {
    env.get(name).map(|v| v.trim()).filter(|v| !v.is_empty())
}

/// The variables being read, and every problem found in them so far.
struct Reader<'a> {
    env: &'a BTreeMap<String, String>,
    problems: Vec<String>,
}

impl<'a> Reader<'a> {
    fn optional(&self, name: &str) -> Option<&'a str> {
        optional(self.env, name)
    }

    /// The CDN in front: an origin secret, and the previous one only beside a current one.
    fn edge(&mut self) -> Edge {
        let secret = |raw: &str| {
            OriginSecret::parse(raw)
                .ok_or("must be 32 to 256 visible ASCII characters (e.g. openssl rand -hex 32)")
        };
        let raw = self.optional(vars::ORIGIN_SECRET);
        let raw_previous = self.optional(vars::ORIGIN_SECRET_PREVIOUS);
        if raw.is_none() && raw_previous.is_some() {
            self.problems.push(format!(
                "{} is set without {}: the previous secret is taken only beside a current one",
                vars::ORIGIN_SECRET_PREVIOUS,
                vars::ORIGIN_SECRET
            ));
        }
        let current = self.parsed(vars::ORIGIN_SECRET, raw, secret);
        let previous = self.parsed(vars::ORIGIN_SECRET_PREVIOUS, raw_previous, secret);
        match current {
            Some(current) => Edge::behind_cdn(current, previous),
            None => Edge::direct(),
        }
    }

    /// A variable that must be set: its absence is a problem.
    fn required(&mut self, name: &str) -> Option<&'a str> {
        let value = self.optional(name);
        if value.is_none() {
            self.problems.push(format!("{name} is not set"));
        }
        value
    }

    /// A set variable's value through `parse`; a refusal is the problem "`{name}` `{why}`".
    fn parsed<T, E: fmt::Display>(
        &mut self,
        name: &str,
        value: Option<&str>,
        parse: impl FnOnce(&str) -> Result<T, E>,
    ) -> Option<T> {
        match parse(value?) {
            Ok(v) => Some(v),
            Err(why) => {
                self.problems.push(format!("{name} {why}"));
                None
            }
        }
    }
}

/// The From display name: one line of text (a line break would start a new mail header).
fn display_name(name: &str) -> Result<String, &'static str> {
    if name.chars().any(char::is_control) {
        Err("must not contain control characters such as line breaks")
    } else {
        Ok(name.to_owned())
    }
}

fn positive_rate(rate: &str) -> Result<f64, &'static str> {
    match rate.parse::<f64>() {
        Ok(r) if r > 0.0 && r.is_finite() => Ok(r),
        _ => Err("must be a positive number"),
    }
}

fn positive_count(n: &str) -> Result<u32, String> {
    match n.parse::<u32>() {
        Ok(n) if n > 0 => Ok(n),
        _ => Err(format!("must be a whole number from 1 to {}", u32::MAX)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect()
    }

    fn complete() -> BTreeMap<String, String> {
        env(&[
            (vars::TABLE, "plenary"),
            (vars::SENDER, "events@example.org"),
            (vars::SITE_URL, "https://workshop.example.org"),
            (
                vars::ALLOWED_ORIGINS,
                "https://workshop.example.org, http://localhost:3000/",
            ),
        ])
    }

    #[test]
    fn a_complete_environment_gives_a_configuration() {
        let c = Config::from_vars(&complete()).unwrap();
        assert_eq!(c.table, "plenary");
        assert!(c.cors.allows("http://localhost:3000"));
        assert!(!c.cors.allows("https://evil.example"));
        assert_eq!(c.ses_rate, 1.0);
        assert!(c.organiser_token_hash.is_none());
        assert_eq!(c.registrations_per_event_per_minute, 120);
        assert_eq!(c.requests_per_client_per_minute, 60);
        assert_eq!(c.failed_bearers_per_client_per_hour, 20);
        // A deployment publishes https materials only.
        assert_eq!(c.material_urls, UrlPolicy::HttpsOnly);
        assert!(c.uploads.is_none() && c.require_uploads().is_err());
    }

    #[test]
    fn the_uploads_bucket_is_read_with_the_functions_region() {
        let mut e = complete();
        e.insert(vars::UPLOADS_BUCKET.into(), "plenary-uploads-1".into());
        e.insert(vars::REGION.into(), "eu-west-1".into());
        let c = Config::from_vars(&e).unwrap();
        match c.require_uploads().unwrap() {
            UploadsConfig::S3 {
                bucket,
                region,
                endpoint,
            } => assert_eq!(
                (bucket.as_str(), region.as_str(), endpoint),
                ("plenary-uploads-1", "eu-west-1", &None)
            ),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn the_event_cap_follows_the_mail_rate_unless_it_is_set() {
        let mut e = complete();
        e.insert(vars::SES_RATE.into(), "14".into());
        let c = Config::from_vars(&e).unwrap();
        assert_eq!(c.registrations_per_event_per_minute, 14 * 120);
        // Below two clients' worth it never goes, so one client cannot fill it.
        e.insert(vars::SES_RATE.into(), "0.1".into());
        let c = Config::from_vars(&e).unwrap();
        assert_eq!(c.registrations_per_event_per_minute, 120);
        e.insert(vars::REGISTRATIONS_PER_EVENT_PER_MINUTE.into(), "30".into());
        e.insert(vars::REQUESTS_PER_CLIENT_PER_MINUTE.into(), "500".into());
        let c = Config::from_vars(&e).unwrap();
        assert_eq!(c.registrations_per_event_per_minute, 30);
        assert_eq!(c.requests_per_client_per_minute, 500);
    }

    #[test]
    fn the_registration_cap_is_read_from_its_variable() {
        let mut e = complete();
        e.insert(vars::REGISTRATIONS_PER_EVENT_PER_MINUTE.into(), "25".into());
        let c = Config::from_vars(&e).unwrap();
        assert_eq!(c.registrations_per_event_per_minute, 25);
    }

    #[test]
    fn every_missing_setting_is_named_at_once() {
        let err = Config::from_vars(&env(&[])).unwrap_err();
        let all = err.to_string();
        for name in [
            vars::TABLE,
            vars::SENDER,
            vars::SITE_URL,
            vars::ALLOWED_ORIGINS,
        ] {
            assert!(all.contains(name), "{name} missing from: {all}");
        }
    }

    #[test]
    fn malformed_settings_are_named() {
        let mut e = complete();
        e.insert(vars::SENDER.into(), "not an address".into());
        e.insert(vars::ORGANISER_TOKEN_HASH.into(), "xyz".into());
        e.insert(vars::SES_RATE.into(), "-3".into());
        e.insert(vars::REGISTRATIONS_PER_EVENT_PER_MINUTE.into(), "0".into());
        let err = Config::from_vars(&e).unwrap_err();
        assert_eq!(err.problems.len(), 4, "{err}");
        assert!(
            err.to_string()
                .contains(vars::REGISTRATIONS_PER_EVENT_PER_MINUTE),
            "{err}"
        );
        for bad in ["lots", "-1", "1.5", "99999999999"] {
            e.insert(vars::REGISTRATIONS_PER_EVENT_PER_MINUTE.into(), bad.into());
            let err = Config::from_vars(&e).unwrap_err();
            assert!(
                err.to_string()
                    .contains(vars::REGISTRATIONS_PER_EVENT_PER_MINUTE),
                "{bad}: {err}"
            );
        }
    }

    #[test]
    fn site_links_join_path_and_query() {
        let mut e = complete();
        e.insert(vars::SITE_URL.into(), "https://example.org/ws/".into());
        let c = Config::from_vars(&e).unwrap();
        assert_eq!(
            c.site_url
                .link("/registration/confirm", &[("token", "a-b_c")]),
            "https://example.org/ws/registration/confirm?token=a-b_c"
        );
    }

    #[test]
    fn base_urls_are_shown_without_a_trailing_slash() {
        for (raw, shown) in [
            ("https://example.org", "https://example.org"),
            ("https://example.org/", "https://example.org"),
            ("https://example.org/ws/", "https://example.org/ws"),
            (" http://127.0.0.1:3000 ", "http://127.0.0.1:3000"),
        ] {
            let url = BaseUrl::parse(raw).unwrap();
            assert_eq!(url.to_string(), shown, "{raw}");
            assert_eq!(url.as_str(), shown, "{raw}");
            assert_eq!(url.link("events/x", &[]), format!("{shown}/events/x"));
        }
    }

    #[test]
    fn base_urls_are_http_without_query_or_fragment() {
        for bad in [
            "",
            "example.org",
            "ftp://example.org",
            "mailto:a@example.org",
        ] {
            assert_eq!(BaseUrl::parse(bad), Err(BaseUrlError::NotHttp), "{bad}");
        }
        for bad in ["https://example.org/?a=b", "https://example.org/#top"] {
            assert_eq!(
                BaseUrl::parse(bad),
                Err(BaseUrlError::QueryOrFragment),
                "{bad}"
            );
        }
    }

    #[test]
    fn the_sender_name_and_api_url_have_defaults() {
        let c = Config::from_vars(&complete()).unwrap();
        assert_eq!(c.sender_name, "Plenary");
        assert_eq!(c.api_url, c.site_url);
        assert_eq!(c.api_url.to_string(), "https://workshop.example.org");
    }

    #[test]
    fn the_sender_name_and_api_url_are_read_from_their_variables() {
        let mut e = complete();
        e.insert(vars::SENDER_NAME.into(), "ITU Workshops".into());
        e.insert(vars::API_URL.into(), "https://api.example.org/".into());
        let c = Config::from_vars(&e).unwrap();
        assert_eq!(c.sender_name, "ITU Workshops");
        assert_eq!(c.api_url.to_string(), "https://api.example.org");
        assert_eq!(c.site_url.to_string(), "https://workshop.example.org");
    }

    #[test]
    fn a_malformed_sender_name_or_api_url_is_named() {
        let mut e = complete();
        e.insert(
            vars::SENDER_NAME.into(),
            "Ops\r\nBcc: victim@example.org".into(),
        );
        e.insert(vars::API_URL.into(), "api.example.org".into());
        e.insert(vars::SITE_URL.into(), "https://example.org/?lang=en".into());
        let err = Config::from_vars(&e).unwrap_err();
        assert_eq!(err.problems.len(), 3, "{err}");
        for name in [vars::SENDER_NAME, vars::API_URL, vars::SITE_URL] {
            assert!(err.to_string().contains(name), "{name} missing from: {err}");
        }
    }

    #[test]
    fn allowed_origins_drop_blanks_and_trailing_slashes() {
        let cors = CorsConfig::parse(" https://a.example/, ,http://localhost:3000");
        assert_eq!(
            cors.allowed_origins,
            ["https://a.example", "http://localhost:3000"]
        );
    }

    const HASH: &str = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08";
    const KEY: &str = "0000000000000000000000000000000000000000000000000000000000000007";

    #[test]
    fn the_secrets_fields_stand_for_their_settings() {
        let secret =
            format!(r#"{{"organiser_token_hash": "{HASH}", "join_key": "{KEY}", "later": "x"}}"#);
        let env = with_secret(&complete(), "plenary/secrets", &secret).unwrap();
        assert_eq!(env[vars::ORGANISER_TOKEN_HASH], HASH);
        assert_eq!(env[vars::JOIN_KEY], KEY);
        let c = Config::from_vars(&env).unwrap();
        assert!(c.organiser_token_hash.is_some() && c.join_key.is_some());
        // A secret with only the join key (what registration and notifications need) is enough.
        let env = with_secret(&complete(), "s", &format!(r#"{{"join_key": "{KEY}"}}"#)).unwrap();
        assert!(!env.contains_key(vars::ORGANISER_TOKEN_HASH));
    }

    #[test]
    fn a_secret_setting_also_in_the_environment_is_refused_naming_both_never_the_value() {
        let mut e = complete();
        e.insert(vars::JOIN_KEY.into(), KEY.into());
        let secret = format!(r#"{{"join_key": "{KEY}"}}"#);
        let err = with_secret(&e, "plenary/secrets", &secret).unwrap_err();
        assert_eq!(err.problems.len(), 1, "{err}");
        let all = err.to_string();
        assert!(
            all.contains(vars::JOIN_KEY) && all.contains("plenary/secrets"),
            "{all}"
        );
        assert!(!all.contains(KEY), "{all}");
    }

    #[test]
    fn a_malformed_secret_names_every_bad_field_without_its_value() {
        for text in ["", "not json", r#"["a"]"#, r#""join_key""#] {
            let err = with_secret(&complete(), "s", text).unwrap_err();
            assert!(err.to_string().contains("JSON object"), "{text}: {err}");
        }
        let err = with_secret(
            &complete(),
            "s",
            r#"{"join_key": 7, "organiser_token_hash": null}"#,
        )
        .unwrap_err();
        assert_eq!(err.problems.len(), 2, "{err}");
        // A value of the wrong shape reaches the setting's own parser, which names the variable.
        let env = with_secret(&complete(), "s", r#"{"join_key": "short-and-secret"}"#).unwrap();
        let err = Config::from_vars(&env).unwrap_err();
        assert!(err.to_string().contains(vars::JOIN_KEY), "{err}");
        assert!(!err.to_string().contains("short-and-secret"), "{err}");
    }

    const ORIGIN: &str = "b1946ac92492d2347c6235b4d2611184b1946ac92492d2347c6235b4";

    #[test]
    fn without_an_origin_secret_no_cdn_is_in_front() {
        let c = Config::from_vars(&complete()).unwrap();
        assert!(!c.edge.is_behind_cdn());
    }

    #[test]
    fn the_secrets_origin_secret_puts_the_functions_behind_the_cdn() {
        let secret = format!(r#"{{"join_key": "{KEY}", "origin_secret": "{ORIGIN}"}}"#);
        let env = with_secret(&complete(), "plenary/secrets", &secret).unwrap();
        let c = Config::from_vars(&env).unwrap();
        assert!(c.edge.is_behind_cdn());
        let previous = format!(
            r#"{{"origin_secret": "{ORIGIN}", "origin_secret_previous": "{}"}}"#,
            ORIGIN.replace('b', "c")
        );
        let env = with_secret(&complete(), "s", &previous).unwrap();
        assert_ne!(Config::from_vars(&env).unwrap().edge, c.edge);
    }

    #[test]
    fn a_malformed_or_lone_previous_origin_secret_is_named_without_its_value() {
        let mut e = complete();
        e.insert(vars::ORIGIN_SECRET.into(), "too-short-secret".into());
        let err = Config::from_vars(&e).unwrap_err();
        assert_eq!(err.problems.len(), 1, "{err}");
        assert!(err.to_string().contains(vars::ORIGIN_SECRET), "{err}");
        assert!(!err.to_string().contains("too-short-secret"), "{err}");
        let mut e = complete();
        e.insert(vars::ORIGIN_SECRET_PREVIOUS.into(), ORIGIN.into());
        let err = Config::from_vars(&e).unwrap_err();
        assert_eq!(err.problems.len(), 1, "{err}");
        assert!(
            err.to_string().contains("without PLENARY_ORIGIN_SECRET"),
            "{err}"
        );
    }

    #[test]
    fn a_local_configuration_has_the_defaults_and_a_join_key() {
        let site = BaseUrl::parse("http://127.0.0.1:3000/").unwrap();
        let c = Config::local(
            "plenary-local",
            Email::parse("events@plenary.localhost").unwrap(),
            site.clone(),
        );
        assert_eq!((c.site_url, c.api_url), (site.clone(), site));
        assert_eq!(c.sender_name, DEFAULT_SENDER_NAME);
        assert_eq!(c.ses_rate, DEFAULT_SES_RATE);
        assert_eq!(
            c.registrations_per_event_per_minute,
            crate::usecases::registrant::REGISTRATIONS_PER_EVENT_PER_MINUTE
        );
        assert!(c.join_key.is_some() && c.organiser_token_hash.is_none());
        assert!(c.cors.allowed_origins.is_empty());
        assert_eq!(c.material_urls, UrlPolicy::HttpAllowed);
        assert!(!c.edge.is_behind_cdn());
    }
}
