//! Browser uploads as S3 defines them: a POST policy (what the form may carry) signed with
//! Signature Version 4, and the check S3 makes of a submitted form, so the local stack's upload
//! route accepts and refuses exactly what the bucket would.
//!
//! Built here on `hmac` and `sha2` (already in the tree for tokens) rather than with
//! `aws-sdk-s3`: the Rust SDK presigns requests (GET, PUT) but has no POST policy, and a
//! presigned PUT cannot limit the size of what is sent.

use std::collections::BTreeMap;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use jiff::Timestamp;
use serde_json::{Value, json};
use sha2::Sha256;
use subtle::ConstantTimeEq as _;

pub const ALGORITHM: &str = "AWS4-HMAC-SHA256";

/// The keys a form is signed with.
#[derive(Clone)]
pub struct SigningKeys {
    pub access_key_id: String,
    pub secret_access_key: String,
    /// Temporary credentials (a Lambda's role) carry one; S3 wants it in the form and the policy.
    pub session_token: Option<String>,
}

impl std::fmt::Debug for SigningKeys {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "SigningKeys({}, ***)", self.access_key_id)
    }
}

/// What one form lets its holder store: exactly this key, this type, this size, until then.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Grant {
    pub bucket: String,
    pub key: String,
    pub content_type: String,
    pub size: u64,
    pub expires_at: Timestamp,
}

/// Every field of a signed form, in the order it is sent; the file goes after them as `file`.
pub fn signed_fields(
    grant: &Grant,
    keys: &SigningKeys,
    region: &str,
    now: Timestamp,
) -> Vec<(String, String)> {
    let utc = now.to_zoned(jiff::tz::TimeZone::UTC);
    let date = utc.strftime("%Y%m%d").to_string();
    let amz_date = utc.strftime("%Y%m%dT%H%M%SZ").to_string();
    let credential = format!("{}/{date}/{region}/s3/aws4_request", keys.access_key_id);
    let mut fields = vec![
        ("key".to_owned(), grant.key.clone()),
        ("Content-Type".to_owned(), grant.content_type.clone()),
        ("x-amz-algorithm".to_owned(), ALGORITHM.to_owned()),
        ("x-amz-credential".to_owned(), credential),
        ("x-amz-date".to_owned(), amz_date),
    ];
    if let Some(token) = &keys.session_token {
        fields.push(("x-amz-security-token".to_owned(), token.clone()));
    }
    let mut conditions = vec![json!({"bucket": grant.bucket})];
    conditions.extend(fields.iter().map(|(k, v)| json!({ k: v })));
    conditions.push(json!(["content-length-range", grant.size, grant.size]));
    let expiration = grant
        .expires_at
        .to_zoned(jiff::tz::TimeZone::UTC)
        .strftime("%Y-%m-%dT%H:%M:%S.000Z")
        .to_string();
    let policy = json!({"expiration": expiration, "conditions": conditions}).to_string();
    let policy = STANDARD.encode(policy);
    let signature = signature(&keys.secret_access_key, &date, region, &policy);
    fields.push(("policy".to_owned(), policy));
    fields.push(("x-amz-signature".to_owned(), signature));
    fields
}

/// SigV4 over a POST policy: the base64 policy is the string to sign.
pub fn signature(secret: &str, date: &str, region: &str, policy_base64: &str) -> String {
    let mut key = hmac(format!("AWS4{secret}").as_bytes(), date.as_bytes());
    for part in [region, "s3", "aws4_request"] {
        key = hmac(&key, part.as_bytes());
    }
    crate::token::hex(&hmac(&key, policy_base64.as_bytes()))
}

fn hmac(key: &[u8], data: &[u8]) -> [u8; 32] {
    use hmac::{KeyInit as _, Mac as _};
    let mut mac =
        hmac::Hmac::<Sha256>::new_from_slice(key).expect("HMAC takes a key of any length");
    mac.update(data);
    mac.finalize().into_bytes().into()
}

/// Why a submitted form is refused, as S3 would: 403 for a form not signed by us, expired or
/// outside its policy; 400 for a file outside the size the policy allows.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Refusal {
    #[error("the form is not signed: {0}")]
    Unsigned(String),
    #[error("the signature does not match the policy")]
    BadSignature,
    #[error("the form expired at {0}")]
    Expired(String),
    #[error("{0}")]
    Policy(String),
}

/// A form whose signature and conditions hold (the file's size is checked as it arrives).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Accepted {
    /// Field names as sent, with their values.
    pub fields: BTreeMap<String, String>,
    /// The sizes the policy allows, inclusive.
    pub length: (u64, u64),
}

impl Accepted {
    /// A field, named in any case (S3's form field names are case-insensitive).
    pub fn field(&self, name: &str) -> Option<&str> {
        self.fields
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

/// S3's check of a form posted to `bucket` before its file: signed with `secret` (looked up by
/// the access key id of `x-amz-credential`), not expired at `now`, every condition of the policy
/// met, and every field sent (but the policy, the signature and `x-ignore-` ones) named by one.
pub fn check(
    fields: &BTreeMap<String, String>,
    bucket: &str,
    region: &str,
    secret: impl Fn(&str) -> Option<String>,
    now: Timestamp,
) -> Result<Accepted, Refusal> {
    let get = |name: &str| {
        fields
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    };
    let missing = |name: &str| Refusal::Unsigned(format!("the form has no {name}"));
    let policy_b64 = get("policy").ok_or_else(|| missing("policy"))?;
    let sent = get("x-amz-signature").ok_or_else(|| missing("x-amz-signature"))?;
    if get("x-amz-algorithm") != Some(ALGORITHM) {
        return Err(Refusal::Unsigned(format!(
            "x-amz-algorithm must be {ALGORITHM}"
        )));
    }
    let credential = get("x-amz-credential").ok_or_else(|| missing("x-amz-credential"))?;
    let scope: Vec<&str> = credential.split('/').collect();
    let [akid, date, scope_region, "s3", "aws4_request"] = scope[..] else {
        return Err(Refusal::Unsigned(
            "x-amz-credential is malformed".to_owned(),
        ));
    };
    if scope_region != region {
        return Err(Refusal::Unsigned(format!(
            "the credential is for {scope_region}, not {region}"
        )));
    }
    let secret = secret(akid).ok_or(Refusal::BadSignature)?;
    let expected = signature(&secret, date, region, policy_b64);
    if !bool::from(expected.as_bytes().ct_eq(sent.as_bytes())) {
        return Err(Refusal::BadSignature);
    }
    let policy: Value = STANDARD
        .decode(policy_b64)
        .ok()
        .and_then(|b| serde_json::from_slice(&b).ok())
        .ok_or_else(|| Refusal::Policy("the policy is not base64 JSON".to_owned()))?;
    let expiration = policy["expiration"]
        .as_str()
        .and_then(|e| e.parse::<Timestamp>().ok())
        .ok_or_else(|| Refusal::Policy("the policy has no expiration".to_owned()))?;
    if now >= expiration {
        return Err(Refusal::Expired(expiration.to_string()));
    }
    let mut length = (0, u64::MAX);
    let mut named = vec!["policy".to_owned(), "x-amz-signature".to_owned()];
    let conditions = policy["conditions"]
        .as_array()
        .ok_or_else(|| Refusal::Policy("the policy has no conditions".to_owned()))?;
    for c in conditions {
        let (name, test) = condition(c)?;
        match (name.as_str(), test) {
            ("content-length-range", Test::Range(min, max)) => length = (min, max),
            ("bucket", Test::Eq(v)) => {
                if v != bucket {
                    return Err(failed(&name));
                }
            }
            (_, Test::Eq(v)) => {
                if get(&name) != Some(v.as_str()) {
                    return Err(failed(&name));
                }
                named.push(name);
            }
            (_, Test::StartsWith(p)) => {
                if !get(&name).is_some_and(|x| x.starts_with(&p)) {
                    return Err(failed(&name));
                }
                named.push(name);
            }
            _ => {
                return Err(Refusal::Policy(format!(
                    "a condition on {name} is malformed"
                )));
            }
        }
    }
    if let Some(extra) = fields.keys().find(|k| {
        let k = k.to_ascii_lowercase();
        !k.starts_with("x-ignore-") && !named.iter().any(|n| n.eq_ignore_ascii_case(&k))
    }) {
        return Err(Refusal::Policy(format!(
            "Invalid according to Policy: Extra input fields: {extra}"
        )));
    }
    Ok(Accepted {
        fields: fields.clone(),
        length,
    })
}

fn failed(name: &str) -> Refusal {
    Refusal::Policy(format!(
        "Invalid according to Policy: Policy Condition failed: {name}"
    ))
}

enum Test {
    Eq(String),
    StartsWith(String),
    Range(u64, u64),
}

/// One condition: `{"name": "value"}`, `["eq" | "starts-with", "$name", "value"]` or
/// `["content-length-range", min, max]`.
fn condition(c: &Value) -> Result<(String, Test), Refusal> {
    let bad = || Refusal::Policy(format!("the condition {c} is malformed"));
    if let Some(obj) = c.as_object() {
        let (k, v) = obj
            .iter()
            .next()
            .filter(|_| obj.len() == 1)
            .ok_or_else(bad)?;
        return Ok((k.clone(), Test::Eq(v.as_str().ok_or_else(bad)?.to_owned())));
    }
    let parts = c.as_array().ok_or_else(bad)?;
    match parts.as_slice() {
        [op, min, max] if op == "content-length-range" => Ok((
            "content-length-range".to_owned(),
            Test::Range(min.as_u64().ok_or_else(bad)?, max.as_u64().ok_or_else(bad)?),
        )),
        [op, name, value] => {
            let name = name
                .as_str()
                .and_then(|n| n.strip_prefix('$'))
                .ok_or_else(bad)?;
            let value = value.as_str().ok_or_else(bad)?.to_owned();
            match op.as_str() {
                Some("eq") => Ok((name.to_owned(), Test::Eq(value))),
                Some("starts-with") => Ok((name.to_owned(), Test::StartsWith(value))),
                _ => Err(bad()),
            }
        }
        _ => Err(bad()),
    }
}

/// The policy a signed form carries, decoded: for tests and for reading what a form allows.
pub fn policy_of(fields: &[(String, String)]) -> Option<Value> {
    let b64 = &fields.iter().find(|(k, _)| k == "policy")?.1;
    serde_json::from_slice(&STANDARD.decode(b64).ok()?).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn keys() -> SigningKeys {
        SigningKeys {
            access_key_id: "AKIAIOSFODNN7EXAMPLE".into(),
            secret_access_key: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY".into(),
            session_token: Some("session-token".into()),
        }
    }

    fn grant() -> Grant {
        Grant {
            bucket: "uploads-bucket".into(),
            key: "files/qos/01J/slides.pdf".into(),
            content_type: "application/pdf".into(),
            size: 1234,
            expires_at: "2026-12-02T20:00:00Z".parse().unwrap(),
        }
    }

    fn now() -> Timestamp {
        "2026-12-02T19:00:00Z".parse().unwrap()
    }

    fn sent(fields: &[(String, String)]) -> BTreeMap<String, String> {
        fields.iter().cloned().collect()
    }

    fn secret(akid: &str) -> Option<String> {
        (akid == "AKIAIOSFODNN7EXAMPLE").then(|| keys().secret_access_key)
    }

    #[test]
    fn the_signature_is_the_one_botocore_computes_for_the_same_policy() {
        // botocore 1.x S3SigV4PostAuth, the AWS documentation's example credentials, 2026-12-02.
        let policy = "eyJleHBpcmF0aW9uIjogIjIwMTUtMTItMzBUMTI6MDA6MDAuMDAwWiIsICJjb25kaXRpb25zIjogW3siYnVja2V0IjogInNpZ3Y0ZXhhbXBsZWJ1Y2tldCJ9LCB7IngtYW16LWFsZ29yaXRobSI6ICJBV1M0LUhNQUMtU0hBMjU2In0sIHsieC1hbXotY3JlZGVudGlhbCI6ICJBS0lBSU9TRk9ETk43RVhBTVBMRS8yMDI2MTIwMi91cy1lYXN0LTEvczMvYXdzNF9yZXF1ZXN0In0sIHsieC1hbXotZGF0ZSI6ICIyMDI2MTIwMlQxOTAyMTRaIn1dfQ==";
        assert_eq!(
            signature(&keys().secret_access_key, "20261202", "us-east-1", policy),
            "f7eeb4d93dcae62bd01ce640260f4b6a9170a8a4ed4c6d5c25362fad3028185d"
        );
    }

    #[test]
    fn the_policy_limits_the_key_the_type_and_the_exact_size_until_it_expires() {
        let fields = signed_fields(&grant(), &keys(), "eu-west-1", now());
        let policy = policy_of(&fields).unwrap();
        assert_eq!(policy["expiration"], "2026-12-02T20:00:00.000Z");
        let conditions = policy["conditions"].as_array().unwrap();
        for c in [
            json!({"bucket": "uploads-bucket"}),
            json!({"key": "files/qos/01J/slides.pdf"}),
            json!({"Content-Type": "application/pdf"}),
            json!(["content-length-range", 1234, 1234]),
            json!({"x-amz-algorithm": "AWS4-HMAC-SHA256"}),
            json!({"x-amz-credential": "AKIAIOSFODNN7EXAMPLE/20261202/eu-west-1/s3/aws4_request"}),
            json!({"x-amz-date": "20261202T190000Z"}),
            json!({"x-amz-security-token": "session-token"}),
        ] {
            assert!(conditions.contains(&c), "{c} missing from {policy}");
        }
        assert_eq!(conditions.len(), 8, "{policy}");
        let accepted = check(&sent(&fields), "uploads-bucket", "eu-west-1", secret, now()).unwrap();
        assert_eq!(accepted.length, (1234, 1234));
        assert_eq!(accepted.field("content-type"), Some("application/pdf"));
    }

    #[test]
    fn a_form_changed_expired_or_for_another_bucket_is_refused() {
        let fields = signed_fields(&grant(), &keys(), "eu-west-1", now());
        let ok = sent(&fields);
        let check_ =
            |f: &BTreeMap<String, String>, at| check(f, "uploads-bucket", "eu-west-1", secret, at);
        let mut other_type = ok.clone();
        other_type.insert("Content-Type".into(), "text/html".into());
        assert!(
            matches!(check_(&other_type, now()), Err(Refusal::Policy(m)) if m.contains("Content-Type"))
        );
        let mut other_key = ok.clone();
        other_key.insert("key".into(), "files/qos/01J/other.pdf".into());
        assert!(matches!(check_(&other_key, now()), Err(Refusal::Policy(_))));
        let mut extra = ok.clone();
        extra.insert("acl".into(), "public-read".into());
        assert!(matches!(check_(&extra, now()), Err(Refusal::Policy(m)) if m.contains("acl")));
        let mut signed_by_someone_else = ok.clone();
        signed_by_someone_else.insert("x-amz-signature".into(), "0".repeat(64));
        assert_eq!(
            check_(&signed_by_someone_else, now()),
            Err(Refusal::BadSignature)
        );
        let expiry: Timestamp = "2026-12-02T20:00:00Z".parse().unwrap();
        assert!(matches!(check_(&ok, expiry), Err(Refusal::Expired(_))));
        assert!(check(&ok, "another-bucket", "eu-west-1", secret, now()).is_err());
        assert!(check(&ok, "uploads-bucket", "us-east-1", secret, now()).is_err());
        let mut no_policy = ok.clone();
        no_policy.remove("policy");
        assert!(matches!(
            check_(&no_policy, now()),
            Err(Refusal::Unsigned(_))
        ));
    }
}
