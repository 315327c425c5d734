//! Snapshot tests of the generator: the code it emits for each feature
//! fixture, and the diagnostics it prints for each invalid spec.
//!
//! The valid fixtures are also compiled (and linted) by the `private-vendor`
//! crate, so every pinned output is known to build against the runtime.

use std::path::{Path, PathBuf};

use vendor_auth_codegen::{Config, Error};

fn fixtures(kind: &str) -> Vec<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(kind);
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    files.sort();
    assert!(!files.is_empty());
    files
}

fn stem(path: &Path) -> String {
    path.file_stem().unwrap().to_string_lossy().into_owned()
}

fn generate(path: &Path) -> Result<String, Error> {
    let mut generated = Config::new()
        .spec(path)
        .emit_rerun_if_changed(false)
        .generate()?;
    Ok(generated.remove(0).code)
}

/// Diagnostics print the path as given; snapshots show it relative.
fn relative(text: &str) -> String {
    text.replace(concat!(env!("CARGO_MANIFEST_DIR"), "/"), "")
}

#[test]
fn valid_fixtures_generate_pinned_code() {
    for path in fixtures("valid") {
        let code = generate(&path).unwrap_or_else(|e| panic!("{}", relative(&e.to_string())));
        insta::assert_snapshot!(format!("valid__{}", stem(&path)), code);
    }
}

#[test]
fn invalid_fixtures_print_located_diagnostics() {
    for path in fixtures("invalid") {
        let error = generate(&path).expect_err(&format!("{} should be rejected", path.display()));
        let Error::Specs(files) = &error else {
            panic!("{error}")
        };
        // Every diagnostic points at a line and column of the file.
        for position in files[0].positions() {
            assert!(
                position.is_some(),
                "{}: a diagnostic without a position",
                path.display()
            );
        }
        insta::assert_snapshot!(
            format!("invalid__{}", stem(&path)),
            relative(&error.to_string())
        );
    }
}

#[test]
fn all_problems_of_a_file_are_reported_together() {
    let path =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/invalid/many_problems.yaml");
    let Err(Error::Specs(files)) = generate(&path) else {
        panic!("expected spec errors")
    };
    assert!(
        files[0].diagnostics.len() >= 7,
        "{:#?}",
        files[0].diagnostics
    );
}

#[test]
fn output_is_deterministic() {
    for path in fixtures("valid") {
        assert_eq!(generate(&path).unwrap(), generate(&path).unwrap());
    }
}

#[test]
fn two_specs_with_one_module_name_are_refused() {
    let source =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/valid/user_supplied_env.yaml");
    let dir = std::env::temp_dir().join(format!("vendor-auth-dup-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    for name in ["a.yaml", "b.yaml"] {
        std::fs::copy(&source, dir.join(name)).unwrap();
    }
    let result = Config::new()
        .spec_dir(&dir)
        .emit_rerun_if_changed(false)
        .generate();
    std::fs::remove_dir_all(&dir).unwrap();
    let error = result.expect_err("two specs declare module multi_env_vendor");
    assert!(matches!(error, Error::DuplicateModule { .. }), "{error}");
    assert!(
        error
            .to_string()
            .contains("give one of them another module name"),
        "{error}"
    );
}

#[test]
fn the_same_file_named_twice_is_generated_once() {
    let path =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/valid/user_supplied_env.yaml");
    let generated = Config::new()
        .spec(&path)
        .spec(&path)
        .emit_rerun_if_changed(false)
        .generate()
        .unwrap();
    assert_eq!(generated.len(), 1);
}
