//! The `notifications` function: sends what the outbox holds (and, on schedule, reminders and
//! programme-change digests), each message claimed under a deterministic key before it goes, in
//! the recipient's language, paced to the SES send rate.
//!
//! The one window where a message can go twice: a run that crashes after SES accepted a message
//! and before its claim was marked `sent` leaves the claim `sending`; after
//! [`plenary::store::CLAIM_GRACE`] another run takes the claim over and sends that one message
//! again. Every other message of the run was either marked sent or never claimed, so the
//! window is one message per recipient at most.

pub mod announcements;
mod budget;
mod compose;
pub mod digests;
mod fanout;
mod metrics;
mod outbox;
pub mod pace;
pub mod reminders;
pub mod triggers;

use std::sync::Arc;
use std::time::Duration;

use jiff::Timestamp;
use plenary::config::{BaseUrl, ConfigError};
use plenary::domain::{Email, RegistrationId};
use plenary::mail::{Mailer, MessageKey};
use plenary::store::{
    Credentials, Directory, EventReader, JobStore, JoinInfoStore, OutboxStore, ProgrammeReader,
    RegistrationStore, StoreError, SuppressionStore,
};
use plenary::token::{JoinKey, TokenSource};
use plenary::wiring::Services;
use plenary::{Clock, Config};
use serde::Serialize;

use crate::budget::Budget;

pub use outbox::MAX_ATTEMPTS;

pub struct App {
    pub events: Arc<dyn EventReader>,
    pub registrations: Arc<dyn RegistrationStore>,
    pub outbox: Arc<dyn OutboxStore>,
    pub jobs: Arc<dyn JobStore>,
    pub suppressions: Arc<dyn SuppressionStore>,
    pub programme: Arc<dyn ProgrammeReader>,
    pub join_info: Arc<dyn JoinInfoStore>,
    /// Who may sign in (read), and where their sign-in links are kept (written as they go out).
    pub directory: Arc<dyn Directory>,
    pub credentials: Arc<dyn Credentials>,
    pub mailer: Arc<dyn Mailer>,
    pub clock: Arc<dyn Clock>,
    pub tokens: Arc<dyn TokenSource>,
    pub join_key: JoinKey,
    pub sender: Email,
    pub sender_name: String,
    /// The website, for links in emails.
    pub site_url: BaseUrl,
    /// The API's own base URL, for personal join links.
    pub api_url: BaseUrl,
    pub pacer: pace::Pacer,
}

impl App {
    /// Sends through `mailer` at the pace of `pacer`; refuses a configuration without the join
    /// key.
    pub fn new(
        services: &Services,
        config: &Config,
        mailer: Arc<dyn Mailer>,
        pacer: pace::Pacer,
    ) -> Result<Self, ConfigError> {
        let store = &services.store;
        Ok(Self {
            events: store.clone(),
            registrations: store.clone(),
            outbox: store.clone(),
            jobs: store.clone(),
            suppressions: store.clone(),
            programme: store.clone(),
            join_info: store.clone(),
            directory: store.clone(),
            credentials: store.clone(),
            mailer,
            clock: services.clock.clone(),
            tokens: services.tokens.clone(),
            join_key: config.require_join_key()?,
            sender: config.sender.clone(),
            sender_name: config.sender_name.clone(),
            site_url: config.site_url.clone(),
            api_url: config.api_url.clone(),
            pacer,
        })
    }
}

/// What a run sent and what it left.
#[derive(Debug, Default, Serialize)]
pub struct Report {
    pub sent: Vec<SentSummary>,
    pub retried: u32,
    pub failed: u32,
    pub suppressed: u32,
    pub skipped: u32,
    /// True when the run stopped with work left, out of budget or throttled (the next run resumes).
    pub more: bool,
    /// How long the oldest message still due in the outbox has waited, when one is left: the
    /// figure the backlog alarm watches (`metrics::emf`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub oldest_waiting_seconds: Option<i64>,
}

impl Report {
    /// Whether the job should run again at once rather than wait for its schedule: work is
    /// left and this run got somewhere. A run that moved nothing (SES unavailable, every claim
    /// another run's) waits for the schedule, so an outage never becomes a chain of runs.
    pub fn wants_another_run(&self) -> bool {
        self.more && (!self.sent.is_empty() || self.failed + self.suppressed + self.skipped > 0)
    }
}

#[derive(Debug, Serialize)]
pub struct SentSummary {
    pub key: MessageKey,
    pub kind: &'static str,
    /// None for mail to no registrant (an organiser's sign-in link), which names no event.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub registration_id: Option<RegistrationId>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub event_id: Option<String>,
}

#[derive(Debug, thiserror::Error)]
pub enum RunError {
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// A run in progress, handed to each sender in turn: the moment it acts as if at, its budget, and
/// what it has sent and left so far.
pub(crate) struct Run {
    now: Timestamp,
    budget: Budget,
    report: Report,
}

/// One run of the job as if at `now`, taking at most `budget` (what Lambda leaves the
/// invocation) from its start.
pub async fn run(app: &App, now: Timestamp, budget: Duration) -> Result<Report, RunError> {
    let mut run = Run {
        now,
        budget: Budget::start(budget),
        report: Report::default(),
    };
    // Transactional mail first, people wait for their confirmation link, but only within its
    // share: a flood of it must not take the time a reminder due now needs.
    let share = run.budget.share(TRANSACTIONAL_SHARE);
    if outbox::send_due(app, &mut run, share).await? == outbox::Pass::Throttled {
        return Ok(run.report);
    }
    // Work left in the outbox is reported, but does not stop the fan-outs.
    let outbox_left = std::mem::take(&mut run.report.more);
    reminders::send(app, &mut run).await?;
    if !run.report.more {
        digests::send(app, &mut run).await?;
    }
    if !run.report.more {
        announcements::send(app, &mut run).await?;
    }
    if outbox_left && !run.report.more {
        // The fan-outs are done: the rest of the run is the outbox's.
        let whole = run.budget;
        outbox::send_due(app, &mut run, whole).await?;
    } else {
        run.report.more |= outbox_left;
    }
    run.report.oldest_waiting_seconds = app
        .outbox
        .oldest_due(now)
        .await?
        .map(|n| now.duration_since(n.created_at).as_secs().max(0));
    Ok(run.report)
}

/// The part of a run transactional mail may take before the fan-outs due (reminders first)
/// have their turn; what the fan-outs leave goes back to it in the same run.
const TRANSACTIONAL_SHARE: f64 = 0.5;
