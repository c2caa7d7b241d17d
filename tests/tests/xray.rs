//! X-Ray subsegments of SDK calls: a DynamoDB call (to the emulator) through a client with the
//! interceptor sends the daemon (a UDP socket here) one subsegment under the invocation's
//! sampled trace, naming the service, the operation and the status; an unsampled invocation
//! sends nothing.

use std::net::UdpSocket;
use std::time::Duration;

use aws_sdk_dynamodb::config::{BehaviorVersion, Credentials, Region};
use plenary::xray::Subsegments;
use plenary_tests::dynamo_fixture::endpoint;
use serde_json::Value;

const ROOT: &str = "1-5759e988-bd862e3fe1be46a994272793";

fn client(xray: Subsegments) -> aws_sdk_dynamodb::Client {
    let config = aws_sdk_dynamodb::config::Builder::new()
        .behavior_version(BehaviorVersion::latest())
        .region(Region::new("us-east-1"))
        .endpoint_url(endpoint())
        .credentials_provider(Credentials::new("test", "test", None, None, "tests"))
        .interceptor(xray)
        .build();
    aws_sdk_dynamodb::Client::from_conf(config)
}

fn daemon() -> UdpSocket {
    let socket = UdpSocket::bind("127.0.0.1:0").unwrap();
    socket
        .set_read_timeout(Some(Duration::from_millis(500)))
        .unwrap();
    socket
}

/// The subsegment in one datagram of the daemon protocol: a header line, then the document.
fn received(socket: &UdpSocket) -> Option<Value> {
    let mut buf = [0u8; 65536];
    let n = socket.recv(&mut buf).ok()?;
    let text = std::str::from_utf8(&buf[..n]).unwrap();
    let (header, document) = text.split_once('\n').unwrap();
    assert_eq!(header, r#"{"format": "json", "version": 1}"#);
    Some(serde_json::from_str(document).unwrap())
}

#[tokio::test]
async fn a_sampled_invocations_sdk_call_is_one_subsegment_under_its_trace() {
    let socket = daemon();
    let xray = Subsegments::new(socket.local_addr().unwrap(), || {
        Some(format!("Root={ROOT};Parent=53995c3f42cd8ad8;Sampled=1"))
    });
    client(xray).list_tables().send().await.unwrap();
    let s = received(&socket).expect("a subsegment");
    assert_eq!(s["name"], "DynamoDB");
    assert_eq!(s["aws"]["operation"], "ListTables");
    assert_eq!(s["trace_id"], ROOT);
    assert_eq!(s["parent_id"], "53995c3f42cd8ad8");
    assert_eq!(s["type"], "subsegment");
    assert_eq!(s["http"]["response"]["status"], 200);
    assert_eq!(
        (s["error"].clone(), s["fault"].clone()),
        (false.into(), false.into())
    );
    let (start, end) = (
        s["start_time"].as_f64().unwrap(),
        s["end_time"].as_f64().unwrap(),
    );
    assert!(start > 1.6e9 && start <= end && end - start < 30.0, "{s}");
    assert!(received(&socket).is_none(), "one call, one subsegment");
}

#[tokio::test]
async fn a_failed_call_is_marked_and_an_unsampled_invocation_sends_nothing() {
    let socket = daemon();
    let xray = Subsegments::new(socket.local_addr().unwrap(), || {
        Some(format!("Root={ROOT};Parent=53995c3f42cd8ad8;Sampled=1"))
    });
    let missing = client(xray)
        .describe_table()
        .table_name("no-such-table-for-xray")
        .send()
        .await;
    assert!(missing.is_err());
    let s = received(&socket).expect("a subsegment");
    assert_eq!(s["aws"]["operation"], "DescribeTable");
    assert_eq!(s["error"], true, "{s}");
    assert_eq!(s["fault"], false, "{s}");

    let socket = daemon();
    let xray = Subsegments::new(socket.local_addr().unwrap(), || {
        Some(format!("Root={ROOT};Parent=53995c3f42cd8ad8;Sampled=0"))
    });
    client(xray).list_tables().send().await.unwrap();
    assert!(received(&socket).is_none());
}
