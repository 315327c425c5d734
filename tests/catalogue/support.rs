//! A loopback replay of a vendor: it answers only the requests its
//! documentation describes (method, path, query, headers, body), and fails
//! the test on anything else.

// Each vendor module uses the helpers it needs.
#![allow(dead_code)]

use vendor_auth::{TokenClient, TokenManager, Url};
use wiremock::{Match, Mock, MockServer, Request, ResponseTemplate};

pub use wiremock::matchers::{header, method, path, query_param};

/// A mock of requests matching `matcher` (chain more with `.and(..)`).
pub fn given(matcher: impl Match + 'static) -> wiremock::MockBuilder {
    Mock::given(matcher)
}

/// Characters that need escaping in every encoding, so that a test fails if
/// a credential is not encoded for where it goes.
pub const SECRET: &str = "s3cr+t&=/ %é";

pub struct Replay {
    pub server: MockServer,
}

impl Replay {
    pub async fn start() -> Replay {
        Replay {
            server: MockServer::start().await,
        }
    }

    pub fn url(&self) -> Url {
        Url::parse(&self.server.uri()).unwrap()
    }

    /// Answers requests matching `mock` (once or more; checked on drop).
    pub async fn on(&self, mock: wiremock::MockBuilder, answer: ResponseTemplate) {
        mock.respond_with(answer)
            .expect(1..)
            .mount(&self.server)
            .await;
    }

    /// Everything received, in order.
    pub async fn requests(&self) -> Vec<Request> {
        self.server.received_requests().await.unwrap()
    }

    /// Sends `GET {replay}{path_and_query}` through `tokens` and returns the
    /// status: 200 only if the replay recognised the authorization.
    pub async fn api_call<C: TokenClient + 'static>(
        &self,
        tokens: &TokenManager<C>,
        method: reqwest::Method,
        path_and_query: &str,
    ) -> u16 {
        let url = format!("{}{path_and_query}", self.server.uri());
        let response = tokens
            .send(reqwest::Client::new().request(method, url))
            .await
            .unwrap();
        response.status().as_u16()
    }
}

/// A JSON answer with the given status.
pub fn json(status: u16, body: serde_json::Value) -> ResponseTemplate {
    ResponseTemplate::new(status).set_body_json(body)
}

/// A form-encoded body with exactly these fields, in any order.
pub fn form(expected: &[(&str, &str)]) -> FormBody {
    let mut fields: Vec<(String, String)> = expected
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    fields.sort();
    FormBody(fields)
}

pub struct FormBody(Vec<(String, String)>);

impl Match for FormBody {
    fn matches(&self, request: &Request) -> bool {
        let content_type = request
            .headers
            .get("content-type")
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default();
        let mut fields: Vec<(String, String)> = url::form_urlencoded::parse(&request.body)
            .map(|(k, v)| (k.into_owned(), v.into_owned()))
            .collect();
        fields.sort();
        content_type.starts_with("application/x-www-form-urlencoded") && fields == self.0
    }
}

/// A JSON body equal to `expected`.
pub fn json_body(expected: serde_json::Value) -> JsonBody {
    JsonBody(expected)
}

pub struct JsonBody(serde_json::Value);

impl Match for JsonBody {
    fn matches(&self, request: &Request) -> bool {
        serde_json::from_slice::<serde_json::Value>(&request.body).is_ok_and(|v| v == self.0)
    }
}

/// No request body.
pub struct NoBody;

impl Match for NoBody {
    fn matches(&self, request: &Request) -> bool {
        request.body.is_empty()
    }
}

/// The request does not carry this header (e.g. no `authorization` where
/// the documentation puts the credentials in the body).
pub struct Without(pub &'static str);

impl Match for Without {
    fn matches(&self, request: &Request) -> bool {
        !request.headers.contains_key(self.0)
    }
}

/// Exactly these query parameters, in any order (decoded).
pub struct ExactQuery(pub &'static [(&'static str, &'static str)]);

impl Match for ExactQuery {
    fn matches(&self, request: &Request) -> bool {
        let mut got: Vec<(String, String)> = request
            .url
            .query_pairs()
            .map(|(k, v)| (k.into_owned(), v.into_owned()))
            .collect();
        let mut want: Vec<(String, String)> = self
            .0
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        got.sort();
        want.sort();
        got == want
    }
}

/// No query string at all (credentials must not travel in the URL).
pub struct NoQuery;

impl Match for NoQuery {
    fn matches(&self, request: &Request) -> bool {
        request.url.query().is_none()
    }
}

/// `Basic base64(user:password)`.
pub fn basic(user: &str, password: &str) -> String {
    use base64::Engine as _;
    format!(
        "Basic {}",
        base64::engine::general_purpose::STANDARD.encode(format!("{user}:{password}"))
    )
}

/// A test key of `tests/catalogue/keys/` (made for these tests only).
pub fn key(name: &str) -> String {
    let path = format!("{}/tests/catalogue/keys/{name}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

/// Checks the signature of the compact JWT `jwt` with `public_pem` under
/// `alg` (`RS256`, `ES256`, ...) and returns its header and claims. The check
/// is jsonwebtoken's on its RustCrypto backend: an implementation
/// independent of the one that signed. Panics on a bad signature or a
/// token whose `exp` has passed.
pub fn verified_jwt(
    jwt: &str,
    public_pem: &str,
    alg: &str,
) -> (serde_json::Value, serde_json::Value) {
    use jsonwebtoken::{Algorithm, DecodingKey, Validation};
    let algorithm: Algorithm = alg.parse().unwrap();
    let key = match alg {
        "RS256" | "RS384" | "RS512" | "PS256" | "PS384" | "PS512" => {
            DecodingKey::from_rsa_pem(public_pem.as_bytes())
        }
        "ES256" | "ES384" => DecodingKey::from_ec_pem(public_pem.as_bytes()),
        "EdDSA" => DecodingKey::from_ed_pem(public_pem.as_bytes()),
        _ => Ok(DecodingKey::from_secret(public_pem.as_bytes())),
    }
    .unwrap();
    let mut validation = Validation::new(algorithm);
    validation.validate_aud = false;
    validation.required_spec_claims.clear();
    validation.leeway = 0;
    let data = jsonwebtoken::decode::<serde_json::Value>(jwt, &key, &validation)
        .unwrap_or_else(|e| panic!("the JWT does not verify: {e}"));
    let header = jwt.split('.').next().unwrap();
    use base64::Engine as _;
    let header: serde_json::Value = serde_json::from_slice(
        &base64::engine::general_purpose::URL_SAFE_NO_PAD
            .decode(header)
            .unwrap(),
    )
    .unwrap();
    (header, data.claims)
}

/// A form body with exactly the fields `expected` plus `signed` (whose value
/// is a JWT: check it afterwards with [`verified_jwt`] on [`form_field`]).
pub fn form_with_jwt(expected: &[(&str, &str)], signed: &'static str) -> FormWithJwt {
    FormWithJwt(form(expected), signed)
}

pub struct FormWithJwt(FormBody, &'static str);

impl Match for FormWithJwt {
    fn matches(&self, request: &Request) -> bool {
        let mut rest = request.clone();
        let fields: Vec<(String, String)> = url::form_urlencoded::parse(&request.body)
            .map(|(k, v)| (k.into_owned(), v.into_owned()))
            .collect();
        let signed = fields.iter().filter(|(k, _)| k == self.1).count();
        rest.body = url::form_urlencoded::Serializer::new(String::new())
            .extend_pairs(fields.iter().filter(|(k, _)| k != self.1))
            .finish()
            .into_bytes();
        signed == 1 && self.0.matches(&rest)
    }
}

/// The value of form field `name` of a received request.
pub fn form_field(request: &Request, name: &str) -> String {
    url::form_urlencoded::parse(&request.body)
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.into_owned())
        .unwrap_or_else(|| panic!("no form field {name}"))
}

/// The credentials of `Authorization: Bearer <credentials>` of a received request.
pub fn bearer(request: &Request) -> String {
    let value = request
        .headers
        .get("authorization")
        .expect("no authorization header");
    value
        .to_str()
        .unwrap()
        .strip_prefix("Bearer ")
        .expect("not a Bearer authorization")
        .to_owned()
}

/// The current time, in seconds since the epoch, to check `iat` and `exp`.
pub fn unix_now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64
}
