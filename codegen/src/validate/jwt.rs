//! Signed assertions: `values: NAME: { jwt: ... }`, the JSON credentials
//! that hold their keys, and `operations.self_issued`.

use super::template::Place;
use super::{At, Context};
use crate::model::*;
use crate::parse::spec;

/// Claims written from the lifetime, never by the spec.
const TIME_CLAIMS: &[&str] = &["iat", "exp", "nbf"];

impl Context<'_> {
    pub(super) fn check_json_fields(&mut self, name: &str, credential: &spec::Credential) {
        let path = ["credentials", name, "json_fields"];
        if credential.refresh_token && !credential.json_fields.is_empty() {
            self.error(
                &path,
                At::Key,
                "a refresh-token credential is the token itself, not a JSON document",
                "remove `json_fields` or `refresh_token`",
            );
        }
        for (i, field) in credential.json_fields.iter().enumerate() {
            let valid = !field.is_empty()
                && field
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-'));
            let duplicate = credential.json_fields[..i].contains(field);
            if !valid || duplicate {
                let index = i.to_string();
                let here = [&path[..], &[index.as_str()]].concat();
                self.error(
                    &here,
                    At::Value,
                    if duplicate {
                        format!("`{field}` is listed twice")
                    } else {
                        format!("`{field}` cannot be read as `{{{name}.{field}}}`")
                    },
                    "list each top-level string field of the document once, by its name (letters, digits, `_`, `-`)",
                );
            }
        }
    }

    /// `{credential.field}`: a field of a JSON credential.
    pub(super) fn json_field(
        &mut self,
        path: &[&str],
        name: &str,
        index: usize,
        field: &str,
        place: Place,
    ) -> Option<Ref> {
        let spec = self.spec;
        let (credential, declared) = spec.credentials.get_index(index)?;
        if field == "public_key_sha256" && !declared.json_fields.iter().any(|f| f == field) {
            return self.fingerprint(path, name, index);
        }
        let Some(at) = declared.json_fields.iter().position(|f| f == field) else {
            let help = if declared.json_fields.is_empty() {
                format!(
                    "if `{credential}` is a JSON document, list the fields templates read: `json_fields: [{field}]`"
                )
            } else {
                format!(
                    "use one of its `json_fields` ({}), or add `{field}` to them",
                    declared.json_fields.join(", ")
                )
            };
            self.error_in(
                path,
                name,
                format!("the credential `{credential}` has no JSON field `{field}`"),
                help,
            );
            return None;
        };
        if place == Place::BaseUrl {
            self.error_in(path, name, format!("the credential field `{name}` would be placed in the URL"), "URLs end up in logs and proxies: send credentials in a header, the body or `basic_auth`");
            return None;
        }
        // JSON fields follow the plain credentials, credential by credential.
        let before: usize = spec
            .credentials
            .values()
            .take(index)
            .map(|c| c.json_fields.len())
            .sum();
        Some(Ref::JsonField {
            credential: index,
            scope_index: spec.credentials.len() + before + at,
            name: name.to_owned(),
        })
    }

    /// `{credential.public_key_sha256}`: base64 of the SHA-256 of the
    /// public key (its DER SubjectPublicKeyInfo) of the private key a `jwt`
    /// value signs with, computed when the client is built.
    fn fingerprint(&mut self, path: &[&str], name: &str, index: usize) -> Option<Ref> {
        let spec = self.spec;
        let credential = spec.credentials.get_index(index)?.0;
        let written = format!("{{{credential}}}");
        let algorithm = spec.values.values().find_map(|value| match value {
            spec::NamedValue::Jwt(v) if v.jwt.key.trim() == written => {
                JwtAlgorithm::from_name(&v.jwt.algorithm)
            }
            _ => None,
        });
        let Some(algorithm) = algorithm.filter(|a| !a.is_symmetric()) else {
            self.error_in(
                path,
                name,
                format!("`{credential}` is not the private key of a `jwt` value"),
                format!("`public_key_sha256` is the fingerprint of a private key that a `jwt` value signs with (`key: \"{written}\"`)"),
            );
            return None;
        };
        let at = match self.fingerprints.iter().position(|(i, _, _)| *i == index) {
            Some(at) => at,
            None => {
                self.fingerprints
                    .push((index, credential.clone(), algorithm));
                self.fingerprints.len() - 1
            }
        };
        Some(Ref::PublicKeySha256 {
            index: at,
            credential: index,
        })
    }

    /// Validates the `jwt` of the named value `name`.
    pub(super) fn jwt(&mut self, name: &str, jwt: &spec::Jwt) -> Option<Assertion> {
        let base = ["values", name, "jwt"];
        let at = |key: &'static str| [&base[..], &[key]].concat();
        let algorithm = JwtAlgorithm::from_name(&jwt.algorithm);
        if algorithm.is_none() {
            self.error(
                &at("algorithm"),
                At::Value,
                format!("`{}` is not a supported JWT algorithm", jwt.algorithm),
                format!("use {}", JwtAlgorithm::one_of()),
            );
        }
        let key = self.template(&at("key"), &jwt.key, Place::Request);
        let key_name = match key.0.as_slice() {
            [Part::Ref(Ref::Credential(i), functions)] if functions.is_empty() => {
                Some(self.spec.credentials.get_index(*i)?.0.clone())
            }
            [Part::Ref(Ref::JsonField { name, .. }, functions)] if functions.is_empty() => {
                Some(name.clone())
            }
            [] => None,
            _ => {
                self.error(
                    &at("key"),
                    At::Value,
                    "the key must be one credential, as it is",
                    "write the credential (or JSON field) that holds the PEM key or the shared secret, e.g. `\"{private_key}\"`; it is parsed once, when the client is built",
                );
                None
            }
        };
        let header = match &jwt.header {
            Some(header) => self.members(
                &at("header"),
                header,
                &["alg"],
                "`alg` is written from `algorithm`",
            ),
            None => Vec::new(),
        };
        let claims = self.members(
            &at("claims"),
            &jwt.claims,
            TIME_CLAIMS,
            "`iat` and `exp` are written from `lifetime_seconds` (and `backdate_seconds`), `nbf` with `not_before: true`",
        );
        if jwt.lifetime_seconds == 0 {
            self.error(
                &at("lifetime_seconds"),
                At::Value,
                "an assertion needs a lifetime",
                "give `exp - iat` in seconds, as the vendor allows (e.g. 3600)",
            );
        } else if jwt.backdate_seconds >= jwt.lifetime_seconds {
            self.error(
                &at("backdate_seconds"),
                At::Value,
                "the assertion would expire before it is signed",
                "keep `backdate_seconds` below `lifetime_seconds` (`exp = iat + lifetime_seconds`, `iat = now - backdate_seconds`)",
            );
        }
        // Kept even when invalid (the errors above fail the build), so that
        // the credentials it reads do not also read as unused.
        let assertion = Assertion {
            index: self.assertions.len(),
            name: name.to_owned(),
            algorithm: algorithm.unwrap_or(JwtAlgorithm::Rs256),
            key,
            key_name: key_name.unwrap_or_default(),
            header,
            claims,
            lifetime_seconds: jwt.lifetime_seconds,
            backdate_seconds: jwt.backdate_seconds,
            not_before: jwt.not_before,
        };
        self.assertions.push(assertion.clone());
        Some(assertion)
    }

    /// The members of a JSON object of templates, refusing `reserved` keys.
    fn members(
        &mut self,
        path: &[&str],
        value: &serde_yaml::Value,
        reserved: &[&str],
        why: &str,
    ) -> Vec<(String, Json)> {
        if !value.is_mapping() {
            self.error(
                path,
                At::Value,
                "expected a map of names to values",
                "write one `name: value` per line; every string is a template",
            );
            return Vec::new();
        }
        let Json::Object(members) = self.json(path, value, Place::Request) else {
            return Vec::new();
        };
        for (key, _) in &members {
            if reserved.contains(&key.as_str()) {
                let here = [path, &[key.as_str()]].concat();
                self.error(
                    &here,
                    At::Key,
                    format!("`{key}` cannot be set here"),
                    why.to_owned(),
                );
            }
        }
        members
    }

    /// `operations.self_issued`: the token is a signed value itself.
    pub(super) fn self_issued(&mut self) -> Option<usize> {
        let spec = self.spec;
        let name = spec.operations.self_issued.as_deref()?;
        let path = ["operations", "self_issued"];
        let ops = &spec.operations;
        if ops.token.is_some() || ops.refresh.is_some() || ops.revoke.is_some() {
            self.error(
                &path,
                At::Key,
                "a self-issued token is the signed value itself: there is no token request to make, refresh or revoke",
                "remove `self_issued`, or the `token`, `refresh` and `revoke` operations",
            );
        }
        let is_jwt = matches!(spec.values.get(name), Some(spec::NamedValue::Jwt(_)));
        if !is_jwt {
            let jwts: Vec<&str> = spec
                .values
                .iter()
                .filter(|(_, v)| matches!(v, spec::NamedValue::Jwt(_)))
                .map(|(k, _)| k.as_str())
                .collect();
            self.error(
                &path,
                At::Value,
                format!("`{name}` is not a `jwt` value"),
                if jwts.is_empty() {
                    "declare it under `values:` as `{ jwt: { algorithm, key, claims, lifetime_seconds } }`".to_owned()
                } else {
                    format!("name one of the `jwt` values: {}", jwts.join(", "))
                },
            );
            return None;
        }
        let template = self.named_value(name)?;
        let [Part::Ref(Ref::Signed(assertion), _)] = template.0.as_slice() else {
            return None;
        };
        let reads_per_token = assertion
            .templates()
            .iter()
            .flat_map(|t| t.refs())
            .any(|r| matches!(r, Ref::Token(_) | Ref::Step(..)));
        if reads_per_token {
            self.error(
                &["values", name, "jwt", "claims"],
                At::Key,
                "a self-issued token cannot read a token or step output: it is made from the credentials alone",
                "use credentials, variables and generated values (`{uuid}`) in its claims",
            );
        }
        Some(assertion.index)
    }

    /// A signed value in API-call authorization would be signed for every
    /// call.
    pub(super) fn check_no_signing_per_call(&mut self, path: &[&str], template: &Template) {
        if template.refs().iter().any(|r| matches!(r, Ref::Signed(_))) {
            self.error(
                path,
                At::Value,
                "API calls cannot carry a signed value directly: it would be signed for every call",
                "make it the token (`operations.self_issued: NAME`, signed once per lifetime) and send `{token.access_token}`",
            );
        }
    }
}
