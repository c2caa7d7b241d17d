//! The table permissions of each function's role in `infra/template.yaml` are exactly the keys
//! the function uses. Each role may read and write only items whose partition key matches its
//! `dynamodb:LeadingKeys` patterns; this suite drives every route of the four functions in
//! process (a registrant's whole path, an organiser's, the mail job's runs, SES feedback), over
//! one memory table seen through a log per function, and checks that every call each function
//! made is one its role allows, that every pattern a role is granted was needed, and that every
//! partition key `store/keys.rs` lists is granted to some role. A key added to the code but not
//! to the template fails here rather than as AccessDenied in production.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use async_trait::async_trait;
use jiff::Timestamp;
use plenary::clock::ManualClock;
use plenary::mail::LocalMailbox;
use plenary::store::{Item, Key, MemoryTable, Page, Query, Table, TableError, TableStore, Write};
use plenary::token::TokenHash;
use plenary::wiring::Services;
use plenary_notifications::pace::Pacer;
use plenary_tests::flows::{event_body, person, token_in};
use serde_json::{Value, json};
use serde_yaml_ng::Value as Yaml;

const DEPLOYMENT: &str = "deployment-token-of-the-policy-tests-0123456789";
const FUNCTIONS: [&str; 4] = ["programme", "registration", "organiser", "notifications"];
/// Item actions DynamoDB checks `dynamodb:LeadingKeys` on.
const ITEM_ACTIONS: [&str; 6] = [
    "dynamodb:GetItem",
    "dynamodb:Query",
    "dynamodb:PutItem",
    "dynamodb:UpdateItem",
    "dynamodb:DeleteItem",
    "dynamodb:ConditionCheckItem",
];

// ------------------------------------------------------------------ the template's grants

fn template() -> Yaml {
    plenary_tests::infra::template("template.yaml")
}

/// One Allow statement on the table: its actions and the partition-key patterns it is limited to.
#[derive(Debug)]
struct Grant {
    sid: String,
    actions: Vec<String>,
    leading_keys: Vec<String>,
}

fn strings(v: &Yaml) -> Vec<String> {
    match v {
        Yaml::String(s) => vec![s.clone()],
        Yaml::Sequence(items) => items
            .iter()
            .map(|i| i.as_str().expect("a string").to_owned())
            .collect(),
        other => panic!("expected a string or a list, got {other:?}"),
    }
}

/// The table grants of each function's role, by the binary the function deploys. Panics on a
/// statement that could reach the table's items without a partition-key condition.
fn grants() -> BTreeMap<String, Vec<Grant>> {
    let t = template();
    let resources = t["Resources"].as_mapping().expect("Resources");
    let table_arn: Yaml = serde_yaml_ng::from_str(r#"{"Fn::GetAtt": [Table, Arn]}"#).unwrap();
    let mut by_function = BTreeMap::new();
    for (_, resource) in resources {
        if resource["Type"].as_str() != Some("AWS::Serverless::Function") {
            continue;
        }
        let code = resource["Properties"]["CodeUri"].as_str().expect("CodeUri");
        let binary = code.rsplit('/').nth(1).expect("CodeUri folder").to_owned();
        let role = resource["Properties"]["Role"]["Fn::GetAtt"][0]
            .as_str()
            .unwrap_or_else(|| panic!("{binary} has a role of its own"));
        let policies = resources[role]["Properties"]["Policies"]
            .as_sequence()
            .expect("inline policies");
        let mut out = Vec::new();
        for policy in policies {
            let statements = policy["PolicyDocument"]["Statement"]
                .as_sequence()
                .expect("statements");
            for s in statements {
                let sid = s["Sid"].as_str().unwrap_or("(no Sid)").to_owned();
                let actions = strings(&s["Action"]);
                for a in &actions {
                    // ForAllValues is true of a request with no leading keys at all (a Scan):
                    // such actions, and wildcards that include them, must never be granted.
                    assert!(
                        !a.contains('*')
                            && a != "dynamodb:Scan"
                            && !a.starts_with("dynamodb:Batch"),
                        "{role} {sid} grants {a}, which a LeadingKeys condition cannot limit"
                    );
                }
                let on_items = actions.iter().any(|a| ITEM_ACTIONS.contains(&a.as_str()));
                if !on_items {
                    continue;
                }
                assert_eq!(s["Effect"].as_str(), Some("Allow"), "{role} {sid}");
                assert_eq!(s["Resource"], table_arn, "{role} {sid}: the table only");
                let cond = s["Condition"]
                    .as_mapping()
                    .unwrap_or_else(|| panic!("{role} {sid} reaches the table unscoped"));
                assert_eq!(cond.len(), 1, "{role} {sid}: one condition");
                let keys = &cond
                    .get("ForAllValues:StringLike")
                    .unwrap_or_else(|| panic!("{role} {sid}: ForAllValues:StringLike"))["dynamodb:LeadingKeys"];
                out.push(Grant {
                    sid,
                    actions,
                    leading_keys: strings(keys),
                });
            }
        }
        by_function.insert(binary, out);
    }
    by_function
}

/// IAM's StringLike: `*` any run of characters, `?` one character.
fn like(pattern: &str, value: &str) -> bool {
    fn go(p: &[char], v: &[char]) -> bool {
        match (p.first(), v.first()) {
            (None, None) => true,
            (Some('*'), _) => go(&p[1..], v) || (!v.is_empty() && go(p, &v[1..])),
            (Some('?'), Some(_)) => go(&p[1..], &v[1..]),
            (Some(a), Some(b)) if a == b => go(&p[1..], &v[1..]),
            _ => false,
        }
    }
    let (p, v): (Vec<char>, Vec<char>) = (pattern.chars().collect(), value.chars().collect());
    go(&p, &v)
}

#[test]
fn the_glob_of_string_like_matches_as_iam_does() {
    assert!(like("EVENT#*", "EVENT#ws"));
    assert!(like("EVENTS", "EVENTS"));
    assert!(!like("EVENTS", "EVENTS2"));
    assert!(!like("EVENT#*", "EVENTS"));
    assert!(like("RATE#client#*", "RATE#client#register#10.0.0.1"));
    assert!(!like("RATE#client#*", "RATE#bearer#10.0.0.1"));
    assert!(like("A?C", "ABC") && !like("A?C", "AC"));
}

// ------------------------------------------------------------------ the calls each function made

/// A table that notes, for every call through it, the IAM action and the partition key.
struct KeyLog {
    inner: Arc<dyn Table>,
    used: Mutex<BTreeSet<(&'static str, String)>>,
}

impl KeyLog {
    fn new(inner: Arc<dyn Table>) -> Arc<Self> {
        Arc::new(Self {
            inner,
            used: Mutex::new(BTreeSet::new()),
        })
    }

    fn note(&self, action: &'static str, pk: &str) {
        self.used.lock().unwrap().insert((action, pk.to_owned()));
    }

    /// What DynamoDB checks a write against: the item action of its kind (a transaction is
    /// checked item by item, as the underlying action).
    fn note_write(&self, w: &Write) {
        let action = match w {
            Write::Put { .. } => "dynamodb:PutItem",
            Write::Update { .. } => "dynamodb:UpdateItem",
            Write::Delete { .. } => "dynamodb:DeleteItem",
            Write::Check { .. } => "dynamodb:ConditionCheckItem",
        };
        if let Some(k) = w.key() {
            self.note(action, &k.pk);
        }
    }

    fn used(&self) -> BTreeSet<(&'static str, String)> {
        self.used.lock().unwrap().clone()
    }
}

#[async_trait]
impl Table for KeyLog {
    async fn get(&self, key: &Key) -> Result<Option<Item>, TableError> {
        self.note("dynamodb:GetItem", &key.pk);
        self.inner.get(key).await
    }
    async fn query(&self, q: &Query) -> Result<Page, TableError> {
        self.note("dynamodb:Query", &q.pk);
        self.inner.query(q).await
    }
    async fn count(&self, q: &Query) -> Result<u64, TableError> {
        self.note("dynamodb:Query", &q.pk);
        self.inner.count(q).await
    }
    async fn write(&self, w: Write) -> Result<(), TableError> {
        self.note_write(&w);
        self.inner.write(w).await
    }
    async fn update_returning(&self, w: Write) -> Result<Item, TableError> {
        self.note_write(&w);
        self.inner.update_returning(w).await
    }
    async fn transact(&self, writes: Vec<Write>) -> Result<(), TableError> {
        writes.iter().for_each(|w| self.note_write(w));
        self.inner.transact(writes).await
    }
}

struct World {
    logs: BTreeMap<&'static str, Arc<KeyLog>>,
    programme: plenary_programme::App,
    registration: plenary_registration::App,
    organiser: plenary_organiser::App,
    notifications: plenary_notifications::App,
    mailbox: Arc<LocalMailbox>,
    clock: Arc<ManualClock>,
    /// Every (function, method, path) called, to check each route was.
    called: Mutex<Vec<(&'static str, String, String)>>,
}

fn world() -> World {
    let table: Arc<dyn Table> = Arc::new(MemoryTable::new());
    let clock = Arc::new(ManualClock::at("2021-08-23T08:00:00Z".parse().unwrap()));
    let logs: BTreeMap<&'static str, Arc<KeyLog>> = FUNCTIONS
        .iter()
        .map(|f| (*f, KeyLog::new(table.clone())))
        .collect();
    let services = |f: &str| {
        let log: Arc<dyn Table> = logs[f].clone();
        Services::new(TableStore::new(log)).with_clock(clock.clone())
    };
    let mut config = plenary_tests::config();
    config.organiser_token_hash = Some(TokenHash::of(DEPLOYMENT));
    let mailbox = Arc::new(LocalMailbox::new(None, clock.clone()));
    World {
        programme: plenary_programme::App::new(&services("programme"), &config),
        registration: plenary_registration::App::new(&services("registration"), &config).unwrap(),
        organiser: plenary_organiser::App::new(&services("organiser"), &config).unwrap(),
        notifications: plenary_notifications::App::new(
            &services("notifications"),
            &config,
            mailbox.clone(),
            Pacer::unlimited(),
        )
        .unwrap(),
        logs,
        mailbox,
        clock,
        called: Mutex::new(Vec::new()),
    }
}

struct Answer {
    status: u16,
    body: Value,
}

impl World {
    async fn call(
        &self,
        function: &'static str,
        method: &str,
        uri: &str,
        headers: &[(&str, &str)],
        body: Option<String>,
    ) -> Answer {
        let mut req = http::Request::builder().method(method).uri(uri);
        for (name, value) in headers {
            req = req.header(*name, *value);
        }
        let body = body.map_or(lambda_http::Body::Empty, lambda_http::Body::Text);
        // From a client address, as API Gateway hands requests over: the per-client limits count.
        let req = plenary::http::from_peer(req.body(body).unwrap(), [203, 0, 113, 7].into());
        let res = match function {
            "programme" => plenary_programme::handle(&self.programme, req).await,
            "registration" => plenary_registration::handle(&self.registration, req).await,
            "organiser" => plenary_organiser::handle(&self.organiser, req).await,
            other => panic!("{other} has no HTTP routes"),
        };
        let path = uri.split('?').next().unwrap_or(uri).to_owned();
        self.called
            .lock()
            .unwrap()
            .push((function, method.to_owned(), path));
        let body = match res.body() {
            lambda_http::Body::Text(t) => serde_json::from_str(t).unwrap_or(Value::Null),
            lambda_http::Body::Binary(b) => serde_json::from_slice(b).unwrap_or(Value::Null),
            lambda_http::Body::Empty => Value::Null,
            _ => Value::Null,
        };
        Answer {
            status: res.status().as_u16(),
            body,
        }
    }

    /// A JSON request with an optional bearer.
    async fn json(
        &self,
        function: &'static str,
        method: &str,
        uri: &str,
        bearer: Option<&str>,
        body: Value,
    ) -> Answer {
        let auth = bearer.map(|b| format!("Bearer {b}"));
        let mut headers = vec![("content-type", "application/json")];
        if let Some(a) = &auth {
            headers.push(("authorization", a.as_str()));
        }
        let body = (!body.is_null()).then(|| body.to_string());
        self.call(function, method, uri, &headers, body).await
    }

    async fn admin(&self, method: &str, uri: &str, body: Value) -> Answer {
        let a = self
            .json("organiser", method, uri, Some(DEPLOYMENT), body)
            .await;
        assert!(a.status < 400, "{method} {uri}: {} {}", a.status, a.body);
        a
    }

    async fn registrant(&self, method: &str, uri: &str, bearer: &str, body: Value) -> Answer {
        let a = self
            .json("registration", method, uri, Some(bearer), body)
            .await;
        assert!(a.status < 400, "{method} {uri}: {} {}", a.status, a.body);
        a
    }

    async fn run_job(&self, now: &str) {
        let now: Timestamp = now.parse().unwrap();
        plenary_notifications::run(&self.notifications, now, Duration::from_secs(60))
            .await
            .unwrap();
    }

    /// The token in the newest mail of `kind` to `to`.
    fn token_mailed(&self, to: &str, kind: &str) -> String {
        let mail: Vec<Value> = self
            .mailbox
            .messages()
            .iter()
            .map(|m| serde_json::to_value(m).unwrap())
            .filter(|m| m["to"] == to && m["kind"] == kind)
            .collect();
        let last = mail
            .last()
            .unwrap_or_else(|| panic!("no {kind} mail to {to}"));
        token_in(last)
    }
}

fn draft(title: &str) -> Value {
    json!({"speakers": [{"id": "s1", "name": "Ada", "affiliation": "AE", "bio": "Bio"}],
           "sessions": [{"id": "opening", "title": title, "kind": "opening",
                         "starts_at": "2030-03-10T09:00:00+01:00", "ends_at": "2030-03-10T10:00:00+01:00",
                         "abstract": "Welcome", "speakers": [{"id": "s1", "role": "moderator"}]}]})
}

/// The last path segment of a URL.
fn last_segment(url: &str) -> String {
    url.rsplit('/').next().unwrap().to_owned()
}

/// Everything a deployment does, once: organisers preparing two events, registrants on both,
/// the mail job sending every kind of mail, SES feedback, and every public read.
async fn drive_every_function(w: &World) {
    let mut ws = event_body(Some(1), true, false);
    ws["registrations_per_email_domain_per_hour"] = json!(100);
    w.admin("PUT", "/v1/admin/events/ws", ws).await;
    w.admin("PUT", "/v1/admin/events/ap", event_body(None, false, true))
        .await;
    w.admin(
        "PUT",
        "/v1/admin/events/ws/programme/draft",
        draft("Opening"),
    )
    .await;
    w.admin("GET", "/v1/admin/events/ws/programme/draft", Value::Null)
        .await;
    w.admin(
        "GET",
        "/v1/admin/events/ws/programme/draft/changes",
        Value::Null,
    )
    .await;
    w.admin("POST", "/v1/admin/events/ws/programme/publish", Value::Null)
        .await;
    let info = json!({"url": "https://meet.example/ws", "passcode": "123",
                      "release_at": "2021-01-01T00:00:00Z"});
    w.admin("PUT", "/v1/admin/events/ws/join-info", info).await;
    w.admin("GET", "/v1/admin/events/ws/join-info", Value::Null)
        .await;
    let mia = "mia%40ops.example";
    w.admin(
        "PUT",
        &format!("/v1/admin/organisers/{mia}"),
        json!({"name": "Mia", "administrator": false}),
    )
    .await;
    w.admin("GET", "/v1/admin/organisers", Value::Null).await;
    w.admin(
        "PUT",
        &format!("/v1/admin/events/ws/team/{mia}"),
        json!({"role": "manager"}),
    )
    .await;
    w.admin("GET", "/v1/admin/events/ws/team", Value::Null)
        .await;
    // A refused bearer is counted against its client.
    let a = w
        .json(
            "organiser",
            "GET",
            "/v1/admin/me",
            Some("not-an-organiser-token-but-long-enough-0123456789"),
            Value::Null,
        )
        .await;
    assert_eq!(a.status, 401, "{}", a.body);
    let a = w
        .json(
            "organiser",
            "POST",
            "/v1/admin/sign-in",
            None,
            json!({"email": "mia@ops.example"}),
        )
        .await;
    assert_eq!(a.status, 202, "{}", a.body);

    // Registrants: one seated, one waiting, two awaiting approval.
    let register = |event: &'static str, email: &'static str, key: Option<&'static str>| async move {
        let mut headers = vec![("content-type", "application/json")];
        if let Some(k) = key {
            headers.push(("idempotency-key", k));
        }
        let uri = format!("/v1/events/{event}/registrations");
        let a = w
            .call(
                "registration",
                "POST",
                &uri,
                &headers,
                Some(person(email).to_string()),
            )
            .await;
        assert_eq!(a.status, 202, "{email}: {}", a.body);
    };
    register("ws", "ada@ops.example", Some("ada-once")).await;
    register("ws", "bob@ops.example", None).await;
    register("ap", "cy@ops.example", None).await;
    register("ap", "di@ops.example", None).await;
    w.run_job("2021-08-23T08:00:00Z").await;

    let sign_in = w.token_mailed("mia@ops.example", "organiser_sign_in");
    let a = w
        .json(
            "organiser",
            "POST",
            "/v1/admin/sessions",
            None,
            json!({"token": sign_in}),
        )
        .await;
    assert_eq!(a.status, 201, "{}", a.body);
    let session = a.body["token"].as_str().unwrap().to_owned();

    let mut bearers = BTreeMap::new();
    for email in [
        "ada@ops.example",
        "bob@ops.example",
        "cy@ops.example",
        "di@ops.example",
    ] {
        let token = w.token_mailed(email, "confirmation");
        let a = w
            .json(
                "registration",
                "POST",
                "/v1/registrations/confirm",
                None,
                json!({"token": token}),
            )
            .await;
        assert_eq!(a.status, 200, "{email}: {}", a.body);
        bearers.insert(email, token);
    }
    let ada = bearers["ada@ops.example"].clone();
    let a = w
        .json(
            "registration",
            "POST",
            "/v1/events/ws/registrations/resend",
            None,
            json!({"email": "ada@ops.example"}),
        )
        .await;
    assert_eq!(a.status, 202, "{}", a.body);
    w.registrant("GET", "/v1/registrations/me", &ada, Value::Null)
        .await;
    w.registrant(
        "PATCH",
        "/v1/registrations/me",
        &ada,
        json!({"organisation": "Analytical Engines II"}),
    )
    .await;
    let join = w
        .registrant("GET", "/v1/registrations/me/join", &ada, Value::Null)
        .await;
    let join_token = last_segment(join.body["personal_url"].as_str().unwrap());
    let a = w
        .call(
            "registration",
            "GET",
            &format!("/v1/join/{join_token}"),
            &[],
            None,
        )
        .await;
    assert_eq!(a.status, 302, "{}", a.body);
    w.call(
        "registration",
        "GET",
        "/v1/registrations/me/calendar.ics",
        &[("authorization", &format!("Bearer {ada}"))],
        None,
    )
    .await;
    let feed = w
        .registrant(
            "POST",
            "/v1/registrations/me/calendar-feed",
            &ada,
            Value::Null,
        )
        .await;
    let feed_token = last_segment(feed.body["url"].as_str().unwrap());
    w.call(
        "registration",
        "GET",
        &format!("/v1/calendar-feeds/{feed_token}"),
        &[],
        None,
    )
    .await;
    w.registrant(
        "DELETE",
        "/v1/registrations/me/calendar-feed",
        &ada,
        Value::Null,
    )
    .await;

    // The organiser's reads and decisions, as a person (session, personal token) and as the
    // deployment.
    w.json(
        "organiser",
        "GET",
        "/v1/admin/me",
        Some(&session),
        Value::Null,
    )
    .await;
    let made = w
        .json(
            "organiser",
            "POST",
            "/v1/admin/tokens",
            Some(&session),
            json!({"name": "ci"}),
        )
        .await;
    assert_eq!(made.status, 201, "{}", made.body);
    let token_id = made.body["id"].as_str().unwrap().to_owned();
    let personal = made.body["token"].as_str().unwrap().to_owned();
    w.json(
        "organiser",
        "GET",
        "/v1/admin/tokens",
        Some(&personal),
        Value::Null,
    )
    .await;
    w.json(
        "organiser",
        "DELETE",
        &format!("/v1/admin/tokens/{token_id}"),
        Some(&session),
        Value::Null,
    )
    .await;
    w.admin("GET", "/v1/admin/events", Value::Null).await;
    w.admin("GET", "/v1/admin/events/ws", Value::Null).await;
    w.admin("GET", "/v1/admin/events/ws/registrations", Value::Null)
        .await;
    w.admin("GET", "/v1/admin/events/ws/registrations.csv", Value::Null)
        .await;
    w.admin("GET", "/v1/admin/events/ws/stats", Value::Null)
        .await;
    w.admin("GET", "/v1/admin/events/ws/attendance", Value::Null)
        .await;
    w.admin(
        "POST",
        "/v1/admin/events/ws/uploads",
        json!({"filename": "slides.pdf", "content_type": "application/pdf", "size": 1000}),
    )
    .await;
    let pending = w
        .admin("GET", "/v1/admin/events/ap/registrations", Value::Null)
        .await;
    let ids: Vec<String> = pending.body["registrations"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["id"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(ids.len(), 2, "{}", pending.body);
    w.admin(
        "POST",
        &format!("/v1/admin/events/ap/registrations/{}/approve", ids[0]),
        Value::Null,
    )
    .await;
    w.admin(
        "POST",
        &format!("/v1/admin/events/ap/registrations/{}/reject", ids[1]),
        Value::Null,
    )
    .await;
    let me = w
        .registrant("GET", "/v1/registrations/me", &ada, Value::Null)
        .await;
    let ada_id = me.body["id"].as_str().unwrap().to_owned();
    w.admin(
        "POST",
        &format!("/v1/admin/events/ws/registrations/{ada_id}/revoke-join"),
        Value::Null,
    )
    .await;
    let news = json!({"subject": {"en": "News"}, "body": {"en": "Programme online"},
                      "audience": "all"});
    w.admin(
        "POST",
        "/v1/admin/events/ws/announcements/preview?language=fr",
        news.clone(),
    )
    .await;
    w.admin("POST", "/v1/admin/events/ws/announcements", news)
        .await;
    w.admin("GET", "/v1/admin/events/ws/announcements", Value::Null)
        .await;
    w.admin("GET", "/v1/admin/events/ws/audit", Value::Null)
        .await;
    w.admin("GET", "/v1/admin/audit", Value::Null).await;
    w.admin(
        "PUT",
        "/v1/admin/events/ws/programme/draft",
        draft("Welcome"),
    )
    .await;
    w.admin("POST", "/v1/admin/events/ws/programme/publish", Value::Null)
        .await;
    w.run_job("2021-08-23T09:00:00Z").await;

    // One-click unsubscribe from the announcement's link, and undone.
    let unsubscribe = w.token_mailed("ada@ops.example", "announcement");
    let _ = unsubscribe;
    let announcement = w
        .mailbox
        .messages()
        .into_iter()
        .rev()
        .find(|m| {
            m.to.to_string() == "ada@ops.example" && m.headers.contains_key("List-Unsubscribe")
        })
        .expect("optional mail to ada with List-Unsubscribe");
    let link = &announcement.headers["List-Unsubscribe"];
    let start = link.find("token=").expect("a token in List-Unsubscribe") + "token=".len();
    let token: String = link[start..]
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_')
        .collect();
    let a = w
        .call(
            "registration",
            "POST",
            &format!("/v1/unsubscribe?token={token}"),
            &[("content-type", "application/x-www-form-urlencoded")],
            Some("List-Unsubscribe=One-Click".into()),
        )
        .await;
    assert_eq!(a.status, 200, "{}", a.body);
    let a = w
        .call(
            "registration",
            "POST",
            &format!("/v1/unsubscribe/undo?token={token}"),
            &[],
            None,
        )
        .await;
    assert_eq!(a.status, 200, "{}", a.body);

    // Reminders a day and an hour before, SES feedback and the outbox stream.
    w.run_job("2030-03-09T08:05:00Z").await;
    w.run_job("2030-03-10T07:05:00Z").await;
    let bounce = json!({"notificationType": "Bounce",
        "bounce": {"bounceType": "Permanent", "bouncedRecipients": [{"emailAddress": "di@ops.example"}]},
        "mail": {}})
    .to_string();
    let sns = json!({"Records": [{"EventSource": "aws:sns", "EventVersion": "1.0",
        "EventSubscriptionArn": "arn:aws:sns:us-east-1:1:t:1", "Sns": {"Type": "Notification",
        "MessageId": "m", "TopicArn": "arn:aws:sns:us-east-1:1:t", "Subject": null,
        "Message": bounce, "Timestamp": "2021-09-01T00:00:00Z", "SignatureVersion": "1",
        "Signature": "s", "SigningCertUrl": "u", "UnsubscribeUrl": "u", "MessageAttributes": {}}}]});
    plenary_notifications::triggers::handle(&w.notifications, sns, Duration::from_secs(60))
        .await
        .unwrap();

    // Cancelling seats the next in line (a promotion mail); erasing leaves counts only.
    w.registrant("DELETE", "/v1/registrations/me", &ada, Value::Null)
        .await;
    let bob = bearers["bob@ops.example"].clone();
    w.registrant(
        "DELETE",
        "/v1/registrations/me?erase=true",
        &bob,
        Value::Null,
    )
    .await;
    w.run_job("2021-08-23T10:00:00Z").await;

    w.admin(
        "DELETE",
        &format!("/v1/admin/events/ws/team/{mia}"),
        Value::Null,
    )
    .await;
    w.json(
        "organiser",
        "DELETE",
        "/v1/admin/sessions/current",
        Some(&session),
        Value::Null,
    )
    .await;
    w.admin(
        "DELETE",
        &format!("/v1/admin/organisers/{mia}"),
        Value::Null,
    )
    .await;

    for r in plenary_programme::ROUTES {
        let path = r.pattern.replace("{event_id}", "ws");
        let query = if r.pattern.ends_with("/changes") {
            "?from=1"
        } else {
            "?tz=America/New_York"
        };
        let a = w
            .call(
                "programme",
                r.method.as_str(),
                &format!("{path}{query}"),
                &[],
                None,
            )
            .await;
        assert_eq!(a.status, 200, "{} {path}: {}", r.method, a.body);
    }
    // A run that ends with work left asks for the next one (`triggers::handle`).
    use plenary::Clock;
    w.notifications
        .jobs
        .request_run("01JNEXTRUN000000000000000", w.clock.now())
        .await
        .unwrap();
}

/// The partition keys the notifications function's stream filter starts it on.
fn stream_filter_partitions() -> BTreeSet<String> {
    let t = template();
    let events = &t["Resources"]["NotificationsFunction"]["Properties"]["Events"];
    let filters = events["OutboxInserts"]["Properties"]["FilterCriteria"]["Filters"]
        .as_sequence()
        .expect("the stream has filters");
    filters
        .iter()
        .flat_map(|f| {
            let pattern: Value = serde_json::from_str(f["Pattern"].as_str().unwrap()).unwrap();
            assert_eq!(pattern["eventName"], json!(["INSERT"]), "{pattern}");
            strings_of(&pattern["dynamodb"]["NewImage"]["pk"]["S"])
        })
        .collect()
}

fn strings_of(v: &Value) -> Vec<String> {
    v.as_array()
        .expect("a list")
        .iter()
        .map(|s| s.as_str().unwrap().to_owned())
        .collect()
}

#[test]
fn the_stream_starts_the_mail_job_on_new_outbox_entries_and_on_its_own_requests_for_a_run() {
    let expected: BTreeSet<String> = [
        plenary::store::keys::OUTBOX_PK,
        plenary::store::keys::RUN_PK,
    ]
    .map(str::to_owned)
    .into();
    assert_eq!(stream_filter_partitions(), expected);
}

/// `path` is an instance of the route pattern `pattern` (`{name}` matches one segment).
fn instance_of(pattern: &str, path: &str) -> bool {
    let (p, v): (Vec<&str>, Vec<&str>) = (pattern.split('/').collect(), path.split('/').collect());
    p.len() == v.len()
        && p.iter()
            .zip(&v)
            .all(|(p, v)| (p.starts_with('{') && !v.is_empty()) || p == v)
}

fn routes_of(function: &str) -> Vec<(String, &'static str)> {
    let list: Vec<(String, &'static str)> = match function {
        "programme" => plenary_programme::ROUTES
            .iter()
            .map(|r| (r.method.to_string(), r.pattern))
            .collect(),
        "registration" => plenary_registration::ROUTES
            .iter()
            .map(|r| (r.method.to_string(), r.pattern))
            .collect(),
        "organiser" => plenary_organiser::ROUTES
            .iter()
            .map(|r| (r.method.to_string(), r.pattern))
            .collect(),
        _ => Vec::new(),
    };
    list
}

#[tokio::test]
async fn every_key_each_function_uses_is_within_its_roles_leading_keys_and_no_more_is_granted() {
    let w = world();
    drive_every_function(&w).await;

    // The scenario reached every route: a new route must be added to it, and so checked.
    let called = w.called.lock().unwrap().clone();
    let mut missed = Vec::new();
    for f in ["programme", "registration", "organiser"] {
        for (method, pattern) in routes_of(f) {
            let hit = called
                .iter()
                .any(|(g, m, p)| *g == f && *m == method && instance_of(pattern, p));
            if !hit {
                missed.push(format!("{f}: {method} {pattern}"));
            }
        }
    }
    assert!(
        missed.is_empty(),
        "routes this suite never called: {missed:#?}"
    );

    let grants = grants();
    let mut refused = Vec::new();
    let mut needless = Vec::new();
    for f in FUNCTIONS {
        let used = w.logs[f].used();
        let role = grants
            .get(f)
            .unwrap_or_else(|| panic!("no function deploys {f}"));
        for (action, pk) in &used {
            let allowed = role.iter().any(|g| {
                g.actions.iter().any(|a| a == action) && g.leading_keys.iter().any(|p| like(p, pk))
            });
            if !allowed {
                refused.push(format!("{f}: {action} on pk {pk:?}"));
            }
        }
        for g in role {
            for p in &g.leading_keys {
                let needed = used
                    .iter()
                    .any(|(a, pk)| g.actions.iter().any(|x| x == a) && like(p, pk));
                if !needed {
                    needless.push(format!("{f} {}: {p:?} ({:?})", g.sid, g.actions));
                }
            }
        }
    }
    let observed: BTreeMap<&str, BTreeSet<String>> = FUNCTIONS
        .iter()
        .map(|f| {
            let set = w.logs[f]
                .used()
                .into_iter()
                .map(|(a, pk)| format!("{a} {}", shape(&pk)))
                .collect();
            (*f, set)
        })
        .collect();
    assert!(
        refused.is_empty() && needless.is_empty(),
        "the template's table grants and the keys the functions use differ.\n\
         calls the role would refuse: {refused:#?}\n\
         patterns granted but never needed: {needless:#?}\n\
         what each function used (action, partition key shape): {observed:#?}"
    );
}

/// A partition key with its variable part masked, for the failure message.
fn shape(pk: &str) -> String {
    match pk.split_once('#') {
        Some((head, rest)) => match rest.split_once('#') {
            Some((scope, _)) if head == "RATE" => format!("RATE#{scope}#…"),
            _ => format!("{head}#…"),
        },
        None => pk.to_owned(),
    }
}

#[test]
fn every_partition_key_that_keys_rs_lists_is_granted_to_some_role() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../shared/src/store/keys.rs");
    let text = std::fs::read_to_string(path).unwrap();
    // The table of every item at the top of keys.rs: `//! | item | pk | sk |`.
    let pks: Vec<String> = text
        .lines()
        .filter_map(|l| l.strip_prefix("//! | "))
        .filter_map(|row| row.split(" | ").nth(1))
        .filter(|pk| pk.starts_with('`'))
        .map(|pk| {
            // A sample key: each `{…}` placeholder (and `…`) becomes a value.
            let mut out = String::new();
            let mut inside = false;
            for c in pk.trim_matches('`').chars() {
                match c {
                    '{' => inside = true,
                    '}' => {
                        inside = false;
                        out.push_str("x1");
                    }
                    '…' => out.push_str("x1"),
                    _ if !inside => out.push(c),
                    _ => {}
                }
            }
            out
        })
        // The rate-limit window's generic row; the rows after it name each scope.
        .filter(|pk| pk != "RATE#x1")
        .collect();
    assert!(
        pks.len() >= 30,
        "the key table of keys.rs was not read: {pks:?}"
    );
    let grants = grants();
    let orphans: Vec<&String> = pks
        .iter()
        .filter(|pk| {
            !grants
                .values()
                .flatten()
                .any(|g| g.leading_keys.iter().any(|p| like(p, pk)))
        })
        .collect();
    assert!(
        orphans.is_empty(),
        "keys.rs lists partition keys no role may touch: {orphans:?}"
    );
}
