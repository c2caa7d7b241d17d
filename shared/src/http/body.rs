//! Request bodies are JSON only, at most 64 KiB.

use http::{StatusCode, header};
use serde_json::Value;

use super::{Problem, Request};

pub const MAX_BODY_BYTES: usize = 64 * 1024;

pub(crate) fn body_bytes(req: &Request) -> &[u8] {
    match req.body() {
        lambda_http::Body::Empty => &[],
        lambda_http::Body::Text(s) => s.as_bytes(),
        lambda_http::Body::Binary(b) => b,
        _ => &[],
    }
}

/// The body as a JSON value: 415 unless it says it is JSON, 413 past 64 KiB, 400 when it is not
/// well-formed JSON. Field-level checks are the caller's, through `Fields`.
pub fn json_body(req: &Request) -> Result<Value, Problem> {
    let ct = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    let essence = ct
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase();
    if essence != "application/json" {
        return Err(Problem::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "unsupported-media-type",
            "The body must be JSON",
        )
        .detail("send the body as Content-Type: application/json")
        .header(header::ACCEPT, "application/json"));
    }
    let bytes = body_bytes(req);
    if bytes.len() > MAX_BODY_BYTES {
        return Err(Problem::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "payload-too-large",
            "The body is too large",
        )
        .detail(format!(
            "request bodies are limited to {MAX_BODY_BYTES} bytes"
        )));
    }
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Err(Problem::invalid_field("body", "is required"));
    }
    serde_json::from_slice(bytes).map_err(|e| {
        Problem::invalid_field(
            "body",
            &format!(
                "is not valid JSON (line {}, column {})",
                e.line(),
                e.column()
            ),
        )
    })
}

/// The query string's parameters, decoded, in order.
pub fn query_params(req: &Request) -> Vec<(String, String)> {
    req.uri()
        .query()
        .map(|q| {
            url::form_urlencoded::parse(q.as_bytes())
                .into_owned()
                .collect()
        })
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn req(ct: Option<&str>, body: &str) -> Request {
        let mut b = http::Request::builder().method("POST").uri("/v1/x");
        if let Some(ct) = ct {
            b = b.header(header::CONTENT_TYPE, ct);
        }
        b.body(lambda_http::Body::Text(body.to_owned())).unwrap()
    }

    #[test]
    fn json_with_a_charset_is_accepted() {
        let v = json_body(&req(Some("application/json; charset=utf-8"), r#"{"a":1}"#)).unwrap();
        assert_eq!(v["a"], 1);
    }

    #[test]
    fn another_content_type_is_415() {
        let p = json_body(&req(Some("text/plain"), "{}")).unwrap_err();
        assert_eq!(p.status, 415);
        let p = json_body(&req(None, "{}")).unwrap_err();
        assert_eq!(p.status, 415);
    }

    #[test]
    fn a_body_over_64_kib_is_413() {
        let big = format!(r#"{{"a":"{}"}}"#, "x".repeat(MAX_BODY_BYTES));
        assert_eq!(
            json_body(&req(Some("application/json"), &big))
                .unwrap_err()
                .status,
            413
        );
    }

    #[test]
    fn malformed_json_is_a_400_naming_the_body() {
        let p = json_body(&req(Some("application/json"), "{nope")).unwrap_err();
        assert_eq!(p.status, 400);
        assert_eq!(p.errors[0].field, "body");
    }

    #[test]
    fn query_parameters_are_decoded() {
        let r = http::Request::builder()
            .uri("/v1/x?tz=America%2FNew_York&from=2")
            .body(lambda_http::Body::Empty)
            .unwrap();
        assert_eq!(
            query_params(&r),
            [
                ("tz".into(), "America/New_York".into()),
                ("from".into(), "2".into())
            ]
        );
    }
}
