//! Stage 3: the model to Rust tokens. The output refers to the runtime only
//! through one path (`Config::runtime_path`, `::vendor_auth` by default), so
//! generated code stays thin: it declares types and wires them to runtime calls.

mod docs;
mod operation;
mod registry;

use proc_macro2::{Ident, Span, TokenStream};
use quote::{format_ident, quote};

use crate::model::*;
use docs::{doc, doc_opt};

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
    let operations = vendor.operations().map(|op| operation::items(vendor, op));
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
    let usage = doc(&format!(
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
            BaseUrl::Template(url) => {
                let url_doc = doc(&format!("Base URL: `{url}`"));
                quote! { #docs #separator #url_doc #default #variant }
            }
            BaseUrl::UserSupplied => quote! { #docs #separator #[doc = " The base URL is supplied by the user."] #variant(rt::Url) },
        }
    });
    let arms = vendor.environments.iter().map(|env| {
        let variant = ident(&env.variant);
        match &env.base_url {
            BaseUrl::Template(url) => quote! { Self::#variant => rt::BaseUrl::Template(#url) },
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
        let template = format!(" Fills `{{{}}}` in the URL templates.", v.template_name);
        quote! { #docs #[doc = ""] #[doc = #template] pub #field: String }
    });
    let params = vendor.variables.iter().map(|v| {
        let field = ident(&v.field);
        quote! { #field: impl Into<String> }
    });
    let inits = vendor.variables.iter().map(|v| {
        let field = ident(&v.field);
        quote! { #field: #field.into() }
    });
    let from_environment = vendor.variables.is_empty().then(|| {
        quote! {
            impl From<Environment> for Config {
                fn from(environment: Environment) -> Self {
                    Self::new(environment)
                }
            }
        }
    });
    let default =
        (vendor.variables.is_empty() && vendor.default_environment.is_some()).then(|| {
            quote! {
                impl Default for Config {
                    fn default() -> Self {
                        Self::new(Environment::default())
                    }
                }
            }
        });
    let substitutions = vendor.variables.iter().map(|v| {
        let field = ident(&v.field);
        let name = &v.template_name;
        quote! { (#name, self.#field.as_str()) }
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
            /// A configuration for `environment`.
            pub fn new(environment: Environment, #( #params ),*) -> Self {
                Self { environment, #( #inits ),* }
            }

            fn template_values(&self) -> Vec<(&'static str, &str)> {
                vec![#( #substitutions ),*]
            }
        }

        #from_environment
        #default
    }
}

fn credentials(vendor: &Vendor) -> TokenStream {
    let fields = vendor.credentials.iter().map(|c| {
        let field = ident(&c.field);
        let docs = doc_opt(c.description.as_deref());
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
    quote! {
        /// The secrets the vendor issued. `Debug` shows them as `[REDACTED]`.
        #[derive(Debug, Clone)]
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
    let header = &auth.header;
    let scheme = match &auth.scheme {
        Some(scheme) => quote! { Some(#scheme) },
        None => quote! { None },
    };
    let headers = auth.headers.iter().map(|h| {
        let name = &h.name;
        let value = match &h.value {
            ApiHeaderValue::Constant(value) => quote! { rt::ApiHeaderValue::Constant(#value) },
            ApiHeaderValue::UuidV4 => quote! { rt::ApiHeaderValue::UuidV4 },
            ApiHeaderValue::UtcNow(format) => {
                let format = format_ident!(
                    "{}",
                    match format {
                        TimeFormat::Iso8601Seconds => "Iso8601Seconds",
                        TimeFormat::Iso8601Millis => "Iso8601Millis",
                        TimeFormat::UnixSeconds => "UnixSeconds",
                        TimeFormat::UnixMillis => "UnixMillis",
                    }
                );
                quote! { rt::ApiHeaderValue::UtcNow(rt::TimeFormat::#format) }
            }
        };
        quote! { rt::ApiHeader { name: #name, value: #value } }
    });
    let description = match &auth.scheme {
        Some(scheme) => format!(" API calls carry `{header}: {scheme} <access token>`"),
        None => format!(" API calls carry `{header}: <access token>`"),
    };
    quote! {
        /// How API calls are authorized with a token from this vendor.
        ///
        #[doc = #description]
        /// and the per-request headers listed here.
        pub const AUTHORIZATION: rt::ApiAuthorization = rt::ApiAuthorization {
            vendor: VENDOR,
            header: #header,
            scheme: #scheme,
            headers: &[ #( #headers ),* ],
        };
    }
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
