//! Logs: one JSON object a line (CloudWatch reads them as structured), filtered by `RUST_LOG`.
//! No personal data goes into them: emails and tokens have redacting `Debug`, and routes are
//! logged by pattern.

use tracing_subscriber::EnvFilter;

pub fn init_json_logs() {
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info"));
    let _ = tracing_subscriber::fmt()
        .json()
        .with_env_filter(filter)
        .with_current_span(true)
        .with_span_list(false)
        .with_target(false)
        .flatten_event(true)
        .with_writer(std::io::stderr)
        .try_init();
}
