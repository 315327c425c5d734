//! The value grammar at run time: templates the generator compiled into
//! constants, evaluated against one request's [`Scope`].
//!
//! A template is literal text and references (a credential, a configuration
//! variable, a field of the current token, a generated value, a named value
//! of the spec), each optionally passed through functions. The generator has
//! already checked every name and type; evaluation only reads.

use std::cell::{OnceCell, RefCell};

use secrecy::zeroize::Zeroizing;
use secrecy::{ExposeSecret, SecretString};
use time::OffsetDateTime;

use crate::error::Error;
use crate::token::Token;
pub use vendor_auth_rules::{Function, NowFormat};

/// A compiled template: literal text and references, in order.
#[derive(Debug)]
pub struct Template(pub &'static [Part]);

/// A piece of a template.
#[derive(Debug)]
pub enum Part {
    /// Literal text.
    Text(&'static str),
    /// A reference, with the functions applied to it in order.
    Ref(Ref, &'static [Function]),
}

/// What a placeholder refers to.
#[derive(Debug)]
pub enum Ref {
    /// The credential at this index of the scope.
    Credential(usize),
    /// The configuration variable at this index of the scope.
    Variable(usize),
    /// A field of the current token.
    Token(TokenField),
    /// The current time, once per request.
    Now(NowFormat),
    /// The current time in a custom `time` format description.
    NowCustom(&'static str),
    /// A random UUID v4, once per request.
    Uuid,
    /// A named value of the spec.
    Named(&'static Template),
    /// An output of an earlier step of the same operation: step index, name.
    Step(usize, &'static str),
    /// A JWT signed with one of the client's keys, once per request.
    Signed(&'static crate::jwt::Assertion),
    /// Base64 of the SHA-256 of a key credential's public key (its DER
    /// SubjectPublicKeyInfo), by the key ring's numbering.
    PublicKeySha256(usize),
}

/// A field of the current token a request may send.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TokenField {
    /// The access token.
    AccessToken,
    /// The refresh token: a request that needs it fails without one.
    RefreshToken,
    /// A documented response field kept with the token, by its spec name.
    Field(&'static str),
}

/// A configuration variable's value in a scope.
#[derive(Debug, Clone, Copy)]
pub enum Var<'a> {
    /// Text.
    Text(&'a str),
    /// A whole number.
    Integer(i64),
    /// A boolean.
    Boolean(bool),
    /// An optional variable the user did not set: whatever uses it is omitted.
    Absent,
}

impl<'a> From<&'a String> for Var<'a> {
    fn from(value: &'a String) -> Self {
        Var::Text(value)
    }
}

impl<'a> From<&'a Option<String>> for Var<'a> {
    fn from(value: &'a Option<String>) -> Self {
        value.as_deref().map_or(Var::Absent, Var::Text)
    }
}

impl From<&i64> for Var<'_> {
    fn from(value: &i64) -> Self {
        Var::Integer(*value)
    }
}

impl From<&Option<i64>> for Var<'_> {
    fn from(value: &Option<i64>) -> Self {
        value.map_or(Var::Absent, Var::Integer)
    }
}

impl From<&bool> for Var<'_> {
    fn from(value: &bool) -> Self {
        Var::Boolean(*value)
    }
}

impl From<&Option<bool>> for Var<'_> {
    fn from(value: &Option<bool>) -> Self {
        value.map_or(Var::Absent, Var::Boolean)
    }
}

/// Everything one request's templates may read. Generated values (the time,
/// a UUID) are made on first use and then shared by every place of the
/// request, so that two headers, or a header and a signature, agree.
#[derive(Debug)]
pub struct Scope<'a> {
    vendor: &'static str,
    credentials: Vec<&'a SecretString>,
    variables: Vec<Var<'a>>,
    token: Option<&'a Token>,
    /// A token the scope owns (a refresh token seeded from a credential).
    owned_token: Option<std::sync::Arc<Token>>,
    /// Outputs of the steps run so far, by step.
    steps: Vec<Vec<(&'static str, SecretString)>>,
    now: OnceCell<OffsetDateTime>,
    uuid: OnceCell<String>,
    /// What the client prepared from its credentials: keys, fingerprints.
    ring: Option<&'a crate::jwt::KeyRing>,
    /// Assertions signed for this request, by assertion address: every
    /// place that sends one sends the same.
    signed: RefCell<Vec<(usize, SecretString)>>,
}

impl<'a> Scope<'a> {
    /// A scope over a client's credentials and configuration, in the order
    /// the generator numbered them, and the current token if there is one.
    pub fn new(
        vendor: &'static str,
        credentials: Vec<&'a SecretString>,
        variables: Vec<Var<'a>>,
        token: Option<&'a Token>,
    ) -> Self {
        Scope {
            vendor,
            credentials,
            variables,
            token,
            owned_token: None,
            steps: Vec::new(),
            now: OnceCell::new(),
            uuid: OnceCell::new(),
            ring: None,
            signed: RefCell::new(Vec::new()),
        }
    }

    /// The same scope with the client's key ring (signing keys, key
    /// fingerprints).
    pub fn with_keys(mut self, ring: &'a crate::jwt::KeyRing) -> Self {
        self.ring = Some(ring);
        self
    }

    pub(crate) fn signing_key(&self, index: usize) -> Option<&crate::jwt::SigningKey> {
        self.ring?.keys().get(index)
    }

    /// The vendor's name, for errors.
    pub fn vendor(&self) -> &'static str {
        self.vendor
    }

    /// The current token, if the scope has one.
    pub fn token(&self) -> Option<&Token> {
        self.owned_token.as_deref().or(self.token)
    }

    /// The same scope with `token`, which it keeps, as the current token.
    pub fn with_owned_token(mut self, token: std::sync::Arc<Token>) -> Self {
        self.owned_token = Some(token);
        self
    }

    /// Every secret the scope could place in a request (credentials, the
    /// token's secrets, step outputs), to redact from what a vendor echoes.
    pub fn secrets(&self) -> Vec<Zeroizing<String>> {
        let own = |s: &SecretString| Zeroizing::new(s.expose_secret().to_owned());
        let mut out: Vec<Zeroizing<String>> = self.credentials.iter().map(|c| own(c)).collect();
        if let Some(token) = self.token() {
            out.push(own(token.access_token()));
            out.extend(token.refresh_token().map(own));
            out.extend(token.fields().filter_map(|(_, value)| match value {
                crate::token::FieldValue::Secret(secret) => Some(own(secret)),
                crate::token::FieldValue::Text(_) => None,
            }));
        }
        out.extend(self.steps.iter().flatten().map(|(_, value)| own(value)));
        out.extend(self.signed.borrow().iter().map(|(_, value)| own(value)));
        // Too short to be told from ordinary text.
        out.retain(|secret| secret.chars().count() >= 4);
        out
    }

    /// What identifies the client's credential identity (its credentials
    /// and settings), for a keyed digest: never stored or shown as it is.
    pub(crate) fn identity_material(&self) -> Zeroizing<Vec<u8>> {
        let mut out = Zeroizing::new(Vec::new());
        out.extend_from_slice(self.vendor.as_bytes());
        for credential in &self.credentials {
            out.push(0);
            out.extend_from_slice(credential.expose_secret().as_bytes());
        }
        for variable in &self.variables {
            out.push(1);
            match variable {
                Var::Text(text) => out.extend_from_slice(text.as_bytes()),
                Var::Integer(n) => out.extend_from_slice(&n.to_le_bytes()),
                Var::Boolean(b) => out.push(u8::from(*b)),
                Var::Absent => out.push(2),
            }
        }
        out
    }

    /// Records the outputs of the next step.
    pub fn push_step(&mut self, outputs: Vec<(&'static str, SecretString)>) {
        self.steps.push(outputs);
    }

    pub(crate) fn now(&self) -> OffsetDateTime {
        *self.now.get_or_init(OffsetDateTime::now_utc)
    }
}

/// What a value evaluates to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// Text (for JSON, a string).
    Text,
    /// A whole number (for JSON, a number) when it is a template's only part.
    Integer,
    /// A boolean (for JSON, `true`/`false`) when it is a template's only part.
    Boolean,
}

/// An evaluated value: its text, whether it is secret, and its kind.
/// The text is wiped from memory when dropped.
pub struct Evaluated {
    text: Zeroizing<String>,
    secret: bool,
    kind: Kind,
}

impl std::fmt::Debug for Evaluated {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let text: &str = if self.secret {
            "[REDACTED]"
        } else {
            &self.text
        };
        f.debug_struct("Evaluated")
            .field("text", &text)
            .field("kind", &self.kind)
            .finish()
    }
}

impl Evaluated {
    /// The text as sent.
    pub fn text(&self) -> &str {
        &self.text
    }

    /// Whether any part came from a secret.
    pub fn is_secret(&self) -> bool {
        self.secret
    }

    /// How JSON should write it.
    pub fn kind(&self) -> Kind {
        self.kind
    }
}

impl Template {
    /// The value, or `None` when it uses an optional value that is absent
    /// (the place that holds it is then omitted).
    pub fn eval(&self, scope: &Scope<'_>) -> Result<Option<Evaluated>, Error> {
        let mut text = Zeroizing::new(String::new());
        let mut secret = false;
        let mut kind = Kind::Text;
        for part in self.0 {
            match part {
                Part::Text(literal) => text.push_str(literal),
                Part::Ref(reference, functions) => {
                    let Some(value) = reference.eval(scope)? else {
                        return Ok(None);
                    };
                    secret |= value.secret;
                    if self.0.len() == 1 && functions.is_empty() {
                        kind = value.kind;
                    }
                    if functions.is_empty() {
                        text.push_str(&value.text);
                    } else {
                        let mut current = value.text;
                        for function in *functions {
                            current = apply(*function, &current);
                        }
                        text.push_str(&current);
                    }
                }
            }
        }
        Ok(Some(Evaluated { text, secret, kind }))
    }

    /// Whether every part is fixed for a token's life (no generated value):
    /// such a value can be computed once per token instead of per request.
    pub fn is_per_token(&self) -> bool {
        self.0.iter().all(|part| match part {
            Part::Text(_) => true,
            Part::Ref(reference, _) => reference.is_per_token(),
        })
    }
}

impl Ref {
    fn is_per_token(&self) -> bool {
        match self {
            Ref::Now(_) | Ref::NowCustom(_) | Ref::Uuid | Ref::Signed(_) => false,
            Ref::Named(template) => template.is_per_token(),
            _ => true,
        }
    }

    fn eval(&self, scope: &Scope<'_>) -> Result<Option<Evaluated>, Error> {
        let plain = |text: String, kind: Kind| {
            Some(Evaluated {
                text: Zeroizing::new(text),
                secret: false,
                kind,
            })
        };
        let secret = |value: &SecretString| {
            Some(Evaluated {
                text: Zeroizing::new(value.expose_secret().to_owned()),
                secret: true,
                kind: Kind::Text,
            })
        };
        Ok(match self {
            Ref::Credential(index) => scope.credentials.get(*index).and_then(|c| secret(c)),
            Ref::Variable(index) => match scope.variables.get(*index) {
                Some(Var::Text(text)) => plain((*text).to_owned(), Kind::Text),
                Some(Var::Integer(n)) => plain(n.to_string(), Kind::Integer),
                Some(Var::Boolean(b)) => plain(b.to_string(), Kind::Boolean),
                Some(Var::Absent) | None => None,
            },
            Ref::Token(field) => {
                let Some(token) = scope.token() else {
                    return Err(Error::Config {
                        vendor: scope.vendor,
                        message: "this request needs the current token, and none was given".into(),
                    });
                };
                match field {
                    TokenField::AccessToken => secret(token.access_token()),
                    TokenField::RefreshToken => match token.refresh_token() {
                        Some(refresh) => secret(refresh),
                        None => {
                            return Err(Error::MissingRefreshToken {
                                vendor: scope.vendor,
                            });
                        }
                    },
                    TokenField::Field(name) => match token.field(name) {
                        Some(crate::token::FieldValue::Secret(value)) => secret(value),
                        Some(crate::token::FieldValue::Text(text)) => {
                            plain(text.clone(), Kind::Text)
                        }
                        None => None,
                    },
                }
            }
            Ref::Now(format) => plain(format_now(*format, scope.now()), now_kind(*format)),
            Ref::NowCustom(description) => {
                let text = time::format_description::parse_borrowed::<2>(description)
                    .ok()
                    .and_then(|items| scope.now().format(&items).ok())
                    .ok_or_else(|| Error::Config {
                        vendor: scope.vendor,
                        message: format!("the time format {description:?} cannot be written"),
                    })?;
                plain(text, Kind::Text)
            }
            Ref::Uuid => plain(
                scope
                    .uuid
                    .get_or_init(|| uuid::Uuid::new_v4().hyphenated().to_string())
                    .clone(),
                Kind::Text,
            ),
            Ref::Named(template) => template.eval(scope)?,
            Ref::Step(step, name) => scope
                .steps
                .get(*step)
                .and_then(|outputs| outputs.iter().find(|(n, _)| n == name))
                .and_then(|(_, value)| secret(value)),
            Ref::PublicKeySha256(index) => scope
                .ring
                .and_then(|ring| ring.fingerprint(*index))
                .and_then(|text| plain(text.to_owned(), Kind::Text)),
            Ref::Signed(assertion) => {
                let id = std::ptr::from_ref(*assertion) as usize;
                let done = scope
                    .signed
                    .borrow()
                    .iter()
                    .find(|(a, _)| *a == id)
                    .map(|(_, jwt)| jwt.clone());
                let jwt = match done {
                    Some(jwt) => jwt,
                    None => {
                        let mut fresh = assertion.sign(scope)?;
                        let jwt = SecretString::from(std::mem::take(&mut *fresh));
                        scope.signed.borrow_mut().push((id, jwt.clone()));
                        jwt
                    }
                };
                secret(&jwt)
            }
        })
    }
}

fn now_kind(format: NowFormat) -> Kind {
    match format {
        NowFormat::Unix | NowFormat::UnixMillis => Kind::Integer,
        NowFormat::Rfc3339 | NowFormat::Rfc3339Millis => Kind::Text,
    }
}

/// `at` as `format` writes it.
pub fn format_now(format: NowFormat, at: OffsetDateTime) -> String {
    use time::format_description::well_known::iso8601::{
        Config, EncodedConfig, Iso8601, TimePrecision,
    };
    const SECONDS: EncodedConfig = Config::DEFAULT
        .set_time_precision(TimePrecision::Second {
            decimal_digits: None,
        })
        .encode();
    const MILLIS: EncodedConfig = Config::DEFAULT
        .set_time_precision(TimePrecision::Second {
            decimal_digits: std::num::NonZeroU8::new(3),
        })
        .encode();
    let at = at.to_offset(time::UtcOffset::UTC);
    let iso = |text: Result<String, time::error::Format>| {
        text.unwrap_or_else(|_| at.unix_timestamp().to_string())
    };
    match format {
        NowFormat::Rfc3339 => iso(at.format(&Iso8601::<SECONDS>)),
        NowFormat::Rfc3339Millis => iso(at.format(&Iso8601::<MILLIS>)),
        NowFormat::Unix => at.unix_timestamp().to_string(),
        NowFormat::UnixMillis => (at.unix_timestamp_nanos() / 1_000_000).to_string(),
    }
}

/// `function` applied to `text`. The intermediate copies are wiped too.
pub(crate) fn apply(function: Function, text: &str) -> Zeroizing<String> {
    use base64::Engine as _;
    Zeroizing::new(match function {
        Function::Base64 => base64::engine::general_purpose::STANDARD.encode(text),
        Function::Base64Url => base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(text),
        Function::UrlEncode => {
            percent_encoding::utf8_percent_encode(text, UNRESERVED_COMPLEMENT).to_string()
        }
        Function::Lower => text.to_lowercase(),
        Function::Upper => text.to_uppercase(),
    })
}

/// Everything but RFC 3986's unreserved characters.
const UNRESERVED_COMPLEMENT: &percent_encoding::AsciiSet = &percent_encoding::NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~');

/// The JSON shape of a request body: literals and templates at any depth.
#[derive(Debug)]
pub enum Json {
    /// `null`
    Null,
    /// `true` / `false`
    Bool(bool),
    /// A number, as the spec wrote it.
    Number(&'static str),
    /// A template: a string, or a number or boolean when it is one
    /// reference of that kind. Omitted (from its object or array) when absent.
    Value(Template),
    /// An array.
    Array(&'static [Json]),
    /// An object, members in spec order.
    Object(&'static [(&'static str, Json)]),
}

impl Json {
    /// Writes the JSON into `out`; `Ok(false)` when the value is absent.
    pub fn write(&self, scope: &Scope<'_>, out: &mut Vec<u8>) -> Result<bool, Error> {
        match self {
            Json::Null => out.extend_from_slice(b"null"),
            Json::Bool(b) => out.extend_from_slice(if *b { b"true" } else { b"false" }),
            Json::Number(n) => out.extend_from_slice(n.as_bytes()),
            Json::Value(template) => {
                let Some(value) = template.eval(scope)? else {
                    return Ok(false);
                };
                match value.kind {
                    Kind::Integer | Kind::Boolean => out.extend_from_slice(value.text.as_bytes()),
                    // Writing a &str into a Vec cannot fail.
                    Kind::Text => drop(serde_json::to_writer(&mut *out, value.text())),
                }
            }
            Json::Array(items) => {
                out.push(b'[');
                let mut first = true;
                for item in *items {
                    let mark = out.len();
                    if !first {
                        out.push(b',');
                    }
                    if item.write(scope, out)? {
                        first = false;
                    } else {
                        out.truncate(mark);
                    }
                }
                out.push(b']');
            }
            Json::Object(members) => {
                out.push(b'{');
                write_members(members, scope, out, true)?;
                out.push(b'}');
            }
        }
        Ok(true)
    }
}

/// Writes an object's members (`"name":value`, comma-separated, absent ones
/// left out) into `out`, after a comma unless `first`. Returns whether none
/// was written and `first` still holds.
pub(crate) fn write_members(
    members: &[(&'static str, Json)],
    scope: &Scope<'_>,
    out: &mut Vec<u8>,
    mut first: bool,
) -> Result<bool, Error> {
    for (name, value) in members {
        let mark = out.len();
        if !first {
            out.push(b',');
        }
        let _ = serde_json::to_writer(&mut *out, name);
        out.push(b':');
        if value.write(scope, out)? {
            first = false;
        } else {
            out.truncate(mark);
        }
    }
    Ok(first)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scope<'a>(credentials: Vec<&'a SecretString>, variables: Vec<Var<'a>>) -> Scope<'a> {
        Scope::new("V", credentials, variables, None)
    }

    #[test]
    fn templates_compose_and_apply_functions() {
        static PAIR: Template = Template(&[
            Part::Ref(Ref::Credential(0), &[]),
            Part::Text(":"),
            Part::Ref(Ref::Credential(1), &[]),
        ]);
        static BASIC: Template = Template(&[
            Part::Text("Basic "),
            Part::Ref(Ref::Named(&PAIR), &[Function::Base64]),
        ]);
        let (user, key) = (
            SecretString::from("me@example.com"),
            SecretString::from("k:y"),
        );
        let value = BASIC
            .eval(&scope(vec![&user, &key], vec![]))
            .unwrap()
            .unwrap();
        assert_eq!(value.text(), "Basic bWVAZXhhbXBsZS5jb206azp5");
        assert!(value.is_secret());
        assert!(!format!("{value:?}").contains("bWV"));
    }

    #[test]
    fn generated_values_are_made_once_per_scope() {
        static TWO: Template = Template(&[
            Part::Ref(Ref::Uuid, &[]),
            Part::Text(" "),
            Part::Ref(Ref::Uuid, &[Function::Upper]),
        ]);
        let s = scope(vec![], vec![]);
        let value = TWO.eval(&s).unwrap().unwrap();
        let (a, b) = value.text().split_once(' ').unwrap();
        assert_eq!(a.to_uppercase(), b);
        assert!(!TWO.is_per_token());
    }

    #[test]
    fn absent_optional_values_omit_their_place() {
        static BODY: Json = Json::Object(&[
            (
                "a",
                Json::Value(Template(&[Part::Ref(Ref::Variable(0), &[])])),
            ),
            (
                "scope",
                Json::Value(Template(&[Part::Ref(Ref::Variable(1), &[])])),
            ),
            (
                "n",
                Json::Value(Template(&[Part::Ref(Ref::Variable(2), &[])])),
            ),
            (
                "list",
                Json::Array(&[
                    Json::Value(Template(&[Part::Ref(Ref::Variable(1), &[])])),
                    Json::Null,
                ]),
            ),
        ]);
        let s = scope(
            vec![],
            vec![Var::Text("x\"y"), Var::Absent, Var::Integer(7)],
        );
        let mut out = Vec::new();
        assert!(BODY.write(&s, &mut out).unwrap());
        assert_eq!(
            String::from_utf8(out).unwrap(),
            r#"{"a":"x\"y","n":7,"list":[null]}"#
        );
    }

    #[test]
    fn urlencode_keeps_only_unreserved() {
        assert_eq!(
            apply(Function::UrlEncode, "a b+c/~").as_str(),
            "a%20b%2Bc%2F~"
        );
        assert_eq!(apply(Function::Base64Url, "??>").as_str(), "Pz8-");
    }
}
