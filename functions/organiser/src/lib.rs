//! The `organiser` function: routes behind the organiser token (events, programme drafts and
//! publication, registrations, announcements).

use std::sync::Arc;

use ::http::{Method, StatusCode};
use plenary::Clock;
use plenary::config::CorsConfig;
use plenary::domain::{Event, EventId, Programme, Publication, PublishRefusal};
use plenary::http::{self, Params, Problem, Request, Response, Route};
use plenary::store::{
    EventReader, EventWriter, ProgrammeReader, ProgrammeWriter, PublishError, Saved,
};
use plenary::token::TokenHash;
use plenary::views;

pub struct App {
    pub events: Arc<dyn EventReader>,
    pub event_writer: Arc<dyn EventWriter>,
    pub programme: Arc<dyn ProgrammeReader>,
    pub programme_writer: Arc<dyn ProgrammeWriter>,
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
];

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
    }
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

/// The outcomes of publishing, mapped to HTTP in one place.
#[derive(Debug, thiserror::Error)]
enum PublishFailure {
    #[error("there is no draft")]
    NoDraft,
    #[error(transparent)]
    Refused(#[from] PublishRefusal),
    #[error(transparent)]
    Store(#[from] PublishError),
}

impl From<PublishFailure> for Problem {
    fn from(e: PublishFailure) -> Self {
        match e {
            PublishFailure::NoDraft => Problem::conflict(
                "no-draft",
                "There is no draft to publish",
                "put a draft with PUT …/programme/draft first",
            ),
            PublishFailure::Refused(PublishRefusal::Unchanged) => Problem::conflict(
                "programme-unchanged",
                "The draft is the same as the published version",
                "change the draft before publishing again",
            ),
            PublishFailure::Store(PublishError::Raced(n)) => Problem::conflict(
                "publish-conflict",
                "Another publication happened at the same time",
                &format!("version {n} was just published by another request; review and retry"),
            ),
            PublishFailure::Store(PublishError::Store(e)) => e.to_problem(),
        }
    }
}

async fn publish(app: &App, raw_id: &str) -> Result<Response, Problem> {
    let event = existing_event(app, raw_id).await?;
    let draft = app
        .programme_writer
        .draft(&event.id)
        .await?
        .ok_or(PublishFailure::NoDraft)?;
    let previous = app.programme.latest(&event.id).await?;
    let previous = previous.map(|p| p.publication);
    let publication = Publication::next(previous.as_ref(), draft, app.clock.now())
        .map_err(PublishFailure::from)?;
    app.programme_writer
        .publish(&event, &publication)
        .await
        .map_err(PublishFailure::from)?;
    let old = previous.map(|p| p.programme).unwrap_or_default();
    let changes: Vec<_> = publication
        .changes
        .iter()
        .map(|c| views::ChangeView::of(c, &old, &publication.programme, &event.timezone))
        .collect();
    Ok(http::json(
        &serde_json::json!({"version": publication.version, "changes": changes}),
    ))
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
        &serde_json::json!({"id": event.id, "saved": saved}),
    ))
}
