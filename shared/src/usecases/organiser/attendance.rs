//! Attendance: a use of a personal join link counts as attending on that day in the event's
//! zone. Who attended, when, and how many on each day.

use std::collections::BTreeMap;

use crate::domain::{Event, Status};
use crate::store::{RegistrationStore, StoreError};
use crate::views::{self, at};

use super::registrations::everyone;

/// `GET …/attendance`: every confirmed registrant, and anyone else whose link was used (a
/// registrant who joined and later cancelled still attended), in registration order; and each
/// day of the event (plus any other day a link was used) with how many of them attended it.
///
/// One read of the event's registrations (the partition's items, page by page, as the CSV
/// export reads them), never the whole table; the days come with each registration.
pub async fn attendance(
    store: &dyn RegistrationStore,
    event: &Event,
) -> Result<views::AttendanceView, StoreError> {
    let zone = &event.timezone;
    let mut days: BTreeMap<jiff::civil::Date, u64> =
        event.local_dates().into_iter().map(|d| (d, 0)).collect();
    let mut registrants = Vec::new();
    for r in everyone(store, &event.id).await? {
        let used = &r.join_use;
        if r.status != Status::Confirmed && !used.attended() {
            continue;
        }
        for d in &used.days {
            *days.entry(*d).or_default() += 1;
        }
        let person = r.person.as_ref();
        registrants.push(views::AttendeeView {
            registration_id: r.id.to_string(),
            given_name: person.map(|p| p.given_name.to_string()),
            family_name: person.map(|p| p.family_name.to_string()),
            email: person.map(|p| p.email.to_string()),
            status: r.status,
            joins: used.count,
            first_join_at: used.first_used_at.map(|t| at(zone, t)),
            last_join_at: used.last_used_at.map(|t| at(zone, t)),
            days: used.days.iter().map(ToString::to_string).collect(),
        });
    }
    Ok(views::AttendanceView {
        event_id: event.id.to_string(),
        timezone: zone.name().to_owned(),
        days: days
            .into_iter()
            .map(|(date, attended)| views::AttendanceDay {
                date: date.to_string(),
                attended,
            })
            .collect(),
        registrants,
    })
}
