#!/usr/bin/env bash
# apt-get install for Plexus's scripts: packages such as docker.io and etcd-server start their daemon on
# install, in the machine's own network namespace (docker0, iptables rules, a listening etcd). Plexus starts
# its own inside private namespaces, so service starts are refused for the install (Debian's policy-rc.d,
# honoured by invoke-rc.d and deb-systemd-invoke; machines built from container images already carry one).
#   scripts/apt-install.sh PACKAGE...
set -uo pipefail
made=0
if [ ! -e /usr/sbin/policy-rc.d ]; then
    printf '#!/bin/sh\nexit 101\n' >/usr/sbin/policy-rc.d && chmod 755 /usr/sbin/policy-rc.d && made=1
fi
DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 install -y -qq --no-install-recommends "$@"
status=$?
if [ "$made" = 1 ]; then rm -f /usr/sbin/policy-rc.d; fi
exit "$status"
