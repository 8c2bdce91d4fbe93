//! The workers: one per solve slot, each taking the next queued job, running it as its kind
//! runs ([`super::Job::run`], on a blocking thread, never on the async executor) and
//! recording its outcome, unless the job was cancelled meanwhile.
//!
//! Cancelling a solving job marks it cancelled at once and raises the solve's cancel flag:
//! every phase of a solve, and both backends, look at it at least every quarter of a second,
//! and a cancelled solve returns no roster. Whatever a solve returns after its job was
//! cancelled is discarded ([`crate::api::store::JobStore::finish`] only moves a solving job), so a cancelled
//! job never has a result.

use chrono::Utc;
use mediation_solver::milp::Clock;
use tokio::sync::OwnedSemaphorePermit;
use tokio::task::JoinHandle;
use uuid::Uuid;

use super::callback::spawn_callback;
use super::{Job, RunContext};
use crate::api::store::{store_call, JobFailure, JobState};
use crate::api::AppState;

/// Starts one worker per solve slot.
pub fn start_workers(state: &AppState) -> Vec<JoinHandle<()>> {
    (0..state.pool.max_concurrent)
        .map(|_| tokio::spawn(worker(state.clone())))
        .collect()
}

async fn worker(state: AppState) {
    let mut stopping = state.pool.stopping();
    loop {
        if *stopping.borrow() {
            return;
        }
        let id = tokio::select! {
            _ = stopping.changed() => return,
            id = state.pool.next_job() => match id {
                Some(id) => id,
                None => return,
            },
        };
        let permit = tokio::select! {
            // The job stays queued in the store and is re-queued at the next start.
            _ = stopping.changed() => return,
            permit = state.pool.slots.clone().acquire_owned() => match permit {
                Ok(permit) => permit,
                Err(_) => return,
            },
        };
        run_job(&state, id, permit).await;
    }
}

/// Solves one job and records its outcome, unless it was cancelled meanwhile.
async fn run_job(state: &AppState, id: Uuid, slot: OwnedSemaphorePermit) {
    let store = state.store.clone();
    let started = store_call(&state.store, move |s| {
        Ok(match s.get(id)? {
            Some(record) if s.start(id, Utc::now())? => Some(record),
            _ => None,
        })
    })
    .await;
    let record = match started {
        Ok(Some(record)) => record,
        Ok(None) => return, // cancelled (or expired) while queued
        Err(e) => {
            tracing::error!(job = %id, error = %e, "cannot start job");
            return;
        }
    };
    tracing::info!(job = %id, "solve started");
    // Registered for every job, so that shutdown knows which jobs are running.
    let cancel = state.pool.register(id);
    // The time limit counts from here: reading the stored request is part of it.
    let ctx = RunContext {
        solver: state.pool.solver.clone(),
        cancel,
        started: Clock::now(),
        max_candidates: state.config.max_candidates,
        slot,
    };
    let outcome = match Job::decode(&record.request) {
        Ok(job) => job.run(ctx).await,
        Err(e) => Err(JobFailure {
            code: "internal".into(),
            message: format!("stored request unreadable: {e}"),
        }),
    };
    let (state_after, result, failure) = match outcome {
        Ok(finished) => {
            if let Some((elapsed, relative_gap)) = finished.solve {
                state.metrics.observe_solve(elapsed, relative_gap);
            }
            (JobState::Done, Some(finished.result), None)
        }
        Err(failure) => (JobState::Failed, None, Some(failure)),
    };
    let finished = store_call(&store, move |s| {
        s.finish(
            id,
            state_after,
            Utc::now(),
            result.as_deref(),
            failure.as_ref(),
        )
    })
    .await;
    state.pool.unregister(id);
    match finished {
        Ok(true) => {
            tracing::info!(job = %id, state = state_after.as_str(), "solve finished");
            if let Some(url) = record.status.callback_url {
                spawn_callback(state, id, state_after, url);
            }
        }
        Ok(false) => tracing::info!(job = %id, "job was cancelled while solving; result discarded"),
        Err(e) => tracing::error!(job = %id, error = %e, "cannot record the job's outcome"),
    }
}
