//! DerbySoft Ticket, from seed 002:
//!
//! > Authorization: Basic base64(client_id:client_secret)
//! > Content-Type: application/x-www-form-urlencoded
//! > grant_type=client_credentials
//! > Post https://ticket-distributor-public.derbysoft-test.com/ticket-distributor-authorizer/token
//!
//! `expires_in` is typed string in the schema and shown as a number.

use std::time::Duration;

use vendor_auth::derbysoft_ticket as vendor;
use vendor_auth::{ExposeSecret, TokenClient};
use vendor_auth_stand_ins::derbysoft_ticket::EXAMPLE;

use crate::support::*;

const PATH: &str = "/ticket-distributor-authorizer/token";

fn client(server: &wiremock::MockServer) -> vendor::Client {
    // Production's URL is whatever DerbySoft e-mails: here, the local server's.
    let emailed = url(server).join(PATH).unwrap();
    vendor::Client::new(
        vendor::Environment::Production(emailed),
        vendor::Credentials::new(CLIENT_ID, CLIENT_SECRET),
    )
    .unwrap()
}

#[test]
fn uat_is_the_documented_url() {
    let client = vendor::Client::new(
        vendor::Config::default(),
        vendor::Credentials::new("a", "b"),
    )
    .unwrap();
    assert_eq!(
        client.base_url().as_str(),
        "https://ticket-distributor-public.derbysoft-test.com/ticket-distributor-authorizer/token"
    );
}

#[tokio::test]
async fn basic_auth_and_a_form_body() {
    let server = answering(200, EXAMPLE).await;
    client(&server).token().await.unwrap();
    let request = only_request(&server).await;
    assert_eq!(request.method.as_str(), "POST");
    assert_eq!(request.url.path(), PATH);
    assert_eq!(request.url.query(), None);
    // base64("my-client-id:s3cr+t&=/ %é"), computed independently.
    assert_eq!(
        header(&request, "authorization"),
        Some("Basic bXktY2xpZW50LWlkOnMzY3IrdCY9LyAlw6k=")
    );
    assert_eq!(
        header(&request, "content-type"),
        Some("application/x-www-form-urlencoded")
    );
    assert_eq!(
        std::str::from_utf8(&request.body).unwrap(),
        "grant_type=client_credentials"
    );
}

#[tokio::test]
async fn expires_in_as_a_number_or_a_string() {
    for body in [EXAMPLE.to_owned(), EXAMPLE.replace("28800", "\"28800\"")] {
        let server = answering(200, &body).await;
        let token = client(&server).fetch_token().await.unwrap();
        assert_eq!(token.lifetime(), Duration::from_secs(28800), "{body}");
        assert_eq!(token.access_token().expose_secret(), "***Token Here***");
        assert_eq!(token.token_type(), Some("Bearer"));
        assert_eq!(
            token.scope(),
            Some("shop.all reservation.all product.all livecheck.all")
        );
    }
}

#[tokio::test]
async fn scope_is_optional() {
    let server = answering(
        200,
        r#"{"access_token":"t","token_type":"Bearer","expires_in":"60"}"#,
    )
    .await;
    let token = client(&server).fetch_token().await.unwrap();
    assert_eq!(token.scope(), None);
}

#[tokio::test]
async fn a_non_numeric_expires_in_is_a_decode_error() {
    let server = answering(
        200,
        r#"{"access_token":"t","token_type":"Bearer","expires_in":"eight hours"}"#,
    )
    .await;
    let error = client(&server).fetch_token().await.unwrap_err();
    assert!(
        matches!(error, vendor_auth::Error::Decode { .. }),
        "{error:?}"
    );
    assert_no_secret(&error.to_string(), &["eight hours"]);
}

#[tokio::test]
async fn api_calls_carry_a_bearer_token() {
    let server = answering(200, EXAMPLE).await;
    let client = client(&server);
    let token = client.fetch_token().await.unwrap();
    let headers = client.authorization().headers(&token).unwrap();
    assert_eq!(headers["authorization"], "Bearer ***Token Here***");
    assert_eq!(headers.len(), 1);
}
