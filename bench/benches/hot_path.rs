//! The cached-token hot path against what users write by hand: a
//! `tokio::sync::Mutex<Option<Token>>` around the same client.
//!
//! ```text
//! cargo bench --bench hot_path
//! ```
//!
//! Prints ns per call at 1 and 2 threads for both, their ratio, the
//! allocations per call, and the vendor requests made by 10,000 concurrent
//! callers on a cold cache. Both sides run in the same process, one after the
//! other, each on the same fresh-token path.

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use reqwest::header::HeaderValue;
use vendor_auth::{ApiAuthorization, Error, ExposeSecret, Token, TokenClient, TokenManager};

struct Counting;
static ALLOCATIONS: AtomicUsize = AtomicUsize::new(0);

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        ALLOCATIONS.fetch_add(1, Ordering::Relaxed);
        unsafe { System.alloc(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        unsafe { System.dealloc(ptr, layout) }
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

static AUTHORIZATION: ApiAuthorization = ApiAuthorization::bearer("Bench");

/// A vendor that answers after `delay` and counts its requests.
#[derive(Clone)]
struct Vendor {
    requests: Arc<AtomicUsize>,
    delay: Duration,
}

impl TokenClient for Vendor {
    fn vendor(&self) -> &'static str {
        "Bench"
    }
    async fn fetch_token(&self) -> Result<Token, Error> {
        self.requests.fetch_add(1, Ordering::SeqCst);
        tokio::time::sleep(self.delay).await;
        Ok(Token::new(
            "eyJhbGciOiJSUzI1NiJ9.a-typical-jwt-payload.signature",
            Duration::from_secs(3600),
        ))
    }
    fn api_authorization(&self) -> &'static ApiAuthorization {
        &AUTHORIZATION
    }
}

/// What users write by hand: a mutex around an optional token, and the
/// header built from it on each call.
struct HandWritten {
    client: Vendor,
    token: tokio::sync::Mutex<Option<Token>>,
}

impl HandWritten {
    async fn header_value(&self) -> Result<HeaderValue, Error> {
        let mut guard = self.token.lock().await;
        let fresh = guard
            .as_ref()
            .is_some_and(|t| !t.is_expired(tokio::time::Instant::now() + Duration::from_secs(60)));
        if !fresh {
            *guard = Some(self.client.fetch_token().await?);
        }
        let token = guard.as_ref().expect("just fetched");
        let mut value =
            HeaderValue::from_str(&format!("Bearer {}", token.access_token().expose_secret()))
                .expect("valid header");
        value.set_sensitive(true);
        Ok(value)
    }
}

/// The other common hand-written form: a `std::sync::RwLock`, read-locked
/// on the hot path, write-locked only to store a new token (the fetch runs
/// outside the lock, so concurrent callers on a cold cache all fetch).
struct ReadWriteLocked {
    client: Vendor,
    token: std::sync::RwLock<Option<Token>>,
}

impl ReadWriteLocked {
    async fn header_value(&self) -> Result<HeaderValue, Error> {
        let now = tokio::time::Instant::now() + Duration::from_secs(60);
        let header = |token: &Token| {
            let mut value =
                HeaderValue::from_str(&format!("Bearer {}", token.access_token().expose_secret()))
                    .expect("valid header");
            value.set_sensitive(true);
            value
        };
        if let Some(token) = self
            .token
            .read()
            .unwrap()
            .as_ref()
            .filter(|t| !t.is_expired(now))
        {
            return Ok(header(token));
        }
        let token = self.client.fetch_token().await?;
        let value = header(&token);
        *self.token.write().unwrap() = Some(token);
        Ok(value)
    }
}

impl Subject for Arc<ReadWriteLocked> {
    async fn call(&self) -> usize {
        self.header_value()
            .await
            .map(|value| value.len())
            .unwrap_or(0)
    }
}

const CALLS_PER_THREAD: usize = 2_000_000;

/// One way of getting the header value of a fresh token.
trait Subject: Clone + Send + 'static {
    fn call(&self) -> impl std::future::Future<Output = usize> + Send;
}

impl Subject for TokenManager<Vendor> {
    async fn call(&self) -> usize {
        self.token()
            .await
            // The prepared headers in spec order, as `authorize` and `send`
            // walk them; this vendor's only one is `Authorization`.
            .map(|cached| cached.headers()[0].1.len())
            .unwrap_or(0)
    }
}

impl Subject for Arc<HandWritten> {
    async fn call(&self) -> usize {
        self.header_value()
            .await
            .map(|value| value.len())
            .unwrap_or(0)
    }
}

/// Calls `subject` CALLS_PER_THREAD times on each of `threads` threads (each
/// with its own clone and its own current-thread runtime); returns
/// (ns per call, allocations per call).
fn measure(threads: usize, subject: impl Subject) -> (f64, f64) {
    let barrier = Arc::new(std::sync::Barrier::new(threads + 1));
    let handles: Vec<_> = (0..threads)
        .map(|_| {
            let subject = subject.clone();
            let barrier = Arc::clone(&barrier);
            std::thread::spawn(move || {
                let runtime = tokio::runtime::Builder::new_current_thread()
                    .enable_time()
                    .build()
                    .unwrap();
                runtime.block_on(async {
                    std::hint::black_box(subject.call().await); // warm
                    barrier.wait();
                    let started = Instant::now();
                    let mut sink = 0usize;
                    for _ in 0..CALLS_PER_THREAD {
                        sink = sink.wrapping_add(subject.call().await);
                    }
                    std::hint::black_box(sink);
                    started.elapsed()
                })
            })
        })
        .collect();
    let allocations_before = ALLOCATIONS.load(Ordering::SeqCst);
    barrier.wait();
    let elapsed: Vec<Duration> = handles.into_iter().map(|h| h.join().unwrap()).collect();
    let allocations = ALLOCATIONS.load(Ordering::SeqCst) - allocations_before;
    let total_calls = (threads * CALLS_PER_THREAD) as f64;
    let mean_thread_ns =
        elapsed.iter().map(Duration::as_nanos).sum::<u128>() as f64 / threads as f64;
    (
        mean_thread_ns / CALLS_PER_THREAD as f64,
        allocations as f64 / total_calls,
    )
}

/// Vendor requests and time to serve 10,000 concurrent callers on a cold
/// cache, the vendor answering in 50 ms.
fn cold_start<S: Subject + Sync>(make: impl FnOnce(Vendor) -> S) -> (usize, Duration) {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_time()
        .build()
        .unwrap();
    runtime.block_on(async {
        let vendor = Vendor {
            requests: Arc::default(),
            delay: Duration::from_millis(50),
        };
        let subject = make(vendor.clone());
        let started = Instant::now();
        let tasks: Vec<_> = (0..10_000)
            .map(|_| {
                let subject = subject.clone();
                tokio::spawn(async move { subject.call().await })
            })
            .collect();
        for task in tasks {
            assert!(task.await.unwrap() > 0);
        }
        (vendor.requests.load(Ordering::SeqCst), started.elapsed())
    })
}

fn main() {
    // `cargo test --benches` runs bench binaries with --bench absent; keep that quick.
    if !std::env::args().any(|a| a == "--bench") {
        println!("hot_path: run with `cargo bench --bench hot_path`");
        return;
    }
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    println!("hot path: {CALLS_PER_THREAD} calls per thread, {cores} cores\n");
    println!(
        "{:<44} {:>8} {:>10} {:>12}",
        "", "threads", "ns/call", "allocs/call"
    );
    for threads in [1, 2] {
        let vendor = Vendor {
            requests: Arc::default(),
            delay: Duration::ZERO,
        };
        let tokens = TokenManager::new(vendor.clone());
        let (managed_ns, managed_allocs) = measure(threads, tokens);
        let hand = Arc::new(HandWritten {
            client: vendor.clone(),
            token: tokio::sync::Mutex::new(None),
        });
        let (hand_ns, hand_allocs) = measure(threads, hand);
        let rw = Arc::new(ReadWriteLocked {
            client: vendor,
            token: std::sync::RwLock::new(None),
        });
        let (rw_ns, rw_allocs) = measure(threads, rw);
        println!(
            "{:<44} {threads:>8} {managed_ns:>10.1} {managed_allocs:>12.2}",
            "TokenManager::token + header_value"
        );
        println!(
            "{:<44} {threads:>8} {hand_ns:>10.1} {hand_allocs:>12.2}",
            "baseline: tokio Mutex<Option<Token>> + header"
        );
        println!(
            "{:<44} {threads:>8} {rw_ns:>10.1} {rw_allocs:>12.2}",
            "baseline: std RwLock<Option<Token>> + header"
        );
        println!(
            "{:<44} {threads:>8} {:>10.2}",
            "ratio Mutex baseline / TokenManager",
            hand_ns / managed_ns
        );
        println!(
            "{:<44} {threads:>8} {:>10.2}\n",
            "ratio RwLock baseline / TokenManager",
            rw_ns / managed_ns
        );
    }
    println!("10,000 concurrent callers on a cold cache (vendor answers in 50 ms):");
    let (requests, time) = cold_start(TokenManager::new);
    println!(
        "  {:<42} {requests:>6} vendor request(s), all served in {time:?}",
        "TokenManager"
    );
    let (requests, time) = cold_start(|client| {
        Arc::new(HandWritten {
            client,
            token: tokio::sync::Mutex::new(None),
        })
    });
    println!(
        "  {:<42} {requests:>6} vendor request(s), all served in {time:?}",
        "Mutex baseline (lock held while fetching)"
    );
    let (requests, time) = cold_start(|client| {
        Arc::new(ReadWriteLocked {
            client,
            token: std::sync::RwLock::new(None),
        })
    });
    println!(
        "  {:<42} {requests:>6} vendor request(s), all served in {time:?}",
        "RwLock baseline (fetch outside the lock)"
    );
}
