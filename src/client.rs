//! The trait every generated client implements, so that code written once
//! (a token cache, a CLI, a health check) works for every vendor.

use std::future::Future;
use std::time::Duration;

use secrecy::SecretString;

use crate::authorize::ApiAuthorization;
use crate::error::Error;
use crate::token::Token;

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
    fn refresh_token(&self, current: &Token) -> impl Future<Output = Result<Token, Error>> + Send {
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
    fn revoke_token(&self, token: &Token) -> impl Future<Output = Result<(), Error>> + Send {
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
