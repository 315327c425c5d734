//! OpenStack Swift TempAuth, from
//! https://docs.openstack.org/swift/latest/overview_auth.html,
//! https://docs.openstack.org/swift/latest/development_saio.html,
//! https://docs.openstack.org/swift/latest/api/authentication.html,
//! https://docs.openstack.org/swift/latest/middleware.html#tempauth,
//! https://docs.openstack.org/api-ref/object-store/ and openstack/swift's
//! `swift/common/middleware/tempauth.py` (notes: docs/vendors/swift_tempauth.md):
//!
//! - `GET {proxy}/auth/v1.0` (`auth/` is the configurable `auth_prefix`), no
//!   query, no body, headers `X-Auth-User: <account>:<user>` and
//!   `X-Auth-Key: <key>` (legacy aliases `X-Storage-User` / `X-Storage-Pass`);
//!   200 (Ceph RGW: 204), empty body, the answer in headers:
//!   `X-Auth-Token: AUTH_tk5f3e...`, `X-Storage-Token` (the same value),
//!   `X-Auth-Token-Expires: 86399` (seconds left; absent on older releases,
//!   whose `token_life` default is 86400) and
//!   `X-Storage-Url: http://127.0.0.1:8080/v1/AUTH_test`.
//! - A wrong user or key: `401` with `Www-Authenticate: Swift realm="..."` and
//!   a small HTML body.
//! - API calls go to the storage URL with `X-Auth-Token: <token>`:
//!   `HEAD {X-Storage-Url}` -> 204 with the account's counters, or
//!   `GET {X-Storage-Url}` -> 200 with its container list.
//! - No refresh and no logout.

use vendor_auth::{ExposeSecret, TokenClient, TokenManager, swift_tempauth as vendor};
use wiremock::{Request, ResponseTemplate};

use crate::support::*;

const USER: &str = "test:tester";
const TOKEN: &str = "AUTH_tk5f3e2c1b0a9d8e7f6a5b4c3d2e1f0a9b";

fn client(replay: &Replay) -> vendor::Client {
    vendor::Client::new(
        vendor::Environment::Custom(replay.url()),
        vendor::Credentials::new(USER, SECRET),
    )
    .unwrap()
}

/// `X-Auth-Key` is the key as it is, byte for byte (it is not encoded).
fn key_is_the_secret(request: &Request) -> bool {
    request
        .headers
        .get("x-auth-key")
        .is_some_and(|value| value.as_bytes() == SECRET.as_bytes())
}

/// The documented login answer: everything in headers, an empty body.
fn login_answer(status: u16, replay: &Replay) -> ResponseTemplate {
    ResponseTemplate::new(status)
        .insert_header("x-storage-url", storage_url(replay).as_str())
        .insert_header("content-type", "text/html; charset=UTF-8")
}

fn storage_url(replay: &Replay) -> String {
    format!("{}/v1/AUTH_test", replay.server.uri())
}

#[test]
fn environments_are_the_saio_or_the_deployments_proxy() {
    let credentials = || vendor::Credentials::new(USER, "testing");
    let client = vendor::Client::new(vendor::Environment::Saio, credentials()).unwrap();
    assert_eq!(client.base_url().as_str(), "http://127.0.0.1:8080/");
    assert_eq!(client.config().auth_prefix, "auth");
    let proxy = vendor_auth::Url::parse("https://swift.example.com").unwrap();
    let client =
        vendor::Client::new(vendor::Environment::Production(proxy), credentials()).unwrap();
    assert_eq!(client.base_url().as_str(), "https://swift.example.com/");
    // The key travels in a header: no plain http off this machine.
    let plain = vendor_auth::Url::parse("http://swift.example.com").unwrap();
    assert!(vendor::Client::new(vendor::Environment::Production(plain), credentials()).is_err());
}

#[tokio::test]
async fn log_in_then_read_the_account() {
    let replay = Replay::start().await;
    replay
        .on(
            given(method("GET"))
                .and(path("/auth/v1.0"))
                .and(NoQuery)
                .and(header("x-auth-user", USER))
                .and(key_is_the_secret)
                .and(NoBody),
            login_answer(200, &replay)
                .insert_header("x-auth-token", TOKEN)
                .insert_header("x-storage-token", TOKEN)
                .insert_header("x-auth-token-expires", "86399"),
        )
        .await;
    replay
        .on(
            given(method("GET"))
                .and(path("/v1/AUTH_test"))
                .and(NoQuery)
                .and(header("x-auth-token", TOKEN)),
            ResponseTemplate::new(200).set_body_string("photos\nbackups\n"),
        )
        .await;
    replay
        .on(
            given(method("HEAD"))
                .and(path("/v1/AUTH_test"))
                .and(header("x-auth-token", TOKEN)),
            ResponseTemplate::new(204)
                .insert_header("x-account-container-count", "2")
                .insert_header("x-account-object-count", "14")
                .insert_header("x-account-bytes-used", "5242880"),
        )
        .await;

    let tokens = TokenManager::new(client(&replay));
    let cached = tokens.token().await.unwrap();
    assert_eq!(cached.token().access_token().expose_secret(), TOKEN);
    assert_eq!(cached.token().lifetime().as_secs(), 86399);
    let url = storage_url(&replay);
    assert_eq!(
        cached.token().field("storage_url").map(|v| v.expose()),
        Some(url.as_str())
    );
    let status = replay
        .api_call(&tokens, reqwest::Method::GET, "/v1/AUTH_test")
        .await;
    assert_eq!(status, 200);
    let status = replay
        .api_call(&tokens, reqwest::Method::HEAD, "/v1/AUTH_test")
        .await;
    assert_eq!(status, 204);
}

#[tokio::test]
async fn ceph_answers_204() {
    let replay = Replay::start().await;
    replay
        .on(
            given(method("GET"))
                .and(path("/auth/v1.0"))
                .and(header("x-auth-user", USER))
                .and(key_is_the_secret),
            login_answer(204, &replay)
                .insert_header("x-auth-token", TOKEN)
                .insert_header("x-storage-token", TOKEN)
                .insert_header("x-auth-token-expires", "3600"),
        )
        .await;
    let token = client(&replay).fetch_token().await.unwrap();
    assert_eq!(token.access_token().expose_secret(), TOKEN);
    assert_eq!(token.lifetime().as_secs(), 3600);
}

#[tokio::test]
async fn an_older_server_without_expiry_or_x_auth_token() {
    let replay = Replay::start().await;
    replay
        .on(
            given(method("GET"))
                .and(path("/auth/v1.0"))
                .and(header("x-auth-user", USER))
                .and(key_is_the_secret),
            login_answer(200, &replay).insert_header("x-storage-token", TOKEN),
        )
        .await;
    let token = client(&replay).fetch_token().await.unwrap();
    assert_eq!(token.access_token().expose_secret(), TOKEN);
    // The documented default `token_life`.
    assert_eq!(token.lifetime().as_secs(), 86400);
}

#[tokio::test]
async fn another_auth_prefix() {
    let replay = Replay::start().await;
    replay
        .on(
            given(method("GET"))
                .and(path("/swauth/v1.0"))
                .and(header("x-auth-user", USER))
                .and(key_is_the_secret),
            login_answer(200, &replay)
                .insert_header("x-auth-token", TOKEN)
                .insert_header("x-auth-token-expires", "600"),
        )
        .await;
    let mut config = vendor::Config::new(vendor::Environment::Custom(replay.url()));
    config.auth_prefix = "swauth".to_owned();
    let client = vendor::Client::new(config, vendor::Credentials::new(USER, SECRET)).unwrap();
    let token = client.fetch_token().await.unwrap();
    assert_eq!(token.lifetime().as_secs(), 600);
}

#[tokio::test]
async fn a_wrong_key_is_a_typed_rejection_without_the_key() {
    let replay = Replay::start().await;
    replay
        .on(
            given(method("GET")).and(path("/auth/v1.0")),
            ResponseTemplate::new(401)
                .insert_header("www-authenticate", "Swift realm=\"test\"")
                .set_body_raw(
                    "<html><h1>Unauthorized</h1><p>This server could not verify that you are authorized to access the document you requested.</p></html>",
                    "text/html; charset=UTF-8",
                ),
        )
        .await;
    let error = client(&replay).fetch_token().await.unwrap_err();
    assert!(error.is_rejection());
    assert_eq!(error.status(), Some(401));
    let text = error.to_string();
    assert!(text.contains("HTTP 401"), "{text}");
    assert!(!text.contains(SECRET), "{text}");
    assert!(!text.contains(USER), "{text}");
}
