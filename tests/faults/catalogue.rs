//! One test per fault, each run against all five seed vendors. A test's name
//! states the outcome; `docs/faults.md` lists the catalogue.

use std::time::{Duration, Instant};

use vendor_auth::{Error, ExposeSecret, Token};

use crate::raw::{Behaviour, RawServer, response};
use crate::vendors::{ALL, Vendor};

const JSON: &str = "application/json";

fn json(status: u16, body: &str) -> Behaviour {
    Behaviour::Write(response(status, JSON, body.as_bytes()))
}

/// Runs `fault` against every vendor, directly (`managed == false`) or
/// through a token manager, and checks the outcome and the request count.
async fn check(
    fault: &str,
    managed: bool,
    behaviours: impl Fn(Vendor) -> Vec<Behaviour>,
    expected: impl Fn(Vendor, &Result<Token, Error>) -> bool,
    requests: usize,
) {
    for vendor in ALL {
        let server = RawServer::start(behaviours(vendor)).await;
        let result = if managed {
            vendor.managed(&server.url).await
        } else {
            vendor.fetch(&server.url).await
        };
        assert!(
            expected(vendor, &result),
            "{fault} / {vendor:?}: unexpected outcome {result:?}"
        );
        assert_eq!(
            server.requests(),
            requests,
            "{fault} / {vendor:?}: request count"
        );
    }
}

fn is_decode(result: &Result<Token, Error>) -> bool {
    matches!(result, Err(Error::Decode { .. }))
}

fn is_status(result: &Result<Token, Error>, status: u16) -> bool {
    matches!(result, Err(error) if error.status() == Some(status))
}

fn is_transport(result: &Result<Token, Error>) -> bool {
    matches!(result, Err(Error::Transport { .. }))
}

fn is_timeout(result: &Result<Token, Error>) -> bool {
    matches!(result, Err(Error::Transport { timeout: true, .. }))
}

fn got_token(result: &Result<Token, Error>) -> bool {
    matches!(result, Ok(token) if token.access_token().expose_secret() == "tok")
}

#[tokio::test]
async fn malformed_json_is_a_decode_error_not_retried() {
    // The AI Voice document's own example: a comma missing.
    let broken = |v: Vendor| vec![json(200, &v.valid_body().replacen(',', "", 1))];
    check("malformed JSON", false, broken, |_, r| is_decode(r), 1).await;
    check("malformed JSON", true, broken, |_, r| is_decode(r), 1).await;
}

#[tokio::test]
async fn an_html_502_page_is_a_status_error_retried_by_the_manager() {
    let page = |_| {
        vec![Behaviour::Write(response(
            502,
            "text/html",
            b"<html><body><h1>502 Bad Gateway</h1></body></html>",
        ))]
    };
    check("HTML 502", false, page, |_, r| is_status(r, 502), 1).await;
    check("HTML 502", true, page, |_, r| is_status(r, 502), 4).await;
}

#[tokio::test]
async fn an_empty_200_body_is_a_decode_error() {
    check(
        "empty body",
        true,
        |_| vec![json(200, "")],
        |_, r| is_decode(r),
        1,
    )
    .await;
}

#[tokio::test]
async fn a_truncated_body_is_a_transport_error_retried_by_the_manager() {
    let truncated = |v: Vendor| {
        let body = v.valid_body();
        let mut bytes = format!(
            "HTTP/1.1 200 OK\r\ncontent-type: {JSON}\r\ncontent-length: {}\r\n\r\n",
            body.len() + 50
        )
        .into_bytes();
        bytes.extend_from_slice(&body.as_bytes()[..body.len() / 2]);
        vec![Behaviour::Write(bytes)]
    };
    check(
        "truncated body",
        false,
        truncated,
        |_, r| is_transport(r),
        1,
    )
    .await;
    check("truncated body", true, truncated, |_, r| is_transport(r), 4).await;
}

#[tokio::test]
async fn a_body_over_the_cap_is_refused_not_retried() {
    let huge = |_| {
        vec![json(
            200,
            &format!(r#"{{"access_token": "{}"}}"#, "x".repeat(100 * 1024)),
        )]
    };
    check(
        "body over cap",
        true,
        huge,
        |_, r| matches!(r, Err(Error::BodyTooLarge { limit: 65536, .. })),
        1,
    )
    .await;
}

#[tokio::test]
async fn a_hanging_server_times_out() {
    let started = Instant::now();
    check(
        "hanging server",
        false,
        |_| vec![Behaviour::Hang],
        |_, r| is_timeout(r),
        1,
    )
    .await;
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "five 300 ms timeouts"
    );
}

#[tokio::test]
async fn a_slow_trickle_times_out() {
    let trickle = |v: Vendor| {
        vec![Behaviour::Trickle(
            response(200, JSON, v.valid_body().as_bytes()),
            Duration::from_millis(20),
        )]
    };
    check("slow trickle", false, trickle, |_, r| is_timeout(r), 1).await;
}

#[tokio::test]
async fn a_connection_reset_is_a_transport_error_retried_by_the_manager() {
    check(
        "connection reset",
        false,
        |_| vec![Behaviour::Reset],
        |_, r| is_transport(r),
        1,
    )
    .await;
    check(
        "connection reset",
        true,
        |v: Vendor| vec![Behaviour::Reset, json(200, &v.valid_body())],
        |_, r| got_token(r),
        2,
    )
    .await;
}

#[tokio::test]
async fn a_429_with_retry_after_is_retried_after_the_delay() {
    let limited = |v: Vendor| {
        let mut first = b"HTTP/1.1 429 Too Many Requests\r\nretry-after: 1\r\ncontent-length: 0\r\nconnection: close\r\n\r\n".to_vec();
        first.truncate(first.len());
        vec![Behaviour::Write(first), json(200, &v.valid_body())]
    };
    let started = Instant::now();
    check("429 + Retry-After", true, limited, |_, r| got_token(r), 2).await;
    assert!(
        started.elapsed() >= Duration::from_secs(5),
        "each vendor waited the second it was asked to"
    );
}

#[tokio::test]
async fn a_429_without_retry_after_is_retried_with_backoff() {
    check(
        "429",
        true,
        |v: Vendor| vec![json(429, ""), json(200, &v.valid_body())],
        |_, r| got_token(r),
        2,
    )
    .await;
    check(
        "429",
        false,
        |_| vec![json(429, "")],
        |_, r| is_status(r, 429),
        1,
    )
    .await;
}

#[tokio::test]
async fn a_500_then_200_recovers_with_one_retry() {
    check(
        "500 then 200",
        true,
        |v: Vendor| vec![json(500, ""), json(200, &v.valid_body())],
        |_, r| got_token(r),
        2,
    )
    .await;
}

#[tokio::test]
async fn a_200_with_an_oauth_error_body_is_a_decode_error_not_retried() {
    let body = r#"{"error": "invalid_grant", "error_description": "Invalid user credentials"}"#;
    check(
        "200 + OAuth error",
        true,
        |_| vec![json(200, body)],
        |_, r| is_decode(r),
        1,
    )
    .await;
}

#[tokio::test]
async fn a_wrongly_typed_token_field_is_a_decode_error_naming_the_field() {
    let numeric = |v: Vendor| vec![json(200, &v.valid_body().replace("\"tok\"", "42"))];
    check("token of wrong type", false, numeric, |v, r| matches!(r, Err(Error::Decode { message, .. }) if message == &format!("field `{}` must be a non-empty string; found an integer", v.token_field())), 1).await;
}

#[tokio::test]
async fn a_json_array_is_a_decode_error() {
    check(
        "JSON array",
        false,
        |_| vec![json(200, "[]")],
        |_, r| is_decode(r),
        1,
    )
    .await;
}

#[tokio::test]
async fn a_non_utf8_body_is_a_decode_error() {
    check(
        "non-UTF-8 body",
        false,
        |_| {
            vec![Behaviour::Write(response(
                200,
                JSON,
                &[0xff, 0xfe, 0x00, 0x7b],
            ))]
        },
        |_, r| is_decode(r),
        1,
    )
    .await;
}

#[tokio::test]
async fn a_wrong_content_type_with_valid_json_is_accepted() {
    // Decision: the body decides, not the label (vendors mislabel JSON as text/html).
    check(
        "wrong Content-Type",
        false,
        |v: Vendor| {
            vec![Behaviour::Write(response(
                200,
                "text/html",
                v.valid_body().as_bytes(),
            ))]
        },
        |_, r| got_token(r),
        1,
    )
    .await;
}

#[tokio::test]
async fn invalid_client_is_not_retried() {
    let rejected = |_| vec![json(401, r#"{"error": "invalid_client"}"#)];
    check(
        "401 invalid_client",
        true,
        rejected,
        |_, r| is_status(r, 401),
        1,
    )
    .await;
}

#[tokio::test]
async fn a_redirect_is_not_followed() {
    for vendor in ALL {
        let elsewhere = RawServer::start(vec![json(200, &vendor.valid_body())]).await;
        let redirect = format!(
            "HTTP/1.1 302 Found\r\nlocation: {}/steal\r\ncontent-length: 0\r\nconnection: close\r\n\r\n",
            elsewhere.url
        );
        let server = RawServer::start(vec![Behaviour::Write(redirect.into_bytes())]).await;
        let result = vendor.fetch(&server.url).await;
        assert!(is_status(&result, 302), "{vendor:?}: {result:?}");
        assert_eq!(
            elsewhere.requests(),
            0,
            "{vendor:?}: credentials followed a redirect"
        );
    }
}

#[tokio::test]
async fn a_persistent_503_exhausts_the_retries() {
    check(
        "persistent 503",
        true,
        |_| vec![json(503, "")],
        |_, r| is_status(r, 503),
        4,
    )
    .await;
}
