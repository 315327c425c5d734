//! The `vendor-auth` command, run as a user runs it, and the JSON Schema it
//! publishes.

use std::path::{Path, PathBuf};

use assert_cmd::Command;
use serde_json::Value;

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .unwrap()
        .to_owned()
}

fn vendor_auth() -> Command {
    let mut command = Command::cargo_bin("vendor-auth").unwrap();
    command.current_dir(root());
    command
}

fn run(command: &mut Command) -> (bool, String, String) {
    let output = command.output().unwrap();
    (
        output.status.success(),
        String::from_utf8(output.stdout).unwrap(),
        String::from_utf8(output.stderr).unwrap(),
    )
}

fn yaml_files(dir: &Path) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "yaml"))
        .collect();
    files.sort();
    files
}

#[test]
fn the_committed_schema_is_fresh() {
    let path = root().join("specs/schema.json");
    let fresh = vendor_auth_codegen::schema();
    if std::env::var_os("UPDATE_SCHEMA").is_some() {
        std::fs::write(&path, &fresh).unwrap();
    }
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        committed == fresh,
        "specs/schema.json is stale; refresh it with: cargo run -p vendor-auth-cli -- schema --write specs/schema.json"
    );
}

fn schema_validator() -> jsonschema::Validator {
    let schema: Value =
        serde_json::from_str(&std::fs::read_to_string(root().join("specs/schema.json")).unwrap())
            .unwrap();
    jsonschema::validator_for(&schema).unwrap()
}

fn as_json(path: &Path) -> Value {
    let yaml: serde_yaml::Value =
        serde_yaml::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    // JSON object keys are strings; YAML's `401:` is an integer key.
    serde_json::to_value(yaml).unwrap()
}

#[test]
fn every_valid_spec_satisfies_the_schema_and_names_it() {
    let validator = schema_validator();
    let mut files = yaml_files(&root().join("specs"));
    files.extend(yaml_files(&root().join("codegen/tests/fixtures/valid")));
    files.push(root().join("tests/private-vendor/specs/acme.yaml"));
    for file in &files {
        let errors: Vec<String> = validator
            .iter_errors(&as_json(file))
            .map(|e| e.to_string())
            .collect();
        assert!(errors.is_empty(), "{}: {errors:?}", file.display());
    }
    for file in yaml_files(&root().join("specs")) {
        let first = std::fs::read_to_string(&file).unwrap();
        assert!(
            first.starts_with("# yaml-language-server: $schema=./schema.json\n"),
            "{} does not reference the schema on its first line",
            file.display()
        );
    }
}

#[test]
fn the_schema_catches_what_editors_should_flag() {
    let validator = schema_validator();
    for (fixture, why) in [
        ("unknown_key", "a misspelt key"),
        ("wrong_type", "a string where a number goes"),
        ("missing_environments", "a required key missing"),
        ("unknown_body_encoding", "a value outside the allowed set"),
        ("expiry_unknown_kind", "a value outside the allowed set"),
    ] {
        let path = root().join(format!("codegen/tests/fixtures/invalid/{fixture}.yaml"));
        assert!(
            !validator.is_valid(&as_json(&path)),
            "the schema accepts {why} ({fixture})"
        );
    }
}

#[test]
fn check_passes_the_seed_specs() {
    let (ok, stdout, _) = run(vendor_auth().arg("check"));
    assert!(ok);
    let specs = std::fs::read_dir(root().join("specs"))
        .unwrap()
        .filter(|e| {
            e.as_ref()
                .unwrap()
                .path()
                .extension()
                .is_some_and(|x| x == "yaml")
        })
        .count();
    assert!(
        stdout.contains(&format!("\n{specs} specs checked, no problems")),
        "{stdout}"
    );
}

#[test]
fn check_fails_with_located_diagnostics() {
    let (ok, _, stderr) = run(vendor_auth().args([
        "check",
        "specs/verbio.yaml",
        "codegen/tests/fixtures/invalid/body_on_get.yaml",
    ]));
    assert!(!ok);
    assert!(
        stderr.contains("codegen/tests/fixtures/invalid/body_on_get.yaml:"),
        "{stderr}"
    );
    assert!(stderr.contains("carries no body"), "{stderr}");
    assert!(stderr.contains("help:"), "{stderr}");
    assert!(stderr.contains("1 of 2 specs has problems"), "{stderr}");
}

#[test]
fn check_names_a_missing_path() {
    let (ok, _, stderr) = run(vendor_auth().args(["check", "no/such/spec.yaml"]));
    assert!(!ok);
    assert!(
        stderr.contains("no/such/spec.yaml does not exist"),
        "{stderr}"
    );
}

#[test]
fn generate_check_finds_the_committed_output_fresh() {
    let (ok, stdout, stderr) = run(vendor_auth().args(["generate", "--check"]));
    assert!(ok, "{stdout}{stderr}");
    assert!(stdout.contains("up to date"), "{stdout}");
}

#[test]
fn generate_writes_and_removes() {
    let out = std::env::temp_dir().join(format!("vendor-auth-cli-{}", std::process::id()));
    std::fs::create_dir_all(&out).unwrap();
    std::fs::write(out.join("gone.rs"), "// a spec that was deleted").unwrap();
    let (ok, stdout, _) = run(vendor_auth().args(["generate", "--out"]).arg(&out));
    assert!(ok, "{stdout}");
    assert!(stdout.contains("remove gone.rs"), "{stdout}");
    assert!(out.join("verbio.rs").exists() && out.join("vendors.rs").exists());
    assert!(!out.join("gone.rs").exists());
    std::fs::remove_dir_all(&out).unwrap();
}

#[test]
fn vendors_lists_environment_variables() {
    let (ok, stdout, _) = run(vendor_auth().arg("vendors"));
    assert!(ok);
    for line in [
        "VERBIO_CLIENT_SECRET (secret)",
        "DERBYSOFT_AI_VOICE_DOMAIN_NAME (setting)",
        "VOIPEX_USERNAME (secret)",
        "uat (default), production (needs --url)",
    ] {
        assert!(stdout.contains(line), "missing {line:?} in\n{stdout}");
    }
}

#[test]
fn help_explains_every_command() {
    let (ok, stdout, _) = run(vendor_auth().arg("--help"));
    assert!(ok);
    for command in [
        "check",
        "generate",
        "schema",
        "vendors",
        "token",
        "serve",
        "Examples:",
    ] {
        assert!(stdout.contains(command), "{stdout}");
    }
}

#[test]
fn unknown_vendor_lists_the_known_ones() {
    let (ok, _, stderr) = run(vendor_auth().args(["token", "acme"]));
    assert!(!ok);
    assert!(
        stderr.contains("no vendor `acme`; use one of: adobe_ims, app_store_connect,")
            && stderr.contains("verbio, voipex, x_app_only"),
        "{stderr}"
    );
}

#[test]
fn missing_credentials_name_the_variable() {
    let (ok, _, stderr) = run(vendor_auth()
        .args(["token", "verbio"])
        .env_remove("VERBIO_CLIENT_ID")
        .env_remove("VERBIO_CLIENT_SECRET"));
    assert!(!ok);
    assert!(
        stderr.contains("set the environment variable VERBIO_CLIENT_ID"),
        "{stderr}"
    );
}

#[tokio::test]
async fn token_against_a_stand_in_is_redacted_unless_asked() {
    use vendor_auth_stand_ins::credentials::{PASSWORD, USERNAME};
    let server = vendor_auth_stand_ins::voipex::start().await;
    let token = |show: bool| {
        let mut command = vendor_auth();
        command
            .args(["token", "voipex", "--url", &server.uri()])
            .env("VOIPEX_USERNAME", USERNAME)
            .env("VOIPEX_PASSWORD", PASSWORD);
        if show {
            command.arg("--show-token");
        }
        command
    };
    let (ok, stdout, stderr) = tokio::task::spawn_blocking({
        let mut command = token(false);
        move || run(&mut command)
    })
    .await
    .unwrap();
    assert!(ok, "{stderr}");
    assert!(stdout.contains("access token:  [REDACTED]"), "{stdout}");
    assert!(stdout.contains("refresh token: yes"), "{stdout}");
    assert!(!stdout.contains(PASSWORD) && !stderr.contains(PASSWORD));
    let (ok, shown, _) = tokio::task::spawn_blocking({
        let mut command = token(true);
        move || run(&mut command)
    })
    .await
    .unwrap();
    assert!(ok);
    assert!(!shown.contains("[REDACTED]"), "{shown}");
}

#[test]
fn serve_refuses_a_vendor_without_a_stand_in_or_a_busy_port() {
    let (ok, _, stderr) = run(vendor_auth().args(["serve", "nope"]));
    assert!(!ok);
    assert!(stderr.contains("no vendor `nope`"), "{stderr}");
    let busy = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = busy.local_addr().unwrap().port().to_string();
    let (ok, _, stderr) = run(vendor_auth().args(["serve", "verbio", "--port", &port]));
    assert!(!ok);
    assert!(stderr.contains("pick another --port"), "{stderr}");
}

#[test]
fn a_self_issued_token_from_a_key_file_needs_no_network() {
    // Snowflake key-pair: the key comes from the file `..._FILE` names, and
    // the token is signed locally (nothing listens at the production URL
    // in CI, and nothing is sent).
    let key = root().join("tests/catalogue/keys/rsa_pkcs8.pem");
    let (ok, stdout, stderr) = run(vendor_auth()
        .args(["token", "snowflake_key_pair"])
        .env_remove("SNOWFLAKE_KEY_PAIR_PRIVATE_KEY")
        .env("SNOWFLAKE_KEY_PAIR_PRIVATE_KEY_FILE", &key)
        .env("SNOWFLAKE_KEY_PAIR_ACCOUNT", "myorg-account")
        .env("SNOWFLAKE_KEY_PAIR_USER", "jsmith"));
    assert!(ok, "{stderr}");
    assert!(stdout.contains("access token:  [REDACTED]"), "{stdout}");
    assert!(stdout.contains("lifetime:      3540 s"), "{stdout}");

    let (ok, _, stderr) = run(vendor_auth()
        .args(["token", "snowflake_key_pair"])
        .env_remove("SNOWFLAKE_KEY_PAIR_PRIVATE_KEY")
        .env(
            "SNOWFLAKE_KEY_PAIR_PRIVATE_KEY_FILE",
            "/nonexistent/key.pem",
        )
        .env("SNOWFLAKE_KEY_PAIR_ACCOUNT", "a")
        .env("SNOWFLAKE_KEY_PAIR_USER", "u"));
    assert!(!ok);
    assert!(
        stderr.contains(
            "SNOWFLAKE_KEY_PAIR_PRIVATE_KEY_FILE names /nonexistent/key.pem, which cannot be read"
        ),
        "{stderr}"
    );
}

/// `serve` runs a vendor's mock from its spec; `token --url` with the
/// settings it prints gets a token from it, and the mock logs the exchange.
#[test]
fn serve_mocks_any_vendor_and_token_uses_it() {
    use std::io::{BufRead, BufReader};
    let mut child = std::process::Command::new(assert_cmd::cargo::cargo_bin("vendor-auth"))
        .current_dir(root())
        .args([
            "serve",
            "google_service_account",
            "--lifetime",
            "120",
            "--fail",
            "token=503",
        ])
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let mut settings = Vec::new();
    let mut url = None;
    for line in lines.by_ref() {
        let line = line.unwrap();
        if let Some(export) = line.trim().strip_prefix("export ") {
            let (name, value) = export.split_once('=').unwrap();
            // Shell quoting of the JSON key file: '...' with '\'' inside.
            let value = value
                .strip_prefix('\'')
                .and_then(|v| v.strip_suffix('\''))
                .map_or(value.to_owned(), |v| v.replace("'\\''", "'"));
            settings.push((name.to_owned(), value));
        }
        if let Some(rest) =
            line.strip_prefix("then: vendor-auth token google_service_account --url ")
        {
            url = Some(rest.to_owned());
        }
        if line.starts_with("Ctrl-C") {
            break;
        }
    }
    let url = url.expect("serve prints the URL to use");
    assert!(
        settings
            .iter()
            .any(|(n, _)| n == "GOOGLE_SERVICE_ACCOUNT_SERVICE_ACCOUNT")
    );
    let mut token = vendor_auth();
    token.args(["token", "google_service_account", "--url", &url]);
    for (name, value) in &settings {
        token.env(name, value);
    }
    token.env_remove("GOOGLE_SERVICE_ACCOUNT_SUBJECT");
    // The queued fault answers the first token request.
    let (failed, _, refused) = run(&mut token);
    let (ok, stdout, stderr) = run(&mut token);
    let log: Vec<String> = lines.by_ref().take(2).map(Result::unwrap).collect();
    child.kill().unwrap();
    child.wait().unwrap();
    assert!(!failed && refused.contains("503"), "{refused}");
    assert!(ok, "{stdout}{stderr}");
    assert!(stdout.contains("access token:  [REDACTED]"), "{stdout}");
    assert!(log[0].starts_with("Token POST /token -> 503"), "{log:?}");
    assert!(log[1].starts_with("Token POST /token -> 200"), "{log:?}");
}

#[test]
fn serve_reports_a_broken_spec_with_its_position() {
    let dir = std::env::temp_dir().join(format!("vendor-auth-serve-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let spec = dir.join("broken.yaml");
    std::fs::write(&spec, "name: Broken\nmodule: broken\nenvironments: 7\n").unwrap();
    let (ok, _, stderr) = run(vendor_auth().args(["serve", "--spec"]).arg(&spec));
    assert!(!ok);
    assert!(stderr.contains("broken.yaml:3:"), "{stderr}");
    let (ok, _, stderr) = run(vendor_auth().args(["serve", "verbio", "--fail", "token=teapot"]));
    assert!(!ok);
    assert!(stderr.contains("`teapot` is not a fault"), "{stderr}");
}
