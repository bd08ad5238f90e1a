#!/usr/bin/python3
"""The real kizukid through simulated weeks on a fake wall clock (libfaketime):
it decides each day once the day is complete, and the nudges it stores for a
day are exactly what `kizuki policy test --json` reports for that day.

A made-up person in Tokyo (+09:00, day_start 04:00) has eight weeks of steady
history, then nine simulated weeks with drifts: screen hours creeping up, nights
at the computer, no more outings in the check-ins. Day by day the test imports
the day's hours while the clock is still inside the day, then moves the clock
past the day's end (to a varying time of the next day) and waits until kizukid
has decided it. In between: a machine that sleeps through three day ends
(PrepareForSleep, SIGSTOP while "asleep"), a restart, and a machine that was
off for two days. libfaketime moves CLOCK_REALTIME and, with it, the monotonic
clock libevent's timers use, so an expired timer fires on the next wake-up of
the loop, as after a real suspend.

Checked: only the newest complete day is decided after sleep, a gap or a first
start (no backlog); nothing is raised twice across a restart; for every day
kizukid decided, its stored nudges (policy, value, baseline) equal what policy
test reports for that day, and none are stored for other days; at least three
policies fired, a CUSUM one among them; `kizuki explain ID` tells the same story,
and for today, still incomplete, says the day itself has no value yet.

TestDecisionMoments takes the two ways a decision comes about one at a time:
the timer at the day's end with nobody calling kizukid, and the wake-up after
sleep with the monotonic clock left real (FAKETIME_DONT_FAKE_MONOTONIC), as a
real suspend leaves it, so that no timer can be the one that decides.
"""

import datetime as dt
import json
import os
import random
import signal
import sys
import time
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import kizukitest as k  # noqa: E402

LIBFAKETIME = "/usr/lib/x86_64-linux-gnu/faketime/libfaketime.so.1"
TZ = "Asia/Tokyo"
OFF = dt.timezone(dt.timedelta(hours=9))
DAY_START = dt.time(4, 0)
HISTORY_START = dt.date(2026, 1, 5)  # a Monday: eight weeks of steady history
SIM_START = dt.date(2026, 3, 2)      # then the simulated weeks
SIM_DAYS = 63
CUSUM_POLICY = "creep"

POLICIES = {
    # Screen hours above the person's own usual, day after day (CUSUM).
    "creep.policy": "[policy]\nsignal = screen_h\ndetector = cusum\nkeep_firing_for = 3d\ncooldown = 7d\n"
                    "[cusum]\nk = 0.5\nh = 4\ndays = 28d\nmin_days = 14\n"
                    "[nudge]\ntitle = More screen time ({value})\nbody = Usually {baseline}.\n",
    # A larger share of the day's computer time at night than usual (baseline z).
    "nights.policy": "[policy]\nsignal = night_ratio\nwindow = 7d\nmin_valid_days = 4\ndetector = baseline\n"
                     "for = 2d\ncooldown = 10d\n[baseline]\ndays = 28d\nmin_days = 14\nz = 2\n"
                     "min_change = 0.05\n[nudge]\ntitle = Later nights\nbody = {value} at night.\n",
    # No outing answered in the last week (threshold on check-ins).
    "indoors.policy": "[policy]\nsignal = went_out\naggregate = sum\nwindow = 7d\nmin_valid_days = 5\n"
                      "detector = threshold\ndirection = down\ncooldown = 7d\n[threshold]\nvalue = 1\n"
                      "[nudge]\ntitle = Indoors\nbody = {value} out this week.\n",
    # Screen hours rising over three weeks (Theil-Sen).
    "rising.policy": "[policy]\nsignal = screen_h\nwindow = 21d\ndetector = trend\ncooldown = 14d\n"
                     "[trend]\nmin_slope = 6min\nmin_days = 14\n[nudge]\ntitle = Rising\nbody = {value}.\n",
    # Two of them together.
    "together.policy": "[policy]\ndetector = composite\ncooldown = 14d\nseverity = concern\n"
                       "[composite]\npolicies = creep, nights\nmin_firing = 2\n"
                       "[nudge]\ntitle = Several changes\nbody = Several things changed.\n",
}


def at(day, hh, mm=0, ss=0):
    """A local time of day (minutes may run past midnight) as an aware datetime."""
    return dt.datetime.combine(day, dt.time(0), OFF) + dt.timedelta(hours=hh, minutes=mm, seconds=ss)


class Person:
    """The made-up person's days: active sessions and a went-out answer."""

    def __init__(self, seed=7):
        self.rng = random.Random(seed)

    def sessions(self, day):
        """Active (start, end) datetimes of day (from day_start to the next)."""
        rng = self.rng
        s = (day - SIM_START).days
        hours = 4.5 + rng.uniform(-0.7, 0.7)
        if s >= 7:
            hours = min(11.0, hours + 0.15 * (s - 7))
        out, t = [], at(day, 8, rng.randrange(0, 60))
        left = round(hours * 60)
        end_of_day = at(day, 23, 30)
        while left > 0 and t < end_of_day:
            length = min(left, rng.randrange(40, 100))
            out.append((t, t + dt.timedelta(minutes=length)))
            left -= length
            t += dt.timedelta(minutes=length + rng.randrange(10, 35 if hours > 8 else 60))
        if s >= 25:  # nights at the computer, after midnight (still this day: day_start 04:00)
            start = at(day, 24, 30 + rng.randrange(0, 45))
            out.append((start, start + dt.timedelta(minutes=rng.randrange(80, 150))))
        return out

    def went_out(self, day):
        s = (day - SIM_START).days
        return "no" if s >= 40 else ("yes" if self.rng.random() < 0.75 else "no")

    def csv_rows(self, day):
        """The day from day_start to the next as start,end,state rows: every minute
        observed up to 03:59, when the test imports it (an import takes no hour that
        starts after kizukid's now)."""
        rows, t = [], at(day, 4)
        for a, b in self.sessions(day):
            if a > t:
                rows.append((t, a, "inactive"))
            rows.append((a, b, "active"))
            t = b
        end = at(day, 27, 59)
        if t < end:
            rows.append((t, end, "inactive"))
        return rows


class FakeClockCase(k.KizukiTestCase):
    """A kizukid under libfaketime (the clock in a file the test writes), the
    person, the test's policies beside the shipped ones."""

    def setUp(self):
        super().setUp()
        if not os.path.exists(LIBFAKETIME):
            self.skipTest("libfaketime is not installed (Debian package faketime)")
        env = self.env
        self.clock = os.path.join(env.dir, "faketime")
        self.pdir = os.path.join(env.dir, "policies")
        os.makedirs(self.pdir)
        for name, text in POLICIES.items():
            with open(os.path.join(self.pdir, name), "w") as f:
                f.write(text)
        policy_path = os.path.join(k.SOURCE_DIR, "policies") + ":" + self.pdir
        self.cenv = env.environ(KIZUKI_POLICY_PATH=policy_path, TZ=TZ)
        self.denv = env.environ(
            KIZUKI_POLICY_PATH=policy_path, TZ=TZ, LD_PRELOAD=LIBFAKETIME,
            FAKETIME_TIMESTAMP_FILE=self.clock, FAKETIME_NO_CACHE="1",
            # ASan wants to be first; libfaketime only wraps clock calls.
            ASAN_OPTIONS=(os.environ.get("ASAN_OPTIONS", "") + ":verify_asan_link_order=0").lstrip(":"))
        self.person = Person()
        self.decided = []  # (date, how) in the order kizukid decided them

    # -- the fake clock, the daemon ------------------------------------------------------

    def set_clock(self, when):
        # libfaketime reads the time in the process's zone (TZ).
        with open(self.clock + ".tmp", "w") as f:
            f.write("@" + when.astimezone(OFF).strftime("%Y-%m-%d %H:%M:%S") + "\n")
        os.replace(self.clock + ".tmp", self.clock)

    def start(self):
        self.env.start_daemon(env=self.denv)

    def decided_day(self):
        rows = self.env.call(k.IFACE + ".Export", {"table": "meta"})["rows"]
        for r in rows:
            if r["key"] == "policy_eval_day":
                return dt.datetime.fromtimestamp(r["value"], dt.timezone.utc).date()
        return None

    def wait_decided(self, day, how):
        """Poke the loop (each call wakes it; expired timers then fire) until day is decided."""
        k.wait_for(lambda: self.decided_day() == day, 10, 0.05, f"kizukid to decide {day} ({how})")
        self.decided.append((day, how))

    def nudges(self):
        return self.env.call(k.IFACE + ".GetNudges", {"all": True})["nudges"]

    def cli(self, *args, **kw):
        return self.env.cli(*args, env=self.cenv, **kw)

    def live_day(self, day):
        """Record the day while the clock is inside it: its hours, its check-in."""
        self.set_clock(at(day, 27, 59, 30))  # the next day's 03:59:30, still this day
        path = os.path.join(self.env.dir, "day.csv")
        with open(path, "w") as f:
            f.write("start,end,state\n")
            for a, b, state in self.person.csv_rows(day):
                f.write(f"{a.isoformat()},{b.isoformat()},{state}\n")
        self.cli("import", path, timeout=30)
        self.cli("checkin", "--date", day.isoformat(), "--went-out", self.person.went_out(day))



class TestTimeTravel(FakeClockCase):
    def test_daemon_nudges_equal_policy_test(self):
        env = self.env
        env.write_config("[day]\nday_start = 04:00\n")
        env.start_bus_and_logind()
        t0 = time.monotonic()

        # First start, eight weeks of history already there (imported while
        # the clock stands in the last day of it).
        self.set_clock(at(SIM_START - dt.timedelta(days=1), 27, 59, 30))
        self.start()
        env.cli("consent", "grant", "--yes", env=self.cenv)
        day = HISTORY_START
        while day < SIM_START:
            self.live_day(day)
            day += dt.timedelta(days=1)
        self.assertIsNone(self.decided_day())
        # The day ends: only it is decided, not the eight weeks before it.
        self.set_clock(at(SIM_START, 4, 1))
        self.wait_decided(SIM_START - dt.timedelta(days=1), "first")
        self.assertTrue(all(n["date"] == (SIM_START - dt.timedelta(days=1)).isoformat() for n in self.nudges()))

        rng = random.Random(3)
        sleep_at, restart_at, off_at = SIM_START + dt.timedelta(days=20), SIM_START + dt.timedelta(days=33), \
            SIM_START + dt.timedelta(days=47)
        last = SIM_START + dt.timedelta(days=SIM_DAYS - 1)
        day = SIM_START
        while day <= last:
            self.live_day(day)
            nxt = day + dt.timedelta(days=1)
            if day == sleep_at:
                # Asleep through three day ends: nothing runs, then the clock has moved on.
                env.prepare_for_sleep(True)
                k.wait_for(lambda: env.status()["logind"]["sleeping"], 5, what="kizukid to see the sleep")
                env.daemon.kill(signal.SIGSTOP)
                self.set_clock(at(day, 24 * 3 + 11, 20))
                env.daemon.kill(signal.SIGCONT)
                env.prepare_for_sleep(False)
                self.wait_decided(day + dt.timedelta(days=2), "wake")
                day += dt.timedelta(days=3)
                continue
            if day == off_at:
                # Off for two days (nothing recorded), started again on the third.
                self.assertEqual(env.stop_daemon(), 0)
                self.set_clock(at(day, 24 * 3 + 8, 15))
                self.start()
                self.wait_decided(day + dt.timedelta(days=2), "start")
                day += dt.timedelta(days=3)
                continue
            # The day ends; the clock moves to some time of the next day.
            self.set_clock(at(nxt, 4, rng.choice((0, 1, 7, 45, 180, 540)), 30))
            self.wait_decided(day, "timer")
            if day == restart_at:
                # A restart decides nothing again and raises nothing twice.
                before = self.nudges()
                self.assertEqual(env.stop_daemon(), 0)
                self.start()
                self.assertEqual(self.decided_day(), day)
                self.assertEqual(self.nudges(), before)
            day = nxt
        k.log(f"simulated {(last - HISTORY_START).days + 1} days in {time.monotonic() - t0:.1f} s")

        # What kizukid stored, against policy test over the same days.
        stored = {}
        for n in self.nudges():
            stored.setdefault(n["date"], {})[n["policy"]] = n
        doc = self.cli("policy", "test", "--json", "--from", (SIM_START - dt.timedelta(days=1)).isoformat(),
                       "--to", last.isoformat()).stdout
        tested = {}
        for p in json.loads(doc)["policies"]:
            for f in p["fired"]:
                tested.setdefault(f["date"], {})[p["name"]] = f
        decided = {d.isoformat() for d, _ in self.decided}
        self.assertEqual(len(decided), len(self.decided), self.decided)
        self.assertLessEqual(set(stored), decided, "nudges stored for days kizukid never decided")
        for d in sorted(decided):
            with self.subTest(day=d):
                self.assertEqual(sorted(stored.get(d, {})), sorted(tested.get(d, {})),
                                 f"{d}: kizukid stored {sorted(stored.get(d, {}))}, "
                                 f"policy test reports {sorted(tested.get(d, {}))}")
                for name, n in stored.get(d, {}).items():
                    f = tested[d][name]
                    for key in ("value", "baseline"):
                        if isinstance(f[key], str):  # a time of day "HH:MM": minutes after midnight
                            hh, mm = map(int, f[key].split(":"))
                            self.assertAlmostEqual(n[key], hh * 60 + mm, delta=0.5, msg=(d, name, key))
                        elif f[key] is None:
                            self.assertIsNone(n[key], (d, name, key))
                        else:
                            self.assertAlmostEqual(n[key], f[key], places=9, msg=(d, name, key))
        skipped = set(tested) - decided
        k.log(f"decided {len(decided)} days ({sum(1 for _, h in self.decided if h != 'timer')} after sleep, "
              f"start or a gap); policy test fired on {len(skipped)} days kizukid skipped")

        fired = {n["policy"] for n in self.nudges()}
        k.log(f"nudges: {sum(len(v) for v in stored.values())} from {sorted(fired)}")
        self.assertIn(CUSUM_POLICY, fired)
        self.assertGreaterEqual(len(fired), 3, fired)
        self.assertGreaterEqual((last - SIM_START).days + 1, 56)

        # explain tells the same story for every nudge: its day, firing, a nudge raised.
        for n in self.nudges():
            out = self.cli("explain", str(n["id"]), "--json").stdout
            ex = json.loads(out)
            lastday = ex["days"][-1]
            self.assertEqual((lastday["date"], lastday["state"], lastday["nudge"]), (n["date"], "firing", True),
                             (n["policy"], n["date"]))
        # Today is not complete: explain says the day has no value yet, not that
        # the baseline lacks days it has.
        today = (last + dt.timedelta(days=1)).isoformat()
        ex = json.loads(self.cli("explain", CUSUM_POLICY, "--to", today, "--json").stdout)
        self.assertEqual(ex["days"][-1]["date"], today)
        self.assertRegex(ex["why"], r"^no value for this day: [0-9.]+ hours observed, under the 18-hour minimum")
        self.assertNotIn("baseline", ex["why"])
        env.assert_daemon_alive()


class TestDecisionMoments(FakeClockCase):
    """When kizukid decides, each way on its own: the timer at the day's end with
    nobody calling, and the wake-up after sleep (with a monotonic clock that did
    not move, as in a real suspend, so no timer can be the one that decides)."""

    def decided_in_store(self):
        rows = self.env.db_rows("SELECT value FROM meta WHERE key = 'policy_eval_day'")
        return dt.datetime.fromtimestamp(rows[0][0], dt.timezone.utc).date() if rows else None

    def first_decision(self, day):
        env = self.env
        env.write_config("[day]\nday_start = 04:00\n")
        env.start_bus_and_logind()
        self.set_clock(at(day, 10))
        self.start()
        env.cli("consent", "grant", "--yes", env=self.cenv)
        self.assertEqual(self.cli("policy", "eval").returncode, 0)
        self.assertEqual(self.decided_day(), day - dt.timedelta(days=1))

    def test_timer_at_day_end(self):
        day = dt.date(2026, 4, 6)
        self.first_decision(day)
        # Two seconds before the day ends; one call wakes the loop (its timer is
        # then armed for the day's end), then nothing touches kizukid: its timer
        # must decide.
        self.set_clock(at(day, 27, 59, 58))
        self.assertEqual(self.decided_day(), day - dt.timedelta(days=1))
        k.wait_for(lambda: self.decided_in_store() == day, 10, 0.2, "the timer to decide the day that ended")

    def test_wake_after_sleep(self):
        self.denv["FAKETIME_DONT_FAKE_MONOTONIC"] = "1"
        env = self.env
        day = dt.date(2026, 4, 6)
        self.first_decision(day)
        env.prepare_for_sleep(True)
        k.wait_for(lambda: env.status()["logind"]["sleeping"], 5, what="kizukid to see the sleep")
        self.set_clock(at(day, 24 * 2 + 11))
        env.prepare_for_sleep(False)
        k.wait_for(lambda: self.decided_day() == day + dt.timedelta(days=1), 5, 0.1,
                   "the wake-up to decide the newest complete day")
        # Without a wake-up, a clock that jumps on is only noticed by the hourly
        # look (on the real monotonic clock): the wake-up is what decided above.
        self.set_clock(at(day, 24 * 3 + 11))
        time.sleep(1)
        self.assertEqual(self.decided_day(), day + dt.timedelta(days=1))


if __name__ == "__main__":
    unittest.main()
