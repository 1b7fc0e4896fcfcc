#!/usr/bin/env bash
# Issue 13: plexusd's empty-store start, A/B: wall and CPU time (utime+stime of all its threads) until /_ping and
# /networks answer, for several builds or environments started in turn, ROUNDS times each (default 10). CPU time
# is the figure to compare on a loaded machine; wall time moves with the load.
#
#   bench/startup-cpu.sh [--rounds N] LABEL=PLEXUSD[;ENV=VALUE...] ...
#   e.g. bench/startup-cpu.sh base=/tmp/base/plexusd new=artifacts/native/plexusd 'gen0=artifacts/native/plexusd;DOTNET_GCgen0size=0x100000'
#
# Runs in a private network, mount and PID namespace: every plexusd and what it makes die with it.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
rounds=10
if [[ "${1:-}" == --rounds ]]; then rounds="$2"; shift 2; fi
exec unshare --net --mount --pid --fork --mount-proc --propagation private -- \
    bash -c 'set -e; mount -t tmpfs -o mode=0755 plexus-run /run; ip link set lo up; exec python3 "$@"' _ \
    "$here/footprint/startup.py" "$rounds" "$@"
