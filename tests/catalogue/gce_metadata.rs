//! Google Compute Engine metadata server, from
//! https://cloud.google.com/compute/docs/metadata,
//! https://cloud.google.com/compute/docs/access/authenticate-workloads,
//! https://cloud.google.com/compute/docs/metadata/querying-metadata and Google's
//! SDK google-auth-library-python (`google/auth/compute_engine/_metadata.py`)
//! (notes: docs/vendors/gce_metadata.md):
//!
//! - `GET http://metadata.google.internal/computeMetadata/v1/instance/service-accounts/default/token`
//!   (or `http://169.254.169.254/...`; another attached account by e-mail instead
//!   of `default`), no query, no body, no credentials, header `Metadata-Flavor: Google`;
//!   200 `application/json`
//!   `{"access_token": "ya29.c.b0AXv0zTN...", "expires_in": 3599, "token_type": "Bearer"}`.
//! - `404`: no such service account on the VM; `503`: briefly unavailable
//!   (host maintenance), retry.
//! - Google APIs take `Authorization: Bearer <token>`; the documented example
//!   lists Cloud Storage buckets: `GET https://storage.googleapis.com/storage/v1/b?project=<id>`.
//! - No refresh and no revoke: a new GET returns the current token.

use serde_json::json;
use vendor_auth::{ExposeSecret, TokenClient, TokenManager, gce_metadata as vendor};
use wiremock::ResponseTemplate;

use crate::support::*;

const TOKEN: &str = "ya29.c.b0AXv0zTNqLHb4Rn5m1kOxjVvQhXp2tYcGf8Ue3WsD";
const TOKEN_PATH: &str = "/computeMetadata/v1/instance/service-accounts/default/token";

fn client(replay: &Replay) -> vendor::Client {
    vendor::Client::new(
        vendor::Environment::Custom(replay.url()),
        vendor::Credentials::new(),
    )
    .unwrap()
}

#[test]
fn production_is_the_metadata_host() {
    let client =
        vendor::Client::new(vendor::Config::default(), vendor::Credentials::new()).unwrap();
    assert_eq!(
        client.base_url().as_str(),
        "http://metadata.google.internal/"
    );
    assert_eq!(client.config().service_account, "default");
    let client =
        vendor::Client::new(vendor::Environment::MetadataIp, vendor::Credentials::new()).unwrap();
    assert_eq!(client.base_url().as_str(), "http://169.254.169.254/");
}

#[tokio::test]
async fn the_default_account_token_then_a_storage_call() {
    let replay = Replay::start().await;
    replay
        .on(
            given(method("GET"))
                .and(path(TOKEN_PATH))
                .and(NoQuery)
                .and(header("metadata-flavor", "Google"))
                .and(NoBody)
                .and(Without("authorization"))
                .and(Without("cookie")),
            json(
                200,
                json!({ "access_token": TOKEN, "expires_in": 3599, "token_type": "Bearer" }),
            ),
        )
        .await;
    replay
        .on(
            given(method("GET"))
                .and(path("/storage/v1/b"))
                .and(query_param("project", "my-project"))
                .and(header("authorization", format!("Bearer {TOKEN}").as_str())),
            json(
                200,
                json!({ "kind": "storage#buckets", "items": [{ "kind": "storage#bucket", "name": "my-bucket" }] }),
            ),
        )
        .await;

    let tokens = TokenManager::new(client(&replay));
    let cached = tokens.token().await.unwrap();
    assert_eq!(cached.token().access_token().expose_secret(), TOKEN);
    assert_eq!(cached.token().lifetime().as_secs(), 3599);
    assert_eq!(cached.token().token_type(), Some("Bearer"));
    let status = replay
        .api_call(
            &tokens,
            reqwest::Method::GET,
            "/storage/v1/b?project=my-project",
        )
        .await;
    assert_eq!(status, 200);
}

#[tokio::test]
async fn another_attached_account_by_its_email() {
    let replay = Replay::start().await;
    replay
        .on(
            given(method("GET"))
                .and(path(
                    "/computeMetadata/v1/instance/service-accounts/uploader@my-project.iam.gserviceaccount.com/token",
                ))
                .and(NoQuery)
                .and(header("metadata-flavor", "Google")),
            json(
                200,
                json!({ "access_token": TOKEN, "expires_in": 1200, "token_type": "Bearer" }),
            ),
        )
        .await;
    let mut config = vendor::Config::new(vendor::Environment::Custom(replay.url()));
    config.service_account = "uploader@my-project.iam.gserviceaccount.com".to_owned();
    let client = vendor::Client::new(config, vendor::Credentials::new()).unwrap();
    let token = client.fetch_token().await.unwrap();
    assert_eq!(token.access_token().expose_secret(), TOKEN);
    assert_eq!(token.lifetime().as_secs(), 1200);
}

#[tokio::test]
async fn an_unknown_account_is_a_typed_404() {
    let replay = Replay::start().await;
    replay
        .on(
            given(method("GET")).and(path(TOKEN_PATH)),
            ResponseTemplate::new(404)
                .set_body_raw("<html><body>Not Found</body></html>", "text/html"),
        )
        .await;
    let error = client(&replay).fetch_token().await.unwrap_err();
    assert_eq!(error.status(), Some(404));
    assert!(!error.is_transient());
    let text = error.to_string();
    assert!(text.contains("HTTP 404"), "{text}");
    assert!(!text.contains("<html>"), "{text}");
}

#[tokio::test]
async fn maintenance_is_a_transient_503() {
    let replay = Replay::start().await;
    replay
        .on(
            given(method("GET")).and(path(TOKEN_PATH)),
            ResponseTemplate::new(503),
        )
        .await;
    let error = client(&replay).fetch_token().await.unwrap_err();
    assert_eq!(error.status(), Some(503));
    assert!(error.is_transient());
    assert!(!error.is_rejection());
}
