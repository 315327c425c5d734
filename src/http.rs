//! Sending one token-endpoint request: URL resolution, encodings, credential
//! placement, the body cap, and mapping the answer to a value or an [`Error`].

use std::sync::Arc;
use std::time::Duration;

use base64::Engine as _;
use reqwest::header::{
    AUTHORIZATION, CONTENT_TYPE, HeaderMap, HeaderName, HeaderValue, RETRY_AFTER,
};
use reqwest::{Method, Url};
use secrecy::zeroize::Zeroizing;
use vendor_auth_rules::{BodyFormat, PlainHttp, check_transport};

use crate::error::Error;
use crate::value::{Json, Part, Scope, Template};
use crate::wire::{DecodeError, Source, WireResponse};

/// The HTTP client token requests go through: bounded in time and in body
/// size, and never following redirects (a redirect would carry credentials
/// to a host the spec does not name). Cheap to clone; clones share connections.
#[derive(Debug, Clone)]
pub struct HttpClient {
    inner: reqwest::Client,
    max_body_bytes: usize,
}

impl Default for HttpClient {
    /// The default settings; see [`HttpClientBuilder`].
    ///
    /// # Panics
    /// When the TLS backend cannot be initialised, like `reqwest::Client::new`.
    fn default() -> Self {
        HttpClient::builder()
            .build()
            .expect("the TLS backend could not be initialised")
    }
}

impl HttpClient {
    /// Starts from the defaults: 30 s timeout, 10 s connect timeout, 64 KiB body cap, no redirects.
    ///
    /// ```
    /// use std::time::Duration;
    /// use vendor_auth::{HttpClient, verbio};
    ///
    /// let http = HttpClient::builder()
    ///     .timeout(Duration::from_secs(5))
    ///     .max_body_bytes(16 * 1024)
    ///     .build()?;
    /// let client = verbio::Client::with_http(
    ///     verbio::Environment::Production,
    ///     verbio::Credentials::new("id", "secret"),
    ///     http,
    /// )?;
    /// assert_eq!(client.base_url().port(), Some(444));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn builder() -> HttpClientBuilder {
        HttpClientBuilder::default()
    }

    /// The underlying reqwest client, to send API calls through the same pool.
    pub fn reqwest(&self) -> &reqwest::Client {
        &self.inner
    }
}

/// Settings of an [`HttpClient`].
#[derive(Debug, Clone)]
pub struct HttpClientBuilder {
    timeout: Duration,
    connect_timeout: Duration,
    max_body_bytes: usize,
}

impl Default for HttpClientBuilder {
    fn default() -> Self {
        HttpClientBuilder {
            timeout: Duration::from_secs(30),
            connect_timeout: Duration::from_secs(10),
            max_body_bytes: 64 * 1024,
        }
    }
}

impl HttpClientBuilder {
    /// Whole-request timeout (default 30 s).
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// Connection timeout (default 10 s).
    pub fn connect_timeout(mut self, timeout: Duration) -> Self {
        self.connect_timeout = timeout;
        self
    }

    /// Largest response body read (default 64 KiB; token responses are small).
    pub fn max_body_bytes(mut self, limit: usize) -> Self {
        self.max_body_bytes = limit;
        self
    }

    /// The client; fails only if the TLS backend cannot start.
    pub fn build(self) -> Result<HttpClient, reqwest::Error> {
        let inner = reqwest::Client::builder()
            .timeout(self.timeout)
            .connect_timeout(self.connect_timeout)
            .redirect(reqwest::redirect::Policy::none())
            .user_agent(concat!("vendor-auth/", env!("CARGO_PKG_VERSION")))
            .build()?;
        Ok(HttpClient {
            inner,
            max_body_bytes: self.max_body_bytes,
        })
    }
}

/// A generated operation's fixed facts.
#[derive(Debug)]
pub struct Operation {
    /// The vendor's name, for errors.
    pub vendor: &'static str,
    /// `token`, `refresh` or `revoke`.
    pub name: &'static str,
    /// HTTP method.
    pub method: Method,
    /// Appended to the base URL; may be empty. Values placed in it are
    /// percent-encoded as one path segment each.
    pub path: Template,
    /// The statuses of a successful response.
    pub success: &'static [u16],
    /// The vendor's documented error statuses.
    pub errors: &'static [ErrorStatus],
    /// Error-body fields worth reporting, e.g. `error_description`.
    pub error_fields: &'static [&'static str],
    /// What the request carries.
    pub request: Request,
    /// How the success body is read.
    pub response: BodyFormat,
    /// Values the request sends that the response may read back
    /// (`Source::Sent`), e.g. a requested lifetime.
    pub sent: &'static [Template],
    /// A success response that reports an error in its body.
    pub error_when: Option<ErrorWhen>,
    /// Exchanges made first, in order, whose outputs later ones read.
    pub steps: &'static [Step],
}

/// An error reported inside a success response: when `source` is present,
/// the call fails as if the vendor had answered `status`.
#[derive(Debug)]
pub struct ErrorWhen {
    /// The field whose presence means an error, e.g. `error`.
    pub source: Source,
    /// The status to report it as (a 400 is a rejection, never retried).
    pub status: u16,
}

/// An earlier exchange of a chained operation.
#[derive(Debug)]
pub struct Step {
    /// The request and how its success is recognized.
    pub operation: Operation,
    /// What later exchanges read from its response, by name.
    pub outputs: &'static [(&'static str, Source)],
}

/// Where a request's values go.
#[derive(Debug)]
pub struct Request {
    /// Query-string parameters, in order.
    pub query: &'static [(&'static str, Template)],
    /// Request headers; a `Content-Type` here replaces the body's own.
    pub headers: &'static [(&'static str, Template)],
    /// The body.
    pub body: Body,
    /// HTTP Basic authentication.
    pub basic_auth: Option<BasicAuth>,
}

/// A request body.
#[derive(Debug)]
pub enum Body {
    /// No body.
    None,
    /// `application/x-www-form-urlencoded` fields, in order.
    Form(&'static [(&'static str, Template)]),
    /// JSON of any shape.
    Json(Json),
    /// Plain text.
    Text(Template),
}

/// HTTP Basic authentication from two values.
#[derive(Debug)]
pub struct BasicAuth {
    /// The user name.
    pub username: Template,
    /// The password.
    pub password: Template,
    /// Form-encode both before base64 (RFC 6749 section 2.3.1).
    pub form_encoded: bool,
}

impl Operation {
    fn meaning(&self, status: u16) -> Option<&'static str> {
        let exact = self
            .errors
            .iter()
            .find(|e| e.status == StatusMatch::Exact(status));
        let class = || {
            self.errors
                .iter()
                .find(|e| e.status == StatusMatch::Class(status / 100 * 100))
        };
        exact.or_else(class).map(|e| e.meaning)
    }
}

#[derive(Debug)]
/// A documented error status and its meaning.
pub struct ErrorStatus {
    /// The status or class it covers.
    pub status: StatusMatch,
    /// What the vendor's document says it means.
    pub meaning: &'static str,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
/// Which statuses an `ErrorStatus` covers.
pub enum StatusMatch {
    /// Exactly this status.
    Exact(u16),
    /// All statuses of a hundred, e.g. `Class(500)` for 5XX.
    Class(u16),
}

/// Where an environment's base URL comes from.
#[derive(Debug, Clone, Copy)]
pub enum BaseUrl<'a> {
    /// A spec URL, possibly with placeholders.
    Template(&'static Template),
    /// A URL the user gave.
    Given(&'a Url),
}

/// Fills a base URL's placeholders and checks that it may carry the
/// vendor's requests (see [`vendor_auth_rules::check_transport`]).
pub fn resolve_base_url(
    base: BaseUrl<'_>,
    scope: &Scope<'_>,
    plain_http: PlainHttp,
) -> Result<Url, Error> {
    let vendor = scope.vendor();
    let config = |message: String| Error::Config { vendor, message };
    let url = match base {
        BaseUrl::Given(url) => url.clone(),
        BaseUrl::Template(template) => {
            let mut text = String::new();
            for part in template.0 {
                match part {
                    Part::Text(literal) => text.push_str(literal),
                    Part::Ref(..) => {
                        let value = Template(std::slice::from_ref(part))
                            .eval(scope)?
                            .ok_or_else(|| config("a base URL variable is not set".into()))?;
                        let value = value.text();
                        // Values fill a host or path segment; anything that
                        // would change the URL's structure is refused rather
                        // than escaped.
                        if value.is_empty()
                            || value.starts_with('.')
                            || value.ends_with('.')
                            || value.contains("..")
                            || value.contains(['/', '\\', '?', '#', '@', '%', '{', '}'])
                            || value.chars().any(|c| c.is_whitespace() || c.is_control())
                        {
                            return Err(config(format!(
                                "{value:?} cannot be placed in the base URL"
                            )));
                        }
                        text.push_str(value);
                    }
                }
            }
            Url::parse(&text).map_err(|e| config(format!("invalid base URL {text:?}: {e}")))?
        }
    };
    check_transport(&url, plain_http).map_err(config)?;
    Ok(url)
}

/// One request to a token endpoint, built by generated code.
pub struct Call<'a> {
    http: &'a HttpClient,
    base_url: &'a Url,
    operation: &'static Operation,
    scope: Scope<'a>,
}

/// The parts of a request, evaluated.
struct Built {
    url: Url,
    headers: HeaderMap,
    body: Option<Vec<u8>>,
    sent: Vec<Option<String>>,
    /// What a vendor's error text must not repeat.
    secrets: Vec<Zeroizing<String>>,
}

impl<'a> Call<'a> {
    /// A call of `operation` against `base_url`, its values read from `scope`.
    pub fn new(
        http: &'a HttpClient,
        base_url: &'a Url,
        operation: &'static Operation,
        scope: Scope<'a>,
    ) -> Self {
        Call {
            http,
            base_url,
            operation,
            scope,
        }
    }

    fn encode_error(operation: &Operation, message: String) -> Error {
        Error::Encode {
            vendor: operation.vendor,
            operation: operation.name,
            message,
        }
    }

    /// Evaluates every value of `op`'s request. Synchronous: the scope is
    /// never borrowed across an await.
    fn build(op: &'static Operation, base_url: &Url, scope: &Scope<'_>) -> Result<Built, Error> {
        let mut url = base_url.clone();
        let path = Self::path(op, scope)?;
        if !path.is_empty() {
            let joined = format!("{}{}", url.path().trim_end_matches('/'), path);
            url.set_path(&joined);
        }
        let mut query = Vec::with_capacity(op.request.query.len());
        for (name, template) in op.request.query {
            if let Some(value) = template.eval(scope)? {
                query.push((*name, value));
            }
        }
        // Only when something is sent: an empty `query_pairs_mut` leaves a
        // bare `?` behind.
        if !query.is_empty() {
            let mut pairs = url.query_pairs_mut();
            for (name, value) in &query {
                pairs.append_pair(name, value.text());
            }
        }
        let mut headers = HeaderMap::new();
        let body = match &op.request.body {
            Body::None => None,
            Body::Form(fields) => {
                let mut form = url::form_urlencoded::Serializer::new(String::new());
                for (name, template) in *fields {
                    if let Some(value) = template.eval(scope)? {
                        form.append_pair(name, value.text());
                    }
                }
                headers.insert(
                    CONTENT_TYPE,
                    HeaderValue::from_static("application/x-www-form-urlencoded"),
                );
                Some(form.finish().into_bytes())
            }
            Body::Json(json) => {
                let mut out = Vec::with_capacity(128);
                if !json.write(scope, &mut out)? {
                    out.extend_from_slice(b"null");
                }
                headers.insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
                Some(out)
            }
            Body::Text(template) => {
                let text = template.eval(scope)?;
                headers.insert(
                    CONTENT_TYPE,
                    HeaderValue::from_static("text/plain; charset=utf-8"),
                );
                Some(
                    text.map(|t| t.text().as_bytes().to_vec())
                        .unwrap_or_default(),
                )
            }
        };
        if let Some(basic) = &op.request.basic_auth
            && let (Some(user), Some(password)) =
                (basic.username.eval(scope)?, basic.password.eval(scope)?)
        {
            let encode = |text: &str| -> Zeroizing<String> {
                Zeroizing::new(if basic.form_encoded {
                    url::form_urlencoded::byte_serialize(text.as_bytes()).collect()
                } else {
                    text.to_owned()
                })
            };
            let pair = Zeroizing::new(format!(
                "{}:{}",
                encode(user.text()).as_str(),
                encode(password.text()).as_str()
            ));
            let value = Zeroizing::new(format!(
                "Basic {}",
                base64::engine::general_purpose::STANDARD.encode(pair.as_bytes())
            ));
            let mut value = HeaderValue::from_str(&value).map_err(|_| {
                Self::encode_error(op, "the Basic credentials cannot be sent".into())
            })?;
            value.set_sensitive(true);
            headers.insert(AUTHORIZATION, value);
        }
        for (name, template) in op.request.headers {
            let Some(value) = template.eval(scope)? else {
                continue;
            };
            let (Ok(name), Ok(mut header)) = (
                HeaderName::from_bytes(name.as_bytes()),
                HeaderValue::from_str(value.text()),
            ) else {
                // The value is not echoed: it may be a secret.
                return Err(Self::encode_error(
                    op,
                    format!("header {name} cannot carry its value"),
                ));
            };
            header.set_sensitive(value.is_secret());
            headers.insert(name, header);
        }
        let sent = op
            .sent
            .iter()
            .map(|t| Ok(t.eval(scope)?.map(|v| v.text().to_owned())))
            .collect::<Result<_, Error>>()?;
        Ok(Built {
            url,
            headers,
            body,
            sent,
            secrets: scope.secrets(),
        })
    }

    /// The operation's path with each value encoded as one path segment:
    /// no value can add a segment, climb with `..`, or start a query.
    fn path(op: &Operation, scope: &Scope<'_>) -> Result<String, Error> {
        let mut path = String::new();
        for part in op.path.0 {
            match part {
                Part::Text(literal) => path.push_str(literal),
                Part::Ref(..) => {
                    let value = Template(std::slice::from_ref(part))
                        .eval(scope)?
                        .ok_or_else(|| {
                            Self::encode_error(op, "a path variable is not set".into())
                        })?;
                    let text = value.text();
                    if text.is_empty() || text == "." || text == ".." {
                        return Err(Self::encode_error(
                            op,
                            format!("{text:?} cannot be a path segment"),
                        ));
                    }
                    path.extend(percent_encoding::utf8_percent_encode(text, PATH_SEGMENT));
                }
            }
        }
        Ok(path)
    }

    /// Runs the operation's steps, then sends the request and reads the
    /// success response with `read`.
    pub async fn send<T>(
        self,
        read: fn(&mut WireResponse) -> Result<T, DecodeError>,
    ) -> Result<T, Error> {
        self.send_timed(read).await.map(|(value, _)| value)
    }

    /// [`send`](Self::send), with the instant the request went out: a token's
    /// lifetime counts from then, since the vendor issued it after that and
    /// the time spent receiving and reading the answer must not extend it.
    pub async fn send_timed<T>(
        mut self,
        read: fn(&mut WireResponse) -> Result<T, DecodeError>,
    ) -> Result<(T, tokio::time::Instant), Error> {
        let operation = self.operation;
        self.run_steps().await?;
        let built = Self::build(operation, self.base_url, &self.scope);
        let (mut response, sent_at) = receive(self.http, operation, built?).await?;
        let value = read(&mut response).map_err(|error| decode_error(operation, error))?;
        Ok((value, sent_at))
    }

    /// Runs the steps, then sends the request and ignores the success body.
    pub async fn send_expecting_no_body(mut self) -> Result<(), Error> {
        let operation = self.operation;
        self.run_steps().await?;
        let built = Self::build(operation, self.base_url, &self.scope);
        receive(self.http, operation, built?).await.map(drop)
    }

    async fn run_steps(&mut self) -> Result<(), Error> {
        for step in self.operation.steps {
            let built = Self::build(&step.operation, self.base_url, &self.scope);
            let (mut response, _) = receive(self.http, &step.operation, built?).await?;
            let mut outputs = Vec::with_capacity(step.outputs.len());
            for (name, source) in step.outputs {
                let value = response
                    .required(source, crate::wire::read::string)
                    .map_err(|error| decode_error(&step.operation, error))?;
                outputs.push((*name, secrecy::SecretString::from(value)));
            }
            self.scope.push_step(outputs);
        }
        Ok(())
    }
}

fn decode_error(operation: &Operation, error: DecodeError) -> Error {
    Error::Decode {
        vendor: operation.vendor,
        operation: operation.name,
        message: error.to_string(),
    }
}

/// Sends a built request and parses its success response, applying the
/// operation's error-in-a-success-body rule.
async fn receive(
    http: &HttpClient,
    operation: &'static Operation,
    built: Built,
) -> Result<(WireResponse, tokio::time::Instant), Error> {
    let sent = built.sent.clone();
    let secrets = operation
        .error_when
        .as_ref()
        .map(|_| built.secrets.clone())
        .unwrap_or_default();
    let (status, headers, body, sent_at) = send_raw(http, operation, built).await?;
    let error_body = operation.error_when.as_ref().map(|_| body.clone());
    let mut response = WireResponse::new(status, headers, body, operation.response)
        .map_err(|error| decode_error(operation, error))?
        .with_sent(sent);
    if let (Some(rule), Some(body)) = (&operation.error_when, error_body)
        && response.has(&rule.source)
    {
        return Err(Error::Status {
            vendor: operation.vendor,
            operation: operation.name,
            status: rule.status,
            meaning: operation.meaning(rule.status),
            details: error_details(&body, operation.error_fields, operation.response, &secrets),
            retry_after: None,
        });
    }
    Ok((response, sent_at))
}

/// Everything but RFC 3986's unreserved characters and the sub-delimiters
/// that are harmless inside one segment.
const PATH_SEGMENT: &percent_encoding::AsciiSet = &percent_encoding::NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~')
    .remove(b'@')
    .remove(b':');

async fn send_raw(
    http: &HttpClient,
    operation: &'static Operation,
    built: Built,
) -> Result<(u16, HeaderMap, Vec<u8>, tokio::time::Instant), Error> {
    let Built {
        url,
        headers,
        body,
        secrets,
        ..
    } = built;
    let mut request = http
        .inner
        .request(operation.method.clone(), url)
        .headers(headers);
    if let Some(bytes) = body {
        request = request.body(bytes);
    }
    let transport = |source: reqwest::Error| Error::Transport {
        vendor: operation.vendor,
        operation: operation.name,
        timeout: source.is_timeout(),
        // The URL may hold credentials (query-string vendors).
        source: Arc::new(source.without_url()),
    };
    let started = std::time::Instant::now();
    let sent_at = tokio::time::Instant::now();
    let mut response = request.send().await.map_err(transport)?;
    let status = response.status().as_u16();
    let retry_after = retry_after(response.headers());
    let mut bytes = Vec::new();
    while let Some(chunk) = response.chunk().await.map_err(transport)? {
        if bytes.len() + chunk.len() > http.max_body_bytes {
            return Err(Error::BodyTooLarge {
                vendor: operation.vendor,
                operation: operation.name,
                limit: http.max_body_bytes,
            });
        }
        bytes.extend_from_slice(&chunk);
    }
    tracing::debug!(
        vendor = operation.vendor,
        operation = operation.name,
        status,
        elapsed_ms = started.elapsed().as_millis() as u64,
        "token endpoint answered"
    );
    if operation.success.contains(&status) {
        return Ok((
            status,
            std::mem::take(response.headers_mut()),
            bytes,
            sent_at,
        ));
    }
    Err(Error::Status {
        vendor: operation.vendor,
        operation: operation.name,
        status,
        meaning: operation.meaning(status),
        details: error_details(&bytes, operation.error_fields, BodyFormat::Json, &secrets),
        retry_after,
    })
}

/// `Retry-After` in seconds (the HTTP-date form is rare on token endpoints
/// and is ignored).
fn retry_after(headers: &HeaderMap) -> Option<Duration> {
    let text = headers.get(RETRY_AFTER)?.to_str().ok()?;
    text.trim().parse::<u64>().ok().map(Duration::from_secs)
}

/// Vendor text made safe to print: control characters (ANSI escape
/// sequences, newlines that forge log lines) escaped, and any secret this
/// request carried, echoed back by the vendor, redacted.
fn inert(text: &str, secrets: &[Zeroizing<String>]) -> String {
    let mut text: String = text
        .chars()
        .map(|c| {
            if c.is_control() {
                c.escape_default().to_string()
            } else {
                c.to_string()
            }
        })
        .collect();
    for secret in secrets {
        if text.contains(secret.as_str()) {
            text = text.replace(secret.as_str(), "[REDACTED]");
        }
    }
    text
}

/// The spec's error fields from a JSON error body, made inert and then
/// shortened. Other fields are not shown: an error body may echo what was
/// sent. Secrets are redacted before shortening, so that an echo cut short
/// shows no piece of one.
fn error_details(
    body: &[u8],
    fields: &[&str],
    format: BodyFormat,
    secrets: &[Zeroizing<String>],
) -> Option<String> {
    const MAX_CHARS: usize = 300;
    let value: serde_json::Value = match format {
        BodyFormat::Form => serde_json::Value::Object(
            url::form_urlencoded::parse(body)
                .map(|(k, v)| (k.into_owned(), serde_json::Value::String(v.into_owned())))
                .collect(),
        ),
        _ => serde_json::from_slice(body).ok()?,
    };
    let parts: Vec<String> = fields
        .iter()
        .filter_map(|field| {
            let text = match value.get(*field)? {
                serde_json::Value::String(text) => text.clone(),
                other => other.to_string(),
            };
            Some(format!(
                "{field}: {}",
                inert(&text, secrets)
                    .chars()
                    .take(MAX_CHARS)
                    .collect::<String>()
            ))
        })
        .collect();
    (!parts.is_empty()).then(|| parts.join(", "))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::value::{Ref, Var};

    static HOST: Template = Template(&[Part::Text("https://"), Part::Ref(Ref::Variable(0), &[])]);

    fn resolve(value: &str) -> Result<Url, Error> {
        let scope = Scope::new("V", vec![], vec![Var::Text(value)], None);
        resolve_base_url(BaseUrl::Template(&HOST), &scope, PlainHttp::LoopbackOnly)
    }

    #[test]
    fn templates_fill_and_refuse_structure() {
        assert_eq!(
            resolve("a.example.com").unwrap().as_str(),
            "https://a.example.com/"
        );
        for bad in [
            "",
            "evil.com/x",
            "a@b",
            "a?b",
            "a\\b",
            "a b",
            "a%2fb",
            "..",
            ".a",
            "a..b",
        ] {
            assert!(resolve(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn plain_http_only_to_loopback() {
        let scope = Scope::new("V", vec![], vec![], None);
        for ok in [
            "http://127.0.0.1:8080",
            "http://localhost:1",
            "http://[::1]:2",
            "https://example.com",
        ] {
            let url = Url::parse(ok).unwrap();
            assert!(
                resolve_base_url(BaseUrl::Given(&url), &scope, PlainHttp::LoopbackOnly).is_ok(),
                "{ok}"
            );
        }
        for bad in [
            "http://example.com",
            "http://10.0.0.1",
            "ftp://127.0.0.1",
            "http://127.0.0.1.evil.example",
        ] {
            let url = Url::parse(bad).unwrap();
            assert!(
                resolve_base_url(BaseUrl::Given(&url), &scope, PlainHttp::LoopbackOnly).is_err(),
                "{bad}"
            );
        }
    }

    #[test]
    fn vendor_text_is_inert() {
        let secrets = vec![Zeroizing::new("hunter22".to_owned())];
        assert_eq!(
            inert("bad \u{1b}[31mred\u{1b}[0m\npassword hunter22", &secrets),
            "bad \\u{1b}[31mred\\u{1b}[0m\\npassword [REDACTED]"
        );
    }

    #[test]
    fn an_echoed_secret_is_redacted_before_the_echo_is_cut_short() {
        let secret = "s".repeat(250) + "-the-end-of-a-long-assertion";
        let body =
            serde_json::json!({ "error_description": format!("{} {secret}", "x".repeat(60)) });
        let secrets = [Zeroizing::new(secret.clone())];
        let details = error_details(
            body.to_string().as_bytes(),
            &["error_description"],
            BodyFormat::Json,
            &secrets,
        )
        .unwrap();
        assert!(details.ends_with("[REDACTED]"), "{details}");
        assert!(!details.contains("sssss"), "{details}");
    }

    #[test]
    fn error_details_show_only_named_fields() {
        let body =
            br#"{"error":"invalid_client","error_description":"bad secret","echo":"s3cret"}"#;
        let details =
            error_details(body, &["error", "error_description"], BodyFormat::Json, &[]).unwrap();
        assert_eq!(
            details,
            "error: invalid_client, error_description: bad secret"
        );
        assert!(error_details(b"<html>", &["error"], BodyFormat::Json, &[]).is_none());
        assert_eq!(
            error_details(
                b"error=bad_refresh_token&x=1",
                &["error"],
                BodyFormat::Form,
                &[]
            )
            .unwrap(),
            "error: bad_refresh_token"
        );
    }
}

/// No value placed in a template can change where a request goes: for every
/// byte and the known URL tricks, a host template keeps its scheme, host
/// suffix and port (or is refused), and a path template keeps its segments.
#[cfg(test)]
mod properties {
    use super::*;
    use crate::value::{Ref, Var};
    use proptest::prelude::*;

    static HOST: Template = Template(&[
        Part::Text("https://"),
        Part::Ref(Ref::Variable(0), &[]),
        Part::Text(".example.com:8443/base"),
    ]);

    static PATH: Operation = Operation {
        vendor: "V",
        name: "token",
        method: Method::POST,
        path: Template(&[
            Part::Text("/a/"),
            Part::Ref(Ref::Variable(0), &[]),
            Part::Text("/b"),
        ]),
        success: &[200],
        errors: &[],
        error_fields: &[],
        request: Request {
            query: &[],
            headers: &[],
            body: Body::None,
            basic_auth: None,
        },
        response: BodyFormat::Json,
        sent: &[],
        error_when: None,
        steps: &[],
    };

    const TRICKS: &[&str] = &[
        "evil.com/",
        "evil.com?",
        "evil.com#",
        "a@evil.com",
        "a\\evil.com",
        "..",
        ".",
        "%2e%2e",
        "%2f",
        "a%00b",
        "evil.com:80",
        "[::1]",
        "127.0.0.1",
        "a b",
        "a\tb",
        "a\r\nHost: evil.com",
        "..%2f",
        "%252e",
        "a/../../x",
        "\u{ff0f}",
        "xn--",
        "a.",
    ];

    fn check_host(value: &str) -> Result<(), TestCaseError> {
        let scope = Scope::new("V", vec![], vec![Var::Text(value)], None);
        if let Ok(url) = resolve_base_url(BaseUrl::Template(&HOST), &scope, PlainHttp::LoopbackOnly)
        {
            prop_assert_eq!(url.scheme(), "https");
            prop_assert_eq!(url.port(), Some(8443));
            prop_assert_eq!(url.path(), "/base");
            let host = url.host_str().unwrap_or_default();
            prop_assert!(
                host.ends_with(".example.com"),
                "{value:?} moved the host to {host}"
            );
            prop_assert!(url.username().is_empty() && url.password().is_none());
        }
        Ok(())
    }

    fn check_path(value: &str) -> Result<(), TestCaseError> {
        let scope = Scope::new("V", vec![], vec![Var::Text(value)], None);
        if let Ok(path) = Call::path(&PATH, &scope) {
            let mut url = Url::parse("https://vendor.example/").unwrap();
            url.set_path(&path);
            prop_assert_eq!(url.host_str(), Some("vendor.example"));
            let segments: Vec<&str> = url.path_segments().unwrap().collect();
            prop_assert_eq!(
                segments.len(),
                3,
                "{:?} changed the segments: {:?}",
                value,
                segments
            );
            prop_assert_eq!(segments[0], "a");
            prop_assert_eq!(segments[2], "b");
            prop_assert!(segments[1] != ".." && segments[1] != ".");
            prop_assert!(url.query().is_none() && url.fragment().is_none());
        }
        Ok(())
    }

    #[test]
    fn every_byte_and_known_tricks() {
        for byte in 0u8..=255 {
            let text = String::from_utf8_lossy(&[b'a', byte, b'b']).into_owned();
            check_host(&text).unwrap();
            check_path(&text).unwrap();
            let alone = String::from_utf8_lossy(&[byte]).into_owned();
            check_host(&alone).unwrap();
            check_path(&alone).unwrap();
        }
        for trick in TRICKS {
            check_host(trick).unwrap();
            check_path(trick).unwrap();
        }
    }

    proptest! {
        #[test]
        fn any_value_keeps_host_and_segments(value in any::<String>()) {
            check_host(&value)?;
            check_path(&value)?;
        }
    }
}
