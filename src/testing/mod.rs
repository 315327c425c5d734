//! A mock vendor read from any spec, for your application's tests (feature
//! `testing`).
//!
//! [`MockVendor`] serves a spec's token, refresh and revoke operations (and
//! the steps before them) on loopback exactly as the spec declares them, and
//! answers every other request as an API call. It hands out its own
//! credentials and settings (keys included: it generates them, so that it
//! can verify what the client signs), and checks each request strictly:
//! method, path, query, headers, Basic credentials, body encoding and every
//! field, each token and signed JWT presented. A request that differs is
//! answered with a 400 naming the difference, and kept in
//! [`MockVendor::problems`].
//!
//! Tokens are issued with the lifetime you choose; refresh tokens rotate
//! when the spec's refresh response carries one, and a rotated or revoked
//! one is refused as `invalid_grant`. API calls must carry a live token as
//! the spec's `authorization` section says, or get a 401. Faults are queued
//! with [`MockVendor::fail_next`], or by any HTTP client (a test in
//! another language, against `vendor-auth serve`) with
//! `POST /__mock/fail?exchange=token&fault=503&times=2`; `GET
//! /__mock/journal` returns what it answered, as JSON.
//!
//! ```
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), Box<dyn std::error::Error>> {
//! use vendor_auth::testing::MockVendor;
//! use vendor_auth::{TokenManager, spotify};
//!
//! let vendor = MockVendor::start("spotify").await?;
//! let tokens = TokenManager::new(vendor.client::<spotify::Client>()?);
//!
//! let response = tokens.send(reqwest::Client::new().get(vendor.url("/v1/me"))).await?;
//! assert_eq!(response.status(), 200);
//! vendor.assert_no_problems();
//! # Ok(()) }
//! ```
//!
//! The seed vendors' hand-written stand-ins (`vendor-auth-stand-ins`) stay
//! the independent check of the specs: they are written from the vendors'
//! documents, this mock from the specs.

mod check;
mod pattern;
mod serve;
mod values;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use wiremock::{Mock, MockServer, Request, ResponseTemplate};

use crate::registry::{FromEnv, Selection};

/// Every bundled spec: module name and text.
const BUNDLED: &[(&str, &str)] = include!(concat!(env!("OUT_DIR"), "/bundled_specs.rs"));

/// The bundled vendors a mock can be started for, by module name.
pub fn bundled() -> impl Iterator<Item = &'static str> {
    BUNDLED.iter().map(|(module, _)| *module)
}

/// Why a mock vendor could not start.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum MockError {
    /// No bundled spec has this module name.
    #[error("no bundled vendor is named `{0}`; use one of vendor_auth::testing::bundled()")]
    NotBundled(String),
    /// The spec file could not be read.
    #[error("cannot read {path}: {source}")]
    Read {
        /// The file.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// The spec does not pass `vendor-auth check`.
    #[error("{0}")]
    Spec(String),
    /// A credential or setting given to the builder is not the vendor's.
    #[error("{0}")]
    Unknown(String),
    /// A key could not be generated.
    #[error("{0}")]
    Key(String),
    /// [`MockVendor::exercise`] failed: the step, and why.
    #[error("{0}")]
    Exercise(String),
}

/// Which kind of request a fault applies to, or a record describes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Exchange {
    /// The token operation.
    Token,
    /// The refresh operation.
    Refresh,
    /// The revoke operation.
    Revoke,
    /// A step before an operation (a chained exchange).
    Step,
    /// Any other request: an API call.
    Api,
    /// For faults: whichever request comes next.
    Any,
}

/// A fault the mock answers with, once, instead of its normal answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Fault {
    /// This status (a 5xx, or any other), with an OAuth-style error body.
    Status(u16),
    /// 429 with `Retry-After` (whole seconds, rounded up).
    RateLimited {
        /// How long the client is asked to wait.
        retry_after: Duration,
    },
    /// The normal answer, after this delay.
    Slow(Duration),
    /// The success status with a body that is not JSON.
    InvalidJson,
    /// 401 with `WWW-Authenticate: Bearer error="invalid_token"`: for an API
    /// call, as if the vendor had revoked the token.
    Unauthorized,
    /// For a refresh: the presented refresh token is revoked and the
    /// refresh answered `400 invalid_grant`.
    RejectedRefreshToken,
}

/// What [`MockVendor::exercise`] did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct Exercised {
    /// A token was obtained (for a static or self-issued token, without a
    /// request) and an API call authorized with it.
    pub fetched: bool,
    /// It was refreshed, and the new token authorized a call.
    pub refreshed: bool,
    /// It was revoked, and the mock then refused it.
    pub revoked: bool,
}

impl std::str::FromStr for Exchange {
    type Err = String;

    /// `token`, `refresh`, `revoke`, `step`, `api` or `any`.
    fn from_str(text: &str) -> Result<Self, Self::Err> {
        Ok(match text {
            "token" => Exchange::Token,
            "refresh" => Exchange::Refresh,
            "revoke" => Exchange::Revoke,
            "step" => Exchange::Step,
            "api" => Exchange::Api,
            "any" => Exchange::Any,
            _ => {
                return Err(format!(
                    "`{text}` is not an exchange; use token, refresh, revoke, step, api or any"
                ));
            }
        })
    }
}

impl std::str::FromStr for Fault {
    type Err = String;

    /// A status (`503`, `401` is [`Fault::Unauthorized`]), `429:SECONDS`,
    /// `slow:MILLISECONDS`, `invalid-json`, `unauthorized` or
    /// `rejected-refresh-token`.
    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let wrong = || {
            format!(
                "`{text}` is not a fault; use a status (503), 429:SECONDS, slow:MILLISECONDS, invalid-json, unauthorized or rejected-refresh-token"
            )
        };
        let (name, argument) = text.split_once(':').unwrap_or((text, ""));
        let number = || argument.parse::<u64>().map_err(|_| wrong());
        Ok(match name {
            "invalid-json" => Fault::InvalidJson,
            "unauthorized" | "401" => Fault::Unauthorized,
            "rejected-refresh-token" => Fault::RejectedRefreshToken,
            "slow" => Fault::Slow(Duration::from_millis(number()?)),
            "429" => Fault::RateLimited {
                retry_after: Duration::from_secs(if argument.is_empty() { 1 } else { number()? }),
            },
            status => match status.parse::<u16>() {
                Ok(status) if (100..=599).contains(&status) && argument.is_empty() => {
                    Fault::Status(status)
                }
                _ => return Err(wrong()),
            },
        })
    }
}

/// One request the mock answered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Record {
    /// What it was routed to.
    pub exchange: Exchange,
    /// Its method.
    pub method: String,
    /// Its path.
    pub path: String,
    /// The status answered.
    pub status: u16,
    /// How it differed from the spec, if it did.
    pub problem: Option<String>,
}

enum SpecSource {
    Bundled(String),
    File(PathBuf),
    Text { name: String, text: String },
}

/// Settings for a [`MockVendor`] before it starts.
pub struct MockVendorBuilder {
    source: SpecSource,
    lifetime: Duration,
    overrides: values::Overrides,
    listener: Option<std::net::TcpListener>,
}

impl std::fmt::Debug for MockVendorBuilder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MockVendorBuilder")
            .field("lifetime", &self.lifetime)
            .finish_non_exhaustive()
    }
}

impl MockVendorBuilder {
    fn new(source: SpecSource) -> Self {
        MockVendorBuilder {
            source,
            lifetime: Duration::from_secs(3600),
            overrides: values::Overrides::default(),
            listener: None,
        }
    }

    /// How long the tokens it issues live (one hour unless set).
    pub fn lifetime(mut self, lifetime: Duration) -> Self {
        self.lifetime = lifetime;
        self
    }

    /// Hands out `value` for the credential `name` instead of its own (keys
    /// excepted: the mock generates those).
    pub fn credential(mut self, name: &str, value: &str) -> Self {
        self.overrides
            .credentials
            .insert(name.to_owned(), value.to_owned());
        self
    }

    /// Sets the spec variable `name` (by its spec or field name), also an
    /// optional one the mock otherwise leaves unset.
    pub fn variable(mut self, name: &str, value: &str) -> Self {
        self.overrides
            .variables
            .insert(name.to_owned(), value.to_owned());
        self
    }

    /// Serves on this listener (e.g. a chosen port) instead of a free port.
    pub fn listener(mut self, listener: std::net::TcpListener) -> Self {
        self.listener = Some(listener);
        self
    }

    /// Reads the spec and starts serving it.
    pub async fn start(self) -> Result<MockVendor, MockError> {
        let (path, text) = match self.source {
            SpecSource::Bundled(module) => {
                let text = BUNDLED
                    .iter()
                    .find(|(m, _)| *m == module)
                    .map(|(_, text)| (*text).to_owned())
                    .ok_or(MockError::NotBundled(module.clone()))?;
                (PathBuf::from(format!("specs/{module}.yaml")), text)
            }
            SpecSource::File(path) => {
                let text = std::fs::read_to_string(&path).map_err(|source| MockError::Read {
                    path: path.clone(),
                    source,
                })?;
                (path, text)
            }
            SpecSource::Text { name, text } => (PathBuf::from(name), text),
        };
        let vendor = load(&path, &text)?;
        let server = match self.listener {
            Some(listener) => MockServer::builder().listener(listener).start().await,
            None => MockServer::start().await,
        };
        let base_url = server.uri();
        let values = values::Values::new(&vendor, &self.overrides, &base_url)?;
        let core = Arc::new(serve::Core {
            vendor,
            values,
            lifetime: self.lifetime,
            base_url,
            state: Mutex::new(serve::State::default()),
        });
        for (index, credential) in core.vendor.credentials.iter().enumerate() {
            if credential.refresh_token {
                core.seed_refresh_token(core.values.credential(index));
            }
        }
        Mock::given(wiremock::matchers::any())
            .respond_with(Responder(core.clone()))
            .mount(&server)
            .await;
        Ok(MockVendor { server, core })
    }
}

fn load(path: &Path, text: &str) -> Result<vendor_auth_codegen::model::Vendor, MockError> {
    use vendor_auth_codegen::SpecErrors;
    let name = path.file_name().map_or_else(
        || path.display().to_string(),
        |n| n.to_string_lossy().into_owned(),
    );
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let parsed = vendor_auth_codegen::parse::parse(text)
        .map_err(|d| MockError::Spec(SpecErrors::new(path, text, vec![d]).to_string()))?;
    vendor_auth_codegen::validate::validate(&parsed, &name)
        .map_err(|d| MockError::Spec(SpecErrors::new(path, text, d).to_string()))
}

struct Responder(Arc<serve::Core>);

impl wiremock::Respond for Responder {
    fn respond(&self, request: &Request) -> ResponseTemplate {
        self.0.respond(request)
    }
}

/// A vendor served from its spec on loopback. Stops when dropped.
pub struct MockVendor {
    server: MockServer,
    core: Arc<serve::Core>,
}

impl std::fmt::Debug for MockVendor {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MockVendor")
            .field("vendor", &self.core.vendor.name)
            .field("uri", &self.server.uri())
            .finish_non_exhaustive()
    }
}

impl MockVendor {
    /// Starts the bundled vendor `module` (e.g. `"spotify"`) with the
    /// default settings.
    pub async fn start(module: &str) -> Result<MockVendor, MockError> {
        Self::builder(module).start().await
    }

    /// A mock of the bundled vendor `module`, to configure.
    pub fn builder(module: &str) -> MockVendorBuilder {
        MockVendorBuilder::new(SpecSource::Bundled(module.to_owned()))
    }

    /// A mock of the spec in this file (your own vendor's).
    pub fn from_spec_file(path: impl Into<PathBuf>) -> MockVendorBuilder {
        MockVendorBuilder::new(SpecSource::File(path.into()))
    }

    /// A mock of this spec text; `name` is used in errors.
    pub fn from_spec_text(name: &str, text: &str) -> MockVendorBuilder {
        MockVendorBuilder::new(SpecSource::Text {
            name: name.to_owned(),
            text: text.to_owned(),
        })
    }

    /// The vendor's name, from its spec.
    pub fn name(&self) -> &str {
        &self.core.vendor.name
    }

    /// Its base URL, e.g. `http://127.0.0.1:41234`.
    pub fn uri(&self) -> String {
        self.server.uri()
    }

    /// `path` on the mock, e.g. for an API call.
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.core.base_url.trim_end_matches('/'))
    }

    /// The selection a client needs to call the mock.
    pub fn selection(&self) -> Selection {
        Selection {
            environment: None,
            base_url: Some(self.server.uri()),
        }
    }

    /// Every credential and setting the mock hands out, by the names the
    /// generated clients read (`SPOTIFY_CLIENT_ID`): what `vendor-auth serve`
    /// prints to export.
    pub fn settings(&self) -> BTreeMap<String, String> {
        self.core.values.settings().clone()
    }

    /// The generated client `C`, built with the mock's credentials and
    /// settings and pointed at it.
    pub fn client<C: FromEnv>(&self) -> Result<C, crate::Error> {
        C::from_settings(&self.selection(), self.core.values.settings())
    }

    /// Runs the generated client `C` through every operation its spec
    /// declares, against this mock: a token, an API call authorized with
    /// it, a refresh and a call with the new token, a revoke and a call
    /// the mock must refuse. Fails on the first step that goes wrong, or if
    /// any request differed from the spec. One line proves a spec and its
    /// generated client agree:
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// use vendor_auth::testing::MockVendor;
    /// let done = MockVendor::start("dropbox").await?.exercise::<vendor_auth::dropbox::Client>().await?;
    /// assert!(done.refreshed && done.revoked);
    /// # Ok(()) }
    /// ```
    pub async fn exercise<C: FromEnv + 'static>(&self) -> Result<Exercised, MockError> {
        let fail = |what: &str, why: String| {
            MockError::Exercise(format!("{}: {what}: {why}", self.name()))
        };
        let client: C = self.client().map_err(|e| fail("client", e.to_string()))?;
        let http = reqwest::Client::new();
        let api = |token: &crate::Token| {
            let request = client
                .authorization()
                .apply(http.get(self.url("/mock/api")), token)
                .map_err(|e| fail("authorize", e.to_string()));
            async move {
                let response = request?
                    .send()
                    .await
                    .map_err(|e| fail("API call", e.to_string()))?;
                Ok::<u16, MockError>(response.status().as_u16())
            }
        };
        let expect = |what: &str, status: u16, wanted: u16| {
            if status == wanted {
                Ok(())
            } else {
                Err(fail(what, format!("answered {status}, not {wanted}")))
            }
        };
        let mut done = Exercised::default();
        let mut token = client
            .fetch_token()
            .await
            .map_err(|e| fail("token", e.to_string()))?;
        done.fetched = true;
        expect("API call with the new token", api(&token).await?, 200)?;
        if client.supports_refresh() && client.can_refresh(&token, tokio::time::Instant::now()) {
            token = client
                .refresh_token(&token)
                .await
                .map_err(|e| fail("refresh", e.to_string()))?;
            done.refreshed = true;
            expect("API call with the refreshed token", api(&token).await?, 200)?;
        }
        if client.supports_revoke() {
            client
                .revoke_token(&token)
                .await
                .map_err(|e| fail("revoke", e.to_string()))?;
            done.revoked = true;
            expect("API call with the revoked token", api(&token).await?, 401)?;
        }
        let problems = self.problems();
        if !problems.is_empty() {
            return Err(fail("requests differ from the spec", problems.join("; ")));
        }
        Ok(done)
    }

    /// Answers the next request of kind `exchange` with `fault`. Faults are
    /// used in the order they were queued.
    pub fn fail_next(&self, exchange: Exchange, fault: Fault) {
        self.fail(exchange, fault, 1);
    }

    /// Answers the next `times` requests of kind `exchange` with `fault`.
    pub fn fail(&self, exchange: Exchange, fault: Fault, times: usize) {
        let mut state = self.core.state.lock().unwrap_or_else(|e| e.into_inner());
        state
            .faults
            .extend(std::iter::repeat_n((exchange, fault), times));
    }

    /// Every request answered so far, in order.
    pub fn journal(&self) -> Vec<Record> {
        let state = self.core.state.lock().unwrap_or_else(|e| e.into_inner());
        state.journal.clone()
    }

    /// How many requests of kind `exchange` it answered (whatever status).
    pub fn received(&self, exchange: Exchange) -> usize {
        self.journal()
            .iter()
            .filter(|r| exchange == Exchange::Any || r.exchange == exchange)
            .count()
    }

    /// How the requests differed from the spec, one entry per request.
    pub fn problems(&self) -> Vec<String> {
        self.journal()
            .into_iter()
            .filter_map(|r| {
                r.problem
                    .map(|problem| format!("{} {}: {problem}", r.method, r.path))
            })
            .collect()
    }

    /// Panics, listing them, if any request differed from the spec.
    #[track_caller]
    pub fn assert_no_problems(&self) {
        let problems = self.problems();
        assert!(
            problems.is_empty(),
            "{} received requests that differ from its spec:\n{}",
            self.core.vendor.name,
            problems.join("\n")
        );
    }
}
