#!/usr/bin/env bash
# README's second command: installs what is missing, builds, and runs every test inside a private
# network and mount namespace (scripts/in-private-netns.sh). Extra arguments go to `dotnet test`
# (e.g. --filter "Category!=Privileged").
set -euo pipefail
cd "$(dirname "$0")/.."
export CONFIGURATION="${CONFIGURATION:-Release}"
scripts/setup.sh
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
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
