//! The seed: events (and, once the programme exists, their drafts and publications) read from a
//! JSON file and written through the same parsing and stores as the organiser routes, so a seed
//! loads into either store.

use jiff::Timestamp;
use plenary::domain::{Event, EventId, Programme, Publication};
use plenary::store::{EventWriter, ProgrammeReader, ProgrammeWriter, TableStore};
use serde::Deserialize;
use serde_json::Value;

/// The bundled seed of TSB Circular 331.
pub const BUNDLED: &str = include_str!("../seed/circular-331.json");

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

    /// Writes every event (and its draft, published when the seed says so) at `now`.
    pub async fn load(&self, store: &TableStore, now: Timestamp) -> Result<(), String> {
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
            let draft = Programme::parse(&event, &p.draft).map_err(|errs| {
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
        seed.load(&store, now).await.unwrap();
        let events = store.events().await.unwrap();
        assert_eq!(events.len(), 2);
        assert_eq!(events[0].timezone.name(), "Europe/Zurich");
        let qos = store.latest(&events[0].id).await.unwrap().unwrap();
        assert_eq!(qos.publication.version, 1);
        assert_eq!(qos.publication.programme.sessions.len(), 8);
        assert!(store.latest(&events[1].id).await.unwrap().is_none());
        // Loading again (a reused DynamoDB table) adds no version.
        seed.load(&store, now).await.unwrap();
        let again = store.latest(&events[0].id).await.unwrap().unwrap();
        assert_eq!(again.publication.version, 1);
    }
}
