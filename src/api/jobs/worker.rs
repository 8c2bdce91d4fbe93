//! The workers: one per solve slot. Each takes a slot, claims the oldest claimable job from
//! the store ([`crate::api::store::JobStore::claim`]) and runs it as its kind runs (on a
//! blocking thread, never on the async executor), renewing the claim's lease every
//! heartbeat, and records its outcome under the claim. With nothing to claim a worker gives
//! its slot back and waits for the pool's bell (a submission here, an announcement from
//! another replica) or the poll interval, whichever comes first: the poll finds jobs whose
//! lease expired on a replica that died.
//!
//! Cancelling a solving job marks it cancelled in the store. The replica solving it learns
//! it at once when the cancel came to it ([`super::SolvePool::interrupt`]) and otherwise at
//! its next heartbeat, which finds the claim no longer held; either way the solve's cancel
//! flag is raised: every phase of a solve, and both backends, look at it at least every
//! quarter of a second, and a cancelled solve returns no roster. Whatever a solve returns
//! after its claim was lost is discarded ([`crate::api::store::JobStore::finish`] only
//! moves a job whose claim is held), so a cancelled job never has a result and a job taken
//! over by another replica has one result, stored once.
//!
//! A what-if job is not solved by its worker: the first claim fans it out into child jobs,
//! one per scenario, and parks it; when every child has finished, the next claim collects
//! their outcomes into its table.

use mediation_solver::milp::Clock;
use tokio::sync::OwnedSemaphorePermit;
use tokio::task::JoinHandle;
use uuid::Uuid;

use super::callback::spawn_callback;
use super::{Finished, Job, JobRequest, RunContext, WhatIfJob};
use crate::api::store::{store_call, Claim, Claimed, JobFailure, JobState, LeaseTerms};
use crate::api::AppState;

/// Starts one worker per solve slot, and has the store announce other replicas' work.
pub fn start_workers(state: &AppState) -> Vec<JoinHandle<()>> {
    state.store.watch(state.pool.wake.clone());
    (0..state.pool.max_concurrent)
        .map(|_| tokio::spawn(worker(state.clone())))
        .collect()
}

fn terms(state: &AppState) -> LeaseTerms {
    LeaseTerms {
        replica: state.config.replica_id.clone(),
        duration: state.config.lease,
        max_attempts: state.config.max_attempts,
    }
}

async fn worker(state: AppState) {
    let mut stopping = state.pool.stopping();
    let poll = state.config.poll_interval;
    // While the store does not answer, one warning, not one per poll.
    let mut unreachable = false;
    loop {
        if *stopping.borrow() {
            return;
        }
        let permit = tokio::select! {
            _ = stopping.changed() => return,
            permit = state.pool.slots.clone().acquire_owned() => match permit {
                Ok(permit) => permit,
                Err(_) => return,
            },
        };
        // Listening before claiming: a bell rung while the claim runs is not missed.
        let wake = state.pool.wake.clone();
        let rung = wake.notified();
        tokio::pin!(rung);
        rung.as_mut().enable();
        let lease = terms(&state);
        let claimed = store_call(&state.store, move |s| s.claim(&lease)).await;
        if unreachable && claimed.is_ok() {
            unreachable = false;
            tracing::info!("the job store answers again; claiming jobs");
        }
        match claimed {
            Ok(Claim::Job(claimed)) => run_claimed(&state, *claimed, permit).await,
            Ok(Claim::Exhausted(status)) => {
                drop(permit);
                tracing::warn!(
                    job = %status.id,
                    attempts = status.attempts,
                    "job failed: every attempt to solve it was lost"
                );
                if status.parent.is_some() {
                    // Its what-if job may now be complete.
                    state.pool.ring();
                } else if let Some(url) = status.callback_url {
                    spawn_callback(&state, status.id, JobState::Failed, url);
                }
            }
            Ok(Claim::Idle) => {
                drop(permit);
                tokio::select! {
                    _ = stopping.changed() => return,
                    _ = &mut rung => {}
                    _ = tokio::time::sleep(poll) => {}
                }
            }
            Err(e) => {
                drop(permit);
                if !unreachable {
                    unreachable = true;
                    tracing::warn!(error = %e, "cannot claim a job; trying again every poll");
                } else {
                    tracing::debug!(error = %e, "cannot claim a job");
                }
                tokio::select! {
                    _ = stopping.changed() => return,
                    _ = tokio::time::sleep(poll) => {}
                }
            }
        }
    }
}

/// Renews the claim's lease every heartbeat; when the claim is no longer held (cancelled,
/// or taken over after the lease expired), raises the solve's cancel flag and stops.
fn spawn_heartbeat(
    state: &AppState,
    id: Uuid,
    token: Uuid,
    cancel: mediation_solver::milp::CancelFlag,
) -> JoinHandle<()> {
    let store = state.store.clone();
    let every = state.config.heartbeat();
    let lease = state.config.lease;
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(every);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        tick.tick().await;
        loop {
            tick.tick().await;
            match store_call(&store, move |s| s.heartbeat(id, token, lease)).await {
                Ok(true) => {}
                Ok(false) => {
                    tracing::info!(job = %id, "claim no longer held (cancelled or taken over); stopping the solve");
                    cancel.cancel();
                    return;
                }
                Err(e) => {
                    tracing::warn!(job = %id, error = %e, "heartbeat failed; the solve goes on")
                }
            }
        }
    })
}

/// Runs one claimed job and records its outcome under the claim.
async fn run_claimed(state: &AppState, claimed: Claimed, slot: OwnedSemaphorePermit) {
    let Claimed { record, token } = claimed;
    let id = record.status.id;
    let parent = record.status.parent;
    tracing::info!(job = %id, attempt = record.status.attempts, "job claimed");
    // Registered for every job, so that shutdown knows which jobs are running.
    let cancel = state.pool.register(id, token);
    let heartbeat = spawn_heartbeat(state, id, token, cancel.clone());
    // The time limit counts from here: reading the stored request is part of it.
    let started = Clock::now();
    let outcome = match Job::decode(&record.request) {
        Ok(Job {
            request: JobRequest::WhatIf(job),
            options,
        }) => {
            drop(slot);
            what_if(state, id, token, job, options).await
        }
        Ok(job) => {
            let ctx = RunContext {
                solver: state.pool.solver.clone(),
                cancel,
                started,
                max_candidates: state.config.max_candidates,
                slot,
            };
            Some(job.run(ctx).await)
        }
        Err(e) => Some(Err(JobFailure {
            code: "internal".into(),
            message: format!("stored request unreadable: {e}"),
        })),
    };
    heartbeat.abort();
    let Some(outcome) = outcome else {
        // Fanned out (or the claim was lost meanwhile): nothing to record now.
        state.pool.unregister(id);
        return;
    };
    let (state_after, result, failure) = match outcome {
        Ok(finished) => {
            let Finished { result, solve } = finished;
            if let Some((elapsed, relative_gap)) = solve {
                state.metrics.observe_solve(elapsed, relative_gap);
            }
            (JobState::Done, Some(result), None)
        }
        Err(failure) => (JobState::Failed, None, Some(failure)),
    };
    let finished = store_call(&state.store, move |s| {
        s.finish(id, token, state_after, result.as_deref(), failure.as_ref())
    })
    .await;
    state.pool.unregister(id);
    match finished {
        Ok(true) => {
            tracing::info!(job = %id, state = state_after.as_str(), "job finished");
            if parent.is_some() {
                // Its what-if job may now be complete.
                state.pool.ring();
            } else if let Some(url) = record.status.callback_url {
                spawn_callback(state, id, state_after, url);
            }
        }
        Ok(false) => tracing::info!(
            job = %id,
            "the claim was lost while solving (cancelled, or taken over); result discarded"
        ),
        Err(e) => tracing::error!(job = %id, error = %e, "cannot record the job's outcome"),
    }
}

/// A claimed what-if job: fanned out into its children at the first claim (`None`: parked,
/// nothing to record), collected once they have all finished.
async fn what_if(
    state: &AppState,
    id: Uuid,
    token: Uuid,
    job: WhatIfJob,
    options: mediation_solver::milp::SolveOptions,
) -> Option<Result<Finished, JobFailure>> {
    let children = match store_call(&state.store, move |s| s.children(id)).await {
        Ok(children) => children,
        Err(e) => {
            tracing::warn!(job = %id, error = %e, "cannot read the scenarios; trying again later");
            return None;
        }
    };
    if children.iter().any(|c| !c.state.is_finished()) {
        // Claimed with children still running (cannot happen through `claim`): park again.
        let parked = store_call(&state.store, move |s| s.fan_out(id, token, &[])).await;
        if let Err(e) = parked {
            tracing::warn!(job = %id, error = %e, "cannot park the what-if job");
        }
        return None;
    }
    if !children.is_empty() {
        return Some(job.collect(&children).map(|result| Finished {
            result,
            solve: None,
        }));
    }
    let made = tokio::task::spawn_blocking(move || job.children(&options)).await;
    let children = match made {
        Ok(Ok(children)) => children,
        Ok(Err(failure)) => return Some(Err(failure)),
        Err(_) => {
            return Some(Err(JobFailure {
                code: "internal".into(),
                message: "the what-if job could not be split into scenarios".into(),
            }))
        }
    };
    let n = children.len();
    match store_call(&state.store, move |s| s.fan_out(id, token, &children)).await {
        Ok(true) => {
            tracing::info!(job = %id, scenarios = n, "what-if job fanned out");
            state.pool.ring();
        }
        Ok(false) => tracing::info!(job = %id, "what-if claim lost before fanning out"),
        Err(e) => {
            tracing::warn!(job = %id, error = %e, "cannot fan out the what-if job; its lease will expire and it is tried again")
        }
    }
    None
}
