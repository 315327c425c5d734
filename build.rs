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
