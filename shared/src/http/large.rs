//! Answers that can outgrow one Lambda response: an event's export and attendance. Lambda
//! refuses a synchronous response over 6 MB, and API Gateway hands it a binary body
//! base64-encoded (a third larger) and a text body JSON-escaped (a CSV's every quote doubled),
//! so [`MAX_BODY`] of body stays inside the limit either way. Such answers go gzip-compressed
//! when the client takes it (every browser does; they shrink five- to twentyfold), and over the
//! limit even so they are a 406 problem saying how to get the data instead.

use std::io::Write;

use flate2::Compression;
use flate2::write::GzEncoder;
use http::{StatusCode, header};

use super::{Problem, Request, Response, private};

/// The most body one answer carries.
pub const MAX_BODY: usize = 4 * 1024 * 1024;

/// True when the request's Accept-Encoding takes gzip (by name or `*`, without `q=0`).
pub fn accepts_gzip(req: &Request) -> bool {
    req.headers()
        .get_all(header::ACCEPT_ENCODING)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .any(|coding| {
            let mut parts = coding.split(';').map(str::trim);
            let name = parts.next().unwrap_or_default();
            let refused = parts.any(|p| {
                p.strip_prefix("q=")
                    .and_then(|q| q.parse::<f32>().ok())
                    .is_some_and(|q| q == 0.0)
            });
            (name.eq_ignore_ascii_case("gzip") || name == "*") && !refused
        })
}

/// Where a large answer is written as it is made: as it is, or through gzip.
pub enum Sink {
    Plain(Vec<u8>),
    Gzip(GzEncoder<Vec<u8>>),
}

impl Sink {
    /// Compressed when `gzip`.
    pub fn new(gzip: bool) -> Self {
        if gzip {
            Sink::Gzip(GzEncoder::new(Vec::new(), Compression::default()))
        } else {
            Sink::Plain(Vec::new())
        }
    }

    pub fn is_gzip(&self) -> bool {
        matches!(self, Sink::Gzip(_))
    }

    /// The body, with everything written.
    pub fn finish(self) -> std::io::Result<Vec<u8>> {
        match self {
            Sink::Plain(v) => Ok(v),
            Sink::Gzip(g) => g.finish(),
        }
    }
}

impl Write for Sink {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        match self {
            Sink::Plain(v) => v.write(buf),
            Sink::Gzip(g) => g.write(buf),
        }
    }

    fn flush(&mut self) -> std::io::Result<()> {
        match self {
            Sink::Plain(v) => v.flush(),
            Sink::Gzip(g) => g.flush(),
        }
    }
}

/// A private 200 of `body` (gzip-compressed when `gzip`), or, over `limit`, a 406 problem that
/// says how big it was and `instead` (how to get the data otherwise).
pub fn large(
    body: Vec<u8>,
    content_type: &str,
    gzip: bool,
    limit: usize,
    instead: &str,
) -> Result<Response, Problem> {
    if body.len() > limit {
        let how = if gzip {
            instead
        } else {
            "ask for it compressed (Accept-Encoding: gzip, as browsers do; curl --compressed)"
        };
        return Err(Problem::new(
            StatusCode::NOT_ACCEPTABLE,
            "answer-too-large",
            "The answer is too large for one response",
        )
        .detail(format!(
            "it is {} bytes{}, over the {limit} one response may carry; {how}",
            body.len(),
            if gzip { " compressed" } else { "" }
        )));
    }
    let mut res = http::Response::builder()
        .status(StatusCode::OK)
        .header(header::CONTENT_TYPE, content_type)
        .header(header::VARY, "Accept-Encoding");
    if gzip {
        res = res.header(header::CONTENT_ENCODING, "gzip");
    }
    let res = res
        .body(lambda_http::Body::Binary(body))
        .map_err(|e| Problem::internal(&e))?;
    Ok(private(res))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn request(accept_encoding: &[&str]) -> Request {
        let mut req = http::Request::builder();
        for v in accept_encoding {
            req = req.header(header::ACCEPT_ENCODING, *v);
        }
        req.body(lambda_http::Body::Empty).unwrap()
    }

    #[test]
    fn gzip_is_taken_when_the_client_lists_it_or_any_coding_without_refusing_it() {
        for yes in [
            &["gzip"][..],
            &["br, gzip"],
            &["deflate", "GZIP;q=0.5"],
            &["*"],
        ] {
            assert!(accepts_gzip(&request(yes)), "{yes:?}");
        }
        for no in [&[][..], &["br"], &["gzip;q=0"], &["identity"], &["gzipped"]] {
            assert!(!accepts_gzip(&request(no)), "{no:?}");
        }
    }

    #[test]
    fn an_answer_over_the_limit_is_a_406_saying_how_to_get_it_and_one_within_is_sent() {
        let body = vec![b'x'; 11];
        for (gzip, how) in [(false, "Accept-Encoding: gzip"), (true, "page through")] {
            let p = large(body.clone(), "text/csv", gzip, 10, "page through it")
                .unwrap_err()
                .into_response();
            assert_eq!(p.status(), StatusCode::NOT_ACCEPTABLE);
            let text = String::from_utf8(p.body().to_vec()).unwrap();
            assert!(text.contains("11 bytes") && text.contains(how), "{text}");
        }
        let ok = large(body, "text/csv", true, 11, "").unwrap();
        assert_eq!(ok.status(), StatusCode::OK);
        assert_eq!(ok.headers()[header::CONTENT_ENCODING], "gzip");
        assert_eq!(ok.headers()[header::VARY], "Accept-Encoding");
        assert_eq!(ok.headers()[header::CACHE_CONTROL], "no-store");
    }

    #[test]
    fn what_goes_through_the_gzip_sink_comes_back_out() {
        let mut sink = Sink::new(true);
        sink.write_all(b"a,b\n1,2\n").unwrap();
        let packed = sink.finish().unwrap();
        let mut out = Vec::new();
        std::io::Read::read_to_end(&mut flate2::read::GzDecoder::new(&packed[..]), &mut out)
            .unwrap();
        assert_eq!(out, b"a,b\n1,2\n");
    }
}
