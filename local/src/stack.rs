//! The whole system in one process: the three HTTP functions' apps over one store, plus the
//! local-only routes (`/health`, `/_local/outbox`, `/_local/notifications/run`, `/_local/clock`,
//! `/_local/sign-in`) and the reference website on every other GET path.

use std::sync::Arc;

use ::http::{Method, StatusCode};
use plenary::clock::SimulatedClock;
use plenary::config::{ConfigError, CorsConfig};
use plenary::domain::{Email, OrganiserRequest};
use plenary::http::{self, Params, Problem, Request, Response, Route, knows_path};
use plenary::mail::{LocalMailbox, Mailer};
use plenary::usecases::organiser::people::People;
use plenary::usecases::organiser::signin;
use plenary::wiring::Services;
use plenary::{Clock, Config};

use crate::guard::LocalGuard;

/// The administrator every local stack has, so the console opens with one click
/// (`/_local/sign-in`, printed in the banner).
pub const LOCAL_ADMIN: &str = "admin@plenary.local";
const LOCAL_ADMIN_NAME: &str = "Local Administrator";

pub struct Stack {
    pub programme: plenary_programme::App,
    pub registration: plenary_registration::App,
    pub organiser: plenary_organiser::App,
    pub notifications: plenary_notifications::App,
    /// The mail the stack "sent", served at `/_local/outbox`; `None` with `--mailer ses`.
    pub mailbox: Option<Arc<LocalMailbox>>,
    pub cors: CorsConfig,
    /// One job run at a time: the timer and `/_local/notifications/run` take turns.
    pub job: tokio::sync::Mutex<()>,
    /// The clock `/_local/clock` moves, when it is simulated.
    pub simulated: Option<Arc<SimulatedClock>>,
    /// Keeps web pages in the developer's browser away from `/_local/*`.
    pub guard: LocalGuard,
    /// Where uploads are kept and served from (S3's and the CDN's place locally).
    pub uploads: Option<crate::uploads::Uploads>,
}

pub struct Parts {
    pub services: Services,
    pub config: Config,
    /// The local mailbox when it is the mailer.
    pub mailbox: Option<Arc<LocalMailbox>>,
    pub mailer: Arc<dyn Mailer>,
    /// The same clock as the services' when it is simulated.
    pub simulated: Option<Arc<SimulatedClock>>,
    pub guard: LocalGuard,
}

impl Stack {
    /// Every app through its own constructor; the local stack sends mail unpaced.
    pub fn new(p: Parts) -> Result<Self, ConfigError> {
        let (services, config) = (&p.services, &p.config);
        Ok(Self {
            programme: plenary_programme::App::new(services, config),
            registration: plenary_registration::App::new(services, config)?,
            notifications: plenary_notifications::App::new(
                services,
                config,
                p.mailer,
                plenary_notifications::pace::Pacer::unlimited(),
            )?,
            organiser: plenary_organiser::App::new(services, config)?,
            uploads: config
                .uploads
                .as_ref()
                .and_then(plenary::files::local_folder)
                .map(|(dir, keys)| crate::uploads::Uploads { dir, keys }),
            mailbox: p.mailbox,
            cors: p.config.cors,
            job: tokio::sync::Mutex::new(()),
            simulated: p.simulated,
            guard: p.guard,
        })
    }

    /// One run of the notifications job as if at `now`.
    pub async fn run_job(
        &self,
        now: jiff::Timestamp,
    ) -> Result<plenary_notifications::Report, plenary_notifications::RunError> {
        let _turn = self.job.lock().await;
        plenary_notifications::run(&self.notifications, now, std::time::Duration::from_secs(60))
            .await
    }

    /// Makes [`LOCAL_ADMIN`] an administrator unless that person exists already (a DynamoDB
    /// table keeps what an earlier run or the console changed).
    pub async fn seed_local_admin(&self) -> Result<(), String> {
        let app = &self.organiser;
        let email = Email::parse(LOCAL_ADMIN).map_err(|e| e.to_string())?;
        if app
            .directory
            .organiser(&email)
            .await
            .map_err(|e| e.to_string())?
            .is_some()
        {
            return Ok(());
        }
        let request = OrganiserRequest::parse(
            &serde_json::json!({"name": LOCAL_ADMIN_NAME, "administrator": true}),
        )
        .map_err(|e| format!("{e:?}"))?;
        self.people()
            .put_organiser(&email, request)
            .await
            .map_err(|e| e.to_string())?;
        Ok(())
    }

    fn people(&self) -> People<'_> {
        let app = &self.organiser;
        People {
            directory: app.directory.as_ref(),
            credentials: app.credentials.as_ref(),
            tokens: app.tokens.as_ref(),
            now: app.clock.now(),
        }
    }

    /// `GET /_local/sign-in`: a fresh one-time sign-in link for the local administrator, made by
    /// the same code as the emailed one, and a redirect to the page that opens it.
    async fn local_sign_in(&self, req: &Request) -> Result<Response, Problem> {
        let app = &self.organiser;
        let email = Email::parse(LOCAL_ADMIN).map_err(|e| Problem::internal(&e))?;
        let organiser = signin::recipient(app.directory.as_ref(), &email)
            .await
            .map_err(|e| Problem::internal(&e))?
            .ok_or_else(|| {
                Problem::new(
                    StatusCode::NOT_FOUND,
                    "no-local-admin",
                    "The local administrator was removed",
                )
                .detail("restart plenary-local to add admin@plenary.local again")
            })?;
        let token = signin::grant_link(
            app.credentials.as_ref(),
            app.tokens.as_ref(),
            &organiser,
            app.clock.now(),
        )
        .await
        .map_err(|e| Problem::internal(&e))?;
        let mut to = url::form_urlencoded::Serializer::new(String::new());
        to.append_pair("token", token.expose());
        // Only a console address may follow, as on the sign-in page itself.
        if let Some((_, next)) = http::query_params(req)
            .into_iter()
            .find(|(k, _)| k == "next")
            && next.starts_with("/admin")
            && !next.starts_with("//")
        {
            to.append_pair("next", &next);
        }
        ::http::Response::builder()
            .status(StatusCode::SEE_OTHER)
            .header(
                ::http::header::LOCATION,
                format!("/admin/sign-in?{}", to.finish()),
            )
            .header(::http::header::CACHE_CONTROL, "no-store")
            .header(::http::header::REFERRER_POLICY, "no-referrer")
            .body(lambda_http::Body::Empty)
            .map_err(|e| Problem::internal(&e))
    }

    /// `POST /_local/uploads`, on the stack's clock (a form expires as the clock moves).
    pub async fn receive_upload(&self, req: hyper::Request<hyper::body::Incoming>) -> Response {
        match &self.uploads {
            Some(u) => u.receive(req, self.organiser.clock.now()).await,
            None => Problem::not_found("the upload route").into_response(),
        }
    }

    pub async fn handle(&self, req: Request) -> Response {
        let path = req.uri().path();
        if let Some(u) = &self.uploads
            && crate::uploads::is_file(req.method(), path)
        {
            return u.serve(path).await;
        }
        // The local routes (`/health`, `/_local/*`) are the local stack's own, never behind a CDN.
        if knows_path(LOCAL_ROUTES, path) {
            self.serve_local(req).await
        } else if knows_path(plenary_programme::ROUTES, path) {
            plenary_programme::handle(&self.programme, req).await
        } else if knows_path(plenary_registration::ROUTES, path) {
            plenary_registration::handle(&self.registration, req).await
        } else if knows_path(plenary_organiser::ROUTES, path) {
            plenary_organiser::handle(&self.organiser, req).await
        } else if crate::site::serves(req.method(), path) {
            crate::site::respond(path)
        } else {
            // Unknown everywhere: let the shared glue answer the 404 (with request id and CORS).
            self.serve_local(req).await
        }
    }

    /// The local routes through the shared glue, which answers an unknown path's 404 too.
    async fn serve_local(&self, req: Request) -> Response {
        http::serve(
            &self.cors,
            &http::Edge::direct(),
            LOCAL_ROUTES,
            req,
            async |ep, params, req| self.local(ep, &params, &req).await,
        )
        .await
    }

    async fn local(&self, ep: Local, _params: &Params, req: &Request) -> Result<Response, Problem> {
        // `/health` changes and reveals nothing; every `/_local/*` route does one or the other.
        if !matches!(ep, Local::Health)
            && let Some(refused) = self.guard.refusal(req.headers())
        {
            return Err(refused);
        }
        match ep {
            Local::RunNotifications => {
                let now = match http::query_params(req)
                    .into_iter()
                    .find(|(k, _)| k == "now")
                {
                    None => self.notifications.clock.now(),
                    Some((_, v)) => v.parse().map_err(|_| {
                        Problem::invalid_field("now", "must be an RFC 3339 instant with an offset")
                    })?,
                };
                let report = self.run_job(now).await.map_err(|e| Problem::internal(&e))?;
                Ok(http::json(&report))
            }
            Local::SignIn => self.local_sign_in(req).await,
            Local::Health => Ok(http::json(&serde_json::json!({"status": "ok"}))),
            Local::Outbox => match &self.mailbox {
                Some(mailbox) => Ok(http::json(
                    &serde_json::json!({"messages": mailbox.messages()}),
                )),
                None => Err(Problem::new(
                    StatusCode::NOT_FOUND,
                    "no-outbox",
                    "This stack sends mail through SES",
                )
                .detail("start it with --mailer outbox to read mail here")),
            },
            Local::MoveClock => {
                let Some(clock) = &self.simulated else {
                    return Err(Problem::conflict(
                        "real-time-clock",
                        "This stack runs on real time",
                        "start it with --clock <RFC 3339> to have a clock that can be moved",
                    ));
                };
                let refused = || {
                    Problem::invalid_field(
                        "advance",
                        "must be a positive ISO 8601 duration in hours, minutes or seconds, \
                         e.g. PT1M or PT48H",
                    )
                };
                let by: jiff::SignedDuration = http::query_params(req)
                    .into_iter()
                    .find(|(k, _)| k == "advance")
                    .and_then(|(_, v)| v.parse().ok())
                    .ok_or_else(refused)?;
                if by.is_zero() || !clock.advance(by) {
                    return Err(refused());
                }
                tracing::info!(%by, "the simulated clock was moved forward");
                Ok(http::json(
                    &serde_json::json!({"now": clock.now().to_string()}),
                ))
            }
        }
    }
}

#[derive(Debug, Clone, Copy)]
pub enum Local {
    Health,
    Outbox,
    RunNotifications,
    MoveClock,
    SignIn,
}

pub const LOCAL_ROUTES: &[Route<Local>] = &[
    Route {
        method: Method::GET,
        pattern: "/health",
        endpoint: Local::Health,
    },
    Route {
        method: Method::GET,
        pattern: "/_local/outbox",
        endpoint: Local::Outbox,
    },
    Route {
        method: Method::POST,
        pattern: "/_local/notifications/run",
        endpoint: Local::RunNotifications,
    },
    Route {
        method: Method::POST,
        pattern: "/_local/clock",
        endpoint: Local::MoveClock,
    },
    Route {
        method: Method::GET,
        pattern: "/_local/sign-in",
        endpoint: Local::SignIn,
    },
];
