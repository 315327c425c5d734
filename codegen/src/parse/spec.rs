//! The spec file as written: serde types that mirror the YAML one to one.
//!
//! Nothing here is checked beyond what serde checks (known keys, value
//! types); meaning is given in `validate`, which turns these into the model.
//! The doc comments are also the descriptions of the JSON Schema
//! (`specs/schema.json`) that editors show as you type, so they are written
//! for spec authors. Keys whose values are a closed set are plain strings
//! here, so that a wrong value gets a located diagnostic from `validate`; the
//! schema lists the allowed values for completion, filled in by `schema()`
//! from the one definition in `vendor-auth-rules` (`x-closed-set` names it).

use indexmap::IndexMap;
use serde::Deserialize;

#[cfg(feature = "schema")]
use schemars::JsonSchema;

/// A vendor's token endpoints: one file per vendor in `specs/`. The generator
/// turns it into a Rust module with typed credentials, configuration, response
/// structs and a client.
///
/// Every value a request or an API call sends is a *template*: text with
/// `{placeholders}`. A placeholder names a credential, a variable or a named
/// value (`{client_id}`), a field of the current token
/// (`{token.access_token}`, `{token.refresh_token}`, `{token.FIELD}`), or a
/// value made once per request (`{uuid}`, `{now.rfc3339}`, `{now.unix}`, ...),
/// optionally through functions: `{api_key | base64}`. `{{` and `}}` are
/// literal braces.
#[derive(Debug, Deserialize)]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct Spec {
    /// Human name of the vendor and product, e.g. `Verbio Speech Center`.
    pub name: String,
    /// Rust module name of the generated client, in snake_case, e.g. `verbio`.
    #[cfg_attr(feature = "schema", schemars(regex(pattern = r"^[a-z][a-z0-9_]*$")))]
    pub module: String,
    /// What the vendor is; copied into the module documentation.
    #[serde(default)]
    pub description: Option<String>,
    /// Address of the vendor's authentication document.
    #[serde(default)]
    pub documentation: Option<String>,
    /// Named environments (`production`, `uat`, ...), each with its base URL.
    /// Each becomes a variant of the generated `Environment` enum.
    pub environments: IndexMap<String, Environment>,
    /// The environment `Environment::default()` selects; it must have a
    /// `base_url`.
    #[serde(default)]
    pub default_environment: Option<String>,
    /// `link_local_metadata` lets the base URLs use plain `http://` to a
    /// cloud metadata endpoint (169.254.169.254, fd00:ec2::254,
    /// metadata.google.internal). Only for specs that send no credential.
    #[serde(default)]
    #[cfg_attr(feature = "schema", schemars(extend("enum" = ["link_local_metadata"])))]
    pub plain_http: Option<String>,
    /// Settings the user gives besides the credentials (a domain, a region, a
    /// scope): each becomes a field of the generated `Config` and can be used
    /// in any template as `{name}`.
    #[serde(default)]
    pub variables: IndexMap<String, Variable>,
    /// The secrets the vendor issues (client id and secret, user name and
    /// password, API key, a long-lived refresh token, ...). Each becomes a
    /// `SecretString` field of the generated `Credentials`; each must be sent
    /// somewhere. Used in templates as `{name}`.
    #[serde(default)]
    pub credentials: IndexMap<String, Credential>,
    /// Named values, used in templates as `{name}`: a template
    /// (`"{email}:{api_token}"`), `{ now: FORMAT }` for the current time
    /// in a custom `time` format description (`"[year][month][day]"`), or
    /// `{ jwt: ... }` for an assertion the client signs (a JWT bearer grant,
    /// `private_key_jwt`, a self-issued token).
    #[serde(default)]
    pub values: IndexMap<String, NamedValue>,
    /// Seconds before expiry at which a cached token is renewed in the
    /// background. Default: 60, at most half the token's lifetime.
    #[serde(default)]
    pub refresh_ahead_seconds: Option<u64>,
    /// Error meanings shared by every operation (an operation may override).
    #[serde(default)]
    pub errors: Option<Errors>,
    /// The token endpoints: `token`, `refresh` and `revoke`. A vendor whose
    /// API calls carry the credentials themselves (an API key, Basic
    /// `email:api_token`) has none; one whose refresh token was issued once
    /// (a credential with `refresh_token: true`) may have only `refresh`.
    #[serde(default)]
    pub operations: Operations,
    /// How API calls carry the token. Default (and when empty):
    /// `Authorization: Bearer {token.access_token}`.
    #[serde(default)]
    pub authorization: Authorization,
}

/// Where the vendor's endpoints live in one environment.
#[derive(Debug, Deserialize)]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct Environment {
    /// Shown in the generated documentation.
    #[serde(default)]
    pub description: Option<String>,
    /// Base URL, a template over variables (`https://{domain}`). `https://`
    /// only, but for loopback addresses (and metadata endpoints, see
    /// `plain_http`).
    #[serde(default)]
    pub base_url: Option<String>,
    /// The user supplies the base URL at run time (e.g. the vendor sends it by
    /// email); give either this or `base_url`.
    #[serde(default)]
    pub user_supplied: bool,
    /// Values this environment implies for variables, in place of their
    /// `default` (an audience or a region that differs per environment):
    /// `Config::new` and `from_env` start from them when this environment
    /// is chosen. Each variable needs a `default`, for the others.
    #[serde(default)]
    pub defaults: IndexMap<String, Scalar>,
}

/// A setting of the generated `Config`.
#[derive(Debug, Deserialize)]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct Variable {
    /// Shown on the generated `Config` field.
    #[serde(default)]
    pub description: Option<String>,
    /// `string` (default), `integer` or `boolean`. In a JSON body, a value
    /// that is exactly one integer or boolean variable is sent as a number
    /// or boolean.
    #[serde(default, rename = "type")]
    #[cfg_attr(feature = "schema", schemars(extend("x-closed-set" = "VariableType")))]
    pub var_type: Option<String>,
    /// The user may leave it unset; whatever uses it (a query parameter, a
    /// header, a body member) is then omitted.
    #[serde(default)]
    pub optional: bool,
    /// The value when the user sets none.
    #[serde(default)]
    pub default: Option<Scalar>,
}

/// A secret the vendor issues.
#[derive(Debug, Deserialize)]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct Credential {
    /// Where the user finds it, how long it lasts; shown on the generated
    /// `Credentials` field.
    #[serde(default)]
    pub description: Option<String>,
    /// A long-lived refresh token issued once (e.g. by a consent flow). It
    /// seeds `{token.refresh_token}` of the refresh operation until the
    /// vendor rotates it; the client then keeps and reports the newest one.
    #[serde(default)]
    pub refresh_token: bool,
    /// The credential is a JSON document (a downloaded key file, such as a
    /// Google service-account file) whose string fields templates read as
    /// `{name.FIELD}`. It is read once, when the client is built; a missing
    /// field fails `Client::new`.
    #[serde(default)]
    pub json_fields: Vec<String>,
}

/// A named value.
#[derive(Debug)]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
#[cfg_attr(feature = "schema", schemars(untagged))]
pub enum NamedValue {
    /// A template.
    Template(Scalar),
    /// The current time in a custom format.
    Now(NowValue),
    /// An assertion the client signs.
    Jwt(JwtValue),
}

/// `{ jwt: ... }`: a signed assertion.
#[derive(Debug, Deserialize)]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct JwtValue {
    /// The JWT: signed once per request that sends it, or once per lifetime
    /// when it is the token itself (`operations.self_issued`).
    pub jwt: Jwt,
}

/// A JWT (RFC 7519) signed with a key from the credentials.
#[derive(Debug, Deserialize)]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct Jwt {
    /// The `alg`: RS256, PS256, ES256, EdDSA, ..., or HS256 (keyed with a
    /// shared secret, for `client_secret_jwt`).
    #[cfg_attr(feature = "schema", schemars(extend("x-closed-set" = "JwtAlgorithm")))]
    pub algorithm: String,
    /// The credential (or JSON field) holding the key, e.g.
    /// `"{private_key}"`: a PEM private key (PKCS#8, PKCS#1 RSA or SEC1 EC),
    /// or for HS256 the shared secret. Parsed once, when the client is built.
    pub key: String,
    /// Header members besides `alg`, e.g. `kid: "{key_id}"`; `typ: JWT`
    /// is written unless given here. Every string is a template.
    #[serde(default)]
    #[cfg_attr(
        feature = "schema",
        schemars(with = "Option<serde_json::Map<String, serde_json::Value>>")
    )]
    pub header: Option<serde_yaml::Value>,
    /// The claims (`iss`, `sub`, `aud`, `scope`, `jti: "{uuid}"`, ...): a
    /// JSON object whose strings are templates. `iat` and `exp` are always
    /// written, from the lifetime, and may not be given here.
    #[cfg_attr(
        feature = "schema",
        schemars(with = "serde_json::Map<String, serde_json::Value>")
    )]
    pub claims: serde_yaml::Value,
    /// `exp - iat`, in seconds.
    #[cfg_attr(feature = "schema", schemars(range(min = 1)))]
    pub lifetime_seconds: u64,
    /// How far `iat` is set in the past, for servers whose clocks run
    /// behind. Default 0.
    #[serde(default)]
    pub backdate_seconds: u64,
    /// Also write `nbf`, equal to `iat`.
    #[serde(default)]
    pub not_before: bool,
}

/// The current time (UTC), once per request, in a custom format.
#[derive(Debug, Deserialize)]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct NowValue {
    /// A `time` crate format description, e.g. `"[year]-[month]-[day]"`.
    pub now: String,
}

/// A template as YAML gives it: text, or a number or boolean written bare.
#[derive(Debug, Clone)]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
#[cfg_attr(feature = "schema", schemars(untagged))]
pub enum Scalar {
    /// Text, possibly with `{placeholders}`.
    Text(String),
    /// A whole number.
    Integer(i64),
    /// A fractional number.
    Float(f64),
    /// A boolean.
    Bool(bool),
}

impl Scalar {
    /// The text a request sends for it.
    pub fn text(&self) -> String {
        match self {
            Scalar::Text(text) => text.clone(),
            Scalar::Integer(n) => n.to_string(),
            Scalar::Float(n) => n.to_string(),
            Scalar::Bool(b) => b.to_string(),
        }
    }
}

/// The token endpoints.
#[derive(Debug, Default, Deserialize)]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct Operations {
    /// Obtains a token from the credentials.
    #[serde(default)]
    pub token: Option<Operation>,
    /// Obtains a new token with the current one (e.g. its refresh token).
    #[serde(default)]
    pub refresh: Option<Operation>,
    /// Revokes a token (e.g. RFC 7009).
    #[serde(default)]
    pub revoke: Option<Operation>,
    /// No request at all: the token is this named `jwt` value itself
    /// (Apple App Store Connect, Snowflake key-pair), signed by the client,
    /// cached until shortly before its `exp` and then signed anew.
    #[serde(default)]
    pub self_issued: Option<String>,
}

/// One HTTP call to the vendor.
#[derive(Debug, Deserialize)]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct Operation {
    /// Shown on the generated client function.
    #[serde(default)]
    pub description: Option<String>,
    /// HTTP method. A GET or DELETE carries no body.
    #[cfg_attr(
        feature = "schema",
        schemars(extend("x-closed-set" = "Method"))
    )]
    pub method: String,
    /// Path appended to the environment's base URL, starting with `/`, or
    /// empty; a template over variables, each value sent as one path
    /// segment. No query string (use `request.query`).
    pub path: String,
    /// The status of a successful response, or a list of them. Default 200.
    #[serde(default)]
    pub success_status: Option<OneOrMany>,
    /// What the request carries: query, body, HTTP Basic, headers.
    #[serde(default)]
    pub request: Request,
    /// How the response maps to a token. Required for `token` and `refresh`;
    /// a `revoke` may omit it (no body expected).
    #[serde(default)]
    pub response: Option<Response>,
    /// Error meanings for this operation, replacing the vendor-wide ones.
    #[serde(default)]
    pub errors: Option<Errors>,
    /// Exchanges made first, in order (log in, then exchange the session
    /// for a token): each names the outputs that later steps and this
    /// request read as `{steps.NAME.OUTPUT}`.
    #[serde(default)]
    pub steps: Vec<Step>,
}

/// An earlier exchange of a chained operation.
#[derive(Debug, Deserialize)]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct Step {
    /// Its name in `{steps.NAME.OUTPUT}`.
    pub name: String,
    /// Shown in the generated documentation.
    #[serde(default)]
    pub description: Option<String>,
    /// HTTP method.
    #[cfg_attr(
        feature = "schema",
        schemars(extend("x-closed-set" = "Method"))
    )]
    pub method: String,
    /// Path appended to the base URL, as for an operation.
    pub path: String,
    /// The status of a successful response, or a list. Default 200.
    #[serde(default)]
    pub success_status: Option<OneOrMany>,
    /// What the request carries.
    #[serde(default)]
    pub request: Request,
    /// How the response body is read: `json` (default), `form`, `text`, `none`.
    #[serde(default)]
    #[cfg_attr(feature = "schema", schemars(extend("x-closed-set" = "BodyFormat")))]
    pub format: Option<String>,
    /// What later exchanges read: name to source (a body field, a header, a
    /// cookie, ...). Each is kept secret.
    #[serde(default)]
    pub outputs: IndexMap<String, SourceSpec>,
}

/// A status or a list of statuses.
#[derive(Debug, Clone)]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
#[cfg_attr(feature = "schema", schemars(untagged))]
pub enum OneOrMany {
    /// One status.
    One(u16),
    /// Several statuses.
    Many(Vec<u16>),
}

/// Where each value of a request goes. Every value is a template.
#[derive(Debug, Default, Deserialize)]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct Request {
    /// Query-string parameters: wire name to template.
    #[serde(default)]
    pub query: IndexMap<String, Scalar>,
    /// The request body: `form`, `json` or `text`.
    #[serde(default)]
    pub body: Option<Body>,
    /// HTTP Basic authentication from two templates.
    #[serde(default)]
    pub basic_auth: Option<BasicAuth>,
    /// Request headers: name to template. A `Content-Type` here replaces the
    /// body's own (e.g. `application/x-amz-json-1.1`).
    #[serde(default)]
    pub headers: IndexMap<String, Scalar>,
}

/// A request body: exactly one of `form`, `json` or `text`.
#[derive(Debug, Deserialize)]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct Body {
    /// `application/x-www-form-urlencoded` fields: wire name to template.
    #[serde(default)]
    pub form: Option<IndexMap<String, Scalar>>,
    /// A JSON document of any shape; every string in it is a template, and
    /// numbers, booleans and null are sent as written.
    #[serde(default)]
    #[cfg_attr(feature = "schema", schemars(with = "Option<serde_json::Value>"))]
    pub json: Option<serde_yaml::Value>,
    /// A plain-text body (a template).
    #[serde(default)]
    pub text: Option<String>,
}

/// HTTP Basic authentication.
#[derive(Debug, Deserialize)]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct BasicAuth {
    /// The user name, a template, e.g. `"{client_id}"`.
    pub username: Scalar,
    /// The password, a template, e.g. `"{client_secret}"` (may be `""`).
    pub password: Scalar,
    /// Form-encode both before base64, as RFC 6749 section 2.3.1 requires of
    /// OAuth2 clients (strict servers such as oidc-provider decode them).
    /// Default false: the plain `base64(id:secret)` most vendor documents
    /// show; the two differ only for characters other than letters, digits
    /// and `-._~`.
    #[serde(default)]
    pub form_encoded: bool,
}

/// How a response maps to the normalized token. Each token field names its
/// source: a string is a field of the body (a dotted JSON path such as
/// `data.token` or `items[0].token`, or a form field), or a map
/// `{ header: NAME }`, `{ cookie: NAME }`, `{ body: text }` or
/// `{ first_of: [SOURCE, ...] }`.
#[derive(Debug, Deserialize)]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct Response {
    /// How the body is read: `json` (default), `form`, `text` or `none`.
    #[serde(default)]
    #[cfg_attr(feature = "schema", schemars(extend("x-closed-set" = "BodyFormat")))]
    pub format: Option<String>,
    /// Where the access token is. Required for `token` and `refresh`.
    #[serde(default)]
    pub access_token: Option<SourceSpec>,
    /// Where the token type (`Bearer`) is.
    #[serde(default)]
    pub token_type: Option<SourceSpec>,
    /// Where the refresh token is.
    #[serde(default)]
    pub refresh_token: Option<SourceSpec>,
    /// Where the granted scope is.
    #[serde(default)]
    pub scope: Option<SourceSpec>,
    /// When the token expires: `{ field: SOURCE, kind: KIND }`, or `never`.
    /// Give this or `default_lifetime_seconds`.
    #[serde(default)]
    pub expiry: Option<ExpirySpec>,
    /// Lifetime the vendor documents, when the response carries no expiry
    /// (or as a fallback when its expiry field is optional).
    #[serde(default)]
    #[cfg_attr(feature = "schema", schemars(range(min = 1)))]
    pub default_lifetime_seconds: Option<u64>,
    /// When the refresh token expires, if the vendor says.
    #[serde(default)]
    pub refresh_token_expiry: Option<ExpirySpec>,
    /// An error the vendor reports inside a success response, e.g.
    /// `{ field: error }`: when that field is present the call fails.
    #[serde(default)]
    pub error_when: Option<ErrorWhen>,
    /// Every other documented field: name to type and source. They become
    /// typed fields of the generated response struct, are kept with the
    /// token (`Token::field`), and later requests can send them as
    /// `{token.NAME}`.
    #[serde(default)]
    pub fields: IndexMap<String, Field>,
}

/// An error reported inside a success response.
#[derive(Debug, Deserialize)]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct ErrorWhen {
    /// The field whose presence means an error.
    pub field: SourceSpec,
    /// The status to report it as. Default 400: a rejection, never retried.
    #[serde(default)]
    pub status: Option<u16>,
}

/// Where a response value is.
#[derive(Debug)]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
#[cfg_attr(feature = "schema", schemars(untagged))]
pub enum SourceSpec {
    /// A field of the body: a JSON path (`data.token`, `items[0].token`) or
    /// a form field name.
    Field(String),
    /// A header, a cookie, the whole body, or the first present of several.
    Other(SourceMap),
}

/// A source other than a body field: exactly one key.
#[derive(Debug, Deserialize)]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct SourceMap {
    /// A response header, e.g. `X-Subject-Token`.
    #[serde(default)]
    pub header: Option<String>,
    /// A cookie the response sets, e.g. `B1SESSION`.
    #[serde(default)]
    pub cookie: Option<String>,
    /// `text`: the whole body (with `format: text`).
    #[serde(default)]
    #[cfg_attr(feature = "schema", schemars(extend("enum" = ["text"])))]
    pub body: Option<String>,
    /// The first of these that the response has.
    #[serde(default)]
    pub first_of: Option<Vec<SourceSpec>>,
    /// A value the request itself sent (a template), e.g. the lifetime a
    /// TTL header asked for: `{ sent: "{ttl}" }`.
    #[serde(default)]
    pub sent: Option<Scalar>,
}

/// An expiry: `never`, or where it is and in which form.
#[derive(Debug)]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
#[cfg_attr(feature = "schema", schemars(untagged))]
pub enum ExpirySpec {
    /// `never`: the token lasts until revoked.
    Never(String),
    /// A field of the response.
    Field(Expiry),
}

/// An expiry field.
#[derive(Debug, Deserialize)]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct Expiry {
    /// Where it is, e.g. `expires_in`, `auth.lease_duration` or
    /// `{ header: X-Auth-Token-Expires }`.
    pub field: SourceSpec,
    /// relative_seconds (like `expires_in`), relative_milliseconds,
    /// relative_minutes, unix_seconds, unix_milliseconds, datetime (an RFC
    /// 3339 string) or duration (`PT1H`, `1h30m`, `01:30:00`).
    #[cfg_attr(
        feature = "schema",
        schemars(extend("x-closed-set" = "ExpiryKind"))
    )]
    pub kind: String,
    /// How a number is sent: `number` (default in JSON), `string` (`"3600"`)
    /// or `number_or_string` (either; the default for headers, cookies and
    /// form fields). Only for the numeric kinds.
    #[serde(default, rename = "type")]
    #[cfg_attr(
        feature = "schema",
        schemars(extend("x-closed-set" = "NumberWire"))
    )]
    pub wire_type: Option<String>,
}

/// A documented response field beyond the token's own.
#[derive(Debug, Deserialize)]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct Field {
    /// Its type; `secret` is redacted in `Debug` like the token.
    #[serde(rename = "type")]
    #[cfg_attr(
        feature = "schema",
        schemars(extend("x-closed-set" = "FieldType"))
    )]
    pub wire_type: String,
    /// Where it is; default: the body field of the same name.
    #[serde(default)]
    pub from: Option<SourceSpec>,
    /// Shown on the generated field.
    #[serde(default)]
    pub description: Option<String>,
    /// The response is an error without it. Default false.
    #[serde(default)]
    pub required: bool,
}

/// What error responses mean.
#[derive(Debug, Deserialize)]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct Errors {
    /// Status (`400`, or a class such as `5XX`) to its documented meaning,
    /// which error messages then show.
    #[serde(default)]
    pub statuses: IndexMap<StatusKey, String>,
    /// Fields of a JSON error body worth showing, e.g. `error_description`.
    #[serde(default)]
    pub body_fields: Vec<String>,
}

/// How API calls carry the token: headers, query parameters and cookies,
/// each a template, e.g. `Authorization: "Bearer {token.access_token}"`,
/// `Client-Id: "{client_id}"`, `Request-ID: "{uuid}"`.
#[derive(Debug, Default, Deserialize)]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct Authorization {
    /// Headers: name to template.
    #[serde(default)]
    pub headers: IndexMap<String, Scalar>,
    /// Query parameters: name to template.
    #[serde(default)]
    pub query: IndexMap<String, Scalar>,
    /// Cookies, sent in one `Cookie` header: name to template.
    #[serde(default)]
    pub cookies: IndexMap<String, Scalar>,
}

/// A status key as YAML gives it: `401` is an integer, `5XX` a string.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Deserialize)]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
#[serde(untagged)]
pub enum StatusKey {
    Code(u16),
    Text(String),
}

impl std::fmt::Display for StatusKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            StatusKey::Code(code) => write!(f, "{code}"),
            StatusKey::Text(text) => f.write_str(text),
        }
    }
}

// Hand-written `Deserialize` for the enums that YAML tells apart by shape.
// serde's `untagged` buffers the value and then reports "data did not match
// any variant" at the enclosing map; these visitors say what was expected,
// at the value itself.

use serde::de::{self, MapAccess, SeqAccess, Visitor, value::MapAccessDeserializer};
use std::fmt;

struct ScalarVisitor;

impl<'de> Visitor<'de> for ScalarVisitor {
    type Value = Scalar;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a template (text with `{placeholders}`), a number or a boolean; a credential is written \"{name}\", not `{ credential: name }`")
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<Scalar, E> {
        Ok(Scalar::Text(v.to_owned()))
    }

    fn visit_string<E: de::Error>(self, v: String) -> Result<Scalar, E> {
        Ok(Scalar::Text(v))
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Scalar, E> {
        Ok(Scalar::Integer(v))
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Scalar, E> {
        Ok(i64::try_from(v).map_or(Scalar::Text(v.to_string()), Scalar::Integer))
    }

    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Scalar, E> {
        Ok(Scalar::Float(v))
    }

    fn visit_bool<E: de::Error>(self, v: bool) -> Result<Scalar, E> {
        Ok(Scalar::Bool(v))
    }
}

impl<'de> Deserialize<'de> for Scalar {
    fn deserialize<D: de::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(ScalarVisitor)
    }
}

impl<'de> Deserialize<'de> for NamedValue {
    fn deserialize<D: de::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = NamedValue;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a template, `{ now: FORMAT }` or `{ jwt: ... }`")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<NamedValue, E> {
                Ok(NamedValue::Template(Scalar::Text(v.to_owned())))
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<NamedValue, E> {
                ScalarVisitor.visit_i64(v).map(NamedValue::Template)
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<NamedValue, E> {
                ScalarVisitor.visit_u64(v).map(NamedValue::Template)
            }
            fn visit_f64<E: de::Error>(self, v: f64) -> Result<NamedValue, E> {
                ScalarVisitor.visit_f64(v).map(NamedValue::Template)
            }
            fn visit_bool<E: de::Error>(self, v: bool) -> Result<NamedValue, E> {
                ScalarVisitor.visit_bool(v).map(NamedValue::Template)
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<NamedValue, A::Error> {
                // The one key tells the kinds apart.
                let Some(key) = map.next_key::<String>()? else {
                    return Err(de::Error::custom("expected `now` or `jwt`"));
                };
                let named = match key.as_str() {
                    "now" => NamedValue::Now(NowValue {
                        now: map.next_value()?,
                    }),
                    "jwt" => NamedValue::Jwt(JwtValue {
                        jwt: map.next_value()?,
                    }),
                    other => return Err(de::Error::unknown_field(other, &["now", "jwt"])),
                };
                if let Some(extra) = map.next_key::<String>()? {
                    return Err(de::Error::custom(format!(
                        "unexpected `{extra}`: a named value has one key, `now` or `jwt`"
                    )));
                }
                Ok(named)
            }
        }
        deserializer.deserialize_any(V)
    }
}

impl<'de> Deserialize<'de> for OneOrMany {
    fn deserialize<D: de::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = OneOrMany;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a status such as 200, or a list such as [200, 201]")
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<OneOrMany, E> {
                u16::try_from(v)
                    .map(OneOrMany::One)
                    .map_err(|_| E::invalid_value(de::Unexpected::Unsigned(v), &self))
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<OneOrMany, A::Error> {
                let mut all = Vec::new();
                while let Some(status) = seq.next_element::<u16>()? {
                    all.push(status);
                }
                Ok(OneOrMany::Many(all))
            }
        }
        deserializer.deserialize_any(V)
    }
}

impl<'de> Deserialize<'de> for SourceSpec {
    fn deserialize<D: de::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = SourceSpec;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a body field (`access_token`, `data.token`), or `{ header: NAME }`, `{ cookie: NAME }`, `{ body: text }`, `{ first_of: [...] }`")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<SourceSpec, E> {
                Ok(SourceSpec::Field(v.to_owned()))
            }
            fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<SourceSpec, A::Error> {
                SourceMap::deserialize(MapAccessDeserializer::new(map)).map(SourceSpec::Other)
            }
        }
        deserializer.deserialize_any(V)
    }
}

impl<'de> Deserialize<'de> for ExpirySpec {
    fn deserialize<D: de::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = ExpirySpec;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("`never`, or `{ field: expires_in, kind: relative_seconds }`")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<ExpirySpec, E> {
                Ok(ExpirySpec::Never(v.to_owned()))
            }
            fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<ExpirySpec, A::Error> {
                Expiry::deserialize(MapAccessDeserializer::new(map)).map(ExpirySpec::Field)
            }
        }
        deserializer.deserialize_any(V)
    }
}
