//! The generated code of every spec in `specs/`: pinned by insta snapshots,
//! and committed under `generated/` so that a reviewer sees what a spec change
//! does to the API. Both fail when stale.
//!
//! Refresh both after changing a spec or the generator:
//!
//! ```text
//! UPDATE_GENERATED=1 INSTA_UPDATE=always cargo test --test generated_code
//! ```

use std::collections::BTreeSet;
use std::path::Path;

use vendor_auth_codegen::{Config, Generated};

fn generate_all() -> Vec<Generated> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    Config::new()
        .spec_dir(root.join("specs"))
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
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("generated");
    let update = std::env::var_os("UPDATE_GENERATED").is_some();
    let generated = generate_all();
    let mut stale = Vec::new();
    for module in &generated {
        let path = dir.join(format!("{}.rs", module.module));
        if std::fs::read_to_string(&path).ok().as_deref() != Some(module.code.as_str()) {
            if update {
                std::fs::write(&path, &module.code).unwrap();
            } else {
                stale.push(path.display().to_string());
            }
        }
    }
    let expected: BTreeSet<String> = generated
        .iter()
        .map(|m| format!("{}.rs", m.module))
        .collect();
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        if name.ends_with(".rs") && !expected.contains(&name) {
            if update {
                std::fs::remove_file(&path).unwrap();
            } else {
                stale.push(format!("{} (its spec is gone)", path.display()));
            }
        }
    }
    assert!(
        stale.is_empty(),
        "generated/ is stale: {stale:?}\nrefresh it with: UPDATE_GENERATED=1 INSTA_UPDATE=always cargo test --test generated_code"
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
