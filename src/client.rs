//! The trait every generated client implements, so that code written once
//! (a token cache, a CLI, a health check) works for every vendor.

use std::future::Future;
use std::time::Duration;

use crate::authorize::{ApiAuthorization, Authorizer};
use crate::error::Error;
use crate::token::{Token, TokenParts, normalize};
use crate::value::Scope;

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

    /// How long before expiry the vendor asks tokens to be renewed, if it says.
    fn refresh_ahead(&self) -> Option<Duration> {
        None
    }
}

// The async halves of every generated client. Generated code builds a call
// synchronously and hands its future to these: the async state machines are
// defined once here, not once per vendor, which keeps type checking of the
// generated code cheap (BENCHMARKS.md, "Build cost").

/// The normalized token of a token operation's response.
#[doc(hidden)]
pub async fn token_from<R>(
    response: impl Future<Output = Result<R, Error>>,
    into_parts: fn(R) -> TokenParts,
) -> Result<Token, Error> {
    response
        .await
        .map(|response| normalize(into_parts(response)))
}

/// The normalized token of a refresh response, keeping `current`'s refresh
/// token when the vendor sends none.
#[doc(hidden)]
pub async fn refreshed_from<R>(
    current: &Token,
    call: impl Future<Output = Result<R, Error>>,
    into_parts: fn(R) -> TokenParts,
) -> Result<Token, Error> {
    let response = call.await?;
    Ok(normalize(into_parts(response)).keep_refresh_token_of(current))
}

/// The outcome of a revoke call, whatever its response holds.
#[doc(hidden)]
pub async fn revoked<R>(call: impl Future<Output = Result<R, Error>>) -> Result<(), Error> {
    call.await.map(drop)
}
