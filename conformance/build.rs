//! Generates the generic OAuth2 specs in `specs/`, as an application would.

fn main() {
    vendor_auth_codegen::Config::new()
        .spec_dir("specs")
        .compile()
        .unwrap_or_else(|error| vendor_auth_codegen::fail_build(&error));
}
