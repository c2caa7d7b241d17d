//! Property tests: generated inputs through the request parsers, the domain parsers, the email
//! templates and MIME, and the iCalendar writer, asserting what must hold for every input — no
//! panic, a value or named problems, round trips, escaping, well-formed output read back by an
//! independent parser. (The CSV export's are in `functions/organiser/tests/properties.rs`.)
//!
//! Each property runs proptest's default 256 cases here; `scripts/fuzz.sh` runs the same ones
//! with many more (`PROPTEST_CASES`) in an optimised build. A failing case is shrunk and saved in
//! `shared/tests/proptest-regressions/` (the organiser's beside its test file): commit that file
//! with the fix, and the case is tried first in every later run.

mod answers;
mod domain;
mod ics;
mod mime;
mod requests;
mod strategies;
mod templates;
