//! The values a mock vendor hands its client and expects back: credentials
//! (keys it generates itself, so that it can verify what they sign),
//! settings, and the values of the response fields it issues.

use std::collections::BTreeMap;

use aws_lc_rs::encoding::AsDer as _;
use aws_lc_rs::signature::{self, KeyPair as _};
use base64::Engine as _;
use vendor_auth_codegen::model::{
    self as m, JwtAlgorithm, Presence, Reader, Ref, ResponseField, VariableType,
};
use vendor_auth_codegen::validate::env_var_name;

use super::MockError;

/// A value of a response field, before it is written as JSON or as text.
#[derive(Debug, Clone)]
pub(crate) enum Out {
    Text(String),
    Int(i64),
    Float(f64),
    Bool(bool),
    Json(serde_json::Value),
}

impl Out {
    pub fn to_json(&self) -> serde_json::Value {
        match self {
            Out::Text(text) => text.clone().into(),
            Out::Int(n) => (*n).into(),
            Out::Float(x) => (*x).into(),
            Out::Bool(b) => (*b).into(),
            Out::Json(value) => value.clone(),
        }
    }

    pub fn to_text(&self) -> String {
        match self {
            Out::Text(text) => text.clone(),
            Out::Int(n) => n.to_string(),
            Out::Float(x) => x.to_string(),
            Out::Bool(b) => b.to_string(),
            Out::Json(value) => value.to_string(),
        }
    }
}

/// How the mock checks a signature made with a key it handed out.
pub(crate) struct Verifier {
    algorithm: JwtAlgorithm,
    /// The public key, or for HMAC the shared secret.
    material: Vec<u8>,
}

impl Verifier {
    pub fn verify(&self, algorithm: JwtAlgorithm, message: &[u8], signature: &[u8]) -> bool {
        use JwtAlgorithm::*;
        if algorithm != self.algorithm {
            return false;
        }
        let public: &'static dyn signature::VerificationAlgorithm = match algorithm {
            Rs256 => &signature::RSA_PKCS1_2048_8192_SHA256,
            Rs384 => &signature::RSA_PKCS1_2048_8192_SHA384,
            Rs512 => &signature::RSA_PKCS1_2048_8192_SHA512,
            Ps256 => &signature::RSA_PSS_2048_8192_SHA256,
            Ps384 => &signature::RSA_PSS_2048_8192_SHA384,
            Ps512 => &signature::RSA_PSS_2048_8192_SHA512,
            Es256 => &signature::ECDSA_P256_SHA256_FIXED,
            Es384 => &signature::ECDSA_P384_SHA384_FIXED,
            EdDsa => &signature::ED25519,
            Hs256 | Hs384 | Hs512 => {
                let hmac = match algorithm {
                    Hs384 => aws_lc_rs::hmac::HMAC_SHA384,
                    Hs512 => aws_lc_rs::hmac::HMAC_SHA512,
                    _ => aws_lc_rs::hmac::HMAC_SHA256,
                };
                let key = aws_lc_rs::hmac::Key::new(hmac, &self.material);
                return aws_lc_rs::hmac::verify(&key, message, signature).is_ok();
            }
        };
        signature::UnparsedPublicKey::new(public, &self.material)
            .verify(message, signature)
            .is_ok()
    }
}

/// A key the mock generated: where it is handed out (a credential, or a
/// field of a JSON credential), its PEM, and how to verify its signatures.
struct Key {
    credential: usize,
    field: Option<String>,
    pem: String,
    verifier: Verifier,
    /// Base64 of the SHA-256 of the public key's SubjectPublicKeyInfo.
    fingerprint: Option<String>,
}

/// Everything the mock knows that its client is given.
pub(crate) struct Values {
    module: String,
    credentials: Vec<String>,
    /// String fields of JSON credentials, by credential.
    json: Vec<Vec<(String, String)>>,
    /// Each variable as the client will hold it (`None`: unset).
    variables: Vec<Option<String>>,
    /// What the client reads, by the names `from_settings` reads.
    settings: BTreeMap<String, String>,
    keys: Vec<Key>,
    /// Extra response fields by spec name, with their value.
    fields: Vec<(String, Out)>,
}

/// What a user of the mock chose instead of the mock's own values.
#[derive(Debug, Clone, Default)]
pub(crate) struct Overrides {
    pub credentials: BTreeMap<String, String>,
    pub variables: BTreeMap<String, String>,
}

impl Values {
    pub fn new(
        vendor: &m::Vendor,
        overrides: &Overrides,
        base_url: &str,
    ) -> Result<Values, MockError> {
        for name in overrides.credentials.keys() {
            if !vendor.credentials.iter().any(|c| &c.field == name) {
                return Err(MockError::Unknown(format!(
                    "`{name}` is not a credential of {}",
                    vendor.name
                )));
            }
        }
        for name in overrides.variables.keys() {
            if !vendor
                .variables
                .iter()
                .any(|v| &v.name == name || &v.field == name)
            {
                return Err(MockError::Unknown(format!(
                    "`{name}` is not a setting of {}",
                    vendor.name
                )));
            }
        }
        let keys = generate_keys(vendor)?;
        for key in &keys {
            let name = &vendor.credentials[key.credential].field;
            if overrides.credentials.contains_key(name) {
                return Err(MockError::Unknown(format!(
                    "`{name}` holds a key: the mock generates it, to verify what it signs"
                )));
            }
        }
        let mut settings = BTreeMap::new();
        let mut credentials = Vec::new();
        let mut json = Vec::new();
        for (index, credential) in vendor.credentials.iter().enumerate() {
            let key_for = |field: Option<&str>| {
                keys.iter()
                    .find(|k| k.credential == index && k.field.as_deref() == field)
                    .map(|k| k.pem.clone())
            };
            let mut fields = Vec::new();
            let value = if credential.json_fields.is_empty() {
                key_for(None).unwrap_or_else(|| {
                    overrides
                        .credentials
                        .get(&credential.field)
                        .cloned()
                        .unwrap_or_else(|| format!("mock-{}", credential.field))
                })
            } else {
                let mut document = serde_json::Map::new();
                for field in &credential.json_fields {
                    let value = key_for(Some(field))
                        .unwrap_or_else(|| format!("mock-{}-{field}", credential.field));
                    document.insert(field.clone(), value.clone().into());
                    fields.push((field.clone(), value));
                }
                serde_json::Value::Object(document).to_string()
            };
            settings.insert(
                env_var_name(&vendor.module, &credential.field),
                value.clone(),
            );
            credentials.push(value);
            json.push(fields);
        }
        let mut variables = Vec::new();
        for variable in &vendor.variables {
            let chosen = overrides
                .variables
                .get(&variable.name)
                .or_else(|| overrides.variables.get(&variable.field))
                .cloned();
            let value = match (&variable.presence, chosen) {
                (_, Some(value)) => Some(value),
                (Presence::Required, None) => Some(match variable.var_type {
                    VariableType::String => format!("mock-{}", variable.field.replace('_', "-")),
                    VariableType::Integer => "42".to_owned(),
                    VariableType::Boolean => "true".to_owned(),
                }),
                (Presence::Optional, None) => None,
                // A custom base URL takes the spec's default, not an
                // environment's: the client is told nothing.
                (Presence::Default(value), None) => {
                    variables.push(Some(value.clone()));
                    continue;
                }
            };
            if let Some(value) = &value {
                settings.insert(env_var_name(&vendor.module, &variable.field), value.clone());
            }
            variables.push(value);
        }
        let mut values = Values {
            module: vendor.module.clone(),
            credentials,
            json,
            variables,
            settings,
            keys,
            fields: Vec::new(),
        };
        for operation in vendor.operations() {
            for field in &operation.response.fields {
                if field.role == m::Role::Extra
                    && !values.fields.iter().any(|(n, _)| n == &field.name)
                {
                    let value = extra(field, base_url);
                    values.fields.push((field.name.clone(), value));
                }
            }
        }
        Ok(values)
    }

    pub fn module(&self) -> &str {
        &self.module
    }

    pub fn settings(&self) -> &BTreeMap<String, String> {
        &self.settings
    }

    pub fn credential(&self, index: usize) -> String {
        self.credentials.get(index).cloned().unwrap_or_default()
    }

    pub fn variable(&self, index: usize) -> Option<String> {
        self.variables.get(index).cloned().flatten()
    }

    pub fn json_field(&self, credential: usize, name: &str) -> Option<String> {
        let field = name.split_once('.').map_or(name, |(_, field)| field);
        self.json
            .get(credential)?
            .iter()
            .find(|(n, _)| n == field)
            .map(|(_, v)| v.clone())
    }

    pub fn fingerprint(&self, credential: usize) -> Option<String> {
        self.keys
            .iter()
            .find(|k| k.credential == credential && k.field.is_none())
            .and_then(|k| k.fingerprint.clone())
    }

    /// The verifier of the key `assertion` signs with.
    pub fn verifier(&self, assertion: &m::Assertion) -> Option<&Verifier> {
        let (credential, field) = key_location(assertion)?;
        self.keys
            .iter()
            .find(|k| k.credential == credential && k.field == field)
            .map(|k| &k.verifier)
    }

    /// The value of the extra response field `name`, as templates read it.
    pub fn field(&self, name: &str) -> Option<&Out> {
        self.fields.iter().find(|(n, _)| n == name).map(|(_, v)| v)
    }

    /// The text `{token.NAME}` evaluates to, where the mock knows it.
    pub fn token_field_text(&self, name: &str) -> Option<String> {
        match self.field(name)? {
            Out::Json(_) | Out::Float(_) => None,
            other => Some(other.to_text()),
        }
    }

    pub fn step_output(step: usize, output: &str) -> String {
        format!("mock-step{step}-{output}")
    }
}

/// What the mock answers in an extra field: typed by its reader, and the
/// mock's own URL for a field named like a URL, so that a client following
/// it stays on loopback.
fn extra(field: &ResponseField, base_url: &str) -> Out {
    let lower = field.name.to_ascii_lowercase();
    match field.reader {
        Reader::String | Reader::Secret if lower.ends_with("url") || lower.ends_with("uri") => {
            Out::Text(base_url.trim_end_matches('/').to_owned())
        }
        Reader::String => Out::Text(format!("mock-{}", field.name)),
        Reader::Secret | Reader::AccessToken => Out::Text(format!("mock-{}-secret", field.name)),
        Reader::IntNumber | Reader::IntNumberOrString => Out::Int(7),
        Reader::IntString => Out::Text("7".to_owned()),
        Reader::Number => Out::Float(1.5),
        Reader::Boolean => Out::Bool(true),
        Reader::DateTime => Out::Text("2030-01-01T00:00:00Z".to_owned()),
        Reader::Duration => Out::Text("PT60S".to_owned()),
        Reader::Json => Out::Json(serde_json::json!({ "mock": field.name })),
    }
}

/// Where `assertion`'s key lives: a credential, or a field of a JSON one.
fn key_location(assertion: &m::Assertion) -> Option<(usize, Option<String>)> {
    match &assertion.key.0.first()? {
        m::Part::Ref(Ref::Credential(index), _) => Some((*index, None)),
        m::Part::Ref(
            Ref::JsonField {
                credential, name, ..
            },
            _,
        ) => Some((
            *credential,
            Some(
                name.split_once('.')
                    .map_or(name.as_str(), |(_, f)| f)
                    .to_owned(),
            ),
        )),
        _ => None,
    }
}

/// One key per place the spec reads a key from, for the algorithm it is
/// used with.
fn generate_keys(vendor: &m::Vendor) -> Result<Vec<Key>, MockError> {
    let mut wanted: Vec<(usize, Option<String>, JwtAlgorithm)> = Vec::new();
    for assertion in &vendor.assertions {
        if let Some((credential, field)) = key_location(assertion) {
            wanted.push((credential, field, assertion.algorithm));
        }
    }
    for (_, name, algorithm) in &vendor.fingerprints {
        if let Some(credential) = vendor.credentials.iter().position(|c| &c.field == name) {
            wanted.push((credential, None, *algorithm));
        }
    }
    let mut keys: Vec<Key> = Vec::new();
    for (credential, field, algorithm) in wanted {
        if keys
            .iter()
            .any(|k| k.credential == credential && k.field == field)
        {
            continue;
        }
        let (pem, verifier, fingerprint) = generate(algorithm)
            .ok_or_else(|| MockError::Key(format!("cannot generate a {algorithm} key")))?;
        keys.push(Key {
            credential,
            field,
            pem,
            verifier,
            fingerprint,
        });
    }
    Ok(keys)
}

fn generate(algorithm: JwtAlgorithm) -> Option<(String, Verifier, Option<String>)> {
    use JwtAlgorithm::*;
    let (pkcs8, public, spki): (Vec<u8>, Vec<u8>, Vec<u8>) = match algorithm {
        Rs256 | Rs384 | Rs512 | Ps256 | Ps384 | Ps512 => {
            let pair = aws_lc_rs::rsa::KeyPair::generate(aws_lc_rs::rsa::KeySize::Rsa2048).ok()?;
            let pkcs8: aws_lc_rs::encoding::Pkcs8V1Der<'_> = pair.as_der().ok()?;
            (
                pkcs8.as_ref().to_vec(),
                pair.public_key().as_ref().to_vec(),
                pair.public_key().as_der().ok()?.as_ref().to_vec(),
            )
        }
        Es256 | Es384 => {
            let signing = if algorithm == Es384 {
                &signature::ECDSA_P384_SHA384_FIXED_SIGNING
            } else {
                &signature::ECDSA_P256_SHA256_FIXED_SIGNING
            };
            let pair = signature::EcdsaKeyPair::generate(signing).ok()?;
            (
                pair.to_pkcs8v1().ok()?.as_ref().to_vec(),
                pair.public_key().as_ref().to_vec(),
                pair.public_key().as_der().ok()?.as_ref().to_vec(),
            )
        }
        EdDsa => {
            let pair = signature::Ed25519KeyPair::generate().ok()?;
            (
                pair.to_pkcs8v1().ok()?.as_ref().to_vec(),
                pair.public_key().as_ref().to_vec(),
                pair.public_key().as_der().ok()?.as_ref().to_vec(),
            )
        }
        Hs256 | Hs384 | Hs512 => {
            let secret = format!("mock-hmac-secret-{}", uuid::Uuid::new_v4().simple());
            let verifier = Verifier {
                algorithm,
                material: secret.as_bytes().to_vec(),
            };
            return Some((secret, verifier, None));
        }
    };
    let encoded = base64::engine::general_purpose::STANDARD.encode(pkcs8);
    let mut pem = String::from("-----BEGIN PRIVATE KEY-----\n");
    for line in encoded.as_bytes().chunks(64) {
        pem.push_str(std::str::from_utf8(line).ok()?);
        pem.push('\n');
    }
    pem.push_str("-----END PRIVATE KEY-----\n");
    let digest = aws_lc_rs::digest::digest(&aws_lc_rs::digest::SHA256, &spki);
    let fingerprint = base64::engine::general_purpose::STANDARD.encode(digest.as_ref());
    Some((
        pem,
        Verifier {
            algorithm,
            material: public,
        },
        Some(fingerprint),
    ))
}
