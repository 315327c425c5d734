//! The generic OAuth2 specs against real, third-party authorization servers:
//! oidc-provider (a certified OpenID provider) and oauth2-mock-server, both
//! from the npm registry. Ignored by `cargo test`; `conformance/run.sh`
//! installs and starts the servers and runs these with `--ignored`.
//!
//! Expectations come from the RFCs and the servers' behaviour, not from the
//! specs. oidc-provider checks client secrets strictly, including RFC 6749
//! section 2.3.1's form-encoding inside HTTP Basic (the secrets here hold
//! `+ / = & % :`), and it answers introspection, so a revoked token is seen
//! to be inactive. oauth2-mock-server checks no secret but echoes the Basic
//! user name and the resource owner into the tokens it signs.

use base64::Engine;
use serde_json::Value;
use vendor_auth::{ExposeSecret, Token, TokenClient, TokenManager, Url};
use vendor_auth_conformance::{oauth_client_basic, oauth_client_post, oauth_password};

/// As registered in `servers.mjs`: secrets with the characters RFC 6749
/// section 2.3.1 makes special.
const BASIC_ID: &str = "conformance-basic";
const BASIC_SECRET: &str = "basic-secret+/=&%:~";
const POST_ID: &str = "conformance-post";
const POST_SECRET: &str = "post-secret+/=&%:~";

fn server(variable: &str) -> Url {
    let url = std::env::var(variable).unwrap_or_else(|_| {
        panic!("{variable} is not set: run conformance/run.sh, which starts the servers")
    });
    url.parse().unwrap()
}

fn oidc_provider() -> Url {
    server("OIDC_PROVIDER_URL")
}

fn oauth2_mock_server() -> Url {
    server("OAUTH2_MOCK_SERVER_URL")
}

fn basic_client(url: Url, secret: &str) -> oauth_client_basic::Client {
    oauth_client_basic::Client::new(
        oauth_client_basic::Environment::Server(url),
        oauth_client_basic::Credentials::new(BASIC_ID, secret),
    )
    .unwrap()
}

fn post_client(url: Url, secret: &str) -> oauth_client_post::Client {
    oauth_client_post::Client::new(
        oauth_client_post::Environment::Server(url),
        oauth_client_post::Credentials::new(POST_ID, secret),
    )
    .unwrap()
}

/// RFC 7662 introspection, authenticated as the basic client.
async fn introspect(url: &Url, token: &Token) -> Value {
    reqwest::Client::new()
        .post(url.join("introspect").unwrap())
        .basic_auth(
            BASIC_ID,
            Some(url::form_urlencoded::byte_serialize(BASIC_SECRET.as_bytes()).collect::<String>()),
        )
        .form(&[("token", token.access_token().expose_secret())])
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap()
}

fn jwt_claims(jwt: &str) -> Value {
    let payload = jwt.split('.').nth(1).expect("a JWT has three parts");
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(payload)
        .unwrap();
    serde_json::from_slice(&bytes).unwrap()
}

fn report(server: &str, shape: &str, outcome: &str) {
    println!("conformance | {server} | {shape} | {outcome}");
}

#[tokio::test]
#[ignore = "needs the servers of conformance/run.sh"]
async fn oidc_provider_client_secret_basic_token_and_revocation() {
    let url = oidc_provider();
    let client = basic_client(url.clone(), BASIC_SECRET);
    let token = client.fetch_token().await.unwrap();
    assert_eq!(token.token_type(), Some("Bearer"));
    assert_eq!(token.scope(), Some("api:read"));
    assert!(token.lifetime().as_secs() > 0);
    let active = introspect(&url, &token).await;
    assert_eq!(active["active"], true, "{active}");
    assert_eq!(active["client_id"], BASIC_ID);

    client.revoke_token(&token).await.unwrap();
    let revoked = introspect(&url, &token).await;
    assert_eq!(revoked["active"], false, "{revoked}");
    report(
        "oidc-provider",
        "client_credentials, client_secret_basic",
        "token issued (introspection: active, client_id matches); RFC 7009 revocation: inactive afterwards",
    );
}

#[tokio::test]
#[ignore = "needs the servers of conformance/run.sh"]
async fn oidc_provider_client_secret_post_token() {
    let client = post_client(oidc_provider(), POST_SECRET);
    let token = client.fetch_token().await.unwrap();
    assert_eq!(token.token_type(), Some("Bearer"));
    assert!(token.lifetime().as_secs() > 0);
    report(
        "oidc-provider",
        "client_credentials, client_secret_post",
        "token issued",
    );
}

#[tokio::test]
#[ignore = "needs the servers of conformance/run.sh"]
async fn oidc_provider_refuses_a_wrong_secret_with_a_typed_error() {
    let error = basic_client(oidc_provider(), "wrong")
        .fetch_token()
        .await
        .unwrap_err();
    assert!(error.is_rejection(), "{error:?}");
    assert!(!error.is_transient());
    let shown = error.to_string();
    assert!(
        shown.contains("401") && shown.contains("invalid_client"),
        "{shown}"
    );
    assert!(!shown.contains("wrong"), "the secret leaked: {shown}");
    report(
        "oidc-provider",
        "client_credentials, wrong secret",
        &format!("typed rejection: {shown}"),
    );
}

#[tokio::test]
#[ignore = "needs the servers of conformance/run.sh"]
async fn oidc_provider_through_the_token_manager() {
    let url = oidc_provider();
    let manager = TokenManager::new(basic_client(url.clone(), BASIC_SECRET));
    let request = manager
        .authorize(reqwest::Client::new().get(url.join("me").unwrap()))
        .await
        .unwrap();
    let request = request.build().unwrap();
    let header = request.headers()["authorization"].to_str().unwrap();
    assert!(header.starts_with("Bearer "));
    let cached = manager.cached().unwrap();
    assert_eq!(introspect(&url, cached.token()).await["active"], true);
    manager.revoke().await.unwrap();
    assert_eq!(introspect(&url, cached.token()).await["active"], false);
    report(
        "oidc-provider",
        "TokenManager: authorize, revoke",
        "Bearer header attached; revoked token inactive",
    );
}

#[tokio::test]
#[ignore = "needs the servers of conformance/run.sh"]
async fn oauth2_mock_server_client_credentials_both_methods() {
    let url = oauth2_mock_server();
    for (shape, token) in [
        (
            "client_secret_basic",
            basic_client(url.clone(), BASIC_SECRET)
                .fetch_token()
                .await
                .unwrap(),
        ),
        (
            "client_secret_post",
            post_client(url.clone(), POST_SECRET)
                .fetch_token()
                .await
                .unwrap(),
        ),
    ] {
        let claims = jwt_claims(token.access_token().expose_secret());
        assert_eq!(claims["scope"], "api:read", "{claims}");
        assert_eq!(token.lifetime().as_secs(), 3600);
        report(
            "oauth2-mock-server",
            &format!("client_credentials, {shape}"),
            "token issued (JWT scope api:read, 3600 s)",
        );
    }
}

#[tokio::test]
#[ignore = "needs the servers of conformance/run.sh"]
async fn oauth2_mock_server_password_refresh_and_revocation() {
    let url = oauth2_mock_server();
    let client = oauth_password::Client::new(
        oauth_password::Environment::Server(url),
        oauth_password::Credentials::new(
            BASIC_ID,
            BASIC_SECRET,
            "user@example.com",
            "pass word+&=",
        ),
    )
    .unwrap();
    let response = client.token().await.unwrap();
    let id_token = response
        .id_token
        .as_ref()
        .expect("an ID token with the password grant");
    // The server puts the Basic user name in the ID token's audience.
    assert_eq!(jwt_claims(id_token.expose_secret())["aud"], BASIC_ID);
    let first = vendor_auth::__private::normalize(response.into_parts());
    assert_eq!(
        jwt_claims(first.access_token().expose_secret())["sub"],
        "user@example.com"
    );
    assert!(first.refresh_token().is_some());

    let renewed = client.refresh_token(&first).await.unwrap();
    assert_ne!(
        renewed.access_token().expose_secret(),
        first.access_token().expose_secret()
    );
    assert!(renewed.refresh_token().is_some());

    client.revoke_token(&renewed).await.unwrap();
    report(
        "oauth2-mock-server",
        "password grant, refresh, RFC 7009 revocation",
        "token (sub = user name, ID token aud = Basic client id), refreshed, revoked (200)",
    );
}
