//! Registrations and everything that must change with them atomically: the one-per-address
//! guard, seats, the waiting list, tokens and the outbox entries ([`Notice`]). A use case composes a [`Change`] of
//! domain steps; [`RegistrationStore::commit`] turns it into one transaction and a failed
//! condition back into the domain reason ([`Conflict`]).

use async_trait::async_trait;
use jiff::Timestamp;
use jiff::civil::Date;
use serde_json::Value;

use super::codec::{DOC, doc_of, encode};
use super::keys::{self, email_hash};
use super::outbox::Notice;
use super::{Cond, Item, StoreError, TTL, TableError, TableStore, Write};
use crate::domain::tally::{self, Deltas, Place, Tally};
use crate::domain::{Email, Event, EventId, Pool, Registration, RegistrationId, Status};
use crate::token::TokenHash;

const STATUS: &str = "status";
const REV: &str = "rev";
const REGISTRATION_ID: &str = "registration_id";
const EVENT_ID: &str = "event_id";
const TAKEN: &str = "taken";
const WAIT_SEQ: &str = "waitlist_seq";
const CONFIRM_BY: &str = "confirm_by";

/// How long an unconfirmed registration that lapsed is kept (so its link answers "expired"
/// rather than "unknown") before the table's TTL removes it with its address guard and tokens.
pub const LAPSED_KEPT: jiff::SignedDuration = jiff::SignedDuration::from_hours(7 * 24);

/// The TTL of an unconfirmed registration's items: [`LAPSED_KEPT`] after its window closes.
fn pending_ttl(r: &Registration) -> Option<i64> {
    r.confirm_by
        .filter(|_| r.status == Status::PendingConfirmation)
        .map(|t| t.as_second() + LAPSED_KEPT.as_secs())
}

/// A registration with the revision it was read at (optimistic concurrency).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Stored {
    pub registration: Registration,
    pub rev: u64,
}

/// Why a change could not commit: the state it assumed no longer holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum Conflict {
    #[error("the registration changed meanwhile")]
    Stale,
    #[error("the address already has a live registration for this event")]
    AddressTaken,
    #[error("no seat is free")]
    Full,
    #[error("the waiting-list place was taken by another change")]
    WaitlistMoved,
    #[error("the token is already in use")]
    TokenTaken,
    /// The event's waiting mail reached the cap a notice was queued within
    /// ([`Change::notify_within`]).
    #[error("the event's mail backlog is full")]
    Backlog,
}

#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum CommitError {
    #[error(transparent)]
    Conflict(#[from] Conflict),
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl From<TableError> for CommitError {
    fn from(e: TableError) -> Self {
        Self::Store(e.into())
    }
}

/// Steps that commit together or not at all.
#[derive(Debug, Default)]
pub struct Change {
    writes: Vec<Write>,
    /// What a failed condition on the write at the same index means.
    meanings: Vec<Conflict>,
    /// Notices queued per copy of an event's waiting-mail count, counted in one write per copy
    /// at commit, with the cap the tightest of them was queued within.
    queued: std::collections::BTreeMap<(EventId, u32), (i64, Option<u32>)>,
    /// What the saved registrations change the counters by, written once per item at commit.
    tallies: std::collections::BTreeMap<(EventId, u32), Deltas>,
}

impl Change {
    pub fn new() -> Self {
        Self::default()
    }

    fn push(&mut self, w: Write, meaning: Conflict) -> &mut Self {
        self.writes.push(w);
        self.meanings.push(meaning);
        self
    }

    /// Writes `r` over `before` (none: it must not exist yet), if that is still the stored
    /// revision, and moves the event's counters by what the change means for them
    /// ([`tally::delta`], with `event`'s form). An update, not a put, so counters kept beside the
    /// document (join-link use) survive.
    pub fn save(
        &mut self,
        event: &Event,
        before: Option<&Stored>,
        r: &Registration,
    ) -> Result<&mut Self, StoreError> {
        let expected_rev = before.map_or(0, |s| s.rev);
        let d = tally::delta(event, before.map(|s| &s.registration), r);
        let at = (r.event_id.clone(), tally::shard(&r.id));
        tally::merge(self.tallies.entry(at).or_default(), d);
        let mut w = Write::update(keys::registration(&r.event_id, &r.id))
            .set(DOC, encode(r)?)
            .set(STATUS, r.status.code())
            .set(REV, expected_rev + 1);
        w = match pending_ttl(r) {
            // Lapsed unconfirmed registrations are cleaned up by TTL (readers check too).
            Some(t) => w.set(TTL, t),
            None => w.remove(TTL),
        };
        let cond = if expected_rev == 0 {
            Cond::NotExists
        } else {
            Cond::eq(REV, expected_rev)
        };
        Ok(self.push(w.when(cond), Conflict::Stale))
    }

    /// Claims the address for `r`: free, or held by an unconfirmed registration that lapsed.
    pub fn claim_address(&mut self, r: &Registration, email: &Email, now: Timestamp) -> &mut Self {
        let mut item = keys::email_guard(&r.event_id, &email_hash(email)).item();
        item.insert(REGISTRATION_ID.into(), Value::from(r.id.to_string()));
        if let Some(t) = r.confirm_by {
            item.insert(CONFIRM_BY.into(), Value::from(t.as_second()));
        }
        // The guard goes with its registration, if that is never confirmed.
        if let Some(t) = pending_ttl(r) {
            item.insert(TTL.into(), Value::from(t));
        }
        let cond = Cond::Or(vec![
            Cond::NotExists,
            Cond::Lt(CONFIRM_BY.into(), now.as_second() + 1),
        ]);
        self.push(Write::put(item).when(cond), Conflict::AddressTaken)
    }

    /// Someone asked to register an address already held: the reminder commits only while the
    /// guard is still held (else the address is free again and the request registers it), and
    /// the event's counters count the request. It also gives a repeat the shape of a new
    /// registration's transaction (the guard and a counter item beside the notice), so the two
    /// take nearly the same time and the route's timing does not tell who registered.
    pub fn ask_again(&mut self, event: &EventId, email: &Email, now: Timestamp) -> &mut Self {
        let hash = email_hash(email);
        let asked = std::collections::BTreeMap::from([(tally::ASKED_AGAIN.to_owned(), 1)]);
        let at = (event.clone(), tally::address_shard(&hash));
        tally::merge(
            self.tallies.entry(at).or_default(),
            Deltas::from([(Place::Main, asked)]),
        );
        let check = Write::Check {
            key: keys::email_guard(event, &hash),
            cond: guard_held(now),
        };
        self.push(check, Conflict::Stale)
    }

    /// The address is confirmed: its guard no longer lapses.
    pub fn keep_address(&mut self, r: &Registration, email: &Email) -> &mut Self {
        let w = Write::update(keys::email_guard(&r.event_id, &email_hash(email)))
            .remove(CONFIRM_BY)
            .remove(TTL)
            .when(Cond::eq(REGISTRATION_ID, r.id.to_string()));
        self.push(w, Conflict::Stale)
    }

    /// Frees the address so it may register again.
    pub fn release_address(
        &mut self,
        event: &EventId,
        email: &Email,
        reg_id: &RegistrationId,
    ) -> &mut Self {
        let w = Write::Delete {
            key: keys::email_guard(event, &email_hash(email)),
            cond: Some(Cond::Or(vec![
                Cond::NotExists,
                Cond::eq(REGISTRATION_ID, reg_id.to_string()),
            ])),
        };
        self.push(w, Conflict::Stale)
    }

    /// Takes a seat of `pool` when fewer than `capacity` are taken (no capacity: unlimited,
    /// counted).
    pub fn take_seat(&mut self, event: &EventId, pool: Pool, capacity: Option<u32>) -> &mut Self {
        let mut w = Write::update(keys::seats(event, pool)).add(TAKEN, 1);
        if let Some(cap) = capacity {
            w = w.when(Cond::Or(vec![
                Cond::Absent(TAKEN.into()),
                Cond::Lt(TAKEN.into(), i64::from(cap)),
            ]));
        }
        self.push(w, Conflict::Full)
    }

    pub fn free_seat(&mut self, event: &EventId, pool: Pool) -> &mut Self {
        self.push(
            Write::update(keys::seats(event, pool)).add(TAKEN, -1),
            Conflict::Stale,
        )
    }

    pub fn join_waitlist(
        &mut self,
        event: &EventId,
        pool: Pool,
        ticket: u64,
        reg_id: &RegistrationId,
    ) -> &mut Self {
        let mut item = keys::wait(event, pool, ticket).item();
        item.insert(REGISTRATION_ID.into(), Value::from(reg_id.to_string()));
        self.push(Write::put_new(item), Conflict::WaitlistMoved)
    }

    pub fn leave_waitlist(&mut self, event: &EventId, pool: Pool, ticket: u64) -> &mut Self {
        let w = Write::Delete {
            key: keys::wait(event, pool, ticket),
            cond: Some(Cond::Exists),
        };
        self.push(w, Conflict::WaitlistMoved)
    }

    /// Makes `hash` a bearer token for the registration. A token granted while the registration
    /// is unconfirmed (its confirmation link) lapses with it, unless it confirms it
    /// ([`keep_token`](Self::keep_token)).
    pub fn grant_token(&mut self, hash: &TokenHash, r: &Registration) -> &mut Self {
        let mut item = keys::token(hash.as_str()).item();
        item.insert(EVENT_ID.into(), Value::from(r.event_id.to_string()));
        item.insert(REGISTRATION_ID.into(), Value::from(r.id.to_string()));
        if let Some(t) = pending_ttl(r) {
            item.insert(TTL.into(), Value::from(t));
        }
        self.push(Write::put_new(item), Conflict::TokenTaken)
    }

    /// The token that confirmed the registration stays its bearer token: it no longer lapses.
    pub fn keep_token(&mut self, hash: &TokenHash) -> &mut Self {
        let w = Write::update(keys::token(hash.as_str()))
            .remove(TTL)
            .when(Cond::Exists);
        self.push(w, Conflict::Stale)
    }

    /// Makes `hash` the registration's personal join token.
    pub fn grant_join(&mut self, hash: &TokenHash, r: &Registration) -> &mut Self {
        let mut item = keys::join_token(hash.as_str()).item();
        item.insert(EVENT_ID.into(), Value::from(r.event_id.to_string()));
        item.insert(REGISTRATION_ID.into(), Value::from(r.id.to_string()));
        self.push(Write::put(item), Conflict::TokenTaken)
    }

    /// Makes `hash` the registration's one-click unsubscribe token.
    pub fn grant_unsubscribe(&mut self, hash: &TokenHash, r: &Registration) -> &mut Self {
        let mut item = keys::unsubscribe(hash.as_str()).item();
        item.insert(EVENT_ID.into(), Value::from(r.event_id.to_string()));
        item.insert(REGISTRATION_ID.into(), Value::from(r.id.to_string()));
        self.push(Write::put(item), Conflict::TokenTaken)
    }

    /// Makes `hash` the token of the registration's subscribable calendar URL.
    pub fn grant_calendar_feed(&mut self, hash: &TokenHash, r: &Registration) -> &mut Self {
        let mut item = keys::calendar_feed(hash.as_str()).item();
        item.insert(EVENT_ID.into(), Value::from(r.event_id.to_string()));
        item.insert(REGISTRATION_ID.into(), Value::from(r.id.to_string()));
        self.push(Write::put(item), Conflict::TokenTaken)
    }

    pub fn revoke_calendar_feed(&mut self, hash: &TokenHash) -> &mut Self {
        self.push(
            Write::Delete {
                key: keys::calendar_feed(hash.as_str()),
                cond: None,
            },
            Conflict::Stale,
        )
    }

    pub fn revoke_join(&mut self, hash: &TokenHash) -> &mut Self {
        self.push(
            Write::Delete {
                key: keys::join_token(hash.as_str()),
                cond: None,
            },
            Conflict::Stale,
        )
    }

    /// Queues an email.
    pub fn notify(&mut self, notice: &Notice) -> Result<&mut Self, StoreError> {
        self.queue(notice, None)
    }

    /// Queues an email only while the event's waiting mail is under `cap`: past it the change
    /// fails with [`Conflict::Backlog`]. The count is kept in [`SHARDS`](tally::SHARDS) copies
    /// so concurrent changes seldom meet on one, each capped at its share of `cap`: the
    /// backlog never exceeds `cap`, and refusals begin as the first copy fills.
    pub fn notify_within(&mut self, notice: &Notice, cap: u32) -> Result<&mut Self, StoreError> {
        self.queue(notice, Some(cap))
    }

    fn queue(&mut self, notice: &Notice, cap: Option<u32>) -> Result<&mut Self, StoreError> {
        let entry = super::outbox::entry(notice)?;
        if let Some((event, shard)) = notice.waiting_count() {
            let (n, c) = self.queued.entry((event.clone(), shard)).or_default();
            *n += 1;
            *c = match (*c, cap) {
                (Some(a), Some(b)) => Some(a.min(b)),
                (a, b) => a.or(b),
            };
        }
        Ok(self.push(Write::put_new(entry), Conflict::Stale))
    }

    /// Records the answer to an Idempotency-Key in the same transaction as the effect, so a
    /// retry after a fault finds either both or neither.
    pub fn complete_idempotency(&mut self, c: &super::Completion, now: Timestamp) -> &mut Self {
        let w = super::idempotency::done(&c.key_hash, &c.response, now);
        self.push(w, Conflict::Stale)
    }

    pub fn is_empty(&self) -> bool {
        self.writes.is_empty()
    }
}

/// Seats and waiting-list counters of an event.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Seats {
    pub taken: u64,
}

/// A page of registrations for the organiser.
#[derive(Debug, Clone, Default)]
pub struct RegistrationPage {
    pub registrations: Vec<Registration>,
    pub next: Option<RegistrationId>,
}

#[async_trait]
pub trait RegistrationStore: Send + Sync {
    async fn registration(
        &self,
        event: &EventId,
        id: &RegistrationId,
    ) -> Result<Option<Stored>, StoreError>;
    /// The registration a registrant token was granted for.
    async fn by_token(&self, hash: &TokenHash) -> Result<Option<Stored>, StoreError>;
    async fn by_join_token(&self, hash: &TokenHash) -> Result<Option<Stored>, StoreError>;
    async fn by_unsubscribe_token(&self, hash: &TokenHash) -> Result<Option<Stored>, StoreError>;
    async fn by_calendar_token(&self, hash: &TokenHash) -> Result<Option<Stored>, StoreError>;
    /// The live registration holding `email` for the event, if any.
    async fn by_email(&self, event: &EventId, email: &Email) -> Result<Option<Stored>, StoreError>;
    /// Whether a live registration holds `email` for the event at `now`, from its address guard
    /// alone (one read): a guard whose confirmation window has closed holds nothing.
    async fn address_held(
        &self,
        event: &EventId,
        email: &Email,
        now: Timestamp,
    ) -> Result<bool, StoreError>;
    /// A new waiting-list ticket (tickets only grow; positions are counted from them).
    async fn next_ticket(&self, event: &EventId, pool: Pool) -> Result<u64, StoreError>;
    /// The waitlisted registration at the head of `pool`'s queue, with its ticket.
    async fn first_waiting(
        &self,
        event: &EventId,
        pool: Pool,
    ) -> Result<Option<(u64, RegistrationId)>, StoreError>;
    /// 1-based place of `ticket` among those still waiting in `pool`'s queue.
    async fn waitlist_position(
        &self,
        event: &EventId,
        pool: Pool,
        ticket: u64,
    ) -> Result<u64, StoreError>;
    /// The tickets of everyone waiting, in queue order: the places of many registrations from
    /// one read of the queue (a ticket's place is the number of tickets up to and including it).
    async fn waiting_tickets(&self, event: &EventId, pool: Pool) -> Result<Vec<u64>, StoreError>;
    async fn seats(&self, event: &EventId, pool: Pool) -> Result<Seats, StoreError>;
    /// How many registrations of `event` have `status` at `now`, counted by the table (nothing
    /// read out): unconfirmed ones whose window closed are not counted, lapsed.
    async fn count_status(
        &self,
        event: &EventId,
        status: Status,
        now: Timestamp,
    ) -> Result<u64, StoreError>;
    /// A page of registrations in creation order, optionally of one status.
    async fn page(
        &self,
        event: &EventId,
        status: Option<Status>,
        limit: u32,
        after: Option<RegistrationId>,
    ) -> Result<RegistrationPage, StoreError>;
    async fn commit(&self, change: Change) -> Result<(), CommitError>;
    /// Counts one use of a personal join link on `day` (the event's local date of `now`): one
    /// conditional write beside the document, whatever else the link's use records. The first
    /// use moves the counters of `event` too (the registrant has attended), in one transaction
    /// with it.
    async fn record_join_use(
        &self,
        event: Option<&Event>,
        s: &Stored,
        day: Date,
        now: Timestamp,
    ) -> Result<(), StoreError>;
    /// The event's counters as they stand: the main item, and (when they are complete) the
    /// registrations made and the unconfirmed ones whose window is open at `now`.
    async fn tally(&self, event: &EventId, now: Timestamp) -> Result<Tally, StoreError>;
    /// Replaces the event's counters with `tally` (a recount) and marks them complete, if no
    /// change moved them since their copies stood at `seq`: `Ok(false)` when one did, and the counters
    /// are left incomplete.
    async fn put_tally(
        &self,
        event: &EventId,
        tally: &Tally,
        seq: &std::collections::BTreeMap<u32, u64>,
    ) -> Result<bool, StoreError>;
}

const JOIN_USES: &str = "join_uses";
const JOIN_FIRST: &str = "join_first_used_at";
const JOIN_LAST: &str = "join_last_used_at";
/// `join_day#YYYY-MM-DD`: the uses on that local date, one attribute per day attended.
const JOIN_DAY_PREFIX: &str = "join_day#";

fn stored(item: &Item) -> Result<Stored, StoreError> {
    let mut registration: Registration = doc_of(item)?;
    let at = |a: &str| {
        item.get(a)
            .and_then(Value::as_i64)
            .and_then(|s| Timestamp::from_second(s).ok())
    };
    registration.join_use = crate::domain::JoinUse {
        count: item.get(JOIN_USES).and_then(Value::as_u64).unwrap_or(0),
        first_used_at: at(JOIN_FIRST),
        last_used_at: at(JOIN_LAST),
        // Attribute names come in no order; dates written as YYYY-MM-DD sort as dates.
        days: {
            let mut days: Vec<Date> = item
                .keys()
                .filter_map(|k| k.strip_prefix(JOIN_DAY_PREFIX))
                .filter_map(|d| d.parse().ok())
                .collect();
            days.sort_unstable();
            days
        },
    };
    Ok(Stored {
        registration,
        rev: item.get(REV).and_then(Value::as_u64).unwrap_or(0),
    })
}

const COUNTED: &str = "counted";
const SEQ: &str = "seq";

/// The writes that move copy `shard` of `event`'s counters by `d`: one per item, the main one
/// always (its `seq` counts the changes, so a recount can tell none came in while it read).
/// Whether an address's guard holds it at `now`: it exists and its registration is confirmed
/// or still within its window (the negation of what [`Change::claim_address`] may claim).
fn guard_held(now: Timestamp) -> Cond {
    Cond::And(vec![
        Cond::Exists,
        Cond::Or(vec![
            Cond::Absent(CONFIRM_BY.into()),
            Cond::Gt(CONFIRM_BY.into(), now.as_second()),
        ]),
    ])
}

fn tally_writes(event: &EventId, shard: u32, d: Deltas) -> Vec<Write> {
    if d.is_empty() {
        return Vec::new();
    }
    let mut main = Write::update(keys::tally(event, Place::Main, shard)).add(SEQ, 1);
    let mut out = Vec::new();
    for (place, counts) in d {
        if place == Place::Main {
            for (name, n) in counts {
                main = main.add(&name, n);
            }
            continue;
        }
        let mut w = Write::update(keys::tally(event, place, shard));
        for (name, n) in counts {
            w = w.add(&name, n);
        }
        if let Place::Open(minute) = place {
            // Every registration in it has lapsed once the minute is over: never read again.
            w = w.set(TTL, (minute + 1) * 60);
        }
        out.push(w);
    }
    out.insert(0, main);
    out
}

/// Marks a new event's counters complete: every registration it will have commits with them.
pub(super) fn counted_from_start(event: &EventId) -> Write {
    Write::update(keys::tally(event, Place::Main, 0)).set(COUNTED, true)
}

/// The counters an item holds (every numeric attribute but the bookkeeping).
fn counts_of(item: &Item) -> std::collections::BTreeMap<String, i64> {
    item.iter()
        .filter(|(k, _)| ![super::PK, super::SK, TTL, SEQ, COUNTED].contains(&k.as_str()))
        .filter_map(|(k, v)| Some((k.clone(), v.as_i64()?)))
        .collect()
}

/// Tries of a transaction that meets concurrent transactions on the same items (DynamoDB's
/// TransactionConflict) before the conflict is reported.
const CONFLICT_TRIES: u32 = 12;

impl TableStore {
    /// Commits, retrying with jittered back-off while concurrent transactions conflict: a
    /// conflict says nothing about our conditions, only that the items were busy.
    async fn commit_writes(&self, writes: Vec<Write>) -> Result<(), TableError> {
        let mut tries = 0;
        loop {
            let result = match writes.as_slice() {
                [single] => self.table.write(single.clone()).await,
                _ => self.table.transact(writes.clone()).await,
            };
            match result {
                Err(TableError::Conflict) if tries + 1 < CONFLICT_TRIES => {
                    tries += 1;
                    let mut b = [0u8; 2];
                    let _ = getrandom::fill(&mut b);
                    let jitter = u64::from(u16::from_le_bytes(b)) % 20;
                    let wait = (5u64 << tries.min(6)) + jitter;
                    tokio::time::sleep(std::time::Duration::from_millis(wait)).await;
                }
                other => return other,
            }
        }
    }

    async fn via(&self, key: super::Key) -> Result<Option<Stored>, StoreError> {
        let Some(pointer) = self.table.get(&key).await? else {
            return Ok(None);
        };
        let (Some(event), Some(id)) = (
            pointer.get(EVENT_ID).and_then(Value::as_str),
            pointer.get(REGISTRATION_ID).and_then(Value::as_str),
        ) else {
            return Err(StoreError::Corrupt(
                "a token item lacks its registration".into(),
            ));
        };
        let event = EventId::parse(event).map_err(StoreError::Corrupt)?;
        let id = RegistrationId::parse(id).map_err(StoreError::Corrupt)?;
        self.registration(&event, &id).await
    }
}

#[async_trait]
impl RegistrationStore for TableStore {
    async fn registration(
        &self,
        event: &EventId,
        id: &RegistrationId,
    ) -> Result<Option<Stored>, StoreError> {
        match self.table.get(&keys::registration(event, id)).await? {
            None => Ok(None),
            Some(item) => stored(&item).map(Some),
        }
    }

    async fn by_token(&self, hash: &TokenHash) -> Result<Option<Stored>, StoreError> {
        self.via(keys::token(hash.as_str())).await
    }

    async fn by_join_token(&self, hash: &TokenHash) -> Result<Option<Stored>, StoreError> {
        self.via(keys::join_token(hash.as_str())).await
    }

    async fn by_unsubscribe_token(&self, hash: &TokenHash) -> Result<Option<Stored>, StoreError> {
        self.via(keys::unsubscribe(hash.as_str())).await
    }

    async fn by_calendar_token(&self, hash: &TokenHash) -> Result<Option<Stored>, StoreError> {
        self.via(keys::calendar_feed(hash.as_str())).await
    }

    async fn by_email(&self, event: &EventId, email: &Email) -> Result<Option<Stored>, StoreError> {
        let Some(guard) = self
            .table
            .get(&keys::email_guard(event, &email_hash(email)))
            .await?
        else {
            return Ok(None);
        };
        let Some(id) = guard.get(REGISTRATION_ID).and_then(Value::as_str) else {
            return Ok(None);
        };
        let id = RegistrationId::parse(id).map_err(StoreError::Corrupt)?;
        self.registration(event, &id).await
    }

    async fn address_held(
        &self,
        event: &EventId,
        email: &Email,
        now: Timestamp,
    ) -> Result<bool, StoreError> {
        let guard = self
            .table
            .get(&keys::email_guard(event, &email_hash(email)))
            .await?;
        Ok(guard_held(now).holds(guard.as_ref()))
    }

    async fn next_ticket(&self, event: &EventId, pool: Pool) -> Result<u64, StoreError> {
        let item = self
            .table
            .update_returning(Write::update(keys::seats(event, pool)).add(WAIT_SEQ, 1))
            .await?;
        item.get(WAIT_SEQ)
            .and_then(Value::as_u64)
            .ok_or_else(|| StoreError::Corrupt("the ticket counter is not a number".into()))
    }

    async fn first_waiting(
        &self,
        event: &EventId,
        pool: Pool,
    ) -> Result<Option<(u64, RegistrationId)>, StoreError> {
        let mut q = keys::waitlist(event, pool);
        q.limit = Some(1);
        let page = self.table.query(&q).await?;
        Ok(page.items.first().and_then(|i| {
            let sk = i.get(super::SK)?.as_str()?;
            let ticket = sk.strip_prefix(keys::wait_sk_prefix(pool))?.parse().ok()?;
            let id = RegistrationId::parse(i.get(REGISTRATION_ID)?.as_str()?).ok()?;
            Some((ticket, id))
        }))
    }

    async fn waitlist_position(
        &self,
        event: &EventId,
        pool: Pool,
        ticket: u64,
    ) -> Result<u64, StoreError> {
        let mut q = keys::waitlist(event, pool);
        q.sk_prefix = None;
        q.sk_between = Some((keys::wait_sk(pool, 0), keys::wait_sk(pool, ticket)));
        Ok(self.table.count(&q).await?)
    }

    async fn waiting_tickets(&self, event: &EventId, pool: Pool) -> Result<Vec<u64>, StoreError> {
        let items = self.table.query_all(&keys::waitlist(event, pool)).await?;
        items
            .iter()
            .map(|item| {
                item.get(super::SK)
                    .and_then(Value::as_str)
                    .and_then(|sk| sk.strip_prefix(keys::wait_sk_prefix(pool)))
                    .and_then(|t| t.parse().ok())
                    .ok_or_else(|| StoreError::Corrupt("a waiting-list key is not a ticket".into()))
            })
            .collect()
    }

    async fn seats(&self, event: &EventId, pool: Pool) -> Result<Seats, StoreError> {
        let item = self.table.get(&keys::seats(event, pool)).await?;
        Ok(Seats {
            taken: item
                .and_then(|i| i.get(TAKEN).and_then(Value::as_i64))
                .map_or(0, |n| n.max(0) as u64),
        })
    }

    async fn count_status(
        &self,
        event: &EventId,
        status: Status,
        now: Timestamp,
    ) -> Result<u64, StoreError> {
        let mut q = keys::registrations(event);
        let is = Cond::eq(STATUS, status.code());
        q.filter = Some(if status == Status::PendingConfirmation {
            // Still in its window: its TTL is more than LAPSED_KEPT away.
            let lapses_after = now.as_second() + LAPSED_KEPT.as_secs();
            Cond::And(vec![is, Cond::Gt(TTL.into(), lapses_after)])
        } else {
            is
        });
        Ok(self.table.count(&q).await?)
    }

    async fn page(
        &self,
        event: &EventId,
        status: Option<Status>,
        limit: u32,
        after: Option<RegistrationId>,
    ) -> Result<RegistrationPage, StoreError> {
        let mut q = keys::registrations(event);
        q.after = after.map(|id| format!("{}{id}", keys::REG_SK_PREFIX));
        let mut out = Vec::new();
        // Keep reading until the page is full or the list ends, so a filter never yields a
        // short page with more behind it.
        loop {
            q.limit = Some(limit.saturating_sub(out.len() as u32).max(1));
            q.filter = status.map(|s| Cond::eq(STATUS, s.code()));
            let page = self.table.query(&q).await?;
            for item in &page.items {
                out.push(stored(item)?.registration);
            }
            match page.last {
                Some(last) if (out.len() as u32) < limit => q.after = Some(last),
                Some(last) => {
                    let next = last
                        .strip_prefix(keys::REG_SK_PREFIX)
                        .map(RegistrationId::parse)
                        .transpose()
                        .map_err(StoreError::Corrupt)?;
                    return Ok(RegistrationPage {
                        registrations: out,
                        next,
                    });
                }
                None => {
                    return Ok(RegistrationPage {
                        registrations: out,
                        next: None,
                    });
                }
            }
        }
    }

    async fn record_join_use(
        &self,
        event: Option<&Event>,
        s: &Stored,
        day: Date,
        now: Timestamp,
    ) -> Result<(), StoreError> {
        let r = &s.registration;
        let key = keys::registration(&r.event_id, &r.id);
        let at = now.as_second();
        let used = Write::update(key)
            .add(JOIN_USES, 1)
            .add(&format!("{JOIN_DAY_PREFIX}{day}"), 1)
            .set(JOIN_LAST, at)
            .set_if_absent(JOIN_FIRST, at);
        let mut current = s.clone();
        for _ in 0..CONFLICT_TRIES {
            let mut after = current.registration.clone();
            after.join_use.count += 1;
            let d = match event {
                Some(e) => tally::delta(e, Some(&current.registration), &after),
                None => Deltas::new(),
            };
            if d.is_empty() {
                // A later use (or one the counters do not see): the one write.
                return Ok(self.table.write(used.when(Cond::Exists)).await?);
            }
            // The first use: the registration as read (its revision) and its counters move
            // together, so a change in between makes this read again.
            let mut writes = vec![used.clone().add(REV, 1).when(Cond::eq(REV, current.rev))];
            writes.extend(tally_writes(&r.event_id, tally::shard(&r.id), d));
            match self.commit_writes(writes).await {
                Ok(()) => return Ok(()),
                Err(TableError::ConditionFailed { .. }) => {
                    match self.registration(&r.event_id, &r.id).await? {
                        Some(fresh) => current = fresh,
                        None => return Ok(()),
                    }
                }
                Err(e) => return Err(e.into()),
            }
        }
        Err(StoreError::Table(TableError::Conflict))
    }

    async fn tally(&self, event: &EventId, now: Timestamp) -> Result<Tally, StoreError> {
        let mains = self.table.query_all(&keys::tally_main(event)).await?;
        let place = |item: &Item| {
            item.get(super::SK)
                .and_then(Value::as_str)
                .and_then(keys::tally_place)
        };
        let mut counted = false;
        let mut seq = std::collections::BTreeMap::new();
        let mut places = Vec::new();
        for item in &mains {
            let Some((p, shard)) = place(item) else {
                continue;
            };
            // The recount marks the first copy when it has written them all.
            counted |= shard == 0 && item.get(COUNTED).and_then(Value::as_bool) == Some(true);
            seq.insert(shard, item.get(SEQ).and_then(Value::as_u64).unwrap_or(0));
            places.push((p, counts_of(item)));
        }
        if counted {
            let minute = now.as_second().div_euclid(60);
            let made = self.table.query_all(&keys::tally_made(event)).await?;
            let open = self
                .table
                .query_all(&keys::tally_open_from(event, minute))
                .await?;
            for item in made.iter().chain(&open) {
                if let Some((p, _)) = place(item) {
                    places.push((p, counts_of(item)));
                }
            }
        }
        let mut t = Tally::from_deltas(places);
        t.counted = counted;
        t.seq = seq;
        Ok(t)
    }

    async fn put_tally(
        &self,
        event: &EventId,
        tally: &Tally,
        seq: &std::collections::BTreeMap<u32, u64>,
    ) -> Result<bool, StoreError> {
        let mut places = tally.places();
        let main = places.remove(&Place::Main).unwrap_or_default();
        // The recount goes into the first copy. Parts left from an earlier recount that did not
        // finish, and other copies' parts, go; the rest are replaced.
        for old in self.table.query_all(&keys::tally_items(event)).await? {
            let place = old
                .get(super::SK)
                .and_then(Value::as_str)
                .and_then(keys::tally_place);
            let stale = place
                .filter(|(p, shard)| *p != Place::Main && (*shard != 0 || !places.contains_key(p)));
            if let Some((p, shard)) = stale {
                let delete = Write::Delete {
                    key: keys::tally(event, p, shard),
                    cond: None,
                };
                self.table.write(delete).await?;
            }
        }
        for (place, counts) in places {
            let mut item = keys::tally(event, place, 0).item();
            for (name, n) in counts {
                item.insert(name, Value::from(n));
            }
            if let Place::Open(minute) = place {
                item.insert(TTL.into(), Value::from((minute + 1) * 60));
            }
            self.table.write(Write::put(item)).await?;
        }
        // Last, in one transaction, and only if no change came in since `seq`: every copy of
        // the main counters, the first marked complete.
        let mains = (0..tally::SHARDS)
            .map(|shard| {
                let mut item = keys::tally(event, Place::Main, shard).item();
                if shard == 0 {
                    for (name, n) in &main {
                        item.insert(name.clone(), Value::from(*n));
                    }
                    item.insert(COUNTED.into(), Value::from(true));
                }
                let n = seq.get(&shard).copied().unwrap_or(0);
                let cond = match n {
                    0 => Cond::Or(vec![
                        Cond::NotExists,
                        Cond::Absent(SEQ.into()),
                        Cond::eq(SEQ, 0),
                    ]),
                    n => Cond::eq(SEQ, n),
                };
                item.insert(SEQ.into(), Value::from(n));
                Write::put(item).when(cond)
            })
            .collect();
        match self.table.transact(mains).await {
            Ok(()) => Ok(true),
            Err(TableError::ConditionFailed { .. }) => Ok(false),
            Err(e) => Err(e.into()),
        }
    }

    async fn commit(&self, change: Change) -> Result<(), CommitError> {
        if change.writes.is_empty() {
            return Ok(());
        }
        let Change {
            mut writes,
            mut meanings,
            queued,
            tallies,
        } = change;
        for ((event, shard), (n, cap)) in queued {
            let mut w =
                Write::update(keys::mail_queue(&event, shard)).add(super::outbox::WAITING, n);
            if let Some(cap) = cap {
                let share = i64::from(cap.div_ceil(tally::SHARDS));
                w = w.when(Cond::Or(vec![
                    Cond::NotExists,
                    Cond::Lt(super::outbox::WAITING.into(), share - n + 1),
                ]));
            }
            // Meanings follow the writes they explain, so this one's index is its own.
            meanings.truncate(writes.len());
            writes.push(w);
            meanings.push(Conflict::Backlog);
        }
        for ((event, shard), d) in tallies {
            writes.extend(tally_writes(&event, shard, d));
        }
        let result = self.commit_writes(writes).await;
        match result {
            Ok(()) => Ok(()),
            Err(TableError::ConditionFailed { index }) => Err(CommitError::Conflict(
                meanings.get(index).copied().unwrap_or(Conflict::Stale),
            )),
            Err(e) => Err(e.into()),
        }
    }
}
