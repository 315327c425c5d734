//! Backblaze B2, from https://www.backblaze.com/apidocs/b2-authorize-account,
//! https://www.backblaze.com/b2/docs/b2_authorize_account.html,
//! https://www.backblaze.com/apidocs/b2-authorize-account-2,
//! https://backblaze.com/docs/cloud-storage-native-api-error-handling-and-status-codes and
//! https://www.backblaze.com/b2/docs/b2_list_buckets.html (notes: docs/vendors/backblaze_b2.md):
//!
//! - `GET https://api.backblazeb2.com/b2api/v3/b2_authorize_account`, no
//!   query, no body, `Authorization: Basic base64(applicationKeyId:applicationKey)`;
//!   200 `{"accountId": "0123456789ab", "apiInfo": {"storageApi": {"apiUrl":
//!   "https://api004.backblazeb2.com", "downloadUrl": "https://f004.backblazeb2.com",
//!   "s3ApiUrl": ..., "capabilities": [...], "bucketId": null, ...}, "groupsApi": {...}},
//!   "applicationKeyExpirationTimestamp": null, "authorizationToken": "4_0022623512fc8f80000000001_..."}`.
//!   No expiry field: the token is valid for at most 24 hours.
//! - Errors: `{"status": 401, "code": "unauthorized", "message": "..."}`
//!   (also 400 `bad_request`, 401 `unsupported`).
//! - API calls go to the returned `apiUrl` with the raw token, no `Bearer`:
//!   `GET {apiUrl}/b2api/v3/b2_list_buckets?accountId=<accountId>` with
//!   `Authorization: <authorizationToken>`; an expired token gets 401
//!   `expired_auth_token`.

use serde_json::json;
use vendor_auth::{ExposeSecret, TokenClient, TokenManager, backblaze_b2 as vendor};

use crate::support::*;

const KEY_ID: &str = "0022623512fc8f80000000001";
const ACCOUNT_ID: &str = "0123456789ab";
const TOKEN: &str = "4_0022623512fc8f80000000001_0186e431_d18d02_acct_tH7VW03boebOXayIc43-sxptpfA=";

fn client(replay: &Replay) -> vendor::Client {
    vendor::Client::new(
        vendor::Environment::Custom(replay.url()),
        vendor::Credentials::new(KEY_ID, SECRET),
    )
    .unwrap()
}

fn authorize_account() -> wiremock::MockBuilder {
    given(method("GET"))
        .and(path("/b2api/v3/b2_authorize_account"))
        .and(NoQuery)
        .and(header("authorization", basic(KEY_ID, SECRET).as_str()))
        .and(NoBody)
}

/// The v3 page's example response, with `token` as the authorization token.
fn authorized(token: &str) -> serde_json::Value {
    json!({
        "accountId": ACCOUNT_ID,
        "apiInfo": {
            "storageApi": {
                "absoluteMinimumPartSize": 5000000,
                "apiUrl": "https://api004.backblazeb2.com",
                "bucketId": null,
                "bucketName": null,
                "capabilities": ["listBuckets", "listFiles", "readFiles", "writeFiles"],
                "downloadUrl": "https://f004.backblazeb2.com",
                "infoType": "storageApi",
                "namePrefix": null,
                "recommendedPartSize": 100000000,
                "s3ApiUrl": "https://s3.us-west-004.backblazeb2.com"
            },
            "groupsApi": {
                "capabilities": ["all"],
                "groupsApiUrl": "https://api004.backblazeb2.com",
                "infoType": "groupsApi"
            }
        },
        "applicationKeyExpirationTimestamp": null,
        "authorizationToken": token
    })
}

fn list_buckets(token: &str) -> wiremock::MockBuilder {
    given(method("GET"))
        .and(path("/b2api/v3/b2_list_buckets"))
        .and(query_param("accountId", ACCOUNT_ID))
        .and(header("authorization", token))
}

fn buckets() -> serde_json::Value {
    json!({ "buckets": [{
        "accountId": ACCOUNT_ID,
        "bucketId": "4a48fe8875c6214145260818",
        "bucketName": "Kitten-Videos",
        "bucketType": "allPrivate",
        "bucketInfo": {},
        "lifecycleRules": [],
        "revision": 1
    }] })
}

#[test]
fn production_is_the_global_api_host() {
    let client = vendor::Client::new(
        vendor::Config::default(),
        vendor::Credentials::new("a", "b"),
    )
    .unwrap();
    assert_eq!(client.base_url().as_str(), "https://api.backblazeb2.com/");
}

#[tokio::test]
async fn authorize_account_then_list_buckets_with_the_raw_token() {
    let replay = Replay::start().await;
    replay
        .on(authorize_account(), json(200, authorized(TOKEN)))
        .await;
    replay.on(list_buckets(TOKEN), json(200, buckets())).await;

    let tokens = TokenManager::new(client(&replay));
    let cached = tokens.token().await.unwrap();
    let token = cached.token();
    assert_eq!(token.access_token().expose_secret(), TOKEN);
    // No expiry in the response: "valid for at most 24 hours".
    assert_eq!(token.lifetime().as_secs(), 86400);
    assert_eq!(
        token.field("api_url").unwrap().expose(),
        "https://api004.backblazeb2.com"
    );
    assert_eq!(token.field("account_id").unwrap().expose(), ACCOUNT_ID);
    assert_eq!(
        token.field("download_url").unwrap().expose(),
        "https://f004.backblazeb2.com"
    );
    assert_eq!(
        token.field("s3_api_url").unwrap().expose(),
        "https://s3.us-west-004.backblazeb2.com"
    );
    assert_eq!(
        token.field("recommended_part_size").unwrap().expose(),
        "100000000"
    );
    // Nulls are absent: the key is not restricted, and does not expire.
    assert!(token.field("bucket_id").is_none());
    assert!(
        token
            .field("application_key_expiration_timestamp")
            .is_none()
    );
    // The raw token, no `Bearer`.
    assert_eq!(cached.header("authorization").unwrap(), TOKEN);

    let status = replay
        .api_call(
            &tokens,
            reqwest::Method::GET,
            &format!("/b2api/v3/b2_list_buckets?accountId={ACCOUNT_ID}"),
        )
        .await;
    assert_eq!(status, 200);
}

#[tokio::test]
async fn an_expired_token_is_reauthorized_once() {
    const FRESH: &str =
        "4_0022623512fc8f80000000001_0186e431_d18d02_acct_Fr3shT0kenXayIc43-sxptpfA=";
    let replay = Replay::start().await;
    authorize_account()
        .respond_with(json(200, authorized(TOKEN)))
        .up_to_n_times(1)
        .expect(1)
        .mount(&replay.server)
        .await;
    replay
        .on(authorize_account(), json(200, authorized(FRESH)))
        .await;
    replay
        .on(
            list_buckets(TOKEN),
            json(
                401,
                json!({ "status": 401, "code": "expired_auth_token", "message": "Authorization token has expired" }),
            ),
        )
        .await;
    replay.on(list_buckets(FRESH), json(200, buckets())).await;

    let tokens = TokenManager::new(client(&replay));
    let status = replay
        .api_call(
            &tokens,
            reqwest::Method::GET,
            &format!("/b2api/v3/b2_list_buckets?accountId={ACCOUNT_ID}"),
        )
        .await;
    assert_eq!(status, 200);
    let cached = tokens.token().await.unwrap();
    assert_eq!(cached.token().access_token().expose_secret(), FRESH);
}

#[tokio::test]
async fn a_wrong_key_is_a_typed_rejection_without_the_secret() {
    let replay = Replay::start().await;
    replay
        .on(
            given(method("GET")).and(path("/b2api/v3/b2_authorize_account")),
            json(
                401,
                json!({ "status": 401, "code": "unauthorized", "message": "The applicationKeyId and/or the applicationKey are wrong." }),
            ),
        )
        .await;
    let error = client(&replay).fetch_token().await.unwrap_err();
    assert!(error.is_rejection());
    assert_eq!(error.status(), Some(401));
    let text = error.to_string();
    assert!(text.contains("code: unauthorized"), "{text}");
    assert!(!text.contains(SECRET), "{text}");
}
