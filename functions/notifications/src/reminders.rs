//! Reminders at each of the event's offsets before its start, to every confirmed registrant who
//! wants them and was confirmed by the reminder's moment; nothing once the event has started.
//!
//! A reminder is due by its moment, not from it: its fan-out starts early by the time its
//! recipients take at the send rate ([`lead`]), so the last message goes out by the offset.

use std::time::Duration;

use jiff::{SignedDuration, Timestamp};
use plenary::domain::{Event, Pool, Registration};
use plenary::mail::templates::Content;
use plenary::mail::{FanoutKeys, MessageKind};
use plenary::store::StoreError;
use plenary::usecases::mail::Recipients;

use crate::fanout::{self, Fanout, Outcome};
use crate::{App, Run, compose};

/// How often the schedule runs the job: a fan-out is planned at least this early, so a
/// scheduled run falls inside its window even when nothing else starts one.
pub const SCHEDULE_PERIOD: Duration = Duration::from_secs(5 * 60);

/// Room in the plan for the share of each run that transactional mail may take meanwhile
/// (`TRANSACTIONAL_SHARE`), and for the runs' own pauses.
const SLACK: f64 = 1.25;

/// The earliest a reminder is sent: a plan longer than a day (50,000 recipients at a sandbox's
/// one a second) would make "in 1 hour" arrive the day before; past it the reminder finishes
/// late instead, and the log says so.
pub const MAX_LEAD: Duration = Duration::from_secs(24 * 3600);

/// How long before its moment a reminder to `recipients` starts at `rate` messages a second:
/// their sending time with [`SLACK`], plus one [`SCHEDULE_PERIOD`], at most [`MAX_LEAD`].
pub fn lead(recipients: u64, rate: f64) -> Duration {
    let sending = if rate.is_finite() && rate > 0.0 {
        Duration::from_secs_f64(recipients as f64 / rate * SLACK)
    } else {
        Duration::ZERO
    };
    let lead = sending + SCHEDULE_PERIOD;
    if lead > MAX_LEAD {
        tracing::warn!(
            recipients,
            rate,
            "a reminder needs more than a day at the send rate: it will finish after its moment"
        );
    }
    lead.min(MAX_LEAD)
}

/// The offsets of `event` due at `now` when each starts `lead` before its moment, earliest due
/// first, each with its moment.
pub fn due(event: &Event, now: Timestamp, lead: Duration) -> Vec<(String, Timestamp)> {
    if now >= event.starts_at {
        return Vec::new();
    }
    let lead = SignedDuration::try_from(lead).unwrap_or(SignedDuration::MAX);
    let mut due: Vec<(String, Timestamp)> = event
        .reminders
        .iter()
        .filter_map(|o| {
            let at = o.due_before(event.starts_at, &event.timezone)?;
            (at.checked_sub(lead).unwrap_or(Timestamp::MIN) <= now)
                .then(|| (o.as_str().to_owned(), at))
        })
        .collect();
    due.sort_by_key(|(_, at)| *at);
    due
}

/// The lead of `event`'s reminders at `now`, from its confirmed registrants (every reminder's
/// recipients are among them) and the pacer's rate; None, with nothing read, while no
/// reminder can be due yet.
async fn planned_lead(
    app: &App,
    event: &Event,
    now: Timestamp,
) -> Result<Option<Duration>, StoreError> {
    if due(event, now, MAX_LEAD).is_empty() {
        return Ok(None);
    }
    let mut confirmed = 0;
    for pool in [Pool::Event, Pool::InPerson] {
        confirmed += app.registrations.seats(&event.id, pool).await?.taken;
    }
    Ok(Some(lead(confirmed, app.pacer.rate())))
}

pub(crate) async fn send(app: &App, run: &mut Run) -> Result<(), StoreError> {
    let now = run.now;
    for event in app.events.events().await? {
        let Some(lead) = planned_lead(app, &event, now).await? else {
            continue;
        };
        let due = due(&event, now, lead);
        let Some((latest, _)) = due.last().cloned() else {
            continue;
        };
        for (offset, at) in &due {
            let keys = FanoutKeys::reminder(&event.id, offset);
            if *offset != latest {
                // Overtaken by a later reminder (the job did not run at this one's moment):
                // a stale "in 7 days" an hour before the start would only mislead.
                fanout::close(app, &event, keys.job()).await?;
                continue;
            }
            let at = *at;
            let released = app
                .join_info
                .join_info(&event.id)
                .await?
                .filter(|i| i.is_released(now));
            let offset_text = offset.clone();
            // The content outlives this borrow of the event; the venue rule is the event's.
            let at_event = event.clone();
            let content =
                move |app: &App, r: &Registration, manage_url: String| Content::Reminder {
                    lead: String::new(),
                    offset: offset_text.clone(),
                    manage_url,
                    join_url: released.as_ref().map(|_| compose::join_url(app, r)),
                    passcode: released
                        .as_ref()
                        .and_then(|i| i.passcode.as_ref().map(ToString::to_string)),
                    venue: at_event.venue_for(r.participation).map(|v| v.one_line()),
                };
            let f = Fanout {
                event: &event,
                keys,
                kind: MessageKind::Reminder,
                recipients: Recipients::Reminder { at },
                content: &content,
                attachments: &|_| Vec::new(),
                tally: None,
            };
            if fanout::run(app, &f, run).await? == Outcome::Stopped {
                return Ok(());
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use plenary::domain::EventId;
    use serde_json::json;

    fn event() -> Event {
        Event::parse(
            EventId::parse("ws").unwrap(),
            &json!({"title": "W", "timezone": "Europe/Zurich",
                    "starts_at": "2021-09-08T14:00:00+02:00", "ends_at": "2021-09-09T16:30:00+02:00",
                    "reminders": ["P7D", "P1D", "PT1H"]}),
        )
        .unwrap()
    }

    fn at(s: &str) -> Timestamp {
        s.parse().unwrap()
    }

    #[test]
    fn offsets_fall_due_their_lead_before_their_moment_and_stop_at_the_start() {
        let e = event();
        let none = Duration::ZERO;
        assert!(due(&e, at("2021-08-31T11:59:59Z"), none).is_empty());
        let week = due(&e, at("2021-09-01T12:00:00Z"), none);
        assert_eq!(week, [("P7D".to_owned(), at("2021-09-01T12:00:00Z"))]);
        let hour = due(&e, at("2021-09-08T11:00:00Z"), none);
        assert_eq!(hour.last().unwrap().0, "PT1H");
        assert_eq!(hour.len(), 3);
        assert!(due(&e, at("2021-09-08T12:00:00Z"), none).is_empty());
        // Ten minutes' lead: due ten minutes early, with the same moment.
        let early = due(&e, at("2021-09-01T11:50:00Z"), Duration::from_secs(600));
        assert_eq!(early, [("P7D".to_owned(), at("2021-09-01T12:00:00Z"))]);
        assert!(due(&e, at("2021-09-01T11:49:59Z"), Duration::from_secs(600)).is_empty());
        // Still nothing once the event has started, whatever the lead.
        assert!(due(&e, at("2021-09-08T12:00:00Z"), MAX_LEAD).is_empty());
    }

    #[test]
    fn the_lead_is_the_sending_time_with_slack_plus_a_schedule_period_and_at_most_a_day() {
        // 50,000 at 14 a second take 3,571 s; with the slack 4,464 s; plus the period.
        assert_eq!(lead(50_000, 14.0).as_secs(), 4_464 + 300);
        assert_eq!(lead(0, 14.0), SCHEDULE_PERIOD);
        assert_eq!(lead(1_000_000, f64::INFINITY), SCHEDULE_PERIOD);
        assert_eq!(lead(100_000, 1.0), MAX_LEAD);
    }
}
