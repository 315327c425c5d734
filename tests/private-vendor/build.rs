//! What an application writes to keep its own vendor specs: nothing but this.

fn main() {
    vendor_auth_codegen::Config::new()
        .spec("specs/acme.yaml")
        .compile()
        .unwrap_or_else(|error| vendor_auth_codegen::fail_build(&error));
}
