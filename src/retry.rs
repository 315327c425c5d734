//! Retrying transient failures with jittered exponential backoff inside a
//! bounded budget. Only [`Error::is_transient`] failures are retried: a
//! rejected credential is final, and hammering it could lock the account.

use std::future::Future;
use std::time::Duration;

use tokio::time::Instant;

use crate::error::Error;

/// How hard to retry a token request.
///
/// ```
/// use std::time::Duration;
/// use vendor_auth::{RetryPolicy, TokenManager, verbio};
///
/// let patient = RetryPolicy { max_attempts: 6, budget: Duration::from_secs(60), ..RetryPolicy::default() };
/// let client = verbio::Client::new(verbio::Environment::Production, verbio::Credentials::new("id", "secret"))?;
/// let tokens = TokenManager::builder().retry(patient).build(client);
/// # let _ = tokens;
/// # Ok::<(), vendor_auth::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RetryPolicy {
    /// Attempts in all, the first included (1 disables retries).
    pub max_attempts: u32,
    /// Delay before the first retry; doubles for each next one.
    pub base_delay: Duration,
    /// Cap on one backoff delay (a server's `Retry-After` may exceed it).
    pub max_delay: Duration,
    /// No retry starts once this much time has passed since the first attempt.
    pub budget: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy {
            max_attempts: 4,
            base_delay: Duration::from_millis(200),
            max_delay: Duration::from_secs(5),
            budget: Duration::from_secs(30),
        }
    }
}

impl RetryPolicy {
    /// No retries at all.
    pub fn never() -> Self {
        RetryPolicy {
            max_attempts: 1,
            ..RetryPolicy::default()
        }
    }

    /// The backoff before retry number `retry` (1-based): exponential, capped,
    /// with "equal jitter" (between half and all of it) so that a fleet that
    /// failed together does not retry together.
    pub fn backoff(&self, retry: u32) -> Duration {
        let exponential = self
            .base_delay
            .saturating_mul(1u32 << retry.saturating_sub(1).min(20));
        let capped = exponential.min(self.max_delay);
        capped.mul_f64(0.5 + fastrand::f64() * 0.5)
    }

    /// Runs `attempt` until it succeeds, fails for good, or the policy is spent.
    pub(crate) async fn run<T, F, Fut>(
        &self,
        vendor: &'static str,
        operation: &'static str,
        mut attempt: F,
    ) -> Result<T, Error>
    where
        F: FnMut() -> Fut,
        Fut: Future<Output = Result<T, Error>>,
    {
        let started = Instant::now();
        let mut tries = 0u32;
        loop {
            tries += 1;
            let error = match attempt().await {
                Ok(value) => return Ok(value),
                Err(error) => error,
            };
            if !error.is_transient() || tries >= self.max_attempts {
                return Err(error);
            }
            let delay = error.retry_after().unwrap_or_else(|| self.backoff(tries));
            // Saturating: a vendor's `Retry-After` may be any number.
            if started.elapsed().saturating_add(delay) > self.budget {
                return Err(error);
            }
            tracing::warn!(vendor, operation, attempt = tries, delay_ms = delay.as_millis() as u64, error = %error, "retrying token request");
            tokio::time::sleep(delay).await;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_within_its_jitter_and_cap() {
        let policy = RetryPolicy::default();
        for retry in 1..=10 {
            let full = (policy.base_delay * (1 << (retry - 1))).min(policy.max_delay);
            let delay = policy.backoff(retry);
            assert!(
                delay >= full / 2 && delay <= full,
                "retry {retry}: {delay:?} outside [{:?}, {full:?}]",
                full / 2
            );
        }
        assert!(policy.backoff(u32::MAX) <= policy.max_delay);
    }
}
