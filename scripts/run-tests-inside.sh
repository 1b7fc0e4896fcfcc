#!/usr/bin/env bash
# Runs inside the private namespace made by in-private-netns.sh: the test suite, then a check that
# the suite left nothing behind in this namespace (links other than lo, namespaces, mounts).
set -uo pipefail
cd "$(dirname "$0")/.."
dotnet test Plexus.slnx -c "${CONFIGURATION:-Release}" --no-build --no-restore -v quiet -nologo "$@"
status=$?
leaks=$(ip -o link show | awk -F': ' '$2 != "lo" {print $2}')
mounts=$(grep -c ' /run/plexus' /proc/self/mounts || true)
if [ -n "$leaks" ] || [ "$mounts" != "0" ]; then
  echo "LEAK: the tests left behind links [${leaks//$'\n'/ }] and $mounts namespace mount(s)"
  status=1
fi
exit "$status"
