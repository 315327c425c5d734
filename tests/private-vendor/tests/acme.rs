//! The generated client of a spec that lives outside vendor-auth works end to
//! end against a local server: the proof that a vendor is YAML only.

use private_vendor::acme;
use serde_json::json;
use vendor_auth::{ExposeSecret, TokenClient, Url};
use wiremock::matchers::{body_json, header, method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

async fn client(server: &MockServer) -> acme::Client {
    let config = acme::Config::new(
        acme::Environment::Custom(Url::parse(&server.uri()).unwrap()),
        "eu1",
        "tenant-7",
    );
    acme::Client::new(config, acme::Credentials::new("key-123")).unwrap()
}

#[tokio::test]
async fn token_request_and_response_follow_the_spec() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/v2/auth/tokens"))
        .and(header("x-api-key", "key-123"))
        .and(body_json(json!({ "tenantId": "tenant-7", "kind": "telemetry" })))
        .respond_with(ResponseTemplate::new(201).set_body_json(json!({
            "data": { "token": "tok-1", "scopes": "read", "validUntil": "2999-01-01T00:00:00Z", "tenantId": "tenant-7" }
        })))
        .expect(2)
        .mount(&server)
        .await;

    let client = client(&server).await;
    let response = client.token().await.unwrap();
    assert_eq!(response.tenant_id, "tenant-7");

    let token = client.fetch_token().await.unwrap();
    assert_eq!(token.access_token().expose_secret(), "tok-1");
    assert_eq!(token.scope(), Some("read"));
    assert!(token.lifetime().as_secs() > 365 * 24 * 3600);
    // The raw token goes in the vendor's own header, with the declared extras.
    let headers = client.authorization().headers(&token).unwrap();
    assert_eq!(headers["x-acme-token"], "tok-1");
    assert!(headers["x-acme-token"].is_sensitive());
    assert_eq!(headers["x-acme-client"], "vendor-auth");
    let sent_at: u64 = headers["x-acme-sent-at"].to_str().unwrap().parse().unwrap();
    assert!(sent_at > 1_700_000_000_000);
}

#[tokio::test]
async fn documented_errors_are_typed() {
    let server = MockServer::start().await;
    Mock::given(path("/v2/auth/tokens"))
        .respond_with(
            ResponseTemplate::new(403).set_body_json(json!({ "message": "tenant locked" })),
        )
        .mount(&server)
        .await;
    let error = client(&server).await.token().await.unwrap_err();
    assert_eq!(error.status(), Some(403));
    assert_eq!(
        error.to_string(),
        "Acme Telemetry token: HTTP 403 (The API key may not issue tokens for this tenant.): message: tenant locked"
    );
    assert!(!error.to_string().contains("key-123"));
}

#[test]
fn templated_environment_uses_the_variable() {
    let client = acme::Client::new(
        acme::Config::new(acme::Environment::Live, "eu1", "t"),
        acme::Credentials::new("k"),
    )
    .unwrap();
    assert_eq!(client.base_url().as_str(), "https://eu1.acme.example/");
}
