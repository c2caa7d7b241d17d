//! The `registration` function: the public registration routes and the registrant's own routes.

use std::sync::Arc;

use plenary::Clock;
use plenary::config::CorsConfig;
use plenary::http::{self, Params, Problem, Request, Response, Route};
use plenary::store::EventReader;

pub struct App {
    pub events: Arc<dyn EventReader>,
    pub clock: Arc<dyn Clock>,
    pub cors: CorsConfig,
}

#[derive(Debug, Clone, Copy)]
pub enum Endpoint {}

pub const ROUTES: &[Route<Endpoint>] = &[];

pub async fn handle(app: &App, req: Request) -> Response {
    http::serve(&app.cors, ROUTES, req, async |ep, params, req| {
        dispatch(app, ep, &params, &req).await
    })
    .await
}

async fn dispatch(
    _app: &App,
    ep: Endpoint,
    _params: &Params,
    _req: &Request,
) -> Result<Response, Problem> {
    match ep {}
}
