//! Token exchange: the generated client against the `oauth2` crate doing the
//! same client_credentials exchange (HTTP Basic + form body) against the same
//! fast local server, with the same reqwest settings and keep-alive.
//!
//! ```text
//! cargo bench -p vendor-auth-bench --bench token_exchange
//! ```
//!
//! The generated client is DerbySoft Ticket's (its spec is exactly this
//! shape). The `oauth2` crate is driven through a closure over a reqwest
//! client built by `vendor_auth::HttpClient`, so both sides share settings:
//! 30 s timeout, no redirects, connection reuse. Rounds alternate between the
//! two so that drift in the machine affects both alike.

use std::time::{Duration, Instant};

use oauth2::basic::BasicClient;
use oauth2::{ClientId, ClientSecret, TokenResponse, TokenUrl};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;
use vendor_auth::{ExposeSecret, HttpClient, TokenClient, derbysoft_ticket};

const BODY: &str = r#"{"access_token":"eyJhbGciOiJSUzI1NiJ9.payload.signature","token_type":"Bearer","expires_in":28800,"scope":"shop.all reservation.all"}"#;

/// A minimal HTTP/1.1 keep-alive server that answers every request with the
/// same token response, so that the clients' own costs dominate.
async fn serve() -> String {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    let response = format!(
        "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\n\r\n{BODY}",
        BODY.len()
    );
    tokio::spawn(async move {
        loop {
            let (mut socket, _) = listener.accept().await.unwrap();
            let response = response.clone();
            tokio::spawn(async move {
                let mut buffer = Vec::with_capacity(4096);
                let mut chunk = [0u8; 4096];
                loop {
                    // Read one request: headers, then Content-Length bytes of body.
                    let request_end = loop {
                        if let Some(end) = find(&buffer, b"\r\n\r\n") {
                            let head = String::from_utf8_lossy(&buffer[..end]).to_ascii_lowercase();
                            let length = head
                                .lines()
                                .find_map(|line| line.strip_prefix("content-length:"))
                                .map_or(0, |v| v.trim().parse::<usize>().unwrap_or(0));
                            if buffer.len() >= end + 4 + length {
                                break end + 4 + length;
                            }
                        }
                        match socket.read(&mut chunk).await {
                            Ok(0) | Err(_) => return,
                            Ok(n) => buffer.extend_from_slice(&chunk[..n]),
                        }
                    };
                    buffer.drain(..request_end);
                    if socket.write_all(response.as_bytes()).await.is_err() {
                        return;
                    }
                }
            });
        }
    });
    format!("http://{address}/token")
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack
        .windows(needle.len())
        .position(|window| window == needle)
}

struct Stats {
    samples: Vec<Duration>,
}

impl Stats {
    fn mean(&self) -> Duration {
        self.samples.iter().sum::<Duration>() / self.samples.len() as u32
    }
    fn p99(&mut self) -> Duration {
        self.samples.sort();
        self.samples[(self.samples.len() - 1) * 99 / 100]
    }
}

const ROUNDS: usize = 10;
const PER_ROUND: usize = 1000;

#[tokio::main(flavor = "current_thread")]
async fn main() {
    if !std::env::args().any(|a| a == "--bench") {
        println!(
            "token_exchange: run with `cargo bench -p vendor-auth-bench --bench token_exchange`"
        );
        return;
    }
    let url = serve().await;

    let generated = derbysoft_ticket::Client::new(
        derbysoft_ticket::Environment::Production(url.parse().unwrap()),
        derbysoft_ticket::Credentials::new("client-id", "client-secret"),
    )
    .unwrap();

    let http = HttpClient::default().reqwest().clone();
    let oauth = BasicClient::new(ClientId::new("client-id".into()))
        .set_client_secret(ClientSecret::new("client-secret".into()))
        .set_token_uri(TokenUrl::new(url.clone()).unwrap());
    let send = move |request: oauth2::HttpRequest| {
        let http = http.clone();
        async move {
            let (parts, body) = request.into_parts();
            let response = http
                .request(parts.method, parts.uri.to_string())
                .headers(parts.headers)
                .body(body)
                .send()
                .await?;
            let mut builder = oauth2::http::Response::builder().status(response.status());
            for (name, value) in response.headers() {
                builder = builder.header(name, value);
            }
            let body = response.bytes().await?.to_vec();
            Ok::<_, reqwest::Error>(builder.body(body).expect("a valid response"))
        }
    };

    // Both produce the same token before anything is timed.
    let ours = generated.fetch_token().await.unwrap();
    let theirs = oauth
        .exchange_client_credentials()
        .request_async(&send)
        .await
        .unwrap();
    assert_eq!(
        ours.access_token().expose_secret(),
        theirs.access_token().secret()
    );
    assert_eq!(ours.lifetime(), theirs.expires_in().unwrap());

    let mut generated_stats = Stats {
        samples: Vec::with_capacity(ROUNDS * PER_ROUND),
    };
    let mut oauth_stats = Stats {
        samples: Vec::with_capacity(ROUNDS * PER_ROUND),
    };
    for _ in 0..ROUNDS {
        for _ in 0..PER_ROUND {
            let started = Instant::now();
            std::hint::black_box(generated.fetch_token().await.unwrap());
            generated_stats.samples.push(started.elapsed());
        }
        for _ in 0..PER_ROUND {
            let started = Instant::now();
            std::hint::black_box(
                oauth
                    .exchange_client_credentials()
                    .request_async(&send)
                    .await
                    .unwrap(),
            );
            oauth_stats.samples.push(started.elapsed());
        }
    }
    let (gm, om) = (generated_stats.mean(), oauth_stats.mean());
    let (gp, op) = (generated_stats.p99(), oauth_stats.p99());
    println!(
        "{} exchanges each, alternating rounds of {PER_ROUND}, one connection kept alive per client\n",
        ROUNDS * PER_ROUND
    );
    println!("{:<34} {:>12} {:>12}", "", "mean", "p99");
    println!(
        "{:<34} {:>12.2?} {:>12.2?}",
        "generated client (fetch_token)", gm, gp
    );
    println!(
        "{:<34} {:>12.2?} {:>12.2?}",
        "oauth2 crate (client_credentials)", om, op
    );
    println!(
        "{:<34} {:>12.3} {:>12.3}",
        "ratio generated / oauth2",
        gm.as_secs_f64() / om.as_secs_f64(),
        gp.as_secs_f64() / op.as_secs_f64()
    );
}
