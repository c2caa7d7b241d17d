//! Transactional mail from the outbox: each notice claimed, composed, sent once; a transient
//! failure is retried with back-off and, after the last attempt, counted as failed — never
//! dropped silently.

use std::time::{Duration, Instant};

use jiff::{SignedDuration, Timestamp};
use plenary::mail::{MailError, MessageKey};
use plenary::store::{Claim, Notice, StoreError, Unsent};

use crate::compose::{self, ComposeError};
use crate::{App, Report, RunError, SentSummary};

/// Attempts before a notice is given up as failed.
pub const MAX_ATTEMPTS: u32 = 6;
/// Notices read per batch.
const BATCH: u32 = 100;

/// 30 s, 1 min, 2 min, 4 min, … before attempt n+1.
fn back_off(attempts: u32) -> SignedDuration {
    SignedDuration::from_secs(30 * 2i64.pow(attempts.min(10)))
}

pub(crate) fn time_left(started: Instant, deadline: Duration) -> bool {
    // Keep a margin to mark the last message and return before Lambda stops the run.
    started.elapsed() + Duration::from_secs(2) < deadline
}

pub async fn send_due(
    app: &App,
    now: Timestamp,
    started: Instant,
    deadline: Duration,
    report: &mut Report,
) -> Result<(), RunError> {
    loop {
        let due = app.outbox.due(now, BATCH).await?;
        if due.is_empty() {
            return Ok(());
        }
        let mut progressed = false;
        for notice in &due {
            if !time_left(started, deadline) {
                report.more = true;
                return Ok(());
            }
            match send_one(app, notice, now, report).await? {
                Step::Done => progressed = true,
                Step::Throttled => {
                    // SES says slow down: leave the rest for the next run.
                    report.more = true;
                    return Ok(());
                }
                Step::Busy => {}
            }
        }
        if !progressed || (due.len() as u32) < BATCH {
            return Ok(());
        }
    }
}

enum Step {
    Done,
    Busy,
    Throttled,
}

async fn send_one(
    app: &App,
    notice: &Notice,
    now: Timestamp,
    report: &mut Report,
) -> Result<Step, StoreError> {
    let key = MessageKey::notice(&notice.id);
    if app.outbox.claim(&key, now).await? != Claim::Won {
        // Busy: another run sends it, or a crashed one's claim awaits its grace period; the
        // notice stays until then. (Done cannot hold a notice: settling deletes it.)
        return Ok(Step::Busy);
    }
    let event_id = &notice.event_id;
    let reg = app
        .registrations
        .registration(event_id, &notice.registration_id)
        .await?;
    let event = app.events.event(event_id).await?;
    let (Some(reg), Some(event)) = (reg, event) else {
        app.outbox
            .settle(&key, Some(notice), event_id, Unsent::Skipped)
            .await?;
        report.skipped += 1;
        return Ok(Step::Done);
    };
    let r = reg.registration;
    let Some(person) = r.person.clone() else {
        // Erased since: nobody to write to.
        app.outbox
            .settle(&key, Some(notice), event_id, Unsent::Skipped)
            .await?;
        report.skipped += 1;
        return Ok(Step::Done);
    };
    if app.suppressions.is_suppressed(&person.email).await? {
        app.outbox
            .settle(&key, Some(notice), event_id, Unsent::Suppressed)
            .await?;
        report.suppressed += 1;
        return Ok(Step::Done);
    }
    let email = match compose::transactional(app, &key, notice.kind, &event, &r, &person).await {
        Ok(e) => e,
        Err(ComposeError::Store(e)) => {
            app.outbox
                .retry(
                    &key,
                    Some(notice),
                    now.saturating_add(back_off(0)).unwrap_or(now),
                )
                .await?;
            return Err(e);
        }
        Err(ComposeError::Template(why)) => {
            tracing::error!(kind = notice.kind.code(), %why, "a message could not be composed");
            app.outbox
                .settle(&key, Some(notice), event_id, Unsent::Failed)
                .await?;
            report.failed += 1;
            return Ok(Step::Done);
        }
    };
    app.pacer.wait().await;
    match app.mailer.send(&email).await {
        Ok(_) => {
            app.outbox
                .sent(&key, Some(notice), event_id, app.clock.now())
                .await?;
            report.sent.push(SentSummary {
                key,
                kind: notice.kind.code(),
                registration_id: r.id.clone(),
                event_id: event_id.to_string(),
            });
            Ok(Step::Done)
        }
        Err(MailError::Throttled { retry_after }) => {
            let later = now
                .saturating_add(SignedDuration::try_from(retry_after).unwrap_or_default())
                .unwrap_or(now);
            // Not an attempt that failed: the same attempt, later.
            let mut same = notice.clone();
            same.attempts = same.attempts.saturating_sub(1);
            app.outbox.retry(&key, Some(&same), later).await?;
            report.retried += 1;
            Ok(Step::Throttled)
        }
        Err(MailError::Unavailable(why)) if notice.attempts + 1 < MAX_ATTEMPTS => {
            tracing::warn!(kind = notice.kind.code(), %why, attempts = notice.attempts + 1, "send failed; will retry");
            let later = now.saturating_add(back_off(notice.attempts)).unwrap_or(now);
            app.outbox.retry(&key, Some(notice), later).await?;
            report.retried += 1;
            Ok(Step::Done)
        }
        Err(e) => {
            tracing::error!(kind = notice.kind.code(), error = %e, "send failed for good");
            app.outbox
                .settle(&key, Some(notice), event_id, Unsent::Failed)
                .await?;
            report.failed += 1;
            Ok(Step::Done)
        }
    }
}
