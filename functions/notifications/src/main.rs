//! Lambda entry point: configuration and clients are built once; every invocation (schedule,
//! stream or SNS) goes to `triggers::handle`.

use std::sync::Arc;

use lambda_runtime::{LambdaEvent, service_fn};
use plenary::Config;
use plenary::clock::SystemClock;
use plenary::mail::{SesMailer, ses_client};
use plenary::store::TableStore;
use plenary::token::OsTokenSource;
use plenary_notifications::{App, pace::Pacer, triggers};
use serde_json::Value;

#[tokio::main]
async fn main() -> Result<(), lambda_runtime::Error> {
    plenary::telemetry::init_json_logs();
    let config = Config::from_env()?;
    let join_key = config.require_join_key()?;
    let store = Arc::new(TableStore::dynamo(&config.table).await);
    let mailer = SesMailer::new(ses_client(None).await, config.ses_configuration_set.clone());
    let app: &'static App = Box::leak(Box::new(App {
        events: store.clone(),
        registrations: store.clone(),
        outbox: store.clone(),
        jobs: store.clone(),
        suppressions: store.clone(),
        programme: store.clone(),
        join_info: store,
        mailer: Arc::new(mailer),
        clock: Arc::new(SystemClock),
        tokens: Arc::new(OsTokenSource),
        join_key,
        sender: config.sender.clone(),
        sender_name: config.sender_name.clone(),
        api_url: config.api_url.to_string(),
        site_url: config.site_url.to_string(),
        pacer: Pacer::new(config.ses_rate),
    }));
    lambda_runtime::run(service_fn(move |event: LambdaEvent<Value>| async move {
        let left = triggers::time_left(event.context.deadline(), std::time::SystemTime::now());
        triggers::handle(app, event.payload, left)
            .await
            .map_err(lambda_runtime::Error::from)
    }))
    .await
}
