//! What an organiser does: publishes the programme ([`events`]), reviews and reads
//! registrations ([`registrations`]), and announces ([`announcements`]); who attended ([`attendance`]); who may do which of
//! these ([`access`]), and the people themselves: organisers, teams, sessions and personal
//! tokens ([`people`]), and signing in by emailed link ([`signin`]); files to upload ([`uploads`]).

pub mod access;
pub mod announcements;
pub mod attendance;
pub mod audit;
pub mod events;
pub mod people;
pub mod registrations;
pub mod signin;
pub mod uploads;
