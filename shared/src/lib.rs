//! `plenary`: everything the Plenary functions share.
//!
//! - [`domain`]: newtypes built only by parsing, and the records the use cases work on.
//! - [`store`]: narrow storage traits per concern, over one table abstraction with two adapters
//!   (the embedded [`store::MemoryTable`] and [`store::DynamoTable`]).
//! - [`mail`]: the mailer port with the SES and local mailbox adapters.
//! - [`http`]: problem+json, JSON body parsing, CORS, routing and request ids.
//! - [`calendar`]: the programme as iCalendar and as frab / c3voc `schedule.json`.
//! - [`clock`], [`token`]: the injected clock and the token/id source.
//! - [`config`], [`wiring`]: the settings and the services every function's `App` is built from.

pub mod calendar;
pub mod clock;
pub mod config;
pub mod domain;
pub mod http;
pub mod mail;
pub mod openapi;
pub mod store;
pub mod telemetry;
pub mod token;
pub mod usecases;
pub mod views;
pub mod wiring;

pub use clock::Clock;
pub use config::Config;
pub use token::TokenSource;
