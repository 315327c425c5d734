//! Stage 3: the model to Rust tokens. The output refers to the runtime only
//! through one path (`Config::runtime_path`, `::vendor_auth` by default), so
//! generated code stays thin: it declares types and wires them to runtime calls.

mod docs;
mod operation;
mod registry;
mod values;

use proc_macro2::{Ident, Span, TokenStream};
use quote::quote;

use crate::model::*;
use docs::{doc, doc_opt, trusted_doc};

/// What to emit besides each vendor's types and client.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Options {
    /// `VENDOR_INFO`, a `FromEnv` impl, and the index's `VENDORS` list.
    pub registry: bool,
}

/// Emits one vendor as a `pub mod`.
pub fn vendor(vendor: &Vendor, runtime: &syn::Path, options: Options) -> TokenStream {
    let module = ident(&vendor.module);
    let module_doc = module_doc(vendor);
    let name = &vendor.name;
    let environment = environment(vendor);
    let config = config(vendor);
    let credentials = credentials(vendor);
    let operations = vendor.operations().map(operation::items);
    let assertions = values::assertions(vendor);
    let client = operation::client(vendor);
    let authorization = authorization(&vendor.authorization);
    let registry = options.registry.then(|| registry::items(vendor));
    quote! {
        #module_doc
        pub mod #module {
            use #runtime::__private as rt;

            /// The vendor's name, as used in errors and logs.
            pub const VENDOR: &str = #name;

            #environment
            #config
            #credentials
            #assertions
            #( #operations )*
            #client
            #authorization
            #registry
        }
    }
}

fn module_doc(vendor: &Vendor) -> TokenStream {
    let title = doc(&format!(
        "{} (generated from `{}`).",
        vendor.name, vendor.source_name
    ));
    let description = vendor
        .description
        .as_deref()
        .map(|text| {
            let body = doc(text);
            quote! { #[doc = ""] #body }
        })
        .unwrap_or_default();
    let link = vendor
        .documentation
        .as_deref()
        .map(|url| {
            let line = doc(&format!("Vendor documentation: {url}"));
            quote! { #[doc = ""] #line }
        })
        .unwrap_or_default();
    // An outer doc comment resolves links in the parent module's scope.
    let m = &vendor.module;
    let usage = trusted_doc(&format!(
        "Build a [`Client`]({m}::Client) from a [`Config`]({m}::Config) and \
         [`Credentials`]({m}::Credentials), then call its operations, or hand it \
         to anything generic over `TokenClient`."
    ));
    quote! {
        #title #description #link
        #[doc = ""]
        #usage
    }
}

fn environment(vendor: &Vendor) -> TokenStream {
    let variants = vendor.environments.iter().enumerate().map(|(index, env)| {
        let variant = ident(&env.variant);
        let docs = doc_opt(env.description.as_deref());
        let default = (vendor.default_environment == Some(index)).then(|| quote! { #[default] });
        let separator = env.description.is_some().then(|| quote! { #[doc = ""] });
        match &env.base_url {
            BaseUrl::Template { text: url, .. } => {
                let url_doc = doc(&format!("Base URL: `{url}`"));
                quote! { #docs #separator #url_doc #default #variant }
            }
            BaseUrl::UserSupplied => quote! { #docs #separator #[doc = " The base URL is supplied by the user."] #variant(rt::Url) },
        }
    });
    let arms = vendor.environments.iter().map(|env| {
        let variant = ident(&env.variant);
        match &env.base_url {
            BaseUrl::Template { template, .. } => {
                let template = values::template(template);
                quote! {
                    Self::#variant => {
                        static URL: rt::Template = #template;
                        rt::BaseUrl::Template(&URL)
                    }
                }
            }
            BaseUrl::UserSupplied => quote! { Self::#variant(url) => rt::BaseUrl::Given(url) },
        }
    });
    let derive_default = vendor.default_environment.map(|_| quote! { Default, });
    quote! {
        /// Where the vendor's endpoints live.
        #[derive(Debug, Clone, PartialEq, Eq, #derive_default)]
        #[non_exhaustive]
        pub enum Environment {
            #( #variants, )*
            /// Any other base URL: a proxy, a local stand-in or a test server.
            Custom(rt::Url),
        }

        impl Environment {
            fn base_url(&self) -> rt::BaseUrl<'_> {
                match self {
                    #( #arms, )*
                    Self::Custom(url) => rt::BaseUrl::Given(url),
                }
            }
        }
    }
}

fn config(vendor: &Vendor) -> TokenStream {
    let fields = vendor.variables.iter().map(|v| {
        let field = ident(&v.field);
        let docs = doc_opt(v.description.as_deref());
        let usage = match &v.presence {
            Presence::Required => format!(" Used as `{{{}}}` in the spec.", v.name),
            Presence::Optional => format!(
                " Used as `{{{}}}` in the spec; what uses it is omitted while `None`.",
                v.name
            ),
            Presence::Default(value) => {
                format!(
                    " Used as `{{{}}}` in the spec. Default: {}.",
                    v.name,
                    docs::code(value)
                )
            }
        };
        let usage = trusted_doc(usage.trim_start());
        let ty = variable_type(v);
        quote! { #docs #[doc = ""] #usage pub #field: #ty }
    });
    let required: Vec<&Variable> = vendor
        .variables
        .iter()
        .filter(|v| v.presence == Presence::Required)
        .collect();
    let params = required.iter().map(|v| {
        let field = ident(&v.field);
        match v.var_type {
            VariableType::String => quote! { #field: impl Into<String> },
            VariableType::Integer => quote! { #field: i64 },
            VariableType::Boolean => quote! { #field: bool },
        }
    });
    let inits = vendor.variables.iter().map(|v| {
        let field = ident(&v.field);
        match (&v.presence, v.var_type) {
            (Presence::Required, VariableType::String) => quote! { #field: #field.into() },
            (Presence::Required, _) => quote! { #field },
            (Presence::Optional, _) => quote! { #field: None },
            (Presence::Default(value), _) => {
                let value = default_value(vendor, v, value);
                quote! { #field: #value }
            }
        }
    });
    // A per-environment default reads `environment`, so it is moved last.
    let inits = if vendor
        .variables
        .iter()
        .any(|v| !v.environment_defaults.is_empty())
    {
        quote! { #( #inits, )* environment }
    } else {
        quote! { environment, #( #inits ),* }
    };
    let from_environment = required.is_empty().then(|| {
        quote! {
            impl From<Environment> for Config {
                fn from(environment: Environment) -> Self {
                    Self::new(environment)
                }
            }
        }
    });
    let default = (required.is_empty() && vendor.default_environment.is_some()).then(|| {
        quote! {
            impl Default for Config {
                fn default() -> Self {
                    Self::new(Environment::default())
                }
            }
        }
    });
    quote! {
        /// Everything but the credentials that a [`Client`] needs.
        #[derive(Debug, Clone, PartialEq, Eq)]
        pub struct Config {
            /// Which of the vendor's environments to call.
            pub environment: Environment,
            #( #fields, )*
        }

        impl Config {
            /// A configuration for `environment`; optional settings start unset
            /// (or at their documented default).
            pub fn new(environment: Environment, #( #params ),*) -> Self {
                Self { #inits }
            }
        }

        #from_environment
        #default
    }
}

/// A defaulted variable's starting value: its `default`, or the default of
/// the chosen `environment` (a local of the generated function).
pub(crate) fn default_value(vendor: &Vendor, v: &Variable, value: &str) -> TokenStream {
    let literal = |text: &str| match v.var_type {
        VariableType::String => quote! { #text.to_owned() },
        _ => text.parse().unwrap_or_default(),
    };
    if v.environment_defaults.is_empty() {
        return literal(value);
    }
    let arms = v.environment_defaults.iter().map(|(index, text)| {
        let env = &vendor.environments[*index];
        let variant = ident(&env.variant);
        let pattern = match env.base_url {
            BaseUrl::Template { .. } => quote! { Environment::#variant },
            BaseUrl::UserSupplied => quote! { Environment::#variant(_) },
        };
        let value = literal(text);
        quote! { #pattern => #value }
    });
    let fallback = literal(value);
    quote! {
        match &environment {
            #( #arms, )*
            _ => #fallback,
        }
    }
}

fn variable_type(v: &Variable) -> TokenStream {
    let ty = match v.var_type {
        VariableType::String => quote! { String },
        VariableType::Integer => quote! { i64 },
        VariableType::Boolean => quote! { bool },
    };
    if v.presence == Presence::Optional {
        quote! { Option<#ty> }
    } else {
        ty
    }
}

fn credentials(vendor: &Vendor) -> TokenStream {
    let fields = vendor.credentials.iter().map(|c| {
        let field = ident(&c.field);
        // Every public field is documented, described in the spec or not.
        let usage = if c.json_fields.is_empty() {
            format!("Used as `{{{}}}` in the spec.", c.field)
        } else {
            format!(
                "A JSON document; the spec reads its fields {}.",
                c.json_fields
                    .iter()
                    .map(|f| format!("`{{{}.{f}}}`", c.field))
                    .collect::<Vec<_>>()
                    .join(", ")
            )
        };
        let usage = trusted_doc(&usage);
        let docs = match &c.description {
            Some(text) => {
                let text = doc(text);
                quote! { #text #[doc = ""] #usage }
            }
            None => usage,
        };
        quote! { #docs pub #field: rt::SecretString }
    });
    let params = vendor.credentials.iter().map(|c| {
        let field = ident(&c.field);
        quote! { #field: impl Into<String> }
    });
    let inits = vendor.credentials.iter().map(|c| {
        let field = ident(&c.field);
        quote! { #field: rt::secret(#field) }
    });
    // A vendor without credentials (a metadata endpoint) has an empty set.
    let default = vendor.credentials.is_empty().then(|| quote! { Default, });
    quote! {
        /// The secrets the vendor issued. `Debug` shows them as `[REDACTED]`.
        #[derive(Debug, Clone, #default)]
        pub struct Credentials {
            #( #fields, )*
        }

        impl Credentials {
            /// Wraps each value as a secret.
            pub fn new(#( #params ),*) -> Self {
                Self { #( #inits ),* }
            }
        }
    }
}

fn authorization(auth: &Authorization) -> TokenStream {
    let headers = values::entries(&auth.headers);
    let query = values::entries(&auth.query);
    let cookies = values::entries(&auth.cookies);
    let mut lines: Vec<String> = auth
        .headers
        .iter()
        .map(|(name, t)| {
            format!(
                "- header {}",
                docs::code(&format!("{name}: {}", describe(t)))
            )
        })
        .collect();
    lines.extend(
        auth.query
            .iter()
            .map(|(name, t)| format!("- query {}", docs::code(&format!("{name}={}", describe(t))))),
    );
    lines.extend(auth.cookies.iter().map(|(name, t)| {
        format!(
            "- cookie {}",
            docs::code(&format!("{name}={}", describe(t)))
        )
    }));
    let lines = trusted_doc(&lines.join("\n"));
    quote! {
        /// How API calls are authorized with a token from this vendor. They carry:
        ///
        #lines
        pub const AUTHORIZATION: rt::ApiAuthorization = rt::ApiAuthorization {
            vendor: VENDOR,
            headers: #headers,
            query: #query,
            cookies: #cookies,
        };
    }
}

/// A template as documentation shows it: placeholders by name.
fn describe(template: &Template) -> String {
    template
        .0
        .iter()
        .map(|part| match part {
            Part::Text(text) => text.clone(),
            Part::Ref(reference, functions) => {
                let name = match reference {
                    Ref::Credential(_) | Ref::Variable(_) => "input".to_owned(),
                    Ref::Token(TokenField::AccessToken) => "token.access_token".to_owned(),
                    Ref::Token(TokenField::RefreshToken) => "token.refresh_token".to_owned(),
                    Ref::Token(TokenField::Field(name)) => format!("token.{name}"),
                    Ref::Now(format) => format!("now.{format}"),
                    Ref::NowCustom(_) => "now".to_owned(),
                    Ref::Uuid => "uuid".to_owned(),
                    Ref::Named(name, _) => name.clone(),
                    Ref::Step(_, name) => format!("steps.{name}"),
                    Ref::JsonField { .. } => "input".to_owned(),
                    Ref::Signed(assertion) => assertion.name.clone(),
                    Ref::PublicKeySha256 { .. } => "public_key_sha256".to_owned(),
                };
                let functions: String = functions.iter().map(|f| format!(" | {f}")).collect();
                format!("{{{name}{functions}}}")
            }
        })
        .collect()
}

pub(crate) fn ident(name: &str) -> Ident {
    Ident::new(name, Span::call_site())
}

/// The index file: includes every module and lists them for tools.
pub fn index(modules: &[&str], runtime: &syn::Path, options: Options) -> TokenStream {
    let files = modules.iter().map(|module| format!("{module}.rs"));
    let vendors = options.registry.then(|| {
        let infos = modules.iter().map(|module| {
            let module = ident(module);
            quote! { #module::VENDOR_INFO }
        });
        quote! {
            /// Every vendor generated here, for tools that pick one by name.
            pub const VENDORS: &[#runtime::Vendor] = &[ #( #infos ),* ];
        }
    });
    quote! {
        #( include!(#files); )*
        #vendors
    }
}
