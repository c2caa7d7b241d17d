//! Transactional mail from the outbox: each notice claimed, composed, sent once; a transient
//! failure is retried with back-off and, after the last attempt, counted as failed — never
//! dropped silently.

use std::collections::VecDeque;

use jiff::{SignedDuration, Timestamp};
use plenary::domain::{Email, Event, Language, Organiser, Person, Registration};
use plenary::mail::{MailError, MessageKey, MessageKind, OutgoingEmail, SendReceipt};
use plenary::store::{Addressee, Claim, Lane, Notice, StoreError, Unsent};
use plenary::usecases::organiser::signin;
use plenary::usecases::registrant;

use crate::budget::Budget;
use crate::compose::{self, ComposeError};
use crate::{App, Report, Run, RunError, SentSummary};

/// Attempts before a notice is given up as failed.
pub const MAX_ATTEMPTS: u32 = 6;
/// Notices read per batch.
const BATCH: u32 = 100;

/// 30 s, 1 min, 2 min, 4 min, … before attempt n+1.
fn back_off(attempts: u32) -> SignedDuration {
    SignedDuration::from_secs(30 * 2i64.pow(attempts.min(10)))
}

/// How a pass over the outbox ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Pass {
    /// Nothing due is left, or the pass's budget ran out (then `more` is set).
    Ended,
    /// SES said slow down: nothing else should be sent in this run.
    Throttled,
}

/// Sends due notices while `budget` (the run's, or a share of it) allows, taking turns between
/// the lanes ([`Turns`]): one event's flood waits behind itself, and every other event's next
/// message goes within one round of the lanes.
pub(crate) async fn send_due(app: &App, run: &mut Run, budget: Budget) -> Result<Pass, RunError> {
    let mut turns = Turns::new(app.outbox.lanes().await?);
    while let Some(notice) = turns.next(app, run.now).await? {
        if !budget.allows_another() {
            run.report.more = true;
            return Ok(Pass::Ended);
        }
        match send_one(app, &notice, run.now, &mut run.report).await? {
            Step::Done => turns.progressed(),
            Step::Throttled => {
                // SES says slow down: leave the rest for the next run.
                run.report.more = true;
                return Ok(Pass::Throttled);
            }
            Step::Busy => {}
        }
    }
    Ok(Pass::Ended)
}

/// The due notices of every lane, one lane's at a time in turn, each lane oldest first: the
/// fair share between events. A lane is read a batch at a time, and read again when its batch
/// was full and something of it went (a batch of claims all another run's ends the lane, so a
/// pass always ends).
struct Turns {
    lanes: VecDeque<Turn>,
}

struct Turn {
    lane: Lane,
    batch: VecDeque<Notice>,
    /// Read at least once, and whether the last read filled its batch.
    read: bool,
    full: bool,
    /// Something of the current batch went.
    progressed: bool,
}

impl Turns {
    fn new(lanes: Vec<Lane>) -> Self {
        Self {
            lanes: lanes
                .into_iter()
                .map(|lane| Turn {
                    lane,
                    batch: VecDeque::new(),
                    read: false,
                    full: false,
                    progressed: false,
                })
                .collect(),
        }
    }

    /// The next lane's next due notice; None when every lane is spent.
    async fn next(&mut self, app: &App, now: Timestamp) -> Result<Option<Notice>, StoreError> {
        while let Some(mut turn) = self.lanes.pop_front() {
            if turn.batch.is_empty() {
                if turn.read && !(turn.full && turn.progressed) {
                    continue;
                }
                let due = app.outbox.due(&turn.lane, now, BATCH).await?;
                turn.read = true;
                turn.full = due.len() as u32 >= BATCH;
                turn.progressed = false;
                turn.batch = due.into();
            }
            let Some(notice) = turn.batch.pop_front() else {
                continue;
            };
            // To the back of the line: every other lane has its turn first.
            self.lanes.push_back(turn);
            return Ok(Some(notice));
        }
        Ok(None)
    }

    /// The notice [`Turns::next`] handed out last was settled (its lane went last).
    fn progressed(&mut self) {
        if let Some(turn) = self.lanes.back_mut() {
            turn.progressed = true;
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
    let to = match recipient(app, notice, now).await? {
        Ok(to) => to,
        Err(why) => return settle_unsent(app, &key, notice, why, report).await,
    };
    let Some(email) = compose_email(app, &key, notice, now, &to, report).await? else {
        return Ok(Step::Done);
    };
    app.pacer.wait().await;
    let sent = app.mailer.send(&email).await;
    settle_send(app, key, notice, &to, now, sent, report).await
}

/// Whom a claimed notice is written to.
// One at a time, for the notice being sent: boxing the larger variant would save nothing.
#[allow(clippy::large_enum_variant)]
enum Recipient {
    Registrant {
        /// The notice's kind, or for a request for a link again the link that registration
        /// gets now.
        kind: MessageKind,
        event: Event,
        registration: Registration,
        person: Person,
    },
    /// An organiser who asked for a sign-in link, in the language they asked in.
    Organiser {
        organiser: Organiser,
        language: Language,
    },
}

impl Recipient {
    fn email(&self) -> &Email {
        match self {
            Self::Registrant { person, .. } => &person.email,
            Self::Organiser { organiser, .. } => &organiser.email,
        }
    }

    /// The kind of email it gets for `notice`.
    fn kind(&self, notice: &Notice) -> MessageKind {
        match self {
            Self::Registrant { kind, .. } => *kind,
            Self::Organiser { .. } => notice.kind,
        }
    }

    /// A registrant's recipient, unless the person was erased (nobody to write to).
    fn registrant(kind: MessageKind, event: Event, registration: Registration) -> Option<Self> {
        let person = registration.person.clone()?;
        Some(Self::Registrant {
            kind,
            event,
            registration,
            person,
        })
    }
}

/// The notice's recipient, or why it goes to nobody: its registration or event is gone, the
/// person was erased, an address asking to sign in is no organiser's, or the address is
/// suppressed.
async fn recipient(
    app: &App,
    notice: &Notice,
    now: Timestamp,
) -> Result<Result<Recipient, Unsent>, StoreError> {
    let to = match &notice.to {
        Addressee::Registrant {
            event_id,
            registration_id,
        } => {
            let reg = app
                .registrations
                .registration(event_id, registration_id)
                .await?;
            let event = app.events.event(event_id).await?;
            let to = reg.zip(event).and_then(|(reg, event)| {
                Recipient::registrant(notice.kind, event, reg.registration)
            });
            match to {
                Some(to) => to,
                None => return Ok(Err(Unsent::Skipped)),
            }
        }
        Addressee::HolderOf { event_id, email } => {
            // Here, off the request path, is where a stranger's request for a link ends.
            let held = registrant::holder(app.registrations.as_ref(), event_id, email, now).await?;
            let event = app.events.event(event_id).await?;
            let to = held
                .zip(event)
                .and_then(|(r, event)| Recipient::registrant(registrant::link_kind(&r), event, r));
            match to {
                Some(to) => to,
                None => return Ok(Err(Unsent::Skipped)),
            }
        }
        Addressee::Address { email, language } => {
            // Here, off the request path, is where a stranger's request ends: settled, unsent.
            match signin::recipient(app.directory.as_ref(), email).await? {
                Some(organiser) => Recipient::Organiser {
                    organiser,
                    language: *language,
                },
                None => return Ok(Err(Unsent::Skipped)),
            }
        }
    };
    if app.suppressions.is_suppressed(to.email()).await? {
        return Ok(Err(Unsent::Suppressed));
    }
    Ok(Ok(to))
}

/// The notice's email, or `None` when its template fails (settled as failed). A store error
/// puts the notice back for a retry after the first back-off and is returned.
async fn compose_email(
    app: &App,
    key: &MessageKey,
    notice: &Notice,
    now: Timestamp,
    to: &Recipient,
    report: &mut Report,
) -> Result<Option<OutgoingEmail>, StoreError> {
    let composed = match to {
        Recipient::Registrant {
            kind,
            event,
            registration,
            person,
        } => compose::transactional(app, key, *kind, event, registration, person).await,
        Recipient::Organiser {
            organiser,
            language,
        } => compose::sign_in(app, key, organiser, *language).await,
    };
    match composed {
        Ok(e) => Ok(Some(e)),
        Err(ComposeError::Store(e)) => {
            app.outbox
                .retry(
                    key,
                    Some(notice),
                    now.saturating_add(back_off(0)).unwrap_or(now),
                )
                .await?;
            Err(e)
        }
        Err(ComposeError::Template(why)) => {
            tracing::error!(kind = notice.kind.code(), %why, "a message could not be composed");
            settle_unsent(app, key, notice, Unsent::Failed, report).await?;
            Ok(None)
        }
    }
}

/// Records what the mail service said: sent, throttled (the same attempt later), unavailable
/// (retried with back-off until the last attempt) or failed for good.
async fn settle_send(
    app: &App,
    key: MessageKey,
    notice: &Notice,
    to: &Recipient,
    now: Timestamp,
    sent: Result<SendReceipt, MailError>,
    report: &mut Report,
) -> Result<Step, StoreError> {
    match sent {
        Ok(_) => {
            let event_id = notice.event();
            app.outbox
                .sent(&key, Some(notice), None, event_id, app.clock.now())
                .await?;
            let registration_id = match to {
                Recipient::Registrant { registration, .. } => Some(registration.id.clone()),
                Recipient::Organiser { .. } => None,
            };
            report.sent.push(SentSummary {
                kind: to.kind(notice).code(),
                key,
                registration_id,
                event_id: event_id.map(ToString::to_string),
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
            settle_unsent(app, &key, notice, Unsent::Failed, report).await
        }
    }
}

/// Settles a notice that will not be sent and counts it under its reason.
async fn settle_unsent(
    app: &App,
    key: &MessageKey,
    notice: &Notice,
    why: Unsent,
    report: &mut Report,
) -> Result<Step, StoreError> {
    app.outbox
        .settle(key, Some(notice), notice.event(), why)
        .await?;
    match why {
        Unsent::Skipped => report.skipped += 1,
        Unsent::Suppressed => report.suppressed += 1,
        Unsent::Failed => report.failed += 1,
    }
    Ok(Step::Done)
}
