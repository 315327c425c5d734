//! eBay, from https://developer.ebay.com/api-docs/static/oauth-client-credentials-grant.html,
//! https://developer.ebay.com/api-docs/static/oauth-qref-client-credentials-grant.html,
//! https://developer.ebay.com/api-docs/static/oauth-token-types.html and
//! https://developer.ebay.com/api-docs/buy/browse/overview.html
//! (notes: docs/vendors/ebay.md):
//!
//! - `POST https://api.ebay.com/identity/v1/oauth2/token` (sandbox:
//!   `https://api.sandbox.ebay.com/identity/v1/oauth2/token`), no query
//!   string, headers `Content-Type: application/x-www-form-urlencoded` and
//!   `Authorization: Basic <base64(client_id:client_secret)>`, form body
//!   `grant_type=client_credentials` and `scope` (space-separated, e.g.
//!   `https://api.ebay.com/oauth/api_scope`);
//!   200 `{"access_token": "v^1.1#i^1#p^1#r^0#I^3#f^0#t^H4s...", "expires_in": 7200, "token_type": "Application Access Token"}`
//!   (seconds; an older example adds `"refresh_token": "N/A"`: Application
//!   tokens are not refreshable).
//! - Errors: `{"error": "<code>", "error_description": "<text>"}` (read by
//!   eBay's SDK, eBay/ebay-oauth-python-client); a wrong keyset is
//!   `invalid_client` / `client authentication failed` (401 in practice; the
//!   status is not documented).
//! - API calls carry `Authorization: Bearer <token>`:
//!   `GET https://api.ebay.com/buy/browse/v1/item_summary/search?q=drone&limit=3`.

use serde_json::json;
use vendor_auth::{ExposeSecret, TokenClient, TokenManager, ebay as vendor};

use crate::support::*;

const CLIENT_ID: &str = "AcmeShop-Reseller-PRD-5f2e3c4d1-a1b2c3d4";
const SCOPE: &str = "https://api.ebay.com/oauth/api_scope";
const TOKEN: &str = "v^1.1#i^1#p^1#r^0#I^3#f^0#t^H4sIAAAAAAAAAOVYa2wUVRTe7W4LbWkVNYLFxHWKomlm985jX5N2Y1uKrPZFtxCoSnNn5k473dmZde4M7RKVUsIPiA8gaIyJAmJIDD";

fn client(replay: &Replay) -> vendor::Client {
    vendor::Client::new(
        vendor::Environment::Custom(replay.url()),
        vendor::Credentials::new(CLIENT_ID, SECRET),
    )
    .unwrap()
}

/// The documented token request with the default scope.
fn token_request() -> wiremock::MockBuilder {
    given(method("POST"))
        .and(path("/identity/v1/oauth2/token"))
        .and(NoQuery)
        .and(header("authorization", basic(CLIENT_ID, SECRET).as_str()))
        .and(form(&[
            ("grant_type", "client_credentials"),
            ("scope", SCOPE),
        ]))
}

#[test]
fn production_and_sandbox_hosts() {
    let production = vendor::Client::new(
        vendor::Config::default(),
        vendor::Credentials::new("a", "b"),
    )
    .unwrap();
    assert_eq!(production.base_url().as_str(), "https://api.ebay.com/");
    assert_eq!(production.config().scope, SCOPE);
    let sandbox = vendor::Client::new(
        vendor::Environment::Sandbox,
        vendor::Credentials::new("a", "b"),
    )
    .unwrap();
    assert_eq!(sandbox.base_url().as_str(), "https://api.sandbox.ebay.com/");
}

#[tokio::test]
async fn client_credentials_then_a_browse_search() {
    let replay = Replay::start().await;
    replay
        .on(
            token_request(),
            json(
                200,
                json!({
                    "access_token": TOKEN,
                    "expires_in": 7200,
                    "token_type": "Application Access Token"
                }),
            ),
        )
        .await;
    replay
        .on(
            given(method("GET"))
                .and(path("/buy/browse/v1/item_summary/search"))
                .and(query_param("q", "drone"))
                .and(query_param("limit", "3"))
                .and(header("authorization", format!("Bearer {TOKEN}").as_str())),
            json(
                200,
                json!({
                    "href": "https://api.ebay.com/buy/browse/v1/item_summary/search?q=drone&limit=3&offset=0",
                    "total": 1,
                    "limit": 3,
                    "offset": 0,
                    "itemSummaries": [{
                        "itemId": "v1|110551100598|0",
                        "title": "Quadcopter drone",
                        "price": { "value": "49.99", "currency": "USD" }
                    }]
                }),
            ),
        )
        .await;

    let tokens = TokenManager::new(client(&replay));
    let cached = tokens.token().await.unwrap();
    assert_eq!(cached.token().access_token().expose_secret(), TOKEN);
    assert_eq!(cached.token().lifetime().as_secs(), 7200);
    assert_eq!(
        cached.token().token_type(),
        Some("Application Access Token")
    );
    let status = replay
        .api_call(
            &tokens,
            reqwest::Method::GET,
            "/buy/browse/v1/item_summary/search?q=drone&limit=3",
        )
        .await;
    assert_eq!(status, 200);
}

#[tokio::test]
async fn the_older_example_with_refresh_token_n_a_gives_no_refresh_token() {
    let replay = Replay::start().await;
    replay
        .on(
            token_request(),
            json(
                200,
                json!({
                    "access_token": TOKEN,
                    "expires_in": 7200,
                    "refresh_token": "N/A",
                    "token_type": "Application Access Token"
                }),
            ),
        )
        .await;
    let token = client(&replay).fetch_token().await.unwrap();
    assert_eq!(token.access_token().expose_secret(), TOKEN);
    assert_eq!(token.lifetime().as_secs(), 7200);
    assert!(token.refresh_token().is_none());
}

#[tokio::test]
async fn a_wrong_keyset_is_a_typed_rejection_without_the_secret() {
    let replay = Replay::start().await;
    replay
        .on(
            given(method("POST")).and(path("/identity/v1/oauth2/token")),
            json(
                401,
                json!({
                    "error": "invalid_client",
                    "error_description": "client authentication failed"
                }),
            ),
        )
        .await;
    let error = client(&replay).fetch_token().await.unwrap_err();
    assert!(error.is_rejection());
    assert_eq!(error.status(), Some(401));
    let text = error.to_string();
    assert!(text.contains("client authentication failed"), "{text}");
    assert!(!text.contains(SECRET), "{text}");
}
