//! Google service accounts (server to server), from
//! https://developers.google.com/identity/protocols/oauth2/service-account
//! ("Preparing to make an authorized API call": forming the JWT header and
//! claim set, making the access token request, handling the response, error
//! codes), https://google.aip.dev/auth/4112 (the `kid` header) and
//! google-auth-library-python (notes: docs/vendors/google_service_account.md):
//!
//! - The JSON key file holds `client_email`, `private_key` (PKCS#8 PEM) and
//!   `private_key_id`.
//! - The assertion is a JWT signed RS256 with `private_key`; header
//!   `{"alg": "RS256", "typ": "JWT", "kid": <private_key_id>}`; claims `iss` =
//!   `client_email`, `scope` (space-separated), `aud` =
//!   `https://oauth2.googleapis.com/token`, `iat` (now) and `exp` (at most one
//!   hour later; the SDK signs for exactly 3600 s), plus `sub` = the user's
//!   email only with domain-wide delegation.
//! - `POST https://oauth2.googleapis.com/token`, no query, no `Authorization`
//!   header, `Content-Type: application/x-www-form-urlencoded`, body
//!   `grant_type=urn:ietf:params:oauth:grant-type:jwt-bearer&assertion=<JWT>`;
//!   200 `{"access_token": "ya29.c.b0AXv0zTO", "expires_in": 3599, "token_type": "Bearer"}`,
//!   no refresh token.
//! - Errors: 400 `{"error": "invalid_grant", "error_description": "Invalid JWT Signature."}`;
//!   401 `{"error": "unauthorized_client", ...}` for delegation that is not authorized.
//! - API calls carry `Authorization: Bearer <token>`:
//!   `GET https://www.googleapis.com/drive/v2/files`.

use serde_json::json;
use vendor_auth::{ExposeSecret, TokenClient, TokenManager, google_service_account as vendor};
use wiremock::Request;

use crate::support::*;

const CLIENT_EMAIL: &str = "reporting@example-project-123456.iam.gserviceaccount.com";
const PRIVATE_KEY_ID: &str = "5f2a0c7d9e4b1a3c6d8e0f2a4b6c8d0e1f3a5b7c";
const SCOPE: &str = "https://www.googleapis.com/auth/drive.readonly https://www.googleapis.com/auth/devstorage.read_only";
const SUBJECT: &str = "admin@example.com";
const TOKEN: &str = "ya29.c.b0AXv0zTO";
const JWT_BEARER: &str = "urn:ietf:params:oauth:grant-type:jwt-bearer";
const AUD: &str = "https://oauth2.googleapis.com/token";

/// A service-account key file as the Cloud console downloads it, holding the
/// test key (PKCS#8), built here so that the test names each field.
fn key_file() -> String {
    json!({
        "type": "service_account",
        "project_id": "example-project-123456",
        "private_key_id": PRIVATE_KEY_ID,
        "private_key": key("rsa_pkcs8.pem"),
        "client_email": CLIENT_EMAIL,
        "client_id": "113258942105700140798",
        "auth_uri": "https://accounts.google.com/o/oauth2/auth",
        "token_uri": "https://oauth2.googleapis.com/token",
        "auth_provider_x509_cert_url": "https://www.googleapis.com/oauth2/v1/certs",
        "client_x509_cert_url": "https://www.googleapis.com/robot/v1/metadata/x509/reporting%40example-project-123456.iam.gserviceaccount.com",
        "universe_domain": "googleapis.com"
    })
    .to_string()
}

fn client_with(replay: &Replay, configure: impl FnOnce(&mut vendor::Config)) -> vendor::Client {
    let mut config = vendor::Config::new(vendor::Environment::Custom(replay.url()), SCOPE);
    configure(&mut config);
    vendor::Client::new(config, vendor::Credentials::new(key_file())).unwrap()
}

fn client(replay: &Replay) -> vendor::Client {
    client_with(replay, |_| {})
}

/// Mounts the documented token endpoint: POST /token, no query, no
/// Authorization, a form body (`application/x-www-form-urlencoded`, checked
/// by the matcher) of exactly `grant_type` and `assertion`.
async fn token_endpoint(replay: &Replay) {
    replay
        .on(
            given(method("POST"))
                .and(path("/token"))
                .and(NoQuery)
                .and(Without("authorization"))
                .and(form_with_jwt(&[("grant_type", JWT_BEARER)], "assertion")),
            json(
                200,
                json!({ "access_token": TOKEN, "expires_in": 3599, "token_type": "Bearer" }),
            ),
        )
        .await;
}

/// The one token request the replay received.
async fn token_request(replay: &Replay) -> Request {
    let mut requests: Vec<Request> = replay
        .requests()
        .await
        .into_iter()
        .filter(|r| r.url.path() == "/token")
        .collect();
    assert_eq!(requests.len(), 1, "one token request");
    requests.remove(0)
}

/// Checks the assertion's signature with the public half of the test key
/// and returns its header and claims.
fn assertion_of(request: &Request) -> (serde_json::Value, serde_json::Value) {
    let jwt = form_field(request, "assertion");
    verified_jwt(&jwt, &key("rsa_public.pem"), "RS256")
}

/// `iat` is now (within a few seconds) and `exp` exactly one hour later.
fn assert_times(claims: &serde_json::Value) {
    let iat = claims["iat"].as_i64().expect("iat is an integer");
    let exp = claims["exp"].as_i64().expect("exp is an integer");
    assert!((iat - unix_now()).abs() <= 5, "iat {iat} is not now");
    assert_eq!(exp - iat, 3600, "the assertion lasts one hour at most");
}

#[test]
fn production_is_the_oauth2_googleapis_host() {
    let client = vendor::Client::new(
        vendor::Config::new(vendor::Environment::default(), SCOPE),
        vendor::Credentials::new(key_file()),
    )
    .unwrap();
    assert_eq!(client.base_url().as_str(), "https://oauth2.googleapis.com/");
    assert_eq!(client.config().subject, None);
}

#[tokio::test]
async fn a_signed_assertion_buys_an_access_token_then_a_drive_call() {
    let replay = Replay::start().await;
    token_endpoint(&replay).await;
    replay
        .on(
            given(method("GET"))
                .and(path("/drive/v2/files"))
                .and(NoQuery)
                .and(header("authorization", format!("Bearer {TOKEN}").as_str())),
            json(200, json!({ "kind": "drive#fileList", "items": [] })),
        )
        .await;

    let tokens = TokenManager::new(client(&replay));
    let cached = tokens.token().await.unwrap();
    assert_eq!(cached.token().access_token().expose_secret(), TOKEN);
    assert_eq!(cached.token().lifetime().as_secs(), 3599);
    assert!(cached.token().refresh_token().is_none());

    let (header, claims) = assertion_of(&token_request(&replay).await);
    assert_eq!(
        header,
        json!({ "alg": "RS256", "typ": "JWT", "kid": PRIVATE_KEY_ID })
    );
    assert_eq!(claims["iss"], CLIENT_EMAIL);
    assert_eq!(claims["scope"], SCOPE);
    assert_eq!(claims["aud"], AUD);
    assert_times(&claims);
    // Without delegation there is no `sub`, and nothing else either.
    let mut names: Vec<&str> = claims
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    names.sort();
    assert_eq!(names, ["aud", "exp", "iat", "iss", "scope"]);

    let status = replay
        .api_call(&tokens, reqwest::Method::GET, "/drive/v2/files")
        .await;
    assert_eq!(status, 200);
}

#[tokio::test]
async fn domain_wide_delegation_names_the_user_in_sub() {
    let replay = Replay::start().await;
    token_endpoint(&replay).await;
    let client = client_with(&replay, |config| config.subject = Some(SUBJECT.to_owned()));
    client.fetch_token().await.unwrap();

    let (header, claims) = assertion_of(&token_request(&replay).await);
    assert_eq!(
        header,
        json!({ "alg": "RS256", "typ": "JWT", "kid": PRIVATE_KEY_ID })
    );
    assert_eq!(claims["iss"], CLIENT_EMAIL);
    assert_eq!(claims["sub"], SUBJECT);
    assert_eq!(claims["scope"], SCOPE);
    assert_eq!(claims["aud"], AUD);
    assert_times(&claims);
    assert_eq!(claims.as_object().unwrap().len(), 6);
}

#[tokio::test]
async fn an_invalid_signature_is_a_400_rejection_without_the_key_or_the_assertion() {
    let replay = Replay::start().await;
    replay
        .on(
            given(method("POST")).and(path("/token")),
            json(
                400,
                json!({ "error": "invalid_grant", "error_description": "Invalid JWT Signature." }),
            ),
        )
        .await;
    let error = client(&replay).fetch_token().await.unwrap_err();
    assert!(
        matches!(error, vendor_auth::Error::Status { status: 400, .. }),
        "{error:?}"
    );
    assert!(error.is_rejection());
    let text = error.to_string();
    assert!(text.contains("invalid_grant"), "{text}");
    let assertion = form_field(&token_request(&replay).await, "assertion");
    assert!(!text.contains(&assertion), "{text}");
    let pem = key("rsa_pkcs8.pem");
    let key_line = pem.lines().nth(1).unwrap();
    assert!(!text.contains(key_line), "{text}");
    assert!(!format!("{error:?}").contains(key_line));
}

#[tokio::test]
async fn unauthorized_delegation_is_a_401_rejection() {
    let replay = Replay::start().await;
    replay
        .on(
            given(method("POST")).and(path("/token")),
            json(
                401,
                json!({
                    "error": "unauthorized_client",
                    "error_description": "Client is unauthorized to retrieve access tokens using this method, or client not authorized for any of the scopes requested."
                }),
            ),
        )
        .await;
    let client = client_with(&replay, |config| config.subject = Some(SUBJECT.to_owned()));
    let error = client.fetch_token().await.unwrap_err();
    assert!(
        matches!(error, vendor_auth::Error::Status { status: 401, .. }),
        "{error:?}"
    );
    assert!(error.is_rejection());
    assert!(error.to_string().contains("unauthorized_client"));
}

#[test]
fn a_key_file_without_its_private_key_is_refused_when_the_client_is_built() {
    let mut file: serde_json::Value = serde_json::from_str(&key_file()).unwrap();
    file.as_object_mut().unwrap().remove("private_key");
    let built = vendor::Client::new(
        vendor::Config::new(vendor::Environment::default(), SCOPE),
        vendor::Credentials::new(file.to_string()),
    );
    let Err(error) = built else {
        panic!("a key file without `private_key` was accepted");
    };
    assert!(
        matches!(error, vendor_auth::Error::Config { .. }),
        "{error:?}"
    );
    assert!(error.to_string().contains("private_key"), "{error}");
}
