//! Who sent a request, and whether it came through the CDN: decided once per request, in
//! [`serve`](super::serve), before any route runs.
//!
//! In production CloudFront stands in front of the HTTP API. API Gateway's `sourceIp` is then the
//! edge server's address, shared by every viewer that edge serves, and the execute-api endpoint
//! is open to anyone who finds it. So CloudFront sends the API origin a secret header
//! ([`ORIGIN_HEADER`], the deployment secret's `origin_secret`) and the viewer's address
//! ([`VIEWER_ADDRESS`]); with a secret configured, a request without the secret is refused 403 and
//! the client is the viewer. Without one (the local stack, the tests) the client is the peer, and
//! a `CloudFront-Viewer-Address` a client sends is ignored: anyone could write one.

use std::net::IpAddr;

use http::HeaderMap;
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

use super::{Problem, Request};
use crate::domain::ClientAddress;

/// The header CloudFront adds to every request to the API origin (`OriginCustomHeaders`).
pub const ORIGIN_HEADER: &str = "x-plenary-origin";
/// CloudFront's viewer address header (`ip:port`; an IPv6 address comes without brackets).
pub const VIEWER_ADDRESS: &str = "cloudfront-viewer-address";

/// The shortest origin secret taken: it is a password CloudFront presents on every request.
pub const MIN_ORIGIN_SECRET_LEN: usize = 32;
/// The longest (CloudFront allows 1,783 characters in a custom header's value; a secret needs
/// far fewer).
pub const MAX_ORIGIN_SECRET_LEN: usize = 256;

/// A secret CloudFront presents, kept as its SHA-256 so that comparing takes the same time
/// whatever was presented, its length included.
#[derive(Clone, PartialEq, Eq)]
pub struct OriginSecret([u8; 32]);

impl OriginSecret {
    /// 32 to 256 visible ASCII characters (what a header value carries unchanged).
    pub fn parse(raw: &str) -> Option<Self> {
        let ok = (MIN_ORIGIN_SECRET_LEN..=MAX_ORIGIN_SECRET_LEN).contains(&raw.len())
            && raw.bytes().all(|b| b.is_ascii_graphic());
        ok.then(|| Self(Sha256::digest(raw.as_bytes()).into()))
    }

    fn matches(&self, presented: &[u8]) -> bool {
        let digest: [u8; 32] = Sha256::digest(presented).into();
        digest.ct_eq(&self.0).into()
    }
}

impl std::fmt::Debug for OriginSecret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("OriginSecret(..)")
    }
}

/// What the request entry knows of the CDN in front of the functions.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Edge {
    /// The secrets taken: none without a CDN; the current one, and during a rotation the one
    /// before it (CloudFront's edges switch over minutes, not at once).
    accepted: Vec<OriginSecret>,
}

impl Edge {
    /// No CDN in front: every request is taken and its client is the peer.
    pub fn direct() -> Self {
        Self::default()
    }

    /// Behind CloudFront: only requests carrying `current` (or `previous`, while a rotation
    /// lasts) are taken, and their client is the viewer CloudFront names.
    pub fn behind_cdn(current: OriginSecret, previous: Option<OriginSecret>) -> Self {
        Self {
            accepted: std::iter::once(current).chain(previous).collect(),
        }
    }

    pub fn is_behind_cdn(&self) -> bool {
        !self.accepted.is_empty()
    }

    /// The client of `req` for the per-client limits, or the 403 of a request that did not come
    /// through the CDN.
    pub fn client(&self, req: &Request) -> Result<Option<ClientAddress>, Problem> {
        let peer = peer_address(req);
        if !self.is_behind_cdn() {
            return Ok(peer);
        }
        let presented = single(req.headers(), ORIGIN_HEADER).map(|v| v.as_bytes());
        // Every secret is compared, so the time does not say which one matched.
        let through_cdn = presented.is_some_and(|p| {
            self.accepted
                .iter()
                .fold(false, |seen, secret| seen | secret.matches(p))
        });
        if !through_cdn {
            return Err(Problem::forbidden(
                "cdn-required",
                "this API answers only through its public address",
            ));
        }
        match viewer_address(req.headers()) {
            Some(viewer) => Ok(Some(viewer)),
            None => {
                // Only a misconfigured distribution (its origin request policy not forwarding
                // the header) gets here. The edge's address still limits, coarsely; no address
                // would switch the limits off.
                tracing::warn!(
                    "a request through the CDN has no usable CloudFront-Viewer-Address; its edge server's address is counted"
                );
                Ok(peer)
            }
        }
    }
}

/// The value of `name` when the request has exactly one: two would leave it open which one
/// CloudFront wrote.
fn single<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a http::HeaderValue> {
    let mut values = headers.get_all(name).iter();
    let first = values.next()?;
    values.next().is_none().then_some(first)
}

/// The viewer in `CloudFront-Viewer-Address`: `198.51.100.10:46532`, or `2001:db8::1:443` (no
/// brackets, so the port is after the last colon).
fn viewer_address(headers: &HeaderMap) -> Option<ClientAddress> {
    let value = single(headers, VIEWER_ADDRESS)?.to_str().ok()?.trim();
    let (ip, port) = value.rsplit_once(':')?;
    port.parse::<u16>().ok()?;
    let ip = ip
        .strip_prefix('[')
        .and_then(|s| s.strip_suffix(']'))
        .unwrap_or(ip);
    Some(ClientAddress::of(ip.parse::<IpAddr>().ok()?))
}

/// The peer as API Gateway reports it (`requestContext.http.sourceIp`, which the local server
/// fills with the peer address).
fn peer_address(req: &Request) -> Option<ClientAddress> {
    use lambda_http::RequestExt;
    use lambda_http::request::RequestContext;
    match req.request_context_ref()? {
        RequestContext::ApiGatewayV2(c) => ClientAddress::parse(c.http.source_ip.as_deref()?),
        // Only the HTTP API's context is enabled; any other has no address we read.
        #[allow(unreachable_patterns)]
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SECRET: &str = "s3cret-s3cret-s3cret-s3cret-s3cret-0001";
    const OLD: &str = "old-old-old-old-old-old-old-old-old-0000";
    const EDGE: [u8; 4] = [130, 176, 1, 1];

    fn behind() -> Edge {
        Edge::behind_cdn(OriginSecret::parse(SECRET).unwrap(), None)
    }

    fn req(headers: &[(&str, &str)]) -> Request {
        let mut b = http::Request::builder().uri("/v1/events");
        for (k, v) in headers {
            b = b.header(*k, *v);
        }
        super::super::from_peer(b.body(lambda_http::Body::Empty).unwrap(), EDGE.into())
    }

    fn client(edge: &Edge, headers: &[(&str, &str)]) -> Result<Option<String>, u16> {
        edge.client(&req(headers))
            .map(|c| c.map(|c| c.to_string()))
            .map_err(|p| p.status.as_u16())
    }

    #[test]
    fn through_the_cdn_the_client_is_the_ipv4_viewer() {
        let got = client(
            &behind(),
            &[
                (ORIGIN_HEADER, SECRET),
                (VIEWER_ADDRESS, "198.51.100.10:46532"),
            ],
        );
        assert_eq!(got, Ok(Some("198.51.100.10".into())));
    }

    #[test]
    fn through_the_cdn_an_ipv6_viewer_without_brackets_is_counted_by_its_slash_64() {
        for (value, counted) in [
            ("2001:db8:1:2::1:443", "2001:db8:1:2::/64"),
            (
                "2001:db8:1:2:aaaa:bbbb:cccc:dddd:61000",
                "2001:db8:1:2::/64",
            ),
            ("[2001:db8:1:3::7]:443", "2001:db8:1:3::/64"),
            ("::ffff:198.51.100.10:443", "198.51.100.10"),
        ] {
            let got = client(
                &behind(),
                &[(ORIGIN_HEADER, SECRET), (VIEWER_ADDRESS, value)],
            );
            assert_eq!(got, Ok(Some(counted.into())), "{value}");
        }
    }

    #[test]
    fn a_request_without_the_right_origin_secret_is_refused_403_as_a_problem() {
        let wrong = format!("{SECRET}x");
        for headers in [
            vec![(VIEWER_ADDRESS, "198.51.100.10:1")],
            vec![(ORIGIN_HEADER, wrong.as_str())],
            vec![(ORIGIN_HEADER, &SECRET[..SECRET.len() - 1])],
            vec![(ORIGIN_HEADER, ""), (VIEWER_ADDRESS, "198.51.100.10:1")],
            // A second value: which one CloudFront wrote is unknown.
            vec![(ORIGIN_HEADER, SECRET), (ORIGIN_HEADER, SECRET)],
        ] {
            assert_eq!(client(&behind(), &headers), Err(403), "{headers:?}");
        }
        let p = behind().client(&req(&[])).unwrap_err();
        let body = p.to_json();
        assert_eq!(body["type"], "/problems/cdn-required");
        assert_eq!(body["title"], "Forbidden");
        assert_eq!(
            p.into_response().headers()["content-type"],
            "application/problem+json"
        );
    }

    #[test]
    fn during_a_rotation_the_previous_secret_is_taken_too_and_no_other() {
        let edge = Edge::behind_cdn(
            OriginSecret::parse(SECRET).unwrap(),
            OriginSecret::parse(OLD),
        );
        let viewer = (VIEWER_ADDRESS, "198.51.100.10:1");
        assert!(client(&edge, &[(ORIGIN_HEADER, SECRET), viewer]).is_ok());
        assert!(client(&edge, &[(ORIGIN_HEADER, OLD), viewer]).is_ok());
        let other = "another-another-another-another-000";
        assert_eq!(client(&edge, &[(ORIGIN_HEADER, other), viewer]), Err(403));
    }

    #[test]
    fn through_the_cdn_an_unusable_viewer_address_counts_the_edge_server() {
        for value in [
            None,
            Some("198.51.100.10"),
            Some("198.51.100.10:port"),
            Some("198.51.100.10:70000"),
            Some("not-an-address:443"),
        ] {
            let mut headers = vec![(ORIGIN_HEADER, SECRET)];
            headers.extend(value.map(|v| (VIEWER_ADDRESS, v)));
            assert_eq!(
                client(&behind(), &headers),
                Ok(Some("130.176.1.1".into())),
                "{value:?}"
            );
        }
        let two = [
            (ORIGIN_HEADER, SECRET),
            (VIEWER_ADDRESS, "203.0.113.9:1"),
            (VIEWER_ADDRESS, "198.51.100.10:2"),
        ];
        assert_eq!(client(&behind(), &two), Ok(Some("130.176.1.1".into())));
    }

    #[test]
    fn without_a_cdn_the_client_is_the_peer_and_a_viewer_header_is_ignored() {
        let direct = Edge::direct();
        assert_eq!(client(&direct, &[]), Ok(Some("130.176.1.1".into())));
        let forged = [
            (VIEWER_ADDRESS, "198.51.100.10:46532"),
            (ORIGIN_HEADER, SECRET),
        ];
        assert_eq!(client(&direct, &forged), Ok(Some("130.176.1.1".into())));
    }

    #[test]
    fn an_origin_secret_is_32_to_256_visible_characters_and_never_shown() {
        assert!(OriginSecret::parse(&"a".repeat(31)).is_none());
        assert!(OriginSecret::parse(&"a".repeat(257)).is_none());
        assert!(OriginSecret::parse(&format!("{}\n", "a".repeat(40))).is_none());
        assert!(OriginSecret::parse(&format!("{} b", "a".repeat(40))).is_none());
        let s = OriginSecret::parse(SECRET).unwrap();
        assert!(!format!("{s:?}").contains("s3cret"));
    }
}
