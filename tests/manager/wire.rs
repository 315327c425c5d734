//! The manager with generated clients against local servers, in real time.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use serde_json::json;
use vendor_auth::{ExposeSecret, TokenManager, Url};
use vendor_auth::{derbysoft_ai_voice, verbio, voipex};
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, Request, ResponseTemplate};

fn url(server: &MockServer) -> Url {
    Url::parse(&server.uri()).unwrap()
}

fn verbio_token(access_token: &str) -> ResponseTemplate {
    let expires = time::OffsetDateTime::now_utc().unix_timestamp() + 3600;
    ResponseTemplate::new(200)
        .set_body_json(json!({ "access_token": access_token, "expiration_time": expires }))
}

fn verbio(server: &MockServer) -> TokenManager<verbio::Client> {
    TokenManager::new(
        verbio::Client::new(
            verbio::Environment::Custom(url(server)),
            verbio::Credentials::new("id", "secret"),
        )
        .unwrap(),
    )
}

async fn token_requests(server: &MockServer) -> usize {
    server
        .received_requests()
        .await
        .unwrap()
        .iter()
        .filter(|r| r.url.path() == "/api/v1/token")
        .count()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ten_thousand_concurrent_callers_make_one_request() {
    let server = MockServer::start().await;
    Mock::given(path("/api/v1/token"))
        .respond_with(verbio_token("t").set_delay(Duration::from_millis(200)))
        .mount(&server)
        .await;
    let tokens = verbio(&server);
    let callers: Vec<_> = (0..10_000)
        .map(|_| {
            let tokens = tokens.clone();
            tokio::spawn(async move { tokens.token().await.map(|c| c.generation()) })
        })
        .collect();
    for caller in callers {
        assert_eq!(caller.await.unwrap().unwrap(), 1);
    }
    assert_eq!(token_requests(&server).await, 1);
    drop_after_yield(server).await;
}

/// Drops a mock server with a fresh tokio coop budget. `MockServer`'s `Drop`
/// polls a tokio lock from a blocking executor inside this task; after
/// thousands of awaits the task's budget can be spent, and a spent budget
/// makes that poll return `Pending` forever: the test spins at 100% CPU
/// (seen once in ~75 runs, stack taken with gdb). Yielding renews the budget.
async fn drop_after_yield(server: MockServer) {
    tokio::task::yield_now().await;
    drop(server);
}

/// An API that answers 401 to the first `rejections` calls, then 200.
async fn api(server: &MockServer, rejections: usize) -> Arc<AtomicUsize> {
    let calls = Arc::new(AtomicUsize::new(0));
    let seen = Arc::clone(&calls);
    Mock::given(path("/api/data"))
        .respond_with(move |_: &Request| {
            let n = seen.fetch_add(1, Ordering::SeqCst);
            ResponseTemplate::new(if n < rejections { 401 } else { 200 })
        })
        .mount(server)
        .await;
    calls
}

#[tokio::test]
async fn a_401_renews_the_token_and_replays_once() {
    let server = MockServer::start().await;
    let issued = Arc::new(AtomicUsize::new(0));
    let counter = Arc::clone(&issued);
    Mock::given(path("/api/v1/token"))
        .respond_with(move |_: &Request| {
            verbio_token(&format!("t{}", counter.fetch_add(1, Ordering::SeqCst) + 1))
        })
        .mount(&server)
        .await;
    let calls = api(&server, 1).await;
    let tokens = verbio(&server);
    let response = tokens
        .send(reqwest::Client::new().get(format!("{}/api/data", server.uri())))
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    assert_eq!(calls.load(Ordering::SeqCst), 2);
    assert_eq!(token_requests(&server).await, 2);
    let auth: Vec<String> = server
        .received_requests()
        .await
        .unwrap()
        .iter()
        .filter(|r| r.url.path() == "/api/data")
        .map(|r| r.headers["authorization"].to_str().unwrap().to_owned())
        .collect();
    assert_eq!(
        auth,
        ["Bearer t1", "Bearer t2"],
        "the replay carries the new token"
    );
}

#[tokio::test]
async fn a_persistent_401_is_replayed_once_and_never_loops() {
    let server = MockServer::start().await;
    Mock::given(path("/api/v1/token"))
        .respond_with(verbio_token("t"))
        .mount(&server)
        .await;
    let calls = api(&server, usize::MAX).await;
    let tokens = verbio(&server);
    let response = tokens
        .send(reqwest::Client::new().get(format!("{}/api/data", server.uri())))
        .await
        .unwrap();
    assert_eq!(response.status(), 401);
    assert_eq!(calls.load(Ordering::SeqCst), 2);
    assert_eq!(token_requests(&server).await, 2);
}

/// An API that refuses every token: once a freshly fetched token is refused
/// too, further 401s do not fetch a token per call.
#[tokio::test]
async fn repeated_401s_do_not_fetch_a_token_per_call() {
    let server = MockServer::start().await;
    Mock::given(path("/api/v1/token"))
        .respond_with(verbio_token("t"))
        .mount(&server)
        .await;
    let calls = api(&server, usize::MAX).await;
    let tokens = verbio(&server);
    for _ in 0..10 {
        let response = tokens
            .send(reqwest::Client::new().get(format!("{}/api/data", server.uri())))
            .await
            .unwrap();
        assert_eq!(response.status(), 401);
    }
    // The first send: one call, a new token, the replay; then one call each.
    assert_eq!(calls.load(Ordering::SeqCst), 11);
    assert_eq!(token_requests(&server).await, 2);
}

#[tokio::test]
async fn a_503_then_200_is_retried() {
    let server = MockServer::start().await;
    Mock::given(path("/api/v1/token"))
        .respond_with(ResponseTemplate::new(503))
        .up_to_n_times(1)
        .with_priority(1)
        .mount(&server)
        .await;
    Mock::given(path("/api/v1/token"))
        .respond_with(verbio_token("t"))
        .with_priority(2)
        .mount(&server)
        .await;
    let cached = verbio(&server).token().await.unwrap();
    assert_eq!(cached.token().access_token().expose_secret(), "t");
    assert_eq!(token_requests(&server).await, 2);
}

#[tokio::test]
async fn invalid_client_is_not_retried() {
    let server = MockServer::start().await;
    Mock::given(path("/api/v1/token"))
        .respond_with(
            ResponseTemplate::new(401).set_body_json(json!({ "error": "invalid_client" })),
        )
        .mount(&server)
        .await;
    let error = verbio(&server).token().await.unwrap_err();
    assert_eq!(
        error.to_string(),
        "Verbio Speech Center token: HTTP 401 (There was a problem with the provided credentials.)"
    );
    assert_eq!(token_requests(&server).await, 1);
}

#[tokio::test]
async fn voipex_refreshes_with_its_refresh_token_and_keeps_the_rotated_one() {
    let server = MockServer::start().await;
    let issued = Arc::new(AtomicUsize::new(0));
    let counter = Arc::clone(&issued);
    Mock::given(method("POST"))
        .and(path("/token"))
        .respond_with(move |_: &Request| {
            let n = counter.fetch_add(1, Ordering::SeqCst) + 1;
            ResponseTemplate::new(200).set_body_json(json!({
                "access_token": format!("at-{n}"), "expires_in": 1, "refresh_expires_in": 7200,
                "refresh_token": format!("rt-{n}"), "token_type": "Bearer"
            }))
        })
        .mount(&server)
        .await;
    let client = voipex::Client::new(
        voipex::Environment::Custom(url(&server)),
        voipex::Credentials::new("u@example.com", "pw"),
    )
    .unwrap();
    let tokens = TokenManager::new(client);
    assert_eq!(
        tokens
            .token()
            .await
            .unwrap()
            .token()
            .access_token()
            .expose_secret(),
        "at-1"
    );
    for n in 2..=3 {
        tokio::time::sleep(Duration::from_millis(1100)).await;
        let cached = tokens.token().await.unwrap();
        assert_eq!(
            cached.token().access_token().expose_secret(),
            format!("at-{n}")
        );
    }
    let bodies: Vec<String> = server
        .received_requests()
        .await
        .unwrap()
        .iter()
        .map(|r| String::from_utf8(r.body.clone()).unwrap())
        .collect();
    assert_eq!(
        bodies[0],
        "client_id=api&username=u%40example.com&password=pw&grant_type=password"
    );
    assert_eq!(
        bodies[1],
        "client_id=api&grant_type=refresh_token&refresh_token=rt-1"
    );
    assert_eq!(
        bodies[2], "client_id=api&grant_type=refresh_token&refresh_token=rt-2",
        "the rotated refresh token is used"
    );
}

#[tokio::test]
async fn authorized_requests_carry_the_per_request_headers() {
    let server = MockServer::start().await;
    Mock::given(path("/authorizer/token"))
        .respond_with(ResponseTemplate::new(200).set_body_json(
            json!({ "access_token": "jwt", "expires_in": 84400, "token_type": "Bearer" }),
        ))
        .mount(&server)
        .await;
    Mock::given(path("/api/voice"))
        .respond_with(ResponseTemplate::new(200))
        .mount(&server)
        .await;
    let config = derbysoft_ai_voice::Config::new(
        derbysoft_ai_voice::Environment::Custom(url(&server)),
        "unused",
    );
    let tokens = TokenManager::new(
        derbysoft_ai_voice::Client::new(
            config,
            derbysoft_ai_voice::Credentials::new("id", "secret"),
        )
        .unwrap(),
    );
    let http = reqwest::Client::new();
    for _ in 0..2 {
        tokens
            .send(http.post(format!("{}/api/voice", server.uri())).body("{}"))
            .await
            .unwrap();
    }
    let calls: Vec<Request> = server
        .received_requests()
        .await
        .unwrap()
        .into_iter()
        .filter(|r| r.url.path() == "/api/voice")
        .collect();
    assert_eq!(calls.len(), 2);
    for call in &calls {
        assert_eq!(call.headers["authorization"], "Bearer jwt");
        assert_eq!(call.headers["content-type"], "application/json");
        let id = uuid::Uuid::parse_str(call.headers["request-id"].to_str().unwrap()).unwrap();
        assert!(!id.is_nil());
        assert_eq!(
            call.headers["request-time"].len(),
            "2025-05-16T09:30:00Z".len()
        );
    }
    assert_ne!(
        calls[0].headers["request-id"],
        calls[1].headers["request-id"]
    );
}
