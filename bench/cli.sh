#!/usr/bin/env bash
# Issue 13: the plexus CLI (native) against the docker CLI, command by command, against ONE plexusd in one run.
# Each command runs through `plexus -H unix://SOCK ...` and `docker -H unix://SOCK ...` side by side in one
# hyperfine invocation (no shell between hyperfine and the command), so both meet the same daemon, store and
# machine load; the report gives the medians and the ratio plexus/docker (target: <= 0.8 for every command).
#
#   bench/cli.sh [--quick] [--runs N] [--markdown FILE] [--json FILE]
#
# Needs root. Before entering a private network, mount and PID namespace (where there is no route to the
# package registries) it installs hyperfine and the docker client (docker.io; dockerd is never started) and
# publishes the native binaries (scripts/publish-native.sh). The report goes to stdout and to
# artifacts/bench/cli/report.md, hyperfine's raw figures to artifacts/bench/cli/results.json.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/.." && pwd)"

runs=40
out_dir="$root/artifacts/bench/cli"
markdown="$out_dir/report.md"
json="$out_dir/results.json"
args=("$@")
for ((i = 0; i < ${#args[@]}; i++)); do
    case "${args[i]}" in
        --quick) runs=10 ;;
        --runs) runs="${args[i + 1]}"; i=$((i + 1)) ;;
        --markdown) markdown="$(realpath -m "${args[i + 1]}")"; i=$((i + 1)) ;;
        --json) json="$(realpath -m "${args[i + 1]}")"; i=$((i + 1)) ;;
        --help | -h) sed -n '2,/^set -euo/p' "${BASH_SOURCE[0]}" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
        *) echo "cli: unknown argument ${args[i]}" >&2; exit 2 ;;
    esac
done

if [[ "${PLEXUS_BENCH_STAGE:-}" != inside ]]; then
    if [[ $EUID -ne 0 ]]; then
        echo "cli: needs root (it starts plexusd, in a private namespace)" >&2
        exit 1
    fi
    missing=()
    command -v hyperfine >/dev/null 2>&1 || missing+=(hyperfine)
    [[ -x /usr/bin/docker || -x /usr/local/bin/docker ]] || missing+=(docker.io)
    command -v python3 >/dev/null 2>&1 || missing+=(python3)
    command -v nft >/dev/null 2>&1 || missing+=(nftables)
    if ((${#missing[@]})); then
        echo "cli: installing ${missing[*]}" >&2
        # docker.io must not start dockerd on this machine: policy-rc.d forbids starting services meanwhile.
        policy=0
        if [[ ! -e /usr/sbin/policy-rc.d ]]; then printf '#!/bin/sh\nexit 101\n' >/usr/sbin/policy-rc.d; chmod 755 /usr/sbin/policy-rc.d; policy=1; fi
        DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 update -qq
        DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
        ((policy)) && rm -f /usr/sbin/policy-rc.d
    fi
    native="$("$root/scripts/publish-native.sh")"
    mkdir -p "$out_dir" "$(dirname "$markdown")" "$(dirname "$json")"
    exec unshare --net --mount --pid --fork --mount-proc --propagation private -- \
        env PLEXUS_BENCH_STAGE=inside PLEXUS_NATIVE="$native" CLI_RUNS="$runs" CLI_MARKDOWN="$markdown" CLI_JSON="$json" "${BASH_SOURCE[0]}"
fi

# --- inside: a private network, mount and PID namespace; plexusd dies with it --------------------------------
[[ -z "$(ip route show default)" ]] || { echo "cli: this namespace has a default route; refusing" >&2; exit 2; }
mount -t tmpfs -o mode=0755 plexus-run /run
ip link set lo up
work="$(mktemp -d /tmp/plexus-bench-cli.XXXXXX)"
# On the way out: the daemon's namespace mounts under the exec root (innermost first), then the folder.
trap 'awk -v w="$work/" '"'"'index($2, w) == 1 {print $2}'"'"' /proc/self/mounts | sort -r | xargs -r -n1 umount -l 2>/dev/null; rm -rf "$work"' EXIT
sock="$work/plexus.sock"
docker_bin="$(command -v docker)"
plexus=("$PLEXUS_NATIVE/plexus" -H "unix://$sock")
docker=("$docker_bin" -H "unix://$sock")
export DOCKER_CONFIG="$work/docker-config" DOCKER_CLI_HINTS=false

"$PLEXUS_NATIVE/plexusd" -H "unix://$sock" --data-root "$work/data" --exec-root "$work/exec" --plugin-socket none >"$work/plexusd.log" 2>&1 &
daemon=$!
for _ in $(seq 200); do "${plexus[@]}" version >/dev/null 2>&1 && break; sleep 0.05; done
"${plexus[@]}" version >/dev/null || { cat "$work/plexusd.log" >&2; exit 1; }

# The world the commands see: two user networks, a sandbox on each, one sandbox to connect and disconnect.
"${plexus[@]}" network create --subnet 10.231.0.0/24 bench-a >/dev/null
"${plexus[@]}" network create --subnet 10.231.1.0/24 bench-b >/dev/null
"${plexus[@]}" create --name s1 --network bench-a >/dev/null
"${plexus[@]}" create --name s2 --network bench-a >/dev/null

p="${plexus[*]}"
d="${docker[*]}"
# name|plexus args|docker args|prepare (run before each timed run, untimed)
cases=(
    "network ls|network ls|network ls|"
    "network inspect|network inspect bench-a|network inspect bench-a|"
    "network create|network create bench-c|network create bench-c|sh -c '$p network rm bench-c >/dev/null 2>&1; true'"
    "network rm|network rm bench-r|network rm bench-r|sh -c '$p network create bench-r >/dev/null 2>&1; true'"
    "network connect|network connect bench-b s2|network connect bench-b s2|sh -c '$p network disconnect bench-b s2 >/dev/null 2>&1; true'"
    "network disconnect|network disconnect bench-b s2|network disconnect bench-b s2|sh -c '$p network connect bench-b s2 >/dev/null 2>&1; true'"
    "ps|ps|ps|"
    "inspect|inspect s1|inspect s1|"
)
results=()
for c in "${cases[@]}"; do
    IFS='|' read -r name pargs dargs prepare <<<"$c"
    file="$work/$(echo "$name" | tr ' ' '-').json"
    extra=()
    [[ -n "$prepare" ]] && extra=(--prepare "$prepare")
    echo "cli: $name" >&2
    hyperfine -N --style none --warmup 3 --runs "$CLI_RUNS" "${extra[@]}" --export-json "$file" \
        -n "plexus $pargs" "$p $pargs" -n "docker $dargs" "$d $dargs" >/dev/null
    results+=("$name=$file")
done

kill "$daemon"; wait "$daemon" 2>/dev/null || true

python3 - "$CLI_MARKDOWN" "$CLI_JSON" "$CLI_RUNS" "${results[@]}" <<'EOF'
import json, sys, statistics, os, platform
markdown, out_json, runs = sys.argv[1], sys.argv[2], int(sys.argv[3])
rows, raw = [], {}
for arg in sys.argv[4:]:
    name, path = arg.split("=", 1)
    data = json.load(open(path))["results"]
    plexus, docker = data[0], data[1]
    raw[name] = {"plexus": plexus, "docker": docker}
    pm, dm = plexus["median"] * 1000, docker["median"] * 1000
    rows.append((name, pm, plexus["mean"] * 1000, dm, docker["mean"] * 1000, pm / dm))
load = open("/proc/loadavg").read().split()[:3]
lines = [
    "# plexus CLI (NativeAOT) against the docker CLI, one plexusd",
    "",
    f"Each command {runs} times through each CLI (after 3 warm-up runs), side by side against the same plexusd on its",
    f"Unix socket, started by hyperfine without a shell. {os.cpu_count()} CPUs, load average {' '.join(load)} at the end.",
    "",
    "| command | plexus p50 ms | plexus mean ms | docker p50 ms | docker mean ms | plexus/docker (p50) | target <= 0.8 |",
    "|---|---:|---:|---:|---:|---:|---|",
]
for name, pm, pmean, dm, dmean, ratio in rows:
    lines.append(f"| {name} | {pm:.1f} | {pmean:.1f} | {dm:.1f} | {dmean:.1f} | {ratio:.2f} | {'met' if ratio <= 0.8 else 'NOT met'} |")
met = sum(1 for r in rows if r[5] <= 0.8)
lines += ["", f"{met} of {len(rows)} commands meet the target."]
text = "\n".join(lines) + "\n"
open(markdown, "w").write(text)
json.dump(raw, open(out_json, "w"), indent=1)
print(text)
EOF
