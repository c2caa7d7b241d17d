//! An organiser's work on registrations: reviewing them (approve, reject, a new join link), and
//! reading them (pages with waiting-list places, every registration, the counts).

use std::collections::BTreeMap;

use jiff::Timestamp;

use crate::domain::tally::{self, Tally};
use crate::domain::{
    Event, EventId, Participation, Pool, QuestionKind, Registration, RegistrationId, Status,
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
            ch.save(event, Some(&s), &next)?
                .take_seat(&event.id, seating.pool, seating.capacity)
                .grant_join(&self.join_token(&next).hash(), &next)
                .notify(&self.notice(MessageKind::Approval, &next))?;
            let Some(email) = r.person.as_ref().map(|p| p.email.clone()) else {
                return Err(ChangeError::NotFound);
            };
            match self
                .seat_or_queue(ch, event, &s, next, &email, None)
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
            ch.save(&self.event_of(event).await?, Some(&s), &next)?
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
    each_page(store, event, |page| {
        all.extend(page);
        Ok::<_, StoreError>(())
    })
    .await?;
    Ok(all)
}

/// Every registration of the event, a page at a time, in the list's order: `each` takes each
/// page as it is read, so what it builds (the CSV export) never needs the whole event at once.
pub async fn each_page<E: From<StoreError>>(
    store: &dyn RegistrationStore,
    event: &EventId,
    mut each: impl FnMut(Vec<Registration>) -> Result<(), E>,
) -> Result<(), E> {
    let mut cursor = None;
    loop {
        let page = store.page(event, None, MAX_PAGE, cursor).await?;
        each(page.registrations)?;
        match page.next {
            Some(n) => cursor = Some(n),
            None => return Ok(()),
        }
    }
}

/// The event's counters. Those of an event made before counters were kept are recounted from
/// every registration, once: the recount is written if no change came in while it read, and
/// answers this read either way.
pub async fn counts(
    store: &dyn RegistrationStore,
    event: &Event,
    now: Timestamp,
) -> Result<Tally, StoreError> {
    let kept = store.tally(&event.id, now).await?;
    if kept.counted {
        return Ok(kept);
    }
    let all = everyone(store, &event.id).await?;
    let mut recount = Tally::of(event, &all);
    // Requests are not in the registrations: the count kept so far stays.
    let asked = kept.get(tally::ASKED_AGAIN);
    if asked > 0 {
        recount
            .main
            .insert(tally::ASKED_AGAIN.to_owned(), asked as i64);
    }
    store.put_tally(&event.id, &recount, &kept.seq).await?;
    Ok(recount)
}

/// The event's counts, from its counters (a few reads, however many registered). Unconfirmed
/// registrations past their window count as lapsed, not by status; categories, countries and
/// languages count live registrations only. Every registration counts on the day it was made in
/// the event's zone, so the days add up to `total`; lapsed ones stay counted there after the
/// table's TTL deletes them.
pub async fn stats(
    store: &dyn RegistrationStore,
    outbox: &dyn OutboxStore,
    event: &Event,
    now: Timestamp,
) -> Result<views::StatsView, StoreError> {
    let tally = counts(store, event, now).await?;
    let open = tally.open_at(now);
    let open_now = open.get(tally::OPEN).copied().unwrap_or(0);
    let by_status: BTreeMap<String, u64> = Status::ALL
        .iter()
        .map(|s| {
            let n = match s {
                Status::PendingConfirmation => open_now,
                _ => tally.get(&tally::status_counter(*s)),
            };
            (s.code().to_owned(), n)
        })
        .collect();
    let lapsed = tally
        .get(&tally::status_counter(Status::PendingConfirmation))
        .saturating_sub(open_now);
    let mut by_day: BTreeMap<String, u64> = BTreeMap::new();
    for (q, n) in &tally.made {
        let made = Timestamp::from_second(q * 900).unwrap_or(Timestamp::UNIX_EPOCH);
        *by_day
            .entry(event.timezone.at(made).date().to_string())
            .or_default() += (*n).max(0) as u64;
    }
    by_day.retain(|_, n| *n > 0);
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
    for (name, n) in tally.live(tally::ANSWER, &open) {
        let Some((id, option)) = name.split_once('#') else {
            continue;
        };
        if asked.question(id).is_some() && tally::counted(event, id) {
            *answers
                .entry(id.to_owned())
                .or_default()
                .entry(option.to_owned())
                .or_default() += n;
        }
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
    by_participation.extend(tally.live(tally::PARTICIPATION, &open));
    let seats = store.seats(&event.id, Pool::Event).await?;
    let in_person = match event.is_hybrid() {
        true => Some(views::RoomStatsView {
            capacity: event.seating(Some(Participation::InPerson)).capacity,
            seats_taken: store.seats(&event.id, Pool::InPerson).await?.taken,
        }),
        false => None,
    };
    let mail = outbox.mail_counts(&event.id).await?;
    Ok(views::StatsView {
        event_id: event.id.to_string(),
        total: by_day.values().sum(),
        by_status,
        lapsed_unconfirmed: lapsed,
        asked_again: tally.get(tally::ASKED_AGAIN),
        by_category: tally.live(tally::CATEGORY, &open),
        by_country: tally.live(tally::COUNTRY, &open),
        by_language: tally.live(tally::LANGUAGE, &open),
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
        attendance: views::AttendanceCounts {
            attended: tally.get(tally::ATTENDED),
            absent: tally.get(tally::ABSENT),
        },
        by_participation,
        in_person,
    })
}
