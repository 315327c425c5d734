//! tower integration (feature `tower`): a `Layer` that authorizes every
//! `http::Request` a service sends — hyper's client, a tonic channel (the
//! token goes in the `authorization` metadata), an axum-based proxy.
//!
//! ```no_run
//! # fn run<S>(tokens: vendor_auth::TokenManager<vendor_auth::spotify::Client>, client: S) {
//! use tower_layer::Layer as _;
//! let authorized = vendor_auth::AuthorizeLayer::new(tokens).layer(client);
//! # let _ = authorized; }
//! ```
//!
//! A body cannot be replayed in general, so a 401 is returned as it is;
//! the token it was sent with is dropped, and the next request gets a
//! fresh one.

use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

use crate::client::TokenClient;
use crate::manager::TokenManager;

/// Any error of the wrapped service, or the token's.
pub type BoxError = Box<dyn std::error::Error + Send + Sync>;

/// Adds the vendor's authorization to every request (a tower `Layer`).
pub struct AuthorizeLayer<C> {
    tokens: TokenManager<C>,
}

impl<C> AuthorizeLayer<C> {
    /// Authorizes with `tokens` (clones share the token).
    pub fn new(tokens: TokenManager<C>) -> AuthorizeLayer<C> {
        AuthorizeLayer { tokens }
    }
}

impl<C> Clone for AuthorizeLayer<C> {
    fn clone(&self) -> Self {
        AuthorizeLayer {
            tokens: self.tokens.clone(),
        }
    }
}

impl<S, C> tower_layer::Layer<S> for AuthorizeLayer<C> {
    type Service = AuthorizeService<S, C>;

    fn layer(&self, inner: S) -> Self::Service {
        AuthorizeService {
            inner,
            tokens: self.tokens.clone(),
        }
    }
}

/// The service [`AuthorizeLayer`] makes.
pub struct AuthorizeService<S, C> {
    inner: S,
    tokens: TokenManager<C>,
}

impl<S: Clone, C> Clone for AuthorizeService<S, C> {
    fn clone(&self) -> Self {
        AuthorizeService {
            inner: self.inner.clone(),
            tokens: self.tokens.clone(),
        }
    }
}

impl<S, C, B, R> tower_service::Service<http::Request<B>> for AuthorizeService<S, C>
where
    S: tower_service::Service<http::Request<B>, Response = http::Response<R>>
        + Clone
        + Send
        + 'static,
    S::Future: Send,
    S::Error: Into<BoxError>,
    C: TokenClient + 'static,
    B: Send + 'static,
{
    type Response = http::Response<R>;
    type Error = BoxError;
    type Future = Pin<Box<dyn Future<Output = Result<Self::Response, BoxError>> + Send>>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), BoxError>> {
        self.inner.poll_ready(cx).map_err(Into::into)
    }

    fn call(&mut self, mut request: http::Request<B>) -> Self::Future {
        // The service polled ready is the one that sends (tower's clone
        // and swap).
        let clone = self.inner.clone();
        let mut inner = std::mem::replace(&mut self.inner, clone);
        let tokens = self.tokens.clone();
        Box::pin(async move {
            let cached = tokens.authorize_http(&mut request).await?;
            let response = inner.call(request).await.map_err(Into::into)?;
            if response.status() == http::StatusCode::UNAUTHORIZED {
                tokens.invalidate(&cached);
            }
            Ok(response)
        })
    }
}
