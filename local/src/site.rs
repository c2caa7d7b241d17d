//! The reference website (`local/site/`), compiled into the binary so `plenary-local` stays one
//! file to run. It is plain static files: every page is rendered in the browser from the public
//! API, so the same files work on any static host pointed at a deployed API.

use ::http::{Method, StatusCode, header};
use plenary::http::Response;

pub use plenary::http::site::CONTENT_SECURITY_POLICY;

struct File {
    path: &'static str,
    content_type: &'static str,
    body: &'static [u8],
}

const HTML: &str = "text/html; charset=utf-8";
const JS: &str = "text/javascript; charset=utf-8";
const JSON: &str = "application/json; charset=utf-8";

/// Every file under `local/site/` as `(path, bytes)`, listed by `build.rs` so a new page or
/// asset needs no edit here.
const RAW: &[(&str, &[u8])] = include!(concat!(env!("OUT_DIR"), "/site_files.rs"));

/// The content type a file is served with, by its extension.
fn content_type(path: &str) -> &'static str {
    match path.rsplit_once('.').map(|(_, ext)| ext) {
        Some("html") => HTML,
        Some("js" | "mjs") => JS,
        Some("json") => JSON,
        Some("css") => "text/css; charset=utf-8",
        Some("svg") => "image/svg+xml",
        Some("png") => "image/png",
        Some("ico") => "image/x-icon",
        Some("txt") => "text/plain; charset=utf-8",
        Some("woff2") => "font/woff2",
        _ => "application/octet-stream",
    }
}

fn files() -> impl Iterator<Item = File> {
    RAW.iter().map(|(path, body)| File {
        path,
        content_type: content_type(path),
        body,
    })
}

fn find(path: &str) -> Option<File> {
    files().find(|f| f.path == path)
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

/// The page file for a route, e.g. `/events/{event_id}` → `event.html`, `/admin/x` →
/// `admin/x.html` (which may not exist: then the 404 page answers).
fn page(path: &str) -> Option<String> {
    let trimmed = match path.trim_end_matches('/') {
        "" => "/",
        p => p,
    };
    match trimmed {
        "/" => Some("/index.html".to_owned()),
        "/registration/confirm" => Some("/confirm.html".to_owned()),
        "/registration/manage" => Some("/manage.html".to_owned()),
        "/unsubscribe" => Some("/unsubscribe.html".to_owned()),
        "/admin" => Some("/admin/index.html".to_owned()),
        p => {
            if let Some(id) = p.strip_prefix("/events/") {
                (!id.is_empty() && !id.contains('/')).then(|| "/event.html".to_owned())
            } else if let Some(name) = p.strip_prefix("/admin/") {
                // `/admin/sign-in` → `admin/sign-in.html`; `index` has its own address, `/admin/`.
                let plain = name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-');
                (plain && name != "index" && !name.is_empty())
                    .then(|| format!("/admin/{name}.html"))
            } else {
                None
            }
        }
    }
}

/// The site's answer to a GET of `path`: a page, a static file, or the 404 page with status 404.
pub fn respond(path: &str) -> Response {
    let (status, file) = match page(path).as_deref().and_then(find) {
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

fn not_found() -> File {
    // `local/site/404.html` exists; the tests below keep it so.
    find("/404.html").unwrap_or(File {
        path: "/404.html",
        content_type: HTML,
        body: b"Not found",
    })
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
            ("/admin", "/admin/index.html"),
            ("/admin/", "/admin/index.html"),
            ("/admin/sign-in", "/admin/sign-in.html"),
            ("/admin/event/", "/admin/event.html"),
            ("/unsubscribe", "/unsubscribe.html"),
        ] {
            assert_eq!(page(path).as_deref(), Some(page_file), "{path}");
        }
        for path in [
            "/events",
            "/events/",
            "/events/a/b",
            "/index.html",
            "/nope",
            "/admin/index",
            "/admin/a/b",
            "/admin/x.html",
            "/admin/assets/console.js",
        ] {
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
            ("/admin/", 200, HTML),
            ("/admin/sign-in", 200, HTML),
            ("/admin/assets/console.js", 200, JS),
            ("/admin/assets/console.css", 200, "text/css; charset=utf-8"),
            ("/admin/no-such-page", 404, HTML),
            ("/admin/index.html", 404, HTML),
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
        for f in files().filter(|f| f.content_type == HTML) {
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
                    if ["/assets/", "/i18n/", "/admin/assets/"]
                        .iter()
                        .any(|p| target.starts_with(p))
                    {
                        assert!(find(target).is_some(), "{}: {target} missing", f.path);
                    }
                }
            }
        }
    }

    /// `build.rs` lists the folder, so nothing under `local/site/` can be left out.
    #[test]
    fn every_file_of_the_site_folder_is_served() {
        fn walk(dir: &std::path::Path, out: &mut Vec<String>, root: &std::path::Path) {
            for entry in std::fs::read_dir(dir).unwrap() {
                let path = entry.unwrap().path();
                if path.is_dir() {
                    walk(&path, out, root);
                } else if !path.file_name().unwrap().to_string_lossy().starts_with('.') {
                    let rel = path.strip_prefix(root).unwrap().to_string_lossy();
                    out.push(format!("/{}", rel.replace('\\', "/")));
                }
            }
        }
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("site");
        let mut on_disk = Vec::new();
        walk(&root, &mut on_disk, &root);
        on_disk.sort();
        let mut embedded: Vec<String> = files().map(|f| f.path.to_owned()).collect();
        embedded.sort();
        assert_eq!(embedded, on_disk);
        for f in files() {
            assert_eq!(
                f.body,
                std::fs::read(root.join(&f.path[1..])).unwrap(),
                "{}",
                f.path
            );
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
