//! Programme-change digests: after a publication settles (no newer one for
//! [`MERGE_WINDOW`]), registrants who chose change notices get one message listing what changed
//! since the last digest, with a calendar attachment whose UIDs match `programme.ics` and whose
//! SEQUENCE is raised, so their calendars update. Publications close together merge into one.
//! Each recipient is told what changed since the version they last saw (registered after, or
//! the last digest), and their attachment carries their join details as their personal calendar
//! does.

use std::collections::BTreeMap;

use jiff::{SignedDuration, Timestamp};
use plenary::calendar::Organizer;
use plenary::domain::{Change, ChangeKind, Language, Programme, Registration, Session, changes};
use plenary::mail::templates::{self, ChangeLine, Content};
use plenary::mail::{Attachment, FanoutKeys, MessageKind};
use plenary::store::StoreError;
use plenary::usecases::mail::{self, Recipients};
use plenary::usecases::registrant::calendar_join;

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
            new_materials: c
                .new_materials()
                .iter()
                .map(|m| m.title.to_string())
                .collect(),
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
        // Every version a recipient may have seen last: the one the last digest went out for,
        // and each published since, before this one.
        let mut bases = BTreeMap::new();
        for v in pending.digested..new.version {
            let old = match v {
                0 => None,
                n => app.programme.version(&event.id, n).await?,
            };
            let empty = Programme::default();
            let list = changes(
                old.as_ref().map_or(&empty, |p| &p.programme),
                &new.programme,
            );
            bases.insert(v, (old, list));
        }
        let told_since_last = bases.get(&pending.digested).map(|(_, l)| l.is_empty());
        if told_since_last != Some(false) {
            app.jobs.digest_sent(&event.id, new.version).await?;
            continue;
        }
        let published: Vec<(u32, Timestamp)> = bases
            .values()
            .filter_map(|(old, _)| old.as_ref().map(|p| (p.version, p.published_at)))
            .collect();
        let since = |r: &Registration| {
            let base = mail::digest_since(r, pending.digested, &published);
            bases.get(&base).or_else(|| bases.get(&pending.digested))
        };
        let join_info = app.join_info.join_info(&event.id).await?;
        let organizer = match &event.contact {
            Some(c) => Organizer {
                name: c.name.as_str().to_owned(),
                email: c.email.to_string(),
            },
            None => Organizer {
                name: app.sender_name.clone(),
                email: app.sender.to_string(),
            },
        };
        let programme_url = format!("{}/events/{}", app.site_url, event.id);
        let zone = event.timezone.tz().clone();
        let content = |_: &App, r: &Registration, _manage: String| Content::ProgrammeChanges {
            changes: since(r).map_or_else(Vec::new, |(_, l)| lines(l, &zone, r.language)),
            programme_url: programme_url.clone(),
        };
        // Built per recipient with their join details, as their personal calendar has them.
        let attachments = |r: &Registration| {
            let Some((old, list)) = since(r) else {
                return Vec::new();
            };
            let join = calendar_join(
                r,
                join_info.as_ref(),
                now,
                &app.join_key,
                app.api_url.as_str(),
            );
            let venue = event.venue_for(r.participation).map(|v| v.one_line());
            let ics = plenary::calendar::changes_ics_at(
                &event,
                &new,
                old.as_ref(),
                list,
                (join.as_ref(), venue.as_deref()),
                &organizer,
                app.site_url.as_str(),
            );
            vec![Attachment {
                filename: format!("{}-changes.ics", event.id),
                content_type: "text/calendar; method=PUBLISH; charset=utf-8".to_owned(),
                content: ics.into_bytes(),
            }]
        };
        let f = Fanout {
            event: &event,
            keys: FanoutKeys::digest(&event.id, new.version),
            kind: MessageKind::ProgrammeChanges,
            recipients: Recipients::Digest {
                published_at: new.published_at,
            },
            content: &content,
            attachments: &attachments,
            tally: None,
        };
        match fanout::run(app, &f, run).await? {
            Outcome::Done => app.jobs.digest_sent(&event.id, new.version).await?,
            Outcome::Stopped => return Ok(()),
        }
    }
    Ok(())
}
