//! What an organiser does: publishes the programme ([`events`]), reviews and reads
//! registrations ([`registrations`]), and announces ([`announcements`]).

pub mod announcements;
pub mod events;
pub mod registrations;
