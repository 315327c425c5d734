//! The generated code of every spec in `specs/`: pinned by insta snapshots,
//! and committed under `generated/` so that a reviewer sees what a spec change
//! does to the API. Both fail when stale.
//!
//! Refresh both after changing a spec or the generator:
//!
//! ```text
//! cargo run -p vendor-auth-cli -- generate   # or UPDATE_GENERATED=1
//! INSTA_UPDATE=always cargo test --test generated_code
//! ```

use std::path::Path;

use vendor_auth_codegen::{Config, Generated};

fn generate_all() -> Vec<Generated> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    Config::new()
        .spec_dir(root.join("specs"))
        .registry(true)
        .emit_rerun_if_changed(false)
        .generate()
        .unwrap_or_else(|e| panic!("{e}"))
}

#[test]
fn every_spec_is_pinned_by_a_snapshot() {
    for module in generate_all() {
        insta::assert_snapshot!(module.module.as_str(), module.code);
    }
}

#[test]
fn committed_generated_code_is_fresh() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    // What `vendor-auth generate` writes: every module and the index.
    let update = std::env::var_os("UPDATE_GENERATED").is_some();
    let stale = Config::new()
        .spec_dir(root.join("specs"))
        .registry(true)
        .emit_rerun_if_changed(false)
        .sync(&root.join("generated"), !update)
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(
        update || stale.is_empty(),
        "generated/ is stale: {stale:?}\nrefresh it with: cargo run -p vendor-auth-cli -- generate"
    );
}

#[test]
fn the_build_script_output_matches_generated() {
    // What build.rs wrote into OUT_DIR is what generated/ shows.
    let out_dir = Path::new(env!("OUT_DIR"));
    for module in generate_all() {
        let built = std::fs::read_to_string(out_dir.join(format!("{}.rs", module.module))).unwrap();
        assert_eq!(built, module.code, "{}", module.module);
    }
}
