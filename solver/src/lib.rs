//! # mediation-solver
//!
//! Builds rosters for SEN mediation in England: which mediator meets which agreed case, where
//! (a venue, or video or phone) and in which half-day session, within the statutory 30 days
//! and without ever breaking an impartiality, accreditation, availability or capacity rule.
//!
//! The crate is pure and synchronous: no I/O, no async. The publication date of the roster
//! ("today") is part of the input. The crate's code reads the clock in one module only,
//! `milp::time` (the backends, microlp and HiGHS, also keep to the time limits they are
//! given): the solve's time limit counts from [`milp::SolveOptions::started`], a
//! [`milp::Clock`] the caller passes in (the start of the command or job;
//! [`schedule::schedule`] starts one itself when the caller gave none), and the solve hands
//! its phases deadlines built from it.
//!
//! Unsafe code is denied in the whole crate but in two private modules of [`milp`], both
//! compiled only with the `highs` feature, for what the HiGHS Rust binding does not offer:
//! - `milp::interrupt` keeps HiGHS to its deadline and to the cancel flag: it registers a
//!   callback through HiGHS' C API (the callback reads the bound and roster HiGHS passes by
//!   raw pointer, and raises HiGHS' interrupt flag), moves the HiGHS model to a worker
//!   thread (`unsafe impl Send`: the binding's model holds a raw pointer, and is used by one
//!   thread at a time), and calls glibc's `malloc_trim` to give the memory HiGHS has freed
//!   back to the system;
//! - `milp::coefficients` sets one coefficient of a model already loaded into HiGHS
//!   (`Highs_changeCoeff`), to write the clique cuts the LP relaxation adds over columns
//!   HiGHS already has.
//!
//! Layers, each in its own module:
//! - [`input`]: the JSON document as it arrives; [`validate`] turns it into a [`model::Problem`]
//!   or lists every problem with a code, a JSON path and a hint.
//! - [`calendar`]: working days, the statutory clock, Europe/London instants.
//! - [`rules`]: every hard rule, once. The candidate filter, the checker and the explanations
//!   all call these predicates.
//! - [`candidates`] and [`milp`]: the optimisation model and its backends.
//! - [`explain`]: reason codes for every case not held (or held late).
//! - [`recommend`]: the best options to hold one more case beside a roster, ranked by cost.
//! - [`checker`]: re-verifies a roster against the raw rules, independently of the MILP.
//! - [`whatif`]: scenarios of capacity changes solved side by side with the base problem.
//! - [`fixes`]: for each case not held by day 30, the cheapest single change that would.
// Unsafe code: only in `milp::interrupt` and `milp::coefficients` (see above).
#![deny(unsafe_code)]

pub mod calendar;
pub mod candidates;
pub mod capacity;
pub mod checker;
pub mod explain;
pub mod fixes;
pub mod generate;
pub mod geo;
pub mod greedy;
pub mod input;
pub mod kpi;
pub mod milp;
pub mod model;
pub mod placement;
pub mod recommend;
pub mod replan;
pub mod roster;
pub mod rules;
pub mod schedule;
pub mod validate;
pub mod whatif;
