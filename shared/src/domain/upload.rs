//! A file an organiser is about to upload (slides, a document, a recording): its name, its type
//! and its size, each checked before any form to send it is signed.

use std::fmt;

use jiff::Timestamp;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::fields::parse;
use super::text::is_bidi_control;
use super::{FieldErrors, Fields};

/// The largest file: 200 MiB (209,715,200 bytes), so every file an operating system shows as
/// "200 MB" fits.
pub const MAX_UPLOAD_BYTES: u64 = 200 * 1024 * 1024;

/// The longest file name, in characters (S3 keys may have 1,024 bytes; the rest of the key is
/// the event's id and the upload's).
pub const MAX_FILENAME_CHARS: usize = 200;

/// The types a file may have: each declared type with the extensions that go with it. A file's
/// extension and its declared type must agree.
pub const FILE_TYPES: &[(&str, &[&str])] = &[
    ("application/pdf", &["pdf"]),
    ("application/vnd.ms-powerpoint", &["ppt", "pps"]),
    (
        "application/vnd.openxmlformats-officedocument.presentationml.presentation",
        &["pptx"],
    ),
    (
        "application/vnd.openxmlformats-officedocument.presentationml.slideshow",
        &["ppsx"],
    ),
    ("application/msword", &["doc"]),
    (
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        &["docx"],
    ),
    ("application/vnd.ms-excel", &["xls"]),
    (
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        &["xlsx"],
    ),
    ("application/vnd.oasis.opendocument.text", &["odt"]),
    ("application/vnd.oasis.opendocument.presentation", &["odp"]),
    ("application/vnd.oasis.opendocument.spreadsheet", &["ods"]),
    ("image/png", &["png"]),
    ("image/jpeg", &["jpg", "jpeg"]),
    ("video/mp4", &["mp4"]),
    ("text/plain", &["txt"]),
];

/// A file name that is safe as the last segment of a storage key and of a URL, on any file
/// system: no path separators, not `.` or `..` nor any `..` inside, no control or bidi
/// characters, no leading dot or blank, at most [`MAX_FILENAME_CHARS`], and an extension.
#[derive(Clone, PartialEq, Eq)]
pub struct Filename(String);

impl Filename {
    pub fn parse(raw: &str) -> Result<Self, String> {
        if raw.is_empty() {
            return Err("must not be empty".to_owned());
        }
        if raw.chars().count() > MAX_FILENAME_CHARS {
            return Err(format!("must be at most {MAX_FILENAME_CHARS} characters"));
        }
        if raw.contains(['/', '\\']) {
            return Err("must be a file name, without `/` or `\\`".to_owned());
        }
        if raw.contains("..") {
            return Err("must not contain `..`".to_owned());
        }
        if raw
            .chars()
            .any(|c| c.is_control() || c == '\u{2028}' || c == '\u{2029}' || is_bidi_control(c))
        {
            return Err("must not contain control or bidirectional control characters".to_owned());
        }
        // Windows refuses these in names, and a leading dot hides the file on Unix.
        if raw.contains([':', '*', '?', '"', '<', '>', '|']) {
            return Err("must not contain any of : * ? \" < > |".to_owned());
        }
        if raw.starts_with(['.', ' ']) || raw.ends_with([' ', '.']) {
            return Err("must not start with a dot or a space, nor end with one".to_owned());
        }
        if extension(raw).is_none() {
            return Err("must end in an extension such as .pdf".to_owned());
        }
        Ok(Self(raw.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The extension, in lower case.
    pub fn extension(&self) -> String {
        extension(&self.0).unwrap_or_default()
    }
}

fn extension(name: &str) -> Option<String> {
    let (stem, ext) = name.rsplit_once('.')?;
    (!stem.is_empty() && !ext.is_empty()).then(|| ext.to_ascii_lowercase())
}

impl fmt::Display for Filename {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl fmt::Debug for Filename {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:?}", self.0)
    }
}

/// A declared type from [`FILE_TYPES`], parameters such as `; charset=utf-8` refused: the form
/// fixes the exact value the storage then serves.
fn content_type(raw: &str) -> Result<&'static str, String> {
    let lower = raw.trim().to_ascii_lowercase();
    FILE_TYPES
        .iter()
        .map(|(t, _)| *t)
        .find(|t| *t == lower)
        .ok_or_else(|| {
            "must be the type of a PDF, PowerPoint, Word, Excel or OpenDocument file, a PNG or \
             JPEG image, an MP4 video or plain text (e.g. application/pdf)"
                .to_owned()
        })
}

/// `POST …/uploads`: the file about to be sent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UploadRequest {
    pub filename: Filename,
    pub content_type: &'static str,
    /// Its exact size in bytes; the form takes a file of this size only.
    pub size: u64,
}

impl UploadRequest {
    pub fn parse(body: &Value) -> Result<Self, FieldErrors> {
        let mut f = Fields::of(body, &["filename", "content_type", "size"]);
        let filename = f.required("filename", parse::with(Filename::parse));
        let content_type = f.required("content_type", parse::with(content_type));
        let size = f.required("size", |v| {
            parse::whole_number(v, 1, MAX_UPLOAD_BYTES).map_err(|_| {
                format!("must be the file's size in bytes, from 1 to {MAX_UPLOAD_BYTES} (200 MiB)")
            })
        });
        if let (Some(name), Some(ct)) = (&filename, content_type) {
            let ext = name.extension();
            let agrees = FILE_TYPES
                .iter()
                .any(|(t, exts)| *t == ct && exts.contains(&ext.as_str()));
            if !agrees {
                f.error(
                    "filename",
                    format!("its extension .{ext} is not one of a file of type {ct}"),
                );
            }
        }
        let request = (|| {
            Some(Self {
                filename: filename?,
                content_type: content_type?,
                size: size?,
            })
        })();
        f.finish(request)
    }
}

/// A granted upload, as recorded with its event: what the form allowed, and where the file is
/// served once it is sent.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Upload {
    pub id: String,
    /// The storage key, under the uploads prefix.
    pub key: String,
    pub filename: String,
    pub content_type: String,
    pub size: u64,
    pub file_url: String,
    pub granted_at: Timestamp,
    pub expires_at: Timestamp,
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn fields(body: Value) -> Vec<String> {
        UploadRequest::parse(&body)
            .unwrap_err()
            .0
            .into_iter()
            .map(|e| e.field)
            .collect()
    }

    #[test]
    fn a_named_typed_and_sized_file_is_an_upload_request() {
        let r = UploadRequest::parse(&json!({"filename": "Présentation QoS.PDF",
            "content_type": "application/pdf", "size": 1234}))
        .unwrap();
        assert_eq!(r.filename.as_str(), "Présentation QoS.PDF");
        assert_eq!(r.content_type, "application/pdf");
        assert_eq!(r.size, 1234);
        for (name, ct) in [
            ("a.pptx", FILE_TYPES[2].0),
            ("b.jpeg", "image/jpeg"),
            ("c.jpg", "IMAGE/JPEG"),
            ("d.mp4", "video/mp4"),
            ("notes.txt", "text/plain"),
            (
                "sheet.ods",
                "application/vnd.oasis.opendocument.spreadsheet",
            ),
        ] {
            let body = json!({"filename": name, "content_type": ct, "size": 1});
            assert!(UploadRequest::parse(&body).is_ok(), "{name} {ct}");
        }
    }

    #[test]
    fn the_size_limit_is_exact() {
        let at =
            |size: u64| json!({"filename": "a.mp4", "content_type": "video/mp4", "size": size});
        assert!(UploadRequest::parse(&at(MAX_UPLOAD_BYTES)).is_ok());
        assert_eq!(fields(at(MAX_UPLOAD_BYTES + 1)), ["size"]);
        assert_eq!(fields(at(0)), ["size"]);
        assert_eq!(
            fields(json!({"filename": "a.mp4", "content_type": "video/mp4", "size": 1.5})),
            ["size"]
        );
    }

    #[test]
    fn bad_file_names_are_refused() {
        for bad in [
            "",
            "../etc/passwd.txt",
            "a/b.pdf",
            "a\\b.pdf",
            "..pdf",
            "a..pdf",
            ".hidden.pdf",
            "line\nbreak.pdf",
            "nul\0.pdf",
            "tab\t.pdf",
            "evil\u{202E}fdp.exe.pdf",
            "noextension",
            "trailing.pdf ",
            "trailing.",
            "what?.pdf",
            &format!("{}.pdf", "x".repeat(MAX_FILENAME_CHARS)),
        ] {
            assert!(Filename::parse(bad).is_err(), "{bad:?} was taken");
        }
    }

    #[test]
    fn the_type_must_be_listed_and_agree_with_the_extension() {
        assert_eq!(
            fields(json!({"filename": "a.html", "content_type": "text/html", "size": 1})),
            ["content_type"]
        );
        assert_eq!(
            fields(json!({"filename": "a.exe", "content_type": "application/pdf", "size": 1})),
            ["filename"]
        );
        assert_eq!(
            fields(
                json!({"filename": "a.pdf", "content_type": "text/plain; charset=utf-8",
                          "size": 1})
            ),
            ["content_type"]
        );
        // Every problem at once, and unknown fields too.
        assert_eq!(
            fields(json!({"filename": "../a", "content_type": "x/y", "size": -1, "acl": "public"})),
            ["acl", "filename", "content_type", "size"]
        );
    }
}
