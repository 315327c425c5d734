//! Attaching a token to API calls, as each spec's `authorization` says.

use bytes::Bytes;
use reqwest::header::{HeaderMap, HeaderName, HeaderValue};
use secrecy::ExposeSecret;
use secrecy::zeroize::Zeroizing;
use time::OffsetDateTime;
use time::format_description::well_known::iso8601::{
    Config, EncodedConfig, Iso8601, TimePrecision,
};

use crate::error::Error;
use crate::token::Token;

/// How a vendor's API calls carry its token.
#[derive(Debug)]
pub struct ApiAuthorization {
    /// The vendor's name, for errors.
    pub vendor: &'static str,
    /// The header that carries the token, e.g. `Authorization`.
    pub header: &'static str,
    /// The prefix before the token, e.g. `Bearer`; `None` for the raw token.
    pub scheme: Option<&'static str>,
    /// Headers every call carries besides the token.
    pub headers: &'static [ApiHeader],
}

#[derive(Debug)]
/// A header every API call carries besides the token.
pub struct ApiHeader {
    /// Header name.
    pub name: &'static str,
    /// Its value, constant or made per request.
    pub value: ApiHeaderValue,
}

/// A per-request header value.
#[derive(Debug)]
pub enum ApiHeaderValue {
    /// The same value on every call.
    Constant(&'static str),
    /// A fresh random (v4, so never nil) UUID per call.
    UuidV4,
    /// The current UTC time.
    UtcNow(TimeFormat),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
/// How a `utc_now` header writes the time.
pub enum TimeFormat {
    /// `2025-05-16T09:30:00Z`
    Iso8601Seconds,
    /// `2025-05-16T09:30:00.000Z`
    Iso8601Millis,
    /// Seconds since the Unix epoch, e.g. `1747387800`.
    UnixSeconds,
    /// Milliseconds since the Unix epoch.
    UnixMillis,
}

const ISO_SECONDS: EncodedConfig = Config::DEFAULT
    .set_time_precision(TimePrecision::Second {
        decimal_digits: None,
    })
    .encode();
const ISO_MILLIS: EncodedConfig = Config::DEFAULT
    .set_time_precision(TimePrecision::Second {
        decimal_digits: std::num::NonZeroU8::new(3),
    })
    .encode();

impl TimeFormat {
    /// `at` in this format.
    pub fn format(self, at: OffsetDateTime) -> String {
        let at = at.to_offset(time::UtcOffset::UTC);
        let iso = |text: Result<String, time::error::Format>| {
            text.unwrap_or_else(|_| at.unix_timestamp().to_string())
        };
        match self {
            TimeFormat::Iso8601Seconds => iso(at.format(&Iso8601::<ISO_SECONDS>)),
            TimeFormat::Iso8601Millis => iso(at.format(&Iso8601::<ISO_MILLIS>)),
            TimeFormat::UnixSeconds => at.unix_timestamp().to_string(),
            TimeFormat::UnixMillis => (at.unix_timestamp_nanos() / 1_000_000).to_string(),
        }
    }
}

impl ApiAuthorization {
    /// The token header's value (`Bearer <token>`), marked sensitive so that
    /// reqwest and hyper never print it. Its bytes are zeroed when the last
    /// clone of the value is dropped.
    pub fn header_value(&self, token: &Token) -> Result<HeaderValue, Error> {
        let secret = token.access_token().expose_secret();
        let mut text = Zeroizing::new(Vec::with_capacity(secret.len() + 8));
        if let Some(scheme) = self.scheme {
            text.extend_from_slice(scheme.as_bytes());
            text.push(b' ');
        }
        text.extend_from_slice(secret.as_bytes());
        let mut value = HeaderValue::from_maybe_shared(Bytes::from_owner(ZeroizingBytes(text)))
            .map_err(|_| invalid(self.vendor, "the access token"))?;
        value.set_sensitive(true);
        Ok(value)
    }

    /// The parsed name of the token header.
    pub fn header_name(&self) -> Result<HeaderName, Error> {
        HeaderName::from_bytes(self.header.as_bytes())
            .map_err(|_| invalid(self.vendor, self.header))
    }

    /// Adds the per-request headers, generated afresh (a new UUID, the
    /// current time), to `headers`.
    pub fn append_per_request_headers(&self, headers: &mut HeaderMap) -> Result<(), Error> {
        if self.headers.is_empty() {
            return Ok(());
        }
        let now = OffsetDateTime::now_utc();
        for header in self.headers {
            let value = match &header.value {
                ApiHeaderValue::Constant(value) => HeaderValue::from_str(value),
                ApiHeaderValue::UuidV4 => {
                    HeaderValue::from_str(&uuid::Uuid::new_v4().hyphenated().to_string())
                }
                ApiHeaderValue::UtcNow(format) => HeaderValue::from_str(&format.format(now)),
            };
            let value = value.map_err(|_| invalid(self.vendor, header.name))?;
            let name = HeaderName::from_bytes(header.name.as_bytes())
                .map_err(|_| invalid(self.vendor, header.name))?;
            headers.insert(name, value);
        }
        Ok(())
    }

    /// Every header an API call needs now: the token and the per-request headers.
    pub fn headers(&self, token: &Token) -> Result<HeaderMap, Error> {
        let mut headers = HeaderMap::with_capacity(1 + self.headers.len());
        headers.insert(self.header_name()?, self.header_value(token)?);
        self.append_per_request_headers(&mut headers)?;
        Ok(headers)
    }

    /// Adds [`headers`](Self::headers) to a request.
    pub fn apply(
        &self,
        request: reqwest::RequestBuilder,
        token: &Token,
    ) -> Result<reqwest::RequestBuilder, Error> {
        Ok(request.headers(self.headers(token)?))
    }
}

/// Owner of a header value's bytes that wipes them on drop.
struct ZeroizingBytes(Zeroizing<Vec<u8>>);

impl AsRef<[u8]> for ZeroizingBytes {
    fn as_ref(&self) -> &[u8] {
        &self.0
    }
}

fn invalid(vendor: &'static str, what: &str) -> Error {
    Error::Encode {
        vendor,
        operation: "authorize",
        message: format!("{what} cannot be sent as a header"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    #[test]
    fn time_formats() {
        let at = datetime!(2025-05-16 09:30:00.123 UTC);
        assert_eq!(
            TimeFormat::Iso8601Seconds.format(at),
            "2025-05-16T09:30:00Z"
        );
        assert_eq!(
            TimeFormat::Iso8601Millis.format(at),
            "2025-05-16T09:30:00.123Z"
        );
        assert_eq!(TimeFormat::UnixSeconds.format(at), "1747387800");
        assert_eq!(TimeFormat::UnixMillis.format(at), "1747387800123");
    }
}
