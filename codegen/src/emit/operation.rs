//! Per-operation items (the operation descriptor, the response struct and
//! its token normalization) and the client that calls them.

use proc_macro2::{Literal, TokenStream};
use quote::{format_ident, quote};

use super::docs::doc;
use super::ident;
use super::values;
use crate::model::*;

/// Types and constants of one operation.
pub fn items(op: &Operation) -> TokenStream {
    let response = response(op);
    let descriptor = descriptor(op);
    quote! { #response #descriptor }
}

fn has_response_struct(op: &Operation) -> bool {
    !(op.kind == OperationKind::Revoke && op.response.fields.is_empty())
}

fn response(op: &Operation) -> TokenStream {
    let prefix = op.kind.type_prefix();
    let name = format_ident!("{prefix}Response");
    if !has_response_struct(op) {
        return TokenStream::new();
    }
    let fields = op.response.fields.iter().map(|f| {
        let field = ident(&f.field);
        let (ty, _) = reader(f.reader);
        let docs = match (&f.description, f.role) {
            (Some(text), _) => doc(text),
            (None, role) => doc(role_doc(role)),
        };
        let wire =
            super::docs::trusted_doc(&format!("From {}.", values::describe_source(&f.source)));
        let ty = if f.required {
            ty
        } else {
            quote! { Option<#ty> }
        };
        quote! { #docs #[doc = ""] #wire pub #field: #ty }
    });
    let reads = op.response.fields.iter().map(|f| {
        let field = ident(&f.field);
        let source = values::source(&f.source);
        let (_, reader) = reader(f.reader);
        if f.required {
            quote! { #field: wire.required(&#source, #reader)? }
        } else {
            quote! { #field: wire.optional(&#source, #reader)? }
        }
    });
    let summary = format!(" The {} response as the vendor sends it.", op.kind.name());
    let normalize = (op.kind != OperationKind::Revoke).then(|| normalize(op));
    quote! {
        #[doc = #summary]
        #[derive(Debug, Clone)]
        #[non_exhaustive]
        pub struct #name {
            #( #fields, )*
        }

        impl #name {
            /// Reads the response, field by field.
            pub fn from_wire(wire: &mut rt::WireResponse) -> Result<Self, rt::DecodeError> {
                Ok(Self { #( #reads, )* })
            }

            #normalize
        }
    }
}

fn role_doc(role: Role) -> &'static str {
    match role {
        Role::AccessToken => "The access token.",
        Role::TokenType => "The token type, e.g. `Bearer`.",
        Role::RefreshToken => "The refresh token.",
        Role::Scope => "The scopes granted.",
        Role::Expiry => "When the access token expires.",
        Role::RefreshTokenExpiry => "When the refresh token expires.",
        Role::Extra => "Documented by the vendor.",
    }
}

/// The Rust type of a response field, and the runtime function that reads it.
fn reader(reader: Reader) -> (TokenStream, TokenStream) {
    match reader {
        Reader::String => (quote! { String }, quote! { rt::read::string }),
        Reader::Secret => (quote! { rt::SecretString }, quote! { rt::read::secret }),
        Reader::AccessToken => (
            quote! { rt::SecretString },
            quote! { rt::read::access_token },
        ),
        Reader::Number => (quote! { f64 }, quote! { rt::read::number }),
        Reader::Boolean => (quote! { bool }, quote! { rt::read::boolean }),
        Reader::Json => (quote! { rt::JsonValue }, quote! { rt::read::json }),
        Reader::IntNumber => (quote! { i64 }, quote! { rt::read::int_number }),
        Reader::IntString => (quote! { i64 }, quote! { rt::read::int_string }),
        Reader::IntNumberOrString => (quote! { i64 }, quote! { rt::read::int_number_or_string }),
        Reader::Duration => (quote! { i64 }, quote! { rt::read::duration }),
        Reader::DateTime => (
            quote! { rt::OffsetDateTime },
            quote! { rt::read::date_time },
        ),
    }
}

/// `into_parts`: the vendor's response to the normalized token's parts.
fn normalize(op: &Operation) -> TokenStream {
    let response = &op.response;
    let take = |role: Role| match response.field(role) {
        Some(f) => {
            let field = ident(&f.field);
            if f.required {
                quote! { Some(self.#field) }
            } else {
                quote! { self.#field }
            }
        }
        None => quote! { None },
    };
    let access_token = match response.field(Role::AccessToken) {
        Some(f) => {
            let field = ident(&f.field);
            quote! { self.#field }
        }
        None => quote! { rt::secret(String::new()) },
    };
    let token_type = take(Role::TokenType);
    let refresh_token = take(Role::RefreshToken);
    let scope = take(Role::Scope);
    let default = match response.default_lifetime_seconds {
        Some(seconds) => {
            let seconds = Literal::u64_unsuffixed(seconds);
            quote! { Some(#seconds) }
        }
        None => quote! { None },
    };
    let expiry = expiry_value(response, response.expiry.as_ref());
    let refresh_expiry = expiry_value(response, response.refresh_token_expiry.as_ref());
    let kept = response
        .fields
        .iter()
        .filter(|f| f.role == Role::Extra)
        .map(|f| {
            let field = ident(&f.field);
            let name = &f.name;
            let value = match f.reader {
                Reader::Secret => quote! { rt::FieldValue::Secret(value) },
                Reader::String => quote! { rt::FieldValue::Text(value) },
                _ => quote! { rt::FieldValue::Text(value.to_string()) },
            };
            if f.required {
                quote! { { let value = self.#field; fields.push((#name, #value)); } }
            } else {
                quote! { if let Some(value) = self.#field { fields.push((#name, #value)); } }
            }
        });
    let has_kept = response.fields.iter().any(|f| f.role == Role::Extra);
    let fields = if has_kept {
        quote! { { let mut fields = Vec::new(); #( #kept )* fields } }
    } else {
        quote! { Vec::new() }
    };
    quote! {
        /// The fields of the normalized token.
        pub fn into_parts(self) -> rt::TokenParts {
            rt::TokenParts {
                expiry: rt::ExpirySource { value: #expiry, default_seconds: #default },
                refresh_token_expiry: #refresh_expiry,
                access_token: #access_token,
                token_type: #token_type,
                refresh_token: #refresh_token,
                scope: #scope,
                fields: #fields,
            }
        }
    }
}

/// `Option<rt::ExpiryValue>` read from the response.
fn expiry_value(response: &Response, expiry: Option<&Expiry>) -> TokenStream {
    match expiry {
        None => quote! { None },
        Some(Expiry::Never) => quote! { Some(rt::ExpiryValue::Never) },
        Some(Expiry::Field { field, kind }) => {
            let name = ident(field);
            let required = response
                .fields
                .iter()
                .find(|f| &f.field == field)
                .is_some_and(|f| f.required);
            let variant = format_ident!("{}", kind.variant());
            match (*kind == ExpiryKind::Datetime, required) {
                (true, true) => quote! { Some(rt::ExpiryValue::DateTime(self.#name)) },
                (true, false) => quote! { self.#name.map(rt::ExpiryValue::DateTime) },
                (false, true) => {
                    quote! { rt::ExpiryValue::from_number(rt::ExpiryKind::#variant, self.#name) }
                }
                (false, false) => {
                    quote! { self.#name.and_then(|n| rt::ExpiryValue::from_number(rt::ExpiryKind::#variant, n)) }
                }
            }
        }
    }
}

fn descriptor(op: &Operation) -> TokenStream {
    let name = format_ident!("{}_OPERATION", op.kind.name().to_ascii_uppercase());
    let steps = op.steps.iter().map(|step| {
        let operation = operation_literal(
            op.kind.name(),
            step.method,
            &step.path,
            &step.success,
            &op.errors,
            &step.request,
            step.format,
            quote! { &[] },
            quote! { None },
            quote! { &[] },
        );
        let outputs = step.outputs.iter().map(|(name, source)| {
            let source = values::source(source);
            quote! { (#name, #source) }
        });
        quote! { rt::Step { operation: #operation, outputs: &[ #( #outputs ),* ] } }
    });
    let sent = op.response.sent.iter().map(values::template);
    let error_when = match &op.response.error_when {
        Some((source, status)) => {
            let source = values::source(source);
            let status = Literal::u16_unsuffixed(*status);
            quote! { Some(rt::ErrorWhen { source: #source, status: #status }) }
        }
        None => quote! { None },
    };
    let operation = operation_literal(
        op.kind.name(),
        op.method,
        &op.path,
        &op.success,
        &op.errors,
        &op.request,
        op.response.format,
        quote! { &[ #( #sent ),* ] },
        error_when,
        quote! { &[ #( #steps ),* ] },
    );
    quote! {
        static #name: rt::Operation = #operation;
    }
}

/// An `rt::Operation { .. }` literal.
#[allow(clippy::too_many_arguments)]
fn operation_literal(
    operation: &str,
    method: Method,
    path: &Template,
    success: &[u16],
    errors: &Errors,
    request: &Request,
    format: BodyFormat,
    sent: TokenStream,
    error_when: TokenStream,
    steps: TokenStream,
) -> TokenStream {
    let method = format_ident!("{}", method.name());
    let path = values::template(path);
    let success = success.iter().map(|s| Literal::u16_unsuffixed(*s));
    let statuses = errors.statuses.iter().map(|s| {
        let meaning = &s.meaning;
        let matcher = match s.status {
            StatusMatch::Exact(code) => {
                let code = Literal::u16_unsuffixed(code);
                quote! { rt::StatusMatch::Exact(#code) }
            }
            StatusMatch::Class(class) => {
                let class = Literal::u16_unsuffixed(class);
                quote! { rt::StatusMatch::Class(#class) }
            }
        };
        quote! { rt::ErrorStatus { status: #matcher, meaning: #meaning } }
    });
    let fields = &errors.body_fields;
    let query = values::entries(&request.query);
    let headers = values::entries(&request.headers);
    let body = match &request.body {
        Body::None => quote! { rt::Body::None },
        Body::Form(fields) => {
            let fields = values::entries(fields);
            quote! { rt::Body::Form(#fields) }
        }
        Body::Json(json) => {
            let json = values::json(json);
            quote! { rt::Body::Json(#json) }
        }
        Body::Text(text) => {
            let text = values::template(text);
            quote! { rt::Body::Text(#text) }
        }
    };
    let basic = match &request.basic_auth {
        Some(basic) => {
            let username = values::template(&basic.username);
            let password = values::template(&basic.password);
            let form_encoded = basic.form_encoded;
            quote! { Some(rt::BasicAuth { username: #username, password: #password, form_encoded: #form_encoded }) }
        }
        None => quote! { None },
    };
    let format = format_ident!("{}", format.variant());
    quote! {
        rt::Operation {
            vendor: VENDOR,
            name: #operation,
            method: rt::Method::#method,
            path: #path,
            success: &[ #( #success ),* ],
            errors: &[ #( #statuses ),* ],
            error_fields: &[ #( #fields ),* ],
            request: rt::Request {
                query: #query,
                headers: #headers,
                body: #body,
                basic_auth: #basic,
            },
            response: rt::BodyFormat::#format,
            sent: #sent,
            error_when: #error_when,
            steps: #steps,
        }
    }
}

/// The client: one function per operation, returning the runtime's future
/// for it, and the `TokenClient` impl. No `async fn` here: the async code
/// lives in the runtime once, so a vendor costs rustc no state machines of
/// its own.
pub fn client(vendor: &Vendor) -> TokenStream {
    let functions = vendor.operations().map(function);
    let seeded = vendor.seed().is_some();
    let ring = vendor.has_key_ring();
    // The client's key ring, for vendors that prepare one.
    let keys_arg = ring.then(|| quote! { &self.keys, });
    // A static vendor makes no calls of its own, nor does a self-issued one.
    let call_fn = (!vendor.is_static() && vendor.self_issued.is_none()).then(|| {
        quote! {
            fn call<'a>(&'a self, operation: &'static rt::Operation, token: Option<&'a rt::Token>) -> rt::Call<'a> {
                rt::Call::new(&self.http, &self.base_url, operation, scope(&self.config, &self.credentials, #keys_arg token))
            }
        }
    });
    let fetch = if let Some(index) = vendor.self_issued {
        let index = Literal::usize_unsuffixed(index);
        quote! { rt::self_issued(scope(&self.config, &self.credentials, &self.keys, None), &ASSERTIONS[#index]) }
    } else if vendor.token.is_some() {
        quote! { rt::token_from(self.call(&TOKEN_OPERATION, None).send_timed(TokenResponse::from_wire), TokenResponse::into_parts) }
    } else if seeded {
        quote! {
            let seed = self.seed.token();
            let call = rt::Call::new(
                &self.http,
                &self.base_url,
                &REFRESH_OPERATION,
                scope(&self.config, &self.credentials, #keys_arg None).with_owned_token(seed.clone()),
            )
            .send_timed(RefreshResponse::from_wire);
            rt::token_from_seed(&self.seed, seed, call, RefreshResponse::into_parts)
        }
    } else {
        quote! { rt::static_token() }
    };
    let fetch = quote! {
        fn fetch_token(&self) -> impl ::core::future::Future<Output = Result<rt::Token, rt::Error>> + Send {
            #fetch
        }
    };
    let refresh = vendor.refresh.as_ref().map(|op| {
        let sends_refresh_token = op.templates().any(|t| {
            t.refs()
                .iter()
                .any(|r| matches!(r, Ref::Token(TokenField::RefreshToken)))
        });
        // A renewal with the access token itself works while it is valid.
        let can_refresh = (!sends_refresh_token).then(|| {
            quote! {
                fn can_refresh(&self, token: &rt::Token, now: rt::Instant) -> bool {
                    !token.is_expired(now)
                }
            }
        });
        let body = if seeded {
            quote! { rt::refreshed_with_seed(&self.seed, current, self.call(&REFRESH_OPERATION, Some(current)).send_timed(RefreshResponse::from_wire), RefreshResponse::into_parts) }
        } else {
            quote! { rt::refreshed_from(current, self.call(&REFRESH_OPERATION, Some(current)).send_timed(RefreshResponse::from_wire), RefreshResponse::into_parts) }
        };
        quote! {
            fn supports_refresh(&self) -> bool {
                true
            }

            fn refresh_token<'a>(&'a self, current: &'a rt::Token) -> impl ::core::future::Future<Output = Result<rt::Token, rt::Error>> + Send + 'a {
                #body
            }

            #can_refresh
        }
    });
    let (seed_field, seed_init, seed_value, seed_methods) = match vendor.seed() {
        Some(credential) => {
            let field = ident(&credential.field);
            (
                quote! { seed: rt::RefreshSeed, },
                quote! { let seed = rt::RefreshSeed::new(&credentials.#field); },
                quote! { seed, },
                quote! {
                    /// The newest refresh token: the credential until the
                    /// vendor rotates it, then the latest it issued. Persist
                    /// it (or use [`Client::on_refresh_token_rotated`]) to
                    /// start from it next time.
                    pub fn latest_refresh_token(&self) -> rt::SecretString {
                        self.seed.refresh_token()
                    }

                    /// Calls `callback` with each new refresh token the
                    /// vendor rotates to, e.g. to store it.
                    pub fn on_refresh_token_rotated(mut self, callback: impl Fn(&rt::SecretString) + Send + Sync + 'static) -> Self {
                        self.seed.on_rotate(callback);
                        self
                    }
                },
            )
        }
        None => Default::default(),
    };
    let revoke = vendor.revoke.as_ref().map(|_| {
        quote! {
            fn supports_revoke(&self) -> bool {
                true
            }

            fn revoke_token<'a>(&'a self, token: &'a rt::Token) -> impl ::core::future::Future<Output = Result<(), rt::Error>> + Send + 'a {
                rt::revoked(self.revoke(token))
            }
        }
    });
    let refresh_ahead = match vendor.refresh_ahead_seconds {
        Some(seconds) => {
            let seconds = Literal::u64_unsuffixed(seconds);
            quote! { Some(::core::time::Duration::from_secs(#seconds)) }
        }
        None => quote! { None },
    };
    let plain_http = format_ident!(
        "{}",
        match vendor.plain_http {
            PlainHttp::LoopbackOnly => "LoopbackOnly",
            PlainHttp::LinkLocalMetadata => "LinkLocalMetadata",
        }
    );
    let credentials = vendor.credentials.iter().map(|c| {
        let field = ident(&c.field);
        quote! { &credentials.#field }
    });
    let variables = vendor.variables.iter().map(|v| {
        let field = ident(&v.field);
        quote! { rt::Var::from(&config.#field) }
    });
    let scope_fn = if ring {
        let plain = vendor.credentials.iter().map(|c| {
            let field = ident(&c.field);
            quote! { &credentials.#field }
        });
        quote! {
            /// The values the spec's templates read, in the generator's numbering.
            fn scope<'a>(config: &'a Config, credentials: &'a Credentials, keys: &'a rt::KeyRing, token: Option<&'a rt::Token>) -> rt::Scope<'a> {
                let _ = config;
                rt::Scope::new(VENDOR, keys.credentials(vec![ #( #credentials ),* ]), vec![ #( #variables ),* ], token).with_keys(keys)
            }

            /// Reads the JSON credentials and parses the keys, once.
            fn key_ring(credentials: &Credentials) -> Result<::std::sync::Arc<rt::KeyRing>, rt::Error> {
                rt::KeyRing::new(VENDOR, &KEY_RING, &[ #( #plain ),* ]).map(::std::sync::Arc::new)
            }
        }
    } else {
        quote! {
            /// The values the spec's templates read, in the generator's numbering.
            fn scope<'a>(config: &'a Config, credentials: &'a Credentials, token: Option<&'a rt::Token>) -> rt::Scope<'a> {
                let _ = (config, credentials);
                rt::Scope::new(VENDOR, vec![ #( #credentials ),* ], vec![ #( #variables ),* ], token)
            }
        }
    };
    let (keys_field, keys_init, keys_value) = if ring {
        (
            quote! { keys: ::std::sync::Arc<rt::KeyRing>, },
            quote! { let keys = key_ring(&credentials)?; },
            quote! { keys, },
        )
    } else {
        Default::default()
    };
    let keys_local = ring.then(|| quote! { &keys, });
    quote! {
        #scope_fn

        /// A client for the vendor's token endpoints. Cheap to clone.
        #[derive(Debug, Clone)]
        pub struct Client {
            http: rt::HttpClient,
            base_url: rt::Url,
            config: Config,
            credentials: Credentials,
            #seed_field
            #keys_field
        }

        impl Client {
            /// A client with the default HTTP settings (timeouts, no redirects).
            pub fn new(config: impl Into<Config>, credentials: Credentials) -> Result<Self, rt::Error> {
                Self::with_http(config, credentials, rt::HttpClient::default())
            }

            /// A client that sends through `http`, e.g. one with other timeouts.
            pub fn with_http(config: impl Into<Config>, credentials: Credentials, http: rt::HttpClient) -> Result<Self, rt::Error> {
                let config = config.into();
                #keys_init
                let base_url = rt::resolve_base_url(config.environment.base_url(), &scope(&config, &credentials, #keys_local None), rt::PlainHttp::#plain_http)?;
                #seed_init
                Ok(Self { http, base_url, config, credentials, #seed_value #keys_value })
            }

            /// The base URL the operations are sent to.
            pub fn base_url(&self) -> &rt::Url {
                &self.base_url
            }

            /// The configuration the client was built with.
            pub fn config(&self) -> &Config {
                &self.config
            }

            /// The HTTP client it sends through; API calls can share its
            /// connection pool (`http().reqwest()`).
            pub fn http(&self) -> &rt::HttpClient {
                &self.http
            }

            #call_fn

            #seed_methods

            #( #functions )*
        }

        impl rt::TokenClient for Client {
            fn vendor(&self) -> &'static str {
                VENDOR
            }

            #fetch

            #refresh
            #revoke

            fn api_authorization(&self) -> &'static rt::ApiAuthorization {
                &AUTHORIZATION
            }

            fn scope<'a>(&'a self, token: Option<&'a rt::Token>) -> rt::Scope<'a> {
                scope(&self.config, &self.credentials, #keys_arg token)
            }

            fn refresh_ahead(&self) -> Option<::core::time::Duration> {
                #refresh_ahead
            }

            fn base_url(&self) -> Option<&rt::Url> {
                Some(&self.base_url)
            }
        }
    }
}

fn function(op: &Operation) -> TokenStream {
    let name = ident(op.kind.name());
    let prefix = op.kind.type_prefix();
    let descriptor = format_ident!("{}_OPERATION", op.kind.name().to_ascii_uppercase());
    let docs = match &op.description {
        Some(text) => doc(text),
        None => doc(&format!("The {} operation.", op.kind.name())),
    };
    let wire = super::docs::trusted_doc(&format!(
        "Sends {}.",
        super::docs::code(&format!("{} {{base_url}}{}", op.method, op.path_text))
    ));
    let uses_token = op.kind != OperationKind::Token;
    let (param, token) = if uses_token {
        (quote! { token: &'a rt::Token }, quote! { Some(token) })
    } else {
        (quote! {}, quote! { None })
    };
    let response = format_ident!("{prefix}Response");
    let (output, send) = if has_response_struct(op) {
        (quote! { #response }, quote! { .send(#response::from_wire) })
    } else {
        (quote! { () }, quote! { .send_expecting_no_body() })
    };
    quote! {
        #docs
        ///
        #wire
        ///
        /// The future is `Send`; it borrows the client (and the token).
        // An explicit lifetime, not `async fn` or `+ '_`: the code is
        // included in crates of any edition.
        pub fn #name<'a>(&'a self, #param) -> impl ::core::future::Future<Output = Result<#output, rt::Error>> + Send + 'a {
            self.call(&#descriptor, #token)
                #send
        }
    }
}
