//! Every algorithm and key form the spec format accepts, signed by the
//! runtime and verified by jsonwebtoken on its RustCrypto backend (an
//! implementation independent of aws-lc, which signs); and every key that
//! does not fit its algorithm refused when the key ring is built, with an
//! error that names the credential and shows none of the key.

use serde_json::{Value, json};
use vendor_auth::__private::{
    Assertion, Json, JwtAlgorithm, KeyRing, KeyRingSpec, Part, Ref, Scope, Template,
};
use vendor_auth::{Error, SecretString};

fn key(name: &str) -> String {
    let path = format!("{}/tests/catalogue/keys/{name}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

const HMAC_SECRET: &str = "an HMAC secret of at least 64 bytes, enough for HS512 too: 0123456789";

/// One signed value per algorithm, all over the same claims.
macro_rules! assertions {
    ($($alg:ident),*) => {
        [$(Assertion {
            name: stringify!($alg),
            algorithm: JwtAlgorithm::$alg,
            key: 0,
            header: &[("kid", Json::Value(Template(&[Part::Text("key-1")])))],
            claims: &[
                ("iss", Json::Value(Template(&[Part::Ref(Ref::Credential(1), &[])]))),
                ("jti", Json::Value(Template(&[Part::Ref(Ref::Uuid, &[])]))),
                ("n", Json::Number("7")),
            ],
            lifetime_seconds: 300,
            backdate_seconds: 30,
            not_before: true,
        }),*]
    };
}

static ASSERTIONS: [Assertion; 12] = assertions!(
    Rs256, Rs384, Rs512, Ps256, Ps384, Ps512, Es256, Es384, EdDsa, Hs256, Hs384, Hs512
);

/// The key ring of one assertion: its key is credential 0.
fn ring(algorithm: JwtAlgorithm, material: &SecretString) -> Result<KeyRing, Error> {
    let spec: &'static KeyRingSpec = Box::leak(Box::new(KeyRingSpec {
        json: &[],
        keys: Box::leak(Box::new([(0, "private_key", algorithm)])),
        fingerprints: &[],
    }));
    KeyRing::new("Test", spec, &[material])
}

fn sign(assertion: &'static Assertion, material: &str) -> String {
    let material = SecretString::from(material.to_owned());
    let issuer = SecretString::from("client-7".to_owned());
    let ring = ring(assertion.algorithm, &material).unwrap();
    let scope = Scope::new("Test", vec![&material, &issuer], vec![], None).with_keys(&ring);
    String::from(assertion.sign(&scope).unwrap().as_str())
}

fn verify(jwt: &str, alg: &str, public: jsonwebtoken::DecodingKey) -> (Value, Value) {
    let mut validation = jsonwebtoken::Validation::new(alg.parse().unwrap());
    validation.validate_aud = false;
    validation.validate_nbf = true;
    validation.leeway = 0;
    let claims = jsonwebtoken::decode::<Value>(jwt, &public, &validation)
        .unwrap_or_else(|e| panic!("{alg}: {e}"))
        .claims;
    let header = jsonwebtoken::decode_header(jwt).unwrap();
    (serde_json::to_value(header).unwrap(), claims)
}

#[test]
fn every_algorithm_and_key_form_verifies_independently() {
    use jsonwebtoken::DecodingKey;
    let rsa = || DecodingKey::from_rsa_pem(key("rsa_public.pem").as_bytes()).unwrap();
    let p256 = || DecodingKey::from_ec_pem(key("ec_p256_public.pem").as_bytes()).unwrap();
    let cases: Vec<(usize, &str, DecodingKey)> = vec![
        (0, "rsa_pkcs8.pem", rsa()),
        (0, "rsa_pkcs1.pem", rsa()),
        (1, "rsa_pkcs8.pem", rsa()),
        (2, "rsa_pkcs1.pem", rsa()),
        (3, "rsa_pkcs8.pem", rsa()),
        (4, "rsa_pkcs1.pem", rsa()),
        (5, "rsa_pkcs8.pem", rsa()),
        (6, "ec_p256.p8", p256()),
        (6, "ec_p256_sec1.pem", p256()),
        (
            7,
            "ec_p384.pem",
            DecodingKey::from_ec_pem(key("ec_p384_public.pem").as_bytes()).unwrap(),
        ),
        (
            8,
            "ed25519.pem",
            DecodingKey::from_ed_pem(key("ed25519_public.pem").as_bytes()).unwrap(),
        ),
    ];
    let hmac = (9..12).map(|i| (i, "", DecodingKey::from_secret(HMAC_SECRET.as_bytes())));
    for (index, pem, public) in cases.into_iter().chain(hmac) {
        let assertion = &ASSERTIONS[index];
        let material = if pem.is_empty() {
            HMAC_SECRET.to_owned()
        } else {
            key(pem)
        };
        let jwt = sign(assertion, &material);
        let alg = assertion.algorithm.name();
        let (header, claims) = verify(&jwt, alg, public);
        assert_eq!(header["alg"], alg, "{alg} {pem}");
        assert_eq!(header["typ"], "JWT");
        assert_eq!(header["kid"], "key-1");
        let iat = claims["iat"].as_i64().unwrap();
        let now = time::OffsetDateTime::now_utc().unix_timestamp();
        assert!((now - 30 - iat).abs() <= 2, "{alg}: backdated 30 s");
        assert_eq!(claims["nbf"], iat);
        assert_eq!(claims["exp"], iat + 300);
        assert_eq!(claims["iss"], "client-7");
        assert_eq!(claims["n"], json!(7));
        assert_eq!(claims["jti"].as_str().unwrap().len(), 36);
    }
}

#[test]
fn a_key_that_does_not_fit_its_algorithm_is_refused_without_showing_it() {
    let cases = [
        (
            JwtAlgorithm::Es256,
            key("rsa_pkcs8.pem"),
            "is not a usable EC private key for ES256",
        ),
        (
            JwtAlgorithm::Es256,
            key("ec_p384.pem"),
            "is not a usable EC private key for ES256",
        ),
        (
            JwtAlgorithm::Es256,
            key("rsa_pkcs1.pem"),
            "holds a key in a form ES256 cannot use",
        ),
        (
            JwtAlgorithm::Rs256,
            key("ec_p256_sec1.pem"),
            "holds a key in a form RS256 cannot use",
        ),
        (
            JwtAlgorithm::Rs256,
            key("ed25519.pem"),
            "is not a usable RSA private key for RS256",
        ),
        (
            JwtAlgorithm::EdDsa,
            key("ec_p256.p8"),
            "is not a usable Ed25519 private key for EdDSA",
        ),
        (
            JwtAlgorithm::Rs256,
            key("rsa_public.pem"),
            "is not a PEM private key",
        ),
        (
            JwtAlgorithm::Ps256,
            "MIIEvQIBADANBgkqhkiG9w0BAQEFAASC".to_owned(),
            "is not a PEM private key",
        ),
        (
            JwtAlgorithm::Hs256,
            String::new(),
            "is empty, and HS256 needs a secret",
        ),
    ];
    for (algorithm, material, expected) in cases {
        let secret = SecretString::from(material.clone());
        let error = ring(algorithm, &secret).unwrap_err().to_string();
        assert!(
            error.contains("`private_key`"),
            "names the credential: {error}"
        );
        assert!(error.contains(expected), "{algorithm}: {error}");
        for line in material
            .lines()
            .filter(|l| !l.starts_with("-----") && !l.is_empty())
        {
            assert!(!error.contains(line), "shows the key: {error}");
        }
    }
}

#[test]
fn signing_keys_never_show_in_debug() {
    let material = SecretString::from(key("ec_p256.p8"));
    let ring = ring(JwtAlgorithm::Es256, &material).unwrap();
    let shown = format!("{ring:?} {:?}", ring.keys());
    assert!(
        shown.contains("ES256") && shown.contains("[REDACTED]"),
        "{shown}"
    );
    for line in key("ec_p256.p8")
        .lines()
        .filter(|l| !l.starts_with("-----"))
    {
        assert!(!shown.contains(line), "{shown}");
    }
}
