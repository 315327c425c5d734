//! GitHub App user access tokens, from
//! https://docs.github.com/en/apps/creating-github-apps/authenticating-with-a-github-app/refreshing-user-access-tokens,
//! https://docs.github.com/en/apps/creating-github-apps/authenticating-with-a-github-app/generating-a-user-access-token-for-a-github-app,
//! https://docs.github.com/en/apps/oauth-apps/building-oauth-apps/authorizing-oauth-apps and
//! https://docs.github.com/en/apps/oauth-apps/maintaining-oauth-apps/troubleshooting-oauth-app-access-token-request-errors
//! (notes: docs/vendors/github_app_user.md):
//!
//! - The first refresh token comes from the web or device flow; tokens are then
//!   renewed with `POST https://github.com/login/oauth/access_token`, no
//!   `Authorization` header, `Accept: application/json` (the default answer is
//!   form-encoded), parameters `client_id`, `client_secret`,
//!   `grant_type=refresh_token`, `refresh_token` (sent as an
//!   `application/x-www-form-urlencoded` body, not in the URL);
//!   200 `{"access_token": "ghu_16C7e42F292c6912E7710c838347Ae178B4a", "expires_in": 28800,
//!   "refresh_token": "ghr_1B4a2e77838347a7E420ce178F2E7c6912E169246c34E1ccbF66C46812d16D5B1A9Dc86A1498",
//!   "refresh_token_expires_in": 15811200, "scope": "", "token_type": "bearer"}`.
//!   The refresh token rotates: each one works once.
//! - Errors come with HTTP 200: `{"error": "bad_refresh_token", "error_description":
//!   "The refresh token passed is incorrect or expired.", "error_uri": "..."}`.
//! - API calls carry `Authorization: Bearer <token>`: `GET https://api.github.com/user`.

use std::sync::{Arc, Mutex};

use serde_json::json;
use vendor_auth::{ExposeSecret, TokenClient, TokenManager, github_app_user as vendor};

use crate::support::*;

const CLIENT_ID: &str = "Iv1.8a61f9b3a7aba766";
const FIRST_REFRESH: &str =
    "ghr_first0b4a2e77838347a7E420ce178F2E7c6912E169246c34E1ccbF66C46812d16D5B1A9";
const REFRESH: &str =
    "ghr_1B4a2e77838347a7E420ce178F2E7c6912E169246c34E1ccbF66C46812d16D5B1A9Dc86A1498";
const NEXT_REFRESH: &str =
    "ghr_next2e77838347a7E420ce178F2E7c6912E169246c34E1ccbF66C46812d16D5B1A9Dc86";
const TOKEN: &str = "ghu_16C7e42F292c6912E7710c838347Ae178B4a";
const NEXT_TOKEN: &str = "ghu_27D8f53G303d7023F8821d949458Bf289C5b";

fn client(replay: &Replay) -> vendor::Client {
    vendor::Client::new(
        vendor::Environment::Custom(replay.url()),
        vendor::Credentials::new(CLIENT_ID, SECRET, FIRST_REFRESH),
    )
    .unwrap()
}

/// The documented refresh request for `refresh_token`, answered with the
/// documented response carrying `access_token` and the rotated `next`.
async fn expect_refresh(replay: &Replay, refresh_token: &str, access_token: &str, next: &str) {
    replay
        .on(
            given(method("POST"))
                .and(path("/login/oauth/access_token"))
                .and(NoQuery)
                .and(header("accept", "application/json"))
                .and(form(&[
                    ("client_id", CLIENT_ID),
                    ("client_secret", SECRET),
                    ("grant_type", "refresh_token"),
                    ("refresh_token", refresh_token),
                ])),
            json(
                200,
                json!({
                    "access_token": access_token,
                    "expires_in": 28800,
                    "refresh_token": next,
                    "refresh_token_expires_in": 15811200,
                    "scope": "",
                    "token_type": "bearer"
                }),
            ),
        )
        .await;
}

#[test]
fn production_is_github_com_and_enterprise_server_is_the_given_host() {
    let client = vendor::Client::new(
        vendor::Config::default(),
        vendor::Credentials::new("a", "b", "c"),
    )
    .unwrap();
    assert_eq!(client.base_url().as_str(), "https://github.com/");
    let ghes = vendor_auth::Url::parse("https://github.example.com").unwrap();
    let client = vendor::Client::new(
        vendor::Environment::EnterpriseServer(ghes),
        vendor::Credentials::new("a", "b", "c"),
    )
    .unwrap();
    assert_eq!(client.base_url().as_str(), "https://github.example.com/");
}

#[tokio::test]
async fn the_refresh_token_buys_a_user_token_then_a_rest_call() {
    let replay = Replay::start().await;
    expect_refresh(&replay, FIRST_REFRESH, TOKEN, REFRESH).await;
    replay
        .on(
            given(method("GET"))
                .and(path("/user"))
                .and(NoQuery)
                .and(header("authorization", format!("Bearer {TOKEN}").as_str())),
            json(200, json!({ "login": "octocat", "id": 1 })),
        )
        .await;

    let rotated = Arc::new(Mutex::new(Vec::new()));
    let seen = rotated.clone();
    let client = client(&replay).on_refresh_token_rotated(move |token| {
        seen.lock().unwrap().push(token.expose_secret().to_owned());
    });
    let tokens = TokenManager::new(client);
    let cached = tokens.token().await.unwrap();
    assert_eq!(cached.token().access_token().expose_secret(), TOKEN);
    assert_eq!(cached.token().lifetime().as_secs(), 28800);
    assert_eq!(
        cached.token().refresh_token().unwrap().expose_secret(),
        REFRESH
    );
    assert!(cached.token().refresh_token_expires_at().is_some());
    assert_eq!(*rotated.lock().unwrap(), [REFRESH]);
    // No Basic header: the client credentials travel in the body only.
    assert!(
        replay.requests().await[0]
            .headers
            .get("authorization")
            .is_none()
    );
    let status = replay
        .api_call(&tokens, reqwest::Method::GET, "/user")
        .await;
    assert_eq!(status, 200);
}

#[tokio::test]
async fn each_refresh_sends_the_latest_rotated_refresh_token() {
    let replay = Replay::start().await;
    expect_refresh(&replay, FIRST_REFRESH, TOKEN, REFRESH).await;
    expect_refresh(&replay, REFRESH, NEXT_TOKEN, NEXT_REFRESH).await;

    let client = client(&replay);
    let first = client.fetch_token().await.unwrap();
    assert_eq!(client.latest_refresh_token().expose_secret(), REFRESH);
    let second = client.refresh_token(&first).await.unwrap();
    assert_eq!(second.access_token().expose_secret(), NEXT_TOKEN);
    assert_eq!(
        second.refresh_token().unwrap().expose_secret(),
        NEXT_REFRESH
    );
    assert_eq!(client.latest_refresh_token().expose_secret(), NEXT_REFRESH);
}

#[tokio::test]
async fn an_error_inside_a_200_body_is_a_typed_rejection_without_the_secrets() {
    let replay = Replay::start().await;
    replay
        .on(
            given(method("POST")).and(path("/login/oauth/access_token")),
            json(
                200,
                json!({
                    "error": "bad_refresh_token",
                    "error_description": "The refresh token passed is incorrect or expired.",
                    "error_uri": "https://docs.github.com/apps/managing-oauth-apps/troubleshooting-oauth-app-access-token-request-errors"
                }),
            ),
        )
        .await;
    let error = client(&replay).fetch_token().await.unwrap_err();
    assert!(error.is_rejection());
    assert_eq!(error.status(), Some(400));
    let text = error.to_string();
    assert!(text.contains("bad_refresh_token"), "{text}");
    assert!(!text.contains(SECRET), "{text}");
    assert!(!text.contains(FIRST_REFRESH), "{text}");
}
