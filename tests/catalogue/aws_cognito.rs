//! Amazon Cognito user pools, from
//! https://docs.aws.amazon.com/cognito-user-identity-pools/latest/APIReference/API_InitiateAuth.html,
//! https://docs.aws.amazon.com/cognito-user-identity-pools/latest/APIReference/API_AuthenticationResultType.html,
//! https://docs.aws.amazon.com/cognito/latest/developerguide/amazon-cognito-user-pools-using-the-refresh-token.html,
//! https://docs.aws.amazon.com/cognito-user-identity-pools/latest/APIReference/API_RevokeToken.html and
//! https://docs.aws.amazon.com/cognito/latest/developerguide/user-pool-accessing-resources-api-gateway-and-lambda.html
//! (notes: docs/vendors/aws_cognito.md):
//!
//! - `POST https://cognito-idp.{region}.amazonaws.com/`, no query, no
//!   `Authorization` (no SigV4), `Content-Type: application/x-amz-json-1.1`,
//!   `X-Amz-Target: AWSCognitoIdentityProviderService.InitiateAuth`, JSON body
//!   `{"AuthFlow": "USER_PASSWORD_AUTH", "ClientId": <app client id>,
//!   "AuthParameters": {"USERNAME": <user name>, "PASSWORD": <password>}}`
//!   (an app client without a secret: no `SECRET_HASH`);
//!   200 `{"AuthenticationResult": {"AccessToken": "eyJra...", "ExpiresIn": 3600,
//!   "IdToken": "eyJra...", "RefreshToken": "eyJjd...", "TokenType": "Bearer"},
//!   "ChallengeParameters": {}}`.
//! - Refresh: the same request with `{"AuthFlow": "REFRESH_TOKEN_AUTH", "ClientId": ...,
//!   "AuthParameters": {"REFRESH_TOKEN": <refresh token>}}`; the answer has no `RefreshToken`.
//! - Revoke: the same URL and Content-Type, `X-Amz-Target:
//!   AWSCognitoIdentityProviderService.RevokeToken`, `{"ClientId": ..., "Token": <refresh token>}`;
//!   200, empty body.
//! - Errors: 400 `{"__type": "NotAuthorizedException", "message": "Incorrect username or password."}`;
//!   a challenge answers `{"ChallengeName": "NEW_PASSWORD_REQUIRED", "ChallengeParameters": {...}, "Session": ...}`.
//! - API Gateway and other resource servers take the access token as a bearer
//!   token: `Authorization: Bearer <access token>`, e.g. `GET /app_assets`.

use serde_json::json;
use vendor_auth::{ExposeSecret, TokenClient, TokenManager, aws_cognito as vendor};
use wiremock::ResponseTemplate;

use crate::support::*;

const TARGET_INITIATE_AUTH: &str = "AWSCognitoIdentityProviderService.InitiateAuth";
const AMZ_JSON: &str = "application/x-amz-json-1.1";
const CLIENT_ID: &str = "1example23456789";
const USERNAME: &str = "testuser";
const TOKEN: &str =
    "eyJraWQiOiJhY2Nlc3MiLCJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJhYWFhYWFhYSJ9.c2lnbmF0dXJl";
const ID_TOKEN: &str =
    "eyJraWQiOiJpZCIsImFsZyI6IlJTMjU2In0.eyJzdWIiOiJhYWFhYWFhYSJ9.aWRzaWduYXR1cmU";
const REFRESH_TOKEN: &str =
    "eyJjdHkiOiJKV1QiLCJlbmMiOiJBMjU2R0NNIiwiYWxnIjoiUlNBLU9BRVAifQ.cmVmcmVzaA";
const NEXT_TOKEN: &str = "eyJraWQiOiJhY2Nlc3MiLCJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJiYmJiYmJiYiJ9.bmV4dA";

fn client(replay: &Replay) -> vendor::Client {
    vendor::Client::new(
        vendor::Config::new(vendor::Environment::Custom(replay.url()), "us-east-1"),
        vendor::Credentials::new(CLIENT_ID, USERNAME, SECRET),
    )
    .unwrap()
}

/// The documented USER_PASSWORD_AUTH request and its documented answer.
async fn expect_sign_in(replay: &Replay) {
    replay
        .on(
            given(method("POST"))
                .and(path("/"))
                .and(NoQuery)
                .and(header("content-type", AMZ_JSON))
                .and(header("x-amz-target", TARGET_INITIATE_AUTH))
                .and(json_body(json!({
                    "AuthFlow": "USER_PASSWORD_AUTH",
                    "ClientId": CLIENT_ID,
                    "AuthParameters": { "USERNAME": USERNAME, "PASSWORD": SECRET }
                }))),
            json(
                200,
                json!({
                    "AuthenticationResult": {
                        "AccessToken": TOKEN,
                        "ExpiresIn": 3600,
                        "IdToken": ID_TOKEN,
                        "RefreshToken": REFRESH_TOKEN,
                        "TokenType": "Bearer"
                    },
                    "ChallengeParameters": {}
                }),
            ),
        )
        .await;
}

#[test]
fn production_is_the_regional_cognito_idp_host() {
    let client = vendor::Client::new(
        vendor::Config::new(vendor::Environment::Production, "eu-west-1"),
        vendor::Credentials::new("a", "b", "c"),
    )
    .unwrap();
    assert_eq!(
        client.base_url().as_str(),
        "https://cognito-idp.eu-west-1.amazonaws.com/"
    );
}

#[tokio::test]
async fn user_password_sign_in_then_an_api_gateway_call() {
    let replay = Replay::start().await;
    expect_sign_in(&replay).await;
    replay
        .on(
            given(method("GET"))
                .and(path("/app_assets"))
                .and(NoQuery)
                .and(header("authorization", format!("Bearer {TOKEN}").as_str())),
            json(200, json!({ "assets": [] })),
        )
        .await;

    let tokens = TokenManager::new(client(&replay));
    let cached = tokens.token().await.unwrap();
    let token = cached.token();
    assert_eq!(token.access_token().expose_secret(), TOKEN);
    assert_eq!(token.lifetime().as_secs(), 3600);
    assert_eq!(token.token_type(), Some("Bearer"));
    assert_eq!(
        token.refresh_token().unwrap().expose_secret(),
        REFRESH_TOKEN
    );
    assert_eq!(token.field("id_token").unwrap().expose(), ID_TOKEN);
    // No SigV4 or any other Authorization on the Cognito call itself.
    assert!(
        replay.requests().await[0]
            .headers
            .get("authorization")
            .is_none()
    );
    let status = replay
        .api_call(&tokens, reqwest::Method::GET, "/app_assets")
        .await;
    assert_eq!(status, 200);
}

#[tokio::test]
async fn refresh_sends_the_refresh_token_and_keeps_it() {
    let replay = Replay::start().await;
    expect_sign_in(&replay).await;
    replay
        .on(
            given(method("POST"))
                .and(path("/"))
                .and(NoQuery)
                .and(header("content-type", AMZ_JSON))
                .and(header("x-amz-target", TARGET_INITIATE_AUTH))
                .and(json_body(json!({
                    "AuthFlow": "REFRESH_TOKEN_AUTH",
                    "ClientId": CLIENT_ID,
                    "AuthParameters": { "REFRESH_TOKEN": REFRESH_TOKEN }
                }))),
            json(
                200,
                json!({
                    "AuthenticationResult": {
                        "AccessToken": NEXT_TOKEN,
                        "ExpiresIn": 3600,
                        "IdToken": ID_TOKEN,
                        "TokenType": "Bearer"
                    },
                    "ChallengeParameters": {}
                }),
            ),
        )
        .await;

    let client = client(&replay);
    let first = client.fetch_token().await.unwrap();
    let second = client.refresh_token(&first).await.unwrap();
    assert_eq!(second.access_token().expose_secret(), NEXT_TOKEN);
    assert_eq!(second.lifetime().as_secs(), 3600);
    // No RefreshToken in the answer: the original one is kept.
    assert_eq!(
        second.refresh_token().unwrap().expose_secret(),
        REFRESH_TOKEN
    );
}

#[tokio::test]
async fn revoke_sends_the_refresh_token() {
    let replay = Replay::start().await;
    replay
        .on(
            given(method("POST"))
                .and(path("/"))
                .and(NoQuery)
                .and(header("content-type", AMZ_JSON))
                .and(header(
                    "x-amz-target",
                    "AWSCognitoIdentityProviderService.RevokeToken",
                ))
                .and(json_body(
                    json!({ "ClientId": CLIENT_ID, "Token": REFRESH_TOKEN }),
                )),
            ResponseTemplate::new(200),
        )
        .await;
    let token = vendor_auth::Token::new(TOKEN, std::time::Duration::from_secs(60))
        .with_refresh_token(REFRESH_TOKEN, None);
    client(&replay).revoke_token(&token).await.unwrap();
}

#[tokio::test]
async fn a_wrong_password_is_a_typed_rejection_without_the_password() {
    let replay = Replay::start().await;
    replay
        .on(
            given(method("POST")).and(path("/")),
            json(
                400,
                json!({
                    "__type": "NotAuthorizedException",
                    "message": "Incorrect username or password."
                }),
            ),
        )
        .await;
    let error = client(&replay).fetch_token().await.unwrap_err();
    assert!(error.is_rejection());
    assert_eq!(error.status(), Some(400));
    let text = error.to_string();
    assert!(text.contains("NotAuthorizedException"), "{text}");
    assert!(!text.contains(SECRET), "{text}");
}

#[tokio::test]
async fn an_unanswerable_challenge_is_a_typed_rejection_naming_it() {
    let replay = Replay::start().await;
    replay
        .on(
            given(method("POST")).and(path("/")),
            json(
                200,
                json!({
                    "ChallengeName": "NEW_PASSWORD_REQUIRED",
                    "ChallengeParameters": { "USER_ID_FOR_SRP": USERNAME },
                    "Session": "AYABeEXAMPLEsession"
                }),
            ),
        )
        .await;
    let error = client(&replay).fetch_token().await.unwrap_err();
    assert!(error.is_rejection());
    let text = error.to_string();
    assert!(text.contains("NEW_PASSWORD_REQUIRED"), "{text}");
    assert!(!text.contains("AYABeEXAMPLEsession"), "{text}");
}
