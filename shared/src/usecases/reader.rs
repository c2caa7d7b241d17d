//! What a reader of the public programme may see and ask for: which events are public, and
//! which versions a change list may span.

use crate::domain::{Event, EventId, FieldError, FieldErrors, Participation, Visibility};
use crate::store::{EventReader, RegistrationStore, StoreError};

/// May the public see `event`: a public or an unlisted one, yes; a draft, no. Every public route
/// asks this (the event, its programme in every shape, its speakers, registering and resending a
/// link), and answers a draft exactly as an event that does not exist.
///
/// A registrant's own routes (`/v1/registrations/me…`, `/v1/join/…`, unsubscribing, confirming
/// the emailed link) do not ask: they open one registration with its owner's token, not the event
/// by its id, so they reveal nothing to the public, and what a person registered is theirs to
/// read, change, cancel or erase even while the organiser has turned the event back into a draft.
pub fn may_see(event: &Event) -> bool {
    match event.visibility {
        Visibility::Public | Visibility::Unlisted => true,
        Visibility::Draft => false,
    }
}

/// Is `event` in `GET /v1/events`: only a public one; an unlisted one is reached by its link.
pub fn listed(event: &Event) -> bool {
    may_see(event) && event.visibility == Visibility::Public
}

/// The event `id` as the public may see it: `None` for a draft, as for an id no event has.
pub async fn public_event(
    events: &dyn EventReader,
    id: &EventId,
) -> Result<Option<Event>, StoreError> {
    Ok(events.event(id).await?.filter(may_see))
}

/// The events `GET /v1/events` lists, in id order.
pub async fn listed_events(events: &dyn EventReader) -> Result<Vec<Event>, StoreError> {
    let mut all = events.events().await?;
    all.retain(listed);
    Ok(all)
}

/// Seats left in each mode of a hybrid event (`None` in a mode: unlimited), for a form asking
/// "in person or remote"; other events ask nothing and cost no read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SeatsLeft {
    pub in_person: Option<u64>,
    pub remote: Option<u64>,
}

pub async fn seats_left(
    store: &dyn RegistrationStore,
    event: &Event,
) -> Result<Option<SeatsLeft>, StoreError> {
    if !event.is_hybrid() {
        return Ok(None);
    }
    let mut left = [None, None];
    for (slot, mode) in left
        .iter_mut()
        .zip([Participation::InPerson, Participation::Remote])
    {
        let seating = event.seating(Some(mode));
        if let Some(cap) = seating.capacity {
            let taken = store.seats(&event.id, seating.pool).await?.taken;
            *slot = Some(u64::from(cap).saturating_sub(taken));
        }
    }
    Ok(Some(SeatsLeft {
        in_person: left[0],
        remote: left[1],
    }))
}

/// The versions a change list spans: from `from` (0 is "before the first publication") to `to`
/// (the latest when absent), with `from` at most `to` and `to` a published version.
pub fn change_range(from: u32, to: Option<u32>, latest: u32) -> Result<(u32, u32), FieldErrors> {
    let to = to.unwrap_or(latest);
    let mut errors = Vec::new();
    if to > latest || to == 0 {
        errors.push(FieldError {
            field: "to".to_owned(),
            message: format!("must be from 1 to {latest}"),
        });
    }
    if from > to {
        errors.push(FieldError {
            field: "from".to_owned(),
            message: format!("must be at most {to}"),
        });
    }
    if errors.is_empty() {
        Ok((from, to))
    } else {
        Err(FieldErrors(errors))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn event(visibility: Visibility) -> Event {
        let body = serde_json::json!({"title": "W", "timezone": "Europe/Zurich",
            "starts_at": "2021-09-08T14:00:00+02:00", "ends_at": "2021-09-09T16:30:00+02:00",
            "visibility": visibility.code()});
        Event::parse(EventId::parse("ws").unwrap(), &body).unwrap()
    }

    #[test]
    fn the_public_sees_public_and_unlisted_events_and_lists_only_public_ones() {
        let seen = Visibility::ALL.map(|v| (v, may_see(&event(v)), listed(&event(v))));
        assert_eq!(
            seen,
            [
                (Visibility::Public, true, true),
                (Visibility::Unlisted, true, false),
                (Visibility::Draft, false, false),
            ]
        );
    }

    #[test]
    fn a_change_list_runs_forward_within_the_published_versions() {
        assert_eq!(change_range(0, None, 3), Ok((0, 3)));
        assert_eq!(change_range(1, Some(2), 3), Ok((1, 2)));
        assert_eq!(change_range(2, Some(2), 3), Ok((2, 2)));
        let fields = |r: Result<(u32, u32), FieldErrors>| {
            r.unwrap_err()
                .0
                .into_iter()
                .map(|e| e.field)
                .collect::<Vec<_>>()
        };
        assert_eq!(fields(change_range(3, Some(2), 3)), ["from"]);
        assert_eq!(fields(change_range(0, Some(4), 3)), ["to"]);
        assert_eq!(fields(change_range(5, Some(0), 3)), ["to", "from"]);
    }
}
