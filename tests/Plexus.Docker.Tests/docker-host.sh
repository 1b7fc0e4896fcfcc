#!/usr/bin/env bash
# A "docker host" for the tests: a network, mount and PID namespace of its own.
#
#   unshare --net --mount --pid --fork --mount-proc --propagation private -- docker-host.sh init DIR CGROUP
#     PID 1 of the namespace. Gives it a loopback, a private /run (dockerd looks for plugins in
#     /run/docker/plugins, plexusd serves there) and a private /etc/docker (dockerd writes key.json), writes
#     DIR/ready, then reaps orphans until its standard input closes: the test closes it to end the host, and
#     if the test process dies the pipe closes with it. Then it kills every process of the namespace
#     (dockerd, containerd, shims, containers, plexusd), unmounts what they mounted under DIR, removes the
#     cgroups dockerd made under CGROUP and DIR itself, and exits.
#
#   nsenter -t PID -n -m -p -- docker-host.sh spawn LOG COMMAND...
#     Starts COMMAND inside as a daemon of PID 1 (its own session, output appended to LOG) and prints its
#     PID as the namespace numbers it.
set -euo pipefail

case "${1:-}" in
spawn)
    log="$2"
    shift 2
    cd /
    # Nothing inherited beyond stdio: a daemon holding the write end of PID 1's input would keep the host alive.
    for fd in /proc/self/fd/*; do
        n="${fd##*/}"
        if ((n > 2 && n != 255)); then eval "exec $n>&-" 2>/dev/null || true; fi
    done
    setsid "$@" >>"$log" 2>&1 </dev/null &
    echo "$!"
    ;;
init)
    dir="$2" cgroup="$3"
    mount -t tmpfs -o mode=0755 docker-host-run /run
    mkdir -p /etc/docker
    mount -t tmpfs -o mode=0755 docker-host-etc /etc/docker
    ip link set lo up
    touch "$dir/ready"
    # bash reaps the orphans reparented to it (its SIGCHLD handler waits for any child) while it reads.
    while read -r _; do :; done || true
    kill -KILL -1 2>/dev/null || true
    for _ in $(seq 100); do
        alive=0
        for p in /proc/[0-9]*; do
            pid="${p#/proc/}"
            [[ "$pid" == 1 || "$pid" == "$BASHPID" ]] && continue
            [[ -e "$p/stat" ]] && alive=1 && break
        done
        ((alive)) || break
        sleep 0.1
    done
    # Deepest first: container root file systems under dockerd's data root, then anything else under DIR.
    grep -F " $dir/" /proc/self/mounts | cut -d' ' -f2 | sort -r | while read -r m; do umount -l "$m" 2>/dev/null || true; done
    for controller in /sys/fs/cgroup/*; do
        [[ -d "$controller/$cgroup" ]] && find "$controller/$cgroup" -depth -type d -exec rmdir {} + 2>/dev/null || true
    done
    rm -rf --one-file-system "$dir" 2>/dev/null || true
    ;;
*)
    echo "usage: docker-host.sh init DIR CGROUP | spawn LOG COMMAND..." >&2
    exit 64
    ;;
esac
