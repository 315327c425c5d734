//! Generates one module per spec in `specs/` into `OUT_DIR`.

fn main() {
    vendor_auth_codegen::Config::new()
        .spec_dir("specs")
        // `vendor_auth::VENDORS`, for the `vendor-auth` command.
        .registry(true)
        .compile()
        .unwrap_or_else(|error| vendor_auth_codegen::fail_build(&error));
}
