//! The five seed vendors as interchangeable test subjects.

use std::time::Duration;

use vendor_auth::{Error, HttpClient, RetryPolicy, Token, TokenClient, TokenManager, Url};
use vendor_auth::{derbysoft_ai_voice, derbysoft_ticket, revoiceit, verbio, voipex};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Vendor {
    AiVoice,
    Verbio,
    Ticket,
    Revoiceit,
    Voipex,
}

pub const ALL: [Vendor; 5] = [
    Vendor::AiVoice,
    Vendor::Verbio,
    Vendor::Ticket,
    Vendor::Revoiceit,
    Vendor::Voipex,
];

/// Fast retries, so that the catalogue runs in seconds.
pub fn quick_retries() -> RetryPolicy {
    RetryPolicy {
        max_attempts: 4,
        base_delay: Duration::from_millis(10),
        max_delay: Duration::from_millis(50),
        budget: Duration::from_secs(5),
    }
}

/// A client whose requests time out after 300 ms and read at most 64 KiB.
pub fn http() -> HttpClient {
    HttpClient::builder()
        .timeout(Duration::from_millis(300))
        .build()
        .unwrap()
}

impl Vendor {
    /// A valid token response as the vendor documents it.
    pub fn valid_body(self) -> String {
        let in_an_hour = time::OffsetDateTime::now_utc().unix_timestamp() + 3600;
        match self {
            Vendor::AiVoice => r#"{"expires_in": 84400, "access_token": "tok", "token_type": "Bearer"}"#.to_owned(),
            Vendor::Verbio => format!(r#"{{"access_token": "tok", "expiration_time": {in_an_hour}}}"#),
            Vendor::Ticket => r#"{"access_token": "tok", "scope": "shop.all", "token_type": "Bearer", "expires_in": "28800"}"#.to_owned(),
            Vendor::Revoiceit => r#"{"accessToken": "tok", "refreshToken": "ref"}"#.to_owned(),
            Vendor::Voipex => r#"{"access_token": "tok", "expires_in": 3000, "refresh_expires_in": 7200, "refresh_token": "ref", "token_type": "Bearer"}"#.to_owned(),
        }
    }

    /// The wire name of the access token field.
    pub fn token_field(self) -> &'static str {
        match self {
            Vendor::Revoiceit => "accessToken",
            _ => "access_token",
        }
    }

    /// Fetches a token with the generated client directly.
    pub async fn fetch(self, base: &str) -> Result<Token, Error> {
        let url: Url = base.parse().unwrap();
        match self {
            Vendor::AiVoice => {
                let config = derbysoft_ai_voice::Config::new(
                    derbysoft_ai_voice::Environment::Custom(url),
                    "x",
                );
                derbysoft_ai_voice::Client::with_http(
                    config,
                    derbysoft_ai_voice::Credentials::new("id", "secret"),
                    http(),
                )?
                .fetch_token()
                .await
            }
            Vendor::Verbio => {
                verbio::Client::with_http(
                    verbio::Environment::Custom(url),
                    verbio::Credentials::new("id", "secret"),
                    http(),
                )?
                .fetch_token()
                .await
            }
            Vendor::Ticket => {
                derbysoft_ticket::Client::with_http(
                    derbysoft_ticket::Environment::Production(url),
                    derbysoft_ticket::Credentials::new("id", "secret"),
                    http(),
                )?
                .fetch_token()
                .await
            }
            Vendor::Revoiceit => {
                revoiceit::Client::with_http(
                    revoiceit::Environment::Custom(url),
                    revoiceit::Credentials::new("id", "secret"),
                    http(),
                )?
                .fetch_token()
                .await
            }
            Vendor::Voipex => {
                voipex::Client::with_http(
                    voipex::Environment::Custom(url),
                    voipex::Credentials::new("u", "p"),
                    http(),
                )?
                .fetch_token()
                .await
            }
        }
    }

    /// Gets a token through a token manager with quick retries.
    pub async fn managed(self, base: &str) -> Result<Token, Error> {
        let url: Url = base.parse().unwrap();
        match self {
            Vendor::AiVoice => {
                let config = derbysoft_ai_voice::Config::new(
                    derbysoft_ai_voice::Environment::Custom(url),
                    "x",
                );
                through_manager(derbysoft_ai_voice::Client::with_http(
                    config,
                    derbysoft_ai_voice::Credentials::new("id", "secret"),
                    http(),
                )?)
                .await
            }
            Vendor::Verbio => {
                through_manager(verbio::Client::with_http(
                    verbio::Environment::Custom(url),
                    verbio::Credentials::new("id", "secret"),
                    http(),
                )?)
                .await
            }
            Vendor::Ticket => {
                through_manager(derbysoft_ticket::Client::with_http(
                    derbysoft_ticket::Environment::Production(url),
                    derbysoft_ticket::Credentials::new("id", "secret"),
                    http(),
                )?)
                .await
            }
            Vendor::Revoiceit => {
                through_manager(revoiceit::Client::with_http(
                    revoiceit::Environment::Custom(url),
                    revoiceit::Credentials::new("id", "secret"),
                    http(),
                )?)
                .await
            }
            Vendor::Voipex => {
                through_manager(voipex::Client::with_http(
                    voipex::Environment::Custom(url),
                    voipex::Credentials::new("u", "p"),
                    http(),
                )?)
                .await
            }
        }
    }
}

async fn through_manager<C: TokenClient + 'static>(client: C) -> Result<Token, Error> {
    let tokens = TokenManager::builder().retry(quick_retries()).build(client);
    tokens.token().await.map(|cached| cached.token().clone())
}
