#!/usr/bin/env bash
# Benchmarks publishing ports through Plexus's firewall layer, per backend (nftables in process through
# libnftables, iptables through iptables-restore): 1000 ports on one sandbox in one transaction, one port
# with 1000 published against the first, threads, processes and memory added. Inside a private network
# and mount namespace (run-private.sh); nothing touches the machine's own network.
#
#   bench/firewall-ports.sh [--quick] [--no-watch] [--json FILE]
set -euo pipefail
missing=()
command -v iptables-restore >/dev/null 2>&1 || missing+=(iptables)
ls /usr/lib/*/libnftables.so.1 >/dev/null 2>&1 || missing+=(libnftables1)
if ((${#missing[@]})); then
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
fi
export PLEXUS_BENCH_NAME=firewall-ports PLEXUS_BENCH_PROJECT=Plexus.Bench.Firewall/Plexus.Bench.Firewall.csproj PLEXUS_BENCH_DLL=plexus-bench-firewall.dll
exec "$(dirname "${BASH_SOURCE[0]}")/run-private.sh" "$@"
