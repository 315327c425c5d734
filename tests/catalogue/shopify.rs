//! Shopify Admin API (admin-created custom app), from
//! https://shopify.dev/docs/apps/build/authentication-authorization/legacy/admin-custom-apps,
//! https://shopify.dev/docs/apps/build/authentication-authorization/access-token-types/generate-app-access-tokens-admin,
//! https://shopify.dev/docs/api/admin-rest,
//! https://shopify.dev/docs/api/admin-rest/latest/resources/shop and
//! https://shopify.dev/docs/api/usage/response-codes (notes: docs/vendors/shopify.md):
//!
//! - There is no token request: Shopify generates the Admin API access token
//!   when the merchant installs the custom app and shows it once in the admin.
//! - Every REST Admin call carries it in `X-Shopify-Access-Token: <token>`
//!   (no `Authorization` header, no prefix):
//!   `GET https://{shop}.myshopify.com/admin/api/{api_version}/shop.json`;
//!   200 with the shop's configuration (`address1`, `city`, `country_code`,
//!   `currency`, `domain`, ...).
//! - A missing or wrong token: 401, observed body
//!   `{"errors":"[API] Invalid API key or access token (unrecognized login or wrong password)"}`.

use serde_json::json;
use vendor_auth::{ExposeSecret, TokenClient, TokenManager, shopify as vendor};

use crate::support::*;

const SHOP: &str = "my-store";
const VERSION: &str = "2025-01";
/// Header values are sent verbatim (Shopify's tokens are ASCII), so this is
/// not `SECRET`, whose non-ASCII bytes a header matcher cannot read back.
const TOKEN: &str = "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";

fn client(replay: &Replay) -> vendor::Client {
    vendor::Client::new(
        vendor::Config::new(vendor::Environment::Custom(replay.url()), SHOP, VERSION),
        vendor::Credentials::new(TOKEN),
    )
    .unwrap()
}

#[test]
fn production_is_the_stores_admin_api_of_the_pinned_version() {
    let client = vendor::Client::new(
        vendor::Config::new(vendor::Environment::Production, SHOP, VERSION),
        vendor::Credentials::new(TOKEN),
    )
    .unwrap();
    assert_eq!(
        client.base_url().as_str(),
        "https://my-store.myshopify.com/admin/api/2025-01"
    );
}

#[tokio::test]
async fn the_static_token_rides_in_its_own_header_on_the_shop_call() {
    let replay = Replay::start().await;
    replay
        .on(
            given(method("GET"))
                .and(path("/admin/api/2025-01/shop.json"))
                .and(NoQuery)
                .and(header("x-shopify-access-token", TOKEN))
                .and(Without("authorization")),
            json(
                200,
                json!({ "shop": {
                    "address1": "1 Infinite Loop",
                    "city": "Cupertino",
                    "country_code": "US",
                    "currency": "USD",
                    "domain": "my-store.myshopify.com",
                } }),
            ),
        )
        .await;

    let client = client(&replay);
    // No request is made for the "token": it is the credential itself.
    let token = client.fetch_token().await.unwrap();
    assert!(token.access_token().expose_secret().is_empty());
    assert!(replay.requests().await.is_empty());

    let tokens = TokenManager::new(client);
    let cached = tokens.token().await.unwrap();
    assert_eq!(cached.header("x-shopify-access-token").unwrap(), TOKEN);
    assert!(
        cached
            .header("x-shopify-access-token")
            .unwrap()
            .is_sensitive()
    );
    // Static: it lasts until the token is regenerated (the manager's cap).
    assert_eq!(cached.token().lifetime().as_secs(), 10 * 365 * 24 * 3600);
    let status = replay
        .api_call(
            &tokens,
            reqwest::Method::GET,
            "/admin/api/2025-01/shop.json",
        )
        .await;
    assert_eq!(status, 200);
}

#[tokio::test]
async fn a_regenerated_token_is_answered_with_the_documented_401() {
    let replay = Replay::start().await;
    replay
        .on(
            given(method("GET")).and(path("/admin/api/2025-01/shop.json")),
            json(
                401,
                json!({ "errors": "[API] Invalid API key or access token (unrecognized login or wrong password)" }),
            )
            .insert_header("www-authenticate", "Basic Realm=\"Shopify API Authentication\""),
        )
        .await;
    let tokens = TokenManager::new(client(&replay));
    let status = replay
        .api_call(
            &tokens,
            reqwest::Method::GET,
            "/admin/api/2025-01/shop.json",
        )
        .await;
    assert_eq!(status, 401);
}

#[test]
fn a_full_domain_or_a_path_in_shop_is_a_typed_config_error_without_the_token() {
    for bad in ["evil.com/x", "my-store.myshopify.com/admin", "a@b", ""] {
        let error = vendor::Client::new(
            vendor::Config::new(vendor::Environment::Production, bad, VERSION),
            vendor::Credentials::new(TOKEN),
        )
        .unwrap_err();
        assert!(
            matches!(error, vendor_auth::Error::Config { .. }),
            "{bad}: {error}"
        );
        assert_eq!(error.status(), None);
        let text = error.to_string();
        assert!(!text.contains(TOKEN), "{text}");
    }
}
