//! Google OAuth 2.0, from
//! https://developers.google.com/identity/protocols/oauth2/web-server#offline
//! ("Refreshing an access token"), its `#tokenrevoke` section,
//! https://developers.google.com/identity/protocols/oauth2/native-app and
//! https://developers.google.com/identity/protocols/oauth2 (notes:
//! docs/vendors/google_oauth.md):
//!
//! - The refresh token comes from a one-time consent with `access_type=offline`;
//!   access tokens are then obtained with `POST https://oauth2.googleapis.com/token`,
//!   no query, no `Authorization` header,
//!   `Content-Type: application/x-www-form-urlencoded`, body `client_id`,
//!   `client_secret`, `refresh_token`, `grant_type=refresh_token`;
//!   200 `{"access_token": "ya29.a0AfB_byC", "expires_in": 3920,
//!   "scope": "https://www.googleapis.com/auth/drive.metadata.readonly https://www.googleapis.com/auth/calendar.readonly",
//!   "token_type": "Bearer"}`, with no new refresh token (it does not rotate).
//! - Errors: 400 `{"error": "invalid_grant", "error_description": "Token has been expired or revoked."}`.
//! - `POST https://oauth2.googleapis.com/revoke`,
//!   `Content-Type: application/x-www-form-urlencoded`, `token=<token>`; 200.
//! - API calls carry `Authorization: Bearer <token>`:
//!   `GET https://www.googleapis.com/drive/v2/files`.

use serde_json::json;
use vendor_auth::{ExposeSecret, TokenClient, TokenManager, google_oauth as vendor};
use wiremock::ResponseTemplate;

use crate::support::*;

const CLIENT_ID: &str = "407408718192.apps.googleusercontent.com";
const REFRESH_TOKEN: &str = "1//04dX7qZ5vYk3PCgYIARAAGAQSNwF-L9IrkJ9c2wq8ZtP0hWm3XyB";
const TOKEN: &str = "ya29.a0AfB_byC";
const SCOPES: &str = "https://www.googleapis.com/auth/drive.metadata.readonly https://www.googleapis.com/auth/calendar.readonly";

fn client(replay: &Replay) -> vendor::Client {
    vendor::Client::new(
        vendor::Environment::Custom(replay.url()),
        vendor::Credentials::new(CLIENT_ID, SECRET, REFRESH_TOKEN),
    )
    .unwrap()
}

#[test]
fn production_is_the_googleapis_oauth2_host() {
    let client = vendor::Client::new(
        vendor::Config::default(),
        vendor::Credentials::new("a", "b", "c"),
    )
    .unwrap();
    assert_eq!(client.base_url().as_str(), "https://oauth2.googleapis.com/");
}

#[tokio::test]
async fn the_refresh_token_buys_an_access_token_then_a_drive_call() {
    let replay = Replay::start().await;
    replay
        .on(
            given(method("POST"))
                .and(path("/token"))
                .and(NoQuery)
                .and(form(&[
                    ("client_id", CLIENT_ID),
                    ("client_secret", SECRET),
                    ("refresh_token", REFRESH_TOKEN),
                    ("grant_type", "refresh_token"),
                ])),
            json(
                200,
                json!({
                    "access_token": TOKEN,
                    "expires_in": 3920,
                    "scope": SCOPES,
                    "token_type": "Bearer"
                }),
            ),
        )
        .await;
    replay
        .on(
            given(method("GET"))
                .and(path("/drive/v2/files"))
                .and(NoQuery)
                .and(header("authorization", format!("Bearer {TOKEN}").as_str())),
            json(200, json!({ "kind": "drive#fileList", "items": [] })),
        )
        .await;

    let tokens = TokenManager::new(client(&replay));
    let cached = tokens.token().await.unwrap();
    assert_eq!(cached.token().access_token().expose_secret(), TOKEN);
    assert_eq!(cached.token().lifetime().as_secs(), 3920);
    assert_eq!(cached.token().scope(), Some(SCOPES));
    // No refresh token came back: the stored one is kept.
    assert_eq!(
        cached.token().refresh_token().unwrap().expose_secret(),
        REFRESH_TOKEN
    );
    // No Basic header: the client credentials travel in the body only.
    let requests = replay.requests().await;
    assert!(requests[0].headers.get("authorization").is_none());
    let status = replay
        .api_call(&tokens, reqwest::Method::GET, "/drive/v2/files")
        .await;
    assert_eq!(status, 200);
}

#[tokio::test]
async fn revoke_posts_the_token_in_a_form_body() {
    let replay = Replay::start().await;
    replay
        .on(
            given(method("POST"))
                .and(path("/revoke"))
                .and(NoQuery)
                .and(form(&[("token", TOKEN)])),
            ResponseTemplate::new(200),
        )
        .await;
    let token = vendor_auth::Token::new(TOKEN, std::time::Duration::from_secs(60));
    client(&replay).revoke_token(&token).await.unwrap();
}

#[tokio::test]
async fn an_expired_refresh_token_is_a_typed_rejection_without_the_secrets() {
    let replay = Replay::start().await;
    replay
        .on(
            given(method("POST")).and(path("/token")),
            json(
                400,
                json!({
                    "error": "invalid_grant",
                    "error_description": "Token has been expired or revoked."
                }),
            ),
        )
        .await;
    let error = client(&replay).fetch_token().await.unwrap_err();
    assert!(error.is_rejection());
    assert_eq!(error.status(), Some(400));
    let text = error.to_string();
    assert!(text.contains("invalid_grant"), "{text}");
    assert!(!text.contains(SECRET), "{text}");
    assert!(!text.contains(REFRESH_TOKEN), "{text}");
}
