#!/usr/bin/env bash
# Issue 13 (and issue 11's memory bullet): plexusd's footprint. Time to serve after start with an empty store
# and with N sandboxes to restore, resident memory idle and with N sandboxes attached (each in its own
# namespace, on one bridge network, with its resolver), and memory after removing them, over two more
# create/remove cycles. Targets: <= 100 ms and <= 1 s to serve, <= 40 MB idle and <= 80 MB with 1000.
#
#   bench/daemon-footprint.sh [--quick] [--n N] [--jit] [--markdown FILE] [--json FILE]
#
# --quick: N = 100, cycles of 50 (CI's smoke run); default N = 1000, cycles of 500; --n N: N sandboxes, cycles of N/2.
# Ready is the first answer to /_ping (served while the engine opens); the report also gives the first answer
# to /networks, which waits for the engine to be open and restored. --jit measures the JIT
# build (dotnet plexusd.dll) beside the native one. Needs root; publishes the native binaries
# (scripts/publish-native.sh) first, then runs inside a private network, mount and PID namespace.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/.." && pwd)"
n=1000 cycle=500 starts=5 jit=""
markdown="$root/artifacts/bench/footprint/report.md"
json="$root/artifacts/bench/footprint/results.json"
args=("$@")
for ((i = 0; i < ${#args[@]}; i++)); do
    case "${args[i]}" in
        --quick) n=100 cycle=50 starts=3 ;;
        --n) n="${args[i + 1]}"; cycle=$((n / 2)); i=$((i + 1)) ;;
        --jit) jit="$root/src/Plexus.Daemon/bin/Release/net10.0/linux-x64/plexusd.dll" ;;
        --markdown) markdown="$(realpath -m "${args[i + 1]}")"; i=$((i + 1)) ;;
        --json) json="$(realpath -m "${args[i + 1]}")"; i=$((i + 1)) ;;
        --help | -h) sed -n '2,/^set -euo/p' "${BASH_SOURCE[0]}" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
        *) echo "daemon-footprint: unknown argument ${args[i]}" >&2; exit 2 ;;
    esac
done
if [[ $EUID -ne 0 ]]; then echo "daemon-footprint: needs root (it starts plexusd, in a private namespace)" >&2; exit 1; fi
native="$("$root/scripts/publish-native.sh")"
if [[ -n "$jit" ]]; then
    dotnet build "$root/src/Plexus.Daemon" -c Release -v quiet -nologo -clp:ErrorsOnly >/dev/null
fi
mkdir -p "$(dirname "$markdown")" "$(dirname "$json")"
exec unshare --net --mount --pid --fork --mount-proc --propagation private -- \
    env PLEXUS_NATIVE="$native" FOOTPRINT_JIT="$jit" bash -c '
        set -e
        [[ -z "$(ip route show default)" ]] || { echo "daemon-footprint: a default route here; refusing" >&2; exit 2; }
        mount -t tmpfs -o mode=0755 plexus-run /run
        ip link set lo up
        exec python3 "$0" "$@"' "$here/footprint/harness.py" "$markdown" "$json" "$n" "$cycle" "$starts"
