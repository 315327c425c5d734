//! Generator throughput and scaling: parse, validate, emit and format 1, 10,
//! 100 and 1,000 specs (synthetic variations of the five seed specs).
//!
//! ```text
//! cargo bench -p vendor-auth-bench --bench generator
//! ```

use std::path::Path;
use std::time::{Duration, Instant};

/// The seed specs, each renamed `module: <name>_<n>` for the n-th copy.
fn synthetic_specs(count: usize) -> Vec<(String, String)> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../specs");
    let mut seeds: Vec<(String, String)> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|entry| entry.unwrap().path())
        .filter(|path| path.extension().is_some_and(|e| e == "yaml"))
        .map(|path| {
            (
                path.file_stem().unwrap().to_string_lossy().into_owned(),
                std::fs::read_to_string(&path).unwrap(),
            )
        })
        .collect();
    seeds.sort();
    (0..count)
        .map(|n| {
            let (module, source) = &seeds[n % seeds.len()];
            let renamed = format!("{module}_{n:04}");
            (
                format!("{renamed}.yaml"),
                source.replace(
                    &format!("module: {module}\n"),
                    &format!("module: {renamed}\n"),
                ),
            )
        })
        .collect()
}

#[derive(Default, Clone, Copy)]
struct Stages {
    parse: Duration,
    validate: Duration,
    emit: Duration,
    format: Duration,
}

impl Stages {
    fn total(&self) -> Duration {
        self.parse + self.validate + self.emit + self.format
    }
}

/// Runs the four stages over `specs`, timing each; returns the timings and
/// the lines generated.
fn run(specs: &[(String, String)], runtime: &syn::Path) -> (Stages, usize) {
    let mut stages = Stages::default();
    let mut lines = 0;
    for (name, source) in specs {
        let t = Instant::now();
        let parsed = vendor_auth_codegen::parse::parse(source).unwrap();
        stages.parse += t.elapsed();
        let t = Instant::now();
        let vendor = vendor_auth_codegen::validate::validate(&parsed, name).unwrap();
        stages.validate += t.elapsed();
        let t = Instant::now();
        let tokens = vendor_auth_codegen::emit::vendor(&vendor, runtime, Default::default());
        stages.emit += t.elapsed();
        let t = Instant::now();
        let code = vendor_auth_codegen::format::format(tokens, name).unwrap();
        stages.format += t.elapsed();
        lines += code.lines().count();
    }
    (stages, lines)
}

fn main() {
    if !std::env::args().any(|a| a == "--bench") {
        println!("generator: run with `cargo bench -p vendor-auth-bench --bench generator`");
        return;
    }
    let runtime: syn::Path = syn::parse_str("::vendor_auth").unwrap();
    println!("one thread, best of 3 runs; stage times summed over all specs\n");
    println!(
        "{:>6} {:>11} {:>10} {:>10} {:>10} {:>10} {:>10} {:>9}",
        "specs", "total", "per spec", "parse", "validate", "emit", "format", "lines"
    );
    let mut per_spec = Vec::new();
    for count in [1usize, 10, 100, 1000] {
        let specs = synthetic_specs(count);
        let (best, lines) = (0..3)
            .map(|_| run(&specs, &runtime))
            .min_by_key(|(stages, _)| stages.total())
            .unwrap();
        let per = best.total() / count as u32;
        per_spec.push(per);
        println!(
            "{count:>6} {:>11.2?} {per:>10.2?} {:>10.2?} {:>10.2?} {:>10.2?} {:>10.2?} {lines:>9}",
            best.total(),
            best.parse,
            best.validate,
            best.emit,
            best.format
        );
    }
    let ratio = per_spec[3].as_secs_f64() / per_spec[1].as_secs_f64();
    println!("\nper-spec time at 1,000 specs / at 10 specs: {ratio:.2} (1.00 = linear)");

    // What a build script pays: Config::generate over a directory, which
    // spreads specs over the available cores.
    let dir = std::env::temp_dir().join(format!(
        "vendor-auth-generator-bench-{}",
        std::process::id()
    ));
    std::fs::create_dir_all(&dir).unwrap();
    for (name, source) in synthetic_specs(1000) {
        std::fs::write(dir.join(name), source).unwrap();
    }
    let mut config = vendor_auth_codegen::Config::new();
    config.spec_dir(&dir).emit_rerun_if_changed(false);
    let best = (0..3)
        .map(|_| {
            let t = Instant::now();
            assert_eq!(config.generate().unwrap().len(), 1000);
            t.elapsed()
        })
        .min()
        .unwrap();
    std::fs::remove_dir_all(&dir).unwrap();
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    println!(
        "Config::generate over 1,000 spec files ({cores} cores, reading files included): {best:.2?}"
    );
}
