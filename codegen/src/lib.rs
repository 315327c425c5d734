//! The generator behind `vendor-auth`: vendor token-endpoint specs (YAML) in,
//! typed Rust clients out.
//!
//! The pipeline has one module per stage:
//!
//! 1. [`parse`]: text to the spec's serde types, keeping source positions;
//! 2. [`validate`]: spec to [`model`], reporting every problem in a file at once;
//! 3. `emit`: model to tokens that call the `vendor-auth` runtime;
//! 4. `format`: tokens to source text with an `@generated` header.
//!
//! Use it from `build.rs`, in the spirit of `prost_build::Config`:
//!
//! ```no_run
//! // build.rs
//! vendor_auth_codegen::Config::new()
//!     .spec_dir("specs")
//!     .compile()
//!     .unwrap_or_else(|error| vendor_auth_codegen::fail_build(&error));
//! ```
//!
//! and include the result where the modules should live:
//!
//! ```ignore
//! include!(concat!(env!("OUT_DIR"), "/vendors.rs"));
//! ```

#![warn(missing_docs)]

pub mod diagnostic;
// The pipeline's stages are public for the generator benchmarks, which time
// each stage; they are not a stable API.
#[doc(hidden)]
pub mod emit;
#[doc(hidden)]
pub mod format;
#[doc(hidden)]
pub mod model;
#[doc(hidden)]
pub mod parse;
#[doc(hidden)]
pub mod validate;

use std::fmt;
use std::path::{Path, PathBuf};

pub use diagnostic::{Diagnostic, SpecErrors};

/// Settings for one run of the generator.
#[derive(Debug, Clone)]
pub struct Config {
    specs: Vec<PathBuf>,
    spec_dirs: Vec<PathBuf>,
    out_dir: Option<PathBuf>,
    runtime_path: String,
    index_file: String,
    emit_rerun_if_changed: bool,
    options: emit::Options,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            specs: Vec::new(),
            spec_dirs: Vec::new(),
            out_dir: None,
            runtime_path: "::vendor_auth".to_owned(),
            index_file: "vendors.rs".to_owned(),
            emit_rerun_if_changed: true,
            options: emit::Options::default(),
        }
    }
}

/// One generated vendor module.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Generated {
    /// The module name, which is also the file stem (`verbio` → `verbio.rs`).
    pub module: String,
    /// The spec it came from.
    pub spec: PathBuf,
    /// Formatted source, `@generated` header included.
    pub code: String,
}

impl Config {
    /// A configuration with the defaults: runtime `::vendor_auth`, index `vendors.rs`, `rerun-if-changed` lines on.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds one spec file.
    pub fn spec(&mut self, path: impl Into<PathBuf>) -> &mut Self {
        self.specs.push(path.into());
        self
    }

    /// Adds every `*.yaml` / `*.yml` file of a directory (not recursive).
    pub fn spec_dir(&mut self, path: impl Into<PathBuf>) -> &mut Self {
        self.spec_dirs.push(path.into());
        self
    }

    /// Where to write; defaults to `$OUT_DIR`.
    pub fn out_dir(&mut self, path: impl Into<PathBuf>) -> &mut Self {
        self.out_dir = Some(path.into());
        self
    }

    /// Path of the runtime crate in generated code; `::vendor_auth` unless
    /// the runtime is re-exported elsewhere (e.g. `crate` inside vendor-auth).
    pub fn runtime_path(&mut self, path: impl Into<String>) -> &mut Self {
        self.runtime_path = path.into();
        self
    }

    /// Name of the file that includes every module; `vendors.rs` by default.
    pub fn index_file(&mut self, name: impl Into<String>) -> &mut Self {
        self.index_file = name.into();
        self
    }

    /// Whether to print `cargo:rerun-if-changed` lines (on by default; turn
    /// off outside build scripts).
    pub fn emit_rerun_if_changed(&mut self, emit: bool) -> &mut Self {
        self.emit_rerun_if_changed = emit;
        self
    }

    /// Whether to describe each vendor for tools that pick one by name at run
    /// time: a `VENDOR_INFO` constant and a `FromEnv` impl per module, and a
    /// `VENDORS` list in the index (what the `vendor-auth` command uses). Off
    /// by default: it adds about 20 ms of build time per vendor, which only
    /// such tools need (BENCHMARKS.md, "Build cost").
    pub fn registry(&mut self, registry: bool) -> &mut Self {
        self.options.registry = registry;
        self
    }

    /// Generates every spec into the output directory: one `<module>.rs` per
    /// vendor and an index file that includes them. Files are rewritten only
    /// when their contents change, so unchanged specs cost no rebuild.
    pub fn compile(&self) -> Result<Vec<Generated>, Error> {
        let out_dir = match &self.out_dir {
            Some(dir) => dir.clone(),
            None => std::env::var_os("OUT_DIR")
                .map(PathBuf::from)
                .ok_or(Error::NoOutDir)?,
        };
        let generated = self.generate()?;
        let files = self.files(&generated)?;
        std::fs::create_dir_all(&out_dir).map_err(|source| Error::Io {
            path: out_dir.clone(),
            source,
        })?;
        for (name, text) in &files {
            write_if_changed(&out_dir.join(name), text)?;
        }
        Ok(generated)
    }

    /// Makes the `.rs` files of `dir` exactly what [`compile`](Self::compile)
    /// would write there, removing those of specs that are gone, and returns
    /// what differed (`write verbio.rs`, `remove gone.rs (its spec is gone)`).
    /// With `check_only`, only reports. This keeps a committed copy of the
    /// generated code (e.g. `generated/`) in step with the specs.
    pub fn sync(&self, dir: &Path, check_only: bool) -> Result<Vec<String>, Error> {
        let files = self.files(&self.generate()?)?;
        let io = |path: &Path| {
            let path = path.to_owned();
            move |source| Error::Io { path, source }
        };
        let mut current = Vec::new();
        if dir.exists() {
            for entry in std::fs::read_dir(dir).map_err(io(dir))? {
                let path = entry.map_err(io(dir))?.path();
                if path.extension().is_some_and(|e| e == "rs") {
                    current.push(path);
                }
            }
        }
        let mut changes = Vec::new();
        for (name, text) in &files {
            let path = dir.join(name);
            if std::fs::read_to_string(&path).ok().as_deref() != Some(text.as_str()) {
                changes.push(format!("write {name}"));
                if !check_only {
                    std::fs::create_dir_all(dir).map_err(io(dir))?;
                    std::fs::write(&path, text).map_err(io(&path))?;
                }
            }
        }
        current.sort();
        for path in current {
            let name = path
                .file_name()
                .unwrap_or_default()
                .to_string_lossy()
                .into_owned();
            if !files.iter().any(|(n, _)| *n == name) {
                changes.push(format!("remove {name} (its spec is gone)"));
                if !check_only {
                    std::fs::remove_file(&path).map_err(io(&path))?;
                }
            }
        }
        Ok(changes)
    }

    /// Every output file, by name: one per module and the index, which
    /// includes them relative to itself, wherever the output lives.
    fn files(&self, generated: &[Generated]) -> Result<Vec<(String, String)>, Error> {
        let runtime: syn::Path = syn::parse_str(&self.runtime_path)
            .map_err(|_| Error::RuntimePath(self.runtime_path.clone()))?;
        let modules: Vec<&str> = generated.iter().map(|g| g.module.as_str()).collect();
        let index = format::format_index(emit::index(&modules, &runtime, self.options));
        let mut files: Vec<(String, String)> = generated
            .iter()
            .map(|g| (format!("{}.rs", g.module), g.code.clone()))
            .collect();
        if let Some(clash) = generated
            .iter()
            .find(|g| format!("{}.rs", g.module) == self.index_file)
        {
            return Err(Error::IndexClash {
                module: clash.module.clone(),
                index_file: self.index_file.clone(),
            });
        }
        files.push((self.index_file.clone(), index));
        Ok(files)
    }

    /// Generates every spec in memory, in file-name order, without writing.
    pub fn generate(&self) -> Result<Vec<Generated>, Error> {
        let runtime: syn::Path = syn::parse_str(&self.runtime_path)
            .map_err(|_| Error::RuntimePath(self.runtime_path.clone()))?;
        let files = self.spec_files()?;
        let mut sources = Vec::with_capacity(files.len());
        for path in &files {
            if self.emit_rerun_if_changed {
                println!("cargo:rerun-if-changed={}", path.display());
            }
            let source = std::fs::read_to_string(path).map_err(|source| Error::Io {
                path: path.clone(),
                source,
            })?;
            sources.push((path.as_path(), source));
        }
        let mut generated = Vec::new();
        let mut failures = Vec::new();
        for result in generate_parallel(&sources, &runtime, self.options) {
            match result {
                Ok(module) => generated.push(module),
                Err(errors) => failures.push(errors),
            }
        }
        if !failures.is_empty() {
            return Err(Error::Specs(failures));
        }
        for (i, module) in generated.iter().enumerate() {
            if let Some(other) = generated[..i].iter().find(|m| m.module == module.module) {
                return Err(Error::DuplicateModule {
                    module: module.module.clone(),
                    first: other.spec.clone(),
                    second: module.spec.clone(),
                });
            }
        }
        Ok(generated)
    }

    fn spec_files(&self) -> Result<Vec<PathBuf>, Error> {
        let mut files = self.specs.clone();
        for dir in &self.spec_dirs {
            if self.emit_rerun_if_changed {
                // The directory itself, so that a new spec file triggers a rerun.
                println!("cargo:rerun-if-changed={}", dir.display());
            }
            let entries = std::fs::read_dir(dir).map_err(|source| Error::Io {
                path: dir.clone(),
                source,
            })?;
            for entry in entries {
                let path = entry
                    .map_err(|source| Error::Io {
                        path: dir.clone(),
                        source,
                    })?
                    .path();
                if matches!(
                    path.extension().and_then(|e| e.to_str()),
                    Some("yaml" | "yml")
                ) {
                    files.push(path);
                }
            }
        }
        files.sort();
        files.dedup();
        Ok(files)
    }
}

/// Generates every spec, spread over the available cores; results come back
/// in input order, so the output does not depend on scheduling.
fn generate_parallel(
    sources: &[(&Path, String)],
    runtime: &syn::Path,
    options: emit::Options,
) -> Vec<Result<Generated, SpecErrors>> {
    let threads = std::thread::available_parallelism()
        .map_or(1, |n| n.get())
        .min(sources.len());
    if threads <= 1 {
        return sources
            .iter()
            .map(|(path, source)| generate_one_with(path, source, runtime, options))
            .collect();
    }
    let chunk = sources.len().div_ceil(threads);
    // syn::Path holds proc_macro2 tokens, which are not Send: each thread
    // parses its own copy from text.
    let runtime_text = quote::ToTokens::to_token_stream(runtime).to_string();
    std::thread::scope(|scope| {
        let workers: Vec<_> = sources
            .chunks(chunk)
            .map(|part| {
                let runtime_text = runtime_text.as_str();
                scope.spawn(move || {
                    let runtime: syn::Path =
                        syn::parse_str(runtime_text).expect("the runtime path parsed before");
                    part.iter()
                        .map(|(path, source)| generate_one_with(path, source, &runtime, options))
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        workers
            .into_iter()
            .flat_map(|worker| {
                worker
                    .join()
                    .unwrap_or_else(|panic| std::panic::resume_unwind(panic))
            })
            .collect()
    })
}

/// Checks one spec as the build would, against the `::vendor_auth` runtime:
/// the generated module, or every problem in the file. (Problems across
/// files, such as two specs with one module name, need [`Config::generate`].)
#[doc(hidden)]
pub fn check_spec(path: &Path, source: &str) -> Result<Generated, SpecErrors> {
    let runtime: syn::Path = syn::parse_quote!(::vendor_auth);
    generate_one(path, source, &runtime)
}

/// Parses, validates, emits and formats one spec, with the default options.
pub fn generate_one(
    path: &Path,
    source: &str,
    runtime: &syn::Path,
) -> Result<Generated, SpecErrors> {
    generate_one_with(path, source, runtime, emit::Options::default())
}

/// [`generate_one`] with emit options (see [`Config::registry`]).
pub fn generate_one_with(
    path: &Path,
    source: &str,
    runtime: &syn::Path,
    options: emit::Options,
) -> Result<Generated, SpecErrors> {
    let source_name = path.file_name().map_or_else(
        || path.display().to_string(),
        |n| n.to_string_lossy().into_owned(),
    );
    // Editors on some systems save a UTF-8 byte-order mark; it is not YAML.
    let source = source.strip_prefix('\u{feff}').unwrap_or(source);
    let parsed = parse::parse(source).map_err(|d| SpecErrors::new(path, source, vec![d]))?;
    let vendor =
        validate::validate(&parsed, &source_name).map_err(|d| SpecErrors::new(path, source, d))?;
    let tokens = emit::vendor(&vendor, runtime, options);
    let code = format::format(tokens, &source_name).map_err(|error| {
        // The emitter produced invalid Rust: a generator bug, not a spec error.
        SpecErrors::new(
            path,
            source,
            vec![
                Diagnostic::new(
                    format!("internal error: generated code does not parse: {error}"),
                    None,
                )
                .help("please report this with the spec attached"),
            ],
        )
    })?;
    Ok(Generated {
        module: vendor.module,
        spec: path.to_owned(),
        code,
    })
}

fn write_if_changed(path: &Path, contents: &str) -> Result<(), Error> {
    if std::fs::read_to_string(path).is_ok_and(|old| old == contents) {
        return Ok(());
    }
    std::fs::write(path, contents).map_err(|source| Error::Io {
        path: path.to_owned(),
        source,
    })
}

/// Why generation failed.
#[derive(Debug)]
pub enum Error {
    /// One or more spec files have problems; each lists all of its own.
    Specs(Vec<SpecErrors>),
    /// A file or directory could not be read or written.
    Io {
        /// The file or directory.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// Two specs declare the same module name.
    DuplicateModule {
        /// The module name.
        module: String,
        /// The first spec.
        first: PathBuf,
        /// The second spec.
        second: PathBuf,
    },
    /// A module's file would be the index file.
    IndexClash {
        /// The module name.
        module: String,
        /// The index file's name.
        index_file: String,
    },
    /// `compile()` outside a build script without `out_dir`.
    NoOutDir,
    /// `runtime_path` is not a Rust path.
    RuntimePath(String),
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Specs(files) => files.iter().try_for_each(|errors| write!(f, "{errors}")),
            Error::Io { path, source } => write!(
                f,
                "error: cannot read or write {}: {source}",
                path.display()
            ),
            Error::DuplicateModule {
                module,
                first,
                second,
            } => write!(
                f,
                "error: {} and {} both declare `module: {module}`; give one of them another module name",
                first.display(),
                second.display()
            ),
            Error::IndexClash { module, index_file } => write!(
                f,
                "error: the module `{module}` would be written over the index file {index_file}; rename the module or choose another `index_file`"
            ),
            Error::NoOutDir => f.write_str(
                "error: OUT_DIR is not set; call compile() from build.rs or set Config::out_dir",
            ),
            Error::RuntimePath(path) => write!(
                f,
                "error: `{path}` is not a Rust path; use e.g. `::vendor_auth`"
            ),
        }
    }
}

impl std::error::Error for Error {}

/// Prints `error` for cargo and stops the build script. Cargo shows a build
/// script's output when it fails, so the diagnostics reach the user intact.
pub fn fail_build(error: &Error) -> ! {
    eprintln!("{error}");
    std::process::exit(1)
}

/// Replaces each `x-closed-set` marker with the set's values, from the one
/// definition the generator validates against.
#[cfg(feature = "schema")]
fn fill_closed_sets(value: &mut serde_json::Value) {
    use vendor_auth_rules as sets;
    match value {
        serde_json::Value::Object(object) => {
            if let Some(serde_json::Value::String(set)) = object.remove("x-closed-set") {
                let names: &[&str] = match set.as_str() {
                    "Method" => sets::Method::NAMES,
                    "BodyFormat" => sets::BodyFormat::NAMES,
                    "ExpiryKind" => sets::ExpiryKind::NAMES,
                    "NumberWire" => sets::NumberWire::NAMES,
                    "FieldType" => sets::FieldType::NAMES,
                    "VariableType" => sets::VariableType::NAMES,
                    "JwtAlgorithm" => sets::JwtAlgorithm::NAMES,
                    other => panic!("unknown closed set {other}"),
                };
                object.insert("enum".to_owned(), names.iter().copied().collect());
            }
            object.values_mut().for_each(fill_closed_sets);
        }
        serde_json::Value::Array(items) => items.iter_mut().for_each(fill_closed_sets),
        _ => {}
    }
}

/// The JSON Schema of the spec format, as committed in `specs/schema.json`:
/// editors with the YAML language server use it to complete and check specs
/// as they are typed. The generator's diagnostics remain the authority (they
/// check meaning, which a schema cannot).
#[cfg(feature = "schema")]
pub fn schema() -> String {
    let mut schema = schemars::schema_for!(parse::spec::Spec);
    schema.insert(
        "$id".to_owned(),
        "https://github.com/vendor-auth/vendor-auth/blob/main/specs/schema.json".into(),
    );
    if let Some(object) = schema.as_object_mut() {
        object.values_mut().for_each(fill_closed_sets);
    }
    let mut text = serde_json::to_string_pretty(&schema).expect("a schema serializes");
    text.push('\n');
    text
}
