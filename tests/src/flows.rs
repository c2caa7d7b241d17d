//! Steps the end-to-end suites share: register, read the outbox, confirm, the registrant's and
//! the organiser's calls, and reading their answers.

use std::collections::{BTreeMap, VecDeque};
use std::sync::{Arc, Mutex};

use reqwest::Method;
use serde_json::{Value, json};

use crate::stack::{LocalStack, send};

pub fn person(email: &str) -> Value {
    json!({"email": email, "given_name": "Ada", "family_name": "Lovelace", "country": "GB",
           "organisation": "Analytical Engines", "category": "academia", "language": "en",
           "consent": true})
}

/// An event open for registration under the seed's simulated clock (August 2021).
pub fn event_body(capacity: Option<u32>, waitlist: bool, approval: bool) -> Value {
    let mut e = json!({"title": "Race workshop", "timezone": "Europe/Zurich",
           "starts_at": "2030-03-10T09:00:00+01:00", "ends_at": "2030-03-10T17:00:00+01:00",
           "registration": {"opens_at": "2021-01-01T00:00:00Z"},
           "waitlist": waitlist, "approval_required": approval,
           "eligibility": {"categories": ["academia", "individual"], "itu_member_states_only": true},
           "reminders": ["P1D", "PT1H"]});
    if let Some(c) = capacity {
        e["capacity"] = json!(c);
    }
    e
}

pub async fn create_event(s: &LocalStack, id: &str, body: &Value) {
    let res = send(
        s.admin(Method::PUT, &format!("/v1/admin/events/{id}"))
            .json(body),
    )
    .await;
    assert!(
        res.status().is_success(),
        "event not created: {}",
        res.status()
    );
}

/// Posts a registration `body` to `event`.
pub async fn post_registration(s: &LocalStack, event: &str, body: &Value) -> reqwest::Response {
    send(
        s.post(&format!("/v1/events/{event}/registrations"))
            .json(body),
    )
    .await
}

pub async fn register(s: &LocalStack, event: &str, email: &str) -> reqwest::Response {
    post_registration(s, event, &person(email)).await
}

pub async fn run_job(s: &LocalStack) -> Value {
    let res = send(s.post("/_local/notifications/run")).await;
    assert_eq!(res.status(), 200);
    res.json().await.unwrap()
}

/// Runs the notifications job until a run finds nothing left to send.
pub async fn drain_job(s: &LocalStack) {
    for _ in 0..1_000 {
        let report = run_job(s).await;
        let sent = report["sent"].as_array().map_or(0, Vec::len);
        if sent == 0 && report["more"] != true {
            return;
        }
    }
    panic!("the notifications job still had mail to send after 1,000 runs");
}

pub async fn outbox(s: &LocalStack) -> Vec<Value> {
    let body = s.get_json("/_local/outbox").await;
    body["messages"].as_array().cloned().unwrap_or_default()
}

/// The messages to `to`, oldest first.
pub async fn mail_to(s: &LocalStack, to: &str) -> Vec<Value> {
    outbox(s)
        .await
        .into_iter()
        .filter(|m| m["to"].as_str().is_some_and(|t| t.eq_ignore_ascii_case(to)))
        .collect()
}

/// The token of the first `token=` link in a message's text.
pub fn token_in(message: &Value) -> String {
    let text = message["text"].as_str().unwrap_or_default();
    let start = text
        .find("token=")
        .unwrap_or_else(|| panic!("no token link in: {text}"))
        + "token=".len();
    text[start..]
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_')
        .collect()
}

/// Every confirmation token the outbox holds, by address (lower case), oldest first: one read
/// of the outbox however many registrants there are.
pub async fn confirmation_tokens(s: &LocalStack) -> BTreeMap<String, Vec<String>> {
    let mut tokens: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for m in outbox(s).await {
        if m["kind"] == "confirmation" {
            let to = m["to"].as_str().unwrap_or_default().to_lowercase();
            tokens.entry(to).or_default().push(token_in(&m));
        }
    }
    tokens
}

/// Hands `work` to `clients` concurrent clients, each with its own connections, each taking the
/// next item as soon as it is free. Returns the results in the order of `work`.
pub async fn with_clients<T, R, F, Fut>(
    s: &LocalStack,
    clients: usize,
    work: Vec<T>,
    f: F,
) -> Vec<R>
where
    T: Send + 'static,
    R: Send + 'static,
    F: Fn(reqwest::Client, String, T) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = R> + Send,
{
    let queue = Arc::new(Mutex::new(
        work.into_iter().enumerate().collect::<VecDeque<_>>(),
    ));
    let f = Arc::new(f);
    let handles: Vec<_> = (0..clients)
        .map(|_| {
            let (queue, f, base) = (queue.clone(), f.clone(), s.base.clone());
            tokio::spawn(async move {
                let http = reqwest::Client::new();
                let mut done = Vec::new();
                loop {
                    let next = queue.lock().unwrap().pop_front();
                    let Some((i, item)) = next else { break };
                    done.push((i, f(http.clone(), base.clone(), item).await));
                }
                done
            })
        })
        .collect();
    let mut all = Vec::new();
    for h in handles {
        match h.await {
            Ok(done) => all.extend(done),
            Err(e) => std::panic::resume_unwind(e.into_panic()),
        }
    }
    all.sort_by_key(|(i, _)| *i);
    all.into_iter().map(|(_, r)| r).collect()
}

/// Registers `email`, runs the job, and returns the token of the confirmation email.
pub async fn register_for_token(s: &LocalStack, event: &str, email: &str) -> String {
    token_for(s, event, &person(email)).await
}

/// Posts the registration `body`, runs the job, and returns the token of the confirmation email
/// to its address.
pub async fn token_for(s: &LocalStack, event: &str, body: &Value) -> String {
    let email = body["email"].as_str().expect("the body's email");
    assert_eq!(post_registration(s, event, body).await.status(), 202);
    run_job(s).await;
    let mails = mail_to(s, email).await;
    let confirmation = mails
        .iter()
        .rev()
        .find(|m| m["kind"] == "confirmation")
        .unwrap_or_else(|| panic!("no confirmation email for {email}"));
    token_in(confirmation)
}

/// Registers and confirms `email`: its token and the confirmation's answer.
pub async fn confirmed(s: &LocalStack, event: &str, email: &str) -> (String, Value) {
    let token = register_for_token(s, event, email).await;
    let res = confirm(s, &token).await;
    assert_eq!(res.status(), 200);
    (token, res.json().await.unwrap())
}

pub async fn confirm(s: &LocalStack, token: &str) -> reqwest::Response {
    send(
        s.post("/v1/registrations/confirm")
            .json(&json!({"token": token})),
    )
    .await
}

pub async fn me(s: &LocalStack, token: &str) -> reqwest::Response {
    send(s.get("/v1/registrations/me").bearer_auth(token)).await
}

/// The registrant's own cancellation (`DELETE /v1/registrations/me`).
pub async fn cancel(s: &LocalStack, token: &str) -> reqwest::Response {
    send(
        s.http
            .delete(s.url("/v1/registrations/me"))
            .bearer_auth(token),
    )
    .await
}

/// The organiser replaces the programme draft of `event`.
pub async fn put_draft(s: &LocalStack, event: &str, draft: &Value) -> reqwest::Response {
    let path = format!("/v1/admin/events/{event}/programme/draft");
    send(s.admin(Method::PUT, &path).json(draft)).await
}

/// The organiser publishes the programme draft of `event`.
pub async fn publish(s: &LocalStack, event: &str) -> reqwest::Response {
    let path = format!("/v1/admin/events/{event}/programme/publish");
    send(s.admin(Method::POST, &path)).await
}

/// The organiser sets the join details of `event`.
pub async fn put_join_info(s: &LocalStack, event: &str, info: &Value) -> reqwest::Response {
    let path = format!("/v1/admin/events/{event}/join-info");
    send(s.admin(Method::PUT, &path).json(info)).await
}

/// The `field` of every error a 400 problem lists, in its order.
pub fn error_fields(problem: &Value) -> Vec<&str> {
    problem["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap())
        .collect()
}

/// The messages of `kind` to `to`, oldest first.
pub async fn mail_of_kind(s: &LocalStack, to: &str, kind: &str) -> Vec<Value> {
    mail_to(s, to)
        .await
        .into_iter()
        .filter(|m| m["kind"] == kind)
        .collect()
}

/// The text/calendar part of a raw email, decoded (base64 or quoted-printable).
pub fn decoded_calendar(eml: &str) -> String {
    let message = mail_parser::MessageParser::default()
        .parse(eml.as_bytes())
        .expect("a parsable email");
    message
        .attachments()
        .find(|a| mail_parser::MimeHeaders::is_content_type(*a, "text", "calendar"))
        .and_then(|a| {
            a.text_contents()
                .map(str::to_owned)
                .or_else(|| String::from_utf8(a.contents().to_vec()).ok())
        })
        .expect("a calendar attachment")
}

/// Every registration of `event` as the organiser lists it, page by page.
pub async fn all_registrations(s: &LocalStack, event: &str) -> Vec<Value> {
    let mut all = Vec::new();
    let mut cursor: Option<String> = None;
    loop {
        let mut path = format!("/v1/admin/events/{event}/registrations?limit=500");
        if let Some(c) = &cursor {
            path.push_str(&format!("&cursor={c}"));
        }
        let res = send(s.admin(Method::GET, &path)).await;
        assert_eq!(res.status(), 200, "listing {event}");
        let page: Value = res.json().await.unwrap();
        all.extend(
            page["registrations"]
                .as_array()
                .cloned()
                .unwrap_or_default(),
        );
        match page["next_cursor"].as_str() {
            Some(c) => cursor = Some(c.to_owned()),
            None => return all,
        }
    }
}

/// The organiser's counts for `event`.
pub async fn stats(s: &LocalStack, event: &str) -> Value {
    let res = send(s.admin(Method::GET, &format!("/v1/admin/events/{event}/stats"))).await;
    assert_eq!(res.status(), 200, "stats of {event}");
    res.json().await.unwrap()
}

/// An administrator added with the deployment token.
pub async fn add_organiser(s: &LocalStack, email: &str, name: &str) {
    let res = s
        .admin(
            Method::PUT,
            &format!("/v1/admin/organisers/{}", email.replace('@', "%40")),
        )
        .json(&json!({"name": name, "administrator": true}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
}

/// What asking for a link answered: status, the headers a client sees, and the body's bytes.
#[derive(Debug, PartialEq, Eq)]
pub struct SignInAnswer {
    pub status: u16,
    pub content_type: String,
    pub cache_control: String,
    pub body: Vec<u8>,
}

/// `POST /v1/admin/sessions` with a sign-in link's `token`: the answer as it came.
pub async fn exchange_sign_in(s: &LocalStack, token: &str) -> reqwest::Response {
    s.post("/v1/admin/sessions")
        .json(&json!({"token": token}))
        .send()
        .await
        .unwrap()
}

/// Asks for a sign-in link with `body`.
pub async fn ask_sign_in(s: &LocalStack, body: Value) -> SignInAnswer {
    let res = s
        .post("/v1/admin/sign-in")
        .json(&body)
        .send()
        .await
        .unwrap();
    let header = |name: &str| {
        res.headers()
            .get(name)
            .map(|v| v.to_str().unwrap().to_owned())
            .unwrap_or_default()
    };
    SignInAnswer {
        status: res.status().as_u16(),
        content_type: header("content-type"),
        cache_control: header("cache-control"),
        body: res.bytes().await.unwrap().to_vec(),
    }
}

/// Every sign-in email in the local outbox.
pub async fn sign_in_mails(s: &LocalStack) -> Vec<Value> {
    outbox(s)
        .await
        .into_iter()
        .filter(|m| m["kind"] == "organiser_sign_in")
        .collect()
}

/// A `multipart/form-data` body as a browser sends a presigned POST: every field in order, then
/// the file as `file`. Returns the body's content type (with its boundary) and its bytes.
pub fn multipart_form(
    fields: &[(String, String)],
    filename: &str,
    file: &[u8],
) -> (String, Vec<u8>) {
    let boundary = "----plenary-test-boundary-7MA4YWxkTrZu0gW";
    let mut body = Vec::new();
    for (name, value) in fields {
        body.extend_from_slice(
            format!(
                "--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n"
            )
            .as_bytes(),
        );
    }
    body.extend_from_slice(
        format!(
            "--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{filename}\"\r\n\
             Content-Type: application/octet-stream\r\n\r\n"
        )
        .as_bytes(),
    );
    body.extend_from_slice(file);
    body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
    (format!("multipart/form-data; boundary={boundary}"), body)
}

/// The fields of a `POST …/uploads` answer, as name-value pairs.
pub fn form_fields(granted: &Value) -> Vec<(String, String)> {
    granted["upload"]["fields"]
        .as_object()
        .unwrap()
        .iter()
        .map(|(k, v)| (k.clone(), v.as_str().unwrap().to_owned()))
        .collect()
}

/// Asks the organiser route for a form to upload `filename`.
pub async fn ask_upload(s: &LocalStack, event: &str, body: &Value) -> reqwest::Response {
    let path = format!("/v1/admin/events/{event}/uploads");
    send(s.admin(Method::POST, &path).json(body)).await
}

/// Posts `file` with `fields` to `url` as a browser would.
pub async fn post_form(
    url: &str,
    fields: &[(String, String)],
    filename: &str,
    file: &[u8],
) -> reqwest::Response {
    let (content_type, body) = multipart_form(fields, filename, file);
    reqwest::Client::new()
        .post(url)
        .header("content-type", content_type)
        .body(body)
        .send()
        .await
        .unwrap()
}
