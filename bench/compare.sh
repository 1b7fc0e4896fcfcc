#!/usr/bin/env bash
# Issue 7: Plexus against the systems people would use instead, on this machine, in one run. Measures
# Plexus through its API, through its CLI and as a CNI plugin (plexus-cni), the CNI reference plugins (bridge +
# host-local + ipMasq, portmap), netavark, Docker (dockerd with its own data root, `docker network connect` through
# its API), Docker with Plexus as its network and IPAM plugin (docker-plexus: the same dockerd operations on
# `-d plexus --ipam-driver plexus` networks, plexusd serving /run/docker/plugins/plexus.sock) and the
# floor (the same kernel operations back to back, in process), and reports figures and ratios.
#
#   bench/compare.sh [--quick] [--rounds R] [--clients C] [--json FILE] [--svg FILE] [--markdown FILE] [--baseline REV]
#                    [--plexus-dir DIR] [--baseline-dir DIR]
#                    [--systems floor,floor-plain,plexus-api,plexus-baseline,plexus-cli,cni,plexus-cni,netavark,docker-plexus,docker]
#
# --baseline REV also builds plexusd from commit REV (git archive, published as Plexus itself is) and measures it
# as plexus-baseline in the same run, so a change's before and after are compared under the same conditions.
# --plexus-dir DIR and --baseline-dir DIR take builds that already exist (a directory holding plexusd, or a
# script named plexusd that execs one with other settings) instead of publishing: an A/B of two builds then
# takes a minute, so it can be repeated with the order swapped, which this machine's noise calls for.
#
# The throughput rounds after the first report where the CPU went (this benchmark's clients, the daemon, the
# whole machine, per attach); PLEXUS_COMPARE_PERF=PREFIX also samples the whole machine over those rounds only
# (perf record -a -g) into PREFIX-SYSTEM.data, for `perf report --pid` or `perf script` (give a path outside /tmp).
#
# --quick runs N = 10 and 100 with smaller samples (CI's smoke run, a few minutes); the default is
# N = 10, 100 and 1000. The Markdown report goes to stdout and to artifacts/bench/compare/report.md, the
# raw figures to artifacts/bench/compare/results.json and the plot of attach latency against N to
# artifacts/bench/compare/attach-latency.svg (unless --json/--svg/--markdown say otherwise).
#
# Before entering the private namespace (where there is no route to the package registries) it installs
# what the chosen systems need: containernetworking-plugins, netavark, docker.io, busybox-static, iptables,
# nftables. A package that cannot be installed makes its system "not measured", with the reason; the
# others still run. Everything runs inside a private network and mount namespace (bench/run-private.sh);
# on the way out it removes whatever the run left (processes, data directories, cgroups) and checks that
# the machine's own links and /run/netns are as they were.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/.." && pwd)"
all_systems=floor,floor-plain,plexus-api,plexus-baseline,plexus-cli,cni,plexus-cni,netavark,docker-plexus,docker

if [[ $EUID -ne 0 ]]; then
    echo "compare: needs root (it starts network daemons, in a private namespace)" >&2
    exit 1
fi

systems=$all_systems
baseline=""
plexus_dir=""
baseline_dir=""
args=()
given=("$@")
for ((i = 0; i < ${#given[@]}; i++)); do
    case "${given[i]}" in
        --systems) systems="${given[i + 1]:-}" ;;
        # The script's own option: the program never sees it.
        --baseline)
            baseline="${given[i + 1]:-}"
            i=$((i + 1))
            continue
            ;;
        --plexus-dir | --baseline-dir)
            dir="${given[i + 1]:-}"
            if [[ ! -x "$dir/plexusd" ]]; then
                echo "compare: ${given[i]}: no executable plexusd in '$dir'" >&2
                exit 2
            fi
            dir="$(cd "$dir" && pwd)"
            if [[ "${given[i]}" == --plexus-dir ]]; then plexus_dir="$dir"; else baseline_dir="$dir"; fi
            i=$((i + 1))
            continue
            ;;
        --help | -h)
            sed -n '2,/^set -euo/p' "${BASH_SOURCE[0]}" | sed '$d; s/^# \{0,1\}//'
            exit 0
            ;;
    esac
    args+=("${given[i]}")
done
wants() { [[ ",$systems," == *",$1,"* ]]; }

# --- packages, outside the private namespace --------------------------------------------------------
# Each system's packages; a failed install is that system's reason for "not measured".
declare -A needs=(
    [cni]="containernetworking-plugins iptables"
    [netavark]="netavark iptables"
    [docker]="docker.io busybox-static iptables"
    [docker-plexus]="docker.io busybox-static nftables"
    [plexus-api]="nftables"
    [plexus-cli]="nftables"
    [plexus-cni]="nftables"
)
have() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q 'install ok installed'; }
unavailable=""
updated=0
policy_created=0
restore_policy() { if ((policy_created)); then rm -f /usr/sbin/policy-rc.d; policy_created=0; fi; }
trap restore_policy EXIT
for system in cni netavark docker docker-plexus plexus-api plexus-cli plexus-cni; do
    wants "$system" || continue
    missing=()
    for p in ${needs[$system]}; do have "$p" || missing+=("$p"); done
    ((${#missing[@]})) || continue
    if ((!updated)); then
        apt-get update -qq >/dev/null 2>&1 || true
        updated=1
    fi
    # Installing docker.io must not start dockerd in the machine's own namespace (it would make docker0
    # and its firewall rules there): policy-rc.d forbids starting services while packages install.
    if [[ ! -e /usr/sbin/policy-rc.d ]]; then
        printf '#!/bin/sh\nexit 101\n' >/usr/sbin/policy-rc.d
        chmod 755 /usr/sbin/policy-rc.d
        policy_created=1
    fi
    echo "compare: installing ${missing[*]} for $system" >&2
    if ! log="$("$root/scripts/apt-install.sh" "${missing[@]}" 2>&1)"; then
        reason="$(printf '%s\n' "$log" | grep -E '^E:' | head -1)"
        unavailable+="$system=apt-get install ${missing[*]} failed: ${reason:-see apt-get}"$'\n'
        continue
    fi
    if [[ " ${missing[*]} " == *" docker.io "* ]] && [[ "$(ps -p 1 -o comm= 2>/dev/null)" == systemd ]]; then
        # Nor at the next boot: a dockerd started by systemd would change the machine's network.
        systemctl disable docker.service docker.socket containerd.service >/dev/null 2>&1 || true
    fi
done
restore_policy

# --- Plexus itself, as it is installed: the NativeAOT binaries (scripts/publish-native.sh, shared) -----
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1
plexus_out="$root/artifacts/native"
if [[ -n "$plexus_dir" ]]; then
    plexus_out="$plexus_dir"
    for pair in plexus-cli:plexus plexus-cni:plexus-cni; do
        if wants "${pair%%:*}" && [[ ! -x "$plexus_dir/${pair#*:}" ]]; then
            echo "compare: --plexus-dir $plexus_dir has no ${pair#*:}, which ${pair%%:*} needs (choose --systems without it)" >&2
            exit 2
        fi
    done
elif wants plexus-api || wants plexus-cli || wants plexus-cni || wants docker-plexus; then
    plexus_out="$("$root/scripts/publish-native.sh")"
fi
if [[ -n "$baseline_dir" ]] && wants plexus-baseline; then
    export PLEXUS_COMPARE_BASELINE_DIR="$baseline_dir" PLEXUS_COMPARE_BASELINE_REV="$baseline_dir"
elif [[ -n "$baseline" ]] && wants plexus-baseline; then
    rev="$(git -C "$root" rev-parse --short "$baseline^{commit}")"
    baseline_src="$root/artifacts/bench/compare-baseline-src"
    baseline_out="$root/artifacts/bench/compare-plexus-baseline"
    rm -rf "$baseline_src" "$baseline_out"
    mkdir -p "$baseline_src"
    git -C "$root" archive "$rev" | tar -x -C "$baseline_src"
    # Built as that commit builds its own benchmarks: native where it has publish-native.sh, else ReadyToRun.
    if [[ -x "$baseline_src/scripts/publish-native.sh" ]]; then
        PLEXUS_NATIVE_DIR="$baseline_out" "$baseline_src/scripts/publish-native.sh" >/dev/null
        build="NativeAOT"
    else
        log="$(mktemp)"
        if ! dotnet publish "$baseline_src/src/Plexus.Daemon" -c Release -o "$baseline_out" -p:PublishReadyToRun=true -nologo -v:quiet >"$log" 2>&1; then
            cat "$log" >&2
            rm -f "$log"
            exit 1
        fi
        rm -f "$log"
        build="ReadyToRun"
    fi
    export PLEXUS_COMPARE_BASELINE_DIR="$baseline_out" PLEXUS_COMPARE_BASELINE_REV="$baseline ($rev, $build)"
fi

# --- the run, inside the private namespace, and the sweep after it ---------------------------------
# Every path the run creates holds this tag: after the run, anything left is found by it and removed.
run_id="plexus-compare-$$-$(date +%s)"
links_before="$(ip -o link show | awk -F': ' '{print $2}' | sort)"
netns_before="$(ls /run/netns 2>/dev/null | sort || true)"

sweep() {
    # Processes whose command line holds the run's tag (daemons, containerd shims), and everything under
    # them (docker-proxy, containers' processes): killed by PID, children first.
    local pids=() pid
    # "[p]" so that grep does not find its own command line.
    for pid in $(grep -lsa -- "${run_id:0:2}[${run_id:2:1}]${run_id:3}" /proc/[0-9]*/cmdline 2>/dev/null | cut -d/ -f3); do
        [[ "$pid" == "$$" || ! -d "/proc/$pid" ]] || pids+=("$pid")
    done
    if ((${#pids[@]})); then
        local tree=("${pids[@]}") i=0 child
        while ((i < ${#tree[@]})); do
            for child in $(cat "/proc/${tree[i]}/task/"*/children 2>/dev/null); do tree+=("$child"); done
            i=$((i + 1))
        done
        echo "compare: removing ${#tree[@]} processes the run left behind" >&2
        for ((i = ${#tree[@]} - 1; i >= 0; i--)); do kill -KILL "${tree[i]}" 2>/dev/null || true; done
    fi
    # Data roots (docker's vfs/overlay layers, plexusd's store, CNI's IPAM files) live under /tmp.
    if [[ -d "/tmp/$run_id" ]]; then
        umount -R "/tmp/$run_id" 2>/dev/null || true
        rm -rf --one-file-system "/tmp/$run_id" 2>/dev/null || true
    fi
    # dockerd's --cgroup-parent: empty cgroup directories named after the run.
    find /sys/fs/cgroup -depth -type d -name "$run_id*" -exec rmdir {} + 2>/dev/null || true
    local links_after netns_after
    links_after="$(ip -o link show | awk -F': ' '{print $2}' | sort)"
    netns_after="$(ls /run/netns 2>/dev/null | sort || true)"
    if [[ "$links_after" != "$links_before" ]]; then
        echo "compare: WARNING: the machine's links changed during the run:" >&2
        diff <(echo "$links_before") <(echo "$links_after") >&2 || true
    fi
    if [[ "$netns_after" != "$netns_before" ]]; then
        echo "compare: WARNING: /run/netns changed during the run" >&2
    fi
}
trap 'sweep' EXIT

export PLEXUS_COMPARE_RUN_ID="$run_id"
export PLEXUS_COMPARE_PLEXUS_DIR="$plexus_out"
export PLEXUS_COMPARE_UNAVAILABLE="$unavailable"
export PLEXUS_COMPARE_ROOT="$root"
export PLEXUS_BENCH_NAME=compare PLEXUS_BENCH_PROJECT=Plexus.Bench.Compare/Plexus.Bench.Compare.csproj PLEXUS_BENCH_DLL=plexus-bench-compare.dll
# Not exec: the sweep above runs when the run ends, however it ends.
"$here/run-private.sh" "${args[@]}"
