//! Announcements: the organiser's message, per language with English as the fall-back, to the
//! chosen audience.

use plenary::domain::Registration;
use plenary::mail::templates::Content;
use plenary::mail::{FanoutKeys, MessageKind};
use plenary::store::{SentTally, StoreError};
use plenary::usecases::mail::Recipients;

use crate::fanout::{self, Fanout, Outcome};
use crate::{App, Run};

pub(crate) async fn send(app: &App, run: &mut Run) -> Result<(), StoreError> {
    for a in app.jobs.open_announcements().await? {
        let Some(event) = app.events.event(&a.event_id).await? else {
            app.jobs.close_announcement(&a).await?;
            continue;
        };
        let content = |_: &App, r: &Registration, _manage: String| {
            let (subject, body) = a.text(r.language);
            Content::Announcement {
                subject: subject.to_owned(),
                body: body.to_owned(),
            }
        };
        let f = Fanout {
            event: &event,
            keys: FanoutKeys::announcement(&a.id),
            kind: MessageKind::Announcement,
            recipients: Recipients::Announcement(a.audience),
            content: &content,
            attachments: &|_| Vec::new(),
            tally: Some(SentTally::announcement(&a.event_id, &a.id)),
        };
        match fanout::run(app, &f, run).await? {
            Outcome::Done => app.jobs.close_announcement(&a).await?,
            Outcome::Stopped => return Ok(()),
        }
    }
    Ok(())
}
