#!/usr/bin/env bash
# The reference scenarios end to end, one plexus command per step, with real packets. Run it through
# scripts/quickstart.sh, which puts it inside a private network and mount namespace: the "host" here
# is that namespace, and the "outside world" is another namespace joined to it by a veth pair.
set -uo pipefail
cd "$(dirname "$0")/.."
if [ "${PLEXUS_PRIVATE_NETNS:-}" != "1" ]; then
  echo "demo.sh runs only inside the private namespace; use scripts/quickstart.sh" >&2
  exit 2
fi
# The native binaries (scripts/publish-native.sh) by default; PLEXUS_BIN_DIR names another folder holding
# plexusd and plexus (the JIT build's output, for instance).
bin_dir=${PLEXUS_BIN_DIR:-artifacts/native}
bin_daemon="$bin_dir/plexusd"
bin_cli="$bin_dir/plexus"
if [ ! -x "$bin_daemon" ] || [ ! -x "$bin_cli" ]; then
  echo "demo.sh: no plexusd and plexus in $bin_dir; run scripts/publish-native.sh (scripts/quickstart.sh does)" >&2
  exit 2
fi
work=$(mktemp -d /tmp/plexus-quickstart.XXXXXX)
failures=0
plexus() { "$bin_cli" "$@"; }

# step "what" command...: runs the command, prints ok or FAIL with its output.
step() {
  local what=$1; shift
  local out
  if out=$("$@" 2>&1); then
    printf '  ok    %s\n' "$what"
  else
    printf '  FAIL  %s\n%s\n' "$what" "$(printf '%s' "$out" | sed 's/^/        /')"
    failures=$((failures + 1))
  fi
}
# blocked "what" command...: the command must fail (a packet that must not arrive).
blocked() {
  local what=$1; shift
  if "$@" >/dev/null 2>&1; then
    printf '  FAIL  %s (it got through)\n' "$what"
    failures=$((failures + 1))
  else
    printf '  ok    %s\n' "$what"
  fi
}
expect() { # expect TEXT command...: the command's output contains TEXT
  local text=$1; shift
  local out
  out=$("$@" 2>&1) || return 1
  [[ $out == *"$text"* ]] || { printf 'expected "%s", got: %s\n' "$text" "$out"; return 1; }
}
www() { mkdir -p "$work/www-$1" && echo "hello from $1" > "$work/www-$1/index.html"; }
ip_of() { plexus inspect -f "{{ (index .NetworkSettings.Networks \"$2\").IPAddress }}" "$1"; }
get() { curl -s --max-time 3 "$@"; }
# serving NAME [PORT]: waits (up to 10 s) until the sandbox's httpd answers on its own loopback, so a busy
# machine's slow exec is not mistaken for a network that drops packets. Silent: the steps that follow judge.
serving() {
  for _ in $(seq 100); do
    plexus exec "$1" -- curl -s -o /dev/null --max-time 1 "http://127.0.0.1:${2:-80}/" >/dev/null 2>&1 && return 0
    sleep 0.1
  done
}

cleanup() {
  for s in $(plexus ps -a -q 2>/dev/null); do plexus rm -f "$s" >/dev/null 2>&1; done
  [ -n "${daemon:-}" ] && kill "$daemon" 2>/dev/null && wait "$daemon" 2>/dev/null
  [ -n "${adoptee:-}" ] && kill "$adoptee" 2>/dev/null
  [ -n "${dnsmasq:-}" ] && kill "$dnsmasq" 2>/dev/null
  [ -n "${outside_httpd:-}" ] && kill "$outside_httpd" 2>/dev/null
  ip netns del outside 2>/dev/null
  rm -rf "$work"
}
trap cleanup EXIT

echo "Plexus quick start (inside a private network namespace)"
"$bin_daemon" --data-root "$work/data" --dns 198.51.100.2 --plugin-socket none >"$work/plexusd.log" 2>&1 &
daemon=$!
for _ in $(seq 600); do plexus info >/dev/null 2>&1 && break; sleep 0.1; done
step "plexusd is up (firewall: nftables)" expect "nftables" plexus info

echo "The outside world: namespace 'outside' (198.51.100.2) behind uplink (198.51.100.1); it has no route to the containers"
ip netns add outside
ip link add uplink type veth peer name wan netns outside
ip addr add 198.51.100.1/24 dev uplink && ip link set uplink up
ip -n outside addr add 198.51.100.2/24 dev wan && ip -n outside link set wan up && ip -n outside link set lo up
www outside
ip netns exec outside busybox httpd -f -p 80 -h "$work/www-outside" &
outside_httpd=$!
# The outside world's DNS server, which plexusd was told to forward to (--dns 198.51.100.2).
ip netns exec outside dnsmasq --keep-in-foreground --conf-file=/dev/null --no-resolv --no-hosts --pid-file= \
  --user=root --bind-interfaces --listen-address=198.51.100.2 --address=/outside.example/198.51.100.2 &
dnsmasq=$!

echo "1. A bridge network and two sandboxes running busybox httpd"
step "plexus network create --subnet 172.18.0.0/16 web" plexus network create --subnet 172.18.0.0/16 web
www c1; www c2
step "plexus run -d --name c1 --network web -- busybox httpd -f -p 80" plexus run -d --name c1 --network web --expose 80 -- busybox httpd -f -p 80 -h "$work/www-c1"
step "plexus run -d --name c2 --network web -- busybox httpd -f -p 80" plexus run -d --name c2 --network web --expose 80 -- busybox httpd -f -p 80 -h "$work/www-c2"
serving c1; serving c2
c1=$(ip_of c1 web); c2=$(ip_of c2 web)
step "c1 ($c1) reaches c2 ($c2): plexus exec c1 -- curl http://$c2/" expect "hello from c2" plexus exec c1 -- curl -s --max-time 3 "http://$c2/"
step "c2 reaches c1" expect "hello from c1" plexus exec c2 -- curl -s --max-time 3 "http://$c1/"
step "c1 finds c2 by name (embedded DNS at 127.0.0.11): plexus exec c1 -- curl http://c2/" expect "hello from c2" plexus exec c1 -- curl -s --max-time 3 http://c2/

echo "2. icc off blocks sandboxes from each other; a link re-opens only the exposed port"
step "plexus network create -o com.docker.network.bridge.enable_icc=false quiet" plexus network create --subnet 172.19.0.0/16 -o com.docker.network.bridge.enable_icc=false quiet
www server
step "plexus run -d --name server --network quiet --expose 80 -- busybox httpd -f -p 80" plexus run -d --name server --network quiet --expose 80 -- busybox httpd -f -p 80 -h "$work/www-server"
serving server
step "server also listens on port 81 (not exposed)" plexus exec server -- busybox httpd -p 81 -h "$work/www-server"
step "plexus run -d --name stranger --network quiet -- sleep 600" plexus run -d --name stranger --network quiet -- sleep 600
server=$(ip_of server quiet)
blocked "stranger cannot reach server:80 (icc off)" plexus exec stranger -- curl -s --max-time 2 "http://$server/"
step "plexus run -d --name client --network quiet --link server:srv -- sleep 600" plexus run -d --name client --network quiet --link server:srv -- sleep 600
step "client reaches server:80 through the link" expect "hello from server" plexus exec client -- curl -s --max-time 3 "http://$server/"
blocked "client cannot reach server:81 (not exposed)" plexus exec client -- curl -s --max-time 2 "http://$server:81/"
step "plexus inspect -f '{{ .HostConfig.Links }}' client" expect "[/server:/client/srv]" plexus inspect -f '{{ .HostConfig.Links }}' client
step "client finds the link by name: plexus exec client -- curl http://srv/" expect "hello from server" plexus exec client -- curl -s --max-time 3 http://srv/
step "client has the link's environment (SRV_PORT_80_TCP)" expect "SRV_PORT_80_TCP=tcp://$server:80" plexus exec client -- env

echo "3. Outbound: a sandbox reaches the outside world through masquerade"
step "c1 reaches http://198.51.100.2/ (replies come back only because the host masquerades)" expect "hello from outside" plexus exec c1 -- curl -s --max-time 3 http://198.51.100.2/
step "c1 resolves outside.example through the upstream DNS server (forwarded): curl http://outside.example/" expect "hello from outside" plexus exec c1 -- curl -s --max-time 3 http://outside.example/
blocked "two networks are isolated: c1 cannot reach server on quiet" plexus exec c1 -- curl -s --max-time 2 "http://$server/"
blocked "and c1 cannot resolve server's name either" plexus exec c1 -- getent hosts server

echo "4. A published port, from outside, from the host and from the container itself (hairpin)"
www pub
step "plexus run -d --name pub --network web -p 8080:80 -- busybox httpd -f -p 80" plexus run -d --name pub --network web -p 8080:80 -- busybox httpd -f -p 80 -h "$work/www-pub"
serving pub
step "plexus port pub" expect "80/tcp -> 0.0.0.0:8080" plexus port pub
step "from outside: curl http://198.51.100.1:8080/" expect "hello from pub" ip netns exec outside curl -s --max-time 3 http://198.51.100.1:8080/
step "from the host: curl http://198.51.100.1:8080/" expect "hello from pub" get http://198.51.100.1:8080/
step "from the host: curl http://127.0.0.1:8080/" expect "hello from pub" get http://127.0.0.1:8080/
step "hairpin: pub reaches itself at 198.51.100.1:8080" expect "hello from pub" plexus exec pub -- curl -s --max-time 3 http://198.51.100.1:8080/

echo "5. A namespace started with 'unshare -n' (a container run with --net=none) is adopted and joined"
unshare --net sleep 600 &
adoptee=$!
# Until unshare has made its namespace, the process still shares this one.
for _ in $(seq 100); do
  [ "$(readlink "/proc/$adoptee/ns/net" 2>/dev/null)" != "$(readlink /proc/self/ns/net)" ] && break
  sleep 0.05
done
step "plexus create --name adopted --pid $adoptee" plexus create --name adopted --pid "$adoptee"
step "plexus network connect web adopted" plexus network connect web adopted
step "the adopted process reaches c1 ($c1)" expect "hello from c1" nsenter --net="/proc/$adoptee/ns/net" curl -s --max-time 3 "http://$c1/"

echo "6. See the network: plexus network graph draws what the steps built"
step "plexus network graph -o network.svg (laid out by Graphviz)" plexus network graph -o "$work/network.svg"
step "the picture shows every sandbox, address and published port" bash -c '
  for word in "$@"; do grep -qF -- ">$word<" "$0" || { echo "not in the picture: $word"; exit 1; }; done' \
  "$work/network.svg" web quiet c1 c2 pub server stranger client adopted "$c1/16" "$c2/16" "$server/16" "0.0.0.0:8080/tcp" "8080 → 80/tcp" "link srv"
step "it renders: rsvg-convert network.svg -o network.png" rsvg-convert -o "$work/network.png" "$work/network.svg"
step "plexus network graph --format mermaid quiet" expect "link srv" plexus network graph --format mermaid quiet
if [ -n "${PLEXUS_PICTURE:-}" ]; then
  cp "$work/network.svg" "$PLEXUS_PICTURE" && echo "  wrote $PLEXUS_PICTURE"
fi

echo "7. Clean up"
step "plexus rm -f every sandbox" bash -c "for s in \$('$bin_cli' ps -a -q); do '$bin_cli' rm -f \$s >/dev/null || exit 1; done"
step "plexus network rm web quiet" plexus network rm web quiet
echo
if [ "$failures" -eq 0 ]; then echo "quick start passed: every step worked"; else echo "quick start: $failures step(s) failed (daemon log: $work/plexusd.log)"; cat "$work/plexusd.log" | tail -20; fi
[ "$failures" -eq 0 ]
