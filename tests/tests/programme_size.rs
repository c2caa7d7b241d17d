//! A large conference's programme through the store, on both stores (issue 19, point 4): 1,000
//! sessions and 600 speakers with abstracts and bios of prose-like text — well over DynamoDB's
//! 400 KB an item as JSON, and still over it deflated — are stored as a draft, published twice
//! and read back exactly, the public's latest copy included; items written before documents
//! were deflated still read.

use std::sync::Arc;

use jiff::Timestamp;
use plenary::domain::{Programme, Publication};
use plenary::store::{
    EventWriter, Item, Key, MemoryTable, ProgrammeReader, ProgrammeWriter, Table, TableStore, Write,
};
use plenary_tests::dynamo_fixture;
use plenary_tests::on_both_stores;
use plenary_tests::programmes::{conference, conference_draft as draft};
use plenary_tests::stack::Store;
use serde_json::{Value, json};

on_both_stores!(
    a_thousand_session_programme_is_drafted_published_and_read_back_exactly,
    a_programme_stored_before_documents_were_deflated_still_reads,
);

async fn store(s: Store) -> (TableStore, Arc<dyn Table>) {
    let table: Arc<dyn Table> = match s {
        Store::Memory => Arc::new(MemoryTable::new()),
        Store::Dynamodb => Arc::new(dynamo_fixture::fresh_table("programme").await),
    };
    (TableStore::new(table.clone()), table)
}

fn now() -> Timestamp {
    "2026-05-01T08:00:00Z".parse().unwrap()
}

async fn a_thousand_session_programme_is_drafted_published_and_read_back_exactly(s: Store) {
    let (store, _) = store(s).await;
    let event = conference();
    store.put_event(&event, now()).await.unwrap();
    let programme = Programme::parse(&event, &draft("v1")).unwrap();
    assert_eq!(programme.sessions.len(), 1000);
    // What makes this test mean something: the document is over an item's 400 KB as JSON,
    // and would not fit one item even deflated, so it takes parts.
    let json = serde_json::to_vec(&programme).unwrap();
    assert!(json.len() > 600_000, "{} bytes of JSON", json.len());
    let deflated = miniz_oxide::deflate::compress_to_vec(&json, 6).len();
    assert!(deflated > 400 * 1024 / 4 * 3, "{deflated} bytes deflated");
    eprintln!(
        "1,000 sessions: {} bytes of JSON, {deflated} deflated ({} in base64)",
        json.len(),
        deflated.div_ceil(3) * 4
    );
    // The document for the deflate timings of BENCHMARKS.md ("Programme documents").
    if let Ok(path) = std::env::var("PLENARY_WRITE_PROGRAMME_JSON") {
        std::fs::write(path, &json).unwrap();
    }

    store.put_draft(&event.id, &programme).await.unwrap();
    assert_eq!(
        store.draft(&event.id).await.unwrap(),
        Some(programme.clone())
    );

    let v1 = Publication::next(None, programme.clone(), now()).unwrap();
    store.publish(&event, &v1).await.unwrap();
    let latest = store.latest_document(&event.id).await.unwrap().unwrap();
    assert_eq!(latest.version, 1);
    assert_eq!(latest.parse().unwrap(), stored(&v1));
    assert_eq!(
        store.latest(&event.id).await.unwrap().unwrap().publication,
        stored(&v1)
    );
    assert_eq!(
        store.version(&event.id, 1).await.unwrap(),
        Some(stored(&v1))
    );

    // A second version replaces the latest copy (parts and all) and keeps the first.
    let changed = Programme::parse(&event, &draft("v2")).unwrap();
    store.put_draft(&event.id, &changed).await.unwrap();
    assert_eq!(store.draft(&event.id).await.unwrap(), Some(changed.clone()));
    let v2 = Publication::next(Some(&v1), changed, now()).unwrap();
    assert_eq!(v2.changes.len(), 1);
    store.publish(&event, &v2).await.unwrap();
    let latest = store.latest_document(&event.id).await.unwrap().unwrap();
    assert_eq!(latest.version, 2);
    assert_eq!(latest.parse().unwrap(), stored(&v2));
    assert_eq!(
        store.version(&event.id, 1).await.unwrap(),
        Some(stored(&v1))
    );
    let versions = store.versions(&event.id).await.unwrap();
    assert_eq!(
        versions.iter().map(|v| v.version).collect::<Vec<_>>(),
        [1, 2]
    );
    // Publishing the same version again is still the race it was.
    assert!(store.publish(&event, &v2).await.is_err());
}

/// A publication as stored: its changes are computed when publishing, not kept.
fn stored(p: &Publication) -> Publication {
    Publication {
        changes: Vec::new(),
        ..p.clone()
    }
}

/// An item as the store wrote it before documents were deflated: the JSON text in `doc`.
fn plain_item(key: Key, doc: &impl serde::Serialize, extra: &[(&str, Value)]) -> Item {
    let mut item = key.item();
    item.insert(
        "doc".into(),
        Value::String(serde_json::to_string(doc).unwrap()),
    );
    for (k, v) in extra {
        item.insert((*k).into(), v.clone());
    }
    item
}

async fn a_programme_stored_before_documents_were_deflated_still_reads(s: Store) {
    let (store, table) = store(s).await;
    let event = conference();
    store.put_event(&event, now()).await.unwrap();
    let body = json!({"sessions": [{"id": "opening", "title": "Opening", "kind": "opening",
        "starts_at": "2026-06-01T08:00:00+02:00", "ends_at": "2026-06-01T08:30:00+02:00"}]});
    let programme = Programme::parse(&event, &body).unwrap();
    let v1 = Publication::next(None, programme.clone(), now()).unwrap();
    let pk = format!("EVENT#{}", event.id);
    let snapshot = Value::String(serde_json::to_string(&event).unwrap());
    for item in [
        plain_item(Key::new(&pk, "DRAFT"), &programme, &[]),
        plain_item(
            Key::new(&pk, "PROGRAMME#V#0000000001"),
            &v1,
            &[("version", json!(1))],
        ),
        plain_item(
            Key::new(&pk, "PROGRAMME#LATEST"),
            &v1,
            &[("version", json!(1)), ("event", snapshot)],
        ),
    ] {
        table.write(Write::put(item)).await.unwrap();
    }
    assert_eq!(
        store.draft(&event.id).await.unwrap(),
        Some(programme.clone())
    );
    assert_eq!(
        store.version(&event.id, 1).await.unwrap(),
        Some(stored(&v1))
    );
    let latest = store.latest_document(&event.id).await.unwrap().unwrap();
    assert_eq!(latest.parse().unwrap(), stored(&v1));
    assert_eq!(store.versions(&event.id).await.unwrap()[0].version, 1);
    // The next publication follows on from it, deflated.
    let mut next = programme;
    next.sessions[0].title = plenary::domain::Line::parse("Welcome").unwrap();
    let v2 = Publication::next(Some(&v1), next, now()).unwrap();
    store.publish(&event, &v2).await.unwrap();
    let latest = store.latest_document(&event.id).await.unwrap().unwrap();
    assert_eq!(latest.parse().unwrap(), stored(&v2));
}
