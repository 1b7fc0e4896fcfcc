#!/usr/bin/env bash
# README's first command: installs what is missing, builds, and runs the reference scenarios end to end
# with plexusd and the plexus CLI inside a private network namespace (safe on any machine): bridge
# networks, icc and links, masquerade, published ports (outside, host, 127.0.0.1, hairpin), adoption.
# `scripts/quickstart.sh --selfcheck` runs the kernel layer's own self-check instead.
set -euo pipefail
cd "$(dirname "$0")/.."
export CONFIGURATION="${CONFIGURATION:-Release}"
scripts/setup.sh
if [ "${1:-}" = "--selfcheck" ]; then
  exec scripts/in-private-netns.sh dotnet "src/Plexus.SelfCheck/bin/$CONFIGURATION/net10.0/linux-x64/plexus-selfcheck.dll"
fi
exec scripts/in-private-netns.sh scripts/demo.sh
