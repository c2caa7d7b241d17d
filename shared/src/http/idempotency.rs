//! `Idempotency-Key` (IETF draft "The Idempotency-Key HTTP Header Field"): the same key with the
//! same request within 24 hours gets the first answer again with no second effect; with another
//! request, 422; while the first is still running, 409.

use http::{HeaderValue, StatusCode, header};
use jiff::Timestamp;
use sha2::{Digest, Sha256};

use super::body::body_bytes;
use super::{Problem, Request, Response};
use crate::store::{Begin, IdempotencyStore, SavedResponse};
use crate::token::hex;

pub const HEADER: &str = "idempotency-key";

fn hash(parts: &[&[u8]]) -> String {
    let mut h = Sha256::new();
    for p in parts {
        h.update((p.len() as u64).to_be_bytes());
        h.update(p);
    }
    hex(&h.finalize())
}

fn body_text(res: &Response) -> String {
    match res.body() {
        lambda_http::Body::Text(s) => s.clone(),
        lambda_http::Body::Binary(b) => String::from_utf8_lossy(b).into_owned(),
        _ => String::new(),
    }
}

/// What an idempotency record is stored under: lowercase hex SHA-256 of the scope and the
/// `Idempotency-Key` a request carried, never the key itself. Only [`idempotent`] makes one,
/// from a key it accepted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IdempotencyKeyHash(String);

impl IdempotencyKeyHash {
    fn of(scope: &str, key: &str) -> Self {
        Self(hash(&[scope.as_bytes(), key.as_bytes()]))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// Runs `run` at most once per (scope, key); without the header it simply runs. The scope is
/// the route and event, not the client: a key shared by two clients replays only to a request
/// with the same method, path and bytes, whose answer (`check_email`) tells nothing, and a
/// client retrying from another address (the reason keys exist) must find its first answer. `run` is told
/// the key's hash when the request carries one; when it commits the answer itself (in its own
/// transaction, through `Change::complete_idempotency`), it says so by returning `true`, and
/// nothing more is written here.
pub async fn idempotent(
    store: &dyn IdempotencyStore,
    scope: &str,
    req: &Request,
    now: Timestamp,
    run: impl AsyncFnOnce(Option<IdempotencyKeyHash>) -> Result<(Response, bool), Problem>,
) -> Result<Response, Problem> {
    let Some(raw) = req.headers().get(HEADER) else {
        return run(None).await.map(|(res, _)| res);
    };
    let key = raw
        .to_str()
        .ok()
        .map(str::trim)
        .filter(|k| (1..=255).contains(&k.len()) && k.bytes().all(|b| (b'!'..=b'~').contains(&b)))
        .ok_or_else(|| {
            Problem::invalid_field(
                "Idempotency-Key",
                "must be 1 to 255 visible ASCII characters",
            )
        })?;
    let key_hash = IdempotencyKeyHash::of(scope, key);
    let request_hash = hash(&[
        req.method().as_str().as_bytes(),
        req.uri().path().as_bytes(),
        body_bytes(req),
    ]);
    match store.begin(&key_hash, &request_hash, now).await? {
        Begin::Fresh => {
            let (res, recorded) = match run(Some(key_hash.clone())).await {
                Ok(done) => done,
                Err(p) => (p.into_response(), false),
            };
            if recorded {
                return Ok(res);
            }
            if res.status().is_server_error() || res.status() == StatusCode::TOO_MANY_REQUESTS {
                // A fault of ours, or "not now": the same key must work when the client retries.
                store.abandon(&key_hash).await?;
            } else {
                let saved = SavedResponse {
                    status: res.status().as_u16(),
                    content_type: res
                        .headers()
                        .get(header::CONTENT_TYPE)
                        .and_then(|v| v.to_str().ok())
                        .unwrap_or("application/json")
                        .to_owned(),
                    body: body_text(&res),
                };
                store.finish(&key_hash, &saved, now).await?;
            }
            Ok(res)
        }
        Begin::Replay(saved) => {
            let mut res = http::Response::builder()
                .status(StatusCode::from_u16(saved.status).unwrap_or(StatusCode::OK))
                .body(lambda_http::Body::Text(saved.body))
                .unwrap_or_default();
            if let Ok(ct) = HeaderValue::from_str(&saved.content_type) {
                res.headers_mut().insert(header::CONTENT_TYPE, ct);
            }
            res.headers_mut()
                .insert("idempotent-replayed", HeaderValue::from_static("true"));
            Ok(res)
        }
        Begin::InProgress => Err(Problem::conflict(
            "idempotency-key-in-use",
            "A request with this Idempotency-Key is still being processed",
            "wait for the first request to finish, then retry",
        )
        .header(header::RETRY_AFTER, "1")),
        Begin::Mismatch => Err(Problem::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "idempotency-key-reused",
            "This Idempotency-Key was used for a different request",
        )
        .detail("use a new key for a new request")),
    }
}
