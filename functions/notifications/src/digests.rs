//! Programme-change digests: after a publication settles (no newer one for
//! [`MERGE_WINDOW`]), registrants who chose change notices get one message listing what changed
//! since the last digest, with a calendar attachment whose UIDs match `programme.ics` and whose
//! SEQUENCE is raised, so their calendars update. Publications close together merge into one.

use jiff::SignedDuration;
use plenary::domain::{Change, ChangeKind, Language, Registration, Session, changes};
use plenary::mail::templates::{self, ChangeLine, Content};
use plenary::mail::{Attachment, FanoutKeys, MessageKind};
use plenary::store::StoreError;
use plenary::usecases::mail::Recipients;

use crate::fanout::{self, Fanout, Outcome};
use crate::{App, Run};

/// Publications closer together than this go out as one digest.
pub const MERGE_WINDOW: SignedDuration = SignedDuration::from_mins(10);

fn when(s: &Session, zone: &jiff::tz::TimeZone, language: Language) -> String {
    let start = templates::format_instant(s.starts_at, zone, language);
    let end = s
        .ends_at
        .to_zoned(zone.clone())
        .strftime("%H:%M")
        .to_string();
    format!("{start}–{end}")
}

pub fn lines(changes: &[Change], zone: &jiff::tz::TimeZone, language: Language) -> Vec<ChangeLine> {
    changes
        .iter()
        .map(|c| ChangeLine {
            change: c.change,
            title: c.title.clone(),
            before: match c.change {
                ChangeKind::Added => None,
                _ => c.before.as_ref().map(|s| when(s, zone, language)),
            },
            after: match c.change {
                ChangeKind::Removed => None,
                _ => c.after.as_ref().map(|s| when(s, zone, language)),
            },
        })
        .collect()
}

pub(crate) async fn send(app: &App, run: &mut Run) -> Result<(), StoreError> {
    let now = run.now;
    for pending in app.jobs.pending_digests().await? {
        let settled = pending
            .published_at
            .checked_add(MERGE_WINDOW)
            .is_ok_and(|t| t <= now);
        if !settled {
            continue;
        }
        let (Some(event), Some(new)) = (
            app.events.event(&pending.event_id).await?,
            app.programme
                .version(&pending.event_id, pending.version)
                .await?,
        ) else {
            continue;
        };
        let old = match pending.digested {
            0 => None,
            n => app.programme.version(&event.id, n).await?,
        };
        let empty = plenary::domain::Programme::default();
        let list = changes(
            old.as_ref().map_or(&empty, |p| &p.programme),
            &new.programme,
        );
        if list.is_empty() {
            app.jobs.digest_sent(&event.id, new.version).await?;
            continue;
        }
        let ics = plenary::calendar::changes_ics(
            &event,
            &new,
            old.as_ref(),
            &list,
            app.site_url.as_str(),
        );
        let programme_url = format!("{}/events/{}", app.site_url, event.id);
        let zone = event.timezone.tz().clone();
        let content = |_: &App, r: &Registration, _manage: String| Content::ProgrammeChanges {
            changes: lines(&list, &zone, r.language),
            programme_url: programme_url.clone(),
        };
        let f = Fanout {
            event: &event,
            keys: FanoutKeys::digest(&event.id, new.version),
            kind: MessageKind::ProgrammeChanges,
            recipients: Recipients::Digest,
            content: &content,
            attachments: vec![Attachment {
                filename: format!("{}-changes.ics", event.id),
                content_type: "text/calendar; method=PUBLISH; charset=utf-8".to_owned(),
                content: ics.into_bytes(),
            }],
            tally: None,
        };
        match fanout::run(app, &f, run).await? {
            Outcome::Done => app.jobs.digest_sent(&event.id, new.version).await?,
            Outcome::Stopped => return Ok(()),
        }
    }
    Ok(())
}
