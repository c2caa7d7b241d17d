//! A session's materials: its slides, documents, recordings and links, public once published.

use serde::{Deserialize, Serialize};

use super::codes::closed_list;
use super::event::link_url;
use super::fields::parse;
use super::{Fields, Language, Line, Slug};

/// The most materials one session lists.
pub const MAX_MATERIALS: usize = 20;

closed_list! {
    pub enum MaterialKind {
        Slides => "slides",
        Document => "document",
        Recording => "recording",
        Link => "link",
    }
}

/// Which addresses a material may have. A deployment publishes only https addresses (the site
/// is https, and a browser blocks or warns on http content there); the local stack serves its
/// own uploads over plain http, so it takes those too. No other scheme is ever accepted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum UrlPolicy {
    #[default]
    HttpsOnly,
    HttpAllowed,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Material {
    pub id: Slug,
    pub title: Line<200>,
    pub kind: MaterialKind,
    pub url: String,
    /// The language it is in, when it is in one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub language: Option<Language>,
}

impl Material {
    pub const FIELDS: &'static [&'static str] = &["id", "title", "kind", "url", "language"];

    /// One item of a session's `materials`.
    pub(crate) fn read(m: &mut Fields<'_>, urls: UrlPolicy) -> Option<Self> {
        let id = m.required("id", parse::with(Slug::parse));
        let title = m.required("title", parse::with(Line::<200>::parse));
        let kind = m.required("kind", parse::with(MaterialKind::parse));
        let url = m.required("url", parse::with(|raw: &str| material_url(raw, urls)));
        let language = m.optional("language", parse::with(Language::parse));
        Some(Self {
            id: id?,
            title: title?,
            kind: kind?,
            url: url?,
            language,
        })
    }
}

/// An absolute address of at most 2,000 characters, https (or http where `urls` allows it).
fn material_url(raw: &str, urls: UrlPolicy) -> Result<String, String> {
    let url = link_url(raw)?;
    if urls == UrlPolicy::HttpsOnly && !url.starts_with("https:") {
        return Err("must be an https URL".to_owned());
    }
    Ok(url)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn read(v: serde_json::Value, urls: UrlPolicy) -> Result<Material, Vec<String>> {
        let mut f = Fields::of(&v, Material::FIELDS);
        let m = Material::read(&mut f, urls);
        f.finish(m)
            .map_err(|e| e.0.into_iter().map(|e| e.field).collect())
    }

    #[test]
    fn a_material_takes_an_https_address_everywhere_and_http_only_where_allowed() {
        let m = json!({"id": "slides", "title": "Slides", "kind": "slides",
                       "url": "http://127.0.0.1:3000/files/a.pdf", "language": "fr"});
        assert_eq!(
            read(m.clone(), UrlPolicy::HttpsOnly),
            Err(vec!["url".into()])
        );
        let got = read(m, UrlPolicy::HttpAllowed).unwrap();
        assert_eq!(got.language, Some(Language::Fr));
        let secure = json!({"id": "rec", "title": "Recording", "kind": "recording",
                            "url": "https://example.org/rec"});
        assert_eq!(read(secure, UrlPolicy::HttpsOnly).unwrap().language, None);
    }

    #[test]
    fn no_other_scheme_and_no_bad_field_passes() {
        for url in [
            "javascript:alert(1)",
            "data:text/html,<b>x</b>",
            "ftp://example.org/a.pdf",
            "file:///etc/passwd",
            "/relative.pdf",
        ] {
            for urls in [UrlPolicy::HttpsOnly, UrlPolicy::HttpAllowed] {
                let m = json!({"id": "m", "title": "T", "kind": "link", "url": url});
                assert_eq!(read(m, urls), Err(vec!["url".into()]), "{url}");
            }
        }
        let bad = json!({"id": "Not a slug", "title": "", "kind": "video",
                         "url": "https://e.org", "language": "de"});
        assert_eq!(
            read(bad, UrlPolicy::HttpsOnly),
            Err(vec![
                "id".into(),
                "title".into(),
                "kind".into(),
                "language".into()
            ])
        );
    }
}
