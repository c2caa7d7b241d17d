//! RFC 9457 problem details: the one shape every error takes on the wire.

use http::{HeaderName, HeaderValue, StatusCode, header};
use serde_json::{Value, json};

use super::Response;
use crate::domain::{FieldError, FieldErrors};

/// A client-facing error. Use cases map their own error types into this in one place each; a
/// fault becomes an opaque 500 or 503 whose cause goes only to the log.
#[derive(Debug, Clone)]
pub struct Problem {
    pub status: StatusCode,
    /// A short stable slug (`not-eligible`); the `type` URI is made from it.
    pub code: &'static str,
    pub title: &'static str,
    pub detail: String,
    /// At most [`MAX_LISTED_ERRORS`] of the field errors found.
    pub errors: Vec<FieldError>,
    /// How many field errors were found, when more than are listed.
    pub errors_total: Option<usize>,
    pub headers: Vec<(HeaderName, HeaderValue)>,
}

/// A 400 lists at most this many field errors: a body of thousands of unknown fields must not
/// get an answer many times its size. The rest are counted in `errors_total`.
pub const MAX_LISTED_ERRORS: usize = 50;

impl Problem {
    pub fn new(status: StatusCode, code: &'static str, title: &'static str) -> Self {
        Self {
            status,
            code,
            title,
            detail: title.to_owned(),
            errors: Vec::new(),
            errors_total: None,
            headers: Vec::new(),
        }
    }

    pub fn detail(mut self, detail: impl Into<String>) -> Self {
        self.detail = detail.into();
        self
    }

    pub fn header(mut self, name: HeaderName, value: &str) -> Self {
        if let Ok(v) = HeaderValue::from_str(value) {
            self.headers.push((name, v));
        }
        self
    }

    /// 400 naming every bad field, or the first [`MAX_LISTED_ERRORS`] of them and how many
    /// there were.
    pub fn invalid(errors: FieldErrors) -> Self {
        let mut errors = errors.0;
        let n = errors.len();
        let mut p = Self::new(
            StatusCode::BAD_REQUEST,
            "invalid-request",
            "The request has invalid fields",
        )
        .detail(match n {
            1 => format!("{} {}", errors[0].field, errors[0].message),
            n if n > MAX_LISTED_ERRORS => {
                format!("{n} fields are invalid; errors lists the first {MAX_LISTED_ERRORS}")
            }
            n => format!("{n} fields are invalid; see errors"),
        });
        if n > MAX_LISTED_ERRORS {
            errors.truncate(MAX_LISTED_ERRORS);
            p.errors_total = Some(n);
        }
        p.errors = errors;
        p
    }

    pub fn invalid_field(field: &str, message: &str) -> Self {
        Self::invalid(FieldErrors::one(field, message))
    }

    pub fn not_found(what: &str) -> Self {
        Self::new(StatusCode::NOT_FOUND, "not-found", "Not found")
            .detail(format!("{what} was not found"))
    }

    pub fn unauthorized(detail: &str) -> Self {
        Self::new(
            StatusCode::UNAUTHORIZED,
            "unauthorized",
            "Authentication is required",
        )
        .detail(detail)
        .header(header::WWW_AUTHENTICATE, "Bearer")
    }

    pub fn forbidden(code: &'static str, detail: &str) -> Self {
        Self::new(StatusCode::FORBIDDEN, code, "Forbidden").detail(detail)
    }

    pub fn conflict(code: &'static str, title: &'static str, detail: &str) -> Self {
        Self::new(StatusCode::CONFLICT, code, title).detail(detail)
    }

    pub fn method_not_allowed(allowed: &[http::Method]) -> Self {
        let allow = allowed
            .iter()
            .map(http::Method::as_str)
            .collect::<Vec<_>>()
            .join(", ");
        Self::new(
            StatusCode::METHOD_NOT_ALLOWED,
            "method-not-allowed",
            "Method not allowed",
        )
        .detail(format!("this route answers {allow}"))
        .header(header::ALLOW, &allow)
    }

    pub fn too_many_requests(retry_after_secs: u64) -> Self {
        Self::new(
            StatusCode::TOO_MANY_REQUESTS,
            "too-many-requests",
            "Too many requests",
        )
        .detail(format!("try again in {retry_after_secs} seconds"))
        .header(header::RETRY_AFTER, &retry_after_secs.to_string())
    }

    /// A fault of ours. The cause is logged here and never sent.
    pub fn internal(cause: &dyn std::error::Error) -> Self {
        tracing::error!(error = %ErrorChain(cause), "internal error");
        Self::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "internal-error",
            "Something went wrong on our side",
        )
        .detail("the request could not be completed; it is safe to retry")
    }

    /// A dependency is down or throttling: the client may retry.
    pub fn unavailable(cause: &dyn std::error::Error) -> Self {
        tracing::warn!(error = %ErrorChain(cause), "dependency unavailable");
        Self::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "unavailable",
            "Temporarily unavailable",
        )
        .detail("please retry shortly")
        .header(header::RETRY_AFTER, "2")
    }

    pub fn to_json(&self) -> Value {
        let mut body = json!({
            "type": format!("/problems/{}", self.code),
            "title": self.title,
            "status": self.status.as_u16(),
            "detail": self.detail,
            "code": self.code,
        });
        if !self.errors.is_empty() {
            body["errors"] = serde_json::to_value(&self.errors).unwrap_or_default();
        }
        if let Some(total) = self.errors_total {
            body["errors_total"] = json!(total);
        }
        body
    }

    pub fn into_response(self) -> Response {
        let body = self.to_json().to_string();
        let mut res = http::Response::builder()
            .status(self.status)
            .header(header::CONTENT_TYPE, "application/problem+json")
            .header(header::CACHE_CONTROL, "no-store");
        for (k, v) in self.headers {
            res = res.header(k, v);
        }
        res.body(lambda_http::Body::Text(body))
            .unwrap_or_else(|_| http::Response::new(lambda_http::Body::Empty))
    }
}

/// Displays an error with its whole `source()` chain on one line, for logs.
pub struct ErrorChain<'a>(pub &'a dyn std::error::Error);

impl std::fmt::Display for ErrorChain<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}", self.0)?;
        let mut cur = self.0.source();
        while let Some(e) = cur {
            write!(f, ": {e}")?;
            cur = e.source();
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_validation_problem_lists_every_field() {
        let p = Problem::invalid(FieldErrors(vec![
            FieldError {
                field: "email".into(),
                message: "is required".into(),
            },
            FieldError {
                field: "notifications.reminders".into(),
                message: "must be true or false".into(),
            },
        ]));
        let j = p.to_json();
        assert_eq!(j["status"], 400);
        assert_eq!(j["type"], "/problems/invalid-request");
        assert_eq!(j["errors"][1]["field"], "notifications.reminders");
    }

    #[test]
    fn an_internal_problem_never_carries_its_cause() {
        let cause = std::io::Error::other("table plenary-prod: secret internals");
        let res = Problem::internal(&cause).into_response();
        assert_eq!(res.status(), 500);
        let lambda_http::Body::Text(body) = res.body() else {
            panic!("text body expected")
        };
        assert!(!body.contains("secret"));
        assert_eq!(
            res.headers()[header::CONTENT_TYPE],
            "application/problem+json"
        );
    }

    #[test]
    fn a_problem_lists_at_most_fifty_errors_and_says_how_many_there_were() {
        let many = |n: usize| {
            FieldErrors(
                (0..n)
                    .map(|i| FieldError {
                        field: format!("unknown{i}"),
                        message: "is not a field of this request".into(),
                    })
                    .collect(),
            )
        };
        let j = Problem::invalid(many(6_500)).to_json();
        assert_eq!(j["errors"].as_array().unwrap().len(), MAX_LISTED_ERRORS);
        assert_eq!(j["errors"][0]["field"], "unknown0");
        assert_eq!(j["errors_total"], 6_500);
        assert_eq!(
            j["detail"],
            "6500 fields are invalid; errors lists the first 50"
        );
        let j = Problem::invalid(many(MAX_LISTED_ERRORS)).to_json();
        assert_eq!(j["errors"].as_array().unwrap().len(), MAX_LISTED_ERRORS);
        assert!(j.get("errors_total").is_none());
    }
}
