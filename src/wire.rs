//! Wire types for response fields whose JSON form varies between vendors,
//! and the serializer that puts a secret on the wire.

use std::fmt;

use secrecy::{ExposeSecret, SecretString};
use serde::de::{self, Deserializer, Visitor};
use serde::{Deserialize, Serializer};
use time::OffsetDateTime;

/// An integer sent as a JSON number (`3600`). A fractional number (`3600.5`)
/// is truncated toward zero, as vendors that send one mean whole seconds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct IntNumber(pub i64);

/// An integer sent as a JSON string (`"3600"`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct IntString(pub i64);

/// An integer sent either as a number or as a string.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct IntNumberOrString(pub i64);

/// An ISO-8601 (RFC 3339) date-time string, e.g. `2025-05-16T09:30:00Z`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DateTime(pub OffsetDateTime);

macro_rules! getter {
    ($($ty:ty => $out:ty),*) => {$(
        impl $ty {
            pub fn get(self) -> $out {
                self.0
            }
        }
    )*};
}
getter!(IntNumber => i64, IntString => i64, IntNumberOrString => i64, DateTime => OffsetDateTime);

/// Accepts numbers and/or numeric strings as `i64`.
struct IntVisitor {
    numbers: bool,
    strings: bool,
}

impl IntVisitor {
    fn expecting(&self) -> &'static str {
        match (self.numbers, self.strings) {
            (true, true) => "an integer, as a number or a string",
            (true, false) => "an integer number",
            _ => "a string holding an integer",
        }
    }
}

impl Visitor<'_> for IntVisitor {
    type Value = i64;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(IntVisitor::expecting(self))
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<i64, E> {
        if self.numbers {
            Ok(v)
        } else {
            Err(E::invalid_type(de::Unexpected::Signed(v), &self))
        }
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<i64, E> {
        if self.numbers {
            Ok(i64::try_from(v).unwrap_or(i64::MAX))
        } else {
            Err(E::invalid_type(de::Unexpected::Unsigned(v), &self))
        }
    }

    fn visit_f64<E: de::Error>(self, v: f64) -> Result<i64, E> {
        if self.numbers && v.is_finite() {
            // `as` saturates at the i64 range, which the expiry clamp absorbs.
            Ok(v.trunc() as i64)
        } else {
            Err(E::invalid_type(de::Unexpected::Float(v), &self))
        }
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<i64, E> {
        if !self.strings {
            return Err(E::invalid_type(de::Unexpected::Other("a string"), &self));
        }
        let trimmed = v.trim();
        trimmed
            .parse::<i64>()
            .or_else(|_| {
                trimmed.parse::<f64>().map_err(drop).and_then(|f| {
                    if f.is_finite() {
                        Ok(f.trunc() as i64)
                    } else {
                        Err(())
                    }
                })
            })
            .map_err(|_| E::invalid_value(de::Unexpected::Other("a non-numeric string"), &self))
    }
}

impl<'de> Deserialize<'de> for IntNumber {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(IntVisitor {
            numbers: true,
            strings: false,
        })
        .map(IntNumber)
    }
}

impl<'de> Deserialize<'de> for IntString {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(IntVisitor {
            numbers: false,
            strings: true,
        })
        .map(IntString)
    }
}

impl<'de> Deserialize<'de> for IntNumberOrString {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(IntVisitor {
            numbers: true,
            strings: true,
        })
        .map(IntNumberOrString)
    }
}

impl<'de> Deserialize<'de> for DateTime {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = String::deserialize(d)?;
        OffsetDateTime::parse(&text, &time::format_description::well_known::Rfc3339)
            .map(DateTime)
            .map_err(|_| {
                de::Error::custom("expected an ISO-8601 date-time such as 2025-05-16T09:30:00Z")
            })
    }
}

/// Serializes a secret as its plain string; for request structs only.
pub fn serialize_secret<S: Serializer>(
    secret: &&SecretString,
    serializer: S,
) -> Result<S::Ok, S::Error> {
    serializer.serialize_str(secret.expose_secret())
}

/// Wraps a string as a secret.
pub fn secret(value: impl Into<String>) -> SecretString {
    SecretString::from(value.into())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse<T: for<'de> Deserialize<'de>>(json: &str) -> Result<T, serde_json::Error> {
        serde_json::from_str(json)
    }

    #[test]
    fn numbers_and_strings_as_declared() {
        assert_eq!(parse::<IntNumber>("28800").unwrap(), IntNumber(28800));
        assert_eq!(parse::<IntNumber>("28800.9").unwrap(), IntNumber(28800));
        assert!(parse::<IntNumber>("\"28800\"").is_err());
        assert_eq!(parse::<IntString>("\"28800\"").unwrap(), IntString(28800));
        assert!(parse::<IntString>("28800").is_err());
        assert_eq!(
            parse::<IntNumberOrString>("28800").unwrap(),
            IntNumberOrString(28800)
        );
        assert_eq!(
            parse::<IntNumberOrString>("\" 28800 \"").unwrap(),
            IntNumberOrString(28800)
        );
        assert!(parse::<IntNumberOrString>("\"soon\"").is_err());
        assert!(parse::<IntNumberOrString>("true").is_err());
        assert_eq!(parse::<IntNumber>("-3").unwrap(), IntNumber(-3));
    }

    #[test]
    fn date_times_parse_rfc3339() {
        let parsed = parse::<DateTime>("\"2025-05-16T09:30:00.000Z\"").unwrap();
        assert_eq!(parsed.get().unix_timestamp(), 1_747_387_800);
        assert!(parse::<DateTime>("\"tomorrow\"").is_err());
    }
}
