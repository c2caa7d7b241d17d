//! The local stack's flags (the README, "The local stack").

use std::net::IpAddr;
use std::path::PathBuf;

use clap::{Parser, ValueEnum};

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum StoreKind {
    /// The embedded in-memory store (data is gone when the process stops).
    Memory,
    /// A DynamoDB table, real or emulated, at --dynamodb-endpoint.
    Dynamodb,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum MailerKind {
    /// Keep emails in the local outbox (GET /_local/outbox) and as .eml files.
    Outbox,
    /// Send through SES (or an SES emulator at --ses-endpoint).
    Ses,
}

/// Plenary's local stack: every route on one port, the notifications job on a timer.
#[derive(Debug, Parser)]
#[command(name = "plenary-local", version)]
pub struct Cli {
    /// Port to listen on (0 picks a free one).
    #[arg(long, default_value_t = 3000)]
    pub port: u16,
    /// Address to listen on.
    #[arg(long, default_value = "127.0.0.1")]
    pub host: IpAddr,
    #[arg(long, value_enum, default_value_t = StoreKind::Memory)]
    pub store: StoreKind,
    /// DynamoDB endpoint for --store dynamodb, e.g. http://127.0.0.1:5000 (the table is created
    /// if absent). Without it the SDK's usual endpoint and credentials apply.
    #[arg(long)]
    pub dynamodb_endpoint: Option<String>,
    /// Table name for --store dynamodb.
    #[arg(long, default_value = "plenary-local")]
    pub table: String,
    #[arg(long, value_enum, default_value_t = MailerKind::Outbox)]
    pub mailer: MailerKind,
    /// SES endpoint for --mailer ses (defaults to the DynamoDB endpoint, as one emulator serves both).
    #[arg(long)]
    pub ses_endpoint: Option<String>,
    /// Start a simulated clock at this RFC 3339 instant, or `now` for real time. Default: the
    /// seed's clock with the bundled seed, else real time.
    #[arg(long)]
    pub clock: Option<String>,
    /// A seed file to load at start-up, or `none`. Default: the bundled seed of TSB Circular 331.
    #[arg(long)]
    pub seed: Option<String>,
    /// The organiser token; a random one is made and printed when absent.
    #[arg(long)]
    pub organiser_token: Option<String>,
    /// The website's base URL for links in emails. Default: this server's own address.
    #[arg(long)]
    pub site_url: Option<String>,
    /// Browser origins allowed by CORS (comma-separated). Default: the site URL's origin.
    #[arg(long)]
    pub allowed_origins: Option<String>,
    /// The From address of emails.
    #[arg(long, default_value = "events@plenary.localhost")]
    pub sender: String,
    /// Also write each outbox email as an .eml file into this folder.
    #[arg(long)]
    pub outbox_dir: Option<PathBuf>,
    /// Where uploaded files are kept (and served from at /files/). Default: a folder
    /// `plenary-uploads` in the system's temporary folder.
    #[arg(long)]
    pub uploads_dir: Option<PathBuf>,
    /// Seconds between runs of the notifications job (0 turns the timer off).
    #[arg(long, default_value_t = 1.0)]
    pub notifications_interval: f64,
    /// Registrations one event takes in a minute; more get 429 with Retry-After
    /// (PLENARY_REGISTRATIONS_PER_EVENT_PER_MINUTE of the functions).
    #[arg(long, default_value_t = plenary::usecases::registrant::REGISTRATIONS_PER_EVENT_PER_MINUTE,
          value_parser = clap::value_parser!(u32).range(1..))]
    pub registrations_per_event_per_minute: u32,
    /// Requests one client (the peer address; IPv6 per /64) may make to one write route in a
    /// minute; more get 429 with Retry-After (PLENARY_REQUESTS_PER_CLIENT_PER_MINUTE).
    #[arg(long, default_value_t = plenary::usecases::clients::REQUESTS_PER_CLIENT_PER_MINUTE,
          value_parser = clap::value_parser!(u32).range(1..))]
    pub requests_per_client_per_minute: u32,
    /// Emails waiting to be sent for one event past which registrations and resends are
    /// refused with 503 mail-backlog (PLENARY_MAIL_BACKLOG_PER_EVENT); by default an hour of
    /// mail at the functions' default rate.
    #[arg(long, default_value_t = plenary::usecases::registrant::mail_backlog_per_event(plenary::config::DEFAULT_SES_RATE),
          value_parser = clap::value_parser!(u32).range(1..))]
    pub mail_backlog_per_event: u32,
    /// Refused organiser bearers one client may present in an hour before every bearer it sends
    /// is refused with 429 (PLENARY_FAILED_BEARERS_PER_CLIENT_PER_HOUR).
    #[arg(long, default_value_t = plenary::usecases::clients::FAILED_BEARERS_PER_CLIENT_PER_HOUR,
          value_parser = clap::value_parser!(u32).range(1..))]
    pub failed_bearers_per_client_per_hour: u32,
    /// Seconds a client may take to send a request's headers (an idle kept-alive connection
    /// too); then the connection is closed, so slow clients cannot hold connections open.
    #[arg(long, default_value_t = 10.0, value_parser = positive_seconds)]
    pub header_read_timeout: f64,
    /// Seconds a client may take to send a request's body; then 408 and the connection closes.
    #[arg(long, default_value_t = 30.0, value_parser = positive_seconds)]
    pub body_read_timeout: f64,
}

fn positive_seconds(raw: &str) -> Result<f64, String> {
    match raw.parse::<f64>() {
        Ok(s) if s.is_finite() && s > 0.0 && s <= 86_400.0 => Ok(s),
        _ => Err("must be a number of seconds above 0 and at most 86400".to_owned()),
    }
}

impl Cli {
    pub fn seed_path(&self) -> Option<Option<PathBuf>> {
        match self.seed.as_deref() {
            Some("none") => None,
            Some(path) => Some(Some(PathBuf::from(path))),
            None => Some(None),
        }
    }
}
