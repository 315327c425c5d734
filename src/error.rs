//! The one error type of vendor-auth. Every variant names the vendor and the
//! operation, and none carries a secret: URLs (which may hold credentials in
//! their query) are stripped from transport errors, and vendor text is cut
//! short and never echoes request values.

use std::sync::Arc;
use std::time::Duration;

/// Why a token operation failed. Cheap to clone, so that every caller
/// waiting on one failed fetch gets the same error.
#[derive(Debug, Clone, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The request did not get an HTTP answer: connection refused or reset,
    /// DNS, TLS, or a timeout.
    #[error("{vendor} {operation}: {}: {source}", if *.timeout { "timed out" } else { "request failed" })]
    Transport {
        /// The vendor's name.
        vendor: &'static str,
        /// The operation: `token`, `refresh` or `revoke`.
        operation: &'static str,
        /// Whether the request ran out of time.
        timeout: bool,
        #[source]
        /// The underlying error (shared, so that `Error` is `Clone`).
        source: Arc<reqwest::Error>,
    },

    /// The vendor answered with a status other than the documented success.
    #[error("{vendor} {operation}: HTTP {status}{}{}", meaning.map(|m| format!(" ({m})")).unwrap_or_default(), details.as_deref().map(|d| format!(": {d}")).unwrap_or_default())]
    Status {
        /// The vendor's name.
        vendor: &'static str,
        /// The operation: `token`, `refresh` or `revoke`.
        operation: &'static str,
        /// The HTTP status received.
        status: u16,
        /// What the vendor's document says this status means.
        meaning: Option<&'static str>,
        /// The error fields of the body the spec names (e.g. `error_description`).
        details: Option<String>,
        /// The server's `Retry-After`, when it sent one in seconds.
        retry_after: Option<Duration>,
    },

    /// The success response could not be read as the documented JSON.
    #[error("{vendor} {operation}: the response is not the documented JSON: {message}")]
    Decode {
        /// The vendor's name.
        vendor: &'static str,
        /// The operation: `token`, `refresh` or `revoke`.
        operation: &'static str,
        /// serde_json's description, with any string values it quoted removed.
        message: String,
    },

    /// The response body exceeded the configured size cap.
    #[error("{vendor} {operation}: the response body exceeds {limit} bytes")]
    BodyTooLarge {
        /// The vendor's name.
        vendor: &'static str,
        /// The operation: `token`, `refresh` or `revoke`.
        operation: &'static str,
        /// The cap, in bytes (`HttpClientBuilder::max_body_bytes`).
        limit: usize,
    },

    /// The client is configured so that no request can be made: an invalid
    /// URL or template value, `http://` to a non-loopback host.
    #[error("{vendor}: {message}")]
    Config {
        /// The vendor's name.
        vendor: &'static str,
        /// What is wrong and what to do; never a secret.
        message: String,
    },

    /// A request value could not be encoded, or a token cannot be sent as a header.
    #[error("{vendor} {operation}: {message}")]
    Encode {
        /// The vendor's name.
        vendor: &'static str,
        /// The operation: `token`, `refresh` or `revoke`.
        operation: &'static str,
        /// What could not be encoded; never the value.
        message: String,
    },

    /// The operation needs a refresh token and the current token has none.
    #[error("{vendor}: the current token has no refresh token")]
    MissingRefreshToken {
        /// The vendor's name.
        vendor: &'static str,
    },

    /// The token was revoked while this request waited for a renewal;
    /// revoking is final for the requests queued before it.
    #[error("{vendor}: the token was revoked while this request waited for it")]
    Revoked {
        /// The vendor's name.
        vendor: &'static str,
    },

    /// The vendor's spec declares no such operation.
    #[error("{vendor}: the vendor has no {operation} operation")]
    Unsupported {
        /// The vendor's name.
        vendor: &'static str,
        /// The operation asked for.
        operation: &'static str,
    },
}

impl Error {
    /// The vendor the failed call went to.
    pub fn vendor(&self) -> &'static str {
        match self {
            Error::Transport { vendor, .. }
            | Error::Status { vendor, .. }
            | Error::Decode { vendor, .. }
            | Error::BodyTooLarge { vendor, .. }
            | Error::Config { vendor, .. }
            | Error::Encode { vendor, .. }
            | Error::MissingRefreshToken { vendor }
            | Error::Revoked { vendor }
            | Error::Unsupported { vendor, .. } => vendor,
        }
    }

    /// The HTTP status the vendor answered with, if it answered.
    pub fn status(&self) -> Option<u16> {
        match self {
            Error::Status { status, .. } => Some(*status),
            _ => None,
        }
    }

    /// How long the server asked to wait before trying again (`Retry-After`).
    pub fn retry_after(&self) -> Option<Duration> {
        match self {
            Error::Status { retry_after, .. } => *retry_after,
            _ => None,
        }
    }

    /// Whether the vendor rejected what was sent (400, 401, 403: a bad
    /// credential, `invalid_grant`, `invalid_client`), so retrying is futile.
    pub fn is_rejection(&self) -> bool {
        matches!(
            self,
            Error::Status {
                status: 400 | 401 | 403,
                ..
            }
        )
    }

    /// Whether trying the same request again may succeed: transport errors,
    /// 408, 429 and 5xx. Rejected credentials (400, 401, 403) never are.
    pub fn is_transient(&self) -> bool {
        match self {
            Error::Transport { .. } => true,
            Error::Status { status, .. } => matches!(status, 408 | 429 | 500..=599),
            _ => false,
        }
    }
}

/// serde_json quotes offending string values (`invalid type: string "..."`);
/// those may be tokens, so only the shape of the message is kept.
pub(crate) fn redact_quoted(message: &str) -> String {
    let mut out = String::with_capacity(message.len());
    let mut inside = false;
    for c in message.chars() {
        if c == '"' {
            if !inside {
                out.push_str("\"…");
            } else {
                out.push('"');
            }
            inside = !inside;
        } else if !inside {
            out.push(c);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quoted_values_are_removed() {
        let message = r#"invalid type: string "s3cr3t-token", expected u64 at line 1 column 30"#;
        assert_eq!(
            redact_quoted(message),
            "invalid type: string \"…\", expected u64 at line 1 column 30"
        );
    }

    #[test]
    fn transience_follows_the_status() {
        let status = |status| Error::Status {
            vendor: "V",
            operation: "token",
            status,
            meaning: None,
            details: None,
            retry_after: None,
        };
        assert!(status(503).is_transient());
        assert!(status(429).is_transient());
        assert!(status(408).is_transient());
        assert!(!status(401).is_transient());
        assert!(!status(400).is_transient());
    }
}
