//! A minimal Lambda runtime API on loopback that starts a function binary, hands it one event,
//! and times the process start to its first `GET …/invocation/next` (the function's own
//! initialisation) and to its `POST …/response` (initialisation plus the first invocation).
//! Repeats, then prints min / median / p90 / max.
//!
//! `runtime-stub --event FILE [--runs N] [--method M --path P [--bearer T] [--body JSON]] -- BINARY`
//!
//! With `--path`, an API Gateway v2 event has its method and path replaced (so an HTTP
//! function is sent a route it owns). The function's environment is this process's, plus
//! `AWS_LAMBDA_RUNTIME_API` and the variables `lambda_runtime` requires.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

enum Seen {
    Next(Instant),
    Response(Instant, String),
    Error(String),
}

struct Request {
    method: String,
    path: String,
    body: String,
}

fn read_request(r: &mut BufReader<TcpStream>) -> Option<Request> {
    let mut line = String::new();
    if r.read_line(&mut line).ok()? == 0 {
        return None;
    }
    let mut parts = line.split_whitespace();
    let method = parts.next()?.to_owned();
    let path = parts.next()?.to_owned();
    let mut len = 0usize;
    loop {
        let mut h = String::new();
        if r.read_line(&mut h).ok()? == 0 {
            return None;
        }
        let h = h.trim_end();
        if h.is_empty() {
            break;
        }
        if let Some((k, v)) = h.split_once(':')
            && k.eq_ignore_ascii_case("content-length")
        {
            len = v.trim().parse().unwrap_or(0);
        }
    }
    let mut body = vec![0; len];
    r.read_exact(&mut body).ok()?;
    Some(Request {
        method,
        path,
        body: String::from_utf8_lossy(&body).into_owned(),
    })
}

fn respond(s: &mut TcpStream, status: &str, headers: &[(&str, String)], body: &str) {
    let mut out = format!(
        "HTTP/1.1 {status}\r\ncontent-type: application/json\r\ncontent-length: {}\r\n",
        body.len()
    );
    for (k, v) in headers {
        out.push_str(&format!("{k}: {v}\r\n"));
    }
    out.push_str("\r\n");
    out.push_str(body);
    let _ = s.write_all(out.as_bytes());
}

/// Serves one connection of the function's runtime client.
fn connection(
    stream: TcpStream,
    event: String,
    seen: mpsc::Sender<Seen>,
    done: std::sync::Arc<std::sync::Mutex<mpsc::Receiver<()>>>,
    handed: std::sync::Arc<std::sync::atomic::AtomicBool>,
) {
    let mut w = stream.try_clone().expect("a socket");
    let mut r = BufReader::new(stream);
    while let Some(req) = read_request(&mut r) {
        let now = Instant::now();
        match (req.method.as_str(), req.path.as_str()) {
            ("GET", "/2018-06-01/runtime/invocation/next") => {
                if handed.swap(true, std::sync::atomic::Ordering::SeqCst) {
                    // One event per run: park the second poll until the run is over.
                    let _ = done.lock().map(|d| d.recv());
                    return;
                }
                let _ = seen.send(Seen::Next(now));
                let deadline = std::time::SystemTime::now()
                    .duration_since(std::time::UNIX_EPOCH)
                    .unwrap_or_default()
                    .as_millis()
                    + 30_000;
                respond(
                    &mut w,
                    "200 OK",
                    &[
                        ("lambda-runtime-aws-request-id", "bench-request-1".into()),
                        ("lambda-runtime-deadline-ms", deadline.to_string()),
                        (
                            "lambda-runtime-invoked-function-arn",
                            "arn:aws:lambda:us-east-1:123456789012:function:bench".into(),
                        ),
                        (
                            "lambda-runtime-trace-id",
                            "Root=1-5e9f0c65-1de4d666d4dd26aced652b6c".into(),
                        ),
                    ],
                    &event,
                );
            }
            ("POST", p) if p.ends_with("/response") => {
                respond(&mut w, "202 Accepted", &[], "{}");
                let _ = seen.send(Seen::Response(now, req.body));
            }
            ("POST", p) if p.ends_with("/error") => {
                respond(&mut w, "202 Accepted", &[], "{}");
                let _ = seen.send(Seen::Error(req.body));
            }
            _ => respond(&mut w, "404 Not Found", &[], "{}"),
        }
    }
}

struct Run {
    init: Duration,
    first: Duration,
    status: String,
}

fn run_once(binary: &str, event: &str) -> Result<Run, String> {
    let listener = TcpListener::bind("127.0.0.1:0").map_err(|e| e.to_string())?;
    let addr = listener.local_addr().map_err(|e| e.to_string())?;
    let (tx, rx) = mpsc::channel();
    let (done_tx, done_rx) = mpsc::channel::<()>();
    let done = std::sync::Arc::new(std::sync::Mutex::new(done_rx));
    let handed = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    {
        let event = event.to_owned();
        std::thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                let (event, tx, done, handed) =
                    (event.clone(), tx.clone(), done.clone(), handed.clone());
                std::thread::spawn(move || connection(stream, event, tx, done, handed));
            }
        });
    }
    let started = Instant::now();
    let mut child = Command::new(binary)
        .env("AWS_LAMBDA_RUNTIME_API", addr.to_string())
        .env("AWS_LAMBDA_FUNCTION_NAME", "bench")
        .env("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "128")
        .env("AWS_LAMBDA_FUNCTION_VERSION", "$LATEST")
        .env("AWS_LAMBDA_LOG_STREAM_NAME", "bench")
        .env("AWS_LAMBDA_LOG_GROUP_NAME", "bench")
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| format!("{binary}: {e}"))?;
    let mut init = None;
    let outcome = loop {
        match rx.recv_timeout(Duration::from_secs(30)) {
            Ok(Seen::Next(t)) => init = Some(t - started),
            Ok(Seen::Response(t, body)) => {
                let status = serde_json::from_str::<serde_json::Value>(&body)
                    .ok()
                    .and_then(|v| v.get("statusCode").map(ToString::to_string))
                    .unwrap_or_else(|| "ok".into());
                break Ok((t - started, status));
            }
            Ok(Seen::Error(body)) => break Err(format!("the function reported: {body}")),
            Err(_) => break Err("no response within 30 s".into()),
        }
    };
    let _ = child.kill();
    let _ = child.wait();
    drop(done_tx);
    let (first, status) = outcome.map_err(|e| {
        let mut err = String::new();
        if let Some(mut s) = child.stderr.take() {
            let _ = s.read_to_string(&mut err);
        }
        format!("{e}\nstderr: {}", err.trim())
    })?;
    Ok(Run {
        init: init.unwrap_or(first),
        first,
        status,
    })
}

fn summary(label: &str, mut xs: Vec<Duration>) {
    xs.sort();
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    let at = |q: f64| xs[((xs.len() - 1) as f64 * q).round() as usize];
    println!(
        "  {label}: min {:.2} ms, median {:.2} ms, p90 {:.2} ms, max {:.2} ms",
        ms(xs[0]),
        ms(at(0.5)),
        ms(at(0.9)),
        ms(xs[xs.len() - 1])
    );
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let split = args.iter().position(|a| a == "--").unwrap_or(args.len());
    let (opts, rest) = args.split_at(split);
    let binary = rest.get(1).cloned().unwrap_or_else(|| {
        eprintln!(
            "usage: runtime-stub --event FILE [--runs N] [--method M --path P [--bearer T] [--body JSON]] -- BINARY"
        );
        std::process::exit(2)
    });
    let opt = |name: &str| {
        opts.iter()
            .position(|a| a == name)
            .and_then(|i| opts.get(i + 1))
            .cloned()
    };
    let runs: usize = opt("--runs").and_then(|r| r.parse().ok()).unwrap_or(20);
    let file = opt("--event").expect("--event FILE");
    let mut event: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&file).expect("the event file"))
            .expect("a JSON event");
    if let Some(path) = opt("--path") {
        let (path, query) = path.split_once('?').unwrap_or((&path, ""));
        let method = opt("--method").unwrap_or_else(|| "GET".into());
        event["rawPath"] = path.into();
        event["rawQueryString"] = query.into();
        event["requestContext"]["http"]["path"] = path.into();
        event["requestContext"]["http"]["method"] = method.into();
        if let Some(token) = opt("--bearer") {
            event["headers"]["authorization"] = format!("Bearer {token}").into();
        }
        if let Some(body) = opt("--body") {
            event["body"] = body.clone().into();
            event["headers"]["content-type"] = "application/json".into();
            event["headers"]["content-length"] = body.len().to_string().into();
        }
    }
    let event = event.to_string();
    let (mut inits, mut firsts) = (Vec::new(), Vec::new());
    let mut statuses = std::collections::BTreeSet::new();
    for _ in 0..runs {
        match run_once(&binary, &event) {
            Ok(r) => {
                inits.push(r.init);
                firsts.push(r.first);
                statuses.insert(r.status);
            }
            Err(e) => {
                eprintln!("{binary}: {e}");
                std::process::exit(1)
            }
        }
    }
    println!("{binary} ({runs} runs, response statusCode {statuses:?})");
    summary("start → first GET /next (init)", inits);
    summary("start → first POST /response", firsts);
}
