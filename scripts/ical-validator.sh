#!/usr/bin/env bash
# Builds tests/ical/validate.c (libical's parser and its RFC 5545 / RFC 5546 restriction check)
# into target/ical-validate and prints that path: tests/tests/e2e_calendars.rs runs it on every
# calendar the local stack produces (PLENARY_ICAL_VALIDATOR). Installs Debian's libical-dev when
# pkg-config cannot find libical, as scripts/browser-test.sh installs chromium. Everything but
# the path goes to stderr.
set -euo pipefail
cd "$(dirname "$0")/.."

if ! pkg-config --exists libical 2>/dev/null; then
  echo "installing Debian's libical-dev" >&2
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo=sudo
  $sudo apt-get update >&2
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y libical-dev pkg-config >&2
fi

out="${CARGO_TARGET_DIR:-target}/ical-validate"
mkdir -p "$(dirname "$out")"
# shellcheck disable=SC2046 # pkg-config prints several flags, each its own word
cc -O1 -Wall -Werror -o "$out" tests/ical/validate.c $(pkg-config --cflags --libs libical) >&2
echo "libical $(pkg-config --modversion libical): $out" >&2
realpath "$out"
