//! The seed: events (and, once the programme exists, their drafts and publications) read from a
//! JSON file and written through the same parsing and stores as the organiser routes, so a seed
//! loads into either store.

use std::path::Path;

use jiff::Timestamp;
use plenary::domain::{Event, EventId, Programme, Publication, UrlPolicy};
use plenary::store::{EventWriter, ProgrammeReader, ProgrammeWriter, TableStore};
use serde::Deserialize;
use serde_json::Value;

/// The bundled seed of TSB Circular 331.
pub const BUNDLED: &str = include_str!("../seed/circular-331.json");

/// The files the bundled seed's materials name, by key: copied into the uploads folder, so the
/// seed workshop's page shows a file served as an uploaded one would be.
const BUNDLED_FILES: &[(&str, &[u8])] = &[(
    "files/qos-workshop-2021/seed/objectives.txt",
    include_bytes!("../seed/files/qos-workshop-2021/seed/objectives.txt"),
)];

/// In a seed's programme, `{local}` stands for the stack's own address (where it serves files).
const LOCAL: &str = "{local}";

/// Where the stack serves files from: its address and its uploads folder.
#[derive(Debug, Clone, Copy)]
pub struct Files<'a> {
    pub base: &'a str,
    pub dir: &'a Path,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Seed {
    #[allow(dead_code)]
    source: Option<String>,
    /// The simulated clock's start when this seed is used without --clock.
    pub clock: Option<Timestamp>,
    events: Vec<SeedEvent>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct SeedEvent {
    id: String,
    event: Value,
    programme: Option<SeedProgramme>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct SeedProgramme {
    draft: Value,
    /// Publish the draft as a version (when it differs from the latest one).
    publish: bool,
}

impl Seed {
    pub fn parse(text: &str) -> Result<Self, String> {
        serde_json::from_str(text).map_err(|e| format!("the seed is not valid: {e}"))
    }

    pub fn event_ids(&self) -> Vec<&str> {
        self.events.iter().map(|e| e.id.as_str()).collect()
    }

    /// Writes every event (and its draft, published when the seed says so) at `now`, and the
    /// bundled files into the uploads folder.
    pub async fn load(
        &self,
        store: &TableStore,
        now: Timestamp,
        files: Files<'_>,
    ) -> Result<(), String> {
        for (key, bytes) in BUNDLED_FILES {
            let path = files.dir.join(key);
            let written = match path.parent() {
                Some(parent) => {
                    std::fs::create_dir_all(parent).and_then(|()| std::fs::write(&path, bytes))
                }
                None => Ok(()),
            };
            written.map_err(|e| format!("cannot write {}: {e}", path.display()))?;
        }
        for e in &self.events {
            let id = EventId::parse(&e.id).map_err(|m| format!("seed event id {:?}: {m}", e.id))?;
            let event = Event::parse(id, &e.event).map_err(|errs| {
                let list: Vec<_> = errs
                    .0
                    .iter()
                    .map(|f| format!("{} {}", f.field, f.message))
                    .collect();
                format!("seed event {:?}: {}", e.id, list.join("; "))
            })?;
            let fail = |err: String| format!("seed event {:?}: {err}", e.id);
            store
                .put_event(&event, now)
                .await
                .map_err(|err| fail(err.to_string()))?;
            let Some(p) = &e.programme else { continue };
            // The stack's own address is http: the local policy, as its organiser routes have.
            let draft: Value =
                serde_json::from_str(&p.draft.to_string().replace(LOCAL, files.base))
                    .map_err(|err| fail(err.to_string()))?;
            let draft =
                Programme::parse_with(&event, &draft, UrlPolicy::HttpAllowed).map_err(|errs| {
                    fail(
                        errs.0
                            .iter()
                            .map(|f| format!("{} {}", f.field, f.message))
                            .collect::<Vec<_>>()
                            .join("; "),
                    )
                })?;
            store
                .put_draft(&event.id, &draft)
                .await
                .map_err(|err| fail(err.to_string()))?;
            if p.publish {
                let latest = store
                    .latest(&event.id)
                    .await
                    .map_err(|err| fail(err.to_string()))?
                    .map(|l| l.publication);
                // A store that already holds this programme (a DynamoDB table reused across
                // runs) keeps its versions.
                if let Ok(next) = Publication::next(latest.as_ref(), draft, now) {
                    store
                        .publish(&event, &next)
                        .await
                        .map_err(|err| fail(err.to_string()))?;
                }
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_bundled_seed_parses_and_holds_both_events_of_the_circular() {
        let seed = Seed::parse(BUNDLED).unwrap();
        assert_eq!(seed.event_ids(), ["qos-workshop-2021", "sg12rg-afr-2021"]);
        assert_eq!(seed.clock.unwrap().to_string(), "2021-08-23T08:00:00Z");
    }

    #[tokio::test]
    async fn the_bundled_seed_loads_into_the_memory_store() {
        use plenary::store::{EventReader, MemoryTable};
        let store = TableStore::new(std::sync::Arc::new(MemoryTable::new()));
        let seed = Seed::parse(BUNDLED).unwrap();
        let now = seed.clock.unwrap();
        let dir = std::env::temp_dir().join(format!("plenary-seed-test-{}", std::process::id()));
        let files = Files {
            base: "http://127.0.0.1:3000",
            dir: &dir,
        };
        seed.load(&store, now, files).await.unwrap();
        assert!(dir.join(BUNDLED_FILES[0].0).is_file());
        let events = store.events().await.unwrap();
        assert_eq!(events.len(), 2);
        assert_eq!(events[0].timezone.name(), "Europe/Zurich");
        let qos = store.latest(&events[0].id).await.unwrap().unwrap();
        assert_eq!(qos.publication.version, 1);
        assert_eq!(qos.publication.programme.sessions.len(), 8);
        assert!(store.latest(&events[1].id).await.unwrap().is_none());
        let closing = &qos.publication.programme.sessions[7];
        assert_eq!(
            closing.materials[1].url,
            "http://127.0.0.1:3000/files/qos-workshop-2021/seed/objectives.txt"
        );
        // Loading again (a reused DynamoDB table) adds no version.
        seed.load(&store, now, files).await.unwrap();
        let again = store.latest(&events[0].id).await.unwrap().unwrap();
        assert_eq!(again.publication.version, 1);
        let _ = std::fs::remove_dir_all(&dir);
    }
}
