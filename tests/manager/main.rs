//! Behaviour of the token manager: with a scripted client on tokio's paused
//! clock (`lifecycle`), and with generated clients against local servers
//! (`wire`).

mod fake;
mod hardening;
mod lifecycle;
mod wire;
