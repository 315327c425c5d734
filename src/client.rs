//! The trait every generated client implements, so that code written once
//! (a token cache, a CLI, a health check) works for every vendor.

use std::future::Future;
use std::time::Duration;

use secrecy::SecretString;

use crate::authorize::ApiAuthorization;
use crate::error::Error;
use crate::token::{Token, TokenParts, normalize};

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

    /// How API calls carry the token.
    fn authorization(&self) -> &'static ApiAuthorization;

    /// How long before expiry the vendor asks tokens to be renewed, if it says.
    fn refresh_ahead(&self) -> Option<Duration> {
        None
    }
}

/// `token`'s refresh token, or the error that says it has none.
pub fn require_refresh_token<'t>(
    vendor: &'static str,
    token: &'t Token,
) -> Result<&'t SecretString, Error> {
    token
        .refresh_token()
        .ok_or(Error::MissingRefreshToken { vendor })
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
/// token when the vendor sends none. `call` is the refresh call, or why it
/// could not be made (no refresh token).
#[doc(hidden)]
pub async fn refreshed_from<R>(
    current: &Token,
    call: Result<impl Future<Output = Result<R, Error>>, Error>,
    into_parts: fn(R) -> TokenParts,
) -> Result<Token, Error> {
    let response = call?.await?;
    Ok(normalize(into_parts(response)).keep_refresh_token_of(current))
}

/// The outcome of a revoke call, whatever its response holds.
#[doc(hidden)]
pub async fn revoked<R>(
    call: Result<impl Future<Output = Result<R, Error>>, Error>,
) -> Result<(), Error> {
    call?.await.map(drop)
}
