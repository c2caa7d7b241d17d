//! Following a personal join link, through the registration handler in process on both stores
//! with every store call logged: the redirect makes exactly one write, a conditional update of
//! the registration that counts the use, its last and first time and the day attended together
//! (the first use also moves the event's attendance counters, in one transaction with it); and
//! the day is the event's, across the UTC date line.

use std::sync::{Arc, Mutex};

use async_trait::async_trait;
use jiff::{SignedDuration, Timestamp};
use plenary::clock::ManualClock;
use plenary::domain::{
    Application, Event, EventId, JoinInfo, Registration, RegistrationId, Status,
};
use plenary::store::{
    Change, EventWriter, Item, JoinInfoStore, Key, MemoryTable, Page, Query, RegistrationStore,
    Table, TableError, TableStore, Write,
};
use plenary::wiring::Services;
use plenary_registration::{App, handle};
use plenary_tests::dynamo_fixture;
use plenary_tests::on_both_stores;
use plenary_tests::stack::Store;
use serde_json::json;

on_both_stores!(a_join_redirect_is_one_conditional_write_that_counts_the_day_in_the_events_zone);

/// A write as the redirect made it: its kind, and per key whether it was conditional.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Written {
    op: &'static str,
    keys: Vec<(Key, bool)>,
}

/// A table that logs every write through it (reads pass unlogged).
struct Logged {
    inner: Arc<dyn Table>,
    writes: Mutex<Vec<Written>>,
}

impl Logged {
    fn record(&self, op: &'static str, writes: &[&Write]) {
        let keys = writes
            .iter()
            .filter_map(|w| w.key().map(|k| (k, w.condition().is_some())))
            .collect();
        self.writes.lock().unwrap().push(Written { op, keys });
    }

    fn take(&self) -> Vec<Written> {
        std::mem::take(&mut *self.writes.lock().unwrap())
    }
}

#[async_trait]
impl Table for Logged {
    async fn get(&self, key: &Key) -> Result<Option<Item>, TableError> {
        self.inner.get(key).await
    }

    async fn query(&self, q: &Query) -> Result<Page, TableError> {
        self.inner.query(q).await
    }

    async fn count(&self, q: &Query) -> Result<u64, TableError> {
        self.inner.count(q).await
    }

    async fn write(&self, w: Write) -> Result<(), TableError> {
        self.record("write", &[&w]);
        self.inner.write(w).await
    }

    async fn update_returning(&self, w: Write) -> Result<Item, TableError> {
        self.record("update_returning", &[&w]);
        self.inner.update_returning(w).await
    }

    async fn transact(&self, writes: Vec<Write>) -> Result<(), TableError> {
        let refs: Vec<&Write> = writes.iter().collect();
        self.record("transact", &refs);
        self.inner.transact(writes).await
    }
}

fn at(s: &str) -> Timestamp {
    s.parse().unwrap()
}

async fn follow(app: &App, token: &str) -> u16 {
    let req = http::Request::builder()
        .method("GET")
        .uri(format!("/v1/join/{token}"))
        .body(lambda_http::Body::Empty)
        .unwrap();
    handle(app, req).await.status().as_u16()
}

async fn a_join_redirect_is_one_conditional_write_that_counts_the_day_in_the_events_zone(
    store: Store,
) {
    let inner: Arc<dyn Table> = match store {
        Store::Memory => Arc::new(MemoryTable::new()),
        Store::Dynamodb => Arc::new(dynamo_fixture::fresh_table("join").await),
    };
    let table = Arc::new(Logged {
        inner,
        writes: Mutex::new(Vec::new()),
    });
    let store = Arc::new(TableStore::new(table.clone() as Arc<dyn Table>));
    // 23:30 in Tokyo on the 8th, still the 8th in UTC.
    let clock = Arc::new(ManualClock::at(at("2021-09-08T14:30:00Z")));
    let config = plenary_tests::config();
    let services = Services::new(store.clone()).with_clock(clock.clone());
    let app = App::new(&services, &config).unwrap();

    let id = EventId::parse("tokyo").unwrap();
    let event = Event::parse(
        id.clone(),
        &json!({"title": "Tokyo", "timezone": "Asia/Tokyo",
                "starts_at": "2021-09-08T09:00:00+09:00", "ends_at": "2021-09-09T18:00:00+09:00",
                "registration": {"opens_at": "2021-01-01T00:00:00Z"}}),
    )
    .unwrap();
    store
        .put_event(&event, at("2021-08-01T00:00:00Z"))
        .await
        .unwrap();
    let info = JoinInfo::parse(
        &json!({"url": "https://meet.example/tokyo", "release_at": "2021-08-01T00:00:00Z"}),
    )
    .unwrap();
    store.put_join_info(&id, &info).await.unwrap();
    let body = json!({"email": "ada@example.org", "given_name": "Ada", "family_name": "Lovelace",
                      "country": "GB", "organisation": "AE", "category": "academia",
                      "language": "en", "consent": true});
    let application = Application::parse(&event, &body).unwrap();
    let rid = RegistrationId::parse("01F00000000000000000000ABC").unwrap();
    let mut r = Registration::new(
        rid.clone(),
        id.clone(),
        &application,
        at("2021-08-02T00:00:00Z"),
    );
    r.status = Status::Confirmed;
    r.confirm_by = None;
    r.confirmed_at = Some(at("2021-08-02T00:00:00Z"));
    let join_key = config.join_key.clone().unwrap();
    let token = join_key.token_for(r.token_keys, &rid, 0);
    let mut change = Change::new();
    change
        .save(&event, None, &r)
        .unwrap()
        .grant_join(&token.hash(), &r);
    store.commit(change).await.unwrap();
    table.take();

    assert_eq!(follow(&app, token.expose()).await, 302);
    let registration = (Key::new("EVENT#tokyo", format!("REG#{rid}")), true);
    let first = Written {
        op: "transact",
        keys: vec![registration.clone(), (tally_key(&id, &rid), false)],
    };
    assert_eq!(table.take(), [first], "the first use");
    let one = Written {
        op: "write",
        keys: vec![registration],
    };
    // 00:30 in Tokyo on the 9th, while UTC is still on the 8th.
    clock.advance(SignedDuration::from_hours(1));
    assert_eq!(follow(&app, token.expose()).await, 302);
    assert_eq!(table.take(), std::slice::from_ref(&one), "a later use");
    clock.advance(SignedDuration::from_mins(5));
    assert_eq!(follow(&app, token.expose()).await, 302);
    assert_eq!(table.take(), [one], "a second use that day");

    let used = store
        .registration(&id, &rid)
        .await
        .unwrap()
        .unwrap()
        .registration
        .join_use;
    assert_eq!(used.count, 3);
    assert_eq!(used.first_used_at, Some(at("2021-09-08T14:30:00Z")));
    assert_eq!(used.last_used_at, Some(at("2021-09-08T15:35:00Z")));
    let days: Vec<String> = used.days.iter().map(ToString::to_string).collect();
    assert_eq!(days, ["2021-09-08", "2021-09-09"]);
}

/// The copy of the main counters the registration's counters are kept in.
fn tally_key(event: &EventId, id: &RegistrationId) -> Key {
    use plenary::domain::tally;
    plenary::store::keys::tally(event, tally::Place::Main, tally::shard(id))
}
