//! `plenary-local`: the development server. Configuration is read once here, the store, mailer
//! and clock are built once, and the stack is handed to the server.

mod cli;
mod guard;
mod seed;
mod server;
mod site;
mod stack;
mod uploads;

use std::sync::Arc;

use clap::Parser;
use plenary::clock::{SimulatedClock, SystemClock};
use plenary::config::{BaseUrl, CorsConfig, UploadsConfig};
use plenary::domain::Email;
use plenary::mail::{LocalMailbox, Mailer};
use plenary::store::{MemoryTable, Table, TableStore};
use plenary::token::{ORGANISER_TOKEN_MIN_CHARS, OsTokenSource, Token, TokenHash};
use plenary::wiring::Services;
use plenary::{Clock, Config, TokenSource};
use tokio::net::TcpListener;

use crate::cli::{Cli, MailerKind, StoreKind};
use crate::seed::Seed;

/// Resolves on Ctrl-C or SIGTERM. The handlers are installed when this is called, not when it
/// is first polled, so a signal that arrives just after the banner still shuts down cleanly.
fn shutdown_signal() -> impl std::future::Future<Output = ()> {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        let interrupt = signal(SignalKind::interrupt());
        let terminate = signal(SignalKind::terminate());
        async move {
            match (interrupt, terminate) {
                (Ok(mut i), Ok(mut t)) => {
                    tokio::select! {
                        _ = i.recv() => {}
                        _ = t.recv() => {}
                    }
                }
                _ => {
                    let _ = tokio::signal::ctrl_c().await;
                }
            }
        }
    }
    #[cfg(not(unix))]
    async {
        let _ = tokio::signal::ctrl_c().await;
    }
}

fn fail(message: impl std::fmt::Display) -> ! {
    eprintln!("plenary-local: {message}");
    std::process::exit(2)
}

#[tokio::main]
async fn main() {
    let cli = Cli::parse();
    plenary::telemetry::init_json_logs();

    let seed = read_seed(&cli);
    let clock = choose_clock(&cli, seed.as_ref().map(|(_, s)| s));

    let listener = TcpListener::bind((cli.host, cli.port))
        .await
        .unwrap_or_else(|e| fail(format!("cannot listen on {}:{}: {e}", cli.host, cli.port)));
    let addr = listener.local_addr().unwrap_or_else(|e| fail(e));
    let own_url = format!("http://{addr}");
    let organiser_token = organiser_token(&cli);
    let config = local_config(&cli, &own_url, &organiser_token);

    let store = open_store(&cli, clock.clock.clone()).await;
    if let Some((_, seed)) = &seed {
        let dir = match config
            .uploads
            .as_ref()
            .and_then(plenary::files::local_folder)
        {
            Some((dir, _)) => dir,
            None => fail("the local stack keeps its uploads in a folder"),
        };
        let files = seed::Files {
            base: config.api_url.as_str(),
            dir: &dir,
        };
        seed.load(&store, clock.clock.now(), files)
            .await
            .unwrap_or_else(|e| fail(e));
    }
    let (mailbox, mailer) = open_mailer(&cli, clock.clock.clone()).await;

    let guard = guard::LocalGuard::for_urls([own_url.as_str(), config.site_url.as_str()]);
    let stack = stack::Stack::new(stack::Parts {
        services: Services::new(store).with_clock(clock.clock.clone()),
        config,
        mailbox,
        mailer,
        simulated: clock.simulated.clone(),
        guard,
    })
    .unwrap_or_else(|e| fail(e));
    stack.seed_local_admin().await.unwrap_or_else(|e| fail(e));
    let stack = Arc::new(stack);

    if cli.notifications_interval > 0.0 {
        run_notifications_every(
            stack.clone(),
            std::time::Duration::from_secs_f64(cli.notifications_interval),
        );
    }

    let shutdown = shutdown_signal();
    print_banner(
        &cli,
        &own_url,
        &clock,
        &organiser_token,
        &stack,
        seed.as_ref(),
    );
    let timeouts = server::Timeouts {
        headers: std::time::Duration::from_secs_f64(cli.header_read_timeout),
        body: std::time::Duration::from_secs_f64(cli.body_read_timeout),
    };
    server::serve(listener, stack, timeouts, shutdown).await;
    println!("Plenary local stack stopped.");
}

/// The seed to load and where it came from: `--seed`, else the bundled one, unless `none`.
fn read_seed(cli: &Cli) -> Option<(String, Seed)> {
    match cli.seed_path()? {
        None => Some((
            "bundled (TSB Circular 331)".to_owned(),
            Seed::parse(seed::BUNDLED).unwrap_or_else(|e| fail(e)),
        )),
        Some(path) => {
            let text = std::fs::read_to_string(&path)
                .unwrap_or_else(|e| fail(format!("cannot read seed {}: {e}", path.display())));
            Some((
                path.display().to_string(),
                Seed::parse(&text).unwrap_or_else(|e| fail(e)),
            ))
        }
    }
}

/// The stack's clock, and what the banner says of it.
struct ChosenClock {
    clock: Arc<dyn Clock>,
    /// The same clock when it is simulated (and `/_local/clock` can move it).
    simulated: Option<Arc<SimulatedClock>>,
    label: String,
}

/// `--clock <instant>` or `--clock now`; without the flag, the seed's clock if it has one.
fn choose_clock(cli: &Cli, seed: Option<&Seed>) -> ChosenClock {
    let simulated = |start: jiff::Timestamp, label: String| {
        let clock = Arc::new(SimulatedClock::starting_at(start));
        ChosenClock {
            clock: clock.clone(),
            simulated: Some(clock),
            label,
        }
    };
    let real_time = || ChosenClock {
        clock: Arc::new(SystemClock),
        simulated: None,
        label: "real time".to_owned(),
    };
    match cli.clock.as_deref() {
        Some("now") => real_time(),
        Some(at) => {
            let start: jiff::Timestamp = at.parse().unwrap_or_else(|_| {
                fail(format!(
                    "--clock {at:?} is not an RFC 3339 instant or `now`"
                ))
            });
            simulated(start, format!("simulated, started at {start}"))
        }
        None => match seed.and_then(|s| s.clock) {
            Some(start) => simulated(
                start,
                format!("simulated, started at {start} (the seed's clock)"),
            ),
            None => real_time(),
        },
    }
}

/// `--organiser-token`, or a random one (printed in the banner).
fn organiser_token(cli: &Cli) -> Token {
    match &cli.organiser_token {
        Some(t) => Token::parse(t)
            .ok()
            .filter(|t| t.expose().len() >= ORGANISER_TOKEN_MIN_CHARS)
            .unwrap_or_else(|| {
                fail(format!(
                    "--organiser-token must be at least {ORGANISER_TOKEN_MIN_CHARS} URL-safe \
                     characters (A-Z a-z 0-9 - _), random: `openssl rand -base64 32 | tr '+/' '-_' \
                     | tr -d =` makes one"
                ))
            }),
        None => OsTokenSource.new_token(),
    }
}

/// The functions' configuration from the flags: the site is this server unless `--site-url`
/// says otherwise, CORS allows the site unless `--allowed-origins` does, the API is this server.
fn local_config(cli: &Cli, own_url: &str, organiser_token: &Token) -> Config {
    let own_url = BaseUrl::parse(own_url).unwrap_or_else(|e| fail(format!("{own_url}: {e}")));
    let site_url = match &cli.site_url {
        None => own_url.clone(),
        Some(raw) => {
            BaseUrl::parse(raw).unwrap_or_else(|e| fail(format!("--site-url {raw:?} {e}")))
        }
    };
    let sender = Email::parse(&cli.sender)
        .unwrap_or_else(|e| fail(format!("--sender {:?}: {e}", cli.sender)));
    let mut config = Config::local(cli.table.clone(), sender, site_url);
    config.cors = CorsConfig::parse(
        cli.allowed_origins
            .as_deref()
            .unwrap_or(config.site_url.as_str()),
    );
    config.sender_name = "Plenary (local)".to_owned();
    config.api_url = own_url;
    config.organiser_token_hash = Some(TokenHash::of(organiser_token.expose()));
    config.registrations_per_event_per_minute = cli.registrations_per_event_per_minute;
    config.requests_per_client_per_minute = cli.requests_per_client_per_minute;
    config.mail_backlog_per_event = cli.mail_backlog_per_event;
    config.failed_bearers_per_client_per_hour = cli.failed_bearers_per_client_per_hour;
    if let Some(dir) = &cli.uploads_dir {
        config.uploads = Some(UploadsConfig::local(dir.clone()));
    }
    config
}

/// The embedded table, or a DynamoDB one (created if absent).
async fn open_store(cli: &Cli, clock: Arc<dyn Clock>) -> TableStore {
    let table: Arc<dyn Table> = match cli.store {
        // On the stack's clock, so moving it forward lets lapsed items go as DynamoDB would.
        StoreKind::Memory => Arc::new(MemoryTable::with_clock(clock)),
        StoreKind::Dynamodb => {
            let client = plenary::store::dynamo_client(cli.dynamodb_endpoint.as_deref()).await;
            plenary::store::ensure_table(&client, &cli.table)
                .await
                .unwrap_or_else(|e| fail(format!("cannot use table {}: {e}", cli.table)));
            Arc::new(plenary::store::DynamoTable::new(client, cli.table.clone()))
        }
    };
    TableStore::new(table)
}

/// The local mailbox (also returned, for `/_local/outbox`), or SES at `--ses-endpoint`.
async fn open_mailer(
    cli: &Cli,
    clock: Arc<dyn Clock>,
) -> (Option<Arc<LocalMailbox>>, Arc<dyn Mailer>) {
    match cli.mailer {
        MailerKind::Outbox => {
            let mailbox = Arc::new(LocalMailbox::new(cli.outbox_dir.clone(), clock));
            (Some(mailbox.clone()), mailbox)
        }
        MailerKind::Ses => {
            let endpoint = cli
                .ses_endpoint
                .as_deref()
                .or(cli.dynamodb_endpoint.as_deref());
            let client = plenary::mail::ses_client(endpoint).await;
            (None, Arc::new(plenary::mail::SesMailer::new(client, None)))
        }
    }
}

/// The notifications job on a timer, taking turns with `/_local/notifications/run`.
fn run_notifications_every(stack: Arc<stack::Stack>, every: std::time::Duration) {
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(every);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tick.tick().await;
            // As in AWS, a run that ends with work left is followed by the next at once.
            loop {
                let now = stack.notifications.clock.now();
                match stack.run_job(now).await {
                    Ok(report) if report.wants_another_run() => continue,
                    Ok(_) => break,
                    Err(e) => {
                        tracing::warn!(error = %e, "the notifications job failed; it runs again shortly");
                        break;
                    }
                }
            }
        }
    });
}

fn print_banner(
    cli: &Cli,
    own_url: &str,
    clock: &ChosenClock,
    organiser_token: &Token,
    stack: &stack::Stack,
    seed: Option<&(String, Seed)>,
) {
    println!("Plenary local stack listening on {own_url}");
    println!(
        "  store:     {}",
        match cli.store {
            StoreKind::Memory => "memory (embedded; gone when the process stops)".to_owned(),
            StoreKind::Dynamodb => format!(
                "dynamodb table {} at {}",
                cli.table,
                cli.dynamodb_endpoint
                    .as_deref()
                    .unwrap_or("the AWS default endpoint")
            ),
        }
    );
    println!(
        "  mailer:    {}",
        match cli.mailer {
            MailerKind::Outbox => format!("outbox ({own_url}/_local/outbox)"),
            MailerKind::Ses => "ses".to_owned(),
        }
    );
    println!("  clock:     {} (now {})", clock.label, clock.clock.now());
    println!("  organiser: {}", organiser_token.expose());
    println!(
        "  console:   {own_url}/_local/sign-in (opens the console as {}; its emailed links land in the outbox)",
        stack::LOCAL_ADMIN
    );
    println!("  site:      {}", stack.programme.site_url);
    if let Some(u) = &stack.uploads {
        println!(
            "  uploads:   {} (served at {own_url}/files/)",
            u.dir.display()
        );
    }
    match seed {
        Some((label, s)) => println!("  seed:      {label}: {}", s.event_ids().join(", ")),
        None => println!("  seed:      none"),
    }
    println!("Press Ctrl-C to stop.");
}
