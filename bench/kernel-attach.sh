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

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/.." && pwd)"
project="$here/Plexus.Bench.Kernel/Plexus.Bench.Kernel.csproj"
out="$root/artifacts/bench/kernel-attach"

if [[ "${PLEXUS_BENCH_STAGE:-}" != inside ]]; then
    if [[ $EUID -ne 0 ]]; then
        echo "kernel-attach.sh: needs root (it creates network namespaces and links, in a private namespace)" >&2
        exit 1
    fi
    # `ip` for the comparison, `unshare` (util-linux) for the private namespaces; nothing else is needed.
    missing=()
    command -v ip >/dev/null 2>&1 || missing+=(iproute2)
    command -v unshare >/dev/null 2>&1 || missing+=(util-linux)
    if ((${#missing[@]})); then
        apt-get update -qq
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
    fi
    export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1
    # Quiet on success; the whole build log on failure.
    log="$(mktemp)"
    if ! dotnet build "$project" -c Release -o "$out" -nologo -v:quiet >"$log" 2>&1; then
        cat "$log" >&2
        rm -f "$log"
        exit 1
    fi
    rm -f "$log"
    # Where this started: the inside stage and the program refuse to run in either of these namespaces.
    outer_net="$(readlink /proc/self/ns/net)" outer_mnt="$(readlink /proc/self/ns/mnt)"
    if [[ -z "$outer_net" || -z "$outer_mnt" ]]; then
        echo "kernel-attach.sh: cannot read this shell's namespaces from /proc/self/ns" >&2
        exit 2
    fi
    # A JSON path relative to the caller's directory stays so inside (the working directory is kept).
    exec unshare --net --mount --propagation private -- \
        env PLEXUS_BENCH_STAGE=inside PLEXUS_BENCH_OUTER_NS="$outer_net $outer_mnt" "${BASH_SOURCE[0]}" "$@"
fi

# Inside the private namespaces. Before mounting anything, refuse if this still looks like the machine's
# own network (a default route), or if unshare did not give this process network and mount namespaces of
# its own: exec kept its PID, so its parent is whoever ran this script, outside, and both namespaces must
# differ from the parent's and from the ones the outer stage recorded. Unreadable counts as the same.
# The program checks all of this again on its own.
refuse() {
    echo "kernel-attach.sh: $1; refusing to run outside a private namespace (run bench/kernel-attach.sh itself)" >&2
    exit 2
}
ns_of() { readlink "/proc/$1/ns/$2" 2>/dev/null || true; }
[[ -z "$(ip route show default)" && -z "$(ip -6 route show default)" ]] || refuse "this network namespace has a default route"
[[ -n "${PLEXUS_BENCH_OUTER_NS:-}" ]] || refuse "the outer stage's namespaces are unknown"
for ns in net mnt; do
    mine="$(ns_of self "$ns")" parents="$(ns_of "$PPID" "$ns")"
    [[ -n "$mine" && -n "$parents" && "$mine" != "$parents" ]] || refuse "not in a $ns namespace of its own (its parent's, or unreadable)"
    [[ " $PLEXUS_BENCH_OUTER_NS " != *" $mine "* ]] || refuse "still in the $ns namespace it started in"
done
# Namespaces are bind-mounted under /run/netns: give them a tmpfs private to this mount namespace.
mount -t tmpfs -o mode=0755 plexus-run /run
ip link set lo up
exec dotnet "$out/plexus-bench-kernel.dll" "$@"
