//! The organiser's reads of what they wrote: the event, the join details, the announcements,
//! and what publishing the draft would do.

use ::http::StatusCode;
use plenary::domain::EventId;
use plenary::http::{self, Problem, Response};
use plenary::usecases::organiser::events;
use plenary::views;

use super::{App, existing_event};

pub async fn event(app: &App, raw_id: &str) -> Result<Response, Problem> {
    let id = EventId::parse(raw_id).map_err(|_| Problem::not_found("the event"))?;
    let (event, written) = app
        .events
        .event_written(&id)
        .await?
        .ok_or_else(|| Problem::not_found("the event"))?;
    Ok(http::private(http::json(&views::OrganiserEventView::of(
        &event, &written,
    ))))
}

pub async fn join_info(app: &App, raw_id: &str) -> Result<Response, Problem> {
    let event = existing_event(app, raw_id).await?;
    let info = app.join_info.join_info(&event.id).await?.ok_or_else(|| {
        Problem::new(
            StatusCode::NOT_FOUND,
            "join-info-not-set",
            "No connection details yet",
        )
        .detail("the event's connection details have not been set: PUT …/join-info first")
    })?;
    Ok(http::private(http::json(&views::JoinInfoView::of(
        &info,
        app.clock.now(),
    ))))
}

pub async fn announcements(app: &App, raw_id: &str) -> Result<Response, Problem> {
    let event = existing_event(app, raw_id).await?;
    let listed = app.jobs.announcements(&event.id).await?;
    Ok(http::private(http::json(&views::AnnouncementList {
        announcements: listed
            .iter()
            .map(|a| views::AnnouncementView::of(&a.summary, a.sent))
            .collect(),
    })))
}

pub async fn draft_changes(app: &App, raw_id: &str) -> Result<Response, Problem> {
    let event = existing_event(app, raw_id).await?;
    let p = events::preview(
        app.programme.as_ref(),
        app.programme_writer.as_ref(),
        app.registrations.as_ref(),
        &event,
        app.clock.now(),
    )
    .await?;
    let changes = p
        .changes
        .iter()
        .map(|c| views::ChangeView::of(c, &p.previous, &p.draft, &event.timezone))
        .collect();
    Ok(http::private(http::json(&views::DraftChanges {
        changes: views::ChangeList {
            from: p.from,
            to: p.to,
            changes,
        },
        notified: p.notified,
    })))
}
