//! Lambda entry point: configuration and clients are built once, then every invocation goes to
//! the same `handle` the local stack and the tests call.

use std::convert::Infallible;
use std::sync::Arc;

use plenary::Config;
use plenary::clock::SystemClock;
use plenary::store::TableStore;
use plenary_programme::{App, handle};

#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    plenary::telemetry::init_json_logs();
    let config = Config::from_env()?;
    let store = Arc::new(TableStore::dynamo(&config.table).await);
    let app: &'static App = Box::leak(Box::new(App {
        events: store.clone(),
        programme: store,
        clock: Arc::new(SystemClock),
        cors: config.cors,
        site_url: config.site_url.to_string(),
        renderings: Default::default(),
    }));
    lambda_http::run(lambda_http::service_fn(move |req| async move {
        Ok::<_, Infallible>(handle(app, req).await)
    }))
    .await
}
