#!/usr/bin/python3
"""Crash-consistency campaign: kill -9 kizukid at random moments, restart, check.

The real kizukid runs as the integration tests run it (tests/integration/
kizukitest.py: a private dbus-daemon, a python-dbusmock logind with one session
of our uid that stays Active, consent granted), with a short flush_interval
(10 s, the smallest allowed) and a few years of history imported so that a
VACUUM takes tens of milliseconds. Each run picks a phase (seeded), prepares
it, starts an operation, and sends SIGKILL after a random delay drawn from that
operation's measured duration:

  recording   nothing but recording; kill within two flush intervals
  flush       kill 0-4 ms after the daemon's first write to the WAL (inotify)
  import      4 Import batches of 500 hours and one ImportRecords batch
  forget      Forget of ten days holding hours, check-ins and marked nudges
  retention   a shorter retention_days, then Reload: the same delete and cleanup
  reload      SIGHUP with nothing to delete
  startup     kill the daemon, start it again and kill it while it opens the store

Where the daemon really was when it died is read from the inotify events it
left on the database and its WAL: a forget or retention is "delete" until the
database file is first written, then "checkpoint", "VACUUM" once the WAL is
written again, "final checkpoint", or "answered" when its reply had arrived.

After each kill, a copy of the database and its WAL (as the crash left them) is
checked: PRAGMA integrity_check; no hour over its limits (0 <= active <=
observed <= 3600, on an hour, observed no more than the hour's elapsed time);
the loss of recorded seconds (GetStatus's today_active_s just before the
operation plus the wall time to the kill, minus today's stored active seconds)
against the flush interval; an import batch entirely present or entirely
absent, and present when it was answered; a forget or retention entirely done
or not at all, and done when it was answered. Then kizukid is started again:
it must not set the database aside as damaged, forgotten hours must not come
back, and the forgotten nudges' marker text is looked for in the database and
WAL files (old copies of deleted rows).

Usage: tests/bench/crash_campaign.py [--build DIR] [--runs N] [--seed S] [--keep]
Exit status 0 when every check held, 1 otherwise, 2 when the campaign could not run.
"""
import argparse
import ctypes
import datetime as dt
import os
import random
import shutil
import signal
import sqlite3
import statistics
import struct
import sys
import threading
import time

import benchenv

DAY = 86400
HOUR = 3600
FLUSH_S = 10
LONG_RETENTION = 36500
PHASES = ("recording", "flush", "import", "forget", "retention", "reload", "startup")
BATCHES = 4
SLOT_DAYS = 85  # each run's own stretch of old days (2000 hours), so imports and deletes never overlap
SLOT_BASE = int(dt.datetime(1970, 1, 2, tzinfo=dt.timezone.utc).timestamp())
CALIBRATION_SLOTS = 8  # the slots before run 0's
# Base history: the three years before the campaign; what retention runs keep.
BASE_YEARS = 3


def utc_date(t):
    return dt.datetime.fromtimestamp(t, dt.timezone.utc).strftime("%Y-%m-%d")


# ---------------------------------------------------------------------------
# inotify through libc: which files the daemon wrote, in order.

IN_MODIFY = 0x2
libc = ctypes.CDLL(None, use_errno=True)


class Inotify:
    """IN_MODIFY events of one directory, as (name, monotonic time read)."""

    def __init__(self, directory):
        self.fd = libc.inotify_init1(os.O_NONBLOCK | os.O_CLOEXEC)
        if self.fd < 0 or libc.inotify_add_watch(self.fd, directory.encode(), IN_MODIFY) < 0:
            raise OSError(ctypes.get_errno(), "inotify")

    def read(self, timeout=0.0):
        import select
        out = []
        while True:
            r, _, _ = select.select([self.fd], [], [], timeout)
            if not r:
                return out
            try:
                data = os.read(self.fd, 65536)
            except BlockingIOError:
                return out
            now = time.monotonic()
            off = 0
            while off < len(data):
                _, _, _, n = struct.unpack_from("iIII", data, off)
                name = data[off + 16:off + 16 + n].rstrip(b"\0").decode()
                out.append((name, now))
                off += 16 + n
            timeout = 0.0


def segments(events, db_name):
    """The files written, consecutive writes of one file merged: e.g. ['W', 'D', 'W']."""
    segs = []
    for name, _ in events:
        kind = "D" if name == db_name else "W" if name == db_name + "-wal" else None
        if kind and (not segs or segs[-1] != kind):
            segs.append(kind)
    return segs


def cleanup_phase(segs, what):
    """Where a forget or retention was, from the files it had written: the delete
    (and, for a forget, the save before it) writes the WAL; a TRUNCATE
    checkpoint writes the database and truncates the WAL; VACUUM writes the WAL;
    a second checkpoint the database again."""
    n = len(segs) - (1 if segs and segs[0] == "D" else 0)
    if n <= 1:
        return what
    return {2: "checkpoint", 3: "VACUUM"}.get(n, "final checkpoint")


# ---------------------------------------------------------------------------


class Campaign:
    def __init__(self, k, args):
        self.k = k
        self.args = args
        self.rng = random.Random(args.seed)
        self.env = k.Env("crash-campaign")
        self.db = self.env.db_path
        self.db_name = os.path.basename(self.db)
        self.scratch = os.path.join(self.env.dir, "snap")
        os.makedirs(self.scratch)
        self.kills = {}          # phase in progress -> count
        self.planned = {}        # phase planned -> count
        self.losses = []         # (planned phase, seconds lost) per kill
        self.flush_rolled_back = 0
        self.problems = []       # (run, text)
        self.integrity_failures = 0
        self.limit_failures = 0
        self.set_aside = 0
        self.forgotten_back = 0
        self.partial_imports = 0
        self.acked_lost = 0
        self.partial_deletes = 0
        self.import_batches = {"answered": 0, "stored": 0, "absent": 0}
        self.deletes = {"none": 0, "all": 0}
        self.residue = []        # (run, phase, marker) left in the files after a restart
        self.deleted_markers = []
        self.est = {}
        self.run_no = "setup"

    # -- plumbing -----------------------------------------------------------

    def problem(self, run, text):
        self.problems.append((run, text))
        print(f"  run {run}: PROBLEM: {text}", flush=True)

    def config_text(self, retention_days=LONG_RETENTION):
        return f"[recording]\nflush_interval = {FLUSH_S}s\n[store]\nretention_days = {retention_days}\n"

    def config(self, retention_days=LONG_RETENTION):
        self.env.write_config(self.config_text(retention_days))

    def call(self, method, params=None, timeout=30):
        return self.env.call(self.k.IFACE + "." + method, params or {}, timeout=timeout)

    def start(self):
        self.env.start_daemon(timeout=30)
        self.k.wait_for(lambda: self.env.status()["active"], 10, what="recording active")

    def kill(self):
        d = self.env.daemon
        d.kill(signal.SIGKILL)
        d.wait(10)
        d.stop()
        text = d.log_text()
        if any(m in text for m in self.k.SANITIZER_MARKERS):
            self.problem(self.run_no, f"sanitizer report in {d.logfile}")

    def truth_now(self):
        """(today's active seconds including the unsaved ones, monotonic time, local date)."""
        a = time.monotonic()
        st = self.env.status()
        return st["today_active_s"], (a + time.monotonic()) / 2, self.k.local_date(st)

    def ro(self):
        return sqlite3.connect(f"file:{self.db}?mode=ro", uri=True, timeout=10)

    def snapshot(self):
        """A copy of the database and WAL as the crash left them, opened (the
        copy replays the WAL; the originals stay for kizukid's own restart)."""
        for f in os.listdir(self.scratch):
            os.unlink(os.path.join(self.scratch, f))
        dst = os.path.join(self.scratch, "copy.db")
        for suffix in ("", "-wal"):
            if os.path.exists(self.db + suffix):
                shutil.copyfile(self.db + suffix, dst + suffix)
        return sqlite3.connect(dst, timeout=10)

    def delay(self, duration):
        """A moment within an operation that takes about duration: one time in
        three within its first tenth (where the delete transaction is), else
        anywhere up to 1.3 times it."""
        if self.rng.random() < 1 / 3:
            return self.rng.uniform(0, 0.1 * duration)
        return self.rng.uniform(0, 1.3 * duration)

    def slot(self, run):
        return SLOT_BASE + (run + CALIBRATION_SLOTS) * SLOT_DAYS * DAY

    # -- data ---------------------------------------------------------------

    def hours(self, first, n, rng):
        return [{"start": first + i * HOUR, "utc_offset": 0, "active_s": rng.randint(1, 3600),
                 "observed_s": 3600} for i in range(n)]

    def records(self, first_day, days, marker):
        checkins = [{"date": utc_date(first_day + d * DAY), "went_out": d % 2 == 0, "mood": 1 + d % 5}
                    for d in range(days)]
        nudges = [{"policy": "campaign", "date": utc_date(first_day + d * DAY), "raised_at": first_day + d * DAY,
                   "severity": "gentle", "title": "t", "body": f"{marker} day {d}", "rule": "r",
                   "state": "unread"} for d in range(days)]
        return checkins, nudges

    def chunk(self, run, days=10):
        """Ten days of hours, check-ins and marked nudges in the run's own slot."""
        first = self.slot(run)
        marker = f"KZCRASH{self.args.seed}R{run:04d}X"
        rng = random.Random(run)
        hrs = self.hours(first, days * 24, rng)
        self.call("Import", {"hours": hrs})
        c, n = self.records(first, days, marker)
        self.call("ImportRecords", {"checkins": c, "nudges": n})
        return first, first + days * DAY, marker

    def import_calls(self, run):
        """BATCHES Import calls of 500 hours and one ImportRecords of ten days in
        the run's slot: (the batches' hours, the calls)."""
        first = self.slot(run)
        rng = random.Random(run)
        batches = [self.hours(first + b * 500 * HOUR, 500, rng) for b in range(BATCHES)]
        c, n = self.records(first, 10, f"KZIMPORT{run}")
        return batches, [("Import", {"hours": h}) for h in batches] + [("ImportRecords", {"checkins": c, "nudges": n})]

    def client(self, calls, ctx):
        """Make the calls on one connection in turn (a thread; the daemon is
        killed under it): ctx["acked"] gets the index of each one answered."""
        try:
            with self.env.client(timeout=60) as c:
                for j, (m, p) in enumerate(calls):
                    c.call(self.k.IFACE + "." + m, p, timeout=60)
                    ctx["acked"].append(j)
        except Exception as e:  # noqa: BLE001
            ctx["errors"].append(repr(e))

    def count_range(self, con, lo, hi):
        return tuple(con.execute(q, (lo, hi)).fetchone()[0] for q in (
            "SELECT count(*) FROM bucket WHERE start + utc_offset >= ? AND start + utc_offset < ?",
            "SELECT count(*) FROM checkin WHERE date >= ? AND date < ?",
            "SELECT count(*) FROM nudge WHERE date >= ? AND date < ?"))

    def residue_of(self, marker):
        enc = marker.encode()
        for suffix in ("", "-wal"):
            try:
                with open(self.db + suffix, "rb") as f:
                    if enc in f.read():
                        return suffix or "db"
            except FileNotFoundError:
                pass
        return None

    # -- setup and calibration ----------------------------------------------

    def setup(self):
        env = self.env
        benchenv.start_active(self.k, env, self.config_text())
        now = int(time.time())
        first = (now // DAY - BASE_YEARS * 365) * DAY
        n = (now // DAY - 2) * DAY // HOUR - first // HOUR
        hrs = self.hours(first, n, random.Random(self.args.seed))
        t = time.monotonic()
        for i in range(0, len(hrs), 500):
            self.call("Import", {"hours": hrs[i:i + 500]})
        print(f"base history: {len(hrs)} hours ({utc_date(first)} .. {utc_date(first + n * HOUR)}) "
              f"imported in {time.monotonic() - t:.1f} s; store {env.status()['store_size'] / 1e6:.1f} MB",
              flush=True)
        self.keep_from = first
        if self.slot(self.args.runs) > first:
            raise RuntimeError(f"--runs {self.args.runs}: the runs' old days would reach the base history")
        self.inotify = Inotify(env.state_dir)

        # Calibration: how long each operation takes here (medians of 3).
        def timed(fn):
            t = time.monotonic()
            fn()
            return time.monotonic() - t
        cal = -1

        def import_all():
            ctx = {"acked": [], "errors": []}
            t = threading.Thread(target=self.client, args=(self.import_calls(-CALIBRATION_SLOTS)[1], ctx))
            t.start()
            t.join(60)
            if len(ctx["acked"]) != BATCHES + 1:
                raise RuntimeError(f"calibration import failed: {ctx['errors']}")
        self.est["import"] = statistics.median(timed(import_all) for _ in range(3))
        fs = []
        for j in range(3):
            lo, hi, _ = self.chunk(cal - 1 - j)
            fs.append(timed(lambda: self.call("Forget", {"from": utc_date(lo), "to": utc_date(hi - DAY)})))
        self.est["forget"] = statistics.median(fs)
        rs = []
        for j in range(3):
            self.chunk(cal - 4 - j)
            self.config(self.short_retention())
            rs.append(timed(lambda: self.call("Reload")))
            self.config()
            self.call("Reload")
        self.est["retention"] = statistics.median(rs)
        self.est["reload"] = statistics.median(timed(lambda: self.call("Reload")) for _ in range(3))
        ss = []
        for _ in range(3):
            env.stop_daemon()
            t = time.monotonic()
            self.start()
            ss.append(time.monotonic() - t)
        self.est["startup"] = statistics.median(ss)
        print("calibration (median of 3): " + ", ".join(f"{k} {v * 1000:.0f} ms" for k, v in self.est.items()),
              flush=True)
        self.inotify.read()

    def short_retention(self):
        """retention_days that keep the base history and expire every slot."""
        return (int(time.time()) - self.keep_from) // DAY + 2

    # -- one run --------------------------------------------------------------

    def run(self, i, phase):
        env = self.env
        self.run_no = i
        self.planned[phase] = self.planned.get(phase, 0) + 1
        ctx = {"acked": [], "errors": []}
        pre = None
        lo = hi = marker = None
        if phase in ("forget", "retention"):
            lo, hi, marker = self.chunk(i)
            con = self.ro()
            if phase == "forget":
                pre = self.count_range(con, lo, hi)
            else:
                cutoff = (int(time.time()) // DAY - self.short_retention()) * DAY
                pre = self.count_range(con, -2**62, cutoff)
                lo, hi = -2**62, cutoff
            con.close()
        if phase == "startup":
            self.kill()
            base = self.snapshot()
            truth0 = base.execute("SELECT coalesce(sum(active_s), 0) FROM bucket WHERE start >= ?",
                                  (int(time.time()) // DAY * DAY,)).fetchone()[0]
            base.close()
        self.inotify.read()
        truth, t_truth, day = (None, None, None) if phase == "startup" else self.truth_now()

        # -- the operation and the kill -------------------------------------
        thread = None
        batches = None
        if phase == "recording":
            time.sleep(self.rng.uniform(0, 2 * FLUSH_S))
        elif phase == "flush":
            deadline = time.monotonic() + 3 * FLUSH_S
            while time.monotonic() < deadline:
                if any(n == self.db_name + "-wal" for n, _ in self.inotify.read(0.5)):
                    break
            else:
                self.problem(i, "no flush seen within 3 flush intervals")
            time.sleep(self.rng.uniform(0, 0.004))
        elif phase == "import":
            batches, calls = self.import_calls(i)
            thread = threading.Thread(target=self.client, args=(calls, ctx))
            thread.start()
            time.sleep(self.delay(self.est["import"]))
        elif phase == "forget":
            thread = threading.Thread(target=self.client, args=([("Forget", {"from": utc_date(lo),
                                                                              "to": utc_date(hi - DAY)})], ctx))
            thread.start()
            time.sleep(self.delay(self.est["forget"]))
        elif phase == "retention":
            self.config(self.short_retention())
            thread = threading.Thread(target=self.client, args=([("Reload", {})], ctx))
            thread.start()
            time.sleep(self.delay(self.est["retention"]))
        elif phase == "reload":
            env.daemon.kill(signal.SIGHUP)
            time.sleep(self.rng.uniform(0, max(0.005, 1.5 * self.est["reload"])))
        elif phase == "startup":
            env.start_daemon(wait=False)
            time.sleep(self.rng.uniform(0, 1.2 * self.est["startup"]))
        t_kill = time.monotonic()
        wall_kill = time.time()
        self.kill()
        if thread:
            thread.join(10)
        events = self.inotify.read(0.05)
        segs = segments(events, self.db_name)
        if phase in ("forget", "retention"):
            where = "answered" if ctx["acked"] else cleanup_phase(segs, phase)
            self.config()
        else:
            where = phase
        self.kills[where] = self.kills.get(where, 0) + 1

        # -- the database as the crash left it --------------------------------
        con = self.snapshot()
        ok = con.execute("PRAGMA integrity_check").fetchall()
        if ok != [("ok",)]:
            self.integrity_failures += 1
            self.problem(i, f"integrity_check after a kill in {where}: {ok[:5]}")
        today = int(wall_kill) // DAY * DAY
        bad = con.execute(
            "SELECT count(*) FROM bucket WHERE active_s < 0 OR observed_s > 3600 OR active_s > observed_s "
            "OR (start + utc_offset) % 3600 != 0 OR observed_s > ? - start + 1", (int(wall_kill),)).fetchone()[0]
        if bad:
            self.limit_failures += 1
            self.problem(i, f"{bad} hours over their limits after a kill in {where}")
        stored = con.execute("SELECT coalesce(sum(active_s), 0) FROM bucket WHERE start >= ?",
                             (today,)).fetchone()[0]
        if phase == "startup":
            loss = truth0 - stored
        elif day == utc_date(wall_kill):
            loss = truth + (t_kill - t_truth) - stored
        else:
            loss = None  # the local day changed under the run
        if loss is not None:
            self.losses.append((phase, loss))
            if loss > FLUSH_S + 1:
                self.problem(i, f"lost {loss:.1f} s of recording (kill in {where}), flush interval {FLUSH_S} s")
            if loss < -2:
                self.problem(i, f"{-loss:.1f} s more stored than recorded (kill in {where})")
            if phase == "flush" and loss > FLUSH_S / 2:
                self.flush_rolled_back += 1

        if phase == "import":
            for b, hrs in enumerate(batches):
                got = con.execute(
                    "SELECT count(*) FROM bucket WHERE start >= ? AND start < ? AND utc_offset = 0",
                    (hrs[0]["start"], hrs[-1]["start"] + 1)).fetchone()[0]
                same = sum(1 for h in hrs if con.execute(
                    "SELECT 1 FROM bucket WHERE start = ? AND utc_offset = 0 AND active_s = ? AND observed_s = ?",
                    (h["start"], h["active_s"], h["observed_s"])).fetchone())
                if got not in (0, len(hrs)) or same != got:
                    self.partial_imports += 1
                    self.problem(i, f"import batch {b}: {got} of {len(hrs)} hours stored ({same} as sent)")
                elif b in ctx["acked"] and got == 0:
                    self.acked_lost += 1
                    self.problem(i, f"import batch {b} was answered but is not stored")
                self.import_batches["answered"] += b in ctx["acked"]
                self.import_batches["stored" if got else "absent"] += 1
            rlo = self.slot(i)
            rec = self.count_range(con, rlo, rlo + 10 * DAY)[1:]
            if any(x not in (0, 10) for x in rec) or rec[0] != rec[1]:
                self.partial_imports += 1
                self.problem(i, f"ImportRecords: {rec[0]} of 10 check-ins, {rec[1]} of 10 nudges stored")
            elif BATCHES in ctx["acked"] and rec == (0, 0):
                self.acked_lost += 1
                self.problem(i, "ImportRecords was answered but is not stored")
        deleted = False
        if phase in ("forget", "retention"):
            post = self.count_range(con, lo, hi)
            if post != pre and post != (0, 0, 0):
                self.partial_deletes += 1
                self.problem(i, f"{phase} killed in {where}: {pre} rows before, {post} after")
            if ctx["acked"] and post != (0, 0, 0):
                self.acked_lost += 1
                self.problem(i, f"{phase} was answered but {post} rows are still there")
            deleted = post == (0, 0, 0)
            self.deletes["all" if deleted else "none"] += post in (pre, (0, 0, 0))
        con.close()

        # -- restart ------------------------------------------------------------
        self.start()
        aside = [f for f in os.listdir(env.state_dir) if ".corrupt-" in f]
        if len(aside) > self.set_aside:
            self.problem(i, f"kizukid set the database aside after a kill in {where}: {aside}")
            self.set_aside = len(aside)
        if deleted:
            days = self.call("GetRange", {"from": utc_date(max(lo, self.slot(i))), "to": utc_date(self.slot(i) + 9 * DAY)})
            if any(h["observed_s"] or h["active_s"] for h in days["hours"]):
                self.forgotten_back += 1
                self.problem(i, f"forgotten hours are back after a kill in {where}")
            self.deleted_markers.append((i, where, marker))
            left = self.residue_of(marker)
            if left:
                self.residue.append((i, where, left))
        return where, loss

    # -- report -------------------------------------------------------------

    def report(self, runs, seconds):
        n = sum(self.kills.values())
        print(f"\n== crash campaign: {runs} runs, {n} kills in {seconds / 60:.1f} min, seed {self.args.seed}, "
              f"flush_interval {FLUSH_S} s")
        print("kills by phase planned:  " + ", ".join(f"{p} {self.planned.get(p, 0)}" for p in PHASES))
        order = ["recording", "flush", "import", "forget", "retention", "checkpoint", "VACUUM",
                 "final checkpoint", "answered", "reload", "startup"]
        print("kills by phase reached:  " + ", ".join(f"{p} {self.kills[p]}" for p in order if p in self.kills))
        if self.losses:
            xs = [x for _, x in self.losses]
            over = sum(1 for x in xs if x > FLUSH_S + 1)
            print(f"loss of recorded seconds: median {statistics.median(xs):.1f} s, max {max(xs):.1f} s, "
                  f"over {FLUSH_S} s (+1 s rounding): {over} of {len(xs)} kills")
            for p in ("recording", "flush"):
                ps = [x for q, x in self.losses if q == p]
                if ps:
                    print(f"  {p} kills: median {statistics.median(ps):.1f} s, max {max(ps):.1f} s")
        print(f"flush kills where the flush in progress was rolled back: {self.flush_rolled_back} of "
              f"{self.kills.get('flush', 0)}")
        print(f"integrity_check failures: {self.integrity_failures}; databases set aside at restart: "
              f"{self.set_aside}; hours over their limits: {self.limit_failures}")
        print(f"partial imports: {self.partial_imports}; partial deletes (forget/retention): "
              f"{self.partial_deletes}; answered but not durable: {self.acked_lost}")
        ib = self.import_batches
        print(f"import batches of 500 hours: {ib['answered']} answered, {ib['stored']} stored whole, "
              f"{ib['absent']} absent whole; forget/retention: {self.deletes['all']} done whole, "
              f"{self.deletes['none']} not at all")
        print(f"forgotten data back after restart: {self.forgotten_back}")
        print(f"deletes (forget/retention) that committed: {len(self.deleted_markers)}; with the deleted "
              f"nudges' text still in the files after the restart: {len(self.residue)}"
              + (" (" + ", ".join(sorted({w for _, w, _ in self.residue})) + ")" if self.residue else ""))
        by = {}
        for _, w, _ in self.deleted_markers:
            by[w] = by.get(w, 0) + 1
        res = {}
        for _, w, _ in self.residue:
            res[w] = res.get(w, 0) + 1
        if by:
            print("  by phase of the kill (residue/committed): " +
                  ", ".join(f"{w} {res.get(w, 0)}/{c}" for w, c in sorted(by.items())))
        corrupt = self.integrity_failures + self.set_aside
        print(f"RESULT: {corrupt} corruptions over {n} kills; problems: {len(self.problems)}")
        return 0 if not self.problems else 1


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--build", default=benchenv.DEFAULT_BUILD)
    ap.add_argument("--runs", type=int, default=200)
    ap.add_argument("--seed", type=int, default=17)
    ap.add_argument("--phases", default=",".join(PHASES), help="comma-separated subset of " + ",".join(PHASES))
    ap.add_argument("--keep", action="store_true", help="keep the temp dir with the logs")
    args = ap.parse_args()
    k = benchenv.harness(args.build, args.keep, TZ="UTC")
    if not k:
        return 2
    phases = [p for p in args.phases.split(",") if p]
    if any(p not in PHASES for p in phases):
        ap.error(f"--phases: one of {','.join(PHASES)}")

    c = Campaign(k, args)
    t0 = time.monotonic()
    try:
        try:
            c.setup()
        except Exception as e:  # noqa: BLE001
            print(f"setup failed: {e}", file=sys.stderr)
            c.env.close(print_logs=True)
            return 2
        order = []
        while len(order) < args.runs:
            rnd = list(phases)
            c.rng.shuffle(rnd)
            order += rnd
        for i, phase in enumerate(order[:args.runs]):
            where, loss = c.run(i, phase)
            ls = f"{loss:5.1f} s" if loss is not None else "  -  "
            print(f"run {i:3d} {phase:9s} killed in {where:16s} loss {ls}", flush=True)
        # The old copies of deleted rows after a clean stop: SQLite checkpoints
        # the WAL into the database and removes it when the last connection closes.
        c.env.stop_daemon()
        stopped = [(i, w) for i, w, m in c.deleted_markers if c.residue_of(m)]
        rc = c.report(args.runs, time.monotonic() - t0)
        print(f"after a clean stop, deleted nudges' text still in the files: {len(stopped)}")
        return rc
    finally:
        c.env.close(print_logs=False)


if __name__ == "__main__":
    sys.exit(main())
