//! Any text as a spec: the generator returns code or located diagnostics,
//! never panics, and a spec it accepts always formats to Rust that parses,
//! with doc comments rustc and clippy accept (no control or bidirectional
//! characters, no tabs). `tests/spec-fuzz` compiles, lints and doc-tests
//! generated batches; this target reaches the inputs no generator writes.
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
            syn::parse_file(&generated.code).expect("accepted specs generate Rust that parses");
            for line in generated.code.lines() {
                if line.trim_start().starts_with("///") || line.trim_start().starts_with("//!") {
                    assert!(
                        !line.chars().any(|c| (c.is_control())
                            || matches!(c, '\u{200e}' | '\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')),
                        "a doc comment holds a character rustc or clippy refuses: {line:?}"
                    );
                }
            }
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
