//! Attaching a token to API calls, as each spec's `authorization` says:
//! any headers, query parameters and cookies, each a template over the
//! token, the credentials, the configuration and per-request values.

use bytes::Bytes;
use reqwest::header::{COOKIE, HeaderMap, HeaderName, HeaderValue};
use secrecy::zeroize::Zeroizing;

use crate::client::TokenClient;
use crate::error::Error;
use crate::token::Token;
use crate::value::{Evaluated, Scope, Template};

/// How a vendor's API calls carry its token.
#[derive(Debug)]
pub struct ApiAuthorization {
    /// The vendor's name, for errors.
    pub vendor: &'static str,
    /// Headers, e.g. `Authorization: Bearer {token.access_token}`.
    pub headers: &'static [(&'static str, Template)],
    /// Query parameters.
    pub query: &'static [(&'static str, Template)],
    /// Cookies, sent together in one `Cookie` header.
    pub cookies: &'static [(&'static str, Template)],
}

/// What a token's API calls carry, evaluated: the parts fixed for the
/// token's life once, the per-request parts (a fresh UUID, the time) on
/// each call.
#[derive(Debug, Clone, Default)]
pub struct Prepared {
    /// A short list, not a `HeaderMap`: the hot path looks up and clones
    /// one or two entries, which a map would hash and allocate for.
    headers: Vec<(HeaderName, HeaderValue)>,
    query: Vec<(&'static str, SecretText)>,
    per_request: bool,
}

/// Query text that may be secret: wiped on drop, never printed.
#[derive(Clone)]
struct SecretText(Zeroizing<String>);

impl std::fmt::Debug for SecretText {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("[REDACTED]")
    }
}

impl Prepared {
    /// The headers fixed for the token's life, in spec order.
    pub fn headers(&self) -> &[(HeaderName, HeaderValue)] {
        &self.headers
    }

    /// One of them, by name (any case).
    pub fn header(&self, name: &str) -> Option<&HeaderValue> {
        self.headers
            .iter()
            .find(|(n, _)| n.as_str().eq_ignore_ascii_case(name))
            .map(|(_, value)| value)
    }
}

impl ApiAuthorization {
    /// `Authorization: Bearer <access token>`, for hand-written clients:
    /// `static AUTHORIZATION: ApiAuthorization = ApiAuthorization::bearer("Vendor");`
    pub const fn bearer(vendor: &'static str) -> ApiAuthorization {
        ApiAuthorization {
            vendor,
            headers: Self::BEARER,
            query: &[],
            cookies: &[],
        }
    }

    const BEARER: &'static [(&'static str, Template)] = &[(
        "Authorization",
        Template(&[
            crate::value::Part::Text("Bearer "),
            crate::value::Part::Ref(
                crate::value::Ref::Token(crate::value::TokenField::AccessToken),
                &[],
            ),
        ]),
    )];

    /// Evaluates what is fixed for the token's life.
    pub fn prepare(&self, scope: &Scope<'_>) -> Result<Prepared, Error> {
        let mut prepared = Prepared::default();
        self.fill(scope, true, &mut prepared)?;
        prepared.per_request = self.has_per_request();
        Ok(prepared)
    }

    fn has_per_request(&self) -> bool {
        self.headers
            .iter()
            .chain(self.query)
            .chain(self.cookies)
            .any(|(_, t)| !t.is_per_token())
    }

    /// Adds the per-token or the per-request entries to `prepared`.
    fn fill(&self, scope: &Scope<'_>, per_token: bool, out: &mut Prepared) -> Result<(), Error> {
        for (name, template) in self.headers {
            if template.is_per_token() == per_token
                && let Some(value) = template.eval(scope)?
            {
                out.headers
                    .push((self.header_name(name)?, self.header_value(name, value)?));
            }
        }
        for (name, template) in self.query {
            if template.is_per_token() == per_token
                && let Some(value) = template.eval(scope)?
            {
                out.query
                    .push((name, SecretText(Zeroizing::new(value.text().to_owned()))));
            }
        }
        let cookies_per_token = self.cookies.iter().all(|(_, t)| t.is_per_token());
        if !self.cookies.is_empty() && cookies_per_token == per_token {
            let mut line = Zeroizing::new(String::new());
            let mut secret = false;
            for (name, template) in self.cookies {
                if let Some(value) = template.eval(scope)? {
                    if !line.is_empty() {
                        line.push_str("; ");
                    }
                    line.push_str(name);
                    line.push('=');
                    line.push_str(value.text());
                    secret |= value.is_secret();
                }
            }
            if !line.is_empty() {
                let mut value =
                    sensitive_value(line.as_bytes()).map_err(|_| invalid(self.vendor, "Cookie"))?;
                value.set_sensitive(secret);
                out.headers.push((COOKIE, value));
            }
        }
        Ok(())
    }

    fn header_name(&self, name: &str) -> Result<HeaderName, Error> {
        HeaderName::from_bytes(name.as_bytes()).map_err(|_| invalid(self.vendor, name))
    }

    /// A header value; a secret one is marked sensitive (reqwest and hyper
    /// never print it) and its bytes are zeroed when the last clone drops.
    fn header_value(&self, name: &str, value: Evaluated) -> Result<HeaderValue, Error> {
        let mut header = if value.is_secret() {
            sensitive_value(value.text().as_bytes())
        } else {
            HeaderValue::from_str(value.text())
        }
        .map_err(|_| invalid(self.vendor, name))?;
        header.set_sensitive(value.is_secret());
        Ok(header)
    }

    /// Every header an API call needs now (per-token and per-request).
    pub fn headers(&self, scope: &Scope<'_>) -> Result<HeaderMap, Error> {
        let mut prepared = self.prepare(scope)?;
        self.fill(scope, false, &mut prepared)?;
        Ok(prepared.headers.into_iter().collect())
    }
}

/// Applies a token's prepared authorization, and its per-request entries,
/// to a request.
pub fn apply<'a>(
    authorization: &ApiAuthorization,
    request: reqwest::RequestBuilder,
    prepared: &Prepared,
    scope: impl FnOnce() -> Scope<'a>,
) -> Result<reqwest::RequestBuilder, Error> {
    // Header by header: cloning a `HeaderValue` is a reference-count bump,
    // where building a map would allocate on every call.
    let mut request = request;
    for (name, value) in &prepared.headers {
        request = request.header(name.clone(), value.clone());
    }
    if !prepared.query.is_empty() {
        request = request.query(&query(&prepared.query));
    }
    if prepared.per_request {
        let mut fresh = Prepared::default();
        authorization.fill(&scope(), false, &mut fresh)?;
        for (name, value) in fresh.headers {
            request = request.header(name, value);
        }
        if !fresh.query.is_empty() {
            request = request.query(&query(&fresh.query));
        }
    }
    Ok(request)
}

/// [`apply`] for a built request (middleware stacks hand those over).
pub(crate) fn apply_to_request<'a>(
    authorization: &ApiAuthorization,
    request: &mut reqwest::Request,
    prepared: &Prepared,
    scope: impl FnOnce() -> Scope<'a>,
) -> Result<(), Error> {
    let add = |request: &mut reqwest::Request, prepared: &Prepared| {
        for (name, value) in &prepared.headers {
            request.headers_mut().append(name.clone(), value.clone());
        }
        if !prepared.query.is_empty() {
            request
                .url_mut()
                .query_pairs_mut()
                .extend_pairs(query(&prepared.query));
        }
    };
    add(request, prepared);
    if prepared.per_request {
        let mut fresh = Prepared::default();
        authorization.fill(&scope(), false, &mut fresh)?;
        add(request, &fresh);
    }
    Ok(())
}

/// [`apply`] for an `http::Request` (tower stacks: hyper, tonic, axum).
#[cfg(feature = "tower")]
pub(crate) fn apply_to_http<'a, B>(
    authorization: &ApiAuthorization,
    request: &mut http::Request<B>,
    prepared: &Prepared,
    scope: impl FnOnce() -> Scope<'a>,
) -> Result<(), Error> {
    let vendor = authorization.vendor;
    let add = |request: &mut http::Request<B>, prepared: &Prepared| -> Result<(), Error> {
        for (name, value) in &prepared.headers {
            request.headers_mut().append(name.clone(), value.clone());
        }
        if !prepared.query.is_empty() {
            let added: String = url::form_urlencoded::Serializer::new(String::new())
                .extend_pairs(query(&prepared.query))
                .finish();
            let uri = request.uri();
            let path_and_query = match uri.query() {
                Some(existing) => format!("{}?{existing}&{added}", uri.path()),
                None => format!("{}?{added}", uri.path()),
            };
            let mut parts = uri.clone().into_parts();
            parts.path_and_query = Some(
                path_and_query
                    .parse()
                    .map_err(|_| invalid(vendor, "the query"))?,
            );
            *request.uri_mut() =
                http::Uri::from_parts(parts).map_err(|_| invalid(vendor, "the query"))?;
        }
        Ok(())
    };
    add(request, prepared)?;
    if prepared.per_request {
        let mut fresh = Prepared::default();
        authorization.fill(&scope(), false, &mut fresh)?;
        add(request, &fresh)?;
    }
    Ok(())
}

/// Query entries as pairs that borrow the (zeroized) values.
fn query<'a>(entries: &'a [(&'static str, SecretText)]) -> Vec<(&'static str, &'a str)> {
    entries
        .iter()
        .map(|(name, value)| (*name, value.0.as_str()))
        .collect()
}

/// A client's authorization of API calls with a given token: what
/// `TokenClient::authorization` returns.
pub struct Authorizer<'a, C: ?Sized> {
    pub(crate) client: &'a C,
}

impl<C: TokenClient + ?Sized> Authorizer<'_, C> {
    /// Every header an API call with `token` carries now.
    pub fn headers(&self, token: &Token) -> Result<HeaderMap, Error> {
        self.client
            .api_authorization()
            .headers(&self.client.scope(Some(token)))
    }

    /// Adds the token's headers, query parameters and cookies to `request`.
    pub fn apply(
        &self,
        request: reqwest::RequestBuilder,
        token: &Token,
    ) -> Result<reqwest::RequestBuilder, Error> {
        let authorization = self.client.api_authorization();
        let scope = self.client.scope(Some(token));
        let prepared = authorization.prepare(&scope)?;
        apply(authorization, request, &prepared, || scope)
    }

    /// The static description from the spec.
    pub fn spec(&self) -> &'static ApiAuthorization {
        self.client.api_authorization()
    }
}

fn sensitive_value(bytes: &[u8]) -> Result<HeaderValue, reqwest::header::InvalidHeaderValue> {
    HeaderValue::from_maybe_shared(Bytes::from_owner(ZeroizingBytes(Zeroizing::new(
        bytes.to_vec(),
    ))))
}

/// Owner of a header value's bytes that wipes them on drop.
struct ZeroizingBytes(Zeroizing<Vec<u8>>);

impl AsRef<[u8]> for ZeroizingBytes {
    fn as_ref(&self) -> &[u8] {
        &self.0
    }
}

fn invalid(vendor: &'static str, what: &str) -> Error {
    Error::Encode {
        vendor,
        operation: "authorize",
        message: format!("{what} cannot be sent as a header"),
    }
}
