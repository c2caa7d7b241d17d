//! Sending one kind of optional mail to many registrants of an event: each recipient claimed
//! under its message key ([`FanoutKeys::message`]) before sending, progress saved as a checkpoint after every
//! page, and the run stopped cleanly before its budget runs out or when SES is down; the next run
//! resumes at the checkpoint, and the claims make any overlap send nothing twice.

use plenary::domain::{Event, Registration};
use plenary::mail::templates::Content;
use plenary::mail::{Attachment, FanoutKeys, JobName, MailError, MessageKind};
use plenary::store::{Checkpoint, Claim, SentTally, StoreError, Unsent};
use plenary::usecases::mail::{self, Recipients};

use crate::compose;
use crate::{App, Run, SentSummary};

const PAGE: u32 = 200;

/// One fan-out: who, what and under which keys.
pub struct Fanout<'a> {
    pub event: &'a Event,
    /// The checkpoint's name and each message's deterministic key.
    pub keys: FanoutKeys,
    pub kind: MessageKind,
    pub recipients: Recipients,
    pub content: &'a (dyn Fn(&App, &Registration, String) -> Content + Sync),
    /// Each recipient's own attachments (a digest's calendar carries their join details).
    pub attachments: &'a (dyn Fn(&Registration) -> Vec<Attachment> + Sync),
    /// A count each message sent also raises (an announcement's `sent`).
    pub tally: Option<SentTally>,
}

#[derive(Debug, PartialEq, Eq)]
pub enum Outcome {
    /// Everyone was handled.
    Done,
    /// Stopped with work left (out of budget, or SES unavailable); the checkpoint says where.
    Stopped,
}

enum Delivery {
    Handled,
    /// Try this recipient again in a later run.
    Later,
}

pub async fn run(app: &App, f: &Fanout<'_>, run: &mut Run) -> Result<Outcome, StoreError> {
    let event = &f.event.id;
    let mut cp = app.jobs.checkpoint(event, f.keys.job()).await?;
    if cp.done {
        return Ok(Outcome::Done);
    }
    loop {
        let page = app
            .registrations
            .page(event, None, PAGE, cp.after.clone())
            .await?;
        for r in &page.registrations {
            if !run.budget.allows_another() {
                app.jobs.save_checkpoint(event, f.keys.job(), &cp).await?;
                run.report.more = true;
                return Ok(Outcome::Stopped);
            }
            if f.recipients.reach(r) {
                match deliver(app, f, r, run).await? {
                    Delivery::Handled => {}
                    Delivery::Later => {
                        app.jobs.save_checkpoint(event, f.keys.job(), &cp).await?;
                        run.report.more = true;
                        return Ok(Outcome::Stopped);
                    }
                }
            }
            cp.after = Some(r.id.clone());
        }
        if page.next.is_none() {
            cp.done = true;
            app.jobs.save_checkpoint(event, f.keys.job(), &cp).await?;
            return Ok(Outcome::Done);
        }
        app.jobs.save_checkpoint(event, f.keys.job(), &cp).await?;
    }
}

async fn deliver(
    app: &App,
    f: &Fanout<'_>,
    r: &Registration,
    run: &mut Run,
) -> Result<Delivery, StoreError> {
    let (now, budget, report) = (run.now, run.budget, &mut run.report);
    let key = f.keys.message(&r.id);
    let event = &f.event.id;
    match app.outbox.claim(&key, now).await? {
        Claim::Won => {}
        Claim::Done => return Ok(Delivery::Handled),
        // Another run is on it, or one crashed mid-send: come back after its grace period.
        Claim::Busy => return Ok(Delivery::Later),
    }
    let Some(person) = r.person.as_ref() else {
        app.outbox
            .settle(&key, None, Some(event), Unsent::Skipped)
            .await?;
        return Ok(Delivery::Handled);
    };
    if app.suppressions.is_suppressed(&person.email).await? {
        app.outbox
            .settle(&key, None, Some(event), Unsent::Suppressed)
            .await?;
        report.suppressed += 1;
        return Ok(Delivery::Handled);
    }
    // The manage link's token and the unsubscribe token are granted before the email goes.
    let (manage, unsubscribe) = mail::grant_optional_mail_links(
        app.registrations.as_ref(),
        app.tokens.as_ref(),
        &app.join_key,
        r,
    )
    .await?;
    let content = (f.content)(app, r, compose::manage_url(app, &manage));
    let mut email = match compose::email(
        app,
        &key,
        f.kind,
        f.event,
        r,
        person,
        &content,
        Some(&unsubscribe),
    ) {
        Ok(e) => e,
        Err(e) => {
            tracing::error!(kind = f.kind.code(), error = %e, "a message could not be composed");
            app.outbox
                .settle(&key, None, Some(event), Unsent::Failed)
                .await?;
            report.failed += 1;
            return Ok(Delivery::Handled);
        }
    };
    email.attachments = (f.attachments)(r);
    loop {
        app.pacer.wait().await;
        match app.mailer.send(&email).await {
            Ok(_) => {
                app.outbox
                    .sent(&key, None, f.tally.as_ref(), Some(event), app.clock.now())
                    .await?;
                report.sent.push(SentSummary {
                    key,
                    kind: f.kind.code(),
                    registration_id: Some(r.id.clone()),
                    event_id: Some(event.to_string()),
                });
                return Ok(Delivery::Handled);
            }
            // Throttled: wait as SES asks and send the same message again, never drop it.
            Err(MailError::Throttled { retry_after })
                if budget.allows_another_after(retry_after) =>
            {
                report.retried += 1;
                tokio::time::sleep(retry_after).await;
            }
            Err(MailError::Throttled { .. }) | Err(MailError::Unavailable(_)) => {
                app.outbox.retry(&key, None, now).await?;
                report.retried += 1;
                return Ok(Delivery::Later);
            }
            Err(e @ MailError::Rejected(_)) => {
                tracing::error!(kind = f.kind.code(), error = %e, "send failed for good");
                app.outbox
                    .settle(&key, None, Some(event), Unsent::Failed)
                    .await?;
                report.failed += 1;
                return Ok(Delivery::Handled);
            }
        }
    }
}

/// Makes sure nothing is owed from a fan-out that will not run (an older reminder overtaken
/// by a later one): it is marked done as it stands.
pub async fn close(app: &App, event: &Event, job: &JobName) -> Result<(), StoreError> {
    let cp = app.jobs.checkpoint(&event.id, job).await?;
    if !cp.done {
        app.jobs
            .save_checkpoint(
                &event.id,
                job,
                &Checkpoint {
                    after: cp.after,
                    done: true,
                },
            )
            .await?;
    }
    Ok(())
}
