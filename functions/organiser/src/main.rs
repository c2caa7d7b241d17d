//! Lambda entry point: configuration and clients are built once, then every invocation goes to
//! the same `handle` the local stack and the tests call.

use std::convert::Infallible;
use std::sync::Arc;

use plenary::Config;
use plenary::clock::SystemClock;
use plenary::store::TableStore;
use plenary::token::OsTokenSource;
use plenary_organiser::{App, handle};

#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    plenary::telemetry::init_json_logs();
    let config = Config::from_env()?;
    let organiser_token = config.require_organiser_token()?;
    let join_key = config.require_join_key()?;
    let store = Arc::new(TableStore::dynamo(&config.table).await);
    let app: &'static App = Box::leak(Box::new(App {
        events: store.clone(),
        event_writer: store.clone(),
        programme: store.clone(),
        programme_writer: store.clone(),
        registrations: store.clone(),
        limits: store.clone(),
        join_info: store.clone(),
        jobs: store.clone(),
        outbox: store,
        tokens: Arc::new(OsTokenSource),
        join_key,
        clock: Arc::new(SystemClock),
        cors: config.cors,
        organiser_token,
    }));
    lambda_http::run(lambda_http::service_fn(move |req| async move {
        Ok::<_, Infallible>(handle(app, req).await)
    }))
    .await
}
