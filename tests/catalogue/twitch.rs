//! Twitch, from https://dev.twitch.tv/docs/authentication/getting-tokens-oauth/,
//! https://dev.twitch.tv/docs/authentication/revoke-tokens and
//! https://dev.twitch.tv/docs/api/get-started (notes: docs/vendors/twitch.md):
//!
//! - `POST https://id.twitch.tv/oauth2/token`, form body `client_id`,
//!   `client_secret`, `grant_type=client_credentials`;
//!   200 `{"access_token": "jostpf5q0uzmxmkba9iyug38kjtgh", "expires_in": 5011271, "token_type": "bearer"}`.
//! - `POST https://id.twitch.tv/oauth2/revoke`, form `client_id`, `token`; 200, no body.
//! - Helix calls carry `Authorization: Bearer <token>` and `Client-Id: <client id>`:
//!   `GET https://api.twitch.tv/helix/users?login=twitchdev`.

use serde_json::json;
use vendor_auth::{ExposeSecret, TokenClient, TokenManager, twitch as vendor};
use wiremock::ResponseTemplate;

use crate::support::*;

const CLIENT_ID: &str = "hof5gwx0su6owfnys0yan9c87zr6t";
const TOKEN: &str = "jostpf5q0uzmxmkba9iyug38kjtgh";

fn client(replay: &Replay) -> vendor::Client {
    vendor::Client::new(
        vendor::Environment::Custom(replay.url()),
        vendor::Credentials::new(CLIENT_ID, SECRET),
    )
    .unwrap()
}

#[test]
fn production_is_the_id_host() {
    let client = vendor::Client::new(
        vendor::Config::default(),
        vendor::Credentials::new("a", "b"),
    )
    .unwrap();
    assert_eq!(client.base_url().as_str(), "https://id.twitch.tv/");
}

#[tokio::test]
async fn client_credentials_then_a_helix_call() {
    let replay = Replay::start().await;
    replay
        .on(
            given(method("POST"))
                .and(path("/oauth2/token"))
                .and(NoQuery)
                .and(form(&[
                    ("client_id", CLIENT_ID),
                    ("client_secret", SECRET),
                    ("grant_type", "client_credentials"),
                ])),
            json(
                200,
                json!({ "access_token": TOKEN, "expires_in": 5011271, "token_type": "bearer" }),
            ),
        )
        .await;
    replay
        .on(
            given(method("GET"))
                .and(path("/helix/users"))
                .and(query_param("login", "twitchdev"))
                .and(header("authorization", format!("Bearer {TOKEN}").as_str()))
                .and(header("client-id", CLIENT_ID)),
            json(
                200,
                json!({ "data": [{ "id": "141981764", "login": "twitchdev" }] }),
            ),
        )
        .await;

    let tokens = TokenManager::new(client(&replay));
    let cached = tokens.token().await.unwrap();
    assert_eq!(cached.token().access_token().expose_secret(), TOKEN);
    assert_eq!(cached.token().lifetime().as_secs(), 5011271);
    let status = replay
        .api_call(
            &tokens,
            reqwest::Method::GET,
            "/helix/users?login=twitchdev",
        )
        .await;
    assert_eq!(status, 200);
}

#[tokio::test]
async fn revoke_sends_the_client_id_and_the_token() {
    let replay = Replay::start().await;
    replay
        .on(
            given(method("POST"))
                .and(path("/oauth2/revoke"))
                .and(form(&[("client_id", CLIENT_ID), ("token", TOKEN)])),
            ResponseTemplate::new(200),
        )
        .await;
    let token = vendor_auth::Token::new(TOKEN, std::time::Duration::from_secs(60));
    client(&replay).revoke_token(&token).await.unwrap();
}

#[tokio::test]
async fn a_bad_secret_is_a_typed_rejection_without_the_secret() {
    let replay = Replay::start().await;
    replay
        .on(
            given(method("POST")).and(path("/oauth2/token")),
            json(
                403,
                json!({ "status": 403, "message": "invalid client secret" }),
            ),
        )
        .await;
    let error = client(&replay).fetch_token().await.unwrap_err();
    assert!(error.is_rejection());
    let text = error.to_string();
    assert!(text.contains("invalid client secret"), "{text}");
    assert!(!text.contains(SECRET), "{text}");
}
