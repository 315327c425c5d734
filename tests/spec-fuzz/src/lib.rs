//! Specs made by `build.rs` from a seeded generator: coherent vendors
//! carrying hostile names, descriptions, templates and URLs. Every spec the
//! generator's own checks accept is compiled into this crate, so a spec that
//! `check` accepts but rustc, clippy (`-D warnings`, `missing_docs`) or
//! rustdoc's doctests refuse fails the build of the workspace. The ones
//! refused are counted in [`SUMMARY`].
//!
//! `SPEC_FUZZ_SEED` and `SPEC_FUZZ_COUNT` choose another batch.

#![warn(missing_docs)]

/// The generated modules.
pub mod fuzzed {
    include!(concat!(env!("OUT_DIR"), "/fuzzed.rs"));
}

/// `(seed, specs generated, accepted and compiled, refused with diagnostics)`.
pub const SUMMARY: (u64, usize, usize, usize) = include!(concat!(env!("OUT_DIR"), "/summary.rs"));
