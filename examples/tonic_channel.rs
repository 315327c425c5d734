//! A tonic channel behind `AuthorizeLayer`: every gRPC call carries the
//! vendor's token in its `authorization` metadata. The generated client
//! here is the standard gRPC health service's (tonic-health); any other
//! generated client takes the layered channel the same way.
//!
//! ```sh
//! SPOTIFY_CLIENT_ID=... SPOTIFY_CLIENT_SECRET=... cargo run --example tonic_channel --features tower -- http://127.0.0.1:50051
//! ```

use tonic::transport::Channel;
use tonic_health::pb::HealthCheckRequest;
use tonic_health::pb::health_client::HealthClient;
use vendor_auth::{AuthorizeLayer, FromEnv as _, Selection, TokenManager, spotify};

#[tokio::main]
async fn main() -> Result<(), vendor_auth::BoxError> {
    let tokens = TokenManager::new(spotify::Client::from_env(&Selection::default())?);
    let address = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "http://127.0.0.1:50051".to_owned());
    let channel = Channel::from_shared(address)?.connect_lazy();
    let authorized = tower::ServiceBuilder::new()
        .layer(AuthorizeLayer::new(tokens))
        .service(channel);
    let mut health = HealthClient::new(authorized);
    let reply = health
        .check(HealthCheckRequest {
            service: String::new(),
        })
        .await?;
    println!("serving status: {:?}", reply.into_inner().status());
    Ok(())
}
