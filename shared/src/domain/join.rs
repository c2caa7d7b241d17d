//! Remote connection details: given only to confirmed registrants, and only from `release_at`.

use jiff::Timestamp;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::event::{instant, web_url};
use super::fields::parse;
use super::{FieldErrors, Fields, Line, Paragraph};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct JoinInfo {
    /// The meeting's address; personal links redirect here.
    pub url: String,
    pub passcode: Option<Line<100>>,
    pub dial_in: Option<Paragraph<2_000>>,
    pub instructions: Paragraph<5_000>,
    pub release_at: Timestamp,
}

impl JoinInfo {
    /// What `GET …/join-info` shows beside the stored fields: accepted back (as a boolean) so a
    /// body read can be sent again, and ignored, because the clock decides it.
    pub const READ_ONLY_FIELDS: &'static [&'static str] = &["released"];

    pub fn parse(body: &Value) -> Result<Self, FieldErrors> {
        let mut f = Fields::of(
            body,
            &[
                "url",
                "passcode",
                "dial_in",
                "instructions",
                "release_at",
                "released",
            ],
        );
        for field in Self::READ_ONLY_FIELDS {
            f.optional(field, parse::boolean);
        }
        let url = f.required("url", parse::with(web_url));
        let passcode = f.optional("passcode", parse::with(Line::<100>::parse));
        let dial_in = f.optional("dial_in", parse::with(Paragraph::<2_000>::parse));
        let instructions = f
            .optional("instructions", parse::with(Paragraph::<5_000>::parse))
            .unwrap_or_default();
        let release_at = f.required("release_at", instant);
        let info = (|| {
            Some(Self {
                url: url?,
                passcode,
                dial_in,
                instructions,
                release_at: release_at?,
            })
        })();
        f.finish(info)
    }

    pub fn is_released(&self, now: Timestamp) -> bool {
        now >= self.release_at
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn join_info_needs_a_web_url_and_a_release_time() {
        let ok = JoinInfo::parse(
            &json!({"url": "https://meet.example/abc", "passcode": "123",
                                         "release_at": "2021-09-07T12:00:00Z"}),
        )
        .unwrap();
        assert!(!ok.is_released("2021-09-07T11:59:59Z".parse().unwrap()));
        assert!(ok.is_released("2021-09-07T12:00:00Z".parse().unwrap()));
        let errs = JoinInfo::parse(&json!({"url": "javascript:alert(1)"})).unwrap_err();
        let fields: Vec<_> = errs.0.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["url", "release_at"]);
    }

    #[test]
    fn a_body_read_back_with_its_released_flag_parses_and_the_flag_is_checked() {
        let read = json!({"url": "https://meet.example/abc", "instructions": "",
                          "release_at": "2021-09-07T12:00:00Z", "released": true});
        assert!(JoinInfo::parse(&read).is_ok());
        let mut bad = read;
        bad["released"] = json!("yes");
        let errs = JoinInfo::parse(&bad).unwrap_err();
        assert_eq!(errs.0[0].field, "released");
    }
}
