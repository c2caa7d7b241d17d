//! A token bucket at the SES send rate: sends wait for a token rather than being refused, so a
//! fan-out keeps to the account's limit.

use std::sync::Mutex;
use std::time::{Duration, Instant};

#[derive(Debug)]
pub struct Pacer {
    rate: f64,
    burst: f64,
    state: Mutex<(f64, Instant)>,
}

impl Pacer {
    /// `rate` sends per second, with bursts of up to `rate` (at least one).
    pub fn new(rate: f64) -> Self {
        let burst = rate.max(1.0);
        Self {
            rate,
            burst,
            state: Mutex::new((burst, Instant::now())),
        }
    }

    /// No pacing: for the local outbox and benchmarks.
    pub fn unlimited() -> Self {
        Self::new(f64::INFINITY)
    }

    /// How long to wait before the next send may go; takes its token.
    pub fn reserve(&self) -> Duration {
        if self.rate.is_infinite() {
            return Duration::ZERO;
        }
        let mut s = self.state.lock().unwrap_or_else(|e| e.into_inner());
        let now = Instant::now();
        let refill = now.duration_since(s.1).as_secs_f64() * self.rate;
        s.0 = (s.0 + refill).min(self.burst);
        s.1 = now;
        s.0 -= 1.0;
        if s.0 >= 0.0 {
            Duration::ZERO
        } else {
            Duration::from_secs_f64(-s.0 / self.rate)
        }
    }

    pub async fn wait(&self) {
        let d = self.reserve();
        if !d.is_zero() {
            tokio::time::sleep(d).await;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_burst_goes_at_once_and_the_rest_waits_its_turn() {
        let p = Pacer::new(10.0);
        let waits: Vec<_> = (0..12).map(|_| p.reserve()).collect();
        assert!(waits[..10].iter().all(Duration::is_zero));
        assert!(waits[10] > Duration::from_millis(50) && waits[10] <= Duration::from_millis(100));
        assert!(waits[11] > waits[10]);
    }

    #[test]
    fn an_unlimited_pacer_never_waits() {
        let p = Pacer::unlimited();
        assert!((0..1000).all(|_| p.reserve().is_zero()));
    }
}
