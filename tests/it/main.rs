//! HTTP API integration tests: each test starts the service on port 0 over a real socket.
//! One binary for all of them keeps link times low.

mod auth;
mod browser;
mod callback;
mod conformance;
mod endpoints;
mod errors;
mod helpers;
mod jobs;
mod limits;
mod openapi;
mod pages;
mod persistence;
mod process;
mod recommend;
mod replan;
mod replicas;
mod startup;
mod time_limits;
mod wake;
mod whatif;

#[path = "../support/chromium.rs"]
mod chromium;
