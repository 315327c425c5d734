//! Stripe, from https://docs.stripe.com/api/authentication,
//! https://docs.stripe.com/api/balance/balance_object and
//! https://docs.stripe.com/api/errors (notes: docs/vendors/stripe.md):
//!
//! - No token request: the credential is a secret key from the Dashboard
//!   (`sk_test_...` in test mode, `sk_live_...` in live mode), on the one
//!   host `https://api.stripe.com` for both modes.
//! - API calls carry it; the reference documents Basic (the key as user
//!   name, an empty password) and, as the alternative,
//!   `Authorization: Bearer <secret key>`, which the spec sends:
//!   `GET https://api.stripe.com/v1/balance`, no parameters;
//!   200 `{"object": "balance", "available": [{"amount": 666670, "currency": "usd", "source_types": {"card": 666670}}], ...}`.
//! - A key that is not valid is answered 401 ("No valid API key provided"),
//!   e.g. `{"error": {"message": "Invalid API Key provided: sk_test_****...", "type": "invalid_request_error"}}`.

use serde_json::json;
use vendor_auth::{TokenManager, stripe as vendor};

use crate::support::*;

const KEY: &str = "sk_test_51Nq8vPLkdIwHu7ixQzR3aT9bYc2W";

fn client(replay: &Replay, key: &str) -> vendor::Client {
    vendor::Client::new(
        vendor::Environment::Custom(replay.url()),
        vendor::Credentials::new(key),
    )
    .unwrap()
}

#[test]
fn production_is_the_one_api_host() {
    let client =
        vendor::Client::new(vendor::Config::default(), vendor::Credentials::new(KEY)).unwrap();
    assert_eq!(client.base_url().as_str(), "https://api.stripe.com/");
}

#[tokio::test]
async fn the_key_is_the_bearer_of_a_balance_call() {
    let replay = Replay::start().await;
    replay
        .on(
            given(method("GET"))
                .and(path("/v1/balance"))
                .and(NoQuery)
                .and(header("authorization", format!("Bearer {KEY}").as_str())),
            json(
                200,
                json!({
                    "object": "balance",
                    "available": [
                        { "amount": 666670, "currency": "usd", "source_types": { "card": 666670 } }
                    ],
                    "connect_reserved": [{ "amount": 0, "currency": "usd" }],
                    "livemode": false,
                    "pending": [
                        { "amount": 61414, "currency": "usd", "source_types": { "card": 61414 } }
                    ]
                }),
            ),
        )
        .await;

    let tokens = TokenManager::new(client(&replay, KEY));
    let status = replay
        .api_call(&tokens, reqwest::Method::GET, "/v1/balance")
        .await;
    assert_eq!(status, 200);
    // Nothing was requested to get a token: the one request is the API call.
    assert_eq!(replay.requests().await.len(), 1);
}

#[tokio::test]
async fn the_key_is_sent_verbatim_marked_sensitive_and_never_shown() {
    let replay = Replay::start().await;
    let tokens = TokenManager::new(client(&replay, SECRET));
    let cached = tokens.token().await.unwrap();
    let authorization = cached.header("authorization").unwrap();
    assert_eq!(
        authorization.as_bytes(),
        format!("Bearer {SECRET}").as_bytes()
    );
    assert!(authorization.is_sensitive());
    let shown = format!("{:?}", vendor::Credentials::new(SECRET));
    assert!(!shown.contains(SECRET), "{shown}");
    assert!(replay.requests().await.is_empty());
}

#[tokio::test]
async fn an_invalid_key_gets_the_documented_401_back() {
    let replay = Replay::start().await;
    replay
        .on(
            given(method("GET"))
                .and(path("/v1/balance"))
                .and(header("authorization", format!("Bearer {KEY}").as_str())),
            json(
                401,
                json!({
                    "error": {
                        "message": "Invalid API Key provided: sk_test_****7ixQ",
                        "type": "invalid_request_error"
                    }
                }),
            ),
        )
        .await;
    let tokens = TokenManager::new(client(&replay, KEY));
    // A static key has no token request that could fail: the API's own
    // answer comes back to the caller, status and all.
    let status = replay
        .api_call(&tokens, reqwest::Method::GET, "/v1/balance")
        .await;
    assert_eq!(status, 401);
}
