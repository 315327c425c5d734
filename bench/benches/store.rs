//! The shared token store against a real `redis-server` on loopback.
//!
//! ```text
//! cargo bench -p vendor-auth-bench --features store --bench store
//! ```
//!
//! 1. Vendor token requests per lifetime window for fleets of 1, 4 and 16
//!    managers (each with its own store connection, as separate processes
//!    would have), with and without the store, over the same run.
//! 2. Renewal latency (a caller that finds no valid token) through the
//!    store and in-process, p50 and p99, against the same vendor.
//! 3. The cached-token hot path with the store enabled and without.

use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use vendor_auth::{
    ApiAuthorization, Error, RedisStore, SecretString, SharedStore, Store, StoreFuture, StoreKey,
    Token, TokenClient, TokenManager,
};

/// The Redis store without its change notices: waiters poll.
struct PollOnly(RedisStore);

impl SharedStore for PollOnly {
    fn load<'a>(&'a self, key: &'a str) -> StoreFuture<'a, Option<(u64, Vec<u8>)>> {
        self.0.load(key)
    }
    fn lease<'a>(&'a self, key: &'a str, owner: &'a str, ttl: Duration) -> StoreFuture<'a, bool> {
        self.0.lease(key, owner, ttl)
    }
    fn publish<'a>(
        &'a self,
        key: &'a str,
        owner: &'a str,
        expected: u64,
        sealed: Vec<u8>,
        keep: Duration,
    ) -> StoreFuture<'a, Option<u64>> {
        self.0.publish(key, owner, expected, sealed, keep)
    }
    fn release<'a>(&'a self, key: &'a str, owner: &'a str) -> StoreFuture<'a, ()> {
        self.0.release(key, owner)
    }
}

/// A vendor answering after `delay`.
#[derive(Clone)]
struct Slow {
    delay: Duration,
}

impl TokenClient for Slow {
    fn vendor(&self) -> &'static str {
        "Bench"
    }
    async fn fetch_token(&self) -> Result<Token, Error> {
        tokio::time::sleep(self.delay).await;
        Ok(Token::new("eyJ.slow.sig", Duration::from_secs(3600)))
    }
    fn api_authorization(&self) -> &'static ApiAuthorization {
        &AUTHORIZATION
    }
}

/// How long after the lease holder's token a waiting process has it too,
/// p50 and p99 in ms, over `samples` renewals of a 610 ms vendor.
async fn waiter_lag(redis: &Redis, notices: bool, samples: usize) -> (f64, f64) {
    let url = SecretString::from(format!("redis://127.0.0.1:{}/", redis.1));
    let backend = RedisStore::connect(&url).await.unwrap();
    let vendor = Slow {
        delay: Duration::from_millis(610),
    };
    let mut lags = Vec::new();
    for i in 0..samples {
        let store = || {
            let key = StoreKey::from_bytes([6; 32]);
            let identity = format!("lag-{notices}-{i}");
            if notices {
                Store::new(backend.clone(), key).identity(identity)
            } else {
                Store::new(PollOnly(backend.clone()), key).identity(identity)
            }
        };
        let holder = TokenManager::builder().store(store()).build(vendor.clone());
        let waiter = TokenManager::builder().store(store()).build(vendor.clone());
        let first = tokio::spawn(async move {
            holder.token().await.unwrap();
            Instant::now()
        });
        tokio::time::sleep(Duration::from_millis(5)).await;
        waiter.token().await.unwrap();
        let waited = Instant::now();
        let held = first.await.unwrap();
        lags.push(waited.saturating_duration_since(held).as_secs_f64() * 1e3);
    }
    percentiles(lags)
}

static AUTHORIZATION: ApiAuthorization = ApiAuthorization::bearer("Bench");

/// A vendor answering after 5 ms, counting its requests.
#[derive(Clone)]
struct Vendor {
    requests: Arc<AtomicUsize>,
    lifetime: Duration,
}

impl TokenClient for Vendor {
    fn vendor(&self) -> &'static str {
        "Bench"
    }
    async fn fetch_token(&self) -> Result<Token, Error> {
        let n = self.requests.fetch_add(1, Ordering::SeqCst);
        tokio::time::sleep(Duration::from_millis(5)).await;
        Ok(Token::new(
            format!("eyJ.bench-token-{n}.sig"),
            self.lifetime,
        ))
    }
    fn api_authorization(&self) -> &'static ApiAuthorization {
        &AUTHORIZATION
    }
}

struct Redis(Child, u16);

impl Redis {
    fn start() -> Redis {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let child = Command::new("redis-server")
            .args([
                "--port",
                &port.to_string(),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
            ])
            .stdout(Stdio::null())
            .spawn()
            .expect("redis-server (apt-get install redis-server)");
        for _ in 0..200 {
            if std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() {
                break;
            }
            std::thread::sleep(Duration::from_millis(10));
        }
        Redis(child, port)
    }
}

impl Drop for Redis {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

async fn store(redis: &Redis, key: u8) -> Store {
    let url = SecretString::from(format!("redis://127.0.0.1:{}/", redis.1));
    Store::new(
        RedisStore::connect(&url).await.unwrap(),
        StoreKey::from_bytes([key; 32]),
    )
}

/// A token endpoint for the worker processes: answers every request with
/// a 1 s token and counts them.
fn counting_token_server() -> (String, Arc<AtomicUsize>) {
    use std::io::{Read, Write};
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let address = listener.local_addr().unwrap();
    let count = Arc::new(AtomicUsize::new(0));
    let counted = Arc::clone(&count);
    std::thread::spawn(move || {
        let body = r#"{"access_token":"BQDfleet","token_type":"Bearer","expires_in":1}"#;
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { continue };
            let counted = Arc::clone(&counted);
            std::thread::spawn(move || {
                let mut buffer = [0u8; 8192];
                // One request per connection (`connection: close`).
                if stream.read(&mut buffer).unwrap_or(0) > 0 {
                    counted.fetch_add(1, Ordering::SeqCst);
                    let _ = write!(
                        stream,
                        "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
                        body.len()
                    );
                }
            });
        }
    });
    (format!("http://{address}"), count)
}

/// One process of a fleet: the generated Spotify client (1 s tokens from
/// the parent's endpoint), 4 callers for `seconds`, with or without the store.
fn worker(args: &[String]) {
    let [redis, vendor, with_store, seconds] = args else {
        panic!("worker arguments: REDIS_URL VENDOR_URL STORE(0|1) SECONDS");
    };
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async {
        let client = vendor_auth::spotify::Client::new(
            vendor_auth::spotify::Environment::Custom(vendor_auth::Url::parse(vendor).unwrap()),
            vendor_auth::spotify::Credentials::new("fleet", "secret"),
        )
        .unwrap();
        let mut builder = TokenManager::builder();
        if with_store == "1" {
            let url = SecretString::from(redis.clone());
            builder = builder.store(Store::new(
                RedisStore::connect(&url).await.unwrap(),
                StoreKey::from_bytes([3; 32]),
            ));
        }
        let tokens = builder.build(client);
        let run = Duration::from_secs(seconds.parse().unwrap());
        let started = tokio::time::Instant::now();
        let mut callers = Vec::new();
        for _ in 0..4 {
            let tokens = tokens.clone();
            callers.push(tokio::spawn(async move {
                while started.elapsed() < run {
                    tokens.token().await.unwrap();
                    tokio::time::sleep(Duration::from_millis(5)).await;
                }
            }));
        }
        for caller in callers {
            caller.await.unwrap();
        }
    });
}

/// Vendor requests made by `processes` worker processes in `seconds`.
fn process_fleet(redis: &Redis, processes: usize, with_store: bool, seconds: u64) -> usize {
    let (vendor, count) = counting_token_server();
    let redis_url = format!("redis://127.0.0.1:{}/", redis.1);
    let workers: Vec<Child> = (0..processes)
        .map(|_| {
            Command::new(std::env::current_exe().unwrap())
                .args([
                    "--worker",
                    &redis_url,
                    &vendor,
                    if with_store { "1" } else { "0" },
                ])
                .arg(seconds.to_string())
                .spawn()
                .unwrap()
        })
        .collect();
    for mut worker in workers {
        assert!(worker.wait().unwrap().success());
    }
    count.load(Ordering::SeqCst)
}

/// Vendor requests made by `managers` managers over `run`, 4 callers each.
async fn fleet(redis: &Redis, managers: usize, with_store: bool, key: u8) -> usize {
    let lifetime = Duration::from_millis(1000);
    let vendor = Vendor {
        requests: Arc::default(),
        lifetime,
    };
    let mut fleet = Vec::new();
    for _ in 0..managers {
        let mut builder = TokenManager::builder()
            .refresh_ahead(Duration::from_millis(300))
            .expiry_margin(Duration::from_millis(50));
        if with_store {
            builder = builder.store(store(redis, key).await);
        }
        fleet.push(builder.build(vendor.clone()));
    }
    let run = Duration::from_secs(5);
    let started = tokio::time::Instant::now();
    let mut callers = Vec::new();
    for tokens in &fleet {
        for _ in 0..4 {
            let tokens = tokens.clone();
            callers.push(tokio::spawn(async move {
                while started.elapsed() < run {
                    tokens.token().await.unwrap();
                    tokio::time::sleep(Duration::from_millis(5)).await;
                }
            }));
        }
    }
    for caller in callers {
        caller.await.unwrap();
    }
    vendor.requests.load(Ordering::SeqCst)
}

fn percentiles(mut samples: Vec<f64>) -> (f64, f64) {
    samples.sort_by(f64::total_cmp);
    (
        samples[samples.len() / 2],
        samples[samples.len() * 99 / 100],
    )
}

/// p50 and p99, in µs, of what a caller with no valid token waits for:
/// the vendor in-process, the vendor through the store (load, lease, the
/// vendor, publish, release), or a sibling's record from the store.
async fn renewal_latency(redis: &Redis) -> [(f64, f64); 3] {
    let vendor = Vendor {
        requests: Arc::default(),
        lifetime: Duration::from_secs(3600),
    };
    let samples = 300;
    let mut in_process = Vec::new();
    let tokens = TokenManager::new(vendor.clone());
    for _ in 0..samples {
        let cached = tokens.token().await.unwrap();
        tokens.invalidate(&cached);
        drop(cached);
        let started = Instant::now();
        tokens.token().await.unwrap();
        in_process.push(started.elapsed().as_secs_f64() * 1e6);
    }
    // One connection; each sample a new identity, so that no record exists
    // and this manager takes the lease.
    let backend = RedisStore::connect(&SecretString::from(format!(
        "redis://127.0.0.1:{}/",
        redis.1
    )))
    .await
    .unwrap();
    let mut through = Vec::new();
    let mut adopted = Vec::new();
    for i in 0..samples {
        let store = |n: usize| {
            Store::new(backend.clone(), StoreKey::from_bytes([5; 32]))
                .identity(format!("sample-{i}-{n}"))
        };
        let first = TokenManager::builder()
            .store(store(0))
            .build(vendor.clone());
        let started = Instant::now();
        first.token().await.unwrap();
        through.push(started.elapsed().as_secs_f64() * 1e6);
        let sibling = TokenManager::builder()
            .store(store(0))
            .build(vendor.clone());
        let started = Instant::now();
        sibling.token().await.unwrap();
        adopted.push(started.elapsed().as_secs_f64() * 1e6);
    }
    [
        percentiles(in_process),
        percentiles(through),
        percentiles(adopted),
    ]
}

async fn hot_path(redis: &Redis, with_store: bool) -> f64 {
    let vendor = Vendor {
        requests: Arc::default(),
        lifetime: Duration::from_secs(3600),
    };
    let mut builder = TokenManager::builder();
    if with_store {
        builder = builder.store(store(redis, 78).await);
    }
    let tokens = builder.build(vendor);
    tokens.token().await.unwrap();
    let calls = 2_000_000u32;
    let started = Instant::now();
    let mut sink = 0usize;
    for _ in 0..calls {
        sink = sink.wrapping_add(
            tokens
                .token()
                .await
                .map(|c| c.headers()[0].1.len())
                .unwrap_or(0),
        );
    }
    std::hint::black_box(sink);
    started.elapsed().as_nanos() as f64 / f64::from(calls)
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if args.get(1).is_some_and(|a| a == "--worker") {
        return worker(&args[2..]);
    }
    if !std::env::args().any(|a| a == "--bench") {
        println!(
            "store: run with `cargo bench -p vendor-auth-bench --features store --bench store`"
        );
        return;
    }
    let redis = Redis::start();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    println!(
        "1. vendor requests of a fleet of OS processes in 6 s (generated Spotify client, 1 s tokens)\n"
    );
    println!(
        "{:>10} {:>14} {:>14} {:>8}",
        "processes", "without store", "with store", "ratio"
    );
    for processes in [1, 4, 16] {
        let without = process_fleet(&redis, processes, false, 6);
        let with = process_fleet(&redis, processes, true, 6);
        println!(
            "{processes:>10} {without:>14} {with:>14} {:>7.2}x",
            without as f64 / with as f64
        );
    }
    runtime.block_on(async {
        println!(
            "\n1b. managers in one process with their own store connections, 5 s, 1 s tokens renewed 0.30-0.38 s early\n"
        );
        println!(
            "{:>10} {:>14} {:>14} {:>8}",
            "managers", "without store", "with store", "ratio"
        );
        for (i, managers) in [1, 4, 16].into_iter().enumerate() {
            let without = fleet(&redis, managers, false, 0).await;
            let with = fleet(&redis, managers, true, 10 + i as u8).await;
            println!(
                "{managers:>10} {without:>14} {with:>14} {:>7.2}x",
                without as f64 / with as f64
            );
        }
        println!("\n2. what a caller with no valid token waits for (vendor answers in 5 ms), µs\n");
        let [local, through, adopted] = renewal_latency(&redis).await;
        for (name, (p50, p99)) in [
            ("vendor, in-process", local),
            ("vendor, through the store", through),
            ("a sibling's record", adopted),
        ] {
            println!("{name:<28} p50 {p50:>8.0} p99 {p99:>8.0}");
        }
        println!(
            "{:<28} p50 {:>7.2}x p99 {:>7.2}x",
            "  through the store / in-process",
            through.0 / local.0,
            through.1 / local.1
        );
        println!("\n2b. how long after the lease holder a waiting process has the token, ms (20 renewals)\n");
        let (p50, p99) = waiter_lag(&redis, true, 20).await;
        println!("{:<28} p50 {p50:>8.1} p99 {p99:>8.1}", "change notices (pub/sub)");
        let (p50, p99) = waiter_lag(&redis, false, 20).await;
        println!("{:<28} p50 {p50:>8.1} p99 {p99:>8.1}", "bounded poll only");
    });
    let single = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let without = single.block_on(hot_path(&redis, false));
    let with = single.block_on(hot_path(&redis, true));
    println!("\n3. hot path (token() + Authorization value), ns/call\n");
    println!("{:<24} {without:>8.1}", "without store");
    println!("{:<24} {with:>8.1}", "with store");
    println!("{:<24} {:>7.2}x", "  with / without", with / without);
}
