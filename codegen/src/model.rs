//! Stage 2 output: a vendor as the emitter needs it, every name resolved and
//! every combination already checked. The emitter never sees YAML.

pub use vendor_auth_rules::{
    BodyFormat, ExpiryKind, FieldType, Function, JwtAlgorithm, Method, NowFormat, NumberWire,
    PlainHttp, VariableType,
};

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
    pub plain_http: PlainHttp,
    pub variables: Vec<Variable>,
    pub credentials: Vec<Credential>,
    pub refresh_ahead_seconds: Option<u64>,
    /// `None` for a vendor without a token operation (static credentials,
    /// or a refresh token seeded from a credential).
    pub token: Option<Operation>,
    pub refresh: Option<Operation>,
    pub revoke: Option<Operation>,
    /// Index into `assertions` of the JWT that is the token itself.
    pub self_issued: Option<usize>,
    /// Every signed value, in the order they were resolved; each has its
    /// own key in the client's key ring.
    pub assertions: Vec<Assertion>,
    /// Key credentials whose public-key fingerprint templates read: scope
    /// index, name and the algorithm the key is for.
    pub fingerprints: Vec<(usize, String, JwtAlgorithm)>,
    pub authorization: Authorization,
}

impl Vendor {
    /// The credential that seeds the refresh token, if there is one.
    pub fn seed(&self) -> Option<&Credential> {
        self.credentials.iter().find(|c| c.refresh_token)
    }

    /// Whether API calls carry credentials only: no token is ever obtained.
    pub fn is_static(&self) -> bool {
        self.token.is_none() && self.refresh.is_none() && self.self_issued.is_none()
    }

    /// Whether the client prepares a key ring (JSON credentials, keys).
    pub fn has_key_ring(&self) -> bool {
        !self.assertions.is_empty()
            || !self.fingerprints.is_empty()
            || self.credentials.iter().any(|c| !c.json_fields.is_empty())
    }

    /// How many values the scope's credentials hold before the JSON fields.
    pub fn plain_credentials(&self) -> usize {
        self.credentials.len()
    }

    pub fn operations(&self) -> impl Iterator<Item = &Operation> {
        self.token
            .iter()
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
    /// A URL template over variables; `text` is as the spec wrote it.
    Template { text: String, template: Template },
    /// Given by the user at run time.
    UserSupplied,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Variable {
    /// Name in the spec and in templates, e.g. `domainName`.
    pub name: String,
    /// Rust field name, e.g. `domain_name`.
    pub field: String,
    pub description: Option<String>,
    pub var_type: VariableType,
    pub presence: Presence,
    /// Defaults of particular environments (index into
    /// `Vendor::environments`, literal), in place of `Presence::Default`.
    pub environment_defaults: Vec<(usize, String)>,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Presence {
    /// A parameter of `Config::new`.
    Required,
    /// `Option<T>`, `None` unless the user sets it.
    Optional,
    /// Set to this literal (already checked against the type) by `Config::new`.
    Default(String),
}

#[derive(Debug, Clone, PartialEq)]
pub struct Credential {
    /// Rust field name; also the name used in the spec.
    pub field: String,
    pub description: Option<String>,
    /// Seeds the refresh token.
    pub refresh_token: bool,
    /// The credential is a JSON document; these string fields are read.
    pub json_fields: Vec<String>,
}

/// A JWT the client signs.
#[derive(Debug, Clone, PartialEq)]
pub struct Assertion {
    /// Its index in `Vendor::assertions`.
    pub index: usize,
    /// The value's name in the spec.
    pub name: String,
    pub algorithm: JwtAlgorithm,
    /// A template of one reference: the credential or JSON field holding
    /// the key.
    pub key: Template,
    /// The key's credential as the spec names it (`private_key`,
    /// `service_account.private_key`), for errors.
    pub key_name: String,
    pub header: Vec<(String, Json)>,
    pub claims: Vec<(String, Json)>,
    pub lifetime_seconds: u64,
    pub backdate_seconds: u64,
    pub not_before: bool,
}

impl Assertion {
    /// The scope index of the key's credential.
    pub fn key_index(&self) -> usize {
        match self.key.0.first() {
            Some(Part::Ref(Ref::Credential(i), _)) => *i,
            Some(Part::Ref(Ref::JsonField { scope_index, .. }, _)) => *scope_index,
            _ => 0,
        }
    }

    pub fn templates(&self) -> Vec<&Template> {
        let mut out = vec![&self.key];
        for (_, json) in self.header.iter().chain(&self.claims) {
            json.templates(&mut out);
        }
        out
    }
}

/// A template: literal text and references.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Template(pub Vec<Part>);

#[derive(Debug, Clone, PartialEq)]
pub enum Part {
    Text(String),
    Ref(Ref, Vec<Function>),
}

#[derive(Debug, Clone, PartialEq)]
pub enum Ref {
    /// Index into `Vendor::credentials`.
    Credential(usize),
    /// Index into `Vendor::variables`.
    Variable(usize),
    Token(TokenField),
    Now(NowFormat),
    NowCustom(String),
    Uuid,
    /// A named value, inlined.
    Named(String, Box<Template>),
    /// An output of an earlier step: step index, output name.
    Step(usize, String),
    /// A string field of a JSON credential: the credential's index, the
    /// field's index in the scope's credentials, and `credential.field`.
    JsonField {
        credential: usize,
        scope_index: usize,
        name: String,
    },
    /// A signed JWT.
    Signed(Box<Assertion>),
    /// The fingerprint of a key credential's public key: index into
    /// `Vendor::fingerprints`, and the credential's index.
    PublicKeySha256 {
        index: usize,
        credential: usize,
    },
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TokenField {
    AccessToken,
    RefreshToken,
    /// A kept response field, by its spec name.
    Field(String),
}

impl Template {
    pub fn literal(text: &str) -> Template {
        Template(vec![Part::Text(text.to_owned())])
    }

    /// Every reference, named values looked through.
    pub fn refs(&self) -> Vec<&Ref> {
        let mut out = Vec::new();
        for part in &self.0 {
            if let Part::Ref(reference, _) = part {
                match reference {
                    Ref::Named(_, inner) => out.extend(inner.refs()),
                    Ref::Signed(assertion) => {
                        for template in assertion.templates() {
                            out.extend(template.refs());
                        }
                    }
                    _ => {}
                }
                out.push(reference);
            }
        }
        out
    }
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

    /// Prefix of the generated type names, e.g. `TokenResponse`.
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
    pub method: Method,
    /// The path as the spec wrote it, for docs.
    pub path_text: String,
    pub path: Template,
    pub success: Vec<u16>,
    pub request: Request,
    pub response: Response,
    pub errors: Errors,
    pub steps: Vec<Step>,
}

/// An earlier exchange of a chained operation.
#[derive(Debug, Clone, PartialEq)]
pub struct Step {
    pub name: String,
    pub description: Option<String>,
    pub method: Method,
    pub path_text: String,
    pub path: Template,
    pub success: Vec<u16>,
    pub request: Request,
    pub format: BodyFormat,
    pub outputs: Vec<(String, Source)>,
}

impl Operation {
    /// Every template the operation sends: its steps' and its own.
    pub fn templates(&self) -> impl Iterator<Item = &Template> {
        let steps = self
            .steps
            .iter()
            .flat_map(|step| std::iter::once(&step.path).chain(step.request.templates()));
        steps
            .chain(std::iter::once(&self.path))
            .chain(self.request.templates())
            .chain(&self.response.sent)
    }
}

#[derive(Debug, Clone, PartialEq, Default)]
pub struct Request {
    pub query: Vec<(String, Template)>,
    pub headers: Vec<(String, Template)>,
    pub body: Body,
    pub basic_auth: Option<BasicAuth>,
}

impl Request {
    pub fn templates(&self) -> impl Iterator<Item = &Template> {
        let basic = self
            .basic_auth
            .iter()
            .flat_map(|b| [&b.username, &b.password]);
        self.query
            .iter()
            .chain(&self.headers)
            .map(|(_, t)| t)
            .chain(self.body.templates())
            .chain(basic)
    }
}

#[derive(Debug, Clone, PartialEq, Default)]
pub enum Body {
    #[default]
    None,
    Form(Vec<(String, Template)>),
    Json(Json),
    Text(Template),
}

impl Body {
    pub fn templates(&self) -> Vec<&Template> {
        match self {
            Body::None => Vec::new(),
            Body::Form(fields) => fields.iter().map(|(_, t)| t).collect(),
            Body::Json(json) => {
                let mut out = Vec::new();
                json.templates(&mut out);
                out
            }
            Body::Text(template) => vec![template],
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub enum Json {
    Null,
    Bool(bool),
    Number(String),
    Value(Template),
    Array(Vec<Json>),
    Object(Vec<(String, Json)>),
}

impl Json {
    pub fn templates<'a>(&'a self, out: &mut Vec<&'a Template>) {
        match self {
            Json::Value(template) => out.push(template),
            Json::Array(items) => items.iter().for_each(|i| i.templates(out)),
            Json::Object(members) => members.iter().for_each(|(_, v)| v.templates(out)),
            Json::Null | Json::Bool(_) | Json::Number(_) => {}
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct BasicAuth {
    pub username: Template,
    pub password: Template,
    /// Form-encode both before base64 (RFC 6749 section 2.3.1).
    pub form_encoded: bool,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Response {
    pub format: BodyFormat,
    /// Templates the request sends that fields read back (`Source::Sent`).
    pub sent: Vec<Template>,
    pub error_when: Option<(Source, u16)>,
    /// Every field of the response struct, in spec order.
    pub fields: Vec<ResponseField>,
    pub expiry: Option<Expiry>,
    pub default_lifetime_seconds: Option<u64>,
    pub refresh_token_expiry: Option<Expiry>,
}

impl Default for Response {
    fn default() -> Self {
        Response {
            format: BodyFormat::None,
            sent: Vec::new(),
            error_when: None,
            fields: Vec::new(),
            expiry: None,
            default_lifetime_seconds: None,
            refresh_token_expiry: None,
        }
    }
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
    /// Documented, typed, kept with the token.
    Extra,
}

#[derive(Debug, Clone, PartialEq)]
pub struct ResponseField {
    /// Name in the spec (`fields:` key or the role's name).
    pub name: String,
    /// Rust field name.
    pub field: String,
    pub role: Role,
    pub source: Source,
    pub reader: Reader,
    pub required: bool,
    pub description: Option<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Source {
    Json(Vec<PathStep>),
    Form(String),
    Header(String),
    Cookie(String),
    Body,
    FirstOf(Vec<Source>),
    /// Index into `Response::sent`.
    Sent(usize),
}

impl Source {
    pub fn is_json(&self) -> bool {
        match self {
            Source::Json(_) => true,
            Source::Sent(_) => false,
            Source::FirstOf(all) => all.iter().all(Source::is_json),
            _ => false,
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub enum PathStep {
    Key(String),
    Index(usize),
}

/// How a field is read: its Rust type and the runtime reader.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reader {
    String,
    Secret,
    /// A non-empty secret string.
    AccessToken,
    /// An integer as a JSON number.
    IntNumber,
    /// An integer as a string of digits.
    IntString,
    /// Either.
    IntNumberOrString,
    Number,
    Boolean,
    DateTime,
    /// A duration, in seconds.
    Duration,
    Json,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Expiry {
    /// Rust field of the response struct that holds it, and its form.
    Field {
        field: String,
        kind: ExpiryKind,
    },
    Never,
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

#[derive(Debug, Clone, PartialEq, Default)]
pub struct Authorization {
    pub headers: Vec<(String, Template)>,
    pub query: Vec<(String, Template)>,
    pub cookies: Vec<(String, Template)>,
}
