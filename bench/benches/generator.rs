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

fn main() {
    if !std::env::args().any(|a| a == "--bench") {
        println!("generator: run with `cargo bench -p vendor-auth-bench --bench generator`");
        return;
    }
    let runtime: syn::Path = syn::parse_str("::vendor_auth").unwrap();
    println!(
        "{:>6} {:>14} {:>14} {:>16} {:>12}",
        "specs", "total", "per spec", "parse+validate", "lines out"
    );
    let mut per_spec = Vec::new();
    for count in [1usize, 10, 100, 1000] {
        let specs = synthetic_specs(count);
        // Best of three runs: the figure of interest is the work, not the noise.
        let mut best = Duration::MAX;
        let mut best_front = Duration::MAX;
        let mut lines = 0;
        for _ in 0..3 {
            let started = Instant::now();
            let mut front = Duration::ZERO;
            lines = 0;
            for (name, source) in &specs {
                let front_started = Instant::now();
                let parsed = vendor_auth_codegen::parse::parse(source).unwrap();
                vendor_auth_codegen::validate::validate(&parsed, name).unwrap();
                front += front_started.elapsed();
                let generated =
                    vendor_auth_codegen::generate_one(Path::new(name), source, &runtime).unwrap();
                lines += generated.code.lines().count();
            }
            let total = started.elapsed() - front; // generate_one repeats parse+validate
            best = best.min(total);
            best_front = best_front.min(front);
        }
        let per = best / count as u32;
        per_spec.push(per);
        println!(
            "{count:>6} {best:>14.2?} {per:>14.2?} {:>16.2?} {lines:>12}",
            best_front
        );
    }
    let ratio = per_spec[3].as_secs_f64() / per_spec[1].as_secs_f64();
    println!("\nper-spec time at 1,000 specs / at 10 specs: {ratio:.2} (1.00 = linear)");
}
