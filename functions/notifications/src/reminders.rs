//! Reminders at each of the event's offsets before its start, to every confirmed registrant who
//! wants them and was confirmed by the reminder's moment; nothing once the event has started.

use jiff::Timestamp;
use plenary::domain::{Event, Registration};
use plenary::mail::templates::Content;
use plenary::mail::{FanoutKeys, MessageKind};
use plenary::store::StoreError;
use plenary::usecases::mail::Recipients;

use crate::fanout::{self, Fanout, Outcome};
use crate::{App, Run, compose};

/// The offsets of `event` due at `now`, earliest due first, each with its moment.
pub fn due(event: &Event, now: Timestamp) -> Vec<(String, Timestamp)> {
    if now >= event.starts_at {
        return Vec::new();
    }
    let mut due: Vec<(String, Timestamp)> = event
        .reminders
        .iter()
        .filter_map(|o| {
            let at = o.due_before(event.starts_at, &event.timezone)?;
            (at <= now).then(|| (o.as_str().to_owned(), at))
        })
        .collect();
    due.sort_by_key(|(_, at)| *at);
    due
}

pub(crate) async fn send(app: &App, run: &mut Run) -> Result<(), StoreError> {
    let now = run.now;
    for event in app.events.events().await? {
        let due = due(&event, now);
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
    fn offsets_fall_due_at_their_moment_and_stop_at_the_start() {
        let e = event();
        assert!(due(&e, at("2021-08-31T11:59:59Z")).is_empty());
        let week = due(&e, at("2021-09-01T12:00:00Z"));
        assert_eq!(week, [("P7D".to_owned(), at("2021-09-01T12:00:00Z"))]);
        let hour = due(&e, at("2021-09-08T11:00:00Z"));
        assert_eq!(hour.last().unwrap().0, "PT1H");
        assert_eq!(hour.len(), 3);
        assert!(due(&e, at("2021-09-08T12:00:00Z")).is_empty());
    }
}
