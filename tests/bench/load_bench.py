#!/usr/bin/python3
"""Load: many clients doing the heavy calls while kizukid records.

The real kizukid runs as the integration tests run it (tests/integration/
kizukitest.py: a private dbus-daemon, a python-dbusmock logind with one session
of our uid that stays Active, consent granted, the default policies), with a
multi-year synthetic history imported. Then, for --seconds, --clients raw-socket
Varlink clients loop the heavy calls, one call at a time each, without pause:

  GetDays   over the whole history (--years, at most 3700 days a call)
  Export    every page of the bucket table (limit 5000 per page)
  EvalPolicies

while the person's own `kizuki status` (the real CLI, a new process each time)
runs every --interval seconds, and a sampler reads the daemon's VmRSS from
/proc every 50 ms. Printed: the heavy calls made (per method: count, median
and max latency, reply bytes), `kizuki status` latency median/p95/max, the
recorded seconds' growth against wall time over the load (GetStatus
today_active_s, open hour included, against GetStatus's own now: when a reply
reaches the sampling thread also depends on the GIL; sampled every 2 s: the
smallest growth between two samples shows whether recording ever stalled), and
the daemon's RSS
before, peak (VmHWM and sampled VmRSS) and after.

kizukid runs with --debug, so that its log says why the control server dropped
or paused a client (counted at the end), and how long it held its loop: calls
over 20 ms, and the longest turn of each call answered in steps (GetDays).

Targets (exit 1 when one is missed): `kizuki status` p95 under --status-p95 ms
(default 500) and max under --status-max ms (default 2000); recorded seconds
within 2 s of wall time over the load; VmHWM under --rss-mib (default 96: some
15 MiB of its own after a multi-year history, plus the 64 MiB of queued replies
past which the control server stops reading from clients that have replies
pending (CONTROL_OUTPUT_TOTAL_MAX), plus the one reply being built).

Usage: tests/bench/load_bench.py [--build DIR] [--clients N] [--seconds S] [--years Y]
"""
import argparse
import datetime as dt
import json
import os
import random
import re
import socket
import statistics
import subprocess
import sys
import threading
import time

import benchenv

DAY = 86400
HOUR = 3600


def proc_status(pid):
    out = {}
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            key, _, val = line.partition(":")
            if val.strip().endswith("kB"):
                out[key] = int(val.split()[0])
    return out


def pct(xs, p):
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(round(p / 100 * (len(xs) - 1))))]


def raw_call(sock, iface, method, params):
    """One call; the reply's bytes up to and with its NUL, not parsed."""
    sock.sendall(json.dumps({"method": f"{iface}.{method}", "parameters": params}).encode() + b"\0")
    chunks = []
    while True:
        c = sock.recv(1 << 20)
        if not c:
            raise ConnectionError("EOF")
        chunks.append(c)
        if c.endswith(b"\0"):
            return b"".join(chunks)


def heavy(sock, iface, method, params, stop=None):
    """One heavy call (for Export: every page). Returns (reply bytes, error or None)."""
    size, after = 0, None
    while True:
        reply = raw_call(sock, iface, method, dict(params, after=after) if after else params)
        size += len(reply)
        if reply.startswith(b'{"error"'):
            return size, reply[:200].decode(errors="replace")
        if method != "Export":
            return size, None
        after = json.loads(reply[:-1])["parameters"].get("after")
        if not after or (stop and stop.is_set()):
            return size, None


class Client(threading.Thread):
    """One connection looping the heavy calls; replies are read to their NUL and
    checked for an error, not parsed (the daemon's cost is what is measured)."""

    def __init__(self, path, calls, stop, iface):
        super().__init__(daemon=True)
        self.path, self.calls, self.stop, self.iface = path, calls, stop, iface
        self.stats = {}  # method -> [[latencies], bytes]
        self.errors = []

    def run(self):
        try:
            with socket.socket(socket.AF_UNIX) as s:
                s.settimeout(120)
                s.connect(self.path)
                i = random.randrange(len(self.calls))
                while not self.stop.is_set():
                    method, params = self.calls[i % len(self.calls)]
                    i += 1
                    t = time.monotonic()
                    size, err = heavy(s, self.iface, method, params, self.stop)
                    st = self.stats.setdefault(method, [[], 0])
                    st[0].append(time.monotonic() - t)
                    st[1] += size
                    if err:
                        self.errors.append(err)
        except Exception as e:  # noqa: BLE001 - reported at the end
            self.errors.append(repr(e))


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--build", default=benchenv.DEFAULT_BUILD)
    ap.add_argument("--clients", type=int, default=16)
    ap.add_argument("--seconds", type=float, default=60)
    ap.add_argument("--years", type=int, default=5)
    ap.add_argument("--interval", type=float, default=0.5, help="seconds between `kizuki status` runs")
    ap.add_argument("--status-p95", type=float, default=500)
    ap.add_argument("--status-max", type=float, default=2000)
    ap.add_argument("--rss-mib", type=float, default=96)
    ap.add_argument("--keep", action="store_true")
    args = ap.parse_args()
    k = benchenv.harness(args.build, args.keep, TZ="UTC",
                         KIZUKI_POLICY_PATH=os.path.join(benchenv.SRC, "policies"))
    if not k:
        return 2

    env = k.Env("load-bench")
    try:
        # --debug: the control server says why it drops or pauses a client.
        benchenv.start_active(k, env, daemon_args=("--debug",))
        pid = env.daemon.pid
        if k.sanitized(pid):
            print("warning: a sanitizer build; its RSS figures mean nothing", file=sys.stderr)

        # History: a plausible person over --years, up to yesterday, with check-ins.
        rng = random.Random(17)
        today = int(time.time()) // DAY * DAY
        first = today - args.years * 365 * DAY
        hours = []
        for d in range(args.years * 365):
            bed = 23 + rng.choice([0, 0, 1, 2])
            for h in range(24):
                awake = 7 <= h < min(bed, 24)
                active = rng.randint(20, 55) * 60 if awake and rng.random() < 0.7 else 0
                hours.append({"start": first + d * DAY + h * HOUR, "utc_offset": 0, "active_s": active,
                              "observed_s": 3600})
        for i in range(0, len(hours), 500):
            env.call(k.IFACE + ".Import", {"hours": hours[i:i + 500]}, timeout=60)
        days = [dt.datetime.fromtimestamp(first + d * DAY, dt.timezone.utc).strftime("%Y-%m-%d")
                for d in range(args.years * 365)]
        for i in range(0, len(days), 500):
            env.call(k.IFACE + ".ImportRecords",
                     {"checkins": [{"date": x, "went_out": rng.random() < 0.6, "mood": rng.randint(2, 5)}
                                   for x in days[i:i + 500]]}, timeout=60)
        st = env.status()
        print(f"history: {len(hours)} hours, {len(days)} check-ins ({days[0]} .. {days[-1]}); "
              f"store {st['store_size'] / 1e6:.1f} MB", flush=True)

        calls = [("GetDays", {"from": days[0], "to": days[-1]}),
                 ("Export", {"table": "bucket", "limit": 5000}),
                 ("EvalPolicies", {})]
        ps = env.call(k.IFACE + ".EvalPolicies", {}, timeout=60)
        if ps.get("problems"):
            print(f"policy problems: {ps['problems']}", file=sys.stderr)

        # Unloaded reference: `kizuki status` alone, and each heavy call alone.
        def status_once():
            t = time.monotonic()
            r = subprocess.run([k.KIZUKI, "status"], env=env.environ(), capture_output=True, timeout=60)
            took = time.monotonic() - t
            if r.returncode != 0:
                raise RuntimeError(f"kizuki status: {r.returncode} {r.stderr!r}")
            return took
        idle_status = statistics.median(status_once() for _ in range(10))
        idle_calls = {}
        with socket.socket(socket.AF_UNIX) as s:
            s.connect(env.socket_path)
            for m, p in calls:
                t = []
                for _ in range(3):
                    a = time.monotonic()
                    heavy(s, k.IFACE, m, p)
                    t.append(time.monotonic() - a)
                idle_calls[m] = statistics.median(t)
        rss0 = proc_status(pid)
        print(f"unloaded: kizuki status {idle_status * 1000:.1f} ms; " +
              ", ".join(f"{m} {v * 1000:.0f} ms" for m, v in idle_calls.items()) +
              f"; VmRSS {rss0['VmRSS'] / 1024:.1f} MiB, VmHWM {rss0['VmHWM'] / 1024:.1f} MiB", flush=True)

        # --- the load ---------------------------------------------------------------
        load0 = os.getloadavg()[0]
        stop = threading.Event()
        rss_samples = []

        def sampler():
            while not stop.is_set():
                try:
                    rss_samples.append(proc_status(pid)["VmRSS"])
                except (OSError, KeyError):
                    pass
                time.sleep(0.05)
        rec = []

        def recorder():
            while not stop.is_set():
                try:
                    s = env.status(timeout=60)
                    rec.append((s["now"], s["today_active_s"], s["active"], k.local_date(s), time.monotonic()))
                except Exception as e:  # noqa: BLE001
                    rec.append((time.monotonic(), None, repr(e), None, time.monotonic()))
                stop.wait(2)

        threads = [threading.Thread(target=sampler, daemon=True), threading.Thread(target=recorder, daemon=True)]
        clients = [Client(env.socket_path, calls, stop, k.IFACE) for _ in range(args.clients)]
        for t in threads + clients:
            t.start()
        lat = []
        t_end = time.monotonic() + args.seconds
        while time.monotonic() < t_end:
            lat.append(status_once())
            time.sleep(args.interval)
        stop.set()
        for t in threads + clients:
            t.join(120)
        env.assert_daemon_alive()
        rss1 = proc_status(pid)

        # --- figures ------------------------------------------------------------------
        print(f"\n== load: {args.clients} clients for {args.seconds:.0f} s over {args.years} years of history "
              f"(machine load average {load0:.1f} before, {os.getloadavg()[0]:.1f} after, {os.cpu_count()} CPUs)")
        errors = [e for c in clients for e in c.errors]
        total = 0
        for m, _ in calls:
            ls = [x for c in clients for x in c.stats.get(m, [[], 0])[0]]
            size = sum(c.stats.get(m, [[], 0])[1] for c in clients)
            total += len(ls)
            if ls:
                print(f"{m:13s} {len(ls):5d} calls, median {statistics.median(ls) * 1000:6.0f} ms, "
                      f"max {max(ls) * 1000:6.0f} ms, {size / len(ls) / 1e6:.2f} MB a call "
                      f"(alone: {idle_calls[m] * 1000:.0f} ms)")
        print(f"heavy calls: {total} ({total / args.seconds:.1f}/s); errors: {len(errors)}"
              + (f" e.g. {errors[0]}" if errors else ""))
        med, p95, mx = statistics.median(lat), pct(lat, 95), max(lat)
        print(f"kizuki status: {len(lat)} runs, median {med * 1000:.0f} ms, p95 {p95 * 1000:.0f} ms, "
              f"max {mx * 1000:.0f} ms (alone: {idle_status * 1000:.1f} ms)")
        good = [r for r in rec if r[1] is not None]
        rec_ok = False
        if len(good) >= 2 and good[0][3] == good[-1][3]:
            # Against the daemon's own clock (GetStatus's now, whole seconds): when
            # a reply reached this thread depends on the GIL under load too.
            grew, wall = good[-1][1] - good[0][1], good[-1][0] - good[0][0]
            seen = good[-1][4] - good[0][4]
            steps = [(b[1] - a[1]) / max(1, b[0] - a[0]) for a, b in zip(good, good[1:])]
            inactive = sum(1 for r in good if r[2] is not True)
            print(f"recorded: +{grew} s active in {wall} s of the daemon's wall time ({seen:.1f} s here; "
                  f"{len(good)} samples, "
                  f"slowest step {min(steps):.2f} s/s, samples not active: {inactive})")
            rec_ok = abs(grew - wall) <= 2 and inactive == 0  # ±1 s for each whole-second reading
        else:
            print(f"recorded: not measured ({len(good)} samples, day changed or GetStatus failed: "
                  f"{[r[2] for r in rec if r[1] is None][:2]})")
        log = env.daemon.log_text()
        why = {what: log.count(text) for what, text in (
            ("evicted at the client limit", "Too many control clients"),
            ("timed out (30 s without a request)", " timed out"),
            ("dropped for not reading", "does not read its replies"),
            ("paused at the output bound", "pausing client"))}
        print("control server: " + ", ".join(f"{v} {w}" for w, v in why.items()))
        # How long the loop was held: calls over 20 ms, and the longest turn of the
        # calls answered in steps (kizukid --debug logs both).
        held = {}
        for m in re.finditer(r"Control client \d+: \S+\.(\w+) (took (\d+) ms|answered in \d+ ms, "
                             r"\d+ turns, the longest (\d+) ms)", log):
            ms = int(m.group(3) or m.group(4))
            h = held.setdefault(m.group(1) + (" (a turn of steps)" if m.group(4) else " (whole call)"), [0, 0])
            h[0] += 1
            h[1] = max(h[1], ms)
        print("loop held longest: " + (", ".join(f"{w} {v[1]} ms ({v[0]} logged)" for w, v in sorted(held.items()))
                                       or "no call over 20 ms"))
        peak = max(rss_samples) if rss_samples else 0
        print(f"kizukid RSS: before {rss0['VmRSS'] / 1024:.1f} MiB, sampled peak {peak / 1024:.1f} MiB, "
              f"VmHWM {rss1['VmHWM'] / 1024:.1f} MiB, after {rss1['VmRSS'] / 1024:.1f} MiB "
              f"(bound {args.rss_mib:.0f} MiB)")
        ok = (p95 * 1000 <= args.status_p95 and mx * 1000 <= args.status_max and rec_ok
              and rss1["VmHWM"] / 1024 <= args.rss_mib and not errors)
        print("RESULT: " + ("all targets met" if ok else "a target was missed"))
        return 0 if ok else 1
    finally:
        env.close(print_logs=False)


if __name__ == "__main__":
    sys.exit(main())
