//! Dropbox, from https://www.dropbox.com/developers/documentation/http/documentation
//! (`/oauth2/token`, `auth/token/revoke`, `users/get_current_account`),
//! https://developers.dropbox.com/oauth-guide and
//! https://dropbox.tech/developers/using-oauth-2-0-with-offline-access
//! (notes: docs/vendors/dropbox.md):
//!
//! - The offline refresh token comes from a one-time consent with
//!   `token_access_type=offline`; access tokens are then obtained with
//!   `POST https://api.dropboxapi.com/oauth2/token`, no query,
//!   `Authorization: Basic base64(<app key>:<app secret>)` (`curl -u APP_KEY:APP_SECRET`),
//!   `Content-Type: application/x-www-form-urlencoded`, body
//!   `grant_type=refresh_token&refresh_token=<refresh token>` (plus an optional `scope`);
//!   200 `{"access_token": "sl.B2M8yVLTS_ojO3UsFs2tRlXx", "token_type": "bearer", "expires_in": 14400}`,
//!   with no new refresh token (it does not rotate).
//! - Errors: 400 `{"error": "invalid_grant", "error_description": "refresh token is invalid or revoked"}`.
//! - `POST https://api.dropboxapi.com/2/auth/token/revoke`, `Authorization: Bearer <token>`,
//!   no argument (`Content-Type: application/json`, body `null`); 200 with a `null` body.
//! - RPC calls carry `Authorization: Bearer <token>`:
//!   `POST https://api.dropboxapi.com/2/users/get_current_account`, no argument.

use serde_json::json;
use vendor_auth::{ExposeSecret, TokenClient, TokenManager, dropbox as vendor};

use crate::support::*;

const APP_KEY: &str = "q7x2kf1lv9w0abc";
const REFRESH_TOKEN: &str = "MqJ1bDyTfWAAAAAAAAAAAW4v9xS5c3YvN3E1wq2oZlK8yPbXhRmTcDuGfJe0LiAs";
const TOKEN: &str = "sl.B2M8yVLTS_ojO3UsFs2tRlXx";

fn client(replay: &Replay) -> vendor::Client {
    vendor::Client::new(
        vendor::Environment::Custom(replay.url()),
        vendor::Credentials::new(APP_KEY, SECRET, REFRESH_TOKEN),
    )
    .unwrap()
}

#[test]
fn production_is_the_api_host() {
    let client = vendor::Client::new(
        vendor::Config::default(),
        vendor::Credentials::new("a", "b", "c"),
    )
    .unwrap();
    assert_eq!(client.base_url().as_str(), "https://api.dropboxapi.com/");
}

#[tokio::test]
async fn the_refresh_token_buys_an_access_token_then_an_rpc_call() {
    let replay = Replay::start().await;
    replay
        .on(
            given(method("POST"))
                .and(path("/oauth2/token"))
                .and(NoQuery)
                .and(header("authorization", basic(APP_KEY, SECRET).as_str()))
                .and(form(&[
                    ("grant_type", "refresh_token"),
                    ("refresh_token", REFRESH_TOKEN),
                ])),
            json(
                200,
                json!({ "access_token": TOKEN, "token_type": "bearer", "expires_in": 14400 }),
            ),
        )
        .await;
    replay
        .on(
            given(method("POST"))
                .and(path("/2/users/get_current_account"))
                .and(NoQuery)
                .and(header("authorization", format!("Bearer {TOKEN}").as_str())),
            json(
                200,
                json!({
                    "account_id": "dbid:AAH4f99T0taONIb-OurWxbNQ6ywGRopQngc",
                    "name": { "display_name": "Franz Ferdinand (Personal)" },
                    "email": "franz@dropbox.com"
                }),
            ),
        )
        .await;

    let tokens = TokenManager::new(client(&replay));
    let cached = tokens.token().await.unwrap();
    assert_eq!(cached.token().access_token().expose_secret(), TOKEN);
    assert_eq!(cached.token().lifetime().as_secs(), 14400);
    // No new refresh token came back: the seed is kept.
    assert_eq!(
        cached.token().refresh_token().unwrap().expose_secret(),
        REFRESH_TOKEN
    );
    let status = replay
        .api_call(
            &tokens,
            reqwest::Method::POST,
            "/2/users/get_current_account",
        )
        .await;
    assert_eq!(status, 200);
}

#[tokio::test]
async fn a_scope_narrows_the_refreshed_token() {
    let replay = Replay::start().await;
    replay
        .on(
            given(method("POST"))
                .and(path("/oauth2/token"))
                .and(header("authorization", basic(APP_KEY, SECRET).as_str()))
                .and(form(&[
                    ("grant_type", "refresh_token"),
                    ("refresh_token", REFRESH_TOKEN),
                    ("scope", "account_info.read files.metadata.read"),
                ])),
            json(
                200,
                json!({
                    "access_token": TOKEN,
                    "token_type": "bearer",
                    "expires_in": 14400,
                    "scope": "account_info.read files.metadata.read"
                }),
            ),
        )
        .await;
    let mut config = vendor::Config::new(vendor::Environment::Custom(replay.url()));
    config.scope = Some("account_info.read files.metadata.read".to_owned());
    let client = vendor::Client::new(
        config,
        vendor::Credentials::new(APP_KEY, SECRET, REFRESH_TOKEN),
    )
    .unwrap();
    let token = client.fetch_token().await.unwrap();
    assert_eq!(token.scope(), Some("account_info.read files.metadata.read"));
}

#[tokio::test]
async fn revoke_is_a_no_argument_rpc_call_with_the_token() {
    let replay = Replay::start().await;
    replay
        .on(
            given(method("POST"))
                .and(path("/2/auth/token/revoke"))
                .and(NoQuery)
                .and(header("authorization", format!("Bearer {TOKEN}").as_str()))
                .and(header("content-type", "application/json"))
                .and(json_body(json!(null))),
            json(200, json!(null)),
        )
        .await;
    let token = vendor_auth::Token::new(TOKEN, std::time::Duration::from_secs(60));
    client(&replay).revoke_token(&token).await.unwrap();
}

#[tokio::test]
async fn a_revoked_refresh_token_is_a_typed_rejection_without_the_secrets() {
    let replay = Replay::start().await;
    replay
        .on(
            given(method("POST")).and(path("/oauth2/token")),
            json(
                400,
                json!({
                    "error": "invalid_grant",
                    "error_description": "refresh token is invalid or revoked"
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
