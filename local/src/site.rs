//! The reference website (`local/site/`), compiled into the binary so `plenary-local` stays one
//! file to run. It is plain static files: every page is rendered in the browser from the public
//! API, so the same files work on any static host pointed at a deployed API.

use ::http::{Method, StatusCode, header};
use plenary::http::Response;

/// Scripts and styles only from this origin, no inline code, API calls only to this origin: the
/// pages show data from the API and hold bearer tokens, so injected markup must not run.
pub const CONTENT_SECURITY_POLICY: &str = "default-src 'none'; script-src 'self'; \
     style-src 'self'; img-src 'self'; connect-src 'self'; font-src 'self'; \
     form-action 'self'; base-uri 'none'; frame-ancestors 'none'";

struct File {
    path: &'static str,
    content_type: &'static str,
    body: &'static [u8],
}

macro_rules! file {
    ($path:literal, $content_type:expr) => {
        File {
            path: concat!("/", $path),
            content_type: $content_type,
            body: include_bytes!(concat!("../site/", $path)),
        }
    };
}

const HTML: &str = "text/html; charset=utf-8";
const JS: &str = "text/javascript; charset=utf-8";
const JSON: &str = "application/json; charset=utf-8";

/// Every file of the site; pages are looked up by route in `page`, the rest by path.
const FILES: &[File] = &[
    file!("index.html", HTML),
    file!("event.html", HTML),
    file!("confirm.html", HTML),
    file!("manage.html", HTML),
    file!("unsubscribe.html", HTML),
    file!("404.html", HTML),
    file!("assets/site.css", "text/css; charset=utf-8"),
    file!("assets/favicon.svg", "image/svg+xml"),
    file!("assets/common.js", JS),
    file!("assets/index.js", JS),
    file!("assets/event.js", JS),
    file!("assets/confirm.js", JS),
    file!("assets/manage.js", JS),
    file!("assets/unsubscribe.js", JS),
    file!("assets/notfound.js", JS),
    file!("i18n/ar.json", JSON),
    file!("i18n/zh.json", JSON),
    file!("i18n/en.json", JSON),
    file!("i18n/fr.json", JSON),
    file!("i18n/ru.json", JSON),
    file!("i18n/es.json", JSON),
];

fn find(path: &str) -> Option<&'static File> {
    FILES.iter().find(|f| f.path == path)
}

/// True for requests the site answers: reads of any path the API does not own. The caller has
/// already tried the API routers and the local routes; `/v1/` and `/_local/` stay with the API so
/// its unknown routes keep answering problem+json.
pub fn serves(method: &Method, path: &str) -> bool {
    let api = ["/v1", "/_local"]
        .iter()
        .any(|p| path == *p || path.starts_with(&format!("{p}/")));
    (method == Method::GET || method == Method::HEAD) && !api
}

/// The page file for a route, e.g. `/events/{event_id}` → `event.html`.
fn page(path: &str) -> Option<&'static str> {
    let trimmed = match path.trim_end_matches('/') {
        "" => "/",
        p => p,
    };
    match trimmed {
        "/" => Some("/index.html"),
        "/registration/confirm" => Some("/confirm.html"),
        "/registration/manage" => Some("/manage.html"),
        "/unsubscribe" => Some("/unsubscribe.html"),
        p => p
            .strip_prefix("/events/")
            .filter(|id| !id.is_empty() && !id.contains('/'))
            .map(|_| "/event.html"),
    }
}

/// The site's answer to a GET of `path`: a page, a static file, or the 404 page with status 404.
pub fn respond(path: &str) -> Response {
    let (status, file) = match page(path).and_then(find) {
        Some(f) => (StatusCode::OK, f),
        // The HTML files are reached by their routes only, so `/index.html` is not a second URL.
        None => match find(path).filter(|f| f.content_type != HTML) {
            Some(f) => (StatusCode::OK, f),
            None => (StatusCode::NOT_FOUND, not_found()),
        },
    };
    let mut res = ::http::Response::builder()
        .status(status)
        .header(header::CONTENT_TYPE, file.content_type)
        .header(header::CONTENT_SECURITY_POLICY, CONTENT_SECURITY_POLICY)
        .header(header::X_CONTENT_TYPE_OPTIONS, "nosniff")
        // Confirm and manage URLs carry the registrant's token: never send it on as a Referer.
        .header(header::REFERRER_POLICY, "no-referrer")
        .header(header::X_FRAME_OPTIONS, "DENY");
    res = if file.content_type == HTML {
        // Pages may carry tokens in their URL; keep them out of shared caches.
        res.header(header::CACHE_CONTROL, "no-store")
    } else {
        res.header(header::CACHE_CONTROL, "no-cache")
    };
    res.body(lambda_http::Body::Binary(file.body.to_vec()))
        .unwrap_or_default()
}

fn not_found() -> &'static File {
    // The table above lists 404.html; the test below keeps it so.
    find("/404.html").unwrap_or(&FILES[0])
}

#[cfg(test)]
mod tests {
    use super::*;

    fn body(res: &Response) -> String {
        match res.body() {
            lambda_http::Body::Binary(b) => String::from_utf8(b.clone()).unwrap(),
            other => panic!("unexpected body {other:?}"),
        }
    }

    #[test]
    fn routes_map_to_their_pages() {
        for (path, page_file) in [
            ("/", "/index.html"),
            ("/events/qos-workshop-2021", "/event.html"),
            ("/events/qos-workshop-2021/", "/event.html"),
            ("/registration/confirm", "/confirm.html"),
            ("/registration/manage", "/manage.html"),
            ("/unsubscribe", "/unsubscribe.html"),
        ] {
            assert_eq!(page(path), Some(page_file), "{path}");
        }
        for path in ["/events", "/events/", "/events/a/b", "/index.html", "/nope"] {
            assert_eq!(page(path), None, "{path}");
        }
    }

    #[test]
    fn every_answer_has_its_type_and_the_security_headers() {
        for (path, status, content_type) in [
            ("/", 200, HTML),
            ("/assets/site.css", 200, "text/css; charset=utf-8"),
            ("/assets/common.js", 200, JS),
            ("/i18n/ar.json", 200, JSON),
            ("/assets/favicon.svg", 200, "image/svg+xml"),
            ("/index.html", 404, HTML),
            ("/no/such/page", 404, HTML),
        ] {
            let res = respond(path);
            assert_eq!(res.status().as_u16(), status, "{path}");
            let h = res.headers();
            assert_eq!(h[header::CONTENT_TYPE], content_type, "{path}");
            assert_eq!(h[header::CONTENT_SECURITY_POLICY], CONTENT_SECURITY_POLICY);
            assert_eq!(h[header::X_CONTENT_TYPE_OPTIONS], "nosniff");
            assert_eq!(h[header::REFERRER_POLICY], "no-referrer");
        }
        assert!(body(&respond("/nope")).contains("id=\"not-found\""));
    }

    #[test]
    fn the_api_keeps_its_own_paths() {
        assert!(serves(&Method::GET, "/"));
        assert!(serves(&Method::HEAD, "/events/x"));
        assert!(serves(&Method::GET, "/v1x"));
        for path in ["/v1", "/v1/", "/v1/nope", "/_local", "/_local/nope"] {
            assert!(!serves(&Method::GET, path), "{path}");
        }
        assert!(!serves(&Method::POST, "/"));
    }

    /// ` onclick="` and the like.
    fn has_handler_attribute(html: &str) -> bool {
        html.split(" on").skip(1).any(|rest| {
            let name: String = rest.chars().take_while(char::is_ascii_lowercase).collect();
            !name.is_empty() && rest[name.len()..].starts_with('=')
        })
    }

    /// The CSP forbids inline code, so the pages must not contain any; every file they name must
    /// be in the table.
    #[test]
    fn pages_have_no_inline_code_and_name_only_files_that_exist() {
        for f in FILES.iter().filter(|f| f.content_type == HTML) {
            let html = std::str::from_utf8(f.body).unwrap();
            assert!(!html.contains("<script>"), "{}: inline script", f.path);
            assert!(!html.contains("<style"), "{}: inline style", f.path);
            assert!(!html.contains(" style="), "{}: style attribute", f.path);
            assert!(
                !has_handler_attribute(html),
                "{}: event handler attribute",
                f.path
            );
            for attr in ["src=\"", "href=\""] {
                for part in html.split(attr).skip(1) {
                    let target = part.split('"').next().unwrap();
                    if target.starts_with("/assets/") || target.starts_with("/i18n/") {
                        assert!(find(target).is_some(), "{}: {target} missing", f.path);
                    }
                }
            }
        }
    }

    fn dictionary(code: &str) -> serde_json::Map<String, serde_json::Value> {
        let f = find(&format!("/i18n/{code}.json")).unwrap();
        serde_json::from_slice(f.body).unwrap()
    }

    /// A missing translation would show its key to the reader.
    #[test]
    fn every_dictionary_has_the_english_keys_and_the_unsubscribe_page_uses_only_those() {
        let en = dictionary("en");
        for code in ["ar", "zh", "fr", "ru", "es"] {
            let keys: Vec<_> = dictionary(code).keys().cloned().collect();
            let english: Vec<_> = en.keys().cloned().collect();
            assert_eq!(keys, english, "{code}.json");
        }
        let page = std::str::from_utf8(find("/unsubscribe.html").unwrap().body).unwrap();
        let script = std::str::from_utf8(find("/assets/unsubscribe.js").unwrap().body).unwrap();
        // `t('key'` calls, not `post('/v1/…'`: the `t` must start a name.
        let calls = script.match_indices("t('").filter(|(i, _)| {
            !script[..*i].ends_with(|c: char| c.is_alphanumeric() || c == '_' || c == '.')
        });
        let used: Vec<&str> = page
            .split("data-i18n=\"")
            .skip(1)
            .chain(calls.map(|(i, _)| &script[i + 3..]))
            .map(|s| s.split(['"', '\'']).next().unwrap())
            .collect();
        assert!(used.len() > 10, "{used:?}");
        for key in used {
            assert!(en.contains_key(key), "{key} is not in en.json");
        }
        for choice in ["reminders", "programme_changes", "announcements"] {
            assert!(en.contains_key(&format!("unsubscribe.{choice}")));
            assert!(en.contains_key(&format!("form.{choice}")));
        }
    }
}
