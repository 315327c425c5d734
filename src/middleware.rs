//! reqwest-middleware integration (feature `reqwest-middleware`): every
//! request of a `ClientWithMiddleware` carries the vendor's authorization,
//! with the same 401 policy as [`TokenManager::send`]: the cached token is
//! renewed and the request replayed once.
//!
//! ```no_run
//! # async fn run(tokens: vendor_auth::TokenManager<vendor_auth::spotify::Client>) -> Result<(), Box<dyn std::error::Error>> {
//! let http = reqwest_middleware::ClientBuilder::new(reqwest::Client::new())
//!     .with(vendor_auth::Authorize::new(tokens))
//!     .build();
//! let me = http.get("https://api.spotify.com/v1/browse/new-releases").send().await?;
//! # let _ = me; Ok(()) }
//! ```
//!
//! Placed before a retry middleware (reqwest-retry), each retry is
//! authorized afresh; placed after one, the replay on 401 happens inside
//! each attempt. Either order composes.

use crate::client::TokenClient;
use crate::manager::{SendError, TokenManager};

/// Authorizes requests with `TokenManager`'s token: a reqwest-middleware
/// `Middleware`.
pub struct Authorize<C> {
    tokens: TokenManager<C>,
}

impl<C> Authorize<C> {
    /// Authorizes with `tokens` (clones share the token).
    pub fn new(tokens: TokenManager<C>) -> Authorize<C> {
        Authorize { tokens }
    }
}

impl<C: TokenClient> std::fmt::Debug for Authorize<C> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_tuple("Authorize").field(&self.tokens).finish()
    }
}

#[async_trait::async_trait]
impl<C: TokenClient + 'static> reqwest_middleware::Middleware for Authorize<C> {
    async fn handle(
        &self,
        request: reqwest::Request,
        extensions: &mut http::Extensions,
        next: reqwest_middleware::Next<'_>,
    ) -> reqwest_middleware::Result<reqwest::Response> {
        // The rest of the chain runs once per attempt (twice on a 401);
        // each attempt gets the extensions as the previous one left them.
        let extensions = std::sync::Mutex::new(extensions);
        let result = self
            .tokens
            .send_with(request, |request| {
                let next = next.clone();
                let extensions = &extensions;
                async move {
                    let mut own = extensions
                        .lock()
                        .unwrap_or_else(std::sync::PoisonError::into_inner)
                        .clone();
                    let response = next.run(request, &mut own).await;
                    **extensions
                        .lock()
                        .unwrap_or_else(std::sync::PoisonError::into_inner) = own;
                    response
                }
            })
            .await;
        match result {
            Ok(response) => Ok(response),
            Err(SendError::Token(error)) => Err(reqwest_middleware::Error::middleware(error)),
            Err(SendError::Send(error)) => Err(error),
        }
    }
}
