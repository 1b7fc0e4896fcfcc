#!/usr/bin/env bash
# README's first command: installs what is missing, builds, and runs Plexus's kernel self-check
# (a bridge, two sandboxes with eth0, addresses and default routes, pings across) inside a private
# network namespace, so it is safe on any machine.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
exec scripts/in-private-netns.sh dotnet "src/Plexus.SelfCheck/bin/${CONFIGURATION:-Release}/net10.0/linux-x64/plexus-selfcheck.dll" "$@"
