#!/usr/bin/env bash
# Installs plexusd and plexus on this machine: published builds under /usr/local/lib/plexus, commands
# on PATH in /usr/local/bin, and the systemd unit (not enabled; `systemctl enable --now plexusd`).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
prefix=${PREFIX:-/usr/local}
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
for project in Daemon Cli; do
  dotnet publish "src/Plexus.$project" -c Release -o "$prefix/lib/plexus" -p:PublishReadyToRun=true -v quiet -nologo
done
mkdir -p "$prefix/bin"
ln -sf "$prefix/lib/plexus/plexusd" "$prefix/bin/plexusd"
ln -sf "$prefix/lib/plexus/plexus" "$prefix/bin/plexus"
# A custom PREFIX is a staging install: leave /etc alone.
if [ "$prefix" = /usr/local ] && [ -d /etc/systemd/system ]; then
  install -m 0644 packaging/plexusd.service /etc/systemd/system/plexusd.service
  command -v systemctl >/dev/null 2>&1 && systemctl daemon-reload || true
fi
if [ "$prefix" = /usr/local ]; then
  mkdir -p /etc/plexus
  [ -f /etc/plexus/daemon.json ] || echo '{}' > /etc/plexus/daemon.json
fi
echo "installed plexusd and plexus in $prefix/bin; start the daemon with: systemctl enable --now plexusd (or run plexusd)"
