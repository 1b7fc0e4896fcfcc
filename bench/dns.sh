#!/usr/bin/env bash
# Benchmarks the embedded DNS resolver against aardvark-dns (Podman's), from inside a sandbox: queries per
# second and p50/p99 latency for a name the resolver knows and a name it forwards to an upstream dnsmasq.
# Everything runs inside a private network and mount namespace made here with `unshare --net --mount`.
#
#   bench/dns.sh [--quick] [--json FILE]
#
# Needs root and dotnet; installs dnsmasq-base, aardvark-dns, iproute2 and util-linux if missing, and publishes
# plexusd and the plexus CLI as NativeAOT executables (scripts/publish-native.sh). The Markdown report goes to stdout, progress to stderr.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
if [[ "${PLEXUS_BENCH_STAGE:-}" != inside ]]; then
    missing=()
    command -v dnsmasq >/dev/null 2>&1 || [ -x /usr/sbin/dnsmasq ] || missing+=(dnsmasq-base)
    [ -x /usr/lib/podman/aardvark-dns ] || [ -x /usr/libexec/podman/aardvark-dns ] || missing+=(aardvark-dns)
    if ((${#missing[@]})) && [[ $EUID -eq 0 ]]; then
        apt-get update -qq
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null || true
    fi
    # plexusd and plexus as installed: the NativeAOT binaries (shared with the other benchmarks and the tests).
    PLEXUS_NATIVE_DIR="$("$here/../scripts/publish-native.sh")"
    export PLEXUS_NATIVE_DIR
fi
export PLEXUS_BENCH_NAME=dns PLEXUS_BENCH_PROJECT=Plexus.Bench.Dns/Plexus.Bench.Dns.csproj PLEXUS_BENCH_DLL=plexus-bench-dns.dll
exec "$here/run-private.sh" "$@"
