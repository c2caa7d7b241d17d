//! A token bucket at the SES send rate: sends wait for a token rather than being refused, so a
//! fan-out keeps to the account's limit. Time is tokio's, so a simulation on a paused runtime
//! paces on its clock.

use std::sync::Mutex;
use std::time::Duration;

use tokio::time::Instant;

/// The rate to pace to: the account's maximum send rate as SES reports it, never above
/// `ceiling` (the deployment's `SesRate`), which is also the rate when SES could not say.
pub fn send_rate(ceiling: f64, account: Option<f64>) -> f64 {
    match account {
        Some(a) if a.is_finite() && a > 0.0 => a.min(ceiling),
        _ => ceiling,
    }
}

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

    /// Sends per second (infinite when unpaced): what a fan-out's planning counts on.
    pub fn rate(&self) -> f64 {
        self.rate
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
    fn the_account_rate_is_kept_below_the_ceiling_and_the_ceiling_stands_when_ses_cannot_say() {
        assert_eq!(send_rate(14.0, Some(1.0)), 1.0);
        assert_eq!(send_rate(14.0, Some(200.0)), 14.0);
        assert_eq!(send_rate(14.0, None), 14.0);
        assert_eq!(send_rate(14.0, Some(0.0)), 14.0);
        assert_eq!(send_rate(14.0, Some(f64::NAN)), 14.0);
    }

    #[test]
    fn an_unlimited_pacer_never_waits() {
        let p = Pacer::unlimited();
        assert!((0..1000).all(|_| p.reserve().is_zero()));
    }
}
