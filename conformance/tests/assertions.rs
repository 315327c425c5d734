//! Signed client assertions (RFC 7523 section 2.2) against oidc-provider, a
//! certified OpenID provider: `private_key_jwt` with RS256, ES256 and EdDSA
//! keys whose public halves the server holds, and `client_secret_jwt`
//! (HS256). oidc-provider checks the signature, `iss`/`sub`, `aud`, `exp`
//! and a single-use `jti`; a wrong key, a wrong audience and an assertion
//! that has expired by the server's clock must become typed rejections.
//! Ignored by `cargo test`; `conformance/run.sh` starts the servers.

use vendor_auth::{Error, ExposeSecret, TokenClient, TokenManager, Url};
use vendor_auth_conformance::{
    oauth_client_secret_jwt as secret_jwt, oauth_private_key_jwt as rs256,
    oauth_private_key_jwt_eddsa as eddsa, oauth_private_key_jwt_es256 as es256,
};

/// As registered in `servers.mjs`.
const KEY_CLIENT: &str = "conformance-private-key-jwt";
const SECRET_CLIENT: &str = "conformance-client-secret-jwt";
const SECRET: &str = "client-secret-jwt+/=&%:~-0123456789abcdefghijklmnop";

fn server(variable: &str) -> Url {
    std::env::var(variable)
        .unwrap_or_else(|_| {
            panic!("{variable} is not set: run conformance/run.sh, which starts the servers")
        })
        .parse()
        .unwrap()
}

fn key(name: &str) -> String {
    let path = format!(
        "{}/../tests/catalogue/keys/{name}",
        env!("CARGO_MANIFEST_DIR")
    );
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

/// The token endpoint's URL, which oidc-provider accepts as `aud`.
fn token_endpoint(url: &Url) -> String {
    url.join("token").unwrap().to_string()
}

fn rs256_client(url: Url, audience: String, pem: &str) -> rs256::Client {
    rs256::Client::new(
        rs256::Config::new(rs256::Environment::Server(url), audience),
        rs256::Credentials::new(KEY_CLIENT, key(pem)),
    )
    .unwrap()
}

fn report(shape: &str, outcome: &str) {
    println!("conformance | oidc-provider | {shape} | {outcome}");
}

/// A typed rejection naming `invalid_client`, without the key material.
fn assert_rejected(error: Error, key_pem: &str) -> String {
    assert!(error.is_rejection(), "{error:?}");
    assert!(!error.is_transient());
    let shown = error.to_string();
    assert!(
        shown.contains("401") && shown.contains("invalid_client"),
        "{shown}"
    );
    let body_line = key_pem.lines().nth(1).unwrap();
    assert!(!shown.contains(body_line), "the key leaked: {shown}");
    shown
}

#[tokio::test]
#[ignore = "needs the servers of conformance/run.sh"]
async fn private_key_jwt_rs256_es256_and_eddsa_are_accepted() {
    let url = server("OIDC_PROVIDER_URL");
    let audience = token_endpoint(&url);
    let tokens = [
        rs256_client(url.clone(), audience.clone(), "rsa_pkcs8.pem")
            .fetch_token()
            .await,
        // The PKCS#1 form of the same RSA key.
        rs256_client(url.clone(), audience.clone(), "rsa_pkcs1.pem")
            .fetch_token()
            .await,
        es256::Client::new(
            es256::Config::new(es256::Environment::Server(url.clone()), audience.clone()),
            es256::Credentials::new(KEY_CLIENT, key("ec_p256.p8")),
        )
        .unwrap()
        .fetch_token()
        .await,
        eddsa::Client::new(
            eddsa::Config::new(eddsa::Environment::Server(url.clone()), audience.clone()),
            eddsa::Credentials::new(KEY_CLIENT, key("ed25519.pem")),
        )
        .unwrap()
        .fetch_token()
        .await,
    ];
    for (token, shape) in
        tokens
            .into_iter()
            .zip(["RS256 (PKCS#8)", "RS256 (PKCS#1)", "ES256", "EdDSA"])
    {
        let token = token.unwrap_or_else(|e| panic!("{shape}: {e}"));
        assert!(!token.access_token().expose_secret().is_empty());
        assert_eq!(token.scope(), Some("api:read"));
        assert!(token.lifetime().as_secs() > 0);
        report(
            &format!("client_credentials, private_key_jwt {shape}"),
            "token issued",
        );
    }
}

#[tokio::test]
#[ignore = "needs the servers of conformance/run.sh"]
async fn client_secret_jwt_hs256_is_accepted() {
    let url = server("OIDC_PROVIDER_URL");
    let client = secret_jwt::Client::new(
        secret_jwt::Config::new(
            secret_jwt::Environment::Server(url.clone()),
            token_endpoint(&url),
        ),
        secret_jwt::Credentials::new(SECRET_CLIENT, SECRET),
    )
    .unwrap();
    let token = client.fetch_token().await.unwrap();
    assert_eq!(token.scope(), Some("api:read"));
    report(
        "client_credentials, client_secret_jwt HS256",
        "token issued",
    );

    let wrong = secret_jwt::Client::new(
        secret_jwt::Config::new(
            secret_jwt::Environment::Server(url.clone()),
            token_endpoint(&url),
        ),
        secret_jwt::Credentials::new(
            SECRET_CLIENT,
            "another-secret-of-the-same-length-0123456789abcdef",
        ),
    )
    .unwrap();
    let shown = assert_rejected(wrong.fetch_token().await.unwrap_err(), "x\nanother-secret");
    report(
        "client_credentials, client_secret_jwt with a wrong secret",
        &format!("typed rejection: {shown}"),
    );
}

#[tokio::test]
#[ignore = "needs the servers of conformance/run.sh"]
async fn each_assertion_is_fresh_so_repeated_tokens_are_issued() {
    // oidc-provider refuses a jti it has seen: a second token through the
    // manager (after a forced renewal) needs a newly signed assertion.
    let url = server("OIDC_PROVIDER_URL");
    let tokens = TokenManager::new(rs256_client(
        url.clone(),
        token_endpoint(&url),
        "rsa_pkcs8.pem",
    ));
    let first = tokens.token().await.unwrap();
    tokens.invalidate(&first);
    let second = tokens.token().await.unwrap();
    assert!(second.generation() > first.generation());
    assert_ne!(
        first.token().access_token().expose_secret(),
        second.token().access_token().expose_secret()
    );
    report(
        "client_credentials, private_key_jwt twice",
        "two assertions, two tokens",
    );
}

#[tokio::test]
#[ignore = "needs the servers of conformance/run.sh"]
async fn a_wrong_key_is_a_typed_rejection() {
    let url = server("OIDC_PROVIDER_URL");
    let error = rs256_client(url.clone(), token_endpoint(&url), "rsa_other.pem")
        .fetch_token()
        .await
        .unwrap_err();
    let shown = assert_rejected(error, &key("rsa_other.pem"));
    report(
        "client_credentials, private_key_jwt with a key the server does not hold",
        &format!("typed rejection: {shown}"),
    );
}

#[tokio::test]
#[ignore = "needs the servers of conformance/run.sh"]
async fn a_wrong_audience_is_a_typed_rejection() {
    let url = server("OIDC_PROVIDER_URL");
    let error = rs256_client(
        url.clone(),
        "https://some-other-server.example/token".into(),
        "rsa_pkcs8.pem",
    )
    .fetch_token()
    .await
    .unwrap_err();
    let shown = assert_rejected(error, &key("rsa_pkcs8.pem"));
    report(
        "client_credentials, private_key_jwt for another audience",
        &format!("typed rejection: {shown}"),
    );
}

#[tokio::test]
#[ignore = "needs the servers of conformance/run.sh"]
async fn an_expired_assertion_is_a_typed_rejection() {
    // This server's clock runs two hours ahead: the five-minute assertion
    // signed now has long expired by it.
    let url = server("OIDC_PROVIDER_AHEAD_URL");
    let error = rs256_client(url.clone(), token_endpoint(&url), "rsa_pkcs8.pem")
        .fetch_token()
        .await
        .unwrap_err();
    let shown = assert_rejected(error, &key("rsa_pkcs8.pem"));
    report(
        "client_credentials, private_key_jwt expired by the server's clock",
        &format!("typed rejection: {shown}"),
    );
}
