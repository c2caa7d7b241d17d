//! The `registration` function: the public registration routes and the registrant's own routes.
//! The rules live in `plenary::usecases` (`registrant`); this reads requests into them and writes
//! their answers, and their errors become HTTP through `plenary::usecases::problems`.

use std::sync::Arc;

use ::http::{HeaderValue, StatusCode, header};
use plenary::Clock;
use plenary::Config;
use plenary::config::{BaseUrl, ConfigError, CorsConfig};
use plenary::domain::EventId;
use plenary::http::{self, Params, Problem, Request, Response, query_params};
use plenary::store::{
    Completion, EventReader, IdempotencyStore, JoinInfoStore, ProgrammeReader, RateLimits,
    RegistrationStore, SavedResponse,
};
use plenary::token::{JoinKey, Token, TokenSource};
use plenary::usecases::registrant::Intake;
use plenary::usecases::{Registrar, Seen, clients};
use plenary::views::{self, RegistrantView};
use plenary::wiring::Services;

mod routes;
pub use routes::{Endpoint, ROUTES};

/// What this function is given: registrations (read and write), events and join details (read).
pub struct App {
    pub events: Arc<dyn EventReader>,
    pub registrations: Arc<dyn RegistrationStore>,
    pub limits: Arc<dyn RateLimits>,
    pub idempotency: Arc<dyn IdempotencyStore>,
    pub join_info: Arc<dyn JoinInfoStore>,
    pub programme: Arc<dyn ProgrammeReader>,
    pub clock: Arc<dyn Clock>,
    pub tokens: Arc<dyn TokenSource>,
    pub join_key: JoinKey,
    pub cors: CorsConfig,
    /// The CDN in front (`PLENARY_ORIGIN_SECRET`): who the client is, and who is refused.
    pub edge: http::Edge,
    /// The website, for links in the personal calendar.
    pub site_url: BaseUrl,
    /// The API's own base URL (`PLENARY_API_URL`), for the personal join and calendar-feed links.
    /// Never taken from `Host` or `X-Forwarded-*`: those are the client's to choose.
    pub api_url: BaseUrl,
    /// Registrations one event takes in a minute (`PLENARY_REGISTRATIONS_PER_EVENT_PER_MINUTE`)
    /// and the mail it lets wait (`PLENARY_MAIL_BACKLOG_PER_EVENT`).
    pub intake: Intake,
    /// Requests one client may make to one write route in a minute
    /// (`PLENARY_REQUESTS_PER_CLIENT_PER_MINUTE`).
    pub requests_per_client_per_minute: u32,
}

impl App {
    /// Refuses a configuration without the join key.
    pub fn new(services: &Services, config: &Config) -> Result<Self, ConfigError> {
        let store = &services.store;
        Ok(Self {
            events: store.clone(),
            registrations: store.clone(),
            limits: store.clone(),
            idempotency: store.clone(),
            join_info: store.clone(),
            programme: store.clone(),
            clock: services.clock.clone(),
            tokens: services.tokens.clone(),
            join_key: config.require_join_key()?,
            cors: config.cors.clone(),
            edge: config.edge.clone(),
            site_url: config.site_url.clone(),
            api_url: config.api_url.clone(),
            intake: Intake {
                per_minute: config.registrations_per_event_per_minute,
                mail_backlog: config.mail_backlog_per_event,
            },
            requests_per_client_per_minute: config.requests_per_client_per_minute,
        })
    }

    fn registrar(&self) -> Registrar<'_> {
        Registrar {
            events: self.events.as_ref(),
            store: self.registrations.as_ref(),
            limits: self.limits.as_ref(),
            join_info: self.join_info.as_ref(),
            clock: self.clock.as_ref(),
            ids: self.tokens.as_ref(),
            join_key: &self.join_key,
        }
    }
}

pub async fn handle(app: &App, req: Request) -> Response {
    http::serve(
        &app.cors,
        &app.edge,
        ROUTES,
        req,
        async |ep, params, req| {
            // Every route here that is not a read is a public write: each counts its clients.
            if req.method() != ::http::Method::GET {
                clients::admit(
                    app.limits.as_ref(),
                    http::client_address(&req).as_ref(),
                    ep.operation().id,
                    app.requests_per_client_per_minute,
                    app.clock.now(),
                )
                .await?;
            }
            dispatch(app, ep, &params, &req).await
        },
    )
    .await
}

async fn dispatch(
    app: &App,
    ep: Endpoint,
    params: &Params,
    req: &Request,
) -> Result<Response, Problem> {
    match ep {
        Endpoint::Register => register(app, params.get("event_id"), req).await,
        Endpoint::Resend => resend(app, params.get("event_id"), req).await,
        Endpoint::Confirm => confirm(app, req).await,
        Endpoint::Me => me(app, req).await,
        Endpoint::Amend => amend(app, req).await,
        Endpoint::Cancel => cancel(app, req).await,
        Endpoint::Join => join(app, req).await,
        Endpoint::Calendar => calendar(app, req).await,
        Endpoint::OpenCalendarFeed => open_calendar_feed(app, req).await,
        Endpoint::CloseCalendarFeed => close_calendar_feed(app, req).await,
        Endpoint::CalendarFeed => calendar_feed(app, params.get("feed_token")).await,
        Endpoint::FollowJoin => follow(app, params.get("join_token")).await,
        Endpoint::Unsubscribe => unsubscribe(app, req).await,
        Endpoint::UndoUnsubscribe => undo_unsubscribe(app, req).await,
    }
}

fn event_id(raw: &str) -> Result<EventId, Problem> {
    EventId::parse(raw).map_err(|_| Problem::not_found("the event"))
}

fn check_email() -> Response {
    http::json_with_status(StatusCode::ACCEPTED, &views::CheckEmail::new())
}

async fn register(app: &App, raw_id: &str, req: &Request) -> Result<Response, Problem> {
    let body = http::json_body(req)?;
    let id = event_id(raw_id)?;
    let scope = format!("register:{id}");
    http::idempotent(
        app.idempotency.as_ref(),
        &scope,
        req,
        app.clock.now(),
        async |key: Option<http::IdempotencyKeyHash>| {
            let completion = key.map(|key_hash| Completion {
                key_hash,
                response: SavedResponse {
                    status: 202,
                    content_type: "application/json".to_owned(),
                    body: serde_json::to_string(&views::CheckEmail::new()).unwrap_or_default(),
                },
            });
            let recorded = app
                .registrar()
                .register(&id, &body, completion.as_ref(), app.intake)
                .await?;
            Ok((check_email(), recorded))
        },
    )
    .await
}

async fn resend(app: &App, raw_id: &str, req: &Request) -> Result<Response, Problem> {
    let body = http::json_body(req)?;
    let id = event_id(raw_id)?;
    app.registrar().resend(&id, &body, app.intake).await?;
    Ok(check_email())
}

fn seen(s: &Seen) -> Response {
    http::json(&RegistrantView::of(&s.registration, s.waitlist_position))
}

async fn confirm(app: &App, req: &Request) -> Result<Response, Problem> {
    let body = http::json_body(req)?;
    let mut f = plenary::domain::Fields::of(&body, &["token"]);
    let token = f.required("token", plenary::domain::fields::parse::with(Token::parse));
    let token = f.finish(token).map_err(Problem::invalid)?;
    let s = app.registrar().confirm(&token).await?;
    Ok(seen(&s))
}

async fn authenticated(app: &App, req: &Request) -> Result<plenary::store::Stored, Problem> {
    Ok(app
        .registrar()
        .authenticate(http::bearer_token(req))
        .await?)
}

async fn me(app: &App, req: &Request) -> Result<Response, Problem> {
    let s = authenticated(app, req).await?;
    let seen_now = app.registrar().seen(s).await?;
    Ok(http::private(seen(&seen_now)))
}

async fn amend(app: &App, req: &Request) -> Result<Response, Problem> {
    let s = authenticated(app, req).await?;
    let body = http::json_body(req)?;
    let s = app.registrar().amend(s, &body).await?;
    Ok(http::private(seen(&s)))
}

async fn cancel(app: &App, req: &Request) -> Result<Response, Problem> {
    let s = authenticated(app, req).await?;
    let erase = match query_params(req).iter().find(|(k, _)| k == "erase") {
        None => false,
        Some((_, v)) if v == "true" => true,
        Some((_, v)) if v == "false" => false,
        Some(_) => return Err(Problem::invalid_field("erase", "must be true or false")),
    };
    app.registrar().cancel(s, erase).await?;
    Ok(http::private(http::json(&views::Cancelled {
        status: "cancelled".to_owned(),
        erased: erase,
    })))
}

async fn join(app: &App, req: &Request) -> Result<Response, Problem> {
    let s = authenticated(app, req).await?;
    let (info, token) = app.registrar().join_details(&s.registration).await?;
    Ok(http::private(http::json(&views::JoinDetailsView {
        personal_url: format!("{}/v1/join/{}", app.api_url, token.expose()),
        passcode: info.passcode.as_ref().map(ToString::to_string),
        dial_in: info.dial_in.as_ref().map(|d| d.as_str().to_owned()),
        instructions: info.instructions.as_str().to_owned(),
        release_at: info.release_at.to_string(),
    })))
}

/// The registrant's own calendar: the sessions, and the personal join link once they may see it.
async fn calendar(app: &App, req: &Request) -> Result<Response, Problem> {
    let s = authenticated(app, req).await?;
    personal_calendar(app, &s.registration).await
}

async fn open_calendar_feed(app: &App, req: &Request) -> Result<Response, Problem> {
    let s = authenticated(app, req).await?;
    let token = app.registrar().open_calendar_feed(s).await?;
    let url = format!("{}/v1/calendar-feeds/{}", app.api_url, token.expose());
    let webcal_url = match url.split_once("://") {
        Some((_, rest)) => format!("webcal://{rest}"),
        None => url.clone(),
    };
    Ok(http::private(http::json(&views::CalendarFeed {
        url,
        webcal_url,
    })))
}

async fn close_calendar_feed(app: &App, req: &Request) -> Result<Response, Problem> {
    let s = authenticated(app, req).await?;
    app.registrar().close_calendar_feed(s).await?;
    Ok(http::private(http::no_content()))
}

/// The personal calendar by its subscribable URL: the same bytes as with the Bearer header.
async fn calendar_feed(app: &App, raw: &str) -> Result<Response, Problem> {
    let token = Token::parse(raw).map_err(|_| Problem::not_found("this calendar URL"))?;
    let s = app.registrar().calendar_feed(&token).await?;
    personal_calendar(app, &s.registration).await
}

async fn personal_calendar(
    app: &App,
    r: &plenary::domain::Registration,
) -> Result<Response, Problem> {
    // The registrant's own event, even a draft: see `reader::may_see`.
    let event = app
        .events
        .event(&r.event_id)
        .await?
        .ok_or_else(|| Problem::not_found("the event"))?;
    let published = app.programme.latest(&event.id).await?;
    let join = app
        .registrar()
        .calendar_join(r, app.api_url.as_str())
        .await?;
    let venue = event.venue_for(r.participation).map(|v| v.one_line());
    let body = plenary::calendar::registrant_ics_at(
        &event,
        published.as_ref().map(|p| &p.publication),
        join.as_ref(),
        venue.as_deref(),
        app.site_url.as_str(),
    );
    let mut res = http::text(StatusCode::OK, "text/calendar; charset=utf-8", body);
    if let Ok(v) = HeaderValue::from_str(&format!("inline; filename=\"{}.ics\"", event.id)) {
        res.headers_mut().insert(header::CONTENT_DISPOSITION, v);
    }
    Ok(http::private(res))
}

async fn follow(app: &App, raw: &str) -> Result<Response, Problem> {
    let token = Token::parse(raw).map_err(|_| Problem::not_found("this join link"))?;
    let url = app.registrar().follow(&token).await?;
    let mut res = ::http::Response::builder()
        .status(StatusCode::FOUND)
        .body(lambda_http::Body::Empty)
        .unwrap_or_default();
    if let Ok(v) = HeaderValue::from_str(&url) {
        res.headers_mut().insert(header::LOCATION, v);
    }
    Ok(http::private(res))
}

/// RFC 8058 one-click unsubscribe: mail clients POST `List-Unsubscribe=One-Click` as a form, so
/// this route takes any body; the token in the query is what counts. The website's unsubscribe
/// page posts here too, and confirms in the answer's `language`.
async fn unsubscribe(app: &App, req: &Request) -> Result<Response, Problem> {
    let token = unsubscribe_token(req)?;
    let r = app.registrar().unsubscribe(&token).await?;
    Ok(http::private(http::json(&views::Unsubscribed::of(&r))))
}

/// The unsubscribe page's undo: the same link's token turns the choices back on.
async fn undo_unsubscribe(app: &App, req: &Request) -> Result<Response, Problem> {
    let token = unsubscribe_token(req)?;
    let r = app.registrar().resubscribe(&token).await?;
    Ok(http::private(http::json(&views::Resubscribed::of(&r))))
}

fn unsubscribe_token(req: &Request) -> Result<Token, Problem> {
    let raw = query_params(req)
        .into_iter()
        .find(|(k, _)| k == "token")
        .map(|(_, v)| v)
        .ok_or_else(|| Problem::invalid_field("token", "is required"))?;
    Token::parse(&raw).map_err(|_| Problem::not_found("this unsubscribe link"))
}
