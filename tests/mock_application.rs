//! An application's test written with nothing but the spec-driven mock
//! vendor and the `Authorize` middleware: no hand-written server.

use std::time::Duration;

use vendor_auth::testing::{Exchange, Fault, MockVendor};
use vendor_auth::{Authorize, TokenClient, TokenManager};

/// An application's test with nothing but the mock and the middleware:
/// the first call fetches a token, a token near its end is renewed ahead
/// of time, a 401 renews and replays once, and revoking ends the grant.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_application_tested_with_the_mock_and_the_middleware() {
    let vendor = MockVendor::builder("aws_cognito")
        .lifetime(Duration::from_secs(3))
        .start()
        .await
        .unwrap();
    let tokens = TokenManager::builder()
        .refresh_ahead(Duration::from_secs(2))
        .jitter(0.0)
        .build(vendor.client::<vendor_auth::aws_cognito::Client>().unwrap());
    let http = reqwest_middleware::ClientBuilder::new(reqwest::Client::new())
        .with(Authorize::new(tokens.clone()))
        .build();
    let call = || http.get(vendor.url("/orders")).send();

    // Fetch: the first call logs in.
    assert_eq!(call().await.unwrap().status(), 200);
    assert_eq!(vendor.received(Exchange::Token), 1);
    let first = tokens.cached().unwrap();

    // Refresh ahead: past `lifetime - refresh_ahead`, a call is served with
    // the old token while a refresh runs in the background.
    tokio::time::sleep(Duration::from_millis(1300)).await;
    assert_eq!(call().await.unwrap().status(), 200);
    let renewed = async {
        while tokens.cached().unwrap().generation() == first.generation() {
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    };
    tokio::time::timeout(Duration::from_secs(2), renewed)
        .await
        .expect("renewed ahead of expiry");
    assert_eq!(vendor.received(Exchange::Refresh), 1);
    assert_eq!(vendor.received(Exchange::Token), 1);

    // 401 replay: the vendor refuses the token once; the middleware renews
    // and replays, and the application sees a 200.
    vendor.fail_next(Exchange::Api, Fault::Unauthorized);
    assert_eq!(call().await.unwrap().status(), 200);
    let api: Vec<u16> = vendor
        .journal()
        .iter()
        .filter(|r| r.exchange == Exchange::Api)
        .map(|r| r.status)
        .collect();
    assert_eq!(api, [200, 200, 401, 200]);

    // Revoke: the grant ends at the vendor; the old token is refused there,
    // and the next call logs in again.
    let held = tokens.cached().unwrap().token().clone();
    let logins = vendor.received(Exchange::Token);
    tokens.revoke().await.unwrap();
    assert_eq!(vendor.received(Exchange::Revoke), 1);
    let stale = tokens
        .client()
        .authorization()
        .apply(reqwest::Client::new().get(vendor.url("/orders")), &held)
        .unwrap();
    assert_eq!(stale.send().await.unwrap().status(), 401);
    assert_eq!(call().await.unwrap().status(), 200);
    assert_eq!(vendor.received(Exchange::Token), logins + 1);
    let exchanges: Vec<(Exchange, u16)> = vendor
        .journal()
        .iter()
        .map(|r| (r.exchange, r.status))
        .collect();
    // After the renewal ahead (whose order against the call it overlapped
    // may vary): the refused call, a login and its replay; the revoke, the
    // stale token refused, a new login and the call.
    use Exchange::{Api, Revoke, Token};
    assert_eq!(
        exchanges[4..],
        [
            (Api, 401),
            (Token, 200),
            (Api, 200),
            (Revoke, 200),
            (Api, 401),
            (Token, 200),
            (Api, 200)
        ]
    );
    vendor.assert_no_problems();
}
