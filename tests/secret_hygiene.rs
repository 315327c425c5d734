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
use vendor_auth::{derbysoft_ai_voice, derbysoft_ticket, revoiceit, voipex};
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

    drop(_guard);
    let logs = String::from_utf8(capture.0.lock().unwrap().clone()).unwrap();
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
