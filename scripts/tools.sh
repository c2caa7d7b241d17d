#!/usr/bin/env bash
# The one place the test command's tools are installed from: Debian's packages, the pinned Python
# venvs, the pinned npm packages, rustup's aarch64 library and the arm64 runtime the smoke test
# runs under. Each function installs only what is missing or out of date, so calling it again costs
# nothing. The scripts that use a tool source this file and call its function:
#   source "$root/scripts/tools.sh"; python_venv .venv-api scripts/requirements-api.txt
# `scripts/tools.sh all` installs everything the test command uses, in three parallel chains (apt,
# pip, npm), and is what the test command runs in the background while clippy compiles: on a new
# machine the installs are mostly waiting on the network, and the compile on the two cores.
# Installers print to stderr; a script's stdout stays its own.

tools_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"

tools_sudo() {
  if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi
}

# debian PACKAGE...: installs those not installed, in one apt-get run.
debian() {
  local missing=() package
  for package in "$@"; do
    dpkg-query -W -f='${Status}\n' "$package" 2>/dev/null | grep -q ' ok installed$' || missing+=("$package")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  echo "installing Debian's ${missing[*]}" >&2
  # man-db rebuilds its index after every install that brings manual pages: over two minutes
  # after spamassassin's on a new machine, for pages nothing here reads. Its trigger runs only
  # while this file exists (what the man-db/auto-update question sets).
  tools_sudo rm -f /var/lib/man-db/auto-update
  tools_sudo apt-get update -qq >&2
  tools_sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >&2
}

# python_venv DIR REQUIREMENTS: a venv with exactly those pins, made again when the pins change.
# The copy of the pins is written last, so an interrupted install is redone.
python_venv() {
  local dir="$tools_root/$1" pins="$tools_root/$2"
  if [ ! -x "$dir/bin/python" ] || ! cmp -s "$pins" "$dir/.requirements"; then
    echo "installing $2 into $1" >&2
    rm -rf "$dir"
    python3 -m venv "$dir" >&2
    "$dir/bin/pip" install --quiet --disable-pip-version-check -r "$pins" >&2
    cp "$pins" "$dir/.requirements"
  fi
}

# npm_packages DIR: `npm ci` from DIR's package-lock.json, again only when the lock changed.
npm_packages() {
  local dir="$tools_root/$1"
  if ! cmp -s "$dir/package-lock.json" "$dir/node_modules/.plenary-lock"; then
    echo "installing $1's npm packages" >&2
    (cd "$dir" && npm ci --no-audit --no-fund --silent >&2)
    cp "$dir/package-lock.json" "$dir/node_modules/.plenary-lock"
  fi
}

# rust_arm64: rustup's standard library for the Lambda target.
rust_arm64() {
  rustup target list --installed 2>/dev/null | grep -qx aarch64-unknown-linux-gnu ||
    rustup target add aarch64-unknown-linux-gnu >&2
}

# arm64_sysroot: qemu-aarch64-static and the arm64 C runtime (ld.so, libc, libgcc_s), from
# Debian, unpacked into .tmp/arm64-sysroot; nothing is installed. Prints nothing.
arm64_sysroot() {
  local sysroot="$tools_root/.tmp/arm64-sysroot" debs="$tools_root/.tmp/arm64-debs" deb
  [ -x "$sysroot/usr/bin/qemu-aarch64-static" ] && [ -e "$sysroot/usr/aarch64-linux-gnu/lib/libgcc_s.so.1" ] && return 0
  echo "unpacking Debian's qemu-user-static and the arm64 C runtime into .tmp" >&2
  rm -rf "$debs" && mkdir -p "$debs"
  local wanted=(qemu-user-static libc6-arm64-cross libgcc-s1-arm64-cross)
  # apt-get download needs no root, but refreshing the package lists on a new machine does.
  (cd "$debs" && apt-get download "${wanted[@]}" >/dev/null 2>&1) ||
    (tools_sudo apt-get update -qq >&2 && cd "$debs" && apt-get download "${wanted[@]}" >/dev/null)
  for deb in "$debs"/*.deb; do dpkg-deb -x "$deb" "$sysroot"; done
}

# The test command's tools, by what uses them.
tools_debian() { debian chromium spamassassin libical-dev pkg-config binutils; }
tools_python() {
  python_venv .venv scripts/requirements-test.txt
  python_venv .venv-deny scripts/requirements-deny.txt
  # One venv per pinned file: aws-sam-cli and checkov cannot share one (conflicting boto3 pins).
  python_venv .venv-infra/sam scripts/requirements-infra.txt
  python_venv .venv-infra/checkov scripts/requirements-infra-checkov.txt
  python_venv .venv-build scripts/requirements-build.txt
  python_venv .venv-openapi scripts/requirements-openapi.txt
  python_venv .venv-api scripts/requirements-api.txt
}
tools_npm() {
  npm_packages tests/browser
  npm_packages tests/lighthouse
  npm_packages tests/openapi
}

# all: every tool above, the three chains side by side (apt and dpkg in one, so they never wait
# on each other's lock); fails, with each failed chain's log, when any chain failed.
tools_all() {
  local logs="$tools_root/.tmp/tools" failed=0
  mkdir -p "$logs"
  (set -e; tools_debian; arm64_sysroot) >"$logs/apt.log" 2>&1 &
  local apt=$!
  (set -e; tools_python) >"$logs/pip.log" 2>&1 &
  local pip=$!
  (set -e; tools_npm; rust_arm64) >"$logs/npm.log" 2>&1 &
  local npm=$!
  wait "$apt" || { failed=1; echo "installing Debian's packages failed:" >&2; cat "$logs/apt.log" >&2; }
  wait "$pip" || { failed=1; echo "installing the Python venvs failed:" >&2; cat "$logs/pip.log" >&2; }
  wait "$npm" || { failed=1; echo "installing the npm packages failed:" >&2; cat "$logs/npm.log" >&2; }
  return "$failed"
}

if [ "${BASH_SOURCE[0]}" = "$0" ]; then
  set -euo pipefail
  case "${1:-}" in
    all) tools_all ;;
    *) echo "usage: $0 all   (or source it and call its functions)" >&2; exit 2 ;;
  esac
fi
