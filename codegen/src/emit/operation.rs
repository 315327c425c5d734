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

/// A struct whose fields serialize to exactly the documented wire names.
fn wire_struct(name: &str, place: &str, params: &[Param]) -> TokenStream {
    let name = format_ident!("{}", name);
    let summary = format!(" The request's {place}, field for field as the vendor documents it.");
    let fields = params.iter().map(|p| {
        let field = ident(&p.field);
        let wire = &p.wire;
        let (origin, ty, serialize_with) = match &p.source {
            Source::Credential(name) => (
                format!(" From the credential `{name}`."),
                quote! { &'a rt::SecretString },
                quote! { , serialize_with = "rt::serialize_secret" },
            ),
            Source::Token(token) => (
                format!(" The current `{}`.", token.name()),
                quote! { &'a rt::SecretString },
                quote! { , serialize_with = "rt::serialize_secret" },
            ),
            Source::Constant(value) => {
                (format!(" Always `{value}`."), quote! { &'a str }, quote! {})
            }
            Source::Variable(name) => (
                format!(" The configured `{name}`."),
                quote! { &'a str },
                quote! {},
            ),
        };
        quote! {
            #[doc = #origin]
            #[serde(rename = #wire #serialize_with)]
            pub #field: #ty
        }
    });
    quote! {
        #[doc = #summary]
        #[derive(Debug, rt::serde::Serialize)]
        #[serde(crate = "rt::serde")]
        pub struct #name<'a> {
            #( #fields, )*
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
        let wire = &f.wire;
        let ty = wire_type(f.wire_type);
        let docs = match (&f.description, f.role) {
            (Some(text), _) => doc(text),
            (None, role) => doc(role_doc(role)),
        };
        if f.required {
            quote! { #docs #[serde(rename = #wire)] pub #field: #ty }
        } else {
            quote! { #docs #[serde(rename = #wire, default)] pub #field: Option<#ty> }
        }
    });
    let summary = format!(" The {} response as the vendor sends it.", op.kind.name());
    let envelope = op.response.nested_under.as_ref().map(|outer| {
        let envelope = format_ident!("{prefix}Envelope");
        quote! {
            /// The object that holds the response fields.
            #[derive(rt::serde::Deserialize)]
            #[serde(crate = "rt::serde")]
            struct #envelope {
                #[serde(rename = #outer)]
                inner: #name,
            }
        }
    });
    let normalize = (op.kind != OperationKind::Revoke).then(|| normalize(op, &name));
    quote! {
        #[doc = #summary]
        #[derive(Debug, Clone, rt::serde::Deserialize)]
        #[serde(crate = "rt::serde")]
        #[non_exhaustive]
        pub struct #name {
            #( #fields, )*
        }
        #envelope
        #normalize
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

fn wire_type(wire_type: WireType) -> TokenStream {
    match wire_type {
        WireType::String => quote! { String },
        WireType::Secret => quote! { rt::SecretString },
        WireType::Integer => quote! { i64 },
        WireType::Number => quote! { f64 },
        WireType::Boolean => quote! { bool },
        WireType::Json => quote! { rt::serde_json::Value },
        WireType::IntNumber => quote! { rt::IntNumber },
        WireType::IntString => quote! { rt::IntString },
        WireType::IntNumberOrString => quote! { rt::IntNumberOrString },
        WireType::DateTime => quote! { rt::DateTime },
    }
}

/// `IntoToken`: the vendor's response to the normalized token.
fn normalize(op: &Operation, name: &proc_macro2::Ident) -> TokenStream {
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
        impl rt::IntoToken for #name {
            fn into_parts(self) -> rt::TokenParts {
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
        quote! { Some(#constructor(self.#name.get())) }
    } else {
        quote! { self.#name.map(|value| #constructor(value.get())) }
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
        };
    }
}

/// The client: one async function per operation, and the `TokenClient` impl.
pub fn client(vendor: &Vendor) -> TokenStream {
    let functions = vendor.operations().map(|op| function(vendor, op));
    let refresh = vendor.refresh.as_ref().map(|op| {
        let args = token_args(op, quote! { current });
        quote! {
            fn supports_refresh(&self) -> bool {
                true
            }

            async fn refresh_token(&self, current: &rt::Token) -> Result<rt::Token, rt::Error> {
                let response = self.refresh(#( #args ),*).await?;
                Ok(rt::normalize(response).keep_refresh_token_of(current))
            }
        }
    });
    let revoke = vendor.revoke.as_ref().map(|op| {
        let args = token_args(op, quote! { token });
        quote! {
            fn supports_revoke(&self) -> bool {
                true
            }

            async fn revoke_token(&self, token: &rt::Token) -> Result<(), rt::Error> {
                self.revoke(#( #args ),*).await.map(drop)
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

            async fn fetch_token(&self) -> Result<rt::Token, rt::Error> {
                self.token().await.map(rt::normalize)
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

/// Arguments taking each token input of `op` from the token `from`.
fn token_args(op: &Operation, from: TokenStream) -> Vec<TokenStream> {
    op.token_inputs()
        .into_iter()
        .map(|field| match field {
            TokenField::AccessToken => quote! { #from.access_token() },
            TokenField::RefreshToken => quote! { rt::require_refresh_token(VENDOR, #from)? },
        })
        .collect()
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
        quote! { #field: &rt::SecretString }
    });

    let mut steps = Vec::new();
    if !op.request.query.is_empty() {
        let value = struct_literal(&format!("{prefix}Query"), &op.request.query);
        steps.push(quote! { .query(&#value) });
    }
    if let Some(body) = &op.request.body {
        let value = struct_literal(&format!("{prefix}Body"), &body.fields);
        steps.push(match body.encoding {
            Encoding::Json => quote! { .json(&#value) },
            Encoding::Form => quote! { .form(&#value) },
        });
    }
    if let Some(basic) = &op.request.basic_auth {
        let user = ident(&basic.username);
        let password = ident(&basic.password);
        steps.push(quote! { .basic_auth(&self.credentials.#user, &self.credentials.#password) });
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
        (quote! { () }, quote! { .send_expecting_no_body().await })
    } else if op.response.nested_under.is_some() {
        let envelope = format_ident!("{prefix}Envelope");
        (
            quote! { #response },
            quote! { .send::<#envelope>().await.map(|envelope| envelope.inner) },
        )
    } else {
        (quote! { #response }, quote! { .send::<#response>().await })
    };
    let _ = vendor;
    quote! {
        #docs
        ///
        #[doc = #wire]
        pub async fn #name(&self, #( #params ),*) -> Result<#output, rt::Error> {
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
