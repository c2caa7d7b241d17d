//! Configuration, read once at start-up from the environment. A missing or malformed setting stops
//! start-up with one error that names every problem, rather than failing on the first request.

use std::collections::BTreeMap;

use crate::domain::Email;
use crate::token::{JoinKey, TokenHash};
use crate::usecases::registrant::REGISTRATIONS_PER_EVENT_PER_MINUTE;

/// The variables, in one place so the deployment template and the README can list them.
pub mod vars {
    pub const TABLE: &str = "PLENARY_TABLE";
    pub const SENDER: &str = "PLENARY_SENDER";
    pub const SITE_URL: &str = "PLENARY_SITE_URL";
    pub const ALLOWED_ORIGINS: &str = "PLENARY_ALLOWED_ORIGINS";
    pub const ORGANISER_TOKEN_HASH: &str = "PLENARY_ORGANISER_TOKEN_HASH";
    pub const SES_RATE: &str = "PLENARY_SES_RATE";
    pub const CONFIGURATION_SET: &str = "PLENARY_SES_CONFIGURATION_SET";
    pub const JOIN_KEY: &str = "PLENARY_JOIN_KEY";
    pub const REGISTRATIONS_PER_EVENT_PER_MINUTE: &str =
        "PLENARY_REGISTRATIONS_PER_EVENT_PER_MINUTE";
}

#[derive(Debug, Clone)]
pub struct Config {
    /// The DynamoDB table holding everything.
    pub table: String,
    /// The From address of every email (an SES-verified identity).
    pub sender: Email,
    /// The website's base URL; links in emails point here.
    pub site_url: url::Url,
    pub cors: CorsConfig,
    /// SHA-256 of the organiser token; only the organiser function needs it.
    pub organiser_token_hash: Option<TokenHash>,
    /// Emails per second the account may send.
    pub ses_rate: f64,
    pub ses_configuration_set: Option<String>,
    /// The secret personal join links are derived from.
    pub join_key: Option<JoinKey>,
    /// Registrations one event takes in a minute, across every instance of the function.
    pub registrations_per_event_per_minute: u32,
}

#[derive(Debug, Clone, Default)]
pub struct CorsConfig {
    /// Exact origins allowed to call the API from a browser; `*` allows any.
    pub allowed_origins: Vec<String>,
}

impl CorsConfig {
    pub fn allows(&self, origin: &str) -> bool {
        self.allowed_origins
            .iter()
            .any(|o| o == "*" || o.eq_ignore_ascii_case(origin))
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

    /// Reads the settings from a map, so tests need not touch the process environment.
    pub fn from_vars(env: &BTreeMap<String, String>) -> Result<Self, ConfigError> {
        let mut problems = Vec::new();
        let get = |name: &str| env.get(name).map(|v| v.trim()).filter(|v| !v.is_empty());
        let mut required = |name: &str| {
            let v = get(name);
            if v.is_none() {
                problems.push(format!("{name} is not set"));
            }
            v
        };
        let table = required(vars::TABLE).map(str::to_owned);
        let sender = required(vars::SENDER);
        let site = required(vars::SITE_URL);
        let origins = required(vars::ALLOWED_ORIGINS);

        let sender = sender.and_then(|s| match Email::parse(s) {
            Ok(e) => Some(e),
            Err(e) => {
                problems.push(format!("{} is not an email address: {e}", vars::SENDER));
                None
            }
        });
        let site_url = site.and_then(|s| match url::Url::parse(s) {
            Ok(u) if u.scheme() == "http" || u.scheme() == "https" => Some(u),
            _ => {
                problems.push(format!("{} must be an http(s) URL", vars::SITE_URL));
                None
            }
        });
        let allowed_origins = origins
            .map(|o| {
                o.split(',')
                    .map(|s| s.trim().trim_end_matches('/').to_owned())
                    .filter(|s| !s.is_empty())
                    .collect()
            })
            .unwrap_or_default();
        let organiser_token_hash = match get(vars::ORGANISER_TOKEN_HASH) {
            None => None,
            Some(h) => {
                let parsed = TokenHash::parse(h);
                if parsed.is_none() {
                    problems.push(format!(
                        "{} must be 64 hex digits (the SHA-256 of the organiser token)",
                        vars::ORGANISER_TOKEN_HASH
                    ));
                }
                parsed
            }
        };
        let ses_rate = match get(vars::SES_RATE) {
            None => 1.0,
            Some(r) => match r.parse::<f64>() {
                Ok(r) if r > 0.0 && r.is_finite() => r,
                _ => {
                    problems.push(format!("{} must be a positive number", vars::SES_RATE));
                    1.0
                }
            },
        };
        let ses_configuration_set = get(vars::CONFIGURATION_SET).map(str::to_owned);
        let join_key = match get(vars::JOIN_KEY) {
            None => None,
            Some(k) => {
                let parsed = JoinKey::parse(k);
                if parsed.is_none() {
                    problems.push(format!(
                        "{} must be 32 random bytes as 64 hex digits or URL-safe base64",
                        vars::JOIN_KEY
                    ));
                }
                parsed
            }
        };

        let registrations_per_event_per_minute = match get(vars::REGISTRATIONS_PER_EVENT_PER_MINUTE)
        {
            None => REGISTRATIONS_PER_EVENT_PER_MINUTE,
            Some(n) => match n.parse::<u32>() {
                Ok(n) if n > 0 => n,
                _ => {
                    problems.push(format!(
                        "{} must be a whole number from 1 to {}",
                        vars::REGISTRATIONS_PER_EVENT_PER_MINUTE,
                        u32::MAX
                    ));
                    REGISTRATIONS_PER_EVENT_PER_MINUTE
                }
            },
        };

        match (table, sender, site_url) {
            (Some(table), Some(sender), Some(site_url)) if problems.is_empty() => Ok(Self {
                table,
                sender,
                site_url,
                cors: CorsConfig { allowed_origins },
                organiser_token_hash,
                ses_rate,
                ses_configuration_set,
                join_key,
                registrations_per_event_per_minute,
            }),
            _ => Err(ConfigError { problems }),
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

    /// The registration and organiser functions derive join links with this key.
    pub fn require_join_key(&self) -> Result<JoinKey, ConfigError> {
        self.join_key.clone().ok_or_else(|| ConfigError {
            problems: vec![format!("{} is not set", vars::JOIN_KEY)],
        })
    }

    /// A link into the website: `{site}/{path}?{query}`.
    pub fn site_link(&self, path: &str, query: &[(&str, &str)]) -> String {
        let mut url = self.site_url.clone();
        let base = url.path().trim_end_matches('/').to_owned();
        url.set_path(&format!("{base}/{}", path.trim_start_matches('/')));
        if query.is_empty() {
            url.set_query(None);
        } else {
            url.query_pairs_mut().clear().extend_pairs(query);
        }
        url.to_string()
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
        assert_eq!(c.registrations_per_event_per_minute, 600);
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
            c.site_link("/registration/confirm", &[("token", "a-b_c")]),
            "https://example.org/ws/registration/confirm?token=a-b_c"
        );
    }
}
