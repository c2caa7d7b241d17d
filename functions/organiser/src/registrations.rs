//! The organiser's view of registrations: pages, the CSV export and the counts.

use std::io::Write;

use ::http::{HeaderValue, StatusCode, header};
use plenary::domain::{
    Asked, FieldError, FieldErrors, Language, Line, Question, Registration, RegistrationId, Status,
};
use plenary::http::large::{self, Sink};
use plenary::http::{self, Problem, Request, Response, query_params};
use plenary::usecases::organiser::announcements::{self, AnnouncementRequest};
use plenary::usecases::organiser::attendance;
use plenary::usecases::organiser::registrations::{self, MAX_PAGE};
use plenary::views::{self, RegistrantView};

use plenary::usecases::organiser::access::Caller;

use super::{App, existing_event};

pub(crate) const DEFAULT_PAGE: u32 = 50;

/// `?limit=` of a paged organiser read: 1 to [`MAX_PAGE`].
pub(crate) fn page_limit(raw: &str) -> Result<u32, FieldError> {
    match raw.parse::<u32>() {
        Ok(n) if (1..=MAX_PAGE).contains(&n) => Ok(n),
        _ => Err(FieldError {
            field: "limit".into(),
            message: format!("must be a whole number from 1 to {MAX_PAGE}"),
        }),
    }
}

pub async fn list(app: &App, raw_id: &str, req: &Request) -> Result<Response, Problem> {
    let mut errors = Vec::new();
    let mut status = None;
    let mut limit = DEFAULT_PAGE;
    let mut cursor = None;
    for (k, v) in query_params(req) {
        match k.as_str() {
            "status" => match Status::parse(&v) {
                Ok(s) => status = Some(s),
                Err(m) => errors.push(FieldError {
                    field: "status".into(),
                    message: m,
                }),
            },
            "limit" => match page_limit(&v) {
                Ok(n) => limit = n,
                Err(e) => errors.push(e),
            },
            // Cursors are registration ids: refuse anything else early.
            "cursor" => match RegistrationId::parse(&v) {
                Ok(id) => cursor = Some(id),
                Err(_) => errors.push(FieldError {
                    field: "cursor".into(),
                    message: "is not a cursor this API gave".into(),
                }),
            },
            _ => {}
        }
    }
    if !errors.is_empty() {
        return Err(Problem::invalid(FieldErrors(errors)));
    }
    let event = existing_event(app, raw_id).await?;
    let page =
        registrations::page(app.registrations.as_ref(), &event.id, status, limit, cursor).await?;
    Ok(http::private(http::json(&views::RegistrationPageView {
        registrations: page
            .registrations
            .iter()
            .map(|s| RegistrantView::of(&s.registration, s.waitlist_position))
            .collect(),
        next_cursor: page.next_cursor.map(String::from),
    })))
}

/// What a spreadsheet takes as the start of a formula (CSV injection): `=`, `+`, `-`, `@` and
/// their fullwidth forms (some spreadsheets fold those to ASCII), `|` (DDE), and the tab and
/// carriage return that some trim before looking.
pub const FORMULA_STARTS: [char; 11] = [
    '=', '+', '-', '@', '\t', '\r', '\u{FF1D}', '\u{FF0B}', '\u{FF0D}', '\u{FF20}', '|',
];

/// Where a spreadsheet that ignores the quotes may split: the list separator (`,` here, but `;`
/// in much of Europe: Swiss, French, German Excel), tab on paste, and line breaks.
const SEPARATORS: [char; 5] = [',', ';', '\t', '\n', '\r'];

/// Every cell of the export goes through here, the header's included. The writer quotes every
/// field; a spreadsheet that splits on another separator ignores those quotes, so a formula
/// character at the start of the cell, or right after a separator (spaces between ignored), gets
/// an apostrophe before it, which makes that piece text wherever the line is split.
pub fn csv_cell(cell: &str) -> String {
    let mut out = String::with_capacity(cell.len() + 1);
    // True at the start and after a separator, until something other than a space comes.
    let mut piece_start = true;
    for c in cell.chars() {
        if piece_start && FORMULA_STARTS.contains(&c) {
            out.push('\'');
        }
        out.push(c);
        if SEPARATORS.contains(&c) {
            piece_start = true;
        } else if c != ' ' {
            piece_start = false;
        }
    }
    out
}

/// The columns of `…/registrations.csv`, in order.
pub const CSV_COLUMNS: [&str; 19] = [
    "id",
    "status",
    "email",
    "given_name",
    "family_name",
    "country",
    "organisation",
    "category",
    "language",
    "accessibility_needs",
    "reminders",
    "programme_changes",
    "created_at",
    "confirmed_at",
    "join_link_uses",
    "join_link_first_used_at",
    "join_link_last_used_at",
    "attended",
    "days_attended",
];

/// A registration's cells under [`CSV_COLUMNS`], as they are before neutralising. An erased
/// registration keeps only its anonymous ones.
pub fn csv_cells(r: &Registration) -> [String; 19] {
    let p = r.person.as_ref();
    let t = |t: Option<jiff::Timestamp>| t.map(|t| t.to_string()).unwrap_or_default();
    [
        r.id.to_string(),
        r.status.code().to_owned(),
        p.map(|p| p.email.to_string()).unwrap_or_default(),
        p.map(|p| p.given_name.to_string()).unwrap_or_default(),
        p.map(|p| p.family_name.to_string()).unwrap_or_default(),
        r.country.to_string(),
        p.map(|p| p.organisation.to_string()).unwrap_or_default(),
        r.category.code().to_owned(),
        r.language.code().to_owned(),
        p.and_then(|p| p.accessibility_needs.as_ref())
            .map(|a| a.as_str().to_owned())
            .unwrap_or_default(),
        r.notifications.reminders.to_string(),
        r.notifications.programme_changes.to_string(),
        r.created_at.to_string(),
        t(r.confirmed_at),
        r.join_use.count.to_string(),
        t(r.join_use.first_used_at),
        t(r.join_use.last_used_at),
        r.join_use.attended().to_string(),
        // Dates in the event's zone, one space apart.
        r.join_use
            .days
            .iter()
            .map(ToString::to_string)
            .collect::<Vec<_>>()
            .join(" "),
    ]
}

/// The export of an event without questions: [`export`] with an empty form.
pub fn to_csv(registrations: &[Registration]) -> Result<String, csv::Error> {
    export(
        &Asked {
            current: &[],
            past: &[],
        },
        false,
        registrations,
    )
}

/// The export: a header row, then one row per registration, every cell through [`csv_cell`], a
/// byte-order mark first. After [`CSV_COLUMNS`] comes a column per question the event asks or
/// asked (removed ones last, so no stored answer is lost), headed by its English label, with
/// options by their English label. A hybrid event's export (`hybrid`) has a `participation`
/// column (`in_person` or `remote`) between the two.
pub fn export(
    asked: &Asked<'_>,
    hybrid: bool,
    registrations: &[Registration],
) -> Result<String, csv::Error> {
    let mut w = Export::new(asked, hybrid, Vec::new())?;
    w.rows(registrations)?;
    let bytes = w.finish()?;
    Ok(String::from_utf8_lossy(&bytes).into_owned())
}

/// [`export`] written as the registrations come, a page at a time, into any writer (a gzip
/// encoder for the route), so a large event's export never holds every registration at once.
pub struct Export<'a, W: Write> {
    asked: &'a Asked<'a>,
    hybrid: bool,
    questions: Vec<&'a Question>,
    w: csv::Writer<W>,
}

impl<'a, W: Write> Export<'a, W> {
    /// Writes the byte-order mark and the header row.
    pub fn new(asked: &'a Asked<'a>, hybrid: bool, mut out: W) -> Result<Self, csv::Error> {
        // A byte-order mark makes spreadsheet programs read the file as UTF-8.
        out.write_all("\u{feff}".as_bytes())?;
        // Every field quoted, so a separator inside a cell never splits it in a spreadsheet that
        // honours quotes.
        let mut w = csv::WriterBuilder::new()
            .quote_style(csv::QuoteStyle::Always)
            .from_writer(out);
        let questions: Vec<_> = asked.all().collect();
        let header = CSV_COLUMNS
            .iter()
            .copied()
            .chain(hybrid.then_some("participation"))
            .chain(questions.iter().map(|q| q.label.english()))
            .map(csv_cell);
        w.write_record(header)?;
        Ok(Self {
            asked,
            hybrid,
            questions,
            w,
        })
    }

    /// One row per registration.
    pub fn rows(&mut self, registrations: &[Registration]) -> Result<(), csv::Error> {
        for r in registrations {
            let answers = self.questions.iter().map(|q| {
                r.person
                    .as_ref()
                    .and_then(|p| p.answers.get(q.id.as_str()))
                    .map(|a| self.asked.cell(q, a))
                    .unwrap_or_default()
            });
            let mode = self.hybrid.then(|| {
                r.participation
                    .map(|p| p.code().to_owned())
                    .unwrap_or_default()
            });
            let cells: Vec<String> = csv_cells(r)
                .into_iter()
                .chain(mode)
                .chain(answers)
                .collect();
            self.w.write_record(cells.iter().map(|c| csv_cell(c)))?;
        }
        Ok(())
    }

    /// The writer, with everything written.
    pub fn finish(self) -> Result<W, csv::Error> {
        self.w.into_inner().map_err(|e| e.into_error().into())
    }
}

pub async fn csv(app: &App, raw_id: &str, req: &Request) -> Result<Response, Problem> {
    let event = existing_event(app, raw_id).await?;
    let asked = event.asked();
    let internal = |e: csv::Error| Problem::internal(&e);
    let sink = Sink::new(large::accepts_gzip(req));
    let mut export = Export::new(&asked, event.is_hybrid(), sink).map_err(internal)?;
    registrations::each_page(app.registrations.as_ref(), &event.id, |page| {
        export.rows(&page).map_err(internal)
    })
    .await?;
    let sink = export.finish().map_err(internal)?;
    let gzip = sink.is_gzip();
    let body = sink.finish().map_err(|e| Problem::internal(&e))?;
    let mut res = large::large(
        body,
        "text/csv; charset=utf-8",
        gzip,
        large::MAX_BODY,
        "page through GET …/registrations instead",
    )?;
    if let Ok(v) = HeaderValue::from_str(&format!(
        "attachment; filename=\"{}-registrations.csv\"",
        event.id
    )) {
        res.headers_mut().insert(header::CONTENT_DISPOSITION, v);
    }
    Ok(res)
}

pub async fn stats(app: &App, raw_id: &str) -> Result<Response, Problem> {
    let event = existing_event(app, raw_id).await?;
    let stats = registrations::stats(
        app.registrations.as_ref(),
        app.outbox.as_ref(),
        &event,
        app.clock.now(),
    )
    .await?;
    Ok(http::private(http::json(&stats)))
}

pub async fn attendance(app: &App, raw_id: &str, req: &Request) -> Result<Response, Problem> {
    let event = existing_event(app, raw_id).await?;
    let report = attendance::attendance(app.registrations.as_ref(), &event).await?;
    // Every registrant's joins: about 230 bytes each, so over one response's worth past
    // 18,000 registrants unless compressed.
    let mut sink = Sink::new(large::accepts_gzip(req));
    serde_json::to_writer(&mut sink, &report).map_err(|e| Problem::internal(&e))?;
    let gzip = sink.is_gzip();
    let body = sink.finish().map_err(|e| Problem::internal(&e))?;
    large::large(
        body,
        "application/json",
        gzip,
        large::MAX_BODY,
        "the registrations' CSV export carries the same attendance columns, and GET …/stats the totals",
    )
}

pub async fn announce(
    app: &App,
    caller: &Caller,
    raw_id: &str,
    req: &Request,
) -> Result<Response, Problem> {
    let body = http::json_body(req)?;
    let request = AnnouncementRequest::parse(&body).map_err(Problem::invalid)?;
    let event = existing_event(app, raw_id).await?;
    let a = announcements::announce(
        app.registrations.as_ref(),
        app.jobs.as_ref(),
        app.tokens.as_ref(),
        &event,
        request,
        // The deployment token names no one (null).
        caller.email().cloned(),
        app.clock.now(),
    )
    .await?;
    Ok(http::json_with_status(
        StatusCode::ACCEPTED,
        &views::AnnouncementAccepted {
            announcement_id: a.id,
            recipients: a.recipients,
        },
    ))
}

/// `POST …/announcements/preview?language=&name=`: the body `POST …/announcements` takes, as the
/// registrant reading `language` (default English) and called `name` (default the use case's
/// sample name; empty is the default) would get it. Every bad query field and body field is
/// named at once.
pub async fn preview_announcement(
    app: &App,
    raw_id: &str,
    req: &Request,
) -> Result<Response, Problem> {
    let mut errors = Vec::new();
    let mut language = Language::En;
    let mut name = None;
    for (k, v) in query_params(req) {
        let mut bad = |message: String| {
            errors.push(FieldError {
                field: k.clone(),
                message,
            })
        };
        match k.as_str() {
            "language" => match Language::parse(&v) {
                Ok(l) => language = l,
                Err(m) => bad(m),
            },
            "name" if v.trim().is_empty() => name = None,
            "name" => match Line::parse(&v) {
                Ok(n) => name = Some(n),
                Err(m) => bad(m),
            },
            _ => {}
        }
    }
    let body = http::json_body(req)?;
    let request = match AnnouncementRequest::parse(&body) {
        Ok(r) if errors.is_empty() => r,
        Ok(_) => return Err(Problem::invalid(FieldErrors(errors))),
        Err(FieldErrors(body_errors)) => {
            errors.extend(body_errors);
            return Err(Problem::invalid(FieldErrors(errors)));
        }
    };
    let event = existing_event(app, raw_id).await?;
    let rendered = announcements::preview(
        &event,
        &request,
        language,
        name.as_ref(),
        app.site_url.as_str(),
    )?;
    Ok(http::private(http::json(&views::AnnouncementPreview::of(
        language, rendered,
    ))))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cells_that_a_spreadsheet_would_run_are_neutralised() {
        assert_eq!(csv_cell("=HYPERLINK(\"x\")"), "'=HYPERLINK(\"x\")");
        assert_eq!(csv_cell("+1"), "'+1");
        assert_eq!(csv_cell("-2"), "'-2");
        assert_eq!(csv_cell("@SUM(A1)"), "'@SUM(A1)");
        assert_eq!(csv_cell("Ada"), "Ada");
    }

    #[test]
    fn a_formula_after_a_separator_is_neutralised_where_the_line_may_be_split() {
        assert_eq!(csv_cell("Ada;=1+1"), "Ada;'=1+1");
        assert_eq!(csv_cell("Ada,+1"), "Ada,'+1");
        assert_eq!(csv_cell("Ada\t@SUM(A1)"), "Ada\t'@SUM(A1)");
        assert_eq!(csv_cell("Ada; -1"), "Ada; '-1");
        // Hyphens and signs inside a piece are text: names, dates and ranges stay as they are.
        assert_eq!(csv_cell("Jean-Luc"), "Jean-Luc");
        assert_eq!(csv_cell("2021-08-01T00:00:00Z"), "2021-08-01T00:00:00Z");
        assert_eq!(csv_cell("a; b"), "a; b");
        assert_eq!(csv_cell("needs\n=1+1"), "needs\n'=1+1");
    }

    #[test]
    fn fullwidth_formula_signs_and_the_pipe_are_neutralised() {
        for c in [
            "\u{FF1D}1+1",
            "\u{FF0B}1",
            "\u{FF0D}1",
            "\u{FF20}SUM(A1)",
            "|cmd",
        ] {
            assert_eq!(csv_cell(c), format!("'{c}"), "{c:?}");
        }
        assert_eq!(csv_cell("Ada;\u{FF1D}1"), "Ada;'\u{FF1D}1");
    }

    #[test]
    fn every_field_of_the_export_is_quoted() {
        let csv = to_csv(&[]).unwrap();
        let header = csv.trim_start_matches('\u{feff}').lines().next().unwrap();
        assert!(header.starts_with("\"id\",\"status\","), "{header}");
        assert!(
            header
                .split(',')
                .all(|f| f.starts_with('"') && f.ends_with('"'))
        );
    }
}
