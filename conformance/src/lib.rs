//! Clients for the standard OAuth2 shapes, generated from `specs/`. The tests
//! in `tests/` run them against real authorization servers that nobody here
//! wrote; `run.sh` installs and starts those servers.

include!(concat!(env!("OUT_DIR"), "/vendors.rs"));
