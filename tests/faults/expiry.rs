//! Expiry values as vendors get them wrong, and refresh faults.

use std::time::Duration;

use vendor_auth::{Error, ExposeSecret, RetryPolicy, TokenClient, TokenManager};
use vendor_auth::{derbysoft_ai_voice, derbysoft_ticket, revoiceit, verbio, voipex};

use crate::raw::{Behaviour, RawServer, response};
use crate::vendors::http;

const TEN_YEARS: Duration = Duration::from_secs(10 * 365 * 24 * 3600);

async fn ai_voice(expires_in: &str) -> Result<vendor_auth::Token, Error> {
    let body =
        format!(r#"{{"expires_in": {expires_in}, "access_token": "tok", "token_type": "Bearer"}}"#);
    let server = RawServer::start(vec![Behaviour::Write(response(
        200,
        "application/json",
        body.as_bytes(),
    ))])
    .await;
    let config = derbysoft_ai_voice::Config::new(
        derbysoft_ai_voice::Environment::Custom(server.url.parse().unwrap()),
        "x",
    );
    derbysoft_ai_voice::Client::with_http(
        config,
        derbysoft_ai_voice::Credentials::new("id", "s"),
        http(),
    )?
    .fetch_token()
    .await
}

#[tokio::test]
async fn a_negative_expires_in_is_an_expired_token() {
    assert_eq!(ai_voice("-60").await.unwrap().lifetime(), Duration::ZERO);
}

#[tokio::test]
async fn a_zero_expires_in_is_an_expired_token() {
    assert_eq!(ai_voice("0").await.unwrap().lifetime(), Duration::ZERO);
}

#[tokio::test]
async fn a_huge_expires_in_is_capped_at_ten_years() {
    assert_eq!(ai_voice("1e300").await.unwrap().lifetime(), TEN_YEARS);
    assert_eq!(
        ai_voice("18446744073709551615").await.unwrap().lifetime(),
        TEN_YEARS
    );
}

#[tokio::test]
async fn a_fractional_expires_in_is_truncated() {
    assert_eq!(
        ai_voice("3600.7").await.unwrap().lifetime(),
        Duration::from_secs(3600)
    );
}

#[tokio::test]
async fn a_string_expires_in_is_refused_where_the_vendor_documents_a_number() {
    let error = ai_voice("\"3600\"").await.unwrap_err();
    assert!(
        error
            .to_string()
            .contains("field `expires_in` must be an integer number; found a string"),
        "{error}"
    );
}

#[tokio::test]
async fn a_string_expires_in_is_accepted_where_the_vendor_documents_one() {
    let body = r#"{"access_token": "tok", "token_type": "Bearer", "expires_in": "28800"}"#;
    let server = RawServer::start(vec![Behaviour::Write(response(
        200,
        "application/json",
        body.as_bytes(),
    ))])
    .await;
    let client = derbysoft_ticket::Client::with_http(
        derbysoft_ticket::Environment::Production(server.url.parse().unwrap()),
        derbysoft_ticket::Credentials::new("id", "s"),
        http(),
    )
    .unwrap();
    assert_eq!(
        client.fetch_token().await.unwrap().lifetime(),
        Duration::from_secs(28800)
    );
}

#[tokio::test]
async fn an_absolute_expiry_in_the_past_is_an_expired_token() {
    let body = r#"{"access_token": "tok", "expiration_time": 1678453328}"#;
    let server = RawServer::start(vec![Behaviour::Write(response(
        200,
        "application/json",
        body.as_bytes(),
    ))])
    .await;
    let client = verbio::Client::with_http(
        verbio::Environment::Custom(server.url.parse().unwrap()),
        verbio::Credentials::new("id", "s"),
        http(),
    )
    .unwrap();
    let token = client.fetch_token().await.unwrap();
    assert_eq!(token.lifetime(), Duration::ZERO);
    // The manager hands it out (it is all there is) and fetches anew next time.
    let tokens = TokenManager::new(client);
    tokens.token().await.unwrap();
    tokens.token().await.unwrap();
    assert_eq!(server.requests(), 3);
}

#[tokio::test]
async fn a_refresh_response_without_a_refresh_token_keeps_the_old_one() {
    let server = RawServer::start(vec![
        Behaviour::Write(response(
            200,
            "application/json",
            br#"{"accessToken": "tok-1", "refreshToken": "ref-1"}"#,
        )),
        Behaviour::Write(response(
            200,
            "application/json",
            br#"{"accessToken": "tok-2"}"#,
        )),
    ])
    .await;
    let client = revoiceit::Client::with_http(
        revoiceit::Environment::Custom(server.url.parse().unwrap()),
        revoiceit::Credentials::new("id", "s"),
        http(),
    )
    .unwrap();
    let first = client.fetch_token().await.unwrap();
    let second = client.refresh_token(&first).await.unwrap();
    assert_eq!(second.access_token().expose_secret(), "tok-2");
    assert_eq!(second.refresh_token().unwrap().expose_secret(), "ref-1");
}

#[tokio::test]
async fn a_rejected_refresh_token_falls_back_to_a_new_token() {
    let token = |access: &str| {
        format!(
            r#"{{"access_token": "{access}", "expires_in": 1, "refresh_token": "ref", "token_type": "Bearer"}}"#
        )
    };
    let server = RawServer::start(vec![
        Behaviour::Write(response(200, "application/json", token("tok-1").as_bytes())),
        Behaviour::Write(response(
            400,
            "application/json",
            br#"{"error": "invalid_grant", "error_description": "Token is not active"}"#,
        )),
        Behaviour::Write(response(200, "application/json", token("tok-2").as_bytes())),
    ])
    .await;
    let client = voipex::Client::with_http(
        voipex::Environment::Custom(server.url.parse().unwrap()),
        voipex::Credentials::new("u", "p"),
        http(),
    )
    .unwrap();
    let tokens = TokenManager::new(client);
    tokens.token().await.unwrap();
    tokio::time::sleep(Duration::from_millis(1100)).await;
    assert_eq!(
        tokens
            .token()
            .await
            .unwrap()
            .token()
            .access_token()
            .expose_secret(),
        "tok-2"
    );
    assert_eq!(server.requests(), 3, "token, rejected refresh, new token");
}

#[tokio::test]
async fn a_failing_vendor_does_not_take_away_a_still_valid_token() {
    // A 2 s token: refresh-ahead from ~0.8 s (a window of half the lifetime
    // less the 10 % margin), expiry at 1.8 s.
    let token = r#"{"access_token": "tok-1", "expires_in": 2, "refresh_token": "ref", "token_type": "Bearer"}"#;
    let server = RawServer::start(vec![
        Behaviour::Write(response(200, "application/json", token.as_bytes())),
        Behaviour::Write(response(503, "text/html", b"down")),
    ])
    .await;
    let client = voipex::Client::with_http(
        voipex::Environment::Custom(server.url.parse().unwrap()),
        voipex::Credentials::new("u", "p"),
        http(),
    )
    .unwrap();
    let tokens = TokenManager::builder()
        .jitter(0.0)
        .retry(RetryPolicy::never())
        .build(client);
    tokens.token().await.unwrap();
    tokio::time::sleep(Duration::from_millis(1000)).await;
    for _ in 0..10 {
        assert_eq!(
            tokens
                .token()
                .await
                .unwrap()
                .token()
                .access_token()
                .expose_secret(),
            "tok-1"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(
        server.requests(),
        2,
        "one failed background refresh, then a cool-down"
    );
}
