//! App Store Connect with an individual API key, from
//! https://developer.apple.com/documentation/appstoreconnectapi/generating-tokens-for-api-requests,
//! https://developer.apple.com/documentation/appstoreconnectapi/creating-api-keys-for-app-store-connect-api
//! and https://developer.apple.com/documentation/appstoreconnectapi/get-v1-apps
//! (notes: docs/vendors/app_store_connect.md):
//!
//! - No token request: the client signs a JWT with the key downloaded from
//!   App Store Connect (`AuthKey_<KEYID>.p8`, PKCS#8 EC P-256) and sends it
//!   as `Authorization: Bearer <JWT>`; one signed token may serve many
//!   requests until it expires.
//! - Header: `alg: ES256`, `kid: <key ID>` (e.g. `2X9R4HXF34`), `typ: JWT`.
//! - Payload for individual keys: `sub: user` (always that value) and no
//!   `iss` (individual keys do not use the issuer ID), `iat` and `exp` in
//!   Unix seconds, `aud: appstoreconnect-v1`, optional `scope` (a list; a
//!   token with a scope is refused for anything outside it). Apple refuses
//!   a lifetime `exp - iat` above 20 minutes for most requests, and (issue
//!   threads) an `iat` in its future.
//! - `GET https://api.appstoreconnect.apple.com/v1/apps`: 200, JSON:API
//!   `{"data": [{"type": "apps", "id": "10746822401", "attributes": {...}}], "links": {...}, "meta": {...}}`.
//! - A bad or expired token: 401
//!   `{"errors": [{"status": "401", "code": "NOT_AUTHORIZED", "title": "Authentication credentials are missing or invalid.", ...}]}`.

use serde_json::json;
use vendor_auth::{ExposeSecret, TokenManager, app_store_connect_individual as vendor};
use wiremock::{Match, Request};

use crate::support::*;

const KEY_ID: &str = "2X9R4HXF34";
/// Apple's ceiling on `exp - iat` for requests without a long-lived scope.
const APPLE_MAX_LIFETIME: i64 = 1200;
/// The spec's choices (docs/vendors/app_store_connect.md §8): 15 minutes,
/// `iat` 60 s in the past, for clients whose clock runs ahead of Apple's.
const LIFETIME: i64 = 900;
const BACKDATE: i64 = 60;

fn client(replay: &Replay) -> vendor::Client {
    vendor::Client::new(
        vendor::Environment::Custom(replay.url()),
        vendor::Credentials::new(KEY_ID, key("ec_p256.p8")),
    )
    .unwrap()
}

/// `Authorization: Bearer <JWT>` whose ES256 signature verifies with the
/// public half of the test key: the replay answers nothing else.
struct BearerSignedByTestKey;

impl Match for BearerSignedByTestKey {
    fn matches(&self, request: &Request) -> bool {
        let Some(jwt) = request
            .headers
            .get("authorization")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "))
        else {
            return false;
        };
        let public_pem = key("ec_p256_public.pem");
        let Ok(decoding) = jsonwebtoken::DecodingKey::from_ec_pem(public_pem.as_bytes()) else {
            return false;
        };
        let mut validation = jsonwebtoken::Validation::new(jsonwebtoken::Algorithm::ES256);
        validation.validate_aud = false;
        validation.required_spec_claims.clear();
        jsonwebtoken::decode::<serde_json::Value>(jwt, &decoding, &validation).is_ok()
    }
}

/// Apple's List apps example answer.
fn apps() -> wiremock::ResponseTemplate {
    json(
        200,
        json!({
            "data": [{
                "type": "apps",
                "id": "10746822401",
                "attributes": {
                    "name": "Your Next Cortado",
                    "bundleId": "com.bdt.ync",
                    "sku": "YNC",
                    "primaryLocale": "en-US"
                },
                "links": { "self": "https://api.appstoreconnect.apple.com/v1/apps/10746822401" }
            }],
            "links": { "self": "https://api.appstoreconnect.apple.com/v1/apps" },
            "meta": { "paging": { "total": 1, "limit": 50 } }
        }),
    )
}

async fn expect_list_apps(replay: &Replay) {
    replay
        .on(
            given(method("GET"))
                .and(path("/v1/apps"))
                .and(NoQuery)
                .and(BearerSignedByTestKey),
            apps(),
        )
        .await;
}

#[test]
fn production_is_the_api_host() {
    let client = vendor::Client::new(
        vendor::Config::default(),
        vendor::Credentials::new(KEY_ID, key("ec_p256.p8")),
    )
    .unwrap();
    assert_eq!(
        client.base_url().as_str(),
        "https://api.appstoreconnect.apple.com/"
    );
}

#[tokio::test]
async fn the_signed_jwt_is_the_bearer_of_a_list_apps_call() {
    let replay = Replay::start().await;
    expect_list_apps(&replay).await;

    let tokens = TokenManager::new(client(&replay));
    let before = unix_now();
    let status = replay
        .api_call(&tokens, reqwest::Method::GET, "/v1/apps")
        .await;
    let after = unix_now();
    assert_eq!(status, 200);

    // Nothing was requested to get a token: the one request is the API call.
    let requests = replay.requests().await;
    assert_eq!(requests.len(), 1);
    let jwt = bearer(&requests[0]);
    let (header, claims) = verified_jwt(&jwt, &key("ec_p256_public.pem"), "ES256");

    // Every header field, and nothing else.
    assert_eq!(
        header,
        json!({ "alg": "ES256", "kid": KEY_ID, "typ": "JWT" })
    );

    // Every claim of an individual key's payload, and nothing else (no
    // `iss`, no `scope`: a scope would restrict the token).
    let object = claims.as_object().unwrap();
    let mut names: Vec<&str> = object.keys().map(String::as_str).collect();
    names.sort();
    assert_eq!(names, ["aud", "exp", "iat", "sub"], "{claims}");
    assert_eq!(claims["sub"], "user");
    // A single string, not a list.
    assert_eq!(claims["aud"], "appstoreconnect-v1");
    let iat = claims["iat"]
        .as_i64()
        .expect("iat is an integer of seconds");
    let exp = claims["exp"]
        .as_i64()
        .expect("exp is an integer of seconds");

    // Apple's rules: at most 20 minutes from iat to exp, iat not in the future.
    assert!(exp - iat <= APPLE_MAX_LIFETIME, "{claims}");
    assert!(iat <= after, "iat {iat} is in the future");
    assert!(exp > after, "exp {exp} has passed");
    // The spec's choices within them.
    assert_eq!(exp - iat, LIFETIME, "{claims}");
    assert!(
        (before - BACKDATE - 1..=after - BACKDATE + 1).contains(&iat),
        "iat {iat} is not {BACKDATE} s before the call ({before}..={after})"
    );

    // The cached token is that JWT, and what API calls carry is sensitive.
    let cached = tokens.token().await.unwrap();
    assert_eq!(cached.token().access_token().expose_secret(), jwt);
    let authorization = cached.header("authorization").unwrap();
    assert_eq!(authorization.as_bytes(), format!("Bearer {jwt}").as_bytes());
    assert!(authorization.is_sensitive());
}

#[tokio::test]
async fn one_signature_serves_every_call_of_its_lifetime() {
    let replay = Replay::start().await;
    expect_list_apps(&replay).await;

    let tokens = TokenManager::new(client(&replay));
    for _ in 0..2 {
        let status = replay
            .api_call(&tokens, reqwest::Method::GET, "/v1/apps")
            .await;
        assert_eq!(status, 200);
    }
    let requests = replay.requests().await;
    assert_eq!(requests.len(), 2);
    // Apple: reuse one signed token until it expires, rather than signing
    // per request.
    assert_eq!(bearer(&requests[0]), bearer(&requests[1]));
}

#[tokio::test]
async fn a_refused_token_gets_apples_401_back() {
    let replay = Replay::start().await;
    replay
        .on(
            given(method("GET")).and(path("/v1/apps")),
            json(
                401,
                json!({
                    "errors": [{
                        "status": "401",
                        "code": "NOT_AUTHORIZED",
                        "title": "Authentication credentials are missing or invalid.",
                        "detail": "Provide a properly configured and signed bearer token, and make sure that it has not expired."
                    }]
                }),
            ),
        )
        .await;
    let tokens = TokenManager::new(client(&replay));
    // There is no token request that could fail: the API's own answer comes
    // back to the caller.
    let status = replay
        .api_call(&tokens, reqwest::Method::GET, "/v1/apps")
        .await;
    assert_eq!(status, 401);
}

#[test]
fn the_private_key_is_never_shown() {
    let pem = key("ec_p256.p8");
    let shown = format!("{:?}", vendor::Credentials::new(KEY_ID, pem.clone()));
    // Any line of the key's base64 body.
    for line in pem.lines().filter(|l| !l.starts_with("-----")) {
        assert!(!shown.contains(line), "{shown}");
    }
}
