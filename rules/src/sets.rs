//! The closed sets of the spec format.

/// Declares a closed set: the enum, its spec spellings, and the help text
/// that lists them, from one list.
macro_rules! closed_set {
    (
        $(#[$meta:meta])*
        pub enum $name:ident {
            $( $(#[$vmeta:meta])* $variant:ident = $text:literal ),+ $(,)?
        }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum $name {
            $( $(#[$vmeta])* $variant ),+
        }

        impl $name {
            /// Every member, in the order the spec documentation lists them.
            pub const ALL: &'static [$name] = &[$($name::$variant),+];
            /// Every member's spec spelling.
            pub const NAMES: &'static [&'static str] = &[$($text),+];

            /// The spelling in a spec.
            pub const fn name(self) -> &'static str {
                match self { $($name::$variant => $text),+ }
            }

            /// The Rust variant name, for generated code.
            pub const fn variant(self) -> &'static str {
                match self { $($name::$variant => stringify!($variant)),+ }
            }

            /// The member a spec spelling names.
            pub fn from_name(name: &str) -> Option<Self> {
                match name {
                    $($text => Some($name::$variant),)+
                    _ => None,
                }
            }

            /// `a, b or c`: the spellings, for help texts.
            pub fn one_of() -> String {
                one_of(Self::NAMES)
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.name())
            }
        }
    };
}

/// `a, b or c`.
pub fn one_of(names: &[&str]) -> String {
    match names {
        [] => String::new(),
        [one] => format!("`{one}`"),
        [init @ .., last] => {
            let init: Vec<String> = init.iter().map(|n| format!("`{n}`")).collect();
            format!("{} or `{last}`", init.join(", "))
        }
    }
}

closed_set! {
    /// HTTP methods a token operation may use.
    pub enum Method {
        /// GET
        Get = "GET",
        /// POST
        Post = "POST",
        /// PUT
        Put = "PUT",
        /// PATCH
        Patch = "PATCH",
        /// DELETE
        Delete = "DELETE",
    }
}

impl Method {
    /// Whether requests with this method may carry a body.
    pub const fn has_body(self) -> bool {
        !matches!(self, Method::Get | Method::Delete)
    }
}

closed_set! {
    /// Functions a template placeholder may apply: `{name | base64}`.
    pub enum Function {
        /// Standard base64 with padding (RFC 4648 section 4).
        Base64 = "base64",
        /// URL-safe base64 without padding (RFC 4648 section 5).
        Base64Url = "base64url",
        /// Percent-encoding of everything but `A-Z a-z 0-9 - . _ ~` (RFC 3986 unreserved).
        UrlEncode = "urlencode",
        /// Lower case.
        Lower = "lower",
        /// Upper case.
        Upper = "upper",
    }
}

closed_set! {
    /// How `{now.FORMAT}` writes the current time (UTC).
    pub enum NowFormat {
        /// `2025-05-16T09:30:00Z`
        Rfc3339 = "rfc3339",
        /// `2025-05-16T09:30:00.000Z`
        Rfc3339Millis = "rfc3339_millis",
        /// Seconds since the Unix epoch.
        Unix = "unix",
        /// Milliseconds since the Unix epoch.
        UnixMillis = "unix_millis",
    }
}

closed_set! {
    /// How a response states when its token expires.
    pub enum ExpiryKind {
        /// Seconds from now, like OAuth's `expires_in`.
        RelativeSeconds = "relative_seconds",
        /// Milliseconds from now.
        RelativeMilliseconds = "relative_milliseconds",
        /// Minutes from now (session timeouts).
        RelativeMinutes = "relative_minutes",
        /// Seconds since the Unix epoch.
        UnixSeconds = "unix_seconds",
        /// Milliseconds since the Unix epoch.
        UnixMilliseconds = "unix_milliseconds",
        /// An RFC 3339 / ISO 8601 date-time string.
        Datetime = "datetime",
        /// A duration string: ISO 8601 (`PT1H30M`), Go style (`1h30m`, `768h`), or `HH:MM:SS`.
        Duration = "duration",
    }
}

impl ExpiryKind {
    /// Whether the value is a number (as opposed to a date-time or duration string).
    pub const fn is_numeric(self) -> bool {
        !matches!(self, ExpiryKind::Datetime | ExpiryKind::Duration)
    }
}

closed_set! {
    /// How a numeric value is written on the wire.
    pub enum NumberWire {
        /// A JSON number (or the digits, in a header or form field).
        Number = "number",
        /// A JSON string holding the digits.
        String = "string",
        /// Either.
        NumberOrString = "number_or_string",
    }
}

closed_set! {
    /// Types of documented response fields.
    pub enum FieldType {
        /// Text.
        String = "string",
        /// Text that is redacted everywhere, like the token.
        Secret = "secret",
        /// A whole number sent as a JSON number.
        Integer = "integer",
        /// A whole number sent as a number or as a string of digits.
        NumberOrString = "number_or_string",
        /// Any JSON number.
        Number = "number",
        /// `true` or `false`.
        Boolean = "boolean",
        /// An RFC 3339 date-time.
        Datetime = "datetime",
        /// A duration, read into seconds.
        Duration = "duration",
        /// Any JSON value, kept as it is.
        Json = "json",
    }
}

closed_set! {
    /// How a response body is read.
    pub enum BodyFormat {
        /// A JSON object (the default).
        Json = "json",
        /// `application/x-www-form-urlencoded` fields.
        Form = "form",
        /// Plain text: the whole body is one value.
        Text = "text",
        /// No body is read.
        None = "none",
    }
}

closed_set! {
    /// Types of configuration variables.
    pub enum VariableType {
        /// Text.
        String = "string",
        /// A whole number.
        Integer = "integer",
        /// `true` or `false`.
        Boolean = "boolean",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spellings_round_trip() {
        for f in Function::ALL {
            assert_eq!(Function::from_name(f.name()), Some(*f));
        }
        assert_eq!(
            Method::one_of(),
            "`GET`, `POST`, `PUT`, `PATCH` or `DELETE`"
        );
        assert_eq!(ExpiryKind::from_name("unix_time"), None);
    }
}

closed_set! {
    /// How a signed assertion (a JWT) is signed: its `alg` header (RFC 7518).
    pub enum JwtAlgorithm {
        /// RSASSA-PKCS1-v1_5 with SHA-256.
        Rs256 = "RS256",
        /// RSASSA-PKCS1-v1_5 with SHA-384.
        Rs384 = "RS384",
        /// RSASSA-PKCS1-v1_5 with SHA-512.
        Rs512 = "RS512",
        /// RSASSA-PSS with SHA-256.
        Ps256 = "PS256",
        /// RSASSA-PSS with SHA-384.
        Ps384 = "PS384",
        /// RSASSA-PSS with SHA-512.
        Ps512 = "PS512",
        /// ECDSA on P-256 with SHA-256.
        Es256 = "ES256",
        /// ECDSA on P-384 with SHA-384.
        Es384 = "ES384",
        /// Ed25519.
        EdDsa = "EdDSA",
        /// HMAC with SHA-256, keyed with a shared secret (`client_secret_jwt`).
        Hs256 = "HS256",
        /// HMAC with SHA-384.
        Hs384 = "HS384",
        /// HMAC with SHA-512.
        Hs512 = "HS512",
    }
}

impl JwtAlgorithm {
    /// Whether the key is a shared secret (HMAC) rather than a private key.
    pub const fn is_symmetric(self) -> bool {
        matches!(
            self,
            JwtAlgorithm::Hs256 | JwtAlgorithm::Hs384 | JwtAlgorithm::Hs512
        )
    }
}
