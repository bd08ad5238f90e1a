#!/usr/bin/python3
"""History benchmarks, end to end through the real daemon and CLI.

1. days/week: three years of synthetic hourly history are imported; then
   `kizuki days --json` over one year and `kizuki week --json` are timed as a
   person runs them (process start, socket round trip, computation, output),
   against the same per-day aggregation done by the sqlite3 command-line tool on
   the same database. Prints medians and the ratio (target: within 2x). Also
   `kizuki policy test` of the default policies over the three years (target:
   under 100 ms).
2. import: `kizuki import` of an ActivityWatch export with N events (default
   500,000; tests/bench/gen_aw_export.py), its wall time (target: under 5 s) and
   the daemon's RSS afterwards (target: under 8 MiB).

Usage: tests/bench/history_bench.py [--build DIR] [--runs N] [--events N]
"""
import argparse
import datetime as dt
import json
import os
import random
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
SRC = os.path.dirname(os.path.dirname(HERE))
IFACE = "io.kizuki.Daemon"


def call(sock_path, method, params):
    s = socket.socket(socket.AF_UNIX)
    s.settimeout(60)
    s.connect(sock_path)
    s.sendall(json.dumps({"method": f"{IFACE}.{method}", "parameters": params}).encode() + b"\0")
    buf = b""
    while not buf.endswith(b"\0"):
        chunk = s.recv(1 << 20)
        if not chunk:
            break
        buf += chunk
    s.close()
    reply = json.loads(buf.rstrip(b"\0"))
    if "error" in reply:
        raise RuntimeError(f"{method}: {reply}")
    return reply["parameters"]


def rss_kib(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


def timed(argv, env, runs):
    times = []
    for _ in range(runs):
        t = time.perf_counter()
        subprocess.run(argv, env=env, check=True, stdout=subprocess.DEVNULL)
        times.append(time.perf_counter() - t)
    return statistics.median(times), times


def synthetic_hours(first, days, rng):
    """A plausible person: asleep at night, active blocks by day; +01:00."""
    off = 3600
    hours = []
    for d in range(days):
        day = first + d * 86400
        bed = 23 + rng.choice([0, 0, 1, 2])
        for h in range(24):
            start = day + h * 3600 - off
            awake = 7 <= h < min(bed, 24)
            active = rng.randint(20, 55) * 60 if awake and rng.random() < 0.7 else 0
            hours.append({"start": start, "utc_offset": off, "active_s": active, "observed_s": 3600})
    return hours


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--build", default=os.path.join(SRC, "build", "bench"))
    ap.add_argument("--runs", type=int, default=15)
    ap.add_argument("--events", type=int, default=500_000)
    ap.add_argument("--keep", action="store_true")
    args = ap.parse_args()

    kizukid = os.path.join(args.build, "kizukid")
    kizuki = os.path.join(args.build, "kizuki")
    if not (os.access(kizukid, os.X_OK) and os.access(kizuki, os.X_OK)):
        sys.exit(f"build first: cmake -S . -B {args.build} -DCMAKE_BUILD_TYPE=Release && cmake --build {args.build}")
    if not shutil.which("sqlite3"):
        sys.exit("needs the sqlite3 command-line tool (apt-get install sqlite3)")

    tmp = tempfile.mkdtemp(prefix="kz-bench-")
    env = dict(os.environ, XDG_STATE_HOME=f"{tmp}/state", XDG_CONFIG_HOME=f"{tmp}/config",
               XDG_RUNTIME_DIR=f"{tmp}/run", TZ="UTC", NO_COLOR="1")
    os.makedirs(f"{tmp}/run", mode=0o700)
    # The synthetic history has fixed dates (2023-2025) and the ActivityWatch
    # export its own: keep them all, whatever today's date (imports leave out
    # what the default 365-day retention would delete).
    os.makedirs(f"{tmp}/config/kizuki", mode=0o700)
    with open(f"{tmp}/config/kizuki/kizukid.conf", "w") as f:
        f.write("[store]\nretention_days = 36500\n")
    sock = f"{tmp}/run/kizuki/io.kizuki.Daemon"
    env["KIZUKI_SOCKET"] = sock
    daemon = subprocess.Popen([kizukid, "--no-logind"], env=env, stderr=open(f"{tmp}/kizukid.log", "w"))
    try:
        for _ in range(100):
            if os.path.exists(sock):
                break
            time.sleep(0.05)
        st = call(sock, "GetStatus", {})
        call(sock, "GrantConsent", {"text_version": st["consent_version"], "text_sha256": st["consent_sha256"]})

        # --- 1. three years of history, one year queried ---------------------------
        first = int(dt.datetime(2023, 1, 2, tzinfo=dt.timezone.utc).timestamp())
        hours = synthetic_hours(first, 3 * 365, random.Random(7))
        t = time.perf_counter()
        for i in range(0, len(hours), 500):
            call(sock, "Import", {"hours": hours[i:i + 500]})
        print(f"imported {len(hours)} hours (3 years) in {time.perf_counter() - t:.2f} s")
        db = st["store_path"]

        y_from, y_to = "2025-01-01", "2025-12-31"
        days_med, _ = timed([kizuki, "days", "--from", y_from, "--to", y_to, "--json"], env, args.runs)
        week_med, _ = timed([kizuki, "week", "2025-W20", "--json"], env, args.runs)
        # The same per-day aggregation (active, observed, night share) in SQL.
        lo = int(dt.datetime(2025, 1, 1, tzinfo=dt.timezone.utc).timestamp())
        hi = int(dt.datetime(2026, 1, 1, tzinfo=dt.timezone.utc).timestamp())
        sql = ("SELECT (start + utc_offset) / 86400 AS day, SUM(active_s) / 3600.0, SUM(observed_s) / 3600.0, "
               "SUM(CASE WHEN (start + utc_offset) % 86400 < 21600 THEN active_s ELSE 0 END) * 1.0 / "
               "NULLIF(SUM(active_s), 0) FROM bucket "
               f"WHERE start + utc_offset >= {lo} AND start + utc_offset < {hi} GROUP BY day ORDER BY day;")
        sql_med, _ = timed(["sqlite3", "-readonly", "-json", db, sql], env, args.runs)
        print(f"kizuki days --json, 1 year:  median {days_med * 1000:7.1f} ms")
        print(f"kizuki week --json:          median {week_med * 1000:7.1f} ms")
        print(f"sqlite3 per-day aggregation: median {sql_med * 1000:7.1f} ms")
        print(f"ratio days/sqlite3 = {days_med / sql_med:.2f}x, week/sqlite3 = {week_med / sql_med:.2f}x "
              f"(target: within 2x)")

        # The default policies replayed over all three years (target: under 100 ms).
        penv = dict(env, KIZUKI_POLICY_PATH=os.path.join(SRC, "policies"))
        pol_med, _ = timed([kizuki, "policy", "test", "--from", "2023-01-02", "--to", "2025-12-31", "--json"], penv,
                           args.runs)
        print(f"kizuki policy test, 3 years, all defaults: median {pol_med * 1000:7.1f} ms (target: under 100 ms)")

        # --- 2. import of an ActivityWatch export ------------------------------------
        gen = os.path.join(HERE, "gen_aw_export.py")
        aw = f"{tmp}/aw.json"
        with open(aw, "w") as f:
            subprocess.run([sys.executable, gen, "-n", str(args.events)], stdout=f, check=True)
        size = os.path.getsize(aw)
        t = time.perf_counter()
        r = subprocess.run([kizuki, "import", "--format", "activitywatch", aw], env=env, capture_output=True,
                           text=True, check=True)
        took = time.perf_counter() - t
        print(r.stdout.strip())
        print(f"import of {args.events} ActivityWatch events ({size / 1e6:.0f} MB): {took:.2f} s "
              f"(target: under 5 s)")
        print(f"kizukid VmRSS after the import: {rss_kib(daemon.pid) / 1024:.1f} MiB (target: under 8 MiB)")
    finally:
        daemon.terminate()
        daemon.wait(timeout=10)
        if args.keep:
            print(f"kept {tmp}")
        else:
            shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
