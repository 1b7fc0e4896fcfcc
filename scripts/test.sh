#!/usr/bin/env bash
# README's second command: installs what is missing, builds, and runs every test inside a private
# network and mount namespace (scripts/in-private-netns.sh). Extra arguments go to `dotnet test`
# (e.g. --filter "Category!=Privileged").
set -euo pipefail
cd "$(dirname "$0")/.."
export CONFIGURATION="${CONFIGURATION:-Release}"
scripts/setup.sh
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
# What the tests of the shipped artefacts use, made here because the tests run without a network: the
# NativeAOT binaries (quick start and JIT/native parity), two versions of the Debian package (lintian must
# find no error in it) and a cached bookworm root to install them in.
PLEXUS_NATIVE_DIR="$(scripts/publish-native.sh)"
debs=artifacts/deb-test
rm -rf "$debs"
PLEXUS_TEST_DEB_OLD="$(scripts/package.sh --version 0.0.9-1 --out "$debs" --lintian)"
PLEXUS_TEST_DEB_NEW="$(scripts/package.sh --out "$debs")"
PLEXUS_TEST_DEBIAN_ROOT="$(scripts/debian-root.sh)"
export PLEXUS_NATIVE_DIR PLEXUS_TEST_DEB_OLD PLEXUS_TEST_DEB_NEW PLEXUS_TEST_DEBIAN_ROOT
log=$(mktemp)
set +e
scripts/in-private-netns.sh scripts/run-tests-inside.sh "$@" 2>&1 | tee "$log"
status=${PIPESTATUS[0]}
set -e
# One closing line in the form CI reads: "tests: N passed, N failed, N skipped".
awk '/^(Passed|Failed)!/ {
       for (i = 1; i <= NF; i++) { gsub(",", "", $(i+1));
         if ($i == "Failed:") f += $(i+1); if ($i == "Passed:") p += $(i+1); if ($i == "Skipped:") s += $(i+1) } }
     END { printf "tests: %d passed, %d failed, %d skipped\n", p, f, s }' "$log"
rm -f "$log"
exit "$status"
