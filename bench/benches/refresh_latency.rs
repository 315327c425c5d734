//! Caller latency while a slow (200 ms) refresh-ahead renewal is in flight.
//!
//! ```text
//! cargo bench -p vendor-auth-bench --bench refresh_latency
//! ```
//!
//! Two tasks call `token()` in a loop on a 2-worker runtime while the token
//! passes its refresh-ahead point; the vendor takes 200 ms to answer. Every
//! call's latency is recorded; the goal is that no caller waits for the
//! renewal (max latency far below 200 ms).

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use vendor_auth::{ApiAuthorization, Error, Token, TokenClient, TokenManager};

static AUTHORIZATION: ApiAuthorization = ApiAuthorization::bearer("Slow");

#[derive(Clone)]
struct Slow {
    requests: Arc<AtomicUsize>,
}

impl TokenClient for Slow {
    fn vendor(&self) -> &'static str {
        "Slow"
    }
    async fn fetch_token(&self) -> Result<Token, Error> {
        let n = self.requests.fetch_add(1, Ordering::SeqCst);
        if n > 0 {
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
        Ok(Token::new(format!("token-{n}"), Duration::from_secs(3)))
    }
    fn api_authorization(&self) -> &'static ApiAuthorization {
        &AUTHORIZATION
    }
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    sorted[((sorted.len() - 1) as f64 * p).round() as usize]
}

fn main() {
    if !std::env::args().any(|a| a == "--bench") {
        println!(
            "refresh_latency: run with `cargo bench -p vendor-auth-bench --bench refresh_latency`"
        );
        return;
    }
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_time()
        .build()
        .unwrap();
    runtime.block_on(async {
        let client = Slow {
            requests: Arc::default(),
        };
        // 3 s tokens, renewal 1 s before expiry (at ~2 s), no jitter.
        let tokens = TokenManager::builder()
            .refresh_ahead(Duration::from_secs(1))
            .jitter(0.0)
            .expiry_margin(Duration::ZERO)
            .build(client.clone());
        tokens.token().await.unwrap();
        let started = Instant::now();
        let callers: Vec<_> = (0..2)
            .map(|_| {
                let tokens = tokens.clone();
                tokio::spawn(async move {
                    let mut latencies = Vec::new();
                    let mut renewed_at = None;
                    while started.elapsed() < Duration::from_millis(2600) {
                        let before = Instant::now();
                        let cached = tokens.token().await.unwrap();
                        latencies.push(before.elapsed());
                        if cached.generation() == 2 && renewed_at.is_none() {
                            renewed_at = Some(started.elapsed());
                        }
                        tokio::task::yield_now().await;
                    }
                    (latencies, renewed_at)
                })
            })
            .collect();
        let mut all = Vec::new();
        let mut renewed = Vec::new();
        for caller in callers {
            let (latencies, renewed_at) = caller.await.unwrap();
            all.extend(latencies);
            renewed.extend(renewed_at);
        }
        all.sort();
        println!(
            "{} calls by 2 tasks over 2.6 s, a 200 ms renewal starting at ~2.0 s",
            all.len()
        );
        println!(
            "  p50 {:?}  p99 {:?}  p99.99 {:?}  max {:?}",
            percentile(&all, 0.5),
            percentile(&all, 0.99),
            percentile(&all, 0.9999),
            all[all.len() - 1]
        );
        println!(
            "  vendor requests: {} (1 initial + 1 renewal)",
            client.requests.load(Ordering::SeqCst)
        );
        println!("  new token first seen at {:?}", renewed.iter().min());
    });
}
