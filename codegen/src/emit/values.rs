//! Templates, JSON shapes and sources as runtime constants.

use proc_macro2::{Literal, TokenStream};
use quote::{format_ident, quote};

use crate::model::*;

/// `rt::Template(&[...])`, a constant expression.
pub fn template(template: &Template) -> TokenStream {
    let parts = template.0.iter().map(|part| match part {
        Part::Text(text) => quote! { rt::Part::Text(#text) },
        Part::Ref(reference, functions) => {
            let reference = reference_tokens(reference);
            let functions = functions.iter().map(|f| {
                let variant = format_ident!("{}", f.variant());
                quote! { rt::Function::#variant }
            });
            quote! { rt::Part::Ref(#reference, &[ #( #functions ),* ]) }
        }
    });
    quote! { rt::Template(&[ #( #parts ),* ]) }
}

fn reference_tokens(reference: &Ref) -> TokenStream {
    match reference {
        Ref::Credential(index) => {
            let index = Literal::usize_unsuffixed(*index);
            quote! { rt::Ref::Credential(#index) }
        }
        Ref::Variable(index) => {
            let index = Literal::usize_unsuffixed(*index);
            quote! { rt::Ref::Variable(#index) }
        }
        Ref::Token(TokenField::AccessToken) => {
            quote! { rt::Ref::Token(rt::TokenField::AccessToken) }
        }
        Ref::Token(TokenField::RefreshToken) => {
            quote! { rt::Ref::Token(rt::TokenField::RefreshToken) }
        }
        Ref::Token(TokenField::Field(name)) => {
            quote! { rt::Ref::Token(rt::TokenField::Field(#name)) }
        }
        Ref::Now(format) => {
            let variant = format_ident!("{}", format.variant());
            quote! { rt::Ref::Now(rt::NowFormat::#variant) }
        }
        Ref::NowCustom(description) => quote! { rt::Ref::NowCustom(#description) },
        Ref::Uuid => quote! { rt::Ref::Uuid },
        Ref::Named(_, inner) => {
            let inner = template(inner);
            quote! { rt::Ref::Named(&#inner) }
        }
        Ref::Step(step, name) => {
            let step = Literal::usize_unsuffixed(*step);
            quote! { rt::Ref::Step(#step, #name) }
        }
        Ref::JsonField { scope_index, .. } => {
            let index = Literal::usize_unsuffixed(*scope_index);
            quote! { rt::Ref::Credential(#index) }
        }
        Ref::Signed(assertion) => {
            let index = Literal::usize_unsuffixed(assertion.index);
            quote! { rt::Ref::Signed(&ASSERTIONS[#index]) }
        }
        Ref::PublicKeySha256 { index, .. } => {
            let index = Literal::usize_unsuffixed(*index);
            quote! { rt::Ref::PublicKeySha256(#index) }
        }
    }
}

/// `&[("name", rt::Template(..)), ...]`.
pub fn entries(entries: &[(String, Template)]) -> TokenStream {
    let items = entries.iter().map(|(name, t)| {
        let t = template(t);
        quote! { (#name, #t) }
    });
    quote! { &[ #( #items ),* ] }
}

pub fn json(value: &Json) -> TokenStream {
    match value {
        Json::Null => quote! { rt::Json::Null },
        Json::Bool(b) => quote! { rt::Json::Bool(#b) },
        Json::Number(n) => quote! { rt::Json::Number(#n) },
        Json::Value(t) => {
            let t = template(t);
            quote! { rt::Json::Value(#t) }
        }
        Json::Array(items) => {
            let items = items.iter().map(json);
            quote! { rt::Json::Array(&[ #( #items ),* ]) }
        }
        Json::Object(members) => {
            let members = members.iter().map(|(name, value)| {
                let value = json(value);
                quote! { (#name, #value) }
            });
            quote! { rt::Json::Object(&[ #( #members ),* ]) }
        }
    }
}

pub fn source(from: &Source) -> TokenStream {
    match from {
        Source::Json(steps) => {
            let steps = steps.iter().map(|step| match step {
                PathStep::Key(key) => quote! { rt::PathStep::Key(#key) },
                PathStep::Index(n) => {
                    let n = Literal::usize_unsuffixed(*n);
                    quote! { rt::PathStep::Index(#n) }
                }
            });
            quote! { rt::Source::Json(&[ #( #steps ),* ]) }
        }
        Source::Form(name) => quote! { rt::Source::Form(#name) },
        Source::Header(name) => quote! { rt::Source::Header(#name) },
        Source::Cookie(name) => quote! { rt::Source::Cookie(#name) },
        Source::Body => quote! { rt::Source::Body },
        Source::FirstOf(all) => {
            let all = all.iter().map(source);
            quote! { rt::Source::FirstOf(&[ #( #all ),* ]) }
        }
        Source::Sent(index) => {
            let index = Literal::usize_unsuffixed(*index);
            quote! { rt::Source::Sent(#index) }
        }
    }
}

/// How a source reads in documentation.
pub fn describe_source(source: &Source) -> String {
    match source {
        Source::Json(steps) => {
            let mut text = String::new();
            for step in steps {
                match step {
                    PathStep::Key(key) => {
                        if !text.is_empty() {
                            text.push('.');
                        }
                        text.push_str(key);
                    }
                    PathStep::Index(n) => text.push_str(&format!("[{n}]")),
                }
            }
            super::docs::code(&text)
        }
        Source::Form(name) => super::docs::code(name),
        Source::Header(name) => format!("header {}", super::docs::code(name)),
        Source::Cookie(name) => format!("cookie {}", super::docs::code(name)),
        Source::Body => "the body".to_owned(),
        Source::Sent(_) => "the value the request sent".to_owned(),
        Source::FirstOf(all) => all
            .iter()
            .map(describe_source)
            .collect::<Vec<_>>()
            .join(" or "),
    }
}

/// The vendor's signed values and the key ring that signs them, as statics.
pub fn assertions(vendor: &Vendor) -> TokenStream {
    if !vendor.has_key_ring() {
        return TokenStream::new();
    }
    let count = Literal::usize_unsuffixed(vendor.assertions.len());
    let items = vendor.assertions.iter().map(|a| {
        let name = &a.name;
        let algorithm = format_ident!("{}", a.algorithm.variant());
        let key = Literal::usize_unsuffixed(a.index);
        let header = members(&a.header);
        let claims = members(&a.claims);
        let lifetime = Literal::u64_unsuffixed(a.lifetime_seconds);
        let backdate = Literal::u64_unsuffixed(a.backdate_seconds);
        let not_before = a.not_before;
        quote! {
            rt::Assertion {
                name: #name,
                algorithm: rt::JwtAlgorithm::#algorithm,
                key: #key,
                header: #header,
                claims: #claims,
                lifetime_seconds: #lifetime,
                backdate_seconds: #backdate,
                not_before: #not_before,
            }
        }
    });
    let json = vendor
        .credentials
        .iter()
        .enumerate()
        .filter(|(_, c)| !c.json_fields.is_empty())
        .map(|(index, c)| {
            let index = Literal::usize_unsuffixed(index);
            let name = &c.field;
            let fields = &c.json_fields;
            quote! { (#index, #name, &[ #( #fields ),* ]) }
        });
    let keys = vendor.assertions.iter().map(|a| {
        let index = Literal::usize_unsuffixed(a.key_index());
        let name = &a.key_name;
        let algorithm = format_ident!("{}", a.algorithm.variant());
        quote! { (#index, #name, rt::JwtAlgorithm::#algorithm) }
    });
    let fingerprints = vendor.fingerprints.iter().map(|(index, name, algorithm)| {
        let index = Literal::usize_unsuffixed(*index);
        let algorithm = format_ident!("{}", algorithm.variant());
        quote! { (#index, #name, rt::JwtAlgorithm::#algorithm) }
    });
    // A key ring for JSON credentials alone signs nothing.
    let assertions = (!vendor.assertions.is_empty()).then(|| {
        quote! {
            /// The signed values of the spec, by index.
            static ASSERTIONS: [rt::Assertion; #count] = [ #( #items ),* ];
        }
    });
    quote! {
        #assertions

        /// What the client prepares from its credentials when it is built.
        static KEY_RING: rt::KeyRingSpec = rt::KeyRingSpec {
            json: &[ #( #json ),* ],
            keys: &[ #( #keys ),* ],
            fingerprints: &[ #( #fingerprints ),* ],
        };
    }
}

fn members(members: &[(String, Json)]) -> TokenStream {
    let items = members.iter().map(|(name, value)| {
        let value = json(value);
        quote! { (#name, #value) }
    });
    quote! { &[ #( #items ),* ] }
}
