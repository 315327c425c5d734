//! Generates one module per spec in `specs/` into `OUT_DIR`, for each vendor
//! whose cargo feature is on (all of them by default): an application that
//! names only the vendors it uses compiles only those.

use std::path::PathBuf;

fn main() {
    let mut config = vendor_auth_codegen::Config::new();
    // `vendor_auth::VENDORS`, for the `vendor-auth` command.
    config.registry(true);
    println!("cargo:rerun-if-changed=specs");
    let mut specs: Vec<PathBuf> = std::fs::read_dir("specs")
        .expect("the specs directory")
        .filter_map(|entry| Some(entry.ok()?.path()))
        .filter(|path| path.extension().is_some_and(|e| e == "yaml"))
        .collect();
    specs.sort();
    if std::env::var_os("CARGO_FEATURE_TESTING").is_some() {
        bundle_specs(&specs);
    }
    for path in specs {
        // A spec's file name is its module name (a test keeps them equal).
        let module = path
            .file_stem()
            .and_then(|s| s.to_str())
            .unwrap_or_default();
        let feature = format!("CARGO_FEATURE_{}", module.to_ascii_uppercase());
        if std::env::var_os(feature).is_some() {
            config.spec(path);
        }
    }
    config
        .compile()
        .unwrap_or_else(|error| vendor_auth_codegen::fail_build(&error));
}

/// Every spec's text, for the mock vendor (feature `testing`), which serves
/// a vendor from its spec rather than from its generated code.
fn bundle_specs(specs: &[PathBuf]) {
    let dir = std::env::var("CARGO_MANIFEST_DIR").expect("CARGO_MANIFEST_DIR");
    let out = std::env::var("OUT_DIR").expect("OUT_DIR");
    let mut table = String::from("&[\n");
    for path in specs {
        let module = path
            .file_stem()
            .and_then(|s| s.to_str())
            .unwrap_or_default();
        let file = PathBuf::from(&dir).join(path);
        table.push_str(&format!(
            "    ({module:?}, include_str!({:?})),\n",
            file.display().to_string()
        ));
    }
    table.push_str("]\n");
    std::fs::write(PathBuf::from(out).join("bundled_specs.rs"), table)
        .expect("OUT_DIR is writable");
}
