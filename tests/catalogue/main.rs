//! Wire tests of the catalogue vendors: each replays, on loopback, the
//! exchange its public documentation describes (the expectations are written
//! from the documentation, cited in each module, not from the spec), and ends
//! with an authorized API call that the replay checks.

mod support;

#[cfg(feature = "twitch")]
mod twitch;
