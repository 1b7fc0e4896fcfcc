#!/usr/bin/env bash
# The Debian package as a user meets it, in a throwaway Debian root (scripts/debian-root.sh's tarball):
# install OLD.deb, upgrade to NEW.deb keeping an edited conffile, start the installed plexusd inside a
# private network namespace and use it with the installed CLI (as root and as a member of the "plexus"
# group), stop it, purge, and check that nothing of the package is left. Prints one line per check;
# exits non-zero at the first failure. Run by tests/Plexus.Daemon.Tests/PackageTests.cs, as root, inside
# the suite's private network and mount namespace (no network is needed: the root holds the dependencies).
#
#   scripts/test-package.sh ROOT_TARBALL OLD.deb NEW.deb
set -euo pipefail
tarball=$1 old=$2 new=$3
for f in "$tarball" "$old" "$new"; do [[ -s "$f" ]] || { echo "FAIL: $f is missing"; exit 1; }; done
if [[ "${PLEXUS_PRIVATE_NETNS:-}" != 1 ]]; then echo "FAIL: run inside a private namespace (scripts/in-private-netns.sh)"; exit 2; fi

work="$(mktemp -d /tmp/plexus-package-test.XXXXXX)"
root="$work/root"
daemon=""
# unshare --fork waits on its child without passing signals on: plexusd itself is told to stop.
stop_daemon() {
    [[ -n "$daemon" ]] || return 0
    local child
    for child in $(cat /proc/"$daemon"/task/*/children 2>/dev/null); do kill "$child" 2>/dev/null; done
    wait "$daemon" 2>/dev/null
    daemon=""
}
cleanup() {
    stop_daemon
    for m in run sys dev proc; do umount -R "$root/$m" 2>/dev/null || true; done
    rm -rf --one-file-system "$work"
}
trap cleanup EXIT
ok() { echo "ok    $*"; }
fail() { echo "FAIL  $*"; exit 1; }
in_root() { chroot "$root" env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin LC_ALL=C.UTF-8 "$@"; }
# Every path in the root but dpkg's and the system's own bookkeeping, which installing anything changes
# (and the backups shadow's tools keep of /etc/group and friends when a group is added or removed).
inventory() {
    (cd "$root" && find . -xdev \( -path ./proc -o -path ./sys -o -path ./dev -o -path ./run -o -path ./tmp \
        -o -path ./var/lib/dpkg -o -path ./var/log -o -path ./var/cache -o -path ./var/lib/systemd -o -path './etc/*-' \) -prune -o -print | LC_ALL=C sort)
    grep -h '^plexus:' "$root/etc/group" "$root/etc/gshadow" 2>/dev/null || true
}

mkdir -p "$root"
tar -C "$root" -xf "$tarball"
mount -t proc proc "$root/proc"
mount --rbind /dev "$root/dev"
mount -t tmpfs -o mode=0755 run "$root/run"
cp "$old" "$root/tmp/old.deb"
cp "$new" "$root/tmp/new.deb"
before="$(inventory)"
old_version="$(dpkg-deb -f "$old" Version)" new_version="$(dpkg-deb -f "$new" Version)"

# --- install -------------------------------------------------------------------------------------------
out="$(in_root dpkg -i /tmp/old.deb 2>&1)" || fail "dpkg -i old package: $out"
[[ "$(in_root dpkg-query -W -f='${Status} ${Version}' plexus)" == "install ok installed $old_version" ]] || fail "plexus $old_version is not installed"
for f in /usr/bin/plexus /usr/sbin/plexusd /usr/lib/plexus/libe_sqlite3.so /lib/systemd/system/plexusd.service /etc/plexus/daemon.json \
    /usr/share/bash-completion/completions/plexus /usr/share/zsh/vendor-completions/_plexus /usr/share/fish/vendor_completions.d/plexus.fish; do
    [[ -e "$root$f" ]] || fail "install: $f is missing"
done
in_root getent group plexus >/dev/null || fail "install: no plexus group"
grep -q '^Type=notify' "$root/lib/systemd/system/plexusd.service" || fail "install: the unit is not Type=notify"
ok "dpkg -i plexus_$old_version: binaries, unit, conffile, completions, group plexus"

# --- upgrade, with the conffile edited by the admin ------------------------------------------------------
printf '{\n  "bip": "172.31.7.1/24"\n}\n' >"$root/etc/plexus/daemon.json"
out="$(in_root dpkg --force-confold -i /tmp/new.deb 2>&1)" || fail "dpkg -i new package: $out"
[[ "$(in_root dpkg-query -W -f='${Status} ${Version}' plexus)" == "install ok installed $new_version" ]] || fail "plexus $new_version is not installed after the upgrade"
grep -q '"bip": "172.31.7.1/24"' "$root/etc/plexus/daemon.json" || fail "upgrade: the edited conffile was replaced"
[[ "$(in_root getent group plexus | cut -d: -f1)" == plexus ]] || fail "upgrade: the group is gone"
ok "upgrade to $new_version keeps the edited /etc/plexus/daemon.json and the group"

# --- the installed daemon serves, in a network namespace of its own --------------------------------------
unshare --net --pid --fork --kill-child -- sh -c 'ip link set lo up && exec chroot "$1" env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin /usr/sbin/plexusd' sh "$root" \
    >"$work/plexusd.log" 2>&1 &
daemon=$!
for _ in $(seq 300); do in_root plexus version >/dev/null 2>&1 && break; sleep 0.1; done
out="$(in_root plexus network ls 2>&1)" || fail "plexus network ls against the installed plexusd: $out $(cat "$work/plexusd.log")"
for n in bridge host none; do grep -qw "$n" <<<"$out" || fail "network ls does not list $n: $out"; done
[[ "$(in_root plexus network inspect -f '{{range .IPAM.Config}}{{.Subnet}}{{end}}' bridge)" == 172.31.7.0/24 ]] \
    || fail "the daemon did not read /etc/plexus/daemon.json (bip 172.31.7.1/24 for the default bridge)"
mode="$(in_root stat -c '%a %U:%G' /run/plexus/plexus.sock)"
[[ "$mode" == "660 root:plexus" ]] || fail "the socket is $mode, expected 660 root:plexus"
# nobody (65534) with and without the plexus group among its groups.
gid="$(in_root getent group plexus | cut -d: -f3)"
out="$(chroot --userspec=65534:65534 --groups="$gid" "$root" /usr/bin/plexus network ls 2>&1)" || fail "a member of group plexus cannot use the socket: $out"
if out="$(chroot --userspec=65534:65534 --groups=65534 "$root" /usr/bin/plexus network ls 2>&1)"; then fail "a user outside group plexus used the socket"; fi
grep -q "permission denied" <<<"$out" || fail "a user outside group plexus got: $out"
ok "installed plexusd serves 'plexus network ls' (root:plexus 0660 socket: members yes, others permission denied)"
stop_daemon

# --- purge: nothing of the package is left --------------------------------------------------------------
out="$(in_root dpkg --purge plexus 2>&1)" || fail "dpkg --purge: $out"
in_root dpkg-query -W plexus >/dev/null 2>&1 && [[ "$(in_root dpkg-query -W -f='${Status}' plexus)" != *not-installed* ]] && fail "plexus is still known to dpkg"
after="$(inventory)"
if [[ "$before" != "$after" ]]; then
    fail "purge left these behind: $(diff <(echo "$before") <(echo "$after") | grep '^[<>]' | tr '\n' ' ')"
fi
ok "dpkg --purge leaves nothing behind (files, /etc/plexus, /var/lib/plexus, group)"
echo "package test passed"
