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

/// Every diagnostic that quotes something (`name`, `value`) points at text
/// that holds it: its position is checked against the file itself, not
/// against a snapshot of earlier output.
#[test]
fn diagnostics_point_at_what_they_name() {
    let mut checked = 0;
    let mut misplaced = Vec::new();
    for path in fixtures("invalid") {
        let Err(Error::Specs(files)) = generate(&path) else {
            continue;
        };
        let file = &files[0];
        for diagnostic in &file.diagnostics {
            let Some(span) = diagnostic.span.clone() else {
                continue;
            };
            // The subject: text quoted within the message's first three
            // words (`` `x` is not ... ``, ``credential `x` is ...``), not
            // the examples and suggestions quoted later.
            let Some(subject) = subject(&diagnostic.message) else {
                continue;
            };
            // A missing field cannot be pointed at: the map that lacks it is.
            if diagnostic.message.contains("missing field") {
                continue;
            }
            let mut quoted: Vec<&str> = diagnostic.message.split('`').skip(1).step_by(2).collect();
            quoted.retain(|q| !q.is_empty());
            quoted.insert(0, subject);
            let at = &file.source[span.clone()];
            // The quoted text as YAML writes it: a key, a plain or quoted
            // scalar (whose escapes differ), or a placeholder's name.
            let holds = quoted
                .iter()
                .any(|q| at.contains(q) || at.contains(&q.escape_default().to_string()));
            checked += 1;
            // The expiry field reads `access_token` too: the caret is on the
            // second declaration (`expiry`), which names no field itself.
            let known = stem(&path) == "duplicate_wire_name" && at == "expiry";
            if !holds && !known {
                misplaced.push(format!(
                    "{}: {:?} points at {at:?}",
                    stem(&path),
                    diagnostic.message
                ));
            }
        }
    }
    assert!(
        checked > 100,
        "only {checked} diagnostics quote what they name"
    );
    assert!(
        misplaced.is_empty(),
        "{} misplaced:\n{}",
        misplaced.len(),
        misplaced.join("\n")
    );
}

fn subject(message: &str) -> Option<&str> {
    // A serde message starts with the path of the value it is about.
    let message =
        message.split_once(": ").map_or(
            message,
            |(head, rest)| {
                if head.contains(' ') { message } else { rest }
            },
        );
    let start = message.find('`')?;
    if message[..start].split_whitespace().count() > 2 {
        return None;
    }
    let rest = &message[start + 1..];
    let end = rest.find('`')?;
    Some(&rest[..end]).filter(|s| !s.is_empty())
}
