//! Domain types. Each is built only by parsing, so a value in hand is a valid value; storage and
//! mail take only these types.

mod announcement;
mod audit;
mod client;
mod codes;
mod country;
mod email;
mod event;
pub mod fields;
pub mod form;
mod ids;
mod join;
mod language;
mod material;
mod organiser;
mod participation;
mod programme;
mod registration;
pub mod tally;
mod text;
mod upload;

pub use announcement::{Announcement, AnnouncementSummary, Audience, announcement_text};
pub use audit::{AUDIT_RETENTION, AuditEntry, AuditScope};
pub use client::ClientAddress;
pub use country::CountryCode;
pub use email::{Email, EmailError};
pub use event::{
    Category, Contact, Eligibility, Event, EventFormat, Link, MAX_EVENT_DAYS, MAX_LINKS,
    RegistrationWindow, ReminderOffset, Visibility, Zone,
};
pub use fields::{FieldError, FieldErrors, Fields};
pub use form::{Answer, Answers, Asked, Question, QuestionKind};
pub use ids::{EventId, RegistrationId, Slug};
pub use join::JoinInfo;
pub use language::Language;
pub use material::{MAX_MATERIALS, Material, MaterialKind, UrlPolicy};
pub use organiser::{
    Actor, DEFAULT_TOKEN_LIFETIME, Duty, MAX_TOKEN_LIFETIME, Member, MemberRequest, Organiser,
    OrganiserRequest, Role, SESSION_LIFETIME, SIGN_IN_LINK_LIFETIME, SignInRequest, TokenRequest,
    Via,
};
pub use participation::{InPerson, Participation, Pool, Seating, Venue};
pub use programme::{
    Change, ChangeKind, MAX_SESSIONS, MAX_SPEAKERS, Programme, Publication, PublishRefusal,
    Session, SessionKind, SessionSpeaker, Speaker, changes,
};
pub use registration::{
    APPLICATION_FIELDS, Amendment, Application, ApplicationError, CONFIRMATION_WINDOW, JoinUse,
    NotificationChoices, Person, Registration, Status, TokenKeys,
};
pub use text::{Line, Paragraph, is_bidi_control};
pub use upload::{
    FILE_TYPES, Filename, MAX_FILENAME_CHARS, MAX_UPLOAD_BYTES, Upload, UploadRequest,
};
