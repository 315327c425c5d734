//! Verbio Speech Center, from seed 001:
//!
//! > curl --header "Content-Type: application/json" --request POST
//! > --data '{"client_id":"YOUR_CLIENT_ID","client_secret":"YOUR_CLIENT_SECRET"}'
//! > 'https://auth.speechcenter.verbio.com:444/api/v1/token'
//!
//! Response `{ "access_token": ..., "expiration_time": 1678453328 }` (absolute
//! Unix time); 400 invalid format, 401 bad credentials, 5XX server problem.

use std::time::Duration;

use serde_json::json;
use vendor_auth::verbio as vendor;
use vendor_auth::{Error, ExposeSecret, TokenClient};
use vendor_auth_stand_ins::verbio::EXAMPLE;

use crate::support::*;

fn client(server: &wiremock::MockServer) -> vendor::Client {
    vendor::Client::new(
        vendor::Environment::Custom(url(server)),
        vendor::Credentials::new(CLIENT_ID, CLIENT_SECRET),
    )
    .unwrap()
}

#[test]
fn production_is_port_444() {
    let client = vendor::Client::new(
        vendor::Config::default(),
        vendor::Credentials::new("a", "b"),
    )
    .unwrap();
    assert_eq!(
        client.base_url().as_str(),
        "https://auth.speechcenter.verbio.com:444/"
    );
}

#[tokio::test]
async fn credentials_go_in_a_json_body() {
    let server = answering(200, EXAMPLE).await;
    client(&server).token().await.unwrap();
    let request = only_request(&server).await;
    assert_eq!(request.method.as_str(), "POST");
    assert_eq!(request.url.path(), "/api/v1/token");
    assert_eq!(request.url.query(), None);
    assert_eq!(header(&request, "content-type"), Some("application/json"));
    assert_eq!(
        json_body(&request),
        json!({ "client_id": CLIENT_ID, "client_secret": CLIENT_SECRET })
    );
}

#[tokio::test]
async fn expiration_time_is_an_absolute_unix_time() {
    let in_an_hour = time::OffsetDateTime::now_utc().unix_timestamp() + 3600;
    let server = answering(
        200,
        &json!({ "access_token": "jwt", "expiration_time": in_an_hour }).to_string(),
    )
    .await;
    let token = client(&server).fetch_token().await.unwrap();
    let lifetime = token.lifetime().as_secs();
    assert!((3598..=3600).contains(&lifetime), "lifetime {lifetime}");
    assert_eq!(token.access_token().expose_secret(), "jwt");
    assert_eq!(token.token_type(), None, "Verbio sends no token type");
    assert_eq!(token.refresh_token().map(|_| ()), None);
}

#[tokio::test]
async fn the_documents_example_expiry_is_in_the_past() {
    let server = answering(200, EXAMPLE).await;
    let response = client(&server).token().await.unwrap();
    assert_eq!(response.expiration_time, 1_678_453_328);
    let token = client(&server).fetch_token().await.unwrap();
    assert_eq!(token.lifetime(), Duration::ZERO);
    assert!(token.is_expired(tokio::time::Instant::now()));
}

#[tokio::test]
async fn documented_statuses_explain_themselves() {
    for (status, meaning, transient) in [
        (400, "Provided request format was invalid.", false),
        (
            401,
            "There was a problem with the provided credentials.",
            false,
        ),
        (503, "There was a problem with the server.", true),
    ] {
        let server = answering(status, "").await;
        let error = client(&server).fetch_token().await.unwrap_err();
        assert!(matches!(error, Error::Status { .. }));
        assert_eq!(error.status(), Some(status));
        assert_eq!(
            error.to_string(),
            format!("Verbio Speech Center token: HTTP {status} ({meaning})")
        );
        assert_eq!(error.is_transient(), transient);
    }
}

#[test]
fn renews_a_couple_of_minutes_early_with_the_same_credentials() {
    let client = vendor::Client::new(
        vendor::Config::default(),
        vendor::Credentials::new("a", "b"),
    )
    .unwrap();
    assert_eq!(client.refresh_ahead(), Some(Duration::from_secs(120)));
    assert!(
        !client.supports_refresh(),
        "refreshing is a new token request"
    );
    assert!(!client.supports_revoke());
}
