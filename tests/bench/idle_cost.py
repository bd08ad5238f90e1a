#!/usr/bin/python3
"""Idle cost of kizukid: how often it wakes up, how much CPU and memory it uses while
a person sits steadily at the computer (one active, never-idle logind session,
consent granted) and nobody talks to its control socket.

Starts its own dbus-daemon + python-dbusmock logind + kizukid (the harness from
tests/integration/kizukitest.py), warms up, then leaves the daemon alone for
--minutes and reads /proc before and after:
  - context switches (voluntary + nonvoluntary, summed over all threads): each one is
    a wakeup or a preemption; the target is <= 1 per minute on average;
  - CPU time (utime + stime of the process, all threads);
  - VmRSS at the end and VmHWM (peak); the target is RSS < 4 MiB.
The bench does not query the daemon during the measured period (a query would
wake it), only at the end, to check it was recording.

Usage: /usr/bin/python3 tests/bench/idle_cost.py [--minutes N] [--kizukid PATH]
Exit status 0 when both targets are met, 1 when one is missed, 2 on errors.
"""

import argparse
import glob
import os
import re
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(os.path.dirname(HERE), "integration"))

TARGET_WAKEUPS_PER_MIN = 1.0
TARGET_RSS_KIB = 4 * 1024


def read_status(pid):
    return read_status_path(f"/proc/{pid}/status")


def ctxt_switches(pid):
    """Sum over the threads (the process's own status counts only its main thread)."""
    vol = nonvol = 0
    threads = 0
    for path in glob.glob(f"/proc/{pid}/task/*/status"):
        try:
            st = read_status_path(path)
        except FileNotFoundError:
            continue
        threads += 1
        vol += int(st["voluntary_ctxt_switches"])
        nonvol += int(st["nonvoluntary_ctxt_switches"])
    return vol, nonvol, threads


def read_status_path(path):
    out = {}
    with open(path) as f:
        for line in f:
            key, _, val = line.partition(":")
            out[key] = val.strip()
    return out


def cpu_seconds(pid):
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    # After "pid (comm)": state is fields[0]; utime and stime are fields 14 and 15 of
    # stat(5), i.e. indexes 11 and 12 here.
    utime, stime = int(fields[11]), int(fields[12])
    return (utime + stime) / os.sysconf("SC_CLK_TCK")


def count_trace(path):
    """(completed epoll_wait/poll calls, fsync+fdatasync calls) in an strace -o file."""
    waits = syncs = 0
    with open(path) as f:
        for line in f:
            if "unfinished" in line or "detached" in line:
                continue
            if re.search(r"\b(epoll_p?wait|p?poll)\(", line) or "<... epoll" in line or "<... poll" in line:
                waits += 1
            elif re.search(r"\bf(data)?sync\(", line) or "<... fsync" in line or "<... fdatasync" in line:
                syncs += 1
    return waits, syncs


def sched_cpu_ns(pid):
    """CPU time in ns from /proc/PID/schedstat (finer than clock ticks), or None."""
    try:
        with open(f"/proc/{pid}/schedstat") as f:
            return int(f.read().split()[0])
    except (OSError, ValueError, IndexError):
        return None


def kib(s):
    return int(s.split()[0])


def smaps_rollup(pid):
    """Pss and private (anonymous + file) memory, KiB, from /proc/PID/smaps_rollup."""
    out = {}
    try:
        with open(f"/proc/{pid}/smaps_rollup") as f:
            for line in f:
                key, _, val = line.partition(":")
                if val.strip().endswith("kB"):
                    out[key] = kib(val)
    except OSError:
        pass
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--minutes", type=float, default=10.0, help="measured period (default 10)")
    ap.add_argument("--warmup", type=float, default=10.0, help="seconds before measuring (default 10)")
    ap.add_argument("--kizukid", help="path of kizukid (default: $KIZUKID or $KIZUKI_BUILD_DIR/kizukid)")
    ap.add_argument("--config", help="a kizukid.conf to use (default: none, built-in defaults)")
    ap.add_argument("--keep", action="store_true", help="keep the temp dir and print its path")
    ap.add_argument("--strace", action="store_true",
                    help="also count event-loop wakeups (epoll_wait returns) and fsyncs with "
                         "strace; ptrace stops inflate the context-switch figures in this mode")
    args = ap.parse_args()
    if args.kizukid:
        os.environ["KIZUKID"] = os.path.abspath(args.kizukid)
    if args.keep:
        os.environ["KIZUKI_TEST_KEEP"] = "1"

    import kizukitest as k  # after KIZUKID is set

    if not os.access(k.KIZUKID, os.X_OK):
        print(f"kizukid not found: {k.KIZUKID} (set KIZUKID or --kizukid)", file=sys.stderr)
        return 2

    env = k.Env("idle-cost")
    try:
        env.start_bus_and_logind()
        env.add_session("c1", active=True)
        if args.config:
            with open(args.config) as f:
                env.write_config(f.read())
        env.start_daemon()
        k.wait_for(lambda: env.status()["logind"]["sessions"], 10, what="kizukid to track c1")
        env.grant_consent_raw()
        st = env.status()
        t_st = time.monotonic()
        if st["recording"] != "recording" or not st["active"]:
            print(f"kizukid is not recording an active person: {st}", file=sys.stderr)
            return 2
        pid = env.daemon.pid
        print(f"kizukid {st.get('version', '?')} pid {pid}: {k.KIZUKID}")
        print(f"warming up {args.warmup:.0f} s, then measuring {args.minutes:g} min "
              "without touching the daemon ...", flush=True)
        time.sleep(args.warmup)

        tracer = None
        trace_file = os.path.join(env.dir, "strace.txt")
        if args.strace:
            tracer = subprocess.Popen(
                ["strace", "-f", "-qq", "-e", "trace=epoll_wait,epoll_pwait,poll,ppoll,fsync,fdatasync",
                 "-o", trace_file, "-p", str(pid)], stdin=subprocess.DEVNULL)
            time.sleep(1)
        vol0, nonvol0, _ = ctxt_switches(pid)
        cpu0 = cpu_seconds(pid)
        ns0 = sched_cpu_ns(pid)
        t0 = time.monotonic()
        period = args.minutes * 60
        while time.monotonic() - t0 < period:
            time.sleep(min(30.0, period - (time.monotonic() - t0)))
            if not env.daemon.alive():
                print("kizukid died during the measurement:\n" + env.daemon.log_text(), file=sys.stderr)
                return 2
        elapsed = time.monotonic() - t0
        vol1, nonvol1, threads = ctxt_switches(pid)
        wakeups = syncs = None
        if tracer:
            tracer.terminate()
            tracer.wait(10)
            wakeups, syncs = count_trace(trace_file)
        cpu1 = cpu_seconds(pid)
        ns1 = sched_cpu_ns(pid)
        status = read_status(pid)
        smaps = smaps_rollup(pid)
        st_end = env.status()  # after the measurement: checks it recorded meanwhile
        recorded_span = time.monotonic() - t_st

        minutes = elapsed / 60
        switches = (vol1 - vol0) + (nonvol1 - nonvol0)
        per_min = switches / minutes
        rss, hwm = kib(status["VmRSS"]), kib(status["VmHWM"])
        grown = st_end["today_active_s"] - st["today_active_s"]
        ok_wake = per_min <= TARGET_WAKEUPS_PER_MIN
        ok_rss = rss < TARGET_RSS_KIB

        print()
        print(f"measured period        {elapsed:8.1f} s ({minutes:.2f} min), {threads} thread(s)")
        print(f"context switches       {switches:8d}  (voluntary {vol1 - vol0}, "
              f"nonvoluntary {nonvol1 - nonvol0})")
        print(f"  per minute           {per_min:8.2f}  target <= {TARGET_WAKEUPS_PER_MIN:g}   "
              f"{'OK' if ok_wake else 'MISSED'}")
        if wakeups is not None:
            print(f"event-loop wakeups     {wakeups:8d}  ({wakeups / minutes:.2f}/min, epoll_wait returns; "
                  f"strace mode: the context switches above include ptrace stops)")
            print(f"fsync/fdatasync        {syncs:8d}")
        print(f"CPU time (utime+stime) {cpu1 - cpu0:8.3f} s  ({1000 * (cpu1 - cpu0) / minutes:.2f} ms/min; "
              f"{100 * (cpu1 - cpu0) / elapsed:.4f} % of one CPU)")
        if ns0 is not None and ns1 is not None:
            print(f"  from schedstat       {(ns1 - ns0) / 1e6:8.3f} ms  ({(ns1 - ns0) / 1e6 / minutes:.3f} ms/min)")
        print(f"VmRSS                  {rss:8d} KiB ({rss / 1024:.2f} MiB)  target < "
              f"{TARGET_RSS_KIB // 1024} MiB   {'OK' if ok_rss else 'MISSED'}")
        print(f"VmHWM (peak RSS)       {hwm:8d} KiB ({hwm / 1024:.2f} MiB)")
        print(f"  RSS breakdown        anon {kib(status.get('RssAnon', '0 kB'))} KiB, "
              f"file {kib(status.get('RssFile', '0 kB'))} KiB (shared libraries), "
              f"shmem {kib(status.get('RssShmem', '0 kB'))} KiB")
        if smaps:
            private = smaps.get("Private_Clean", 0) + smaps.get("Private_Dirty", 0)
            print(f"  Pss                  {smaps.get('Pss', 0):8d} KiB; private "
                  f"{private} KiB (what this process alone costs)")
        print(f"active seconds grown   {grown:8d}  (sanity: ~{recorded_span:.0f} expected)")
        if abs(grown - recorded_span) > 5:
            print("WARNING: kizukid did not record the whole period as active", file=sys.stderr)
        return 0 if ok_wake and ok_rss else 1
    finally:
        env.close(print_logs=False)


if __name__ == "__main__":
    sys.exit(main())
