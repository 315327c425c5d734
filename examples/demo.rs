//! The main job on an embedded default: starts local stand-ins of the five
//! seed vendors on loopback, then fetches, refreshes and revokes tokens
//! through the generated clients, printing the results with secrets redacted.
//!
//! ```text
//! cargo run --example demo
//! ```

use vendor_auth::{Error, Token, TokenClient, Url};
use vendor_auth::{derbysoft_ai_voice, derbysoft_ticket, revoiceit, verbio, voipex};
use vendor_auth_stand_ins as stand_in;
use vendor_auth_stand_ins::credentials::*;

fn url(server: &wiremock::MockServer) -> Url {
    Url::parse(&server.uri()).expect("a stand-in has a valid URL")
}

#[tokio::main]
async fn main() -> Result<(), Error> {
    println!("Starting local stand-ins of the five seed vendors on loopback...\n");

    let server = stand_in::derbysoft_ai_voice::start().await;
    let config = derbysoft_ai_voice::Config::new(
        derbysoft_ai_voice::Environment::Custom(url(&server)),
        "voice.example.com",
    );
    let client = derbysoft_ai_voice::Client::new(
        config,
        derbysoft_ai_voice::Credentials::new(CLIENT_ID, CLIENT_SECRET),
    )?;
    run(&client).await?;

    let server = stand_in::verbio::start().await;
    let client = verbio::Client::new(
        verbio::Environment::Custom(url(&server)),
        verbio::Credentials::new(CLIENT_ID, CLIENT_SECRET),
    )?;
    run(&client).await?;

    // Production's token URL is "provided via Email": here, the stand-in's.
    let server = stand_in::derbysoft_ticket::start().await;
    let emailed = url(&server)
        .join(stand_in::derbysoft_ticket::TOKEN_PATH)
        .expect("a valid path");
    let client = derbysoft_ticket::Client::new(
        derbysoft_ticket::Environment::Production(emailed),
        derbysoft_ticket::Credentials::new(CLIENT_ID, CLIENT_SECRET),
    )?;
    run(&client).await?;

    let server = stand_in::revoiceit::start().await;
    let client = revoiceit::Client::new(
        revoiceit::Environment::Custom(url(&server)),
        revoiceit::Credentials::new(CLIENT_ID, CLIENT_SECRET),
    )?;
    run(&client).await?;

    let server = stand_in::voipex::start().await;
    let client = voipex::Client::new(
        voipex::Environment::Custom(url(&server)),
        voipex::Credentials::new(USERNAME, PASSWORD),
    )?;
    run(&client).await?;

    println!("All five vendors answered through their generated clients.");
    Ok(())
}

/// The same code for every vendor: the generated clients are interchangeable
/// behind `TokenClient`.
async fn run(client: &impl TokenClient) -> Result<(), Error> {
    println!("== {}", client.vendor());
    let token = client.fetch_token().await?;
    show("token", &token);
    for (name, value) in client.authorization().headers(&token)? {
        let name = name.map_or_else(String::new, |n| n.to_string());
        // Sensitive values (the token header) are never printed.
        let shown = if value.is_sensitive() {
            "[REDACTED]"
        } else {
            value.to_str().unwrap_or("?")
        };
        println!("   API header  {name}: {shown}");
    }
    let token = if client.supports_refresh() {
        let refreshed = client.refresh_token(&token).await?;
        show("refresh", &refreshed);
        refreshed
    } else {
        println!("   refresh     (none documented: a new token request renews the token)");
        token
    };
    if client.supports_revoke() {
        client.revoke_token(&token).await?;
        println!("   revoke      ok");
    }
    println!();
    Ok(())
}

fn show(operation: &str, token: &Token) {
    println!(
        "   {operation:<11} type={} lifetime={}s refresh_token={} scope={}",
        token.token_type().unwrap_or("-"),
        token.lifetime().as_secs(),
        if token.refresh_token().is_some() {
            "[REDACTED]"
        } else {
            "-"
        },
        token.scope().unwrap_or("-"),
    );
    println!("   {:<11} {token:?}", "");
}
