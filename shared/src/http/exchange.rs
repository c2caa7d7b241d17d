//! One request's life: request id, the CDN's origin check and the client's address, CORS (with
//! preflight), routing, problem mapping and the single access-log line. Paths are logged as their route pattern, never raw, since some carry tokens.

use std::time::Instant;

use http::{HeaderValue, Method, StatusCode, header};
use tracing::Instrument;

use super::edge::Edge;
use super::response::Client;
use super::router::{Found, Params, Route, find_route};
use super::{Problem, Request, Response};
use crate::config::CorsConfig;

const REQUEST_ID: &str = "x-request-id";
const ALLOWED_HEADERS: &str =
    "Authorization, Content-Type, Idempotency-Key, If-None-Match, X-Request-Id";
const EXPOSED_HEADERS: &str = "ETag, Location, Retry-After, X-Request-Id";

fn request_id(req: &Request) -> String {
    let given = req
        .headers()
        .get(REQUEST_ID)
        .and_then(|v| v.to_str().ok())
        .filter(|v| {
            (1..=64).contains(&v.len())
                && v.bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
        });
    match given {
        Some(id) => id.to_owned(),
        None => {
            let mut b = [0u8; 8];
            let _ = getrandom::fill(&mut b);
            crate::token::hex(&b)
        }
    }
}

/// Runs `dispatch` for the route that `req` names and turns its outcome into the response,
/// adding the request id and CORS headers and answering preflights and unknown routes itself.
/// Before anything else `edge` decides the client (what [`client_address`](super::client_address)
/// reads) and refuses, 403, a request that should have come through the CDN and did not.
pub async fn serve<E: Copy>(
    cors: &CorsConfig,
    edge: &Edge,
    routes: &[Route<E>],
    mut req: Request,
    dispatch: impl AsyncFnOnce(E, Params, Request) -> Result<Response, Problem>,
) -> Response {
    let started = Instant::now();
    let id = request_id(&req);
    let method = req.method().clone();
    let origin = req
        .headers()
        .get(header::ORIGIN)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    let span = tracing::info_span!("request", request_id = %id);
    let found = find_route(routes, &method, req.uri().path());
    let (mut res, pattern) = async {
        match edge.client(&req) {
            Ok(client) => {
                req.extensions_mut().insert(Client(client));
            }
            Err(refused) => return (refused.into_response(), found.pattern()),
        }
        match found {
            Found::Route(ep, params, pattern) => {
                let res = dispatch(ep, params, req)
                    .await
                    .unwrap_or_else(Problem::into_response);
                (res, pattern)
            }
            Found::WrongMethod(allowed, pattern) if method == Method::OPTIONS => {
                (preflight(&allowed), pattern)
            }
            Found::WrongMethod(allowed, pattern) => (
                Problem::method_not_allowed(&allowed).into_response(),
                pattern,
            ),
            Found::None => (
                Problem::not_found("this route").into_response(),
                "(unknown)",
            ),
        }
    }
    .instrument(span.clone())
    .await;
    let h = res.headers_mut();
    if let Ok(v) = HeaderValue::from_str(&id) {
        h.insert(REQUEST_ID, v);
    }
    if let Some(origin) = origin.filter(|o| cors.allows(o))
        && let Ok(v) = HeaderValue::from_str(&origin)
    {
        h.insert(header::ACCESS_CONTROL_ALLOW_ORIGIN, v);
        h.insert(
            header::ACCESS_CONTROL_EXPOSE_HEADERS,
            HeaderValue::from_static(EXPOSED_HEADERS),
        );
        h.append(header::VARY, HeaderValue::from_static("Origin"));
    }
    let status = res.status().as_u16();
    span.in_scope(|| {
        tracing::info!(
            method = %method,
            route = pattern,
            status,
            duration_us = started.elapsed().as_micros() as u64,
            "answered"
        );
    });
    res
}

fn preflight(allowed: &[Method]) -> Response {
    let mut methods: Vec<&str> = allowed.iter().map(Method::as_str).collect();
    methods.push("OPTIONS");
    http::Response::builder()
        .status(StatusCode::NO_CONTENT)
        .header(header::ACCESS_CONTROL_ALLOW_METHODS, methods.join(", "))
        .header(header::ACCESS_CONTROL_ALLOW_HEADERS, ALLOWED_HEADERS)
        .header(header::ACCESS_CONTROL_MAX_AGE, "600")
        .header(header::ALLOW, methods.join(", "))
        .body(lambda_http::Body::Empty)
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    const ROUTES: &[Route<u8>] = &[Route {
        method: Method::GET,
        pattern: "/v1/things/{id}",
        endpoint: 1,
    }];

    fn cors() -> CorsConfig {
        CorsConfig {
            allowed_origins: vec!["https://site.example".into()],
        }
    }

    fn req(method: Method, path: &str, origin: Option<&str>) -> Request {
        let mut b = http::Request::builder().method(method).uri(path);
        if let Some(o) = origin {
            b = b.header(header::ORIGIN, o);
        }
        b.body(lambda_http::Body::Empty).unwrap()
    }

    async fn echo(_: u8, p: Params, _: Request) -> Result<Response, Problem> {
        Ok(super::super::json(&p.get("id")))
    }

    #[tokio::test]
    async fn every_response_carries_a_request_id() {
        let res = serve(
            &cors(),
            &Edge::direct(),
            ROUTES,
            req(Method::GET, "/v1/things/a", None),
            echo,
        )
        .await;
        assert_eq!(res.status(), 200);
        assert_eq!(res.headers()[REQUEST_ID].len(), 16);
    }

    #[tokio::test]
    async fn an_allowed_origin_gets_cors_headers_and_another_does_not() {
        let ok = serve(
            &cors(),
            &Edge::direct(),
            ROUTES,
            req(Method::GET, "/v1/things/a", Some("https://site.example")),
            echo,
        )
        .await;
        assert_eq!(
            ok.headers()[header::ACCESS_CONTROL_ALLOW_ORIGIN],
            "https://site.example"
        );
        let no = serve(
            &cors(),
            &Edge::direct(),
            ROUTES,
            req(Method::GET, "/v1/things/a", Some("https://evil.example")),
            echo,
        )
        .await;
        assert!(
            no.headers()
                .get(header::ACCESS_CONTROL_ALLOW_ORIGIN)
                .is_none()
        );
    }

    #[tokio::test]
    async fn a_preflight_is_answered_with_the_routes_methods() {
        let res = serve(
            &cors(),
            &Edge::direct(),
            ROUTES,
            req(
                Method::OPTIONS,
                "/v1/things/a",
                Some("https://site.example"),
            ),
            echo,
        )
        .await;
        assert_eq!(res.status(), 204);
        assert_eq!(
            res.headers()[header::ACCESS_CONTROL_ALLOW_METHODS],
            "GET, OPTIONS"
        );
        assert!(
            res.headers()[header::ACCESS_CONTROL_ALLOW_HEADERS]
                .to_str()
                .unwrap()
                .contains("Idempotency-Key")
        );
    }

    #[tokio::test]
    async fn unknown_routes_and_wrong_methods_are_problems() {
        let res = serve(
            &cors(),
            &Edge::direct(),
            ROUTES,
            req(Method::GET, "/v1/nothing", None),
            echo,
        )
        .await;
        assert_eq!(res.status(), 404);
        let res = serve(
            &cors(),
            &Edge::direct(),
            ROUTES,
            req(Method::DELETE, "/v1/things/a", None),
            echo,
        )
        .await;
        assert_eq!(res.status(), 405);
        assert_eq!(res.headers()[header::ALLOW], "GET");
    }

    const SECRET: &str = "an-origin-secret-of-forty-characters-00";

    fn behind_cdn() -> Edge {
        Edge::behind_cdn(super::super::OriginSecret::parse(SECRET).unwrap(), None)
    }

    fn from_edge(method: Method, path: &str, secret: Option<&str>) -> Request {
        let mut b = http::Request::builder()
            .method(method)
            .uri(path)
            .header(super::super::VIEWER_ADDRESS, "2001:db8:5:6::9:443");
        if let Some(s) = secret {
            b = b.header(super::super::ORIGIN_HEADER, s);
        }
        super::super::from_peer(
            b.body(lambda_http::Body::Empty).unwrap(),
            [130, 176, 1, 1].into(),
        )
    }

    async fn client_of(_: u8, _: Params, req: Request) -> Result<Response, Problem> {
        Ok(super::super::json(
            &super::super::client_address(&req).map(|c| c.to_string()),
        ))
    }

    #[tokio::test]
    async fn behind_the_cdn_a_request_without_its_secret_is_refused_before_any_route_runs() {
        let ran = std::sync::atomic::AtomicBool::new(false);
        for (method, path) in [
            (Method::GET, "/v1/things/a"),
            (Method::OPTIONS, "/v1/things/a"),
            (Method::GET, "/v1/nothing"),
        ] {
            let res = serve(
                &cors(),
                &behind_cdn(),
                ROUTES,
                from_edge(method.clone(), path, None),
                async |_, _, _| {
                    ran.store(true, std::sync::atomic::Ordering::SeqCst);
                    Ok(super::super::no_content())
                },
            )
            .await;
            assert_eq!(res.status(), 403, "{method} {path}");
            assert_eq!(
                res.headers()[header::CONTENT_TYPE],
                "application/problem+json"
            );
            assert_eq!(res.headers()[REQUEST_ID].len(), 16);
        }
        assert!(!ran.load(std::sync::atomic::Ordering::SeqCst));
    }

    #[tokio::test]
    async fn the_routes_see_the_client_the_edge_decided() {
        let through = serve(
            &cors(),
            &behind_cdn(),
            ROUTES,
            from_edge(Method::GET, "/v1/things/a", Some(SECRET)),
            client_of,
        )
        .await;
        assert_eq!(through.status(), 200);
        assert_eq!(
            through.body(),
            &lambda_http::Body::Text("\"2001:db8:5:6::/64\"".into())
        );
        let direct = serve(
            &cors(),
            &Edge::direct(),
            ROUTES,
            from_edge(Method::GET, "/v1/things/a", Some(SECRET)),
            client_of,
        )
        .await;
        assert_eq!(
            direct.body(),
            &lambda_http::Body::Text("\"130.176.1.1\"".into())
        );
    }
}
