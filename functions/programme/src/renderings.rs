//! Renderings of the latest programme kept by a warm function. A publication never changes once
//! written, so a body rendered for a (version, event state, zone) stays right until the stamp of
//! the latest item moves on; the one store read per request still decides which stamp is current.
//! Without this, every GET parsed and rendered the whole stored document (about 0.6 ms for 200
//! sessions).

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

/// What was rendered: the programme in one zone, or one of the exports.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Variant {
    Programme { zone: String },
    Calendar,
    Schedule,
    Speakers,
}

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
struct Key {
    event: String,
    variant: Variant,
}

struct Entry {
    stamp: String,
    body: Arc<str>,
}

/// A bounded map of bodies; `?tz=` is the client's choice, so both the count and the bytes are
/// capped, and a new stamp for an event drops that event's older bodies.
pub struct Renderings {
    entries: Mutex<HashMap<Key, Entry>>,
    max_entries: usize,
    max_bytes: usize,
}

impl Default for Renderings {
    /// Room for every zone a real audience asks for, within a few MiB of a function's memory.
    fn default() -> Self {
        Self::new(256, 16 << 20)
    }
}

impl Renderings {
    pub fn new(max_entries: usize, max_bytes: usize) -> Self {
        Self {
            entries: Mutex::new(HashMap::new()),
            max_entries,
            max_bytes,
        }
    }

    /// The body for `variant` of `event` at `stamp`, rendered now only if not held already.
    pub fn get_or_render<E>(
        &self,
        event: &str,
        stamp: &str,
        variant: Variant,
        render: impl FnOnce() -> Result<String, E>,
    ) -> Result<Arc<str>, E> {
        let key = Key {
            event: event.to_owned(),
            variant,
        };
        if let Some(e) = self.lock().get(&key)
            && e.stamp == stamp
        {
            return Ok(e.body.clone());
        }
        // Rendered outside the lock: a slow render must not hold up readers of other events.
        let body: Arc<str> = Arc::from(render()?);
        self.insert(key, stamp, body.clone());
        Ok(body)
    }

    fn insert(&self, key: Key, stamp: &str, body: Arc<str>) {
        if body.len() > self.max_bytes {
            return;
        }
        let mut map = self.lock();
        map.retain(|k, e| k.event != key.event || e.stamp == stamp);
        let mut bytes: usize = map.values().map(|e| e.body.len()).sum();
        while !map.is_empty()
            && (map.len() >= self.max_entries || bytes + body.len() > self.max_bytes)
        {
            // Any entry will do: one is rendered again at the cost of one request.
            let Some(victim) = map.keys().next().cloned() else {
                break;
            };
            if let Some(e) = map.remove(&victim) {
                bytes -= e.body.len();
            }
        }
        map.insert(
            key,
            Entry {
                stamp: stamp.to_owned(),
                body,
            },
        );
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<Key, Entry>> {
        // A panic while holding the lock leaves a usable map: entries are replaced whole.
        self.entries
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    #[cfg(test)]
    fn len(&self) -> usize {
        self.lock().len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn zone(z: &str) -> Variant {
        Variant::Programme { zone: z.to_owned() }
    }

    /// Renders infallibly, for tests that are about keeping bodies.
    fn get(
        r: &Renderings,
        event: &str,
        stamp: &str,
        v: Variant,
        f: impl FnOnce() -> String,
    ) -> Arc<str> {
        r.get_or_render(event, stamp, v, || Ok::<_, ()>(f()))
            .unwrap()
    }

    #[test]
    fn a_body_is_rendered_once_per_stamp_and_again_when_the_stamp_moves_on() {
        let r = Renderings::default();
        let mut renders = 0;
        for _ in 0..3 {
            get(&r, "ev", "v1-e0", zone("UTC"), || {
                renders += 1;
                "one".into()
            });
        }
        assert_eq!(renders, 1);
        let body = get(&r, "ev", "v2-e0", zone("UTC"), || "two".into());
        assert_eq!(&*body, "two");
        let body = get(&r, "ev", "v2-e0", zone("UTC"), || "never".into());
        assert_eq!(&*body, "two");
    }

    #[test]
    fn a_new_stamp_drops_the_events_older_bodies_but_not_other_events() {
        let r = Renderings::default();
        get(&r, "a", "v1", zone("UTC"), || "a1".into());
        get(&r, "a", "v1", Variant::Calendar, || "a1 ics".into());
        get(&r, "b", "v1", zone("UTC"), || "b1".into());
        get(&r, "a", "v2", zone("UTC"), || "a2".into());
        assert_eq!(r.len(), 2);
        let b = get(&r, "b", "v1", zone("UTC"), || "rendered again".into());
        assert_eq!(&*b, "b1");
    }

    #[test]
    fn many_zones_stay_within_the_entry_and_byte_caps() {
        let r = Renderings::new(4, 100);
        for i in 0..50 {
            get(&r, "ev", "v1", zone(&format!("Z{i}")), || "x".repeat(30));
            assert!(r.len() <= 4);
            assert!(r.lock().values().map(|e| e.body.len()).sum::<usize>() <= 100);
        }
        // Too big to keep, still answered.
        let big = get(&r, "ev", "v1", Variant::Schedule, || "y".repeat(500));
        assert_eq!(big.len(), 500);
        assert!(r.lock().values().all(|e| e.body.len() <= 100));
    }
}
