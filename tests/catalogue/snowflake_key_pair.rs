//! Snowflake key-pair authentication for the SQL API, from
//! https://docs.snowflake.com/en/developer-guide/sql-api/authenticating,
//! https://docs.snowflake.com/en/user-guide/key-pair-auth,
//! https://docs.snowflake.com/en/developer-guide/sql-api/reference and
//! https://docs.snowflake.com/en/user-guide/admin-account-identifier
//! (notes: docs/vendors/snowflake_key_pair.md):
//!
//! - No token request: the client signs a JWT (RS256) with the user's RSA
//!   private key and sends it as `Authorization: Bearer <JWT>`, optionally
//!   with `X-Snowflake-Authorization-Token-Type: KEYPAIR_JWT`.
//! - Payload: `iss` = `ACCOUNT.USER.SHA256:<fingerprint>`, `sub` =
//!   `ACCOUNT.USER`, account and user in upper case; `iat` and `exp` in
//!   seconds (or milliseconds); Snowflake honours the JWT for at most one
//!   hour after `iat`. The fingerprint is base64 of the SHA-256 of the
//!   public key's DER (SubjectPublicKeyInfo), as `DESC USER` shows it in
//!   `RSA_PUBLIC_KEY_FP` (`SHA256:...`).
//! - The account URL is `https://<account_identifier>.snowflakecomputing.com`,
//!   e.g. `https://myorg-myaccount.snowflakecomputing.com`.
//! - `POST /api/v2/statements` with `Accept: application/json`,
//!   `Content-Type: application/json`, a `User-Agent` such as
//!   `myApplicationName/1.0`, and a body `{"statement": "...", "timeout": 60}`;
//!   200 with a ResultSet (`"code": "090001"`, `"message": "Statement executed successfully."`).
//! - A bad JWT: 401 `{"code": "390144", "message": "JWT token is invalid. [...]"}`.

use serde_json::json;
use vendor_auth::{ExposeSecret, TokenManager, Url, snowflake_key_pair as vendor};
use wiremock::{Match, Request};

use crate::support::*;

/// As users type them: the token must carry them in upper case.
const ACCOUNT: &str = "myorg-myaccount";
const USER: &str = "jsmith";
/// The `RSA_PUBLIC_KEY_FP` that `DESC USER` would show for
/// `keys/rsa_public.pem`. The test crate has no SHA-256, so it was computed
/// once, independently of vendor-auth, with Snowflake's documented recipe:
/// `openssl pkey -pubin -in tests/catalogue/keys/rsa_public.pem -outform DER | openssl dgst -sha256 -binary | openssl enc -base64`
/// (`openssl pkey -in rsa_pkcs8.pem -pubout -outform DER | ...` gives the same).
const FINGERPRINT: &str = "SHA256:wB2KDSLjd/rKJASR325t2uBrgAGE0tQTVqfMZIKugn8=";
/// Snowflake honours a JWT for at most one hour after `iat`.
const SNOWFLAKE_MAX_LIFETIME: i64 = 3600;
/// The spec's choice (docs/vendors/snowflake_key_pair.md §8), as in
/// Snowflake's own sample: 59 minutes.
const LIFETIME: i64 = 3540;
const USER_AGENT: &str = "myApplicationName/1.0";
const STATEMENT: &str = r#"{"statement": "SELECT CURRENT_ACCOUNT()", "timeout": 60}"#;

fn client(replay: &Replay) -> vendor::Client {
    vendor::Client::new(
        vendor::Config::new(vendor::Environment::Custom(replay.url()), ACCOUNT, USER),
        vendor::Credentials::new(key("rsa_pkcs8.pem")),
    )
    .unwrap()
}

/// `Authorization: Bearer <JWT>` whose RS256 signature verifies with the
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
        let public_pem = key("rsa_public.pem");
        let Ok(decoding) = jsonwebtoken::DecodingKey::from_rsa_pem(public_pem.as_bytes()) else {
            return false;
        };
        let mut validation = jsonwebtoken::Validation::new(jsonwebtoken::Algorithm::RS256);
        validation.validate_aud = false;
        validation.required_spec_claims.clear();
        jsonwebtoken::decode::<serde_json::Value>(jwt, &decoding, &validation).is_ok()
    }
}

/// The documented statement request, answered with a ResultSet.
async fn expect_statement(replay: &Replay) {
    replay
        .on(
            given(method("POST"))
                .and(path("/api/v2/statements"))
                .and(NoQuery)
                .and(BearerSignedByTestKey)
                .and(header("x-snowflake-authorization-token-type", "KEYPAIR_JWT"))
                .and(header("accept", "application/json"))
                .and(header("content-type", "application/json"))
                .and(header("user-agent", USER_AGENT))
                .and(json_body(
                    json!({ "statement": "SELECT CURRENT_ACCOUNT()", "timeout": 60 }),
                )),
            json(
                200,
                json!({
                    "resultSetMetaData": {
                        "numRows": 1,
                        "format": "jsonv2",
                        "partitionInfo": [{ "rowCount": 1, "uncompressedSize": 16 }],
                        "rowType": [{
                            "name": "CURRENT_ACCOUNT()", "database": "", "schema": "", "table": "",
                            "type": "text", "nullable": true, "length": 16777216,
                            "byteLength": 16777216, "scale": null, "precision": null, "collation": null
                        }]
                    },
                    "data": [["MYACCOUNT"]],
                    "code": "090001",
                    "statementStatusUrl": "/api/v2/statements/01a943f3-0000-a91b-0000-a6f10012c07a?requestId=10c8547f-3a93-438a-88f1-94788ec3755e",
                    "requestId": "10c8547f-3a93-438a-88f1-94788ec3755e",
                    "sqlState": "00000",
                    "statementHandle": "01a943f3-0000-a91b-0000-a6f10012c07a",
                    "message": "Statement executed successfully.",
                    "createdOn": 1672211728759u64
                }),
            ),
        )
        .await;
}

/// Submits the statement through `tokens`, with the headers every SQL API
/// call needs besides the authorization; returns the status.
async fn submit_statement(replay: &Replay, tokens: &TokenManager<vendor::Client>) -> u16 {
    let request = reqwest::Client::new()
        .post(format!("{}/api/v2/statements", replay.server.uri()))
        .header("accept", "application/json")
        .header("content-type", "application/json")
        .header("user-agent", USER_AGENT)
        .body(STATEMENT);
    tokens.send(request).await.unwrap().status().as_u16()
}

#[test]
fn production_is_the_account_url() {
    let client = vendor::Client::new(
        vendor::Config::new(vendor::Environment::Production, ACCOUNT, USER),
        vendor::Credentials::new(key("rsa_pkcs8.pem")),
    )
    .unwrap();
    assert_eq!(
        client.base_url().as_str(),
        "https://myorg-myaccount.snowflakecomputing.com/"
    );
}

#[test]
fn a_locator_account_with_a_region_uses_its_own_account_url() {
    // The host has region and cloud; the token names the bare locator.
    let url = "https://xy12345.us-east-2.aws.snowflakecomputing.com/";
    let client = vendor::Client::new(
        vendor::Config::new(
            vendor::Environment::AccountUrl(Url::parse(url).unwrap()),
            "xy12345",
            USER,
        ),
        vendor::Credentials::new(key("rsa_pkcs8.pem")),
    )
    .unwrap();
    assert_eq!(client.base_url().as_str(), url);
}

#[tokio::test]
async fn the_signed_jwt_and_its_type_authorize_a_statement() {
    let replay = Replay::start().await;
    expect_statement(&replay).await;

    let tokens = TokenManager::new(client(&replay));
    let before = unix_now();
    let status = submit_statement(&replay, &tokens).await;
    let after = unix_now();
    assert_eq!(status, 200);

    // Nothing was requested to get a token: the one request is the API call.
    let requests = replay.requests().await;
    assert_eq!(requests.len(), 1);
    let jwt = bearer(&requests[0]);
    let (header, claims) = verified_jwt(&jwt, &key("rsa_public.pem"), "RS256");

    // Every header field, and nothing else (no `kid` is documented).
    assert_eq!(header, json!({ "alg": "RS256", "typ": "JWT" }));

    // Every claim, and nothing else.
    let object = claims.as_object().unwrap();
    let mut names: Vec<&str> = object.keys().map(String::as_str).collect();
    names.sort();
    assert_eq!(names, ["exp", "iat", "iss", "sub"], "{claims}");
    // Account and user upper-cased, the fingerprint as `DESC USER` shows it.
    assert_eq!(
        claims["iss"],
        "MYORG-MYACCOUNT.JSMITH.SHA256:wB2KDSLjd/rKJASR325t2uBrgAGE0tQTVqfMZIKugn8="
    );
    assert_eq!(claims["sub"], "MYORG-MYACCOUNT.JSMITH");
    let iat = claims["iat"]
        .as_i64()
        .expect("iat is an integer of seconds");
    let exp = claims["exp"]
        .as_i64()
        .expect("exp is an integer of seconds");

    // Seconds, not milliseconds, signed now (Snowflake counts its hour from
    // `iat`), and no longer than Snowflake honours.
    assert!(
        (before - 1..=after + 1).contains(&iat),
        "iat {iat} is not the signing time ({before}..={after})"
    );
    assert!(exp - iat <= SNOWFLAKE_MAX_LIFETIME, "{claims}");
    // The spec's choice within it.
    assert_eq!(exp - iat, LIFETIME, "{claims}");

    // The cached token is that JWT; the authorization is sensitive, the
    // token type is not a secret.
    let cached = tokens.token().await.unwrap();
    assert_eq!(cached.token().access_token().expose_secret(), jwt);
    let authorization = cached.header("authorization").unwrap();
    assert_eq!(authorization.as_bytes(), format!("Bearer {jwt}").as_bytes());
    assert!(authorization.is_sensitive());
    assert_eq!(
        cached
            .header("x-snowflake-authorization-token-type")
            .unwrap()
            .as_bytes(),
        b"KEYPAIR_JWT"
    );
}

#[tokio::test]
async fn a_locator_is_named_bare_and_upper_case_in_the_token() {
    let replay = Replay::start().await;
    expect_statement(&replay).await;
    let client = vendor::Client::new(
        vendor::Config::new(
            vendor::Environment::Custom(replay.url()),
            "xy12345",
            "Data_Loader",
        ),
        vendor::Credentials::new(key("rsa_pkcs8.pem")),
    )
    .unwrap();
    let tokens = TokenManager::new(client);
    assert_eq!(submit_statement(&replay, &tokens).await, 200);
    let requests = replay.requests().await;
    let (_, claims) = verified_jwt(&bearer(&requests[0]), &key("rsa_public.pem"), "RS256");
    // Underscores stay: only host names may write them as hyphens.
    assert_eq!(claims["sub"], "XY12345.DATA_LOADER");
    assert_eq!(claims["iss"], format!("XY12345.DATA_LOADER.{FINGERPRINT}"));
}

#[tokio::test]
async fn one_signature_serves_every_call_of_its_lifetime() {
    let replay = Replay::start().await;
    expect_statement(&replay).await;

    let tokens = TokenManager::new(client(&replay));
    for _ in 0..2 {
        assert_eq!(submit_statement(&replay, &tokens).await, 200);
    }
    let requests = replay.requests().await;
    assert_eq!(requests.len(), 2);
    assert_eq!(bearer(&requests[0]), bearer(&requests[1]));
}

#[tokio::test]
async fn a_refused_jwt_gets_snowflakes_401_back() {
    let replay = Replay::start().await;
    replay
        .on(
            given(method("POST")).and(path("/api/v2/statements")),
            json(
                401,
                json!({
                    "code": "390144",
                    "message": "JWT token is invalid. [7fb87e37-2f26-4a10-9f9c-72276ea898bf]"
                }),
            ),
        )
        .await;
    let tokens = TokenManager::new(client(&replay));
    // There is no token request that could fail: the API's own answer comes
    // back to the caller.
    assert_eq!(submit_statement(&replay, &tokens).await, 401);
}

#[test]
fn a_key_snowflake_cannot_use_is_refused_when_the_client_is_built_without_showing_it() {
    // An EC key: Snowflake's key-pair authentication takes RSA keys (RS256).
    let pem = key("ec_p256.p8");
    let error = vendor::Client::new(
        vendor::Config::new(vendor::Environment::Production, ACCOUNT, USER),
        vendor::Credentials::new(pem.clone()),
    )
    .unwrap_err();
    assert!(
        matches!(error, vendor_auth::Error::Config { .. }),
        "{error}"
    );
    assert_eq!(error.status(), None);
    let text = error.to_string();
    for line in pem.lines().filter(|l| !l.starts_with("-----")) {
        assert!(!text.contains(line), "{text}");
    }
}
