//! Reading token-endpoint responses for generated code.
//!
//! A response field is read from a [`Source`] (a JSON path, a form field, a
//! header, a cookie, or the whole body) through a typed conversion function.
//! Doing this here, rather than deriving serde impls per generated struct,
//! keeps a vendor's generated code to plain structs and calls: it compiles in
//! a fraction of the time, and type errors are reported by field name
//! without echoing the value (which may be a secret).

use std::fmt;

use reqwest::header::{HeaderMap, SET_COOKIE};
use secrecy::SecretString;
use serde_json::Value;
use time::OffsetDateTime;
use vendor_auth_rules::BodyFormat;

/// Why a response field could not be read. Names the field, never its value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DecodeError(String);

impl fmt::Display for DecodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// Where a response field is.
#[derive(Debug)]
pub enum Source {
    /// A JSON member, nested objects and arrays included.
    Json(&'static [PathStep]),
    /// A field of a form-encoded body.
    Form(&'static str),
    /// A response header.
    Header(&'static str),
    /// A cookie the response sets (`Set-Cookie`).
    Cookie(&'static str),
    /// The whole body, as text.
    Body,
    /// The first of these that is present.
    FirstOf(&'static [Source]),
    /// A value the request itself sent (by index into the operation's
    /// `sent` list), e.g. the lifetime a TTL header asked for.
    Sent(usize),
}

/// One step of a JSON path.
#[derive(Debug)]
pub enum PathStep {
    /// An object member.
    Key(&'static str),
    /// An array element.
    Index(usize),
}

impl fmt::Display for Source {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Source::Json(path) => {
                for (i, step) in path.iter().enumerate() {
                    match step {
                        PathStep::Key(key) if i == 0 => write!(f, "`{key}")?,
                        PathStep::Key(key) => write!(f, ".{key}")?,
                        PathStep::Index(n) if i == 0 => write!(f, "`[{n}]")?,
                        PathStep::Index(n) => write!(f, "[{n}]")?,
                    }
                }
                if path.is_empty() {
                    f.write_str("`")?;
                }
                f.write_str("`")
            }
            Source::Form(name) => write!(f, "`{name}`"),
            Source::Header(name) => write!(f, "header `{name}`"),
            Source::Cookie(name) => write!(f, "cookie `{name}`"),
            Source::Body => f.write_str("the body"),
            Source::Sent(_) => f.write_str("the value sent"),
            Source::FirstOf(sources) => {
                for (i, source) in sources.iter().enumerate() {
                    if i > 0 {
                        f.write_str(" or ")?;
                    }
                    write!(f, "{source}")?;
                }
                Ok(())
            }
        }
    }
}

/// A successful response, read field by field.
#[derive(Debug)]
pub struct WireResponse {
    status: u16,
    headers: HeaderMap,
    body: Body,
    sent: Vec<Option<String>>,
}

#[derive(Debug)]
enum Body {
    Json(Value),
    Form(Vec<(String, String)>),
    Text(String),
    Ignored,
}

impl WireResponse {
    /// Parses a body in `format`. Errors name what was wrong, never the
    /// body's values (a token endpoint's body holds secrets).
    pub fn new(
        status: u16,
        headers: HeaderMap,
        body: Vec<u8>,
        format: BodyFormat,
    ) -> Result<WireResponse, DecodeError> {
        let body = match format {
            BodyFormat::Json => {
                let value: Value = serde_json::from_slice(&body)
                    .map_err(|e| DecodeError(crate::error::redact_quoted(&e.to_string())))?;
                match value {
                    Value::Object(_) => Body::Json(value),
                    other => {
                        return Err(DecodeError(format!(
                            "expected a JSON object, found {}",
                            kind(&other)
                        )));
                    }
                }
            }
            BodyFormat::Form => Body::Form(
                url::form_urlencoded::parse(&body)
                    .map(|(k, v)| (k.into_owned(), v.into_owned()))
                    .collect(),
            ),
            BodyFormat::Text => Body::Text(
                String::from_utf8(body)
                    .map_err(|_| DecodeError("the body is not UTF-8 text".to_owned()))?,
            ),
            BodyFormat::None => Body::Ignored,
        };
        Ok(WireResponse {
            status,
            headers,
            body,
            sent: Vec::new(),
        })
    }

    /// A JSON body, as the tests and fuzz targets build one.
    pub fn json(body: &[u8]) -> Result<WireResponse, DecodeError> {
        WireResponse::new(200, HeaderMap::new(), body.to_vec(), BodyFormat::Json)
    }

    /// With the values the request sent that the response may refer to.
    pub fn with_sent(mut self, sent: Vec<Option<String>>) -> Self {
        self.sent = sent;
        self
    }

    /// The response's status.
    pub fn status(&self) -> u16 {
        self.status
    }

    /// The value at `source`; `None` when absent or null.
    fn value(&self, source: &Source) -> Option<Value> {
        match source {
            Source::Json(path) => {
                let Body::Json(root) = &self.body else {
                    return None;
                };
                let mut at = root;
                for step in *path {
                    at = match (step, at) {
                        (PathStep::Key(key), Value::Object(object)) => object.get(*key)?,
                        (PathStep::Index(n), Value::Array(items)) => items.get(*n)?,
                        _ => return None,
                    };
                }
                // Cloned, not taken: one value may fill two fields (Vault's
                // client token is both the token and what renews it).
                Some(at.clone()).filter(|v| !v.is_null())
            }
            Source::Form(name) => {
                let Body::Form(pairs) = &self.body else {
                    return None;
                };
                let (_, value) = pairs.iter().find(|(k, _)| k == name)?;
                Some(Value::String(value.clone()))
            }
            Source::Header(name) => self
                .headers
                .get(*name)
                .and_then(|v| v.to_str().ok())
                .map(|v| Value::String(v.trim().to_owned())),
            Source::Cookie(name) => self
                .headers
                .get_all(SET_COOKIE)
                .iter()
                .filter_map(|v| v.to_str().ok())
                .find_map(|line| {
                    let pair = line.split(';').next()?;
                    let (key, value) = pair.split_once('=')?;
                    (key.trim() == *name).then(|| Value::String(value.trim().to_owned()))
                }),
            Source::Body => match &self.body {
                Body::Text(text) => {
                    let trimmed = text.trim();
                    (!trimmed.is_empty()).then(|| Value::String(trimmed.to_owned()))
                }
                _ => None,
            },
            Source::FirstOf(sources) => sources.iter().find_map(|s| self.value(s)),
            Source::Sent(index) => self.sent.get(*index).cloned().flatten().map(Value::String),
        }
    }

    /// Whether `source` holds a value (it is taken if so).
    pub fn has(&mut self, source: &Source) -> bool {
        self.value(source).is_some()
    }

    /// A field that must be present (and not null).
    pub fn required<T>(
        &mut self,
        source: &Source,
        read: fn(Value) -> Result<T, &'static str>,
    ) -> Result<T, DecodeError> {
        match self.value(source) {
            None => Err(DecodeError(format!("missing field {source}"))),
            Some(value) => convert(source, value, read),
        }
    }

    /// A field that may be absent or null.
    pub fn optional<T>(
        &mut self,
        source: &Source,
        read: fn(Value) -> Result<T, &'static str>,
    ) -> Result<Option<T>, DecodeError> {
        match self.value(source) {
            None => Ok(None),
            Some(value) => convert(source, value, read).map(Some),
        }
    }
}

fn convert<T>(
    source: &Source,
    value: Value,
    read: fn(Value) -> Result<T, &'static str>,
) -> Result<T, DecodeError> {
    let found = kind(&value);
    read(value).map_err(|expected| {
        DecodeError(format!("field {source} must be {expected}; found {found}"))
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

    /// An access token: a non-empty string, kept as a secret. An empty one
    /// would authorize nothing and be cached as if it did.
    pub fn access_token(value: Value) -> Result<SecretString, &'static str> {
        match value {
            Value::String(text) if !text.trim().is_empty() => Ok(SecretString::from(text)),
            _ => Err("a non-empty string"),
        }
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

    /// A duration, in whole seconds: ISO 8601 (`PT1H30M`, `P1DT2H`),
    /// Go style (`1h30m`, `768h`, `90s`), `HH:MM:SS`, or plain seconds as a
    /// number or string.
    pub fn duration(value: Value) -> Result<i64, &'static str> {
        const EXPECTED: &str = "a duration such as PT1H, 1h30m, 01:30:00 or 5400";
        if let Some(seconds) = from_number(&value) {
            return Ok(seconds);
        }
        let Value::String(text) = value else {
            return Err(EXPECTED);
        };
        parse_duration(text.trim()).ok_or(EXPECTED)
    }

    fn parse_duration(text: &str) -> Option<i64> {
        if let Ok(seconds) = text.parse::<i64>() {
            return Some(seconds);
        }
        if let Some(rest) = text.strip_prefix('P').or_else(|| text.strip_prefix('p')) {
            let (date, time) = match rest.split_once(['T', 't']) {
                Some((date, time)) => (date, Some(time)),
                None => (rest, None),
            };
            let mut total = sum_units(date, &[('W', 604_800), ('D', 86_400)])?;
            if let Some(time) = time {
                if time.is_empty() {
                    return None;
                }
                total = total.checked_add(sum_units(time, &[('H', 3600), ('M', 60), ('S', 1)])?)?;
            }
            return (!rest.is_empty()).then_some(total);
        }
        if text.contains(':') {
            let parts: Vec<&str> = text.split(':').collect();
            if parts.len() != 3 {
                return None;
            }
            let mut total: i64 = 0;
            for part in parts {
                let n: i64 = part.parse().ok().filter(|n: &i64| *n >= 0)?;
                total = total.checked_mul(60)?.checked_add(n)?;
            }
            return Some(total);
        }
        sum_units(text, &[('h', 3600), ('m', 60), ('s', 1)]).filter(|_| !text.is_empty())
    }

    /// `1h30m` against the units allowed, in order, each at most once.
    fn sum_units(text: &str, units: &[(char, i64)]) -> Option<i64> {
        let mut total: i64 = 0;
        let mut number = String::new();
        let mut next_unit = 0;
        for c in text.chars() {
            if c.is_ascii_digit() || c == '.' {
                number.push(c);
                continue;
            }
            let offset = units[next_unit..]
                .iter()
                .position(|(unit, _)| unit.eq_ignore_ascii_case(&c))?;
            let (_, factor) = units[next_unit + offset];
            next_unit += offset + 1;
            let value: f64 = number.parse().ok()?;
            number.clear();
            let seconds = value * factor as f64;
            if !seconds.is_finite() || seconds > i64::MAX as f64 {
                return None;
            }
            total = total.checked_add(seconds as i64)?;
        }
        number.is_empty().then_some(total)
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

    const F: Source = Source::Json(&[PathStep::Key("f")]);

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
    fn durations_in_every_documented_form() {
        for (text, seconds) in [
            ("PT1H", 3600),
            ("PT1H30M", 5400),
            ("P1DT2H", 93_600),
            ("P1W", 604_800),
            ("1h30m", 5400),
            ("768h", 2_764_800),
            ("90s", 90),
            ("1.5h", 5400),
            ("01:30:00", 5400),
            ("5400", 5400),
        ] {
            assert_eq!(read::duration(json!(text)), Ok(seconds), "{text}");
        }
        assert_eq!(read::duration(json!(60)), Ok(60));
        for bad in ["", "P", "PT", "1m1h", "1:30", "soon", "1e400h", "P1H"] {
            assert!(read::duration(json!(bad)).is_err(), "{bad}");
        }
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
        let mut wire = WireResponse::json(br#"{"f": "s3cret-value"}"#).unwrap();
        let error = wire.required(&F, read::integer).unwrap_err().to_string();
        assert_eq!(error, "field `f` must be an integer; found a string");
        let error = WireResponse::json(br#"{"f": "s3cret-value""#)
            .unwrap_err()
            .to_string();
        assert!(!error.contains("s3cret"), "{error}");
    }

    #[test]
    fn every_source() {
        const NESTED: Source = Source::Json(&[
            PathStep::Key("data"),
            PathStep::Key("items"),
            PathStep::Index(1),
            PathStep::Key("token"),
        ]);
        let mut wire = WireResponse::json(br#"{"data": {"items": [{}, {"token": "t"}]}}"#).unwrap();
        assert_eq!(wire.required(&NESTED, read::string), Ok("t".to_owned()));
        assert!(WireResponse::json(b"[1]").is_err());

        let mut headers = HeaderMap::new();
        headers.insert("x-subject-token", "h".parse().unwrap());
        headers.append(SET_COOKIE, "B1SESSION=abc-1; HttpOnly".parse().unwrap());
        headers.append(SET_COOKIE, "ROUTEID=.node1; path=/b1s".parse().unwrap());
        let mut wire = WireResponse::new(
            201,
            headers,
            b"access_token=a&expires_in=60".to_vec(),
            BodyFormat::Form,
        )
        .unwrap();
        assert_eq!(wire.status(), 201);
        assert_eq!(
            wire.required(&Source::Header("X-Subject-Token"), read::string),
            Ok("h".into())
        );
        assert_eq!(
            wire.required(&Source::Cookie("ROUTEID"), read::string),
            Ok(".node1".into())
        );
        assert_eq!(
            wire.required(&Source::Form("expires_in"), read::int_number_or_string),
            Ok(60)
        );
        const FALLBACK: Source =
            Source::FirstOf(&[Source::Form("token"), Source::Form("access_token")]);
        assert_eq!(wire.required(&FALLBACK, read::string), Ok("a".into()));
        assert_eq!(
            wire.optional(&Source::Cookie("missing"), read::string),
            Ok(None)
        );
        assert_eq!(
            wire.required(&Source::Cookie("missing"), read::string)
                .unwrap_err()
                .to_string(),
            "missing field cookie `missing`"
        );

        let mut wire = WireResponse::new(
            200,
            HeaderMap::new(),
            b"  AQAE-token\n".to_vec(),
            BodyFormat::Text,
        )
        .unwrap();
        assert_eq!(
            wire.required(&Source::Body, read::string),
            Ok("AQAE-token".into())
        );
    }
}

#[cfg(test)]
mod properties {
    use super::*;
    use proptest::prelude::*;

    const F: Source = Source::Json(&[PathStep::Key("f")]);

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
    type Reader = fn(&mut WireResponse) -> Result<(), DecodeError>;

    proptest! {
        /// The query string, encoded as the runtime appends it, round-trips any value.
        #[test]
        fn query_round_trips_any_value(value in any::<String>(), special in "[+&=% ?#/é]{0,8}") {
            let value = format!("{value}{special}");
            let mut url = reqwest::Url::parse("https://vendor.example/token?existing=1").unwrap();
            url.query_pairs_mut().append_pair("client_secret", &value);
            let pairs: Vec<(String, String)> = url.query_pairs().map(|(k, v)| (k.into_owned(), v.into_owned())).collect();
            prop_assert_eq!(pairs, vec![("existing".to_owned(), "1".to_owned()), ("client_secret".to_owned(), value)]);
        }

        /// No reader panics on any value, and every refusal names the field.
        #[test]
        fn readers_never_panic(value in any_json()) {
            let readers: [Reader; 11] = [
                |w| w.required(&F, read::string).map(drop),
                |w| w.required(&F, read::secret).map(drop),
                |w| w.required(&F, read::integer).map(drop),
                |w| w.required(&F, read::number).map(drop),
                |w| w.required(&F, read::boolean).map(drop),
                |w| w.required(&F, read::json).map(drop),
                |w| w.optional(&F, read::int_number).map(drop),
                |w| w.optional(&F, read::int_string).map(drop),
                |w| w.optional(&F, read::int_number_or_string).map(drop),
                |w| w.optional(&F, read::date_time).map(drop),
                |w| w.optional(&F, read::duration).map(drop),
            ];
            let body = serde_json::to_vec(&serde_json::json!({ "f": value })).unwrap();
            for read in readers {
                let mut wire = WireResponse::json(&body).unwrap();
                if let Err(error) = read(&mut wire) {
                    prop_assert!(error.to_string().contains("`f`"), "{}", error);
                }
            }
        }

        /// Parsing any bytes as a response, in any format, never panics.
        #[test]
        fn parsing_any_body_never_panics(body in prop::collection::vec(any::<u8>(), 0..256), text in "[ -~]{0,40}") {
            for format in BodyFormat::ALL {
                let _ = WireResponse::new(200, HeaderMap::new(), body.clone(), *format);
            }
            let _ = read::duration(Value::String(text));
        }
    }
}
