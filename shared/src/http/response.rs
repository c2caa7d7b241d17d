use http::{StatusCode, header};
use serde::Serialize;

use super::{Request, Response};
use crate::token::Token;

/// The JSON text of `value` (our views always serialise; `null` stands in if one did not).
pub fn json_text<T: Serialize>(value: &T) -> String {
    serde_json::to_string(value).unwrap_or_else(|_| "null".to_owned())
}

pub fn json_with_status<T: Serialize>(status: StatusCode, value: &T) -> Response {
    let body = json_text(value);
    http::Response::builder()
        .status(status)
        .header(header::CONTENT_TYPE, "application/json")
        .body(lambda_http::Body::Text(body))
        .unwrap_or_default()
}

pub fn json<T: Serialize>(value: &T) -> Response {
    json_with_status(StatusCode::OK, value)
}

pub fn text(status: StatusCode, content_type: &str, body: String) -> Response {
    http::Response::builder()
        .status(status)
        .header(header::CONTENT_TYPE, content_type)
        .body(lambda_http::Body::Text(body))
        .unwrap_or_default()
}

/// 204, nothing to say.
pub fn no_content() -> Response {
    http::Response::builder()
        .status(StatusCode::NO_CONTENT)
        .body(lambda_http::Body::Empty)
        .unwrap_or_default()
}

/// The bearer token of `Authorization: Bearer …`, if one is present and well formed.
pub fn bearer_token(req: &Request) -> Option<Token> {
    let value = req.headers().get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = value.trim().split_once(' ')?;
    if !scheme.eq_ignore_ascii_case("bearer") {
        return None;
    }
    Token::parse(token).ok()
}

/// Marks an answer as never to be kept by a shared cache (a registrant's or organiser's data).
pub fn private(mut res: Response) -> Response {
    res.headers_mut().insert(
        header::CACHE_CONTROL,
        http::HeaderValue::from_static("no-store"),
    );
    res
}

/// The client of `req` as [`serve`](super::serve) decided it ([`Edge::client`](super::Edge)):
/// the viewer behind the CDN, the peer without one; never a header the client could set. `None`
/// when there is no address (only a request built in a test, not through `serve`).
pub fn client_address(req: &Request) -> Option<crate::domain::ClientAddress> {
    req.extensions().get::<Client>()?.0.clone()
}

/// The client [`serve`](super::serve) found, carried in the request's extensions; private, so
/// nothing else can put one there.
#[derive(Debug, Clone)]
pub(super) struct Client(pub(super) Option<crate::domain::ClientAddress>);

/// `req` as API Gateway would hand it over from `peer` (the local server and tests).
pub fn from_peer(req: Request, peer: std::net::IpAddr) -> Request {
    use lambda_http::RequestExt;
    use lambda_http::aws_lambda_events::apigw::ApiGatewayV2httpRequestContext;
    use lambda_http::request::RequestContext;
    let mut c = ApiGatewayV2httpRequestContext::default();
    c.http.method = req.method().clone();
    c.http.source_ip = Some(peer.to_string());
    req.with_request_context(RequestContext::ApiGatewayV2(c))
}
