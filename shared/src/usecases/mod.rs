//! Use cases: every rule of Plenary, by the actor whose request it answers, over the store ports.
//!
//! - [`registrant`]: registering, confirming, the registrant's own routes, join links and
//!   unsubscribing.
//! - [`organiser`]: events and the programme ([`organiser::events`]), reviewing and reading
//!   registrations ([`organiser::registrations`]), announcements ([`organiser::announcements`]).
//! - [`clients`]: limits per client (source address) on public writes and refused bearers.
//! - [`reader`]: what a reader of the public programme may ask for.
//! - [`mail`]: who receives each kind of message and the tokens its links need.
//! - [`Registrar`]: the context the registration use cases of both actors run in.
//! - [`seats`]: seats and the waiting list, which a registrant's cancellation and an organiser's
//!   rejection both move.
//! - [`problems`]: every use-case error as HTTP, in one place.
//!
//! What lives here and what stays in a function crate: a rule — anything that decides what is
//! allowed, what changes, who is told, or what a count means — lives here, in one function, so
//! every function crate and the local stack obey the same one. A function crate keeps only what
//! is about its transport: reading the request (path, query, headers, body into the parsers),
//! calling one use case, and writing the response (views, headers, caching). A function crate
//! never builds a [`crate::store::Change`] itself.
//!
//! Contention: a change that keeps meeting concurrent changes is retried ([`retry`]) and, when
//! the attempts run out, ends in the use case's `Busy` error, which every route answers the same
//! way: 503 `busy` with `Retry-After: 1` (see [`problems`]).

pub mod clients;
pub mod mail;
pub mod organiser;
pub mod problems;
pub mod reader;
pub mod registrant;
mod registrar;
mod retry;
pub mod seats;

pub use registrar::{ChangeError, Registrar, Seen};
