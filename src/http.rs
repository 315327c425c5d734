//! Sending one token-endpoint request: URL resolution, encodings, credential
//! placement, the body cap, and mapping the answer to a value or an [`Error`].

use std::sync::Arc;
use std::time::Duration;

use reqwest::header::{CONTENT_TYPE, HeaderMap, HeaderName, HeaderValue, RETRY_AFTER};
use reqwest::{Method, Url};
use secrecy::{ExposeSecret, SecretString};

use crate::error::Error;
use crate::wire::{DecodeError, WireFields, WireObject, encode_form, encode_json};

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
    /// Appended to the base URL; may be empty.
    pub path: &'static str,
    /// The status of a successful response.
    pub success_status: u16,
    /// The vendor's documented error statuses.
    pub errors: &'static [ErrorStatus],
    /// Error-body fields worth reporting, e.g. `error_description`.
    pub error_fields: &'static [&'static str],
    /// The response's fields sit under this member of the JSON body.
    pub nested_under: Option<&'static str>,
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
    /// A spec URL, possibly with `{variable}` placeholders.
    Template(&'static str),
    /// A URL the user gave.
    Given(&'a Url),
}

/// Fills a base URL's placeholders and checks that it may carry credentials:
/// `https`, or `http` to a loopback address only.
pub fn resolve_base_url(
    vendor: &'static str,
    base: BaseUrl<'_>,
    values: &[(&str, &str)],
) -> Result<Url, Error> {
    let config = |message: String| Error::Config { vendor, message };
    let url = match base {
        BaseUrl::Given(url) => url.clone(),
        BaseUrl::Template(template) => {
            let mut text = template.to_owned();
            for (name, value) in values {
                // Values fill a host or path segment; anything that would
                // change the URL's structure is refused rather than escaped.
                if value.is_empty() || value.contains(['/', '?', '#', '@', ' ', '{', '}']) {
                    return Err(config(format!(
                        "`{name}` = {value:?} cannot be placed in the URL {template}"
                    )));
                }
                text = text.replace(&format!("{{{name}}}"), value);
            }
            Url::parse(&text)
                .map_err(|e| config(format!("invalid base URL from {template}: {e}")))?
        }
    };
    check_transport_security(&url).map_err(config)?;
    Ok(url)
}

fn check_transport_security(url: &Url) -> Result<(), String> {
    let loopback = match url.host() {
        Some(url::Host::Domain(name)) => name == "localhost",
        Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
        Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
        None => false,
    };
    match url.scheme() {
        "https" => Ok(()),
        "http" if loopback => Ok(()),
        "http" => Err(format!(
            "refusing plain http to {}: credentials would travel unencrypted; use https",
            url.host_str().unwrap_or("?")
        )),
        other => Err(format!("unsupported URL scheme `{other}`")),
    }
}

/// One request to a token endpoint, built by generated code.
pub struct Call<'a> {
    http: &'a HttpClient,
    operation: &'static Operation,
    url: Result<Url, Error>,
    headers: HeaderMap,
    body: Option<(&'static str, Vec<u8>)>,
    basic: Option<(&'a SecretString, &'a SecretString, bool)>,
}

impl<'a> Call<'a> {
    /// A call of `operation` against `base_url`.
    pub fn new(http: &'a HttpClient, base_url: &Url, operation: &'static Operation) -> Self {
        let joined = format!(
            "{}{}",
            base_url.as_str().trim_end_matches('/'),
            operation.path
        );
        let url = Url::parse(&joined).map_err(|e| Error::Config {
            vendor: operation.vendor,
            message: format!("invalid {} URL: {e}", operation.name),
        });
        Call {
            http,
            operation,
            url,
            headers: HeaderMap::new(),
            body: None,
            basic: None,
        }
    }

    fn encode_error(&self, message: String) -> Error {
        Error::Encode {
            vendor: self.operation.vendor,
            operation: self.operation.name,
            message,
        }
    }

    /// Appends `fields` to the query string.
    pub fn query(mut self, fields: &WireFields<'_>) -> Self {
        if let Ok(url) = &mut self.url {
            let mut pairs = url.query_pairs_mut();
            for (name, value) in fields {
                pairs.append_pair(name, value.expose());
            }
        }
        self
    }

    /// Sends `fields` as a JSON object.
    pub fn json(mut self, fields: &WireFields<'_>) -> Self {
        self.body = Some(("application/json", encode_json(fields)));
        self
    }

    /// Sends `fields` as an `application/x-www-form-urlencoded` body.
    pub fn form(mut self, fields: &WireFields<'_>) -> Self {
        self.body = Some((
            "application/x-www-form-urlencoded",
            encode_form(fields).into_bytes(),
        ));
        self
    }

    /// HTTP Basic authentication from two credentials.
    pub fn basic_auth(mut self, username: &'a SecretString, password: &'a SecretString) -> Self {
        self.basic = Some((username, password, false));
        self
    }

    /// HTTP Basic authentication as RFC 6749 section 2.3.1 has it: each
    /// credential form-encoded before base64, so that a `:` or `%` in a
    /// client id or secret survives. Strict OAuth servers decode it.
    pub fn basic_auth_form_encoded(
        mut self,
        username: &'a SecretString,
        password: &'a SecretString,
    ) -> Self {
        self.basic = Some((username, password, true));
        self
    }

    /// A header with a plain value.
    pub fn header(self, name: &'static str, value: &str) -> Self {
        self.insert_header(name, value, false)
    }

    /// A header with a secret value, marked sensitive so it is never logged.
    pub fn secret_header(self, name: &'static str, value: &SecretString) -> Self {
        self.insert_header(name, value.expose_secret(), true)
    }

    fn insert_header(mut self, name: &'static str, value: &str, sensitive: bool) -> Self {
        match (
            HeaderName::from_bytes(name.as_bytes()),
            HeaderValue::from_str(value),
        ) {
            (Ok(name), Ok(mut value)) => {
                value.set_sensitive(sensitive);
                self.headers.insert(name, value);
            }
            // The value is not echoed: it may be a secret.
            _ => self.url = Err(self.encode_error(format!("header {name} cannot carry its value"))),
        }
        self
    }

    /// Sends the request and reads the success body's JSON object with `read`.
    pub async fn send<T>(
        self,
        read: fn(&mut WireObject) -> Result<T, DecodeError>,
    ) -> Result<T, Error> {
        let operation = self.operation;
        let body = self.send_raw().await?;
        WireObject::parse(&body, operation.nested_under)
            .and_then(|mut object| read(&mut object))
            .map_err(|error| Error::Decode {
                vendor: operation.vendor,
                operation: operation.name,
                message: error.to_string(),
            })
    }

    /// Sends the request and ignores the success body.
    pub async fn send_expecting_no_body(self) -> Result<(), Error> {
        self.send_raw().await.map(drop)
    }

    async fn send_raw(self) -> Result<Vec<u8>, Error> {
        let Call {
            http,
            operation,
            url,
            headers,
            body,
            basic,
        } = self;
        let url = url?;
        let mut request = http
            .inner
            .request(operation.method.clone(), url)
            .headers(headers);
        if let Some((user, password, form_encoded)) = basic {
            request = if form_encoded {
                let encode = |s: &SecretString| {
                    secrecy::zeroize::Zeroizing::new(
                        url::form_urlencoded::byte_serialize(s.expose_secret().as_bytes())
                            .collect::<String>(),
                    )
                };
                request.basic_auth(&*encode(user), Some(&*encode(password)))
            } else {
                request.basic_auth(user.expose_secret(), Some(password.expose_secret()))
            };
        }
        if let Some((content_type, bytes)) = body {
            request = request.header(CONTENT_TYPE, content_type).body(bytes);
        }
        let transport = |source: reqwest::Error| Error::Transport {
            vendor: operation.vendor,
            operation: operation.name,
            timeout: source.is_timeout(),
            // The URL may hold credentials (query-string vendors).
            source: Arc::new(source.without_url()),
        };
        let started = std::time::Instant::now();
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
        if status == operation.success_status {
            return Ok(bytes);
        }
        Err(Error::Status {
            vendor: operation.vendor,
            operation: operation.name,
            status,
            meaning: operation.meaning(status),
            details: error_details(&bytes, operation.error_fields),
            retry_after,
        })
    }
}

/// `Retry-After` in seconds (the HTTP-date form is rare on token endpoints
/// and is ignored).
fn retry_after(headers: &HeaderMap) -> Option<Duration> {
    let text = headers.get(RETRY_AFTER)?.to_str().ok()?;
    text.trim().parse::<u64>().ok().map(Duration::from_secs)
}

/// The spec's error fields from a JSON error body, shortened. Other fields
/// are not shown: an error body may echo what was sent.
fn error_details(body: &[u8], fields: &[&str]) -> Option<String> {
    const MAX_CHARS: usize = 300;
    let value: serde_json::Value = serde_json::from_slice(body).ok()?;
    let parts: Vec<String> = fields
        .iter()
        .filter_map(|field| {
            let text = match value.get(*field)? {
                serde_json::Value::String(text) => text.clone(),
                other => other.to_string(),
            };
            Some(format!(
                "{field}: {}",
                text.chars().take(MAX_CHARS).collect::<String>()
            ))
        })
        .collect();
    (!parts.is_empty()).then(|| parts.join(", "))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn templates_fill_and_refuse_structure() {
        let url = resolve_base_url(
            "V",
            BaseUrl::Template("https://{domainName}"),
            &[("domainName", "a.example.com")],
        )
        .unwrap();
        assert_eq!(url.as_str(), "https://a.example.com/");
        for bad in ["", "evil.com/x", "a@b", "a?b"] {
            assert!(
                resolve_base_url(
                    "V",
                    BaseUrl::Template("https://{domainName}"),
                    &[("domainName", bad)]
                )
                .is_err(),
                "{bad}"
            );
        }
    }

    #[test]
    fn plain_http_only_to_loopback() {
        for ok in [
            "http://127.0.0.1:8080",
            "http://localhost:1",
            "http://[::1]:2",
            "https://example.com",
        ] {
            let url = Url::parse(ok).unwrap();
            assert!(
                resolve_base_url("V", BaseUrl::Given(&url), &[]).is_ok(),
                "{ok}"
            );
        }
        for bad in ["http://example.com", "http://10.0.0.1", "ftp://127.0.0.1"] {
            let url = Url::parse(bad).unwrap();
            assert!(
                resolve_base_url("V", BaseUrl::Given(&url), &[]).is_err(),
                "{bad}"
            );
        }
    }

    #[test]
    fn error_details_show_only_named_fields() {
        let body =
            br#"{"error":"invalid_client","error_description":"bad secret","echo":"s3cret"}"#;
        let details = error_details(body, &["error", "error_description"]).unwrap();
        assert_eq!(
            details,
            "error: invalid_client, error_description: bad secret"
        );
        assert!(error_details(b"<html>", &["error"]).is_none());
    }
}
