//! [`MemoryStore`]: jobs in a vector behind a mutex, lost at exit.

use std::sync::{Mutex, MutexGuard};

use chrono::{DateTime, Utc};
use uuid::Uuid;

use super::{
    Inserted, JobFailure, JobRecord, JobState, JobStatus, JobStore, LinkRecord, NewJob, StoreError,
};

/// Jobs in a vector behind a mutex: for tests and throw-away runs.
#[derive(Debug, Default)]
pub struct MemoryStore {
    jobs: Mutex<Vec<MemoryRow>>,
    links: Mutex<Vec<LinkRecord>>,
}

#[derive(Debug)]
struct MemoryRow {
    record: JobRecord,
    idempotency_key: Option<String>,
}

impl MemoryStore {
    pub fn new() -> Self {
        Self::default()
    }

    fn links_lock(&self) -> Result<MutexGuard<'_, Vec<LinkRecord>>, StoreError> {
        self.links.lock().map_err(|_| StoreError::Poisoned)
    }

    fn lock(&self) -> Result<MutexGuard<'_, Vec<MemoryRow>>, StoreError> {
        self.jobs.lock().map_err(|_| StoreError::Poisoned)
    }
}

fn find_mut(jobs: &mut [MemoryRow], id: Uuid) -> Option<&mut JobStatus> {
    jobs.iter_mut()
        .find(|j| j.record.status.id == id)
        .map(|j| &mut j.record.status)
}

impl JobStore for MemoryStore {
    fn insert(&self, job: NewJob) -> Result<Inserted, StoreError> {
        let mut jobs = self.lock()?;
        if let Some(key) = &job.idempotency_key {
            let same = jobs.iter().find(|j| {
                j.record.status.owner == job.owner && j.idempotency_key.as_ref() == Some(key)
            });
            if let Some(existing) = same {
                return Ok(Inserted::Existing {
                    status: existing.record.status.clone(),
                    body_hash: existing.record.body_hash.clone(),
                });
            }
        }
        let seq = jobs.last().map_or(1, |j| j.record.status.seq + 1);
        let status = JobStatus {
            id: job.id,
            seq,
            owner: job.owner,
            state: JobState::Queued,
            created_at: job.created_at,
            started_at: None,
            finished_at: None,
            callback_url: job.callback_url,
            failure: None,
            callback: None,
        };
        jobs.push(MemoryRow {
            record: JobRecord {
                status: status.clone(),
                body_hash: job.body_hash,
                request: job.request,
                result: None,
            },
            idempotency_key: job.idempotency_key,
        });
        Ok(Inserted::New(status))
    }

    fn status(&self, id: Uuid) -> Result<Option<JobStatus>, StoreError> {
        Ok(self
            .lock()?
            .iter()
            .find(|j| j.record.status.id == id)
            .map(|j| j.record.status.clone()))
    }

    fn find_idempotent(
        &self,
        owner: &str,
        key: &str,
    ) -> Result<Option<(JobStatus, String)>, StoreError> {
        Ok(self
            .lock()?
            .iter()
            .find(|j| j.record.status.owner == owner && j.idempotency_key.as_deref() == Some(key))
            .map(|j| (j.record.status.clone(), j.record.body_hash.clone())))
    }

    fn get(&self, id: Uuid) -> Result<Option<JobRecord>, StoreError> {
        Ok(self
            .lock()?
            .iter()
            .find(|j| j.record.status.id == id)
            .map(|j| j.record.clone()))
    }

    fn list(
        &self,
        owner: Option<&str>,
        before: Option<i64>,
        limit: usize,
    ) -> Result<Vec<JobStatus>, StoreError> {
        Ok(self
            .lock()?
            .iter()
            .rev()
            .map(|j| &j.record.status)
            .filter(|s| owner.is_none_or(|o| s.owner == o))
            .filter(|s| before.is_none_or(|b| s.seq < b))
            .take(limit)
            .cloned()
            .collect())
    }

    fn start(&self, id: Uuid, at: DateTime<Utc>) -> Result<bool, StoreError> {
        let mut jobs = self.lock()?;
        match find_mut(&mut jobs, id) {
            Some(s) if s.state == JobState::Queued => {
                s.state = JobState::Solving;
                s.started_at = Some(at);
                Ok(true)
            }
            _ => Ok(false),
        }
    }

    fn finish(
        &self,
        id: Uuid,
        state: JobState,
        at: DateTime<Utc>,
        result: Option<&str>,
        failure: Option<&JobFailure>,
    ) -> Result<bool, StoreError> {
        let mut jobs = self.lock()?;
        match jobs.iter_mut().find(|j| j.record.status.id == id) {
            Some(j) if j.record.status.state == JobState::Solving => {
                j.record.status.state = state;
                j.record.status.finished_at = Some(at);
                j.record.status.failure = failure.cloned();
                j.record.result = result.map(str::to_string);
                Ok(true)
            }
            _ => Ok(false),
        }
    }

    fn cancel(&self, id: Uuid, at: DateTime<Utc>) -> Result<Option<JobStatus>, StoreError> {
        let mut jobs = self.lock()?;
        let Some(s) = find_mut(&mut jobs, id) else {
            return Ok(None);
        };
        if !s.state.is_finished() {
            s.state = JobState::Cancelled;
            s.finished_at = Some(at);
        }
        Ok(Some(s.clone()))
    }

    fn requeue_unfinished(&self) -> Result<Vec<Uuid>, StoreError> {
        let mut jobs = self.lock()?;
        let mut ids = Vec::new();
        for j in jobs.iter_mut() {
            let s = &mut j.record.status;
            if !s.state.is_finished() {
                s.state = JobState::Queued;
                s.started_at = None;
                ids.push(s.id);
            }
        }
        Ok(ids)
    }

    fn expire(&self, cutoff: DateTime<Utc>) -> Result<usize, StoreError> {
        let mut jobs = self.lock()?;
        let before = jobs.len();
        jobs.retain(|j| j.record.status.finished_at.is_none_or(|f| f >= cutoff));
        let removed = before - jobs.len();
        let alive: std::collections::HashSet<Uuid> =
            jobs.iter().map(|j| j.record.status.id).collect();
        drop(jobs);
        self.links_lock()?.retain(|l| alive.contains(&l.job));
        Ok(removed)
    }

    fn count_by_state(&self) -> Result<Vec<(JobState, u64)>, StoreError> {
        let jobs = self.lock()?;
        Ok(JobState::ALL
            .into_iter()
            .map(|s| {
                let n = jobs.iter().filter(|j| j.record.status.state == s).count();
                (s, n as u64)
            })
            .collect())
    }

    fn insert_link(&self, link: &LinkRecord) -> Result<(), StoreError> {
        self.links_lock()?.push(link.clone());
        Ok(())
    }

    fn find_link(&self, token_hash: &str) -> Result<Option<LinkRecord>, StoreError> {
        Ok(self
            .links_lock()?
            .iter()
            .find(|l| l.token_hash == token_hash)
            .cloned())
    }

    fn requeue(&self, id: Uuid) -> Result<bool, StoreError> {
        let mut jobs = self.lock()?;
        match find_mut(&mut jobs, id) {
            Some(s) if s.state == JobState::Solving => {
                s.state = JobState::Queued;
                s.started_at = None;
                Ok(true)
            }
            _ => Ok(false),
        }
    }

    fn set_callback_outcome(&self, id: Uuid, outcome: &str) -> Result<(), StoreError> {
        if let Some(s) = find_mut(&mut self.lock()?, id) {
            s.callback = Some(outcome.to_string());
        }
        Ok(())
    }

    fn revoke_link(&self, job: Uuid, link: Uuid, at: DateTime<Utc>) -> Result<bool, StoreError> {
        let mut links = self.links_lock()?;
        match links.iter_mut().find(|l| l.id == link && l.job == job) {
            Some(l) => {
                l.revoked_at.get_or_insert(at);
                Ok(true)
            }
            None => Ok(false),
        }
    }
}
