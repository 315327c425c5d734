//! X (Twitter) app-only Bearer Token, from
//! https://developer.x.com/en/docs/authentication/api-reference/token,
//! https://docs.x.com/resources/fundamentals/authentication/oauth-2-0/application-only,
//! https://developer.x.com/en/docs/authentication/api-reference/invalidate_bearer_token,
//! https://docs.x.com/pt/fundamentals/authentication/oauth-2-0/overview and
//! https://developer.x.com/en/docs/authentication/api-reference/invalidate_access_token
//! (notes: docs/vendors/x_app_only.md):
//!
//! - `POST https://api.x.com/oauth2/token`, no query,
//!   `Authorization: Basic base64(enc(api key) ":" enc(api key secret))` with
//!   `enc` the RFC 1738 URL-encoding,
//!   `Content-Type: application/x-www-form-urlencoded;charset=UTF-8`, body
//!   `grant_type=client_credentials`. Worked example: key
//!   `xvz1evFS4wEEPTGEFPHBog`, secret `L8qq9PZyRg6ieKGEKhZolGC0vJWLw8iEJ88DRdyOg`,
//!   header `Basic eHZ6MWV2RlM0d0VFUFRHRUZQSEJvZzpMOHFxOVBaeVJnNmllS0dFS2hab2xHQzB2SldMdzhpRUo4OERSZHlPZw==`;
//!   200 `{"token_type":"bearer","access_token":"AAAA%2FAAA%3DAAAAAAAA"}`, no
//!   expiry (valid until invalidated). Too many requests: 403 with code 99.
//! - `POST https://api.x.com/oauth2/invalidate_token` with `access_token` (the
//!   token as issued); 200 `{"access_token":"AAAA%2FAAA%3DAAAAAAAA"}`. The
//!   reference's example signs it with OAuth 1.0a and puts `access_token` in
//!   the query string; the spec sends the token request's Basic credentials
//!   and a form body instead (see the spec's decisions), which is what the
//!   replay below expects.
//! - API calls carry `Authorization: Bearer <token as issued>`:
//!   `GET https://api.x.com/2/tweets?ids=1261326399320715264,1278347468690915330`.
//!   An invalidated token gets 401 `{"errors":[{"code":89,"message":"Invalid or expired token."}]}`.

use serde_json::json;
use vendor_auth::{ExposeSecret, TokenClient, TokenManager, x_app_only as vendor};

use crate::support::*;

const API_KEY: &str = "xvz1evFS4wEEPTGEFPHBog";
const API_KEY_SECRET: &str = "L8qq9PZyRg6ieKGEKhZolGC0vJWLw8iEJ88DRdyOg";
/// The worked example's header, copied from the overview.
const EXAMPLE_BASIC: &str = "Basic eHZ6MWV2RlM0d0VFUFRHRUZQSEJvZzpMOHFxOVBaeVJnNmllS0dFS2hab2xHQzB2SldMdzhpRUo4OERSZHlPZw==";
/// `SECRET` URL-encoded: every byte outside `A-Z a-z 0-9 - . _ ~` as `%XX`
/// of its UTF-8 encoding.
const SECRET_ENCODED: &str = "s3cr%2Bt%26%3D%2F%20%25%C3%A9";
const CONTENT_TYPE: &str = "application/x-www-form-urlencoded;charset=UTF-8";
const TOKEN: &str = "AAAA%2FAAA%3DAAAAAAAA";
const NEVER: u64 = 10 * 365 * 24 * 3600;

fn client(replay: &Replay, secret: &str) -> vendor::Client {
    vendor::Client::new(
        vendor::Environment::Custom(replay.url()),
        vendor::Credentials::new(API_KEY, secret),
    )
    .unwrap()
}

fn token_request(authorization: &str) -> wiremock::MockBuilder {
    given(method("POST"))
        .and(path("/oauth2/token"))
        .and(NoQuery)
        .and(header("authorization", authorization))
        .and(header("content-type", CONTENT_TYPE))
        .and(form(&[("grant_type", "client_credentials")]))
}

#[test]
fn production_is_api_x_com() {
    let client = vendor::Client::new(
        vendor::Config::default(),
        vendor::Credentials::new("a", "b"),
    )
    .unwrap();
    assert_eq!(client.base_url().as_str(), "https://api.x.com/");
}

#[tokio::test]
async fn the_worked_example_then_a_tweets_lookup() {
    let replay = Replay::start().await;
    replay
        .on(
            token_request(EXAMPLE_BASIC),
            json(
                200,
                json!({ "token_type": "bearer", "access_token": TOKEN }),
            ),
        )
        .await;
    replay
        .on(
            given(method("GET"))
                .and(path("/2/tweets"))
                .and(query_param(
                    "ids",
                    "1261326399320715264,1278347468690915330",
                ))
                .and(header("authorization", format!("Bearer {TOKEN}").as_str())),
            json(
                200,
                json!({ "data": [
                    { "id": "1261326399320715264", "text": "..." },
                    { "id": "1278347468690915330", "text": "..." }
                ] }),
            ),
        )
        .await;

    let tokens = TokenManager::new(client(&replay, API_KEY_SECRET));
    let cached = tokens.token().await.unwrap();
    // Kept exactly as issued: never URL-decoded.
    assert_eq!(cached.token().access_token().expose_secret(), TOKEN);
    assert_eq!(cached.token().token_type(), Some("bearer"));
    // No expiry: valid until invalidated (the manager's cap).
    assert_eq!(cached.token().lifetime().as_secs(), NEVER);
    let status = replay
        .api_call(
            &tokens,
            reqwest::Method::GET,
            "/2/tweets?ids=1261326399320715264,1278347468690915330",
        )
        .await;
    assert_eq!(status, 200);
}

#[tokio::test]
async fn key_and_secret_are_url_encoded_before_base64() {
    let replay = Replay::start().await;
    replay
        .on(
            token_request(&basic(API_KEY, SECRET_ENCODED)),
            json(
                200,
                json!({ "token_type": "bearer", "access_token": TOKEN }),
            ),
        )
        .await;
    let token = client(&replay, SECRET).fetch_token().await.unwrap();
    assert_eq!(token.access_token().expose_secret(), TOKEN);
}

#[tokio::test]
async fn invalidate_sends_the_token_as_issued() {
    let replay = Replay::start().await;
    replay
        .on(
            given(method("POST"))
                .and(path("/oauth2/invalidate_token"))
                .and(NoQuery)
                .and(header("authorization", EXAMPLE_BASIC))
                .and(header("content-type", CONTENT_TYPE))
                .and(form(&[("access_token", TOKEN)])),
            json(200, json!({ "access_token": TOKEN })),
        )
        .await;
    let token = vendor_auth::Token::never_expiring(TOKEN);
    client(&replay, API_KEY_SECRET)
        .revoke_token(&token)
        .await
        .unwrap();
}

#[tokio::test]
async fn an_invalidated_token_is_replaced_after_the_documented_401() {
    const NEW: &str = "AAAA%2FAAA%3DBBBBBBBB";
    let replay = Replay::start().await;
    // The first request gets the old token; once it is invalidated, the
    // token endpoint returns a different one.
    token_request(EXAMPLE_BASIC)
        .respond_with(json(
            200,
            json!({ "token_type": "bearer", "access_token": TOKEN }),
        ))
        .up_to_n_times(1)
        .expect(1)
        .mount(&replay.server)
        .await;
    replay
        .on(
            token_request(EXAMPLE_BASIC),
            json(200, json!({ "token_type": "bearer", "access_token": NEW })),
        )
        .await;
    replay
        .on(
            given(method("GET"))
                .and(path("/2/tweets/1261326399320715264"))
                .and(header("authorization", format!("Bearer {TOKEN}").as_str())),
            json(
                401,
                json!({ "errors": [{ "code": 89, "message": "Invalid or expired token." }] }),
            ),
        )
        .await;
    replay
        .on(
            given(method("GET"))
                .and(path("/2/tweets/1261326399320715264"))
                .and(header("authorization", format!("Bearer {NEW}").as_str())),
            json(200, json!({ "data": { "id": "1261326399320715264" } })),
        )
        .await;

    let tokens = TokenManager::new(client(&replay, API_KEY_SECRET));
    let status = replay
        .api_call(
            &tokens,
            reqwest::Method::GET,
            "/2/tweets/1261326399320715264",
        )
        .await;
    assert_eq!(status, 200);
    let cached = tokens.token().await.unwrap();
    assert_eq!(cached.token().access_token().expose_secret(), NEW);
}

#[tokio::test]
async fn code_99_is_a_typed_rejection_without_the_secret() {
    let replay = Replay::start().await;
    replay
        .on(
            given(method("POST")).and(path("/oauth2/token")),
            json(
                403,
                json!({ "errors": [{
                    "code": 99,
                    "label": "authenticity_token_error",
                    "message": "Unable to verify your credentials"
                }] }),
            ),
        )
        .await;
    let error = client(&replay, SECRET).fetch_token().await.unwrap_err();
    assert!(error.is_rejection());
    assert_eq!(error.status(), Some(403));
    let text = error.to_string();
    assert!(text.contains("Unable to verify your credentials"), "{text}");
    assert!(!text.contains(SECRET), "{text}");
    assert!(!text.contains(SECRET_ENCODED), "{text}");
}
