//! Request bodies are JSON only, at most 64 KiB.

use std::cell::RefCell;

use http::{StatusCode, header};
use serde::de::{DeserializeSeed, Deserializer, Error as _, MapAccess, SeqAccess, Visitor};
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
    let duplicate = RefCell::new(None);
    let mut de = serde_json::Deserializer::from_slice(bytes);
    let parsed = Unique {
        path: String::new(),
        duplicate: &duplicate,
    }
    .deserialize(&mut de)
    .and_then(|v| de.end().map(|()| v));
    parsed.map_err(|e| match duplicate.take() {
        Some(path) => Problem::invalid_field(
            &path,
            "appears more than once in the body; send each key once",
        ),
        None => Problem::invalid_field(
            "body",
            &format!(
                "is not valid JSON (line {}, column {})",
                e.line(),
                e.column()
            ),
        ),
    })
}

/// Reads a JSON value refusing an object with the same key twice: which one would win is up to
/// the parser (serde_json keeps the last, others the first), so a check and a use could see
/// different values. The duplicate's path (`notifications.reminders`, `links[1].url`) goes into
/// `duplicate`, as field errors name fields.
struct Unique<'a> {
    path: String,
    duplicate: &'a RefCell<Option<String>>,
}

impl Unique<'_> {
    fn at(&self, path: String) -> Self {
        Unique {
            path,
            duplicate: self.duplicate,
        }
    }
}

impl<'de> DeserializeSeed<'de> for Unique<'_> {
    type Value = Value;

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Value, D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Unique<'_> {
    type Value = Value;

    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("a JSON value")
    }

    fn visit_bool<E>(self, v: bool) -> Result<Value, E> {
        Ok(Value::Bool(v))
    }

    fn visit_i64<E>(self, v: i64) -> Result<Value, E> {
        Ok(Value::from(v))
    }

    fn visit_u64<E>(self, v: u64) -> Result<Value, E> {
        Ok(Value::from(v))
    }

    fn visit_f64<E>(self, v: f64) -> Result<Value, E> {
        Ok(Value::from(v))
    }

    fn visit_str<E>(self, v: &str) -> Result<Value, E> {
        Ok(Value::String(v.to_owned()))
    }

    fn visit_string<E>(self, v: String) -> Result<Value, E> {
        Ok(Value::String(v))
    }

    fn visit_unit<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        let mut items = Vec::new();
        while let Some(v) =
            seq.next_element_seed(self.at(format!("{}[{}]", self.path, items.len())))?
        {
            items.push(v);
        }
        Ok(Value::Array(items))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Value, A::Error> {
        let mut object = serde_json::Map::new();
        while let Some(key) = map.next_key::<String>()? {
            let path = if self.path.is_empty() {
                key.clone()
            } else {
                format!("{}.{key}", self.path)
            };
            if object.contains_key(&key) {
                *self.duplicate.borrow_mut() = Some(path);
                return Err(A::Error::custom("duplicate key"));
            }
            let v = map.next_value_seed(self.at(path))?;
            object.insert(key, v);
        }
        Ok(Value::Object(object))
    }
}

/// For a route that takes no body: nothing, or a JSON `null` or `{}` (what some clients send
/// for "no body") passes; anything else is a 400 naming `body`, so a client that thinks it is
/// sending something learns that it is not read.
pub fn no_body(req: &Request) -> Result<(), Problem> {
    let text = body_bytes(req).trim_ascii();
    if text.is_empty() || text == b"null" || text == b"{}" {
        return Ok(());
    }
    Err(Problem::invalid_field(
        "body",
        "must be empty: this route takes no body",
    ))
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
    fn a_route_without_a_body_takes_nothing_null_or_an_empty_object_only() {
        for ok in ["", "  \n", "null", "{}", " {} "] {
            assert!(
                no_body(&req(Some("application/json"), ok)).is_ok(),
                "{ok:?}"
            );
        }
        assert!(no_body(&req(None, "")).is_ok());
        for bad in [r#"{"version":3}"#, "[]", "x", "0"] {
            let p = no_body(&req(Some("application/json"), bad)).unwrap_err();
            assert_eq!(
                (p.status.as_u16(), p.errors[0].field.as_str()),
                (400, "body")
            );
        }
    }

    #[test]
    fn a_key_sent_twice_is_a_400_naming_it() {
        let json = |body: &str| json_body(&req(Some("application/json"), body));
        let p = json(r#"{"email":"a@example.org","email":"b@example.org"}"#).unwrap_err();
        assert_eq!(p.status, 400);
        assert_eq!(p.errors.len(), 1);
        assert_eq!(p.errors[0].field, "email");
        let p = json(r#"{"notifications":{"reminders":true,"reminders":false}}"#).unwrap_err();
        assert_eq!(p.errors[0].field, "notifications.reminders");
        let p = json(r#"{"links":[{"url":"x"},{"url":"y","url":"z"}]}"#).unwrap_err();
        assert_eq!(p.errors[0].field, "links[1].url");
        // The same key in two objects is no duplicate.
        let v = json(r#"{"a":{"x":1},"b":{"x":2},"c":[{"x":1},{"x":2}]}"#).unwrap();
        assert_eq!(v["b"]["x"], 2);
    }

    #[test]
    fn values_read_as_serde_json_reads_them() {
        let body = r#"{"s":"é\u00e9","i":-3,"u":18446744073709551615,"f":1.5,"b":true,"n":null,"a":[1,[2]],"o":{}}"#;
        let v = json_body(&req(Some("application/json"), body)).unwrap();
        assert_eq!(v, serde_json::from_str::<Value>(body).unwrap());
        let p = json_body(&req(Some("application/json"), r#"{"a":1} x"#)).unwrap_err();
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
