#!/usr/bin/env bash
# The sample emails (every kind in every language, `cargo run -p plenary --example mail_samples`)
# through software nobody here wrote: Python's email package (no MIME defect, the headers every
# message carries) and SpamAssassin offline (`-L`: local tests only, no Bayes), failing on any
# score above 0 (scripts/mail_check.py). Installs Debian's spamassassin when it is absent, as
# scripts/ical-validator.sh installs libical; the checker needs only Python's standard library.
set -euo pipefail
cd "$(dirname "$0")/.."

# shellcheck source=scripts/tools.sh
source scripts/tools.sh
debian spamassassin

out=.tmp/mail-samples
rm -rf "$out"
mkdir -p "$out"
# Built with the whole workspace's features, as the test command's build of every test left it
# (then this is a no-op): `-p plenary` alone resolves other features and rebuilds much of the
# dependency tree, minutes on a new machine.
cargo build --workspace --examples --locked --quiet
"${CARGO_TARGET_DIR:-target}/debug/examples/mail_samples" "$out"
python3 scripts/mail_check.py "$out"
