#!/usr/bin/env bash
# Issue 13: what an attach costs plexusd itself, measured so that the machine's load does not change it:
# plexusd's CPU time (utime+stime) and context switches per attach, for 8 concurrent clients on a network
# of their own (200 attaches, 3 rounds) and sequentially up to N = 1000, with the wall-clock rate and p50
# beside them (those do depend on load). STRACE=FILE also counts plexusd's syscalls (strace -c -f) for one more
# round of concurrent attaches, PERF=FILE samples it (perf record -g) for another, PAIRS_PERF=FILE over the
# attach/detach pairs at N; give paths outside /tmp, which is private to the run. Context switches per attach (voluntary+involuntary) come from /proc/PID/task/*/status.
#
#   bench/attach-cpu.sh [PLEXUSD]     (default artifacts/native/plexusd, with its .so files beside it)
#   env: N (sequential attaches, then PAIRS attach/detach pairs at N; 0 skips), TPUT (concurrent attaches per
#        round), CLIENTS (8), ROUNDS (3). The JSON figures go to stdout, progress to stderr.
#
# Runs in a private network, mount and PID namespace: plexusd and everything it makes die with it.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
if [[ "${PLEXUS_ATTACH_CPU_INNER:-}" != 1 ]]; then
    exec unshare --net --mount --pid --fork --mount-proc --propagation private -- \
        env PLEXUS_ATTACH_CPU_INNER=1 "$0" "${1:-$here/../artifacts/native/plexusd}"
fi
mount -t tmpfs -o mode=0755 attach-cpu /run
mount -t tmpfs -o mode=0755 attach-cpu /tmp
ip link set lo up
echo '{}' >/tmp/daemon.json
"$1" --config-file /tmp/daemon.json --data-root /tmp/store --exec-root /run/plexus-exec -H unix:///run/plexus.sock --plugin-socket none >/tmp/plexusd.log 2>&1 &
pid=$!
for _ in $(seq 600); do [[ -S /run/plexus.sock ]] && break; sleep 0.1; done
python3 "$here/attach-cpu.py" "$1" /run/plexus.sock "$pid" || { tail -20 /tmp/plexusd.log >&2; kill "$pid"; exit 1; }
kill "$pid"; wait "$pid" 2>/dev/null || true
