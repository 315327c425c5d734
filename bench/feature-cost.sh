#!/usr/bin/env bash
# Build cost of vendor-auth itself by vendor features: the crate compiled
# with every bundled vendor (the default) against one vendor only, as an
# application that names the vendors it uses would compile it.
#
#   bench/feature-cost.sh                 # all vendors, stripe, twitch, none
#   bench/feature-cost.sh verbio sap_b1   # any features
#
# Dependencies are built first; each row is then a clean build of the
# vendor-auth crate alone (build script and generated code included).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
features=("$@")
[ ${#features[@]} -gt 0 ] || features=(all-vendors stripe twitch "")
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export CARGO_TARGET_DIR="$work/target"
cd "$root"

seconds() { local start=$(date +%s.%N); "$@" >/dev/null 2>&1; awk -v a="$start" -v b="$(date +%s.%N)" 'BEGIN { print b - a }'; }

printf '%-14s %10s %16s %10s\n' features vendors "clean build (s)" "lines"
for feature in "${features[@]}"; do
  args=(--no-default-features)
  [ -n "$feature" ] && args+=(--features "$feature")
  cargo build -q -p vendor-auth "${args[@]}"          # dependencies
  cargo clean -q -p vendor-auth
  took=$(seconds cargo build -p vendor-auth "${args[@]}")
  out=$(ls -d "$CARGO_TARGET_DIR"/debug/build/vendor-auth-*/out | head -1)
  vendors=$(ls "$out"/*.rs | grep -vc '/vendors.rs$' || true)
  lines=$(cat "$out"/*.rs | wc -l)
  printf '%-14s %10s %16.2f %10s\n' "${feature:-(none)}" "$vendors" "$took" "$lines"
  cargo clean -q -p vendor-auth
done
