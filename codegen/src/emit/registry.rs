//! The module's description for tools (`VENDOR_INFO`) and `FromEnv`,
//! which reads credentials and settings from environment variables named
//! after the module: `VERBIO_CLIENT_ID`, `DERBYSOFT_AI_VOICE_DOMAIN_NAME`.

use proc_macro2::{Literal, TokenStream};
use quote::quote;

use super::docs::doc;
use super::ident;
use crate::model::*;

/// The environment variable holding `field` of `vendor`.
pub fn env_var_name(vendor: &Vendor, field: &str) -> String {
    crate::validate::env_var_name(&vendor.module, field)
}

pub fn items(vendor: &Vendor) -> TokenStream {
    let module = &vendor.module;
    let environments = vendor.environments.iter().map(|env| {
        let name = &env.name;
        let user_supplied = matches!(env.base_url, BaseUrl::UserSupplied);
        quote! { rt::EnvironmentInfo { name: #name, user_supplied: #user_supplied } }
    });
    let default_environment = match vendor.default_environment {
        Some(index) => {
            let name = &vendor.environments[index].name;
            quote! { Some(#name) }
        }
        None => quote! { None },
    };
    let settings = vendor
        .credentials
        .iter()
        .map(|c| (&c.field, c.description.as_deref(), true))
        .chain(
            vendor
                .variables
                .iter()
                .map(|v| (&v.field, v.description.as_deref(), false)),
        )
        .map(|(field, description, secret)| {
            let name = env_var_name(vendor, field);
            let description = match description {
                Some(text) => quote! { Some(#text) },
                None => quote! { None },
            };
            quote! { rt::EnvVar { name: #name, description: #description, secret: #secret } }
        });
    let from_env = from_env(vendor);
    quote! {
        /// This vendor, described for tools that pick vendors by name.
        pub const VENDOR_INFO: rt::Vendor = rt::Vendor {
            module: #module,
            name: VENDOR,
            environments: &[ #( #environments ),* ],
            default_environment: #default_environment,
            env_vars: &[ #( #settings ),* ],
            fetch_token: rt::fetch_token_from_env::<Client>,
        };

        #from_env
    }
}

fn from_env(vendor: &Vendor) -> TokenStream {
    let arms = vendor.environments.iter().enumerate().map(|(index, env)| {
        let index = Literal::usize_unsuffixed(index);
        let variant = ident(&env.variant);
        match env.base_url {
            BaseUrl::Template { .. } => {
                quote! { rt::Chosen::Named(#index, _) => Environment::#variant }
            }
            BaseUrl::UserSupplied => {
                quote! { rt::Chosen::Named(#index, Some(url)) => Environment::#variant(url) }
            }
        }
    });
    let variables = vendor.variables.iter().map(|v| {
        let field = ident(&v.field);
        let name = env_var_name(vendor, &v.field);
        match (&v.presence, v.var_type) {
            (Presence::Required, VariableType::String) => quote! { #field: rt::env_var(VENDOR, settings, #name)? },
            (Presence::Required, _) => quote! { #field: rt::env_required(VENDOR, settings, #name)? },
            (Presence::Optional, _) => quote! { #field: rt::env_optional(VENDOR, settings, #name)? },
            (Presence::Default(value), VariableType::String) if v.environment_defaults.is_empty() => {
                quote! { #field: rt::env_optional(VENDOR, settings, #name)?.unwrap_or_else(|| #value.to_owned()) }
            }
            (Presence::Default(value), _) if v.environment_defaults.is_empty() => {
                let value: TokenStream = value.parse().unwrap_or_default();
                quote! { #field: rt::env_optional(VENDOR, settings, #name)?.unwrap_or(#value) }
            }
            // A string default allocates, so only when it is needed; a
            // number or boolean is a constant (clippy's lazy-evaluation lint).
            (Presence::Default(value), VariableType::String) => {
                let value = super::default_value(vendor, v, value);
                quote! { #field: rt::env_optional(VENDOR, settings, #name)?.unwrap_or_else(|| #value) }
            }
            (Presence::Default(value), _) => {
                let value = super::default_value(vendor, v, value);
                quote! { #field: rt::env_optional(VENDOR, settings, #name)?.unwrap_or(#value) }
            }
        }
    });
    let fields = if vendor
        .variables
        .iter()
        .any(|v| !v.environment_defaults.is_empty())
    {
        quote! { #( #variables, )* environment }
    } else {
        quote! { environment, #( #variables, )* }
    };
    let credentials = vendor.credentials.iter().map(|c| {
        let field = ident(&c.field);
        let name = env_var_name(vendor, &c.field);
        quote! { #field: rt::env_secret(VENDOR, settings, #name)? }
    });
    let names: Vec<String> = vendor
        .credentials
        .iter()
        .map(|c| &c.field)
        .chain(vendor.variables.iter().map(|v| &v.field))
        .map(|field| format!("`{}`", env_var_name(vendor, field)))
        .collect();
    let summary = doc(&format!(
        "A client whose credentials and settings are read from `settings` under the names {} (the environment variables `from_env` reads).",
        names.join(", ")
    ));
    quote! {
        impl rt::FromEnv for Client {
            #summary
            ///
            /// `selection` names an environment of the spec (the default if
            /// none), or gives another base URL.
            fn from_settings(selection: &rt::Selection, settings: &dyn rt::Settings) -> Result<Self, rt::Error> {
                let environment = match selection.resolve(&VENDOR_INFO)? {
                    #( #arms, )*
                    rt::Chosen::Custom(url) => Environment::Custom(url),
                    chosen => return Err(chosen.unexpected(VENDOR)),
                };
                let config = Config { #fields };
                let credentials = Credentials { #( #credentials, )* };
                Self::new(config, credentials)
            }
        }
    }
}
