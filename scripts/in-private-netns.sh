#!/usr/bin/env bash
# Runs a command inside a private network and mount namespace: a fresh network stack with only `lo`,
# and a private tmpfs on /run, so nothing the command does reaches the machine's own network or /run.
# Everything it creates disappears with the namespace when the command ends.
set -euo pipefail
if [ "${PLEXUS_PRIVATE_NETNS:-}" != "1" ]; then
  exec unshare --net --mount --propagation private -- env PLEXUS_PRIVATE_NETNS=1 "$0" "$@"
fi
mount -t tmpfs -o mode=0755 plexus-run /run
ip link set lo up
exec "$@"
