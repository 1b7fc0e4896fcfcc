#!/usr/bin/env bash
# A throwaway Debian root for the package test (tests/Plexus.Daemon.Tests/PackageTests.cs): a minimal
# bookworm (`debootstrap --variant=minbase`) from this machine's own apt mirror, plus the libraries the
# package depends on, so that installing it there needs no network (the tests run without one).
# Made once and cached as a tarball; prints the tarball's path. Runs in the setup phase, outside the
# private namespace, as root.
set -euo pipefail
cache="${PLEXUS_DEBIAN_ROOT_CACHE:-/var/cache/plexus-test}"
# What the package's Depends name beyond minbase: installed here, as a user's machine would have them.
include="libnftables1,libssl3"
tarball="$cache/bookworm-minbase-$(echo "$include" | sha256sum | cut -c1-12).tar"
if [[ -s "$tarball" ]]; then
    echo "$tarball"
    exit 0
fi
command -v debootstrap >/dev/null 2>&1 || {
    echo "debian-root: installing debootstrap" >&2
    DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 update -qq
    DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 install -y -qq --no-install-recommends debootstrap >/dev/null
}
# The mirror apt already uses here (deb822 sources first, then the one-line format).
mirror="$(sed -n 's/^URIs:[[:space:]]*\([^[:space:]]*\).*/\1/p' /etc/apt/sources.list.d/*.sources 2>/dev/null | grep -v security | head -1 || true)"
if [[ -z "$mirror" ]]; then
    mirror="$(awk '$1 == "deb" && $0 !~ /security/ { for (i = 2; i <= NF; i++) if ($i ~ /^(https?|file):/) { print $i; exit } }' /etc/apt/sources.list 2>/dev/null || true)"
fi
[[ -n "$mirror" ]] || { echo "debian-root: no Debian mirror found in apt's sources" >&2; exit 1; }
mkdir -p "$cache"
work="$(mktemp -d "$cache/root.XXXXXX")"
trap 'umount -R "$work/root" 2>/dev/null || true; rm -rf --one-file-system "$work"' EXIT
echo "debian-root: debootstrap --variant=minbase bookworm (a few minutes, once)" >&2
if ! debootstrap --variant=minbase --include="$include" bookworm "$work/root" "$mirror" >"$work/log" 2>&1; then
    tail -30 "$work/log" >&2
    exit 1
fi
# Nothing downloaded is needed again: keep the tarball small.
rm -rf "$work/root/var/cache/apt/archives/"*.deb "$work/root/var/lib/apt/lists/"*_Packages 2>/dev/null || true
tar -C "$work/root" -cf "$tarball.tmp" .
mv "$tarball.tmp" "$tarball"
echo "$tarball"
