//! The spec file as written: serde types that mirror the YAML one to one.
//!
//! Nothing here is checked beyond what serde checks (known keys, value
//! types); meaning is given in `validate`, which turns these into the model.
//! The doc comments are also the descriptions of the JSON Schema
//! (`specs/schema.json`) that editors show as you type, so they are written
//! for spec authors. Keys whose values are a closed set are plain strings
//! here, so that a wrong value gets a located diagnostic from `validate`; the
//! schema lists the allowed values for completion.

use indexmap::IndexMap;
use serde::Deserialize;

#[cfg(feature = "schema")]
use schemars::JsonSchema;

/// A vendor's token endpoints: one file per vendor in `specs/`. The generator
/// turns it into a Rust module with typed credentials, request and response
/// structs, and a client.
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
    /// Variables of the URL templates (`https://{domainName}.example.com`);
    /// each becomes a field of the generated `Config`, set by the user.
    #[serde(default)]
    pub variables: IndexMap<String, Variable>,
    /// The secrets the vendor issues to its customers (client id and secret,
    /// user name and password, API key, ...). Each becomes a `SecretString`
    /// field of the generated `Credentials`; each must be sent somewhere.
    pub credentials: IndexMap<String, Credential>,
    /// Seconds before expiry at which a cached token is renewed in the
    /// background. Default: 60, at most half the token's lifetime.
    #[serde(default)]
    pub refresh_ahead_seconds: Option<u64>,
    /// Error meanings shared by every operation (an operation may override).
    #[serde(default)]
    pub errors: Option<Errors>,
    /// The token endpoints: `token` (required), `refresh` and `revoke`.
    pub operations: Operations,
    /// How the token is attached to API calls.
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
    /// Base URL, possibly with `{variable}` templates. `https://` only, but
    /// for loopback addresses.
    #[serde(default)]
    pub base_url: Option<String>,
    /// The user supplies the base URL at run time (e.g. the vendor sends it by
    /// email); give either this or `base_url`.
    #[serde(default)]
    pub user_supplied: bool,
}

/// A URL-template variable.
#[derive(Debug, Deserialize)]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct Variable {
    /// Shown on the generated `Config` field.
    #[serde(default)]
    pub description: Option<String>,
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
}

/// The token endpoints.
#[derive(Debug, Deserialize)]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct Operations {
    /// Obtains a token from the credentials.
    pub token: Operation,
    /// Obtains a new token from the current one's refresh token.
    #[serde(default)]
    pub refresh: Option<Operation>,
    /// Revokes a token (e.g. RFC 7009).
    #[serde(default)]
    pub revoke: Option<Operation>,
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
        schemars(extend("enum" = ["GET", "POST", "PUT", "PATCH", "DELETE"]))
    )]
    pub method: String,
    /// Path appended to the environment's base URL, starting with `/`, or
    /// empty; no query string (use `request.query`).
    pub path: String,
    /// The status of a successful response. Default 200.
    #[serde(default)]
    pub success_status: Option<u16>,
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
}

/// Where each value of a request goes.
#[derive(Debug, Default, Deserialize)]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct Request {
    /// Query-string parameters: wire name to value.
    #[serde(default)]
    pub query: IndexMap<String, Value>,
    /// The request body: its encoding and fields.
    #[serde(default)]
    pub body: Option<Body>,
    /// HTTP Basic authentication from two credentials.
    #[serde(default)]
    pub basic_auth: Option<BasicAuth>,
    /// Extra request headers: name to value.
    #[serde(default)]
    pub headers: IndexMap<String, Value>,
}

/// A request body.
#[derive(Debug, Deserialize)]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct Body {
    /// `json` (a JSON object) or `form` (`application/x-www-form-urlencoded`).
    #[cfg_attr(feature = "schema", schemars(extend("enum" = ["json", "form"])))]
    pub encoding: String,
    /// Body fields: wire name to value.
    pub fields: IndexMap<String, Value>,
}

/// HTTP Basic authentication.
#[derive(Debug, Deserialize)]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct BasicAuth {
    /// Name of the credential sent as the user name, e.g. `client_id`.
    pub username: String,
    /// Name of the credential sent as the password, e.g. `client_secret`.
    pub password: String,
    /// Form-encode both credentials before base64, as RFC 6749 section
    /// 2.3.1 requires of OAuth2 clients (strict servers such as
    /// oidc-provider decode them). Default false: the plain
    /// `base64(id:secret)` most vendor documents show; the two differ only
    /// for credentials with characters other than letters, digits and `-._~`.
    #[serde(default)]
    pub form_encoded: bool,
}

/// Where a request value comes from. Exactly one key must be set.
#[derive(Debug, Default, Deserialize)]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct Value {
    /// A declared credential, e.g. `client_secret`.
    #[serde(default)]
    pub credential: Option<String>,
    /// A constant, e.g. `client_credentials`.
    #[serde(default)]
    pub value: Option<String>,
    /// A field of the current token (in `refresh` and `revoke` only).
    #[serde(default)]
    #[cfg_attr(
        feature = "schema",
        schemars(extend("enum" = ["access_token", "refresh_token"]))
    )]
    pub token: Option<String>,
    /// A declared URL-template variable.
    #[serde(default)]
    pub variable: Option<String>,
}

/// How a response maps to the normalized token. Values are the response's
/// wire names, e.g. `access_token: accessToken`.
#[derive(Debug, Deserialize)]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct Response {
    /// The token fields sit under this member of the body, e.g. `data`.
    #[serde(default)]
    pub nested_under: Option<String>,
    /// Wire name of the access token. Required for `token` and `refresh`.
    #[serde(default)]
    pub access_token: Option<String>,
    /// Wire name of the token type (`Bearer`).
    #[serde(default)]
    pub token_type: Option<String>,
    /// Wire name of the refresh token.
    #[serde(default)]
    pub refresh_token: Option<String>,
    /// Wire name of the granted scope.
    #[serde(default)]
    pub scope: Option<String>,
    /// Where the token's expiry is and in which form. Give this or
    /// `default_lifetime_seconds`.
    #[serde(default)]
    pub expiry: Option<Expiry>,
    /// Lifetime the vendor documents, when the response carries no expiry
    /// (or as a fallback when its expiry field is optional).
    #[serde(default)]
    #[cfg_attr(feature = "schema", schemars(range(min = 1)))]
    pub default_lifetime_seconds: Option<u64>,
    /// Where the refresh token's expiry is, if the vendor sends one.
    #[serde(default)]
    pub refresh_token_expiry: Option<Expiry>,
    /// Every other documented field: wire name to type. They become typed
    /// fields of the generated response struct.
    #[serde(default)]
    pub fields: IndexMap<String, Field>,
}

/// An expiry field.
#[derive(Debug, Deserialize)]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct Expiry {
    /// Wire name, e.g. `expires_in`.
    pub field: String,
    /// `relative_seconds` (seconds from now, like `expires_in`), `unix_time`
    /// (absolute seconds since the epoch) or `iso8601` (a date-time string).
    #[cfg_attr(
        feature = "schema",
        schemars(extend("enum" = ["relative_seconds", "unix_time", "iso8601"]))
    )]
    pub kind: String,
    /// How the number is sent: `number` (default), `string` (`"3600"`) or
    /// `number_or_string` (either). Not for `iso8601`.
    #[serde(default, rename = "type")]
    #[cfg_attr(
        feature = "schema",
        schemars(extend("enum" = ["number", "string", "number_or_string"]))
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
        schemars(extend("enum" = ["string", "secret", "integer", "number", "boolean", "json"]))
    )]
    pub wire_type: String,
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

/// How API calls carry the token.
#[derive(Debug, Deserialize)]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct Authorization {
    /// Header that carries the token. Default `Authorization`.
    #[serde(default)]
    pub header: Option<String>,
    /// Prefix before the token. Default `Bearer`; `""` for the raw token.
    #[serde(default)]
    pub scheme: Option<String>,
    /// Headers every API call carries besides the token: name to value.
    #[serde(default)]
    pub headers: IndexMap<String, ApiHeader>,
}

/// A per-request header value: `value`, or `generate` (with `format` for
/// `utc_now`).
#[derive(Debug, Deserialize)]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct ApiHeader {
    /// A constant, e.g. `application/json`.
    #[serde(default)]
    pub value: Option<String>,
    /// A value made fresh for each request: `uuid_v4` or `utc_now`.
    #[serde(default)]
    #[cfg_attr(feature = "schema", schemars(extend("enum" = ["uuid_v4", "utc_now"])))]
    pub generate: Option<String>,
    /// For `utc_now`: `iso8601_seconds` (2025-05-16T09:30:00Z),
    /// `iso8601_millis` (2025-05-16T09:30:00.000Z), `unix_seconds` or
    /// `unix_millis`.
    #[serde(default)]
    #[cfg_attr(
        feature = "schema",
        schemars(extend("enum" = ["iso8601_seconds", "iso8601_millis", "unix_seconds", "unix_millis"]))
    )]
    pub format: Option<String>,
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
