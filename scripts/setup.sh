#!/usr/bin/env bash
# Installs what Plexus needs on a fresh Debian machine (as root) and builds it.
# Idempotent: packages already present are not reinstalled; NuGet packages come by restore.
# --packages-only installs the packages and builds nothing (the native publish does its own build).
set -euo pipefail
cd "$(dirname "$0")/.."

need=()
command -v ip >/dev/null 2>&1 || need+=(iproute2)
# The static build: it is also the whole root file system of the images the dockerd tests import.
dpkg-query -W -f='${Status}' busybox-static 2>/dev/null | grep -q 'ok installed' || need+=(busybox-static)
command -v nsenter >/dev/null 2>&1 || need+=(util-linux)
# setpriv confines what `plexus run` and `plexus exec` start (capabilities, no_new_privs).
command -v setpriv >/dev/null 2>&1 || need+=(util-linux)
command -v curl >/dev/null 2>&1 || need+=(curl)
# The docker client, for the tests that drive plexusd with it (only the client is used).
command -v docker >/dev/null 2>&1 || need+=(docker.io)
# dockerd itself (docker.io), for the tests that run a real dockerd with Plexus as its network plugin
# (tests/Plexus.Docker.Tests); /usr/local/bin/docker on CI machines is only a client.
command -v dockerd >/dev/null 2>&1 || [ -x /usr/sbin/dockerd ] || need+=(docker.io)
command -v nft >/dev/null 2>&1 || need+=(nftables)
# A DNS server for the resolver tests' "outside world" (upstream forwarding).
command -v dnsmasq >/dev/null 2>&1 || [ -x /usr/sbin/dnsmasq ] || need+=(dnsmasq-base)
[ -e /usr/lib/x86_64-linux-gnu/libnftables.so.1 ] || ls /usr/lib/*/libnftables.so.1 >/dev/null 2>&1 || need+=(libnftables1)
command -v iptables-restore >/dev/null 2>&1 || need+=(iptables)
# The shells whose completion scripts the CLI tests run.
command -v zsh >/dev/null 2>&1 || need+=(zsh)
command -v fish >/dev/null 2>&1 || need+=(fish)
# The native publish (scripts/publish-native.sh) links with the C toolchain and zlib.
command -v gcc >/dev/null 2>&1 || command -v clang >/dev/null 2>&1 || need+=(gcc libc6-dev)
[ -e /usr/include/zlib.h ] || need+=(zlib1g-dev)
# Graphviz lays out `plexus network graph`'s SVG; rsvg-convert (librsvg2-bin) checks that the SVG renders.
command -v dot >/dev/null 2>&1 || need+=(graphviz)
command -v rsvg-convert >/dev/null 2>&1 || need+=(librsvg2-bin)
# etcd (Debian's etcd-server 3.4): the cluster store the cluster tests run, each member in a private namespace.
etcd_missing=0
command -v etcd >/dev/null 2>&1 || { need+=(etcd-server); etcd_missing=1; }
# podman (4.3, its CNI backend, with runc) runs containers on Plexus networks through the CNI plugin in its tests.
command -v podman >/dev/null 2>&1 || need+=(podman)
command -v runc >/dev/null 2>&1 || need+=(runc)
# Node.js and npm, for the compatibility tests driven by dockerode (tests/dockerode).
command -v node >/dev/null 2>&1 || need+=(nodejs)
command -v npm >/dev/null 2>&1 || need+=(npm)
if [ ${#need[@]} -gt 0 ]; then
  echo "setup: installing ${need[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get -o DPkg::Lock::Timeout=600 update -qq
  # scripts/apt-install.sh keeps the packages' daemons (docker.io, etcd-server) from starting on the machine.
  scripts/apt-install.sh "${need[@]}" >/dev/null
  # Nor at the next boot: the packages enable their services under systemd; the tests start their own.
  if [ -d /run/systemd/system ]; then
    if [ "$etcd_missing" = 1 ]; then systemctl disable etcd.service >/dev/null 2>&1 || true; fi
    if [[ " ${need[*]} " == *" docker.io "* ]]; then systemctl disable docker.service docker.socket containerd.service >/dev/null 2>&1 || true; fi
  fi
fi

# dockerode, exactly as package-lock.json pins it (its optional native add-ons are not needed).
if [ ! -d tests/dockerode/node_modules/dockerode ] || [ tests/dockerode/package-lock.json -nt tests/dockerode/node_modules/.package-lock.json ]; then
  echo "setup: installing dockerode for the compatibility tests"
  (cd tests/dockerode && npm ci --no-audit --no-fund --ignore-scripts --loglevel=error)
fi

# cnitool, the CNI project's reference runtime, which the CNI plugin's tests drive: built offline from Debian's
# golang-go and libcni packages by the shared build script, once (cached in artifacts/cnitool).
# The shared tools sit beside the repository (../shared), wherever it is cloned.
cnitool_build="${PLEXUS_CNITOOL_BUILD:-$PWD/../shared/tools/cnitool/build.sh}"
if [ ! -x artifacts/cnitool/cnitool ] && [ -x "$cnitool_build" ]; then
  echo "setup: building cnitool for the CNI plugin's tests"
  "$cnitool_build" "$PWD/artifacts/cnitool" >/dev/null
fi

[ "${1:-}" = "--packages-only" ] && exit 0
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1
echo "setup: restoring and building"
dotnet build Plexus.slnx -c "${CONFIGURATION:-Release}" -v quiet -nologo -clp:ErrorsOnly
