//! One token per vendor identity for a whole fleet of processes.
//!
//! Without a store, each [`TokenManager`](crate::TokenManager) keeps its own
//! token, as before. With one, a renewal is fleet-wide: the process that
//! takes the store's lease asks the vendor, writes the new record by
//! compare-and-set on its version and releases the lease; the others wait
//! for that record and adopt it without calling the vendor. Records are
//! sealed with AES-256-GCM under a key the application supplies, with the
//! record's key name as associated data, so the store never holds a
//! plaintext secret and a record cannot be moved to another identity. A
//! record that does not open (tampered, another key) is never used: a fresh
//! token replaces it.
//!
//! Store trouble never becomes an outage: every store call has a deadline
//! (200 ms by default), and a renewal that cannot use the store in time
//! falls back to the in-process single flight, with a warning.
//!
//! The hot path does not touch the store: callers read the in-process
//! snapshot, and the store is read only on a renewal.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::AtomicU64;
use std::time::Duration;

use aws_lc_rs::aead::{AES_256_GCM, Aad, LessSafeKey, NONCE_LEN, Nonce, UnboundKey};
use aws_lc_rs::rand::{SecureRandom, SystemRandom};
use secrecy::zeroize::Zeroizing;
use secrecy::{ExposeSecret, SecretString};
use time::OffsetDateTime;

use crate::token::{FieldValue, Token};

/// A boxed future, for the object-safe [`SharedStore`].
pub type StoreFuture<'a, T> = Pin<Box<dyn Future<Output = Result<T, StoreError>> + Send + 'a>>;

/// What a fleet shares: versioned, sealed records and a lease per record.
/// Implemented for Redis (`RedisStore`, cargo feature `redis`); an
/// implementation must make `publish` a compare-and-set on the version that
/// succeeds only for the lease's current owner.
pub trait SharedStore: Send + Sync + 'static {
    /// The record at `key` and its version, if there is one.
    fn load<'a>(&'a self, key: &'a str) -> StoreFuture<'a, Option<(u64, Vec<u8>)>>;

    /// Takes the lease of `key` for `owner` if nobody holds it.
    fn lease<'a>(&'a self, key: &'a str, owner: &'a str, ttl: Duration) -> StoreFuture<'a, bool>;

    /// Writes `sealed` as version `expected + 1` if the record is still at
    /// `expected` and `owner` still holds the lease; the new version, or
    /// `None` when either no longer holds. `keep` is how long the store
    /// keeps the record.
    fn publish<'a>(
        &'a self,
        key: &'a str,
        owner: &'a str,
        expected: u64,
        sealed: Vec<u8>,
        keep: Duration,
    ) -> StoreFuture<'a, Option<u64>>;

    /// Releases the lease of `key` if `owner` still holds it.
    fn release<'a>(&'a self, key: &'a str, owner: &'a str) -> StoreFuture<'a, ()>;

    /// Resolves when the record at `key` may have changed, or after
    /// `within` at the latest. A store without change notices just waits;
    /// waiters then read the record again (a bounded poll).
    fn changed<'a>(&'a self, key: &'a str, within: Duration) -> StoreFuture<'a, ()> {
        let _ = key;
        Box::pin(async move {
            tokio::time::sleep(within).await;
            Ok(())
        })
    }
}

/// Why a store call failed.
#[derive(Debug, Clone, thiserror::Error)]
#[error("token store: {0}")]
pub struct StoreError(pub String);

/// The key records are sealed with: 32 bytes the application keeps secret
/// and gives every process of the fleet. `Debug` shows nothing of it.
#[derive(Clone)]
pub struct StoreKey {
    bytes: Arc<Zeroizing<[u8; 32]>>,
}

impl std::fmt::Debug for StoreKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("StoreKey([REDACTED])")
    }
}

impl StoreKey {
    /// A key from 32 bytes.
    pub fn from_bytes(bytes: [u8; 32]) -> StoreKey {
        StoreKey {
            bytes: Arc::new(Zeroizing::new(bytes)),
        }
    }

    /// A key from its base64 form (standard alphabet, 44 characters), e.g.
    /// from `openssl rand -base64 32` in an environment variable.
    pub fn from_base64(text: &SecretString) -> Result<StoreKey, crate::Error> {
        use base64::Engine as _;
        let decoded = Zeroizing::new(
            base64::engine::general_purpose::STANDARD
                .decode(text.expose_secret().trim())
                .unwrap_or_default(),
        );
        let bytes: [u8; 32] = decoded
            .as_slice()
            .try_into()
            .map_err(|_| crate::Error::Config {
                vendor: "token store",
                message: "the store key must be 32 bytes in base64 (`openssl rand -base64 32`)"
                    .into(),
            })?;
        Ok(StoreKey::from_bytes(bytes))
    }

    fn aead(&self) -> LessSafeKey {
        // 32 bytes always make an AES-256 key.
        LessSafeKey::new(UnboundKey::new(&AES_256_GCM, &self.bytes[..]).expect("a 32-byte key"))
    }

    /// A keyed digest of `material`, for record names that reveal nothing.
    fn digest(&self, material: &[u8]) -> String {
        let key = aws_lc_rs::hmac::Key::new(aws_lc_rs::hmac::HMAC_SHA256, &self.bytes[..]);
        let tag = aws_lc_rs::hmac::sign(&key, material);
        tag.as_ref()[..16]
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect()
    }
}

/// How a [`TokenManager`](crate::TokenManager) uses a shared store.
#[derive(Clone)]
pub struct Store {
    pub(crate) backend: Arc<dyn SharedStore>,
    pub(crate) key: StoreKey,
    /// Deadline of each store call.
    pub(crate) timeout: Duration,
    /// How long a lease lasts: a holder that dies loses it after this.
    pub(crate) lease_ttl: Duration,
    /// The application's name for the credential identity, if it gives one.
    pub(crate) identity: Option<String>,
    pub(crate) stats: Arc<StoreStats>,
}

impl std::fmt::Debug for Store {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Store")
            .field("timeout", &self.timeout)
            .field("lease_ttl", &self.lease_ttl)
            .finish_non_exhaustive()
    }
}

/// What a store did, for tests and metrics.
#[derive(Debug, Default)]
pub struct StoreStats {
    /// Records adopted from the store instead of asking the vendor.
    pub adopted: AtomicU64,
    /// Records this process wrote after asking the vendor.
    pub published: AtomicU64,
    /// Renewals that fell back to the in-process single flight.
    pub fallbacks: AtomicU64,
    /// Records that did not open (tampered, another key) and were replaced.
    pub rejected_records: AtomicU64,
}

impl Store {
    /// A store over `backend`, sealing records with `key`.
    pub fn new(backend: impl SharedStore, key: StoreKey) -> Store {
        Store {
            backend: Arc::new(backend),
            key,
            timeout: Duration::from_millis(200),
            lease_ttl: Duration::from_secs(15),
            identity: None,
            stats: Arc::default(),
        }
    }

    /// The deadline of each store call (default 200 ms); past it, the
    /// renewal goes on in-process.
    pub fn timeout(mut self, timeout: Duration) -> Store {
        self.timeout = timeout;
        self
    }

    /// How long a renewal's lease lasts (default 15 s); a process that dies
    /// holding it delays the fleet's renewal at most this long.
    pub fn lease_ttl(mut self, ttl: Duration) -> Store {
        self.lease_ttl = ttl;
        self
    }

    /// Names the credential identity the records belong to (e.g. a tenant);
    /// by default it is a keyed digest of the vendor, its base URL, the
    /// credentials and the configuration.
    pub fn identity(mut self, identity: impl Into<String>) -> Store {
        self.identity = Some(identity.into());
        self
    }

    /// What the store did so far.
    pub fn stats(&self) -> &StoreStats {
        &self.stats
    }

    /// The record's key name: `vendor-auth:{VENDOR:DIGEST}`; the braces make
    /// the record and its lease (`...:lease`) one Redis Cluster hash slot.
    pub(crate) fn record_key(&self, vendor: &str, identity_material: &[u8]) -> String {
        let digest = match &self.identity {
            Some(identity) => self.key.digest(identity.as_bytes()),
            None => self.key.digest(identity_material),
        };
        let vendor: String = vendor
            .chars()
            .map(|c| {
                if c.is_ascii_alphanumeric() {
                    c.to_ascii_lowercase()
                } else {
                    '_'
                }
            })
            .collect();
        format!("vendor-auth:{{{vendor}:{digest}}}")
    }

    /// Runs a store call under the deadline.
    pub(crate) async fn call<T>(&self, call: StoreFuture<'_, T>) -> Result<T, StoreError> {
        match tokio::time::timeout(self.timeout, call).await {
            Ok(result) => result,
            Err(_) => Err(StoreError(format!(
                "no answer within {} ms",
                self.timeout.as_millis()
            ))),
        }
    }

    /// `token` sealed for the record `key`.
    pub(crate) fn seal(&self, key: &str, token: &Token) -> Vec<u8> {
        let plain = Zeroizing::new(encode(token).into_bytes());
        let mut nonce = [0u8; NONCE_LEN];
        // The system RNG does not fail on supported platforms; a zero nonce
        // would be refused below rather than reused silently.
        let _ = SystemRandom::new().fill(&mut nonce);
        let mut sealed = Zeroizing::new(plain.to_vec());
        let aead = self.key.aead();
        if aead
            .seal_in_place_append_tag(
                Nonce::assume_unique_for_key(nonce),
                Aad::from(key.as_bytes()),
                &mut *sealed,
            )
            .is_err()
        {
            return Vec::new();
        }
        let mut out = Vec::with_capacity(NONCE_LEN + sealed.len());
        out.extend_from_slice(&nonce);
        out.extend_from_slice(&sealed);
        out
    }

    /// The token of a sealed record, if it opens under this key and name.
    pub(crate) fn open(&self, key: &str, sealed: &[u8]) -> Option<Token> {
        if sealed.len() < NONCE_LEN {
            return None;
        }
        let (nonce, body) = sealed.split_at(NONCE_LEN);
        let nonce = Nonce::try_assume_unique_for_key(nonce).ok()?;
        let mut body = Zeroizing::new(body.to_vec());
        let plain = self
            .key
            .aead()
            .open_in_place(nonce, Aad::from(key.as_bytes()), &mut body)
            .ok()?;
        decode(std::str::from_utf8(plain).ok()?)
    }
}

/// A record: the token's secrets and times, as JSON (sealed before it
/// leaves the process). Times are Unix milliseconds, so that every process
/// converts them to its own monotonic clock.
fn encode(token: &Token) -> String {
    let now_utc = OffsetDateTime::now_utc();
    let now = tokio::time::Instant::now();
    let millis = |at: tokio::time::Instant| {
        let left = at.saturating_duration_since(now);
        (now_utc + left).unix_timestamp_nanos() / 1_000_000
    };
    let fields: Vec<serde_json::Value> = token
        .fields()
        .map(|(name, value)| match value {
            FieldValue::Text(text) => serde_json::json!([name, "text", text]),
            FieldValue::Secret(secret) => {
                serde_json::json!([name, "secret", secret.expose_secret()])
            }
        })
        .collect();
    serde_json::json!({
        "access_token": token.access_token().expose_secret(),
        "token_type": token.token_type(),
        "refresh_token": token.refresh_token().map(|r| r.expose_secret().to_owned()),
        "scope": token.scope(),
        "expires_at_ms": millis(token.expires_at()),
        "lifetime_ms": token.lifetime().as_millis() as u64,
        "refresh_expires_at_ms": token.refresh_token_expires_at().map(millis),
        "fields": fields,
    })
    .to_string()
}

fn decode(text: &str) -> Option<Token> {
    let value: serde_json::Value = serde_json::from_str(text).ok()?;
    let now_ms = (OffsetDateTime::now_utc().unix_timestamp_nanos() / 1_000_000) as i64;
    let left = |field: &str| -> Option<Duration> {
        let at = value.get(field)?.as_i64()?;
        Some(Duration::from_millis(
            at.saturating_sub(now_ms).max(0) as u64
        ))
    };
    let remaining = left("expires_at_ms")?;
    let lifetime = Duration::from_millis(value.get("lifetime_ms")?.as_u64()?);
    let mut token = Token::received_with(
        value.get("access_token")?.as_str()?.to_owned(),
        lifetime,
        remaining,
    );
    if let Some(kind) = value.get("token_type").and_then(|v| v.as_str()) {
        token = token.with_token_type(kind);
    }
    if let Some(scope) = value.get("scope").and_then(|v| v.as_str()) {
        token = token.with_scope(scope);
    }
    if let Some(refresh) = value.get("refresh_token").and_then(|v| v.as_str()) {
        token = token.with_refresh_token(refresh.to_owned(), left("refresh_expires_at_ms"));
    }
    for field in value.get("fields")?.as_array()? {
        let [name, kind, text] = field.as_array()?.as_slice() else {
            return None;
        };
        let text = text.as_str()?.to_owned();
        let value = match kind.as_str()? {
            "secret" => FieldValue::Secret(SecretString::from(text)),
            _ => FieldValue::Text(text),
        };
        token = token.with_field(intern(name.as_str()?), value);
    }
    Some(token)
}

/// Field names are the spec's, a small fixed set per vendor: each is
/// leaked once and reused, so that a record's fields keep `&'static` names.
fn intern(name: &str) -> &'static str {
    use std::collections::HashSet;
    use std::sync::{Mutex, OnceLock};
    static NAMES: OnceLock<Mutex<HashSet<&'static str>>> = OnceLock::new();
    let mut names = NAMES
        .get_or_init(Mutex::default)
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    if let Some(known) = names.get(name) {
        return known;
    }
    let leaked: &'static str = Box::leak(name.to_owned().into_boxed_str());
    names.insert(leaked);
    leaked
}

/// The Redis backend: a connection manager that reconnects by itself, a
/// lease by `SET NX PX`, and compare-and-set and release as Lua scripts.
#[cfg(feature = "redis")]
pub use self::redis_store::RedisStore;

#[cfg(feature = "redis")]
mod redis_store {
    use super::*;

    /// Writes the record if the version and the lease still hold.
    const PUBLISH: &str = r"
if redis.call('GET', KEYS[2]) ~= ARGV[1] then return -1 end
local version = tonumber(redis.call('HGET', KEYS[1], 'v') or '0')
if version ~= tonumber(ARGV[2]) then return -2 end
redis.call('HSET', KEYS[1], 'v', version + 1, 'r', ARGV[3])
redis.call('PEXPIRE', KEYS[1], ARGV[4])
redis.call('PUBLISH', KEYS[1], version + 1)
return version + 1
";

    /// Deletes the lease only for its owner.
    const RELEASE: &str = r"
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
";

    /// A Redis (7+, or Valkey) token store, on one server or a Redis
    /// Cluster. Cheap to clone.
    #[derive(Clone)]
    pub struct RedisStore {
        connection: Connection,
        publish: Arc<redis::Script>,
        release: Arc<redis::Script>,
        /// Change notices (single server): the names of records as they
        /// are published, from a subscriber task that reconnects by itself.
        notices: Option<Arc<Notices>>,
    }

    /// The subscriber task and its channel; the task stops with the last
    /// clone of the store.
    struct Notices {
        sender: tokio::sync::broadcast::Sender<Arc<str>>,
        task: tokio::task::AbortHandle,
    }

    impl Drop for Notices {
        fn drop(&mut self) {
            self.task.abort();
        }
    }

    /// Forwards every publish on `vendor-auth:*` to `sender`, reconnecting
    /// after a disconnection.
    async fn subscribe(client: redis::Client, sender: tokio::sync::broadcast::Sender<Arc<str>>) {
        use futures_util::StreamExt as _;
        loop {
            if let Ok(mut pubsub) = client.get_async_pubsub().await
                && pubsub.psubscribe("vendor-auth:*").await.is_ok()
            {
                let mut messages = pubsub.into_on_message();
                while let Some(message) = messages.next().await {
                    let _ = sender.send(Arc::from(message.get_channel_name()));
                }
            }
            // Waiters poll meanwhile; try again shortly.
            tokio::time::sleep(Duration::from_millis(500)).await;
        }
    }

    /// One server (a connection manager that reconnects by itself) or a
    /// cluster (a cluster connection that follows slot moves).
    #[derive(Clone)]
    enum Connection {
        Single(redis::aio::ConnectionManager),
        Cluster(redis::cluster_async::ClusterConnection),
    }

    impl redis::aio::ConnectionLike for Connection {
        fn req_packed_command<'a>(
            &'a mut self,
            command: &'a redis::Cmd,
        ) -> redis::RedisFuture<'a, redis::Value> {
            match self {
                Connection::Single(c) => c.req_packed_command(command),
                Connection::Cluster(c) => c.req_packed_command(command),
            }
        }

        fn req_packed_commands<'a>(
            &'a mut self,
            pipeline: &'a redis::Pipeline,
            offset: usize,
            count: usize,
        ) -> redis::RedisFuture<'a, Vec<redis::Value>> {
            match self {
                Connection::Single(c) => c.req_packed_commands(pipeline, offset, count),
                Connection::Cluster(c) => c.req_packed_commands(pipeline, offset, count),
            }
        }

        fn get_db(&self) -> i64 {
            match self {
                Connection::Single(c) => c.get_db(),
                Connection::Cluster(c) => c.get_db(),
            }
        }
    }

    impl std::fmt::Debug for RedisStore {
        fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            f.write_str("RedisStore")
        }
    }

    impl RedisStore {
        /// Connects to `url` (`redis://[user:password@]host:port/db`, or
        /// `rediss://` for TLS). The connection is re-established by itself
        /// after Redis restarts.
        pub async fn connect(url: &SecretString) -> Result<RedisStore, StoreError> {
            let client = redis::Client::open(url.expose_secret()).map_err(|e| {
                StoreError(format!("the Redis URL is not usable: {}", e.category()))
            })?;
            RedisStore::from_client(client).await
        }

        /// Connects to a `rediss://` URL whose server certificate is issued
        /// by `ca_pem` (a private CA) rather than a CA the system trusts.
        pub async fn connect_tls(
            url: &SecretString,
            ca_pem: &[u8],
        ) -> Result<RedisStore, StoreError> {
            let certificates = redis::TlsCertificates {
                client_tls: None,
                root_cert: Some(ca_pem.to_vec()),
            };
            let client =
                redis::Client::build_with_tls(url.expose_secret(), certificates).map_err(|e| {
                    StoreError(format!(
                        "the Redis URL or CA is not usable: {}",
                        e.category()
                    ))
                })?;
            RedisStore::from_client(client).await
        }

        async fn from_client(client: redis::Client) -> Result<RedisStore, StoreError> {
            let config = redis::aio::ConnectionManagerConfig::new()
                .set_connection_timeout(Some(Duration::from_secs(2)))
                .set_response_timeout(Some(Duration::from_secs(2)));
            let connection = client
                .get_connection_manager_with_config(config)
                .await
                .map_err(|e| StoreError(format!("cannot connect to Redis: {}", e.category())))?;
            let (sender, _) = tokio::sync::broadcast::channel(256);
            let task = tokio::spawn(subscribe(client, sender.clone())).abort_handle();
            let mut store = RedisStore::over(Connection::Single(connection));
            store.notices = Some(Arc::new(Notices { sender, task }));
            Ok(store)
        }

        /// Connects to a Redis Cluster through any of its nodes. A record
        /// and its lease share a hash slot (`{...}` in their names), so the
        /// compare-and-set runs on one node.
        pub async fn connect_cluster(nodes: &[SecretString]) -> Result<RedisStore, StoreError> {
            let nodes: Vec<&str> = nodes.iter().map(|n| n.expose_secret()).collect();
            let client = redis::cluster::ClusterClientBuilder::new(nodes)
                .connection_timeout(Duration::from_secs(2))
                .response_timeout(Duration::from_secs(2))
                .build()
                .map_err(|e| {
                    StoreError(format!("the cluster URLs are not usable: {}", e.category()))
                })?;
            let connection = client.get_async_connection().await.map_err(|e| {
                StoreError(format!(
                    "cannot connect to the Redis Cluster: {}",
                    e.category()
                ))
            })?;
            Ok(RedisStore::over(Connection::Cluster(connection)))
        }

        fn over(connection: Connection) -> RedisStore {
            RedisStore {
                connection,
                publish: Arc::new(redis::Script::new(PUBLISH)),
                release: Arc::new(redis::Script::new(RELEASE)),
                notices: None,
            }
        }
    }

    fn failed(error: redis::RedisError) -> StoreError {
        // Redis errors quote commands at most, never our values.
        StoreError(format!("Redis: {}", error.category()))
    }

    impl SharedStore for RedisStore {
        fn load<'a>(&'a self, key: &'a str) -> StoreFuture<'a, Option<(u64, Vec<u8>)>> {
            Box::pin(async move {
                let mut connection = self.connection.clone();
                let (version, record): (Option<u64>, Option<Vec<u8>>) = redis::cmd("HMGET")
                    .arg(key)
                    .arg("v")
                    .arg("r")
                    .query_async(&mut connection)
                    .await
                    .map_err(failed)?;
                Ok(version.zip(record))
            })
        }

        fn lease<'a>(
            &'a self,
            key: &'a str,
            owner: &'a str,
            ttl: Duration,
        ) -> StoreFuture<'a, bool> {
            Box::pin(async move {
                let mut connection = self.connection.clone();
                let taken: Option<String> = redis::cmd("SET")
                    .arg(format!("{key}:lease"))
                    .arg(owner)
                    .arg("NX")
                    .arg("PX")
                    .arg(ttl.as_millis().max(1) as u64)
                    .query_async(&mut connection)
                    .await
                    .map_err(failed)?;
                Ok(taken.is_some())
            })
        }

        fn publish<'a>(
            &'a self,
            key: &'a str,
            owner: &'a str,
            expected: u64,
            sealed: Vec<u8>,
            keep: Duration,
        ) -> StoreFuture<'a, Option<u64>> {
            Box::pin(async move {
                let mut connection = self.connection.clone();
                let version: i64 = self
                    .publish
                    .key(key)
                    .key(format!("{key}:lease"))
                    .arg(owner)
                    .arg(expected)
                    .arg(sealed)
                    .arg(keep.as_millis().max(1) as u64)
                    .invoke_async(&mut connection)
                    .await
                    .map_err(failed)?;
                Ok(u64::try_from(version).ok())
            })
        }

        fn changed<'a>(&'a self, key: &'a str, within: Duration) -> StoreFuture<'a, ()> {
            Box::pin(async move {
                let Some(notices) = &self.notices else {
                    tokio::time::sleep(within).await;
                    return Ok(());
                };
                let mut receiver = notices.sender.subscribe();
                let notice = async {
                    loop {
                        match receiver.recv().await {
                            Ok(channel) if &*channel == key => return,
                            Ok(_) => {}
                            // Missed notices may include ours: read again.
                            Err(tokio::sync::broadcast::error::RecvError::Lagged(_)) => return,
                            Err(tokio::sync::broadcast::error::RecvError::Closed) => {
                                std::future::pending::<()>().await
                            }
                        }
                    }
                };
                let _ = tokio::time::timeout(within, notice).await;
                Ok(())
            })
        }

        fn release<'a>(&'a self, key: &'a str, owner: &'a str) -> StoreFuture<'a, ()> {
            Box::pin(async move {
                let mut connection = self.connection.clone();
                let _: i64 = self
                    .release
                    .key(format!("{key}:lease"))
                    .arg(owner)
                    .invoke_async(&mut connection)
                    .await
                    .map_err(failed)?;
                Ok(())
            })
        }
    }
}
