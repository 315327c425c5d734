//! Per-operation items (wire structs, the operation descriptor, token
//! normalization) and the client that calls them.

use proc_macro2::TokenStream;
use quote::{format_ident, quote};

use super::docs::doc;
use super::ident;
use crate::model::*;

/// Types and constants of one operation.
pub fn items(vendor: &Vendor, op: &Operation) -> TokenStream {
    let prefix = op.kind.type_prefix();
    let query = op
        .request
        .query
        .is_empty()
        .then(TokenStream::new)
        .unwrap_or_else(|| {
            wire_struct(&format!("{prefix}Query"), "query string", &op.request.query)
        });
    let body = op.request.body.as_ref().map(|body| {
        let encoding = match body.encoding {
            Encoding::Json => "JSON body",
            Encoding::Form => "form-encoded body (`application/x-www-form-urlencoded`)",
        };
        wire_struct(&format!("{prefix}Body"), encoding, &body.fields)
    });
    let response = response(op);
    let descriptor = descriptor(vendor, op);
    quote! { #query #body #response #descriptor }
}

/// A struct with one field per documented wire value, and the list of
/// `(wire name, value)` pairs the runtime encodes.
fn wire_struct(name: &str, place: &str, params: &[Param]) -> TokenStream {
    let name = format_ident!("{}", name);
    let summary = format!(" The request's {place}, field for field as the vendor documents it.");
    let fields = params.iter().map(|p| {
        let field = ident(&p.field);
        let (origin, ty) = match &p.source {
            Source::Credential(name) => (
                format!(" `{}`: the credential `{name}`.", p.wire),
                quote! { &'a rt::SecretString },
            ),
            Source::Token(token) => (
                format!(" `{}`: the current `{}`.", p.wire, token.name()),
                quote! { &'a rt::SecretString },
            ),
            Source::Constant(value) => (
                format!(" `{}`: always `{value}`.", p.wire),
                quote! { &'a str },
            ),
            Source::Variable(name) => (
                format!(" `{}`: the configured `{name}`.", p.wire),
                quote! { &'a str },
            ),
        };
        quote! {
            #[doc = #origin]
            pub #field: #ty
        }
    });
    let pairs = params.iter().map(|p| {
        let field = ident(&p.field);
        let wire = &p.wire;
        if p.source.is_secret() {
            quote! { (#wire, rt::WireValue::Secret(self.#field)) }
        } else {
            quote! { (#wire, rt::WireValue::Text(self.#field)) }
        }
    });
    let count = proc_macro2::Literal::usize_unsuffixed(params.len());
    quote! {
        #[doc = #summary]
        #[derive(Debug)]
        pub struct #name<'a> {
            #( #fields, )*
        }

        impl<'a> #name<'a> {
            /// The fields under their wire names, in the documented order.
            pub fn wire_fields(&self) -> [(&'static str, rt::WireValue<'a>); #count] {
                [ #( #pairs ),* ]
            }
        }
    }
}

fn response(op: &Operation) -> TokenStream {
    let prefix = op.kind.type_prefix();
    let name = format_ident!("{prefix}Response");
    if op.response.fields.is_empty() && op.kind == OperationKind::Revoke {
        return TokenStream::new();
    }
    let fields = op.response.fields.iter().map(|f| {
        let field = ident(&f.field);
        let (ty, _) = wire_type(f.wire_type);
        let docs = match (&f.description, f.role) {
            (Some(text), _) => doc(text),
            (None, role) => doc(role_doc(role)),
        };
        let wire = format!(" Wire name: `{}`.", f.wire);
        let ty = if f.required {
            ty
        } else {
            quote! { Option<#ty> }
        };
        quote! { #docs #[doc = ""] #[doc = #wire] pub #field: #ty }
    });
    let reads = op.response.fields.iter().map(|f| {
        let field = ident(&f.field);
        let wire = &f.wire;
        let (_, reader) = wire_type(f.wire_type);
        if f.required {
            quote! { #field: wire.required(#wire, #reader)? }
        } else {
            quote! { #field: wire.optional(#wire, #reader)? }
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
            /// Reads the response from its JSON object.
            pub fn from_wire(wire: &mut rt::WireObject) -> Result<Self, rt::DecodeError> {
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
fn wire_type(wire_type: WireType) -> (TokenStream, TokenStream) {
    match wire_type {
        WireType::String => (quote! { String }, quote! { rt::read::string }),
        WireType::Secret => (quote! { rt::SecretString }, quote! { rt::read::secret }),
        WireType::Integer => (quote! { i64 }, quote! { rt::read::integer }),
        WireType::Number => (quote! { f64 }, quote! { rt::read::number }),
        WireType::Boolean => (quote! { bool }, quote! { rt::read::boolean }),
        WireType::Json => (quote! { rt::JsonValue }, quote! { rt::read::json }),
        WireType::IntNumber => (quote! { i64 }, quote! { rt::read::int_number }),
        WireType::IntString => (quote! { i64 }, quote! { rt::read::int_string }),
        WireType::IntNumberOrString => (quote! { i64 }, quote! { rt::read::int_number_or_string }),
        WireType::DateTime => (
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
            let seconds = proc_macro2::Literal::u64_unsuffixed(seconds);
            quote! { Some(#seconds) }
        }
        None => quote! { None },
    };
    let expiry = expiry(response, response.expiry.as_ref(), Role::Expiry, default);
    let refresh_expiry = match &response.refresh_token_expiry {
        Some(_) => {
            let value = expiry_value(
                response,
                response.refresh_token_expiry.as_ref(),
                Role::RefreshTokenExpiry,
            );
            quote! { #value }
        }
        None => quote! { None },
    };
    quote! {
        /// The fields of the normalized token.
        pub fn into_parts(self) -> rt::TokenParts {
            rt::TokenParts {
                access_token: #access_token,
                token_type: #token_type,
                refresh_token: #refresh_token,
                scope: #scope,
                expiry: #expiry,
                refresh_token_expiry: #refresh_expiry,
            }
        }
    }
}

fn expiry(
    response: &Response,
    expiry: Option<&Expiry>,
    role: Role,
    default: TokenStream,
) -> TokenStream {
    let value = expiry_value(response, expiry, role);
    quote! { rt::ExpirySource { value: #value, default_seconds: #default } }
}

/// `Option<rt::ExpiryValue>` read from the response field of `role`.
fn expiry_value(response: &Response, expiry: Option<&Expiry>, role: Role) -> TokenStream {
    let (Some(expiry), Some(field)) = (expiry, response.field(role)) else {
        return quote! { None };
    };
    let name = ident(&expiry.field);
    let constructor = match expiry.kind {
        ExpiryKind::RelativeSeconds => quote! { rt::ExpiryValue::RelativeSeconds },
        ExpiryKind::UnixTime => quote! { rt::ExpiryValue::UnixTime },
        ExpiryKind::Iso8601 => quote! { rt::ExpiryValue::DateTime },
    };
    if field.required {
        quote! { Some(#constructor(self.#name)) }
    } else {
        quote! { self.#name.map(#constructor) }
    }
}

fn descriptor(vendor: &Vendor, op: &Operation) -> TokenStream {
    let name = format_ident!("{}_OPERATION", op.kind.name().to_ascii_uppercase());
    let operation = op.kind.name();
    let method = format_ident!("{}", op.method);
    let path = &op.path;
    let status = proc_macro2::Literal::u16_unsuffixed(op.success_status);
    let statuses = op.errors.statuses.iter().map(|s| {
        let meaning = &s.meaning;
        let matcher = match s.status {
            StatusMatch::Exact(code) => {
                let code = proc_macro2::Literal::u16_unsuffixed(code);
                quote! { rt::StatusMatch::Exact(#code) }
            }
            StatusMatch::Class(class) => {
                let class = proc_macro2::Literal::u16_unsuffixed(class);
                quote! { rt::StatusMatch::Class(#class) }
            }
        };
        quote! { rt::ErrorStatus { status: #matcher, meaning: #meaning } }
    });
    let fields = &op.errors.body_fields;
    let nested_under = match &op.response.nested_under {
        Some(outer) => quote! { Some(#outer) },
        None => quote! { None },
    };
    let _ = vendor;
    quote! {
        const #name: rt::Operation = rt::Operation {
            vendor: VENDOR,
            name: #operation,
            method: rt::Method::#method,
            path: #path,
            success_status: #status,
            errors: &[ #( #statuses ),* ],
            error_fields: &[ #( #fields ),* ],
            nested_under: #nested_under,
        };
    }
}

/// The client: one function per operation, returning the runtime's future
/// for it, and the `TokenClient` impl. No `async fn` here: the async code
/// lives in the runtime once, so a vendor costs rustc no state machines of
/// its own.
pub fn client(vendor: &Vendor) -> TokenStream {
    let functions = vendor.operations().map(|op| function(vendor, op));
    let refresh = vendor.refresh.as_ref().map(|op| {
        let call = call_with_token(op, quote! { current }, quote! { refresh });
        quote! {
            fn supports_refresh(&self) -> bool {
                true
            }

            fn refresh_token<'a>(&'a self, current: &'a rt::Token) -> impl ::core::future::Future<Output = Result<rt::Token, rt::Error>> + Send + 'a {
                rt::refreshed_from(current, #call, RefreshResponse::into_parts)
            }
        }
    });
    let revoke = vendor.revoke.as_ref().map(|op| {
        let call = call_with_token(op, quote! { token }, quote! { revoke });
        quote! {
            fn supports_revoke(&self) -> bool {
                true
            }

            fn revoke_token<'a>(&'a self, token: &'a rt::Token) -> impl ::core::future::Future<Output = Result<(), rt::Error>> + Send + 'a {
                rt::revoked(#call)
            }
        }
    });
    let refresh_ahead = match vendor.refresh_ahead_seconds {
        Some(seconds) => {
            let seconds = proc_macro2::Literal::u64_unsuffixed(seconds);
            quote! { Some(::core::time::Duration::from_secs(#seconds)) }
        }
        None => quote! { None },
    };
    quote! {
        /// A client for the vendor's token endpoints. Cheap to clone.
        #[derive(Debug, Clone)]
        pub struct Client {
            http: rt::HttpClient,
            base_url: rt::Url,
            config: Config,
            credentials: Credentials,
        }

        impl Client {
            /// A client with the default HTTP settings (timeouts, no redirects).
            pub fn new(config: impl Into<Config>, credentials: Credentials) -> Result<Self, rt::Error> {
                Self::with_http(config, credentials, rt::HttpClient::default())
            }

            /// A client that sends through `http`, e.g. one with other timeouts.
            pub fn with_http(config: impl Into<Config>, credentials: Credentials, http: rt::HttpClient) -> Result<Self, rt::Error> {
                let config = config.into();
                let base_url = rt::resolve_base_url(VENDOR, config.environment.base_url(), &config.template_values())?;
                Ok(Self { http, base_url, config, credentials })
            }

            /// The base URL the operations are sent to.
            pub fn base_url(&self) -> &rt::Url {
                &self.base_url
            }

            /// The configuration the client was built with.
            pub fn config(&self) -> &Config {
                &self.config
            }

            #( #functions )*
        }

        impl rt::TokenClient for Client {
            fn vendor(&self) -> &'static str {
                VENDOR
            }

            fn fetch_token(&self) -> impl ::core::future::Future<Output = Result<rt::Token, rt::Error>> + Send {
                rt::token_from(self.token(), TokenResponse::into_parts)
            }

            #refresh
            #revoke

            fn authorization(&self) -> &'static rt::ApiAuthorization {
                &AUTHORIZATION
            }

            fn refresh_ahead(&self) -> Option<::core::time::Duration> {
                #refresh_ahead
            }
        }
    }
}

/// The call of `function` with each token input of `op` taken from the token
/// `from`: `Ok(future)`, or the error of a missing refresh token.
fn call_with_token(op: &Operation, from: TokenStream, function: TokenStream) -> TokenStream {
    let inputs = op.token_inputs();
    let args = inputs.iter().map(|field| match field {
        TokenField::AccessToken => quote! { #from.access_token() },
        TokenField::RefreshToken => quote! { refresh_token },
    });
    let call = quote! { self.#function(#( #args ),*) };
    if inputs.contains(&TokenField::RefreshToken) {
        quote! { rt::require_refresh_token(VENDOR, #from).map(|refresh_token| #call) }
    } else {
        quote! { Ok::<_, rt::Error>(#call) }
    }
}

fn function(vendor: &Vendor, op: &Operation) -> TokenStream {
    let name = ident(op.kind.name());
    let prefix = op.kind.type_prefix();
    let descriptor = format_ident!("{}_OPERATION", op.kind.name().to_ascii_uppercase());
    let docs = match &op.description {
        Some(text) => doc(text),
        None => doc(&format!("The {} operation.", op.kind.name())),
    };
    let wire = format!(" Sends `{} {{base_url}}{}`.", op.method, op.path);
    let inputs = op.token_inputs();
    let params = inputs.iter().map(|field| {
        let field = ident(field.name());
        quote! { #field: &'a rt::SecretString }
    });

    let mut steps = Vec::new();
    if !op.request.query.is_empty() {
        let value = struct_literal(&format!("{prefix}Query"), &op.request.query);
        steps.push(quote! { .query(&#value.wire_fields()) });
    }
    if let Some(body) = &op.request.body {
        let value = struct_literal(&format!("{prefix}Body"), &body.fields);
        steps.push(match body.encoding {
            Encoding::Json => quote! { .json(&#value.wire_fields()) },
            Encoding::Form => quote! { .form(&#value.wire_fields()) },
        });
    }
    if let Some(basic) = &op.request.basic_auth {
        let user = ident(&basic.username);
        let password = ident(&basic.password);
        steps.push(if basic.form_encoded {
            quote! { .basic_auth_form_encoded(&self.credentials.#user, &self.credentials.#password) }
        } else {
            quote! { .basic_auth(&self.credentials.#user, &self.credentials.#password) }
        });
    }
    for header in &op.request.headers {
        let wire = &header.wire;
        let value = value_expr(&header.source);
        steps.push(if header.source.is_secret() {
            quote! { .secret_header(#wire, #value) }
        } else {
            quote! { .header(#wire, #value) }
        });
    }
    let response = format_ident!("{prefix}Response");
    let (output, send) = if op.kind == OperationKind::Revoke && op.response.fields.is_empty() {
        (quote! { () }, quote! { .send_expecting_no_body() })
    } else {
        (quote! { #response }, quote! { .send(#response::from_wire) })
    };
    let _ = vendor;
    quote! {
        #docs
        ///
        #[doc = #wire]
        ///
        /// The future is `Send`; it borrows the client (and the token).
        // An explicit lifetime, not `async fn` or `+ '_`: the code is
        // included in crates of any edition.
        pub fn #name<'a>(&'a self, #( #params ),*) -> impl ::core::future::Future<Output = Result<#output, rt::Error>> + 'a {
            rt::Call::new(&self.http, &self.base_url, &#descriptor)
                #( #steps )*
                #send
        }
    }
}

fn struct_literal(name: &str, params: &[Param]) -> TokenStream {
    let name = format_ident!("{}", name);
    let fields = params.iter().map(|p| {
        let field = ident(&p.field);
        match &p.source {
            // Token inputs are parameters of the same name: use the shorthand.
            Source::Token(token) if token.name() == p.field => quote! { #field },
            source => {
                let value = value_expr(source);
                quote! { #field: #value }
            }
        }
    });
    quote! { #name { #( #fields ),* } }
}

fn value_expr(source: &Source) -> TokenStream {
    match source {
        Source::Credential(name) => {
            let name = ident(name);
            quote! { &self.credentials.#name }
        }
        Source::Token(field) => {
            let field = ident(field.name());
            quote! { #field }
        }
        Source::Constant(value) => quote! { #value },
        Source::Variable(field) => {
            let field = ident(field);
            quote! { self.config.#field.as_str() }
        }
    }
}
