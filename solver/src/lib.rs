//! # mediation-solver
//!
//! Builds rosters for SEN mediation in England: which mediator meets which agreed case, where
//! (a venue, or video or phone) and in which half-day session, within the statutory 30 days
//! and without ever breaking an impartiality, accreditation, availability or capacity rule.
//!
//! The crate is pure and synchronous: no I/O, no clock, no async. The publication date of the
//! roster ("today") is part of the input.
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
// Unsafe code is denied everywhere but in `milp::interrupt`, the one FFI call HiGHS needs
// for interrupt callbacks (its Rust binding has none).
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
pub mod recommend;
pub mod replan;
pub mod roster;
pub mod rules;
pub mod schedule;
pub mod validate;
pub mod whatif;
