//! Signed assertions: what one signature costs, and what a self-issued
//! token costs on the hot path next to a client-secret vendor.
//!
//! ```text
//! cargo bench -p vendor-auth-bench --bench signing
//! ```
//!
//! 1. Per assertion (a whole self-issued token: claims from templates, JSON,
//!    base64url, signature, the `Token`), for RS256 with a 2048-bit key
//!    (Snowflake's spec) and ES256 (App Store Connect's), against two
//!    baselines run in the same process on the same key and claims:
//!    `jsonwebtoken::encode` (its RustCrypto backend), and aws-lc signing
//!    with the key parsed for each signature, which is what
//!    `jsonwebtoken::encode` does on its aws-lc backend and what keeping
//!    only the PEM around costs.
//! 2. The cached-token hot path through `TokenManager` for a self-issued
//!    token and for a client-secret vendor (Spotify, its one token request
//!    answered by a loopback server).

use std::io::{Read, Write};
use std::time::Instant;

use aws_lc_rs::signature::{self, KeyPair as _};
use base64::Engine as _;
use vendor_auth::{TokenClient, TokenManager, Url, app_store_connect, snowflake_key_pair, spotify};

const KEYS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../tests/catalogue/keys/");

fn key(name: &str) -> String {
    std::fs::read_to_string(format!("{KEYS}{name}")).unwrap()
}

/// Mean µs per call of `f` over `n` calls, after a warm-up.
fn time_us(n: u32, mut f: impl FnMut() -> usize) -> f64 {
    let mut sink = 0usize;
    for _ in 0..n / 10 {
        sink = sink.wrapping_add(f());
    }
    let started = Instant::now();
    for _ in 0..n {
        sink = sink.wrapping_add(f());
    }
    std::hint::black_box(sink);
    started.elapsed().as_secs_f64() * 1e6 / f64::from(n)
}

/// The claims of Snowflake's assertion, as a hand-written client builds them.
#[derive(serde::Serialize)]
struct Claims<'a> {
    iss: &'a str,
    sub: &'a str,
    iat: i64,
    exp: i64,
}

fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64
}

fn claims() -> Claims<'static> {
    let iat = now();
    Claims {
        iss: "MYORG-ACCOUNT.JSMITH.SHA256:wB2KDSLjd/rKJASR325t2uBrgAGE0tQTVqfMZIKugn8=",
        sub: "MYORG-ACCOUNT.JSMITH",
        iat,
        exp: iat + 3540,
    }
}

/// `header.claims` as base64url, then signed by `sign`.
fn compact(header: &str, sign: impl FnOnce(&[u8]) -> Vec<u8>) -> usize {
    let b64 = base64::engine::general_purpose::URL_SAFE_NO_PAD;
    let mut jwt = b64.encode(header);
    jwt.push('.');
    jwt.push_str(&b64.encode(serde_json::to_vec(&claims()).unwrap()));
    let signature = sign(jwt.as_bytes());
    jwt.push('.');
    jwt.push_str(&b64.encode(signature));
    jwt.len()
}

fn der(pem_name: &str) -> Vec<u8> {
    let pem = key(pem_name);
    let body: String = pem.lines().filter(|l| !l.starts_with("-----")).collect();
    base64::engine::general_purpose::STANDARD
        .decode(body)
        .unwrap()
}

fn per_assertion() {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap();
    let snowflake = snowflake_key_pair::Client::new(
        snowflake_key_pair::Config::new(
            snowflake_key_pair::Environment::Production,
            "myorg-account",
            "jsmith",
        ),
        snowflake_key_pair::Credentials::new(key("rsa_pkcs8.pem")),
    )
    .unwrap();
    let apple = app_store_connect::Client::new(
        app_store_connect::Config::new(app_store_connect::Environment::Production),
        app_store_connect::Credentials::new(
            "57246542-96fe-1a63-e053-0824d011072a",
            "2X9R4HXF34",
            key("ec_p256.p8"),
        ),
    )
    .unwrap();
    let token_len = |token: vendor_auth::Token| {
        use vendor_auth::ExposeSecret as _;
        token.access_token().expose_secret().len()
    };

    let rsa_der = der("rsa_pkcs8.pem");
    let ec_der = der("ec_p256.p8");
    let rng = aws_lc_rs::rand::SystemRandom::new();
    let jwt_rsa = jsonwebtoken::EncodingKey::from_rsa_pem(key("rsa_pkcs8.pem").as_bytes()).unwrap();
    let jwt_ec = jsonwebtoken::EncodingKey::from_ec_pem(key("ec_p256.p8").as_bytes()).unwrap();
    let rs256 = jsonwebtoken::Header::new(jsonwebtoken::Algorithm::RS256);
    let es256 = jsonwebtoken::Header::new(jsonwebtoken::Algorithm::ES256);

    println!("1. per assertion (µs; lower is better)\n");
    println!("{:<58} {:>10} {:>10}", "", "RS256", "ES256");
    let ours = (
        time_us(2_000, || {
            token_len(runtime.block_on(snowflake.fetch_token()).unwrap())
        }),
        time_us(20_000, || {
            token_len(runtime.block_on(apple.fetch_token()).unwrap())
        }),
    );
    let reparse = (
        time_us(2_000, || {
            compact(r#"{"alg":"RS256","typ":"JWT"}"#, |message| {
                let pair = signature::RsaKeyPair::from_pkcs8(&rsa_der).unwrap();
                let mut out = vec![0; pair.public_modulus_len()];
                pair.sign(&signature::RSA_PKCS1_SHA256, &rng, message, &mut out)
                    .unwrap();
                out
            })
        }),
        time_us(20_000, || {
            compact(r#"{"alg":"ES256","typ":"JWT"}"#, |message| {
                let pair = signature::EcdsaKeyPair::from_pkcs8(
                    &signature::ECDSA_P256_SHA256_FIXED_SIGNING,
                    &ec_der,
                )
                .unwrap();
                std::hint::black_box(pair.public_key());
                pair.sign(&rng, message).unwrap().as_ref().to_vec()
            })
        }),
    );
    let rsa_pair = signature::RsaKeyPair::from_pkcs8(&rsa_der).unwrap();
    let ec_pair =
        signature::EcdsaKeyPair::from_pkcs8(&signature::ECDSA_P256_SHA256_FIXED_SIGNING, &ec_der)
            .unwrap();
    let floor = (
        time_us(2_000, || {
            compact(r#"{"alg":"RS256","typ":"JWT"}"#, |message| {
                let mut out = vec![0; rsa_pair.public_modulus_len()];
                rsa_pair
                    .sign(&signature::RSA_PKCS1_SHA256, &rng, message, &mut out)
                    .unwrap();
                out
            })
        }),
        time_us(20_000, || {
            compact(r#"{"alg":"ES256","typ":"JWT"}"#, |message| {
                ec_pair.sign(&rng, message).unwrap().as_ref().to_vec()
            })
        }),
    );
    let jsonwebtoken = (
        time_us(500, || {
            jsonwebtoken::encode(&rs256, &claims(), &jwt_rsa)
                .unwrap()
                .len()
        }),
        time_us(5_000, || {
            jsonwebtoken::encode(&es256, &claims(), &jwt_ec)
                .unwrap()
                .len()
        }),
    );
    let row = |name: &str, (rs, es): (f64, f64)| {
        println!("{name:<58} {rs:>10.1} {es:>10.1}");
    };
    row("vendor-auth: a self-issued token (key parsed once)", ours);
    row("floor: aws-lc, key parsed once, hand-written claims", floor);
    row("aws-lc, key parsed for each signature", reparse);
    row("jsonwebtoken::encode (RustCrypto)", jsonwebtoken);
    println!(
        "{:<58} {:>9.2}x {:>9.2}x",
        "  vendor-auth / floor",
        ours.0 / floor.0,
        ours.1 / floor.1
    );
    println!(
        "{:<58} {:>9.2}x {:>9.2}x",
        "  key parsed each time / vendor-auth",
        reparse.0 / ours.0,
        reparse.1 / ours.1
    );
    println!(
        "{:<58} {:>9.2}x {:>9.2}x\n",
        "  jsonwebtoken / vendor-auth",
        jsonwebtoken.0 / ours.0,
        jsonwebtoken.1 / ours.1
    );
}

/// Answers every connection with one canned token response.
fn token_server() -> Url {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let address = listener.local_addr().unwrap();
    std::thread::spawn(move || {
        let body = r#"{"access_token":"BQDhgNzfpfG3Wc9-bench-token","token_type":"Bearer","expires_in":3600}"#;
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { continue };
            let mut buffer = [0u8; 8192];
            let _ = stream.read(&mut buffer);
            let _ = write!(
                stream,
                "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
                body.len()
            );
        }
    });
    Url::parse(&format!("http://{address}")).unwrap()
}

const HOT_CALLS: u32 = 2_000_000;

/// ns per `token()` + first prepared header, on one current-thread runtime.
fn hot_path<C: TokenClient + 'static>(client: C) -> f64 {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async {
        let tokens = TokenManager::new(client);
        tokens.token().await.unwrap();
        let call = || async {
            tokens
                .token()
                .await
                .map(|c| c.headers()[0].1.len())
                .unwrap_or(0)
        };
        let mut sink = 0usize;
        for _ in 0..HOT_CALLS / 10 {
            sink = sink.wrapping_add(call().await);
        }
        let started = Instant::now();
        for _ in 0..HOT_CALLS {
            sink = sink.wrapping_add(call().await);
        }
        std::hint::black_box(sink);
        started.elapsed().as_nanos() as f64 / f64::from(HOT_CALLS)
    })
}

fn hot_paths() {
    let snowflake = snowflake_key_pair::Client::new(
        snowflake_key_pair::Config::new(
            snowflake_key_pair::Environment::Production,
            "myorg-account",
            "jsmith",
        ),
        snowflake_key_pair::Credentials::new(key("rsa_pkcs8.pem")),
    )
    .unwrap();
    let spotify = spotify::Client::new(
        spotify::Environment::Custom(token_server()),
        spotify::Credentials::new("5fe01282e94241328a84e7c5cc169164", "a-client-secret"),
    )
    .unwrap();
    println!(
        "2. cached-token hot path: token() + Authorization value, {HOT_CALLS} calls, 1 thread\n"
    );
    let client_secret = hot_path(spotify);
    let self_issued = hot_path(snowflake);
    println!("{:<58} {:>10}", "", "ns/call");
    println!(
        "{:<58} {client_secret:>10.1}",
        "client-secret vendor (Spotify)"
    );
    println!(
        "{:<58} {self_issued:>10.1}",
        "self-issued RS256 token (Snowflake)"
    );
    println!(
        "{:<58} {:>9.2}x",
        "  self-issued / client-secret",
        self_issued / client_secret
    );
}

fn main() {
    if !std::env::args().any(|a| a == "--bench") {
        println!("signing: run with `cargo bench -p vendor-auth-bench --bench signing`");
        return;
    }
    per_assertion();
    hot_paths();
}
