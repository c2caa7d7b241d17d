//! The one retry policy of the use cases: a change that finds its assumptions stale (a
//! concurrent change committed first) re-reads and tries again, a bounded number of times, then
//! gives up with [`Busy`], which each use case's error turns into its own `Busy`. Each use case keeps its loop (an async closure
//! would make the handlers' futures lose `Send`); the counting and the giving up live here.

/// Attempts at a change that keeps meeting concurrent changes before giving up.
pub(crate) const ATTEMPTS: usize = 8;
/// Retries that cost no attempt (see [`Attempts::progressed`]) allowed before giving up: a
/// safety bound only, far above what a real waiting list can make.
pub(crate) const PROGRESS: usize = 100_000;

/// Contention outlasted every attempt; each use case's error has a `Busy` made from this.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Busy;

/// The attempts a change has made so far.
#[derive(Debug, Default)]
pub(crate) struct Attempts {
    failed: usize,
    progressed: usize,
}

impl Attempts {
    /// Another attempt is about to start; [`Busy`] when they are used up.
    pub(crate) fn next(&self) -> Result<(), Busy> {
        if self.failed < ATTEMPTS && self.progressed < PROGRESS {
            Ok(())
        } else {
            Err(Busy)
        }
    }

    /// A concurrent change got in first: the attempt failed.
    pub(crate) fn failed(&mut self) {
        self.failed += 1;
    }

    /// Another request's change moved things on (a waiting list's head was promoted): retry
    /// without counting it as a failed attempt.
    pub(crate) fn progressed(&mut self) {
        self.progressed += 1;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(mut outcome: impl FnMut(usize) -> Option<bool>) -> (Result<usize, Busy>, usize) {
        let mut attempts = Attempts::default();
        let mut calls = 0;
        let result = loop {
            if let Err(e) = attempts.next() {
                break Err(e);
            }
            calls += 1;
            match outcome(calls) {
                None => break Ok(calls),
                Some(true) => attempts.progressed(),
                Some(false) => attempts.failed(),
            }
        };
        (result, calls)
    }

    #[test]
    fn a_change_that_always_meets_a_concurrent_one_gives_up_busy_after_the_attempts() {
        assert_eq!(run(|_| Some(false)), (Err(Busy), ATTEMPTS));
    }

    #[test]
    fn progress_made_by_others_costs_no_attempt() {
        let n = 3 * ATTEMPTS;
        assert_eq!(
            run(|c| (c < n).then_some(true)),
            (Ok(n), n),
            "progress counted as failure"
        );
    }

    #[test]
    fn progress_is_bounded_too() {
        assert_eq!(run(|_| Some(true)), (Err(Busy), PROGRESS));
    }
}
