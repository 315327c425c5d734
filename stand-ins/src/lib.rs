//! Local stand-ins of the seed vendors' token endpoints, on loopback.
//!
//! Each stand-in is written from the vendor's document in `shared/seeds/`,
//! not from its spec: it answers the documented example only to a request
//! of exactly the documented shape (method, path, encoding, credentials) and
//! answers anything else with the documented error status. That makes the
//! stand-ins usable both for the demo and as a wire check in tests.

use std::time::{SystemTime, UNIX_EPOCH};

use base64::Engine;
use serde_json::json;
use wiremock::matchers::{body_json, body_string, header, method, path, query_param};
use wiremock::{Mock, MockServer, Request, ResponseTemplate};

/// The credentials every stand-in accepts.
pub mod credentials {
    pub const CLIENT_ID: &str = "stand-in-client-id";
    pub const CLIENT_SECRET: &str = "stand-in-client-secret";
    /// Voipex logs in with an e-mail address (the `@` must arrive as `%40`).
    pub const USERNAME: &str = "user@example.com";
    pub const PASSWORD: &str = "stand-in-password";
}
use credentials::*;

fn json_response(status: u16, body: serde_json::Value) -> ResponseTemplate {
    ResponseTemplate::new(status).set_body_json(body)
}

fn unix_now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

/// DerbySoft AI Voice (seed 000).
pub mod derbysoft_ai_voice {
    use super::*;

    /// The document's example response exactly as printed: not valid JSON,
    /// a comma is missing after `84400`.
    pub const EXAMPLE_AS_PRINTED: &str = "{\n    \"expires_in\": 84400\n    \"access_token\": \"eyJ0eXAiOiJKV1QiLCJhbGciOiJSUzI1NiJ9.example\",\n    \"token_type\": \"Bearer\"\n}";
    /// The example with the comma restored.
    pub const EXAMPLE: &str = "{\n    \"expires_in\": 84400,\n    \"access_token\": \"eyJ0eXAiOiJKV1QiLCJhbGciOiJSUzI1NiJ9.example\",\n    \"token_type\": \"Bearer\"\n}";
    pub const TOKEN_PATH: &str = "/authorizer/token";

    /// Credentials and grant type in the query string of the token URL.
    pub async fn start() -> MockServer {
        mount(MockServer::start().await).await
    }

    /// Mounts the stand-in on `server`, e.g. one listening on a chosen port.
    pub async fn mount(server: MockServer) -> MockServer {
        Mock::given(path(TOKEN_PATH))
            .and(query_param("client_id", CLIENT_ID))
            .and(query_param("client_secret", CLIENT_SECRET))
            .and(query_param("grant_type", "client_credentials"))
            .respond_with(ResponseTemplate::new(200).set_body_raw(EXAMPLE, "application/json"))
            .with_priority(1)
            .mount(&server)
            .await;
        Mock::given(path(TOKEN_PATH))
            .respond_with(ResponseTemplate::new(401))
            .with_priority(10)
            .mount(&server)
            .await;
        server
    }
}

/// Verbio Speech Center (seed 001).
pub mod verbio {
    use super::*;

    pub const TOKEN_PATH: &str = "/api/v1/token";
    /// The document's example; its `expiration_time` (March 2023) is past.
    pub const EXAMPLE: &str =
        r#"{ "access_token": "EXAMPLE_ACCESS_TOKEN", "expiration_time": 1678453328 }"#;

    /// JSON body in, absolute expiry out (an hour from now).
    pub async fn start() -> MockServer {
        mount(MockServer::start().await).await
    }

    /// Mounts the stand-in on `server`, e.g. one listening on a chosen port.
    pub async fn mount(server: MockServer) -> MockServer {
        Mock::given(method("POST"))
            .and(path(TOKEN_PATH))
            .and(header("content-type", "application/json"))
            .and(body_json(json!({ "client_id": CLIENT_ID, "client_secret": CLIENT_SECRET })))
            .respond_with(|_: &Request| json_response(200, json!({ "access_token": "EXAMPLE_ACCESS_TOKEN", "expiration_time": unix_now() + 3600 })))
            .with_priority(1)
            .mount(&server)
            .await;
        Mock::given(path(TOKEN_PATH))
            .respond_with(ResponseTemplate::new(401))
            .with_priority(10)
            .mount(&server)
            .await;
        server
    }
}

/// DerbySoft Ticket (seed 002).
pub mod derbysoft_ticket {
    use super::*;

    pub const TOKEN_PATH: &str = "/ticket-distributor-authorizer/token";
    pub const EXAMPLE: &str = r#"{
"access_token": "***Token Here***",
"scope": "shop.all reservation.all product.all livecheck.all",
"token_type": "Bearer",
"expires_in": 28800
}"#;

    /// `Authorization: Basic base64(client_id:client_secret)`.
    pub fn basic_header() -> String {
        let pair = format!("{CLIENT_ID}:{CLIENT_SECRET}");
        format!(
            "Basic {}",
            base64::engine::general_purpose::STANDARD.encode(pair)
        )
    }

    /// HTTP Basic plus a form body; mount on a server whose URL is the
    /// customer's token URL plus [`TOKEN_PATH`].
    pub async fn start() -> MockServer {
        mount(MockServer::start().await).await
    }

    /// Mounts the stand-in on `server`, e.g. one listening on a chosen port.
    pub async fn mount(server: MockServer) -> MockServer {
        Mock::given(method("POST"))
            .and(path(TOKEN_PATH))
            .and(header("authorization", basic_header().as_str()))
            .and(header("content-type", "application/x-www-form-urlencoded"))
            .and(body_string("grant_type=client_credentials"))
            .respond_with(ResponseTemplate::new(200).set_body_raw(EXAMPLE, "application/json"))
            .with_priority(1)
            .mount(&server)
            .await;
        Mock::given(path(TOKEN_PATH))
            .respond_with(json_response(
                401,
                json!({ "error": "invalid_client", "error_description": "Bad client credentials" }),
            ))
            .with_priority(10)
            .mount(&server)
            .await;
        server
    }
}

/// Revoiceit (seed 003).
pub mod revoiceit {
    use super::*;

    pub const ACCESS_TOKEN: &str = "stand-in-access-token";
    pub const REFRESHED_ACCESS_TOKEN: &str = "stand-in-refreshed-access-token";
    pub const REFRESH_TOKEN: &str = "stand-in-refresh-token";

    /// camelCase JSON on `/auth/token`, `/auth/refresh` and `/auth/revoke`.
    pub async fn start() -> MockServer {
        mount(MockServer::start().await).await
    }

    /// Mounts the stand-in on `server`, e.g. one listening on a chosen port.
    pub async fn mount(server: MockServer) -> MockServer {
        let routes = [
            (
                "/auth/token",
                json!({ "clientId": CLIENT_ID, "clientSecret": CLIENT_SECRET }),
                json!({ "accessToken": ACCESS_TOKEN, "refreshToken": REFRESH_TOKEN }),
            ),
            (
                "/auth/refresh",
                json!({ "refreshToken": REFRESH_TOKEN }),
                json!({ "accessToken": REFRESHED_ACCESS_TOKEN }),
            ),
            (
                "/auth/revoke",
                json!({ "refreshToken": REFRESH_TOKEN }),
                json!({ "message": "Token revoked successfully" }),
            ),
        ];
        for (route, request, response) in routes {
            Mock::given(method("POST"))
                .and(path(route))
                .and(header("content-type", "application/json"))
                .and(body_json(request))
                .respond_with(json_response(200, response))
                .with_priority(1)
                .mount(&server)
                .await;
            Mock::given(path(route))
                .respond_with(ResponseTemplate::new(400))
                .with_priority(10)
                .mount(&server)
                .await;
        }
        server
    }
}

/// Voipex (seed 004).
pub mod voipex {
    use super::*;

    pub const TOKEN_PATH: &str = "/token";
    pub const REFRESH_TOKEN: &str = "stand-in-refresh-token";
    /// The document's request body, with the stand-in credentials.
    pub fn password_grant_body() -> String {
        format!(
            "client_id=api&username={}&password={PASSWORD}&grant_type=password",
            USERNAME.replace('@', "%40")
        )
    }

    pub fn example(access_token: &str, refresh_token: &str) -> serde_json::Value {
        json!({
            "access_token": access_token,
            "expires_in": 3000,
            "refresh_expires_in": 7200,
            "refresh_token": refresh_token,
            "token_type": "Bearer",
            "not-before-policy": 0,
            "session_state": "fbf59841-8288-4a71-8192-2bd4bf8a5c50",
            "scope": "profile email"
        })
    }

    /// Password grant, and Keycloak's `grant_type=refresh_token`, which
    /// rotates the refresh token.
    pub async fn start() -> MockServer {
        mount(MockServer::start().await).await
    }

    /// Mounts the stand-in on `server`, e.g. one listening on a chosen port.
    pub async fn mount(server: MockServer) -> MockServer {
        Mock::given(method("POST"))
            .and(path(TOKEN_PATH))
            .and(header("content-type", "application/x-www-form-urlencoded"))
            .and(body_string(password_grant_body()))
            .respond_with(json_response(
                200,
                example("stand-in-access-token", REFRESH_TOKEN),
            ))
            .with_priority(1)
            .mount(&server)
            .await;
        Mock::given(method("POST"))
            .and(path(TOKEN_PATH))
            .and(body_string(format!(
                "client_id=api&grant_type=refresh_token&refresh_token={REFRESH_TOKEN}"
            )))
            .respond_with(json_response(
                200,
                example(
                    "stand-in-refreshed-access-token",
                    "stand-in-rotated-refresh-token",
                ),
            ))
            .with_priority(1)
            .mount(&server)
            .await;
        Mock::given(path(TOKEN_PATH))
            .respond_with(json_response(401, json!({ "error": "invalid_grant", "error_description": "Invalid user credentials" })))
            .with_priority(10)
            .mount(&server)
            .await;
        server
    }
}

/// The vendors that have a stand-in, by module name.
pub const VENDORS: &[&str] = &[
    "derbysoft_ai_voice",
    "verbio",
    "derbysoft_ticket",
    "revoiceit",
    "voipex",
];

/// Starts the stand-in of the vendor whose module is `module`, on `listener`
/// if one is given (else on a free loopback port); `None` if it has none.
pub async fn start_named(
    module: &str,
    listener: Option<std::net::TcpListener>,
) -> Option<MockServer> {
    if !VENDORS.contains(&module) {
        return None;
    }
    let server = match listener {
        Some(listener) => MockServer::builder().listener(listener).start().await,
        None => MockServer::start().await,
    };
    Some(match module {
        "derbysoft_ai_voice" => derbysoft_ai_voice::mount(server).await,
        "verbio" => verbio::mount(server).await,
        "derbysoft_ticket" => derbysoft_ticket::mount(server).await,
        "revoiceit" => revoiceit::mount(server).await,
        "voipex" => voipex::mount(server).await,
        _ => return None,
    })
}
