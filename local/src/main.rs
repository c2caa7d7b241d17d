//! `plenary-local`: the development server. Configuration is read once here, the store, mailer
//! and clock are built once, and the stack is handed to the server.

mod cli;
mod seed;
mod server;
mod site;
mod stack;

use std::sync::Arc;

use clap::Parser;
use plenary::clock::{SimulatedClock, SystemClock};
use plenary::config::{BaseUrl, CorsConfig};
use plenary::mail::LocalMailbox;
use plenary::store::{MemoryTable, Table, TableStore};
use plenary::token::{OsTokenSource, Token, TokenHash};
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

    let seed = match cli.seed_path() {
        None => None,
        Some(None) => Some((
            "bundled (TSB Circular 331)".to_owned(),
            Seed::parse(seed::BUNDLED).unwrap_or_else(|e| fail(e)),
        )),
        Some(Some(path)) => {
            let text = std::fs::read_to_string(&path)
                .unwrap_or_else(|e| fail(format!("cannot read seed {}: {e}", path.display())));
            Some((
                path.display().to_string(),
                Seed::parse(&text).unwrap_or_else(|e| fail(e)),
            ))
        }
    };

    let simulated = |start: jiff::Timestamp| Some(Arc::new(SimulatedClock::starting_at(start)));
    let (simulated, clock_label): (Option<Arc<SimulatedClock>>, String) = match cli.clock.as_deref()
    {
        Some("now") => (None, "real time".to_owned()),
        Some(at) => {
            let start: jiff::Timestamp = at.parse().unwrap_or_else(|_| {
                fail(format!(
                    "--clock {at:?} is not an RFC 3339 instant or `now`"
                ))
            });
            (simulated(start), format!("simulated, started at {start}"))
        }
        None => match seed.as_ref().and_then(|(_, s)| s.clock) {
            Some(start) => (
                simulated(start),
                format!("simulated, started at {start} (the seed's clock)"),
            ),
            None => (None, "real time".to_owned()),
        },
    };
    let clock: Arc<dyn Clock> = match &simulated {
        Some(c) => c.clone(),
        None => Arc::new(SystemClock),
    };

    let listener = TcpListener::bind((cli.host, cli.port))
        .await
        .unwrap_or_else(|e| fail(format!("cannot listen on {}:{}: {e}", cli.host, cli.port)));
    let addr = listener.local_addr().unwrap_or_else(|e| fail(e));
    let own_url = format!("http://{addr}");
    let site_url = cli.site_url.clone().unwrap_or_else(|| own_url.clone());
    let cors = CorsConfig::parse(
        cli.allowed_origins
            .as_deref()
            .unwrap_or(site_url.trim_end_matches('/')),
    );

    let table: Arc<dyn Table> = match cli.store {
        StoreKind::Memory => Arc::new(MemoryTable::new()),
        StoreKind::Dynamodb => {
            let client = plenary::store::dynamo_client(cli.dynamodb_endpoint.as_deref()).await;
            plenary::store::ensure_table(&client, &cli.table)
                .await
                .unwrap_or_else(|e| fail(format!("cannot use table {}: {e}", cli.table)));
            Arc::new(plenary::store::DynamoTable::new(client, cli.table.clone()))
        }
    };
    let store = TableStore::new(table);

    if let Some((_, seed)) = &seed {
        seed.load(&store, clock.now())
            .await
            .unwrap_or_else(|e| fail(e));
    }

    let mailbox = match cli.mailer {
        MailerKind::Outbox => Some(Arc::new(LocalMailbox::new(
            cli.outbox_dir.clone(),
            clock.clone(),
        ))),
        MailerKind::Ses => None,
    };
    let mailer: Arc<dyn plenary::mail::Mailer> = match &mailbox {
        Some(o) => o.clone(),
        None => {
            let endpoint = cli
                .ses_endpoint
                .as_deref()
                .or(cli.dynamodb_endpoint.as_deref());
            let client = plenary::mail::ses_client(endpoint).await;
            Arc::new(plenary::mail::SesMailer::new(client, None))
        }
    };
    let sender = plenary::domain::Email::parse(&cli.sender)
        .unwrap_or_else(|e| fail(format!("--sender {:?}: {e}", cli.sender)));

    let organiser_token = match &cli.organiser_token {
        Some(t) => Token::parse(t).unwrap_or_else(|_| {
            fail("--organiser-token must be at least 22 URL-safe characters (A-Z a-z 0-9 - _)")
        }),
        None => OsTokenSource.new_token(),
    };

    let base = |flag: &str, raw: &str| {
        BaseUrl::parse(raw).unwrap_or_else(|e| fail(format!("{flag} {raw:?} {e}")))
    };
    let mut config = Config::local(cli.table.clone(), sender, base("--site-url", &site_url));
    config.cors = cors;
    config.sender_name = "Plenary (local)".to_owned();
    config.api_url = base("the server's own URL", &own_url);
    config.organiser_token_hash = Some(TokenHash::of(organiser_token.expose()));
    config.registrations_per_event_per_minute = cli.registrations_per_event_per_minute;
    let stack = stack::Stack::new(stack::Parts {
        services: Services::new(store).with_clock(clock.clone()),
        config,
        mailbox,
        mailer,
        simulated,
    })
    .unwrap_or_else(|e| fail(e));
    let stack = Arc::new(stack);

    if cli.notifications_interval > 0.0 {
        let stack = stack.clone();
        let every = std::time::Duration::from_secs_f64(cli.notifications_interval);
        tokio::spawn(async move {
            let mut tick = tokio::time::interval(every);
            tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            loop {
                tick.tick().await;
                let now = stack.notifications.clock.now();
                if let Err(e) = stack.run_job(now).await {
                    tracing::warn!(error = %e, "the notifications job failed; it runs again shortly");
                }
            }
        });
    }

    let shutdown = shutdown_signal();
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
    println!("  clock:     {clock_label} (now {})", clock.now());
    println!("  organiser: {}", organiser_token.expose());
    println!("  site:      {site_url}");
    match &seed {
        Some((label, s)) => println!("  seed:      {label}: {}", s.event_ids().join(", ")),
        None => println!("  seed:      none"),
    }
    println!("Press Ctrl-C to stop.");

    server::serve(listener, stack, shutdown).await;
    println!("Plenary local stack stopped.");
}
