//! Wire encoding and decoding for generated code.
//!
//! Requests are lists of `(wire name, value)` pairs that the runtime encodes
//! as a query string, a form body or a JSON object; responses are read from
//! a JSON object field by field through typed conversion functions. Doing
//! this here, rather than deriving serde impls per generated struct, keeps a
//! vendor's generated code to plain structs and calls: it compiles in a
//! fraction of the time, and type errors are reported by field name without
//! echoing the value (which may be a secret).

use std::fmt;

use secrecy::{ExposeSecret, SecretString};
use serde_json::{Map, Value};
use time::OffsetDateTime;

/// A value a request sends.
#[derive(Debug, Clone, Copy)]
pub enum WireValue<'a> {
    /// Plain text.
    Text(&'a str),
    /// A secret: never shown in `Debug`.
    Secret(&'a SecretString),
}

impl WireValue<'_> {
    pub(crate) fn expose(&self) -> &str {
        match self {
            WireValue::Text(text) => text,
            WireValue::Secret(secret) => secret.expose_secret(),
        }
    }
}

/// A request's fields in wire order.
pub type WireFields<'a> = [(&'static str, WireValue<'a>)];

/// `{"name": "value", ...}` in field order.
pub fn encode_json(fields: &WireFields<'_>) -> Vec<u8> {
    let mut out = Vec::with_capacity(
        16 + fields
            .iter()
            .map(|(k, v)| k.len() + v.expose().len() + 6)
            .sum::<usize>(),
    );
    out.push(b'{');
    for (i, (name, value)) in fields.iter().enumerate() {
        if i > 0 {
            out.push(b',');
        }
        // Writing a &str into a Vec cannot fail.
        let _ = serde_json::to_writer(&mut out, name);
        out.push(b':');
        let _ = serde_json::to_writer(&mut out, value.expose());
    }
    out.push(b'}');
    out
}

/// `name=value&...`, `application/x-www-form-urlencoded`, in field order.
pub fn encode_form(fields: &WireFields<'_>) -> String {
    let mut form = url::form_urlencoded::Serializer::new(String::new());
    for (name, value) in fields {
        form.append_pair(name, value.expose());
    }
    form.finish()
}

/// Why a response field could not be read. Names the field, never its value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DecodeError(String);

impl fmt::Display for DecodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A response's JSON object, read field by field.
#[derive(Debug)]
pub struct WireObject {
    fields: Map<String, Value>,
}

impl WireObject {
    /// Parses a JSON body whose fields are the object itself or, with
    /// `nested_under`, that member of it. Errors name what was wrong, never
    /// the body's values (a token endpoint's body holds secrets).
    pub fn parse(body: &[u8], nested_under: Option<&str>) -> Result<WireObject, DecodeError> {
        let value: Value = serde_json::from_slice(body)
            .map_err(|e| DecodeError(crate::error::redact_quoted(&e.to_string())))?;
        let value = match nested_under {
            None => value,
            Some(outer) => match value {
                Value::Object(mut object) => object
                    .remove(outer)
                    .ok_or_else(|| DecodeError(format!("missing field `{outer}`")))?,
                other => {
                    return Err(DecodeError(format!(
                        "expected a JSON object, found {}",
                        kind(&other)
                    )));
                }
            },
        };
        match value {
            Value::Object(fields) => Ok(WireObject { fields }),
            other => Err(DecodeError(format!(
                "expected a JSON object, found {}",
                kind(&other)
            ))),
        }
    }

    /// A field that must be present (and not null).
    pub fn required<T>(
        &mut self,
        name: &str,
        read: fn(Value) -> Result<T, &'static str>,
    ) -> Result<T, DecodeError> {
        match self.fields.remove(name) {
            None | Some(Value::Null) => Err(DecodeError(format!("missing field `{name}`"))),
            Some(value) => convert(name, value, read),
        }
    }

    /// A field that may be absent or null.
    pub fn optional<T>(
        &mut self,
        name: &str,
        read: fn(Value) -> Result<T, &'static str>,
    ) -> Result<Option<T>, DecodeError> {
        match self.fields.remove(name) {
            None | Some(Value::Null) => Ok(None),
            Some(value) => convert(name, value, read).map(Some),
        }
    }
}

fn convert<T>(
    name: &str,
    value: Value,
    read: fn(Value) -> Result<T, &'static str>,
) -> Result<T, DecodeError> {
    let found = kind(&value);
    read(value).map_err(|expected| {
        DecodeError(format!("field `{name}` must be {expected}; found {found}"))
    })
}

fn kind(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(n) if n.is_f64() => "a fractional number",
        Value::Number(_) => "an integer",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

/// Field readers: each takes the JSON value and says what it expected.
pub mod read {
    use super::*;

    /// A JSON string.
    pub fn string(value: Value) -> Result<String, &'static str> {
        match value {
            Value::String(text) => Ok(text),
            _ => Err("a string"),
        }
    }

    /// A JSON string, kept as a secret.
    pub fn secret(value: Value) -> Result<SecretString, &'static str> {
        string(value).map(SecretString::from)
    }

    /// A JSON integer (a fractional number is truncated).
    pub fn integer(value: Value) -> Result<i64, &'static str> {
        from_number(&value).ok_or("an integer")
    }

    /// Any JSON number.
    pub fn number(value: Value) -> Result<f64, &'static str> {
        value.as_f64().ok_or("a number")
    }

    /// A JSON boolean.
    pub fn boolean(value: Value) -> Result<bool, &'static str> {
        value.as_bool().ok_or("a boolean")
    }

    /// Any JSON value, as it is.
    pub fn json(value: Value) -> Result<Value, &'static str> {
        Ok(value)
    }

    /// An integer sent as a JSON number; a fractional one is truncated toward
    /// zero (vendors that send `3600.0` mean whole seconds).
    pub fn int_number(value: Value) -> Result<i64, &'static str> {
        from_number(&value).ok_or("an integer number")
    }

    /// An integer sent as a string, e.g. `"28800"`.
    pub fn int_string(value: Value) -> Result<i64, &'static str> {
        from_text(&value).ok_or("a string holding an integer")
    }

    /// An integer sent as a number or as a string.
    pub fn int_number_or_string(value: Value) -> Result<i64, &'static str> {
        from_number(&value)
            .or_else(|| from_text(&value))
            .ok_or("an integer, as a number or a string")
    }

    /// An ISO-8601 (RFC 3339) date-time, e.g. `2025-05-16T09:30:00Z`.
    pub fn date_time(value: Value) -> Result<OffsetDateTime, &'static str> {
        const EXPECTED: &str = "an ISO-8601 date-time such as 2025-05-16T09:30:00Z";
        let Value::String(text) = value else {
            return Err(EXPECTED);
        };
        OffsetDateTime::parse(&text, &time::format_description::well_known::Rfc3339)
            .map_err(|_| EXPECTED)
    }

    fn from_number(value: &Value) -> Option<i64> {
        let Value::Number(number) = value else {
            return None;
        };
        number
            .as_i64()
            .or_else(|| {
                number
                    .as_u64()
                    .map(|n| i64::try_from(n).unwrap_or(i64::MAX))
            })
            // `as` saturates at the i64 range, which the expiry clamp absorbs.
            .or_else(|| {
                number
                    .as_f64()
                    .filter(|f| f.is_finite())
                    .map(|f| f.trunc() as i64)
            })
    }

    fn from_text(value: &Value) -> Option<i64> {
        let Value::String(text) = value else {
            return None;
        };
        let text = text.trim();
        text.parse::<i64>().ok().or_else(|| {
            text.parse::<f64>()
                .ok()
                .filter(|f| f.is_finite())
                .map(|f| f.trunc() as i64)
        })
    }
}

/// Wraps a string as a secret.
pub fn secret(value: impl Into<String>) -> SecretString {
    SecretString::from(value.into())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn object(body: &str) -> WireObject {
        WireObject::parse(body.as_bytes(), None).unwrap()
    }

    #[test]
    fn integers_as_declared() {
        assert_eq!(read::int_number(json!(28800)), Ok(28800));
        assert_eq!(read::int_number(json!(28800.9)), Ok(28800));
        assert!(read::int_number(json!("28800")).is_err());
        assert_eq!(read::int_string(json!("28800")), Ok(28800));
        assert!(read::int_string(json!(28800)).is_err());
        assert_eq!(read::int_number_or_string(json!(28800)), Ok(28800));
        assert_eq!(read::int_number_or_string(json!(" 28800 ")), Ok(28800));
        assert!(read::int_number_or_string(json!("soon")).is_err());
        assert!(read::int_number_or_string(json!(true)).is_err());
        assert_eq!(read::int_number(json!(-3)), Ok(-3));
        assert_eq!(read::int_number(json!(u64::MAX)), Ok(i64::MAX));
    }

    #[test]
    fn date_times_parse_rfc3339() {
        assert_eq!(
            read::date_time(json!("2025-05-16T09:30:00.000Z"))
                .unwrap()
                .unix_timestamp(),
            1_747_387_800
        );
        assert!(read::date_time(json!("tomorrow")).is_err());
    }

    #[test]
    fn errors_name_the_field_not_the_value() {
        let mut wire = object(r#"{"access_token": 12, "expires_in": "s3cret"}"#);
        let error = wire.required("access_token", read::secret).unwrap_err();
        assert_eq!(
            error.to_string(),
            "field `access_token` must be a string; found an integer"
        );
        let error = wire.required("expires_in", read::int_number).unwrap_err();
        assert_eq!(
            error.to_string(),
            "field `expires_in` must be an integer number; found a string"
        );
        assert!(!error.to_string().contains("s3cret"));
        assert_eq!(
            wire.required("scope", read::string)
                .unwrap_err()
                .to_string(),
            "missing field `scope`"
        );
        assert_eq!(
            object(r#"{"scope": null}"#).optional("scope", read::string),
            Ok(None)
        );
    }

    #[test]
    fn nested_objects_and_non_objects() {
        let mut wire = WireObject::parse(br#"{"data": {"token": "t"}}"#, Some("data")).unwrap();
        assert_eq!(wire.required("token", read::string), Ok("t".to_owned()));
        assert!(WireObject::parse(b"[1]", None).is_err());
        assert!(WireObject::parse(br#"{"other": 1}"#, Some("data")).is_err());
    }

    #[test]
    fn encodings_escape_every_special_character() {
        let secret = SecretString::from("a+b&c=d%e f/é\"\\".to_owned());
        let fields = [
            ("grant_type", WireValue::Text("client_credentials")),
            ("secret", WireValue::Secret(&secret)),
        ];
        assert_eq!(
            encode_form(&fields),
            "grant_type=client_credentials&secret=a%2Bb%26c%3Dd%25e+f%2F%C3%A9%22%5C"
        );
        let json: Value = serde_json::from_slice(&encode_json(&fields)).unwrap();
        assert_eq!(
            json,
            json!({ "grant_type": "client_credentials", "secret": "a+b&c=d%e f/é\"\\" })
        );
        assert_eq!(encode_json(&[]), b"{}");
    }
}

#[cfg(test)]
mod properties {
    use super::*;
    use proptest::prelude::*;

    /// Any JSON value, nested a few levels.
    fn any_json() -> impl Strategy<Value = Value> {
        let leaf = prop_oneof![
            Just(Value::Null),
            any::<bool>().prop_map(Value::Bool),
            any::<i64>().prop_map(Value::from),
            any::<u64>().prop_map(Value::from),
            any::<f64>().prop_map(Value::from),
            any::<String>().prop_map(Value::String),
        ];
        leaf.prop_recursive(3, 16, 4, |inner| {
            prop_oneof![
                prop::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
                prop::collection::btree_map(any::<String>(), inner, 0..4)
                    .prop_map(|m| Value::Object(m.into_iter().collect())),
            ]
        })
    }

    /// Reads one field and drops the value.
    type Reader = fn(&mut WireObject) -> Result<(), DecodeError>;

    proptest! {
        /// Form encoding round-trips any credential, `+ & = %`, spaces and
        /// non-ASCII included, in order.
        #[test]
        fn form_round_trips_any_value(values in prop::collection::vec(any::<String>(), 1..5)) {
            let secrets: Vec<SecretString> = values.iter().map(|v| SecretString::from(v.clone())).collect();
            let fields: Vec<(&'static str, WireValue<'_>)> = secrets.iter().map(|s| ("field", WireValue::Secret(s))).collect();
            let decoded: Vec<String> = url::form_urlencoded::parse(encode_form(&fields).as_bytes()).map(|(_, v)| v.into_owned()).collect();
            prop_assert_eq!(decoded, values);
        }

        /// The query string, encoded as the runtime appends it, round-trips too.
        #[test]
        fn query_round_trips_any_value(value in any::<String>(), special in "[+&=% ?#/é]{0,8}") {
            let value = format!("{value}{special}");
            let mut url = reqwest::Url::parse("https://vendor.example/token?existing=1").unwrap();
            url.query_pairs_mut().append_pair("client_secret", &value);
            let pairs: Vec<(String, String)> = url.query_pairs().map(|(k, v)| (k.into_owned(), v.into_owned())).collect();
            prop_assert_eq!(pairs, vec![("existing".to_owned(), "1".to_owned()), ("client_secret".to_owned(), value)]);
        }

        /// JSON encoding round-trips any value.
        #[test]
        fn json_round_trips_any_value(name in "[a-zA-Z_]{1,12}", value in any::<String>()) {
            let secret = SecretString::from(value.clone());
            let name: &'static str = Box::leak(name.into_boxed_str());
            let parsed: Value = serde_json::from_slice(&encode_json(&[(name, WireValue::Secret(&secret))])).unwrap();
            prop_assert_eq!(parsed, serde_json::json!({ name: value }));
        }

        /// No reader panics on any value, and every refusal names the field.
        #[test]
        fn readers_never_panic(value in any_json()) {
            let readers: [Reader; 10] = [
                |w| w.required("f", read::string).map(drop),
                |w| w.required("f", read::secret).map(drop),
                |w| w.required("f", read::integer).map(drop),
                |w| w.required("f", read::number).map(drop),
                |w| w.required("f", read::boolean).map(drop),
                |w| w.required("f", read::json).map(drop),
                |w| w.optional("f", read::int_number).map(drop),
                |w| w.optional("f", read::int_string).map(drop),
                |w| w.optional("f", read::int_number_or_string).map(drop),
                |w| w.optional("f", read::date_time).map(drop),
            ];
            let body = serde_json::to_vec(&serde_json::json!({ "f": value })).unwrap();
            for read in readers {
                let mut wire = WireObject::parse(&body, None).unwrap();
                if let Err(error) = read(&mut wire) {
                    prop_assert!(error.to_string().contains("`f`"), "{}", error);
                }
            }
        }

        /// Parsing any bytes as a response never panics.
        #[test]
        fn parsing_any_body_never_panics(body in prop::collection::vec(any::<u8>(), 0..256), nested in proptest::option::of("[a-z]{1,4}")) {
            let _ = WireObject::parse(&body, nested.as_deref());
        }
    }
}
