#!/usr/bin/env python3
"""The overlay driver at scale (issue 17): H hosts, each a network namespace on one underlay bridge running its own
native plexusd, etcd on the underlay, one overlay network and E endpoints spread over the hosts. Measures convergence
(time from `network connect` returning on host A to the new sandbox answering a ping from a sandbox on host B), etcd
requests per attach, plexusd's memory and the time to attach everything; checks every host's FDB and neighbour
entries, a sample of cross-host pings, and that removing everything leaves nothing in etcd or the kernel.

Runs inside the private network, mount and PID namespace bench/overlay-scale.sh makes (never elsewhere: it refuses a
namespace with a default route). Talks to each plexusd over its Unix socket with a small HTTP/1.1 client, and probes
with a raw ICMP socket opened inside the probing sandbox's namespace: no process per request or per probe."""
import argparse, base64, ctypes, json, os, random, select, shutil, signal, socket, statistics, struct, subprocess, sys, threading, time
import urllib.request
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "footprint"))
from harness import request  # plexusd's API over its Unix socket: the footprint harness's HTTP/1.1 client

ETCD = "10.77.0.254"
ETCD_URL = f"http://{ETCD}:2379"
SUBNET = "10.128.0.0/16"
NET = "ov"
CLONE_NEWNET = 0x40000000
libc = ctypes.CDLL(None, use_errno=True)


def log(text):
    print(f"overlay-scale: {text}", file=sys.stderr, flush=True)


def sh(*cmd, check=True):
    r = subprocess.run(cmd, capture_output=True, text=True)
    if check and r.returncode != 0:
        sys.exit(f"{' '.join(cmd)}: exit {r.returncode}: {r.stderr.strip()}")
    return r.stdout


def vtep(i):
    return f"10.77.0.{i}"


class Host:
    def __init__(self, i, work, binary):
        self.i, self.ns = i, f"h{i}"
        self.dir = os.path.join(work, self.ns)
        self.sock = os.path.join(self.dir, "plexus.sock")
        self.binary, self.proc = binary, None
        os.makedirs(self.dir)
        open(os.path.join(self.dir, "daemon.json"), "w").write("{}")

    def wire(self):
        """The host's namespace, joined to the underlay bridge by a veth, with its VTEP address."""
        sh("ip", "netns", "add", self.ns)
        sh("ip", "link", "add", self.ns, "type", "veth", "peer", "name", "underlay", "netns", self.ns)
        sh("ip", "link", "set", self.ns, "master", "ul0", "up")
        sh("ip", "-n", self.ns, "addr", "add", f"{vtep(self.i)}/24", "dev", "underlay")
        sh("ip", "-n", self.ns, "link", "set", "underlay", "up")
        sh("ip", "-n", self.ns, "link", "set", "lo", "up")

    def start(self):
        # `ip netns exec` gives plexusd a mount namespace of its own (with the host's /sys), inside the run's.
        self.proc = subprocess.Popen(["ip", "netns", "exec", self.ns, self.binary, "-H", "unix://" + self.sock,
                                      "--data-root", os.path.join(self.dir, "data"), "--exec-root", os.path.join(self.dir, "exec"),
                                      "--config-file", os.path.join(self.dir, "daemon.json"), "--plugin-socket", "none",
                                      "--cluster-store", f"etcd://{ETCD}:2379", "--cluster-advertise", vtep(self.i)],
                                     stdout=open(os.path.join(self.dir, "plexusd.log"), "a"), stderr=subprocess.STDOUT, cwd="/")

    def wait_ready(self):
        deadline = time.time() + 180
        while time.time() < deadline:
            if self.proc.poll() is not None:
                sys.exit(f"host {self.i}: plexusd exited with {self.proc.returncode}: {self.tail()}")
            try:
                if request(self.sock, "GET", "/_ping", timeout=5)[0] == 200 and request(self.sock, "GET", "/networks", timeout=60)[0] == 200:
                    return
            except OSError:
                pass
            time.sleep(0.05)
        sys.exit(f"host {self.i}: plexusd did not answer within 180 s: {self.tail()}")

    def tail(self):
        return open(os.path.join(self.dir, "plexusd.log")).read()[-2000:]

    def call(self, method, path, body=None, what=None, allow=()):
        try:
            status, data = request(self.sock, method, path, body)
        except OSError as e:
            sys.exit(f"host {self.i}: {what or path}: {e}\n{self.tail()}")
        if status >= 300 and status not in allow:
            sys.exit(f"host {self.i}: {what or path}: {status} {data[:400]!r}")
        return status, (json.loads(data) if data.strip() else None)

    def rss_mb(self):
        for line in open(f"/proc/{self.proc.pid}/status"):
            if line.startswith("VmRSS:"):
                return round(int(line.split()[1]) / 1024, 1)
        return 0.0

    def vxlan(self):
        links = json.loads(sh("ip", "-n", self.ns, "-j", "link", "show", "type", "vxlan") or "[]")
        return links[0]["ifname"] if links else None

    def fdb(self):
        """MAC -> VTEP of the static remote entries on the overlay's VXLAN device."""
        dev = self.vxlan()
        if dev is None:
            return {}
        entries = json.loads(sh("bridge", "-n", self.ns, "-j", "fdb", "show", "dev", dev) or "[]")
        return {e["mac"]: e["dst"] for e in entries if e.get("dst") and e["mac"] != "00:00:00:00:00:00"}

    def neighbours(self):
        """IPv4 -> MAC of the permanent neighbour entries on the VXLAN device (answered by its ARP proxy)."""
        dev = self.vxlan()
        if dev is None:
            return {}
        entries = json.loads(sh("ip", "-n", self.ns, "-j", "-4", "neigh", "show", "dev", dev) or "[]")
        return {e["dst"]: e.get("lladdr") for e in entries}

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


# --- etcd ---------------------------------------------------------------------------------------------------------------
class Etcd:
    def __init__(self, work):
        self.dir = os.path.join(work, "etcd")
        self.proc = subprocess.Popen(["etcd", "--name", "m0", "--data-dir", self.dir,
                                      "--listen-client-urls", ETCD_URL, "--advertise-client-urls", ETCD_URL,
                                      "--listen-peer-urls", "http://127.0.0.1:2380", "--initial-advertise-peer-urls", "http://127.0.0.1:2380",
                                      "--initial-cluster", "m0=http://127.0.0.1:2380", "--initial-cluster-state", "new",
                                      "--logger", "zap", "--log-outputs", "stderr", "--log-level", "warn"],
                                     stdout=open(os.path.join(work, "etcd.log"), "a"), stderr=subprocess.STDOUT, cwd="/")
        deadline = time.time() + 60
        while time.time() < deadline:
            try:
                if b"true" in urllib.request.urlopen(ETCD_URL + "/health", timeout=2).read():
                    return
            except OSError:
                time.sleep(0.1)
        sys.exit("etcd did not become healthy within 60 s")

    @staticmethod
    def metrics():
        """The gRPC counters by (service, method): calls started, messages received and sent."""
        out = {}
        for line in urllib.request.urlopen(ETCD_URL + "/metrics", timeout=10).read().decode().splitlines():
            for name in ("grpc_server_started_total", "grpc_server_msg_received_total", "grpc_server_msg_sent_total"):
                if line.startswith(name + "{"):
                    labels = dict(kv.split("=", 1) for kv in line[len(name) + 1:line.index("}")].split(","))
                    key = (labels["grpc_service"].strip('"').split(".")[-1], labels["grpc_method"].strip('"'), name.split("_")[2])
                    out[key] = out.get(key, 0) + float(line.rsplit(" ", 1)[1])
        return out

    @staticmethod
    def keys():
        body = json.dumps({"key": base64.b64encode(b"\0").decode(), "range_end": base64.b64encode(b"\0").decode(), "keys_only": True}).encode()
        r = json.loads(urllib.request.urlopen(urllib.request.Request(ETCD_URL + "/v3/kv/range", body), timeout=10).read())
        return sorted(base64.b64decode(kv["key"]).decode() for kv in r.get("kvs", []))

    @staticmethod
    def value(key):
        body = json.dumps({"key": base64.b64encode(key.encode()).decode()}).encode()
        r = json.loads(urllib.request.urlopen(urllib.request.Request(ETCD_URL + "/v3/kv/range", body), timeout=10).read())
        return base64.b64decode(r["kvs"][0]["value"]).decode() if r.get("kvs") else ""

    def rss_mb(self):
        for line in open(f"/proc/{self.proc.pid}/status"):
            if line.startswith("VmRSS:"):
                return round(int(line.split()[1]) / 1024, 1)
        return 0.0

    def stop(self):
        self.proc.send_signal(signal.SIGTERM)
        self.proc.wait(30)


def diff_requests(before, after, n):
    """etcd requests per attach by method: unary calls (started), stream messages received (watch, keep-alive) and sent."""
    per = {}
    for key in set(after) | set(before):
        d = after.get(key, 0) - before.get(key, 0)
        if d <= 0:
            continue
        service, method, kind = key
        if kind == "started" and method not in ("Watch", "LeaseKeepAlive"):
            per[f"{method}"] = round(d / n, 2)
        elif kind == "received" and method in ("Watch", "LeaseKeepAlive"):
            per[f"{method} (msgs in)"] = round(d / n, 2)
        elif kind == "sent" and method == "Watch":
            per["Watch (events out)"] = round(d / n, 2)
    return dict(sorted(per.items()))


# --- the probe: a raw ICMP socket inside a sandbox's network namespace ------------------------------------------------
def checksum(b):
    if len(b) % 2:
        b += b"\0"
    s = sum(struct.unpack(f"!{len(b) // 2}H", b))
    s = (s >> 16) + (s & 0xFFFF)
    s += s >> 16
    return ~s & 0xFFFF


class Prober:
    def __init__(self, pid):
        own = os.open("/proc/self/ns/net", os.O_RDONLY)
        target = os.open(f"/proc/{pid}/ns/net", os.O_RDONLY)
        try:
            if libc.setns(target, CLONE_NEWNET) != 0:
                sys.exit(f"setns into sandbox {pid}: errno {ctypes.get_errno()}")
            self.sock = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_ICMP)
        finally:
            if libc.setns(own, CLONE_NEWNET) != 0:
                sys.exit(f"setns back: errno {ctypes.get_errno()}")
            os.close(own)
            os.close(target)
        self.ident, self.seq = random.randrange(1, 65535), 0
        self.lock = threading.Lock()

    def ping(self, ip, wait):
        with self.lock:
            self.seq = (self.seq + 1) & 0xFFFF
            seq = self.seq
            header = struct.pack("!BBHHH", 8, 0, 0, self.ident, seq)
            payload = b"plexus-overlay-scale"
            packet = struct.pack("!BBHHH", 8, 0, checksum(header + payload), self.ident, seq) + payload
            try:
                self.sock.sendto(packet, (ip, 0))
            except OSError:
                pass  # a failed resolution reported on the socket: try again
            end = time.perf_counter() + wait
            while True:
                left = end - time.perf_counter()
                if left <= 0:
                    return False
                if not select.select([self.sock], [], [], left)[0]:
                    return False
                try:
                    data, addr = self.sock.recvfrom(2048)
                except OSError:
                    continue
                ihl = (data[0] & 0x0F) * 4
                kind, _, _, ident, rseq = struct.unpack("!BBHHH", data[ihl:ihl + 8])
                if kind == 0 and ident == self.ident and rseq == seq and addr[0] == ip:
                    return True

    def until(self, ip, start, limit=60.0):
        """Seconds from `start` (perf_counter) to the first answer from `ip`; None if none within `limit`."""
        while time.perf_counter() - start < limit:
            if self.ping(ip, 0.01):
                return time.perf_counter() - start
        return None


def pct(values, p):
    v = sorted(values)
    if not v:
        return None
    k = (len(v) - 1) * p / 100
    lo, hi = int(k), min(int(k) + 1, len(v) - 1)
    return v[lo] + (v[hi] - v[lo]) * (k - lo)


# --- the run ------------------------------------------------------------------------------------------------------------
class Cluster:
    def __init__(self, args, work):
        self.args, self.work = args, work
        self.hosts = [Host(i, work, args.plexusd) for i in range(1, args.hosts + 1)]
        self.endpoints = {}  # sandbox name -> (host index, ip, mac)
        self.probes = {}  # host index -> Prober
        self.result = {"hosts": args.hosts, "endpoints": args.endpoints, "samples": args.samples, "levels": []}

    def host(self, i):
        return self.hosts[i - 1]

    def host_of(self, k):
        return k % len(self.hosts) + 1

    def attach(self, k, cmd=None):
        """Sandbox k on its host: created (no network), then POST /networks/ov/connect; returns (host, name, seconds the
        connect took, perf_counter when it returned)."""
        h = self.host(self.host_of(k))
        name = f"e{k}"
        body = {"Name": name}
        if cmd:
            body["Cmd"] = cmd
        h.call("POST", "/plexus/sandboxes", body, f"create sandbox {name}")
        t0 = time.perf_counter()
        h.call("POST", f"/networks/{NET}/connect", {"Container": name}, f"connect {name}")
        t1 = time.perf_counter()
        return h, name, t1 - t0, t1

    def inspect(self, h, name):
        _, j = h.call("GET", f"/containers/{name}/json", what=f"inspect {name}")
        n = j["NetworkSettings"]["Networks"][NET]
        return n["IPAddress"], n["MacAddress"].lower(), j["State"].get("Pid", 0)

    def bulk(self, first, last):
        """Attaches k = first..last-1, each host's share by its own client, all hosts at once; returns connect times."""
        times, lock = [], threading.Lock()

        def run(i):
            for k in range(first, last):
                if self.host_of(k) != i:
                    continue
                h, name, took, _ = self.attach(k)
                ip, mac, _ = self.inspect(h, name)
                with lock:
                    times.append(took)
                    self.endpoints[name] = (i, ip, mac)

        self.on_every_host(run)
        return times

    def on_every_host(self, run):
        """run(i) for every host i, all at once on threads of their own; the first failure ends the harness."""
        errors = []

        def guarded(i):
            try:
                run(i)
            except SystemExit as e:
                errors.append(str(e))

        threads = [threading.Thread(target=guarded, args=(h.i,)) for h in self.hosts]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        if errors:
            sys.exit(errors[0])

    def expected_fdb(self, i):
        return {mac: vtep(h) for (h, ip, mac) in self.endpoints.values() if h != i}

    def expected_neigh(self, i):
        return {ip: mac for (h, ip, mac) in self.endpoints.values() if h != i}

    def converged(self):
        return all(h.fdb() == self.expected_fdb(h.i) for h in self.hosts)

    def wait_converged(self, limit=300):
        t0 = time.perf_counter()
        while time.perf_counter() - t0 < limit:
            if self.converged():
                return time.perf_counter() - t0
            time.sleep(0.5)
        bad = []
        for h in self.hosts:
            got, want = h.fdb(), self.expected_fdb(h.i)
            if got != want:
                bad.append(f"host {h.i}: {len(got)} FDB entries, {len(want)} expected, {len(set(want) - set(got))} missing, {len(set(got) - set(want))} extra")
        sys.exit("FDBs did not converge within %d s: %s" % (limit, "; ".join(bad)))

    def setup(self):
        a = self.args
        sh("ip", "link", "add", "ul0", "type", "bridge")
        sh("ip", "addr", "add", f"{ETCD}/24", "dev", "ul0")
        sh("ip", "link", "set", "ul0", "up")
        self.etcd = Etcd(self.work)
        log(f"etcd {sh('etcd', '--version').splitlines()[0].split()[-1]} serving on {ETCD_URL}")
        for h in self.hosts:
            h.wire()
        t0 = time.perf_counter()
        for h in self.hosts:
            h.start()
        for h in self.hosts:
            h.wait_ready()
        self.result["start_s"] = round(time.perf_counter() - t0, 1)
        log(f"{len(self.hosts)} hosts serving in {self.result['start_s']} s")
        h1 = self.host(1)
        h1.call("POST", "/networks/create", {"Name": NET, "Driver": "overlay", "Attachable": True, "IPAM": {"Config": [{"Subnet": SUBNET}]}}, "network create")
        deadline = time.time() + 60
        while not all(request(h.sock, "GET", f"/networks/{NET}")[0] == 200 for h in self.hosts):
            if time.time() > deadline:
                sys.exit("the overlay network did not appear on every host within 60 s")
            time.sleep(0.2)
        # One probe sandbox per host (a sleeping process: its namespace is found by its PID), endpoints 0..H-1.
        for k in range(len(self.hosts)):
            h, name, _, _ = self.attach(k, ["busybox", "sleep", "2147483647"])
            ip, mac, pid = self.inspect(h, name)
            self.endpoints[name] = (h.i, ip, mac)
            # The probe's own ARP retry: 10 ms rather than 1 s, so a probe that asked too early asks again at once.
            sh("nsenter", "-t", str(pid), "-n", "sh", "-c", "for f in /proc/sys/net/ipv4/neigh/*/retrans_time_ms; do echo 10 > $f; done")
            self.probes[h.i] = Prober(pid)
        self.wait_converged()

    def sampled(self, first, count):
        """Attaches k = first.. one at a time on a quiet cluster; after each connect returns on host A, a sandbox on
        host A+1 pings the new one until it answers. Returns (convergence seconds, connect seconds, etcd requests per attach)."""
        conv, connect = [], []
        before = Etcd.metrics()
        for k in range(first, first + count):
            h, name, took, returned = self.attach(k)
            ip, mac, _ = self.inspect(h, name)
            self.endpoints[name] = (h.i, ip, mac)
            other = h.i % len(self.hosts) + 1
            t = self.probes[other].until(ip, returned)
            if t is None:
                sys.exit(f"{name} ({ip}) on host {h.i} not reachable from host {other} within 60 s")
            conv.append(t)
            connect.append(took)
        after = Etcd.metrics()
        return conv, connect, diff_requests(before, after, count)

    def run(self):
        a = self.args
        self.setup()
        levels = sorted({min(100, a.endpoints), a.endpoints})
        k, bulk_times, bulk_wall = len(self.hosts), [], 0.0
        for level in levels:
            s = min(a.samples, level - k)
            t0 = time.perf_counter()
            bulk_times += self.bulk(k, level - s)
            bulk_wall += time.perf_counter() - t0
            k = level - s
            settle = self.wait_converged()
            log(f"{k} endpoints attached and converged (settled {settle:.1f} s after the last); sampling {s} attaches")
            conv, connect, per = self.sampled(k, s)
            k += s
            self.wait_converged()
            entry = {"endpoints": level, "n": s, "convergence_ms": {"p50": round(pct(conv, 50) * 1000, 1), "p99": round(pct(conv, 99) * 1000, 1),
                                                                    "min": round(min(conv) * 1000, 1), "max": round(max(conv) * 1000, 1)},
                     "connect_ms": {"p50": round(pct(connect, 50) * 1000, 1), "p99": round(pct(connect, 99) * 1000, 1)}, "etcd_per_attach": per}
            self.result["levels"].append(entry)
            log(f"at {level}: convergence p50 {entry['convergence_ms']['p50']} ms, p99 {entry['convergence_ms']['p99']} ms; "
                f"connect p50 {entry['connect_ms']['p50']} ms; etcd per attach {per}")
        self.result["bulk"] = {"attaches": len(bulk_times), "wall_s": round(bulk_wall, 1), "per_s": round(len(bulk_times) / bulk_wall, 1) if bulk_wall else None,
                               "connect_p50_ms": round(pct(bulk_times, 50) * 1000, 1) if bulk_times else None,
                               "connect_p99_ms": round(pct(bulk_times, 99) * 1000, 1) if bulk_times else None}
        time.sleep(2)
        self.result["rss_mb"] = {h.i: h.rss_mb() for h in self.hosts}
        self.result["etcd_rss_mb"] = self.etcd.rss_mb()
        log(f"plexusd RSS per host (MB): {self.result['rss_mb']}; etcd {self.result['etcd_rss_mb']} MB")
        self.check()
        self.teardown()

    def check(self):
        """Every host's FDB and neighbour entries are exactly the remote endpoints; a sample of cross-host pings answers."""
        fdb_ok = all(h.fdb() == self.expected_fdb(h.i) for h in self.hosts)
        neigh_bad = [h.i for h in self.hosts if h.neighbours() != self.expected_neigh(h.i)]
        names = list(self.endpoints)
        pings, failed = 0, []
        for _ in range(self.args.pings):
            src = random.randrange(1, len(self.hosts) + 1)
            name = random.choice([n for n in names if self.endpoints[n][0] != src])
            ip = self.endpoints[name][1]
            pings += 1
            if self.probes[src].until(ip, time.perf_counter(), limit=5) is None:
                failed.append(f"host {src} -> {name} {ip}")
        self.result["check"] = {"fdb_exact": fdb_ok, "fdb_entries_per_host": sorted({len(h.fdb()) for h in self.hosts}),
                                "neighbours_exact_bad_hosts": neigh_bad, "pings": pings, "pings_failed": failed}
        log(f"check: FDBs exact {fdb_ok}, neighbour tables wrong on {neigh_bad or 'no host'}, {pings - len(failed)}/{pings} cross-host pings answered")

    def teardown(self):
        """Removes every sandbox (each host's share by its own client, all at once) and the network; then nothing of the
        overlay may be left in etcd (only the hosts' registrations, under their leases) or in any host's kernel."""
        self.probes.clear()
        t0 = time.perf_counter()

        def run(i):
            for name, (h, _, _) in list(self.endpoints.items()):
                if h == i:
                    self.host(i).call("DELETE", f"/plexus/sandboxes/{name}?force=true", what=f"remove {name}")

        self.on_every_host(run)
        self.result["remove_all_s"] = round(time.perf_counter() - t0, 1)
        self.endpoints.clear()
        self.wait_converged()
        self.host(1).call("DELETE", f"/networks/{NET}", what="network remove")
        deadline = time.time() + 60
        while any(request(h.sock, "GET", f"/networks/{NET}")[0] != 404 for h in self.hosts):
            if time.time() > deadline:
                break
            time.sleep(0.2)
        time.sleep(1)
        left_keys = [k for k in Etcd.keys() if not k.startswith("/plexus/hosts/")]
        if "/plexus/ipam/pools" in left_keys and Etcd.value("/plexus/ipam/pools").strip() == "[]":
            left_keys[left_keys.index("/plexus/ipam/pools")] = "/plexus/ipam/pools (an empty list)"
        left_kernel = {}
        for h in self.hosts:
            # plexus0 is plexusd's default bridge network (docker0's counterpart), made at start and kept: not the overlay's.
            links = [l["ifname"] for l in json.loads(sh("ip", "-n", h.ns, "-j", "link", "show")) if l["ifname"] not in ("lo", "underlay", "plexus0")]
            neigh = [n for n in json.loads(sh("ip", "-n", h.ns, "-j", "neigh", "show", "nud", "permanent") or "[]")]
            fdb = [e for e in json.loads(sh("bridge", "-n", h.ns, "-j", "fdb", "show") or "[]") if e.get("dst")]
            if links or neigh or fdb:
                left_kernel[h.i] = {"links": links, "neighbours": len(neigh), "remote_fdb": len(fdb)}
        for h in self.hosts:
            h.stop()
        # SIGTERM keeps a host's registration (a restart finds its endpoints again): it goes when its lease expires.
        deadline = time.time() + 30
        while any(k.startswith("/plexus/hosts/") for k in Etcd.keys()) and time.time() < deadline:
            time.sleep(0.5)
        left_after_stop = Etcd.keys()
        self.result["cleanup"] = {"etcd_keys_left": left_keys, "kernel_left": left_kernel, "etcd_keys_after_daemons_stopped": left_after_stop}
        log(f"removed all in {self.result['remove_all_s']} s; etcd keys left (besides host registrations): {left_keys or 'none'}; "
            f"kernel objects left: {left_kernel or 'none'}; etcd keys after the daemons stopped: {left_after_stop or 'none'}")

    def close(self):
        for h in self.hosts:
            h.stop()
        if getattr(self, "etcd", None):
            self.etcd.stop()


# --- Docker's overlay network in swarm mode, on the same kind of namespaces --------------------------------------------
DOCKER_API = "/v1.41"
SWARM_SUBNET = "10.129.0.0/16"


class DockerHost:
    """dockerd (Debian's 20.10) in host namespace hN: its own data root, exec root and socket, and a mount namespace of
    its own with private /run/docker and /etc/docker (as tests/Plexus.Docker.Tests/docker-host.sh); no iptables."""

    def __init__(self, i, work, cgroup):
        self.i, self.ns = i, f"h{i}"
        self.dir = os.path.join(work, f"docker-h{i}")
        self.sock = os.path.join(self.dir, "docker.sock")
        self.cgroup = f"{cgroup}-h{i}"
        os.makedirs(self.dir)
        open(os.path.join(self.dir, "daemon.json"), "w").write("{}")
        d = self.dir
        inner = (f"mkdir -p /run/docker /etc/docker && mount -t tmpfs docker-run /run/docker && mount -t tmpfs docker-etc /etc/docker && "
                 f"exec dockerd --config-file {d}/daemon.json --data-root {d}/root --exec-root {d}/exec --pidfile {d}/dockerd.pid "
                 f"-H unix://{self.sock} --storage-driver vfs --exec-opt native.cgroupdriver=cgroupfs --cgroup-parent /{self.cgroup} "
                 f"--iptables=false --ip6tables=false")
        # nsenter rather than `ip netns exec`: the latter remounts /sys, hiding the cgroup mounts dockerd needs.
        self.proc = subprocess.Popen(["nsenter", f"--net=/run/netns/{self.ns}", "unshare", "--mount", "--propagation", "private", "sh", "-c", inner],
                                     stdout=open(os.path.join(d, "dockerd.log"), "a"), stderr=subprocess.STDOUT, cwd="/")

    def wait_ready(self):
        deadline = time.time() + 120
        while time.time() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"dockerd on host {self.i} exited: {self.tail()}")
            try:
                if request(self.sock, "GET", "/_ping", timeout=5)[0] == 200:
                    return
            except OSError:
                pass
            time.sleep(0.1)
        raise RuntimeError(f"dockerd on host {self.i} did not answer within 120 s: {self.tail()}")

    def tail(self):
        return open(os.path.join(self.dir, "dockerd.log")).read()[-1500:]

    def call(self, method, path, body=None, what=None, raw=None, ctype="application/json"):
        if raw is not None:
            s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            s.settimeout(300)
            s.connect(self.sock)
            s.sendall(f"{method} {DOCKER_API}{path} HTTP/1.1\r\nHost: docker\r\nConnection: close\r\nContent-Type: {ctype}\r\nContent-Length: {len(raw)}\r\n\r\n".encode() + raw)
            data = b""
            while (c := s.recv(65536)):
                data += c
            s.close()
            status = int(data.split(b" ")[1])
            if status >= 300:
                raise RuntimeError(f"docker host {self.i}: {what or path}: {status} {data[-300:]!r}")
            return None
        status, data = request(self.sock, method, DOCKER_API + path, body)
        if status >= 300:
            raise RuntimeError(f"docker host {self.i}: {what or path}: {status} {data[:300]!r}")
        return json.loads(data) if data.strip() else None

    def rss_mb(self):
        """dockerd's and its containerd's resident memory (containerd is dockerd's child)."""
        total = 0
        for pid in [self.proc.pid] + descendants(self.proc.pid):
            try:
                comm = open(f"/proc/{pid}/comm").read().strip()
                if comm in ("dockerd", "containerd"):
                    for line in open(f"/proc/{pid}/status"):
                        if line.startswith("VmRSS:"):
                            total += int(line.split()[1])
            except OSError:
                pass
        return round(total / 1024, 1)


def descendants(pid):
    out, todo = [], [pid]
    while todo:
        p = todo.pop()
        try:
            for t in os.listdir(f"/proc/{p}/task"):
                for c in open(f"/proc/{p}/task/{t}/children").read().split():
                    out.append(int(c))
                    todo.append(int(c))
        except OSError:
            pass
    return out


def image_tar():
    """A root file system with busybox and `sleep`, for `docker import` (no registry is reachable here)."""
    import io, tarfile
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w") as tar:
        d = tarfile.TarInfo("bin")
        d.type, d.mode = tarfile.DIRTYPE, 0o755
        tar.addfile(d)
        tar.add(shutil.which("busybox"), "bin/busybox")
        link = tarfile.TarInfo("bin/sleep")
        link.type, link.linkname = tarfile.SYMTYPE, "busybox"
        tar.addfile(link)
    return buf.getvalue()


class DockerSwarm:
    """The same measurement on Docker: containers start on a local bridge (parking) network, and `docker network
    connect` attaches them to an attachable swarm overlay network; convergence is timed the same way, with the same probe."""

    def __init__(self, args, work, cluster_hosts):
        self.args, self.work = args, work
        self.n = cluster_hosts
        self.hosts, self.endpoints, self.probes = [], {}, {}
        self.result = {"hosts": cluster_hosts, "endpoints": args.docker, "levels": []}

    def host_of(self, k):
        return k % self.n + 1

    def attach(self, k, probe=False):
        h = self.hosts[self.host_of(k) - 1]
        name = f"d{k}"
        h.call("POST", f"/containers/create?name={name}", {"Image": "bb:latest", "Cmd": ["sleep", "2147483647"], "HostConfig": {"NetworkMode": "park"}}, f"create {name}")
        h.call("POST", f"/containers/{name}/start", None, f"start {name}")
        t0 = time.perf_counter()
        h.call("POST", "/networks/sov/connect", {"Container": name}, f"connect {name}")
        t1 = time.perf_counter()
        j = h.call("GET", f"/containers/{name}/json")
        ip = j["NetworkSettings"]["Networks"]["sov"]["IPAddress"]
        self.endpoints[name] = (h.i, ip)
        return h, name, ip, j["State"]["Pid"], t1 - t0, t1

    def run(self):
        a = self.args
        t0 = time.perf_counter()
        self.hosts = [DockerHost(i, self.work, a.cgroup) for i in range(1, self.n + 1)]
        for h in self.hosts:
            h.wait_ready()
        self.result["start_s"] = round(time.perf_counter() - t0, 1)
        h1 = self.hosts[0]
        self.result["version"] = h1.call("GET", "/version")["Version"]
        h1.call("POST", "/swarm/init", {"ListenAddr": f"{vtep(1)}:2377", "AdvertiseAddr": vtep(1)}, "swarm init")
        token = h1.call("GET", "/swarm")["JoinTokens"]["Worker"]
        for h in self.hosts[1:]:
            h.call("POST", "/swarm/join", {"ListenAddr": f"{vtep(h.i)}:2377", "AdvertiseAddr": vtep(h.i), "RemoteAddrs": [f"{vtep(1)}:2377"], "JoinToken": token}, "swarm join")
        h1.call("POST", "/networks/create", {"Name": "sov", "Driver": "overlay", "Attachable": True, "CheckDuplicate": True,
                                             "IPAM": {"Config": [{"Subnet": SWARM_SUBNET}]}}, "overlay create")
        tar = image_tar()
        for h in self.hosts:
            h.call("POST", "/images/create?fromSrc=-&repo=bb&tag=latest", raw=tar, ctype="application/x-tar", what="import")
            h.call("POST", "/networks/create", {"Name": "park", "Driver": "bridge", "Internal": True, "IPAM": {"Config": [{"Subnet": f"10.200.{h.i}.0/24"}]}}, "park create")
        log(f"docker {self.result['version']}: {self.n} hosts in a swarm, overlay network sov")
        for k in range(self.n):
            _, _, _, pid, _, _ = self.attach(k)
            sh("nsenter", "-t", str(pid), "-n", "sh", "-c", "for f in /proc/sys/net/ipv4/neigh/*/retrans_time_ms; do echo 10 > $f; done")
            self.probes[self.host_of(k)] = Prober(pid)
        levels = sorted({min(100, a.docker), a.docker})
        k, bulk_wall, bulk_n = self.n, 0.0, 0
        for level in levels:
            s = min(a.samples, level - k)
            t0 = time.perf_counter()
            errors = []

            def run_host(i, first=k, last=level - s):
                try:
                    for kk in range(first, last):
                        if self.host_of(kk) == i:
                            self.attach(kk)
                except RuntimeError as e:
                    errors.append(str(e))

            threads = [threading.Thread(target=run_host, args=(i,)) for i in range(1, self.n + 1)]
            for t in threads:
                t.start()
            for t in threads:
                t.join()
            if errors:
                raise RuntimeError(errors[0])
            bulk_wall += time.perf_counter() - t0
            bulk_n += level - s - k
            k = level - s
            time.sleep(5)  # no FDB to read (it lives in the overlay's own namespace): let the gossip settle
            log(f"docker: {k} containers attached; sampling {s}")
            conv, connect = [], []
            for kk in range(k, k + s):
                h, name, ip, _, took, returned = self.attach(kk)
                other = h.i % self.n + 1
                t = self.probes[other].until(ip, returned)
                if t is None:
                    raise RuntimeError(f"docker: {name} ({ip}) on host {h.i} not reachable from host {other} within 60 s")
                conv.append(t)
                connect.append(took)
            k += s
            entry = {"endpoints": level, "n": s, "convergence_ms": {"p50": round(pct(conv, 50) * 1000, 1), "p99": round(pct(conv, 99) * 1000, 1),
                                                                    "min": round(min(conv) * 1000, 1), "max": round(max(conv) * 1000, 1)},
                     "connect_ms": {"p50": round(pct(connect, 50) * 1000, 1), "p99": round(pct(connect, 99) * 1000, 1)}}
            self.result["levels"].append(entry)
            log(f"docker at {level}: convergence p50 {entry['convergence_ms']['p50']} ms, p99 {entry['convergence_ms']['p99']} ms; connect p50 {entry['connect_ms']['p50']} ms")
        self.result["bulk"] = {"attaches": bulk_n, "wall_s": round(bulk_wall, 1), "per_s": round(bulk_n / bulk_wall, 1) if bulk_wall else None}
        self.result["rss_mb"] = {h.i: h.rss_mb() for h in self.hosts}
        self.probes.clear()

    def close(self):
        for h in self.hosts:
            if h.proc.poll() is None:
                # Containers first (their shims outlive dockerd), then dockerd; the PID namespace ends whatever is left.
                try:
                    for c in h.call("GET", "/containers/json?all=1") or []:
                        h.call("DELETE", f"/containers/{c['Id']}?force=1")
                except (RuntimeError, OSError):
                    pass
                h.proc.send_signal(signal.SIGTERM)
                try:
                    h.proc.wait(60)
                except subprocess.TimeoutExpired:
                    h.proc.kill()
        for p in descendants(os.getpid()):
            try:
                os.kill(p, signal.SIGKILL)
            except OSError:
                pass
        # What dockerd mounted under its data and exec roots.
        for m in sorted((l.split()[1] for l in open("/proc/self/mounts") if "/docker-h" in l.split()[1]), reverse=True):
            subprocess.run(["umount", "-l", m], stderr=subprocess.DEVNULL)


def report(result, path_md, path_json):
    load = " ".join(open("/proc/loadavg").read().split()[:3])
    r = result
    lines = [f"# Overlay at scale: {r['hosts']} hosts, {r['endpoints']} endpoints", "",
             f"{os.cpu_count()} CPUs, load average {load} at the end (shared machine). Native plexusd per host, etcd {ETCD}, one overlay network {SUBNET}.", "",
             "| endpoints in the cluster | samples | convergence p50 (ms) | p99 (ms) | max (ms) | connect p50 / p99 (ms) | etcd requests per attach |",
             "|---:|---:|---:|---:|---:|---:|---|"]
    for l in r["levels"]:
        per = ", ".join(f"{k} {v}" for k, v in l["etcd_per_attach"].items())
        lines.append(f"| {l['endpoints']} | {l['n']} | {l['convergence_ms']['p50']} | {l['convergence_ms']['p99']} | {l['convergence_ms']['max']} | "
                     f"{l['connect_ms']['p50']} / {l['connect_ms']['p99']} | {per} |")
    b = r["bulk"]
    lines += ["", f"- start of {r['hosts']} daemons (all at once, to serving): {r['start_s']} s",
              f"- bulk attach (create sandbox + connect, one client per host, all hosts at once): {b['attaches']} in {b['wall_s']} s ({b['per_s']}/s); connect p50 {b['connect_p50_ms']} ms, p99 {b['connect_p99_ms']} ms",
              f"- plexusd RSS per host with {r['endpoints']} endpoints in the cluster (MB): " + ", ".join(f"h{k} {v}" for k, v in r["rss_mb"].items()) + f"; etcd {r['etcd_rss_mb']} MB",
              f"- FDB exact on every host: {r['check']['fdb_exact']} ({r['check']['fdb_entries_per_host']} remote entries per host); neighbour tables wrong on: {r['check']['neighbours_exact_bad_hosts'] or 'none'}",
              f"- cross-host pings: {r['check']['pings'] - len(r['check']['pings_failed'])}/{r['check']['pings']} answered",
              f"- remove all {r['endpoints']}: {r['remove_all_s']} s; etcd keys left after the network's removal (besides hosts' registrations): {r['cleanup']['etcd_keys_left'] or 'none'}; "
              f"kernel objects left: {r['cleanup']['kernel_left'] or 'none'}; etcd keys once the stopped daemons' leases expired: {r['cleanup']['etcd_keys_after_daemons_stopped'] or 'none'}"]
    dk = r.get("docker")
    if dk is None:
        lines += ["", "Docker swarm overlay: not run (--docker 0)."]
    elif "not_measured" in dk:
        lines += ["", f"Docker swarm overlay: not measured: {dk['not_measured']}"]
    else:
        lines += ["", f"## Docker {dk['version']} swarm overlay, same namespaces ({dk['hosts']} hosts, {dk['endpoints']} containers)", "",
                  "| containers in the cluster | samples | convergence p50 (ms) | p99 (ms) | max (ms) | connect p50 / p99 (ms) |", "|---:|---:|---:|---:|---:|---:|"]
        for l in dk["levels"]:
            lines.append(f"| {l['endpoints']} | {l['n']} | {l['convergence_ms']['p50']} | {l['convergence_ms']['p99']} | {l['convergence_ms']['max']} | {l['connect_ms']['p50']} / {l['connect_ms']['p99']} |")
        lines += ["", f"- start of {dk['hosts']} dockerd: {dk['start_s']} s; bulk (create + start + connect, one client per host): {dk['bulk']['attaches']} in {dk['bulk']['wall_s']} s ({dk['bulk']['per_s']}/s)",
                  "- dockerd + containerd RSS per host (MB): " + ", ".join(f"h{k} {v}" for k, v in dk["rss_mb"].items())]
    text = "\n".join(lines) + "\n"
    os.makedirs(os.path.dirname(path_md), exist_ok=True)
    open(path_md, "w").write(text)
    json.dump(result, open(path_json, "w"), indent=1)
    print(text)


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--hosts", type=int, default=10)
    p.add_argument("--endpoints", type=int, default=1000)
    p.add_argument("--samples", type=int, default=50)
    p.add_argument("--pings", type=int, default=50)
    p.add_argument("--docker", type=int, default=0, help="endpoints for Docker's swarm overlay (0: not run)")
    p.add_argument("--cgroup", default="overlay-scale", help="dockerd's cgroup parent prefix (removed by the script after the run)")
    p.add_argument("--plexusd", required=True)
    p.add_argument("--markdown", required=True)
    p.add_argument("--json", required=True)
    a = p.parse_args()
    if sh("ip", "route", "show", "default").strip():
        sys.exit("a default route here: this is not a private namespace; refusing")
    if a.endpoints < a.hosts + 1:
        sys.exit("--endpoints must exceed --hosts (one probe sandbox per host)")
    work = "/run/overlay-scale"
    os.makedirs(work)
    c = Cluster(a, work)
    try:
        c.run()
    finally:
        c.close()
    if a.docker:
        for h in c.hosts:  # plexusd's firewall tables (its VXLAN source filter) must not judge Docker's traffic
            sh("ip", "netns", "exec", h.ns, "nft", "flush", "ruleset", check=False)
        d = DockerSwarm(a, work, a.hosts)
        try:
            d.run()
            c.result["docker"] = d.result
        except (RuntimeError, OSError, KeyError) as e:
            c.result["docker"] = {"not_measured": str(e)[:600]}
            log(f"docker: not measured: {e}")
        finally:
            d.close()
    report(c.result, a.markdown, a.json)


main()
