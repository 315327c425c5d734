//! AWS EC2 Instance Metadata Service v2, from
//! https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/configuring-instance-metadata-service.html,
//! https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/instancedata-data-retrieval.html and
//! https://docs.aws.amazon.com/snowball/latest/developer-guide/imds-versions.html
//! (notes: docs/vendors/aws_imds.md):
//!
//! - `PUT http://169.254.169.254/latest/api/token` (IPv6: `http://[fd00:ec2::254]`),
//!   no query, no body, no credentials, header
//!   `X-aws-ec2-metadata-token-ttl-seconds: 21600` (required; 1 to 21600 seconds);
//!   200 `text/plain`, the body is the raw token. The token lasts the TTL asked
//!   for; AWS's mock and SDKs show the reply echoing it in
//!   `X-aws-ec2-metadata-token-ttl-seconds`.
//! - A missing or out-of-range TTL is `400` (Missing or Invalid Parameters).
//! - Metadata reads carry `X-aws-ec2-metadata-token: <token>`:
//!   `GET http://169.254.169.254/latest/meta-data/ami-id` -> 200 `ami-0abcdef1234567890`;
//!   an invalid or expired token gets `401`, and a new token is the fix.
//! - No refresh and no revoke: a new `PUT` makes a new token.

use vendor_auth::{ExposeSecret, TokenClient, TokenManager, aws_imds as vendor};
use wiremock::ResponseTemplate;

use crate::support::*;

const TOKEN: &str = "AQAEAFTNrA4eEGiPcCUhOtf7EuynqNvpY-rsmM9w2XBUFyWHoMjzgg==";
const TTL_HEADER: &str = "x-aws-ec2-metadata-token-ttl-seconds";
const TOKEN_HEADER: &str = "x-aws-ec2-metadata-token";

fn client(replay: &Replay, ttl: i64) -> vendor::Client {
    let mut config = vendor::Config::new(vendor::Environment::Custom(replay.url()));
    config.ttl = ttl;
    vendor::Client::new(config, vendor::Credentials::new()).unwrap()
}

/// The documented token reply: the raw token as `text/plain`.
fn token_reply(token: &str) -> ResponseTemplate {
    ResponseTemplate::new(200)
        .set_body_string(token)
        .insert_header("content-type", "text/plain")
}

#[test]
fn endpoints_are_the_link_local_addresses() {
    let client =
        vendor::Client::new(vendor::Config::default(), vendor::Credentials::new()).unwrap();
    assert_eq!(client.base_url().as_str(), "http://169.254.169.254/");
    assert_eq!(client.config().ttl, 21600);
    let client =
        vendor::Client::new(vendor::Environment::Ipv6, vendor::Credentials::new()).unwrap();
    assert_eq!(client.base_url().as_str(), "http://[fd00:ec2::254]/");
}

#[tokio::test]
async fn put_a_session_token_then_read_metadata() {
    let replay = Replay::start().await;
    replay
        .on(
            given(method("PUT"))
                .and(path("/latest/api/token"))
                .and(NoQuery)
                .and(header(TTL_HEADER, "21600"))
                .and(NoBody)
                .and(Without("x-forwarded-for"))
                .and(Without("authorization")),
            token_reply(TOKEN).insert_header(TTL_HEADER, "21600"),
        )
        .await;
    replay
        .on(
            given(method("GET"))
                .and(path("/latest/meta-data/ami-id"))
                .and(NoQuery)
                .and(header(TOKEN_HEADER, TOKEN)),
            ResponseTemplate::new(200).set_body_string("ami-0abcdef1234567890"),
        )
        .await;

    let tokens = TokenManager::new(client(&replay, 21600));
    let cached = tokens.token().await.unwrap();
    assert_eq!(cached.token().access_token().expose_secret(), TOKEN);
    assert_eq!(cached.token().lifetime().as_secs(), 21600);
    let status = replay
        .api_call(&tokens, reqwest::Method::GET, "/latest/meta-data/ami-id")
        .await;
    assert_eq!(status, 200);
}

#[tokio::test]
async fn without_the_echoed_header_the_lifetime_is_the_ttl_asked_for() {
    let replay = Replay::start().await;
    replay
        .on(
            given(method("PUT"))
                .and(path("/latest/api/token"))
                .and(NoQuery)
                .and(header(TTL_HEADER, "300"))
                .and(NoBody),
            // A stray newline after the token is not part of it.
            token_reply(&format!("{TOKEN}\n")),
        )
        .await;
    let token = client(&replay, 300).fetch_token().await.unwrap();
    assert_eq!(token.access_token().expose_secret(), TOKEN);
    assert_eq!(token.lifetime().as_secs(), 300);
}

#[tokio::test]
async fn an_expired_token_is_replaced_and_the_read_replayed() {
    const OLD: &str = "AQAEAOldOldOldOldOldOldOldOldOldOldOldOldOldOldOldOld==";
    let replay = Replay::start().await;
    // The first PUT hands out OLD, the next one TOKEN.
    given(method("PUT"))
        .and(path("/latest/api/token"))
        .and(header(TTL_HEADER, "21600"))
        .respond_with(token_reply(OLD).insert_header(TTL_HEADER, "21600"))
        .up_to_n_times(1)
        .expect(1)
        .mount(&replay.server)
        .await;
    replay
        .on(
            given(method("PUT"))
                .and(path("/latest/api/token"))
                .and(header(TTL_HEADER, "21600")),
            token_reply(TOKEN).insert_header(TTL_HEADER, "21600"),
        )
        .await;
    // The service no longer accepts OLD (documented: 401, get a new token).
    replay
        .on(
            given(method("GET"))
                .and(path("/latest/meta-data/instance-id"))
                .and(header(TOKEN_HEADER, OLD)),
            ResponseTemplate::new(401),
        )
        .await;
    replay
        .on(
            given(method("GET"))
                .and(path("/latest/meta-data/instance-id"))
                .and(header(TOKEN_HEADER, TOKEN)),
            ResponseTemplate::new(200).set_body_string("i-1234567890abcdef0"),
        )
        .await;

    let tokens = TokenManager::new(client(&replay, 21600));
    let status = replay
        .api_call(
            &tokens,
            reqwest::Method::GET,
            "/latest/meta-data/instance-id",
        )
        .await;
    assert_eq!(status, 200);
    let cached = tokens.token().await.unwrap();
    assert_eq!(cached.token().access_token().expose_secret(), TOKEN);
}

#[tokio::test]
async fn an_out_of_range_ttl_is_a_typed_rejection() {
    let replay = Replay::start().await;
    replay
        .on(
            given(method("PUT"))
                .and(path("/latest/api/token"))
                .and(header(TTL_HEADER, "21601")),
            ResponseTemplate::new(400).set_body_string("Missing or Invalid Parameters"),
        )
        .await;
    let error = client(&replay, 21601).fetch_token().await.unwrap_err();
    assert!(error.is_rejection());
    assert_eq!(error.status(), Some(400));
    let text = error.to_string();
    assert!(text.contains("HTTP 400"), "{text}");
    // No credential exists; the one secret, a token, was never issued.
    assert!(!text.contains(TOKEN), "{text}");
}
