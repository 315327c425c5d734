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

use std::collections::BTreeMap;
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

/// The `.rs` files of a directory, by name.
fn rust_files(dir: &Path) -> BTreeMap<String, String> {
    std::fs::read_dir(dir)
        .unwrap()
        .map(|entry| entry.unwrap().path())
        .filter(|path| path.extension().is_some_and(|e| e == "rs"))
        .map(|path| {
            let name = path.file_name().unwrap().to_string_lossy().into_owned();
            (name, std::fs::read_to_string(&path).unwrap())
        })
        .collect()
}

#[test]
fn committed_generated_code_is_fresh() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let dir = root.join("generated");
    // What `vendor-auth generate` writes: every module and the index.
    let scratch = std::env::temp_dir().join(format!("vendor-auth-fresh-{}", std::process::id()));
    Config::new()
        .spec_dir(root.join("specs"))
        .registry(true)
        .out_dir(&scratch)
        .emit_rerun_if_changed(false)
        .compile()
        .unwrap_or_else(|e| panic!("{e}"));
    let fresh = rust_files(&scratch);
    std::fs::remove_dir_all(&scratch).unwrap();
    let committed = rust_files(&dir);
    if std::env::var_os("UPDATE_GENERATED").is_some() {
        for name in committed.keys().filter(|name| !fresh.contains_key(*name)) {
            std::fs::remove_file(dir.join(name)).unwrap();
        }
        for (name, text) in &fresh {
            std::fs::write(dir.join(name), text).unwrap();
        }
        return;
    }
    let mut stale: Vec<String> = fresh
        .iter()
        .filter(|(name, text)| committed.get(*name) != Some(text))
        .map(|(name, _)| name.clone())
        .collect();
    stale.extend(
        committed
            .keys()
            .filter(|name| !fresh.contains_key(*name))
            .map(|name| format!("{name} (its spec is gone)")),
    );
    assert!(
        stale.is_empty(),
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
