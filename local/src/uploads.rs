//! The local stack's side of uploads, standing where S3 and the CDN stand in a deployment: the
//! upload route takes the same `multipart/form-data` form a presigned POST takes, checks it as
//! S3 does (signature, expiry, every condition, the size range), keeps the file in the uploads
//! folder under its key, and `GET /files/…` serves the folder.
//!
//! The body is streamed to disk (up to 200 MiB), so this route is answered before the 64 KiB
//! limit every other request is read under.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use ::http::{Method, StatusCode, header};
use bytes::Bytes;
use http_body_util::BodyExt as _;
use hyper::body::Incoming;
use plenary::domain::{FILE_TYPES, FieldErrors};
use plenary::files::policy::{self, Refusal};
use plenary::files::{FILES_PREFIX, LOCAL_BUCKET, LOCAL_REGION, LOCAL_UPLOAD_PATH, SigningKeys};
use plenary::http::{Problem, Response};
use tokio::io::AsyncWriteExt as _;

/// The uploads folder and the key forms are signed with.
pub struct Uploads {
    pub dir: PathBuf,
    pub keys: SigningKeys,
}

/// Whether the server hands this request to [`Uploads::receive`] rather than reading its body.
pub fn is_upload(method: &Method, path: &str) -> bool {
    method == Method::POST && path == LOCAL_UPLOAD_PATH
}

/// Whether a GET reads a file.
pub fn is_file(method: &Method, path: &str) -> bool {
    (method == Method::GET || method == Method::HEAD)
        && path.starts_with('/')
        && path[1..].starts_with(FILES_PREFIX)
}

/// The fields S3 reads before the file may take 20 KB in all; so here.
const MAX_FIELDS_BYTES: usize = 20 * 1024;

/// A form S3 would refuse (not ours, expired, outside its policy) is 403, as S3 answers.
fn refusal(r: Refusal) -> Problem {
    Problem::new(
        StatusCode::FORBIDDEN,
        "upload-refused",
        "The upload form is refused",
    )
    .detail(r.to_string())
}

impl Uploads {
    /// `POST /_local/uploads`: 204 once the file is kept, as S3 answers a form without
    /// `success_action_status`.
    pub async fn receive(&self, req: hyper::Request<Incoming>, now: jiff::Timestamp) -> Response {
        match self.take(req, now).await {
            Ok(()) => ::http::Response::builder()
                .status(StatusCode::NO_CONTENT)
                .body(lambda_http::Body::Empty)
                .unwrap_or_else(|e| Problem::internal(&e).into_response()),
            Err(p) => p.into_response(),
        }
    }

    async fn take(
        &self,
        req: hyper::Request<Incoming>,
        now: jiff::Timestamp,
    ) -> Result<(), Problem> {
        let boundary = req
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .and_then(|ct| multer::parse_boundary(ct).ok())
            .ok_or_else(|| {
                Problem::new(
                    StatusCode::UNSUPPORTED_MEDIA_TYPE,
                    "unsupported-media-type",
                    "The body must be a form",
                )
                .detail("send the upload as multipart/form-data, its fields and then `file`")
            })?;
        let mut form = multer::Multipart::new(req.into_body().into_data_stream(), boundary);
        let malformed = |e: multer::Error| {
            Problem::invalid_field("body", &format!("is not a readable form: {e}"))
        };
        let mut fields = BTreeMap::new();
        let mut fields_bytes = 0;
        while let Some(mut field) = form.next_field().await.map_err(malformed)? {
            let name = field.name().unwrap_or_default().to_owned();
            if name != "file" {
                let value = field.text().await.map_err(malformed)?;
                fields_bytes += name.len() + value.len();
                if fields_bytes > MAX_FIELDS_BYTES {
                    return Err(Problem::invalid_field(
                        "body",
                        "has more than 20 KB of fields before the file",
                    ));
                }
                fields.insert(name, value);
                continue;
            }
            let accepted = policy::check(
                &fields,
                LOCAL_BUCKET,
                LOCAL_REGION,
                |akid| {
                    (akid == self.keys.access_key_id).then(|| self.keys.secret_access_key.clone())
                },
                now,
            )
            .map_err(refusal)?;
            let key = accepted
                .field("key")
                .ok_or_else(|| Problem::invalid_field("key", "is missing"))?;
            let target = self.path_of(key).ok_or_else(|| {
                Problem::invalid_field("key", "must be a key under files/ without `..`")
            })?;
            return self.keep(&mut field, &target, accepted.length).await;
        }
        Err(Problem::invalid_field(
            "file",
            "is missing: send it after every other field",
        ))
    }

    /// Streams the file to a temporary name beside its target, then renames it into place, so a
    /// refused or broken upload never leaves part of a file where it would be served.
    async fn keep(
        &self,
        field: &mut multer::Field<'_>,
        target: &Path,
        (min, max): (u64, u64),
    ) -> Result<(), Problem> {
        let parent = target.parent().unwrap_or(&self.dir);
        let io = |e: std::io::Error| Problem::internal(&e);
        tokio::fs::create_dir_all(parent).await.map_err(io)?;
        let partial = parent.join(format!(
            ".partial-{}",
            target.file_name().unwrap_or_default().to_string_lossy()
        ));
        let mut out = tokio::fs::File::create(&partial).await.map_err(io)?;
        let mut size: u64 = 0;
        let outcome: Result<(), Problem> =
            async {
                while let Some(chunk) = field.chunk().await.map_err(|e| {
                    Problem::invalid_field("file", &format!("could not be read: {e}"))
                })? {
                    size += chunk.len() as u64;
                    if size > max {
                        return Err(too("large", max, "at most"));
                    }
                    out.write_all(&chunk).await.map_err(io)?;
                }
                if size < min {
                    return Err(too("small", min, "at least"));
                }
                out.flush().await.map_err(io)
            }
            .await;
        drop(out);
        match outcome {
            Ok(()) => tokio::fs::rename(&partial, target).await.map_err(io),
            Err(p) => {
                let _ = tokio::fs::remove_file(&partial).await;
                Err(p)
            }
        }
    }

    /// The file a key names inside the folder; None for a key outside `files/` or with a
    /// segment that could leave it.
    fn path_of(&self, key: &str) -> Option<PathBuf> {
        let rest = key.strip_prefix(FILES_PREFIX)?;
        let mut path = self.dir.join(FILES_PREFIX);
        for segment in rest.split('/') {
            if segment.is_empty()
                || segment == "."
                || segment == ".."
                || segment.starts_with('.')
                || segment.contains('\\')
                || segment.chars().any(char::is_control)
            {
                return None;
            }
            path.push(segment);
        }
        Some(path)
    }

    /// `GET /files/…`: the file, with the type its extension names (the form fixed both), and
    /// headers that keep a browser from reading it as anything else.
    pub async fn serve(&self, path: &str) -> Response {
        let decoded = percent_encoding::percent_decode_str(path.trim_start_matches('/'))
            .decode_utf8()
            .ok();
        let found = match decoded.as_deref().and_then(|k| self.path_of(k)) {
            Some(p) => tokio::fs::read(&p).await.ok().map(|b| (p, b)),
            None => None,
        };
        let Some((file, bytes)) = found else {
            return Problem::not_found("the file").into_response();
        };
        let ext = file
            .extension()
            .map(|e| e.to_string_lossy().to_ascii_lowercase())
            .unwrap_or_default();
        let content_type = FILE_TYPES
            .iter()
            .find(|(_, exts)| exts.contains(&ext.as_str()))
            .map_or("application/octet-stream", |(t, _)| t);
        ::http::Response::builder()
            .status(StatusCode::OK)
            .header(header::CONTENT_TYPE, content_type)
            .header(header::X_CONTENT_TYPE_OPTIONS, "nosniff")
            .header(
                header::CONTENT_SECURITY_POLICY,
                "default-src 'none'; sandbox",
            )
            .header(header::CACHE_CONTROL, "public, max-age=300")
            .header(header::ACCESS_CONTROL_ALLOW_ORIGIN, "*")
            .body(lambda_http::Body::Binary(Bytes::from(bytes).to_vec()))
            .unwrap_or_else(|e| Problem::internal(&e).into_response())
    }
}

/// S3's EntityTooLarge and EntityTooSmall, as a 400 naming the file.
fn too(what: &str, limit: u64, bound: &str) -> Problem {
    Problem::invalid(FieldErrors::one(
        "file",
        format!("is too {what}: the form takes a file of {bound} {limit} bytes"),
    ))
}
