#!/usr/bin/env bash
# Builds a benchmark in Release and runs it inside a private network and mount namespace made here with
# `unshare --net --mount`: the machine's own network is never touched, and everything the run creates
# disappears with that namespace even if the program is killed. Called by each benchmark's own script
# (kernel-attach.sh, firewall-ports.sh), which sets PLEXUS_BENCH_NAME, _PROJECT and _DLL. Needs root and dotnet;
# installs only iproute2 and util-linux if missing.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/.." && pwd)"
# Set by the benchmark's own script: what to build and run.
: "${PLEXUS_BENCH_NAME:?}" "${PLEXUS_BENCH_PROJECT:?}" "${PLEXUS_BENCH_DLL:?}"
project="$here/$PLEXUS_BENCH_PROJECT"
out="$root/artifacts/bench/$PLEXUS_BENCH_NAME"

if [[ "${PLEXUS_BENCH_STAGE:-}" != inside ]]; then
    if [[ $EUID -ne 0 ]]; then
        echo "$PLEXUS_BENCH_NAME: needs root (it creates network namespaces and links, in a private namespace)" >&2
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
        echo "$PLEXUS_BENCH_NAME: cannot read this shell's namespaces from /proc/self/ns" >&2
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
    echo "$PLEXUS_BENCH_NAME: $1; refusing to run outside a private namespace (run bench/$PLEXUS_BENCH_NAME.sh itself)" >&2
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
exec dotnet "$out/$PLEXUS_BENCH_DLL" "$@"
