//! Every key of the one table, in one place. `pk` groups what is read together; `sk` orders it.
//!
//! | item | pk | sk |
//! | --- | --- | --- |
//! | event | `EVENTS` | `EVENT#{event_id}` |
//! | programme draft | `EVENT#{event_id}` | `DRAFT` |
//! | published version N | `EVENT#{event_id}` | `PROGRAMME#V#{N:010}` |
//! | latest published version (a copy: one read serves a GET) | `EVENT#{event_id}` | `PROGRAMME#LATEST` |
//! | part `i` of a document too large for its item (the draft, a version, the latest copy) | its item's | `PART#{its item's sk}#{i:03}` |
//! | remote connection details | `EVENT#{event_id}` | `JOININFO` |
//! | registration | `EVENT#{event_id}` | `REG#{registration_id}` |
//! | one live registration per address (the guard) | `EVENT#{event_id}` | `EMAIL#{sha256(normalised email)}` |
//! | seats taken and the waiting-list ticket counter | `EVENT#{event_id}` | `SEATS` |
//! | waiting-list place | `EVENT#{event_id}` | `WAIT#{ticket:012}` |
//! | a hybrid event's room: in-person seats taken and its ticket counter | `EVENT#{event_id}` | `INPERSON#SEATS` |
//! | in-person waiting-list place | `EVENT#{event_id}` | `INPERSON#WAIT#{ticket:012}` |
//! | registrant token (hash) → registration | `TOKEN#{sha256(token)}` | `TOKEN` |
//! | personal join token (hash) → registration | `JOIN#{sha256(token)}` | `JOIN` |
//! | outbox entry about an event (mail to send to a registrant or to whoever holds an address), in the event's lane | `OUTBOX` | `EVT#{event_id}#MSG#{id}` |
//! | outbox entry in the shared lane (mail about no event, such as an organiser's sign-in link; and entries queued before there were lanes) | `OUTBOX` | `MSG#{id}` |
//! | copy `k` of the count of an event's mail waiting in its lane | `EVENT#{event_id}` | `MAILQ#{k:02}` |
//! | sent-mail claim (exactly-once intent) | `SENT#{message key}` | `SENT` |
//! | mail counts of an event | `EVENT#{event_id}` | `MAILSTATS` |
//! | copy `k` of the event's registration counters (by status, category, …, audiences) | `EVENT#{event_id}` | `TALLY#MAIN#{k:02}` |
//! | … of registrations made in a UTC month, by quarter-hour | `EVENT#{event_id}` | `TALLY#MADE#{year*12+month-1:06}#{k:02}` |
//! | … of unconfirmed registrations lapsing in a minute, by second | `EVENT#{event_id}` | `TALLY#OPEN#{epoch minute:010}#{k:02}` |
//! | suppressed address (bounce, complaint) | `SUPPRESSED#{sha256(normalised email)}` | `SUPPRESSED` |
//! | one-click unsubscribe token (hash) → registration | `UNSUBSCRIBE#{sha256(token)}` | `UNSUBSCRIBE` |
//! | subscribable calendar URL's token (hash) → registration | `CALENDAR#{sha256(token)}` | `CALENDAR` |
//! | fan-out progress of a reminder, digest or announcement | `EVENT#{event_id}` | `FANOUT#{job}` |
//! | programme waiting for its change digest | `DIGESTS` | `{event_id}` |
//! | a request for another run of the mail job (the stream starts it; an hour's TTL) | `RUN` | `{ULID}` |
//! | announcement (the job's copy) | `ANNOUNCEMENTS` | `{announcement_id}` |
//! | announcement in its event's list (summary, messages sent) | `EVENT#{event_id}` | `ANNOUNCEMENT#{announcement_id}` |
//! | rate-limit window | `RATE#{scope}` | `{window start}` |
//! | … of one client on one public write route | `RATE#client#{operation id}#{address or IPv6 /64}` | `{window start}` |
//! | … of one client's refused organiser bearers | `RATE#bearer#{address or IPv6 /64}` | `{window start}` |
//! | … of one event's registrations | `RATE#registrations#{event_id}` | `{window start}` |
//! | … of one event's registrations from one email domain | `RATE#domain#{event_id}#{sha256(domain)}` | `{window start}` |
//! | … of the emails public routes cause to one address about one event | `RATE#email#{event_id}#{sha256(normalised email)}` | `{window start}` |
//! | … of the sign-in links asked for one address | `RATE#sign-in#{sha256(normalised email)}` | `{window start}` |
//! | idempotency record | `IDEMPOTENCY#{sha256(key)}` | `IDEMPOTENCY` |
//! | organiser (a person who may sign in) | `ORGANISERS` | `ORG#{sha256(normalised email)}` |
//! | team member of an event | `EVENT#{event_id}` | `TEAM#{sha256(normalised email)}` |
//! | an organiser's role on an event (the member, seen from the person) | `ORGANISER#{sha256(normalised email)}` | `EVENT#{event_id}` |
//! | an organiser's personal token, as listed (hash of the secret inside) | `ORGANISER#{sha256(normalised email)}` | `TOKEN#{token_id}` |
//! | organiser session or personal token (hash) → its owner | `CREDENTIAL#{sha256(token)}` | `CREDENTIAL` |
//! | emailed sign-in link (hash) | `SIGNIN#{sha256(token)}` | `SIGNIN` |
//! | audit entry of an event | `EVENT#{event_id}` | `AUDIT#{entry ULID}` |
//! | audit entry of the installation | `AUDIT` | `AUDIT#{entry ULID}` |
//! | an upload granted for the event (its form, the file's key and address) | `EVENT#{event_id}` | `UPLOAD#{upload ULID}` |

use super::{Key, Query};
use crate::domain::tally::Place;
use crate::domain::{AuditScope, ClientAddress, Email, EventId, Pool, RegistrationId};
use crate::http::IdempotencyKeyHash;
use crate::mail::{JobName, MessageKey};
use crate::token::TokenHash;

/// The hash under which an address is keyed (its guard, its suppression): personal data stays
/// out of keys.
pub fn email_hash(email: &Email) -> String {
    TokenHash::of(&email.normalised()).as_str().to_owned()
}

pub const EVENTS_PK: &str = "EVENTS";
pub const EVENT_SK_PREFIX: &str = "EVENT#";

pub fn event(id: &EventId) -> Key {
    Key::new(EVENTS_PK, format!("{EVENT_SK_PREFIX}{id}"))
}

/// Every event, in id order.
pub fn events() -> Query {
    Query::prefix(EVENTS_PK, EVENT_SK_PREFIX)
}

fn event_pk(id: &EventId) -> String {
    format!("EVENT#{id}")
}

pub fn draft(id: &EventId) -> Key {
    Key::new(event_pk(id), "DRAFT")
}

pub const VERSION_SK_PREFIX: &str = "PROGRAMME#V#";

pub fn version(id: &EventId, n: u32) -> Key {
    Key::new(event_pk(id), format!("{VERSION_SK_PREFIX}{n:010}"))
}

pub fn versions(id: &EventId) -> Query {
    Query::prefix(event_pk(id), VERSION_SK_PREFIX)
}

pub fn latest(id: &EventId) -> Key {
    Key::new(event_pk(id), "PROGRAMME#LATEST")
}

/// Part `i` of the document of the item at `of`, beside it (its own prefix, so no query of
/// the item's neighbours reads parts).
pub fn document_part(of: &Key, i: usize) -> Key {
    Key::new(of.pk.clone(), format!("PART#{}#{i:03}", of.sk))
}

/// The first `count` parts of the document of the item at `of`, in order (parts past them are
/// left from a longer earlier writing).
pub fn document_parts(of: &Key, count: usize) -> Query {
    let first = document_part(of, 0).sk;
    let last = document_part(of, count.saturating_sub(1)).sk;
    Query {
        pk: of.pk.clone(),
        sk_between: Some((first, last)),
        ..Query::default()
    }
}

pub fn upload(event: &EventId, upload_id: &str) -> Key {
    Key::new(event_pk(event), format!("UPLOAD#{upload_id}"))
}

pub const REG_SK_PREFIX: &str = "REG#";

pub fn registration(event: &EventId, id: &RegistrationId) -> Key {
    Key::new(event_pk(event), format!("{REG_SK_PREFIX}{id}"))
}

pub fn registrations(event: &EventId) -> Query {
    Query::prefix(event_pk(event), REG_SK_PREFIX)
}

pub fn email_guard(event: &EventId, email_hash: &str) -> Key {
    Key::new(event_pk(event), format!("EMAIL#{email_hash}"))
}

/// Seats taken and the waiting list's ticket counter of one pool.
pub fn seats(event: &EventId, pool: Pool) -> Key {
    match pool {
        Pool::Event => Key::new(event_pk(event), "SEATS"),
        Pool::InPerson => Key::new(event_pk(event), "INPERSON#SEATS"),
    }
}

/// The sort-key prefix of a pool's waiting list (the room's does not start with the event's,
/// so a query of one never reads the other).
pub fn wait_sk_prefix(pool: Pool) -> &'static str {
    match pool {
        Pool::Event => "WAIT#",
        Pool::InPerson => "INPERSON#WAIT#",
    }
}

pub fn wait_sk(pool: Pool, ticket: u64) -> String {
    format!("{}{ticket:012}", wait_sk_prefix(pool))
}

pub fn wait(event: &EventId, pool: Pool, ticket: u64) -> Key {
    Key::new(event_pk(event), wait_sk(pool, ticket))
}

pub fn waitlist(event: &EventId, pool: Pool) -> Query {
    Query::prefix(event_pk(event), wait_sk_prefix(pool))
}

pub fn token(hash: &str) -> Key {
    Key::new(format!("TOKEN#{hash}"), "TOKEN")
}

pub fn join_token(hash: &str) -> Key {
    Key::new(format!("JOIN#{hash}"), "JOIN")
}

pub const OUTBOX_PK: &str = "OUTBOX";
pub const OUTBOX_SK_PREFIX: &str = "MSG#";
/// Where the events' lanes begin in the outbox partition.
pub const OUTBOX_LANE_PREFIX: &str = "EVT#";

/// An entry of the shared lane.
pub fn outbox(id: &str) -> Key {
    Key::new(OUTBOX_PK, format!("{OUTBOX_SK_PREFIX}{id}"))
}

/// An entry of `event`'s lane.
pub fn outbox_in(event: &EventId, id: &str) -> Key {
    Key::new(
        OUTBOX_PK,
        format!("{OUTBOX_LANE_PREFIX}{event}#{OUTBOX_SK_PREFIX}{id}"),
    )
}

/// The shared lane's entries, oldest first (ids are ULIDs).
pub fn outbox_entries() -> Query {
    Query::prefix(OUTBOX_PK, OUTBOX_SK_PREFIX)
}

/// `event`'s lane, oldest first.
pub fn outbox_lane(event: &EventId) -> Query {
    Query::prefix(
        OUTBOX_PK,
        format!("{OUTBOX_LANE_PREFIX}{event}#{OUTBOX_SK_PREFIX}"),
    )
}

/// The lanes' entries from the first of the lane after `event`'s (from the first lane when
/// None): the first item found names the next lane. An event id has no `#`, and `#` sorts
/// before every character an id may have, so `EVT#{event}#~` follows all of `event`'s entries
/// and precedes every later event's.
pub fn outbox_lanes_after(event: Option<&EventId>) -> Query {
    let from = match event {
        Some(e) => format!("{OUTBOX_LANE_PREFIX}{e}#~"),
        None => OUTBOX_LANE_PREFIX.to_owned(),
    };
    Query {
        pk: OUTBOX_PK.to_owned(),
        // `$` follows `#`: the range ends after the last lane.
        sk_between: Some((from, "EVT$".to_owned())),
        limit: Some(1),
        ..Query::default()
    }
}

/// The event a lane's entry is filed under, from its sort key.
pub fn outbox_lane_of(sk: &str) -> Option<EventId> {
    let rest = sk.strip_prefix(OUTBOX_LANE_PREFIX)?;
    let (event, _) = rest.split_once('#')?;
    EventId::parse(event).ok()
}

/// Copy `shard` of the count of `event`'s mail waiting in its lane.
pub fn mail_queue(event: &EventId, shard: u32) -> Key {
    Key::new(event_pk(event), format!("MAILQ#{shard:02}"))
}

/// Every copy of `event`'s waiting-mail count.
pub fn mail_queues(event: &EventId) -> Query {
    Query::prefix(event_pk(event), "MAILQ#")
}

pub fn sent(message_key: &MessageKey) -> Key {
    Key::new(format!("SENT#{message_key}"), "SENT")
}

/// The rate-limit scope of one client's requests to one public write route.
pub fn client_scope(operation: &str, client: &ClientAddress) -> String {
    format!("client#{operation}#{client}")
}

/// The rate-limit scope of the organiser bearers one client presented and had refused.
pub fn failed_bearer_scope(client: &ClientAddress) -> String {
    format!("bearer#{client}")
}

/// The rate-limit scope of one event's registrations.
pub fn event_registrations_scope(event: &EventId) -> String {
    format!("registrations#{event}")
}

/// The rate-limit scope of one event's registrations from addresses at one domain (hashed:
/// no personal data in keys, and a domain can be as personal as an address).
pub fn email_domain_scope(event: &EventId, email: &Email) -> String {
    format!("domain#{event}#{}", TokenHash::of(&email.domain()).as_str())
}

/// The rate-limit scope of the emails public routes cause to one address about one event.
pub fn email_scope(event: &EventId, email: &Email) -> String {
    format!("email#{event}#{}", email_hash(email))
}

/// The rate-limit scope of the sign-in links asked for one address.
pub fn sign_in_scope(email_hash: &str) -> String {
    format!("sign-in#{email_hash}")
}

pub fn rate(scope: &str, window: &str) -> Key {
    Key::new(format!("RATE#{scope}"), window)
}

pub fn idempotency(key_hash: &IdempotencyKeyHash) -> Key {
    Key::new(format!("IDEMPOTENCY#{}", key_hash.as_str()), "IDEMPOTENCY")
}

pub fn join_info(event: &EventId) -> Key {
    Key::new(event_pk(event), "JOININFO")
}

pub fn fanout(event: &EventId, job: &JobName) -> Key {
    Key::new(event_pk(event), format!("FANOUT#{job}"))
}

pub const DIGESTS_PK: &str = "DIGESTS";

/// The partition the template's stream filter starts the mail job on, beside `OUTBOX`.
pub const RUN_PK: &str = "RUN";

pub fn run_request(id: &str) -> Key {
    Key::new(RUN_PK, id)
}

pub fn digest(event: &EventId) -> Key {
    Key::new(DIGESTS_PK, event.to_string())
}

/// Every programme's digest item.
pub fn digests() -> Query {
    Query {
        pk: DIGESTS_PK.to_owned(),
        ..Query::default()
    }
}

pub const ANNOUNCEMENTS_PK: &str = "ANNOUNCEMENTS";

pub fn announcement(id: &str) -> Key {
    Key::new(ANNOUNCEMENTS_PK, id)
}

/// Every announcement.
pub fn announcements() -> Query {
    Query {
        pk: ANNOUNCEMENTS_PK.to_owned(),
        ..Query::default()
    }
}

pub const EVENT_ANNOUNCEMENT_SK_PREFIX: &str = "ANNOUNCEMENT#";

pub fn event_announcement(event: &EventId, id: &str) -> Key {
    Key::new(
        event_pk(event),
        format!("{EVENT_ANNOUNCEMENT_SK_PREFIX}{id}"),
    )
}

/// An event's announcements, newest first (ids are ULIDs).
pub fn event_announcements(event: &EventId) -> Query {
    Query {
        descending: true,
        ..Query::prefix(event_pk(event), EVENT_ANNOUNCEMENT_SK_PREFIX)
    }
}

pub fn unsubscribe(hash: &str) -> Key {
    Key::new(format!("UNSUBSCRIBE#{hash}"), "UNSUBSCRIBE")
}

pub fn calendar_feed(hash: &str) -> Key {
    Key::new(format!("CALENDAR#{hash}"), "CALENDAR")
}

/// Where copy `shard` of a registration counter of `event` is kept.
pub fn tally(event: &EventId, place: Place, shard: u32) -> Key {
    let sk = match place {
        Place::Main => format!("{TALLY_MAIN_PREFIX}{shard:02}"),
        Place::Made(month) => format!("{TALLY_MADE_PREFIX}{month:06}#{shard:02}"),
        Place::Open(minute) => format!("{TALLY_OPEN_PREFIX}{minute:010}#{shard:02}"),
    };
    Key::new(event_pk(event), sk)
}

pub const TALLY_PREFIX: &str = "TALLY#";
pub const TALLY_MAIN_PREFIX: &str = "TALLY#MAIN#";
pub const TALLY_MADE_PREFIX: &str = "TALLY#MADE#";
pub const TALLY_OPEN_PREFIX: &str = "TALLY#OPEN#";

/// Every counter item of `event`.
pub fn tally_items(event: &EventId) -> Query {
    Query::prefix(event_pk(event), TALLY_PREFIX)
}

/// The copies of the main counters.
pub fn tally_main(event: &EventId) -> Query {
    Query::prefix(event_pk(event), TALLY_MAIN_PREFIX)
}

/// The months' items of registrations made.
pub fn tally_made(event: &EventId) -> Query {
    Query::prefix(event_pk(event), TALLY_MADE_PREFIX)
}

/// The open buckets from `minute` on (the earlier ones have lapsed).
pub fn tally_open_from(event: &EventId, minute: i64) -> Query {
    Query {
        pk: event_pk(event),
        sk_between: Some((
            format!("{TALLY_OPEN_PREFIX}{minute:010}"),
            format!("{TALLY_OPEN_PREFIX}9999999999#99"),
        )),
        ..Query::default()
    }
}

/// Which place and copy an item of [`tally_items`] is.
pub fn tally_place(sk: &str) -> Option<(Place, u32)> {
    let (rest, shard) = sk.rsplit_once('#')?;
    let shard = shard.parse().ok()?;
    let place = if rest == TALLY_MAIN_PREFIX.trim_end_matches('#') {
        Place::Main
    } else if let Some(m) = rest.strip_prefix(TALLY_MADE_PREFIX) {
        Place::Made(m.parse().ok()?)
    } else {
        Place::Open(rest.strip_prefix(TALLY_OPEN_PREFIX)?.parse().ok()?)
    };
    Some((place, shard))
}

pub fn mail_stats(event: &EventId) -> Key {
    Key::new(event_pk(event), "MAILSTATS")
}

pub fn suppressed(email_hash: &str) -> Key {
    Key::new(format!("SUPPRESSED#{email_hash}"), "SUPPRESSED")
}

pub const ORGANISERS_PK: &str = "ORGANISERS";

pub fn organiser(email_hash: &str) -> Key {
    Key::new(ORGANISERS_PK, format!("ORG#{email_hash}"))
}

/// Every organiser.
pub fn organisers() -> Query {
    Query::prefix(ORGANISERS_PK, "ORG#")
}

const TEAM_SK_PREFIX: &str = "TEAM#";

pub fn member(event: &EventId, email_hash: &str) -> Key {
    Key::new(event_pk(event), format!("{TEAM_SK_PREFIX}{email_hash}"))
}

/// Every member of an event's team.
pub fn team(event: &EventId) -> Query {
    Query::prefix(event_pk(event), TEAM_SK_PREFIX)
}

fn organiser_pk(email_hash: &str) -> String {
    format!("ORGANISER#{email_hash}")
}

pub fn membership(email_hash: &str, event: &EventId) -> Key {
    Key::new(
        organiser_pk(email_hash),
        format!("{EVENT_SK_PREFIX}{event}"),
    )
}

/// Every event an organiser is on the team of.
pub fn memberships(email_hash: &str) -> Query {
    Query::prefix(organiser_pk(email_hash), EVENT_SK_PREFIX)
}

const TOKEN_SK_PREFIX: &str = "TOKEN#";

pub fn token_listing(email_hash: &str, token_id: &str) -> Key {
    Key::new(
        organiser_pk(email_hash),
        format!("{TOKEN_SK_PREFIX}{token_id}"),
    )
}

/// An organiser's personal tokens, as listed.
pub fn token_listings(email_hash: &str) -> Query {
    Query::prefix(organiser_pk(email_hash), TOKEN_SK_PREFIX)
}

pub fn credential(hash: &TokenHash) -> Key {
    Key::new(format!("CREDENTIAL#{}", hash.as_str()), "CREDENTIAL")
}

pub fn sign_in_link(hash: &TokenHash) -> Key {
    Key::new(format!("SIGNIN#{}", hash.as_str()), "SIGNIN")
}

const AUDIT_SK_PREFIX: &str = "AUDIT#";

fn audit_pk(scope: &AuditScope) -> String {
    match scope {
        AuditScope::Event(id) => event_pk(id),
        AuditScope::Installation => "AUDIT".to_owned(),
    }
}

pub fn audit_entry(scope: &AuditScope, entry_id: &str) -> Key {
    Key::new(audit_pk(scope), format!("{AUDIT_SK_PREFIX}{entry_id}"))
}

/// A scope's entries, newest first, after the cursor `after` (an entry id) when given.
pub fn audit_entries(scope: &AuditScope, after: Option<&str>, limit: u32) -> Query {
    Query {
        pk: audit_pk(scope),
        sk_prefix: Some(AUDIT_SK_PREFIX.to_owned()),
        after: after.map(|id| format!("{AUDIT_SK_PREFIX}{id}")),
        limit: Some(limit),
        descending: true,
        ..Query::default()
    }
}

/// The entry id in an entry's sort key, for the next page's cursor.
pub fn audit_entry_id(sk: &str) -> Option<&str> {
    sk.strip_prefix(AUDIT_SK_PREFIX)
}
