//! Domain types. Each is built only by parsing, so a value in hand is a valid value; storage and
//! mail take only these types.

mod announcement;
mod country;
mod email;
mod event;
pub mod fields;
mod ids;
mod join;
mod language;
mod programme;
mod registration;
mod text;

pub use announcement::{Announcement, AnnouncementSummary, Audience};
pub use country::CountryCode;
pub use email::{Email, EmailError};
pub use event::{
    Category, Contact, Eligibility, Event, EventFormat, MAX_EVENT_DAYS, RegistrationWindow,
    ReminderOffset, Zone,
};
pub use fields::{FieldError, FieldErrors, Fields};
pub use ids::{EventId, RegistrationId, Slug};
pub use join::JoinInfo;
pub use language::Language;
pub use programme::{
    Change, ChangeKind, MAX_SESSIONS, MAX_SPEAKERS, Programme, Publication, PublishRefusal,
    Session, SessionKind, SessionSpeaker, Speaker, changes,
};
pub use registration::{
    APPLICATION_FIELDS, Amendment, Application, ApplicationError, CONFIRMATION_WINDOW, JoinUse,
    NotificationChoices, Person, Registration, Status,
};
pub use text::{Line, Paragraph};
