//! The `programme` function: the public, read-only routes of events and their programme. Every
//! programme route reads the store once: the latest publication is kept as one document.

use std::sync::Arc;

use ::http::{HeaderValue, StatusCode, header};
use plenary::Clock;
use plenary::Config;
use plenary::config::{BaseUrl, CorsConfig};
use plenary::domain::{Event, EventId, Publication, Zone, changes};
use plenary::http::{self, Params, Problem, Request, Response, query_params};
use plenary::store::{EventReader, LatestDocument, ProgrammeReader, RegistrationStore};
use plenary::usecases::reader;
use plenary::views;
use plenary::wiring::Services;

pub mod renderings;
use renderings::{Renderings, Variant};

mod routes;
pub use routes::{Endpoint, ROUTES};

/// What this function is given: read access only.
pub struct App {
    pub events: Arc<dyn EventReader>,
    pub programme: Arc<dyn ProgrammeReader>,
    /// Seats taken, for a hybrid event's seats left.
    pub seats: Arc<dyn RegistrationStore>,
    pub clock: Arc<dyn Clock>,
    pub cors: CorsConfig,
    /// The CDN in front (`PLENARY_ORIGIN_SECRET`): who the client is, and who is refused.
    pub edge: http::Edge,
    /// The website's base URL, for links in the calendar and schedule exports.
    pub site_url: BaseUrl,
    /// Bodies rendered from the latest versions, kept while the function is warm.
    pub renderings: Renderings,
}

impl App {
    pub fn new(services: &Services, config: &Config) -> Self {
        Self {
            events: services.store.clone(),
            programme: services.store.clone(),
            seats: services.store.clone(),
            clock: services.clock.clone(),
            cors: config.cors.clone(),
            edge: config.edge.clone(),
            site_url: config.site_url.clone(),
            renderings: Renderings::default(),
        }
    }
}

/// Bumped when the rendered shape changes, so caches do not keep an old rendering of a version.
const RENDERING: u32 = 1;

pub async fn handle(app: &App, req: Request) -> Response {
    http::serve(
        &app.cors,
        &app.edge,
        ROUTES,
        req,
        async |ep, params, req| dispatch(app, ep, &params, &req).await,
    )
    .await
}

async fn dispatch(
    app: &App,
    ep: Endpoint,
    params: &Params,
    req: &Request,
) -> Result<Response, Problem> {
    let id = params.get("event_id");
    match ep {
        Endpoint::ListEvents => list_events(app).await,
        Endpoint::GetEvent => get_event(app, id).await,
        Endpoint::Programme => programme(app, id, req).await,
        Endpoint::Versions => versions(app, id).await,
        Endpoint::Changes => changes_between(app, id, req).await,
        Endpoint::Speakers => speakers(app, id).await,
        Endpoint::Calendar => calendar(app, id, req).await,
        Endpoint::Schedule => schedule(app, id, req).await,
        Endpoint::OpenApi => Ok(cacheable(http::text(
            StatusCode::OK,
            "application/json",
            plenary::openapi::document().to_owned(),
        ))),
    }
}

/// An id that cannot exist is simply not found.
fn event_id(raw: &str) -> Result<EventId, Problem> {
    EventId::parse(raw).map_err(|_| Problem::not_found("the event"))
}

async fn list_events(app: &App) -> Result<Response, Problem> {
    let now = app.clock.now();
    let events = reader::listed_events(app.events.as_ref()).await?;
    let body = views::EventList {
        events: events
            .iter()
            .map(|e| views::EventSummary::of(e, now))
            .collect(),
    };
    Ok(cacheable(http::json(&body)))
}

/// The event as the public may see it: a draft is not found, like an unknown id.
async fn event(app: &App, raw_id: &str) -> Result<Event, Problem> {
    let id = event_id(raw_id)?;
    reader::public_event(app.events.as_ref(), &id)
        .await?
        .ok_or_else(|| Problem::not_found("the event"))
}

async fn get_event(app: &App, raw_id: &str) -> Result<Response, Problem> {
    let event = event(app, raw_id).await?;
    let left = reader::seats_left(app.seats.as_ref(), &event).await?;
    let mut view = views::EventView::of(&event, app.clock.now());
    view.seats_left = left.map(|l| views::SeatsLeftView {
        in_person: l.in_person,
        remote: l.remote,
    });
    Ok(cacheable(http::json(&view)))
}

fn not_published() -> Problem {
    Problem::new(
        StatusCode::NOT_FOUND,
        "programme-not-published",
        "No programme has been published yet",
    )
    .detail("the organiser has not published a programme for this event yet")
}

/// The latest publication with its event, its document not parsed yet: one read. Only when there
/// is none does a second read tell an unknown event from one not yet published. The event beside
/// the latest version is the one the public may or may not see: every write of the event
/// refreshes it, so a draft's programme is not found, like an unknown event's.
async fn latest(app: &App, raw_id: &str) -> Result<LatestDocument, Problem> {
    let id = event_id(raw_id)?;
    match app.programme.latest_document(&id).await? {
        Some(latest) if reader::may_see(&latest.event) => Ok(latest),
        Some(_) => Err(Problem::not_found("the event")),
        None => match reader::public_event(app.events.as_ref(), &id).await? {
            Some(_) => Err(not_published()),
            None => Err(Problem::not_found("the event")),
        },
    }
}

fn zone_param(req: &Request, event: &Event) -> Result<Zone, Problem> {
    match query_params(req).into_iter().find(|(k, _)| k == "tz") {
        None => Ok(event.timezone.clone()),
        Some((_, tz)) => Zone::parse(&tz).map_err(|m| Problem::invalid_field("tz", &m)),
    }
}

fn etag_matches(req: &Request, etag: &str) -> bool {
    req.headers()
        .get_all(header::IF_NONE_MATCH)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .map(|t| t.trim().trim_start_matches("W/"))
        .any(|t| t == etag || t == "*")
}

/// Answers 304 when the client holds `etag`, else renders; either way with the ETag.
fn versioned(
    req: &Request,
    etag: &str,
    render: impl FnOnce() -> Result<Response, Problem>,
) -> Result<Response, Problem> {
    let mut res = if etag_matches(req, etag) {
        ::http::Response::builder()
            .status(StatusCode::NOT_MODIFIED)
            .body(lambda_http::Body::Empty)
            .unwrap_or_default()
    } else {
        render()?
    };
    if let Ok(v) = HeaderValue::from_str(etag) {
        res.headers_mut().insert(header::ETAG, v);
    }
    Ok(cacheable(res))
}

/// The body of `variant` for the latest version: from the warm function's renderings, or parsed
/// and rendered now.
fn rendered(
    app: &App,
    latest: &LatestDocument,
    variant: Variant,
    render: impl FnOnce(&Event, &Publication) -> String,
) -> Result<String, Problem> {
    let body = app.renderings.get_or_render(
        latest.event.id.as_str(),
        &latest.stamp,
        variant,
        || -> Result<String, Problem> { Ok(render(&latest.event, &latest.parse()?)) },
    )?;
    Ok(body.to_string())
}

async fn programme(app: &App, raw_id: &str, req: &Request) -> Result<Response, Problem> {
    let latest = latest(app, raw_id).await?;
    let zone = zone_param(req, &latest.event)?;
    let etag = format!("\"r{RENDERING}-{}-{}\"", latest.stamp, zone.name());
    let variant = Variant::Programme {
        zone: zone.name().to_owned(),
    };
    versioned(req, &etag, || {
        let body = rendered(app, &latest, variant, |event, publication| {
            http::json_text(&views::ProgrammeView::of(event, publication, &zone))
        })?;
        Ok(http::text(StatusCode::OK, "application/json", body))
    })
}

async fn calendar(app: &App, raw_id: &str, req: &Request) -> Result<Response, Problem> {
    let latest = latest(app, raw_id).await?;
    let etag = format!("\"r{RENDERING}-{}-ics\"", latest.stamp);
    versioned(req, &etag, || {
        let body = rendered(app, &latest, Variant::Calendar, |event, publication| {
            plenary::calendar::programme_ics(event, publication, app.site_url.as_str())
        })?;
        let mut res = http::text(StatusCode::OK, "text/calendar; charset=utf-8", body);
        let disposition = format!("inline; filename=\"{}.ics\"", latest.event.id);
        if let Ok(v) = HeaderValue::from_str(&disposition) {
            res.headers_mut().insert(header::CONTENT_DISPOSITION, v);
        }
        Ok(res)
    })
}

async fn schedule(app: &App, raw_id: &str, req: &Request) -> Result<Response, Problem> {
    let latest = latest(app, raw_id).await?;
    let etag = format!("\"r{RENDERING}-{}-schedule\"", latest.stamp);
    versioned(req, &etag, || {
        let body = rendered(app, &latest, Variant::Schedule, |event, publication| {
            http::json_text(&plenary::calendar::schedule_json(
                event,
                publication,
                app.site_url.as_str(),
            ))
        })?;
        Ok(http::text(StatusCode::OK, "application/json", body))
    })
}

async fn versions(app: &App, raw_id: &str) -> Result<Response, Problem> {
    let event = event(app, raw_id).await?;
    let list = app.programme.versions(&event.id).await?;
    if list.is_empty() {
        return Err(not_published());
    }
    let body = views::VersionList {
        versions: list
            .iter()
            .map(|v| views::VersionView {
                version: v.version,
                published_at: views::at(&event.timezone, v.published_at),
                summary: v.summary.clone(),
            })
            .collect(),
    };
    Ok(cacheable(http::json(&body)))
}

fn version_param(
    params: &[(String, String)],
    name: &str,
    errors: &mut Vec<plenary::domain::FieldError>,
) -> Option<u32> {
    let raw = params.iter().find(|(k, _)| k == name).map(|(_, v)| v)?;
    match raw.parse::<u32>() {
        Ok(n) => Some(n),
        Err(_) => {
            errors.push(plenary::domain::FieldError {
                field: name.to_owned(),
                message: "must be a version number (0, 1, 2, …)".to_owned(),
            });
            None
        }
    }
}

async fn changes_between(app: &App, raw_id: &str, req: &Request) -> Result<Response, Problem> {
    let params = query_params(req);
    let mut errors = Vec::new();
    let from = version_param(&params, "from", &mut errors);
    let to = version_param(&params, "to", &mut errors);
    if from.is_none() && errors.is_empty() {
        errors.push(plenary::domain::FieldError {
            field: "from".to_owned(),
            message: "is required".to_owned(),
        });
    }
    if !errors.is_empty() {
        return Err(Problem::invalid(plenary::domain::FieldErrors(errors)));
    }
    let from = from.unwrap_or(0);
    let latest_doc = latest(app, raw_id).await?;
    let latest = latest_doc.parse()?;
    let event = latest_doc.event;
    let (from, to) = reader::change_range(from, to, latest.version).map_err(Problem::invalid)?;
    let load = async |n: u32| -> Result<Option<Publication>, Problem> {
        if n == 0 {
            return Ok(None);
        }
        if n == latest.version {
            return Ok(Some(latest.clone()));
        }
        Ok(Some(
            app.programme
                .version(&event.id, n)
                .await?
                .ok_or_else(|| Problem::not_found(&format!("version {n}")))?,
        ))
    };
    let old = load(from).await?.map(|p| p.programme).unwrap_or_default();
    let new = load(to).await?.map(|p| p.programme).unwrap_or_default();
    let list: Vec<_> = changes(&old, &new)
        .iter()
        .map(|c| views::ChangeView::of(c, &old, &new, &event.timezone))
        .collect();
    Ok(cacheable(http::json(&views::ChangeList {
        from,
        to,
        changes: list,
    })))
}

async fn speakers(app: &App, raw_id: &str) -> Result<Response, Problem> {
    let latest = latest(app, raw_id).await?;
    let body = rendered(app, &latest, Variant::Speakers, |_, publication| {
        let p = &publication.programme;
        http::json_text(&views::SpeakerList {
            speakers: p
                .speakers
                .iter()
                .map(|s| views::SpeakerView::of(s, p))
                .collect(),
        })
    })?;
    Ok(cacheable(http::text(
        StatusCode::OK,
        "application/json",
        body,
    )))
}

/// Public reads may be cached briefly by browsers and CDNs, and served stale while revalidating.
fn cacheable(mut res: Response) -> Response {
    res.headers_mut().insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("public, max-age=60, stale-while-revalidate=300"),
    );
    res
}
