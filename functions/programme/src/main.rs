//! Lambda entry point: configuration and clients are built once, then every invocation goes to
//! the same `handle` the local stack and the tests call.

use std::convert::Infallible;
use std::sync::Arc;

use plenary::Config;
use plenary::store::TableStore;
use plenary::wiring::Services;
use plenary_programme::{App, handle};

#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    plenary::telemetry::init_json_logs();
    let config = Config::load().await?;
    let services = Services::new(TableStore::dynamo(&config.table).await);
    let app = Arc::new(App::new(&services, &config));
    lambda_http::run(lambda_http::service_fn(move |req| {
        let app = app.clone();
        async move { Ok::<_, Infallible>(handle(&app, req).await) }
    }))
    .await
}
