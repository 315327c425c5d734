//! What vendor-auth's generator and runtime must agree on, defined once.
//!
//! Every closed set of values a spec may name (methods, functions, clock
//! formats, expiry kinds, field types, ...) is declared here with its spec
//! spelling: the generator parses and explains it, the JSON Schema lists it,
//! and the runtime acts on the same enum. Rules that both sides apply (which
//! hosts may be reached over plain http) are single functions here.

#![warn(missing_docs)]

mod host;
mod sets;

pub use host::{HostClass, PlainHttp, check_transport, classify_host};
pub use sets::*;
