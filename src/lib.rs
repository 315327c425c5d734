//! Typed access-token clients for API vendors, generated from one YAML spec
//! per vendor.
//!
//! Each vendor in `specs/` becomes a module here (`verbio`, `revoiceit`, ...)
//! with its `Config`, `Credentials`, wire structs and a `Client` whose async
//! functions are the vendor's token operations. Every client implements
//! [`TokenClient`], which yields the normalized [`Token`], so vendors are
//! interchangeable in generic code.
//!
//! ```no_run
//! use vendor_auth::{TokenClient, verbio};
//!
//! # async fn run() -> Result<(), vendor_auth::Error> {
//! let client = verbio::Client::new(
//!     verbio::Environment::Production,
//!     verbio::Credentials::new("my-client-id", "my-client-secret"),
//! )?;
//! let token = client.fetch_token().await?;
//! let request = reqwest::Client::new().post("https://us.speechcenter.verbio.com/...");
//! let request = client.authorization().apply(request, &token)?;
//! # let _ = request; Ok(()) }
//! ```
//!
//! The runtime below the generated modules holds everything they share: HTTP
//! with timeouts and a body cap ([`HttpClient`]), encodings, credential
//! placement, expiry arithmetic ([`Token`]), error mapping ([`Error`]) and
//! secret redaction.

// Generated code names the runtime `::vendor_auth`, in this crate too.
#![warn(missing_docs)]
// docs.rs builds with every feature and marks which item needs which.
#![cfg_attr(docsrs, feature(doc_cfg))]

extern crate self as vendor_auth;

mod authorize;
mod client;
mod error;
mod http;
mod jwt;
#[cfg(feature = "tower")]
mod layer;
mod manager;
#[cfg(feature = "reqwest-middleware")]
mod middleware;
mod registry;
mod retry;
mod store;
#[cfg(feature = "testing")]
#[cfg_attr(docsrs, doc(cfg(feature = "testing")))]
pub mod testing;
mod token;
mod value;
mod wire;

pub use authorize::{ApiAuthorization, Authorizer, Prepared};
pub use client::{RefreshSeed, TokenClient};
pub use error::Error;
pub use http::{HttpClient, HttpClientBuilder};
pub use jwt::{JwtAlgorithm, SigningKey};
#[cfg(feature = "tower")]
pub use layer::{AuthorizeLayer, AuthorizeService, BoxError};
pub use manager::{CachedToken, TokenManager, TokenManagerBuilder};
#[cfg(feature = "reqwest-middleware")]
pub use middleware::Authorize;
pub use registry::{
    EnvVar, EnvironmentInfo, FromEnv, ProcessEnv, Selection, Settings, TokenFuture, Vendor,
};
pub use reqwest::Url;
pub use retry::RetryPolicy;
pub use secrecy::{ExposeSecret, SecretString};
#[cfg(feature = "redis")]
#[cfg_attr(docsrs, doc(cfg(feature = "redis")))]
pub use store::RedisStore;
pub use store::{SharedStore, Store, StoreError, StoreFuture, StoreKey, StoreStats};
pub use token::{ExpiryValue, FieldValue, Token};
pub use value::Scope;

/// What generated code refers to. Not a stable API: it changes with the
/// generator.
#[doc(hidden)]
pub mod __private {
    pub use crate::authorize::ApiAuthorization;
    pub use crate::client::{
        RefreshSeed, TokenClient, refreshed_from, refreshed_with_seed, revoked, static_token,
        token_from, token_from_seed,
    };
    pub use crate::error::Error;
    pub use crate::http::{
        BaseUrl, BasicAuth, Body, Call, ErrorStatus, ErrorWhen, HttpClient, Operation, Request,
        StatusMatch, Step, resolve_base_url,
    };
    pub use crate::jwt::{Assertion, JwtAlgorithm, KeyRing, KeyRingSpec, self_issued};
    pub use crate::registry::{
        Chosen, EnvVar, EnvironmentInfo, FromEnv, Selection, Settings, Vendor, env_optional,
        env_required, env_secret, env_var, fetch_token_from_env,
    };
    pub use crate::token::{ExpirySource, ExpiryValue, FieldValue, Token, TokenParts, normalize};
    pub use crate::value::{
        Function, Json, NowFormat, Part, Ref, Scope, Template, TokenField, Var,
    };
    pub use crate::wire::{DecodeError, PathStep, Source, WireResponse, read, secret};
    pub use reqwest::{Method, Url};
    pub use secrecy::SecretString;
    pub use serde_json::Value as JsonValue;
    pub use time::OffsetDateTime;
    pub use tokio::time::Instant;
    pub use vendor_auth_rules::{BodyFormat, ExpiryKind, PlainHttp};
}

include!(concat!(env!("OUT_DIR"), "/vendors.rs"));

/// The README's examples are compiled as doctests, so they cannot rot.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
struct ReadmeDoctests;
