//! Behaviour of generator features the seed vendors do not use, through the
//! compiled fixtures.

use private_vendor::fixtures::{
    basic_form_vendor as basic, nested_vendor as nested, query_vendor as query,
};
use serde_json::json;
use vendor_auth::{ExposeSecret, TokenClient, Url};
use wiremock::matchers::any;
use wiremock::{Mock, MockServer, ResponseTemplate};

async fn server(status: u16, body: serde_json::Value) -> MockServer {
    let server = MockServer::start().await;
    Mock::given(any())
        .respond_with(ResponseTemplate::new(status).set_body_json(body))
        .mount(&server)
        .await;
    server
}

fn custom(server: &MockServer) -> Url {
    Url::parse(&server.uri()).unwrap()
}

#[tokio::test]
async fn revoke_sends_the_access_token_and_needs_no_body_back() {
    let server = MockServer::start().await;
    Mock::given(any())
        .respond_with(ResponseTemplate::new(200))
        .mount(&server)
        .await;
    let client = basic::Client::new(
        basic::Environment::Custom(custom(&server)),
        basic::Credentials::new("id", "secret"),
    )
    .unwrap();
    let token_server = self::server(
        200,
        json!({ "access_token": "at", "expires_in": "60", "refresh_token": "rt" }),
    )
    .await;
    let token = basic::Client::new(
        basic::Environment::Custom(custom(&token_server)),
        basic::Credentials::new("id", "secret"),
    )
    .unwrap()
    .fetch_token()
    .await
    .unwrap();
    client.revoke_token(&token).await.unwrap();
    let request = &server.received_requests().await.unwrap()[0];
    assert_eq!(request.url.path(), "/revoke");
    assert_eq!(
        std::str::from_utf8(&request.body).unwrap(),
        "token=at&token_type_hint=access_token"
    );
    assert_eq!(request.headers["authorization"], "Basic aWQ6c2VjcmV0");
}

#[tokio::test]
async fn error_classes_give_meanings() {
    let server = server(429, json!({ "error": "slow_down" })).await;
    let client = basic::Client::new(
        basic::Environment::Custom(custom(&server)),
        basic::Credentials::new("id", "secret"),
    )
    .unwrap();
    let error = client.fetch_token().await.unwrap_err();
    assert_eq!(
        error.to_string(),
        "Basic Form Vendor token: HTTP 429 (The request was rejected.): error: slow_down"
    );
    assert!(error.is_transient());
}

#[tokio::test]
async fn nested_tokens_and_typed_extras() {
    let body = json!({ "result": {
        "accessToken": "at", "tokenType": "Token", "refreshToken": "rt",
        "expiresAt": "2999-01-01T00:00:00Z", "refreshExpiresIn": "120",
        "userId": 7, "quota": 1.5, "admin": true, "signingKey": "sk", "claims": { "a": 1 }, "type": "user"
    }});
    let server = server(201, body).await;
    let client = nested::Client::new(
        nested::Environment::Custom(custom(&server)),
        nested::Credentials::new("k", "u"),
    )
    .unwrap();
    let response = client.token().await.unwrap();
    assert_eq!(response.user_id, 7);
    assert_eq!(response.quota, Some(1.5));
    assert_eq!(response.admin, Some(true));
    assert_eq!(response.signing_key.as_ref().unwrap().expose_secret(), "sk");
    assert_eq!(response.claims, Some(json!({ "a": 1 })));
    assert_eq!(response.type_.as_deref(), Some("user"));
    assert!(
        !format!("{response:?}").contains("sk\""),
        "secrets stay redacted in Debug"
    );

    let token = client.fetch_token().await.unwrap();
    let headers = client.authorization().headers(&token).unwrap();
    assert_eq!(headers["authorization"], "Token at");
    let request = &server.received_requests().await.unwrap()[0];
    assert_eq!(request.method.as_str(), "PUT");
    assert_eq!(request.headers["x-key"], "k");
    assert_eq!(request.headers["accept"], "application/json");
}

#[tokio::test]
async fn get_with_query_and_string_unix_time() {
    let at = time::OffsetDateTime::now_utc().unix_timestamp() + 100;
    let server = server(
        200,
        json!({ "session_id": "s", "expires_at": at.to_string() }),
    )
    .await;
    let client = query::Client::new(
        query::Config::new(query::Environment::Custom(custom(&server)), "v3"),
        query::Credentials::new("key 1"),
    )
    .unwrap();
    let token = client.fetch_token().await.unwrap();
    assert!((98..=100).contains(&token.lifetime().as_secs()));
    let request = &server.received_requests().await.unwrap()[0];
    assert_eq!(request.method.as_str(), "GET");
    assert_eq!(request.url.query(), Some("key=key+1&format=json&v=v3"));
    assert_eq!(
        client.authorization().headers(&token).unwrap()["x-session"],
        "s"
    );
}
