//! DerbySoft AI Voice, from seed 000:
//!
//! > https://{domainName}/authorizer/token?client_id={client_id}&client_secret={client_secret}&grant_type=client_credentials
//!
//! and the API headers `Authorization: Bearer`, `Content-Type:
//! application/json`, `Request-ID` (a non-nil UUID) and `Request-Time`
//! (`YYYY-MM-DDTHH:MM:SSZ`, UTC).

use std::time::Duration;

use vendor_auth::derbysoft_ai_voice as vendor;
use vendor_auth::{Error, ExposeSecret, TokenClient};
use vendor_auth_stand_ins::derbysoft_ai_voice::{EXAMPLE, EXAMPLE_AS_PRINTED};

use crate::support::*;

fn client(server: &wiremock::MockServer) -> vendor::Client {
    let config = vendor::Config::new(
        vendor::Environment::Custom(url(server)),
        "unused.example.com",
    );
    vendor::Client::new(config, vendor::Credentials::new(CLIENT_ID, CLIENT_SECRET)).unwrap()
}

#[tokio::test]
async fn credentials_and_grant_type_go_in_the_query_string() {
    let server = answering(200, EXAMPLE).await;
    client(&server).token().await.unwrap();
    let request = only_request(&server).await;
    // The method is not documented; RFC 6749 §3.2 requires POST (see the spec).
    assert_eq!(request.method.as_str(), "POST");
    assert_eq!(request.url.path(), "/authorizer/token");
    assert_eq!(
        query_pairs(&request),
        pairs(&[
            ("client_id", CLIENT_ID),
            ("client_secret", CLIENT_SECRET),
            ("grant_type", "client_credentials")
        ])
    );
    assert!(request.body.is_empty(), "no body is documented");
    assert_eq!(header(&request, "authorization"), None);
}

#[test]
fn the_host_is_the_clients_domain_name() {
    let config = vendor::Config::new(vendor::Environment::Production, "voice.example.com");
    let client = vendor::Client::new(config, vendor::Credentials::new("a", "b")).unwrap();
    assert_eq!(client.base_url().as_str(), "https://voice.example.com/");
    // A value that would change the URL's structure is refused.
    let config = vendor::Config::new(vendor::Environment::Production, "evil.example.com/x?");
    assert!(matches!(
        vendor::Client::new(config, vendor::Credentials::new("a", "b")),
        Err(Error::Config { .. })
    ));
}

#[tokio::test]
async fn the_example_response_parses_with_its_comma_restored() {
    let server = answering(200, EXAMPLE).await;
    let response = client(&server).token().await.unwrap();
    assert_eq!(response.expires_in, Some(84400));
    assert_eq!(response.token_type.as_deref(), Some("Bearer"));

    let token = client(&server).fetch_token().await.unwrap();
    assert_eq!(token.lifetime(), Duration::from_secs(84400));
    assert!(token.access_token().expose_secret().starts_with("eyJ0eXAi"));
}

#[tokio::test]
async fn missing_expires_in_falls_back_to_the_documented_24_hours() {
    let server = answering(200, r#"{"access_token": "t", "token_type": "Bearer"}"#).await;
    let token = client(&server).fetch_token().await.unwrap();
    assert_eq!(token.lifetime(), Duration::from_secs(24 * 3600));
}

#[tokio::test]
async fn the_example_as_printed_is_a_decode_error_that_names_the_place() {
    let server = answering(200, EXAMPLE_AS_PRINTED).await;
    let error = client(&server).fetch_token().await.unwrap_err();
    assert!(matches!(error, Error::Decode { .. }), "{error:?}");
    let text = error.to_string();
    assert!(
        text.contains("expected `,` or `}` at line 3 column 5"),
        "{text}"
    );
    assert_no_secret(&text, &["eyJ0eXAi"]);
}

#[tokio::test]
async fn api_calls_carry_the_four_documented_headers() {
    let server = answering(200, EXAMPLE).await;
    let client = client(&server);
    let token = client.fetch_token().await.unwrap();
    let first = client.authorization().headers(&token).unwrap();
    let second = client.authorization().headers(&token).unwrap();

    let expected_auth = format!("Bearer {}", token.access_token().expose_secret());
    assert_eq!(first["authorization"].to_str().unwrap(), expected_auth);
    assert!(first["authorization"].is_sensitive());
    assert_eq!(first["content-type"], "application/json");

    let id = uuid::Uuid::parse_str(first["request-id"].to_str().unwrap()).unwrap();
    assert!(!id.is_nil());
    assert_eq!(first["request-id"].len(), 36);
    assert_ne!(
        first["request-id"], second["request-id"],
        "a fresh Request-ID per call"
    );

    let time = first["request-time"].to_str().unwrap();
    let parsed = time::PrimitiveDateTime::parse(
        time,
        time::macros::format_description!("[year]-[month]-[day]T[hour]:[minute]:[second]Z"),
    )
    .unwrap();
    let skew = (parsed.assume_utc() - time::OffsetDateTime::now_utc()).abs();
    assert!(
        skew < time::Duration::seconds(5),
        "Request-Time {time} is not now"
    );
}

#[tokio::test]
async fn credentials_in_the_url_never_reach_errors() {
    let server = answering(401, "").await;
    let error = client(&server).fetch_token().await.unwrap_err();
    assert_eq!(error.status(), Some(401));
    assert_no_secret(&format!("{error} {error:?}"), &[CLIENT_SECRET, "s3cr"]);

    // A transport error (nothing listens on the port) must not show the URL either.
    let closed = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap();
    let config = vendor::Config::new(
        vendor::Environment::Custom(format!("http://{closed}").parse().unwrap()),
        "x",
    );
    let client =
        vendor::Client::new(config, vendor::Credentials::new(CLIENT_ID, CLIENT_SECRET)).unwrap();
    let error = client.fetch_token().await.unwrap_err();
    assert!(matches!(error, Error::Transport { .. }), "{error:?}");
    assert_no_secret(
        &format!("{error} {error:?}"),
        &[CLIENT_SECRET, "s3cr", "client_secret="],
    );
}
