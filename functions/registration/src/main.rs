//! Lambda entry point: configuration and clients are built once, then every invocation goes to
//! the same `handle` the local stack and the tests call.

use std::convert::Infallible;
use std::sync::Arc;

use plenary::Config;
use plenary::clock::SystemClock;
use plenary::store::{DynamoTable, TableStore, dynamo_client};
use plenary_registration::{App, handle};

#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    plenary::telemetry::init_json_logs();
    let config = Config::from_env()?;
    let table = DynamoTable::new(dynamo_client(None).await, config.table.clone());
    let store = Arc::new(TableStore::new(Arc::new(table)));
    let app: &'static App = Box::leak(Box::new(App {
        events: store,
        clock: Arc::new(SystemClock),
        cors: config.cors,
    }));
    lambda_http::run(lambda_http::service_fn(move |req| async move {
        Ok::<_, Infallible>(handle(app, req).await)
    }))
    .await
}
