//! Plumbing shared by the black-box suites and the store contract suite: fresh DynamoDB tables
//! on the emulator, and the local stack started as a real process.

pub mod flows;
pub mod infra;
pub mod programmes;
pub mod stack;

use plenary::Config;
use plenary::config::BaseUrl;

/// The configuration the in-process suites build their apps with (through each `App::new`):
/// links to `https://site.test` and `https://api.test`, no CORS origins, a fresh join key and
/// every other setting at its default. A suite changes the fields it tests.
pub fn config() -> Config {
    let mut config = Config::local(
        "plenary-tests",
        plenary::domain::Email::parse("events@plenary.test").expect("an address"),
        BaseUrl::parse("https://site.test").expect("a base URL"),
    );
    config.sender_name = "Plenary tests".into();
    config.api_url = BaseUrl::parse("https://api.test").expect("a base URL");
    config
}

/// Every notice of every lane of the outbox due by 2030, lane by lane.
pub async fn all_queued(outbox: &dyn plenary::store::OutboxStore) -> Vec<plenary::store::Notice> {
    let far: jiff::Timestamp = "2030-01-01T00:00:00Z".parse().expect("a time");
    let mut all = Vec::new();
    for lane in outbox.lanes().await.expect("the lanes") {
        all.extend(
            outbox
                .due(&lane, far, 10_000)
                .await
                .expect("a lane's notices"),
        );
    }
    all
}

/// Fresh DynamoDB tables on the emulator, for the suites that run against both adapters.
pub mod dynamo_fixture {
    use std::sync::atomic::{AtomicU64, Ordering};
    use std::time::{SystemTime, UNIX_EPOCH};

    use plenary::store::{DynamoTable, dynamo_client, ensure_table};

    /// Where the emulator listens; `scripts/emulator.sh start` prints it.
    pub const ENDPOINT_VAR: &str = "PLENARY_TEST_AWS_ENDPOINT";

    /// The emulator's endpoint. Panics when it is not set: a DynamoDB test that skipped itself
    /// would pass without testing anything.
    pub fn endpoint() -> String {
        match std::env::var(ENDPOINT_VAR) {
            Ok(endpoint) if !endpoint.trim().is_empty() => endpoint,
            _ => panic!(
                "{ENDPOINT_VAR} is not set, so the DynamoDB tests have no emulator to run against. \
                 Run the test command from the README, or start the emulator first with \
                 `eval \"$(scripts/emulator.sh start)\"` (and `scripts/emulator.sh stop` after)."
            ),
        }
    }

    /// A table name no other test (in this process or a concurrent one) uses.
    pub fn unique_table_name(prefix: &str) -> String {
        static COUNTER: AtomicU64 = AtomicU64::new(0);
        let n = COUNTER.fetch_add(1, Ordering::Relaxed);
        let nanos = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos());
        format!("{prefix}-{}-{nanos}-{n}", std::process::id())
    }

    /// A client for the emulator.
    pub async fn client() -> aws_sdk_dynamodb::Client {
        dynamo_client(Some(&endpoint())).await
    }

    /// A new, empty, ACTIVE table on the emulator.
    pub async fn fresh_table(prefix: &str) -> DynamoTable {
        let client = client().await;
        let name = unique_table_name(prefix);
        if let Err(e) = ensure_table(&client, &name).await {
            panic!(
                "could not create table {name} on the emulator at {}: {e}",
                endpoint()
            );
        }
        DynamoTable::new(client, name)
    }
}

/// Runs each named async case, a function of [`stack::Store`], once on the memory store and
/// once on DynamoDB (the emulator), as `memory::case` and `dynamodb::case`.
#[macro_export]
macro_rules! on_both_stores {
    ($($case:ident),* $(,)?) => {
        mod memory {
            use super::*;
            $( #[tokio::test] async fn $case() { super::$case($crate::stack::Store::Memory).await } )*
        }
        mod dynamodb {
            use super::*;
            $( #[tokio::test] async fn $case() { super::$case($crate::stack::Store::Dynamodb).await } )*
        }
    };
}
