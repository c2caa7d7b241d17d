//! Starts `plenary-local` (the binary the README's first command runs) on a free port and stops it
//! when dropped. The suites talk to it over HTTP only.

use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// The organiser token every test stack is started with.
pub const ORGANISER_TOKEN: &str = "test-organiser-token-0123456789abcdefghijkl";

/// The limits per client every test stack is started with unless the suite passes the flag.
pub const RAISED_CLIENT_LIMITS: &[(&str, &str)] = &[
    ("--requests-per-client-per-minute", "1000000"),
    ("--failed-bearers-per-client-per-hour", "1000000"),
];

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Store {
    Memory,
    Dynamodb,
}

pub fn binary() -> PathBuf {
    if let Ok(p) = std::env::var("PLENARY_LOCAL_BIN") {
        return PathBuf::from(p);
    }
    let target = std::env::var("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|_| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../target"));
    let bin = target.join("debug/plenary-local");
    assert!(
        bin.exists(),
        "{} is missing: build it with `cargo build -p plenary-local` (the README's test command does)",
        bin.display()
    );
    bin
}

#[derive(Debug)]
pub struct LocalStack {
    child: Child,
    pub base: String,
    /// What the process printed before it began serving.
    pub banner: String,
    pub http: reqwest::Client,
}

impl LocalStack {
    pub fn start(store: Store, extra: &[&str]) -> Self {
        let mut cmd = Command::new(binary());
        cmd.args(["--port", "0", "--organiser-token", ORGANISER_TOKEN]);
        if store == Store::Dynamodb {
            let endpoint = crate::dynamo_fixture::endpoint();
            let table = crate::dynamo_fixture::unique_table_name("e2e");
            cmd.args([
                "--store",
                "dynamodb",
                "--dynamodb-endpoint",
                &endpoint,
                "--table",
                &table,
            ]);
        }
        // Every suite talks from loopback, one client to the limits per client; those limits are
        // raised here unless a suite sets its own (`e2e_limits.rs` runs them at their defaults),
        // so the other suites' volumes are not mistaken for a flood.
        for (flag, raised) in RAISED_CLIENT_LIMITS {
            if !extra.contains(flag) {
                cmd.args([*flag, *raised]);
            }
        }
        cmd.args(extra)
            .env("RUST_LOG", "warn")
            .env("AWS_REGION", "us-east-1")
            .env("AWS_ACCESS_KEY_ID", "test")
            .env("AWS_SECRET_ACCESS_KEY", "test")
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit());
        let mut child = cmd.spawn().expect("plenary-local starts");
        let stdout = child.stdout.take().expect("stdout is piped");
        let mut lines = BufReader::new(stdout).lines();
        let deadline = Instant::now() + Duration::from_secs(60);
        let mut banner = String::new();
        let mut base = None;
        while Instant::now() < deadline {
            let Some(Ok(line)) = lines.next() else { break };
            if let Some(url) = line.strip_prefix("Plenary local stack listening on ") {
                base = Some(url.trim().to_owned());
            }
            banner.push_str(&line);
            banner.push('\n');
            if line.starts_with("Press Ctrl-C") {
                break;
            }
        }
        // Keep draining stdout so the process never blocks on a full pipe.
        std::thread::spawn(move || for _ in lines {});
        let base =
            base.unwrap_or_else(|| panic!("plenary-local did not start; it printed:\n{banner}"));
        Self {
            child,
            base,
            banner,
            http: reqwest::Client::new(),
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    pub fn get(&self, path: &str) -> reqwest::RequestBuilder {
        self.http.get(self.url(path))
    }

    pub fn post(&self, path: &str) -> reqwest::RequestBuilder {
        self.http.post(self.url(path))
    }

    pub fn put(&self, path: &str) -> reqwest::RequestBuilder {
        self.http.put(self.url(path))
    }

    pub fn admin(&self, method: reqwest::Method, path: &str) -> reqwest::RequestBuilder {
        self.http
            .request(method, self.url(path))
            .bearer_auth(ORGANISER_TOKEN)
    }

    /// A GET's JSON body, whatever its status (the caller asserts what it expects).
    pub async fn get_json(&self, path: &str) -> serde_json::Value {
        send(self.get(path)).await.json().await.unwrap()
    }

    /// An organiser GET's JSON body.
    pub async fn admin_json(&self, path: &str) -> serde_json::Value {
        send(self.admin(reqwest::Method::GET, path))
            .await
            .json()
            .await
            .unwrap()
    }

    /// Sends SIGTERM and waits for a clean exit.
    pub fn stop(mut self) -> std::process::ExitStatus {
        self.terminate();
        self.child.wait().expect("plenary-local exits")
    }

    fn terminate(&mut self) {
        let _ = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status();
    }
}

impl Drop for LocalStack {
    fn drop(&mut self) {
        if let Ok(None) = self.child.try_wait() {
            self.terminate();
            let deadline = Instant::now() + Duration::from_secs(5);
            while Instant::now() < deadline {
                if let Ok(Some(_)) = self.child.try_wait() {
                    return;
                }
                std::thread::sleep(Duration::from_millis(20));
            }
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}

/// Sends a request to the stack; not reaching it fails the test.
pub async fn send(req: reqwest::RequestBuilder) -> reqwest::Response {
    req.send().await.unwrap()
}

/// A client that does not follow redirects, so a join link's 302 is seen as it is.
pub fn no_redirects() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

/// The value of the header `name`, or "" when it is absent.
pub fn header(res: &reqwest::Response, name: &str) -> String {
    res.headers()
        .get(name)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_owned()
}

/// Asserts a problem+json answer with this status and returns its body.
pub async fn problem(res: reqwest::Response, status: u16) -> serde_json::Value {
    assert_eq!(res.status().as_u16(), status, "unexpected status");
    assert_eq!(header(&res, "content-type"), "application/problem+json");
    let body: serde_json::Value = res.json().await.expect("a JSON problem body");
    assert_eq!(body["status"], status);
    assert!(body["type"].is_string() && body["title"].is_string() && body["detail"].is_string());
    body
}
