//! Wire tests for the five seed vendors against local servers.
//!
//! Every expectation here is written from the vendor's document in
//! `shared/seeds/` (quoted in comments), never read from the spec under test:
//! method, path, query, headers, body and its encoding are spelled out.

mod derbysoft_ai_voice;
mod derbysoft_ticket;
mod revoiceit;
mod stand_ins;
mod support;
mod verbio;
mod voipex;
