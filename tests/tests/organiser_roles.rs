//! Organisers as people, through the organiser handler in process on both stores: the role
//! table over every organiser route and role (a route without an entry here fails), sessions
//! from sign-in links (once, 15 minutes; 12 hours), personal tokens (read-only, revoked,
//! expired), and role changes and removals taking effect on the very next request.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use jiff::SignedDuration;
use plenary::Clock;
use plenary::clock::ManualClock;
use plenary::domain::{Email, Event, EventId, SIGN_IN_LINK_LIFETIME};
use plenary::http::Request;
use plenary::store::{
    Credentials, EventWriter, Item, JoinInfoStore, Key, MemoryTable, Page, Query, Table,
    TableError, TableStore, Write,
};
use plenary::token::{OsTokenSource, TokenHash, TokenSource};
use plenary::wiring::Services;
use plenary_organiser::{App, Endpoint, ROUTES, handle};
use plenary_tests::dynamo_fixture;
use plenary_tests::on_both_stores;
use plenary_tests::stack::Store;
use serde_json::{Value, json};

const DEPLOYMENT: &str = "deployment-token-of-these-tests-0123456789ab";

on_both_stores!(
    an_organiser_bearer_shorter_than_43_characters_is_refused_even_when_its_hash_is_configured,
    every_organiser_route_answers_each_role_as_the_role_table_says,
    a_role_change_or_removal_takes_effect_on_the_next_request,
    a_sign_in_link_works_once_for_fifteen_minutes_and_its_session_for_twelve_hours,
    personal_tokens_act_with_their_owners_roles_until_revoked_or_expired,
    signing_out_ends_that_session_only,
    every_organiser_write_is_one_audit_entry_committed_with_its_change,
    an_organiser_lists_the_events_of_their_teams_with_role_version_and_counts,
    every_organiser_route_refuses_spent_credentials_and_read_only_tokens_on_writes,
);

/// Who may call each organiser route, by operation id: the contract's role table. The least
/// role that may (event routes), or who else.
fn role_table() -> BTreeMap<&'static str, &'static str> {
    BTreeMap::from([
        ("listOrganiserEvents", "any organiser"),
        ("getOrganiserEvent", "viewer"),
        ("putEvent", "editor"),
        ("getDraftChanges", "viewer"),
        ("getJoinInfo", "manager"),
        ("listAnnouncements", "manager"),
        ("getDraft", "viewer"),
        ("putDraft", "editor"),
        ("publish", "editor"),
        ("putJoinInfo", "manager"),
        ("listRegistrations", "reviewer"),
        ("exportRegistrations", "reviewer"),
        ("approve", "reviewer"),
        ("reject", "reviewer"),
        ("revokeJoin", "reviewer"),
        ("getStats", "viewer"),
        ("getAttendance", "reviewer"),
        ("announce", "manager"),
        ("previewAnnouncement", "manager"),
        ("createUpload", "editor"),
        ("getTeam", "viewer"),
        ("putMember", "manager"),
        ("removeMember", "manager"),
        ("signIn", "anyone"),
        ("openSession", "anyone"),
        ("signOut", "any organiser"),
        ("getMe", "any organiser"),
        ("createToken", "any organiser"),
        ("listTokens", "any organiser"),
        ("revokeToken", "any organiser"),
        ("listOrganisers", "administrator"),
        ("putOrganiser", "administrator"),
        ("removeOrganiser", "administrator"),
        ("getEventAudit", "manager"),
        ("getAudit", "administrator"),
    ])
}

/// Whether `role` may do what a route needing `least` needs. Reviewers and editors are side
/// by side: neither may do the other's work.
fn may(role: &str, least: &str) -> bool {
    match least {
        "viewer" => true,
        "reviewer" => matches!(role, "reviewer" | "manager"),
        "editor" => matches!(role, "editor" | "manager"),
        "manager" => role == "manager",
        other => panic!("{other} is not an event role"),
    }
}

struct World {
    app: App,
    store: Arc<TableStore>,
    clock: Arc<ManualClock>,
    /// Between the stores and the table: fails transactions when told to.
    faults: Arc<FailingTransactions>,
}

async fn world(store: Store) -> World {
    let table: Arc<dyn Table> = match store {
        Store::Memory => Arc::new(MemoryTable::new()),
        Store::Dynamodb => Arc::new(dynamo_fixture::fresh_table("roles").await),
    };
    let faults = Arc::new(FailingTransactions {
        inner: table,
        failing: AtomicBool::new(false),
    });
    let store = Arc::new(TableStore::new(faults.clone()));
    let clock = Arc::new(ManualClock::at("2021-08-23T08:00:00Z".parse().unwrap()));
    let mut config = plenary_tests::config();
    config.organiser_token_hash = Some(TokenHash::of(DEPLOYMENT));
    let services = Services::new(store.clone()).with_clock(clock.clone());
    let app = App::new(&services, &config).unwrap();
    for id in ["roles", "elsewhere"] {
        let event = Event::parse(
            EventId::parse(id).unwrap(),
            &json!({"title": "Roles", "timezone": "Europe/Zurich",
                    "starts_at": "2021-09-08T12:00:00Z", "ends_at": "2021-09-08T14:00:00Z",
                    "registration": {"opens_at": "2021-01-01T00:00:00Z"}}),
        )
        .unwrap();
        store.put_event(&event, clock.now()).await.unwrap();
    }
    World {
        app,
        store,
        clock,
        faults,
    }
}

/// A table whose transactions fail while `failing` is set (as a network error would, before
/// they reach the table); single writes go through. A change written apart from its audit
/// entry would get through.
struct FailingTransactions {
    inner: Arc<dyn Table>,
    failing: AtomicBool,
}

#[async_trait::async_trait]
impl Table for FailingTransactions {
    async fn get(&self, key: &Key) -> Result<Option<Item>, TableError> {
        self.inner.get(key).await
    }
    async fn query(&self, q: &Query) -> Result<Page, TableError> {
        self.inner.query(q).await
    }
    async fn write(&self, w: Write) -> Result<(), TableError> {
        self.inner.write(w).await
    }
    async fn update_returning(&self, w: Write) -> Result<Item, TableError> {
        self.inner.update_returning(w).await
    }
    async fn transact(&self, writes: Vec<Write>) -> Result<(), TableError> {
        if self.failing.load(Ordering::SeqCst) {
            return Err(TableError::Unavailable("injected".into()));
        }
        self.inner.transact(writes).await
    }
}

struct Answer {
    status: u16,
    body: Value,
}

async fn call(w: &World, method: &str, path: &str, bearer: Option<&str>, body: Value) -> Answer {
    let mut req = http::Request::builder()
        .method(method)
        .uri(path)
        .header("content-type", "application/json");
    if let Some(b) = bearer {
        req = req.header("authorization", format!("Bearer {b}"));
    }
    let req: Request = req.body(lambda_http::Body::Text(body.to_string())).unwrap();
    let res = handle(&w.app, req).await;
    let status = res.status().as_u16();
    let body = match res.body() {
        lambda_http::Body::Text(t) => serde_json::from_str(t).unwrap_or(Value::Null),
        _ => Value::Null,
    };
    Answer { status, body }
}

/// The status `call` gets.
async fn status(w: &World, method: &str, path: &str, bearer: Option<&str>, body: Value) -> u16 {
    call(w, method, path, bearer, body).await.status
}

async fn admin(w: &World, method: &str, path: &str, body: Value) -> Answer {
    call(w, method, path, Some(DEPLOYMENT), body).await
}

/// A session for `email` (who must be an organiser), through a sign-in link put in the store
/// as the sign-in mail would.
async fn session(w: &World, email: &str) -> String {
    let link = OsTokenSource.new_token();
    w.store
        .put_sign_in_link(
            &link.hash(),
            &Email::parse(email).unwrap(),
            w.clock.now() + SIGN_IN_LINK_LIFETIME,
        )
        .await
        .unwrap();
    let res = call(
        w,
        "POST",
        "/v1/admin/sessions",
        None,
        json!({"token": link.expose()}),
    )
    .await;
    assert_eq!(res.status, 201, "{}", res.body);
    res.body["token"].as_str().unwrap().to_owned()
}

async fn add_member(w: &World, event: &str, email: &str, role: &str) {
    let res = admin(
        w,
        "PUT",
        &format!("/v1/admin/events/{event}/team/{email}"),
        json!({"role": role}),
    )
    .await;
    assert_eq!(res.status, 200, "{}", res.body);
}

fn path_of(pattern: &str) -> String {
    pattern
        .replace("{event_id}", "roles")
        .replace("{registration_id}", "01J00000000000000000000000")
        .replace("{email}", "nobody%40roles.example")
        .replace("{token_id}", "01J00000000000000000000000")
}

/// The token `id` in a `GET /v1/admin/tokens` answer.
fn listed(list: &Answer, id: &str) -> Value {
    let tokens = list.body["tokens"].as_array().unwrap();
    tokens.iter().find(|t| t["id"] == id).unwrap().clone()
}

fn is_the_events_404(a: &Answer) -> bool {
    a.status == 404 && a.body["detail"] == "the event was not found"
}

fn is_forbidden(a: &Answer) -> bool {
    a.status == 403
        && a.body["type"]
            .as_str()
            .is_some_and(|t| t.ends_with("forbidden"))
}

async fn every_organiser_route_answers_each_role_as_the_role_table_says(store: Store) {
    let w = world(store).await;
    let table = role_table();
    for r in ROUTES {
        assert!(
            table.contains_key(r.endpoint.operation().id),
            "{} {} has no entry in the role table of this test",
            r.method,
            r.pattern
        );
    }
    let mut bearers = Vec::new();
    for role in ["viewer", "reviewer", "editor", "manager"] {
        let email = format!("{role}@roles.example");
        add_member(&w, "roles", &email, role).await;
        bearers.push((role, session(&w, &email).await));
    }
    // On another event's team only: an organiser, but a stranger to this event.
    add_member(&w, "elsewhere", "outsider@roles.example", "manager").await;
    let outsider = session(&w, "outsider@roles.example").await;
    let mut checked = 0;
    for r in ROUTES {
        let least = table[r.endpoint.operation().id];
        let (method, path) = (r.method.as_str(), path_of(r.pattern));
        // Signing out would end the session the rest of the loop uses: its own test below.
        if r.endpoint == Endpoint::SignOut || least == "anyone" {
            continue;
        }
        let none = call(&w, method, &path, None, json!({})).await;
        assert_eq!(none.status, 401, "{method} {path} without a bearer");
        if r.pattern.contains("{event_id}") {
            let a = call(&w, method, &path, Some(&outsider), json!({})).await;
            if r.endpoint == Endpoint::PutEvent {
                assert!(
                    is_forbidden(&a),
                    "creating is for administrators: {}",
                    a.body
                );
            } else {
                assert!(
                    is_the_events_404(&a),
                    "{method} {path} by a stranger: {}",
                    a.body
                );
            }
            for (role, bearer) in &bearers {
                let a = call(&w, method, &path, Some(bearer), json!({})).await;
                if may(role, least) {
                    assert!(
                        !matches!(a.status, 401 | 403) && !is_the_events_404(&a),
                        "{method} {path} refused to a {role}: {} {}",
                        a.status,
                        a.body
                    );
                } else {
                    assert!(
                        is_forbidden(&a),
                        "{method} {path} allowed to a {role}: {} {}",
                        a.status,
                        a.body
                    );
                }
                checked += 1;
            }
        } else {
            let (_, manager) = &bearers[3];
            let a = call(&w, method, &path, Some(manager), json!({})).await;
            match least {
                "administrator" => assert!(is_forbidden(&a), "{method} {path}: {}", a.body),
                _ => assert!(
                    !matches!(a.status, 401 | 403),
                    "{method} {path} refused to an organiser: {}",
                    a.body
                ),
            }
            checked += 1;
        }
        // The administrator may do everything everywhere (the deployment token makes no
        // personal tokens: tokens belong to people).
        let a = admin(&w, method, &path, json!({})).await;
        if r.endpoint != Endpoint::CreateToken {
            assert!(
                !matches!(a.status, 401 | 403) && !is_the_events_404(&a),
                "{method} {path} refused to the administrator: {} {}",
                a.status,
                a.body
            );
        }
    }
    assert!(checked > 60, "only {checked} checks ran");
}

async fn a_role_change_or_removal_takes_effect_on_the_next_request(store: Store) {
    let w = world(store).await;
    add_member(&w, "roles", "ada@roles.example", "manager").await;
    let ada = session(&w, "ada@roles.example").await;
    let join = json!({"url": "https://meet.example/x", "release_at": "2021-09-01T00:00:00Z"});
    let path = "/v1/admin/events/roles/join-info";
    assert_eq!(status(&w, "PUT", path, Some(&ada), join.clone()).await, 200);
    add_member(&w, "roles", "ada@roles.example", "viewer").await;
    assert!(is_forbidden(
        &call(&w, "PUT", path, Some(&ada), join.clone()).await
    ));
    let stats = "/v1/admin/events/roles/stats";
    assert_eq!(status(&w, "GET", stats, Some(&ada), Value::Null).await, 200);
    let me = call(&w, "GET", "/v1/admin/me", Some(&ada), Value::Null).await;
    assert_eq!(
        me.body["events"],
        json!([{"event_id": "roles", "role": "viewer"}])
    );
    // Off the team: the event is gone for her, but she is still an organiser.
    let res = admin(
        &w,
        "DELETE",
        "/v1/admin/events/roles/team/ada@roles.example",
        json!({}),
    )
    .await;
    assert_eq!(res.status, 204);
    assert!(is_the_events_404(
        &call(&w, "GET", stats, Some(&ada), Value::Null).await
    ));
    assert_eq!(
        status(&w, "GET", "/v1/admin/me", Some(&ada), Value::Null).await,
        200
    );
    // Removed as a person: every credential of hers ends, and adding her again revives none.
    add_member(&w, "roles", "ada@roles.example", "manager").await;
    let res = admin(
        &w,
        "DELETE",
        "/v1/admin/organisers/ada@roles.example",
        json!({}),
    )
    .await;
    assert_eq!(res.status, 204);
    assert_eq!(
        status(&w, "GET", "/v1/admin/me", Some(&ada), Value::Null).await,
        401
    );
    add_member(&w, "roles", "ada@roles.example", "manager").await;
    assert_eq!(status(&w, "GET", stats, Some(&ada), Value::Null).await, 401);
    let team = admin(&w, "GET", "/v1/admin/events/roles/team", Value::Null).await;
    assert_eq!(team.body["members"][0]["email"], "ada@roles.example");
    assert_eq!(team.body["members"][0]["added_by"], Value::Null);
}

async fn a_sign_in_link_works_once_for_fifteen_minutes_and_its_session_for_twelve_hours(
    store: Store,
) {
    let w = world(store).await;
    let res = admin(
        &w,
        "PUT",
        "/v1/admin/organisers/chair@roles.example",
        json!({"name": "Chair"}),
    )
    .await;
    assert_eq!(res.status, 200, "{}", res.body);
    assert_eq!(res.body["administrator"], false);
    let link = OsTokenSource.new_token();
    let chair = Email::parse("chair@roles.example").unwrap();
    w.store
        .put_sign_in_link(&link.hash(), &chair, w.clock.now() + SIGN_IN_LINK_LIFETIME)
        .await
        .unwrap();
    let exchange = json!({"token": link.expose()});
    let first = call(&w, "POST", "/v1/admin/sessions", None, exchange.clone()).await;
    assert_eq!(first.status, 201, "{}", first.body);
    assert_eq!(first.body["organiser"]["email"], "chair@roles.example");
    assert_eq!(first.body["expires_at"], "2021-08-23T20:00:00Z");
    let again = call(&w, "POST", "/v1/admin/sessions", None, exchange).await;
    assert_eq!(again.status, 410);
    let unknown = json!({"token": OsTokenSource.new_token().expose()});
    let res = call(&w, "POST", "/v1/admin/sessions", None, unknown).await;
    assert_eq!(res.status, 404);
    // A link clicked sixteen minutes after it was sent.
    let late = OsTokenSource.new_token();
    w.store
        .put_sign_in_link(&late.hash(), &chair, w.clock.now() + SIGN_IN_LINK_LIFETIME)
        .await
        .unwrap();
    w.clock.advance(SignedDuration::from_mins(16));
    let res = call(
        &w,
        "POST",
        "/v1/admin/sessions",
        None,
        json!({"token": late.expose()}),
    )
    .await;
    assert_eq!(res.status, 410);
    let bearer = first.body["token"].as_str().unwrap();
    let me = call(&w, "GET", "/v1/admin/me", Some(bearer), Value::Null).await;
    assert_eq!(me.status, 200);
    assert_eq!(me.body["email"], "chair@roles.example");
    assert_eq!(me.body["administrator"], false);
    w.clock.advance(SignedDuration::from_hours(12));
    let me = call(&w, "GET", "/v1/admin/me", Some(bearer), Value::Null).await;
    assert_eq!(me.status, 401);
    // The deployment token names nobody.
    let me = admin(&w, "GET", "/v1/admin/me", Value::Null).await;
    assert_eq!(me.body["email"], Value::Null);
    assert_eq!(me.body["administrator"], true);
}

async fn personal_tokens_act_with_their_owners_roles_until_revoked_or_expired(store: Store) {
    let w = world(store).await;
    add_member(&w, "roles", "script@roles.example", "manager").await;
    let session = session(&w, "script@roles.example").await;
    let refused = admin(&w, "POST", "/v1/admin/tokens", json!({"name": "x"})).await;
    assert!(is_forbidden(&refused), "{}", refused.body);
    let too_long = json!({"name": "CI", "expires_at": "2023-08-23T08:00:00Z"});
    let res = call(&w, "POST", "/v1/admin/tokens", Some(&session), too_long).await;
    assert_eq!(res.status, 400, "{}", res.body);
    let res = call(
        &w,
        "POST",
        "/v1/admin/tokens",
        Some(&session),
        json!({"name": "CI"}),
    )
    .await;
    assert_eq!(res.status, 201, "{}", res.body);
    assert_eq!(res.body["expires_at"], "2021-11-21T08:00:00Z", "90 days");
    let (id, token) = (
        res.body["id"].as_str().unwrap().to_owned(),
        res.body["token"].as_str().unwrap().to_owned(),
    );
    let ro = json!({"name": "Dashboard", "read_only": true});
    let res = call(&w, "POST", "/v1/admin/tokens", Some(&session), ro).await;
    let read_only = res.body["token"].as_str().unwrap().to_owned();
    let stats = "/v1/admin/events/roles/stats";
    let join = json!({"url": "https://meet.example/x", "release_at": "2021-09-01T00:00:00Z"});
    let join_path = "/v1/admin/events/roles/join-info";
    assert_eq!(
        status(&w, "GET", stats, Some(&token), Value::Null).await,
        200
    );
    assert_eq!(
        status(&w, "PUT", join_path, Some(&token), join.clone()).await,
        200
    );
    assert_eq!(
        status(&w, "GET", stats, Some(&read_only), Value::Null).await,
        200
    );
    assert!(is_forbidden(
        &call(&w, "PUT", join_path, Some(&read_only), join.clone()).await
    ));
    // Listed without secrets, with the last use recorded at most once a minute.
    w.clock.advance(SignedDuration::from_secs(30));
    call(&w, "GET", stats, Some(&token), Value::Null).await;
    let list = call(&w, "GET", "/v1/admin/tokens", Some(&session), Value::Null).await;
    let text = list.body.to_string();
    assert!(
        !text.contains(&token) && !text.contains(&read_only),
        "{text}"
    );
    let ci = listed(&list, &id);
    assert_eq!(ci["last_used_at"], "2021-08-23T08:00:00Z");
    assert_eq!(ci["read_only"], false);
    w.clock.advance(SignedDuration::from_secs(31));
    call(&w, "GET", stats, Some(&token), Value::Null).await;
    let list = call(&w, "GET", "/v1/admin/tokens", Some(&session), Value::Null).await;
    let ci = listed(&list, &id);
    assert_eq!(ci["last_used_at"], "2021-08-23T08:01:01Z");
    // The role is the owner's current one.
    add_member(&w, "roles", "script@roles.example", "viewer").await;
    assert!(is_forbidden(
        &call(&w, "PUT", join_path, Some(&token), join.clone()).await
    ));
    // Someone else cannot revoke it; its owner can, at once.
    add_member(&w, "roles", "other@roles.example", "viewer").await;
    let other = self::session(&w, "other@roles.example").await;
    let path = format!("/v1/admin/tokens/{id}");
    assert_eq!(
        status(&w, "DELETE", &path, Some(&other), Value::Null).await,
        404
    );
    assert_eq!(
        status(&w, "DELETE", &path, Some(&session), Value::Null).await,
        204
    );
    assert_eq!(
        status(&w, "GET", stats, Some(&token), Value::Null).await,
        401
    );
    // The read-only one expires with its 90 days.
    w.clock.advance(SignedDuration::from_hours(90 * 24));
    assert_eq!(
        status(&w, "GET", stats, Some(&read_only), Value::Null).await,
        401
    );
}

async fn signing_out_ends_that_session_only(store: Store) {
    let w = world(store).await;
    add_member(&w, "roles", "two@roles.example", "viewer").await;
    let laptop = session(&w, "two@roles.example").await;
    let phone = session(&w, "two@roles.example").await;
    let out = call(
        &w,
        "DELETE",
        "/v1/admin/sessions/current",
        Some(&laptop),
        Value::Null,
    )
    .await;
    assert_eq!(out.status, 204);
    assert_eq!(
        status(&w, "GET", "/v1/admin/me", Some(&laptop), Value::Null).await,
        401
    );
    assert_eq!(
        status(&w, "GET", "/v1/admin/me", Some(&phone), Value::Null).await,
        200
    );
    let wrong = call(
        &w,
        "GET",
        "/v1/admin/me",
        Some("not-the-token-of-anyone-at-all"),
        Value::Null,
    );
    assert_eq!(wrong.await.status, 401);
}

async fn every_organiser_write_is_one_audit_entry_committed_with_its_change(store: Store) {
    let w = world(store).await;
    add_member(&w, "roles", "ed@roles.example", "editor").await;
    let ed = session(&w, "ed@roles.example").await;
    // Entries order by time; an organiser's writes are seconds apart.
    w.clock.advance(SignedDuration::from_secs(1));
    let draft = json!({"speakers": [], "sessions": [{"id": "opening", "title": "Opening",
        "kind": "opening", "starts_at": "2021-09-08T12:00:00Z", "ends_at": "2021-09-08T12:30:00Z"}]});
    let path = "/v1/admin/events/roles/programme/draft";
    assert_eq!(status(&w, "PUT", path, Some(&ed), draft).await, 200);
    let publish = "/v1/admin/events/roles/programme/publish";
    w.clock.advance(SignedDuration::from_secs(1));
    assert_eq!(
        status(&w, "POST", publish, Some(&ed), Value::Null).await,
        200
    );
    // A refusal changes nothing and records nothing.
    let res = call(&w, "POST", publish, Some(&ed), Value::Null).await;
    assert_eq!(res.status, 409);
    let log = admin(&w, "GET", "/v1/admin/events/roles/audit", Value::Null).await;
    assert_eq!(log.status, 200, "{}", log.body);
    let actions: Vec<&str> = log.body["entries"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["action"].as_str().unwrap())
        .collect();
    assert_eq!(
        actions,
        ["publish", "putDraft", "putMember"],
        "newest first"
    );
    let newest = &log.body["entries"][0];
    assert_eq!(
        newest["actor"],
        json!({"email": "ed@roles.example", "via": "session"})
    );
    assert_eq!(newest["target"], "event roles");
    assert_eq!(
        log.body["entries"][2]["actor"],
        json!({"email": null, "via": "deployment"})
    );
    // The editor may not read it: the audit log is for managers.
    let res = call(
        &w,
        "GET",
        "/v1/admin/events/roles/audit",
        Some(&ed),
        Value::Null,
    )
    .await;
    assert!(is_forbidden(&res));
    // Paged.
    let page = admin(
        &w,
        "GET",
        "/v1/admin/events/roles/audit?limit=2",
        Value::Null,
    )
    .await;
    assert_eq!(page.body["entries"].as_array().unwrap().len(), 2);
    let cursor = page.body["next_cursor"].as_str().unwrap();
    let rest = admin(
        &w,
        "GET",
        &format!("/v1/admin/events/roles/audit?limit=2&cursor={cursor}"),
        Value::Null,
    )
    .await;
    assert_eq!(rest.body["entries"][0]["action"], "putMember");
    let bad = admin(
        &w,
        "GET",
        "/v1/admin/events/roles/audit?cursor=x&limit=0",
        Value::Null,
    )
    .await;
    assert_eq!(bad.status, 400);
    // The installation's log: people and sign-ins.
    let log = admin(&w, "GET", "/v1/admin/audit", Value::Null).await;
    let actions: Vec<&str> = log.body["entries"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["action"].as_str().unwrap())
        .collect();
    assert_eq!(actions, ["openSession"]);
    // Under an injected fault, the change and its entry fail together, and succeed together.
    let join = json!({"url": "https://meet.example/x", "release_at": "2021-09-01T00:00:00Z"});
    let join_path = "/v1/admin/events/roles/join-info";
    w.faults.failing.store(true, Ordering::SeqCst);
    let res = admin(&w, "PUT", join_path, join.clone()).await;
    w.faults.failing.store(false, Ordering::SeqCst);
    assert_eq!(res.status, 503, "{}", res.body);
    let entries = |log: &Answer| log.body["entries"].as_array().unwrap().len();
    let log = admin(&w, "GET", "/v1/admin/events/roles/audit", Value::Null).await;
    assert_eq!(entries(&log), 3, "no entry without its change");
    let roles = EventId::parse("roles").unwrap();
    let stored = w.store.join_info(&roles).await.unwrap();
    assert!(stored.is_none(), "no change without its entry");
    w.clock.advance(SignedDuration::from_secs(1));
    assert_eq!(admin(&w, "PUT", join_path, join).await.status, 200);
    let log = admin(&w, "GET", "/v1/admin/events/roles/audit", Value::Null).await;
    assert_eq!(entries(&log), 4, "the change with its entry");
    assert_eq!(log.body["entries"][0]["action"], "putJoinInfo");
    // Nothing of a registrant is ever in it: reviews name the registration by id only.
    assert!(!log.body.to_string().contains("given_name"));
}

async fn an_organiser_lists_the_events_of_their_teams_with_role_version_and_counts(store: Store) {
    let w = world(store).await;
    // A draft event (not public) is still the team's.
    let mut hidden = plenary_tests::flows::event_body(Some(10), false, false);
    hidden["visibility"] = json!("draft");
    assert_eq!(
        admin(&w, "PUT", "/v1/admin/events/hidden", hidden)
            .await
            .status,
        201
    );
    add_member(&w, "hidden", "rev@roles.example", "reviewer").await;
    add_member(&w, "roles", "rev@roles.example", "viewer").await;
    let rev = session(&w, "rev@roles.example").await;
    let draft = json!({"speakers": [], "sessions": [{"id": "opening", "title": "Opening",
        "kind": "opening", "starts_at": "2021-09-08T12:00:00Z", "ends_at": "2021-09-08T12:30:00Z"}]});
    admin(&w, "PUT", "/v1/admin/events/roles/programme/draft", draft).await;
    admin(
        &w,
        "POST",
        "/v1/admin/events/roles/programme/publish",
        Value::Null,
    )
    .await;
    // Someone registers (and has yet to confirm).
    let services = Services::new(w.store.clone()).with_clock(w.clock.clone());
    let registration = plenary_registration::App::new(&services, &plenary_tests::config()).unwrap();
    let req = http::Request::builder()
        .method("POST")
        .uri("/v1/events/roles/registrations")
        .header("content-type", "application/json")
        .body(lambda_http::Body::Text(
            plenary_tests::flows::person("someone@roles.example").to_string(),
        ))
        .unwrap();
    assert_eq!(
        plenary_registration::handle(&registration, req)
            .await
            .status(),
        202
    );
    let mine = call(&w, "GET", "/v1/admin/events", Some(&rev), Value::Null).await;
    assert_eq!(mine.status, 200, "{}", mine.body);
    let lines = mine.body["events"].as_array().unwrap();
    let ids: Vec<&str> = lines.iter().map(|l| l["id"].as_str().unwrap()).collect();
    assert_eq!(ids, ["hidden", "roles"], "not elsewhere: no role there");
    assert_eq!(lines[0]["role"], "reviewer");
    assert_eq!(lines[0]["visibility"], "draft");
    assert_eq!(lines[0]["published_version"], Value::Null);
    assert_eq!(lines[1]["role"], "viewer");
    assert_eq!(lines[1]["published_version"], 1);
    assert_eq!(
        lines[1]["registrations"],
        json!({"confirmed": 0, "waitlisted": 0, "pending": 1})
    );
    assert_eq!(
        lines[1]["starts_at"], "2021-09-08T14:00:00+02:00",
        "in the event's zone"
    );
    let all = admin(&w, "GET", "/v1/admin/events", Value::Null).await;
    let ids: Vec<&str> = all.body["events"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, ["elsewhere", "hidden", "roles"]);
    assert!(
        all.body["events"]
            .as_array()
            .unwrap()
            .iter()
            .all(|l| l["role"] == "manager")
    );
}

async fn token(w: &World, bearer: &str, body: Value) -> String {
    let res = call(w, "POST", "/v1/admin/tokens", Some(bearer), body).await;
    assert_eq!(res.status, 201, "{}", res.body);
    res.body["token"].as_str().unwrap().to_owned()
}

async fn every_organiser_route_refuses_spent_credentials_and_read_only_tokens_on_writes(
    store: Store,
) {
    let w = world(store).await;
    for who in ["out", "revoker", "gone", "brief", "reader"] {
        add_member(&w, "roles", &format!("{who}@roles.example"), "manager").await;
    }
    let signed_out = session(&w, "out@roles.example").await;
    let res = call(
        &w,
        "DELETE",
        "/v1/admin/sessions/current",
        Some(&signed_out),
        Value::Null,
    );
    assert_eq!(res.await.status, 204);
    let revoker = session(&w, "revoker@roles.example").await;
    let revoked = token(&w, &revoker, json!({"name": "old"})).await;
    let listed = call(&w, "GET", "/v1/admin/tokens", Some(&revoker), Value::Null).await;
    let id = listed.body["tokens"][0]["id"].as_str().unwrap().to_owned();
    let path = format!("/v1/admin/tokens/{id}");
    assert_eq!(
        status(&w, "DELETE", &path, Some(&revoker), Value::Null).await,
        204
    );
    let gone_session = session(&w, "gone@roles.example").await;
    let gone_token = token(&w, &gone_session, json!({"name": "ci"})).await;
    let res = admin(
        &w,
        "DELETE",
        "/v1/admin/organisers/gone@roles.example",
        Value::Null,
    )
    .await;
    assert_eq!(res.status, 204);
    let brief_session = session(&w, "brief@roles.example").await;
    let soon = (w.clock.now() + SignedDuration::from_mins(1)).to_string();
    let expired = token(
        &w,
        &brief_session,
        json!({"name": "brief", "expires_at": soon}),
    )
    .await;
    // An administrator's read-only token: only the writes are refused to it.
    let res = admin(
        &w,
        "PUT",
        "/v1/admin/organisers/reader@roles.example",
        json!({"name": "Reader", "administrator": true}),
    )
    .await;
    assert_eq!(res.status, 200);
    let reader = session(&w, "reader@roles.example").await;
    let read_only = token(&w, &reader, json!({"name": "ro", "read_only": true})).await;
    w.clock.advance(SignedDuration::from_mins(2));
    let spent = [
        ("a signed-out session", signed_out.as_str()),
        ("a revoked token", revoked.as_str()),
        ("a removed organiser's session", gone_session.as_str()),
        ("a removed organiser's token", gone_token.as_str()),
        ("an expired token", expired.as_str()),
    ];
    let mut probed = 0;
    for r in ROUTES {
        if r.endpoint.operation().auth == plenary::openapi::Auth::Public {
            continue;
        }
        let (method, path) = (r.method.as_str(), path_of(r.pattern));
        for (what, bearer) in spent {
            let a = call(&w, method, &path, Some(bearer), json!({})).await;
            assert_eq!(a.status, 401, "{method} {path} with {what}: {}", a.body);
            probed += 1;
        }
        // Signing out with it would revoke it: that is the last probe, below.
        if r.endpoint == Endpoint::SignOut {
            continue;
        }
        let a = call(&w, method, &path, Some(&read_only), json!({})).await;
        // The preview of an announcement is a POST that writes nothing.
        if r.method == http::Method::GET || r.endpoint == Endpoint::PreviewAnnouncement {
            assert!(
                !matches!(a.status, 401 | 403),
                "{method} {path} read-only: {}",
                a.body
            );
        } else {
            assert!(
                is_forbidden(&a),
                "{method} {path} written with a read-only token: {}",
                a.body
            );
        }
    }
    assert!(probed > 100, "only {probed} probes");
    // A read-only token may still sign itself out (it is revoked).
    let out = call(
        &w,
        "DELETE",
        "/v1/admin/sessions/current",
        Some(&read_only),
        Value::Null,
    );
    assert_eq!(out.await.status, 204);
    assert_eq!(
        status(&w, "GET", "/v1/admin/me", Some(&read_only), Value::Null).await,
        401
    );
}

async fn an_organiser_bearer_shorter_than_43_characters_is_refused_even_when_its_hash_is_configured(
    store: Store,
) {
    let w = world(store).await;
    // 42 characters: 252 bits if random, but nothing can tell, and the hash is unsalted.
    let short = "a-deployment-token-one-character-too-short";
    assert_eq!(short.len(), 42);
    let mut config = plenary_tests::config();
    config.organiser_token_hash = Some(TokenHash::of(short));
    let services = Services::new(w.store.clone()).with_clock(w.clock.clone());
    let short_world = World {
        app: App::new(&services, &config).unwrap(),
        store: w.store.clone(),
        clock: w.clock.clone(),
        faults: w.faults.clone(),
    };
    let path = "/v1/admin/events";
    assert_eq!(
        status(&short_world, "GET", path, Some(short), Value::Null).await,
        401
    );
    assert_eq!(
        status(&w, "GET", path, Some(DEPLOYMENT), Value::Null).await,
        200
    );
}
