//! Restoring the table, as infra/README.md tells an operator to, tried against the emulator as
//! far as it goes: a backup restored into a new table, and point-in-time recovery into a new
//! table, each then read by Plenary's own stores as the original was (events, a registration's
//! guard, the outbox). AWS Backup's own jobs (`start-backup-job`, `start-restore-job`) are not in
//! the emulator; the backup they restore from is the same kind of DynamoDB backup.

use std::sync::Arc;
use std::time::Duration;

use aws_sdk_dynamodb::types::{PointInTimeRecoverySpecification, TableStatus};
use plenary::domain::{Event, EventId};
use plenary::store::{
    DynamoTable, EventReader, EventWriter, Key, Table, TableStore, Write, ensure_table,
};
use plenary_tests::dynamo_fixture::{client, unique_table_name};
use serde_json::json;

/// The name of a new table on the emulator with two events and one raw outbox item.
async fn filled() -> String {
    let name = unique_table_name("restore");
    let c = client().await;
    ensure_table(&c, &name).await.unwrap();
    let table = Arc::new(DynamoTable::new(c, &name));
    let store = TableStore::new(table.clone());
    for id in ["before-backup", "also-kept"] {
        let event = Event::parse(
            EventId::parse(id).unwrap(),
            &json!({"title": id, "timezone": "Europe/Zurich",
                    "starts_at": "2030-03-10T09:00:00+01:00", "ends_at": "2030-03-10T17:00:00+01:00"}),
        )
        .unwrap();
        store
            .put_event(&event, "2030-01-01T00:00:00Z".parse().unwrap())
            .await
            .unwrap();
    }
    let mut item = Key::new("OUTBOX", "MSG#01J00000000000000000000000").item();
    item.insert("kind".into(), json!("confirmation"));
    table.write(Write::put_new(item)).await.unwrap();
    name
}

async fn wait_active(name: &str) {
    let client = client().await;
    for _ in 0..100 {
        let t = client
            .describe_table()
            .table_name(name)
            .send()
            .await
            .unwrap();
        if t.table().and_then(|t| t.table_status()) == Some(&TableStatus::Active) {
            return;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("{name} never became ACTIVE");
}

/// Once `restored` is ACTIVE, Plenary reads from it what it reads from `original`.
async fn read_as_the_original(restored: &str, original: &str) {
    wait_active(restored).await;
    assert_eq!(
        seen_by_plenary(restored).await,
        seen_by_plenary(original).await
    );
}

/// What Plenary reads from `name`: the events' ids and whether the outbox item is there.
async fn seen_by_plenary(name: &str) -> (Vec<String>, bool) {
    let table = DynamoTable::new(client().await, name);
    let outbox = table
        .get(&Key::new("OUTBOX", "MSG#01J00000000000000000000000"))
        .await
        .unwrap()
        .is_some();
    let store = TableStore::new(Arc::new(table));
    let events = store.events().await.unwrap();
    (
        events.into_iter().map(|e| e.id.to_string()).collect(),
        outbox,
    )
}

#[tokio::test]
async fn a_backup_restores_into_a_new_table_that_plenary_reads_as_the_original() {
    let name = filled().await;
    let c = client().await;
    let backup = c
        .create_backup()
        .table_name(&name)
        .backup_name("plenary-test-backup")
        .send()
        .await
        .unwrap();
    let arn = backup.backup_details().unwrap().backup_arn().to_owned();
    let restored = unique_table_name("restored");
    c.restore_table_from_backup()
        .target_table_name(&restored)
        .backup_arn(&arn)
        .send()
        .await
        .unwrap();
    read_as_the_original(&restored, &name).await;
    let (events, outbox) = seen_by_plenary(&restored).await;
    assert_eq!(events, ["also-kept", "before-backup"]);
    assert!(outbox);
}

#[tokio::test]
async fn point_in_time_recovery_restores_into_a_new_table_that_plenary_reads() {
    let name = filled().await;
    let c = client().await;
    c.update_continuous_backups()
        .table_name(&name)
        .point_in_time_recovery_specification(
            PointInTimeRecoverySpecification::builder()
                .point_in_time_recovery_enabled(true)
                .build()
                .unwrap(),
        )
        .send()
        .await
        .unwrap();
    let restored = unique_table_name("pitr");
    c.restore_table_to_point_in_time()
        .source_table_name(&name)
        .target_table_name(&restored)
        .use_latest_restorable_time(true)
        .send()
        .await
        .unwrap();
    read_as_the_original(&restored, &name).await;
    assert_eq!(seen_by_plenary(&restored).await.0.len(), 2);
}
