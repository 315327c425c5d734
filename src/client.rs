//! The trait every generated client implements, so that code written once
//! (a token cache, a CLI, a health check) works for every vendor.

use std::future::Future;
use std::time::Duration;

use crate::authorize::{ApiAuthorization, Authorizer};
use crate::error::Error;
use crate::token::{Token, TokenParts, normalize_at};
use crate::value::Scope;
use secrecy::{ExposeSecret, SecretString};

/// A vendor's token endpoints behind one interface.
///
/// Implemented by each generated `Client`; the operations a spec does not
/// declare answer [`Error::Unsupported`].
pub trait TokenClient: Send + Sync {
    /// The vendor's name, as used in errors and logs.
    fn vendor(&self) -> &'static str;

    /// Obtains a new token with the credentials.
    fn fetch_token(&self) -> impl Future<Output = Result<Token, Error>> + Send;

    /// Whether [`refresh_token`](Self::refresh_token) is backed by an endpoint.
    fn supports_refresh(&self) -> bool {
        false
    }

    /// Whether `token` can be renewed by [`refresh_token`](Self::refresh_token)
    /// at `now`. By default: it holds a refresh token not known to be
    /// expired. A vendor whose renewal sends the still-valid access token
    /// itself (Vault's renew-self) renews while the token is unexpired.
    fn can_refresh(&self, token: &Token, now: tokio::time::Instant) -> bool {
        token.can_refresh(now)
    }

    /// Exchanges `current`'s refresh token for a new token. The result keeps
    /// `current`'s refresh token when the vendor does not send a new one.
    ///
    /// One lifetime for both borrows, so that an implementation's future may
    /// hold both.
    fn refresh_token<'a>(
        &'a self,
        current: &'a Token,
    ) -> impl Future<Output = Result<Token, Error>> + Send + 'a {
        let _ = current;
        let vendor = self.vendor();
        async move {
            Err(Error::Unsupported {
                vendor,
                operation: "refresh",
            })
        }
    }

    /// Whether [`revoke_token`](Self::revoke_token) is backed by an endpoint.
    fn supports_revoke(&self) -> bool {
        false
    }

    /// Revokes `token` (the refresh or access token, as the vendor documents).
    fn revoke_token<'a>(
        &'a self,
        token: &'a Token,
    ) -> impl Future<Output = Result<(), Error>> + Send + 'a {
        let _ = token;
        let vendor = self.vendor();
        async move {
            Err(Error::Unsupported {
                vendor,
                operation: "revoke",
            })
        }
    }

    /// How API calls carry the token, as the spec declares it.
    fn api_authorization(&self) -> &'static ApiAuthorization;

    /// The values the spec's templates read: the client's credentials and
    /// configuration, and `token` as the current token. Clients without
    /// credentials or configuration need not implement it.
    fn scope<'a>(&'a self, token: Option<&'a Token>) -> Scope<'a> {
        Scope::new(self.vendor(), Vec::new(), Vec::new(), token)
    }

    /// Authorizes API calls with a token: `authorization().apply(request, &token)`
    /// or `authorization().headers(&token)`.
    fn authorization(&self) -> Authorizer<'_, Self> {
        Authorizer { client: self }
    }

    /// The base URL the client's operations go to, which tells its
    /// environments apart (a shared store keys records by it).
    fn base_url(&self) -> Option<&reqwest::Url> {
        None
    }

    /// How long before expiry the vendor asks tokens to be renewed, if it says.
    fn refresh_ahead(&self) -> Option<Duration> {
        None
    }
}

// The async halves of every generated client. Generated code builds a call
// synchronously and hands its future to these: the async state machines are
// defined once here, not once per vendor, which keeps type checking of the
// generated code cheap (BENCHMARKS.md, "Build cost").

/// The normalized token of a token operation's response, its lifetime
/// counted from when the request was sent.
#[doc(hidden)]
pub async fn token_from<R>(
    response: impl Future<Output = Result<(R, tokio::time::Instant), Error>>,
    into_parts: fn(R) -> TokenParts,
) -> Result<Token, Error> {
    response
        .await
        .map(|(response, sent_at)| normalize_sent_at(into_parts(response), sent_at))
}

/// A token whose lifetime counts from `sent_at`, the instant its request
/// went out (the wall clock is read back to then as well).
fn normalize_sent_at(parts: TokenParts, sent_at: tokio::time::Instant) -> Token {
    let now = tokio::time::Instant::now();
    let since = now.saturating_duration_since(sent_at);
    let now_utc = time::OffsetDateTime::now_utc();
    normalize_at(
        parts,
        sent_at,
        now_utc
            .checked_sub(since.try_into().unwrap_or_default())
            .unwrap_or(now_utc),
    )
}

/// The normalized token of a refresh response, keeping `current`'s refresh
/// token when the vendor sends none.
#[doc(hidden)]
pub async fn refreshed_from<R>(
    current: &Token,
    call: impl Future<Output = Result<(R, tokio::time::Instant), Error>>,
    into_parts: fn(R) -> TokenParts,
) -> Result<Token, Error> {
    let (response, sent_at) = call.await?;
    Ok(normalize_sent_at(into_parts(response), sent_at).keep_refresh_token_of(current))
}

/// The outcome of a revoke call, whatever its response holds.
#[doc(hidden)]
pub async fn revoked<R>(call: impl Future<Output = Result<R, Error>>) -> Result<(), Error> {
    call.await.map(drop)
}

/// A vendor without a token operation: API calls carry the credentials
/// themselves, and the "token" is a never-expiring stand-in that lets such a
/// vendor use the same `TokenManager` and `authorization()` API.
#[doc(hidden)]
pub fn static_token() -> std::future::Ready<Result<Token, Error>> {
    std::future::ready(Ok(Token::never_expiring(String::new())))
}

/// A long-lived refresh token issued once (by a consent flow) and given as a
/// credential. It seeds the refresh operation; when the vendor rotates it,
/// the newest value replaces it here, and the application's callback is told
/// so that it can persist it. Clones share the value.
#[derive(Clone)]
pub struct RefreshSeed {
    current: std::sync::Arc<arc_swap::ArcSwap<Token>>,
    on_rotate: Option<OnRotate>,
}

/// What an application is told when the refresh token rotates.
type OnRotate = std::sync::Arc<dyn Fn(&SecretString) + Send + Sync>;

impl std::fmt::Debug for RefreshSeed {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RefreshSeed")
            .field("refresh_token", &"[REDACTED]")
            .field("on_rotate", &self.on_rotate.is_some())
            .finish()
    }
}

impl RefreshSeed {
    /// A seed holding `refresh_token`.
    pub fn new(refresh_token: &SecretString) -> Self {
        RefreshSeed {
            current: std::sync::Arc::new(arc_swap::ArcSwap::from_pointee(seed_token(
                refresh_token,
            ))),
            on_rotate: None,
        }
    }

    /// Calls `callback` with each new refresh token the vendor rotates to.
    pub fn on_rotate(&mut self, callback: impl Fn(&SecretString) + Send + Sync + 'static) {
        self.on_rotate = Some(std::sync::Arc::new(callback));
    }

    /// The newest refresh token.
    pub fn refresh_token(&self) -> SecretString {
        self.current
            .load()
            .refresh_token()
            .cloned()
            .unwrap_or_else(|| SecretString::from(String::new()))
    }

    /// A token holding only the newest refresh token, for the refresh call.
    pub fn token(&self) -> std::sync::Arc<Token> {
        self.current.load_full()
    }

    /// Takes note of `token`'s refresh token: a rotated one replaces the
    /// seed and is reported.
    pub fn observe(&self, token: &Token) {
        let Some(new) = token.refresh_token() else {
            return;
        };
        let current = self.current.load();
        let changed = current
            .refresh_token()
            .is_none_or(|old| old.expose_secret() != new.expose_secret());
        if changed {
            self.current.store(std::sync::Arc::new(seed_token(new)));
            if let Some(callback) = &self.on_rotate {
                callback(new);
            }
        }
    }
}

fn seed_token(refresh_token: &SecretString) -> Token {
    Token::new(String::new(), Duration::ZERO)
        .with_refresh_token(refresh_token.expose_secret().to_owned(), None)
}

/// The first token of a seeded vendor: its refresh operation, called with
/// the seed's newest refresh token.
#[doc(hidden)]
pub async fn token_from_seed<R>(
    seed: &RefreshSeed,
    seed_token: std::sync::Arc<Token>,
    call: impl Future<Output = Result<(R, tokio::time::Instant), Error>>,
    into_parts: fn(R) -> TokenParts,
) -> Result<Token, Error> {
    let (response, sent_at) = call.await?;
    let token = normalize_sent_at(into_parts(response), sent_at).keep_refresh_token_of(&seed_token);
    seed.observe(&token);
    Ok(token)
}

/// [`refreshed_from`] that also keeps a seed up to date.
#[doc(hidden)]
pub async fn refreshed_with_seed<R>(
    seed: &RefreshSeed,
    current: &Token,
    call: impl Future<Output = Result<(R, tokio::time::Instant), Error>>,
    into_parts: fn(R) -> TokenParts,
) -> Result<Token, Error> {
    let token = refreshed_from(current, call, into_parts).await?;
    seed.observe(&token);
    Ok(token)
}
