//! hyper's client behind `AuthorizeLayer`: every request it sends carries
//! the vendor's token.
//!
//! ```sh
//! SPOTIFY_CLIENT_ID=... SPOTIFY_CLIENT_SECRET=... cargo run --example hyper_client --features tower
//! ```

use bytes::Bytes;
use http_body_util::{BodyExt as _, Empty};
use hyper_util::client::legacy::Client;
use hyper_util::rt::TokioExecutor;
use tower::{Layer as _, ServiceExt as _};
use vendor_auth::{AuthorizeLayer, FromEnv as _, Selection, TokenManager, spotify};

#[tokio::main]
async fn main() -> Result<(), vendor_auth::BoxError> {
    let tokens = TokenManager::new(spotify::Client::from_env(&Selection::default())?);
    // hyper needs a TLS connector for https (e.g. hyper-rustls); plain
    // http keeps this example to the layer itself.
    let hyper = Client::builder(TokioExecutor::new()).build_http::<Empty<Bytes>>();
    let api = AuthorizeLayer::new(tokens).layer(hyper);
    let url = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "http://127.0.0.1:8080/v1/me".to_owned());
    let response = api
        .oneshot(http::Request::get(url).body(Empty::<Bytes>::new())?)
        .await?;
    println!("{}", response.status());
    let body = response.into_body().collect().await?.to_bytes();
    println!("{}", String::from_utf8_lossy(&body));
    Ok(())
}
