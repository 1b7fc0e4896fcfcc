#!/usr/bin/env python3
"""Attach cost that does not depend on the machine's load: plexusd's own CPU time (utime+stime from
/proc) per attach, sequentially up to N and for concurrent clients, with wall-clock rates beside it.
Run through bench/attach-cpu.sh (private namespaces only)."""
import http.client, json, os, socket, subprocess, sys, threading, time, statistics

TICK = os.sysconf("SC_CLK_TCK")

class Unix(http.client.HTTPConnection):
    def __init__(self, path):
        super().__init__("localhost", timeout=120)
        self.path_ = path
    def connect(self):
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.sock.connect(self.path_)

def call(conn, method, url, body=None):
    data = json.dumps(body).encode() if body is not None else None
    conn.request(method, url, body=data, headers={"Content-Type": "application/json"} if data else {})
    r = conn.getresponse()
    out = r.read()
    if r.status >= 300:
        raise RuntimeError(f"{method} {url}: {r.status} {out[:300]!r}")
    return out

def cpu(pid):
    f = open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()
    return (int(f[11]) + int(f[12])) / TICK  # utime + stime, seconds, all threads incl. exited

def idle():
    f = open("/proc/stat").readline().split()[1:]
    return int(f[3]) + int(f[4]), sum(int(x) for x in f)  # idle+iowait, all (machine-wide ticks)

def ctxsw(pid):
    v = n = 0
    for t in os.listdir(f"/proc/{pid}/task"):
        try:
            for line in open(f"/proc/{pid}/task/{t}/status"):
                if line.startswith("voluntary_ctxt_switches"): v += int(line.split()[1])
                if line.startswith("nonvoluntary_ctxt_switches"): n += int(line.split()[1])
        except FileNotFoundError:
            pass
    return v, n

def parallel(sock, items, clients, fn):
    it = iter(items); lock = threading.Lock(); errors = []
    def worker():
        c = Unix(sock)
        while True:
            with lock:
                x = next(it, None)
            if x is None: return
            try: fn(c, x)
            except Exception as e: errors.append(str(e)); return
    ts = [threading.Thread(target=worker) for _ in range(clients)]
    [t.start() for t in ts]; [t.join() for t in ts]
    if errors: raise RuntimeError(errors[0])

def main():
    binary, sock, pid = sys.argv[1], sys.argv[2], int(sys.argv[3])
    n = int(os.environ.get("N", "1000")); tput = int(os.environ.get("TPUT", "200"))
    clients = int(os.environ.get("CLIENTS", "8")); pairs = int(os.environ.get("PAIRS", "50"))
    rounds = int(os.environ.get("ROUNDS", "3"))
    c = Unix(sock)
    call(c, "POST", "/networks/create", {"Name": "bench", "Driver": "bridge", "IPAM": {"Config": [{"Subnet": "10.200.0.0/16"}]}})
    call(c, "POST", "/networks/create", {"Name": "tput", "Driver": "bridge", "IPAM": {"Config": [{"Subnet": "10.201.0.0/16"}]}})
    pool = [f"s{i}" for i in range(max(n + pairs, tput))]
    parallel(sock, pool, 4, lambda k, s: call(k, "POST", "/plexus/sandboxes", {"Name": s}))
    res = {}
    def phase(name, count, action):
        c0, t0, (v0, n0), (i0, a0) = cpu(pid), time.perf_counter(), ctxsw(pid), idle()
        action()
        c1, t1, (v1, n1), (i1, a1) = cpu(pid), time.perf_counter(), ctxsw(pid), idle()
        r = {"count": count, "cpu_us_per": (c1 - c0) / count * 1e6, "wall_s": t1 - t0, "rate": count / (t1 - t0),
             "vcsw_per": (v1 - v0) / count, "ivcsw_per": (n1 - n0) / count, "idle": (i1 - i0) / max(1, a1 - a0)}
        res.setdefault(name, []).append(r)
        print(f"{name}: {r['cpu_us_per']:.0f} us CPU/op, {r['rate']:.0f}/s, ctxsw {r['vcsw_per']:.1f}+{r['ivcsw_per']:.1f}/op, machine idle {r['idle']:.0%}", file=sys.stderr)
    for _ in range(rounds):
        phase("tput-attach-8", tput, lambda: parallel(sock, pool[:tput], clients, lambda k, s: call(k, "POST", "/networks/tput/connect", {"Container": s})))
        phase("tput-detach-8", tput, lambda: parallel(sock, pool[:tput], clients, lambda k, s: call(k, "POST", "/networks/tput/disconnect", {"Container": s})))
    if os.environ.get("STRACE"):
        st = subprocess.Popen(["strace", "-c", "-f", "-p", str(pid), "-o", os.environ["STRACE"]])
        time.sleep(1.5)
        parallel(sock, pool[:tput], clients, lambda k, s: call(k, "POST", "/networks/tput/connect", {"Container": s}))
        st.terminate(); st.wait()
        parallel(sock, pool[:tput], clients, lambda k, s: call(k, "POST", "/networks/tput/disconnect", {"Container": s}))
    if os.environ.get("PERF"):
        pr = subprocess.Popen(["perf", "record", "-q", "-F", "1999", "-g", "-p", str(pid), "-o", os.environ["PERF"]])
        time.sleep(1.5)
        parallel(sock, pool[:tput], clients, lambda k, s: call(k, "POST", "/networks/tput/connect", {"Container": s}))
        pr.send_signal(2); pr.wait()
        parallel(sock, pool[:tput], clients, lambda k, s: call(k, "POST", "/networks/tput/disconnect", {"Container": s}))
    if n:
        phase("fill-seq", n, lambda: [call(c, "POST", "/networks/bench/connect", {"Container": s}) for s in pool[:n]])
        lat, dlat = [], []
        def pairs_():
            for s in pool[n:n + pairs]:
                t = time.perf_counter(); call(c, "POST", "/networks/bench/connect", {"Container": s}); lat.append(time.perf_counter() - t)
                t = time.perf_counter(); call(c, "POST", "/networks/bench/disconnect", {"Container": s}); dlat.append(time.perf_counter() - t)
        # PAIRS_PERF=FILE samples plexusd (perf record -g) over the attach/detach pairs at N: where the O(N) part goes.
        pr = subprocess.Popen(["perf", "record", "-q", "-F", "1999", "-g", "-p", str(pid), "-o", os.environ["PAIRS_PERF"]]) if os.environ.get("PAIRS_PERF") else None
        if pr: time.sleep(1.5)
        phase(f"pairs-at-{n}", pairs, pairs_)
        if pr: pr.send_signal(2); pr.wait()
        res["attach_p50_ms"] = statistics.median(lat) * 1e3
        res["detach_p50_ms"] = statistics.median(dlat) * 1e3
        print(f"attach p50 at N={n}: {res['attach_p50_ms']:.2f} ms, detach p50 {res['detach_p50_ms']:.2f} ms", file=sys.stderr)
    res["rss_kb"] = int([l for l in open(f"/proc/{pid}/status") if l.startswith("VmRSS")][0].split()[1])
    print(json.dumps(res))

main()
