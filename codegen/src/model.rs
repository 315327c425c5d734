//! Stage 2 output: a vendor as the emitter needs it, every name resolved and
//! every combination already checked. The emitter never sees YAML.

/// One vendor, validated.
#[derive(Debug, Clone, PartialEq)]
pub struct Vendor {
    pub name: String,
    /// Rust module name.
    pub module: String,
    pub description: Option<String>,
    pub documentation: Option<String>,
    /// Spec file name, for the `@generated` header.
    pub source_name: String,
    pub environments: Vec<Environment>,
    /// Index into `environments` of the default, if there is one that needs no input.
    pub default_environment: Option<usize>,
    pub variables: Vec<Variable>,
    pub credentials: Vec<Credential>,
    pub refresh_ahead_seconds: Option<u64>,
    pub token: Operation,
    pub refresh: Option<Operation>,
    pub revoke: Option<Operation>,
    pub authorization: Authorization,
}

impl Vendor {
    pub fn operations(&self) -> impl Iterator<Item = &Operation> {
        std::iter::once(&self.token)
            .chain(self.refresh.as_ref())
            .chain(self.revoke.as_ref())
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Environment {
    /// Name as the spec writes it, e.g. `production`.
    pub name: String,
    /// Variant name, UpperCamelCase.
    pub variant: String,
    pub description: Option<String>,
    pub base_url: BaseUrl,
}

#[derive(Debug, Clone, PartialEq)]
pub enum BaseUrl {
    /// A URL, possibly with `{variable}` placeholders.
    Template(String),
    /// Given by the user at run time.
    UserSupplied,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Variable {
    /// Name in the URL template, e.g. `domainName`.
    pub template_name: String,
    /// Rust field name, e.g. `domain_name`.
    pub field: String,
    pub description: Option<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Credential {
    /// Rust field name; also the name used in the spec.
    pub field: String,
    pub description: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OperationKind {
    Token,
    Refresh,
    Revoke,
}

impl OperationKind {
    pub fn name(self) -> &'static str {
        match self {
            OperationKind::Token => "token",
            OperationKind::Refresh => "refresh",
            OperationKind::Revoke => "revoke",
        }
    }

    /// Prefix of the generated type names, e.g. `TokenRequestBody`.
    pub fn type_prefix(self) -> &'static str {
        match self {
            OperationKind::Token => "Token",
            OperationKind::Refresh => "Refresh",
            OperationKind::Revoke => "Revoke",
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Operation {
    pub kind: OperationKind,
    pub description: Option<String>,
    /// Upper-case HTTP method.
    pub method: String,
    pub path: String,
    pub success_status: u16,
    pub request: Request,
    pub response: Response,
    pub errors: Errors,
}

impl Operation {
    /// The token fields this operation sends, so its function can ask for them.
    pub fn token_inputs(&self) -> Vec<TokenField> {
        let mut inputs = Vec::new();
        for param in self.request.params() {
            if let Source::Token(field) = param.source
                && !inputs.contains(&field)
            {
                inputs.push(field);
            }
        }
        inputs
    }
}

#[derive(Debug, Clone, PartialEq, Default)]
pub struct Request {
    pub query: Vec<Param>,
    pub body: Option<Body>,
    pub basic_auth: Option<BasicAuth>,
    pub headers: Vec<Param>,
}

impl Request {
    pub fn params(&self) -> impl Iterator<Item = &Param> {
        self.query
            .iter()
            .chain(self.body.iter().flat_map(|body| body.fields.iter()))
            .chain(self.headers.iter())
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Encoding {
    Json,
    Form,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Body {
    pub encoding: Encoding,
    pub fields: Vec<Param>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct BasicAuth {
    pub username: String,
    pub password: String,
    /// Form-encode both before base64 (RFC 6749 section 2.3.1).
    pub form_encoded: bool,
}

/// One value sent on the wire.
#[derive(Debug, Clone, PartialEq)]
pub struct Param {
    /// Name on the wire (query key, body field or header name).
    pub wire: String,
    /// Rust field name in the request struct.
    pub field: String,
    pub source: Source,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Source {
    Credential(String),
    Constant(String),
    Token(TokenField),
    Variable(String),
}

impl Source {
    pub fn is_secret(&self) -> bool {
        matches!(self, Source::Credential(_) | Source::Token(_))
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TokenField {
    AccessToken,
    RefreshToken,
}

impl TokenField {
    pub fn name(self) -> &'static str {
        match self {
            TokenField::AccessToken => "access_token",
            TokenField::RefreshToken => "refresh_token",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Default)]
pub struct Response {
    pub nested_under: Option<String>,
    /// Every field of the response struct, in spec order.
    pub fields: Vec<ResponseField>,
    pub expiry: Option<Expiry>,
    pub default_lifetime_seconds: Option<u64>,
    pub refresh_token_expiry: Option<Expiry>,
}

impl Response {
    pub fn field(&self, role: Role) -> Option<&ResponseField> {
        self.fields.iter().find(|field| field.role == role)
    }
}

/// What a response field means to the normalized token.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    AccessToken,
    TokenType,
    RefreshToken,
    Scope,
    Expiry,
    RefreshTokenExpiry,
    /// Documented, typed, but not part of the normalized token.
    Extra,
}

#[derive(Debug, Clone, PartialEq)]
pub struct ResponseField {
    pub wire: String,
    pub field: String,
    pub role: Role,
    pub wire_type: WireType,
    pub required: bool,
    pub description: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WireType {
    String,
    Secret,
    Integer,
    Number,
    Boolean,
    Json,
    /// An integer sent as a JSON number.
    IntNumber,
    /// An integer sent as a JSON string.
    IntString,
    /// An integer sent either way.
    IntNumberOrString,
    /// An ISO-8601 / RFC 3339 date-time string.
    DateTime,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExpiryKind {
    RelativeSeconds,
    UnixTime,
    Iso8601,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Expiry {
    /// Rust field of the response struct that holds it.
    pub field: String,
    pub kind: ExpiryKind,
}

#[derive(Debug, Clone, PartialEq, Default)]
pub struct Errors {
    pub statuses: Vec<ErrorStatus>,
    pub body_fields: Vec<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct ErrorStatus {
    pub status: StatusMatch,
    pub meaning: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StatusMatch {
    Exact(u16),
    /// `4XX` or `5XX`: the hundreds digit.
    Class(u16),
}

#[derive(Debug, Clone, PartialEq)]
pub struct Authorization {
    pub header: String,
    /// Prefix before the token; `None` sends the raw token.
    pub scheme: Option<String>,
    pub headers: Vec<ApiHeader>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct ApiHeader {
    pub name: String,
    pub value: ApiHeaderValue,
}

#[derive(Debug, Clone, PartialEq)]
pub enum ApiHeaderValue {
    Constant(String),
    UuidV4,
    UtcNow(TimeFormat),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TimeFormat {
    Iso8601Seconds,
    Iso8601Millis,
    UnixSeconds,
    UnixMillis,
}
