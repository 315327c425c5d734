#!/usr/bin/env bash
# Conformance: the generic OAuth2 specs against third-party authorization
# servers from the npm registry (versions pinned by package-lock.json).
# Installs the servers, starts them on loopback, runs the ignored tests of
# this crate, and stops the servers. Needs Node.js 20+ and npm.
set -euo pipefail
cd "$(dirname "$0")"

npm ci --no-audit --no-fund --loglevel=error

log="$(mktemp)"
node servers.mjs >"$log" 2>&1 &
servers=$!
trap 'kill "$servers" 2>/dev/null || true; rm -f "$log"' EXIT

for _ in $(seq 1 100); do
  grep -q '^ready$' "$log" && break
  kill -0 "$servers" 2>/dev/null || { cat "$log"; echo "conformance: the servers did not start" >&2; exit 1; }
  sleep 0.1
done
grep -q '^ready$' "$log" || { cat "$log"; echo "conformance: the servers did not start within 10 s" >&2; exit 1; }
export $(grep -E '^[A-Z0-9_]+_URL=' "$log" | xargs)
echo "servers: oidc-provider at $OIDC_PROVIDER_URL, oauth2-mock-server at $OAUTH2_MOCK_SERVER_URL"

results="$(mktemp)"
trap 'kill "$servers" 2>/dev/null || true; rm -f "$log" "$results"' EXIT
status=0
cargo test -p vendor-auth-conformance -- --ignored --nocapture --test-threads=1 >"$results" 2>&1 || status=$?
cat "$results"
echo
echo "== conformance results (server | shape | outcome)"
grep -o 'conformance | .*' "$results" | sed 's/^conformance | //' | sort
exit "$status"
