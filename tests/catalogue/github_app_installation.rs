//! GitHub App installation access tokens, from
//! https://docs.github.com/en/apps/creating-github-apps/authenticating-with-a-github-app/generating-a-json-web-token-jwt-for-a-github-app,
//! https://docs.github.com/en/apps/creating-github-apps/authenticating-with-a-github-app/generating-an-installation-access-token-for-a-github-app,
//! https://docs.github.com/en/rest/apps/apps#create-an-installation-access-token-for-an-app and
//! https://docs.github.com/en/rest/apps/installations
//! (notes: docs/vendors/github_app_installation.md):
//!
//! - The app JWT: RS256 with the app's private key (downloaded as PKCS#1 PEM),
//!   claims `iat` (60 s in the past), `exp` (no more than 10 minutes ahead) and
//!   `iss` (the app's client ID, or its app ID); sent as `Authorization: Bearer <JWT>`.
//! - `POST https://api.github.com/app/installations/{installation_id}/access_tokens`,
//!   no query, `Accept: application/vnd.github+json`, `X-GitHub-Api-Version: 2022-11-28`,
//!   a `User-Agent` (required on every request), no body (the optional body only narrows
//!   the token); 201 `{"token": "ghs_16C7e42F292c6912E7710c838347Ae178B4a",
//!   "expires_at": "2016-07-11T22:14:10Z", "permissions": {"issues": "write", "contents": "read"},
//!   "repository_selection": "all"}`, valid one hour.
//! - Errors: JSON `{"message": ..., "documentation_url": ..., "status": "401"}`, e.g. 401
//!   "'Expiration time' claim ('exp') is too far in the future".
//! - `DELETE https://api.github.com/installation/token` with the installation token as
//!   Bearer, no body; 204.
//! - Calls carry `Authorization: Bearer <token>`: `GET https://api.github.com/installation/repositories`.

use serde_json::json;
use vendor_auth::{ExposeSecret, TokenClient, TokenManager, github_app_installation as vendor};
use wiremock::ResponseTemplate;
use wiremock::matchers::{header_exists, header_regex};

use crate::support::*;

const CLIENT_ID: &str = "Iv23liUb1tTHBdeYoNBM";
const INSTALLATION_ID: &str = "55061528";
const TOKEN: &str = "ghs_16C7e42F292c6912E7710c838347Ae178B4a";
/// A compact JWT in `Authorization: Bearer`.
const BEARER_JWT: &str = r"^Bearer [A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$";

fn client_with(config: vendor::Config) -> vendor::Client {
    vendor::Client::new(
        config,
        vendor::Credentials::new(CLIENT_ID, key("rsa_pkcs1.pem")),
    )
    .unwrap()
}

fn client(replay: &Replay) -> vendor::Client {
    client_with(vendor::Config::new(
        vendor::Environment::Custom(replay.url()),
        INSTALLATION_ID,
    ))
}

/// One hour from now, as GitHub writes `expires_at` (whole seconds, `Z`).
fn in_one_hour() -> String {
    let at = time::OffsetDateTime::now_utc()
        .replace_nanosecond(0)
        .unwrap()
        + time::Duration::hours(1);
    at.format(&time::format_description::well_known::Rfc3339)
        .unwrap()
}

/// The documented token request, whatever the API version header says.
fn token_request(api_version: &str) -> wiremock::MockBuilder {
    given(method("POST"))
        .and(path(format!(
            "/app/installations/{INSTALLATION_ID}/access_tokens"
        )))
        .and(NoQuery)
        .and(header("accept", "application/vnd.github+json"))
        .and(header("x-github-api-version", api_version))
        .and(header_regex("authorization", BEARER_JWT))
        .and(header_exists("user-agent"))
        .and(NoBody)
}

fn created() -> ResponseTemplate {
    json(
        201,
        json!({
            "token": TOKEN,
            "expires_at": in_one_hour(),
            "permissions": { "issues": "write", "contents": "read" },
            "repository_selection": "all"
        }),
    )
}

/// Checks the app JWT of a token request: signature, every header field, every claim.
fn check_app_jwt(request: &wiremock::Request) {
    let jwt = bearer(request);
    let (header, claims) = verified_jwt(&jwt, &key("rsa_public.pem"), "RS256");
    assert_eq!(header, json!({ "alg": "RS256", "typ": "JWT" }));
    let mut names: Vec<&str> = claims
        .as_object()
        .unwrap()
        .keys()
        .map(|k| k.as_str())
        .collect();
    names.sort();
    assert_eq!(names, ["exp", "iat", "iss"]);
    assert_eq!(claims["iss"], CLIENT_ID);
    let iat = claims["iat"].as_i64().expect("iat is an integer");
    let exp = claims["exp"].as_i64().expect("exp is an integer");
    // 60 seconds in the past, against clock drift.
    let backdated = unix_now() - 60;
    assert!(
        (backdated - 5..=backdated + 1).contains(&iat),
        "iat {iat}, now {}",
        unix_now()
    );
    // A ten-minute JWT, which ends nine minutes from now.
    assert_eq!(exp - iat, 600);
    assert!(
        exp <= unix_now() + 600,
        "exp {exp} is more than 10 minutes ahead"
    );
}

#[test]
fn production_is_api_github_com_and_enterprise_is_the_given_api_root() {
    let client = client_with(vendor::Config::new(
        vendor::Environment::Production,
        INSTALLATION_ID,
    ));
    assert_eq!(client.base_url().as_str(), "https://api.github.com/");
    assert_eq!(client.config().api_version, "2022-11-28");
    let ghes = vendor_auth::Url::parse("https://github.example.com/api/v3").unwrap();
    let client = client_with(vendor::Config::new(
        vendor::Environment::EnterpriseServer(ghes),
        INSTALLATION_ID,
    ));
    assert_eq!(
        client.base_url().as_str(),
        "https://github.example.com/api/v3"
    );
}

#[tokio::test]
async fn a_signed_app_jwt_buys_an_installation_token_then_a_rest_call() {
    let replay = Replay::start().await;
    replay.on(token_request("2022-11-28"), created()).await;
    replay
        .on(
            given(method("GET"))
                .and(path("/installation/repositories"))
                .and(NoQuery)
                .and(header("authorization", format!("Bearer {TOKEN}").as_str())),
            json(
                200,
                json!({
                    "total_count": 1,
                    "repository_selection": "all",
                    "repositories": [{ "id": 1296269, "full_name": "octocat/Hello-World" }]
                }),
            ),
        )
        .await;

    let tokens = TokenManager::new(client(&replay));
    let cached = tokens.token().await.unwrap();
    let token = cached.token();
    assert_eq!(token.access_token().expose_secret(), TOKEN);
    // From `expires_at`: one hour, less the time the exchange took.
    let lifetime = token.lifetime().as_secs();
    assert!((3590..=3600).contains(&lifetime), "lifetime {lifetime}");
    assert!(token.refresh_token().is_none());
    assert_eq!(token.field("repository_selection").unwrap().expose(), "all");
    let permissions: serde_json::Value =
        serde_json::from_str(token.field("permissions").unwrap().expose()).unwrap();
    assert_eq!(
        permissions,
        json!({ "issues": "write", "contents": "read" })
    );
    assert!(token.field("repositories").is_none());

    check_app_jwt(&replay.requests().await[0]);

    let status = replay
        .api_call(&tokens, reqwest::Method::GET, "/installation/repositories")
        .await;
    assert_eq!(status, 200);
}

#[tokio::test]
async fn the_api_version_header_follows_the_setting() {
    let replay = Replay::start().await;
    replay.on(token_request("2026-03-10"), created()).await;
    let mut config =
        vendor::Config::new(vendor::Environment::Custom(replay.url()), INSTALLATION_ID);
    config.api_version = "2026-03-10".to_owned();
    let token = client_with(config).fetch_token().await.unwrap();
    assert_eq!(token.access_token().expose_secret(), TOKEN);
}

#[tokio::test]
async fn revoke_deletes_the_token_with_itself_as_bearer() {
    let replay = Replay::start().await;
    replay
        .on(
            given(method("DELETE"))
                .and(path("/installation/token"))
                .and(NoQuery)
                .and(header("accept", "application/vnd.github+json"))
                .and(header("x-github-api-version", "2022-11-28"))
                .and(header("authorization", format!("Bearer {TOKEN}").as_str()))
                .and(NoBody),
            ResponseTemplate::new(204),
        )
        .await;
    let token = vendor_auth::Token::new(TOKEN, std::time::Duration::from_secs(600));
    client(&replay).revoke_token(&token).await.unwrap();
}

#[tokio::test]
async fn a_refused_app_jwt_is_a_status_error_without_the_key() {
    let replay = Replay::start().await;
    replay
        .on(
            given(method("POST")).and(path(format!(
                "/app/installations/{INSTALLATION_ID}/access_tokens"
            ))),
            json(
                401,
                json!({
                    "message": "'Expiration time' claim ('exp') is too far in the future",
                    "documentation_url": "https://docs.github.com/rest",
                    "status": "401"
                }),
            ),
        )
        .await;
    let error = client(&replay).fetch_token().await.unwrap_err();
    assert!(
        matches!(error, vendor_auth::Error::Status { status: 401, .. }),
        "{error:?}"
    );
    let text = error.to_string();
    assert!(text.contains("too far in the future"), "{text}");
    assert!(!text.contains("PRIVATE KEY"), "{text}");
    // Even a refused JWT was well formed.
    check_app_jwt(&replay.requests().await[0]);
}
