//! The normalized token every vendor's response becomes, and the expiry
//! arithmetic behind it.
//!
//! Expiry is kept on the monotonic clock (`tokio::time::Instant`, so tests can
//! pause time): a vendor's absolute expiry is converted to a lifetime once, on
//! arrival, and wall-clock jumps afterwards change nothing.

use std::fmt;
use std::time::Duration;

use secrecy::SecretString;
use time::OffsetDateTime;
use tokio::time::Instant;

/// Lifetimes are capped so that `Instant` arithmetic cannot overflow on a
/// vendor that answers `expires_in: 1e18`.
const MAX_LIFETIME: Duration = Duration::from_secs(10 * 365 * 24 * 3600);

/// An access token from any vendor, with everything needed to use and renew it.
///
/// `Debug` shows the token's shape, never its secrets.
#[derive(Clone)]
pub struct Token {
    access_token: SecretString,
    token_type: Option<String>,
    refresh_token: Option<SecretString>,
    scope: Option<String>,
    received_at: Instant,
    lifetime: Duration,
    expires_at_utc: OffsetDateTime,
    refresh_token_expires_at: Option<Instant>,
    fields: Vec<(&'static str, FieldValue)>,
}

/// A documented response field kept with the token (e.g. an API base URL
/// or a session id), by its spec name.
#[derive(Clone)]
pub enum FieldValue {
    /// Text.
    Text(String),
    /// A secret: redacted in `Debug`.
    Secret(SecretString),
}

impl fmt::Debug for FieldValue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            FieldValue::Text(text) => fmt::Debug::fmt(text, f),
            FieldValue::Secret(_) => f.write_str("[REDACTED]"),
        }
    }
}

impl FieldValue {
    /// The text, secret or not; for a secret, only where it must be used.
    pub fn expose(&self) -> &str {
        use secrecy::ExposeSecret;
        match self {
            FieldValue::Text(text) => text,
            FieldValue::Secret(secret) => secret.expose_secret(),
        }
    }
}

impl Token {
    /// A token obtained some other way (or made for a test), valid for
    /// `lifetime` from now.
    ///
    /// ```
    /// use std::time::Duration;
    /// use vendor_auth::Token;
    ///
    /// let token = Token::new("secret-value", Duration::from_secs(3600)).with_token_type("Bearer");
    /// assert_eq!(token.lifetime(), Duration::from_secs(3600));
    /// // Debug never shows the token itself.
    /// assert!(!format!("{token:?}").contains("secret-value"));
    /// ```
    pub fn new(access_token: impl Into<String>, lifetime: Duration) -> Token {
        let parts = TokenParts {
            access_token: SecretString::from(access_token.into()),
            token_type: None,
            refresh_token: None,
            scope: None,
            expiry: ExpirySource {
                value: None,
                default_seconds: None,
            },
            refresh_token_expiry: None,
            fields: Vec::new(),
        };
        let mut token = normalize_at(parts, Instant::now(), OffsetDateTime::now_utc());
        token.lifetime = lifetime.min(MAX_LIFETIME);
        token.expires_at_utc = OffsetDateTime::now_utc() + token.lifetime;
        token
    }

    /// A token that arrived elsewhere (another process of a fleet, through
    /// a shared store) with `lifetime`, of which `remaining` is left now.
    pub(crate) fn received_with(
        access_token: String,
        lifetime: Duration,
        remaining: Duration,
    ) -> Token {
        let lifetime = lifetime.min(MAX_LIFETIME);
        let remaining = remaining.min(lifetime);
        let mut token = Token::new(access_token, remaining);
        // Received `lifetime - remaining` ago, when the clock allows it.
        if let Some(received_at) = Instant::now().checked_sub(lifetime - remaining) {
            token.received_at = received_at;
            token.lifetime = lifetime;
        }
        token
    }

    /// A token that lasts until revoked (capped at ten years), e.g. the
    /// stand-in token of a vendor whose API calls carry a static key.
    pub fn never_expiring(access_token: impl Into<String>) -> Token {
        Token::new(access_token, MAX_LIFETIME)
    }

    /// With a refresh token, which expires after `lifetime` if given.
    pub fn with_refresh_token(
        mut self,
        refresh_token: impl Into<String>,
        lifetime: Option<Duration>,
    ) -> Token {
        self.refresh_token = Some(SecretString::from(refresh_token.into()));
        self.refresh_token_expires_at =
            lifetime.map(|lifetime| self.received_at + lifetime.min(MAX_LIFETIME));
        self
    }

    /// Sets the token type, e.g. `Bearer`.
    pub fn with_token_type(mut self, token_type: impl Into<String>) -> Token {
        self.token_type = Some(token_type.into());
        self
    }

    /// Sets the granted scope.
    pub fn with_scope(mut self, scope: impl Into<String>) -> Token {
        self.scope = Some(scope.into());
        self
    }

    /// The access token; `expose_secret()` gives the string.
    pub fn access_token(&self) -> &SecretString {
        &self.access_token
    }

    /// The token type the vendor reported (e.g. `Bearer`), if it reports one.
    pub fn token_type(&self) -> Option<&str> {
        self.token_type.as_deref()
    }

    /// The refresh token, if the vendor issued one.
    pub fn refresh_token(&self) -> Option<&SecretString> {
        self.refresh_token.as_ref()
    }

    /// The granted scopes, as the vendor wrote them.
    pub fn scope(&self) -> Option<&str> {
        self.scope.as_deref()
    }

    /// When the token was received, on the monotonic clock.
    pub fn received_at(&self) -> Instant {
        self.received_at
    }

    /// How long the token was valid for when it arrived.
    pub fn lifetime(&self) -> Duration {
        self.lifetime
    }

    /// When the token expires, on the monotonic clock.
    pub fn expires_at(&self) -> Instant {
        self.received_at + self.lifetime
    }

    /// When the token expires, in UTC, for display and logs.
    pub fn expires_at_utc(&self) -> OffsetDateTime {
        self.expires_at_utc
    }

    /// Time left before expiry at `now` (zero once expired).
    pub fn remaining(&self, now: Instant) -> Duration {
        self.expires_at().saturating_duration_since(now)
    }

    /// Whether the token has expired at `now` (monotonic clock).
    pub fn is_expired(&self, now: Instant) -> bool {
        now >= self.expires_at()
    }

    /// When the refresh token expires, if the vendor says.
    pub fn refresh_token_expires_at(&self) -> Option<Instant> {
        self.refresh_token_expires_at
    }

    /// Whether a refresh token is held and not known to be expired at `now`.
    pub fn can_refresh(&self, now: Instant) -> bool {
        self.refresh_token.is_some() && self.refresh_token_expires_at.is_none_or(|at| now < at)
    }

    /// A documented response field kept with the token, by its spec name.
    pub fn field(&self, name: &str) -> Option<&FieldValue> {
        self.fields
            .iter()
            .find(|(field, _)| *field == name)
            .map(|(_, value)| value)
    }

    /// Every documented response field kept with the token.
    pub fn fields(&self) -> impl Iterator<Item = (&'static str, &FieldValue)> {
        self.fields.iter().map(|(name, value)| (*name, value))
    }

    /// With a documented field, e.g. for a test.
    pub fn with_field(mut self, name: &'static str, value: FieldValue) -> Token {
        self.fields.retain(|(field, _)| *field != name);
        self.fields.push((name, value));
        self
    }

    /// After a refresh: keeps `current`'s refresh token (and its expiry) when
    /// the vendor did not send a new one; a rotated one replaces it.
    pub fn keep_refresh_token_of(mut self, current: &Token) -> Token {
        if self.refresh_token.is_none() {
            self.refresh_token = current.refresh_token.clone();
            self.refresh_token_expires_at = current.refresh_token_expires_at;
        }
        self
    }
}

impl fmt::Debug for Token {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Token")
            .field("access_token", &"[REDACTED]")
            .field("token_type", &self.token_type)
            .field(
                "refresh_token",
                &self.refresh_token.as_ref().map(|_| "[REDACTED]"),
            )
            .field("scope", &self.scope)
            .field("fields", &self.fields)
            .field("lifetime", &self.lifetime)
            .field(
                "expires_at_utc",
                &format_args!("{}", rfc3339(self.expires_at_utc)),
            )
            .finish()
    }
}

fn rfc3339(at: OffsetDateTime) -> String {
    at.replace_nanosecond(0)
        .unwrap_or(at)
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_else(|_| at.unix_timestamp().to_string())
}

/// A response's token fields, as the generated code hands them over.
#[derive(Debug)]
pub struct TokenParts {
    /// The access token.
    pub access_token: SecretString,
    /// The token type, e.g. `Bearer`.
    pub token_type: Option<String>,
    /// The refresh token, if any.
    pub refresh_token: Option<SecretString>,
    /// The granted scope, if sent.
    pub scope: Option<String>,
    /// The token's expiry.
    pub expiry: ExpirySource,
    /// The refresh token's expiry, if sent.
    pub refresh_token_expiry: Option<ExpiryValue>,
    /// Other documented fields to keep with the token.
    pub fields: Vec<(&'static str, FieldValue)>,
}

/// The response's expiry, if it sent one, and the spec's default otherwise.
#[derive(Debug, Clone, Copy)]
pub struct ExpirySource {
    /// The expiry the response carried.
    pub value: Option<ExpiryValue>,
    /// The lifetime the spec documents for a response without one.
    pub default_seconds: Option<u64>,
}

/// An expiry in the form a vendor sends it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum ExpiryValue {
    /// Seconds from now (`expires_in`).
    RelativeSeconds(i64),
    /// Seconds since the Unix epoch.
    UnixTime(i64),
    /// A date-time.
    DateTime(OffsetDateTime),
    /// No expiry: the token lasts until revoked (capped at ten years).
    Never,
}

impl ExpiryValue {
    /// A number of the given kind; `None` for the non-numeric kinds.
    pub fn from_number(kind: vendor_auth_rules::ExpiryKind, n: i64) -> Option<ExpiryValue> {
        use vendor_auth_rules::ExpiryKind as K;
        Some(match kind {
            K::RelativeSeconds | K::Duration => ExpiryValue::RelativeSeconds(n),
            K::RelativeMilliseconds => ExpiryValue::RelativeSeconds(n / 1000),
            K::RelativeMinutes => ExpiryValue::RelativeSeconds(n.saturating_mul(60)),
            K::UnixSeconds => ExpiryValue::UnixTime(n),
            K::UnixMilliseconds => ExpiryValue::UnixTime(n.div_euclid(1000)),
            K::Datetime => return None,
        })
    }
}

impl ExpiryValue {
    /// The lifetime this expiry leaves at `now_utc`: never negative (a past
    /// expiry is an expired token) and never beyond the cap.
    pub fn lifetime(self, now_utc: OffsetDateTime) -> Duration {
        let seconds = match self {
            ExpiryValue::RelativeSeconds(seconds) => return clamp_seconds(seconds),
            ExpiryValue::Never => return MAX_LIFETIME,
            ExpiryValue::UnixTime(at) => at.saturating_sub(now_utc.unix_timestamp()),
            ExpiryValue::DateTime(at) => {
                let left = at - now_utc;
                return if left.is_negative() {
                    Duration::ZERO
                } else {
                    Duration::try_from(left)
                        .unwrap_or(MAX_LIFETIME)
                        .min(MAX_LIFETIME)
                };
            }
        };
        clamp_seconds(seconds)
    }
}

fn clamp_seconds(seconds: i64) -> Duration {
    Duration::from_secs(seconds.max(0).unsigned_abs()).min(MAX_LIFETIME)
}

/// A vendor's response, as its token parts, as a [`Token`] received now.
pub fn normalize(parts: TokenParts) -> Token {
    normalize_at(parts, Instant::now(), OffsetDateTime::now_utc())
}

/// [`normalize`] at given clock readings, for tests.
pub fn normalize_at(parts: TokenParts, now: Instant, now_utc: OffsetDateTime) -> Token {
    let lifetime = match (parts.expiry.value, parts.expiry.default_seconds) {
        (Some(value), _) => value.lifetime(now_utc),
        (None, Some(seconds)) => Duration::from_secs(seconds).min(MAX_LIFETIME),
        // The generator requires an expiry field or a default, so only a
        // hand-built TokenParts gets here: treat it as already expired.
        (None, None) => Duration::ZERO,
    };
    Token {
        access_token: parts.access_token,
        token_type: parts.token_type,
        refresh_token: parts.refresh_token,
        scope: parts.scope,
        received_at: now,
        lifetime,
        expires_at_utc: now_utc + lifetime,
        refresh_token_expires_at: parts
            .refresh_token_expiry
            .map(|value| now + value.lifetime(now_utc)),
        fields: parts.fields,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    const NOW: OffsetDateTime = datetime!(2025-01-01 00:00:00 UTC);

    #[test]
    fn the_three_forms_agree() {
        let relative = ExpiryValue::RelativeSeconds(3600).lifetime(NOW);
        let unix = ExpiryValue::UnixTime(NOW.unix_timestamp() + 3600).lifetime(NOW);
        let date = ExpiryValue::DateTime(datetime!(2025-01-01 01:00:00 UTC)).lifetime(NOW);
        assert_eq!(relative, Duration::from_secs(3600));
        assert_eq!(unix, relative);
        assert_eq!(date, relative);
    }

    #[test]
    fn past_negative_and_huge_expiries_are_clamped() {
        assert_eq!(
            ExpiryValue::RelativeSeconds(-5).lifetime(NOW),
            Duration::ZERO
        );
        assert_eq!(ExpiryValue::UnixTime(0).lifetime(NOW), Duration::ZERO);
        assert_eq!(
            ExpiryValue::UnixTime(i64::MIN).lifetime(NOW),
            Duration::ZERO
        );
        assert_eq!(
            ExpiryValue::RelativeSeconds(i64::MAX).lifetime(NOW),
            MAX_LIFETIME
        );
        assert_eq!(ExpiryValue::UnixTime(i64::MAX).lifetime(NOW), MAX_LIFETIME);
    }

    fn parts(refresh: Option<&str>) -> TokenParts {
        TokenParts {
            access_token: "a".into(),
            token_type: None,
            refresh_token: refresh.map(Into::into),
            scope: None,
            expiry: ExpirySource {
                value: None,
                default_seconds: Some(60),
            },
            refresh_token_expiry: None,
            fields: Vec::new(),
        }
    }

    #[test]
    fn refresh_token_is_kept_unless_rotated() {
        use secrecy::ExposeSecret;
        let now = Instant::now();
        let old = normalize_at(parts(Some("r1")), now, NOW);
        let kept = normalize_at(parts(None), now, NOW).keep_refresh_token_of(&old);
        assert_eq!(kept.refresh_token().unwrap().expose_secret(), "r1");
        let rotated = normalize_at(parts(Some("r2")), now, NOW).keep_refresh_token_of(&old);
        assert_eq!(rotated.refresh_token().unwrap().expose_secret(), "r2");
    }

    #[test]
    fn debug_hides_secrets() {
        let token = normalize_at(parts(Some("refresh-secret")), Instant::now(), NOW);
        let shown = format!("{token:?}");
        assert!(!shown.contains("refresh-secret"));
        assert!(shown.contains("[REDACTED]"));
    }
}

#[cfg(test)]
mod properties {
    use super::*;
    use proptest::prelude::*;

    /// Instants a wall clock may show: year 1 to 9999.
    fn any_now() -> impl Strategy<Value = OffsetDateTime> {
        (-62_135_596_800i64..253_402_300_799)
            .prop_map(|s| OffsetDateTime::from_unix_timestamp(s).unwrap())
    }

    proptest! {
        /// Any expiry value yields a lifetime within [0, cap] without panicking.
        #[test]
        fn lifetimes_are_bounded(seconds in any::<i64>(), now in any_now()) {
            for value in [ExpiryValue::RelativeSeconds(seconds), ExpiryValue::UnixTime(seconds)] {
                prop_assert!(value.lifetime(now) <= MAX_LIFETIME);
            }
        }

        /// "expires in s seconds" and "expires at now + s" agree, in all three forms.
        #[test]
        fn absolute_and_relative_forms_agree(seconds in -1_000_000_000i64..1_000_000_000, now in any_now()) {
            let relative = ExpiryValue::RelativeSeconds(seconds).lifetime(now);
            let unix = ExpiryValue::UnixTime(now.unix_timestamp() + seconds).lifetime(now);
            prop_assert_eq!(unix, relative);
            if let Some(at) = now.checked_add(time::Duration::seconds(seconds)) {
                prop_assert_eq!(ExpiryValue::DateTime(at).lifetime(now), relative);
            }
        }

        /// Normalizing never panics or overflows the monotonic clock.
        #[test]
        fn normalizing_never_overflows(seconds in any::<i64>(), default in proptest::option::of(any::<u64>()), refresh in proptest::option::of(any::<i64>())) {
            let parts = TokenParts {
                access_token: "a".into(),
                token_type: None,
                refresh_token: None,
                scope: None,
                expiry: ExpirySource { value: Some(ExpiryValue::RelativeSeconds(seconds)).filter(|_| default.is_none()), default_seconds: default },
                refresh_token_expiry: refresh.map(ExpiryValue::UnixTime),
                fields: Vec::new(),
            };
            let token = normalize_at(parts, Instant::now(), OffsetDateTime::now_utc());
            prop_assert!(token.lifetime() <= MAX_LIFETIME);
            prop_assert!(token.expires_at() >= token.received_at());
        }
    }
}
