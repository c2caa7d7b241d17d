//! The injected clock: every use case asks it for "now", so tests and the local stack's simulated
//! time decide what time it is.

use std::sync::Mutex;
use std::time::Instant;

use jiff::{SignedDuration, Timestamp};

pub trait Clock: Send + Sync {
    fn now(&self) -> Timestamp;
}

/// Real time.
#[derive(Debug, Default, Clone, Copy)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> Timestamp {
        Timestamp::now()
    }
}

/// Starts at a chosen instant and runs forward at real speed (the local stack's `--clock`); it
/// can be moved forward (`POST /_local/clock`), never back, so stored instants stay in order.
#[derive(Debug)]
pub struct SimulatedClock {
    start: Timestamp,
    started: Instant,
    moved: Mutex<SignedDuration>,
}

impl SimulatedClock {
    pub fn starting_at(start: Timestamp) -> Self {
        Self {
            start,
            started: Instant::now(),
            moved: Mutex::new(SignedDuration::ZERO),
        }
    }

    /// Moves the clock forward by `by`; `false` (and no move) for a negative duration.
    pub fn advance(&self, by: SignedDuration) -> bool {
        if by.is_negative() {
            return false;
        }
        let mut moved = self.moved.lock().unwrap_or_else(|e| e.into_inner());
        *moved = moved.saturating_add(by);
        true
    }
}

impl Clock for SimulatedClock {
    fn now(&self) -> Timestamp {
        let elapsed =
            SignedDuration::try_from(self.started.elapsed()).unwrap_or(SignedDuration::MAX);
        let moved = *self.moved.lock().unwrap_or_else(|e| e.into_inner());
        self.start
            .saturating_add(elapsed.saturating_add(moved))
            .unwrap_or(self.start)
    }
}

/// Stands still until a test moves it.
#[derive(Debug)]
pub struct ManualClock {
    now: Mutex<Timestamp>,
}

impl ManualClock {
    pub fn at(now: Timestamp) -> Self {
        Self {
            now: Mutex::new(now),
        }
    }

    pub fn set(&self, now: Timestamp) {
        *self.now.lock().unwrap_or_else(|e| e.into_inner()) = now;
    }

    pub fn advance(&self, by: SignedDuration) {
        let mut now = self.now.lock().unwrap_or_else(|e| e.into_inner());
        *now = now.saturating_add(by).unwrap_or(*now);
    }
}

impl Clock for ManualClock {
    fn now(&self) -> Timestamp {
        *self.now.lock().unwrap_or_else(|e| e.into_inner())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_manual_clock_moves_only_when_told() {
        let start: Timestamp = "2021-08-23T08:00:00Z".parse().unwrap();
        let clock = ManualClock::at(start);
        assert_eq!(clock.now(), start);
        clock.advance(SignedDuration::from_hours(2));
        assert_eq!(clock.now().to_string(), "2021-08-23T10:00:00Z");
    }

    #[test]
    fn a_simulated_clock_starts_where_it_is_told_and_runs_forward() {
        let start: Timestamp = "2021-08-23T08:00:00Z".parse().unwrap();
        let clock = SimulatedClock::starting_at(start);
        let now = clock.now();
        assert!(now >= start);
        assert!(now < start.saturating_add(SignedDuration::from_secs(60)).unwrap());
    }

    #[test]
    fn a_simulated_clock_moves_forward_when_told_and_never_back() {
        let start: Timestamp = "2021-08-23T08:00:00Z".parse().unwrap();
        let clock = SimulatedClock::starting_at(start);
        assert!(clock.advance(SignedDuration::from_hours(48)));
        let now = clock.now();
        assert!(now >= "2021-08-25T08:00:00Z".parse().unwrap());
        assert!(now < "2021-08-25T08:01:00Z".parse().unwrap());
        assert!(!clock.advance(SignedDuration::from_secs(-1)));
        assert!(clock.now() >= now);
    }
}
