//! The spec file as written: serde types that mirror the YAML one to one.
//!
//! Nothing here is checked beyond what serde checks (known keys, value
//! types); meaning is given in `validate`, which turns these into the model.

use indexmap::IndexMap;
use serde::Deserialize;

/// One vendor spec file.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Spec {
    /// Human name of the vendor and product, e.g. `Verbio Speech Center`.
    pub name: String,
    /// Rust module name of the generated client, e.g. `verbio`.
    pub module: String,
    /// What the vendor is; copied into the module documentation.
    #[serde(default)]
    pub description: Option<String>,
    /// Address of the vendor's authentication document.
    #[serde(default)]
    pub documentation: Option<String>,
    /// Named environments, each with its base URL.
    pub environments: IndexMap<String, Environment>,
    /// The environment `Environment::default()` selects.
    #[serde(default)]
    pub default_environment: Option<String>,
    /// Variables of the URL templates (`{domainName}`), set by the user.
    #[serde(default)]
    pub variables: IndexMap<String, Variable>,
    /// The secrets the vendor issues to its customers.
    pub credentials: IndexMap<String, Credential>,
    /// Seconds before expiry at which a cached token should be renewed.
    #[serde(default)]
    pub refresh_ahead_seconds: Option<u64>,
    /// Error meanings shared by every operation (an operation may override).
    #[serde(default)]
    pub errors: Option<Errors>,
    pub operations: Operations,
    /// How the token is attached to API calls.
    pub authorization: Authorization,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Environment {
    #[serde(default)]
    pub description: Option<String>,
    /// Base URL, possibly with `{variable}` templates.
    #[serde(default)]
    pub base_url: Option<String>,
    /// The user supplies the base URL at run time (e.g. sent by email).
    #[serde(default)]
    pub user_supplied: bool,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Variable {
    #[serde(default)]
    pub description: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Credential {
    #[serde(default)]
    pub description: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Operations {
    pub token: Operation,
    #[serde(default)]
    pub refresh: Option<Operation>,
    #[serde(default)]
    pub revoke: Option<Operation>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Operation {
    #[serde(default)]
    pub description: Option<String>,
    pub method: String,
    /// Path appended to the environment's base URL (may be empty).
    pub path: String,
    #[serde(default)]
    pub success_status: Option<u16>,
    #[serde(default)]
    pub request: Request,
    #[serde(default)]
    pub response: Option<Response>,
    #[serde(default)]
    pub errors: Option<Errors>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Request {
    /// Query-string parameters: wire name to value.
    #[serde(default)]
    pub query: IndexMap<String, Value>,
    #[serde(default)]
    pub body: Option<Body>,
    /// HTTP Basic authentication from two credentials.
    #[serde(default)]
    pub basic_auth: Option<BasicAuth>,
    /// Extra request headers: name to value.
    #[serde(default)]
    pub headers: IndexMap<String, Value>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Body {
    pub encoding: String,
    pub fields: IndexMap<String, Value>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BasicAuth {
    /// Credential sent as the user name.
    pub username: String,
    /// Credential sent as the password.
    pub password: String,
}

/// Where a request value comes from. Exactly one key must be set.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Value {
    /// A declared credential.
    #[serde(default)]
    pub credential: Option<String>,
    /// A constant, e.g. `client_credentials`.
    #[serde(default)]
    pub value: Option<String>,
    /// A field of the current token: `access_token` or `refresh_token`.
    #[serde(default)]
    pub token: Option<String>,
    /// A declared URL-template variable.
    #[serde(default)]
    pub variable: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Response {
    /// The token fields sit under this object of the body.
    #[serde(default)]
    pub nested_under: Option<String>,
    #[serde(default)]
    pub access_token: Option<String>,
    #[serde(default)]
    pub token_type: Option<String>,
    #[serde(default)]
    pub refresh_token: Option<String>,
    #[serde(default)]
    pub scope: Option<String>,
    #[serde(default)]
    pub expiry: Option<Expiry>,
    /// Lifetime assumed when the response carries no expiry.
    #[serde(default)]
    pub default_lifetime_seconds: Option<u64>,
    #[serde(default)]
    pub refresh_token_expiry: Option<Expiry>,
    /// Other documented fields: wire name to type.
    #[serde(default)]
    pub fields: IndexMap<String, Field>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Expiry {
    pub field: String,
    /// `relative_seconds`, `unix_time` or `iso8601`.
    pub kind: String,
    /// `number`, `string` or `number_or_string` (not for `iso8601`).
    #[serde(default, rename = "type")]
    pub wire_type: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Field {
    /// `string`, `integer`, `number`, `boolean`, `secret` or `json`.
    #[serde(rename = "type")]
    pub wire_type: String,
    #[serde(default)]
    pub description: Option<String>,
    #[serde(default)]
    pub required: bool,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Errors {
    /// Status (`400`, or a class such as `5XX`) to its documented meaning.
    #[serde(default)]
    pub statuses: IndexMap<StatusKey, String>,
    /// Fields of a JSON error body worth showing, e.g. `error_description`.
    #[serde(default)]
    pub body_fields: Vec<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Authorization {
    /// Header that carries the token, usually `Authorization`.
    #[serde(default)]
    pub header: Option<String>,
    /// Prefix before the token, e.g. `Bearer`; empty for the raw token.
    #[serde(default)]
    pub scheme: Option<String>,
    /// Headers every API call carries besides the token.
    #[serde(default)]
    pub headers: IndexMap<String, ApiHeader>,
}

/// A per-request header value. Exactly one key must be set.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ApiHeader {
    #[serde(default)]
    pub value: Option<String>,
    /// `uuid_v4` or `utc_now`.
    #[serde(default)]
    pub generate: Option<String>,
    /// For `utc_now`: `iso8601_seconds`, `iso8601_millis`, `unix_seconds`, `unix_millis`.
    #[serde(default)]
    pub format: Option<String>,
}

/// A status key as YAML gives it: `401` is an integer, `5XX` a string.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Deserialize)]
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
