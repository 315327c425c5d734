//! Voipex, from seed 004:
//!
//! > POST /token HTTP/1.1
//! > Host: auth.voipex.io
//! > Content-Type: application/x-www-form-urlencoded
//! >
//! > client_id=api&username=your%40email.com&password=*****&grant_type=password
//!
//! with a Keycloak response (`refresh_token`, `refresh_expires_in`,
//! `not-before-policy`, `session_state`, `scope`). Refresh is not documented;
//! it follows RFC 6749 §6 as Keycloak implements it.

use std::time::Duration;

use vendor_auth::voipex as vendor;
use vendor_auth::{ExposeSecret, TokenClient};

use crate::support::*;

const EXAMPLE: &str = r#"{
"access_token": "*****",
"expires_in": 3000,
"refresh_expires_in": 7200,
"refresh_token": "*****",
"token_type": "Bearer",
"not-before-policy": 0,
"session_state": "fbf59841-8288-4a71-8192-2bd4bf8a5c50",
"scope": "profile email"
}"#;

fn client(server: &wiremock::MockServer) -> vendor::Client {
    vendor::Client::new(
        vendor::Environment::Custom(url(server)),
        vendor::Credentials::new("your@email.com", "*****"),
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
    assert_eq!(client.base_url().as_str(), "https://auth.voipex.io/");
}

#[tokio::test]
async fn password_grant_is_the_documented_form_body() {
    let server = answering(200, EXAMPLE).await;
    client(&server).token().await.unwrap();
    let request = only_request(&server).await;
    assert_eq!(request.method.as_str(), "POST");
    assert_eq!(request.url.path(), "/token");
    assert_eq!(
        header(&request, "content-type"),
        Some("application/x-www-form-urlencoded")
    );
    // Byte for byte the document's body (`*` is left unescaped by form encoding).
    assert_eq!(
        std::str::from_utf8(&request.body).unwrap(),
        "client_id=api&username=your%40email.com&password=*****&grant_type=password"
    );
}

#[tokio::test]
async fn special_characters_in_a_password_are_form_encoded() {
    let server = answering(200, EXAMPLE).await;
    let client = vendor::Client::new(
        vendor::Environment::Custom(url(&server)),
        vendor::Credentials::new("u", CLIENT_SECRET),
    )
    .unwrap();
    client.token().await.unwrap();
    let request = only_request(&server).await;
    assert_eq!(
        form_pairs(&request),
        pairs(&[
            ("client_id", "api"),
            ("username", "u"),
            ("password", CLIENT_SECRET),
            ("grant_type", "password")
        ])
    );
}

#[tokio::test]
async fn the_keycloak_response_is_typed() {
    let server = answering(200, EXAMPLE).await;
    let response = client(&server).token().await.unwrap();
    assert_eq!(response.expires_in, 3000);
    assert_eq!(response.refresh_expires_in, Some(7200));
    assert_eq!(response.not_before_policy, Some(0));
    assert_eq!(
        response.session_state.as_deref(),
        Some("fbf59841-8288-4a71-8192-2bd4bf8a5c50")
    );
    assert_eq!(response.scope.as_deref(), Some("profile email"));

    let token = client(&server).fetch_token().await.unwrap();
    assert_eq!(token.lifetime(), Duration::from_secs(3000));
    let refresh_left = token.refresh_token_expires_at().unwrap() - token.received_at();
    assert_eq!(refresh_left, Duration::from_secs(7200));
    assert_eq!(token.token_type(), Some("Bearer"));
}

#[tokio::test]
async fn refresh_uses_the_refresh_token_grant_and_takes_a_rotated_token() {
    let first = answering(
        200,
        &EXAMPLE.replacen(
            "\"refresh_token\": \"*****\"",
            "\"refresh_token\": \"rt-1\"",
            1,
        ),
    )
    .await;
    let current = client(&first).fetch_token().await.unwrap();

    let rotated = EXAMPLE.replacen("\"*****\"", "\"at-2\"", 1).replacen(
        "\"refresh_token\": \"*****\"",
        "\"refresh_token\": \"rt-2\"",
        1,
    );
    let server = answering(200, &rotated).await;
    let refreshed = client(&server).refresh_token(&current).await.unwrap();
    let request = only_request(&server).await;
    assert_eq!(request.method.as_str(), "POST");
    assert_eq!(request.url.path(), "/token");
    assert_eq!(
        header(&request, "content-type"),
        Some("application/x-www-form-urlencoded")
    );
    assert_eq!(
        form_pairs(&request),
        pairs(&[
            ("client_id", "api"),
            ("grant_type", "refresh_token"),
            ("refresh_token", "rt-1")
        ])
    );

    assert_eq!(refreshed.access_token().expose_secret(), "at-2");
    assert_eq!(
        refreshed.refresh_token().unwrap().expose_secret(),
        "rt-2",
        "a rotated refresh token replaces the old one"
    );
}

#[tokio::test]
async fn oauth_errors_surface_their_description_only() {
    let server = answering(401, r#"{"error":"invalid_grant","error_description":"Invalid user credentials","password":"*****"}"#).await;
    let error = client(&server).fetch_token().await.unwrap_err();
    assert_eq!(
        error.to_string(),
        "Voipex token: HTTP 401: error: invalid_grant, error_description: Invalid user credentials"
    );
    assert!(!error.is_transient());
}
