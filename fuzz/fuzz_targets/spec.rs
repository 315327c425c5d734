//! Any text as a spec: the generator returns code or located diagnostics,
//! never panics, and a spec it accepts always formats to Rust that parses.
#![no_main]

use std::path::Path;

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(source) = std::str::from_utf8(data) else {
        return;
    };
    let runtime: syn::Path = syn::parse_quote!(::vendor_auth);
    match vendor_auth_codegen::generate_one(Path::new("fuzz.yaml"), source, &runtime) {
        Ok(generated) => {
            assert!(generated.code.contains("@generated"));
        }
        Err(errors) => {
            let shown = errors.to_string();
            assert!(
                shown.contains("fuzz.yaml"),
                "a diagnostic must name its file: {shown}"
            );
            assert!(
                !shown.contains("internal error"),
                "the emitter produced invalid Rust for an accepted spec:\n{shown}"
            );
        }
    }
});
