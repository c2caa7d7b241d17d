//! The `organiser` function: the organisers' routes (events, programme drafts and publication,
//! registrations, announcements, and the people themselves: sign-in, teams, tokens). Every
//! route but the two of signing in needs a bearer; what it needs of the caller's role is
//! [`Endpoint::need`].

use std::sync::Arc;

use ::http::StatusCode;
use plenary::Clock;
use plenary::Config;
use plenary::config::{BaseUrl, ConfigError, CorsConfig};
use plenary::domain::{
    AuditEntry, AuditScope, Event, EventId, JoinInfo, Programme, RegistrationId, UploadRequest,
    UrlPolicy,
};
use plenary::files::UploadForms;
use plenary::http::{self, Params, Problem, Request, Response};
use plenary::store::{
    AuditLog, Credentials, Directory, EventReader, EventWriter, JobStore, JoinInfoStore,
    OutboxStore, ProgrammeReader, ProgrammeWriter, RateLimits, RegistrationStore, Saved,
    UploadStore, recording,
};
use plenary::token::{JoinKey, TokenHash, TokenSource};
use plenary::usecases::organiser::access::{Access, AccessError, Caller, Need};
use plenary::usecases::organiser::audit::{self, Target};
use plenary::usecases::organiser::people::People;
use plenary::usecases::organiser::{events, uploads};
use plenary::usecases::{Registrar, clients};
use plenary::views;
use plenary::wiring::Services;

mod people;
mod reads;
mod registrations;

pub use registrations::{CSV_COLUMNS, Export, FORMULA_STARTS, csv_cell, csv_cells, export, to_csv};

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
    pub directory: Arc<dyn Directory>,
    pub credentials: Arc<dyn Credentials>,
    pub audit: Arc<dyn AuditLog>,
    /// The mail counts of the stats; and where sign-in requests are queued for the mail job.
    pub outbox: Arc<dyn OutboxStore>,
    pub tokens: Arc<dyn TokenSource>,
    pub join_key: JoinKey,
    pub clock: Arc<dyn Clock>,
    pub cors: CorsConfig,
    /// The CDN in front (`PLENARY_ORIGIN_SECRET`): who the client is, and who is refused.
    pub edge: http::Edge,
    /// SHA-256 of the deployment's organiser token (the installation's administrator); the
    /// token itself is never held.
    pub organiser_token: TokenHash,
    /// Requests one client may make to a public write route (signing in) in a minute.
    pub requests_per_client_per_minute: u32,
    /// Refused bearers one client may present in an hour before every bearer it sends is
    /// refused unread.
    pub failed_bearers_per_client_per_hour: u32,
    /// Which addresses the draft's materials may have (https only in a deployment).
    pub material_urls: UrlPolicy,
    /// Signs the forms organisers upload files with.
    pub upload_forms: Arc<dyn UploadForms>,
    pub uploads: Arc<dyn UploadStore>,
    /// The website, whose unsubscribe page an announcement's preview links to.
    pub site_url: BaseUrl,
}

impl App {
    /// Refuses a configuration without the organiser token's hash, the join key or the uploads
    /// bucket.
    pub fn new(services: &Services, config: &Config) -> Result<Self, ConfigError> {
        let store = &services.store;
        let uploads = config.require_uploads()?;
        Ok(Self {
            upload_forms: plenary::files::forms(
                uploads,
                config.site_url.as_str(),
                config.api_url.as_str(),
            ),
            uploads: store.clone(),
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
            directory: store.clone(),
            credentials: store.clone(),
            audit: store.clone(),
            outbox: store.clone(),
            tokens: services.tokens.clone(),
            clock: services.clock.clone(),
            cors: config.cors.clone(),
            edge: config.edge.clone(),
            requests_per_client_per_minute: config.requests_per_client_per_minute,
            failed_bearers_per_client_per_hour: config.failed_bearers_per_client_per_hour,
            material_urls: config.material_urls,
            site_url: config.site_url.clone(),
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
            let caller = authorise(app, ep, &params, &req).await?;
            match &caller {
                // Every organiser write is one audit entry, committed with the change it records.
                Some(caller) if ep.writes() => {
                    let entries = audit_entries(app, ep, &params, caller);
                    recording(&entries, dispatch(app, ep, &params, &req, Some(caller))).await?
                }
                _ => dispatch(app, ep, &params, &req, caller.as_ref()).await,
            }
        },
    )
    .await
}

fn audit_entries(
    app: &App,
    ep: Endpoint,
    params: &Params,
    caller: &Caller,
) -> Vec<(AuditScope, AuditEntry)> {
    let event = EventId::parse(params.get("event_id")).ok();
    let present = |name: &str| Some(params.get(name)).filter(|v| !v.is_empty());
    let target = Target {
        event: event.as_ref(),
        registration: present("registration_id"),
        email: present("email"),
        token: present("token_id"),
    };
    let op = ep.operation();
    audit::entries_for(
        caller,
        op.id,
        op.summary,
        target,
        app.clock.now(),
        app.tokens.as_ref(),
    )
}

impl App {
    fn access(&self) -> Access<'_> {
        Access {
            directory: self.directory.as_ref(),
            credentials: self.credentials.as_ref(),
            limits: self.limits.as_ref(),
            failed_bearers_per_hour: self.failed_bearers_per_client_per_hour,
            deployment: &self.organiser_token,
        }
    }

    fn people(&self) -> People<'_> {
        People {
            directory: self.directory.as_ref(),
            credentials: self.credentials.as_ref(),
            tokens: self.tokens.as_ref(),
            now: self.clock.now(),
        }
    }
}

/// The caller, once they may do what the route needs (None for the routes of signing in):
/// 401 for a missing or refused bearer, 404 for an event they have no role on, 403 for a role
/// that lacks the action.
async fn authorise(
    app: &App,
    ep: Endpoint,
    params: &Params,
    req: &Request,
) -> Result<Option<Caller>, Problem> {
    let need = ep.need();
    let client = http::client_address(req);
    if need == Need::Nobody {
        // Signing in is a public write: it counts its clients as the registration routes do.
        if ep.writes() {
            clients::admit(
                app.limits.as_ref(),
                client.as_ref(),
                ep.operation().id,
                app.requests_per_client_per_minute,
                app.clock.now(),
            )
            .await?;
        }
        return Ok(None);
    }
    let bearer = http::bearer_token(req);
    let malformed = bearer.is_none() && req.headers().contains_key(::http::header::AUTHORIZATION);
    let access = app.access();
    let caller = access
        .caller(bearer.as_ref(), malformed, client.as_ref(), app.clock.now())
        .await?;
    let event = EventId::parse(params.get("event_id")).ok();
    let write = ep.refuses_read_only();
    match access.check(&caller, need, event.as_ref(), write).await {
        // Without a role the event is not there, so a PUT would create it: for administrators.
        Err(AccessError::NoEvent) if ep == Endpoint::PutEvent => {
            Err(AccessError::Forbidden("creating an event is for administrators").into())
        }
        checked => checked.map(|()| Some(caller)).map_err(Problem::from),
    }
}

async fn dispatch(
    app: &App,
    ep: Endpoint,
    params: &Params,
    req: &Request,
    caller: Option<&Caller>,
) -> Result<Response, Problem> {
    let id = params.get("event_id");
    // Every route but signing in has a caller by now.
    let signed_in = || caller.ok_or_else(|| Problem::from(AccessError::Missing));
    match ep {
        Endpoint::ListEvents => people::events(app, signed_in()?).await,
        Endpoint::GetEvent => reads::event(app, id).await,
        Endpoint::PutEvent => put_event(app, id, req).await,
        Endpoint::GetDraft => get_draft(app, id).await,
        Endpoint::PutDraft => put_draft(app, id, req).await,
        Endpoint::DraftChanges => reads::draft_changes(app, id).await,
        Endpoint::Publish => publish(app, id, req).await,
        Endpoint::GetJoinInfo => reads::join_info(app, id).await,
        Endpoint::PutJoinInfo => put_join_info(app, id, req).await,
        Endpoint::ListRegistrations => registrations::list(app, id, req).await,
        Endpoint::RegistrationsCsv => registrations::csv(app, id, req).await,
        Endpoint::Approve => review(app, id, params.get("registration_id"), Review::Approve).await,
        Endpoint::Reject => review(app, id, params.get("registration_id"), Review::Reject).await,
        Endpoint::RevokeJoin => {
            review(app, id, params.get("registration_id"), Review::RevokeJoin).await
        }
        Endpoint::Stats => registrations::stats(app, id).await,
        Endpoint::Attendance => registrations::attendance(app, id, req).await,
        Endpoint::Announce => registrations::announce(app, signed_in()?, id, req).await,
        Endpoint::PreviewAnnouncement => registrations::preview_announcement(app, id, req).await,
        Endpoint::CreateUpload => create_upload(app, id, req).await,
        Endpoint::SignIn => people::sign_in(app, req).await,
        Endpoint::OpenSession => people::open_session(app, req).await,
        Endpoint::SignOut => people::sign_out(app, signed_in()?).await,
        Endpoint::Me => people::me(app, signed_in()?).await,
        Endpoint::ListOrganisers => people::list_organisers(app).await,
        Endpoint::PutOrganiser => people::put_organiser(app, params.get("email"), req).await,
        Endpoint::RemoveOrganiser => people::remove_organiser(app, params.get("email")).await,
        Endpoint::Team => people::team(app, id).await,
        Endpoint::PutMember => {
            people::put_member(app, signed_in()?, id, params.get("email"), req).await
        }
        Endpoint::RemoveMember => people::remove_member(app, id, params.get("email")).await,
        Endpoint::CreateToken => people::create_token(app, signed_in()?, req).await,
        Endpoint::ListTokens => people::list_tokens(app, signed_in()?).await,
        Endpoint::RevokeToken => {
            people::revoke_token(app, signed_in()?, params.get("token_id")).await
        }
        Endpoint::EventAudit => {
            let event = existing_event(app, id).await?;
            people::audit(app, AuditScope::Event(event.id), req).await
        }
        Endpoint::Audit => people::audit(app, AuditScope::Installation, req).await,
        Endpoint::ListAnnouncements => reads::announcements(app, id).await,
    }
}

async fn create_upload(app: &App, raw_id: &str, req: &Request) -> Result<Response, Problem> {
    let body = http::json_body(req)?;
    let event = existing_event(app, raw_id).await?;
    let request = UploadRequest::parse(&body).map_err(Problem::invalid)?;
    let granted = uploads::grant(
        app.uploads.as_ref(),
        app.upload_forms.as_ref(),
        app.tokens.as_ref(),
        &event,
        &request,
        app.clock.now(),
    )
    .await?;
    // The form carries a signature: no cache may keep it.
    Ok(http::private(http::json_with_status(
        StatusCode::CREATED,
        &views::UploadGranted::of(&granted.form, &granted.upload),
    )))
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

pub(crate) async fn existing_event(app: &App, raw_id: &str) -> Result<Event, Problem> {
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
    // The draft is unpublished work: no cache (the browser's, a proxy's) may keep a copy.
    Ok(http::private(http::json(&views::DraftView::of(
        &draft,
        &event.timezone,
    ))))
}

async fn put_draft(app: &App, raw_id: &str, req: &Request) -> Result<Response, Problem> {
    let body = http::json_body(req)?;
    let event = existing_event(app, raw_id).await?;
    let draft =
        Programme::parse_with(&event, &body, app.material_urls).map_err(Problem::invalid)?;
    app.programme_writer.put_draft(&event.id, &draft).await?;
    Ok(http::json(&views::DraftView::of(&draft, &event.timezone)))
}

async fn publish(app: &App, raw_id: &str, req: &Request) -> Result<Response, Problem> {
    http::no_body(req)?;
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
    let saved = events::save_event(
        app.events.as_ref(),
        app.event_writer.as_ref(),
        event.clone(),
        app.clock.now(),
    )
    .await?;
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
