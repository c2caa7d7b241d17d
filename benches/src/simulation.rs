//! Reminders at scale, simulated on tokio's paused clock: the job as deployed (a run every
//! five minutes with Lambda's 120 s, and the next run at once when one asks for it through the
//! stream), from 30 hours before an event's start until it, with SES recorded. The pacer and the
//! run's budget keep tokio's time, so an hour of sending takes seconds. Run it on a runtime
//! built with `start_paused(true)`. The `reminder-window` binary prints it for 50,000
//! recipients; `tests/reminder_window.rs` holds a smaller one to its windows.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use crate::{confirmed, event_json, notifications_app};
use async_trait::async_trait;
use jiff::{SignedDuration, Timestamp};
use plenary::Clock;
use plenary::domain::{Event, EventId};
use plenary::mail::{MailError, Mailer, OutgoingEmail, SendReceipt};
use plenary::store::{EventWriter, Query, Table, TableStore, keys};
use plenary_notifications::pace::Pacer;
use plenary_notifications::reminders;
use serde_json::json;

/// Lambda's timeout for the function (`infra/template.yaml`), less a little for the start.
const BUDGET: Duration = Duration::from_secs(118);
/// From a write to the stream's invocation (`MaximumBatchingWindowInSeconds`).
const STREAM_DELAY: Duration = Duration::from_secs(2);
const OFFSETS: [(&str, i64); 2] = [("P1D", 24 * 3600), ("PT1H", 3600)];

/// Wall time as the simulation runs it: `base` plus tokio's (paused) elapsed time.
struct PausedClock {
    base: Timestamp,
    start: tokio::time::Instant,
}

impl Clock for PausedClock {
    fn now(&self) -> Timestamp {
        let elapsed = SignedDuration::try_from(self.start.elapsed()).expect("in range");
        self.base.checked_add(elapsed).expect("in range")
    }
}

/// SES as far as the simulation needs it: each message's key and when it went.
struct Recorder {
    clock: Arc<PausedClock>,
    sent: Mutex<Vec<(String, Timestamp)>>,
}

#[async_trait]
impl Mailer for Recorder {
    async fn send(&self, m: &OutgoingEmail) -> Result<SendReceipt, MailError> {
        let mut sent = self.sent.lock().expect("not poisoned");
        sent.push((m.key.clone(), self.clock.now()));
        Ok(SendReceipt {
            message_id: format!("m{}", sent.len()),
        })
    }
}

async fn run_requests(table: &dyn Table) -> usize {
    let q = Query {
        pk: keys::RUN_PK.to_owned(),
        ..Query::default()
    };
    table.query_all(&q).await.expect("read").len()
}

/// One offset's reminders as they went.
#[derive(Debug)]
pub struct OffsetOutcome {
    pub offset: &'static str,
    pub sent: usize,
    /// Sent no earlier than the planned lead before the moment, and no later than the moment.
    pub inside: usize,
    pub duplicates: usize,
    pub lost: usize,
    /// Minutes before the moment the first and the last went.
    pub first_minutes: f64,
    pub last_minutes: f64,
    /// The most sent in one second.
    pub busiest_second: usize,
}

#[derive(Debug)]
pub struct Simulation {
    pub recipients: usize,
    pub rate: f64,
    pub lead: Duration,
    pub runs: usize,
    /// Runs started by the run before (through the stream) rather than by the schedule.
    pub asked: usize,
    pub offsets: Vec<OffsetOutcome>,
}

impl Simulation {
    /// Every reminder inside its window, none twice, none lost.
    pub fn all_in_time(&self) -> bool {
        self.offsets.iter().all(|o| {
            o.inside == self.recipients
                && o.sent == self.recipients
                && o.duplicates == 0
                && o.lost == 0
        })
    }
}

/// `n` confirmed registrants of an event with a one-day and a one-hour reminder, at `rate`.
pub async fn simulate(n: usize, rate: f64) -> Simulation {
    let mut body = event_json();
    body["reminders"] = json!(OFFSETS.map(|(o, _)| o));
    let event = Event::parse(EventId::parse("big-2030").expect("an id"), &body).expect("valid");
    let starts = event.starts_at;
    let begin = starts.checked_sub(SignedDuration::from_hours(30)).unwrap();
    let clock = Arc::new(PausedClock {
        base: begin,
        start: tokio::time::Instant::now(),
    });
    let table = crate::memory_table();
    let store = TableStore::new(table.clone());
    store.put_event(&event, begin).await.expect("stored");
    confirmed(&store, &event, n, begin).await;
    let recorder = Arc::new(Recorder {
        clock: clock.clone(),
        sent: Mutex::new(Vec::new()),
    });
    let app = notifications_app(&store, clock.clone(), recorder.clone(), Pacer::new(rate));
    let schedule = json!({"source": "aws.scheduler", "detail-type": "Scheduled Event"});

    let (mut runs, mut asked) = (0, 0);
    let mut next_tick = begin;
    while clock.now() < starts {
        let before = run_requests(table.as_ref()).await;
        plenary_notifications::triggers::handle(&app, schedule.clone(), BUDGET)
            .await
            .expect("the job runs");
        runs += 1;
        if run_requests(table.as_ref()).await > before {
            asked += 1;
            tokio::time::sleep(STREAM_DELAY).await;
            continue;
        }
        // Nothing asked for: the schedule's next tick (the function runs one at a time).
        while next_tick <= clock.now() {
            next_tick = next_tick.checked_add(SignedDuration::from_mins(5)).unwrap();
        }
        let wait = clock.now().duration_until(next_tick);
        tokio::time::sleep(Duration::try_from(wait).unwrap_or_default()).await;
    }

    let lead = reminders::lead(n as u64, rate);
    let lead_s = SignedDuration::try_from(lead).unwrap();
    let sent = recorder.sent.lock().expect("not poisoned").clone();
    let mut offsets = Vec::new();
    for (offset, before_start) in OFFSETS {
        let moment = starts
            .checked_sub(SignedDuration::from_secs(before_start))
            .unwrap();
        let opens = moment.checked_sub(lead_s).unwrap();
        let mine: Vec<&(String, Timestamp)> = sent
            .iter()
            .filter(|(k, _)| k.starts_with(&format!("reminder:{}:{offset}:", event.id)))
            .collect();
        let mut per: BTreeMap<&str, usize> = BTreeMap::new();
        for (k, _) in &mine {
            *per.entry(k.as_str()).or_default() += 1;
        }
        let duplicates: usize = per.values().map(|c| c - 1).sum();
        let lost = n - per.len();
        let inside = mine
            .iter()
            .filter(|(_, t)| *t >= opens && *t <= moment)
            .count();
        let first = mine.iter().map(|(_, t)| *t).min();
        let last = mine.iter().map(|(_, t)| *t).max();
        let minutes = |t: Option<Timestamp>| {
            t.map(|t| t.duration_until(moment).as_secs_f64() / 60.0)
                .unwrap_or(f64::NAN)
        };
        // The busiest second, against the rate (the bucket starts full: a burst of `rate`).
        let mut per_second: BTreeMap<i64, usize> = BTreeMap::new();
        for (_, t) in &mine {
            *per_second.entry(t.as_second()).or_default() += 1;
        }
        offsets.push(OffsetOutcome {
            offset,
            sent: mine.len(),
            inside,
            duplicates,
            lost,
            first_minutes: minutes(first),
            last_minutes: minutes(last),
            busiest_second: per_second.values().max().copied().unwrap_or(0),
        });
    }
    Simulation {
        recipients: n,
        rate,
        lead,
        runs,
        asked,
        offsets,
    }
}
