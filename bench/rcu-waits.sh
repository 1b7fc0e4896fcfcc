#!/usr/bin/env bash
# Which kernel calls wait out RCU grace periods while COMMAND runs, and for how long: every task switch on the
# machine is recorded with its kernel stack (perf, sched:sched_switch; no hardware counters needed), and the
# switches out of synchronize_rcu*/synchronize_net/rcu_barrier are counted by the three callers above them,
# with how long the task slept (until it was switched in again). A grace period waited out under the rtnl lock
# holds up every other link change on the machine, so these are the waits that cap attach/detach throughput.
#
#   bench/rcu-waits.sh COMMAND...      e.g. N=0 ROUNDS=1 bench/rcu-waits.sh bench/attach-cpu.sh PLEXUSD
#
# The recording is system-wide: run it on an otherwise quiet machine, or read the callers, not the totals.
# COMMAND runs as given (the bench scripts make their own private namespaces).
set -euo pipefail
(($# > 0)) || { echo "usage: $0 COMMAND..." >&2; exit 2; }
out="$(mktemp -d)"
trap 'rm -rf "$out"' EXIT
perf record -a -q -e sched:sched_switch -g -o "$out/perf.data" -- "$@" >&2
perf script -i "$out/perf.data" 2>/dev/null >"$out/perf.txt"
python3 - "$out/perf.txt" <<'PY'
import collections, re, statistics, sys

events = []
for block in open(sys.argv[1]).read().split("\n\n"):
    m = re.search(r"\s(\d+\.\d+):\s+sched:sched_switch:.*prev_pid=(\d+).*next_pid=(\d+)", block)
    if not m:
        continue
    frames = [l.split()[1].split("+")[0] for l in block.split("\n")[1:] if len(l.split()) >= 2]
    waits = [i for i, f in enumerate(frames) if f.startswith("synchronize_rcu") or f in ("synchronize_net", "rcu_barrier")]
    key = " < ".join(frames[waits[-1]:waits[-1] + 4]) if waits else None
    events.append((float(m.group(1)), int(m.group(2)), int(m.group(3)), key))

slept = collections.defaultdict(list)
for i, (t, prev, _, key) in enumerate(events):
    if key is None:
        continue
    for t2, _, nxt, _ in events[i + 1:]:
        if nxt == prev:
            slept[key].append((t2 - t) * 1e6)
            break
print(f"{'waits':>6} {'p50 us':>7} {'p90 us':>7}  caller")
for key, v in sorted(slept.items(), key=lambda kv: -len(kv[1])):
    print(f"{len(v):6d} {statistics.median(v):7.0f} {sorted(v)[int(len(v) * 0.9)]:7.0f}  {key}")
PY
