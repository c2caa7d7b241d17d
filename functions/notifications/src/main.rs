//! Lambda entry point: configuration and clients are built once; every invocation (schedule,
//! stream or SNS) goes to `triggers::handle`.

use std::sync::Arc;

use lambda_runtime::{LambdaEvent, service_fn};
use plenary::Config;
use plenary::mail::{SesMailer, ses_client};
use plenary::store::TableStore;
use plenary::wiring::Services;
use plenary_notifications::pace::{self, Pacer};
use plenary_notifications::{App, triggers};
use serde_json::Value;

#[tokio::main]
async fn main() -> Result<(), lambda_runtime::Error> {
    plenary::telemetry::init_json_logs();
    let config = Config::load().await?;
    let services = Services::new(TableStore::dynamo(&config.table).await);
    let mailer = SesMailer::new(ses_client(None).await, config.ses_configuration_set.clone());
    // The account's rate, read once per instance, with the deployment's `SesRate` as a ceiling.
    let rate = pace::send_rate(config.ses_rate, mailer.max_send_rate().await);
    tracing::info!(rate, ceiling = config.ses_rate, "pacing mail");
    let pacer = Pacer::new(rate);
    let app = Arc::new(App::new(&services, &config, Arc::new(mailer), pacer)?);
    lambda_runtime::run(service_fn(move |event: LambdaEvent<Value>| {
        let app = app.clone();
        async move {
            let budget =
                triggers::budget_until(event.context.deadline(), std::time::SystemTime::now());
            triggers::handle(&app, event.payload, budget)
                .await
                .map_err(lambda_runtime::Error::from)
        }
    }))
    .await
}
