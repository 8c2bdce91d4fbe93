//! Per-key rate limit: a token bucket per API key name, refilled continuously. A key over
//! its limit gets 429 with `Retry-After` (503 is for a full queue).

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::Instant;

/// Requests per minute per key; `None` when unlimited.
#[derive(Debug)]
pub struct RateLimiter {
    per_minute: Option<u32>,
    buckets: Mutex<HashMap<String, Bucket>>,
}

#[derive(Debug, Clone, Copy)]
struct Bucket {
    tokens: f64,
    at: Instant,
}

impl RateLimiter {
    pub fn new(per_minute: u32) -> RateLimiter {
        RateLimiter {
            per_minute: (per_minute > 0).then_some(per_minute),
            buckets: Mutex::new(HashMap::new()),
        }
    }

    /// Takes one request from `key`'s bucket: `Ok`, or `Err(seconds until one is free)`.
    pub fn take(&self, key: &str, now: Instant) -> Result<(), u64> {
        let Some(limit) = self.per_minute else {
            return Ok(());
        };
        let capacity = f64::from(limit);
        let per_sec = capacity / 60.0;
        // A poisoned lock only means another request panicked mid-update: let it through.
        let Ok(mut buckets) = self.buckets.lock() else {
            return Ok(());
        };
        let bucket = buckets.entry(key.to_string()).or_insert(Bucket {
            tokens: capacity,
            at: now,
        });
        let elapsed = now.saturating_duration_since(bucket.at).as_secs_f64();
        bucket.tokens = (bucket.tokens + elapsed * per_sec).min(capacity);
        bucket.at = now;
        if bucket.tokens >= 1.0 {
            bucket.tokens -= 1.0;
            Ok(())
        } else {
            Err(((1.0 - bucket.tokens) / per_sec).ceil().max(1.0) as u64)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn a_key_over_its_limit_waits_for_a_token_and_other_keys_do_not() {
        let limiter = RateLimiter::new(2);
        let t = Instant::now();
        assert!(limiter.take("cms", t).is_ok());
        assert!(limiter.take("cms", t).is_ok());
        assert_eq!(limiter.take("cms", t), Err(30));
        assert!(limiter.take("other", t).is_ok());
        assert!(limiter.take("cms", t + Duration::from_secs(30)).is_ok());
    }

    #[test]
    fn zero_means_unlimited() {
        let limiter = RateLimiter::new(0);
        let t = Instant::now();
        assert!((0..1000).all(|_| limiter.take("cms", t).is_ok()));
    }
}
