//! Each HTTP function declares its routes as data (`ROUTES`), so the local stack, the deployment
//! template check and the OpenAPI document all read the same list. A public route is declared
//! with [`routes!`](crate::routes): its method and path are those of its operation in
//! [`openapi::ops`](crate::openapi::ops), written once there.

use http::Method;

#[derive(Debug, Clone)]
pub struct Route<E: 'static> {
    pub method: Method,
    /// A path with `{name}` segments, as in API.md: `/v1/events/{event_id}/programme`.
    pub pattern: &'static str,
    pub endpoint: E,
}

/// Declares a function's endpoint enum and its route table from one list of
/// `Variant => operation` pairs: each endpoint is served at the method and path of its
/// [`Operation`](crate::openapi::Operation) (a constant of [`openapi::ops`](crate::openapi::ops)),
/// so the route and its documentation cannot part, and the function's `match` on the enum must
/// handle every route.
///
/// ```
/// use plenary::openapi::ops;
///
/// plenary::routes! {
///     #[derive(Debug, Clone, Copy)]
///     pub enum Endpoint {
///         ListEvents => ops::LIST_EVENTS,
///         GetEvent => ops::GET_EVENT,
///     }
///     /// In the order they are matched.
///     pub const ROUTES: &[Route<Endpoint>];
/// }
///
/// assert_eq!(ROUTES[1].pattern, "/v1/events/{event_id}");
/// assert_eq!(ROUTES[1].method, http::Method::GET);
/// assert!(matches!(ROUTES[1].endpoint, Endpoint::GetEvent));
/// ```
#[macro_export]
macro_rules! routes {
    (
        $(#[$enum_meta:meta])*
        $enum_vis:vis enum $endpoint:ident {
            $($(#[$variant_meta:meta])* $variant:ident => $op:path),+ $(,)?
        }
        $(#[$routes_meta:meta])*
        $routes_vis:vis const $routes:ident: &[Route<$routes_endpoint:ty>];
    ) => {
        $(#[$enum_meta])*
        $enum_vis enum $endpoint {
            $($(#[$variant_meta])* $variant),+
        }

        impl $endpoint {
            /// The operation this endpoint serves.
            pub const fn operation(self) -> $crate::openapi::Operation {
                match self {
                    $($endpoint::$variant => $op),+
                }
            }
        }

        $(#[$routes_meta])*
        $routes_vis const $routes: &[$crate::http::Route<$routes_endpoint>] = &[
            $($crate::http::Route {
                method: $op.method,
                pattern: $op.path,
                endpoint: $endpoint::$variant,
            }),+
        ];
    };
}

/// The path parameters of a matched route, percent-decoded.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Params(Vec<(&'static str, String)>);

impl Params {
    pub fn get(&self, name: &str) -> &str {
        self.0
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, v)| v.as_str())
            .unwrap_or("")
    }
}

fn match_pattern(pattern: &'static str, path: &str) -> Option<Params> {
    let mut params = Vec::new();
    let mut pat = pattern.trim_end_matches('/').split('/');
    let mut got = path.trim_end_matches('/').split('/');
    loop {
        match (pat.next(), got.next()) {
            (None, None) => return Some(Params(params)),
            (Some(p), Some(g)) => {
                if let Some(name) = p.strip_prefix('{').and_then(|p| p.strip_suffix('}')) {
                    if g.is_empty() {
                        return None;
                    }
                    let decoded = percent_encoding::percent_decode_str(g).decode_utf8().ok()?;
                    params.push((name, decoded.into_owned()));
                } else if p != g {
                    return None;
                }
            }
            _ => return None,
        }
    }
}

#[derive(Debug)]
pub enum Found<E> {
    Route(E, Params, &'static str),
    /// The path exists but not with this method; these methods it has.
    WrongMethod(Vec<Method>, &'static str),
    None,
}

impl<E> Found<E> {
    /// The route pattern found, as the access log names it.
    pub fn pattern(&self) -> &'static str {
        match self {
            Found::Route(_, _, pattern) | Found::WrongMethod(_, pattern) => pattern,
            Found::None => "(unknown)",
        }
    }
}

/// True when some route of `routes` has this path, whatever its method.
pub fn knows_path<E: Copy>(routes: &[Route<E>], path: &str) -> bool {
    routes
        .iter()
        .any(|r| match_pattern(r.pattern, path).is_some())
}

pub fn find_route<E: Copy>(routes: &[Route<E>], method: &Method, path: &str) -> Found<E> {
    let mut allowed = Vec::new();
    let mut matched_pattern = "";
    for r in routes {
        if let Some(params) = match_pattern(r.pattern, path) {
            if r.method == method || (method == Method::HEAD && r.method == Method::GET) {
                return Found::Route(r.endpoint, params, r.pattern);
            }
            allowed.push(r.method.clone());
            matched_pattern = r.pattern;
        }
    }
    if allowed.is_empty() {
        Found::None
    } else {
        Found::WrongMethod(allowed, matched_pattern)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const ROUTES: &[Route<u8>] = &[
        Route {
            method: Method::GET,
            pattern: "/v1/events/{event_id}",
            endpoint: 1,
        },
        Route {
            method: Method::GET,
            pattern: "/v1/events/{event_id}/programme",
            endpoint: 2,
        },
        Route {
            method: Method::POST,
            pattern: "/v1/events/{event_id}/registrations",
            endpoint: 3,
        },
    ];

    #[test]
    fn a_path_finds_its_route_and_parameters() {
        match find_route(ROUTES, &Method::GET, "/v1/events/qos-2021/programme") {
            Found::Route(2, p, _) => assert_eq!(p.get("event_id"), "qos-2021"),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn a_known_path_with_another_method_lists_the_allowed_ones() {
        match find_route(ROUTES, &Method::GET, "/v1/events/x/registrations") {
            Found::WrongMethod(m, _) => assert_eq!(m, [Method::POST]),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn unknown_paths_and_empty_segments_match_nothing() {
        assert!(matches!(
            find_route(ROUTES, &Method::GET, "/v1/nope"),
            Found::None
        ));
        assert!(matches!(
            find_route(ROUTES, &Method::GET, "/v1/events//programme"),
            Found::None
        ));
    }

    #[test]
    fn parameters_are_percent_decoded() {
        match find_route(ROUTES, &Method::GET, "/v1/events/a%2Db") {
            Found::Route(1, p, _) => assert_eq!(p.get("event_id"), "a-b"),
            other => panic!("{other:?}"),
        }
    }
}
