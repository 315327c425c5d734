//! Representative flows run with known secret values; every `Debug` and
//! `Display` string, error and `tracing` event they produce is scanned for
//! those values. Zero hits allowed.
//!
//! It is the only test of its binary: tracing caches per call site whether
//! anyone listens, and tests running beside it on other threads would make
//! a thread-local subscriber miss events.
//!
//! reqwest logs through the `log` crate, not `tracing`: a `LogTracer` bridges
//! those records in, and a planted record proves that they arrive.

use std::io::Write;
use std::sync::{Arc, Mutex};

use serde_json::json;
use tracing_subscriber::filter::{LevelFilter, Targets};
use tracing_subscriber::layer::SubscriberExt;
use vendor_auth::{TokenClient, TokenManager, Url};
use vendor_auth::{
    derbysoft_ai_voice, derbysoft_ticket, okta_private_key_jwt as okta, revoiceit,
    snowflake_key_pair as snowflake, voipex,
};
use wiremock::matchers::{any, body_string_contains, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

const CLIENT_SECRET: &str = "SECRET-client-secret-1";
const PASSWORD: &str = "SECRET-password-2";
const ACCESS_TOKEN: &str = "SECRET-access-3";
const REFRESH_TOKEN: &str = "SECRET-refresh-4";
const ROTATED_REFRESH_TOKEN: &str = "SECRET-refresh-5";
/// Not a secret of the flows: logged on purpose to prove the capture works.
const PLANTED: &str = "PLANTED-leak-6";
const SECRETS: [&str; 5] = [
    CLIENT_SECRET,
    PASSWORD,
    ACCESS_TOKEN,
    REFRESH_TOKEN,
    ROTATED_REFRESH_TOKEN,
];

#[derive(Clone, Default)]
struct Capture(Arc<Mutex<Vec<u8>>>);

impl Write for Capture {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

fn url(server: &MockServer) -> Url {
    Url::parse(&server.uri()).unwrap()
}

#[tokio::test(flavor = "current_thread")]
async fn no_secret_reaches_any_output() {
    let capture = Capture::default();
    let writer = capture.clone();
    tracing_log::LogTracer::init().expect("the only logger of this test binary");
    let targets = Targets::new()
        .with_target("vendor_auth", LevelFilter::TRACE)
        .with_target("reqwest", LevelFilter::TRACE)
        .with_target("hyper", LevelFilter::TRACE)
        .with_target("hyper_util", LevelFilter::TRACE)
        .with_target("rustls", LevelFilter::TRACE);
    let subscriber = tracing_subscriber::registry()
        .with(
            tracing_subscriber::fmt::layer()
                .with_ansi(false)
                .with_writer(move || writer.clone()),
        )
        .with(targets);
    let _guard = tracing::subscriber::set_default(subscriber);

    // A leak planted where reqwest logs: the scan below must see it.
    log::debug!(target: "reqwest::connect", "planted {PLANTED}");

    let mut shown: Vec<String> = Vec::new();
    let mut show = |text: String| shown.push(text);

    // AI Voice: credentials in the query string; success, rejection, no server.
    let server = MockServer::start().await;
    Mock::given(path("/authorizer/token"))
        .respond_with(ResponseTemplate::new(200).set_body_json(
            json!({ "access_token": ACCESS_TOKEN, "expires_in": 84400, "token_type": "Bearer" }),
        ))
        .up_to_n_times(1)
        .with_priority(1)
        .mount(&server)
        .await;
    Mock::given(any())
        .respond_with(ResponseTemplate::new(401))
        .with_priority(2)
        .mount(&server)
        .await;
    let credentials = derbysoft_ai_voice::Credentials::new("id", CLIENT_SECRET);
    show(format!("{credentials:?}"));
    let config =
        derbysoft_ai_voice::Config::new(derbysoft_ai_voice::Environment::Custom(url(&server)), "x");
    let client = derbysoft_ai_voice::Client::new(config, credentials.clone()).unwrap();
    show(format!("{client:?}"));
    let tokens = TokenManager::new(client.clone());
    let cached = tokens.token().await.unwrap();
    show(format!("{cached:?} {tokens:?} {:?}", cached.token()));
    show(format!(
        "{:?}",
        client.authorization().headers(cached.token()).unwrap()
    ));
    let error = client.fetch_token().await.unwrap_err();
    show(format!("{error} {error:?}"));
    let closed = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap();
    let config = derbysoft_ai_voice::Config::new(
        derbysoft_ai_voice::Environment::Custom(format!("http://{closed}").parse().unwrap()),
        "x",
    );
    let unreachable = derbysoft_ai_voice::Client::new(config, credentials).unwrap();
    let error = TokenManager::builder()
        .retry(vendor_auth::RetryPolicy::never())
        .build(unreachable)
        .token()
        .await
        .unwrap_err();
    show(format!("{error} {error:?}"));

    // Voipex: password grant, refresh with rotation, then a rejected refresh.
    let server = MockServer::start().await;
    Mock::given(body_string_contains("grant_type=password"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "access_token": ACCESS_TOKEN, "expires_in": 1, "refresh_token": REFRESH_TOKEN, "token_type": "Bearer"
        })))
        .mount(&server)
        .await;
    Mock::given(body_string_contains(REFRESH_TOKEN))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "access_token": ACCESS_TOKEN, "expires_in": 1, "refresh_token": ROTATED_REFRESH_TOKEN, "token_type": "Bearer"
        })))
        .mount(&server)
        .await;
    Mock::given(body_string_contains(ROTATED_REFRESH_TOKEN))
        .respond_with(ResponseTemplate::new(400).set_body_json(
            json!({ "error": "invalid_grant", "error_description": "Token is not active" }),
        ))
        .mount(&server)
        .await;
    let client = voipex::Client::new(
        voipex::Environment::Custom(url(&server)),
        voipex::Credentials::new("user@example.com", PASSWORD),
    )
    .unwrap();
    let tokens = TokenManager::new(client.clone());
    for _ in 0..3 {
        let cached = tokens.token().await.unwrap();
        show(format!("{cached:?}"));
        tokio::time::sleep(std::time::Duration::from_millis(1000)).await;
    }
    let token = client.fetch_token().await.unwrap();
    let rotated = client.refresh_token(&token).await.unwrap();
    let error = client.refresh_token(&rotated).await.unwrap_err();
    show(format!(
        "{error} {error:?} {:?}",
        client.token().await.unwrap()
    ));

    // Revoiceit revoke, and DerbySoft Ticket's Basic credentials on a 401.
    let server = MockServer::start().await;
    Mock::given(path("/auth/token"))
        .respond_with(
            ResponseTemplate::new(200).set_body_json(
                json!({ "accessToken": ACCESS_TOKEN, "refreshToken": REFRESH_TOKEN }),
            ),
        )
        .mount(&server)
        .await;
    Mock::given(path("/auth/revoke"))
        .respond_with(ResponseTemplate::new(500))
        .mount(&server)
        .await;
    let client = revoiceit::Client::new(
        revoiceit::Environment::Custom(url(&server)),
        revoiceit::Credentials::new("id", CLIENT_SECRET),
    )
    .unwrap();
    let tokens = TokenManager::builder()
        .retry(vendor_auth::RetryPolicy::never())
        .build(client);
    tokens.token().await.unwrap();
    let error = tokens.revoke().await.unwrap_err();
    show(format!("{error} {error:?}"));

    let server = MockServer::start().await;
    Mock::given(any())
        .respond_with(
            ResponseTemplate::new(401)
                .set_body_json(json!({ "error": "invalid_client", "echo": CLIENT_SECRET })),
        )
        .mount(&server)
        .await;
    let client = derbysoft_ticket::Client::new(
        derbysoft_ticket::Environment::Custom(url(&server)),
        derbysoft_ticket::Credentials::new("id", CLIENT_SECRET),
    )
    .unwrap();
    let error = client.fetch_token().await.unwrap_err();
    show(format!("{error} {error:?}"));

    // Signed assertions: a server that echoes the assertion back in its
    // error, a key that fails to parse, and a self-issued token. Neither the
    // private key nor the assertion may show.
    let private_key = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/catalogue/keys/rsa_pkcs8.pem"
    ))
    .unwrap();
    let server = MockServer::start().await;
    Mock::given(any())
        .respond_with(|request: &wiremock::Request| {
            let assertion = url::form_urlencoded::parse(&request.body)
                .find(|(k, _)| k == "client_assertion")
                .map(|(_, v)| v.into_owned())
                .unwrap_or_default();
            ResponseTemplate::new(401).set_body_json(json!({
                "error": "invalid_client",
                "error_description": format!("The client_assertion {assertion} is invalid.")
            }))
        })
        .mount(&server)
        .await;
    let config = okta::Config::new(
        okta::Environment::Custom(url(&server)),
        "example.okta.com",
        "kid-1",
        "okta.users.read",
    );
    let credentials = okta::Credentials::new("0oa1client", private_key.clone());
    show(format!("{credentials:?}"));
    let client = okta::Client::new(config.clone(), credentials).unwrap();
    show(format!("{client:?}"));
    let error = client.fetch_token().await.unwrap_err();
    show(format!("{error} {error:?}"));
    let broken = private_key.replace("MII", "MIX");
    let error =
        okta::Client::new(config, okta::Credentials::new("0oa1client", broken)).unwrap_err();
    show(format!("{error} {error:?}"));
    let assertion = server.received_requests().await.unwrap()[0].clone();
    let assertion: String = url::form_urlencoded::parse(&assertion.body)
        .find(|(k, _)| k == "client_assertion")
        .map(|(_, v)| v.into_owned())
        .unwrap();
    let selfie = snowflake::Client::new(
        snowflake::Config::new(snowflake::Environment::Production, "acct", "user"),
        snowflake::Credentials::new(private_key.clone()),
    )
    .unwrap();
    let tokens = TokenManager::new(selfie);
    let cached = tokens.token().await.unwrap();
    let self_issued =
        vendor_auth::ExposeSecret::expose_secret(cached.token().access_token()).to_owned();
    show(format!("{cached:?} {tokens:?}"));

    drop(_guard);
    let logs = String::from_utf8(capture.0.lock().unwrap().clone()).unwrap();
    // Every line of the key's body, the assertion and the self-issued token.
    let key_lines: Vec<&str> = private_key
        .lines()
        .filter(|l| !l.starts_with("-----"))
        .collect();
    // Of the JWTs, any 24 characters after the (public) header: a message
    // that cuts the echo short must not show a piece of it either.
    let pieces = |jwt: &str| -> Vec<String> {
        let (_, rest) = jwt.split_once('.').unwrap();
        rest.as_bytes()
            .windows(24)
            .map(|w| String::from_utf8(w.to_vec()).unwrap())
            .collect()
    };
    let mut signing_secrets: Vec<String> = key_lines.iter().map(|l| l.to_string()).collect();
    signing_secrets.extend(pieces(&assertion));
    signing_secrets.extend(pieces(&self_issued));
    for secret in &signing_secrets {
        assert!(
            !logs.contains(secret.as_str()),
            "a signing secret leaked into the logs:\n{logs}"
        );
        for text in &shown {
            assert!(
                !text.contains(secret.as_str()),
                "a signing secret leaked into {text}"
            );
        }
    }
    assert!(
        logs.contains("token fetched"),
        "the flows were logged: {logs}"
    );
    assert!(
        logs.contains(PLANTED),
        "a record logged through `log` under reqwest's target is captured: {logs}"
    );
    assert!(
        logs.lines()
            .any(|l| l.contains("reqwest::") && !l.contains(PLANTED)),
        "reqwest's own records are captured too: {logs}"
    );
    assert!(logs.contains("token refreshed"), "{logs}");
    assert!(logs.contains("requesting a new token"), "{logs}");
    for secret in SECRETS {
        assert!(
            !logs.contains(secret),
            "{secret} leaked into the logs:\n{logs}"
        );
        for text in &shown {
            assert!(!text.contains(secret), "{secret} leaked into {text}");
        }
    }
}
