//! Asking for a sign-in link, through the organiser handler in process on both stores, with
//! every store call logged: an organiser's address (an administrator, a team member) and
//! addresses nobody knows get the same status, headers and body after the same store calls
//! (the same count, kinds, keys' shapes and conditions), under the hourly limit and over it; the
//! request path reads nothing, so it cannot behave differently by who the address belongs to.
//! That is the robust proof there is no timing oracle: the work that does differ is the mail
//! job's, off the request path.

use std::sync::{Arc, Mutex};

use async_trait::async_trait;
use plenary::clock::ManualClock;
use plenary::domain::{Event, EventId};
use plenary::mail::MessageKind;
use plenary::store::{
    Addressee, EventWriter, Item, Key, MemoryTable, Page, Query, Table, TableError, TableStore,
    Write,
};
use plenary::usecases::organiser::signin::SIGN_INS_PER_ADDRESS_PER_HOUR;
use plenary::wiring::Services;
use plenary_organiser::{App, handle};
use plenary_tests::dynamo_fixture;
use plenary_tests::on_both_stores;
use plenary_tests::stack::Store;
use serde_json::{Value, json};

const DEPLOYMENT: &str = "deployment-token-of-these-tests-0123456789ab";

on_both_stores!(
    a_known_and_an_unknown_address_get_the_same_answer_after_the_same_store_calls,
    over_the_hourly_limit_known_and_unknown_addresses_still_match_and_nothing_is_queued,
);

/// One store call as the request path made it: its kind, and per key the shape of its key
/// (hashes and ids masked) and whether it was conditional.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Call {
    op: &'static str,
    keys: Vec<(String, String, bool)>,
}

/// A key's parts with hashes (64 hex digits), ULIDs (26 characters) and numbers masked: what
/// is left is its kind.
fn shape(part: &str) -> String {
    part.split('#')
        .map(|seg| {
            let hex = seg.len() == 64 && seg.bytes().all(|b| b.is_ascii_hexdigit());
            let ulid = seg.len() == 26 && seg.bytes().all(|b| b.is_ascii_alphanumeric());
            let number = !seg.is_empty() && seg.bytes().all(|b| b.is_ascii_digit());
            if hex || ulid || number { "*" } else { seg }
        })
        .collect::<Vec<_>>()
        .join("#")
}

/// A table that logs every call through it.
struct Logged {
    inner: Arc<dyn Table>,
    log: Mutex<Vec<Call>>,
}

impl Logged {
    fn record(&self, op: &'static str, keys: Vec<(Key, bool)>) {
        let keys = keys
            .into_iter()
            .map(|(k, cond)| (shape(&k.pk), shape(&k.sk), cond))
            .collect();
        self.log.lock().unwrap().push(Call { op, keys });
    }

    fn record_writes(&self, op: &'static str, writes: &[&Write]) {
        let keys = writes
            .iter()
            .filter_map(|w| w.key().map(|k| (k, w.condition().is_some())))
            .collect();
        self.record(op, keys);
    }

    fn take(&self) -> Vec<Call> {
        std::mem::take(&mut *self.log.lock().unwrap())
    }
}

#[async_trait]
impl Table for Logged {
    async fn get(&self, key: &Key) -> Result<Option<Item>, TableError> {
        self.record("get", vec![(key.clone(), false)]);
        self.inner.get(key).await
    }

    async fn query(&self, q: &Query) -> Result<Page, TableError> {
        let key = Key::new(q.pk.clone(), q.sk_prefix.clone().unwrap_or_default());
        self.record("query", vec![(key, false)]);
        self.inner.query(q).await
    }

    async fn count(&self, q: &Query) -> Result<u64, TableError> {
        let key = Key::new(q.pk.clone(), q.sk_prefix.clone().unwrap_or_default());
        self.record("count", vec![(key, false)]);
        self.inner.count(q).await
    }

    async fn write(&self, w: Write) -> Result<(), TableError> {
        self.record_writes("write", &[&w]);
        self.inner.write(w).await
    }

    async fn update_returning(&self, w: Write) -> Result<Item, TableError> {
        self.record_writes("update_returning", &[&w]);
        self.inner.update_returning(w).await
    }

    async fn transact(&self, writes: Vec<Write>) -> Result<(), TableError> {
        let refs: Vec<&Write> = writes.iter().collect();
        self.record_writes("transact", &refs);
        self.inner.transact(writes).await
    }
}

struct World {
    app: App,
    table: Arc<Logged>,
    store: Arc<TableStore>,
}

async fn world(store: Store) -> World {
    let inner: Arc<dyn Table> = match store {
        Store::Memory => Arc::new(MemoryTable::new()),
        Store::Dynamodb => Arc::new(dynamo_fixture::fresh_table("signin").await),
    };
    let table = Arc::new(Logged {
        inner,
        log: Mutex::new(Vec::new()),
    });
    let store = Arc::new(TableStore::new(table.clone() as Arc<dyn Table>));
    let clock = Arc::new(ManualClock::at("2021-08-23T08:00:00Z".parse().unwrap()));
    let mut config = plenary_tests::config();
    config.organiser_token_hash = Some(plenary::token::TokenHash::of(DEPLOYMENT));
    let services = Services::new(store.clone()).with_clock(clock.clone());
    let app = App::new(&services, &config).unwrap();
    let event = Event::parse(
        EventId::parse("signin").unwrap(),
        &json!({"title": "Sign-in", "timezone": "Europe/Zurich",
                "starts_at": "2021-09-08T12:00:00Z", "ends_at": "2021-09-08T14:00:00Z",
                "registration": {"opens_at": "2021-01-01T00:00:00Z"}}),
    )
    .unwrap();
    store
        .put_event(&event, "2021-08-23T08:00:00Z".parse().unwrap())
        .await
        .unwrap();
    let w = World { app, table, store };
    // An administrator, and a member of a team (who is an organiser by being one).
    let admin = call(
        &w,
        "PUT",
        "/v1/admin/organisers/admin%40signin.example",
        Some(DEPLOYMENT),
        json!({"name": "Admin", "administrator": true}),
    )
    .await;
    assert_eq!(admin.status, 200, "{}", admin.body);
    let member = call(
        &w,
        "PUT",
        "/v1/admin/events/signin/team/chair%40signin.example",
        Some(DEPLOYMENT),
        json!({"role": "editor", "name": "Chair"}),
    )
    .await;
    assert_eq!(member.status, 200, "{}", member.body);
    w.table.take();
    w
}

/// Addresses of one length, so not even an item's size differs by who they belong to.
const KNOWN: [&str; 2] = ["admin@signin.example", "chair@signin.example"];
const UNKNOWN: [&str; 2] = ["nobod@signin.example", "stray@signin.example"];

#[derive(Debug, PartialEq)]
struct Answer {
    status: u16,
    headers: Vec<(String, String)>,
    body: String,
}

async fn call(w: &World, method: &str, path: &str, bearer: Option<&str>, body: Value) -> Reply {
    let mut req = http::Request::builder()
        .method(method)
        .uri(path)
        .header("content-type", "application/json");
    if let Some(b) = bearer {
        req = req.header("authorization", format!("Bearer {b}"));
    }
    let req = req.body(lambda_http::Body::Text(body.to_string())).unwrap();
    let res = handle(&w.app, req).await;
    let text = match res.body() {
        lambda_http::Body::Text(t) => t.clone(),
        _ => String::new(),
    };
    Reply {
        status: res.status().as_u16(),
        body: serde_json::from_str(&text).unwrap_or(Value::Null),
        answer: Answer {
            status: res.status().as_u16(),
            // Every header but the request's own random id.
            headers: res
                .headers()
                .iter()
                .filter(|(k, _)| k.as_str() != "x-request-id")
                .map(|(k, v)| (k.to_string(), v.to_str().unwrap().to_owned()))
                .collect(),
            body: text,
        },
    }
}

struct Reply {
    status: u16,
    body: Value,
    answer: Answer,
}

/// Asks for a link for `email` (with a language, as a client would): the answer and the store
/// calls it made.
async fn ask(w: &World, email: &str) -> (Answer, Vec<Call>) {
    w.table.take();
    let r = call(
        w,
        "POST",
        "/v1/admin/sign-in",
        None,
        json!({"email": email, "language": "fr"}),
    )
    .await;
    (r.answer, w.table.take())
}

/// The addresses the outbox holds sign-in requests for, oldest first.
async fn queued(w: &World) -> Vec<String> {
    plenary_tests::all_queued(w.store.as_ref())
        .await
        .into_iter()
        .filter(|n| n.kind == MessageKind::OrganiserSignIn)
        .map(|n| match n.to {
            Addressee::Address { email, .. } => email.to_string(),
            other => panic!("a sign-in request names a registration: {other:?}"),
        })
        .collect()
}

async fn a_known_and_an_unknown_address_get_the_same_answer_after_the_same_store_calls(
    store: Store,
) {
    let w = world(store).await;
    let (reference, calls) = ask(&w, KNOWN[0]).await;
    assert_eq!(reference.status, 202);
    assert_eq!(
        serde_json::from_str::<Value>(&reference.body).unwrap(),
        json!({"status": "check_email"})
    );
    // The request path: the hourly count (a conditional update) and the queued request (a
    // conditional put), and no read at all: nothing it does depends on who the address is.
    assert_eq!(
        calls,
        [
            Call {
                op: "write",
                keys: vec![("RATE#sign-in#*".into(), "*".into(), true)],
            },
            Call {
                op: "write",
                keys: vec![("OUTBOX".into(), "MSG#*".into(), true)],
            },
        ],
        "{calls:#?}"
    );
    // Alternating, so nothing else (a warm cache, a first call) lines up with one kind.
    for email in [UNKNOWN[0], KNOWN[1], UNKNOWN[1]] {
        let (answer, made) = ask(&w, email).await;
        assert_eq!(answer, reference, "{email}: the answer differs");
        assert_eq!(made, calls, "{email}: the store calls differ");
    }
    // Every request was queued, the strangers' too: the job tells them apart, off this path.
    // (Sorted: made in one millisecond of the manual clock, their ids order them at random.)
    let mut all = queued(&w).await;
    all.sort();
    let mut expected = [KNOWN, UNKNOWN].concat();
    expected.sort();
    assert_eq!(all, expected);
}

async fn over_the_hourly_limit_known_and_unknown_addresses_still_match_and_nothing_is_queued(
    store: Store,
) {
    let w = world(store).await;
    let mut under = Vec::new();
    for _ in 0..SIGN_INS_PER_ADDRESS_PER_HOUR {
        for email in [KNOWN[1], UNKNOWN[0]] {
            under.push(ask(&w, email).await);
        }
    }
    assert!(under.windows(2).all(|p| p[0] == p[1]), "{under:#?}");
    let before = queued(&w).await.len();
    assert_eq!(before, 2 * SIGN_INS_PER_ADDRESS_PER_HOUR as usize);
    let (known, known_calls) = ask(&w, KNOWN[1]).await;
    let (unknown, unknown_calls) = ask(&w, UNKNOWN[0]).await;
    // The same 202 as under the limit, after one refused count and no write queuing anything.
    assert_eq!(known, under[0].0);
    assert_eq!(unknown, known);
    assert_eq!(
        known_calls,
        [Call {
            op: "write",
            keys: vec![("RATE#sign-in#*".into(), "*".into(), true)],
        }],
        "{known_calls:#?}"
    );
    assert_eq!(unknown_calls, known_calls);
    assert_eq!(
        queued(&w).await.len(),
        before,
        "a request over the limit was queued"
    );
}
