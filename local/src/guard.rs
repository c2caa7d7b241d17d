//! Who may call the local-only routes (`/_local/*`): they move the clock, run the job, read
//! every email and sign in as the administrator, so a web page open in the developer's browser
//! must not reach them. Two ways it could: a cross-site request (a form posted from any site to
//! `http://127.0.0.1:3000/_local/clock`), and DNS rebinding (a name of the attacker's that
//! resolves to 127.0.0.1, so the page is "same-origin" with the stack, but its requests name
//! the attacker's host). The first is refused by the browser's own `Sec-Fetch-Site` and
//! `Origin`, the second by `Host`. Clients that are not browsers (curl, the tests) send
//! neither fetch header and name the address they connected to.

use ::http::{HeaderMap, StatusCode, header};
use plenary::http::Problem;

/// The hosts `/_local/*` answers for besides IP literals and `localhost`: the stack's own URL's
/// and the site URL's (a developer who serves the site under a name of their own).
#[derive(Debug, Clone, Default)]
pub struct LocalGuard {
    hosts: Vec<String>,
}

impl LocalGuard {
    /// Answers for the hosts of `urls` (unparsable ones are ignored).
    pub fn for_urls<'a>(urls: impl IntoIterator<Item = &'a str>) -> Self {
        let hosts = urls
            .into_iter()
            .filter_map(|u| url::Url::parse(u).ok())
            .filter_map(|u| u.host_str().map(str::to_ascii_lowercase))
            .collect();
        Self { hosts }
    }

    /// Why the request may not reach a local-only route, if it may not.
    pub fn refusal(&self, headers: &HeaderMap) -> Option<Problem> {
        let host = headers.get(header::HOST).and_then(|h| h.to_str().ok());
        match host {
            Some(h) if self.knows_host(h) => {}
            _ => {
                return Some(refused(
                    "foreign-host",
                    "The local routes answer only for this machine's address",
                    "`Host` must be an IP address, localhost or the stack's own host name \
                     (a name pointing here from elsewhere is how DNS rebinding reaches it)",
                ));
            }
        }
        let fetch_site = headers
            .get("sec-fetch-site")
            .and_then(|h| h.to_str().ok())
            .map(str::to_ascii_lowercase);
        // `none`: typed or opened by the developer; `same-origin`: the stack's own pages.
        let cross = fetch_site
            .as_deref()
            .is_some_and(|s| s != "same-origin" && s != "none");
        // Older browsers send no fetch metadata but do send `Origin` on cross-origin requests.
        let foreign_origin = headers
            .get(header::ORIGIN)
            .map(|o| !o.to_str().is_ok_and(|o| same_authority(o, host)))
            .unwrap_or(false);
        if cross || foreign_origin {
            return Some(refused(
                "cross-site",
                "The local routes refuse requests from other sites",
                "a page of another origin asked for a local-only route; open it from this \
                 stack's own pages or from the command line",
            ));
        }
        None
    }

    fn knows_host(&self, host: &str) -> bool {
        let name = host_name(host).to_ascii_lowercase();
        name.parse::<std::net::IpAddr>().is_ok()
            || name == "localhost"
            || self
                .hosts
                .iter()
                .any(|h| h.trim_matches(['[', ']']) == name)
    }
}

/// The host of a `Host` value without its port (and without an IPv6 literal's brackets).
fn host_name(host: &str) -> &str {
    if let Some(rest) = host.strip_prefix('[') {
        return rest.split(']').next().unwrap_or_default();
    }
    match host.rsplit_once(':') {
        Some((name, port)) if port.bytes().all(|b| b.is_ascii_digit()) => name,
        _ => host,
    }
}

/// True when `origin` (`scheme://host[:port]`) names the authority the request was sent to.
fn same_authority(origin: &str, host: Option<&str>) -> bool {
    let authority = origin.split_once("://").map(|(_, a)| a);
    matches!((authority, host), (Some(a), Some(h)) if a.eq_ignore_ascii_case(h))
}

fn refused(code: &'static str, title: &'static str, detail: &str) -> Problem {
    Problem::new(StatusCode::FORBIDDEN, code, title).detail(detail)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(&str, &str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (k, v) in pairs {
            h.insert(
                ::http::HeaderName::from_bytes(k.as_bytes()).unwrap(),
                v.parse().unwrap(),
            );
        }
        h
    }

    fn guard() -> LocalGuard {
        LocalGuard::for_urls(["http://127.0.0.1:3000", "https://dev.example.org"])
    }

    #[test]
    fn addresses_localhost_and_the_configured_names_are_served() {
        for host in [
            "127.0.0.1:3000",
            "[::1]:3000",
            "localhost:3000",
            "LOCALHOST",
            "10.0.0.7:3000",
            "dev.example.org",
        ] {
            assert!(
                guard().refusal(&headers(&[("host", host)])).is_none(),
                "{host}"
            );
        }
    }

    #[test]
    fn another_name_and_a_missing_host_are_refused() {
        for h in [
            headers(&[("host", "rebind.evil.example:3000")]),
            headers(&[("host", "localhost.evil.example")]),
            headers(&[]),
        ] {
            let p = guard().refusal(&h).expect("refused");
            assert_eq!(p.status, StatusCode::FORBIDDEN);
        }
    }

    #[test]
    fn cross_site_fetches_and_foreign_origins_are_refused_and_own_pages_are_not() {
        let host = ("host", "127.0.0.1:3000");
        for refused in [
            headers(&[host, ("sec-fetch-site", "cross-site")]),
            headers(&[host, ("sec-fetch-site", "same-site")]),
            headers(&[host, ("origin", "https://evil.example")]),
            headers(&[host, ("origin", "null")]),
            headers(&[host, ("origin", "http://127.0.0.1:3001")]),
        ] {
            assert!(guard().refusal(&refused).is_some(), "{refused:?}");
        }
        for served in [
            headers(&[host, ("sec-fetch-site", "same-origin")]),
            headers(&[host, ("sec-fetch-site", "none")]),
            headers(&[host, ("origin", "http://127.0.0.1:3000")]),
        ] {
            assert!(guard().refusal(&served).is_none(), "{served:?}");
        }
    }
}
