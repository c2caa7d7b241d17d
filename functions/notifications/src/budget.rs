//! The time one run of the job may take: what Lambda leaves the invocation, counted from the
//! run's start. Every sender asks it before it takes on another message.

use std::time::{Duration, Instant};

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
}
