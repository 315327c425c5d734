//! HashiCorp Vault AppRole, from
//! https://developer.hashicorp.com/vault/api-docs/auth/approle ("Login with AppRole"),
//! https://developer.hashicorp.com/vault/api-docs/auth/token (renew-self,
//! revoke-self, lookup-self) and https://developer.hashicorp.com/vault/api-docs
//! (notes: docs/vendors/vault_approle.md):
//!
//! - `POST {address}/v1/auth/approle/login` (`approle` is the mount path), no
//!   query, no token header, JSON body
//!   `{"role_id": "59d6d1ca-47bb-4e7e-a40b-8be3bc5a0ba8", "secret_id": "84896a0c-1347-aa90-a4f6-aca8b7558780"}`;
//!   200 `{"auth": {"renewable": true, "lease_duration": 1200, "metadata": null,
//!   "token_policies": ["default"], "accessor": "fd6c9a00-d2dc-3b11-0be5-af7ae0e1d374",
//!   "client_token": "5b1a0318-679c-9c45-e5c6-d1b9a9035d49"}, "warnings": null,
//!   "wrap_info": null, "data": null, "lease_duration": 0, "renewable": false, "lease_id": ""}`.
//! - `X-Vault-Namespace: <namespace>` on every request when Enterprise namespaces are used.
//! - `POST {address}/v1/auth/token/renew-self`, `X-Vault-Token: <token>`, optional
//!   JSON `{"increment": "1h"}`; 200 `{"auth": {"client_token": "ABCD",
//!   "policies": ["web", "stage"], "metadata": {"user": "armon"}, "lease_duration": 3600,
//!   "renewable": true}}` (the same token, a new lease).
//! - `POST {address}/v1/auth/token/revoke-self`, `X-Vault-Token: <token>`; 204, no body.
//! - Errors: `{"errors": ["..."]}`; bad AppRole credentials are answered 400.
//! - API calls carry `X-Vault-Token: <token>`:
//!   `GET {address}/v1/auth/token/lookup-self`.

use serde_json::json;
use vendor_auth::{ExposeSecret, TokenClient, TokenManager, vault_approle as vendor};
use wiremock::ResponseTemplate;

use crate::support::*;

const ROLE_ID: &str = "59d6d1ca-47bb-4e7e-a40b-8be3bc5a0ba8";
const TOKEN: &str = "5b1a0318-679c-9c45-e5c6-d1b9a9035d49";
const ACCESSOR: &str = "fd6c9a00-d2dc-3b11-0be5-af7ae0e1d374";

fn config(replay: &Replay) -> vendor::Config {
    vendor::Config::new(vendor::Environment::Custom(replay.url()))
}

fn client_with(config: vendor::Config) -> vendor::Client {
    vendor::Client::new(config, vendor::Credentials::new(ROLE_ID, SECRET)).unwrap()
}

fn login_answer() -> serde_json::Value {
    json!({
        "auth": {
            "renewable": true,
            "lease_duration": 1200,
            "metadata": null,
            "token_policies": ["default"],
            "accessor": ACCESSOR,
            "client_token": TOKEN
        },
        "warnings": null,
        "wrap_info": null,
        "data": null,
        "lease_duration": 0,
        "renewable": false,
        "lease_id": ""
    })
}

#[test]
fn the_server_address_is_the_users_and_must_be_https_off_loopback() {
    let address = vendor_auth::Url::parse("https://vault.example.com:8200").unwrap();
    let client = client_with(vendor::Config::new(vendor::Environment::Server(address)));
    assert_eq!(
        client.base_url().as_str(),
        "https://vault.example.com:8200/"
    );

    let plain = vendor_auth::Url::parse("http://vault.example.com:8200").unwrap();
    let error = vendor::Client::new(
        vendor::Config::new(vendor::Environment::Server(plain)),
        vendor::Credentials::new(ROLE_ID, SECRET),
    )
    .unwrap_err();
    assert!(
        matches!(error, vendor_auth::Error::Config { .. }),
        "{error}"
    );
}

#[tokio::test]
async fn approle_login_then_a_lookup_self_call() {
    let replay = Replay::start().await;
    replay
        .on(
            given(method("POST"))
                .and(path("/v1/auth/approle/login"))
                .and(NoQuery)
                .and(json_body(
                    json!({ "role_id": ROLE_ID, "secret_id": SECRET }),
                )),
            json(200, login_answer()),
        )
        .await;
    replay
        .on(
            given(method("GET"))
                .and(path("/v1/auth/token/lookup-self"))
                .and(NoQuery)
                .and(header("x-vault-token", TOKEN)),
            json(
                200,
                json!({
                    "data": {
                        "accessor": ACCESSOR,
                        "id": TOKEN,
                        "policies": ["default"],
                        "renewable": true,
                        "ttl": 1190
                    }
                }),
            ),
        )
        .await;

    let tokens = TokenManager::new(client_with(config(&replay)));
    let cached = tokens.token().await.unwrap();
    let token = cached.token();
    assert_eq!(token.access_token().expose_secret(), TOKEN);
    // `auth.lease_duration`, not the top-level 0.
    assert_eq!(token.lifetime().as_secs(), 1200);
    assert_eq!(token.field("accessor").unwrap().expose(), ACCESSOR);
    assert_eq!(token.field("renewable").unwrap().expose(), "true");
    // Login is unauthenticated, and no namespace was set.
    let requests = replay.requests().await;
    let login = &requests[0];
    assert!(login.headers.get("x-vault-token").is_none());
    assert!(login.headers.get("x-vault-namespace").is_none());
    let status = replay
        .api_call(&tokens, reqwest::Method::GET, "/v1/auth/token/lookup-self")
        .await;
    assert_eq!(status, 200);
}

#[tokio::test]
async fn a_custom_mount_and_a_namespace_reach_login_and_api_calls() {
    let replay = Replay::start().await;
    replay
        .on(
            given(method("POST"))
                .and(path("/v1/auth/ci-approle/login"))
                .and(NoQuery)
                .and(header("x-vault-namespace", "team-a/"))
                .and(json_body(
                    json!({ "role_id": ROLE_ID, "secret_id": SECRET }),
                )),
            json(200, login_answer()),
        )
        .await;
    replay
        .on(
            given(method("GET"))
                .and(path("/v1/auth/token/lookup-self"))
                .and(header("x-vault-token", TOKEN))
                .and(header("x-vault-namespace", "team-a/")),
            json(200, json!({ "data": { "id": TOKEN } })),
        )
        .await;

    let mut config = config(&replay);
    config.mount = "ci-approle".to_owned();
    config.namespace = Some("team-a/".to_owned());
    let tokens = TokenManager::new(client_with(config));
    let status = replay
        .api_call(&tokens, reqwest::Method::GET, "/v1/auth/token/lookup-self")
        .await;
    assert_eq!(status, 200);
}

#[tokio::test]
async fn renew_self_extends_the_same_token() {
    let replay = Replay::start().await;
    replay
        .on(
            given(method("POST"))
                .and(path("/v1/auth/token/renew-self"))
                .and(NoQuery)
                .and(header("x-vault-token", TOKEN))
                .and(json_body(json!({}))),
            json(
                200,
                json!({
                    "auth": {
                        "client_token": TOKEN,
                        "policies": ["web", "stage"],
                        "metadata": { "user": "armon" },
                        "lease_duration": 3600,
                        "renewable": true
                    }
                }),
            ),
        )
        .await;
    let current = vendor_auth::Token::new(TOKEN, std::time::Duration::from_secs(1200));
    let renewed = client_with(config(&replay))
        .refresh_token(&current)
        .await
        .unwrap();
    assert_eq!(renewed.access_token().expose_secret(), TOKEN);
    assert_eq!(renewed.lifetime().as_secs(), 3600);
}

#[tokio::test]
async fn renew_self_sends_the_increment_when_set() {
    let replay = Replay::start().await;
    replay
        .on(
            given(method("POST"))
                .and(path("/v1/auth/token/renew-self"))
                .and(header("x-vault-token", TOKEN))
                .and(json_body(json!({ "increment": "1h" }))),
            json(
                200,
                json!({ "auth": { "client_token": TOKEN, "lease_duration": 3600, "renewable": true } }),
            ),
        )
        .await;
    let mut config = config(&replay);
    config.increment = Some("1h".to_owned());
    let current = vendor_auth::Token::new(TOKEN, std::time::Duration::from_secs(60));
    let renewed = client_with(config).refresh_token(&current).await.unwrap();
    assert_eq!(renewed.lifetime().as_secs(), 3600);
}

#[tokio::test]
async fn revoke_self_sends_the_token() {
    let replay = Replay::start().await;
    replay
        .on(
            given(method("POST"))
                .and(path("/v1/auth/token/revoke-self"))
                .and(NoQuery)
                .and(header("x-vault-token", TOKEN)),
            ResponseTemplate::new(204),
        )
        .await;
    let token = vendor_auth::Token::new(TOKEN, std::time::Duration::from_secs(60));
    client_with(config(&replay))
        .revoke_token(&token)
        .await
        .unwrap();
}

#[tokio::test]
async fn a_bad_secret_id_is_a_typed_rejection_without_the_secret() {
    let replay = Replay::start().await;
    replay
        .on(
            given(method("POST")).and(path("/v1/auth/approle/login")),
            json(400, json!({ "errors": ["invalid role or secret ID"] })),
        )
        .await;
    let error = client_with(config(&replay))
        .fetch_token()
        .await
        .unwrap_err();
    assert!(error.is_rejection());
    assert_eq!(error.status(), Some(400));
    let text = error.to_string();
    assert!(text.contains("invalid role or secret ID"), "{text}");
    assert!(!text.contains(SECRET), "{text}");
}

/// The token manager renews with renew-self ahead of expiry, as the docs
/// prefer, instead of spending another SecretID use on a new login.
#[tokio::test]
async fn the_token_manager_renews_with_renew_self_not_a_new_login() {
    let replay = Replay::start().await;
    let mut short = login_answer();
    short["auth"]["lease_duration"] = json!(2);
    replay
        .on(
            given(method("POST")).and(path("/v1/auth/approle/login")),
            json(200, short),
        )
        .await;
    replay
        .on(
            given(method("POST"))
                .and(path("/v1/auth/token/renew-self"))
                .and(header("x-vault-token", TOKEN)),
            json(
                200,
                json!({ "auth": { "client_token": TOKEN, "lease_duration": 3600, "renewable": true } }),
            ),
        )
        .await;
    let tokens = TokenManager::builder()
        .refresh_ahead(std::time::Duration::from_secs(1))
        .jitter(0.0)
        .build(client_with(config(&replay)));
    assert_eq!(
        tokens.token().await.unwrap().token().lifetime().as_secs(),
        2
    );
    // Inside the refresh-ahead window: the next caller starts a renewal.
    tokio::time::sleep(std::time::Duration::from_millis(1200)).await;
    tokens.token().await.unwrap();
    for _ in 0..100 {
        if tokens
            .cached()
            .is_some_and(|c| c.token().lifetime().as_secs() == 3600)
        {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    assert_eq!(tokens.cached().unwrap().token().lifetime().as_secs(), 3600);
    let paths: Vec<String> = replay
        .requests()
        .await
        .iter()
        .map(|r| r.url.path().to_owned())
        .collect();
    assert_eq!(
        paths,
        ["/v1/auth/approle/login", "/v1/auth/token/renew-self"]
    );
}
