#!/usr/bin/env bash
# README's first command: installs what is missing, publishes plexusd and plexus as NativeAOT executables
# (scripts/publish-native.sh), and runs the reference scenarios end to end with them inside a private
# network namespace (safe on any machine): bridge networks, icc and links, masquerade, published ports (outside, host, 127.0.0.1, hairpin), adoption.
# `scripts/quickstart.sh --selfcheck` runs the kernel layer's own self-check instead.
# `scripts/quickstart.sh --picture FILE` also keeps the picture of the topology it built (README's
# docs/quickstart-network.svg is made this way).
set -euo pipefail
cd "$(dirname "$0")/.."
export CONFIGURATION="${CONFIGURATION:-Release}"
if [ "${1:-}" = "--picture" ]; then
  PLEXUS_PICTURE=$(realpath -m -- "${2:?--picture needs a file name}")
  export PLEXUS_PICTURE
  shift 2
fi
if [ "${1:-}" = "--selfcheck" ]; then
  scripts/setup.sh
  exec scripts/in-private-netns.sh dotnet "src/Plexus.SelfCheck/bin/$CONFIGURATION/net10.0/linux-x64/plexus-selfcheck.dll"
fi
# The quick start runs what a user installs: plexusd and plexus as NativeAOT executables.
scripts/setup.sh --packages-only
PLEXUS_BIN_DIR="$(scripts/publish-native.sh)"
export PLEXUS_BIN_DIR
exec scripts/in-private-netns.sh scripts/demo.sh
