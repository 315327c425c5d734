#!/usr/bin/env bash
# Conformance: the generic OAuth2 specs against third-party authorization
# servers from the npm registry (versions pinned by package-lock.json).
# Installs the servers, starts them on loopback, runs the ignored tests of
# this crate, and stops the servers. Needs Node.js 20+ and npm.
set -euo pipefail
cd "$(dirname "$0")"

npm ci --no-audit --no-fund --loglevel=error

log="$(mktemp)"
ahead_log="$(mktemp)"
node servers.mjs >"$log" 2>&1 &
servers=$!
# A second oidc-provider whose clock runs two hours ahead: assertions signed
# now have expired there.
CLOCK_AHEAD_SECONDS=7200 node servers.mjs >"$ahead_log" 2>&1 &
ahead=$!
trap 'kill "$servers" "$ahead" 2>/dev/null || true; rm -f "$log" "$ahead_log"' EXIT

wait_ready() {
  local log="$1" pid="$2"
  for _ in $(seq 1 100); do
    grep -q '^ready$' "$log" && return 0
    kill -0 "$pid" 2>/dev/null || { cat "$log"; echo "conformance: the servers did not start" >&2; exit 1; }
    sleep 0.1
  done
  cat "$log"; echo "conformance: the servers did not start within 10 s" >&2; exit 1
}
wait_ready "$log" "$servers"
wait_ready "$ahead_log" "$ahead"
export $(grep -hE '^[A-Z0-9_]+_URL=' "$log" "$ahead_log" | xargs)
echo "servers: oidc-provider at $OIDC_PROVIDER_URL (and clock ahead at $OIDC_PROVIDER_AHEAD_URL), oauth2-mock-server at $OAUTH2_MOCK_SERVER_URL"

results="$(mktemp)"
trap 'kill "$servers" "$ahead" 2>/dev/null || true; rm -f "$log" "$ahead_log" "$results"' EXIT
status=0
cargo test -p vendor-auth-conformance -- --ignored --nocapture --test-threads=1 >"$results" 2>&1 || status=$?
cat "$results"
echo
echo "== conformance results (server | shape | outcome)"
grep -o 'conformance | .*' "$results" | sed 's/^conformance | //' | sort
exit "$status"
