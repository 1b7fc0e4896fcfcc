#!/usr/bin/env python3
"""plexusd's footprint (issue 13, issue 11): time to serve after start, resident memory idle and with N
sandboxes attached, time to serve with N sandboxes to restore, and memory after sandboxes are removed.

Runs inside the private namespace bench/daemon-footprint.sh makes. Talks to plexusd over its Unix socket
with a hand-written HTTP/1.1 client (no process per request), so the harness adds nothing to the timings."""
import json, os, signal, socket, statistics, subprocess, sys, tempfile, time, shutil

def request(sock_path, method, path, body=None, timeout=120):
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.settimeout(timeout)
    s.connect(sock_path)
    data = b"" if body is None else json.dumps(body).encode()
    head = f"{method} {path} HTTP/1.1\r\nHost: plexus\r\nConnection: close\r\nContent-Type: application/json\r\nContent-Length: {len(data)}\r\n\r\n"
    s.sendall(head.encode() + data)
    chunks = []
    while True:
        c = s.recv(65536)
        if not c:
            break
        chunks.append(c)
    s.close()
    raw = b"".join(chunks)
    if not raw:
        raise ConnectionError(f"{method} {path}: empty HTTP response (the daemon closed the connection)")
    head, _, rest = raw.partition(b"\r\n\r\n")
    status = int(head.split(b" ")[1])
    if b"transfer-encoding: chunked" in head.lower():
        out, i = b"", 0
        while True:
            j = rest.index(b"\r\n", i)
            n = int(rest[i:j].split(b";")[0], 16)
            if n == 0:
                break
            out += rest[j + 2:j + 2 + n]
            i = j + 2 + n + 2
        rest = out
    return status, rest

def status_kb(pid, field):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    return 0

def memory(pid):
    return {k: round(status_kb(pid, k) / 1024, 1) for k in ("VmRSS", "RssAnon", "RssFile", "VmHWM")} | {"Threads": status_kb(pid, "Threads")}

class Daemon:
    def __init__(self, command, work):
        self.command, self.work = command, work
        self.sock = os.path.join(work, "plexus.sock")
        self.proc = None

    def start(self):
        """Starts plexusd and returns the milliseconds until it answers /_ping; self.engine_ms is until /networks answers
        (the engine open and restored: requests on state wait for it, /_ping does not)."""
        t0 = time.perf_counter()
        self.proc = subprocess.Popen(self.command + ["-H", "unix://" + self.sock, "--data-root", os.path.join(self.work, "data"),
                                     "--exec-root", os.path.join(self.work, "exec"), "--config-file", os.path.join(self.work, "none.json"), "--plugin-socket", "none"],
                                     stdout=open(os.path.join(self.work, "plexusd.log"), "a"), stderr=subprocess.STDOUT, cwd="/")
        while True:
            if self.proc.poll() is not None:
                sys.exit(f"plexusd exited with {self.proc.returncode}: " + open(os.path.join(self.work, "plexusd.log")).read()[-3000:])
            try:
                if request(self.sock, "GET", "/_ping", timeout=5)[0] == 200:
                    wall = (time.perf_counter() - t0) * 1000
                    # CPU time the daemon used to get there: a figure a loaded machine disturbs less than wall time.
                    fields = open(f"/proc/{self.proc.pid}/stat").read().rsplit(")", 1)[1].split()
                    self.cpu_ms = (int(fields[11]) + int(fields[12])) * 1000 / os.sysconf("SC_CLK_TCK")
                    ok(request(self.sock, "GET", "/networks", timeout=600), "list networks after start")
                    self.engine_ms = (time.perf_counter() - t0) * 1000
                    return wall
            except OSError:
                pass
            time.sleep(0.001)

    def stop(self):
        self.proc.send_signal(signal.SIGTERM)
        self.proc.wait(60)

    def memory(self, settle=2.0):
        time.sleep(settle)
        return memory(self.proc.pid)

def tail(d):
    """The end of the daemon's log and whether it still runs: what a failed request needs to be understood."""
    state = "running" if d.proc.poll() is None else f"exited with {d.proc.returncode}"
    return f"plexusd {state}; its log ends:\n" + open(os.path.join(d.work, "plexusd.log")).read()[-2000:]

def ok(result, what):
    status, body = result
    if status >= 300:
        sys.exit(f"{what}: {status} {body[:300]!r}")
    return body

def create(d, names, network):
    for n in names:
        try:
            ok(request(d.sock, "POST", "/plexus/sandboxes", {"Name": n, "Network": network}), f"create {n}")
        except OSError as e:
            sys.exit(f"create {n}: {e}\n{tail(d)}")

def remove(d, names):
    for n in names:
        try:
            ok(request(d.sock, "DELETE", f"/plexus/sandboxes/{n}?force=true"), f"remove {n}")
        except OSError as e:
            sys.exit(f"remove {n}: {e}\n{tail(d)}")

def progress(text):
    print(f"footprint: {text}", file=sys.stderr, flush=True)

def measure(label, command, n, cycle_n, starts):
    work = tempfile.mkdtemp(prefix="plexus-footprint-")
    try:
        r = {"daemon": label}
        open(os.path.join(work, "none.json"), "w").write("{}")
        # 1. An empty store: time to serve (several starts, a fresh data root each), then idle memory.
        times, cpu, engine = [], [], []
        for i in range(starts):
            # A truly empty start: no store, and none of the last start's kernel objects (this namespace is the run's own).
            shutil.rmtree(os.path.join(work, "data"), ignore_errors=True)
            subprocess.run(["ip", "link", "del", "plexus0"], stderr=subprocess.DEVNULL)
            subprocess.run(["nft", "flush", "ruleset"], stderr=subprocess.DEVNULL)
            d = Daemon(command, work)
            times.append(d.start())
            cpu.append(d.cpu_ms)
            engine.append(d.engine_ms)
            if i < starts - 1:
                d.stop()
        r["ready_empty_ms"] = {"p50": round(statistics.median(times), 1), "min": round(min(times), 1), "all": [round(t, 1) for t in times],
                               "cpu_p50": round(statistics.median(cpu), 1), "engine_p50": round(statistics.median(engine), 1)}
        r["idle"] = d.memory()
        progress(f"{label}: ready in {r['ready_empty_ms']['p50']} ms (empty store), {r['idle']['VmRSS']} MB idle")
        # 2. N sandboxes attached to one network.
        ok(request(d.sock, "POST", "/networks/create", {"Name": "fp", "IPAM": {"Config": [{"Subnet": "10.240.0.0/20"}]}}), "network create")
        names = [f"fp{i}" for i in range(n)]
        t0 = time.perf_counter()
        create(d, names, "fp")
        r["create_s"] = round(time.perf_counter() - t0, 1)
        r["attached"] = d.memory()
        progress(f"{label}: {n} sandboxes in {r['create_s']} s, {r['attached']['VmRSS']} MB")
        # 3. Restart with N sandboxes to restore.
        d.stop()
        restore, cpu, engine = [], [], []
        for i in range(max(1, starts // 2)):
            restore.append(d.start())
            cpu.append(d.cpu_ms)
            engine.append(d.engine_ms)
            if i < max(1, starts // 2) - 1:
                d.stop()
        r["ready_restore_ms"] = {"p50": round(statistics.median(restore), 1), "all": [round(t, 1) for t in restore], "cpu_p50": round(statistics.median(cpu), 1),
                                 "engine_p50": round(statistics.median(engine), 1)}
        r["restored"] = d.memory()
        progress(f"{label}: ready in {r['ready_restore_ms']['p50']} ms with {n} to restore, {r['restored']['VmRSS']} MB")
        # 4. Removal: all N, then cycles of cycle_n created and removed (issue 11: memory is returned).
        t0 = time.perf_counter()
        remove(d, names)
        r["remove_s"] = round(time.perf_counter() - t0, 1)
        r["after_removal"] = d.memory()
        progress(f"{label}: removed in {r['remove_s']} s, {r['after_removal']['VmRSS']} MB")
        r["cycles"] = []
        for c in range(2):
            names = [f"cy{c}-{i}" for i in range(cycle_n)]
            create(d, names, "fp")
            at = d.memory()
            remove(d, names)
            after = d.memory()
            r["cycles"].append({"n": cycle_n, "at": at["VmRSS"], "after_removal": after["VmRSS"]})
            progress(f"{label}: cycle {c + 1}: {at['VmRSS']} MB with {cycle_n}, {after['VmRSS']} MB after removal")
        d.stop()
        return r
    finally:
        # The daemon's namespace mounts under the exec root, innermost first.
        mounts = [line.split()[1] for line in open("/proc/self/mounts") if line.split()[1].startswith(work + "/")]
        for m in sorted(mounts, reverse=True):
            subprocess.run(["umount", "-l", m], stderr=subprocess.DEVNULL)
        shutil.rmtree(work, ignore_errors=True)

def main():
    out_md, out_json, n, cycle_n, starts = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5])
    daemons = [("native", [os.environ["PLEXUS_NATIVE"] + "/plexusd"])]
    if os.environ.get("FOOTPRINT_JIT"):
        daemons.append(("JIT", ["dotnet", os.environ["FOOTPRINT_JIT"]]))
    results = [measure(label, cmd, n, cycle_n, starts) for label, cmd in daemons]
    load = " ".join(open("/proc/loadavg").read().split()[:3])
    lines = [f"# plexusd footprint: N = {n}, removal cycles of {cycle_n}", "",
             f"{os.cpu_count()} CPUs, load average {load} at the end. Memory is VmRSS after 2 s at rest; ready = first answer to /_ping after exec.", "",
             "| | " + " | ".join(r["daemon"] for r in results) + " | target |", "|---|" + "---:|" * len(results) + "---|"]
    def row(name, f, target=""):
        lines.append(f"| {name} | " + " | ".join(f(r) for r in results) + f" | {target} |")
    row("ready, empty store (p50 ms; CPU ms used)", lambda r: f"{r['ready_empty_ms']['p50']} ({r['ready_empty_ms']['cpu_p50']})", "<= 100")
    row("first /networks answer, empty store (p50 ms)", lambda r: f"{r['ready_empty_ms']['engine_p50']}")
    row("RSS idle (MB)", lambda r: f"{r['idle']['VmRSS']} (anon {r['idle']['RssAnon']})", "<= 40")
    row(f"RSS with {n} sandboxes (MB)", lambda r: f"{r['attached']['VmRSS']} (anon {r['attached']['RssAnon']})", "<= 80")
    row(f"ready with {n} to restore (p50 ms; CPU ms used)", lambda r: f"{r['ready_restore_ms']['p50']} ({r['ready_restore_ms']['cpu_p50']})", "<= 1000")
    row(f"first /networks answer with {n} restored (p50 ms)", lambda r: f"{r['ready_restore_ms']['engine_p50']}")
    row(f"RSS after restoring {n} (MB)", lambda r: f"{r['restored']['VmRSS']}")
    row(f"RSS after removing {n} (MB)", lambda r: f"{r['after_removal']['VmRSS']}")
    for i in range(2):
        row(f"cycle {i + 1}: RSS with {cycle_n} / after removal (MB)", lambda r, i=i: f"{r['cycles'][i]['at']} / {r['cycles'][i]['after_removal']}")
    row("threads idle / with N", lambda r: f"{r['idle']['Threads']} / {r['attached']['Threads']}")
    row(f"create {n} / remove {n} (s, sequential API calls)", lambda r: f"{r['create_s']} / {r['remove_s']}")
    text = "\n".join(lines) + "\n"
    open(out_md, "w").write(text)
    json.dump(results, open(out_json, "w"), indent=1)
    print(text)

if __name__ == "__main__":  # bench/footprint/startup.py imports the client and Daemon
    main()
