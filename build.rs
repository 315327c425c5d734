//! Generates one module per spec in `specs/` into `OUT_DIR`.

fn main() {
    vendor_auth_codegen::Config::new()
        .spec_dir("specs")
        .compile()
        .unwrap_or_else(|error| vendor_auth_codegen::fail_build(&error));
}
