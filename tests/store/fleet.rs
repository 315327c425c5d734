//! A fleet of real OS processes: this test binary starts copies of itself
//! as workers (`FLEET_WORKER` set, running only `fleet::worker`), each with
//! its own `TokenManager` and store connection, all using the generated
//! Spotify client against one loopback replay of its token endpoint that
//! counts requests.

use std::process::{Child, Command, Stdio};
use std::time::Duration;

use serde_json::json;
use vendor_auth::{RedisStore, SecretString, Store, StoreKey, TokenManager, Url, spotify};
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

use crate::redis_server::RedisServer;

const LIFETIME_SECONDS: u64 = 2;

fn spawn_worker(redis: &str, vendor: &str, seconds: u64, lease_ms: u64) -> Child {
    Command::new(std::env::current_exe().unwrap())
        .args([
            "--exact",
            "fleet::worker",
            "--ignored",
            "--nocapture",
            "--test-threads=1",
        ])
        .env("FLEET_WORKER", "1")
        .env("FLEET_REDIS", redis)
        .env("FLEET_VENDOR", vendor)
        .env("FLEET_SECONDS", seconds.to_string())
        .env("FLEET_LEASE_MS", lease_ms.to_string())
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .unwrap()
}

/// One process of the fleet: 4 tasks asking for the token for a while.
/// Prints `errors=N` at the end.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "a worker of the fleet tests, started by them"]
async fn worker() {
    if std::env::var_os("FLEET_WORKER").is_none() {
        return;
    }
    let var = |name: &str| std::env::var(name).unwrap();
    let backend = RedisStore::connect(&SecretString::from(var("FLEET_REDIS")))
        .await
        .unwrap();
    let store = Store::new(backend, StoreKey::from_bytes([9; 32])).lease_ttl(
        Duration::from_millis(var("FLEET_LEASE_MS").parse().unwrap()),
    );
    let stats = store.clone();
    let client = spotify::Client::new(
        spotify::Environment::Custom(Url::parse(&var("FLEET_VENDOR")).unwrap()),
        spotify::Credentials::new("fleet-client", "fleet-secret"),
    )
    .unwrap();
    let tokens = TokenManager::builder()
        .refresh_ahead(Duration::from_millis(700))
        .expiry_margin(Duration::from_millis(100))
        .store(store)
        .build(client);
    let run = Duration::from_secs(var("FLEET_SECONDS").parse().unwrap());
    let errors = call_for(&tokens, 4, Duration::from_millis(10), run, None).await;
    let fallbacks = stats
        .stats()
        .fallbacks
        .load(std::sync::atomic::Ordering::SeqCst);
    println!("errors={errors} fallbacks={fallbacks}");
}

/// `callers` tasks asking `tokens` for the token every `every`, for `run`
/// or until `stop` exists; the number of errors they saw.
async fn call_for<C: vendor_auth::TokenClient + 'static>(
    tokens: &TokenManager<C>,
    callers: usize,
    every: Duration,
    run: Duration,
    stop: Option<std::path::PathBuf>,
) -> usize {
    let started = tokio::time::Instant::now();
    let mut tasks = Vec::new();
    for _ in 0..callers {
        let tokens = tokens.clone();
        let stop = stop.clone();
        tasks.push(tokio::spawn(async move {
            let mut errors = 0;
            while started.elapsed() < run && !stop.as_ref().is_some_and(|s| s.exists()) {
                if let Err(error) = tokens.token().await {
                    eprintln!("worker error: {error}");
                    errors += 1;
                }
                tokio::time::sleep(every).await;
            }
            errors
        }));
    }
    let mut errors = 0;
    for task in tasks {
        errors += task.await.unwrap();
    }
    errors
}

async fn vendor(delay: Duration) -> MockServer {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/api/token"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(json!({
                    "access_token": "BQDfleet", "token_type": "Bearer", "expires_in": LIFETIME_SECONDS
                }))
                .set_delay(delay),
        )
        .mount(&server)
        .await;
    server
}

/// `(errors, fallbacks)` a worker reported.
fn report_of(child: Child) -> (usize, usize) {
    let output = child.wait_with_output().unwrap();
    assert!(output.status.success(), "a worker failed: {output:?}");
    let stdout = String::from_utf8_lossy(&output.stdout);
    let number = |name: &str| -> usize {
        stdout
            .lines()
            .find_map(|l| l.split(&format!("{name}=")).nth(1))
            .and_then(|n| n.split_whitespace().next()?.parse().ok())
            .unwrap_or_else(|| panic!("no {name} from a worker: {stdout}"))
    };
    (number("errors"), number("fallbacks"))
}

fn errors_of(child: Child) -> usize {
    let output = child.wait_with_output().unwrap();
    assert!(output.status.success(), "a worker failed: {output:?}");
    let stdout = String::from_utf8_lossy(&output.stdout);
    stdout
        .lines()
        .find_map(|l| l.split("errors=").nth(1))
        .and_then(|n| n.split_whitespace().next()?.parse().ok())
        .unwrap_or_else(|| panic!("no report from a worker: {stdout}"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn four_processes_make_one_request_per_lifetime_window() {
    if std::env::var_os("FLEET_WORKER").is_some() {
        return;
    }
    let redis = RedisServer::start();
    let vendor = vendor(Duration::from_millis(50)).await;
    let seconds = 8;
    let workers: Vec<Child> = (0..4)
        .map(|_| spawn_worker(&redis.url(), &vendor.uri(), seconds, 5_000))
        .collect();
    let errors: usize =
        tokio::task::spawn_blocking(move || workers.into_iter().map(errors_of).sum())
            .await
            .unwrap();
    let requests = vendor.received_requests().await.unwrap().len();
    // Tokens live 2 s and are renewed 0.7-0.9 s early: a window is about
    // 1.2 s, so 8 s take about 7 requests for the fleet (28 without the
    // store: one per process and window).
    println!("fleet: 4 processes, {seconds} s, {requests} vendor requests, {errors} errors");
    assert_eq!(errors, 0);
    assert!((4..=10).contains(&requests), "{requests} requests");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_lease_holder_killed_mid_renewal_is_taken_over() {
    if std::env::var_os("FLEET_WORKER").is_some() {
        return;
    }
    let redis = RedisServer::start();
    // A slow vendor: 1.5 s per token request, so the first process to take
    // the lease is still waiting when it is killed.
    let vendor = vendor(Duration::from_millis(1500)).await;
    let mut first = spawn_worker(&redis.url(), &vendor.uri(), 6, 1_000);
    // Wait until it has taken the lease and asked the vendor.
    for _ in 0..100 {
        if !vendor.received_requests().await.unwrap().is_empty() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let others: Vec<Child> = (0..3)
        .map(|_| spawn_worker(&redis.url(), &vendor.uri(), 5, 1_000))
        .collect();
    tokio::time::sleep(Duration::from_millis(200)).await;
    first.kill().unwrap(); // SIGKILL: no cleanup, the lease stays until its TTL
    let _ = first.wait();
    let errors: usize =
        tokio::task::spawn_blocking(move || others.into_iter().map(errors_of).sum())
            .await
            .unwrap();
    let requests = vendor.received_requests().await.unwrap().len();
    println!("lease holder killed: {requests} vendor requests, {errors} errors");
    assert_eq!(
        errors, 0,
        "no caller of the surviving processes saw an error"
    );
    assert!(requests >= 2, "another process completed the renewal");
}

/// A vendor with rotating refresh tokens, spoken to over HTTP by the
/// rotation workers: tokens live `ms` milliseconds.
#[derive(Clone)]
struct RotatingVendor {
    url: String,
    http: reqwest::Client,
}

static ROTATING: vendor_auth::ApiAuthorization = vendor_auth::ApiAuthorization::bearer("Rotating");

impl RotatingVendor {
    async fn call(
        &self,
        path: &str,
        form: &[(&str, &str)],
    ) -> Result<vendor_auth::Token, vendor_auth::Error> {
        let body = url::form_urlencoded::Serializer::new(String::new())
            .extend_pairs(form)
            .finish();
        let response = self
            .http
            .post(format!("{}{path}", self.url))
            .header("content-type", "application/x-www-form-urlencoded")
            .body(body)
            .send()
            .await
            .unwrap();
        let status = response.status().as_u16();
        let body: serde_json::Value =
            serde_json::from_slice(&response.bytes().await.unwrap()).unwrap();
        if status != 200 {
            return Err(vendor_auth::Error::Status {
                vendor: "Rotating",
                operation: "refresh",
                status,
                meaning: Some("invalid_grant"),
                details: None,
                retry_after: None,
            });
        }
        Ok(vendor_auth::Token::new(
            body["access_token"].as_str().unwrap(),
            Duration::from_millis(body["expires_in_ms"].as_u64().unwrap()),
        )
        .with_refresh_token(body["refresh_token"].as_str().unwrap(), None))
    }
}

impl vendor_auth::TokenClient for RotatingVendor {
    fn vendor(&self) -> &'static str {
        "Rotating"
    }
    async fn fetch_token(&self) -> Result<vendor_auth::Token, vendor_auth::Error> {
        self.call("/login", &[("grant_type", "password")]).await
    }
    fn supports_refresh(&self) -> bool {
        true
    }
    async fn refresh_token(
        &self,
        current: &vendor_auth::Token,
    ) -> Result<vendor_auth::Token, vendor_auth::Error> {
        use vendor_auth::ExposeSecret;
        let refresh = current
            .refresh_token()
            .map(|r| r.expose_secret().to_owned())
            .unwrap_or_default();
        self.call(
            "/refresh",
            &[("grant_type", "refresh_token"), ("refresh_token", &refresh)],
        )
        .await
    }
    fn api_authorization(&self) -> &'static vendor_auth::ApiAuthorization {
        &ROTATING
    }
}

/// A rotation worker: 2 tasks asking for the token for a while.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "a worker of the fleet tests, started by them"]
async fn rotation_worker() {
    if std::env::var_os("FLEET_WORKER").is_none() {
        return;
    }
    let var = |name: &str| std::env::var(name).unwrap();
    let backend = RedisStore::connect(&SecretString::from(var("FLEET_REDIS")))
        .await
        .unwrap();
    // Generous store deadline: the test is about rotation, on a busy
    // machine, not about store timeouts.
    let store = Store::new(backend, StoreKey::from_bytes([8; 32])).timeout(Duration::from_secs(2));
    let client = RotatingVendor {
        url: var("FLEET_VENDOR"),
        http: reqwest::Client::new(),
    };
    let tokens = TokenManager::builder()
        .refresh_ahead(Duration::from_millis(12))
        .expiry_margin(Duration::ZERO)
        .jitter(0.5)
        .store(store)
        .build(client);
    // Until the parent has seen enough rotations (it creates the stop
    // file), or the run's cap.
    let run = Duration::from_secs(var("FLEET_SECONDS").parse().unwrap());
    let stop = std::path::PathBuf::from(var("FLEET_STOP"));
    let errors = call_for(&tokens, 2, Duration::from_millis(2), run, Some(stop)).await;
    println!("errors={errors}");
}

fn spawn_rotation_worker(redis: &str, vendor: &str, seconds: u64, stop: &std::path::Path) -> Child {
    Command::new(std::env::current_exe().unwrap())
        .env("FLEET_STOP", stop)
        .args([
            "--exact",
            "fleet::rotation_worker",
            "--ignored",
            "--nocapture",
            "--test-threads=1",
        ])
        .env("FLEET_WORKER", "1")
        .env("FLEET_REDIS", redis)
        .env("FLEET_VENDOR", vendor)
        .env("FLEET_SECONDS", seconds.to_string())
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .unwrap()
}

/// What the strict replay saw: logins, rotations, reused refresh tokens.
#[derive(Default)]
struct Rotations {
    newest: Option<String>,
    logins: usize,
    rotations: usize,
    reused: usize,
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rotation_across_four_processes_never_reuses_a_refresh_token() {
    use std::sync::{Arc, Mutex};
    if std::env::var_os("FLEET_WORKER").is_some() {
        return;
    }
    let redis = RedisServer::start();
    let state = Arc::new(Mutex::new(Rotations::default()));
    let server = MockServer::start().await;
    let issue = |state: &mut Rotations| {
        let n = state.logins + state.rotations;
        let refresh = format!("refresh-{n}");
        state.newest = Some(refresh.clone());
        ResponseTemplate::new(200).set_body_json(json!({
            "access_token": format!("access-{n}"), "refresh_token": refresh, "expires_in_ms": 30
        }))
    };
    let login_state = Arc::clone(&state);
    Mock::given(method("POST"))
        .and(path("/login"))
        .respond_with(move |_: &wiremock::Request| {
            let mut state = login_state.lock().unwrap();
            state.logins += 1;
            issue(&mut state)
        })
        .mount(&server)
        .await;
    let refresh_state = Arc::clone(&state);
    Mock::given(method("POST"))
        .and(path("/refresh"))
        .respond_with(move |request: &wiremock::Request| {
            let presented = url::form_urlencoded::parse(&request.body)
                .find(|(k, _)| k == "refresh_token")
                .map(|(_, v)| v.into_owned());
            let mut state = refresh_state.lock().unwrap();
            if presented.is_none() || presented != state.newest {
                state.reused += 1;
                return ResponseTemplate::new(400)
                    .set_body_json(json!({ "error": "invalid_grant" }));
            }
            state.rotations += 1;
            issue(&mut state)
        })
        .mount(&server)
        .await;

    let stop =
        std::env::temp_dir().join(format!("vendor-auth-rotation-stop-{}", std::process::id()));
    let _ = std::fs::remove_file(&stop);
    let seconds = 90;
    let workers: Vec<Child> = (0..4)
        .map(|_| spawn_rotation_worker(&redis.url(), &server.uri(), seconds, &stop))
        .collect();
    // Run until the replay has seen 1,000 rotations (or the workers' cap).
    let started = std::time::Instant::now();
    while state.lock().unwrap().rotations < 1000 && started.elapsed() < Duration::from_secs(seconds)
    {
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    std::fs::write(&stop, b"").unwrap();
    let seconds = started.elapsed().as_secs();
    let errors: usize =
        tokio::task::spawn_blocking(move || workers.into_iter().map(errors_of).sum())
            .await
            .unwrap();
    let (logins, rotations, reused) = {
        let state = state.lock().unwrap();
        (state.logins, state.rotations, state.reused)
    };
    println!(
        "rotation: 4 processes, {seconds} s: {rotations} rotations, {logins} logins, {reused} reused refresh tokens, {errors} errors"
    );
    assert_eq!(errors, 0);
    assert_eq!(
        reused, 0,
        "no process presented a rotated-away refresh token"
    );
    assert_eq!(logins, 1, "one login, then refreshes only");
    assert!(rotations >= 1000, "{rotations} rotations");

    // Every process restarts: a new one renews with the store's newest
    // refresh token, which the vendor still accepts.
    let _ = std::fs::remove_file(&stop);
    let restarted = spawn_rotation_worker(&redis.url(), &server.uri(), 1, &stop);
    let errors = tokio::task::spawn_blocking(move || errors_of(restarted))
        .await
        .unwrap();
    let state = state.lock().unwrap();
    assert_eq!(errors, 0);
    assert_eq!(
        (state.logins, state.reused),
        (1, 0),
        "the newest refresh token survived"
    );
    assert!(state.rotations > rotations);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn redis_stopped_then_restarted_under_four_processes() {
    if std::env::var_os("FLEET_WORKER").is_some() {
        return;
    }
    let mut redis = RedisServer::start();
    let vendor = vendor(Duration::from_millis(50)).await;
    let workers: Vec<Child> = (0..4)
        .map(|_| spawn_worker(&redis.url(), &vendor.uri(), 10, 2_000))
        .collect();
    tokio::time::sleep(Duration::from_secs(3)).await;
    redis.stop();
    tokio::time::sleep(Duration::from_secs(3)).await;
    redis.restart(); // same port: the connections come back by themselves
    let reports: Vec<(usize, usize)> =
        tokio::task::spawn_blocking(move || workers.into_iter().map(report_of).collect())
            .await
            .unwrap();
    let errors: usize = reports.iter().map(|r| r.0).sum();
    let fallbacks: usize = reports.iter().map(|r| r.1).sum();
    let requests = vendor.received_requests().await.unwrap().len();
    println!(
        "redis stopped 3 s then restarted, 4 processes, 10 s: {errors} errors, {fallbacks} in-process fallbacks, {requests} vendor requests"
    );
    assert_eq!(errors, 0, "every process kept serving");
    assert!(
        fallbacks > 0,
        "the outage was noticed and bridged in-process"
    );
}
