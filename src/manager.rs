//! Keeping a valid token for any generated vendor, under any load.
//!
//! The hot path is an [`ArcSwapOption`] load (a thread-local debt slot, no
//! shared write) and one atomic read of the token's phase: no lock, no
//! allocation, no clock read. The phase (fresh, refresh-ahead, expired) is
//! advanced by a timer task per token on tokio's monotonic clock, so callers
//! never do expiry arithmetic. Renewal is single-flight behind an async mutex
//! that only renewals and callers holding an expired token ever touch:
//!
//! - fresh token: returned at once;
//! - inside the (jittered) refresh-ahead window: returned at once, and the
//!   first such caller spawns one background renewal;
//! - expired or absent: every caller waits for the same single renewal.
//!
//! A renewal uses the vendor's refresh operation when there is one and the
//! refresh token is not known to be expired, falls back to a new token when the
//! refresh token is rejected, and retries transient failures (see
//! [`RetryPolicy`]). A failed renewal keeps serving the old token while it is
//! still valid.

use std::ops::Deref;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU8, AtomicU64, Ordering};
use std::time::Duration;

use arc_swap::{ArcSwapOption, Guard};
use reqwest::header::{HeaderName, HeaderValue};

use crate::authorize::Prepared;
use tokio::sync::Mutex;
use tokio::time::Instant;
use tracing::Instrument;

use crate::client::TokenClient;
use crate::error::Error;
use crate::retry::RetryPolicy;
use crate::store::Store;
use crate::token::Token;

/// How long the store keeps a record whose refresh token has no known
/// expiry: it outlives its access token, for the next renewal.
const RECORD_WITH_REFRESH_TOKEN: Duration = Duration::from_secs(30 * 24 * 3600);

/// How long the store keeps `token`'s record: while its refresh token can
/// renew it, else while the token lives, plus a minute.
fn record_lifetime(token: &Token) -> Duration {
    let now = Instant::now();
    let keep = match token.refresh_token_expires_at() {
        Some(at) => at.saturating_duration_since(now),
        None if token.refresh_token().is_some() => RECORD_WITH_REFRESH_TOKEN,
        None => token.remaining(now),
    };
    keep + Duration::from_secs(60)
}

/// Refresh-ahead window used when neither the spec nor the builder sets one.
const DEFAULT_REFRESH_AHEAD: Duration = Duration::from_secs(60);
/// After a background renewal fails, the next one waits this long.
const BACKGROUND_COOLDOWN: Duration = Duration::from_secs(5);

/// A cached token with its ready-made header, as the hot path hands it out.
#[derive(Debug)]
pub struct CachedToken {
    token: Token,
    /// What API calls carry, evaluated once for this token.
    prepared: Prepared,
    /// From here on, a background renewal starts.
    refresh_at: Instant,
    /// From here on, the token is not used (its expiry less a skew margin).
    expires_at: Instant,
    generation: u64,
    /// FRESH, then AHEAD at `refresh_at`, then EXPIRED at `expires_at`.
    phase: AtomicU8,
    /// The API answered 401 to a request replayed with this token just after
    /// it was fetched: the API, not the token, is refusing, and further 401s
    /// must not fetch a token per call.
    rejected_fresh: AtomicBool,
    /// The task that advances `phase`; stopped when the token is dropped,
    /// so that replaced tokens leave no sleeping task behind.
    timer: std::sync::OnceLock<tokio::task::AbortHandle>,
}

impl Drop for CachedToken {
    fn drop(&mut self) {
        if let Some(timer) = self.timer.get() {
            timer.abort();
        }
    }
}

const FRESH: u8 = 0;
const AHEAD: u8 = 1;
const EXPIRED: u8 = 2;

impl CachedToken {
    /// The token.
    pub fn token(&self) -> &Token {
        &self.token
    }

    /// The headers fixed for this token's life, in spec order, ready to
    /// clone into requests. Per-request headers are not in it.
    pub fn headers(&self) -> &[(HeaderName, HeaderValue)] {
        self.prepared.headers()
    }

    /// One of those headers by name (any case), e.g. `authorization`.
    pub fn header(&self, name: &str) -> Option<&HeaderValue> {
        self.prepared.header(name)
    }

    /// When a background renewal starts.
    pub fn refresh_at(&self) -> Instant {
        self.refresh_at
    }

    /// When the manager stops using this token.
    pub fn expires_at(&self) -> Instant {
        self.expires_at
    }

    /// Counts renewals: each new token has a higher generation.
    pub fn generation(&self) -> u64 {
        self.generation
    }
}

/// A borrowed handle on the current token, as [`TokenManager::token`] returns
/// it. Derefs to [`CachedToken`]. Holding it is cheap but meant to be short
/// (the length of a request); [`TokenRef::to_arc`] gives an owned handle.
pub struct TokenRef(Handle);

enum Handle {
    /// The hot path: an `arc-swap` guard, which costs no reference-count write.
    Guard(Guard<Option<Arc<CachedToken>>>),
    /// After a renewal.
    Owned(Arc<CachedToken>),
}

impl TokenRef {
    /// An owned handle, for keeping the token beyond a request.
    pub fn to_arc(&self) -> Arc<CachedToken> {
        match &self.0 {
            Handle::Guard(guard) => Arc::clone(
                guard
                    .as_ref()
                    .expect("a guard is only handed out for a token"),
            ),
            Handle::Owned(arc) => Arc::clone(arc),
        }
    }
}

impl Deref for TokenRef {
    type Target = CachedToken;

    fn deref(&self) -> &CachedToken {
        match &self.0 {
            Handle::Guard(guard) => guard
                .as_deref()
                .expect("a guard is only handed out for a token"),
            Handle::Owned(arc) => arc,
        }
    }
}

impl std::fmt::Debug for TokenRef {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        CachedToken::fmt(self, f)
    }
}

/// Settings of a [`TokenManager`].
#[derive(Debug, Clone)]
pub struct TokenManagerBuilder {
    refresh_ahead: Option<Duration>,
    jitter: f64,
    expiry_margin: Duration,
    retry: RetryPolicy,
    store: Option<Store>,
}

impl Default for TokenManagerBuilder {
    fn default() -> Self {
        TokenManagerBuilder {
            refresh_ahead: None,
            jitter: 0.25,
            expiry_margin: Duration::from_secs(5),
            retry: RetryPolicy::default(),
            store: None,
        }
    }
}

impl TokenManagerBuilder {
    /// How long before expiry to renew in the background. Defaults to the
    /// spec's `refresh_ahead_seconds`, else 60 s; never more than half a
    /// token's lifetime.
    pub fn refresh_ahead(mut self, window: Duration) -> Self {
        self.refresh_ahead = Some(window);
        self
    }

    /// The window is widened by a random fraction up to this (default 0.25),
    /// so that a fleet of processes does not renew in lockstep.
    pub fn jitter(mut self, fraction: f64) -> Self {
        // `clamp` keeps a NaN, which would panic in the window arithmetic.
        self.jitter = if fraction.is_nan() {
            0.0
        } else {
            fraction.clamp(0.0, 1.0)
        };
        self
    }

    /// A token counts as expired this long (at most a tenth of its lifetime)
    /// before the vendor's expiry, which absorbs clock skew and latency.
    /// Default 5 s.
    pub fn expiry_margin(mut self, margin: Duration) -> Self {
        self.expiry_margin = margin;
        self
    }

    /// How failed fetches are retried (default: `RetryPolicy::default()`).
    pub fn retry(mut self, policy: RetryPolicy) -> Self {
        self.retry = policy;
        self
    }

    /// Shares tokens with every process using the same store and key: one
    /// renewal per fleet instead of one per process (see [`Store`]).
    pub fn store(mut self, store: Store) -> Self {
        self.store = Some(store);
        self
    }

    /// The manager for `client`. Nothing is fetched until a token is first asked for.
    pub fn build<C: TokenClient + 'static>(self, client: C) -> TokenManager<C> {
        let refresh_ahead = self
            .refresh_ahead
            .or(client.refresh_ahead())
            .unwrap_or(DEFAULT_REFRESH_AHEAD);
        let background_task = Arc::new(std::sync::Mutex::new(None));
        TokenManager {
            owners: Some(Arc::new(Owners {
                background_task: Arc::clone(&background_task),
            })),
            inner: Arc::new(Inner {
                background_task,
                client,
                refresh_ahead,
                jitter: self.jitter,
                expiry_margin: self.expiry_margin,
                retry: self.retry,
                current: ArcSwapOption::empty(),
                background: AtomicBool::new(false),
                epoch: Instant::now(),
                background_not_before: AtomicU64::new(0),
                renewal: Mutex::new(RenewalState::default()),
                finished_renewals: AtomicU64::new(0),
                revocations: AtomicU64::new(0),
                store: self.store,
                record_key: std::sync::OnceLock::new(),
            }),
        }
    }
}

/// Keeps a valid token of one vendor for any number of tasks. Cheap to clone;
/// clones share the token.
///
/// ```no_run
/// # async fn run() -> Result<(), vendor_auth::Error> {
/// use vendor_auth::{TokenManager, revoiceit};
/// let client = revoiceit::Client::new(revoiceit::Config::default(), revoiceit::Credentials::new("id", "secret"))?;
/// let tokens = TokenManager::new(client);
/// let response = tokens.send(reqwest::Client::new().get("https://api.revoiceit.com/v1/projects")).await?;
/// # let _ = response; Ok(()) }
/// ```
pub struct TokenManager<C> {
    inner: Arc<Inner<C>>,
    /// Shared by the application's handles only (the manager's own tasks
    /// hold none): when the last is dropped, an in-flight background
    /// renewal is stopped rather than finished for nobody.
    owners: Option<Arc<Owners>>,
}

impl<C> Clone for TokenManager<C> {
    fn clone(&self) -> Self {
        TokenManager {
            inner: Arc::clone(&self.inner),
            owners: self.owners.clone(),
        }
    }
}

struct Owners {
    background_task: Arc<std::sync::Mutex<Option<tokio::task::AbortHandle>>>,
}

impl Drop for Owners {
    fn drop(&mut self) {
        let task = self
            .background_task
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .take();
        if let Some(task) = task {
            task.abort();
        }
    }
}

impl<C: TokenClient> std::fmt::Debug for TokenManager<C> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TokenManager")
            .field("vendor", &self.inner.client.vendor())
            .field("refresh_ahead", &self.inner.refresh_ahead)
            .field(
                "current",
                &self.inner.current.load().as_ref().map(|c| c.generation),
            )
            .finish_non_exhaustive()
    }
}

struct Inner<C> {
    client: C,
    refresh_ahead: Duration,
    jitter: f64,
    expiry_margin: Duration,
    retry: RetryPolicy,
    current: ArcSwapOption<CachedToken>,
    /// A background renewal is in flight.
    background: AtomicBool,
    /// Its task, to stop when the application drops the manager.
    background_task: Arc<std::sync::Mutex<Option<tokio::task::AbortHandle>>>,
    epoch: Instant,
    /// Nanoseconds after `epoch` before which no background renewal starts.
    background_not_before: AtomicU64,
    renewal: Mutex<RenewalState>,
    /// Renewals finished (successfully or not), for waiters to tell whether
    /// one finished while they queued.
    finished_renewals: AtomicU64,
    /// Revocations so far: a renewal queued before one must not refill the
    /// cache with a token nobody will revoke.
    revocations: AtomicU64,
    /// The fleet's shared store, if any.
    store: Option<Store>,
    /// This client's record name in the store, computed once.
    record_key: std::sync::OnceLock<String>,
}

#[derive(Default)]
struct RenewalState {
    generation: u64,
    /// The error of the last renewal and its number, shared with every
    /// caller that queued for it, so that N waiters do not make N requests.
    last_failure: Option<(u64, Error)>,
}

impl TokenManager<()> {
    /// Settings for a manager; finish with [`TokenManagerBuilder::build`].
    pub fn builder() -> TokenManagerBuilder {
        TokenManagerBuilder::default()
    }
}

impl<C: TokenClient + 'static> TokenManager<C> {
    /// A manager with the default settings (see [`TokenManagerBuilder`]).
    pub fn new(client: C) -> Self {
        TokenManagerBuilder::default().build(client)
    }

    /// The client the manager renews tokens with.
    pub fn client(&self) -> &C {
        &self.inner.client
    }

    /// A valid token: the cached one while it is fresh (lock-free, no
    /// allocation), else the result of the one renewal all callers share.
    pub async fn token(&self) -> Result<TokenRef, Error> {
        let guard = self.inner.current.load();
        if let Some(cached) = guard.as_deref() {
            match cached.phase.load(Ordering::Acquire) {
                FRESH => return Ok(TokenRef(Handle::Guard(guard))),
                AHEAD => {
                    self.renew_in_background();
                    return Ok(TokenRef(Handle::Guard(guard)));
                }
                _ => {}
            }
        }
        drop(guard);
        self.renew(RenewalKind::Needed)
            .await
            .map(|arc| TokenRef(Handle::Owned(arc)))
    }

    /// The cached token without waiting, if it is still usable.
    pub fn cached(&self) -> Option<Arc<CachedToken>> {
        self.inner
            .current
            .load_full()
            .filter(|cached| cached.phase.load(Ordering::Acquire) != EXPIRED)
    }

    /// Adds the token header and the spec's per-request headers (e.g. a fresh
    /// `Request-ID`) to `request`.
    pub async fn authorize(
        &self,
        request: reqwest::RequestBuilder,
    ) -> Result<reqwest::RequestBuilder, Error> {
        let cached = self.token().await?;
        self.decorate(request, &cached)
    }

    /// Sends `request` authorized. If the API answers 401 and the token used
    /// is still the cached one, it is dropped, a new one fetched, and the
    /// request replayed once (when its body can be cloned); the second answer
    /// is returned whatever it is.
    pub async fn send(&self, request: reqwest::RequestBuilder) -> Result<reqwest::Response, Error> {
        let (client, request) = request.build_split();
        let request = request.map_err(|e| self.api_error(e))?;
        self.send_with(request, |request| {
            let client = client.clone();
            async move { client.execute(request).await }
        })
        .await
        .map_err(|e| match e {
            SendError::Token(error) => error,
            SendError::Send(error) => self.api_error(error),
        })
    }

    /// Authorizes `request` and sends it with `send`; on a 401 with the
    /// cached token, renews it and replays once (when the body can be
    /// cloned). The one policy behind [`send`](Self::send) and the
    /// middleware integrations.
    pub(crate) async fn send_with<E, F, Fut>(
        &self,
        mut request: reqwest::Request,
        send: F,
    ) -> Result<reqwest::Response, SendError<E>>
    where
        F: Fn(reqwest::Request) -> Fut,
        Fut: std::future::Future<Output = Result<reqwest::Response, E>>,
    {
        let replay = request.try_clone();
        // Owned, so that no arc-swap guard is pinned while the request is in flight.
        let cached = self.token().await.map_err(SendError::Token)?.to_arc();
        self.decorate_request(&mut request, &cached)
            .map_err(SendError::Token)?;
        let response = send(request).await.map_err(SendError::Send)?;
        if response.status() != reqwest::StatusCode::UNAUTHORIZED {
            return Ok(response);
        }
        let Some(mut replay) = replay else {
            return Ok(response);
        };
        if cached.rejected_fresh.load(Ordering::Acquire) {
            // A new token did not help last time: no token request per call
            // while the API refuses; the token renews on its own schedule.
            return Ok(response);
        }
        tracing::info!(
            vendor = self.inner.client.vendor(),
            generation = cached.generation,
            "API answered 401; renewing the token and replaying once"
        );
        self.invalidate(&cached);
        drop(cached);
        let fresh = self.token().await.map_err(SendError::Token)?;
        self.decorate_request(&mut replay, &fresh)
            .map_err(SendError::Token)?;
        let response = send(replay).await.map_err(SendError::Send)?;
        if response.status() == reqwest::StatusCode::UNAUTHORIZED {
            fresh.rejected_fresh.store(true, Ordering::Release);
        }
        Ok(response)
    }

    /// Authorizes an `http::Request` with the current token, which it
    /// returns so that a 401 can invalidate it.
    #[cfg(feature = "tower")]
    pub(crate) async fn authorize_http<B>(
        &self,
        request: &mut http::Request<B>,
    ) -> Result<Arc<CachedToken>, Error> {
        let cached = self.token().await?.to_arc();
        let client = &self.inner.client;
        crate::authorize::apply_to_http(
            client.api_authorization(),
            request,
            &cached.prepared,
            || client.scope(Some(&cached.token)),
        )?;
        Ok(cached)
    }

    fn decorate_request(
        &self,
        request: &mut reqwest::Request,
        cached: &CachedToken,
    ) -> Result<(), Error> {
        let client = &self.inner.client;
        crate::authorize::apply_to_request(
            client.api_authorization(),
            request,
            &cached.prepared,
            || client.scope(Some(&cached.token)),
        )
    }

    /// Drops `rejected` from the cache, unless a newer token already replaced
    /// it (which is kept).
    pub fn invalidate(&self, rejected: &CachedToken) {
        let previous = self
            .inner
            .current
            .compare_and_swap(rejected as *const CachedToken, None);
        if previous
            .as_deref()
            .is_some_and(|p| std::ptr::eq(p, rejected))
        {
            tracing::debug!(
                vendor = self.inner.client.vendor(),
                generation = rejected.generation,
                "token invalidated"
            );
        }
    }

    /// Makes `token` the current token: for this process, and with a store
    /// for the whole fleet (e.g. the first refresh token of a consent flow,
    /// obtained outside the client). Renewals then start from it.
    pub async fn seed(&self, token: Token) -> Result<(), Error> {
        let inner = &self.inner;
        let mut state = inner.renewal.lock().await;
        if let Some(store) = &inner.store {
            let key = self.record_key(store);
            let owner = uuid::Uuid::new_v4().simple().to_string();
            let unavailable = |why: String| Error::Config {
                vendor: inner.client.vendor(),
                message: format!("the token could not be seeded into the store: {why}"),
            };
            let deadline = Instant::now() + store.lease_ttl * 2;
            loop {
                match store
                    .call(store.backend.lease(key, &owner, store.lease_ttl))
                    .await
                {
                    Ok(true) => break,
                    Ok(false) if Instant::now() < deadline => {
                        tokio::time::sleep(Duration::from_millis(50)).await;
                    }
                    Ok(false) => return Err(unavailable("another process holds the lease".into())),
                    Err(error) => return Err(unavailable(error.to_string())),
                }
            }
            let version = match store.call(store.backend.load(key)).await {
                Ok(record) => record.map_or(0, |(version, _)| version),
                Err(error) => {
                    let _ = store.call(store.backend.release(key, &owner)).await;
                    return Err(unavailable(error.to_string()));
                }
            };
            let sealed = store.seal(key, &token);
            let keep = record_lifetime(&token);
            let published = store
                .call(store.backend.publish(key, &owner, version, sealed, keep))
                .await;
            let _ = store.call(store.backend.release(key, &owner)).await;
            match published {
                Ok(Some(_)) => store.stats.published.fetch_add(1, Ordering::Relaxed),
                Ok(None) => return Err(unavailable("the record changed meanwhile".into())),
                Err(error) => return Err(unavailable(error.to_string())),
            };
        }
        state.generation += 1;
        let cached = self.cache(token, state.generation)?;
        inner.current.store(Some(Arc::clone(&cached)));
        start_phase_timer(&cached);
        Ok(())
    }

    /// This client's record name in the store, computed once.
    fn record_key<'s>(&'s self, store: &Store) -> &'s str {
        let inner = &self.inner;
        inner.record_key.get_or_init(|| {
            let mut material = inner.client.scope(None).identity_material();
            if let Some(url) = inner.client.base_url() {
                material.push(0);
                material.extend_from_slice(url.as_str().as_bytes());
            }
            store.record_key(inner.client.vendor(), &material)
        })
    }

    /// Revokes the cached token where the vendor supports it, and evicts it.
    pub async fn revoke(&self) -> Result<(), Error> {
        let _renewal = self.inner.renewal.lock().await;
        self.inner.revocations.fetch_add(1, Ordering::AcqRel);
        let Some(cached) = self.inner.current.swap(None) else {
            return Ok(());
        };
        if !self.inner.client.supports_revoke() {
            return Ok(());
        }
        let span = tracing::info_span!(
            "vendor_auth.revoke",
            vendor = self.inner.client.vendor(),
            generation = cached.generation
        );
        self.inner
            .client
            .revoke_token(&cached.token)
            .instrument(span)
            .await
    }

    fn decorate(
        &self,
        request: reqwest::RequestBuilder,
        cached: &CachedToken,
    ) -> Result<reqwest::RequestBuilder, Error> {
        let client = &self.inner.client;
        crate::authorize::apply(
            client.api_authorization(),
            request,
            &cached.prepared,
            || client.scope(Some(&cached.token)),
        )
    }

    fn api_error(&self, source: reqwest::Error) -> Error {
        Error::Transport {
            vendor: self.inner.client.vendor(),
            operation: "api call",
            timeout: source.is_timeout(),
            source: Arc::new(source.without_url()),
        }
    }

    fn renew_in_background(&self) {
        let inner = &self.inner;
        // Every caller in the window gets here: keep it to plain loads until
        // one of them may start the renewal.
        if inner.background.load(Ordering::Relaxed) {
            return;
        }
        let not_before = inner.background_not_before.load(Ordering::Relaxed);
        if not_before > 0 && nanos_since(inner.epoch, Instant::now()) < not_before {
            return;
        }
        if inner
            .background
            .compare_exchange(false, true, Ordering::AcqRel, Ordering::Relaxed)
            .is_err()
        {
            return;
        }
        // The task's own handle is not an owner: it must not keep the
        // renewal alive once the application has dropped every handle.
        let this = TokenManager {
            inner: Arc::clone(&self.inner),
            owners: None,
        };
        let mut slot = inner
            .background_task
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let task = tokio::spawn(async move {
            // Whatever ends the renewal, a panic in a client included, the
            // flag is reset: otherwise refresh-ahead would stay off for the
            // manager's life.
            let _reset = ResetOnDrop {
                flag: &this.inner.background,
                vendor: this.inner.client.vendor(),
            };
            let result = this.renew(RenewalKind::Ahead).await;
            if let Err(error) = result {
                // The old token is still valid: keep serving it, try later.
                let retry_at = nanos_since(this.inner.epoch, Instant::now() + BACKGROUND_COOLDOWN);
                this.inner
                    .background_not_before
                    .store(retry_at, Ordering::Relaxed);
                tracing::warn!(vendor = this.inner.client.vendor(), error = %error, "background renewal failed; serving the current token while it is valid");
            }
        });
        *slot = Some(task.abort_handle());
    }

    async fn renew(&self, kind: RenewalKind) -> Result<Arc<CachedToken>, Error> {
        let inner = &self.inner;
        let finished_before = inner.finished_renewals.load(Ordering::Acquire);
        let revocations_before = inner.revocations.load(Ordering::Acquire);
        let mut state = inner.renewal.lock().await;
        if inner.revocations.load(Ordering::Acquire) != revocations_before {
            return Err(Error::Revoked {
                vendor: inner.client.vendor(),
            });
        }

        // Whoever held the lock may have done the work already.
        if let Some(cached) = inner.current.load_full() {
            let now = Instant::now();
            let good_enough = match kind {
                RenewalKind::Needed => now < cached.expires_at,
                RenewalKind::Ahead => now < cached.refresh_at,
            };
            // A renewal that finished while this caller queued is shared
            // by every caller that waited for it, even when its token is
            // too short-lived to cache (`expires_in: 0`): they get what the
            // vendor issued, and only a caller arriving afterwards asks
            // again. Otherwise a herd would make one request per caller.
            let shared = kind == RenewalKind::Needed
                && state.last_failure.is_none()
                && inner.finished_renewals.load(Ordering::Acquire) > finished_before;
            if good_enough || shared {
                return Ok(cached);
            }
        }
        if let Some((number, error)) = &state.last_failure
            && *number > finished_before
            && kind == RenewalKind::Needed
        {
            return Err(error.clone());
        }

        let current = inner.current.load_full();
        let span = tracing::info_span!(
            "vendor_auth.renew",
            vendor = inner.client.vendor(),
            kind = kind.name()
        );
        let result = match &inner.store {
            Some(store) => {
                self.obtain_shared(store, current.as_deref().map(|c| &c.token))
                    .instrument(span)
                    .await
            }
            None => {
                self.obtain(current.as_deref().map(|c| &c.token))
                    .instrument(span)
                    .await
            }
        };
        let number = inner.finished_renewals.load(Ordering::Relaxed) + 1;
        let result = result.and_then(|token| {
            state.generation += 1;
            self.cache(token, state.generation)
        });
        let outcome = match result {
            Ok(cached) => {
                state.last_failure = None;
                inner.current.store(Some(Arc::clone(&cached)));
                start_phase_timer(&cached);
                Ok(cached)
            }
            Err(error) => {
                state.last_failure = Some((number, error.clone()));
                Err(error)
            }
        };
        inner.finished_renewals.store(number, Ordering::Release);
        outcome
    }

    /// A new token: by refresh where possible, else (or when the refresh
    /// token is rejected) by a new token request.
    async fn obtain(&self, current: Option<&Token>) -> Result<Token, Error> {
        self.obtain_rereading(current, None).await
    }

    /// [`obtain`](Self::obtain); with a store, a refresh token the vendor
    /// rejects sends this process to the store first: a sibling may have
    /// rotated it, and its newer record is used instead of a new login.
    async fn obtain_rereading(
        &self,
        current: Option<&Token>,
        store: Option<(&Store, &str)>,
    ) -> Result<Token, Error> {
        let inner = &self.inner;
        let client = &inner.client;
        let vendor = client.vendor();
        if let Some(current) = current
            && client.supports_refresh()
            && client.can_refresh(current, Instant::now())
        {
            let refreshed = inner
                .retry
                .run(vendor, "refresh", || client.refresh_token(current))
                .await;
            match refreshed {
                Ok(token) => {
                    tracing::info!(vendor, "token refreshed");
                    return Ok(token);
                }
                Err(error)
                    if error.is_rejection()
                        || matches!(error, Error::MissingRefreshToken { .. }) =>
                {
                    if let Some((store, key)) = store
                        && let Ok(Some((version, sealed))) =
                            store.call(store.backend.load(key)).await
                        && let Some(token) = store.open(key, &sealed)
                        && token.expires_at() > current.expires_at()
                        && token.remaining(Instant::now())
                            > inner.expiry_margin.min(token.lifetime() / 10)
                    {
                        store.stats.adopted.fetch_add(1, Ordering::Relaxed);
                        tracing::info!(
                            vendor,
                            version,
                            "refresh token rejected; a sibling's newer token from the store is used"
                        );
                        return Ok(token);
                    }
                    tracing::info!(vendor, error = %error, "refresh token rejected; requesting a new token");
                }
                Err(error) => return Err(error),
            }
        }
        let token = inner
            .retry
            .run(vendor, "token", || client.fetch_token())
            .await?;
        tracing::info!(
            vendor,
            lifetime_s = token.lifetime().as_secs(),
            "token fetched"
        );
        Ok(token)
    }

    /// A new token for the fleet: a sibling's newer record if the store
    /// has one; else, holding the store's lease, from the vendor (refreshing
    /// with the fleet's newest refresh token), published for the others;
    /// else the record the lease holder publishes. Whenever the store does
    /// not answer in time, the renewal goes on in-process.
    async fn obtain_shared(&self, store: &Store, current: Option<&Token>) -> Result<Token, Error> {
        let inner = &self.inner;
        let vendor = inner.client.vendor();
        let key = self.record_key(store);
        let fall_back = |why: &dyn std::fmt::Display| {
            store.stats.fallbacks.fetch_add(1, Ordering::Relaxed);
            tracing::warn!(vendor, reason = %why, "token store unavailable; renewing in-process");
        };
        // A record is worth adopting if it outlives what this process has,
        // by more than the expiry margin.
        // The margin is the one the cache applies (at most a tenth of the
        // token's lifetime), so that a short-lived token is not refused here
        // and then renewed by every process.
        let newer = |token: &Token| {
            let margin = inner.expiry_margin.min(token.lifetime() / 10);
            token.remaining(Instant::now()) > margin
                && current.is_none_or(|c| token.expires_at() > c.expires_at())
        };

        let (version, stored) = match store.call(store.backend.load(key)).await {
            Ok(Some((version, sealed))) => match store.open(key, &sealed) {
                Some(token) if newer(&token) => {
                    store.stats.adopted.fetch_add(1, Ordering::Relaxed);
                    tracing::info!(vendor, version, "token adopted from the store");
                    return Ok(token);
                }
                Some(token) => (version, Some(token)),
                None => {
                    store.stats.rejected_records.fetch_add(1, Ordering::Relaxed);
                    tracing::warn!(
                        vendor,
                        version,
                        "a stored record does not open (tampered, or sealed with another key); replacing it"
                    );
                    (version, None)
                }
            },
            Ok(None) => (0, None),
            Err(error) => {
                fall_back(&error);
                return self.obtain_rereading(current, Some((store, key))).await;
            }
        };

        let owner = uuid::Uuid::new_v4().simple().to_string();
        let (mut known, mut stored) = (version, stored);
        // Long enough for a lease holder to finish, or for the lease of one
        // that died to run out and be taken over here.
        let deadline = Instant::now() + store.lease_ttl * 2 + Duration::from_secs(1);
        let mut delay = Duration::from_millis(20);
        loop {
            match store
                .call(store.backend.lease(key, &owner, store.lease_ttl))
                .await
            {
                Ok(true) => {
                    // Another process may have renewed between the last
                    // read and this lease: read again before asking the
                    // vendor, so that only the newest refresh token is
                    // presented and the compare-and-set expects the right
                    // version.
                    match store.call(store.backend.load(key)).await {
                        Ok(Some((newest, sealed))) if newest > known => {
                            known = newest;
                            stored = store.open(key, &sealed);
                            if let Some(token) = stored.take_if(|t| newer(t)) {
                                let _ = store.call(store.backend.release(key, &owner)).await;
                                store.stats.adopted.fetch_add(1, Ordering::Relaxed);
                                tracing::info!(
                                    vendor,
                                    version = newest,
                                    "token adopted from the store"
                                );
                                return Ok(token);
                            }
                        }
                        Ok(_) => {}
                        Err(error) => {
                            let _ = store.call(store.backend.release(key, &owner)).await;
                            fall_back(&error);
                            return self.obtain_rereading(current, Some((store, key))).await;
                        }
                    }
                    return self
                        .renew_as_lease_holder(store, key, &owner, known, stored.as_ref(), current)
                        .await;
                }
                Ok(false) => {}
                Err(error) => {
                    fall_back(&error);
                    return self.obtain_rereading(current, Some((store, key))).await;
                }
            }
            // Another process renews: wait for its record, never asking the
            // vendor meanwhile.
            if Instant::now() >= deadline {
                fall_back(&"no record appeared while another process held the lease");
                return self.obtain_rereading(current, Some((store, key))).await;
            }
            // Woken by the store's change notice where it sends them, else
            // after the delay: a bounded poll.
            let _ = store.backend.changed(key, delay).await;
            delay = (delay * 2).min(Duration::from_millis(200));
            match store.call(store.backend.load(key)).await {
                Ok(Some((newest, sealed))) if newest > known => {
                    known = newest;
                    stored = store.open(key, &sealed);
                    if let Some(token) = stored.take_if(|t| newer(t)) {
                        store.stats.adopted.fetch_add(1, Ordering::Relaxed);
                        tracing::info!(vendor, version = newest, "token adopted from the store");
                        return Ok(token);
                    }
                }
                Ok(_) => {}
                Err(error) => {
                    fall_back(&error);
                    return self.obtain_rereading(current, Some((store, key))).await;
                }
            }
        }
    }

    /// Holding the lease: a token from the vendor, renewed from the fleet's
    /// newest refresh token, published at `version + 1` for the others.
    async fn renew_as_lease_holder(
        &self,
        store: &Store,
        key: &str,
        owner: &str,
        version: u64,
        stored: Option<&Token>,
        current: Option<&Token>,
    ) -> Result<Token, Error> {
        let vendor = self.inner.client.vendor();
        // Under the lease the store's record is the fleet's newest token:
        // every renewal publishes there. Its refresh token is the one to
        // present; this process's own may have been rotated away by a
        // sibling (comparing expiries across processes is not enough: their
        // clocks and rounding differ by more than a short token lives).
        let base = stored.or(current);
        let result = self.obtain_rereading(base, Some((store, key))).await;
        if let Ok(token) = &result {
            let keep = record_lifetime(token);
            let sealed = store.seal(key, token);
            match store
                .call(store.backend.publish(key, owner, version, sealed, keep))
                .await
            {
                Ok(Some(version)) => {
                    store.stats.published.fetch_add(1, Ordering::Relaxed);
                    tracing::info!(vendor, version, "token published to the store");
                }
                Ok(None) => tracing::warn!(
                    vendor,
                    "the store's lease or record changed during the renewal; the token is kept in-process"
                ),
                Err(error) => {
                    tracing::warn!(vendor, error = %error, "the token could not be published to the store")
                }
            }
        }
        let _ = store.call(store.backend.release(key, owner)).await;
        result
    }

    fn cache(&self, token: Token, generation: u64) -> Result<Arc<CachedToken>, Error> {
        let inner = &self.inner;
        let prepared = inner
            .client
            .api_authorization()
            .prepare(&inner.client.scope(Some(&token)))?;
        let lifetime = token.lifetime();
        let margin = inner.expiry_margin.min(lifetime / 10);
        let expires_at = token.expires_at() - margin;
        let window = inner.refresh_ahead.min(lifetime / 2);
        let window = window
            .mul_f64(1.0 + inner.jitter * fastrand::f64())
            .min(expires_at - token.received_at());
        Ok(Arc::new(CachedToken {
            prepared,
            refresh_at: expires_at - window,
            expires_at,
            generation,
            phase: AtomicU8::new(FRESH),
            timer: std::sync::OnceLock::new(),
            rejected_fresh: AtomicBool::new(false),
            token,
        }))
    }
}

/// Why [`TokenManager::send_with`] failed: no token, or the sending.
pub(crate) enum SendError<E> {
    Token(Error),
    Send(E),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum RenewalKind {
    /// Inside the refresh-ahead window, in the background.
    Ahead,
    /// No usable token: callers are waiting.
    Needed,
}

impl RenewalKind {
    fn name(self) -> &'static str {
        match self {
            RenewalKind::Ahead => "ahead",
            RenewalKind::Needed => "needed",
        }
    }
}

/// Moves the token's phase on at its deadlines. The task holds only a weak
/// reference, so a replaced token (and its secret) is dropped at once.
/// Clears the background-renewal flag when the renewal ends, however it ends.
struct ResetOnDrop<'a> {
    flag: &'a AtomicBool,
    vendor: &'static str,
}

impl Drop for ResetOnDrop<'_> {
    fn drop(&mut self) {
        if std::thread::panicking() {
            tracing::error!(
                vendor = self.vendor,
                "background renewal panicked; the next caller in the window starts another"
            );
        }
        self.flag.store(false, Ordering::Release);
    }
}

fn start_phase_timer(cached: &Arc<CachedToken>) {
    let now = Instant::now();
    let initial = if now >= cached.expires_at {
        EXPIRED
    } else if now >= cached.refresh_at {
        AHEAD
    } else {
        FRESH
    };
    cached.phase.store(initial, Ordering::Release);
    if initial == EXPIRED {
        return;
    }
    let token = Arc::downgrade(cached);
    let (refresh_at, expires_at) = (cached.refresh_at, cached.expires_at);
    let timer = tokio::spawn(async move {
        for (deadline, phase) in [(refresh_at, AHEAD), (expires_at, EXPIRED)] {
            tokio::time::sleep_until(deadline).await;
            match token.upgrade() {
                Some(cached) => cached.phase.store(phase, Ordering::Release),
                None => return,
            }
        }
    });
    let _ = cached.timer.set(timer.abort_handle());
}

fn nanos_since(epoch: Instant, at: Instant) -> u64 {
    u64::try_from(at.saturating_duration_since(epoch).as_nanos()).unwrap_or(u64::MAX)
}
