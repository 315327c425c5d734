//! Numbers and failures from a vendor or a client never break the manager:
//! no panic from a vendor's `Retry-After`, none from a NaN setting, a
//! panicking renewal does not switch refresh-ahead off, and replaced tokens
//! leave no task behind.

use std::time::Duration;

use tokio::time::sleep;
use vendor_auth::{Error, ExposeSecret, RetryPolicy, Token, TokenManager};

use crate::fake::Fake;

const SECOND: Duration = Duration::from_secs(1);

#[tokio::test(start_paused = true)]
async fn a_huge_retry_after_is_a_typed_error_not_a_panic() {
    let fake = Fake::new(Duration::ZERO, |_| {
        Err(Error::Status {
            vendor: "Fake",
            operation: "token",
            status: 429,
            meaning: None,
            details: None,
            retry_after: Some(Duration::from_secs(u64::MAX)),
        })
    });
    let tokens = TokenManager::builder()
        .retry(RetryPolicy::default())
        .build(fake.clone());
    let error = tokens.token().await.unwrap_err();
    assert_eq!(error.status(), Some(429));
    assert_eq!(
        fake.fetch_count(),
        1,
        "the wait exceeds the budget: no retry"
    );
}

#[tokio::test(start_paused = true)]
async fn a_nan_jitter_is_no_jitter() {
    let fake = Fake::issuing(Duration::ZERO, 100 * SECOND);
    let tokens = TokenManager::builder().jitter(f64::NAN).build(fake.clone());
    let cached = tokens.token().await.unwrap();
    assert!(cached.refresh_at() > cached.token().received_at());
}

#[tokio::test(start_paused = true)]
async fn a_panicking_background_renewal_does_not_switch_refresh_ahead_off() {
    let fake = Fake::new(Duration::ZERO, |n| match n {
        2 => panic!("a client bug during the background renewal"),
        n => Ok(Token::new(format!("token-{n}"), 100 * SECOND)),
    });
    let tokens = TokenManager::builder()
        .refresh_ahead(10 * SECOND)
        .jitter(0.0)
        .expiry_margin(Duration::ZERO)
        .build(fake.clone());
    tokens.token().await.unwrap();
    sleep(95 * SECOND).await; // inside the window: renewal 2 starts and panics
    tokens.token().await.unwrap();
    sleep(SECOND).await;
    assert_eq!(fake.fetch_count(), 2);
    tokens.token().await.unwrap(); // still inside the window: renewal 3
    sleep(SECOND).await;
    assert_eq!(fake.fetch_count(), 3, "refresh-ahead still works");
    let cached = tokens.cached().unwrap();
    assert_eq!(cached.token().access_token().expose_secret(), "token-3");
}

#[tokio::test]
async fn replaced_tokens_leave_no_task_behind() {
    let fake = Fake::issuing(Duration::ZERO, 3600 * SECOND);
    let tokens = TokenManager::new(fake.clone());
    let metrics = tokio::runtime::Handle::current().metrics();
    tokens.token().await.unwrap();
    let before = metrics.num_alive_tasks();
    for _ in 0..2000 {
        let cached = tokens.token().await.unwrap().to_arc();
        tokens.invalidate(&cached);
        drop(cached);
    }
    tokens.token().await.unwrap();
    tokio::task::yield_now().await;
    let after = metrics.num_alive_tasks();
    assert!(fake.fetch_count() > 2000);
    assert!(
        after <= before + 2,
        "{before} tasks before 2,000 renewals, {after} after: timers leak"
    );
    drop(tokens);
    tokio::task::yield_now().await;
    assert!(
        metrics.num_alive_tasks() <= before,
        "a timer outlived its manager"
    );
}

/// A renewal queued before `revoke()` does not refill the cache with a token
/// that nobody will revoke: it fails with `Error::Revoked`.
#[tokio::test(start_paused = true)]
async fn revoke_is_final_for_renewals_queued_before_it() {
    let fake = Fake::issuing(2 * SECOND, 100 * SECOND);
    let tokens = TokenManager::new(fake.clone());
    let first = tokio::spawn({
        let tokens = tokens.clone();
        async move { tokens.token().await.map(|_| ()) }
    });
    sleep(Duration::from_millis(10)).await; // the fetch holds the renewal lock
    let revoke = tokio::spawn({
        let tokens = tokens.clone();
        async move { tokens.revoke().await }
    });
    sleep(Duration::from_millis(10)).await; // revoke queues first
    let queued = tokio::spawn({
        let tokens = tokens.clone();
        async move { tokens.token().await.map(|_| ()) }
    });
    first.await.unwrap().unwrap();
    revoke.await.unwrap().unwrap();
    let error = queued.await.unwrap().unwrap_err();
    assert!(matches!(error, Error::Revoked { .. }), "{error}");
    assert!(tokens.cached().is_none(), "the revoked cache stays empty");
    assert_eq!(fake.fetch_count(), 1);
    // A request made after the revocation starts afresh.
    tokens.token().await.unwrap();
    assert_eq!(fake.fetch_count(), 2);
}

mod vendor_text {
    use vendor_auth::{Error, TokenClient, Url, derbysoft_ticket as ticket};
    use wiremock::matchers::any;
    use wiremock::{Mock, MockServer, ResponseTemplate};

    const SECRET: &str = "s3cret-that-must-not-echo";

    async fn answering(status: u16, body: serde_json::Value) -> ticket::Client {
        let server = MockServer::start().await;
        Mock::given(any())
            .respond_with(ResponseTemplate::new(status).set_body_json(body))
            .mount(&server)
            .await;
        // Leaked on purpose: the server must outlive the returned client.
        let url = Url::parse(&format!("{}/token", server.uri())).unwrap();
        std::mem::forget(server);
        ticket::Client::new(
            ticket::Environment::Production(url),
            ticket::Credentials::new("id", SECRET),
        )
        .unwrap()
    }

    #[tokio::test]
    async fn an_empty_access_token_is_a_decode_error() {
        let client = answering(
            200,
            serde_json::json!({ "access_token": "", "token_type": "Bearer", "expires_in": 60 }),
        )
        .await;
        let error = client.fetch_token().await.unwrap_err();
        assert!(matches!(error, Error::Decode { .. }), "{error}");
        assert!(error.to_string().contains("access_token"), "{error}");
    }

    #[tokio::test]
    async fn an_echoed_secret_and_terminal_escapes_are_made_inert() {
        let client = answering(
            401,
            serde_json::json!({
                "error": "invalid_client",
                "error_description": format!("\u{1b}[2J\u{1b}[31mbad secret {SECRET}\nFAKE LOG LINE"),
            }),
        )
        .await;
        let text = client.fetch_token().await.unwrap_err().to_string();
        assert!(!text.contains(SECRET), "{text}");
        assert!(text.contains("[REDACTED]"), "{text}");
        assert!(!text.chars().any(|c| c.is_control()), "{text:?}");
    }
}

#[tokio::test(start_paused = true)]
async fn a_herd_makes_one_request_even_for_a_token_expired_on_arrival() {
    // The vendor answers `expires_in: 0` after 50 ms: no token can be cached,
    // yet the callers that queued behind one request share its answer.
    let fake = Fake::issuing(Duration::from_millis(50), Duration::ZERO);
    let tokens = TokenManager::new(fake.clone());
    let callers: Vec<_> = (0..100)
        .map(|_| {
            let tokens = tokens.clone();
            tokio::spawn(async move { tokens.token().await.map(|c| c.generation()) })
        })
        .collect();
    let mut generations = Vec::new();
    for caller in callers {
        generations.push(caller.await.unwrap().unwrap());
    }
    assert_eq!(fake.fetch_count(), 1, "one request for the whole herd");
    assert!(generations.iter().all(|g| *g == generations[0]));
    // The next caller, after the herd, asks again: nothing is cached.
    tokens.token().await.unwrap();
    assert_eq!(fake.fetch_count(), 2);
}

#[tokio::test(start_paused = true)]
async fn dropping_the_last_handle_stops_an_in_flight_renewal() {
    let fake = Fake::issuing(10 * SECOND, 100 * SECOND);
    let tokens = TokenManager::builder()
        .refresh_ahead(20 * SECOND)
        .jitter(0.0)
        .expiry_margin(Duration::ZERO)
        .build(fake.clone());
    let also = tokens.clone();
    tokens.token().await.unwrap();
    sleep(85 * SECOND).await; // inside the window
    tokens.token().await.unwrap(); // starts the background renewal (10 s)
    sleep(SECOND).await;
    assert_eq!(fake.fetch_count(), 2, "the renewal is in flight");
    drop(tokens);
    sleep(SECOND).await;
    assert_eq!(
        std::sync::Arc::strong_count(&fake.fetches),
        2,
        "a handle is left: the manager and its client live (`fake` and the manager's clone)"
    );
    drop(also);
    sleep(20 * SECOND).await;
    assert_eq!(
        fake.issued.lock().unwrap().len(),
        1,
        "the renewal was stopped before its answer"
    );
    assert_eq!(
        std::sync::Arc::strong_count(&fake.fetches),
        1,
        "nothing holds the client any more"
    );
}
