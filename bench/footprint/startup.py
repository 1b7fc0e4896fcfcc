#!/usr/bin/env python3
"""Empty-store start of several plexusd builds (or one build under several environments), interleaved, so a loaded
machine disturbs them alike: wall time and CPU time (utime+stime, all threads, from /proc) until /_ping answers and
until /networks answers (the engine open). Run by bench/startup-cpu.sh inside a private namespace.

    startup.py ROUNDS LABEL=COMMAND[;ENV=VALUE...] ...
"""
import json, os, shutil, statistics, subprocess, sys, tempfile, time
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import Daemon, request, ok

def cpu_ms(pid):
    fields = open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) * 1000 / os.sysconf("SC_CLK_TCK")

def start(label, command, env, work):
    shutil.rmtree(os.path.join(work, "data"), ignore_errors=True)
    subprocess.run(["ip", "link", "del", "plexus0"], stderr=subprocess.DEVNULL)
    subprocess.run(["nft", "flush", "ruleset"], stderr=subprocess.DEVNULL)
    saved = dict(os.environ)
    os.environ.update(env)
    try:
        d = Daemon(command, work)
        ping = d.start()
    finally:
        os.environ.clear()
        os.environ.update(saved)
    engine_cpu = cpu_ms(d.proc.pid)
    d.stop()
    return {"ping_ms": ping, "ping_cpu_ms": d.cpu_ms, "engine_ms": d.engine_ms, "engine_cpu_ms": engine_cpu}

def main():
    rounds = int(sys.argv[1])
    variants = []
    for spec in sys.argv[2:]:
        label, _, rest = spec.partition("=")
        parts = rest.split(";")
        env = dict(p.split("=", 1) for p in parts[1:])
        variants.append((label, parts[0].split(), env))
    results = {label: [] for label, _, _ in variants}
    work = tempfile.mkdtemp(prefix="plexus-startup-")
    try:
        open(os.path.join(work, "none.json"), "w").write("{}")
        for label, command, env in variants:  # one start each to warm the page cache
            start(label, command, env, work)
        for r in range(rounds):
            for label, command, env in (variants if r % 2 == 0 else list(reversed(variants))):
                results[label].append(start(label, command, env, work))
            print(f"startup: round {r + 1}/{rounds}", file=sys.stderr, flush=True)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    out = {}
    for label, runs in results.items():
        out[label] = {k: {"p50": round(statistics.median(x[k] for x in runs), 1), "min": round(min(x[k] for x in runs), 1)}
                      for k in runs[0]}
    out["load"] = os.getloadavg()
    print(json.dumps(out, indent=1))

main()
