//! Refresh-ahead, single flight, refresh and fallback, retries: on tokio's
//! paused clock, with the scripted client.

use std::time::Duration;

use tokio::time::{Instant, sleep};
use vendor_auth::{Error, ExposeSecret, RetryPolicy, Token, TokenManager};

use crate::fake::{Fake, status};

const SECOND: Duration = Duration::from_secs(1);

/// Lets spawned tasks run (the paused clock moves by a millisecond).
///
/// The tests move time with `sleep`, not `advance`: on the paused clock a
/// sleep fires every timer on its way in order, including the manager's own.
async fn settle() {
    tokio::time::sleep(Duration::from_millis(1)).await;
}

fn access(cached: &vendor_auth::CachedToken) -> String {
    cached.token().access_token().expose_secret().to_owned()
}

/// A manager with a 10 s refresh-ahead window, no jitter and no margin, so
/// that the times in the tests are exact.
fn manager(fake: &Fake) -> TokenManager<Fake> {
    TokenManager::builder()
        .refresh_ahead(10 * SECOND)
        .jitter(0.0)
        .expiry_margin(Duration::ZERO)
        .build(fake.clone())
}

#[tokio::test(start_paused = true)]
async fn a_fresh_token_is_served_from_the_cache() {
    let fake = Fake::issuing(Duration::ZERO, 100 * SECOND);
    let tokens = manager(&fake);
    let first = tokens.token().await.unwrap();
    for _ in 0..1000 {
        assert_eq!(access(&tokens.token().await.unwrap()), "token-1");
    }
    assert_eq!(fake.fetch_count(), 1);
    assert_eq!(
        first.refresh_at() - first.token().received_at(),
        90 * SECOND
    );
}

#[tokio::test(start_paused = true)]
async fn the_soft_window_serves_the_old_token_while_one_refresh_runs() {
    let fake = Fake::issuing(2 * SECOND, 100 * SECOND);
    let tokens = manager(&fake);
    tokens.token().await.unwrap(); // t = 2 s (the fetch takes 2 s), expires at 102 s
    sleep(95 * SECOND).await; // inside the window [92 s, 102 s)

    let started = Instant::now();
    for _ in 0..100 {
        let cached = tokens.token().await.unwrap();
        assert_eq!(access(&cached), "token-1", "callers keep the valid token");
    }
    assert_eq!(Instant::now(), started, "no caller waited for the refresh");
    settle().await;
    assert_eq!(
        fake.fetch_count(),
        2,
        "exactly one background renewal started"
    );

    sleep(3 * SECOND).await;
    settle().await;
    let cached = tokens.token().await.unwrap();
    assert_eq!(access(&cached), "token-2");
    assert_eq!(cached.generation(), 2);
    assert_eq!(fake.fetch_count(), 2);
}

#[tokio::test(start_paused = true)]
async fn ten_thousand_callers_on_a_cold_cache_cause_one_fetch() {
    let fake = Fake::issuing(50 * Duration::from_millis(1), 100 * SECOND);
    let tokens = manager(&fake);
    let callers: Vec<_> = (0..10_000)
        .map(|_| {
            let tokens = tokens.clone();
            tokio::spawn(async move { access(&tokens.token().await.unwrap()) })
        })
        .collect();
    for caller in callers {
        assert_eq!(caller.await.unwrap(), "token-1");
    }
    assert_eq!(fake.fetch_count(), 1);
}

#[tokio::test(start_paused = true)]
async fn past_expiry_all_callers_wait_for_one_fetch() {
    let fake = Fake::issuing(SECOND, 100 * SECOND);
    let tokens = manager(&fake);
    tokens.token().await.unwrap();
    sleep(200 * SECOND).await;
    let callers: Vec<_> = (0..1000)
        .map(|_| {
            let tokens = tokens.clone();
            tokio::spawn(async move { access(&tokens.token().await.unwrap()) })
        })
        .collect();
    for caller in callers {
        assert_eq!(caller.await.unwrap(), "token-2");
    }
    assert_eq!(fake.fetch_count(), 2);
}

#[tokio::test(start_paused = true)]
async fn a_failed_fetch_is_shared_by_its_waiters_not_repeated() {
    let fake = Fake::new(SECOND, |_| Err(status(401)));
    let tokens = manager(&fake);
    let callers: Vec<_> = (0..100)
        .map(|_| {
            let tokens = tokens.clone();
            tokio::spawn(async move { tokens.token().await.map(|_| ()) })
        })
        .collect();
    for caller in callers {
        assert_eq!(caller.await.unwrap().unwrap_err().status(), Some(401));
    }
    assert_eq!(
        fake.fetch_count(),
        1,
        "one 401 is not retried and not repeated per waiter"
    );
}

#[tokio::test(start_paused = true)]
async fn refresh_uses_the_refresh_token_and_keeps_a_rotated_one() {
    let fake = Fake::new(Duration::ZERO, |n| {
        Ok(Token::new(format!("token-{n}"), 100 * SECOND).with_refresh_token("refresh-1", None))
    })
    .with_refresh(|n, current| {
        let sent = current.refresh_token().unwrap().expose_secret().to_owned();
        // The vendor rotates: refresh-1 -> refresh-2 -> refresh-3.
        assert_eq!(
            sent,
            format!("refresh-{n}"),
            "the latest refresh token is sent"
        );
        Ok(Token::new(format!("refreshed-{n}"), 100 * SECOND)
            .with_refresh_token(format!("refresh-{}", n + 1), None))
    });
    let tokens = manager(&fake);
    tokens.token().await.unwrap();
    for round in 1..=2 {
        sleep(101 * SECOND).await;
        let cached = tokens.token().await.unwrap();
        assert_eq!(access(&cached), format!("refreshed-{round}"));
        assert_eq!(
            cached.token().refresh_token().unwrap().expose_secret(),
            format!("refresh-{}", round + 1)
        );
    }
    assert_eq!((fake.fetch_count(), fake.refresh_count()), (1, 2));
}

#[tokio::test(start_paused = true)]
async fn a_rejected_refresh_falls_back_to_a_new_token() {
    let fake = Fake::new(Duration::ZERO, |n| {
        Ok(Token::new(format!("token-{n}"), 100 * SECOND).with_refresh_token("refresh", None))
    })
    .with_refresh(|_, _| Err(status(400))); // invalid_grant
    let tokens = manager(&fake);
    tokens.token().await.unwrap();
    sleep(101 * SECOND).await;
    assert_eq!(access(&tokens.token().await.unwrap()), "token-2");
    assert_eq!((fake.fetch_count(), fake.refresh_count()), (2, 1));
}

#[tokio::test(start_paused = true)]
async fn an_expired_refresh_token_is_not_sent() {
    // Voipex documents refresh_expires_in: past it, go straight to a new token.
    let fake = Fake::new(Duration::ZERO, |n| {
        Ok(Token::new(format!("token-{n}"), 100 * SECOND)
            .with_refresh_token("refresh", Some(50 * SECOND)))
    })
    .with_refresh(|_, _| panic!("an expired refresh token must not be sent"));
    let tokens = manager(&fake);
    tokens.token().await.unwrap();
    sleep(101 * SECOND).await;
    assert_eq!(access(&tokens.token().await.unwrap()), "token-2");
}

#[tokio::test(start_paused = true)]
async fn credentials_rejected_are_not_retried() {
    let fake = Fake::new(Duration::ZERO, |_| Err(status(401))); // invalid_client
    let tokens = manager(&fake);
    assert_eq!(tokens.token().await.unwrap_err().status(), Some(401));
    assert_eq!(fake.fetch_count(), 1);
}

#[tokio::test(start_paused = true)]
async fn transient_failures_are_retried_with_backoff() {
    let fake = Fake::new(Duration::ZERO, |n| {
        if n < 3 {
            Err(status(503))
        } else {
            Ok(Token::new("ok", 100 * SECOND))
        }
    });
    let tokens = manager(&fake);
    let started = Instant::now();
    assert_eq!(access(&tokens.token().await.unwrap()), "ok");
    assert_eq!(fake.fetch_count(), 3);
    // Two backoffs: [100, 200] ms and [200, 400] ms.
    let waited = Instant::now() - started;
    assert!(
        waited >= Duration::from_millis(300) && waited <= Duration::from_millis(600),
        "{waited:?}"
    );
}

#[tokio::test(start_paused = true)]
async fn retry_after_is_honoured() {
    let fake = Fake::new(Duration::ZERO, |n| {
        if n == 1 {
            Err(Error::Status {
                vendor: "Fake",
                operation: "token",
                status: 429,
                meaning: None,
                details: None,
                retry_after: Some(3 * SECOND),
            })
        } else {
            Ok(Token::new("ok", 100 * SECOND))
        }
    });
    let tokens = manager(&fake);
    let started = Instant::now();
    tokens.token().await.unwrap();
    assert_eq!(Instant::now() - started, 3 * SECOND);
}

#[tokio::test(start_paused = true)]
async fn retries_stop_at_the_budget() {
    let fake = Fake::new(Duration::ZERO, |_| Err(status(503)));
    let policy = RetryPolicy {
        max_attempts: 100,
        ..RetryPolicy::default()
    };
    let tokens = TokenManager::builder()
        .retry(policy.clone())
        .build(fake.clone());
    let started = Instant::now();
    assert_eq!(tokens.token().await.unwrap_err().status(), Some(503));
    assert!(Instant::now() - started <= policy.budget);
    assert!(fake.fetch_count() < 100);
}

#[tokio::test(start_paused = true)]
async fn a_failed_refresh_keeps_serving_the_still_valid_token() {
    let fake = Fake::new(Duration::ZERO, |n| {
        if n == 1 {
            Ok(Token::new("token-1", 100 * SECOND))
        } else {
            Err(status(503))
        }
    });
    let tokens = TokenManager::builder()
        .refresh_ahead(10 * SECOND)
        .jitter(0.0)
        .expiry_margin(Duration::ZERO)
        .retry(RetryPolicy::never())
        .build(fake.clone());
    tokens.token().await.unwrap();
    sleep(91 * SECOND).await; // inside the window [90 s, 100 s)
    assert_eq!(access(&tokens.token().await.unwrap()), "token-1");
    settle().await; // the background renewal fails
    assert_eq!(fake.fetch_count(), 2);
    for _ in 0..100 {
        assert_eq!(
            access(&tokens.token().await.unwrap()),
            "token-1",
            "the old token is still valid"
        );
    }
    assert_eq!(
        fake.fetch_count(),
        2,
        "a failed background renewal is not retried at once"
    );
    sleep(6 * SECOND).await; // past the cool-down, still before expiry
    tokens.token().await.unwrap();
    settle().await;
    assert_eq!(fake.fetch_count(), 3);
}

#[tokio::test(start_paused = true)]
async fn invalidate_drops_only_the_rejected_token() {
    let fake = Fake::issuing(Duration::ZERO, 100 * SECOND);
    let tokens = manager(&fake);
    let first = tokens.token().await.unwrap();
    tokens.invalidate(&first);
    let second = tokens.token().await.unwrap();
    assert_eq!(access(&second), "token-2");
    // A late 401 for the first token must not throw the second away.
    tokens.invalidate(&first);
    assert_eq!(access(&tokens.token().await.unwrap()), "token-2");
    assert_eq!(fake.fetch_count(), 2);
}

#[tokio::test(start_paused = true)]
async fn the_window_follows_the_spec_and_is_jittered() {
    // Verbio asks for "a couple of minutes": its spec says 120 s.
    let client = vendor_auth::verbio::Client::new(
        vendor_auth::verbio::Config::default(),
        vendor_auth::verbio::Credentials::new("a", "b"),
    )
    .unwrap();
    assert!(format!("{:?}", TokenManager::new(client)).contains("refresh_ahead: 120s"));

    let mut windows = std::collections::BTreeSet::new();
    for _ in 0..20 {
        let fake = Fake::issuing(Duration::ZERO, 1000 * SECOND);
        let tokens = TokenManager::builder()
            .refresh_ahead(100 * SECOND)
            .expiry_margin(Duration::ZERO)
            .build(fake);
        let cached = tokens.token().await.unwrap();
        let window = cached.expires_at() - cached.refresh_at();
        assert!(
            window >= 100 * SECOND && window <= 125 * SECOND,
            "{window:?}"
        );
        windows.insert(window);
    }
    assert!(windows.len() > 1, "jitter varies the window");
}

#[tokio::test(start_paused = true)]
async fn short_lived_tokens_get_a_proportionate_window() {
    let fake = Fake::issuing(Duration::ZERO, 2 * SECOND);
    let tokens = TokenManager::builder().jitter(0.0).build(fake);
    let cached = tokens.token().await.unwrap();
    // A 60 s default window is capped at half the lifetime; the 5 s margin at a tenth.
    assert_eq!(
        cached.expires_at() - cached.token().received_at(),
        Duration::from_millis(1800)
    );
    assert_eq!(cached.expires_at() - cached.refresh_at(), SECOND);
}
