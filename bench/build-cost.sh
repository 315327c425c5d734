#!/usr/bin/env bash
# Build cost of generated vendors: compile time and generated lines with 5 and
# with 100 synthetic vendors (renamed copies of the seed specs), from clean
# (dependencies already built), after touching one spec, and with no change.
#
#   bench/build-cost.sh            # 5 and 100 vendors
#   bench/build-cost.sh 5 50 200   # any counts
#   REGISTRY=1 bench/build-cost.sh # with Config::registry(true), as vendor-auth's own build
#
# Each count gets a throwaway application crate whose build.rs runs the
# generator over its specs/ against the vendor-auth runtime, as a user's would.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
counts=("$@")
[ ${#counts[@]} -gt 0 ] || counts=(5 100)
work=$(mktemp -d)
[ -n "${KEEP:-}" ] && echo "work dir: $work" || trap 'rm -rf "$work"' EXIT
export CARGO_TARGET_DIR="$work/target"
# SEEDS: the specs to copy (default: every bundled spec).
if [ -n "${SEEDS:-}" ]; then read -r -a seeds <<< "$SEEDS"; else seeds=("$root"/specs/*.yaml); fi
registry=$([ -n "${REGISTRY:-}" ] && echo true || echo false)

seconds() { local start=$(date +%s.%N); "$@" >/dev/null 2>&1; awk -v a="$start" -v b="$(date +%s.%N)" 'BEGIN { print b - a }'; }

printf '%8s %12s %12s %14s %16s %12s %16s\n' vendors "clean (s)" "touch (s)" "no change (s)" "rustc only (s)" "lines" "build.rs reran"
for n in "${counts[@]}"; do
  crate="$work/vendors_$n"
  mkdir -p "$crate/specs" "$crate/src"
  cat > "$crate/Cargo.toml" <<TOML
[package]
name = "vendors_$n"
version = "0.0.0"
edition = "2024"
[dependencies]
vendor-auth = { path = "$root" }
[build-dependencies]
vendor-auth-codegen = { path = "$root/codegen" }
[workspace]
TOML
  cp "$root/Cargo.lock" "$crate/Cargo.lock"
  cat > "$crate/build.rs" <<RS
fn main() {
    vendor_auth_codegen::Config::new()
        .spec_dir("specs")
        .registry($registry)
        .compile()
        .unwrap_or_else(|error| vendor_auth_codegen::fail_build(&error));
}
RS
  echo 'include!(concat!(env!("OUT_DIR"), "/vendors.rs"));' > "$crate/src/lib.rs"
  for i in $(seq 1 "$n"); do
    seed=${seeds[$(( (i - 1) % ${#seeds[@]} ))]}
    module=$(basename "$seed" .yaml)
    sed "s/^module: $module\$/module: ${module}_$i/" "$seed" > "$crate/specs/${module}_$i.yaml"
  done
  (cd "$crate" && cargo build -q)                       # dependencies and a first build
  (cd "$crate" && cargo clean -q -p "vendors_$n")
  clean=$(cd "$crate" && seconds cargo build)
  first=$(ls "$crate"/specs/*.yaml | head -1)
  sed -i 's/^name: \(.*\)$/name: \1 (edited)/' "$first"   # changes the generated code
  touched=$(cd "$crate" && seconds cargo build)
  nochange=$(cd "$crate" && seconds cargo build)
  reran=$(cd "$crate" && cargo build -v 2>&1 | grep -c 'build-script-build`' || true)
  lines=$(cat "$CARGO_TARGET_DIR"/debug/build/vendors_"$n"-*/out/*.rs | wc -l)
  # The crate's own compile, without incremental bookkeeping and without the
  # build script: what rustc spends on the generated code itself.
  (cd "$crate" && CARGO_INCREMENTAL=0 cargo build -q)
  touch "$crate/src/lib.rs"
  rustc_only=$(cd "$crate" && CARGO_INCREMENTAL=0 seconds cargo build)
  printf '%8s %12.2f %12.2f %14.2f %16.2f %12s %16s\n' "$n" "$clean" "$touched" "$nochange" "$rustc_only" "$lines" "$([ "$reran" = 0 ] && echo no || echo yes)"
done
