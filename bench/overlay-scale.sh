#!/usr/bin/env bash
# Issue 17: the overlay driver at scale, outside the test suite. H hosts (network namespaces on one underlay
# bridge, each running its own native plexusd with its own data root, exec root, socket and mount namespace), etcd
# (Debian's etcd-server) on the underlay, one overlay network and E endpoints spread round-robin over the hosts.
# Measures convergence (time from `network connect` returning on host A to the new sandbox answering a ping from a
# sandbox on host A+1; p50/p99 at 100 and at E endpoints in the cluster), etcd requests per attach (etcd's gRPC
# counters on its /metrics, diffed around the sampled attaches), plexusd's RSS per host, the time to attach all E,
# and checks correctness at scale: every host's FDB and neighbour entries are exactly the remote endpoints, a sample
# of cross-host pings answers, and removing everything leaves nothing in etcd or in any host's kernel.
#
#   bench/overlay-scale.sh [--quick] [--hosts H] [--endpoints E] [--samples S] [--docker N] [--markdown FILE] [--json FILE]
#
# --docker N: then the same convergence measurement on Docker's overlay network in swarm mode (dockerd from Debian's
# docker.io, one per host namespace, containers on a local bridge joined with `docker network connect`), with N
# containers; default min(E, 100), since every container costs a containerd shim and a runc start (1000 of them do not
# fit beside the rest on a shared 2-core machine); 0 skips it (the default with --quick).
# Defaults: 10 hosts, 1000 endpoints, 50 sampled attaches per level. --quick: 4 hosts, 100 endpoints, 20 samples
# (about two minutes). Needs root; publishes the native binaries (scripts/publish-native.sh), installs etcd-server
# if missing, then runs everything inside a private network, mount and PID namespace made here: nothing is made
# in the machine's own namespaces, and every process the run starts dies with its PID namespace.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/.." && pwd)"
hosts=10 endpoints=1000 samples=50 pings=50 docker=""
markdown="$root/artifacts/bench/overlay/report.md"
json="$root/artifacts/bench/overlay/results.json"
args=("$@")
for ((i = 0; i < ${#args[@]}; i++)); do
    case "${args[i]}" in
        --quick) hosts=4 endpoints=100 samples=20 pings=20 docker="${docker:-0}" ;;
        --hosts) hosts="${args[i + 1]}"; i=$((i + 1)) ;;
        --endpoints) endpoints="${args[i + 1]}"; i=$((i + 1)) ;;
        --samples) samples="${args[i + 1]}"; i=$((i + 1)) ;;
        --docker) docker="${args[i + 1]}"; i=$((i + 1)) ;;
        --markdown) markdown="$(realpath -m "${args[i + 1]}")"; i=$((i + 1)) ;;
        --json) json="$(realpath -m "${args[i + 1]}")"; i=$((i + 1)) ;;
        --help | -h) sed -n '2,/^set -euo/p' "${BASH_SOURCE[0]}" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
        *) echo "overlay-scale: unknown argument ${args[i]}" >&2; exit 2 ;;
    esac
done
docker="${docker:-$((endpoints < 100 ? endpoints : 100))}"
if ((hosts < 2 || hosts > 250)); then echo "overlay-scale: --hosts must be 2..250" >&2; exit 2; fi
if [[ $EUID -ne 0 ]]; then echo "overlay-scale: needs root (it starts daemons, in a private namespace)" >&2; exit 1; fi
missing=()
command -v etcd >/dev/null 2>&1 || missing+=(etcd-server)
command -v busybox >/dev/null 2>&1 || missing+=(busybox-static)
command -v bridge >/dev/null 2>&1 || missing+=(iproute2)
command -v nft >/dev/null 2>&1 || missing+=(nftables)
if ((docker > 0)) && ! command -v dockerd >/dev/null 2>&1; then
    # Installing docker.io must not start dockerd in the machine's namespace: policy-rc.d forbids it meanwhile.
    if [[ ! -e /usr/sbin/policy-rc.d ]]; then printf '#!/bin/sh\nexit 101\n' >/usr/sbin/policy-rc.d; chmod 755 /usr/sbin/policy-rc.d; trap 'rm -f /usr/sbin/policy-rc.d' EXIT; fi
    missing+=(docker.io)
fi
if ((${#missing[@]})); then "$root/scripts/apt-install.sh" "${missing[@]}" >/dev/null || echo "overlay-scale: could not install ${missing[*]}" >&2; fi
native="$("$root/scripts/publish-native.sh")"
mkdir -p "$(dirname "$markdown")" "$(dirname "$json")"
# dockerd's containers' cgroups (cgroupfs is the machine's, not namespaced): named after the run, removed afterwards.
cgroup="overlay-scale-$$"
status=0
# bash is PID 1 of the namespace (it reaps the sandboxes' orphans); the harness is its child. When bash exits, the
# kernel kills whatever is left in the PID namespace, and the network namespaces and mounts go with the run's own.
unshare --net --mount --pid --fork --mount-proc --propagation private -- bash -c '
    set -e
    [[ -z "$(ip route show default)" && -z "$(ip -6 route show default)" ]] || { echo "overlay-scale: a default route here; refusing" >&2; exit 2; }
    mount -t tmpfs -o mode=0755 overlay-scale-run /run
    ip link set lo up
    python3 "$0" "$@" && exit 0 || exit $?' "$here/overlay/harness.py" --plexusd "$native/plexusd" --hosts "$hosts" --endpoints "$endpoints" \
    --samples "$samples" --pings "$pings" --docker "$docker" --cgroup "$cgroup" --markdown "$markdown" --json "$json" || status=$?
# The namespace's last processes may still be dying when unshare returns: their cgroups empty out a moment later.
for _ in $(seq 100); do
    left="$(find /sys/fs/cgroup -mindepth 1 -maxdepth 2 -type d -name "$cgroup-h*")"
    [[ -n "$left" ]] || break
    for d in $left; do find "$d" -depth -type d -exec rmdir {} + 2>/dev/null || true; done
    sleep 0.2
done
if [[ -n "$left" ]]; then echo "overlay-scale: WARNING: cgroups left: $left" >&2; fi
exit "$status"
