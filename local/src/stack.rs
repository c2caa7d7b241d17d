//! The whole system in one process: the three HTTP functions' apps over one store, plus the
//! local-only routes (`/health`, `/_local/outbox`, `/_local/notifications/run`).

use std::sync::Arc;

use ::http::{Method, StatusCode};
use plenary::Clock;
use plenary::config::CorsConfig;
use plenary::http::{self, Params, Problem, Request, Response, Route, knows_path};
use plenary::mail::OutboxMailer;
use plenary::store::TableStore;
use plenary::token::TokenHash;

pub struct Stack {
    pub programme: plenary_programme::App,
    pub registration: plenary_registration::App,
    pub organiser: plenary_organiser::App,
    pub outbox: Option<Arc<OutboxMailer>>,
    pub cors: CorsConfig,
}

pub struct Parts {
    pub store: TableStore,
    pub clock: Arc<dyn Clock>,
    pub cors: CorsConfig,
    pub organiser_token: TokenHash,
    pub outbox: Option<Arc<OutboxMailer>>,
}

impl Stack {
    pub fn new(p: Parts) -> Self {
        let store = Arc::new(p.store);
        Self {
            programme: plenary_programme::App {
                events: store.clone(),
                programme: store.clone(),
                clock: p.clock.clone(),
                cors: p.cors.clone(),
            },
            registration: plenary_registration::App {
                events: store.clone(),
                clock: p.clock.clone(),
                cors: p.cors.clone(),
            },
            organiser: plenary_organiser::App {
                events: store.clone(),
                event_writer: store.clone(),
                programme: store.clone(),
                programme_writer: store.clone(),
                clock: p.clock.clone(),
                cors: p.cors.clone(),
                organiser_token: p.organiser_token,
            },
            outbox: p.outbox,
            cors: p.cors,
        }
    }

    pub async fn handle(&self, req: Request) -> Response {
        let path = req.uri().path();
        if knows_path(LOCAL_ROUTES, path) {
            http::serve(&self.cors, LOCAL_ROUTES, req, async |ep, params, req| {
                self.local(ep, &params, &req).await
            })
            .await
        } else if knows_path(plenary_programme::ROUTES, path) {
            plenary_programme::handle(&self.programme, req).await
        } else if knows_path(plenary_registration::ROUTES, path) {
            plenary_registration::handle(&self.registration, req).await
        } else if knows_path(plenary_organiser::ROUTES, path) {
            plenary_organiser::handle(&self.organiser, req).await
        } else {
            // Unknown everywhere: let the shared glue answer the 404 (with request id and CORS).
            http::serve(&self.cors, LOCAL_ROUTES, req, async |ep, params, req| {
                self.local(ep, &params, &req).await
            })
            .await
        }
    }

    async fn local(
        &self,
        ep: Local,
        _params: &Params,
        _req: &Request,
    ) -> Result<Response, Problem> {
        match ep {
            Local::Health => Ok(http::json(&serde_json::json!({"status": "ok"}))),
            Local::Outbox => match &self.outbox {
                Some(outbox) => Ok(http::json(
                    &serde_json::json!({"messages": outbox.messages()}),
                )),
                None => Err(Problem::new(
                    StatusCode::NOT_FOUND,
                    "no-outbox",
                    "This stack sends mail through SES",
                )
                .detail("start it with --mailer outbox to read mail here")),
            },
        }
    }
}

#[derive(Debug, Clone, Copy)]
pub enum Local {
    Health,
    Outbox,
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
];
