//! An application's own vendor tested against the mock made from its spec,
//! and every generator fixture likewise: steps, cookies, form and text
//! responses, seeded refresh tokens, self-issued and signed JWTs, static
//! keys, user-supplied environments.

use private_vendor::{acme, fixtures};
use vendor_auth::FromEnv;
use vendor_auth::testing::{Exchange, Exercised, MockVendor};

fn spec(path: &str) -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(path)
}

async fn exercise<C: FromEnv + 'static>(path: &str) -> (MockVendor, Exercised) {
    let vendor = MockVendor::from_spec_file(spec(path))
        .start()
        .await
        .unwrap();
    let done = vendor
        .exercise::<C>()
        .await
        .unwrap_or_else(|e| panic!("{path}: {e}"));
    (vendor, done)
}

#[tokio::test]
async fn the_applications_own_vendor() {
    let (vendor, done) = exercise::<acme::Client>("specs/acme.yaml").await;
    assert!(done.fetched);
    assert!(vendor.received(Exchange::Token) >= 1);
}

#[tokio::test]
async fn every_generator_fixture() {
    use fixtures::*;
    const DIR: &str = "../../codegen/tests/fixtures/valid/";
    let mut exercised = Vec::new();
    macro_rules! each {
        ($($module:ident: $file:literal),* $(,)?) => {$(
            let (vendor, done) = exercise::<$module::Client>(&format!("{DIR}{}", $file)).await;
            exercised.push((stringify!($module), done, vendor.received(Exchange::Step)));
        )*};
    }
    each!(
        basic_form_vendor: "basic_form_refresh_revoke.yaml",
        bom_vendor: "byte_order_mark.yaml",
        chained_vendor: "chained_session.yaml",
        query_vendor: "get_query_raw_token.yaml",
        nested_vendor: "nested_json_extras.yaml",
        seeded_vendor: "seeded_refresh.yaml",
        self_issued_vendor: "self_issued.yaml",
        signed_vendor: "signed_assertion.yaml",
        static_vendor: "static_key.yaml",
        multi_env_vendor: "user_supplied_env.yaml",
    );
    let fixtures = std::fs::read_dir(spec(DIR)).unwrap().count();
    assert_eq!(exercised.len(), fixtures, "a fixture is missing here");
    let find = |module: &str| exercised.iter().find(|(m, ..)| *m == module).unwrap();
    // The chained exchange went through its steps.
    assert!(find("chained_vendor").2 >= 1, "{exercised:?}");
    assert!(find("basic_form_vendor").1.refreshed && find("basic_form_vendor").1.revoked);
}
