#!/usr/bin/env bash
# The shared token store against a real Redis: installs redis-server from
# the distribution's packages where it is missing, then runs the store tests
# (each starts its own redis-server on a free loopback port, and the fleet
# tests start real worker processes).
set -euo pipefail
cd "$(dirname "$0")/.."
if ! command -v redis-server >/dev/null; then
  apt-get update -qq && apt-get install -y -qq redis-server
fi
redis-server --version
cargo test --features redis --test store -- --nocapture
