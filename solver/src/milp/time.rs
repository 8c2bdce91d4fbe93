//! The one place the MILP reads the clock.
//!
//! Time enters a solve once, as [`SolveOptions::started`] (a [`Clock`]: the start of the job
//! or command, or else the moment [`solve`] is called). From it the solve builds
//! [`Deadline`]s and hands them to its phases (the Lagrangian bound, the rounds of cuts, the
//! restricted MILPs, the windows of days, the HiGHS watch); the phases ask a deadline
//! whether it has passed or how long is left, and time their own seconds with a [`Clock`],
//! but never read the clock themselves: `Instant::now` is written in this module alone.
//!
//! [`SolveOptions::started`]: super::SolveOptions::started
//! [`solve`]: super::solve

use std::time::{Duration, Instant};

/// The instant a time limit counts from ([`SolveOptions::started`]).
///
/// [`SolveOptions::started`]: super::SolveOptions::started
#[derive(Debug, Clone, Copy)]
pub struct Clock(pub Instant);

impl Clock {
    pub fn now() -> Self {
        Self(Instant::now())
    }

    /// The time since this instant.
    pub(super) fn elapsed(self) -> Duration {
        self.0.elapsed()
    }

    /// The seconds since this instant.
    pub(super) fn seconds(self) -> f64 {
        self.elapsed().as_secs_f64()
    }

    /// The deadline `after` this instant.
    pub(super) fn after(self, after: Duration) -> Deadline {
        Deadline(self.0.checked_add(after))
    }

    /// The deadline `secs` seconds (at least none) after this instant.
    pub(super) fn after_secs(self, secs: f64) -> Deadline {
        self.after(Duration::try_from_secs_f64(secs.max(0.0)).unwrap_or(Duration::MAX))
    }
}

/// Two options are equal whatever their clocks: a clock is not a setting.
impl PartialEq for Clock {
    fn eq(&self, _other: &Self) -> bool {
        true
    }
}

/// An instant a phase of the solve stops by, built from a [`Clock`] (or from now). Asking it
/// reads the clock; nothing else in the MILP does.
#[derive(Debug, Clone, Copy)]
pub(super) struct Deadline(
    /// `None`: beyond the clock's range, a deadline that never passes.
    Option<Instant>,
);

impl Deadline {
    /// The deadline `secs` seconds (at least none) from now.
    pub(super) fn in_secs(secs: f64) -> Self {
        Clock::now().after_secs(secs)
    }

    /// Whether the deadline has come.
    pub(super) fn passed(self) -> bool {
        self.0.is_some_and(|at| Instant::now() >= at)
    }

    /// The time left before the deadline (none once it has passed).
    pub(super) fn left(self) -> Duration {
        self.0.map_or(Duration::MAX, |at| {
            at.saturating_duration_since(Instant::now())
        })
    }

    /// The seconds left before the deadline (none once it has passed).
    pub(super) fn left_secs(self) -> f64 {
        self.left().as_secs_f64()
    }

    /// The deadline that gives a phase `1 / parts` of the time left, from one reading of the
    /// clock: none when this deadline has already passed.
    pub(super) fn split(self, parts: u32) -> Option<Deadline> {
        let Some(at) = self.0 else {
            return Some(self);
        };
        let now = Instant::now();
        (now < at).then(|| Deadline(now.checked_add(at.saturating_duration_since(now) / parts)))
    }
}

/// What a restricted MILP is run for, which decides when it stops (besides its time limit
/// and the cancel flag).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Search {
    /// Better rosters: it stops once it has gone long enough without one ([`Stall`], at least
    /// this long): a window of days, a late-cases neighbourhood, microlp's first restricted
    /// MILP, and on microlp's own LP relaxation a restricted MILP capped below every
    /// candidate that could beat the roster.
    Rosters(Duration),
    /// A better roster, to the time limit, where no proof can come (on the ascent's bound or
    /// with HiGHS, a restricted MILP capped below every candidate that could beat the
    /// roster; HiGHS' first restricted MILP).
    Improve,
    /// The optimum and its proof, to the time limit (a restricted MILP of every candidate
    /// that could beat the roster, the whole model); microlp restarts a long one.
    Proof,
}

impl Search {
    /// The least stall of a search for better rosters.
    pub(super) fn stall(self) -> Option<Duration> {
        match self {
            Search::Rosters(min) => Some(min),
            Search::Improve | Search::Proof => None,
        }
    }
}

/// Tells a search that is only to improve a roster (a restricted MILP over a window of days,
/// the first restricted MILP) when it has stopped improving: once as long has passed without
/// a better roster as the search had taken to find its last one, and at least `min`. The
/// clock starts when the branch and bound leaves its root node ([`Stall::searching`]): the
/// root's LP and cuts take as long as the model is large, and find no roster on their own.
/// A search that keeps finding better rosters keeps its time; one that finds none stops
/// `min` after its root. So a phase takes time for what it brings, not a share of the limit.
#[derive(Debug, Clone, Copy)]
pub(super) struct Stall {
    /// When the search left its root, and when it last found a better roster since.
    search: Option<(Instant, Instant)>,
    min: Duration,
}

impl Stall {
    pub(super) fn new(min: Duration) -> Self {
        Self { search: None, min }
    }

    /// The branch and bound has left its root node: the clock starts (once).
    pub(super) fn searching(&mut self) {
        if self.search.is_none() {
            let now = Instant::now();
            self.search = Some((now, now));
        }
    }

    /// A better roster was found just now (before the root is left, nothing to count).
    pub(super) fn improved(&mut self) {
        if let Some((_, better)) = &mut self.search {
            *better = Instant::now();
        }
    }

    /// Whether the search has gone on without a better roster for long enough to stop.
    pub(super) fn stalled(&self) -> bool {
        self.search.is_some_and(|(started, better)| {
            better.elapsed() >= self.min.max(better.saturating_duration_since(started))
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_deadline_that_has_come_leaves_no_time_and_no_share() {
        let deadline = Deadline::in_secs(0.0);
        assert!(deadline.passed());
        assert_eq!(deadline.left(), Duration::ZERO);
        assert!(deadline.split(2).is_none());
        // A negative number of seconds is no time at all, not a panic.
        assert!(Deadline::in_secs(-1.0).passed());
    }

    #[test]
    fn a_split_gives_a_share_of_the_time_left() {
        let deadline = Deadline::in_secs(3600.0);
        assert!(!deadline.passed());
        let half = deadline.split(2).expect("an hour is left");
        assert!(half.left_secs() <= 1800.0 && half.left_secs() > 1700.0);
        assert!(half.left() < deadline.left());
    }

    #[test]
    fn a_deadline_beyond_the_clock_never_passes() {
        for deadline in [
            Clock::now().after(Duration::MAX),
            Deadline::in_secs(f64::INFINITY),
        ] {
            assert!(!deadline.passed());
            assert_eq!(deadline.left(), Duration::MAX);
            assert!(deadline.split(3).is_some_and(|share| !share.passed()));
        }
    }

    #[test]
    fn a_search_stalls_after_the_minimum_or_as_long_as_its_last_find_took() {
        let min = Duration::from_millis(100);
        // At the root: never stalled, whatever the time.
        let mut stall = Stall::new(min);
        stall.improved();
        std::thread::sleep(min);
        assert!(!stall.stalled());
        // Searching and nothing found: stalled once the minimum has passed.
        stall.searching();
        std::thread::sleep(min);
        assert!(stall.stalled());
        // An hour of search without a better roster: stalled. One found now, an hour in:
        // stopping needs another hour without one.
        let hour = Duration::from_secs(3600);
        let Some(started) = Instant::now().checked_sub(hour) else {
            return;
        };
        let mut stall = Stall {
            search: Some((started, started)),
            min,
        };
        assert!(stall.stalled(), "an hour without a better roster");
        stall.improved();
        assert!(!stall.stalled());
    }
}
