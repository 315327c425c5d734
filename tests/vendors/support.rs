//! A server that records what the client sent and answers with a fixed body.

use vendor_auth::Url;
use wiremock::matchers::any;
use wiremock::{Mock, MockServer, Request, ResponseTemplate};

pub const CLIENT_ID: &str = "my-client-id";
/// Characters that need escaping in every encoding, so that a test fails if
/// a credential is not encoded for where it goes.
pub const CLIENT_SECRET: &str = "s3cr+t&=/ %é";

/// A server answering every request with `status` and the raw `body`.
pub async fn answering(status: u16, body: &str) -> MockServer {
    let server = MockServer::start().await;
    Mock::given(any())
        .respond_with(
            ResponseTemplate::new(status).set_body_raw(body.to_owned(), "application/json"),
        )
        .mount(&server)
        .await;
    server
}

pub fn url(server: &MockServer) -> Url {
    Url::parse(&server.uri()).unwrap()
}

/// The one request the server received.
pub async fn only_request(server: &MockServer) -> Request {
    let mut requests = server.received_requests().await.unwrap();
    assert_eq!(
        requests.len(),
        1,
        "expected exactly one request, got {requests:#?}"
    );
    requests.remove(0)
}

pub fn header<'r>(request: &'r Request, name: &str) -> Option<&'r str> {
    request.headers.get(name).map(|v| v.to_str().unwrap())
}

/// The query string's pairs, decoded, in order.
pub fn query_pairs(request: &Request) -> Vec<(String, String)> {
    request
        .url
        .query_pairs()
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect()
}

/// A form body's pairs, decoded, in order.
pub fn form_pairs(request: &Request) -> Vec<(String, String)> {
    url::form_urlencoded::parse(&request.body)
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect()
}

pub fn pairs(expected: &[(&str, &str)]) -> Vec<(String, String)> {
    expected
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

pub fn json_body(request: &Request) -> serde_json::Value {
    serde_json::from_slice(&request.body).expect("the body is JSON")
}

/// Asserts that no secret appears in `text`.
pub fn assert_no_secret(text: &str, secrets: &[&str]) {
    for secret in secrets {
        assert!(
            !text.contains(secret),
            "secret {secret:?} leaked into {text:?}"
        );
    }
}
