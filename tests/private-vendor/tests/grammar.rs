//! The spec grammar's constructs, end to end through compiled fixtures:
//! static credentials, a seeded and rotating refresh token, an error inside a
//! success body, chained steps, values read from headers, cookies, a text
//! body and what the request sent, and API calls carrying cookies.

use std::sync::{Arc, Mutex};

use private_vendor::fixtures::{
    chained_vendor as chained, seeded_vendor as seeded, static_vendor as fixed,
};
use vendor_auth::{Error, ExposeSecret, TokenClient, TokenManager, Url};
use wiremock::matchers::{body_string, header, method, path};
use wiremock::{Mock, MockServer, Request, ResponseTemplate};

fn custom(server: &MockServer) -> Url {
    Url::parse(&server.uri()).unwrap()
}

fn body(request: &Request) -> &str {
    std::str::from_utf8(&request.body).unwrap()
}

#[tokio::test]
async fn static_credentials_need_no_token_request() {
    let config = fixed::Config::new(
        fixed::Environment::Custom(Url::parse("https://unused.example").unwrap()),
        "acme",
        "tenant-7",
    );
    let client = fixed::Client::new(
        config,
        fixed::Credentials::new("me@example.com", "tok:en", "k&y"),
    )
    .unwrap();
    let tokens = TokenManager::new(client);
    let cached = tokens.token().await.unwrap();
    // base64("me@example.com:tok:en")
    assert_eq!(
        cached.header("authorization").unwrap(),
        "Basic bWVAZXhhbXBsZS5jb206dG9rOmVu"
    );
    assert!(cached.header("authorization").unwrap().is_sensitive());
    assert_eq!(cached.header("x-tenant").unwrap(), "tenant-7");
    let request = tokens
        .authorize(reqwest::Client::new().get("https://api.example.com/v1/me"))
        .await
        .unwrap()
        .build()
        .unwrap();
    assert_eq!(request.url().query(), Some("key=k%26y"));
    // Nothing to revoke, and a second call reuses the same "token".
    assert_eq!(
        tokens.token().await.unwrap().generation(),
        cached.generation()
    );
}

#[tokio::test]
async fn production_base_url_is_filled_from_the_site_variable() {
    let client = fixed::Client::new(
        fixed::Config::new(fixed::Environment::Production, "acme", "t"),
        fixed::Credentials::new("e", "t", "k"),
    )
    .unwrap();
    assert_eq!(client.base_url().as_str(), "https://acme.example.com/");
    for bad in ["evil.com/x", "a@b", "a\\b", "..", "a b"] {
        let error = fixed::Client::new(
            fixed::Config::new(fixed::Environment::Production, bad, "t"),
            fixed::Credentials::new("e", "t", "k"),
        )
        .unwrap_err();
        assert!(matches!(error, Error::Config { .. }), "{bad}: {error}");
    }
}

fn seeded_client(server: &MockServer) -> seeded::Client {
    seeded::Client::new(
        seeded::Environment::Custom(custom(server)),
        seeded::Credentials::new("cid", "csecret", "ghr_first"),
    )
    .unwrap()
}

#[tokio::test]
async fn a_seeded_refresh_token_is_used_rotated_reported_and_revoked() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/oauth/token"))
        .and(body_string(
            "grant_type=refresh_token&client_id=cid&client_secret=csecret&refresh_token=ghr_first",
        ))
        .respond_with(ResponseTemplate::new(200).set_body_string(
            "access_token=ghu_1&expires_in=28800&refresh_token=ghr_second&refresh_token_expires_in=15811200&token_type=bearer",
        ))
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path("/oauth/token"))
        .and(body_string(
            "grant_type=refresh_token&client_id=cid&client_secret=csecret&refresh_token=ghr_second",
        ))
        .respond_with(ResponseTemplate::new(200).set_body_string(
            "access_token=ghu_2&expires_in=28800&refresh_token=ghr_third&token_type=bearer",
        ))
        .mount(&server)
        .await;
    Mock::given(method("DELETE"))
        .and(path("/applications/main/token"))
        .and(header("x-refresh-token", "ghr_third"))
        .respond_with(ResponseTemplate::new(204))
        .mount(&server)
        .await;

    let rotated = Arc::new(Mutex::new(Vec::new()));
    let seen = rotated.clone();
    let client = seeded_client(&server).on_refresh_token_rotated(move |token| {
        seen.lock().unwrap().push(token.expose_secret().to_owned());
    });
    let first = client.fetch_token().await.unwrap();
    assert_eq!(first.access_token().expose_secret(), "ghu_1");
    assert_eq!(first.lifetime().as_secs(), 28800);
    assert_eq!(client.latest_refresh_token().expose_secret(), "ghr_second");

    let second = client.refresh_token(&first).await.unwrap();
    assert_eq!(second.access_token().expose_secret(), "ghu_2");
    assert_eq!(second.refresh_token().unwrap().expose_secret(), "ghr_third");
    assert_eq!(client.latest_refresh_token().expose_secret(), "ghr_third");
    assert_eq!(*rotated.lock().unwrap(), ["ghr_second", "ghr_third"]);

    client.revoke_token(&second).await.unwrap();
    let requests = server.received_requests().await.unwrap();
    // The optional `scope` was unset, so it was left out of both bodies.
    assert!(requests.iter().all(|r| !body(r).contains("scope")));
    assert_eq!(requests.len(), 3);
}

#[tokio::test]
async fn an_error_inside_a_200_body_is_a_typed_rejection() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(200).set_body_string(
            "error=bad_refresh_token&error_description=The+refresh+token+passed+is+incorrect+or+expired.",
        ))
        .mount(&server)
        .await;
    let error = seeded_client(&server).fetch_token().await.unwrap_err();
    assert!(error.is_rejection(), "{error}");
    assert_eq!(error.status(), Some(400));
    let text = error.to_string();
    assert!(text.contains("bad_refresh_token"), "{text}");
    assert!(
        !text.contains("ghr_first") && !text.contains("csecret"),
        "{text}"
    );
}

#[tokio::test]
async fn a_seeded_token_that_is_not_rotated_is_kept() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(200).set_body_string("access_token=a&expires_in=60"))
        .mount(&server)
        .await;
    let client = seeded_client(&server);
    let token = client.fetch_token().await.unwrap();
    assert_eq!(token.refresh_token().unwrap().expose_secret(), "ghr_first");
    assert_eq!(client.latest_refresh_token().expose_secret(), "ghr_first");
}

#[tokio::test]
async fn chained_steps_feed_later_requests() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/login"))
        .respond_with(
            ResponseTemplate::new(200)
                .insert_header("set-cookie", "SESSION=s-123; HttpOnly; Path=/")
                .set_body_json(serde_json::json!({ "SessionTimeout": 30 })),
        )
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/nonce"))
        .and(header("cookie", "SESSION=s-123"))
        .respond_with(ResponseTemplate::new(200).set_body_string("n-456\n"))
        .mount(&server)
        .await;
    Mock::given(method("PUT"))
        .and(path("/exchange"))
        .and(header("cookie", "SESSION=s-123"))
        .and(header("x-nonce", "n-456"))
        .and(header("x-token-ttl", "600"))
        .respond_with(
            ResponseTemplate::new(201)
                .insert_header("x-subject-token", "tok-789")
                .insert_header("x-session-id", "sid-1"),
        )
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path("/logout"))
        .and(header("x-subject-token", "tok-789"))
        .respond_with(ResponseTemplate::new(200))
        .mount(&server)
        .await;

    let mut config = chained::Config::new(chained::Environment::Custom(custom(&server)), "SBODEMO");
    config.ttl = 600;
    let client =
        chained::Client::new(config, chained::Credentials::new("manager", "p\"w")).unwrap();
    let token = client.fetch_token().await.unwrap();
    assert_eq!(token.access_token().expose_secret(), "tok-789");
    assert_eq!(token.lifetime().as_secs(), 600);
    assert_eq!(token.field("session_id").unwrap().expose(), "sid-1");

    let requests = server.received_requests().await.unwrap();
    let login: serde_json::Value = serde_json::from_slice(&requests[0].body).unwrap();
    assert_eq!(
        login,
        serde_json::json!({
            "CompanyDB": "SBODEMO", "UserName": "manager", "Password": "p\"w",
            "Options": { "Languages": ["en", 23], "Verbose": false, "Trace": null }
        })
    );
    let day = requests[2].headers["x-day"].to_str().unwrap();
    assert_eq!(day.len(), 8);
    assert!(day.bytes().all(|b| b.is_ascii_digit()));

    let headers = client.authorization().headers(&token).unwrap();
    assert_eq!(headers["x-subject-token"], "tok-789");
    assert_eq!(headers["cookie"], "SESSION_ID=sid-1");
    assert_eq!(headers["x-request-id"].len(), 36);
    client.revoke_token(&token).await.unwrap();
}

#[tokio::test]
async fn a_failed_step_stops_the_chain_with_its_status() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/login"))
        .respond_with(ResponseTemplate::new(401))
        .mount(&server)
        .await;
    let client = chained::Client::new(
        chained::Config::new(chained::Environment::Custom(custom(&server)), "DB"),
        chained::Credentials::new("u", "p"),
    )
    .unwrap();
    let error = client.fetch_token().await.unwrap_err();
    assert_eq!(error.status(), Some(401));
    assert_eq!(server.received_requests().await.unwrap().len(), 1);
}

#[tokio::test]
async fn a_step_without_its_output_is_a_decode_error_naming_it() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/login"))
        .respond_with(ResponseTemplate::new(200).set_body_json(serde_json::json!({})))
        .mount(&server)
        .await;
    let client = chained::Client::new(
        chained::Config::new(chained::Environment::Custom(custom(&server)), "DB"),
        chained::Credentials::new("u", "p"),
    )
    .unwrap();
    let error = client.fetch_token().await.unwrap_err();
    assert!(matches!(error, Error::Decode { .. }), "{error}");
    assert!(error.to_string().contains("cookie `SESSION`"), "{error}");
}
