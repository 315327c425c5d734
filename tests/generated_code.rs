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
    // What `vendor-auth generate` writes: every module and the index. In CI
    // the update switch is ignored: there, a stale copy must fail.
    let in_ci = std::env::var_os("CI").is_some();
    let update = std::env::var_os("UPDATE_GENERATED").is_some() && !in_ci;
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

/// Every bundled spec is named after its module and sits behind a cargo
/// feature of that name, listed in `all-vendors` (on by default).
#[test]
fn every_spec_has_its_feature() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let manifest = std::fs::read_to_string(root.join("Cargo.toml")).unwrap();
    let features = &manifest[manifest.find("[features]").expect("a [features] table")..];
    let all_start = features
        .find("all-vendors = [")
        .expect("an all-vendors feature");
    let all = &features[all_start..all_start + features[all_start..].find(']').unwrap()];
    let mut modules = Vec::new();
    for entry in std::fs::read_dir(root.join("specs")).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_none_or(|e| e != "yaml") {
            continue;
        }
        let stem = path.file_stem().unwrap().to_str().unwrap().to_owned();
        let text = std::fs::read_to_string(&path).unwrap();
        assert!(
            text.lines().any(|l| l == format!("module: {stem}")),
            "{}: the file name must be the module name",
            path.display()
        );
        assert!(
            features.lines().any(|l| l == format!("{stem} = []")),
            "Cargo.toml has no feature `{stem} = []`"
        );
        assert!(
            all.contains(&format!("\"{stem}\"")),
            "`all-vendors` does not list {stem}"
        );
        modules.push(stem);
    }
    let listed = all.matches('"').count() / 2;
    assert_eq!(
        listed,
        modules.len(),
        "all-vendors lists a vendor without a spec"
    );
}
