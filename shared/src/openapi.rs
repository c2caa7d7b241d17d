//! The OpenAPI 3.1 document of the public API, served at `GET /v1/openapi.json`. Paths come from
//! [`OPERATIONS`], the operations of [`ops`], which are also what the functions route to
//! (`plenary::routes!`; a test holds every operation served by exactly one function), response
//! bodies from the very view types the handlers serialise, request bodies from the types below
//! (tests hold their fields equal to what the parsers accept), so the document cannot drift from
//! the code.

use std::sync::LazyLock;

use http::Method;
use schemars::{JsonSchema, SchemaGenerator, generate::SchemaSettings};
use serde::Deserialize;
use serde_json::{Map, Value, json};

use crate::domain::{Category, EventFormat, Language, SessionKind, Visibility};

pub mod ops;
pub use ops::OPERATIONS;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Auth {
    Public,
    Registrant,
    Organiser,
}

#[derive(Debug, Clone, Copy)]
pub enum Body {
    Json(fn(&mut SchemaGenerator) -> schemars::Schema),
    /// `text/calendar`, `text/csv` and the like.
    Text(&'static str),
    None,
}

/// One documented operation; a function serves it at its `method` and `path`.
#[derive(Debug, Clone)]
pub struct Operation {
    pub method: Method,
    pub path: &'static str,
    pub id: &'static str,
    pub summary: &'static str,
    pub tag: &'static str,
    pub auth: Auth,
    /// Query parameters: name, required, description, JSON Schema.
    pub query: &'static [(&'static str, bool, &'static str, &'static str)],
    pub headers: &'static [(&'static str, &'static str)],
    pub request: Body,
    pub status: u16,
    pub response: Body,
    /// Other statuses: problems besides those every operation may give
    /// (`EVERY_OPERATION_PROBLEMS`), 304, or 201 with the response body.
    pub problems: &'static [u16],
}

fn s<T: JsonSchema>(g: &mut SchemaGenerator) -> schemars::Schema {
    g.subschema_for::<T>()
}

const IDEMPOTENCY: (&str, &str) = (
    "Idempotency-Key",
    "Repeat the same request with the same key within 24 hours to get the first answer again, with no second effect.",
);
const IF_NONE_MATCH: (&str, &str) = (
    "If-None-Match",
    "An ETag from an earlier answer: 304 when unchanged.",
);

const ZONE: &str = r#"{"type": "string", "pattern": "^[A-Za-z][A-Za-z0-9_+-]*(/[A-Za-z0-9_+-]+)*$", "maxLength": 64}"#;
const VERSION_NO: &str = r#"{"type": "integer", "minimum": 0}"#;
const BOOLEAN: &str = r#"{"type": "boolean"}"#;
const TOKEN: &str = r#"{"type": "string", "pattern": "^[A-Za-z0-9_-]{22,128}$"}"#;
const STATUS: &str = r#"{"type": "string", "enum": ["pending_confirmation", "pending_approval", "confirmed", "waitlisted", "rejected", "cancelled"]}"#;
const LIMIT: &str = r#"{"type": "integer", "minimum": 1, "maximum": 500}"#;
const CURSOR: &str = r#"{"type": "string", "pattern": "^[0-9A-HJKMNP-TV-Z]{26}$"}"#;
const LANGUAGE: &str = r#"{"type": "string", "enum": ["ar", "zh", "en", "fr", "ru", "es"]}"#;
const NAME: &str = r#"{"type": "string", "minLength": 1, "maxLength": 200}"#;

/// Path parameters by name.
fn path_schema(name: &str) -> Value {
    match name {
        "event_id" => json!({"type": "string", "pattern": "^[a-z0-9][a-z0-9_-]{0,63}$"}),
        "registration_id" | "token_id" => serde_json::from_str(CURSOR).unwrap_or_default(),
        "email" => json!({"type": "string", "format": "email", "maxLength": 254}),
        _ => serde_json::from_str(TOKEN).unwrap_or_default(),
    }
}

// Request bodies, as the parsers accept them (see the tests at the end).

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RegistrationRequest {
    #[schemars(extend("format" = "email"), length(max = 254))]
    pub email: String,
    #[schemars(length(min = 1, max = 100))]
    pub given_name: String,
    #[schemars(length(min = 1, max = 100))]
    pub family_name: String,
    /// ISO 3166-1 alpha-2.
    #[schemars(regex(pattern = r"^[A-Za-z]{2}$"))]
    pub country: String,
    #[schemars(length(min = 1, max = 200))]
    pub organisation: String,
    pub category: Category,
    pub language: Language,
    /// Must be true.
    pub consent: bool,
    #[schemars(length(max = 1000))]
    #[serde(default)]
    pub accessibility_needs: Option<String>,
    #[serde(default)]
    pub notifications: Option<NotificationChoicesRequest>,
    /// Answers to the event's `questions`, by question id: an option id (`choice`), a list of
    /// option ids (`choices`), text (`text`, `paragraph`) or a boolean. Every question that
    /// applies and is `required` must be answered; one whose `shown_if` is not met must not be.
    /// Each bad answer is named `answers.<question id>` in `errors`.
    #[serde(default)]
    pub answers: Option<std::collections::BTreeMap<String, serde_json::Value>>,
    /// `in_person` or `remote`: required on a hybrid event, where each mode has its own seats
    /// and waiting list; on another event absent or the one its format allows (`remote` on a
    /// virtual event, `in_person` on an in-person one).
    #[serde(default)]
    pub participation: Option<crate::domain::Participation>,
}

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct NotificationChoicesRequest {
    #[serde(default)]
    pub reminders: Option<bool>,
    #[serde(default)]
    pub programme_changes: Option<bool>,
    /// The organisers' announcements (true when absent).
    #[serde(default)]
    pub announcements: Option<bool>,
}

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ResendRequest {
    #[schemars(extend("format" = "email"))]
    pub email: String,
}

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ConfirmRequest {
    #[schemars(length(min = 22, max = 128), regex(pattern = r"^[A-Za-z0-9_-]+$"))]
    pub token: String,
}

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct AmendRequest {
    #[schemars(length(min = 1, max = 100))]
    #[serde(default)]
    pub given_name: Option<String>,
    #[schemars(length(min = 1, max = 100))]
    #[serde(default)]
    pub family_name: Option<String>,
    #[schemars(length(min = 1, max = 200))]
    #[serde(default)]
    pub organisation: Option<String>,
    #[serde(default)]
    pub language: Option<Language>,
    #[schemars(length(max = 1000))]
    #[serde(default)]
    pub accessibility_needs: Option<String>,
    #[serde(default)]
    pub notifications: Option<NotificationChoicesRequest>,
    /// New answers to every current question of the event, checked as on registration (a
    /// required question left out is a problem); answers to questions the organiser removed stay.
    /// Absent leaves the answers as they are.
    #[serde(default)]
    pub answers: Option<std::collections::BTreeMap<String, serde_json::Value>>,
    /// Hybrid events only: switch mode. To `remote` frees the room's seat for the next in its
    /// queue; to `in_person` takes a room seat, 409 `in-person-full` when none is free (the
    /// registration stays as it was). Each switch is one transaction.
    #[serde(default)]
    pub participation: Option<crate::domain::Participation>,
}

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct WindowRequest {
    #[schemars(extend("format" = "date-time"))]
    #[serde(default)]
    pub opens_at: Option<String>,
    #[schemars(extend("format" = "date-time"))]
    #[serde(default)]
    pub closes_at: Option<String>,
}

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ContactRequest {
    #[schemars(length(min = 1, max = 100))]
    pub name: String,
    #[schemars(extend("format" = "email"))]
    pub email: String,
}

/// One of the event's documents.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct LinkRequest {
    #[schemars(length(min = 1, max = 200))]
    pub title: String,
    /// An absolute http(s) address.
    #[schemars(extend("format" = "uri"), length(max = 2000))]
    pub url: String,
}

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct EligibilityRequest {
    #[serde(default)]
    pub categories: Option<Vec<Category>>,
    #[serde(default)]
    pub itu_member_states_only: Option<bool>,
}

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct EventRequest {
    #[schemars(length(min = 1, max = 200))]
    pub title: String,
    #[schemars(length(max = 10000))]
    #[serde(default)]
    pub description: Option<String>,
    /// An IANA time zone, e.g. Europe/Zurich.
    pub timezone: String,
    #[schemars(extend("format" = "date-time"))]
    pub starts_at: String,
    #[schemars(extend("format" = "date-time"))]
    pub ends_at: String,
    #[serde(default)]
    pub format: Option<EventFormat>,
    #[serde(default)]
    pub languages: Option<Vec<Language>>,
    #[serde(default)]
    pub registration: Option<WindowRequest>,
    #[serde(default)]
    pub contact: Option<ContactRequest>,
    /// The event's documents (its circular, a call for papers), in the order to show them.
    #[schemars(length(max = 20))]
    #[serde(default)]
    pub links: Option<Vec<LinkRequest>>,
    #[schemars(range(min = 1, max = 1000000))]
    #[serde(default)]
    pub capacity: Option<u32>,
    #[serde(default)]
    pub waitlist: Option<bool>,
    #[serde(default)]
    pub approval_required: Option<bool>,
    /// Registrations from addresses at one email domain the event takes in an hour (1 to
    /// 100000); absent or null (the default) counts no domain. More get 429 with Retry-After.
    #[schemars(range(min = 1, max = 100000))]
    #[serde(default)]
    pub registrations_per_email_domain_per_hour: Option<u32>,
    #[serde(default)]
    pub eligibility: Option<EligibilityRequest>,
    /// ISO 8601 durations before the start, e.g. P7D, PT1H.
    #[serde(default)]
    pub reminders: Option<Vec<String>>,
    /// `public` (the default) is listed by `GET /v1/events`; `unlisted` is not listed but every
    /// public route works by its id; `draft` is 404 on every public route and takes no
    /// registrations (people already registered keep their own routes).
    #[serde(default)]
    pub visibility: Option<Visibility>,
    /// The registration form: at most 30 questions with unique ids; options unique within
    /// their question; a `shown_if` names an earlier `choice` or `boolean` question. Problems
    /// are named `questions.<index>.<field>` (e.g. `questions.2.options`). A question keeps its
    /// `kind` for good (a new kind needs a new id), so stored answers keep their meaning.
    #[serde(default)]
    pub questions: Option<Vec<crate::views::QuestionView>>,
    /// Hybrid events only (400 `in_person` otherwise): the room's own seats, waiting list and
    /// venue; `capacity` and `waitlist` are then the remote ones. A hybrid event without it has
    /// an unlimited room.
    #[serde(default)]
    pub in_person: Option<crate::views::InPersonView>,
    /// Read-only: when the event was first written (null when not recorded). `GET` shows it; a
    /// `PUT` may send it back and it is ignored.
    #[schemars(extend("format" = "date-time", "readOnly" = true))]
    #[serde(default)]
    pub created_at: Option<String>,
    /// Read-only: when the event was last written (null when not recorded), as `created_at`.
    #[schemars(extend("format" = "date-time", "readOnly" = true))]
    #[serde(default)]
    pub updated_at: Option<String>,
}

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SpeakerRequest {
    pub id: String,
    #[schemars(length(min = 1, max = 100))]
    pub name: String,
    #[serde(default)]
    pub affiliation: Option<String>,
    #[serde(default)]
    pub bio: Option<String>,
}

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SessionSpeakerRequest {
    pub id: String,
    #[serde(default)]
    pub role: Option<String>,
}

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SessionRequest {
    pub id: String,
    #[schemars(length(min = 1, max = 200))]
    pub title: String,
    pub kind: SessionKind,
    #[serde(default)]
    pub track: Option<String>,
    #[schemars(extend("format" = "date-time"))]
    pub starts_at: String,
    #[schemars(extend("format" = "date-time"))]
    pub ends_at: String,
    #[serde(rename = "abstract")]
    #[serde(default)]
    pub summary: Option<String>,
    #[serde(default)]
    pub speakers: Option<Vec<SessionSpeakerRequest>>,
    /// At most 20, ids unique in the session; public once published.
    #[serde(default)]
    #[schemars(length(max = 20))]
    pub materials: Option<Vec<MaterialRequest>>,
}

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct MaterialRequest {
    pub id: String,
    #[schemars(length(min = 1, max = 200))]
    pub title: String,
    pub kind: crate::domain::MaterialKind,
    /// An absolute https URL of at most 2,000 characters (the local stack also takes http).
    #[schemars(extend("format" = "uri"), length(max = 2000))]
    pub url: String,
    #[serde(default)]
    pub language: Option<Language>,
}

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct DraftRequest {
    #[serde(default)]
    pub speakers: Option<Vec<SpeakerRequest>>,
    #[serde(default)]
    pub sessions: Option<Vec<SessionRequest>>,
}

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct JoinInfoRequest {
    #[schemars(extend("format" = "uri"))]
    pub url: String,
    #[serde(default)]
    pub passcode: Option<String>,
    #[serde(default)]
    pub dial_in: Option<String>,
    #[serde(default)]
    pub instructions: Option<String>,
    #[schemars(extend("format" = "date-time"))]
    pub release_at: String,
    /// Read-only (what `GET …/join-info` shows): accepted back and ignored.
    #[serde(default)]
    pub released: Option<bool>,
}

/// Text per language (ar, zh, en, fr, ru, es; English required), or one string in English.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(untagged)]
pub enum PerLanguage {
    English(String),
    Languages(std::collections::BTreeMap<Language, String>),
}

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum AudienceRequest {
    Confirmed,
    All,
    /// Confirmed registrants who used their personal join link.
    Attended,
    /// Confirmed registrants who never used it.
    Absent,
}

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct AnnouncementRequest {
    pub subject: PerLanguage,
    pub body: PerLanguage,
    #[serde(default)]
    pub audience: Option<AudienceRequest>,
}

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct UploadBody {
    /// The file's name: no `/`, `\\`, `..`, control characters or `: * ? " < > |`, not starting
    /// with a dot, with an extension that agrees with `content_type`.
    #[schemars(length(min = 3, max = 200))]
    pub filename: String,
    #[schemars(schema_with = "upload_types")]
    pub content_type: String,
    /// The file's exact size in bytes; the form takes a file of this size only.
    #[schemars(range(min = 1, max = 209_715_200))]
    pub size: u64,
}

fn upload_types(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
    let types: Vec<&str> = crate::domain::FILE_TYPES.iter().map(|(t, _)| *t).collect();
    schemars::json_schema!({"type": "string", "enum": types})
}

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SignInBody {
    #[schemars(extend("format" = "email"), length(max = 254))]
    pub email: String,
    /// The language of the sign-in email (default en).
    #[serde(default)]
    pub language: Option<Language>,
}

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SessionBody {
    /// The token of the emailed sign-in link.
    #[schemars(regex(pattern = r"^[A-Za-z0-9_-]{22,128}$"))]
    pub token: String,
}

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct OrganiserBody {
    #[schemars(length(min = 1, max = 200))]
    pub name: String,
    #[serde(default)]
    pub administrator: Option<bool>,
}

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct MemberBody {
    pub role: crate::domain::Role,
    #[schemars(length(min = 1, max = 200))]
    #[serde(default)]
    pub name: Option<String>,
}

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct TokenBody {
    #[schemars(length(min = 1, max = 100))]
    pub name: String,
    /// At most a year ahead (default: 90 days).
    #[schemars(extend("format" = "date-time"))]
    #[serde(default)]
    pub expires_at: Option<String>,
    #[serde(default)]
    pub read_only: Option<bool>,
}

fn problem_schema() -> Value {
    json!({
        "type": "object",
        "required": ["type", "title", "status", "detail"],
        "properties": {
            "type": {"type": "string"},
            "title": {"type": "string"},
            "status": {"type": "integer"},
            "detail": {"type": "string"},
            "code": {"type": "string"},
            "errors": {"type": "array", "maxItems": crate::http::MAX_LISTED_ERRORS, "items": {
                "type": "object", "required": ["field", "message"],
                "properties": {"field": {"type": "string"}, "message": {"type": "string"}}}},
            "errors_total": {"type": "integer", "description": "How many field errors were found, when more were found than `errors` lists"}
        }
    })
}

fn reason(status: u16) -> &'static str {
    match status {
        201 => "Created",
        302 => "Redirect to the meeting",
        304 => "Not modified",
        400 => "Invalid request: every bad field is listed",
        401 => "Missing or unknown bearer token",
        403 => "Forbidden",
        404 => "Not found",
        405 => "Method not allowed",
        406 => {
            "Too large for one response (over 4 MiB of body); ask with Accept-Encoding: gzip, or as the problem says"
        }
        409 => "Conflict with the current state",
        410 => "Gone",
        413 => "Body larger than 64 KiB",
        415 => "Body is not JSON",
        422 => "Idempotency-Key reused with another request",
        429 => {
            "Too many requests (e.g. the event's registrations this minute); retry after the Retry-After seconds"
        }
        500 => "Internal error",
        503 => "Temporarily unavailable; retry after the Retry-After seconds",
        _ => "Response",
    }
}

fn content(body: &Body, g: &mut SchemaGenerator) -> Option<Value> {
    match body {
        Body::Json(f) => {
            // Any JSON: schemars says `true`, which JSON Schema allows but some generators
            // (openapi-python-client) and linters (Redocly) refuse; `{}` says the same.
            let schema = match Value::from(f(g)) {
                Value::Bool(true) => json!({}),
                schema => schema,
            };
            Some(json!({"application/json": {"schema": schema}}))
        }
        Body::Text(ct) => Some(json!({*ct: {"schema": {"type": "string"}}})),
        Body::None => None,
    }
}

/// The problem statuses every operation may answer with.
const EVERY_OPERATION_PROBLEMS: &[u16] = &[400, 404, 405, 413, 415, 429, 500, 503];

/// OpenAPI 3.1 speaks JSON Schema 2020-12; only the home of shared definitions differs.
fn generator() -> SchemaGenerator {
    SchemaSettings::draft2020_12()
        .with(|s| {
            s.meta_schema = None;
            s.definitions_path = "/components/schemas/".into();
        })
        .into_generator()
}

fn build() -> Value {
    let mut g = generator();
    let mut paths = Map::new();
    for op in OPERATIONS {
        let operation = operation(op, &mut g);
        let path = paths.entry(op.path.to_owned()).or_insert_with(|| json!({}));
        path[op.method.as_str().to_ascii_lowercase()] = operation;
    }
    let mut schemas: Map<String, Value> = g.take_definitions(true).into_iter().collect();
    schemas.insert("Problem".to_owned(), problem_schema());
    envelope(paths, schemas)
}

/// One operation: its parameters, responses, security and request body.
fn operation(op: &Operation, g: &mut SchemaGenerator) -> Value {
    let mut operation = json!({
        "operationId": op.id,
        "summary": op.summary,
        "description": description(op),
        "tags": [op.tag],
        "parameters": parameters(op),
        "responses": responses(op, g),
    });
    operation["security"] = security(op.auth);
    if let Some(c) = content(&op.request, g) {
        operation["requestBody"] = json!({"required": true, "content": c});
    }
    operation
}

/// What a client needs to know besides the summary, said from the operation's own facts, so a
/// new operation is described without anyone writing it twice.
fn description(op: &Operation) -> String {
    let mut text = format!("{}.", op.summary);
    text.push_str(match op.auth {
        Auth::Public => " Public: no token.",
        Auth::Registrant => {
            " Needs the registrant's bearer token (from their confirmation email): 401 without it."
        }
        Auth::Organiser => {
            " Needs an organiser's bearer token (401 without it); a role that may not do this is 403 `forbidden`."
        }
    });
    if op.headers.contains(&IDEMPOTENCY) {
        text.push_str(" Send an `Idempotency-Key` to make a retry safe.");
    }
    if op.headers.contains(&IF_NONE_MATCH) {
        text.push_str(" Answers 304 to the ETag of an unchanged answer.");
    }
    if op.problems.contains(&201) {
        text.push_str(" 201 when it created, 200 when it replaced.");
    }
    text.push_str(" Bad input is a 400 problem naming every bad field.");
    text
}

/// The `{name}` segments of the path, then the query parameters, then the headers.
fn parameters(op: &Operation) -> Vec<Value> {
    let path = op
        .path
        .split('/')
        .filter_map(|seg| seg.strip_prefix('{')?.strip_suffix('}'))
        .map(|name| json!({"name": name, "in": "path", "required": true, "schema": path_schema(name)}));
    let query = op
        .query
        .iter()
        .map(|(name, required, description, schema)| {
            let schema: Value =
                serde_json::from_str(schema).unwrap_or_else(|_| json!({"type": "string"}));
            json!({"name": name, "in": "query", "required": required,
                   "description": description, "schema": schema})
        });
    let headers = op.headers.iter().map(|(name, description)| {
        json!({"name": name, "in": "header", "required": false,
               "description": description, "schema": header_schema(name)})
    });
    path.chain(query).chain(headers).collect()
}

fn header_schema(name: &str) -> Value {
    if name == IDEMPOTENCY.0 {
        json!({"type": "string", "minLength": 1, "maxLength": 255, "pattern": "^[!-~]+$"})
    } else {
        json!({"type": "string"})
    }
}

/// The operation's own answer, then the problems every operation may give, then its own.
fn responses(op: &Operation, g: &mut SchemaGenerator) -> Map<String, Value> {
    let mut responses = Map::new();
    let mut ok = with_body(op.status, &op.response, g);
    if op.status == 302 {
        ok["headers"] = json!({"Location": {"schema": {"type": "string"}}});
    }
    responses.insert(op.status.to_string(), ok);
    for &status in EVERY_OPERATION_PROBLEMS.iter().chain(op.problems) {
        let response = match status {
            // Created: the same body as the operation's own answer.
            201 => with_body(status, &op.response, g),
            304 => with_body(status, &Body::None, g),
            _ => problem(status),
        };
        responses.insert(status.to_string(), response);
    }
    responses
}

/// A response with its reason and, unless `body` is none, its content.
fn with_body(status: u16, body: &Body, g: &mut SchemaGenerator) -> Value {
    let mut response = json!({"description": reason(status)});
    if let Some(c) = content(body, g) {
        response["content"] = c;
    }
    response
}

/// A problem details response; 429 and 503 say when to retry.
fn problem(status: u16) -> Value {
    let content = json!({
        "application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}});
    match status {
        429 | 503 => json!({"description": reason(status),
            "headers": {"Retry-After": {"description": "Seconds to wait before trying again",
                                        "schema": {"type": "integer", "minimum": 1}}},
            "content": content}),
        _ => json!({"description": reason(status), "content": content}),
    }
}

fn security(auth: Auth) -> Value {
    match auth {
        Auth::Public => json!([]),
        Auth::Registrant => json!([{"registrantToken": []}]),
        Auth::Organiser => json!([{"organiserToken": []}]),
    }
}

/// Every operation's tag, in the document's order, with what it groups.
const TAGS: &[(&str, &str)] = &[
    (
        "Events",
        "The public events and their registration windows.",
    ),
    (
        "Programme",
        "The published programme: versions, changes, calendars, speakers.",
    ),
    (
        "Registration",
        "Registering for an event and confirming the address.",
    ),
    (
        "Registrant",
        "A registrant's own routes, with the token from their email.",
    ),
    (
        "Organiser",
        "An event's organisers: the event, its programme, registrations and mail.",
    ),
    (
        "Organisers",
        "Organisers as people: signing in, teams, roles, tokens and the audit log.",
    ),
    ("Meta", "This document."),
];

/// A `oneOf` (or `anyOf`) of strings given as enums and consts (what schemars makes of an enum
/// whose variants carry doc comments) becomes one flat `enum`: some generators
/// (openapi-python-client) parse the branches apart and then refuse a valid value. The variants'
/// descriptions go into the schema's own.
fn flatten_string_enums(v: &mut Value) {
    match v {
        Value::Object(m) => {
            m.values_mut().for_each(flatten_string_enums);
            for key in ["oneOf", "anyOf"] {
                let Some(Value::Array(branches)) = m.get(key) else {
                    continue;
                };
                let mut values = Vec::new();
                let mut notes = Vec::new();
                let all_strings = branches.iter().all(|b| {
                    let strings = |vs: &[Value]| vs.iter().all(Value::is_string);
                    let found: Vec<Value> = match (b.get("const"), b.get("enum")) {
                        (Some(c), None) => vec![c.clone()],
                        (None, Some(Value::Array(e))) => e.clone(),
                        _ => return false,
                    };
                    if !strings(&found) || b.get("type").is_some_and(|t| t != "string") {
                        return false;
                    }
                    if let Some(Value::String(d)) = b.get("description") {
                        notes.push(format!("`{}`: {d}", found[0].as_str().unwrap_or_default()));
                    }
                    values.extend(found);
                    true
                });
                if !all_strings {
                    continue;
                }
                m.remove(key);
                m.insert("type".to_owned(), json!("string"));
                m.insert("enum".to_owned(), Value::Array(values));
                if !notes.is_empty() {
                    let own = m.get("description").and_then(Value::as_str).unwrap_or("");
                    let text = [own.to_owned(), notes.join(" ")].join(" ");
                    m.insert("description".to_owned(), json!(text.trim()));
                }
            }
        }
        Value::Array(a) => a.iter_mut().for_each(flatten_string_enums),
        _ => {}
    }
}

/// The document around the paths and the shared schemas.
fn envelope(paths: Map<String, Value>, schemas: Map<String, Value>) -> Value {
    json!({
        "openapi": "3.1.0",
        "info": {
            "title": "Plenary",
            "version": env!("CARGO_PKG_VERSION"),
            "description": "The HTTP API of Plenary, the backend of a workshop website: programme, registration, registrants' own routes, and the organiser's routes. Errors are RFC 9457 problem details.",
            "contact": {"name": "The event's organisers (each event's `contact`)"},
        },
        "servers": [{"url": "/"}],
        "tags": TAGS.iter().map(|(name, description)| json!({"name": name, "description": description})).collect::<Vec<_>>(),
        "paths": paths,
        "components": {
            "schemas": schemas,
            "securitySchemes": {
                "registrantToken": {"type": "http", "scheme": "bearer", "description": "The token from the registrant's email"},
                "organiserToken": {"type": "http", "scheme": "bearer", "description": "An organiser's session (from an emailed sign-in link), an organiser's personal token, or the deployment's organiser token (the installation's administrator)"}
            }
        }
    })
}

/// `"default": null` (from `#[serde(default)]` on optional fields) says nothing a client needs,
/// and schemathesis' coverage phase reads such fields as required; the schemas leave it out.
fn drop_null_defaults(v: &mut Value) {
    match v {
        Value::Object(m) => {
            if m.get("default").is_some_and(Value::is_null) {
                m.remove("default");
            }
            m.values_mut().for_each(drop_null_defaults);
        }
        Value::Array(a) => a.iter_mut().for_each(drop_null_defaults),
        _ => {}
    }
}

static DOCUMENT: LazyLock<String> = LazyLock::new(|| {
    let mut doc = build();
    drop_null_defaults(&mut doc);
    flatten_string_enums(&mut doc);
    doc.to_string()
});

/// The document, built once.
pub fn document() -> &'static str {
    &DOCUMENT
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::views;

    fn properties<T: JsonSchema>() -> Vec<String> {
        let schema = schemars::schema_for!(T);
        let mut p: Vec<String> = schema
            .as_value()
            .get("properties")
            .and_then(Value::as_object)
            .map(|m| m.keys().cloned().collect())
            .unwrap_or_default();
        p.sort();
        p
    }

    fn sorted(list: &[&str]) -> Vec<String> {
        let mut v: Vec<String> = list.iter().map(|s| (*s).to_owned()).collect();
        v.sort();
        v
    }

    #[test]
    fn the_documented_request_bodies_have_exactly_the_fields_the_parsers_accept() {
        assert_eq!(
            properties::<RegistrationRequest>(),
            sorted(crate::domain::APPLICATION_FIELDS)
        );
        let event_fields: Vec<&str> = crate::domain::Event::FIELDS
            .iter()
            .chain(crate::domain::Event::READ_ONLY_FIELDS)
            .copied()
            .collect();
        assert_eq!(properties::<EventRequest>(), sorted(&event_fields));
        assert_eq!(
            properties::<DraftRequest>(),
            sorted(crate::domain::Programme::FIELDS)
        );
    }

    #[test]
    fn the_event_body_and_the_public_event_give_visibility_as_its_closed_list() {
        let doc: Value = serde_json::from_str(document()).unwrap();
        let schemas = &doc["components"]["schemas"];
        let codes: Vec<&str> = crate::domain::Visibility::ALL.map(|v| v.code()).into();
        assert_eq!(schemas["Visibility"]["enum"], json!(codes));
        assert_eq!(
            schemas["EventView"]["properties"]["visibility"]["$ref"],
            "#/components/schemas/Visibility"
        );
        assert!(
            schemas["EventRequest"]["properties"]["visibility"]
                .to_string()
                .contains("#/components/schemas/Visibility")
        );
    }

    #[test]
    fn the_organisers_event_view_has_exactly_the_fields_the_document_gives_it() {
        let event = crate::domain::Event::parse(
            crate::domain::EventId::parse("ws").unwrap(),
            &json!({"title": "W", "timezone": "UTC",
                    "starts_at": "2021-09-08T12:00:00Z", "ends_at": "2021-09-08T14:00:00Z"}),
        )
        .unwrap();
        let view = views::OrganiserEventView::of(&event, &crate::store::Written::default());
        let mut shown: Vec<String> = serde_json::to_value(view)
            .unwrap()
            .as_object()
            .unwrap()
            .keys()
            .cloned()
            .collect();
        shown.sort();
        assert_eq!(shown, properties::<EventRequest>());
        let op = ops::GET_ORGANISER_EVENT;
        let doc: Value = serde_json::from_str(document()).unwrap();
        let schema = &doc["paths"][op.path]["get"]["responses"]["200"]["content"]["application/json"]
            ["schema"];
        assert_eq!(schema["$ref"], "#/components/schemas/EventRequest");
    }

    #[test]
    fn only_the_fields_a_parser_requires_are_required() {
        let schema = schemars::schema_for!(JoinInfoRequest);
        let required = schema.as_value()["required"].clone();
        assert_eq!(required, json!(["url", "release_at"]));
        let schema = schemars::schema_for!(RegistrationRequest);
        let required: Vec<&str> = schema.as_value()["required"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v.as_str().unwrap())
            .collect();
        assert!(!required.contains(&"accessibility_needs") && required.contains(&"consent"));
    }

    #[test]
    fn the_document_is_openapi_3_1_with_every_operation_and_its_problems() {
        let doc: Value = serde_json::from_str(document()).unwrap();
        assert_eq!(doc["openapi"], "3.1.0");
        let n: usize = doc["paths"]
            .as_object()
            .unwrap()
            .values()
            .map(|p| p.as_object().unwrap().len())
            .sum();
        assert_eq!(n, OPERATIONS.len());
        let reg = &doc["paths"]["/v1/events/{event_id}/registrations"]["post"];
        assert!(reg["responses"]["403"].is_object());
        assert!(reg["responses"]["429"]["headers"]["Retry-After"].is_object());
        assert!(reg["requestBody"]["content"]["application/json"]["schema"].is_object());
        // Every $ref resolves.
        let text = document();
        for r in text.split("\"$ref\":\"").skip(1) {
            let name = r
                .split('"')
                .next()
                .unwrap()
                .trim_start_matches("#/components/schemas/");
            assert!(
                doc["components"]["schemas"][name].is_object(),
                "{name} unresolved"
            );
        }
    }

    /// Every schema in the document with the path to it.
    fn schemas<'a>(v: &'a Value, at: String, out: &mut Vec<(String, &'a Value)>) {
        match v {
            Value::Object(m) => {
                for (k, x) in m {
                    let here = format!("{at}/{k}");
                    if k == "schema" || k == "items" {
                        out.push((here.clone(), x));
                    }
                    if (k == "properties" || k == "schemas")
                        && let Value::Object(p) = x
                    {
                        out.extend(p.iter().map(|(n, s)| (format!("{here}/{n}"), s)));
                    }
                    schemas(x, here, out);
                }
            }
            Value::Array(a) => {
                for (i, x) in a.iter().enumerate() {
                    schemas(x, format!("{at}/{i}"), out);
                }
            }
            _ => {}
        }
    }

    #[test]
    fn no_schema_in_the_document_is_a_bare_boolean() {
        let doc: Value = serde_json::from_str(document()).unwrap();
        let mut all = Vec::new();
        schemas(&doc, String::new(), &mut all);
        let booleans: Vec<&String> = all
            .iter()
            .filter(|(_, s)| s.is_boolean())
            .map(|(p, _)| p)
            .collect();
        assert!(booleans.is_empty(), "boolean schemas at {booleans:?}");
        let op = ops::GET_SCHEDULE;
        assert_eq!(
            doc["paths"][op.path]["get"]["responses"]["200"]["content"]["application/json"]["schema"],
            json!({})
        );
    }

    #[test]
    fn a_closed_list_of_strings_is_one_flat_enum_with_its_variants_described() {
        let doc: Value = serde_json::from_str(document()).unwrap();
        let kind = &doc["components"]["schemas"]["ChangeKind"];
        assert_eq!(kind["type"], "string");
        assert_eq!(
            kind["enum"],
            json!(["added", "removed", "moved", "updated"])
        );
        assert!(
            kind["description"]
                .as_str()
                .unwrap()
                .contains("`moved`: Its time or track changed.")
        );
        assert_eq!(
            doc["components"]["schemas"]["Via"]["enum"],
            json!(["session", "token", "deployment"])
        );
        let text = document();
        assert!(!text.contains("\"const\""), "a const is left: {text}");
    }

    #[test]
    fn every_operation_has_a_description_and_a_declared_tag() {
        let doc: Value = serde_json::from_str(document()).unwrap();
        let tags: Vec<&str> = doc["tags"]
            .as_array()
            .unwrap()
            .iter()
            .map(|t| t["name"].as_str().unwrap())
            .collect();
        for op in OPERATIONS {
            let o = &doc["paths"][op.path][op.method.as_str().to_ascii_lowercase()];
            assert!(
                o["description"]
                    .as_str()
                    .is_some_and(|d| d.len() > op.summary.len()),
                "{}",
                op.id
            );
            assert!(
                tags.contains(&op.tag),
                "{} has the undeclared tag {}",
                op.id,
                op.tag
            );
        }
        assert!(doc["info"]["contact"].is_object());
    }
}
