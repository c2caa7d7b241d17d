//! Lambda entry point: configuration and clients are built once; every invocation (schedule,
//! stream or SNS) goes to `triggers::handle`.

use std::sync::Arc;

use lambda_runtime::{LambdaEvent, service_fn};
use plenary::Config;
use plenary::mail::{SesMailer, ses_client};
use plenary::store::TableStore;
use plenary::wiring::Services;
use plenary_notifications::{App, pace::Pacer, triggers};
use serde_json::Value;

#[tokio::main]
async fn main() -> Result<(), lambda_runtime::Error> {
    plenary::telemetry::init_json_logs();
    let config = Config::load().await?;
    let services = Services::new(TableStore::dynamo(&config.table).await);
    let mailer = SesMailer::new(ses_client(None).await, config.ses_configuration_set.clone());
    let pacer = Pacer::new(config.ses_rate);
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
