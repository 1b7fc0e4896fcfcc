#!/usr/bin/env bash
# Installs plexusd, plexus and the CNI plugin on this machine: the NativeAOT executables (scripts/publish-native.sh) under
# /usr/local/lib/plexus with SQLite's library beside plexusd, commands on PATH in /usr/local/bin, and the
# systemd unit (not enabled; `systemctl enable --now plexusd`). scripts/package.sh builds a Debian package instead.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh --packages-only
prefix=${PREFIX:-/usr/local}
native="$(scripts/publish-native.sh)"
install -d "$prefix/lib/plexus" "$prefix/bin"
install -m 0755 "$native/plexusd" "$native/plexus" "$prefix/lib/plexus/"
install -m 0644 "$native/libe_sqlite3.so" "$prefix/lib/plexus/"
ln -sf "$prefix/lib/plexus/plexusd" "$prefix/bin/plexusd"
ln -sf "$prefix/lib/plexus/plexus" "$prefix/bin/plexus"
# The CNI plugin, as "plexus" where runtimes look: /opt/cni/bin (the CNI default) and /usr/lib/cni (Debian's podman).
if [ "$prefix" = /usr/local ]; then cni_dirs=(/opt/cni/bin /usr/lib/cni); else cni_dirs=("$prefix/lib/cni"); fi
for dir in "${cni_dirs[@]}"; do install -D -m 0755 "$native/plexus-cni" "$dir/plexus"; done
# A custom PREFIX is a staging install: leave /etc alone.
if [ "$prefix" = /usr/local ] && [ -d /etc/systemd/system ]; then
  sed "s|/usr/sbin/plexusd|$prefix/bin/plexusd|; s|/usr/share/doc|$prefix/share/doc|" packaging/plexusd.service >/etc/systemd/system/plexusd.service
  chmod 0644 /etc/systemd/system/plexusd.service
  command -v systemctl >/dev/null 2>&1 && systemctl daemon-reload || true
fi
if [ "$prefix" = /usr/local ]; then
  mkdir -p /etc/plexus
  [ -f /etc/plexus/daemon.json ] || echo '{}' > /etc/plexus/daemon.json
fi
echo "installed plexusd and plexus in $prefix/bin; start the daemon with: systemctl enable --now plexusd (or run plexusd)"
