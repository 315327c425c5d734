//! DocuSign JWT Grant, from
//! https://developers.docusign.com/platform/auth/jwt/jwt-get-token/,
//! https://developers.docusign.com/platform/auth/jwt/,
//! https://developers.docusign.com/platform/auth/reference/obtain-access-token/
//! and DocuSign's SDKs and code examples (notes: docs/vendors/docusign_jwt.md):
//!
//! - The assertion is a JWT signed RS256 with the integration key's RSA
//!   private key (DocuSign generates PKCS#1, `BEGIN RSA PRIVATE KEY`); header
//!   `{"alg": "RS256", "typ": "JWT"}`; claims `iss` = the integration key,
//!   `sub` = the user ID (GUID) to impersonate, `aud` = the authentication
//!   service's host without `https://` (`account-d.docusign.com` for the
//!   developer environment, `account.docusign.com` for production), `iat`
//!   (now), `exp` (no more than an hour later; the SDKs use 3600 s) and
//!   `scope` = `signature impersonation`.
//! - `POST https://account-d.docusign.com/oauth/token` (production:
//!   `https://account.docusign.com/oauth/token`), no query, no
//!   `Authorization` header, `Content-Type: application/x-www-form-urlencoded`,
//!   body `grant_type=urn:ietf:params:oauth:grant-type:jwt-bearer&assertion=<JWT>`;
//!   200 `{"access_token": "eyJ0eXAiOiJNVCIsImFsZyI6IlJTMjU2In0.AQoAAAABAAUABwCA", "token_type": "Bearer", "expires_in": 3600}`,
//!   no refresh token.
//! - Errors: 400 `{"error": "consent_required"}` until the user has granted
//!   consent; 400 `{"error": "invalid_grant", "error_description": "no_valid_keys_or_signatures"}`.
//! - API calls carry `Authorization: Bearer <token>`:
//!   `GET https://account-d.docusign.com/oauth/userinfo`.

use serde_json::json;
use vendor_auth::{ExposeSecret, TokenClient, TokenManager, docusign_jwt as vendor};
use wiremock::Request;

use crate::support::*;

const INTEGRATION_KEY: &str = "7c2b8d7e-83c3-4940-af5e-cda8a50dd73f";
const USER_ID: &str = "4c7b8f4e-2d5a-4b1e-9f3c-8a6d2e1b0c9d";
const TOKEN: &str = "eyJ0eXAiOiJNVCIsImFsZyI6IlJTMjU2In0.AQoAAAABAAUABwCA";
const JWT_BEARER: &str = "urn:ietf:params:oauth:grant-type:jwt-bearer";

fn client_with(replay: &Replay, configure: impl FnOnce(&mut vendor::Config)) -> vendor::Client {
    let mut config = vendor::Config::new(vendor::Environment::Custom(replay.url()), USER_ID);
    configure(&mut config);
    vendor::Client::new(
        config,
        vendor::Credentials::new(INTEGRATION_KEY, key("rsa_pkcs1.pem")),
    )
    .unwrap()
}

fn client(replay: &Replay) -> vendor::Client {
    client_with(replay, |_| {})
}

/// Mounts the documented token endpoint: POST /oauth/token, no query, no
/// Authorization, a form body (`application/x-www-form-urlencoded`, checked
/// by the matcher) of exactly `grant_type` and `assertion`.
async fn token_endpoint(replay: &Replay) {
    replay
        .on(
            given(method("POST"))
                .and(path("/oauth/token"))
                .and(NoQuery)
                .and(Without("authorization"))
                .and(form_with_jwt(&[("grant_type", JWT_BEARER)], "assertion")),
            json(
                200,
                json!({ "access_token": TOKEN, "token_type": "Bearer", "expires_in": 3600 }),
            ),
        )
        .await;
}

/// The one token request the replay received.
async fn token_request(replay: &Replay) -> Request {
    let mut requests: Vec<Request> = replay
        .requests()
        .await
        .into_iter()
        .filter(|r| r.url.path() == "/oauth/token")
        .collect();
    assert_eq!(requests.len(), 1, "one token request");
    requests.remove(0)
}

/// Checks the assertion's signature with the public half of the test key
/// and returns its header and claims.
fn assertion_of(request: &Request) -> (serde_json::Value, serde_json::Value) {
    let jwt = form_field(request, "assertion");
    verified_jwt(&jwt, &key("rsa_public.pem"), "RS256")
}

/// Every header field and claim, for the audience `aud`.
fn assert_assertion(header: &serde_json::Value, claims: &serde_json::Value, aud: &str) {
    assert_eq!(*header, json!({ "alg": "RS256", "typ": "JWT" }));
    assert_eq!(claims["iss"], INTEGRATION_KEY);
    assert_eq!(claims["sub"], USER_ID);
    assert_eq!(claims["aud"], aud);
    assert!(!aud.starts_with("https://"));
    assert_eq!(claims["scope"], "signature impersonation");
    let iat = claims["iat"].as_i64().expect("iat is an integer");
    let exp = claims["exp"].as_i64().expect("exp is an integer");
    assert!((iat - unix_now()).abs() <= 5, "iat {iat} is not now");
    assert_eq!(exp - iat, 3600, "the assertion lasts one hour at most");
    let mut names: Vec<&str> = claims
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    names.sort();
    assert_eq!(names, ["aud", "exp", "iat", "iss", "scope", "sub"]);
}

#[test]
fn developer_is_the_default_environment_and_audience() {
    let client = vendor::Client::new(
        vendor::Config::new(vendor::Environment::default(), USER_ID),
        vendor::Credentials::new("a", key("rsa_pkcs1.pem")),
    )
    .unwrap();
    assert_eq!(
        client.base_url().as_str(),
        "https://account-d.docusign.com/"
    );
    assert_eq!(client.config().audience, "account-d.docusign.com");
    assert_eq!(client.config().scope, "signature impersonation");
}

#[test]
fn production_is_the_account_host() {
    let config = vendor::Config::new(vendor::Environment::Production, USER_ID);
    // The documented production audience comes with the environment.
    assert_eq!(config.audience, "account.docusign.com");
    let client =
        vendor::Client::new(config, vendor::Credentials::new("a", key("rsa_pkcs1.pem"))).unwrap();
    assert_eq!(client.base_url().as_str(), "https://account.docusign.com/");
}

#[tokio::test]
async fn a_signed_assertion_buys_an_access_token_then_userinfo() {
    let replay = Replay::start().await;
    token_endpoint(&replay).await;
    replay
        .on(
            given(method("GET"))
                .and(path("/oauth/userinfo"))
                .and(NoQuery)
                .and(header("authorization", format!("Bearer {TOKEN}").as_str())),
            json(
                200,
                json!({
                    "sub": USER_ID,
                    "name": "Example User",
                    "given_name": "Example",
                    "family_name": "User",
                    "created": "2024-01-15T09:30:00.000Z",
                    "email": "user@example.com",
                    "accounts": [{
                        "account_id": "a1b2c3d4-0000-4000-8000-000000000001",
                        "is_default": true,
                        "account_name": "Example Account",
                        "base_uri": "https://demo.docusign.net"
                    }]
                }),
            ),
        )
        .await;

    let tokens = TokenManager::new(client(&replay));
    let cached = tokens.token().await.unwrap();
    assert_eq!(cached.token().access_token().expose_secret(), TOKEN);
    assert_eq!(cached.token().lifetime().as_secs(), 3600);
    assert!(cached.token().refresh_token().is_none());

    let (header, claims) = assertion_of(&token_request(&replay).await);
    assert_assertion(&header, &claims, "account-d.docusign.com");

    let status = replay
        .api_call(&tokens, reqwest::Method::GET, "/oauth/userinfo")
        .await;
    assert_eq!(status, 200);
}

#[tokio::test]
async fn the_production_audience_is_the_bare_production_host() {
    let replay = Replay::start().await;
    token_endpoint(&replay).await;
    let client = client_with(&replay, |config| {
        config.audience = "account.docusign.com".to_owned();
    });
    client.fetch_token().await.unwrap();
    let (header, claims) = assertion_of(&token_request(&replay).await);
    assert_assertion(&header, &claims, "account.docusign.com");
}

#[tokio::test]
async fn missing_consent_is_a_400_rejection() {
    let replay = Replay::start().await;
    replay
        .on(
            given(method("POST")).and(path("/oauth/token")),
            json(400, json!({ "error": "consent_required" })),
        )
        .await;
    let error = client(&replay).fetch_token().await.unwrap_err();
    assert!(
        matches!(error, vendor_auth::Error::Status { status: 400, .. }),
        "{error:?}"
    );
    assert!(error.is_rejection());
    assert!(error.to_string().contains("consent_required"));
}

#[tokio::test]
async fn a_refused_signature_is_a_400_rejection_without_the_key_or_the_assertion() {
    let replay = Replay::start().await;
    replay
        .on(
            given(method("POST")).and(path("/oauth/token")),
            json(
                400,
                json!({ "error": "invalid_grant", "error_description": "no_valid_keys_or_signatures" }),
            ),
        )
        .await;
    let error = client(&replay).fetch_token().await.unwrap_err();
    assert!(
        matches!(error, vendor_auth::Error::Status { status: 400, .. }),
        "{error:?}"
    );
    let text = error.to_string();
    assert!(text.contains("no_valid_keys_or_signatures"), "{text}");
    let assertion = form_field(&token_request(&replay).await, "assertion");
    assert!(!text.contains(&assertion), "{text}");
    let pem = key("rsa_pkcs1.pem");
    let key_line = pem.lines().nth(1).unwrap();
    assert!(!text.contains(key_line), "{text}");
    assert!(!format!("{error:?}").contains(key_line));
}
