//! The `organiser` function: routes behind the organiser token (events, programme drafts and
//! publication, registrations, announcements).

use std::sync::Arc;

use ::http::{Method, StatusCode};
use plenary::Clock;
use plenary::config::CorsConfig;
use plenary::domain::{Event, EventId, JoinInfo, Programme, RegistrationId};
use plenary::http::{self, Params, Problem, Request, Response, Route};
use plenary::store::{
    EventReader, EventWriter, JobStore, JoinInfoStore, OutboxStore, ProgrammeReader,
    ProgrammeWriter, RateLimits, RegistrationStore, Saved,
};
use plenary::token::{JoinKey, TokenHash, TokenSource};
use plenary::usecases::Registrar;
use plenary::usecases::organiser::events;
use plenary::views;

mod registrations;

pub use registrations::{CSV_COLUMNS, csv_cells, to_csv};

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

#[derive(Debug, Clone, Copy)]
pub enum Endpoint {
    PutEvent,
    GetDraft,
    PutDraft,
    Publish,
    PutJoinInfo,
    ListRegistrations,
    RegistrationsCsv,
    Approve,
    Reject,
    RevokeJoin,
    Stats,
    Announce,
}

pub const ROUTES: &[Route<Endpoint>] = &[
    Route {
        method: Method::PUT,
        pattern: "/v1/admin/events/{event_id}",
        endpoint: Endpoint::PutEvent,
    },
    Route {
        method: Method::GET,
        pattern: "/v1/admin/events/{event_id}/programme/draft",
        endpoint: Endpoint::GetDraft,
    },
    Route {
        method: Method::PUT,
        pattern: "/v1/admin/events/{event_id}/programme/draft",
        endpoint: Endpoint::PutDraft,
    },
    Route {
        method: Method::POST,
        pattern: "/v1/admin/events/{event_id}/programme/publish",
        endpoint: Endpoint::Publish,
    },
    Route {
        method: Method::PUT,
        pattern: "/v1/admin/events/{event_id}/join-info",
        endpoint: Endpoint::PutJoinInfo,
    },
    Route {
        method: Method::GET,
        pattern: "/v1/admin/events/{event_id}/registrations",
        endpoint: Endpoint::ListRegistrations,
    },
    Route {
        method: Method::GET,
        pattern: "/v1/admin/events/{event_id}/registrations.csv",
        endpoint: Endpoint::RegistrationsCsv,
    },
    Route {
        method: Method::POST,
        pattern: "/v1/admin/events/{event_id}/registrations/{registration_id}/approve",
        endpoint: Endpoint::Approve,
    },
    Route {
        method: Method::POST,
        pattern: "/v1/admin/events/{event_id}/registrations/{registration_id}/reject",
        endpoint: Endpoint::Reject,
    },
    Route {
        method: Method::POST,
        pattern: "/v1/admin/events/{event_id}/registrations/{registration_id}/revoke-join",
        endpoint: Endpoint::RevokeJoin,
    },
    Route {
        method: Method::GET,
        pattern: "/v1/admin/events/{event_id}/stats",
        endpoint: Endpoint::Stats,
    },
    Route {
        method: Method::POST,
        pattern: "/v1/admin/events/{event_id}/announcements",
        endpoint: Endpoint::Announce,
    },
];

impl App {
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
        Endpoint::PutEvent => put_event(app, id, req).await,
        Endpoint::GetDraft => get_draft(app, id).await,
        Endpoint::PutDraft => put_draft(app, id, req).await,
        Endpoint::Publish => publish(app, id).await,
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
    let saved = app.event_writer.put_event(&event).await?;
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
