//! Adobe IMS, OAuth Server-to-Server credential, from
//! https://developer.adobe.com/developer-console/docs/guides/authentication/ServerToServerAuthentication/ims
//! and the implementation guide beside it,
//! https://developer.adobe.com/developer-console/docs/guides/authentication/ServerToServerAuthentication/implementation
//! (notes: docs/vendors/adobe_ims.md):
//!
//! - `POST https://ims-na1.adobelogin.com/ims/token/v3`, no query string,
//!   `Content-Type: application/x-www-form-urlencoded`, no Authorization
//!   header; form body `client_id`, `client_secret`,
//!   `grant_type=client_credentials` and `scope`, a comma-separated list;
//!   200 `{"access_token": "{ACCESS_TOKEN}", "token_type": "bearer", "expires_in": 86399}`
//!   (`expires_in` in seconds; no refresh token: a new token is requested with
//!   the same parameters).
//! - Invalidation is not on Adobe's pages; Adobe's own SDKs (adobe/ims-go
//!   `ims/invalidate_token.go`, @adobe/aio-lib-ims) send
//!   `POST https://ims-na1.adobelogin.com/ims/invalidate_token/v2` with
//!   `X-IMS-ClientId: <client id>` and the form `token_type`, `token`,
//!   `client_id`, `client_secret`; 200 is success.
//! - Errors (ims-go `ims/error.go`): `{"error": "<code>", "error_description": "<text>"}`,
//!   e.g. `invalid_scope`; statuses are not documented (400 assumed, per
//!   RFC 6749 section 5.2).
//! - API calls carry `Authorization: Bearer <token>` and `x-api-key: <client id>`:
//!   `GET https://api.adobe.io/console/organizations/{org_id}/credentials/{credential_id}/secrets`
//!   lists the credential's client secrets.

use serde_json::json;
use vendor_auth::{ExposeSecret, TokenClient, TokenManager, adobe_ims as vendor};
use wiremock::ResponseTemplate;

use crate::support::*;

const CLIENT_ID: &str = "5f2e6c0a1b3d4e5f8a9b0c1d2e3f4a5b";
/// The scopes the reference lists for the client-secrets call, comma-separated.
const SCOPE: &str = "AdobeID,openid,read_organizations,additional_info.projectedProductContext,additional_info.roles,adobeio_api,read_client_secret,manage_client_secrets";
const TOKEN: &str = "eyJhbGciOiJSUzI1NiIsIng1dSI6Imltc19uYTEta2V5LWF0LTEuY2VyIn0.eyJ0eXBlIjoiYWNjZXNzX3Rva2VuIn0.c2lnbmF0dXJl";
const ORG_ID: &str = "3B5A1F2C64D8E1A90A495C1B@AdobeOrg";
const CREDENTIAL_ID: &str = "71624033";

fn client(replay: &Replay) -> vendor::Client {
    vendor::Client::new(
        vendor::Config::new(vendor::Environment::Custom(replay.url()), SCOPE),
        vendor::Credentials::new(CLIENT_ID, SECRET),
    )
    .unwrap()
}

#[test]
fn production_is_the_ims_na1_host() {
    let client = vendor::Client::new(
        vendor::Config::new(vendor::Environment::default(), "openid,AdobeID"),
        vendor::Credentials::new("a", "b"),
    )
    .unwrap();
    assert_eq!(
        client.base_url().as_str(),
        "https://ims-na1.adobelogin.com/"
    );
}

#[tokio::test]
async fn client_credentials_then_a_console_call() {
    let replay = Replay::start().await;
    replay
        .on(
            given(method("POST"))
                .and(path("/ims/token/v3"))
                .and(NoQuery)
                .and(Without("authorization"))
                .and(form(&[
                    ("client_id", CLIENT_ID),
                    ("client_secret", SECRET),
                    ("grant_type", "client_credentials"),
                    ("scope", SCOPE),
                ])),
            json(
                200,
                json!({ "access_token": TOKEN, "token_type": "bearer", "expires_in": 86399 }),
            ),
        )
        .await;
    let secrets_path =
        format!("/console/organizations/{ORG_ID}/credentials/{CREDENTIAL_ID}/secrets");
    replay
        .on(
            given(method("GET"))
                .and(path(secrets_path.as_str()))
                .and(NoQuery)
                .and(header("authorization", format!("Bearer {TOKEN}").as_str()))
                .and(header("x-api-key", CLIENT_ID)),
            json(
                200,
                json!({
                    "client_id": CLIENT_ID,
                    "client_secrets": [{
                        "uuid": "0c4f6f0e-3b1a-4c1e-9a52-7d0b1e2f3a4b",
                        "created_at": "1682448485000",
                        "created_at_str": "2023-04-25T18:48:05.000Z",
                        "expires_at": "PERMANENT",
                        "expires_at_str": "PERMANENT",
                        "secret_usages": null
                    }]
                }),
            ),
        )
        .await;

    let tokens = TokenManager::new(client(&replay));
    let cached = tokens.token().await.unwrap();
    assert_eq!(cached.token().access_token().expose_secret(), TOKEN);
    assert_eq!(cached.token().lifetime().as_secs(), 86399);
    assert_eq!(cached.token().token_type(), Some("bearer"));
    assert!(cached.token().refresh_token().is_none());
    let status = replay
        .api_call(&tokens, reqwest::Method::GET, &secrets_path)
        .await;
    assert_eq!(status, 200);
}

#[tokio::test]
async fn invalidate_sends_the_client_id_header_and_the_token() {
    let replay = Replay::start().await;
    replay
        .on(
            given(method("POST"))
                .and(path("/ims/invalidate_token/v2"))
                .and(NoQuery)
                .and(header("x-ims-clientid", CLIENT_ID))
                .and(form(&[
                    ("token_type", "access_token"),
                    ("token", TOKEN),
                    ("client_id", CLIENT_ID),
                    ("client_secret", SECRET),
                ])),
            ResponseTemplate::new(200),
        )
        .await;
    let token = vendor_auth::Token::new(TOKEN, std::time::Duration::from_secs(60));
    client(&replay).revoke_token(&token).await.unwrap();
}

#[tokio::test]
async fn an_invalid_scope_is_a_typed_rejection_without_the_secret() {
    let replay = Replay::start().await;
    replay
        .on(
            given(method("POST")).and(path("/ims/token/v3")),
            json(
                400,
                json!({
                    "error_description": "The metascopes in the JWT are not a subset of the metascopes in the binding.",
                    "error": "invalid_scope"
                }),
            ),
        )
        .await;
    let error = client(&replay).fetch_token().await.unwrap_err();
    assert!(error.is_rejection());
    assert_eq!(error.status(), Some(400));
    let text = error.to_string();
    assert!(text.contains("invalid_scope"), "{text}");
    assert!(!text.contains(SECRET), "{text}");
}
