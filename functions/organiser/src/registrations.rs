//! The organiser's view of registrations: pages, the CSV export and the counts.

use std::collections::BTreeMap;

use ::http::{HeaderValue, StatusCode, header};
use plenary::domain::{
    Announcement, Audience, FieldError, FieldErrors, Language, Registration, Status,
};
use plenary::http::{self, Problem, Request, Response, query_params};
use plenary::views::{self, RegistrantView};
use serde_json::Value;

use super::{App, existing_event};

pub const MAX_PAGE: u32 = 500;
const DEFAULT_PAGE: u32 = 50;

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
            "limit" => match v.parse::<u32>() {
                Ok(n) if (1..=MAX_PAGE).contains(&n) => limit = n,
                _ => errors.push(FieldError {
                    field: "limit".into(),
                    message: format!("must be a whole number from 1 to {MAX_PAGE}"),
                }),
            },
            "cursor" => {
                // Cursors are registration ids (ULIDs): refuse anything else early.
                if v.len() == 26 && v.bytes().all(|b| b.is_ascii_alphanumeric()) {
                    cursor = Some(v);
                } else {
                    errors.push(FieldError {
                        field: "cursor".into(),
                        message: "is not a cursor this API gave".into(),
                    });
                }
            }
            _ => {}
        }
    }
    if !errors.is_empty() {
        return Err(Problem::invalid(FieldErrors(errors)));
    }
    let event = existing_event(app, raw_id).await?;
    let page = app
        .registrations
        .page(&event.id, status, limit, cursor)
        .await?;
    // One read of the queue places everyone waiting on the page (not one count per person),
    // and the places shown are of one moment.
    let waiting = page
        .registrations
        .iter()
        .any(|r| r.status == Status::Waitlisted);
    let queue = if waiting {
        app.registrations.waiting_tickets(&event.id).await?
    } else {
        Vec::new()
    };
    let mut out = Vec::with_capacity(page.registrations.len());
    for r in page.registrations {
        let position = match (r.status, r.waitlist_ticket) {
            (Status::Waitlisted, Some(t)) => Some(queue.partition_point(|q| *q <= t) as u64),
            _ => None,
        };
        out.push(RegistrantView::of(&r, position));
    }
    Ok(http::private(http::json(&views::RegistrationPageView {
        registrations: out,
        next_cursor: page.next,
    })))
}

async fn everyone(
    app: &App,
    event: &plenary::domain::EventId,
) -> Result<Vec<Registration>, Problem> {
    let mut all = Vec::new();
    let mut cursor = None;
    loop {
        let page = app
            .registrations
            .page(event, None, MAX_PAGE, cursor)
            .await?;
        all.extend(page.registrations);
        match page.next {
            Some(n) => cursor = Some(n),
            None => return Ok(all),
        }
    }
}

/// Spreadsheets run cells that start with these as formulas (CSV injection); a leading
/// apostrophe makes them text.
fn neutralise(cell: &str) -> String {
    match cell.chars().next() {
        Some('=' | '+' | '-' | '@' | '\t' | '\r') => format!("'{cell}"),
        _ => cell.to_owned(),
    }
}

/// The columns of `…/registrations.csv`, in order.
pub const CSV_COLUMNS: [&str; 17] = [
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
];

/// A registration's cells under [`CSV_COLUMNS`], as they are before neutralising. An erased
/// registration keeps only its anonymous ones.
pub fn csv_cells(r: &Registration) -> [String; 17] {
    let p = r.person.as_ref();
    let t = |t: Option<jiff::Timestamp>| t.map(|t| t.to_string()).unwrap_or_default();
    [
        r.id.clone(),
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
    ]
}

/// The export: a header row, then one row per registration with formula cells neutralised, a
/// byte-order mark first.
pub fn to_csv(registrations: &[Registration]) -> Result<String, csv::Error> {
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record(CSV_COLUMNS)?;
    for r in registrations {
        w.write_record(csv_cells(r).iter().map(|c| neutralise(c)))?;
    }
    let bytes = w.into_inner().map_err(|e| e.into_error())?;
    // A byte-order mark makes spreadsheet programs read the file as UTF-8.
    Ok(format!("\u{feff}{}", String::from_utf8_lossy(&bytes)))
}

pub async fn csv(app: &App, raw_id: &str) -> Result<Response, Problem> {
    let event = existing_event(app, raw_id).await?;
    let all = everyone(app, &event.id).await?;
    let body = to_csv(&all).map_err(|e| Problem::internal(&e))?;
    let mut res = http::text(StatusCode::OK, "text/csv; charset=utf-8", body);
    if let Ok(v) = HeaderValue::from_str(&format!(
        "attachment; filename=\"{}-registrations.csv\"",
        event.id
    )) {
        res.headers_mut().insert(header::CONTENT_DISPOSITION, v);
    }
    Ok(http::private(res))
}

pub async fn stats(app: &App, raw_id: &str) -> Result<Response, Problem> {
    let event = existing_event(app, raw_id).await?;
    let all = everyone(app, &event.id).await?;
    let now = app.clock.now();
    let mut by_status: BTreeMap<&str, u64> = Status::ALL.iter().map(|s| (s.code(), 0)).collect();
    let mut by_category: BTreeMap<&str, u64> = BTreeMap::new();
    let mut by_country: BTreeMap<String, u64> = BTreeMap::new();
    let mut by_language: BTreeMap<&str, u64> = BTreeMap::new();
    let mut lapsed = 0;
    for r in &all {
        if r.is_expired(now) {
            lapsed += 1;
            continue;
        }
        *by_status.entry(r.status.code()).or_default() += 1;
        if r.status.is_live() {
            *by_category.entry(r.category.code()).or_default() += 1;
            *by_country.entry(r.country.to_string()).or_default() += 1;
            *by_language.entry(r.language.code()).or_default() += 1;
        }
    }
    let seats = app.registrations.seats(&event.id).await?;
    let mail = app.outbox.mail_counts(&event.id).await?;
    let own = |m: BTreeMap<&str, u64>| m.into_iter().map(|(k, v)| (k.to_owned(), v)).collect();
    Ok(http::private(http::json(&views::StatsView {
        event_id: event.id.to_string(),
        total: all.len() as u64,
        by_status: own(by_status),
        lapsed_unconfirmed: lapsed,
        by_category: own(by_category),
        by_country,
        by_language: own(by_language),
        capacity: event.capacity,
        seats_taken: seats.taken,
        emails: views::MailCountsView {
            queued: mail.queued,
            sent: mail.sent,
            failed: mail.failed,
            suppressed: mail.suppressed,
        },
    })))
}

fn per_language(
    v: &Value,
    field: &str,
    errors: &mut Vec<FieldError>,
    max: usize,
) -> Vec<(Language, String)> {
    let mut out = Vec::new();
    let mut bad = |m: String| {
        errors.push(FieldError {
            field: field.to_owned(),
            message: m,
        })
    };
    match v.get(field) {
        None | Some(Value::Null) => bad("is required".into()),
        // A plain string is the English text.
        Some(Value::String(t)) => out.push((Language::En, t.trim().to_owned())),
        Some(Value::Object(m)) => {
            for (lang, text) in m {
                match (Language::parse(lang), text.as_str()) {
                    (Ok(l), Some(t)) => out.push((l, t.trim().to_owned())),
                    (Err(_), _) => errors.push(FieldError {
                        field: format!("{field}.{lang}"),
                        message: "is not one of ar, zh, en, fr, ru, es".into(),
                    }),
                    (_, None) => errors.push(FieldError {
                        field: format!("{field}.{lang}"),
                        message: "must be a string".into(),
                    }),
                }
            }
            if !out.iter().any(|(l, _)| *l == Language::En) && !out.is_empty() {
                errors.push(FieldError {
                    field: format!("{field}.en"),
                    message: "is required: English is the fall-back for other languages".into(),
                });
            }
        }
        Some(_) => bad("must be a string or an object of language → text".into()),
    }
    for (l, t) in &out {
        if t.is_empty() || t.chars().count() > max {
            errors.push(FieldError {
                field: format!("{field}.{l}"),
                message: format!("must be 1 to {max} characters"),
            });
        } else if field == "subject" && t.chars().any(char::is_control) {
            errors.push(FieldError {
                field: format!("{field}.{l}"),
                message: "must be one line".into(),
            });
        }
    }
    out
}

pub async fn announce(app: &App, raw_id: &str, req: &Request) -> Result<Response, Problem> {
    let body = http::json_body(req)?;
    let mut errors = Vec::new();
    if let Some(obj) = body.as_object() {
        for k in obj.keys() {
            if !["subject", "body", "audience"].contains(&k.as_str()) {
                errors.push(FieldError {
                    field: k.clone(),
                    message: "is not a known field".into(),
                });
            }
        }
    } else {
        errors.push(FieldError {
            field: "body".into(),
            message: "must be a JSON object".into(),
        });
    }
    let subject = per_language(&body, "subject", &mut errors, 200);
    let text = per_language(&body, "body", &mut errors, 20_000);
    let audience = match body.get("audience").and_then(Value::as_str) {
        None if body.get("audience").is_none() => Audience::Confirmed,
        Some("confirmed") => Audience::Confirmed,
        Some("all") => Audience::All,
        _ => {
            errors.push(FieldError {
                field: "audience".into(),
                message: "must be confirmed or all".into(),
            });
            Audience::Confirmed
        }
    };
    if !errors.is_empty() {
        return Err(Problem::invalid(FieldErrors(errors)));
    }
    let event = existing_event(app, raw_id).await?;
    let recipients = everyone(app, &event.id)
        .await?
        .iter()
        .filter(|r| audience.reaches(r))
        .count() as u64;
    let now = app.clock.now();
    let a = Announcement {
        id: app.tokens.new_id(now.as_millisecond().max(0) as u64),
        event_id: event.id.clone(),
        subject,
        body: text,
        audience,
        created_at: now,
        recipients,
    };
    app.jobs.add_announcement(&a).await?;
    Ok(http::json_with_status(
        StatusCode::ACCEPTED,
        &views::AnnouncementAccepted {
            announcement_id: a.id.clone(),
            recipients,
        },
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cells_that_a_spreadsheet_would_run_are_neutralised() {
        assert_eq!(neutralise("=HYPERLINK(\"x\")"), "'=HYPERLINK(\"x\")");
        assert_eq!(neutralise("+1"), "'+1");
        assert_eq!(neutralise("-2"), "'-2");
        assert_eq!(neutralise("@SUM(A1)"), "'@SUM(A1)");
        assert_eq!(neutralise("Ada"), "Ada");
    }
}
