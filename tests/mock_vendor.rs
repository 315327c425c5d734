//! The spec-driven mock vendor (`vendor_auth::testing`): every bundled
//! vendor's generated client against its own mock, and the mock's
//! strictness, rotation and faults. `mock_application.rs` is an
//! application's test that uses it.

use std::time::Duration;

use vendor_auth::testing::{Exchange, Fault, MockVendor};
use vendor_auth::{ExposeSecret, FromEnv, TokenClient};

/// One line per bundled vendor; `every_vendor_is_listed` keeps it complete.
macro_rules! every_vendor {
    ($($module:ident),* $(,)?) => {
        const LISTED: &[&str] = &[$(stringify!($module)),*];

        #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
        async fn every_bundled_vendor_works_against_its_mock() {
            let mut failures = Vec::new();
            $(
                if let Err(why) = exercise::<vendor_auth::$module::Client>(stringify!($module)).await {
                    failures.push(format!("{}: {why}", stringify!($module)));
                }
            )*
            assert!(failures.is_empty(), "{}", failures.join("\n"));
        }
    };
}

every_vendor!(
    adobe_ims,
    app_store_connect,
    app_store_connect_individual,
    atlassian,
    aws_cognito,
    aws_imds,
    backblaze_b2,
    box_platform,
    derbysoft_ai_voice,
    derbysoft_ticket,
    docker_registry,
    docusign_jwt,
    dropbox,
    ebay,
    gce_metadata,
    github_app_installation,
    github_app_user,
    google_oauth,
    google_service_account,
    okta_private_key_jwt,
    revoiceit,
    sap_b1,
    shopify,
    snowflake_key_pair,
    spotify,
    stripe,
    swift_tempauth,
    twitch,
    vault_approle,
    verbio,
    voipex,
    x_app_only,
);

#[test]
fn every_vendor_is_listed() {
    let mut bundled: Vec<&str> = vendor_auth::testing::bundled().collect();
    let mut generated: Vec<&str> = vendor_auth::VENDORS.iter().map(|v| v.module).collect();
    let mut listed = LISTED.to_vec();
    bundled.sort_unstable();
    generated.sort_unstable();
    listed.sort_unstable();
    assert_eq!(listed, bundled);
    assert_eq!(listed, generated);
}

/// Token, an authorized API call, refresh and revoke where the spec has
/// them; the mock must have seen nothing that differs from the spec.
async fn exercise<C: FromEnv + 'static>(module: &str) -> Result<(), String> {
    let vendor = MockVendor::start(module).await.map_err(|e| e.to_string())?;
    let done = vendor.exercise::<C>().await.map_err(|e| e.to_string())?;
    let exchanges = vendor.received(Exchange::Token) + vendor.received(Exchange::Refresh);
    if !done.fetched
        || (exchanges == 0
            && C::from_settings(&vendor.selection(), &vendor.settings())
                .is_ok_and(|c| c.supports_refresh()))
    {
        return Err("no token exchange reached the mock".into());
    }
    Ok(())
}

/// A request that differs from the spec is refused with a 400 that names
/// the difference, and is kept as a problem.
#[tokio::test]
async fn a_request_that_differs_from_the_spec_is_refused_by_name() {
    let vendor = MockVendor::builder("spotify")
        .credential("client_secret", "the-real-one")
        .start()
        .await
        .unwrap();
    let settings = vendor.settings();
    assert_eq!(settings["SPOTIFY_CLIENT_SECRET"], "the-real-one");
    // The client is built with another secret than the mock expects.
    let mut wrong = settings.clone();
    wrong.insert("SPOTIFY_CLIENT_SECRET".into(), "a-wrong-one".into());
    let client = vendor_auth::spotify::Client::from_settings(&vendor.selection(), &wrong).unwrap();
    let error = client.fetch_token().await.unwrap_err().to_string();
    assert!(error.contains("400"), "{error}");
    let problems = vendor.problems();
    assert_eq!(problems.len(), 1, "{problems:?}");
    assert!(
        problems[0].contains("Authorization header is not Basic `{client_id}:{client_secret}`"),
        "{problems:?}"
    );
    // A hand-made request: form fields the spec does not send, a missing one.
    let response = reqwest::Client::new()
        .post(vendor.url("/api/token"))
        .header("content-type", "application/x-www-form-urlencoded")
        .body("grant_type=password&extra=1")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 400);
    let body: serde_json::Value = serde_json::from_slice(&response.bytes().await.unwrap()).unwrap();
    let description = body["error_description"].as_str().unwrap();
    assert!(
        description.contains("form field `grant_type` is not `client_credentials`"),
        "{description}"
    );
    assert!(
        description.contains("form field `extra` is not in the spec"),
        "{description}"
    );
    assert!(
        description.contains("Authorization header"),
        "{description}"
    );
    // It never echoes what was sent.
    assert!(!description.contains("password"), "{description}");
}

/// Signed assertions are verified with the key the mock generated: a
/// client given another key is refused.
#[tokio::test]
async fn assertions_are_verified_with_the_mocks_key() {
    let vendor = MockVendor::start("okta_private_key_jwt").await.unwrap();
    let client: vendor_auth::okta_private_key_jwt::Client = vendor.client().unwrap();
    client.fetch_token().await.unwrap();
    vendor.assert_no_problems();
    let other = MockVendor::start("okta_private_key_jwt").await.unwrap();
    let mut settings = other.settings();
    // The other mock's settings carry its own key: a key this mock never
    // handed out.
    for (name, value) in vendor.settings() {
        if !name.ends_with("PRIVATE_KEY") {
            settings.insert(name, value);
        }
    }
    let stranger =
        vendor_auth::okta_private_key_jwt::Client::from_settings(&vendor.selection(), &settings)
            .unwrap();
    let error = stranger.fetch_token().await.unwrap_err().to_string();
    assert!(error.contains("400"), "{error}");
    let problems = vendor.problems();
    assert!(
        problems
            .iter()
            .any(|p| p.contains("does not verify with the mock's key")),
        "{problems:?}"
    );
}

/// Refresh tokens rotate where the refresh response carries one (GitHub's
/// user tokens): the old one is then refused as `invalid_grant`. Where it
/// carries none (revoiceit), the same one is used again.
#[tokio::test]
async fn rotated_refresh_tokens_are_refused() {
    let vendor = MockVendor::start("github_app_user").await.unwrap();
    let client: vendor_auth::github_app_user::Client = vendor.client().unwrap();
    let first = client.fetch_token().await.unwrap();
    let second = client.refresh_token(&first).await.unwrap();
    assert_ne!(
        first.refresh_token().map(ExposeSecret::expose_secret),
        second.refresh_token().map(ExposeSecret::expose_secret)
    );
    let error = client.refresh_token(&first).await.unwrap_err();
    assert!(error.is_rejection(), "{error}");
    assert!(error.to_string().contains("invalid_grant"), "{error}");
    client.refresh_token(&second).await.unwrap();
    // A refused token is the vendor's answer, not a request that differs.
    vendor.assert_no_problems();

    let vendor = MockVendor::start("revoiceit").await.unwrap();
    let client: vendor_auth::revoiceit::Client = vendor.client().unwrap();
    let first = client.fetch_token().await.unwrap();
    let second = client.refresh_token(&first).await.unwrap();
    client.refresh_token(&second).await.unwrap();
    client.refresh_token(&first).await.unwrap();
    vendor.assert_no_problems();
}

/// A refresh token the vendor revokes is refused for good; a login still
/// works.
#[tokio::test]
async fn a_rejected_refresh_token_stays_refused() {
    let vendor = MockVendor::builder("revoiceit").start().await.unwrap();
    let client: vendor_auth::revoiceit::Client = vendor.client().unwrap();
    let first = client.fetch_token().await.unwrap();
    vendor.fail_next(Exchange::Refresh, Fault::RejectedRefreshToken);
    let error = client.refresh_token(&first).await.unwrap_err();
    assert!(error.is_rejection(), "{error}");
    // Revoked for good, not only refused once.
    assert!(client.refresh_token(&first).await.is_err());
    client.fetch_token().await.unwrap();
    vendor.assert_no_problems();
}

/// Each fault is answered once, to the exchange it was queued for, and the
/// client sees the error it would from the vendor.
#[tokio::test]
async fn faults_are_answered_on_demand() {
    let vendor = MockVendor::start("spotify").await.unwrap();
    let client: vendor_auth::spotify::Client = vendor.client().unwrap();
    vendor.fail_next(Exchange::Token, Fault::Status(503));
    let error = client.fetch_token().await.unwrap_err();
    assert!(error.is_transient(), "{error}");
    vendor.fail_next(
        Exchange::Token,
        Fault::RateLimited {
            retry_after: Duration::from_secs(7),
        },
    );
    let error = client.fetch_token().await.unwrap_err();
    assert_eq!(error.retry_after(), Some(Duration::from_secs(7)), "{error}");
    vendor.fail_next(Exchange::Token, Fault::InvalidJson);
    let error = client.fetch_token().await.unwrap_err().to_string();
    assert!(error.contains("JSON") || error.contains("json"), "{error}");
    vendor.fail_next(Exchange::Token, Fault::Slow(Duration::from_millis(300)));
    let started = std::time::Instant::now();
    client.fetch_token().await.unwrap();
    assert!(started.elapsed() >= Duration::from_millis(300));
    let statuses: Vec<u16> = vendor.journal().iter().map(|r| r.status).collect();
    assert_eq!(statuses, [503, 429, 200, 200]);
    vendor.assert_no_problems();
}

/// JSON bodies are compared member by member, and headers by name.
#[tokio::test]
async fn json_members_and_headers_are_checked_by_name() {
    let vendor = MockVendor::start("revoiceit").await.unwrap();
    let response = reqwest::Client::new()
        .post(vendor.url("/auth/token"))
        .header("content-type", "application/json")
        .body(r#"{"clientId": "mock-client_id", "extra": 1}"#)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 400);
    let problems = vendor.problems();
    assert!(
        problems[0].contains("`body.clientSecret` is missing"),
        "{problems:?}"
    );
    assert!(
        problems[0].contains("`body.extra` is not in the spec"),
        "{problems:?}"
    );
    assert!(!problems[0].contains("clientId"), "{problems:?}");

    let vendor = MockVendor::start("aws_cognito").await.unwrap();
    let client: vendor_auth::aws_cognito::Client = vendor.client().unwrap();
    client.fetch_token().await.unwrap();
    // The same body with another operation's target is that operation's.
    let response = reqwest::Client::new()
        .post(vendor.url("/"))
        .header("content-type", "application/x-amz-json-1.1")
        .header("x-amz-target", "AWSCognitoIdentityProviderService.Nope")
        .body("{}")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 400);
    let problems = vendor.problems();
    assert_eq!(problems.len(), 1, "{problems:?}");
    assert!(
        problems[0].contains("header `X-Amz-Target` is not"),
        "{problems:?}"
    );
}

/// Faults and the journal over HTTP, for tests in other languages against
/// `vendor-auth serve`; faults parse from the spellings the CLI takes.
#[tokio::test]
async fn faults_and_the_journal_over_http() {
    assert_eq!("503".parse::<Fault>(), Ok(Fault::Status(503)));
    assert_eq!("401".parse::<Fault>(), Ok(Fault::Unauthorized));
    assert_eq!(
        "slow:250".parse::<Fault>(),
        Ok(Fault::Slow(Duration::from_millis(250)))
    );
    assert!(
        "teapot"
            .parse::<Fault>()
            .unwrap_err()
            .contains("not a fault")
    );
    assert!("42".parse::<Fault>().is_err());
    assert_eq!("api".parse::<Exchange>(), Ok(Exchange::Api));

    let vendor = MockVendor::start("spotify").await.unwrap();
    let http = reqwest::Client::new();
    let command = |query: &str| {
        http.post(vendor.url(&format!("/__mock/fail?{query}")))
            .send()
    };
    assert_eq!(
        command("exchange=token&fault=429:3")
            .await
            .unwrap()
            .status(),
        204
    );
    let refused = command("exchange=token&fault=teapot").await.unwrap();
    assert_eq!(refused.status(), 400);
    let client: vendor_auth::spotify::Client = vendor.client().unwrap();
    let error = client.fetch_token().await.unwrap_err();
    assert_eq!(error.retry_after(), Some(Duration::from_secs(3)), "{error}");
    client.fetch_token().await.unwrap();
    let journal = http
        .get(vendor.url("/__mock/journal"))
        .send()
        .await
        .unwrap();
    let journal: serde_json::Value =
        serde_json::from_slice(&journal.bytes().await.unwrap()).unwrap();
    let statuses: Vec<(&str, u64)> = journal
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["exchange"].as_str().unwrap(),
                r["status"].as_u64().unwrap(),
            )
        })
        .collect();
    assert_eq!(statuses, [("token", 429), ("token", 200)]);
}
