#!/usr/bin/env bash
# A fixed session of plexus commands against a fresh plexusd, printed as a transcript: each command, its
# output and its exit code, with what differs from run to run (ids, times, MAC addresses, process ids)
# replaced by placeholders. Two builds that behave alike print the same transcript: the native-binaries test
# (tests/Plexus.Daemon.Tests/NativeBinariesTests.cs) compares the NativeAOT pair with the JIT pair this way.
#
#   scripts/in-private-netns.sh scripts/cli-transcript.sh PLEXUSD PLEXUS
set -uo pipefail
if [[ "${PLEXUS_PRIVATE_NETNS:-}" != 1 ]]; then echo "cli-transcript.sh runs inside scripts/in-private-netns.sh" >&2; exit 2; fi
daemon_bin=$1 cli_bin=$2
work="$(mktemp -d /tmp/plexus-transcript.XXXXXX)"
sock="$work/plexus.sock"
"$daemon_bin" -H "unix://$sock" --data-root "$work/data" --exec-root "$work/exec" --config-file "$work/none.json" --plugin-socket none >"$work/plexusd.log" 2>&1 &
daemon=$!
echo '{}' >"$work/none.json"
cleanup() {
    for s in $("$cli_bin" -H "unix://$sock" ps -a -q 2>/dev/null); do "$cli_bin" -H "unix://$sock" rm -f "$s" >/dev/null 2>&1; done
    kill "$daemon" 2>/dev/null && wait "$daemon" 2>/dev/null
    # The daemon's namespace mounts under the exec root, innermost first.
    awk -v w="$work/" 'index($2, w) == 1 {print $2}' /proc/self/mounts | sort -r | xargs -r -n1 umount -l 2>/dev/null
    rm -rf "$work"
}
trap cleanup EXIT
for _ in $(seq 300); do "$cli_bin" -H "unix://$sock" version >/dev/null 2>&1 && break; sleep 0.1; done

normalize() {
    sed -E \
        -e 's/[0-9a-f]{64}/<id>/g; s/\b[0-9a-f]{12}\b/<short-id>/g' \
        -e 's/[0-9]{4}-[0-9]{2}-[0-9]{2}[T ][0-9:.]+(Z|[+-][0-9]{2}:?[0-9]{2})?( \+0000 UTC)?/<time>/g' \
        -e 's/([0-9a-f]{2}:){5}[0-9a-f]{2}/<mac>/g' \
        -e 's/"(Pid|Created)": ?[0-9]+/"\1": <n>/g; s/"Created":[0-9]+/"Created":<n>/g' \
        -e 's/Up [A-Za-z0-9 ]+(second|minute)s?/Up <uptime>/g' \
        -e 's/veth[0-9a-f]+/veth<x>/g; s/process [0-9]+/process <pid>/g' \
        -e "s#$work#<work>#g"
}
run() {
    echo "\$ plexus $*"
    "$cli_bin" -H "unix://$sock" "$@" 2>&1 | normalize
    echo "[exit ${PIPESTATUS[0]}]"
}

run network create --subnet 10.77.0.0/24 --gateway 10.77.0.1 --label tier=web p1
run network create --internal --subnet 10.78.0.0/24 p2
run network ls
run network ls --filter label=tier=web --format '{{.Name}} {{.Driver}} {{.Labels}}'
run network ls --format json
run network inspect p1
run network inspect -f '{{range .IPAM.Config}}{{.Subnet}} {{.Gateway}}{{end}}' p1
run create --name s1 --network p1 --ip 10.77.0.10 --network-alias one
run run -d --name s2 --network p1 --expose 80 -p 8080:80 --label role=server -- sleep 1000
run ps
run ps -a --format '{{.Names}} {{.Networks}} {{.IP}} {{.Ports}} {{.Labels}}'
run ps --format json --filter name=s2
run inspect s1
run inspect -f '{{.NetworkSettings.IPAddress}} {{.Config.Labels}}' s2
run port s2
run exec s1 -- cat /etc/hosts
run exec s2 -- sh -c 'echo out; sleep 0.3; echo err >&2; exit 3'
run network connect --ip 10.78.0.5 p2 s1
run inspect -f '{{range $k, $v := .NetworkSettings.Networks}}{{$k}}={{$v.IPAddress}} {{end}}' s1
run network disconnect p2 s1
run network rm p1
run network inspect nope
run network create --subnet 300.1.0.0/16 bad
run network create
run inspect nothing-here
run rm s2
run rm -f s2 s1
run network rm p1 p2
run network prune -f
run ps -a
run network ls -q --filter type=custom
