//! The fault catalogue: every seed vendor's generated client, directly and
//! through the token manager, against local servers that misbehave in the
//! ways token endpoints do. For each fault: the typed error or recovery, the
//! number of requests made (retries only where safe), and no panic.
//!
//! The table is `CATALOGUE` in `catalogue.rs`; `docs/faults.md` lists it.

mod catalogue;
mod expiry;
mod raw;
mod vendors;
