//! The HTTP server: hyper on one port, each request turned into the `lambda_http` request the
//! functions take, and handed to the function that owns its route — the same handler code that
//! runs in Lambda.

use std::convert::Infallible;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use http_body_util::{BodyExt, Full, Limited};
use hyper::body::Incoming;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::server::graceful::GracefulShutdown;
use plenary::http::{MAX_BODY_BYTES, Problem};
use tokio::net::TcpListener;

use crate::stack::Stack;

/// How long a client may take to send a request: against slow clients holding connections
/// open (slowloris), each request's headers and body must arrive in time.
#[derive(Debug, Clone, Copy)]
pub struct Timeouts {
    /// For the headers, counted from when the server is ready to read them (so an idle
    /// kept-alive connection is closed after it too).
    pub headers: Duration,
    /// For the whole body, counted once the headers are in.
    pub body: Duration,
}

async fn to_function_request(
    req: hyper::Request<Incoming>,
    peer: SocketAddr,
    body_timeout: Duration,
) -> Result<plenary::http::Request, Problem> {
    let (parts, body) = req.into_parts();
    // Read one byte past the limit so the handler can tell "too large" and answer 413 itself.
    let read = Limited::new(body, MAX_BODY_BYTES + 1).collect();
    let Ok(read) = tokio::time::timeout(body_timeout, read).await else {
        return Err(Problem::new(
            hyper::StatusCode::REQUEST_TIMEOUT,
            "request-timeout",
            "The body took too long to arrive",
        )
        .detail(format!(
            "a request's body must arrive within {} seconds",
            body_timeout.as_secs_f64()
        ))
        .header(hyper::header::CONNECTION, "close"));
    };
    let bytes = match read {
        Ok(c) => c.to_bytes(),
        Err(e)
            if e.downcast_ref::<http_body_util::LengthLimitError>()
                .is_some() =>
        {
            return Err(Problem::new(
                hyper::StatusCode::PAYLOAD_TOO_LARGE,
                "payload-too-large",
                "The body is too large",
            )
            .detail(format!(
                "request bodies are limited to {MAX_BODY_BYTES} bytes"
            )));
        }
        Err(_) => {
            return Err(Problem::invalid_field("body", "could not be read"));
        }
    };
    let body = if bytes.is_empty() {
        lambda_http::Body::Empty
    } else {
        match String::from_utf8(bytes.to_vec()) {
            Ok(s) => lambda_http::Body::Text(s),
            Err(e) => lambda_http::Body::Binary(e.into_bytes()),
        }
    };
    // The peer stands where API Gateway puts `requestContext.http.sourceIp`: limits per client
    // read it there, in Lambda and here alike.
    Ok(plenary::http::from_peer(
        http::Request::from_parts(parts, body),
        peer.ip(),
    ))
}

fn to_hyper_response(res: plenary::http::Response) -> hyper::Response<Full<Bytes>> {
    let (parts, body) = res.into_parts();
    let bytes = match body {
        lambda_http::Body::Empty => Bytes::new(),
        lambda_http::Body::Text(s) => Bytes::from(s),
        lambda_http::Body::Binary(b) => Bytes::from(b),
        _ => Bytes::new(),
    };
    hyper::Response::from_parts(parts, Full::new(bytes))
}

async fn answer(
    stack: Arc<Stack>,
    peer: SocketAddr,
    body_timeout: Duration,
    req: hyper::Request<Incoming>,
) -> Result<hyper::Response<Full<Bytes>>, Infallible> {
    // An upload's body is streamed to its file, not read under the API's 64 KiB limit.
    if crate::uploads::is_upload(req.method(), req.uri().path()) {
        return Ok(to_hyper_response(stack.receive_upload(req).await));
    }
    let res = match to_function_request(req, peer, body_timeout).await {
        Ok(req) => stack.handle(req).await,
        Err(p) => p.into_response(),
    };
    Ok(to_hyper_response(res))
}

/// Serves until `shutdown` completes, then lets open requests finish (up to 10 s).
pub async fn serve(
    listener: TcpListener,
    stack: Arc<Stack>,
    timeouts: Timeouts,
    shutdown: impl std::future::Future<Output = ()>,
) {
    let graceful = GracefulShutdown::new();
    let mut builder = hyper::server::conn::http1::Builder::new();
    builder
        .timer(TokioTimer::new())
        .header_read_timeout(timeouts.headers);
    tokio::pin!(shutdown);
    loop {
        tokio::select! {
            accepted = listener.accept() => {
                let (stream, peer): (_, SocketAddr) = match accepted {
                    Ok(a) => a,
                    Err(e) => {
                        tracing::warn!(error = %e, "accept failed");
                        tokio::time::sleep(Duration::from_millis(50)).await;
                        continue;
                    }
                };
                let _ = stream.set_nodelay(true);
                let stack = stack.clone();
                let service = hyper::service::service_fn(move |req| answer(stack.clone(), peer, timeouts.body, req));
                let conn = builder.serve_connection(TokioIo::new(stream), service);
                let conn = graceful.watch(conn);
                tokio::spawn(async move {
                    let _ = conn.await;
                });
            }
            () = &mut shutdown => break,
        }
    }
    drop(listener);
    tokio::select! {
        () = graceful.shutdown() => {}
        () = tokio::time::sleep(Duration::from_secs(10)) => {}
    }
}
