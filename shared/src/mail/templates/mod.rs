//! The email templates: one text and one HTML template per [`MessageKind`], embedded in the
//! binary, and one translations file per [`Language`] (`i18n/*.json`) holding every
//! user-visible string. Adding a language is adding a file; a missing key fails a test, not a
//! send.
//!
//! HTML is auto-escaped (the `.html` templates); the text part is not. Translations are plain
//! text filled in by the `fill` filter (`{{ t.greeting | fill(name=name) }}`) and escaped where
//! they are printed.

mod i18n;
#[cfg(test)]
mod tests;

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::sync::LazyLock;

use jiff::Timestamp;
use jiff::tz::TimeZone;
use minijinja::value::{Kwargs, Value};
use minijinja::{AutoEscape, Environment, ErrorKind, UndefinedBehavior};

use crate::domain::{ChangeKind, Event, Language};
use crate::mail::MessageKind;

use i18n::Translations;

/// A rendered message, ready for [`super::OutgoingEmail`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rendered {
    pub subject: String,
    pub text: String,
    pub html: String,
}

/// The event as the recipient reads it; times already formatted in the event's zone (see
/// [`format_instant`] and [`zone_label`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EventFacts {
    pub title: String,
    /// E.g. "Wednesday 8 September 2021, 14:00".
    pub starts_local: String,
    pub ends_local: String,
    /// The IANA name, e.g. "Europe/Zurich".
    pub zone_name: String,
    /// E.g. "CEST (UTC+02:00)".
    pub zone_label: String,
}

impl EventFacts {
    /// `event` as a reader of `language` sees it in every message about it: its title, and its
    /// start and end in its own zone, named and labelled.
    pub fn of(event: &Event, language: Language) -> Self {
        let tz = event.timezone.tz();
        Self {
            title: event.title.to_string(),
            starts_local: format_instant(event.starts_at, tz, language),
            ends_local: format_instant(event.ends_at, tz, language),
            zone_name: event.timezone.name().to_owned(),
            zone_label: zone_label(event.starts_at, tz),
        }
    }
}

/// One line of a programme-changes message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChangeLine {
    pub change: ChangeKind,
    pub title: String,
    /// The formatted old time, if the session had one.
    pub before: Option<String>,
    /// The formatted new time, if the session has one.
    pub after: Option<String>,
    /// The titles of the materials the session gained ("the slides are up").
    pub new_materials: Vec<String>,
}

/// What a message says beyond the event; one variant per [`MessageKind`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Content {
    Confirmation {
        confirm_url: String,
        /// When the confirmation link expires, formatted in the event's zone.
        expires_local: String,
    },
    ManageLink {
        manage_url: String,
    },
    Promotion {
        manage_url: String,
    },
    Approval {
        manage_url: String,
    },
    Rejection,
    JoinLink {
        manage_url: String,
        join_url: Option<String>,
    },
    Reminder {
        /// Not rendered: the lead is localised from `offset` in each language. Kept so the
        /// variant has the shape callers were given; it may be left empty.
        lead: String,
        /// The ISO 8601 reminder offset, e.g. "P7D", "PT1H".
        offset: String,
        manage_url: String,
        join_url: Option<String>,
        passcode: Option<String>,
        /// Where an in-person participant goes (a hybrid event's venue, on one line).
        venue: Option<String>,
    },
    ProgrammeChanges {
        changes: Vec<ChangeLine>,
        programme_url: String,
    },
    /// Written by the organisers: plain text, blank lines between paragraphs.
    Announcement {
        subject: String,
        body: String,
    },
    /// To an organiser, about no event.
    OrganiserSignIn {
        sign_in_url: String,
        /// How long the link works, said in the recipient's language ("15 minutes").
        valid_minutes: u64,
    },
}

impl Content {
    pub fn kind(&self) -> MessageKind {
        match self {
            Self::Confirmation { .. } => MessageKind::Confirmation,
            Self::ManageLink { .. } => MessageKind::ManageLink,
            Self::Promotion { .. } => MessageKind::Promotion,
            Self::Approval { .. } => MessageKind::Approval,
            Self::Rejection => MessageKind::Rejection,
            Self::JoinLink { .. } => MessageKind::JoinLink,
            Self::Reminder { .. } => MessageKind::Reminder,
            Self::ProgrammeChanges { .. } => MessageKind::ProgrammeChanges,
            Self::Announcement { .. } => MessageKind::Announcement,
            Self::OrganiserSignIn { .. } => MessageKind::OrganiserSignIn,
        }
    }
}

/// Everything one message needs.
#[derive(Debug, Clone, Copy)]
pub struct Message<'a> {
    pub kind: MessageKind,
    pub language: Language,
    pub recipient_name: &'a str,
    /// The event the message is about; required for every kind about one
    /// ([`MessageKind::is_about_an_event`]), ignored otherwise.
    pub event: Option<&'a EventFacts>,
    pub content: &'a Content,
    /// The one-click unsubscribe link; required for optional kinds, ignored for transactional
    /// ones.
    pub unsubscribe_url: Option<&'a str>,
}

#[derive(Debug, thiserror::Error)]
pub enum TemplateError {
    #[error("{} email in {language}: the content is for a {} email", .kind.code(), .content.code())]
    KindMismatch {
        kind: MessageKind,
        language: Language,
        content: MessageKind,
    },
    #[error("{} email in {language}: optional mail needs an unsubscribe link", .kind.code())]
    MissingUnsubscribe {
        kind: MessageKind,
        language: Language,
    },
    /// Bad input (e.g. a reminder offset) or bad translations data.
    #[error("{} email in {language}: {reason}", .kind.code())]
    Data {
        kind: MessageKind,
        language: Language,
        reason: String,
    },
    #[error("{} email in {language}: {source}", .kind.code())]
    Render {
        kind: MessageKind,
        language: Language,
        #[source]
        source: minijinja::Error,
    },
}

const TEMPLATES: &[(&str, &str)] = &[
    ("layout.html", include_str!("layout.html")),
    ("layout.txt", include_str!("layout.txt")),
    ("button.html", include_str!("button.html")),
    ("confirmation.html", include_str!("confirmation.html")),
    ("confirmation.txt", include_str!("confirmation.txt")),
    ("manage_link.html", include_str!("manage_link.html")),
    ("manage_link.txt", include_str!("manage_link.txt")),
    ("promotion.html", include_str!("promotion.html")),
    ("promotion.txt", include_str!("promotion.txt")),
    ("approval.html", include_str!("approval.html")),
    ("approval.txt", include_str!("approval.txt")),
    ("rejection.html", include_str!("rejection.html")),
    ("rejection.txt", include_str!("rejection.txt")),
    ("join_link.html", include_str!("join_link.html")),
    ("join_link.txt", include_str!("join_link.txt")),
    ("reminder.html", include_str!("reminder.html")),
    ("reminder.txt", include_str!("reminder.txt")),
    (
        "programme_changes.html",
        include_str!("programme_changes.html"),
    ),
    (
        "programme_changes.txt",
        include_str!("programme_changes.txt"),
    ),
    ("announcement.html", include_str!("announcement.html")),
    ("announcement.txt", include_str!("announcement.txt")),
    (
        "organiser_sign_in.html",
        include_str!("organiser_sign_in.html"),
    ),
    (
        "organiser_sign_in.txt",
        include_str!("organiser_sign_in.txt"),
    ),
];

/// A language's translations, parsed, and its messages as the template value `t`.
struct Loaded {
    tr: Translations,
    t: Value,
}

// Built once; a failure is kept and reported by every render rather than panicking, though the
// tests make sure it cannot happen with the data that ships.
static TRANSLATIONS: LazyLock<Result<BTreeMap<Language, Loaded>, String>> =
    LazyLock::new(load_translations);
// minijinja::Error is not Clone, so a build failure is kept as its message.
static ENVIRONMENT: LazyLock<Result<Environment<'static>, String>> =
    LazyLock::new(|| build_environment().map_err(|e| format!("building the templates: {e:#}")));

fn load_translations() -> Result<BTreeMap<Language, Loaded>, String> {
    Language::ALL
        .into_iter()
        .map(|language| {
            let tr = Translations::parse(i18n::source(language))
                .map_err(|e| format!("i18n/{language}.json: {e}"))?;
            let t = Value::from(tr.messages.clone());
            Ok((language, Loaded { tr, t }))
        })
        .collect()
}

fn build_environment() -> Result<Environment<'static>, minijinja::Error> {
    let mut env = Environment::new();
    // A misspelt variable or message id is an error, not an empty string in someone's inbox.
    env.set_undefined_behavior(UndefinedBehavior::Strict);
    env.set_syntax(
        minijinja::syntax::SyntaxConfig::builder()
            .trim_blocks(true)
            .lstrip_blocks(true)
            .build()?,
    );
    env.set_formatter(format_value);
    env.add_filter("fill", fill_filter);
    env.add_filter("isolate", isolate_filter);
    for (name, source) in TEMPLATES {
        env.add_template(name, source)?;
    }
    Ok(env)
}

/// HTML-escapes like minijinja's default but leaves `/` alone, so links read as written (some
/// mail clients and link scanners do not decode `&#x2f;` in `href`).
fn format_value(
    out: &mut minijinja::Output,
    state: &mut minijinja::State,
    value: &Value,
) -> Result<(), minijinja::Error> {
    if !matches!(state.auto_escape(), AutoEscape::Html) || value.is_safe() {
        return minijinja::escape_formatter(out, state, value);
    }
    out.write_str(&escape_html(&value.to_string()))
        .map_err(|e| minijinja::Error::new(ErrorKind::WriteFailure, e.to_string()))
}

fn escape_html(raw: &str) -> String {
    let mut escaped = String::with_capacity(raw.len() + 16);
    for c in raw.chars() {
        match c {
            '&' => escaped.push_str("&amp;"),
            '<' => escaped.push_str("&lt;"),
            '>' => escaped.push_str("&gt;"),
            '"' => escaped.push_str("&quot;"),
            '\'' => escaped.push_str("&#x27;"),
            c => escaped.push(c),
        }
    }
    escaped
}

/// U+2068 FIRST STRONG ISOLATE and U+2069 POP DIRECTIONAL ISOLATE: the text part's `<bdi>`.
const FSI: char = '\u{2068}';
const PDI: char = '\u{2069}';

/// How a right-to-left message isolates an embedded run whose direction is its own (a Latin
/// name, a zone, an address, a time): in HTML a `<bdi>`, in text FSI … PDI. Without it
/// "Europe/Zurich (CEST (UTC+02:00))" inside Arabic shows its parentheses in the wrong places.
/// Left-to-right messages print runs as they are.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Isolation {
    None,
    Html,
    Text,
}

impl Isolation {
    fn of(state: &minijinja::State) -> Self {
        let rtl = state
            .lookup("dir")
            .is_some_and(|d| d.as_str() == Some("rtl"));
        match (rtl, state.auto_escape()) {
            (false, _) => Self::None,
            (true, AutoEscape::Html) => Self::Html,
            (true, _) => Self::Text,
        }
    }

    /// `run` isolated; in HTML escaped, to be marked safe by the caller.
    fn wrap(self, run: &str) -> String {
        match self {
            Self::None => run.to_owned(),
            Self::Html => format!("<bdi>{}</bdi>", escape_html(run)),
            Self::Text => format!("{FSI}{run}{PDI}"),
        }
    }

    fn value(self, s: String) -> Value {
        match self {
            Self::Html => Value::from_safe_string(s),
            _ => Value::from(s),
        }
    }
}

/// `{{ t.key | fill(name=value, ...) }}`: fills a translation's `{name}` placeholders, each
/// value isolated in a right-to-left message.
fn fill_filter(
    state: &minijinja::State,
    pattern: &str,
    args: Kwargs,
) -> Result<Value, minijinja::Error> {
    let isolation = Isolation::of(state);
    // In HTML the pattern is escaped here, since the isolates make the result markup.
    let pattern = match isolation {
        Isolation::Html => escape_html(pattern),
        _ => pattern.to_owned(),
    };
    let filled = i18n::fill(&pattern, |name| {
        args.has(name)
            .then(|| args.get::<Value>(name).ok())
            .flatten()
            .map(|v| isolation.wrap(&v.to_string()))
    })
    .map_err(|e| minijinja::Error::new(ErrorKind::InvalidOperation, e))?;
    Ok(isolation.value(filled))
}

/// `{{ url | isolate }}`: a run printed on its own (a link's text, a session title), isolated
/// in a right-to-left message.
fn isolate_filter(state: &minijinja::State, value: Value) -> Value {
    if value.is_none() || value.is_undefined() || value.as_str() == Some("") {
        return value;
    }
    let isolation = Isolation::of(state);
    match isolation {
        Isolation::None => value,
        _ => isolation.value(isolation.wrap(&value.to_string())),
    }
}

/// Renders the subject, text and HTML of a message in its language.
pub fn render(m: &Message) -> Result<Rendered, TemplateError> {
    let (kind, language) = (m.kind, m.language);
    let data = |reason: String| TemplateError::Data {
        kind,
        language,
        reason,
    };
    let content_kind = m.content.kind();
    if content_kind != kind {
        return Err(TemplateError::KindMismatch {
            kind,
            language,
            content: content_kind,
        });
    }
    // Transactional mail never offers to unsubscribe, even if handed a link.
    let unsubscribe_url = match (kind.is_optional(), m.unsubscribe_url) {
        (true, Some(url)) => Some(url),
        (true, None) => return Err(TemplateError::MissingUnsubscribe { kind, language }),
        (false, _) => None,
    };
    let translations = TRANSLATIONS.as_ref().map_err(|e| data(e.clone()))?;
    let loaded = translations
        .get(&language)
        .ok_or_else(|| data("no translations".to_owned()))?;
    let env = ENVIRONMENT.as_ref().map_err(|e| data(e.clone()))?;
    let tr = &loaded.tr;
    let event = match (kind.is_about_an_event(), m.event) {
        (true, Some(e)) => Some(e),
        (true, None) => return Err(data("the message needs the event it is about".to_owned())),
        (false, _) => None,
    };
    let title = event.map(|e| e.title.as_str());

    let mut ctx: BTreeMap<&str, Value> = BTreeMap::new();
    let subject_id = format!("subject_{}", kind.code());
    let subject = match m.content {
        Content::Announcement { subject, .. } => subject.clone(),
        Content::Reminder { offset, .. } => {
            let lead = tr.lead(offset).map_err(data)?;
            let subject = i18n::fill(tr.message(&subject_id).map_err(data)?, |k| match k {
                "title" => title.map(str::to_owned),
                "lead" => Some(lead.clone()),
                _ => None,
            })
            .map_err(data)?;
            ctx.insert("lead", lead.into());
            subject
        }
        _ => i18n::fill(tr.message(&subject_id).map_err(data)?, |k| {
            title.filter(|_| k == "title").map(str::to_owned)
        })
        .map_err(data)?,
    };
    // A header is one line, whatever the organiser or the event title contain.
    let subject = subject.split_whitespace().collect::<Vec<_>>().join(" ");

    ctx.insert("t", loaded.t.clone());
    ctx.insert("lang", language.code().into());
    let rtl = language.is_right_to_left();
    ctx.insert("dir", if rtl { "rtl" } else { "ltr" }.into());
    ctx.insert("align", if rtl { "right" } else { "left" }.into());
    ctx.insert("subject", subject.as_str().into());
    ctx.insert("name", m.recipient_name.into());
    if let Some(e) = event {
        ctx.insert("event", event_value(e));
    }
    ctx.insert("optional", kind.is_optional().into());
    ctx.insert("unsubscribe_url", unsubscribe_url.into());
    insert_content(&mut ctx, m.content);
    if let Content::OrganiserSignIn { valid_minutes, .. } = m.content {
        // Counted in the language's plural forms, as the reminders' leads are.
        ctx.insert(
            "valid_for",
            tr.minutes(*valid_minutes).map_err(data)?.into(),
        );
    }
    let ctx = Value::from(ctx);

    let render_one = |ext: &str| {
        env.get_template(&format!("{}.{ext}", kind.code()))
            .and_then(|t| t.render(&ctx))
            .map_err(|source| TemplateError::Render {
                kind,
                language,
                source,
            })
    };
    Ok(Rendered {
        text: tidy_text(&render_one("txt")?),
        html: render_one("html")?,
        subject,
    })
}

fn event_value(e: &EventFacts) -> Value {
    Value::from(BTreeMap::from([
        ("title", Value::from(e.title.as_str())),
        ("starts_local", e.starts_local.as_str().into()),
        ("ends_local", e.ends_local.as_str().into()),
        ("zone_name", e.zone_name.as_str().into()),
        ("zone_label", e.zone_label.as_str().into()),
    ]))
}

fn insert_content(ctx: &mut BTreeMap<&str, Value>, content: &Content) {
    match content {
        Content::Confirmation {
            confirm_url,
            expires_local,
        } => {
            ctx.insert("confirm_url", confirm_url.as_str().into());
            ctx.insert("expires_local", expires_local.as_str().into());
        }
        Content::ManageLink { manage_url }
        | Content::Promotion { manage_url }
        | Content::Approval { manage_url } => {
            ctx.insert("manage_url", manage_url.as_str().into());
        }
        Content::Rejection => {}
        Content::JoinLink {
            manage_url,
            join_url,
        } => {
            ctx.insert("manage_url", manage_url.as_str().into());
            ctx.insert("join_url", join_url.as_deref().into());
        }
        Content::Reminder {
            manage_url,
            join_url,
            passcode,
            venue,
            ..
        } => {
            ctx.insert("manage_url", manage_url.as_str().into());
            ctx.insert("join_url", join_url.as_deref().into());
            ctx.insert("passcode", passcode.as_deref().into());
            ctx.insert("venue", venue.as_deref().into());
        }
        Content::ProgrammeChanges {
            changes,
            programme_url,
        } => {
            let changes: Vec<Value> = changes.iter().map(change_value).collect();
            ctx.insert("changes", changes.into());
            ctx.insert("programme_url", programme_url.as_str().into());
        }
        Content::Announcement { body, .. } => {
            let body = body.replace("\r\n", "\n");
            // Paragraphs of lines, so the HTML keeps the organiser's line breaks.
            let paragraphs: Vec<Value> = body
                .split("\n\n")
                .map(str::trim)
                .filter(|p| !p.is_empty())
                .map(|p| {
                    p.lines()
                        .map(|l| Value::from(l.trim_end()))
                        .collect::<Vec<_>>()
                })
                .map(Value::from)
                .collect();
            ctx.insert("paragraphs", paragraphs.into());
            ctx.insert("body", body.trim().into());
            // Line by line, so a right-to-left message can isolate each one.
            let lines: Vec<Value> = body
                .trim()
                .lines()
                .map(|l| Value::from(l.trim_end()))
                .collect();
            ctx.insert("body_lines", lines.into());
        }
        Content::OrganiserSignIn { sign_in_url, .. } => {
            ctx.insert("sign_in_url", sign_in_url.as_str().into());
        }
    }
}

fn change_value(c: &ChangeLine) -> Value {
    let change = match c.change {
        ChangeKind::Added => "added",
        ChangeKind::Removed => "removed",
        ChangeKind::Moved => "moved",
        ChangeKind::Updated => "updated",
    };
    Value::from(BTreeMap::from([
        ("change", Value::from(change)),
        ("title", c.title.as_str().into()),
        ("before", c.before.as_deref().into()),
        ("after", c.after.as_deref().into()),
        (
            "new_materials",
            Value::from_iter(c.new_materials.iter().map(String::as_str).map(Value::from)),
        ),
    ]))
}

/// Conditional blocks leave blank lines behind; a text mail reads better with at most one blank
/// line between paragraphs and no trailing spaces.
fn tidy_text(raw: &str) -> String {
    let mut out = String::with_capacity(raw.len());
    let mut blank_run = 0;
    for line in raw.trim().lines().map(str::trim_end) {
        if line.is_empty() {
            blank_run += 1;
            if blank_run > 1 {
                continue;
            }
        } else {
            blank_run = 0;
        }
        // Writing to a String cannot fail.
        let _ = writeln!(out, "{line}");
    }
    out
}

/// A localised date and time in `zone`, e.g. "Wednesday 8 September 2021, 14:00" or
/// "mercredi 8 septembre 2021, 14 h 00".
pub fn format_instant(t: Timestamp, zone: &TimeZone, language: Language) -> String {
    let z = t.to_zoned(zone.clone());
    let fallback = || z.strftime("%Y-%m-%d %H:%M").to_string();
    let Some(tr) = TRANSLATIONS
        .as_ref()
        .ok()
        .and_then(|all| all.get(&language))
        .map(|l| &l.tr)
    else {
        return fallback();
    };
    let weekday = usize::try_from(z.weekday().to_monday_zero_offset())
        .ok()
        .and_then(|i| tr.weekdays.get(i));
    let month = usize::try_from(z.month() - 1)
        .ok()
        .and_then(|i| tr.months.get(i));
    let (Some(weekday), Some(month)) = (weekday, month) else {
        return fallback();
    };
    i18n::fill(&tr.datetime, |k| match k {
        "weekday" => Some(weekday.clone()),
        "day" => Some(z.day().to_string()),
        "month" => Some(month.clone()),
        "year" => Some(z.year().to_string()),
        "hh" => Some(format!("{:02}", z.hour())),
        "h" => Some(z.hour().to_string()),
        "mm" => Some(format!("{:02}", z.minute())),
        _ => None,
    })
    .unwrap_or_else(|_| fallback())
}

/// The zone's abbreviation and UTC offset at `t`, e.g. "CEST (UTC+02:00)"; just the offset
/// where the zone has no abbreviation (tzdb writes those as "+04").
pub fn zone_label(t: Timestamp, zone: &TimeZone) -> String {
    let info = zone.to_offset_info(t);
    let seconds = info.offset().seconds();
    let sign = if seconds < 0 { '-' } else { '+' };
    let abs = seconds.unsigned_abs();
    let utc = format!("UTC{sign}{:02}:{:02}", abs / 3600, abs % 3600 / 60);
    let abbreviation = info.abbreviation();
    if abbreviation.is_empty() || abbreviation.starts_with(['+', '-']) {
        utc
    } else {
        format!("{abbreviation} ({utc})")
    }
}
