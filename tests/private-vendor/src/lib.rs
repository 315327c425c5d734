//! An application crate with a private vendor, generated from `specs/acme.yaml`.

include!(concat!(env!("OUT_DIR"), "/vendors.rs"));

/// The generator's feature fixtures, compiled to prove their snapshots build.
pub mod fixtures {
    include!(concat!(env!("OUT_DIR"), "/fixtures.rs"));
}
