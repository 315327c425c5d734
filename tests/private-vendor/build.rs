//! What an application writes to keep its own vendor specs: the first call
//! is all it needs. The second compiles the generator's feature fixtures, so
//! that every snapshot pinned in `codegen/tests` is known to build.

fn main() {
    vendor_auth_codegen::Config::new()
        .spec("specs/acme.yaml")
        .compile()
        .unwrap_or_else(|error| vendor_auth_codegen::fail_build(&error));

    vendor_auth_codegen::Config::new()
        .spec_dir("../../codegen/tests/fixtures/valid")
        .index_file("fixtures.rs")
        .compile()
        .unwrap_or_else(|error| vendor_auth_codegen::fail_build(&error));
}
