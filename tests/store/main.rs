//! The shared token store against a real `redis-server` (started on a free
//! loopback port by each test; `store/run.sh` installs it where missing).
//! Managers with their own store connections stand for the processes of a
//! fleet; `fleet.rs` runs real OS processes.

mod fleet;
mod redis_server;

use std::sync::Arc;
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use redis_server::RedisServer;
use vendor_auth::{
    ApiAuthorization, Error, ExposeSecret, RedisStore, SecretString, Store, StoreKey, Token,
    TokenClient, TokenManager,
};

static AUTHORIZATION: ApiAuthorization = ApiAuthorization::bearer("Scripted");

/// A vendor in-process: counts its token requests, and with `rotating`,
/// issues a new refresh token on each refresh and refuses any refresh
/// token but the newest, as strict vendors do.
#[derive(Clone)]
struct Vendor {
    fetches: Arc<AtomicUsize>,
    refreshes: Arc<AtomicUsize>,
    invalid_grants: Arc<AtomicUsize>,
    newest_refresh: Arc<Mutex<Option<String>>>,
    lifetime: Duration,
    delay: Duration,
    rotating: bool,
}

impl Vendor {
    fn new(lifetime: Duration) -> Vendor {
        Vendor {
            fetches: Arc::default(),
            refreshes: Arc::default(),
            invalid_grants: Arc::default(),
            newest_refresh: Arc::default(),
            lifetime,
            delay: Duration::from_millis(20),
            rotating: false,
        }
    }

    fn rotating(mut self) -> Vendor {
        self.rotating = true;
        self
    }

    fn requests(&self) -> usize {
        self.fetches.load(Ordering::SeqCst) + self.refreshes.load(Ordering::SeqCst)
    }

    fn issue(&self, n: usize) -> Token {
        let token = Token::new(format!("access-{n}"), self.lifetime);
        if !self.rotating {
            return token;
        }
        let refresh = format!("refresh-{n}");
        *self.newest_refresh.lock().unwrap() = Some(refresh.clone());
        token.with_refresh_token(refresh, None)
    }
}

impl TokenClient for Vendor {
    fn vendor(&self) -> &'static str {
        "Scripted"
    }

    async fn fetch_token(&self) -> Result<Token, Error> {
        let n = self.fetches.fetch_add(1, Ordering::SeqCst) + 1;
        tokio::time::sleep(self.delay).await;
        Ok(self.issue(n))
    }

    fn supports_refresh(&self) -> bool {
        self.rotating
    }

    async fn refresh_token(&self, current: &Token) -> Result<Token, Error> {
        tokio::time::sleep(self.delay).await;
        let presented = current
            .refresh_token()
            .map(|r| r.expose_secret().to_owned());
        let newest = self.newest_refresh.lock().unwrap().clone();
        if presented.is_none() || presented != newest {
            self.invalid_grants.fetch_add(1, Ordering::SeqCst);
            return Err(Error::Status {
                vendor: "Scripted",
                operation: "refresh",
                status: 400,
                meaning: Some("invalid_grant: the refresh token was already used"),
                details: None,
                retry_after: None,
            });
        }
        let n = 1_000_000 + self.refreshes.fetch_add(1, Ordering::SeqCst) + 1;
        Ok(self.issue(n))
    }

    fn api_authorization(&self) -> &'static ApiAuthorization {
        &AUTHORIZATION
    }
}

fn key(byte: u8) -> StoreKey {
    StoreKey::from_bytes([byte; 32])
}

async fn store(server: &RedisServer, key: StoreKey) -> Store {
    let backend = RedisStore::connect(&SecretString::from(server.url()))
        .await
        .expect("connects");
    Store::new(backend, key)
}

async fn manager(server: &RedisServer, vendor: &Vendor, key: StoreKey) -> TokenManager<Vendor> {
    TokenManager::builder()
        .jitter(0.0)
        .store(store(server, key).await)
        .build(vendor.clone())
}

#[tokio::test]
async fn a_second_process_adopts_the_first_ones_token() {
    let server = RedisServer::start();
    let vendor = Vendor::new(Duration::from_secs(3600));
    let first = manager(&server, &vendor, key(7)).await;
    let second = manager(&server, &vendor, key(7)).await;
    let a = first.token().await.unwrap();
    let b = second.token().await.unwrap();
    assert_eq!(vendor.requests(), 1, "one vendor request for both");
    assert_eq!(
        a.token().access_token().expose_secret(),
        b.token().access_token().expose_secret()
    );
    // The adopted token keeps its lifetime and expiry.
    let left = b.token().remaining(tokio::time::Instant::now());
    assert!(left > Duration::from_secs(3590), "{left:?}");
    // Redis holds no plaintext secret.
    let keys = server.command(&[b"KEYS", b"*"]);
    let keys = String::from_utf8_lossy(&keys);
    assert!(keys.contains("vendor-auth:{scripted:"), "{keys}");
    let record_key = keys
        .lines()
        .find(|l| l.starts_with("vendor-auth:") && !l.ends_with(":lease"))
        .unwrap()
        .to_owned();
    let record = server.command(&[b"HGET", record_key.as_bytes(), b"r"]);
    assert!(!String::from_utf8_lossy(&record).contains("access-1"));
}

#[tokio::test]
async fn a_fleet_renews_once_per_lifetime_window() {
    let server = RedisServer::start();
    let vendor = Vendor::new(Duration::from_millis(1500));
    let mut managers = Vec::new();
    for _ in 0..4 {
        managers.push(
            TokenManager::builder()
                .jitter(0.25)
                .refresh_ahead(Duration::from_millis(500))
                .expiry_margin(Duration::from_millis(100))
                .store(store(&server, key(1)).await)
                .build(vendor.clone()),
        );
    }
    let run = Duration::from_secs(6);
    let started = tokio::time::Instant::now();
    let mut callers = Vec::new();
    for tokens in &managers {
        for _ in 0..8 {
            let tokens = tokens.clone();
            callers.push(tokio::spawn(async move {
                let mut errors = 0;
                while started.elapsed() < run {
                    if tokens.token().await.is_err() {
                        errors += 1;
                    }
                    tokio::time::sleep(Duration::from_millis(5)).await;
                }
                errors
            }));
        }
    }
    let mut errors = 0;
    for caller in callers {
        errors += caller.await.unwrap();
    }
    assert_eq!(errors, 0);
    // A token lives 1.5 s and is renewed 0.5-0.6 s early: about one renewal
    // per second for the fleet, not one per process.
    let requests = vendor.requests();
    println!("fleet of 4: {requests} vendor requests in {run:?}");
    assert!((4..=9).contains(&requests), "{requests} requests");
}

#[tokio::test]
async fn a_tampered_record_or_another_key_is_never_used() {
    let server = RedisServer::start();
    let vendor = Vendor::new(Duration::from_secs(3600));
    let first = manager(&server, &vendor, key(1)).await;
    first.token().await.unwrap();
    let keys = server.command(&[b"KEYS", b"vendor-auth:*"]);
    let record_key = String::from_utf8_lossy(&keys)
        .lines()
        .find(|l| l.starts_with("vendor-auth:") && !l.ends_with(":lease"))
        .unwrap()
        .to_owned();
    // Flip bytes of the sealed record.
    let sealed = server.command(&[b"HGET", record_key.as_bytes(), b"r"]);
    let mut tampered = sealed.clone();
    let last = tampered.len() - 3;
    tampered[last] ^= 0x55;
    let body_start = tampered.iter().position(|b| *b == b'\n').unwrap() + 1;
    let body = &tampered[body_start..tampered.len() - 2];
    server.command(&[b"HSET", record_key.as_bytes(), b"r", body]);

    let same_key = store(&server, key(1)).await;
    let stats = same_key.clone();
    let second = TokenManager::builder()
        .store(same_key)
        .build(vendor.clone());
    let token = second.token().await.unwrap();
    assert_eq!(token.token().access_token().expose_secret(), "access-2");
    assert_eq!(stats.stats().rejected_records.load(Ordering::SeqCst), 1);
    assert_eq!(vendor.requests(), 2, "replaced by a fresh token");

    // A process with another key cannot open the (new) record either; it is
    // a different identity anyway, so it never even reads this one.
    let stranger = store(&server, key(2)).await;
    let stats = stranger.clone();
    let third = TokenManager::builder()
        .store(stranger)
        .build(vendor.clone());
    third.token().await.unwrap();
    assert_eq!(vendor.requests(), 3);
    assert_eq!(stats.stats().adopted.load(Ordering::SeqCst), 0);
}

#[tokio::test]
async fn redis_stopped_or_restarted_never_stops_the_tokens() {
    let mut server = RedisServer::start();
    let vendor = Vendor::new(Duration::from_secs(3600));
    let store = store(&server, key(3)).await;
    let stats = store.clone();
    let tokens = TokenManager::builder().store(store).build(vendor.clone());
    tokens.token().await.unwrap();
    assert_eq!(stats.stats().published.load(Ordering::SeqCst), 1);

    server.stop();
    let cached = tokens.token().await.unwrap();
    assert_eq!(vendor.requests(), 1, "the cached token needs no store");
    tokens.invalidate(&cached);
    drop(cached);
    let started = std::time::Instant::now();
    tokens.token().await.unwrap();
    assert!(
        started.elapsed() < Duration::from_secs(3),
        "{:?}",
        started.elapsed()
    );
    assert_eq!(vendor.requests(), 2, "renewed in-process");
    assert!(stats.stats().fallbacks.load(Ordering::SeqCst) >= 1);

    server.restart();
    // The connection comes back by itself: the next renewal uses the store.
    let mut published = false;
    for _ in 0..50 {
        let cached = tokens.token().await.unwrap();
        tokens.invalidate(&cached);
        drop(cached);
        tokens.token().await.unwrap();
        if stats.stats().published.load(Ordering::SeqCst) >= 2 {
            published = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(published, "the store was used again after Redis came back");
}

#[tokio::test]
async fn rotation_across_managers_never_reuses_a_refresh_token() {
    let server = RedisServer::start();
    let vendor = Vendor::new(Duration::from_millis(400)).rotating();
    let mut managers = Vec::new();
    for _ in 0..4 {
        managers.push(
            TokenManager::builder()
                .jitter(0.5)
                .refresh_ahead(Duration::from_millis(150))
                .expiry_margin(Duration::from_millis(20))
                .store(store(&server, key(5)).await)
                .build(vendor.clone()),
        );
    }
    let run = Duration::from_secs(8);
    let started = tokio::time::Instant::now();
    let mut callers = Vec::new();
    for tokens in &managers {
        for _ in 0..4 {
            let tokens = tokens.clone();
            callers.push(tokio::spawn(async move {
                while started.elapsed() < run {
                    tokens.token().await.unwrap();
                    tokio::time::sleep(Duration::from_millis(3)).await;
                }
            }));
        }
    }
    for caller in callers {
        caller.await.unwrap();
    }
    let rotations = vendor.refreshes.load(Ordering::SeqCst);
    println!(
        "4 managers: {rotations} rotations, {} fetches, {} invalid_grant",
        vendor.fetches.load(Ordering::SeqCst),
        vendor.invalid_grants.load(Ordering::SeqCst)
    );
    assert!(rotations >= 15, "{rotations} rotations");
    assert_eq!(vendor.invalid_grants.load(Ordering::SeqCst), 0);
    assert_eq!(
        vendor.fetches.load(Ordering::SeqCst),
        1,
        "one first token, then refreshes only"
    );

    // Every process restarts: a new one renews with the store's newest
    // refresh token, which the vendor still accepts.
    drop(managers);
    tokio::time::sleep(Duration::from_millis(500)).await; // the last token expires
    let restarted = manager(&server, &vendor, key(5)).await;
    restarted.token().await.unwrap();
    assert_eq!(vendor.invalid_grants.load(Ordering::SeqCst), 0);
    assert_eq!(
        vendor.fetches.load(Ordering::SeqCst),
        1,
        "no new login needed"
    );
}

#[tokio::test]
async fn a_redis_cluster_shares_the_token_too() {
    let cluster = redis_server::RedisCluster::start();
    let vendor = Vendor::new(Duration::from_secs(3600));
    let nodes: Vec<SecretString> = cluster.urls().into_iter().map(SecretString::from).collect();
    let mut managers = Vec::new();
    for identity in ["tenant-a", "tenant-a", "tenant-b", "tenant-c", "tenant-d"] {
        // Each process connects through a different node.
        let backend = RedisStore::connect_cluster(&nodes[managers.len() % 3..])
            .await
            .expect("connects to the cluster");
        let store = Store::new(backend, key(4)).identity(identity);
        managers.push(TokenManager::builder().store(store).build(vendor.clone()));
    }
    for tokens in &managers {
        tokens.token().await.unwrap();
    }
    // tenant-a is shared; b, c and d are identities of their own.
    assert_eq!(vendor.requests(), 4);
    // The records spread over the nodes (slots differ per identity), and a
    // record's compare-and-set with its lease ran on one node: no CROSSSLOT.
    let mut records = 0;
    for node in &cluster.nodes {
        let keys = node.command(&[b"KEYS", b"vendor-auth:*"]);
        records += String::from_utf8_lossy(&keys)
            .lines()
            .filter(|l| l.starts_with("vendor-auth:"))
            .count();
    }
    assert_eq!(records, 4, "one record per identity");
}

#[tokio::test]
async fn an_acl_user_limited_to_the_stores_keys_is_enough() {
    // The default user is off; the fleet's user may touch only the store's
    // keys, with a password in the URL.
    let server = RedisServer::start_with(
        &[
            "--user",
            "default",
            "off",
            "--user",
            "fleet",
            "on",
            ">s3cret-pw",
            "~vendor-auth:*",
            "+@all",
        ],
        "fleet:s3cret-pw@",
    );
    let vendor = Vendor::new(Duration::from_secs(3600));
    let first = manager(&server, &vendor, key(6)).await;
    let second = manager(&server, &vendor, key(6)).await;
    first.token().await.unwrap();
    second.token().await.unwrap();
    assert_eq!(vendor.requests(), 1);

    // A wrong password is a typed error that does not show it.
    let url = format!("redis://fleet:wrong-pw@127.0.0.1:{}/", server.port);
    let error = RedisStore::connect(&SecretString::from(url))
        .await
        .unwrap_err();
    let shown = format!("{error} {error:?}");
    assert!(!shown.contains("wrong-pw"), "{shown}");
}

#[tokio::test]
async fn a_seeded_refresh_token_serves_the_whole_fleet() {
    let server = RedisServer::start();
    let vendor = Vendor::new(Duration::from_millis(300)).rotating();
    // A token from a consent flow, obtained outside the client.
    let consented = vendor.issue(1);
    let first = manager(&server, &vendor, key(2)).await;
    first.seed(consented).await.unwrap();
    let second = manager(&server, &vendor, key(2)).await;
    let adopted = second.token().await.unwrap();
    assert_eq!(adopted.token().access_token().expose_secret(), "access-1");
    assert_eq!(vendor.requests(), 0, "no login: the seed is shared");
    // Once it expires, the fleet refreshes with the seeded refresh token.
    tokio::time::sleep(Duration::from_millis(400)).await;
    second.token().await.unwrap();
    assert_eq!(vendor.refreshes.load(Ordering::SeqCst), 1);
    assert_eq!(vendor.fetches.load(Ordering::SeqCst), 0);
    assert_eq!(vendor.invalid_grants.load(Ordering::SeqCst), 0);
}

#[tokio::test]
async fn rediss_with_a_private_ca() {
    let tls = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/store/tls/");
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
        .to_string();
    let file = |name: &str| format!("{tls}{name}");
    // TLS only: the plain port is off.
    // Kept alive for the test; reached only through TLS.
    let _server = RedisServer::start_with(
        &[
            "--tls-port",
            &port,
            "--port",
            "0",
            "--tls-cert-file",
            &file("server.pem"),
            "--tls-key-file",
            &file("server.key"),
            "--tls-ca-cert-file",
            &file("ca.pem"),
            "--tls-auth-clients",
            "no",
        ],
        "",
    );
    let url = SecretString::from(format!("rediss://127.0.0.1:{port}/"));
    let ca = std::fs::read(file("ca.pem")).unwrap();
    let vendor = Vendor::new(Duration::from_secs(3600));
    let mut managers = Vec::new();
    for _ in 0..2 {
        let backend = RedisStore::connect_tls(&url, &ca)
            .await
            .expect("a TLS connection");
        managers.push(
            TokenManager::builder()
                .store(Store::new(backend, key(9)))
                .build(vendor.clone()),
        );
    }
    for tokens in &managers {
        tokens.token().await.unwrap();
    }
    assert_eq!(vendor.requests(), 1, "shared over TLS");
    // Without the CA, the system's roots do not vouch for this server.
    assert!(RedisStore::connect(&url).await.is_err());
}
