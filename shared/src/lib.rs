//! `plenary`: everything the Plenary functions share. The layers, from the inside out:
//!
//! - [`domain`]: newtypes built only by parsing, and the records the use cases work on.
//! - [`usecases`]: every rule, by actor (registrant, organiser, mail), over the ports; their
//!   errors become HTTP in [`usecases::problems`].
//! - [`store`]: narrow storage traits per concern, over one table abstraction with two adapters
//!   (the embedded [`store::MemoryTable`] and [`store::DynamoTable`]); every key in
//!   [`store::keys`].
//! - [`mail`]: the mailer port with the SES and local mailbox adapters, and the templates.
//! - [`calendar`]: the programme as iCalendar and as frab / c3voc `schedule.json`.
//! - [`views`]: the JSON bodies the routes answer with.
//! - [`http`]: problem+json, JSON body parsing, CORS, routing, idempotency and request ids.
//! - [`openapi`]: the OpenAPI document, built from the same operations the routers declare.
//! - [`config`], [`wiring`]: the settings, read once at start-up, and the services every
//!   function's `App` is built from.
//! - [`clock`], [`token`]: the injected clock and the token/id source; [`telemetry`]: logs;
//!   `aws` (private): the SDK configuration the DynamoDB and SES adapters share.

mod aws;
pub mod calendar;
pub mod clock;
pub mod config;
pub mod domain;
pub mod files;
pub mod http;
pub mod mail;
pub mod openapi;
pub mod secrets;
pub mod store;
pub mod telemetry;
pub mod token;
pub mod usecases;
pub mod views;
pub mod wiring;
pub mod xray;

pub use clock::Clock;
pub use config::Config;
pub use token::TokenSource;
