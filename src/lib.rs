//! mediation-scheduler: the command line and the HTTP service over `mediation-solver`.
//!
//! - [`cli`]: the `mediation-scheduler` command (`roster`, `check`, `validate`, `generate`,
//!   `serve`).
//! - [`api`]: the HTTP service (`serve`), axum on tokio.
//! - [`report`]: a roster rendered for people (a text report) and for spreadsheets (CSV).
#![forbid(unsafe_code)]

pub mod api;
pub mod cli;
pub mod report;
