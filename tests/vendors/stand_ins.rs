//! Every generated client completes its whole lifecycle against its vendor's
//! stand-in (which answers only requests of the documented shape), as the
//! demo does.

use vendor_auth::{ExposeSecret, TokenClient, Url};
use vendor_auth::{derbysoft_ai_voice, derbysoft_ticket, revoiceit, verbio, voipex};
use vendor_auth_stand_ins as stand_in;
use vendor_auth_stand_ins::credentials::*;

fn url(server: &wiremock::MockServer) -> Url {
    Url::parse(&server.uri()).unwrap()
}

/// Fetches, refreshes and revokes where supported; returns the access tokens seen.
async fn lifecycle(client: &impl TokenClient) -> Vec<String> {
    let token = client.fetch_token().await.unwrap();
    let mut seen = vec![token.access_token().expose_secret().to_owned()];
    if client.supports_refresh() {
        let refreshed = client.refresh_token(&token).await.unwrap();
        seen.push(refreshed.access_token().expose_secret().to_owned());
        if client.supports_revoke() {
            client.revoke_token(&refreshed).await.unwrap();
        }
    }
    seen
}

#[tokio::test]
async fn derbysoft_ai_voice() {
    let server = stand_in::derbysoft_ai_voice::start().await;
    let config = derbysoft_ai_voice::Config::new(
        derbysoft_ai_voice::Environment::Custom(url(&server)),
        "x.example.com",
    );
    let client = derbysoft_ai_voice::Client::new(
        config,
        derbysoft_ai_voice::Credentials::new(CLIENT_ID, CLIENT_SECRET),
    )
    .unwrap();
    assert_eq!(lifecycle(&client).await.len(), 1);
    // Wrong credentials get the stand-in's 401.
    let config = derbysoft_ai_voice::Config::new(
        derbysoft_ai_voice::Environment::Custom(url(&server)),
        "x.example.com",
    );
    let wrong = derbysoft_ai_voice::Client::new(
        config,
        derbysoft_ai_voice::Credentials::new(CLIENT_ID, "wrong"),
    )
    .unwrap();
    assert_eq!(wrong.fetch_token().await.unwrap_err().status(), Some(401));
}

#[tokio::test]
async fn verbio() {
    let server = stand_in::verbio::start().await;
    let client = verbio::Client::new(
        verbio::Environment::Custom(url(&server)),
        verbio::Credentials::new(CLIENT_ID, CLIENT_SECRET),
    )
    .unwrap();
    assert_eq!(lifecycle(&client).await, ["EXAMPLE_ACCESS_TOKEN"]);
}

#[tokio::test]
async fn derbysoft_ticket() {
    let server = stand_in::derbysoft_ticket::start().await;
    let emailed = url(&server)
        .join(stand_in::derbysoft_ticket::TOKEN_PATH)
        .unwrap();
    let client = derbysoft_ticket::Client::new(
        derbysoft_ticket::Environment::Production(emailed),
        derbysoft_ticket::Credentials::new(CLIENT_ID, CLIENT_SECRET),
    )
    .unwrap();
    assert_eq!(lifecycle(&client).await, ["***Token Here***"]);
}

#[tokio::test]
async fn revoiceit() {
    let server = stand_in::revoiceit::start().await;
    let client = revoiceit::Client::new(
        revoiceit::Environment::Custom(url(&server)),
        revoiceit::Credentials::new(CLIENT_ID, CLIENT_SECRET),
    )
    .unwrap();
    assert_eq!(
        lifecycle(&client).await,
        [
            stand_in::revoiceit::ACCESS_TOKEN,
            stand_in::revoiceit::REFRESHED_ACCESS_TOKEN
        ]
    );
}

#[tokio::test]
async fn voipex() {
    let server = stand_in::voipex::start().await;
    let client = voipex::Client::new(
        voipex::Environment::Custom(url(&server)),
        voipex::Credentials::new(USERNAME, PASSWORD),
    )
    .unwrap();
    assert_eq!(
        lifecycle(&client).await,
        ["stand-in-access-token", "stand-in-refreshed-access-token"]
    );
}
