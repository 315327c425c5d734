//! Spotify, from
//! https://developer.spotify.com/documentation/web-api/tutorials/client-credentials-flow
//! and https://developer.spotify.com/documentation/web-api/concepts/access-token
//! (notes: docs/vendors/spotify.md):
//!
//! - `POST https://accounts.spotify.com/api/token`, no query string, headers
//!   `Authorization: Basic <base64 encoded client_id:client_secret>` and
//!   `Content-Type: application/x-www-form-urlencoded`, form body
//!   `grant_type=client_credentials` and nothing else;
//!   200 `{"access_token": "NgCXRK...MzYjw", "token_type": "Bearer", "expires_in": 3600}`
//!   (seconds; the token is valid for one hour; no refresh token).
//! - Token endpoint errors follow RFC 6749 (`error`, `error_description`); a
//!   wrong secret is answered 400 `{"error": "invalid_client", "error_description": "Invalid client"}`.
//! - API calls carry `Authorization: Bearer <token>`:
//!   `GET https://api.spotify.com/v1/tracks/2TpxZ7JUBn3uw46aR7qd6V`.

use serde_json::json;
use vendor_auth::{ExposeSecret, TokenClient, TokenManager, spotify as vendor};

use crate::support::*;

const CLIENT_ID: &str = "5fe01282e44241328a84e7c5cc169165";
const TOKEN: &str = "NgCXRKc9ZVpMOWhsRE9tY2pqZk1Uc2ZjUndNZXlXbmhMMzYjw";
const TRACK: &str = "/v1/tracks/2TpxZ7JUBn3uw46aR7qd6V";

fn client(replay: &Replay) -> vendor::Client {
    vendor::Client::new(
        vendor::Environment::Custom(replay.url()),
        vendor::Credentials::new(CLIENT_ID, SECRET),
    )
    .unwrap()
}

/// The documented token request: Basic credentials, one form field.
fn token_request() -> wiremock::MockBuilder {
    given(method("POST"))
        .and(path("/api/token"))
        .and(NoQuery)
        .and(header("authorization", basic(CLIENT_ID, SECRET).as_str()))
        .and(form(&[("grant_type", "client_credentials")]))
}

#[test]
fn production_is_the_accounts_host() {
    let client = vendor::Client::new(
        vendor::Config::default(),
        vendor::Credentials::new("a", "b"),
    )
    .unwrap();
    assert_eq!(client.base_url().as_str(), "https://accounts.spotify.com/");
}

#[tokio::test]
async fn client_credentials_then_a_catalogue_call() {
    let replay = Replay::start().await;
    replay
        .on(
            token_request(),
            json(
                200,
                json!({ "access_token": TOKEN, "token_type": "Bearer", "expires_in": 3600 }),
            ),
        )
        .await;
    replay
        .on(
            given(method("GET"))
                .and(path(TRACK))
                .and(NoQuery)
                .and(header("authorization", format!("Bearer {TOKEN}").as_str())),
            json(
                200,
                json!({
                    "id": "2TpxZ7JUBn3uw46aR7qd6V",
                    "type": "track",
                    "name": "All I Want",
                    "uri": "spotify:track:2TpxZ7JUBn3uw46aR7qd6V"
                }),
            ),
        )
        .await;

    let tokens = TokenManager::new(client(&replay));
    let cached = tokens.token().await.unwrap();
    assert_eq!(cached.token().access_token().expose_secret(), TOKEN);
    assert_eq!(cached.token().lifetime().as_secs(), 3600);
    assert_eq!(cached.token().token_type(), Some("Bearer"));
    assert!(cached.token().refresh_token().is_none());
    let status = replay.api_call(&tokens, reqwest::Method::GET, TRACK).await;
    assert_eq!(status, 200);
}

#[tokio::test]
async fn without_expires_in_the_documented_hour_applies() {
    let replay = Replay::start().await;
    replay
        .on(
            token_request(),
            json(
                200,
                json!({ "access_token": TOKEN, "token_type": "Bearer" }),
            ),
        )
        .await;
    let token = client(&replay).fetch_token().await.unwrap();
    assert_eq!(token.access_token().expose_secret(), TOKEN);
    assert_eq!(token.lifetime().as_secs(), 3600);
}

#[tokio::test]
async fn an_invalid_client_is_a_typed_rejection_without_the_secret() {
    let replay = Replay::start().await;
    replay
        .on(
            given(method("POST")).and(path("/api/token")),
            json(
                400,
                json!({ "error": "invalid_client", "error_description": "Invalid client" }),
            ),
        )
        .await;
    let error = client(&replay).fetch_token().await.unwrap_err();
    assert!(error.is_rejection());
    assert_eq!(error.status(), Some(400));
    let text = error.to_string();
    assert!(text.contains("Invalid client"), "{text}");
    assert!(!text.contains(SECRET), "{text}");
}
