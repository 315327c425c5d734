//! Atlassian Cloud (Jira) with an API token, from
//! https://developer.atlassian.com/cloud/jira/platform/jira-rest-api-basic-authentication
//! (its "Supply basic auth headers" steps, quoted in https://jira.atlassian.com/browse/JRACLOUD-72920),
//! https://developer.atlassian.com/cloud/jira/platform/rest/v3/api-group-myself and
//! https://community.atlassian.com/t5/Jira-questions/JIRA-Rest-API-basic-authentication-always-returns-401/qaq-p/1067557
//! (notes: docs/vendors/atlassian.md):
//!
//! - There is no token request: the user creates an API token at
//!   https://id.atlassian.com/manage/api-tokens.
//! - Every call carries `Authorization: Basic base64("<email>:<api_token>")`
//!   (what `curl -u fred@example.com:freds_api_token` sends), e.g.
//!   `GET https://your-domain.atlassian.net/rest/api/3/myself`; 200
//!   `{"accountId": "5b10a2844c20165700ede21g", "accountType": "atlassian",
//!   "displayName": "Mia Krystof", "active": true, ...}`. `myself` cannot be
//!   read anonymously.
//! - Wrong or unsupported Basic credentials: 401.

use serde_json::json;
use vendor_auth::{ExposeSecret, TokenClient, TokenManager, atlassian as vendor};
use wiremock::ResponseTemplate;

use crate::support::*;

const SITE: &str = "your-domain";
const EMAIL: &str = "fred@example.com";

fn client(replay: &Replay) -> vendor::Client {
    vendor::Client::new(
        vendor::Config::new(vendor::Environment::Custom(replay.url()), SITE),
        vendor::Credentials::new(EMAIL, SECRET),
    )
    .unwrap()
}

#[test]
fn production_is_the_cloud_site() {
    let client = vendor::Client::new(
        vendor::Config::new(vendor::Environment::Production, SITE),
        vendor::Credentials::new("a", "b"),
    )
    .unwrap();
    assert_eq!(
        client.base_url().as_str(),
        "https://your-domain.atlassian.net/"
    );
}

#[tokio::test]
async fn email_and_api_token_as_basic_on_the_myself_call() {
    let replay = Replay::start().await;
    replay
        .on(
            given(method("GET"))
                .and(path("/rest/api/3/myself"))
                .and(NoQuery)
                .and(header("authorization", basic(EMAIL, SECRET).as_str())),
            json(
                200,
                json!({
                    "self": "https://your-domain.atlassian.net/rest/api/3/user?accountId=5b10a2844c20165700ede21g",
                    "accountId": "5b10a2844c20165700ede21g",
                    "accountType": "atlassian",
                    "emailAddress": "mia@example.com",
                    "displayName": "Mia Krystof",
                    "active": true,
                    "timeZone": "Australia/Sydney",
                    "locale": "en_US",
                    "groups": { "size": 3, "items": [] },
                    "applicationRoles": { "size": 1, "items": [] }
                }),
            ),
        )
        .await;

    let client = client(&replay);
    // No request is made for the "token": the credentials are sent as they are.
    let token = client.fetch_token().await.unwrap();
    assert!(token.access_token().expose_secret().is_empty());
    assert!(replay.requests().await.is_empty());

    let tokens = TokenManager::new(client);
    let cached = tokens.token().await.unwrap();
    assert_eq!(
        *cached.header("authorization").unwrap(),
        basic(EMAIL, SECRET)
    );
    assert!(cached.header("authorization").unwrap().is_sensitive());
    // Static: it lasts until the API token is revoked (the manager's cap).
    assert_eq!(cached.token().lifetime().as_secs(), 10 * 365 * 24 * 3600);
    let status = replay
        .api_call(&tokens, reqwest::Method::GET, "/rest/api/3/myself")
        .await;
    assert_eq!(status, 200);
}

#[test]
fn the_basic_pair_is_not_url_encoded() {
    // An address with `+` and a token with reserved characters: base64 of the
    // UTF-8 bytes exactly as given, as RFC 7617 and the documented steps say.
    let client = vendor::Client::new(
        vendor::Config::new(vendor::Environment::Production, SITE),
        vendor::Credentials::new("fred+jira@example.com", SECRET),
    )
    .unwrap();
    let token = vendor_auth::Token::never_expiring("");
    let headers = client.authorization().headers(&token).unwrap();
    assert_eq!(
        headers["authorization"],
        basic("fred+jira@example.com", SECRET)
    );
}

#[tokio::test]
async fn a_revoked_api_token_is_answered_with_401() {
    let replay = Replay::start().await;
    replay
        .on(
            given(method("GET")).and(path("/rest/api/3/myself")),
            ResponseTemplate::new(401),
        )
        .await;
    let tokens = TokenManager::new(client(&replay));
    let status = replay
        .api_call(&tokens, reqwest::Method::GET, "/rest/api/3/myself")
        .await;
    assert_eq!(status, 401);
}

#[test]
fn a_site_that_is_not_a_subdomain_is_a_typed_config_error_without_the_secret() {
    for bad in ["your-domain.atlassian.net/x", "a@b", ""] {
        let error = vendor::Client::new(
            vendor::Config::new(vendor::Environment::Production, bad),
            vendor::Credentials::new(EMAIL, SECRET),
        )
        .unwrap_err();
        assert!(
            matches!(error, vendor_auth::Error::Config { .. }),
            "{bad}: {error}"
        );
        assert_eq!(error.status(), None);
        let text = error.to_string();
        assert!(!text.contains(SECRET), "{text}");
    }
}
