//! An organiser's work on registrations: reviewing them (approve, reject, a new join link), and
//! reading them (pages with waiting-list places, every registration, the counts).

use std::collections::BTreeMap;

use jiff::Timestamp;

use crate::domain::{
    Answer, Event, EventId, Participation, Pool, QuestionKind, Registration, RegistrationId, Status,
};
use crate::mail::MessageKind;
use crate::store::{Change, CommitError, OutboxStore, RegistrationStore, StoreError};
use crate::views;

use super::super::registrar::{ChangeError, Registrar, Seen};
use super::super::retry::Attempts;
use super::super::seats::{Ending, Seated};

/// The longest page of registrations one read returns.
pub const MAX_PAGE: u32 = 500;

impl Registrar<'_> {
    /// Organiser approval of a `pending_approval` registration: a seat if one is free, else the
    /// waiting list when the event has one.
    pub async fn approve(&self, event: &Event, id: &RegistrationId) -> Result<Seen, ChangeError> {
        let mut attempts = Attempts::default();
        loop {
            attempts.next()?;
            let s = self.stored(&event.id, id).await?;
            let r = &s.registration;
            if r.status != Status::PendingApproval {
                return Err(ChangeError::WrongStatus(r.status));
            }
            let now = self.now();
            let mut next = r.clone();
            next.status = Status::Confirmed;
            next.updated_at = now;
            next.confirmed_at = Some(now);
            let mut ch = Change::new();
            let seating = event.seating(r.participation);
            ch.save(&next, s.rev)?
                .take_seat(&event.id, seating.pool, seating.capacity)
                .grant_join(&self.join_token(&next).hash(), &next)
                .notify(&self.notice(MessageKind::Approval, &next))?;
            let Some(email) = r.person.as_ref().map(|p| p.email.clone()) else {
                return Err(ChangeError::NotFound);
            };
            match self
                .seat_or_queue(ch, &s, next, seating, &email, None)
                .await?
            {
                Seated::Yes(seen) => return Ok(*seen),
                Seated::Full => return Err(ChangeError::Full),
                Seated::Retry => attempts.failed(),
            }
        }
    }

    /// Organiser rejection of a live registration (409 `wrong-status` for one that has ended);
    /// its seat or place passes on, and the registrant is told.
    pub async fn reject(&self, event: &EventId, id: &RegistrationId) -> Result<Seen, ChangeError> {
        let s = self.stored(event, id).await?;
        self.end(s, Ending::Rejected).await?;
        let s = self.stored(event, id).await?;
        Ok(self.seen(s).await?)
    }

    /// Revokes the personal join link (the old one answers 410) and emails a new one.
    pub async fn revoke_join(
        &self,
        event: &EventId,
        id: &RegistrationId,
    ) -> Result<Seen, ChangeError> {
        let mut attempts = Attempts::default();
        loop {
            attempts.next()?;
            let s = self.stored(event, id).await?;
            if s.registration.status != Status::Confirmed {
                return Err(ChangeError::WrongStatus(s.registration.status));
            }
            let mut next = s.registration.clone();
            next.join_generation += 1;
            next.updated_at = self.now();
            let mut ch = Change::new();
            ch.save(&next, s.rev)?
                .grant_join(&self.join_token(&next).hash(), &next)
                .notify(&self.notice(MessageKind::JoinLink, &next))?;
            match self.store.commit(ch).await {
                Ok(()) => {
                    return Ok(self.seen_saved(next, s.rev).await?);
                }
                Err(CommitError::Conflict(_)) => attempts.failed(),
                Err(CommitError::Store(e)) => return Err(e.into()),
            }
        }
    }
}

/// One page of an event's registrations, each with its waiting-list place.
pub struct Page {
    pub registrations: Vec<Seen>,
    pub next_cursor: Option<RegistrationId>,
}

/// A page of registrations in creation order, optionally of one status. One read of the queue
/// places everyone waiting on the page (not one count per person), and the places shown are of
/// one moment.
pub async fn page(
    store: &dyn RegistrationStore,
    event: &EventId,
    status: Option<Status>,
    limit: u32,
    cursor: Option<RegistrationId>,
) -> Result<Page, StoreError> {
    let page = store.page(event, status, limit, cursor).await?;
    // One read of each queue someone on the page waits in.
    let mut queues: BTreeMap<Pool, Vec<u64>> = BTreeMap::new();
    for r in &page.registrations {
        if r.status == Status::Waitlisted && !queues.contains_key(&r.pool()) {
            queues.insert(r.pool(), store.waiting_tickets(event, r.pool()).await?);
        }
    }
    let registrations = page
        .registrations
        .into_iter()
        .map(|r| {
            let position = match (r.status, r.waitlist_ticket, queues.get(&r.pool())) {
                (Status::Waitlisted, Some(t), Some(queue)) => {
                    Some(queue.partition_point(|q| *q <= t) as u64)
                }
                _ => None,
            };
            Seen {
                registration: r,
                waitlist_position: position,
            }
        })
        .collect();
    Ok(Page {
        registrations,
        next_cursor: page.next,
    })
}

/// Every registration of `event`, in creation order.
pub async fn everyone(
    store: &dyn RegistrationStore,
    event: &EventId,
) -> Result<Vec<Registration>, StoreError> {
    let mut all = Vec::new();
    let mut cursor = None;
    loop {
        let page = store.page(event, None, MAX_PAGE, cursor).await?;
        all.extend(page.registrations);
        match page.next {
            Some(n) => cursor = Some(n),
            None => return Ok(all),
        }
    }
}

/// The event's counts. Unconfirmed registrations past their window count as lapsed, not by
/// status; categories, countries and languages count live registrations only. Every
/// registration counts on the day it was made in the event's zone, so the days add up to `total`.
pub async fn stats(
    store: &dyn RegistrationStore,
    outbox: &dyn OutboxStore,
    event: &Event,
    now: Timestamp,
) -> Result<views::StatsView, StoreError> {
    let all = everyone(store, &event.id).await?;
    let mut by_status: BTreeMap<&str, u64> = Status::ALL.iter().map(|s| (s.code(), 0)).collect();
    let mut by_category: BTreeMap<&str, u64> = BTreeMap::new();
    let mut by_country: BTreeMap<String, u64> = BTreeMap::new();
    let mut by_language: BTreeMap<&str, u64> = BTreeMap::new();
    let mut by_day: BTreeMap<String, u64> = BTreeMap::new();
    let asked = event.asked();
    // Every option of the form's counted questions shows, answered or not.
    let mut answers: BTreeMap<String, BTreeMap<String, u64>> = BTreeMap::new();
    for q in &event.questions {
        let counts = match q.kind {
            QuestionKind::Boolean => ["true", "false"].map(|k| (k.to_owned(), 0)).into(),
            QuestionKind::Choice | QuestionKind::Choices => {
                q.options.iter().map(|o| (o.id.to_string(), 0)).collect()
            }
            _ => continue,
        };
        answers.insert(q.id.to_string(), counts);
    }
    // A hybrid event shows both modes, taken or not.
    let mut by_participation: BTreeMap<String, u64> = if event.is_hybrid() {
        Participation::ALL
            .iter()
            .map(|p| (p.code().to_owned(), 0))
            .collect()
    } else {
        BTreeMap::new()
    };
    let mut lapsed = 0;
    let (mut attended, mut absent) = (0, 0);
    for r in &all {
        let day = event.timezone.at(r.created_at).date().to_string();
        *by_day.entry(day).or_default() += 1;
        if r.is_expired(now) {
            lapsed += 1;
            continue;
        }
        *by_status.entry(r.status.code()).or_default() += 1;
        if r.status == Status::Confirmed {
            match r.join_use.attended() {
                true => attended += 1,
                false => absent += 1,
            }
        }
        if r.status.is_live() {
            *by_category.entry(r.category.code()).or_default() += 1;
            *by_country.entry(r.country.to_string()).or_default() += 1;
            *by_language.entry(r.language.code()).or_default() += 1;
            if let Some(p) = r.participation {
                *by_participation.entry(p.code().to_owned()).or_default() += 1;
            }
            let given = r.person.as_ref().map(|p| p.answers.iter());
            for (id, a) in given.into_iter().flatten() {
                let counted = asked.question(id).is_some_and(|q| {
                    matches!(
                        q.kind,
                        QuestionKind::Boolean | QuestionKind::Choice | QuestionKind::Choices
                    )
                });
                if !counted {
                    continue;
                }
                let counts = answers.entry(id.to_owned()).or_default();
                match a {
                    Answer::Flag(b) => *counts.entry(b.to_string()).or_default() += 1,
                    Answer::One(o) => *counts.entry(o.clone()).or_default() += 1,
                    Answer::Many(list) => {
                        for o in list {
                            *counts.entry(o.clone()).or_default() += 1;
                        }
                    }
                }
            }
        }
    }
    let seats = store.seats(&event.id, Pool::Event).await?;
    let in_person = match event.is_hybrid() {
        true => Some(views::RoomStatsView {
            capacity: event.seating(Some(Participation::InPerson)).capacity,
            seats_taken: store.seats(&event.id, Pool::InPerson).await?.taken,
        }),
        false => None,
    };
    let mail = outbox.mail_counts(&event.id).await?;
    let own = |m: BTreeMap<&str, u64>| m.into_iter().map(|(k, v)| (k.to_owned(), v)).collect();
    Ok(views::StatsView {
        event_id: event.id.to_string(),
        total: all.len() as u64,
        by_status: own(by_status),
        lapsed_unconfirmed: lapsed,
        by_category: own(by_category),
        by_country,
        by_language: own(by_language),
        registrations_by_day: by_day,
        capacity: event.capacity,
        seats_taken: seats.taken,
        emails: views::MailCountsView {
            queued: mail.queued,
            sent: mail.sent,
            failed: mail.failed,
            suppressed: mail.suppressed,
        },
        answers,
        attendance: views::AttendanceCounts { attended, absent },
        by_participation,
        in_person,
    })
}
