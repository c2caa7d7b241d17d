//! Limits per client (a source address; IPv6 per /64), whoever the client claims to be: every
//! public write route counts one client's requests a minute, and the organiser routes count the
//! bearers a client presented that were refused, so that one client can neither take an event's
//! whole registration cap nor guess organiser tokens at leisure.

use jiff::{SignedDuration, Timestamp};

use crate::domain::ClientAddress;
use crate::store::{RateLimits, StoreError, keys, until_next_window};

/// Requests one client may make to one public write route in a minute unless configured
/// otherwise (`PLENARY_REQUESTS_PER_CLIENT_PER_MINUTE`): an office behind one address can
/// register sixty colleagues in a minute; a script from one address gets a tenth of what it
/// needs to fill an event's cap of the default rate.
pub const REQUESTS_PER_CLIENT_PER_MINUTE: u32 = 60;

/// Refused organiser bearers one client may present in an hour unless configured otherwise
/// (`PLENARY_FAILED_BEARERS_PER_CLIENT_PER_HOUR`); after them, every bearer from that client is
/// refused unread until the next hour. A console with a stale session fails a few times at
/// most; guessing a 256-bit token at 20 an hour is hopeless.
pub const FAILED_BEARERS_PER_CLIENT_PER_HOUR: u32 = 20;

const MINUTE: SignedDuration = SignedDuration::from_mins(1);
const HOUR: SignedDuration = SignedDuration::from_hours(1);

#[derive(Debug, thiserror::Error)]
pub enum ClientLimitError {
    #[error("this client made its {per_minute} requests to this route this minute")]
    TooManyRequests { per_minute: u32, retry_after: u64 },
    #[error("this client presented {per_hour} refused bearers this hour")]
    TooManyFailedBearers { per_hour: u32, retry_after: u64 },
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// Counts one request of `client` to the public write route `operation`; refused once the client
/// made `per_minute` of them this minute. A request without a source address (only in-process
/// tests build one: API Gateway and the local server always give it) is not counted.
pub async fn admit(
    limits: &dyn RateLimits,
    client: Option<&ClientAddress>,
    operation: &str,
    per_minute: u32,
    now: Timestamp,
) -> Result<(), ClientLimitError> {
    let Some(client) = client else {
        return Ok(());
    };
    let scope = keys::client_scope(operation, client);
    if limits.allow(&scope, MINUTE, per_minute, now).await? {
        Ok(())
    } else {
        tracing::info!("a client reached its per-minute limit on a public write");
        Err(ClientLimitError::TooManyRequests {
            per_minute,
            retry_after: until_next_window(MINUTE, now),
        })
    }
}

/// Refuses a client that already had `per_hour` bearers refused this hour, before its bearer is
/// even looked at (so guessing gains nothing from the answer).
pub async fn may_present_bearer(
    limits: &dyn RateLimits,
    client: Option<&ClientAddress>,
    per_hour: u32,
    now: Timestamp,
) -> Result<(), ClientLimitError> {
    let Some(client) = client else {
        return Ok(());
    };
    let scope = keys::failed_bearer_scope(client);
    if limits.reached(&scope, HOUR, per_hour, now).await? {
        return Err(ClientLimitError::TooManyFailedBearers {
            per_hour,
            retry_after: until_next_window(HOUR, now),
        });
    }
    Ok(())
}

/// Counts one refused bearer of `client`.
pub async fn bearer_refused(
    limits: &dyn RateLimits,
    client: Option<&ClientAddress>,
    per_hour: u32,
    now: Timestamp,
) -> Result<(), ClientLimitError> {
    let Some(client) = client else {
        return Ok(());
    };
    let scope = keys::failed_bearer_scope(client);
    // Over the limit the count stops; the next request is refused by `may_present_bearer`.
    limits.allow(&scope, HOUR, per_hour, now).await?;
    Ok(())
}
