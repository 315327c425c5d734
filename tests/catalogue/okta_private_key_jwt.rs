//! Okta service app (OAuth for Okta) with `private_key_jwt`, from
//! https://developer.okta.com/docs/guides/implement-oauth-for-okta-serviceapp/main/,
//! https://developer.okta.com/docs/api/openapi/okta-oauth/guides/client-auth/,
//! https://developer.okta.com/docs/guides/build-self-signed-jwt/main/ and
//! https://developer.okta.com/docs/guides/revoke-tokens/main/
//! (notes: docs/vendors/okta_private_key_jwt.md):
//!
//! - The client assertion: a JWT signed with the app's registered key (RS256 with the
//!   guide's RSA key; Okta's PEM is PKCS#8), header `kid` = the registered key's ID, claims
//!   `iss` = `sub` = the client ID, `aud` = the full URL of the endpoint
//!   (`https://{yourOktaDomain}/oauth2/v1/token`), `exp` at most one hour ahead, `jti`
//!   (single use), `iat` (before the request).
//! - `POST https://{yourOktaDomain}/oauth2/v1/token` (the org authorization server), no
//!   query, no `Authorization`, `Accept: application/json`,
//!   `Content-Type: application/x-www-form-urlencoded`, body `grant_type=client_credentials`,
//!   `scope=okta.users.read`,
//!   `client_assertion_type=urn:ietf:params:oauth:client-assertion-type:jwt-bearer`,
//!   `client_assertion=<JWT>`; 200 `{"token_type": "Bearer", "expires_in": 3600,
//!   "access_token": "eyJraWQiOiJ.....UfThlJ7w", "scope": "okta.users.read"}`.
//! - Errors: 401 `{"error": "invalid_client", "error_description": "The client_assertion JWT
//!   kid is invalid."}`; an app requiring DPoP answers 400 `{"error": "invalid_dpop_proof",
//!   "error_description": "The DPoP proof JWT header is missing."}`.
//! - `POST https://{yourOktaDomain}/oauth2/v1/revoke`, form `token`, `token_type_hint`, and
//!   the same client assertion (its `aud` the revoke URL); 200, no body.
//! - Calls carry `Authorization: Bearer <token>`: `GET https://{yourOktaDomain}/api/v1/users?limit=1`.

use serde_json::json;
use vendor_auth::{ExposeSecret, TokenClient, TokenManager, okta_private_key_jwt as vendor};
use wiremock::{Request, ResponseTemplate};

use crate::support::*;

const DOMAIN: &str = "dev-133337.okta.com";
const CLIENT_ID: &str = "0oar95zt9zIpYuz6A0h7";
const KEY_ID: &str = "XUl71vpgPXgxSTCYHbvbEHDrtj-adpVcxXH3TKjKe7w";
const SCOPE: &str = "okta.users.read";
const TOKEN: &str = "eyJraWQiOiJEa1lUbmhTdkd5OEJkbk9yMVdYTENhbVFRTUZiNTlYbHdBWVR2bVg5ekxNIiwiYWxnIjoiUlMyNTYifQ.eyJ2ZXIiOjEsImNpZCI6IjBvYXI5NXp0OXpJcFl1ejZBMGg3In0.UfThlJ7w";
const JWT_BEARER: &str = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";
/// The assertion lifetime the spec chose (Okta allows up to an hour).
const ASSERTION_LIFETIME: i64 = 300;

fn client_with(environment: vendor::Environment) -> vendor::Client {
    vendor::Client::new(
        vendor::Config::new(environment, DOMAIN, KEY_ID, SCOPE),
        vendor::Credentials::new(CLIENT_ID, key("rsa_pkcs8.pem")),
    )
    .unwrap()
}

fn client(replay: &Replay) -> vendor::Client {
    client_with(vendor::Environment::Custom(replay.url()))
}

/// The documented token call, answered with the documented response.
async fn token_endpoint(replay: &Replay) {
    replay
        .on(
            given(method("POST"))
                .and(path("/oauth2/v1/token"))
                .and(NoQuery)
                .and(header("accept", "application/json"))
                .and(Without("authorization"))
                .and(Without("dpop"))
                .and(form_with_jwt(
                    &[
                        ("grant_type", "client_credentials"),
                        ("scope", SCOPE),
                        ("client_assertion_type", JWT_BEARER),
                    ],
                    "client_assertion",
                )),
            json(
                200,
                json!({
                    "token_type": "Bearer",
                    "expires_in": 3600,
                    "access_token": TOKEN,
                    "scope": SCOPE
                }),
            ),
        )
        .await;
}

/// The requests the replay received at `path`.
async fn received(replay: &Replay, at: &str) -> Vec<Request> {
    replay
        .requests()
        .await
        .into_iter()
        .filter(|r| r.url.path() == at)
        .collect()
}

/// Checks a client assertion for the endpoint `aud`: signature, every header
/// field, every claim. Returns its `jti`.
fn check_assertion(request: &Request, aud: &str) -> String {
    let jwt = form_field(request, "client_assertion");
    let (header, claims) = verified_jwt(&jwt, &key("rsa_public.pem"), "RS256");
    assert_eq!(
        header,
        json!({ "alg": "RS256", "typ": "JWT", "kid": KEY_ID })
    );
    let mut names: Vec<&str> = claims
        .as_object()
        .unwrap()
        .keys()
        .map(|k| k.as_str())
        .collect();
    names.sort();
    assert_eq!(names, ["aud", "exp", "iat", "iss", "jti", "sub"]);
    assert_eq!(claims["iss"], CLIENT_ID);
    assert_eq!(claims["sub"], CLIENT_ID);
    assert_eq!(claims["aud"], aud);
    let iat = claims["iat"].as_i64().expect("iat is an integer");
    let exp = claims["exp"].as_i64().expect("exp is an integer");
    let now = unix_now();
    assert!((now - 5..=now).contains(&iat), "iat {iat}, now {now}");
    assert_eq!(exp - iat, ASSERTION_LIFETIME);
    // Okta refuses an `exp` more than an hour ahead.
    assert!(exp <= now + 3600);
    let jti = claims["jti"].as_str().expect("jti is a string");
    assert!(!jti.is_empty());
    jti.to_owned()
}

#[test]
fn production_is_the_orgs_own_domain() {
    let client = client_with(vendor::Environment::Production);
    assert_eq!(client.base_url().as_str(), "https://dev-133337.okta.com/");
}

#[tokio::test]
async fn a_client_assertion_buys_a_scoped_token_then_a_users_call() {
    let replay = Replay::start().await;
    token_endpoint(&replay).await;
    replay
        .on(
            given(method("GET"))
                .and(path("/api/v1/users"))
                .and(ExactQuery(&[("limit", "1")]))
                .and(header("authorization", format!("Bearer {TOKEN}").as_str())),
            json(
                200,
                json!([{
                    "id": "00u1ero7vZFVEIYLWPBN",
                    "status": "ACTIVE",
                    "profile": { "login": "isaac.brock@example.com" }
                }]),
            ),
        )
        .await;

    let tokens = TokenManager::new(client(&replay));
    let cached = tokens.token().await.unwrap();
    let token = cached.token();
    assert_eq!(token.access_token().expose_secret(), TOKEN);
    assert_eq!(token.lifetime().as_secs(), 3600);
    assert_eq!(token.token_type(), Some("Bearer"));
    assert_eq!(token.scope(), Some(SCOPE));
    assert!(token.refresh_token().is_none());

    // `aud` is the org's token URL, from `domain`, although the request went
    // to the replay.
    let requests = received(&replay, "/oauth2/v1/token").await;
    assert_eq!(requests.len(), 1);
    check_assertion(&requests[0], &format!("https://{DOMAIN}/oauth2/v1/token"));

    let status = replay
        .api_call(&tokens, reqwest::Method::GET, "/api/v1/users?limit=1")
        .await;
    assert_eq!(status, 200);
}

#[tokio::test]
async fn every_assertion_has_its_own_jti() {
    let replay = Replay::start().await;
    token_endpoint(&replay).await;
    let client = client(&replay);
    client.fetch_token().await.unwrap();
    client.fetch_token().await.unwrap();
    let requests = received(&replay, "/oauth2/v1/token").await;
    assert_eq!(requests.len(), 2);
    let aud = format!("https://{DOMAIN}/oauth2/v1/token");
    let first = check_assertion(&requests[0], &aud);
    let second = check_assertion(&requests[1], &aud);
    assert_ne!(first, second, "a jti may be used once only");
}

#[tokio::test]
async fn revoke_authenticates_with_an_assertion_for_the_revoke_url() {
    let replay = Replay::start().await;
    replay
        .on(
            given(method("POST"))
                .and(path("/oauth2/v1/revoke"))
                .and(NoQuery)
                .and(header("accept", "application/json"))
                .and(Without("authorization"))
                .and(form_with_jwt(
                    &[
                        ("token", TOKEN),
                        ("token_type_hint", "access_token"),
                        ("client_assertion_type", JWT_BEARER),
                    ],
                    "client_assertion",
                )),
            ResponseTemplate::new(200),
        )
        .await;
    let token = vendor_auth::Token::new(TOKEN, std::time::Duration::from_secs(600));
    client(&replay).revoke_token(&token).await.unwrap();
    let requests = received(&replay, "/oauth2/v1/revoke").await;
    check_assertion(&requests[0], &format!("https://{DOMAIN}/oauth2/v1/revoke"));
}

#[tokio::test]
async fn a_refused_assertion_is_a_status_error_without_the_key() {
    let replay = Replay::start().await;
    replay
        .on(
            given(method("POST")).and(path("/oauth2/v1/token")),
            json(
                401,
                json!({
                    "error": "invalid_client",
                    "error_description": "The client_assertion JWT kid is invalid."
                }),
            ),
        )
        .await;
    let error = client(&replay).fetch_token().await.unwrap_err();
    assert!(
        matches!(error, vendor_auth::Error::Status { status: 401, .. }),
        "{error:?}"
    );
    assert!(error.is_rejection());
    let text = error.to_string();
    assert!(text.contains("invalid_client"), "{text}");
    assert!(!text.contains("PRIVATE KEY"), "{text}");
}

#[tokio::test]
async fn an_app_that_requires_dpop_is_refused_with_a_clear_error() {
    let replay = Replay::start().await;
    replay
        .on(
            given(method("POST")).and(path("/oauth2/v1/token")),
            json(
                400,
                json!({
                    "error": "invalid_dpop_proof",
                    "error_description": "The DPoP proof JWT header is missing."
                }),
            ),
        )
        .await;
    let error = client(&replay).fetch_token().await.unwrap_err();
    assert!(
        matches!(error, vendor_auth::Error::Status { status: 400, .. }),
        "{error:?}"
    );
    let text = error.to_string();
    assert!(text.contains("invalid_dpop_proof"), "{text}");
}
