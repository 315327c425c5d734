//! SAP Business One Service Layer, from
//! https://learning.sap.com/courses/leveraging-the-sap-business-one-service-layer/logging-in-and-logging-out-using-service-layer-api,
//! https://blogs.sap.com/2016/07/01/sap-business-one-service-layer-sso-with-ui-api/ and
//! https://support.huaweicloud.com/bestpractice-sparkpack/zh-cn_topic_0000002510618029.html
//! (notes: docs/vendors/sap_b1.md):
//!
//! - `POST https://hanaserver:50000/b1s/v1/Login`, no query, `Content-Type:
//!   application/json`, body
//!   `{"CompanyDB": "SBODEMOUS", "UserName": "manager", "Password": "..."}`
//!   (plus `"Language": 15` when wanted); 200
//!   `{"odata.metadata": "...", "SessionId": "ac79876e-1e72-11ed-8000-000c299130e0", "Version": "1000190", "SessionTimeout": 30}`
//!   with `Set-Cookie: B1SESSION=<SessionId>` and `Set-Cookie: ROUTEID=<route>`.
//!   `SessionTimeout` is in idle minutes (30 by default).
//! - A failed login: `{"error": {"code": 100000027, "message": {"lang": "en-us", "value": "Login failed"}}}`
//!   (status not documented; 401 typical).
//! - Calls carry `Cookie: B1SESSION=<SessionId>; ROUTEID=<route>`:
//!   `GET https://hanaserver:50000/b1s/v1/Items?$top=1` -> 200 `{"value": [...]}`.
//! - `POST /b1s/v1/Logout` with the same cookies and no body ends the session.

use serde_json::json;
use vendor_auth::{ExposeSecret, TokenClient, TokenManager, sap_b1 as vendor};
use wiremock::ResponseTemplate;

use crate::support::*;

const COMPANY: &str = "SBODEMOUS";
const USER: &str = "manager";
const SESSION: &str = "ac79876e-1e72-11ed-8000-000c299130e0";
const ROUTE: &str = ".node1";

fn config(replay: &Replay) -> vendor::Config {
    let base = replay.url().join("b1s/v1").unwrap();
    vendor::Config::new(
        vendor::Environment::Custom(base),
        COMPANY,
        "hanaserver:50000",
    )
}

fn client(replay: &Replay) -> vendor::Client {
    vendor::Client::new(config(replay), vendor::Credentials::new(USER, SECRET)).unwrap()
}

/// The documented login body.
fn login_body() -> serde_json::Value {
    json!({ "CompanyDB": COMPANY, "UserName": USER, "Password": SECRET })
}

/// The documented success body.
fn session_body(replay: &Replay) -> serde_json::Value {
    json!({
        "odata.metadata": format!("{}/b1s/v1/$metadata#B1Sessions/@Element", replay.server.uri()),
        "SessionId": SESSION,
        "Version": "1000190",
        "SessionTimeout": 30
    })
}

/// The login answer: the body, and the session in cookies.
fn logged_in(replay: &Replay) -> ResponseTemplate {
    json(200, session_body(replay))
        .append_header(
            "set-cookie",
            format!("B1SESSION={SESSION}; HttpOnly").as_str(),
        )
        .append_header("set-cookie", format!("ROUTEID={ROUTE}; path=/b1s").as_str())
}

fn session_cookies() -> String {
    format!("B1SESSION={SESSION}; ROUTEID={ROUTE}")
}

#[test]
fn the_server_url_is_its_host_and_b1s_v1() {
    let credentials = || vendor::Credentials::new(USER, "pw");
    let config = vendor::Config::new(vendor::Environment::Server, COMPANY, "hanaserver:50000");
    assert_eq!(config.api_version, "v1");
    let client = vendor::Client::new(config.clone(), credentials()).unwrap();
    assert_eq!(
        client.base_url().as_str(),
        "https://hanaserver:50000/b1s/v1"
    );
    let mut v2 = config;
    v2.api_version = "v2".to_owned();
    let client = vendor::Client::new(v2, credentials()).unwrap();
    assert_eq!(
        client.base_url().as_str(),
        "https://hanaserver:50000/b1s/v2"
    );
    let hosted =
        vendor_auth::Url::parse("https://api-service.sperp.myhuaweicloud.com/tenant1/b1s/v1")
            .unwrap();
    let client = vendor::Client::new(
        vendor::Config::new(vendor::Environment::Hosted(hosted), COMPANY, "unused"),
        credentials(),
    )
    .unwrap();
    assert_eq!(
        client.base_url().as_str(),
        "https://api-service.sperp.myhuaweicloud.com/tenant1/b1s/v1"
    );
    // The Service Layer is TLS only.
    let plain = vendor_auth::Url::parse("http://hanaserver:50000/b1s/v1").unwrap();
    let config = vendor::Config::new(vendor::Environment::Hosted(plain), COMPANY, "unused");
    assert!(vendor::Client::new(config, credentials()).is_err());
}

#[tokio::test]
async fn log_in_then_read_items() {
    let replay = Replay::start().await;
    replay
        .on(
            given(method("POST"))
                .and(path("/b1s/v1/Login"))
                .and(NoQuery)
                .and(header("content-type", "application/json"))
                .and(json_body(login_body()))
                .and(Without("cookie"))
                .and(Without("authorization")),
            logged_in(&replay),
        )
        .await;
    replay
        .on(
            given(method("GET"))
                .and(path("/b1s/v1/Items"))
                .and(query_param("$top", "1"))
                .and(header("cookie", session_cookies().as_str())),
            json(
                200,
                json!({ "value": [{ "ItemCode": "A00001", "ItemName": "J.B. Officeprint 1420" }] }),
            ),
        )
        .await;

    let tokens = TokenManager::new(client(&replay));
    let cached = tokens.token().await.unwrap();
    let token = cached.token();
    assert_eq!(token.access_token().expose_secret(), SESSION);
    assert_eq!(token.lifetime().as_secs(), 30 * 60);
    assert_eq!(token.field("route_id").map(|v| v.expose()), Some(ROUTE));
    assert_eq!(token.field("version").map(|v| v.expose()), Some("1000190"));
    let status = replay
        .api_call(&tokens, reqwest::Method::GET, "/b1s/v1/Items?$top=1")
        .await;
    assert_eq!(status, 200);
}

#[tokio::test]
async fn the_language_is_sent_as_a_number_when_set() {
    let replay = Replay::start().await;
    replay
        .on(
            given(method("POST"))
                .and(path("/b1s/v1/Login"))
                .and(header("content-type", "application/json"))
                .and(json_body(json!({
                    "CompanyDB": COMPANY,
                    "UserName": USER,
                    "Password": SECRET,
                    "Language": 15
                }))),
            logged_in(&replay),
        )
        .await;
    let mut settings = config(&replay);
    settings.language = Some(15);
    let client = vendor::Client::new(settings, vendor::Credentials::new(USER, SECRET)).unwrap();
    let token = client.fetch_token().await.unwrap();
    assert_eq!(token.access_token().expose_secret(), SESSION);
}

#[tokio::test]
async fn without_cookies_or_timeout_the_body_session_lasts_30_minutes() {
    let replay = Replay::start().await;
    replay
        .on(
            given(method("POST"))
                .and(path("/b1s/v1/Login"))
                .and(json_body(login_body())),
            json(200, json!({ "SessionId": SESSION, "Version": "1000190" })),
        )
        .await;
    // No ROUTEID was set, so none is sent back.
    replay
        .on(
            given(method("GET"))
                .and(path("/b1s/v1/Items"))
                .and(query_param("$top", "1"))
                .and(header("cookie", format!("B1SESSION={SESSION}").as_str())),
            json(200, json!({ "value": [] })),
        )
        .await;

    let tokens = TokenManager::new(client(&replay));
    let cached = tokens.token().await.unwrap();
    assert_eq!(cached.token().access_token().expose_secret(), SESSION);
    assert_eq!(cached.token().lifetime().as_secs(), 1800);
    assert!(cached.token().field("route_id").is_none());
    let status = replay
        .api_call(&tokens, reqwest::Method::GET, "/b1s/v1/Items?$top=1")
        .await;
    assert_eq!(status, 200);
}

#[tokio::test]
async fn logout_sends_the_session_cookies() {
    let replay = Replay::start().await;
    replay
        .on(
            given(method("POST"))
                .and(path("/b1s/v1/Login"))
                .and(json_body(login_body())),
            logged_in(&replay),
        )
        .await;
    replay
        .on(
            given(method("POST"))
                .and(path("/b1s/v1/Logout"))
                .and(NoQuery)
                .and(header("cookie", session_cookies().as_str()))
                .and(NoBody),
            ResponseTemplate::new(204),
        )
        .await;
    let client = client(&replay);
    let token = client.fetch_token().await.unwrap();
    client.revoke_token(&token).await.unwrap();
}

#[tokio::test]
async fn a_failed_login_is_a_typed_rejection_without_the_password() {
    let replay = Replay::start().await;
    replay
        .on(
            given(method("POST")).and(path("/b1s/v1/Login")),
            json(
                401,
                json!({ "error": { "code": 100000027, "message": { "lang": "en-us", "value": "Login failed" } } }),
            ),
        )
        .await;
    let error = client(&replay).fetch_token().await.unwrap_err();
    assert!(error.is_rejection());
    assert_eq!(error.status(), Some(401));
    let text = error.to_string();
    assert!(text.contains("Login failed"), "{text}");
    assert!(!text.contains(SECRET), "{text}");
}
