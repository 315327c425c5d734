//! `Authorize` in a reqwest-middleware stack: every request authorized, a
//! 401 renews the token and replays once, and it composes with
//! reqwest-retry and reqwest-tracing. The vendor is a loopback replay of
//! Spotify's documented client-credentials exchange.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use reqwest_retry::{RetryTransientMiddleware, policies::ExponentialBackoff};
use serde_json::json;
use vendor_auth::{Authorize, TokenManager, Url, spotify};
use wiremock::matchers::{header, method, path};
use wiremock::{Mock, MockServer, Request, ResponseTemplate};

/// Tokens `token-1`, `token-2`, ... from `POST /api/token`.
async fn vendor() -> MockServer {
    let server = MockServer::start().await;
    let issued = Arc::new(AtomicUsize::new(0));
    Mock::given(method("POST"))
        .and(path("/api/token"))
        .respond_with(move |_: &Request| {
            let n = issued.fetch_add(1, Ordering::SeqCst) + 1;
            ResponseTemplate::new(200).set_body_json(
                json!({ "access_token": format!("token-{n}"), "token_type": "Bearer", "expires_in": 3600 }),
            )
        })
        .mount(&server)
        .await;
    server
}

fn tokens(server: &MockServer) -> TokenManager<spotify::Client> {
    TokenManager::new(
        spotify::Client::new(
            spotify::Environment::Custom(Url::parse(&server.uri()).unwrap()),
            spotify::Credentials::new("client", "secret"),
        )
        .unwrap(),
    )
}

fn token_requests(requests: &[Request]) -> usize {
    requests
        .iter()
        .filter(|r| r.url.path() == "/api/token")
        .count()
}

#[tokio::test]
async fn every_request_is_authorized_and_a_401_is_replayed_once() {
    let server = vendor().await;
    // The API refuses the first token and accepts the second.
    Mock::given(method("GET"))
        .and(path("/v1/me"))
        .and(header("authorization", "Bearer token-1"))
        .respond_with(ResponseTemplate::new(401))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/v1/me"))
        .and(header("authorization", "Bearer token-2"))
        .respond_with(ResponseTemplate::new(200).set_body_string("me"))
        .mount(&server)
        .await;
    let http = reqwest_middleware::ClientBuilder::new(reqwest::Client::new())
        .with(Authorize::new(tokens(&server)))
        .build();
    let response = http
        .get(format!("{}/v1/me", server.uri()))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    assert_eq!(response.text().await.unwrap(), "me");
    // Later calls reuse the renewed token.
    let again = http
        .get(format!("{}/v1/me", server.uri()))
        .send()
        .await
        .unwrap();
    assert_eq!(again.status(), 200);
    let requests = server.received_requests().await.unwrap();
    assert_eq!(token_requests(&requests), 2, "one renewal for the 401");
    assert_eq!(requests.len(), 2 + 3, "two tokens, three API calls");
}

#[tokio::test]
async fn it_composes_with_retry_and_tracing() {
    let server = vendor().await;
    // A transient 503 first: reqwest-retry retries, and the retry is
    // authorized too.
    Mock::given(method("GET"))
        .and(path("/v1/items"))
        .respond_with(ResponseTemplate::new(503))
        .up_to_n_times(1)
        .with_priority(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/v1/items"))
        .and(header("authorization", "Bearer token-1"))
        .respond_with(ResponseTemplate::new(200))
        .with_priority(2)
        .mount(&server)
        .await;
    let retry = ExponentialBackoff::builder()
        .retry_bounds(
            std::time::Duration::from_millis(1),
            std::time::Duration::from_millis(5),
        )
        .build_with_max_retries(2);
    let http = reqwest_middleware::ClientBuilder::new(reqwest::Client::new())
        .with(reqwest_tracing::TracingMiddleware::default())
        .with(RetryTransientMiddleware::new_with_policy(retry))
        .with(Authorize::new(tokens(&server)))
        .build();
    let response = http
        .get(format!("{}/v1/items", server.uri()))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let requests = server.received_requests().await.unwrap();
    let api: Vec<&Request> = requests
        .iter()
        .filter(|r| r.url.path() == "/v1/items")
        .collect();
    assert_eq!(api.len(), 2, "the 503, then the retry");
    assert!(
        api.iter()
            .all(|r| r.headers["authorization"] == "Bearer token-1")
    );
    assert_eq!(token_requests(&requests), 1);
}

#[tokio::test]
async fn no_token_is_a_middleware_error_naming_the_vendor() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/api/token"))
        .respond_with(
            ResponseTemplate::new(400).set_body_json(json!({ "error": "invalid_client" })),
        )
        .mount(&server)
        .await;
    let http = reqwest_middleware::ClientBuilder::new(reqwest::Client::new())
        .with(Authorize::new(tokens(&server)))
        .build();
    let error = http
        .get(format!("{}/v1/me", server.uri()))
        .send()
        .await
        .unwrap_err();
    assert!(error.to_string().contains("Spotify"), "{error}");
    assert!(!error.to_string().contains("secret"));
}
