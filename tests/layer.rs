//! `AuthorizeLayer` in front of hyper's client: every request carries the
//! vendor's authorization, and a 401 drops the token it was sent with so
//! that the next request gets a fresh one.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use bytes::Bytes;
use http_body_util::{BodyExt as _, Empty};
use hyper_util::client::legacy::Client;
use hyper_util::rt::TokioExecutor;
use serde_json::json;
use tower::{Layer as _, ServiceExt as _};
use vendor_auth::{AuthorizeLayer, TokenManager, Url, spotify};
use wiremock::matchers::{header, method, path};
use wiremock::{Mock, MockServer, Request, ResponseTemplate};

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

#[tokio::test]
async fn hyper_requests_are_authorized_and_a_401_drops_the_token() {
    let server = vendor().await;
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
    let tokens = TokenManager::new(
        spotify::Client::new(
            spotify::Environment::Custom(Url::parse(&server.uri()).unwrap()),
            spotify::Credentials::new("client", "secret"),
        )
        .unwrap(),
    );
    let hyper = Client::builder(TokioExecutor::new()).build_http::<Empty<Bytes>>();
    let service = AuthorizeLayer::new(tokens).layer(hyper);
    let get = || {
        http::Request::get(format!("{}/v1/me?page=2", server.uri()))
            .body(Empty::<Bytes>::new())
            .unwrap()
    };
    let first = service.clone().oneshot(get()).await.unwrap();
    assert_eq!(
        first.status(),
        401,
        "a body cannot be replayed: the 401 comes back"
    );
    let second = service.clone().oneshot(get()).await.unwrap();
    assert_eq!(second.status(), 200, "the next request has a fresh token");
    let body = second.into_body().collect().await.unwrap().to_bytes();
    assert_eq!(&body[..], b"me");
    let requests = server.received_requests().await.unwrap();
    let api: Vec<&Request> = requests
        .iter()
        .filter(|r| r.url.path() == "/v1/me")
        .collect();
    assert_eq!(api.len(), 2);
    assert!(
        api.iter().all(|r| r.url.query() == Some("page=2")),
        "the query is kept"
    );
}
