//! Signed assertions: JWTs (RFC 7519) a client signs itself, as a JWT bearer
//! grant (RFC 7523 §2.1), as `private_key_jwt` / `client_secret_jwt` client
//! authentication (§2.2), or as the API token itself.
//!
//! Keys are parsed once, when the client is built, into aws-lc key pairs (the
//! same library rustls already links): a signature is then the signing
//! operation alone. Key material lives only in [`SecretString`]s, in
//! zeroized buffers and in aws-lc's key objects, whose memory aws-lc
//! cleanses when they are freed.

use std::fmt;
use std::time::Duration;

use aws_lc_rs::{hmac, rand::SystemRandom, signature};
use base64::Engine as _;
use rustls_pki_types::PrivateKeyDer;
use rustls_pki_types::pem::PemObject as _;
use secrecy::zeroize::Zeroizing;
use secrecy::{ExposeSecret, SecretString};

use crate::error::Error;
use crate::value::{Json, Scope, write_members};
pub use vendor_auth_rules::JwtAlgorithm;

/// A JWT the spec declares (`values: NAME: { jwt: ... }`): how to sign it
/// and what it claims. The generator checked every name and combination.
#[derive(Debug)]
pub struct Assertion {
    /// The value's name in the spec, for errors.
    pub name: &'static str,
    /// Its `alg`.
    pub algorithm: JwtAlgorithm,
    /// Index of its key in the client's [`KeyRing`].
    pub key: usize,
    /// Header members besides `alg` (and `typ: JWT` unless one is given).
    pub header: &'static [(&'static str, Json)],
    /// Claims besides the time claims, which are written from the lifetime.
    pub claims: &'static [(&'static str, Json)],
    /// `exp - iat`.
    pub lifetime_seconds: u64,
    /// How far `iat` is set before now, for servers whose clocks run behind.
    pub backdate_seconds: u64,
    /// Whether `nbf` (equal to `iat`) is written too.
    pub not_before: bool,
}

impl Assertion {
    /// How long a freshly signed assertion stays valid.
    pub fn valid_for(&self) -> Duration {
        Duration::from_secs(self.lifetime_seconds.saturating_sub(self.backdate_seconds))
    }

    /// The compact serialization (`header.claims.signature`), signed with
    /// the scope's key at the scope's time.
    pub fn sign(&self, scope: &Scope<'_>) -> Result<Zeroizing<String>, Error> {
        let key = scope.signing_key(self.key).ok_or_else(|| Error::Config {
            vendor: scope.vendor(),
            message: format!("no key was prepared for the signed value `{}`", self.name),
        })?;
        let iat = scope.now().unix_timestamp() - self.backdate_seconds as i64;
        let exp = iat + self.lifetime_seconds as i64;

        let mut header = Vec::with_capacity(64);
        header.extend_from_slice(b"{\"alg\":\"");
        header.extend_from_slice(self.algorithm.name().as_bytes());
        header.push(b'"');
        if !self.header.iter().any(|(name, _)| *name == "typ") {
            header.extend_from_slice(b",\"typ\":\"JWT\"");
        }
        write_members(self.header, scope, &mut header, false)?;
        header.push(b'}');

        let mut claims = Zeroizing::new(Vec::with_capacity(256));
        claims.push(b'{');
        let empty = write_members(self.claims, scope, &mut claims, true)?;
        let comma = if empty { "" } else { "," };
        let times = if self.not_before {
            format!("{comma}\"iat\":{iat},\"nbf\":{iat},\"exp\":{exp}}}")
        } else {
            format!("{comma}\"iat\":{iat},\"exp\":{exp}}}")
        };
        claims.extend_from_slice(times.as_bytes());

        let b64 = base64::engine::general_purpose::URL_SAFE_NO_PAD;
        let mut jwt = Zeroizing::new(String::with_capacity(512));
        b64.encode_string(&header, &mut jwt);
        jwt.push('.');
        b64.encode_string(&*claims, &mut jwt);
        let signature = key.sign(jwt.as_bytes()).map_err(|()| Error::Config {
            vendor: scope.vendor(),
            message: format!("the signed value `{}` could not be signed", self.name),
        })?;
        jwt.push('.');
        b64.encode_string(&signature, &mut jwt);
        Ok(jwt)
    }
}

/// A private key or shared secret, parsed for one algorithm. `Debug` shows
/// the algorithm only.
pub struct SigningKey {
    algorithm: JwtAlgorithm,
    key: Key,
    /// Base64 of the SHA-256 of the public key's DER (SubjectPublicKeyInfo),
    /// the fingerprint some vendors put in a claim. `None` for HMAC.
    public_key_sha256: Option<String>,
}

enum Key {
    Rsa(signature::RsaKeyPair, &'static dyn signature::RsaEncoding),
    Ecdsa(signature::EcdsaKeyPair),
    Ed25519(signature::Ed25519KeyPair),
    Hmac(Box<hmac::Key>),
}

impl fmt::Debug for SigningKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SigningKey")
            .field("algorithm", &self.algorithm.name())
            .field("key", &"[REDACTED]")
            .finish()
    }
}

impl SigningKey {
    /// Parses `material` for `algorithm`: a PEM private key (PKCS#8, or
    /// PKCS#1 for RSA, or SEC1 for ECDSA), or for HMAC the secret's bytes.
    /// Errors name the credential and what is wrong, never its content.
    pub fn new(
        vendor: &'static str,
        credential: &str,
        algorithm: JwtAlgorithm,
        material: &SecretString,
    ) -> Result<SigningKey, Error> {
        let fail = |message: String| Error::Config {
            vendor,
            message: format!("the credential `{credential}` {message}"),
        };
        if algorithm.is_symmetric() {
            let secret = material.expose_secret().as_bytes();
            if secret.is_empty() {
                return Err(fail(format!("is empty, and {algorithm} needs a secret")));
            }
            let hmac_algorithm = match algorithm {
                JwtAlgorithm::Hs384 => hmac::HMAC_SHA384,
                JwtAlgorithm::Hs512 => hmac::HMAC_SHA512,
                _ => hmac::HMAC_SHA256,
            };
            return Ok(SigningKey {
                algorithm,
                key: Key::Hmac(Box::new(hmac::Key::new(hmac_algorithm, secret))),
                public_key_sha256: None,
            });
        }
        let der = Zeroizing::new(
            PrivateKeyDer::from_pem_slice(material.expose_secret().trim().as_bytes())
                .map_err(|_| {
                    fail(format!(
                        "is not a PEM private key (`-----BEGIN PRIVATE KEY-----`, PKCS#8{}), which {algorithm} needs",
                        match family(algorithm) {
                            Family::Rsa => ", or PKCS#1 `BEGIN RSA PRIVATE KEY`",
                            Family::Ec => ", or SEC1 `BEGIN EC PRIVATE KEY`",
                            _ => "",
                        }
                    ))
                })?,
        );
        let rejected = |why: aws_lc_rs::error::KeyRejected| {
            fail(format!(
                "is not a usable {} private key for {algorithm} ({why})",
                family(algorithm).name()
            ))
        };
        let key = match (family(algorithm), &*der) {
            (Family::Rsa, PrivateKeyDer::Pkcs8(der)) => rsa(
                algorithm,
                signature::RsaKeyPair::from_pkcs8(der.secret_pkcs8_der()),
            ),
            (Family::Rsa, PrivateKeyDer::Pkcs1(der)) => rsa(
                algorithm,
                signature::RsaKeyPair::from_der(der.secret_pkcs1_der()),
            ),
            (Family::Ec, PrivateKeyDer::Pkcs8(der)) => {
                signature::EcdsaKeyPair::from_pkcs8(ecdsa(algorithm), der.secret_pkcs8_der())
                    .map(Key::Ecdsa)
            }
            (Family::Ec, PrivateKeyDer::Sec1(der)) => {
                signature::EcdsaKeyPair::from_private_key_der(
                    ecdsa(algorithm),
                    der.secret_sec1_der(),
                )
                .map(Key::Ecdsa)
            }
            (Family::Ed, PrivateKeyDer::Pkcs8(der)) => {
                signature::Ed25519KeyPair::from_pkcs8_maybe_unchecked(der.secret_pkcs8_der())
                    .map(Key::Ed25519)
            }
            (wanted, _) => {
                return Err(fail(format!(
                    "holds a key in a form {algorithm} cannot use: it needs {}",
                    wanted.forms()
                )));
            }
        }
        .map_err(rejected)?;
        let public_key_sha256 = public_key_der(&key).map(|der| {
            let digest = aws_lc_rs::digest::digest(&aws_lc_rs::digest::SHA256, &der);
            base64::engine::general_purpose::STANDARD.encode(digest.as_ref())
        });
        Ok(SigningKey {
            algorithm,
            key,
            public_key_sha256,
        })
    }

    /// The algorithm the key signs with.
    pub fn algorithm(&self) -> JwtAlgorithm {
        self.algorithm
    }

    /// Base64 of the SHA-256 of the public key's DER (SubjectPublicKeyInfo);
    /// `None` for a shared secret.
    pub fn public_key_sha256(&self) -> Option<&str> {
        self.public_key_sha256.as_deref()
    }

    fn sign(&self, message: &[u8]) -> Result<Vec<u8>, ()> {
        match &self.key {
            Key::Rsa(pair, encoding) => {
                let mut out = vec![0; pair.public_modulus_len()];
                pair.sign(*encoding, &SystemRandom::new(), message, &mut out)
                    .map_err(drop)?;
                Ok(out)
            }
            Key::Ecdsa(pair) => pair
                .sign(&SystemRandom::new(), message)
                .map(|s| s.as_ref().to_vec())
                .map_err(drop),
            Key::Ed25519(pair) => Ok(pair.sign(message).as_ref().to_vec()),
            Key::Hmac(key) => Ok(hmac::sign(key, message).as_ref().to_vec()),
        }
    }
}

fn rsa(
    algorithm: JwtAlgorithm,
    pair: Result<signature::RsaKeyPair, aws_lc_rs::error::KeyRejected>,
) -> Result<Key, aws_lc_rs::error::KeyRejected> {
    let encoding: &'static dyn signature::RsaEncoding = match algorithm {
        JwtAlgorithm::Rs384 => &signature::RSA_PKCS1_SHA384,
        JwtAlgorithm::Rs512 => &signature::RSA_PKCS1_SHA512,
        JwtAlgorithm::Ps256 => &signature::RSA_PSS_SHA256,
        JwtAlgorithm::Ps384 => &signature::RSA_PSS_SHA384,
        JwtAlgorithm::Ps512 => &signature::RSA_PSS_SHA512,
        _ => &signature::RSA_PKCS1_SHA256,
    };
    pair.map(|pair| Key::Rsa(pair, encoding))
}

fn ecdsa(algorithm: JwtAlgorithm) -> &'static signature::EcdsaSigningAlgorithm {
    match algorithm {
        JwtAlgorithm::Es384 => &signature::ECDSA_P384_SHA384_FIXED_SIGNING,
        _ => &signature::ECDSA_P256_SHA256_FIXED_SIGNING,
    }
}

fn public_key_der(key: &Key) -> Option<Vec<u8>> {
    use aws_lc_rs::encoding::AsDer as _;
    use aws_lc_rs::signature::KeyPair as _;
    match key {
        Key::Rsa(pair, _) => pair.public_key().as_der().ok().map(|d| d.as_ref().to_vec()),
        Key::Ecdsa(pair) => pair.public_key().as_der().ok().map(|d| d.as_ref().to_vec()),
        Key::Ed25519(pair) => pair.public_key().as_der().ok().map(|d| d.as_ref().to_vec()),
        Key::Hmac(_) => None,
    }
}

#[derive(Clone, Copy)]
enum Family {
    Rsa,
    Ec,
    Ed,
    Hmac,
}

fn family(algorithm: JwtAlgorithm) -> Family {
    use JwtAlgorithm::*;
    match algorithm {
        Rs256 | Rs384 | Rs512 | Ps256 | Ps384 | Ps512 => Family::Rsa,
        Es256 | Es384 => Family::Ec,
        EdDsa => Family::Ed,
        Hs256 | Hs384 | Hs512 => Family::Hmac,
    }
}

impl Family {
    fn name(self) -> &'static str {
        match self {
            Family::Rsa => "RSA",
            Family::Ec => "EC",
            Family::Ed => "Ed25519",
            Family::Hmac => "HMAC",
        }
    }

    fn forms(self) -> &'static str {
        match self {
            Family::Rsa => "an RSA key as PKCS#8 or PKCS#1 PEM",
            Family::Ec => "an EC key as PKCS#8 or SEC1 PEM",
            Family::Ed => "an Ed25519 key as PKCS#8 PEM",
            Family::Hmac => "a shared secret",
        }
    }
}

/// What a client prepares from its credentials once, when it is built: the
/// fields of JSON credentials (a key file) and the parsed signing keys.
#[derive(Debug, Default)]
pub struct KeyRing {
    fields: Vec<SecretString>,
    keys: Vec<SigningKey>,
    fingerprints: Vec<String>,
}

/// How a spec's credentials become a [`KeyRing`].
#[derive(Debug)]
pub struct KeyRingSpec {
    /// JSON credentials: the credential's index, its name and the string
    /// fields templates read. Their values follow the plain credentials in
    /// the scope's numbering, in this order.
    pub json: &'static [(usize, &'static str, &'static [&'static str])],
    /// One key per assertion, in the assertions' order: the scope index of
    /// the credential (or JSON field) that holds it, its name and algorithm.
    pub keys: &'static [(usize, &'static str, JwtAlgorithm)],
    /// Key credentials whose public-key fingerprint templates read: scope
    /// index, name and the algorithm the key is for.
    pub fingerprints: &'static [(usize, &'static str, JwtAlgorithm)],
}

impl KeyRing {
    /// Reads the JSON credentials and parses the keys of `credentials`
    /// (the client's, in the generator's numbering).
    pub fn new(
        vendor: &'static str,
        spec: &KeyRingSpec,
        credentials: &[&SecretString],
    ) -> Result<KeyRing, Error> {
        let mut fields = Vec::new();
        for (index, name, wanted) in spec.json {
            fields.extend(json_fields(vendor, name, credentials[*index], wanted)?);
        }
        let material = |index: usize| match credentials.get(index) {
            Some(credential) => *credential,
            None => &fields[index - credentials.len()],
        };
        let mut keys = Vec::with_capacity(spec.keys.len());
        for (index, name, algorithm) in spec.keys {
            keys.push(SigningKey::new(vendor, name, *algorithm, material(*index))?);
        }
        let mut fingerprints = Vec::with_capacity(spec.fingerprints.len());
        for (index, name, algorithm) in spec.fingerprints {
            // The key an assertion signs with was parsed just above: its
            // fingerprint is already there.
            let parsed = spec
                .keys
                .iter()
                .zip(&keys)
                .find(|((i, _, a), _)| i == index && a == algorithm)
                .map(|(_, key)| key.public_key_sha256.clone());
            let fingerprint = match parsed {
                Some(fingerprint) => fingerprint,
                None => {
                    SigningKey::new(vendor, name, *algorithm, material(*index))?.public_key_sha256
                }
            };
            fingerprints.push(fingerprint.unwrap_or_default());
        }
        Ok(KeyRing {
            fields,
            keys,
            fingerprints,
        })
    }

    /// Base64 of the SHA-256 of a key credential's public key, by the
    /// spec's numbering.
    pub fn fingerprint(&self, index: usize) -> Option<&str> {
        self.fingerprints.get(index).map(String::as_str)
    }

    /// `plain` followed by the JSON credentials' fields: the credentials of
    /// a scope.
    pub fn credentials<'a>(&'a self, mut plain: Vec<&'a SecretString>) -> Vec<&'a SecretString> {
        plain.extend(self.fields.iter());
        plain
    }

    /// The signing keys, by assertion.
    pub fn keys(&self) -> &[SigningKey] {
        &self.keys
    }
}

/// The string fields `wanted` of the JSON document `credential`, each a
/// secret; the document's other members are skipped unread.
fn json_fields(
    vendor: &'static str,
    name: &str,
    credential: &SecretString,
    wanted: &[&str],
) -> Result<Vec<SecretString>, Error> {
    use serde::de::{DeserializeSeed, Deserializer, IgnoredAny, MapAccess, Visitor};

    struct Fields<'w>(&'w [&'w str]);

    impl<'de> DeserializeSeed<'de> for Fields<'_> {
        type Value = Vec<Option<SecretString>>;
        fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
            d.deserialize_map(self)
        }
    }

    impl<'de> Visitor<'de> for Fields<'_> {
        type Value = Vec<Option<SecretString>>;
        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("a JSON object")
        }
        fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
            let mut out: Vec<Option<SecretString>> = self.0.iter().map(|_| None).collect();
            while let Some(key) = map.next_key::<std::borrow::Cow<'de, str>>()? {
                match self.0.iter().position(|w| *w == key) {
                    Some(at) => {
                        let value = map.next_value::<Option<String>>()?;
                        out[at] = value.map(SecretString::from);
                    }
                    None => {
                        map.next_value::<IgnoredAny>()?;
                    }
                }
            }
            Ok(out)
        }
    }

    let mut deserializer = serde_json::Deserializer::from_str(credential.expose_secret());
    // serde_json's messages quote no input, only positions and expectations.
    let found = Fields(wanted)
        .deserialize(&mut deserializer)
        .and_then(|found| deserializer.end().map(|()| found))
        .map_err(|e| Error::Config {
            vendor,
            message: format!(
                "the credential `{name}` is not the expected JSON document (an object with the string fields {}): {} at line {} column {}",
                wanted.join(", "),
                match e.classify() {
                    serde_json::error::Category::Data => "a field is not a string",
                    serde_json::error::Category::Eof => "it ends early",
                    _ => "it is not valid JSON",
                },
                e.line(),
                e.column()
            ),
        })?;
    wanted
        .iter()
        .zip(found)
        .map(|(field, value)| {
            value.ok_or_else(|| Error::Config {
                vendor,
                message: format!("the credential `{name}` has no string field `{field}`"),
            })
        })
        .collect()
}

/// A self-issued token: the signed assertion itself, valid until its `exp`.
#[doc(hidden)]
pub fn self_issued(
    scope: Scope<'_>,
    assertion: &'static Assertion,
) -> std::future::Ready<Result<crate::Token, Error>> {
    std::future::ready(assertion.sign(&scope).map(|mut jwt| {
        crate::Token::new(std::mem::take(&mut *jwt), assertion.valid_for())
            .with_token_type("Bearer")
    }))
}
