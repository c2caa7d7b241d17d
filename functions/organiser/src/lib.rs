//! The `organiser` function: routes behind the organiser token (events, programme drafts and
//! publication, registrations, announcements).

use std::sync::Arc;

use ::http::StatusCode;
use plenary::Clock;
use plenary::Config;
use plenary::config::{ConfigError, CorsConfig};
use plenary::domain::{Event, EventId, JoinInfo, Programme, RegistrationId};
use plenary::http::{self, Params, Problem, Request, Response};
use plenary::store::{
    EventReader, EventWriter, JobStore, JoinInfoStore, OutboxStore, ProgrammeReader,
    ProgrammeWriter, RateLimits, RegistrationStore, Saved,
};
use plenary::token::{JoinKey, TokenHash, TokenSource};
use plenary::usecases::Registrar;
use plenary::usecases::organiser::events;
use plenary::views;
use plenary::wiring::Services;

mod reads;
mod registrations;

pub use registrations::{CSV_COLUMNS, csv_cells, to_csv};

mod routes;
pub use routes::{Endpoint, ROUTES};

pub struct App {
    pub events: Arc<dyn EventReader>,
    pub event_writer: Arc<dyn EventWriter>,
    pub programme: Arc<dyn ProgrammeReader>,
    pub programme_writer: Arc<dyn ProgrammeWriter>,
    pub registrations: Arc<dyn RegistrationStore>,
    pub limits: Arc<dyn RateLimits>,
    pub join_info: Arc<dyn JoinInfoStore>,
    pub jobs: Arc<dyn JobStore>,
    /// Read only: the mail counts of the stats.
    pub outbox: Arc<dyn OutboxStore>,
    pub tokens: Arc<dyn TokenSource>,
    pub join_key: JoinKey,
    pub clock: Arc<dyn Clock>,
    pub cors: CorsConfig,
    /// SHA-256 of the organiser token; the token itself is never held.
    pub organiser_token: TokenHash,
}

impl App {
    /// Refuses a configuration without the organiser token's hash or the join key.
    pub fn new(services: &Services, config: &Config) -> Result<Self, ConfigError> {
        let store = &services.store;
        Ok(Self {
            organiser_token: config.require_organiser_token()?,
            join_key: config.require_join_key()?,
            events: store.clone(),
            event_writer: store.clone(),
            programme: store.clone(),
            programme_writer: store.clone(),
            registrations: store.clone(),
            limits: store.clone(),
            join_info: store.clone(),
            jobs: store.clone(),
            outbox: store.clone(),
            tokens: services.tokens.clone(),
            clock: services.clock.clone(),
            cors: config.cors.clone(),
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
    http::serve(&app.cors, ROUTES, req, async |ep, params, req| {
        authorise(app, &req)?;
        dispatch(app, ep, &params, &req).await
    })
    .await
}

/// 401 without a bearer token, 403 with the wrong one.
fn authorise(app: &App, req: &Request) -> Result<(), Problem> {
    let has_header = req.headers().contains_key(::http::header::AUTHORIZATION);
    match http::bearer_token(req) {
        Some(t) if app.organiser_token.matches(&t) => Ok(()),
        Some(_) => Err(Problem::forbidden(
            "wrong-organiser-token",
            "this token is not the organiser token",
        )),
        None if has_header => Err(Problem::forbidden(
            "wrong-organiser-token",
            "this token is not the organiser token",
        )),
        None => Err(Problem::unauthorized(
            "send the organiser token as Authorization: Bearer <token>",
        )),
    }
}

async fn dispatch(
    app: &App,
    ep: Endpoint,
    params: &Params,
    req: &Request,
) -> Result<Response, Problem> {
    let id = params.get("event_id");
    match ep {
        Endpoint::GetEvent => reads::event(app, id).await,
        Endpoint::PutEvent => put_event(app, id, req).await,
        Endpoint::GetDraft => get_draft(app, id).await,
        Endpoint::PutDraft => put_draft(app, id, req).await,
        Endpoint::DraftChanges => reads::draft_changes(app, id).await,
        Endpoint::Publish => publish(app, id).await,
        Endpoint::GetJoinInfo => reads::join_info(app, id).await,
        Endpoint::PutJoinInfo => put_join_info(app, id, req).await,
        Endpoint::ListRegistrations => registrations::list(app, id, req).await,
        Endpoint::RegistrationsCsv => registrations::csv(app, id).await,
        Endpoint::Approve => review(app, id, params.get("registration_id"), Review::Approve).await,
        Endpoint::Reject => review(app, id, params.get("registration_id"), Review::Reject).await,
        Endpoint::RevokeJoin => {
            review(app, id, params.get("registration_id"), Review::RevokeJoin).await
        }
        Endpoint::Stats => registrations::stats(app, id).await,
        Endpoint::Announce => registrations::announce(app, id, req).await,
        Endpoint::ListAnnouncements => reads::announcements(app, id).await,
    }
}

async fn put_join_info(app: &App, raw_id: &str, req: &Request) -> Result<Response, Problem> {
    let body = http::json_body(req)?;
    let event = existing_event(app, raw_id).await?;
    let info = JoinInfo::parse(&body).map_err(Problem::invalid)?;
    app.join_info.put_join_info(&event.id, &info).await?;
    Ok(http::json(&views::JoinInfoSaved {
        event_id: event.id.to_string(),
        release_at: info.release_at.to_string(),
        released: info.is_released(app.clock.now()),
    }))
}

#[derive(Debug, Clone, Copy)]
enum Review {
    Approve,
    Reject,
    RevokeJoin,
}

async fn review(
    app: &App,
    raw_event: &str,
    raw_registration: &str,
    what: Review,
) -> Result<Response, Problem> {
    let event = existing_event(app, raw_event).await?;
    // An id this API never gave names no registration.
    let reg_id = RegistrationId::parse(raw_registration)
        .map_err(|_| Problem::not_found("the registration"))?;
    let r = app.registrar();
    let seen = match what {
        Review::Approve => r.approve(&event, &reg_id).await?,
        Review::RevokeJoin => r.revoke_join(&event.id, &reg_id).await?,
        Review::Reject => r.reject(&event.id, &reg_id).await?,
    };
    Ok(http::json(&views::RegistrantView::of(
        &seen.registration,
        seen.waitlist_position,
    )))
}

async fn existing_event(app: &App, raw_id: &str) -> Result<Event, Problem> {
    let id = EventId::parse(raw_id).map_err(|_| Problem::not_found("the event"))?;
    app.events
        .event(&id)
        .await?
        .ok_or_else(|| Problem::not_found("the event"))
}

async fn get_draft(app: &App, raw_id: &str) -> Result<Response, Problem> {
    let event = existing_event(app, raw_id).await?;
    let draft = app
        .programme_writer
        .draft(&event.id)
        .await?
        .unwrap_or_default();
    Ok(http::json(&views::DraftView::of(&draft, &event.timezone)))
}

async fn put_draft(app: &App, raw_id: &str, req: &Request) -> Result<Response, Problem> {
    let body = http::json_body(req)?;
    let event = existing_event(app, raw_id).await?;
    let draft = Programme::parse(&event, &body).map_err(Problem::invalid)?;
    app.programme_writer.put_draft(&event.id, &draft).await?;
    Ok(http::json(&views::DraftView::of(&draft, &event.timezone)))
}

async fn publish(app: &App, raw_id: &str) -> Result<Response, Problem> {
    let event = existing_event(app, raw_id).await?;
    let new = events::publish(
        app.programme.as_ref(),
        app.programme_writer.as_ref(),
        &event,
        app.clock.now(),
    )
    .await?;
    let changes: Vec<_> = new
        .publication
        .changes
        .iter()
        .map(|c| {
            views::ChangeView::of(
                c,
                &new.previous,
                &new.publication.programme,
                &event.timezone,
            )
        })
        .collect();
    Ok(http::json(&views::PublishedVersion {
        version: new.publication.version,
        changes,
    }))
}

async fn put_event(app: &App, raw_id: &str, req: &Request) -> Result<Response, Problem> {
    let body = http::json_body(req)?;
    let id = EventId::parse(raw_id).map_err(|m| Problem::invalid_field("event_id", &m))?;
    let event = Event::parse(id, &body).map_err(Problem::invalid)?;
    let saved = app.event_writer.put_event(&event, app.clock.now()).await?;
    let (status, saved) = match saved {
        Saved::Created => (StatusCode::CREATED, "created"),
        Saved::Replaced => (StatusCode::OK, "replaced"),
    };
    Ok(http::json_with_status(
        status,
        &views::EventSaved {
            id: event.id.to_string(),
            saved: saved.to_owned(),
        },
    ))
}
