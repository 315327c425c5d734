//! Revoiceit, from seed 003:
//!
//! > POST https://api.revoiceit.com/auth/token   {"clientId", "clientSecret"} -> {"accessToken", "refreshToken"}
//! > POST https://api.revoiceit.com/auth/refresh {"refreshToken"} -> {"accessToken"}
//! > POST https://api.revoiceit.com/auth/revoke  {"refreshToken"} -> {"message": "Token revoked successfully"}
//!
//! Tokens are valid for one hour; 400 is "Invalid input", 500 "Internal server error".

use std::time::Duration;

use serde_json::json;
use vendor_auth::revoiceit as vendor;
use vendor_auth::{ExposeSecret, TokenClient};

use crate::support::*;

fn client(server: &wiremock::MockServer) -> vendor::Client {
    vendor::Client::new(
        vendor::Environment::Custom(url(server)),
        vendor::Credentials::new(CLIENT_ID, CLIENT_SECRET),
    )
    .unwrap()
}

#[test]
fn production_is_the_documented_host() {
    let client = vendor::Client::new(
        vendor::Config::default(),
        vendor::Credentials::new("a", "b"),
    )
    .unwrap();
    assert_eq!(client.base_url().as_str(), "https://api.revoiceit.com/");
}

#[tokio::test]
async fn create_access_token() {
    let server = answering(200, r#"{"accessToken":"at-1","refreshToken":"rt-1"}"#).await;
    let token = client(&server).fetch_token().await.unwrap();
    let request = only_request(&server).await;
    assert_eq!(request.method.as_str(), "POST");
    assert_eq!(request.url.path(), "/auth/token");
    assert_eq!(header(&request, "content-type"), Some("application/json"));
    assert_eq!(
        json_body(&request),
        json!({ "clientId": CLIENT_ID, "clientSecret": CLIENT_SECRET })
    );

    assert_eq!(token.access_token().expose_secret(), "at-1");
    assert_eq!(token.refresh_token().unwrap().expose_secret(), "rt-1");
    assert_eq!(
        token.lifetime(),
        Duration::from_secs(3600),
        "valid for one hour"
    );
}

#[tokio::test]
async fn refresh_sends_the_refresh_token_and_keeps_it() {
    let first = answering(200, r#"{"accessToken":"at-1","refreshToken":"rt-1"}"#).await;
    let current = client(&first).fetch_token().await.unwrap();

    let server = answering(200, r#"{"accessToken":"at-2"}"#).await;
    let refreshed = client(&server).refresh_token(&current).await.unwrap();
    let request = only_request(&server).await;
    assert_eq!(request.method.as_str(), "POST");
    assert_eq!(request.url.path(), "/auth/refresh");
    assert_eq!(json_body(&request), json!({ "refreshToken": "rt-1" }));

    assert_eq!(refreshed.access_token().expose_secret(), "at-2");
    assert_eq!(
        refreshed.refresh_token().unwrap().expose_secret(),
        "rt-1",
        "the refresh response has none: keep the old one"
    );
    assert_eq!(refreshed.lifetime(), Duration::from_secs(3600));
}

#[tokio::test]
async fn revoke_sends_the_refresh_token() {
    let first = answering(200, r#"{"accessToken":"at-1","refreshToken":"rt-1"}"#).await;
    let current = client(&first).fetch_token().await.unwrap();

    let server = answering(200, r#"{"message": "Token revoked successfully"}"#).await;
    let response = client(&server).revoke(&current).await.unwrap();
    assert_eq!(
        response.message.as_deref(),
        Some("Token revoked successfully")
    );
    let request = only_request(&server).await;
    assert_eq!(request.method.as_str(), "POST");
    assert_eq!(request.url.path(), "/auth/revoke");
    assert_eq!(json_body(&request), json!({ "refreshToken": "rt-1" }));
}

#[tokio::test]
async fn invalid_input_is_reported_with_its_meaning() {
    let server = answering(400, "").await;
    let error = client(&server).fetch_token().await.unwrap_err();
    assert_eq!(
        error.to_string(),
        "Revoiceit token: HTTP 400 (Invalid input)"
    );
    assert!(!error.is_transient());
}

#[tokio::test]
async fn api_calls_carry_a_bearer_token() {
    let server = answering(200, r#"{"accessToken":"at-1","refreshToken":"rt-1"}"#).await;
    let client = client(&server);
    let token = client.fetch_token().await.unwrap();
    // The document's prose ("provided as a Bearer token") over its `[accessToken]` line.
    assert_eq!(
        client.authorization().headers(&token).unwrap()["authorization"],
        "Bearer at-1"
    );
}
