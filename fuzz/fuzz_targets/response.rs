//! Any body as a token response, decoded by a client of every expiry kind the
//! spec format has. Decoding returns a token or a typed error, never panics;
//! lifetimes stay within the runtime's cap; and an error never depends on
//! (so never quotes) the tokens it was handed.
#![no_main]

use std::time::Duration;

use libfuzzer_sys::fuzz_target;
use private_vendor::fixtures::{nested_vendor, query_vendor};
use vendor_auth::__private::{DecodeError, TokenParts, WireResponse, normalize};
use vendor_auth::{derbysoft_ai_voice, derbysoft_ticket, revoiceit, verbio};

/// The runtime's cap on a lifetime: ten years.
const CAP: Duration = Duration::from_secs(10 * 365 * 24 * 3600);

fn decode<R>(
    body: &[u8],
    nested_under: Option<&str>,
    from_wire: fn(&mut WireResponse) -> Result<R, DecodeError>,
    into_parts: fn(R) -> TokenParts,
) {
    let run = |body: &[u8]| {
        WireResponse::json(body).and_then(|mut wire| from_wire(&mut wire))
    };
    match run(body) {
        Ok(response) => {
            let token = normalize(into_parts(response));
            assert!(
                token.lifetime() <= CAP,
                "lifetime {:?} beyond the cap",
                token.lifetime()
            );
            let _ = token.expires_at();
            let _ = token.refresh_token_expires_at();
        }
        Err(_) => {
            // An error that quotes a token changes when the token does; one
            // that merely happens to contain the same letters (a field name)
            // does not.
            if let Some((original, swapped)) = with_token_swapped(body, nested_under) {
                let (first, second) = (run(&original).err(), run(&swapped).err());
                assert_eq!(
                    first.map(|e| e.to_string()),
                    second.map(|e| e.to_string()),
                    "the error depends on the token's value"
                );
            }
        }
    }
}

/// The body re-encoded twice: as it is, and with its token-like string
/// fields replaced by another string of the same length.
fn with_token_swapped(body: &[u8], nested_under: Option<&str>) -> Option<(Vec<u8>, Vec<u8>)> {
    let original: serde_json::Value = serde_json::from_slice(body).ok()?;
    let mut swapped = original.clone();
    let object = match nested_under {
        Some(outer) => swapped.get_mut(outer)?,
        None => &mut swapped,
    };
    let mut changed = false;
    for name in [
        "access_token",
        "accessToken",
        "token",
        "refresh_token",
        "refreshToken",
    ] {
        if let Some(serde_json::Value::String(text)) = object.get_mut(name) {
            let other = if text.starts_with('Q') { "R" } else { "Q" };
            *text = other.repeat(text.chars().count());
            changed = true;
        }
    }
    changed.then(|| {
        (
            serde_json::to_vec(&original).unwrap(),
            serde_json::to_vec(&swapped).unwrap(),
        )
    })
}

fuzz_target!(|body: &[u8]| {
    // relative seconds, a JSON number (optional)
    decode(
        body,
        None,
        derbysoft_ai_voice::TokenResponse::from_wire,
        derbysoft_ai_voice::TokenResponse::into_parts,
    );
    // relative seconds, a number or a string
    decode(
        body,
        None,
        derbysoft_ticket::TokenResponse::from_wire,
        derbysoft_ticket::TokenResponse::into_parts,
    );
    // absolute Unix time, a JSON number
    decode(
        body,
        None,
        verbio::TokenResponse::from_wire,
        verbio::TokenResponse::into_parts,
    );
    // absolute Unix time, a string
    decode(
        body,
        None,
        query_vendor::TokenResponse::from_wire,
        query_vendor::TokenResponse::into_parts,
    );
    // ISO-8601 date-time, nested under `result`, with a refresh-token expiry
    decode(
        body,
        Some("result"),
        nested_vendor::TokenResponse::from_wire,
        nested_vendor::TokenResponse::into_parts,
    );
    // no expiry field: the spec's documented default
    decode(
        body,
        None,
        revoiceit::TokenResponse::from_wire,
        revoiceit::TokenResponse::into_parts,
    );
});
