//! `vendor-auth`: the command-line companion of the vendor-auth crate.
//!
//! It checks and generates specs with the build's own diagnostics, prints
//! the spec format's JSON Schema, gets a real token with credentials from
//! environment variables, and serves any vendor as a mock made from its spec
//! (or a seed vendor's hand-written stand-in).

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use vendor_auth::{ExposeSecret, Selection, VENDORS, Vendor};
use vendor_auth_codegen::{Config, Error as CodegenError};

const AFTER_HELP: &str = "\
Examples:
  vendor-auth check                        # every spec in ./specs
  vendor-auth check specs/acme.yaml        # one file, e.g. from a pre-commit hook
  vendor-auth generate                     # refresh ./generated from ./specs
  vendor-auth vendors                      # what `token` and `serve` know
  vendor-auth serve verbio                 # a mock Verbio on 127.0.0.1, from its spec
  vendor-auth serve --spec specs/acme.yaml # a mock of your own vendor
  VERBIO_CLIENT_ID=.. VERBIO_CLIENT_SECRET=.. vendor-auth token verbio

Exit status: 0 on success, 1 when a spec or a vendor call fails, 2 on a usage error.";

/// Check and generate vendor token-endpoint specs, get a real token, or
/// serve a vendor as a local mock.
#[derive(Parser)]
#[command(name = "vendor-auth", version, after_help = AFTER_HELP)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Validate specs with the same diagnostics as the build; exit 1 on any
    /// problem. For CI and pre-commit hooks.
    Check {
        /// Spec files or directories of them.
        #[arg(default_value = "specs")]
        paths: Vec<PathBuf>,
    },
    /// Generate every spec of a directory into another, removing the files of
    /// specs that are gone (the repository's `generated/` by default), as the
    /// vendor-auth crate's build does (with `VENDOR_INFO` for tools).
    Generate {
        /// Where the specs are.
        #[arg(long, default_value = "specs")]
        specs: PathBuf,
        /// Where the generated modules go.
        #[arg(long, default_value = "generated")]
        out: PathBuf,
        /// Only report whether the output is up to date (exit 1 if not).
        #[arg(long)]
        check: bool,
    },
    /// Print the JSON Schema of the spec format, or write it to a file.
    Schema {
        /// Write here instead of standard output (e.g. specs/schema.json).
        #[arg(long)]
        write: Option<PathBuf>,
    },
    /// List the vendors built into this command, their environments and the
    /// environment variables `token` reads.
    Vendors,
    /// Get a real token from VENDOR with credentials from environment
    /// variables, and print it normalized, redacted unless --show-token.
    /// `vendor-auth vendors` lists the variables of each vendor.
    Token {
        /// The vendor's module name, e.g. `verbio`.
        vendor: String,
        /// An environment of the vendor's spec; its default if omitted.
        #[arg(long = "env", value_name = "NAME")]
        environment: Option<String>,
        /// A base URL: for an environment whose URL the user supplies, or,
        /// without --env, any other server (a proxy, `vendor-auth serve`).
        #[arg(long, value_name = "URL")]
        url: Option<String>,
        /// Print the access token itself. It is a secret: mind your logs.
        #[arg(long)]
        show_token: bool,
    },
    /// Serve a vendor on loopback until Ctrl-C, as a mock made from its spec:
    /// its token, refresh and revoke operations exactly as declared, every
    /// request checked against the spec (a 400 names what differs), and
    /// API calls checked for the declared authorization. Prints the
    /// credentials and settings it accepts.
    Serve {
        /// A bundled vendor's module name, e.g. `verbio`.
        #[arg(required_unless_present = "spec", conflicts_with = "spec")]
        vendor: Option<String>,
        /// Serve the spec in this file instead (your own vendor).
        #[arg(long, value_name = "FILE")]
        spec: Option<PathBuf>,
        /// Port on 127.0.0.1; a free one if omitted.
        #[arg(long, default_value_t = 0)]
        port: u16,
        /// Lifetime of the tokens it issues, in seconds.
        #[arg(long, value_name = "SECONDS", default_value_t = 3600)]
        lifetime: u64,
        /// Serve a seed vendor's hand-written stand-in (written from the
        /// vendor's documents, not from its spec) instead of the mock.
        #[arg(long, conflicts_with = "spec")]
        stand_in: bool,
        /// Answer the first request of an exchange (token, refresh, revoke,
        /// step, api, any) with a fault: a status (503), 429:SECONDS,
        /// slow:MILLISECONDS, invalid-json, unauthorized or
        /// rejected-refresh-token. Repeatable; more can be queued while it
        /// runs with `POST /__mock/fail?exchange=..&fault=..`.
        #[arg(long, value_name = "EXCHANGE=FAULT")]
        fail: Vec<String>,
    },
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Check { paths } => check(&paths),
        Command::Generate { specs, out, check } => generate(&specs, &out, check),
        Command::Schema { write } => schema(write.as_deref()),
        Command::Vendors => {
            print!("{}", vendors_text());
            Ok(())
        }
        Command::Token {
            vendor,
            environment,
            url,
            show_token,
        } => runtime().and_then(|rt| {
            rt.block_on(token(
                &vendor,
                Selection {
                    environment,
                    base_url: url,
                },
                show_token,
            ))
        }),
        Command::Serve {
            vendor,
            spec,
            port,
            lifetime,
            stand_in,
            fail,
        } => runtime().and_then(|rt| {
            rt.block_on(async {
                match (vendor, spec) {
                    (Some(vendor), _) if stand_in => serve_stand_in(&vendor, port).await,
                    (vendor, spec) => {
                        serve_mock(vendor.as_deref(), spec, port, lifetime, &fail).await
                    }
                }
            })
        }),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("{message}");
            ExitCode::FAILURE
        }
    }
}

fn runtime() -> Result<tokio::runtime::Runtime, String> {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| format!("error: cannot start the async runtime: {e}"))
}

/// Every `.yaml`/`.yml` file named or inside a named directory, sorted.
fn spec_files(paths: &[PathBuf]) -> Result<Vec<PathBuf>, String> {
    let mut files = Vec::new();
    for path in paths {
        if path.is_dir() {
            let entries = std::fs::read_dir(path)
                .map_err(|e| format!("error: cannot read {}: {e}", path.display()))?;
            for entry in entries {
                let file = entry
                    .map_err(|e| format!("error: cannot read {}: {e}", path.display()))?
                    .path();
                if matches!(
                    file.extension().and_then(|e| e.to_str()),
                    Some("yaml" | "yml")
                ) {
                    files.push(file);
                }
            }
        } else if path.exists() {
            files.push(path.clone());
        } else {
            return Err(format!(
                "error: {} does not exist; give spec files or directories (default: ./specs)",
                path.display()
            ));
        }
    }
    files.sort();
    Ok(files)
}

/// Checks specs exactly as the build does: through the generator's `Config`,
/// so that problems across files (two specs with one module name) are found
/// too.
fn check(paths: &[PathBuf]) -> Result<(), String> {
    let files = spec_files(paths)?;
    if files.is_empty() {
        return Err("error: no .yaml spec files found".to_owned());
    }
    let mut config = Config::new();
    config.emit_rerun_if_changed(false);
    for file in &files {
        config.spec(file);
    }
    let failed: Vec<PathBuf> = match config.generate() {
        Ok(_) => Vec::new(),
        Err(CodegenError::Specs(failures)) => {
            for failure in &failures {
                eprint!("{failure}");
            }
            failures.into_iter().map(|f| f.path).collect()
        }
        Err(other) => return Err(format!("error: {other}")),
    };
    for file in files.iter().filter(|f| !failed.contains(f)) {
        println!("ok: {}", file.display());
    }
    match failed.len() {
        0 => {
            println!(
                "{} spec{} checked, no problems",
                files.len(),
                plural(files.len())
            );
            Ok(())
        }
        n => Err(format!(
            "error: {n} of {} spec{} {} problems",
            files.len(),
            plural(files.len()),
            if n == 1 { "has" } else { "have" }
        )),
    }
}

fn plural(n: usize) -> &'static str {
    if n == 1 { "" } else { "s" }
}

fn generate(specs: &Path, out: &Path, check_only: bool) -> Result<(), String> {
    let changes = Config::new()
        .spec_dir(specs)
        // As the vendor-auth crate's own build.rs does.
        .registry(true)
        .emit_rerun_if_changed(false)
        .sync(out, check_only)
        .map_err(|e| e.to_string())?;
    if changes.is_empty() {
        println!("{} is up to date", out.display());
        return Ok(());
    }
    for change in &changes {
        println!("{change}");
    }
    if check_only {
        Err(format!(
            "error: {} is stale; run `vendor-auth generate`",
            out.display()
        ))
    } else {
        println!("{} updated", out.display());
        Ok(())
    }
}

fn schema(write: Option<&Path>) -> Result<(), String> {
    let text = vendor_auth_codegen::schema();
    match write {
        None => {
            print!("{text}");
            Ok(())
        }
        Some(path) => std::fs::write(path, text)
            .map_err(|e| format!("error: cannot write {}: {e}", path.display())),
    }
}

fn vendors_text() -> String {
    let mut out = String::new();
    for vendor in VENDORS {
        let stand_in = if vendor_auth_stand_ins::VENDORS.contains(&vendor.module) {
            " (has a stand-in: `vendor-auth serve`)"
        } else {
            ""
        };
        out.push_str(&format!("{}: {}{stand_in}\n", vendor.module, vendor.name));
        let environments: Vec<String> = vendor
            .environments
            .iter()
            .map(|e| {
                let default = if Some(e.name) == vendor.default_environment {
                    " (default)"
                } else {
                    ""
                };
                let supplied = if e.user_supplied {
                    " (needs --url)"
                } else {
                    ""
                };
                format!("{}{default}{supplied}", e.name)
            })
            .collect();
        out.push_str(&format!("  environments: {}\n", environments.join(", ")));
        for var in vendor.env_vars {
            let kind = if var.secret { "secret" } else { "setting" };
            let description = var
                .description
                .map(|d| format!(": {d}"))
                .unwrap_or_default();
            out.push_str(&format!("  {} ({kind}){description}\n", var.name));
        }
    }
    out
}

fn find_vendor(module: &str) -> Result<&'static Vendor, String> {
    VENDORS.iter().find(|v| v.module == module).ok_or_else(|| {
        let known: Vec<&str> = VENDORS.iter().map(|v| v.module).collect();
        format!(
            "error: no vendor `{module}`; use one of: {}",
            known.join(", ")
        )
    })
}

async fn token(module: &str, selection: Selection, show_token: bool) -> Result<(), String> {
    let vendor = find_vendor(module)?;
    let token = vendor
        .fetch_token_from_env(selection)
        .await
        .map_err(|e| format!("error: {e}"))?;
    println!("vendor:        {}", vendor.name);
    match show_token {
        true => println!("access token:  {}", token.access_token().expose_secret()),
        false => println!(
            "access token:  [REDACTED] ({} characters; --show-token prints it)",
            token.access_token().expose_secret().len()
        ),
    }
    println!(
        "token type:    {}",
        token.token_type().unwrap_or("(not sent)")
    );
    println!("lifetime:      {} s", token.lifetime().as_secs());
    let expires_at = token.expires_at_utc();
    let expires_at = expires_at
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_else(|_| expires_at.to_string());
    println!("expires at:    {expires_at}");
    println!(
        "refresh token: {}",
        if token.refresh_token().is_some() {
            "yes"
        } else {
            "no"
        }
    );
    if let Some(scope) = token.scope() {
        println!("scope:         {scope}");
    }
    Ok(())
}

fn listen(port: u16) -> Result<std::net::TcpListener, String> {
    std::net::TcpListener::bind(("127.0.0.1", port))
        .map_err(|e| format!("error: cannot listen on 127.0.0.1:{port}: {e}; pick another --port"))
}

async fn serve_mock(
    module: Option<&str>,
    spec: Option<PathBuf>,
    port: u16,
    lifetime: u64,
    faults: &[String],
) -> Result<(), String> {
    use vendor_auth::testing::{Exchange, Fault, MockVendor};
    let faults = faults
        .iter()
        .map(|text| {
            let (exchange, fault) = text.split_once('=').ok_or_else(|| {
                format!("error: --fail {text}: write EXCHANGE=FAULT, e.g. token=503")
            })?;
            let exchange: Exchange = exchange
                .parse()
                .map_err(|e| format!("error: --fail {text}: {e}"))?;
            let fault: Fault = fault
                .parse()
                .map_err(|e| format!("error: --fail {text}: {e}"))?;
            Ok((exchange, fault))
        })
        .collect::<Result<Vec<_>, String>>()?;
    let builder = match (module, spec) {
        (_, Some(path)) => MockVendor::from_spec_file(path),
        (Some(module), None) => {
            find_vendor(module)?;
            MockVendor::builder(module)
        }
        (None, None) => return Err("error: name a vendor or give --spec FILE".into()),
    };
    let vendor = builder
        .lifetime(std::time::Duration::from_secs(lifetime))
        .listener(listen(port)?)
        .start()
        .await
        .map_err(|e| format!("error: {e}"))?;
    for (exchange, fault) in faults {
        vendor.fail_next(exchange, fault);
    }
    println!("{} mock listening on {}", vendor.name(), vendor.uri());
    println!("it accepts these credentials and settings (made up for the mock):");
    for (name, value) in vendor.settings() {
        println!("  export {name}={}", shell_quote(&value));
    }
    if let Some(module) = module {
        println!("then: vendor-auth token {module} --url {}", vendor.uri());
    }
    println!("requests that differ from the spec are answered 400 and listed here.");
    println!(
        "faults: curl -X POST '{}/__mock/fail?exchange=token&fault=503'; what it answered: {}/__mock/journal",
        vendor.uri(),
        vendor.uri()
    );
    println!("Ctrl-C stops it.");
    let mut reported = 0;
    loop {
        tokio::select! {
            stop = tokio::signal::ctrl_c() => {
                return stop.map_err(|e| format!("error: cannot wait for Ctrl-C: {e}"));
            }
            () = tokio::time::sleep(std::time::Duration::from_millis(200)) => {
                for record in vendor.journal().into_iter().skip(reported) {
                    reported += 1;
                    let problem = record.problem.map(|p| format!(": {p}")).unwrap_or_default();
                    println!("{:?} {} {} -> {}{problem}", record.exchange, record.method, record.path, record.status);
                }
            }
        }
    }
}

/// `value` as one shell word (keys span lines, JSON has quotes).
fn shell_quote(value: &str) -> String {
    if value
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || "-_.:/@".contains(c))
    {
        value.to_owned()
    } else {
        format!("'{}'", value.replace('\'', "'\\''"))
    }
}

async fn serve_stand_in(module: &str, port: u16) -> Result<(), String> {
    let vendor = find_vendor(module)?;
    let listener = listen(port)?;
    let server = vendor_auth_stand_ins::start_named(module, Some(listener))
        .await
        .ok_or_else(|| {
            format!(
                "error: `{module}` has no stand-in; stand-ins exist for: {}",
                vendor_auth_stand_ins::VENDORS.join(", ")
            )
        })?;
    println!("{} stand-in listening on {}", vendor.name, server.uri());
    println!("it accepts the stand-in credentials:");
    for var in vendor.env_vars {
        let value = stand_in_value(var.name);
        println!("  export {}={value}", var.name);
    }
    println!("then: vendor-auth token {module} --url {}", server.uri());
    println!("Ctrl-C stops it.");
    tokio::signal::ctrl_c()
        .await
        .map_err(|e| format!("error: cannot wait for Ctrl-C: {e}"))?;
    Ok(())
}

/// The stand-ins' fixed credentials, by the variable's last word.
fn stand_in_value(var: &str) -> &'static str {
    use vendor_auth_stand_ins::credentials::*;
    let var = var.to_ascii_lowercase();
    if var.ends_with("client_id") {
        CLIENT_ID
    } else if var.ends_with("client_secret") {
        CLIENT_SECRET
    } else if var.ends_with("username") {
        USERNAME
    } else if var.ends_with("password") {
        PASSWORD
    } else {
        "<any value>"
    }
}
