//! An application crate with a private vendor, generated from `specs/acme.yaml`.

include!(concat!(env!("OUT_DIR"), "/vendors.rs"));
