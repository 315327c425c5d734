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
