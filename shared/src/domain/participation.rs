//! Hybrid participation: a hybrid event's room has seats, a waiting list and a venue of its own
//! beside the event's (remote) ones, and each registration says which it takes.

use serde::{Deserialize, Serialize};

use super::codes::closed_list;
use super::fields::parse;
use super::{Event, EventFormat, Fields, Line, Paragraph};

closed_list! {
    /// How a registrant of a hybrid event takes part.
    pub enum Participation {
        InPerson => "in_person",
        Remote => "remote",
    }
}

/// Which seats and which waiting list a registration uses: the event's own (`capacity`,
/// `waitlist`; the remote ones of a hybrid event) or the room's of a hybrid event.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Pool {
    Event,
    InPerson,
}

impl Pool {
    /// The pool a registration's `participation` puts it in. Only hybrid events store a
    /// participation, so the pool follows from the registration alone (no read of the event)
    /// and stays the one its seat was taken from even if the event's format changes later.
    pub fn of(participation: Option<Participation>) -> Self {
        match participation {
            Some(Participation::InPerson) => Self::InPerson,
            _ => Self::Event,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Venue {
    pub name: Line<200>,
    pub address: Option<Paragraph<500>>,
}

impl Venue {
    /// One line for a reminder or a calendar's LOCATION: the name, then the address.
    pub fn one_line(&self) -> String {
        match &self.address {
            Some(a) => format!("{}, {}", self.name, a.as_str().replace('\n', ", ")),
            None => self.name.to_string(),
        }
    }
}

/// The room of a hybrid event.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InPerson {
    /// Seats in the room; `None` is unlimited.
    pub capacity: Option<u32>,
    pub waitlist: bool,
    pub venue: Option<Venue>,
}

/// The capacity and waiting list of one pool.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Seating {
    pub pool: Pool,
    pub capacity: Option<u32>,
    pub waitlist: bool,
}

pub const IN_PERSON_FIELDS: &[&str] = &["capacity", "waitlist", "venue"];

/// The organiser's `in_person` object: only for hybrid events (a hybrid event without it has
/// an unlimited room with no waiting list and no venue).
pub(crate) fn in_person(f: &mut Fields<'_>, format: EventFormat) -> Option<InPerson> {
    if format != EventFormat::Hybrid {
        if f.has("in_person") {
            f.error("in_person", "is only for hybrid events");
        }
        return None;
    }
    f.object("in_person", IN_PERSON_FIELDS, false, |r| {
        let capacity = r
            .optional("capacity", |v| parse::whole_number(v, 1, 1_000_000))
            .map(|n| n as u32);
        let waitlist = r.optional("waitlist", parse::boolean).unwrap_or(false);
        let venue = r.object("venue", &["name", "address"], false, |v| {
            let name = v.required("name", parse::with(Line::<200>::parse));
            let address = v.optional("address", parse::with(Paragraph::<500>::parse));
            Some(Venue {
                name: name?,
                address,
            })
        });
        Some(InPerson {
            capacity,
            waitlist,
            venue,
        })
    })
}

impl Event {
    pub fn is_hybrid(&self) -> bool {
        self.format == EventFormat::Hybrid
    }

    /// The seats a registration of `participation` takes.
    pub fn seating(&self, participation: Option<Participation>) -> Seating {
        match (Pool::of(participation), &self.in_person) {
            (Pool::InPerson, Some(room)) => Seating {
                pool: Pool::InPerson,
                capacity: room.capacity,
                waitlist: room.waitlist,
            },
            (Pool::InPerson, None) => Seating {
                pool: Pool::InPerson,
                capacity: None,
                waitlist: false,
            },
            (Pool::Event, _) => Seating {
                pool: Pool::Event,
                capacity: self.capacity,
                waitlist: self.waitlist,
            },
        }
    }

    /// The venue a registration of `participation` goes to, if the organiser named one.
    pub fn venue_for(&self, participation: Option<Participation>) -> Option<&Venue> {
        match participation {
            Some(Participation::InPerson) => self.in_person.as_ref()?.venue.as_ref(),
            _ => None,
        }
    }
}

/// The registration body's `participation`: required on a hybrid event (and stored); on any
/// other event absent or the one value its format allows, and not stored.
pub(crate) fn participation(f: &mut Fields<'_>, event: &Event) -> Option<Participation> {
    let given = f.optional("participation", parse::with(Participation::parse));
    match event.format {
        EventFormat::Hybrid => {
            if !f.has("participation") {
                f.error("participation", "is required: in_person or remote");
            }
            given
        }
        other => {
            let only = if other == EventFormat::InPerson {
                Participation::InPerson
            } else {
                Participation::Remote
            };
            if given.is_some_and(|p| p != only) {
                f.error(
                    "participation",
                    format!("this event is {}: only {only} is possible", code(other)),
                );
            }
            None
        }
    }
}

fn code(format: EventFormat) -> &'static str {
    match format {
        EventFormat::Virtual => "virtual",
        EventFormat::InPerson => "in_person",
        EventFormat::Hybrid => "hybrid",
    }
}

/// `PATCH /v1/registrations/me`'s `participation`: a switch, only on a hybrid event.
pub(crate) fn switch(f: &mut Fields<'_>, hybrid: bool) -> Option<Participation> {
    let given = f.optional("participation", parse::with(Participation::parse));
    if given.is_some() && !hybrid {
        f.error("participation", "can only be changed on a hybrid event");
        return None;
    }
    given
}
