#!/usr/bin/env bash
# Builds tests/ical/validate.c (libical's parser and its RFC 5545 / RFC 5546 restriction check)
# into target/ical-validate and prints that path: tests/tests/e2e_calendars.rs runs it on every
# calendar the local stack produces (PLENARY_ICAL_VALIDATOR). Installs Debian's libical-dev when
# pkg-config cannot find libical, as scripts/browser-test.sh installs chromium. Everything but
# the path goes to stderr.
set -euo pipefail
cd "$(dirname "$0")/.."

# shellcheck source=scripts/tools.sh
source scripts/tools.sh
debian libical-dev pkg-config

out="${CARGO_TARGET_DIR:-target}/ical-validate"
mkdir -p "$(dirname "$out")"
# shellcheck disable=SC2046 # pkg-config prints several flags, each its own word
cc -O1 -Wall -Werror -o "$out" tests/ical/validate.c $(pkg-config --cflags --libs libical) >&2
echo "libical $(pkg-config --modversion libical): $out" >&2
realpath "$out"
