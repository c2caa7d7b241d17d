//! The time one run of the job may take: what Lambda leaves the invocation, counted from the
//! run's start. Every sender asks it before it takes on another message. Time is tokio's, as
//! the pacer's.

use std::time::Duration;

use tokio::time::Instant;

/// Kept back from the budget to mark the last message and return before Lambda stops the run.
const MARGIN: Duration = Duration::from_secs(2);

#[derive(Debug, Clone, Copy)]
pub struct Budget {
    started: Instant,
    allowance: Duration,
}

impl Budget {
    /// A budget of `allowance`, starting now.
    pub fn start(allowance: Duration) -> Self {
        Self {
            started: Instant::now(),
            allowance,
        }
    }

    /// The part of this budget one kind of mail may use: `fraction` of the time left after
    /// the margin, from the same start. Transactional mail runs inside a share so a flood of
    /// it cannot take the time the reminders due in the same run need.
    pub fn share(&self, fraction: f64) -> Self {
        let usable = self.allowance.saturating_sub(MARGIN);
        Self {
            started: self.started,
            allowance: MARGIN + usable.mul_f64(fraction.clamp(0.0, 1.0)),
        }
    }

    /// True while the run may take on another message.
    pub fn allows_another(&self) -> bool {
        self.allows_another_after(Duration::ZERO)
    }

    /// True when the run may first wait `wait` and then still take on another message.
    pub fn allows_another_after(&self, wait: Duration) -> bool {
        self.started.elapsed() + MARGIN < self.allowance.saturating_sub(wait)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_budget_inside_the_margin_allows_nothing_and_a_long_one_allows_a_wait_it_covers() {
        assert!(!Budget::start(MARGIN).allows_another());
        let long = Budget::start(Duration::from_secs(300));
        assert!(long.allows_another());
        assert!(long.allows_another_after(Duration::from_secs(60)));
        assert!(!long.allows_another_after(Duration::from_secs(299)));
    }

    #[test]
    fn a_share_ends_at_its_fraction_of_the_usable_time_and_a_whole_share_is_the_budget() {
        let b = Budget::start(Duration::from_secs(102));
        assert_eq!(b.share(0.5).allowance, Duration::from_secs(52));
        assert_eq!(b.share(1.0).allowance, b.allowance);
        assert!(
            !Budget::start(Duration::from_secs(10))
                .share(0.0)
                .allows_another()
        );
    }
}
