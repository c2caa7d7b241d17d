//! What a registrant does: signs up and confirms ([`signup`]), opens, amends and cancels their
//! registration and unsubscribes ([`account`]), and reaches the meeting ([`join`]).

mod account;
mod calendar;
mod join;
mod signup;

pub use account::{AuthError, MANAGE_TOKEN_DAYS_AFTER_EVENT, UnsubscribeError};
pub use calendar::CalendarFeedError;
pub use join::{FollowError, JoinError, calendar_join};
pub use signup::{
    ConfirmError, EMAILS_PER_ADDRESS_PER_HOUR, Intake, MAIL_BACKLOG_RETRY_AFTER,
    REGISTRATIONS_PER_EVENT_PER_MINUTE, RegisterError, holder, link_kind, mail_backlog_per_event,
    registrations_per_event_per_minute,
};
