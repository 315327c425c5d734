//! Signed assertions end to end through the compiled fixtures: a JWT bearer
//! grant whose key and claims come from a JSON key file, `client_secret_jwt`
//! on revoke, and a self-issued token. Every JWT is checked with jsonwebtoken
//! on its RustCrypto backend, an implementation independent of the signer.

use base64::Engine as _;
use private_vendor::fixtures::{self_issued_vendor as selfie, signed_vendor as signed};
use serde_json::{Value, json};
use vendor_auth::{Error, ExposeSecret, TokenClient, TokenManager, Url};
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, Request, ResponseTemplate};

fn key(name: &str) -> String {
    let path = format!("{}/../catalogue/keys/{name}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

fn unix_now() -> i64 {
    time::OffsetDateTime::now_utc().unix_timestamp()
}

/// Header and claims of `jwt`, after checking its signature.
fn verified(jwt: &str, key: jsonwebtoken::DecodingKey, alg: &str) -> (Value, Value) {
    let mut validation = jsonwebtoken::Validation::new(alg.parse().unwrap());
    validation.validate_aud = false;
    validation.required_spec_claims.clear();
    validation.leeway = 0;
    let claims = jsonwebtoken::decode::<Value>(jwt, &key, &validation)
        .unwrap_or_else(|e| panic!("the JWT does not verify: {e}"))
        .claims;
    let header = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(jwt.split('.').next().unwrap())
        .unwrap();
    (serde_json::from_slice(&header).unwrap(), claims)
}

fn rsa_public() -> jsonwebtoken::DecodingKey {
    jsonwebtoken::DecodingKey::from_rsa_pem(key("rsa_public.pem").as_bytes()).unwrap()
}

fn form_field(request: &Request, name: &str) -> String {
    url::form_urlencoded::parse(&request.body)
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.into_owned())
        .unwrap_or_else(|| panic!("no form field {name}"))
}

fn key_file(private_key: &str) -> String {
    json!({
        "type": "service_account",
        "client_email": "robot@project.iam.example",
        "private_key_id": "5d1c0ffee",
        "private_key": private_key,
        "client_id": "1234567890",
    })
    .to_string()
}

async fn token_server() -> MockServer {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/token"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(json!({ "access_token": "at-1", "expires_in": 3600 })),
        )
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path("/revoke"))
        .respond_with(ResponseTemplate::new(200))
        .mount(&server)
        .await;
    server
}

fn signed_client(server: &MockServer, key_pem: &str) -> Result<signed::Client, Error> {
    signed::Client::new(
        signed::Environment::Custom(Url::parse(&server.uri()).unwrap()),
        signed::Credentials::new(key_file(key_pem), "a-shared-secret-of-32-bytes-ok!!"),
    )
}

#[tokio::test]
async fn a_jwt_bearer_grant_signs_every_declared_claim() {
    let server = token_server().await;
    for pem in ["rsa_pkcs8.pem", "rsa_pkcs1.pem"] {
        let client = signed_client(&server, &key(pem)).unwrap();
        let token = client.fetch_token().await.unwrap();
        assert_eq!(token.access_token().expose_secret(), "at-1");
    }
    let requests = server.received_requests().await.unwrap();
    let mut ids = Vec::new();
    for request in &requests {
        let fields: Vec<(String, String)> = url::form_urlencoded::parse(&request.body)
            .map(|(k, v)| (k.into_owned(), v.into_owned()))
            .collect();
        let names: Vec<&str> = fields.iter().map(|(k, _)| k.as_str()).collect();
        assert_eq!(names, ["grant_type", "assertion"]);
        assert_eq!(fields[0].1, "urn:ietf:params:oauth:grant-type:jwt-bearer");
        let (header, claims) = verified(&fields[1].1, rsa_public(), "RS256");
        assert_eq!(
            header,
            json!({ "alg": "RS256", "typ": "JWT", "kid": "5d1c0ffee" })
        );
        let iat = claims["iat"].as_i64().unwrap();
        // Backdated by 30 s; the test ran within a few seconds.
        assert!((unix_now() - 30 - iat).abs() <= 5, "iat {iat}");
        let jti = claims["jti"].as_str().unwrap().to_owned();
        assert!(uuid::Uuid::parse_str(&jti).is_ok());
        ids.push(jti);
        assert_eq!(
            claims,
            json!({
                "iss": "robot@project.iam.example",
                "scope": "read write",
                "aud": "https://auth.signed.example/token",
                "jti": ids.last().unwrap(),
                "extra": { "list": [1, "read write"], "flag": true },
                "iat": iat,
                "nbf": iat,
                "exp": iat + 3600,
            }),
            "the optional `sub` is left out while unset"
        );
    }
    assert_eq!(ids.len(), 2);
    assert_ne!(ids[0], ids[1], "a fresh jti per assertion");
}

#[tokio::test]
async fn client_secret_jwt_revokes_with_an_hmac_assertion() {
    let server = token_server().await;
    let client = signed_client(&server, &key("rsa_pkcs8.pem")).unwrap();
    let token = client.fetch_token().await.unwrap();
    client.revoke_token(&token).await.unwrap();
    let requests = server.received_requests().await.unwrap();
    let revoke = &requests[1];
    assert_eq!(form_field(revoke, "token"), "at-1");
    assert_eq!(
        form_field(revoke, "client_assertion_type"),
        "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
    );
    let secret = jsonwebtoken::DecodingKey::from_secret(b"a-shared-secret-of-32-bytes-ok!!");
    let (header, claims) = verified(&form_field(revoke, "client_assertion"), secret, "HS256");
    assert_eq!(header, json!({ "alg": "HS256", "typ": "JWT" }));
    assert_eq!(claims["aud"], "https://auth.signed.example/revoke");
    assert_eq!(
        claims["exp"].as_i64().unwrap() - claims["iat"].as_i64().unwrap(),
        60
    );
    // A wrong secret does not verify it.
    let wrong = jsonwebtoken::DecodingKey::from_secret(b"another-secret");
    let mut validation = jsonwebtoken::Validation::new(jsonwebtoken::Algorithm::HS256);
    validation.validate_aud = false;
    assert!(
        jsonwebtoken::decode::<Value>(&form_field(revoke, "client_assertion"), &wrong, &validation)
            .is_err()
    );
}

#[tokio::test]
async fn bad_keys_fail_client_new_without_echoing_them() {
    let server = token_server().await;
    let ec = key("ec_p256.p8");
    let cases: Vec<(String, &str)> = vec![
        (key_file("not a key at all"), "is not a PEM private key"),
        (key_file(&ec), "is not a usable RSA private key"),
        (
            json!({ "client_email": "a", "private_key_id": "b" }).to_string(),
            "has no string field `private_key`",
        ),
        (
            json!({ "client_email": 7, "private_key_id": "b", "private_key": "c" }).to_string(),
            "a field is not a string",
        ),
        ("{\"private_key\": \"MIIEv".to_owned(), "it ends early"),
        (
            "-----BEGIN PRIVATE KEY-----".to_owned(),
            "it is not valid JSON",
        ),
    ];
    for (file, expected) in cases {
        let error = signed::Client::new(
            signed::Environment::Custom(Url::parse(&server.uri()).unwrap()),
            signed::Credentials::new(file.clone(), "secret"),
        )
        .unwrap_err()
        .to_string();
        assert!(error.contains(expected), "{error}");
        assert!(error.contains("key_file"), "names the credential: {error}");
        let ec_body = ec.lines().nth(1).unwrap();
        for secret in ["MIIEv", "not a key at all", ec_body] {
            assert!(!error.contains(secret), "echoes the key: {error}");
        }
    }
    // The EC key as PEM is accepted where its algorithm is.
    let client = selfie::Client::new(
        selfie::Config::new(selfie::Environment::Production, "issuer-1"),
        selfie::Credentials::new("KEY123", key("ec_p256_sec1.pem")),
    )
    .unwrap();
    let debug = format!("{client:?}");
    assert!(
        !debug.contains("BEGIN") && !debug.contains("KEY123"),
        "{debug}"
    );
    assert!(debug.contains("ES256"), "{debug}");
}

#[tokio::test]
async fn a_self_issued_token_is_signed_once_per_lifetime() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/v1/apps"))
        .respond_with(ResponseTemplate::new(200))
        .mount(&server)
        .await;
    let client = selfie::Client::new(
        selfie::Config::new(
            selfie::Environment::Custom(Url::parse(&server.uri()).unwrap()),
            "57246542-96fe-1a63-e053-0824d011072a",
        ),
        selfie::Credentials::new("2X9R4HXF34", key("ec_p256.p8")),
    )
    .unwrap();
    let tokens = TokenManager::new(client);
    let first = tokens.token().await.unwrap();
    let lifetime = first.token().lifetime().as_secs();
    assert!((1195..=1200).contains(&lifetime), "{lifetime}");
    for _ in 0..3 {
        let status = tokens
            .send(reqwest::Client::new().get(format!("{}/v1/apps", server.uri())))
            .await
            .unwrap()
            .status();
        assert_eq!(status, 200);
    }
    let requests = server.received_requests().await.unwrap();
    let bearers: Vec<String> = requests
        .iter()
        .map(|r| r.headers["authorization"].to_str().unwrap().to_owned())
        .collect();
    assert!(
        bearers.iter().all(|b| *b == bearers[0]),
        "one signature for three calls"
    );
    assert!(
        requests
            .iter()
            .all(|r| r.headers["x-key-type"] == "KEYPAIR_JWT")
    );
    let jwt = bearers[0].strip_prefix("Bearer ").unwrap();
    assert_eq!(jwt, first.token().access_token().expose_secret());
    let public =
        jsonwebtoken::DecodingKey::from_ec_pem(key("ec_p256_public.pem").as_bytes()).unwrap();
    let (header, claims) = verified(jwt, public, "ES256");
    assert_eq!(
        header,
        json!({ "alg": "ES256", "typ": "JWT", "kid": "2X9R4HXF34" })
    );
    let iat = claims["iat"].as_i64().unwrap();
    assert!((unix_now() - iat).abs() <= 5);
    assert_eq!(
        claims,
        json!({
            "iss": "57246542-96fe-1a63-e053-0824d011072a",
            "aud": "self-issued-v1",
            "ver": 1,
            // openssl pkey -pubin -in ec_p256_public.pem -outform DER | openssl dgst -sha256 -binary | base64
            "key": format!("SHA256:{EC_P256_FINGERPRINT}"),
            "iat": iat,
            "exp": iat + 1200,
        })
    );
}

/// Base64 of the SHA-256 of `ec_p256_public.pem`'s DER, computed with
/// openssl, independently of the runtime.
const EC_P256_FINGERPRINT: &str = include_str!("../../catalogue/keys/ec_p256_public.sha256");

#[test]
fn each_environment_brings_its_own_defaults() {
    let production = selfie::Config::new(selfie::Environment::Production, "i");
    assert_eq!(
        (production.audience.as_str(), production.version),
        ("self-issued-v1", 1)
    );
    let sandbox = selfie::Config::new(selfie::Environment::Sandbox, "i");
    assert_eq!(
        (sandbox.audience.as_str(), sandbox.version),
        ("self-issued-sandbox", 2)
    );
    // A custom URL keeps the variable's own default.
    let custom = selfie::Config::new(
        selfie::Environment::Custom(Url::parse("https://proxy.example").unwrap()),
        "i",
    );
    assert_eq!(custom.audience, "self-issued-v1");
}

#[tokio::test(start_paused = true)]
async fn a_self_issued_token_is_signed_anew_before_it_expires() {
    let client = selfie::Client::new(
        selfie::Config::new(selfie::Environment::Production, "issuer"),
        selfie::Credentials::new("KID", key("ec_p256.p8")),
    )
    .unwrap();
    let tokens = TokenManager::new(client);
    let first = tokens.token().await.unwrap();
    // Refresh-ahead renews in the background a minute before expiry.
    tokio::time::sleep(std::time::Duration::from_secs(1200 - 30)).await;
    // The caller in the refresh-ahead window still gets the valid token and
    // starts the renewal, which signs a new one.
    let _ = tokens.token().await.unwrap();
    tokio::time::sleep(std::time::Duration::from_secs(1)).await;
    let second = tokens.token().await.unwrap();
    assert!(second.generation() > first.generation());
    assert_ne!(
        second.token().access_token().expose_secret(),
        first.token().access_token().expose_secret()
    );
}
