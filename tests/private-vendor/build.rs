//! What an application writes to keep its own vendor specs: the first call
//! is all it needs. The second compiles the generator's feature fixtures, so
//! that every snapshot pinned in `codegen/tests` is known to build.

fn main() {
    vendor_auth_codegen::Config::new()
        .spec("specs/acme.yaml")
        // `FromEnv` for every client: what `MockVendor::client` builds with.
        .registry(true)
        .compile()
        .unwrap_or_else(|error| vendor_auth_codegen::fail_build(&error));

    vendor_auth_codegen::Config::new()
        .spec_dir("../../codegen/tests/fixtures/valid")
        .index_file("fixtures.rs")
        .registry(true)
        .compile()
        .unwrap_or_else(|error| vendor_auth_codegen::fail_build(&error));
}
