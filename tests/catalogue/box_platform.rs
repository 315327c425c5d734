//! Box, Client Credentials Grant, from
//! https://developer.box.com/guides/authentication/client-credentials/,
//! https://developer.box.com/reference/post-oauth2-token,
//! https://developer.box.com/guides/authentication/tokens/access-tokens/,
//! https://developer.box.com/reference/post-oauth2-revoke and
//! https://developer.box.com/reference/get-users-me/ (notes: docs/vendors/box.md):
//!
//! - `POST https://api.box.com/oauth2/token`, no query string,
//!   `Content-Type: application/x-www-form-urlencoded`, no Authorization
//!   header; form body `grant_type=client_credentials`, `client_id`,
//!   `client_secret`, `box_subject_type` (`enterprise` or `user`) and
//!   `box_subject_id` (the enterprise ID or the user ID);
//!   200 `{"access_token": "DkXZmsjUKizvL2z0WiaLvMBeQ756XCGGf", "expires_in": 4123, "restricted_to": [], "issued_token_type": "bearer"}`
//!   (the CCG example of the tokens guide; `expires_in` in seconds, no
//!   refresh token).
//! - `POST https://api.box.com/oauth2/revoke`, form `client_id`,
//!   `client_secret`, `token`; an empty response on success.
//! - Errors are the OAuth 2.0 error object `{"error", "error_description"}`;
//!   the CCG guide documents 400 `invalid_grant`, "Grant credentials are
//!   invalid".
//! - API calls carry `Authorization: Bearer <token>`:
//!   `GET https://api.box.com/2.0/users/me`.

use serde_json::json;
use vendor_auth::{ExposeSecret, TokenClient, TokenManager, box_platform as vendor};
use wiremock::ResponseTemplate;

use crate::support::*;

const CLIENT_ID: &str = "ly1nj6n11vionaie65emwzk575hnnmrk";
const ENTERPRISE_ID: &str = "1234567";
const USER_ID: &str = "33552487093";
const TOKEN: &str = "DkXZmsjUKizvL2z0WiaLvMBeQ756XCGGf";

fn client_with(replay: &Replay, configure: impl FnOnce(&mut vendor::Config)) -> vendor::Client {
    let mut config = vendor::Config::new(vendor::Environment::Custom(replay.url()), ENTERPRISE_ID);
    configure(&mut config);
    vendor::Client::new(config, vendor::Credentials::new(CLIENT_ID, SECRET)).unwrap()
}

fn client(replay: &Replay) -> vendor::Client {
    client_with(replay, |_| {})
}

#[test]
fn production_is_the_api_host_and_the_subject_defaults_to_enterprise() {
    let client = vendor::Client::new(
        vendor::Config::new(vendor::Environment::default(), ENTERPRISE_ID),
        vendor::Credentials::new("a", "b"),
    )
    .unwrap();
    assert_eq!(client.base_url().as_str(), "https://api.box.com/");
    assert_eq!(client.config().box_subject_type, "enterprise");
}

#[tokio::test]
async fn client_credentials_as_the_service_account_then_users_me() {
    let replay = Replay::start().await;
    replay
        .on(
            given(method("POST"))
                .and(path("/oauth2/token"))
                .and(NoQuery)
                .and(Without("authorization"))
                .and(form(&[
                    ("grant_type", "client_credentials"),
                    ("client_id", CLIENT_ID),
                    ("client_secret", SECRET),
                    ("box_subject_type", "enterprise"),
                    ("box_subject_id", ENTERPRISE_ID),
                ])),
            json(
                200,
                json!({
                    "access_token": TOKEN,
                    "expires_in": 4123,
                    "restricted_to": [],
                    "issued_token_type": "bearer"
                }),
            ),
        )
        .await;
    replay
        .on(
            given(method("GET"))
                .and(path("/2.0/users/me"))
                .and(NoQuery)
                .and(header("authorization", format!("Bearer {TOKEN}").as_str())),
            json(
                200,
                json!({
                    "type": "user",
                    "id": "33552487093",
                    "name": "Acme Automation",
                    "login": "AutomationUser_1234567_aBcDeFgHiJ@boxdevedition.com"
                }),
            ),
        )
        .await;

    let tokens = TokenManager::new(client(&replay));
    let cached = tokens.token().await.unwrap();
    assert_eq!(cached.token().access_token().expose_secret(), TOKEN);
    assert_eq!(cached.token().lifetime().as_secs(), 4123);
    assert!(cached.token().refresh_token().is_none());
    assert_eq!(
        cached.token().field("restricted_to").unwrap().expose(),
        "[]"
    );
    assert_eq!(
        cached.token().field("issued_token_type").unwrap().expose(),
        "bearer"
    );
    let status = replay
        .api_call(&tokens, reqwest::Method::GET, "/2.0/users/me")
        .await;
    assert_eq!(status, 200);
}

#[tokio::test]
async fn a_user_subject_sends_the_user_id() {
    let replay = Replay::start().await;
    replay
        .on(
            given(method("POST"))
                .and(path("/oauth2/token"))
                .and(NoQuery)
                .and(Without("authorization"))
                .and(form(&[
                    ("grant_type", "client_credentials"),
                    ("client_id", CLIENT_ID),
                    ("client_secret", SECRET),
                    ("box_subject_type", "user"),
                    ("box_subject_id", USER_ID),
                ])),
            json(
                200,
                json!({
                    "access_token": TOKEN,
                    "expires_in": 3992,
                    "restricted_to": [],
                    "token_type": "bearer"
                }),
            ),
        )
        .await;
    let client = client_with(&replay, |config| {
        config.box_subject_type = "user".to_owned();
        config.box_subject_id = USER_ID.to_owned();
    });
    let token = client.fetch_token().await.unwrap();
    assert_eq!(token.access_token().expose_secret(), TOKEN);
    assert_eq!(token.lifetime().as_secs(), 3992);
    assert_eq!(token.token_type(), Some("bearer"));
}

#[tokio::test]
async fn revoke_sends_the_client_credentials_and_the_token() {
    let replay = Replay::start().await;
    replay
        .on(
            given(method("POST"))
                .and(path("/oauth2/revoke"))
                .and(NoQuery)
                .and(form(&[
                    ("client_id", CLIENT_ID),
                    ("client_secret", SECRET),
                    ("token", TOKEN),
                ])),
            ResponseTemplate::new(200),
        )
        .await;
    let token = vendor_auth::Token::new(TOKEN, std::time::Duration::from_secs(60));
    client(&replay).revoke_token(&token).await.unwrap();
}

#[tokio::test]
async fn invalid_grant_credentials_are_a_typed_rejection_without_the_secret() {
    let replay = Replay::start().await;
    replay
        .on(
            given(method("POST")).and(path("/oauth2/token")),
            json(
                400,
                json!({
                    "error": "invalid_grant",
                    "error_description": "Grant credentials are invalid"
                }),
            ),
        )
        .await;
    let error = client(&replay).fetch_token().await.unwrap_err();
    assert!(error.is_rejection());
    assert_eq!(error.status(), Some(400));
    let text = error.to_string();
    assert!(text.contains("Grant credentials are invalid"), "{text}");
    assert!(!text.contains(SECRET), "{text}");
}
