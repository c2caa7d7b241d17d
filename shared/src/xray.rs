//! X-Ray subsegments for the AWS SDK calls (DynamoDB, SES), when the deployment traces
//! (`Tracing: Active`). Lambda records each sampled invocation's own segment; this adds one
//! subsegment per SDK call under it (service, operation, HTTP status, start and end), sent to
//! the X-Ray daemon Lambda runs beside the function, in its UDP protocol. There is no X-Ray SDK
//! for Rust, and the OpenTelemetry route needs a collector layer (tens of MB, its own start-up):
//! one datagram per call is all this needs. Nothing is sent for an unsampled invocation, and
//! nothing is built at start-up beyond this value (the socket is bound on the first send).

use std::net::{SocketAddr, UdpSocket};
use std::sync::OnceLock;
use std::time::SystemTime;

use aws_smithy_runtime_api::box_error::BoxError;
use aws_smithy_runtime_api::client::interceptors::Intercept;
use aws_smithy_runtime_api::client::interceptors::context::{
    BeforeSerializationInterceptorContextRef, FinalizerInterceptorContextRef,
};
use aws_smithy_runtime_api::client::orchestrator::Metadata;
use aws_smithy_runtime_api::client::runtime_components::RuntimeComponents;
use aws_smithy_types::config_bag::{ConfigBag, Storable, StoreReplace};

/// Sends a subsegment per SDK call to the daemon at `daemon`, under the trace `trace` reads
/// (the `_X_AMZN_TRACE_ID` header value of the current invocation).
#[derive(Debug, Clone)]
pub struct Subsegments {
    daemon: SocketAddr,
    trace: fn() -> Option<String>,
}

impl Subsegments {
    /// In Lambda: the daemon's address from `AWS_XRAY_DAEMON_ADDRESS` and the invocation's
    /// trace from `_X_AMZN_TRACE_ID` (set by `lambda_runtime` for each invocation). None off
    /// Lambda.
    pub fn from_env() -> Option<Self> {
        let daemon = std::env::var("AWS_XRAY_DAEMON_ADDRESS").ok()?;
        // "host:port", or "tcp:… udp:…" when the daemon listens on both.
        let udp = daemon
            .split_whitespace()
            .find_map(|part| part.strip_prefix("udp:"))
            .unwrap_or(&daemon);
        Some(Self::new(udp.parse().ok()?, || {
            std::env::var("_X_AMZN_TRACE_ID").ok()
        }))
    }

    pub fn new(daemon: SocketAddr, trace: fn() -> Option<String>) -> Self {
        Self { daemon, trace }
    }

    fn send(&self, document: &serde_json::Value) {
        static SOCKET: OnceLock<Option<UdpSocket>> = OnceLock::new();
        let socket = SOCKET.get_or_init(|| UdpSocket::bind(("0.0.0.0", 0)).ok());
        let datagram = format!("{{\"format\": \"json\", \"version\": 1}}\n{document}");
        // Tracing must never fail a call: a lost datagram is a missing subsegment.
        if let Some(s) = socket {
            let _ = s.send_to(datagram.as_bytes(), self.daemon);
        }
    }
}

/// The trace an invocation belongs to, from its header `Root=…;Parent=…;Sampled=1`.
#[derive(Debug, PartialEq, Eq)]
pub struct TraceHeader {
    pub root: String,
    pub parent: String,
}

impl TraceHeader {
    /// The root and parent of a sampled trace; None when unsampled or malformed.
    pub fn parse(header: &str) -> Option<Self> {
        let (mut root, mut parent, mut sampled) = (None, None, false);
        for part in header.split(';') {
            match part.trim().split_once('=') {
                Some(("Root", v)) => root = Some(v.to_owned()),
                Some(("Parent", v)) => parent = Some(v.to_owned()),
                Some(("Sampled", v)) => sampled = v == "1",
                _ => {}
            }
        }
        sampled.then_some(())?;
        Some(Self {
            root: root?,
            parent: parent?,
        })
    }
}

#[derive(Debug, Clone)]
struct Started(SystemTime);

impl Storable for Started {
    type Storer = StoreReplace<Self>;
}

fn epoch_seconds(t: SystemTime) -> f64 {
    t.duration_since(SystemTime::UNIX_EPOCH)
        .map_or(0.0, |d| d.as_secs_f64())
}

/// 16 hex digits, as X-Ray ids are.
fn segment_id() -> String {
    let mut bytes = [0u8; 8];
    // A zero id on a failed random source still reports the call; it only cannot be told apart.
    let _ = getrandom::fill(&mut bytes);
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

impl Intercept for Subsegments {
    fn name(&self) -> &'static str {
        "XRaySubsegments"
    }

    fn read_before_execution(
        &self,
        _context: &BeforeSerializationInterceptorContextRef<'_>,
        cfg: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        cfg.interceptor_state()
            .store_put(Started(SystemTime::now()));
        Ok(())
    }

    fn read_after_execution(
        &self,
        context: &FinalizerInterceptorContextRef<'_>,
        _runtime_components: &RuntimeComponents,
        cfg: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        let Some(trace) = (self.trace)().as_deref().and_then(TraceHeader::parse) else {
            return Ok(());
        };
        let end = SystemTime::now();
        let start = cfg.load::<Started>().map_or(end, |s| s.0);
        let (service, operation) = cfg
            .load::<Metadata>()
            .map_or(("AWS", "unknown"), |m| (m.service(), m.name()));
        let status = context.response().map(|r| r.status().as_u16());
        let failed = matches!(context.output_or_error(), Some(Err(_)));
        let document = serde_json::json!({
            "name": service,
            "id": segment_id(),
            "trace_id": trace.root,
            "parent_id": trace.parent,
            "type": "subsegment",
            "namespace": "aws",
            "start_time": epoch_seconds(start),
            "end_time": epoch_seconds(end),
            "aws": {"operation": operation},
            "http": {"response": {"status": status}},
            // X-Ray's words: a 4xx is an error, a 5xx or no answer a fault.
            "error": failed && status.is_some_and(|s| s < 500),
            "fault": failed && status.is_none_or(|s| s >= 500),
            "throttle": status == Some(429),
        });
        self.send(&document);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_sampled_trace_header_gives_its_root_and_parent() {
        let h = TraceHeader::parse(
            "Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1",
        )
        .unwrap();
        assert_eq!(h.root, "1-5759e988-bd862e3fe1be46a994272793");
        assert_eq!(h.parent, "53995c3f42cd8ad8");
        for unsampled in [
            "Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=0",
            "Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8",
            "Root=1-5759e988-bd862e3fe1be46a994272793;Sampled=1",
            "",
        ] {
            assert_eq!(TraceHeader::parse(unsampled), None, "{unsampled}");
        }
    }

    #[test]
    fn segment_ids_are_sixteen_hex_digits() {
        let id = segment_id();
        assert_eq!(id.len(), 16);
        assert!(id.bytes().all(|b| b.is_ascii_hexdigit()));
        assert_ne!(id, segment_id());
    }
}
