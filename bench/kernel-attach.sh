#!/usr/bin/env bash
# Benchmarks Plexus's kernel-layer attach (in process, over rtnetlink) against the same steps done with
# `ip` commands. Everything happens inside a private network and mount namespace made here with
# `unshare --net --mount`: the machine's own network is never touched, and everything the run creates
# disappears with that namespace even if the program is killed.
#
#   bench/kernel-attach.sh [--quick] [--json FILE] [--sizes N,N...] [--methods M,M...] [--help ...]
#
# --quick runs N = 10 and 100 (CI's smoke run); the default is N = 100 and 1000. Arguments are passed to
# the program (bench/Plexus.Bench.Kernel; --help lists them all); the Markdown report goes to stdout,
# progress to stderr. It installs only iproute2 and util-linux if missing, and needs root and dotnet.
set -euo pipefail
export PLEXUS_BENCH_NAME=kernel-attach PLEXUS_BENCH_PROJECT=Plexus.Bench.Kernel/Plexus.Bench.Kernel.csproj PLEXUS_BENCH_DLL=plexus-bench-kernel.dll
exec "$(dirname "${BASH_SOURCE[0]}")/run-private.sh" "$@"
