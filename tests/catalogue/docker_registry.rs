//! Docker Registry v2 token authentication, from
//! https://distribution.github.io/distribution/spec/auth/token/ (the same text
//! as https://docs.docker.com/reference/api/registry/auth/) and
//! https://distribution.github.io/distribution/spec/auth/oauth/
//! (notes: docs/vendors/docker_registry.md):
//!
//! - The registry's challenge names the realm, service and scope:
//!   `Www-Authenticate: Bearer realm="https://auth.docker.io/token",service="registry.docker.io",scope="repository:samalba/my-app:pull,push"`.
//! - `GET https://auth.docker.io/token?service=registry.docker.io&scope=repository:samalba/my-app:pull,push`,
//!   optional `client_id` and `offline_token` parameters, credentials in
//!   `Authorization: Basic base64(user:password)`, no body;
//!   200 `{"token": "eyJ0eXAiOiJKV1Qi...", "expires_in": 3600, "issued_at": "2009-11-10T23:00:00Z"}`.
//!   `access_token` is accepted instead of `token`; without `expires_in` the
//!   token lasts 60 seconds.
//! - Failed authentication: `401 Unauthorized`.
//! - Registry calls carry `Authorization: Bearer <token>`, e.g.
//!   `GET /v2/samalba/my-app/tags/list` (Registry HTTP API V2).

use serde_json::json;
use vendor_auth::{ExposeSecret, TokenClient, TokenManager, docker_registry as vendor};
use wiremock::ResponseTemplate;

use crate::support::*;

const USER: &str = "jlhawn";
const SCOPE: &str = "repository:samalba/my-app:pull,push";
/// The first characters of the documented example token (a JWT).
const TOKEN: &str = "eyJ0eXAiOiJKV1QiLCJhbGciOiJFUzI1NiIsImtpZCI6IlBZWU86VEVXVTpWN0pIOjI2SlY6QVFUWjpMSkMzOlNYVko6WEdIQTozNEYyOjJMQVE6WlJNSzpaN1E2In0";

/// The realm of the replay's challenge.
fn realm(replay: &Replay) -> vendor_auth::Url {
    replay.url().join("/token").unwrap()
}

fn client(replay: &Replay, scope: Option<&str>) -> vendor::Client {
    let mut config = vendor::Config::new(vendor::Environment::Registry(realm(replay)));
    config.scope = scope.map(str::to_owned);
    vendor::Client::new(config, vendor::Credentials::new(USER, SECRET)).unwrap()
}

#[test]
fn docker_hub_is_the_default_realm_and_service() {
    let config = vendor::Config::default();
    assert_eq!(config.service, "registry.docker.io");
    assert_eq!(config.scope, None);
    let client = vendor::Client::new(config, vendor::Credentials::new("a", "b")).unwrap();
    assert_eq!(client.base_url().as_str(), "https://auth.docker.io/token");
}

#[tokio::test]
async fn the_documented_get_then_a_registry_call() {
    let replay = Replay::start().await;
    replay
        .on(
            given(method("GET"))
                .and(path("/token"))
                .and(ExactQuery(&[
                    ("service", "registry.docker.io"),
                    ("scope", SCOPE),
                ]))
                .and(header("authorization", basic(USER, SECRET).as_str()))
                .and(NoBody),
            json(
                200,
                json!({ "token": TOKEN, "expires_in": 3600, "issued_at": "2009-11-10T23:00:00Z" }),
            ),
        )
        .await;
    replay
        .on(
            given(method("GET"))
                .and(path("/v2/samalba/my-app/tags/list"))
                .and(header("authorization", format!("Bearer {TOKEN}").as_str())),
            json(200, json!({ "name": "samalba/my-app", "tags": ["latest"] })),
        )
        .await;

    let tokens = TokenManager::new(client(&replay, Some(SCOPE)));
    let cached = tokens.token().await.unwrap();
    assert_eq!(cached.token().access_token().expose_secret(), TOKEN);
    assert_eq!(cached.token().lifetime().as_secs(), 3600);
    let status = replay
        .api_call(
            &tokens,
            reqwest::Method::GET,
            "/v2/samalba/my-app/tags/list",
        )
        .await;
    assert_eq!(status, 200);
}

#[tokio::test]
async fn access_token_alone_and_no_expires_in_last_60_seconds() {
    let replay = Replay::start().await;
    replay
        .on(
            given(method("GET"))
                .and(path("/token"))
                .and(ExactQuery(&[("service", "registry.docker.io")]))
                .and(header("authorization", basic(USER, SECRET).as_str()))
                .and(NoBody),
            json(200, json!({ "access_token": TOKEN })),
        )
        .await;
    let token = client(&replay, None).fetch_token().await.unwrap();
    assert_eq!(token.access_token().expose_secret(), TOKEN);
    assert_eq!(token.lifetime().as_secs(), 60);
}

#[tokio::test]
async fn the_optional_client_id_is_sent_when_set() {
    let replay = Replay::start().await;
    replay
        .on(
            given(method("GET"))
                .and(path("/token"))
                .and(ExactQuery(&[
                    ("service", "registry.docker.io"),
                    ("scope", SCOPE),
                    ("client_id", "dockerengine"),
                ]))
                .and(header("authorization", basic(USER, SECRET).as_str())),
            json(200, json!({ "token": TOKEN, "expires_in": 900 })),
        )
        .await;
    let mut config = vendor::Config::new(vendor::Environment::Registry(realm(&replay)));
    config.scope = Some(SCOPE.to_owned());
    config.client_id = Some("dockerengine".to_owned());
    let client = vendor::Client::new(config, vendor::Credentials::new(USER, SECRET)).unwrap();
    let token = client.fetch_token().await.unwrap();
    assert_eq!(token.lifetime().as_secs(), 900);
}

#[tokio::test]
async fn invalid_credentials_are_a_typed_rejection_without_the_secret() {
    let replay = Replay::start().await;
    replay
        .on(
            given(method("GET")).and(path("/token")),
            ResponseTemplate::new(401),
        )
        .await;
    let error = client(&replay, Some(SCOPE))
        .fetch_token()
        .await
        .unwrap_err();
    assert!(error.is_rejection());
    assert_eq!(error.status(), Some(401));
    let text = error.to_string();
    assert!(
        text.contains("The provided credentials are invalid"),
        "{text}"
    );
    assert!(!text.contains(SECRET), "{text}");
}
