#!/usr/bin/python3
"""History end to end with the real daemon and CLI: importing the bundled sample
(idempotent, needs consent), the daily signals it yields compared with figures
computed here independently from the CSV, the weekly model, and check-ins."""

import csv
import datetime as dt
import json
import os
import re
import subprocess
import sys
import time
from collections import defaultdict
from zoneinfo import ZoneInfo

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import kizukitest as k  # noqa: E402

SAMPLE = os.path.join(k.SOURCE_DIR, "tests", "fixtures", "sample-history.csv")

DAY_KEYS = ["date", "screen_h", "night_ratio", "first_active", "last_active", "sleep_onset",
            "sleep_offset", "sleep_mid", "sleep_h", "up", "down", "coverage_h", "low_coverage", "is", "iv", "ra",
            "l5", "l5_onset", "m10", "m10_onset", "sri", "social_jet_lag_h", "went_out", "met_someone", "mood"]


def sample_per_day():
    """Active and observed seconds per local date of the sample, straight from the
    CSV rows (all +09:00, contiguous, day start 00:00)."""
    active, observed = defaultdict(float), defaultdict(float)
    with open(SAMPLE) as f:
        for row in csv.DictReader(f):
            s = dt.datetime.fromisoformat(row["start"])
            e = dt.datetime.fromisoformat(row["end"])
            while s < e:
                nxt = min(e, dt.datetime.combine(s.date() + dt.timedelta(days=1), dt.time(0), s.tzinfo))
                secs = (nxt - s).total_seconds()
                observed[s.date().isoformat()] += secs
                if row["state"] == "active":
                    active[s.date().isoformat()] += secs
                s = nxt
    return active, observed


class TestHistory(k.KizukiTestCase):
    def start(self):
        self.env.start_daemon("--no-logind")

    def test_import_needs_consent(self):
        self.start()
        r = self.env.cli("import", SAMPLE, check=False)
        self.assertEqual(r.returncode, 1, r)
        self.assertIn("consent", (r.stdout + r.stderr).lower())
        self.env.stop_daemon()
        self.assertEqual(self.env.db_rows(), [])

    def test_import_days_week(self):
        env = self.env
        self.start()
        env.cli("consent", "grant", "--yes")

        dry = env.cli("import", "--dry-run", SAMPLE).stdout
        self.assertIn("would change", dry)
        self.assertEqual(env.call(k.IFACE + ".GetDays", {"from": "2026-02-02", "to": "2026-02-02"})
                         ["days"][0]["coverage_h"], 0, "a dry run wrote something")

        out = env.cli("import", SAMPLE).stdout
        k.log(out.strip())
        self.assertRegex(out, r"Read 934 rows \(0 rejected\)")
        # Again: idempotent.
        again = env.cli("import", SAMPLE).stdout
        self.assertRegex(again, r"0 changed")

        active, observed = sample_per_day()
        days = env.cli_json("days", "--from", "2026-01-05", "--to", "2026-03-29", "--json")["days"]
        self.assertEqual(len(days), 84)
        for d in days:
            self.assertEqual(list(d.keys()), DAY_KEYS)
            self.assertAlmostEqual(d["screen_h"], active[d["date"]] / 3600, delta=1 / 60,
                                   msg=f"screen_h on {d['date']}")
            self.assertAlmostEqual(d["coverage_h"], observed[d["date"]] / 3600, delta=1 / 60,
                                   msg=f"coverage_h on {d['date']}")
        # The sample drifts: late in the 12 weeks, nights are later and screens longer.
        early = [d for d in days if d["date"] < "2026-02-01"]
        late = [d for d in days if d["date"] >= "2026-03-16"]
        mean = lambda xs: sum(xs) / len(xs)  # noqa: E731
        self.assertGreater(mean([d["screen_h"] for d in late]), mean([d["screen_h"] for d in early]) + 3)
        self.assertGreater(mean([d["night_ratio"] or 0 for d in late]),
                           mean([d["night_ratio"] or 0 for d in early]) + 0.1)
        self.assertIsNotNone(days[10]["is"])
        self.assertTrue(0 < days[10]["is"] <= 1, days[10])

        week = env.cli_json("week", "2026-W13", "--json")
        self.assertEqual((week["from"], week["to"]), ("2026-03-23", "2026-03-29"))
        self.assertEqual(len(week["days"]), 7)
        self.assertEqual(week["mean"]["days"], 7)
        self.assertGreater(week["mean"]["screen_h"], week["baseline"]["screen_h"])
        self.assertTrue(week["hours"])
        human = env.cli("week", "2026-W13", "--color=never").stdout
        self.assertIn("2026-W13", human)

        # Everything imported survives a restart.
        self.assertEqual(env.stop_daemon(), 0)
        total = sum(r[3] for r in env.db_rows())
        self.assertAlmostEqual(total, sum(observed.values()), delta=60)

    def test_policy_test_on_sample(self):
        """The default policies, replayed over the sample: quiet during the steady
        weeks, and the drift (from 2026-02-23) caught within three weeks."""
        env = self.env
        self.start()
        env.cli("consent", "grant", "--yes")
        env.cli("import", SAMPLE)
        penv = env.environ(KIZUKI_POLICY_PATH=os.path.join(k.SOURCE_DIR, "policies"))
        doc = env.cli_json("policy", "test", "--from", "2026-01-05", "--to", "2026-03-29", "--json", env=penv)
        fired = {p["name"]: [f["date"] for f in p["fired"]] for p in doc["policies"]}
        k.log(f"fired: {fired}")
        self.assertIn("late-nights", fired)
        every = sorted(d for dates in fired.values() for d in dates)
        self.assertTrue(every, "the drift was not caught")
        self.assertGreaterEqual(every[0], "2026-02-23", "a nudge during the steady weeks")
        self.assertLessEqual(every[0], "2026-03-16", "the drift was caught late")
        for p in doc["policies"]:
            for f in p["fired"]:
                self.assertEqual(set(f), {"date", "severity", "value", "baseline"})
        # The same replay, by name and by file, gives the same days.
        one = env.cli_json("policy", "test", "sleep-shift", "--from", "2026-01-05", "--to", "2026-03-29",
                           "--json", env=penv)
        self.assertEqual([f["date"] for f in one["policies"][0]["fired"]], fired["sleep-shift"])
        path = os.path.join(k.SOURCE_DIR, "policies", "sleep-shift.policy")
        two = env.cli_json("policy", "test", path, "--from", "2026-01-05", "--to", "2026-03-29", "--json", env=penv)
        self.assertEqual(two["policies"], one["policies"])
        # check: 0 for the shipped files, 1 with file:line for a broken one.
        env.cli("policy", "check", *[os.path.join(k.SOURCE_DIR, "policies", n)
                                     for n in sorted(os.listdir(os.path.join(k.SOURCE_DIR, "policies")))
                                     if n.endswith(".policy")], env=penv)
        bad = os.path.join(env.dir, "bad.policy")
        with open(bad, "w") as f:
            f.write("[policy]\nsignal = screen_h\ndetector = threshold\n[threshold]\nvalue = lots\n")
        r = env.cli("policy", "check", bad, check=False, env=penv)
        self.assertEqual(r.returncode, 1, r)
        self.assertIn(f"{bad}:5:", r.stderr)

    def test_fifo_among_the_policies(self):
        """A FIFO named like a policy file (or given to policy check) must not hang
        kizukid or kizuki: it is reported and the other policies load."""
        env = self.env
        pdir = os.path.join(env.dir, "policies")
        os.makedirs(pdir)
        os.mkfifo(os.path.join(pdir, "a-fifo.policy"))
        with open(os.path.join(pdir, "ok.policy"), "w") as f:
            f.write("[policy]\nsignal = screen_h\ndetector = threshold\n[threshold]\nvalue = 12\n"
                    "[nudge]\ntitle = Long day\nbody = Many hours.\n")
        denv = env.environ(KIZUKI_POLICY_PATH=pdir)
        env.start_daemon("--no-logind", env=denv)
        r = env.cli("reload", check=False, timeout=10)
        self.assertIn("a-fifo.policy", r.stdout + r.stderr)
        listed = env.cli("policy", "list", env=denv, timeout=10).stdout
        self.assertIn("ok", listed)
        r = env.cli("policy", "check", os.path.join(pdir, "a-fifo.policy"), check=False, env=denv, timeout=10)
        self.assertEqual(r.returncode, 1, r)
        self.assertIn("not a regular file", r.stderr)

    def test_nudges_raised_for_complete_day(self):
        """EvalPolicies decides the newest complete day (yesterday): a nudge when a
        policy starts firing, once; today's partial data raises nothing;
        acknowledging, snoozing and hostile actions; a restart raises nothing new."""
        env = self.env
        pdir = os.path.join(env.dir, "policies")
        os.makedirs(pdir)
        with open(os.path.join(pdir, "low-mood.policy"), "w") as f:
            f.write("[policy]\nsignal = mood\nwindow = 1d\nmin_valid_days = 1\ndetector = threshold\n"
                    "direction = down\nseverity = gentle\n[threshold]\nvalue = 3\n"
                    "[nudge]\ntitle = Mood {value} today\nbody = Be kind to yourself.\nstep = Take a short walk.\n")
        with open(os.path.join(pdir, "broken.policy"), "w") as f:
            f.write("[policy]\nsignal = nonsense\n")
        # A session bus with a mock notification daemon; notify = full shows the nudge's own words.
        saddr = env.start_notifications()
        env.write_config("[nudges]\nnotify = full\n")
        denv = env.environ(KIZUKI_POLICY_PATH=pdir, DBUS_SESSION_BUS_ADDRESS=saddr)
        env.start_daemon("--no-logind", env=denv)
        env.grant_consent_raw()
        st = env.status()
        self.assertEqual(st["unread_nudges"], 0)
        today = k.local_date(st)
        yesterday = (dt.date.fromisoformat(today) - dt.timedelta(days=1)).isoformat()

        # Today is not complete: its check-in waits for the day to end.
        env.cli("checkin", "--mood", "1", "--date", today)
        ev = env.call(k.IFACE + ".EvalPolicies", {})
        self.assertEqual((ev["date"], ev["raised"]), (yesterday, []))
        env.cli("checkin", "--mood", "1", "--date", yesterday)
        ev = env.call(k.IFACE + ".EvalPolicies", {})
        self.assertEqual(ev["date"], yesterday)
        self.assertEqual(ev["evaluated"], 1)
        self.assertEqual(len(ev["raised"]), 1, ev)
        self.assertTrue(any("broken.policy:2:" in p for p in ev["problems"]), ev["problems"])
        n = ev["raised"][0]
        self.assertEqual((n["policy"], n["date"], n["severity"], n["state"]),
                         ("low-mood", yesterday, "gentle", "unread"))
        self.assertEqual(n["title"], "Mood 1.0 today")
        self.assertEqual(n["step"], "Take a short walk.")
        self.assertEqual((n["rule"], n["value"], n["baseline"]), ("threshold", 1.0, 3.0))
        self.assertEqual(env.status()["unread_nudges"], 1)
        calls = env.notify_calls(saddr)
        self.assertEqual(len(calls), 1, calls)
        self.assertEqual(calls[0][3], "Mood 1.0 today")
        self.assertIn("Take a short walk.", calls[0][4])

        # Evaluating the same day again raises nothing new.
        self.assertEqual(env.call(k.IFACE + ".EvalPolicies", {})["raised"], [])
        nid = n["id"]
        snoozed = env.call(k.IFACE + ".NudgeAction", {"id": nid, "action": "snooze", "duration_s": 3600})["nudge"]
        self.assertEqual(snoozed["state"], "snoozed")
        self.assertAlmostEqual(snoozed["snoozed_until"], st["now"] + 3600, delta=30)
        self.assertEqual(env.call(k.IFACE + ".GetNudges", {})["nudges"], [])
        self.assertEqual(len(env.call(k.IFACE + ".GetNudges", {"all": True})["nudges"]), 1)
        acked = env.call(k.IFACE + ".NudgeAction", {"id": nid, "action": "ack", "helpful": True})["nudge"]
        self.assertEqual((acked["state"], acked["helpful"]), ("acked", True))
        for params in ({"id": nid, "action": "explode"}, {"id": nid, "action": "snooze"},
                       {"id": nid, "action": "snooze", "duration_s": 5}, {"id": "x", "action": "ack"},
                       {"id": nid, "action": "ack", "helpful": "yes"}, {"id": 0, "action": "ack"}):
            r = env.call_raw(k.IFACE + ".NudgeAction", params)
            self.assertEqual(r.get("error"), "org.varlink.service.InvalidParameter", (params, r))
        r = env.call_raw(k.IFACE + ".NudgeAction", {"id": 999, "action": "ack"})
        self.assertEqual(r.get("error"), k.IFACE + ".NoSuchNudge", r)

        # A restart re-evaluates when due and raises nothing for a day that has its nudge.
        self.assertEqual(env.stop_daemon(), 0)
        env.start_daemon("--no-logind", env=denv)
        self.assertEqual(env.call(k.IFACE + ".EvalPolicies", {})["raised"], [])
        self.assertEqual(len(env.call(k.IFACE + ".GetNudges", {"all": True})["nudges"]), 1)
        problems = env.call(k.IFACE + ".Reload", {})["problems"]
        self.assertTrue(any("broken.policy" in p for p in problems), problems)
        # Breaking a good file: reported, and its previous version keeps working.
        with open(os.path.join(pdir, "low-mood.policy"), "a") as f:
            f.write("nonsense = 1\n")
        problems = env.call(k.IFACE + ".Reload", {})["problems"]
        self.assertTrue(any("low-mood.policy:" in p for p in problems), problems)
        self.assertEqual(env.call(k.IFACE + ".EvalPolicies", {})["evaluated"], 1)
        env.assert_daemon_alive()

    def test_checkin(self):
        env = self.env
        self.start()
        r = env.cli("checkin", "--went-out", "yes", "--date", "2026-03-02", check=False)
        self.assertEqual(r.returncode, 1, r)  # no consent yet
        env.cli("consent", "grant", "--yes")
        env.cli("checkin", "--went-out", "yes", "--date", "2026-03-02")
        env.cli("checkin", "--mood", "4", "--met-someone", "no", "--date", "2026-03-02")
        d = env.cli_json("days", "--from", "2026-03-02", "--to", "2026-03-02", "--json")["days"][0]
        self.assertEqual((d["went_out"], d["met_someone"], d["mood"]), (True, False, 4))
        r = env.cli("checkin", "--mood", "9", check=False)
        self.assertEqual(r.returncode, 2, r)
        bad = env.call_raw(k.IFACE + ".Checkin", {"date": "2026-03-02", "mood": 0})
        self.assertEqual(bad.get("error"), "org.varlink.service.InvalidParameter", bad)
        future = env.call_raw(k.IFACE + ".Checkin", {"date": "2999-01-01", "mood": 3})
        self.assertEqual(future.get("error"), "org.varlink.service.InvalidParameter", future)

    def test_hostile_imports(self):
        env = self.env
        self.start()
        env.grant_consent_raw()
        cases = [
            {"hours": "x"},
            {"hours": [{"start": 1767571200, "utc_offset": 0, "active_s": 10, "observed_s": 5}]},
            {"hours": [{"start": 1767571200 + 60, "utc_offset": 0, "active_s": 0, "observed_s": 5}]},
            {"hours": [{"start": 1767571200, "utc_offset": 99999, "active_s": 0, "observed_s": 5}]},
            {"hours": [{"start": 1767571200, "utc_offset": 0, "active_s": 0, "observed_s": 3601}]},
            {"hours": [1, 2]},
            {"hours": [], "dry_run": "yes"},
        ]
        for params in cases:
            r = env.call_raw(k.IFACE + ".Import", params)
            self.assertEqual(r.get("error"), "org.varlink.service.InvalidParameter", (params, r))
        # An hour in the future refuses the whole call, and the error names it.
        future = {"hours": [{"start": 1767571200, "utc_offset": 0, "active_s": 0, "observed_s": 5},
                            {"start": 1767571200 + 3600, "utc_offset": 0, "active_s": 0, "observed_s": 5},
                            {"start": 4102444800, "utc_offset": 3600 * 5, "active_s": 0, "observed_s": 5}]}
        r = env.call_raw(k.IFACE + ".Import", future)
        self.assertEqual(r.get("error"), k.IFACE + ".FutureHour", r)
        self.assertEqual({key: r["parameters"][key] for key in ("index", "start", "utc_offset")},
                         {"index": 2, "start": 4102444800, "utc_offset": 18000}, r)
        big = {"hours": [{"start": 1767571200 + 3600 * i, "utc_offset": 0, "active_s": 0,
                          "observed_s": 1} for i in range(501)]}
        r = env.call_raw(k.IFACE + ".Import", big)
        self.assertEqual(r.get("error"), k.IFACE + ".RangeTooLarge", r)
        for params in ({"from": "2026-01-01", "to": "2040-01-01"}, {"from": "2026-02-01", "to": "2026-01-01"},
                       {"from": "2026-13-01", "to": "2026-01-01"}):
            r = env.call_raw(k.IFACE + ".GetDays", params)
            self.assertIn("error", r, params)
        for week in ("2026-W54", "2026-W00", "2026-w01", "2027-W53", "x"):
            r = env.call_raw(k.IFACE + ".GetWeek", {"week": week})
            self.assertEqual(r.get("error"), k.IFACE + ".InvalidWeek", (week, r))
        # 2026 has 53 ISO weeks; its week 53 ends on 2027-01-03.
        w = env.call(k.IFACE + ".GetWeek", {"week": "2026-W53"})
        self.assertEqual((w["from"], w["to"]), ("2026-12-28", "2027-01-03"))
        env.assert_daemon_alive()
        self.assertEqual(env.stop_daemon(), 0)
        self.assertEqual(env.db_rows(), [])



def iso(t, offset_s=0):
    tz = dt.timezone(dt.timedelta(seconds=offset_s))
    return dt.datetime.fromtimestamp(t, tz).isoformat()


def write_csv(path, rows):
    """rows: (start, end, state) with start/end as ISO strings."""
    with open(path, "w") as f:
        f.write("start,end,state\n")
        for r in rows:
            f.write(",".join(r) + "\n")
    return path


class TestImportSafety(k.KizukiTestCase):
    """Issue #17, points 2-4: imports that lose or double nothing."""

    def start(self, env=None):
        self.env.start_daemon("--no-logind", env=env)
        self.env.grant_consent_raw()

    def db_observed(self):
        self.assertEqual(self.env.stop_daemon(), 0)
        return sum(r[3] for r in self.env.db_rows())

    def hour_rows(self, first, n, offset_s=0):
        return [(iso(first + 3600 * i, offset_s), iso(first + 3600 * (i + 1), offset_s), "active") for i in range(n)]

    def test_future_row_strict_imports_nothing(self):
        env = self.env
        self.start()
        now = int(time.time())
        first = now - now % 3600 - 700 * 3600
        tomorrow = now - now % 3600 + 86400
        rows = self.hour_rows(first, 600) + [(iso(tomorrow), iso(tomorrow + 3600), "active")]
        path = write_csv(os.path.join(env.dir, "future.csv"), rows)

        r = env.cli("import", "--strict", path, check=False)
        self.assertEqual(r.returncode, 1, r)
        self.assertIn(f"{path}:602: ends in the future", r.stderr)
        self.assertIn(f"{path}:602: this row cannot be imported; nothing was imported (--strict)", r.stderr)
        self.assertEqual(r.stdout, "")

        r = env.cli("import", path)
        self.assertIn(f"{path}:602: ends in the future", r.stderr)
        self.assertIn("Read 601 rows (1 rejected, 1 of them ending in the future); merged 600 hours, 600 changed.",
                      r.stdout)
        self.assertEqual(self.db_observed(), 600 * 3600)

    def test_future_event_activitywatch(self):
        env = self.env
        self.start()
        now = int(time.time())
        first = now - now % 3600 - 10 * 3600
        events = [{"timestamp": iso(first + 3600 * i), "duration": 3600.0, "data": {"status": "not-afk"}}
                  for i in range(3)]
        events.append({"timestamp": iso(now + 86400), "duration": 60.0, "data": {"status": "afk"}})
        path = os.path.join(env.dir, "aw.json")
        with open(path, "w") as f:
            json.dump(events, f)
        r = env.cli("import", "--strict", path, check=False)
        self.assertEqual(r.returncode, 1, r)
        self.assertIn(f"{path}: event 4: ends in the future", r.stderr)
        self.assertIn("nothing was imported (--strict)", r.stderr)
        r = env.cli("import", path)
        self.assertIn("Read 4 rows (1 rejected, 1 of them ending in the future); merged 3 hours", r.stdout)
        self.assertEqual(self.db_observed(), 3 * 3600)

    def test_daemon_clock_behind_strict_imports_nothing(self):
        """kizukid's own check, when its clock disagrees with the CLI's: with
        --strict no batch is stored, and the error names the hour."""
        env = self.env
        if not os.path.exists(FAKETIME_LIB):
            self.skipTest("libfaketime is not installed")
        # A sanitizer build must be told that libfaketime comes before its runtime.
        asan = ":".join(filter(None, (os.environ.get("ASAN_OPTIONS"), "verify_asan_link_order=0")))
        self.start(env=env.environ(LD_PRELOAD=FAKETIME_LIB, FAKETIME="-2d", FAKETIME_DONT_FAKE_MONOTONIC="1",
                                   ASAN_OPTIONS=asan))
        now = int(time.time())
        first = now - now % 3600 - 601 * 3600
        path = write_csv(os.path.join(env.dir, "clock.csv"), self.hour_rows(first, 600))
        r = env.cli("import", "--strict", path, check=False)
        self.assertEqual(r.returncode, 1, r)
        self.assertRegex(r.stderr, r"kizukid refused the batch: its hour \d+, starting \d{4}-\d\d-\d\dT\d\d:00:00"
                                   r"\+00:00, is in the future by kizukid's clock")
        self.assertIn("nothing was imported (--strict)", r.stderr)
        self.assertNotIn("were merged before that", r.stderr)
        self.assertEqual(self.db_observed(), 0)

    def test_one_instant_counted_once(self):
        """One UTC day written as Z, +01:00 and +05:30, imported one after the
        other (in two orders): stored once, 24 h, under the first label."""
        env = self.env
        self.start()
        today = int(time.time()) // 86400 * 86400
        day_a, day_b = today - 10 * 86400, today - 5 * 86400

        def day_file(name, day, offset_s):
            return write_csv(os.path.join(env.dir, name), [(iso(day, offset_s), iso(day + 86400, offset_s), "active")])

        outs = []
        for name, day, off in (("a-z", day_a, 0), ("a-1", day_a, 3600), ("a-530", day_a, 19800),
                               ("b-530", day_b, 19800), ("b-z", day_b, 0), ("b-1", day_b, 3600)):
            outs.append(env.cli("import", day_file(name + ".csv", day, off)).stdout)
        k.log("\n".join(outs))
        self.assertIn("merged 24 hours, 24 changed.", outs[0])
        self.assertIn("merged 24 hours, 0 changed.", outs[1])
        self.assertIn("Not stored: 25 hours overlapping hours stored with another UTC offset", outs[2])
        self.assertIn("merged 25 hours, 25 changed.", outs[3])
        self.assertIn("Not stored: 24 hours overlapping hours stored with another UTC offset", outs[4])
        self.assertIn("Not stored: 24 hours overlapping hours stored with another UTC offset", outs[5])
        # --strict refuses what would be left out, before writing anything.
        r = env.cli("import", "--strict", os.path.join(env.dir, "a-530.csv"), check=False)
        self.assertEqual(r.returncode, 1, r)
        self.assertIn("25 hours overlap hours stored with another UTC offset; nothing was imported (--strict)",
                      r.stderr)

        days = env.cli_json("days", "--from", iso(day_a)[:10], "--to", iso(day_a)[:10], "--json")["days"]
        self.assertEqual(days[0]["coverage_h"], 24)
        self.assertEqual(days[0]["screen_h"], 24)
        self.assertEqual(env.stop_daemon(), 0)
        rows = env.db_rows()
        a = [r for r in rows if day_a - 3600 <= r[0] < day_a + 86400 + 3600]
        b = [r for r in rows if day_b - 3600 <= r[0] < day_b + 86400 + 3600]
        self.assertEqual(sum(r[3] for r in a), 86400)
        self.assertEqual({r[1] for r in a}, {0})
        self.assertEqual(sum(r[3] for r in b), 86400)
        self.assertEqual({r[1] for r in b}, {19800})

    def test_live_hours_meet_imports(self):
        """Live hours recorded in +05:30 (TZ=Asia/Kolkata) and a CSV of the last
        hours written in Z: an imported Z hour overlapping part of a live hour is
        left out and counted, the others are stored, and no two stored hours
        cover the same instant. The live seconds are never touched."""
        env = self.env
        self.start(env=env.environ(TZ="Asia/Kolkata"))
        env.cli("hint", "active")
        time.sleep(3)
        now = int(time.time())
        first = now - now % 3600 - 3 * 3600
        rows = self.hour_rows(first, 3) + [(iso(first + 3 * 3600), iso(now - 1), "inactive")]
        path = write_csv(os.path.join(env.dir, "z.csv"), rows)
        out = env.cli("import", path).stdout
        k.log(out.strip())
        conflicts = int(re.search(r"Not stored: (\d+) hours? overlapping", out).group(1))
        r = env.cli("import", "--strict", path, check=False)
        self.assertEqual(r.returncode, 1, r)
        self.assertIn("overlap hours stored with another UTC offset; nothing was imported (--strict)", r.stderr)
        self.assertEqual(env.stop_daemon(), 0)

        rows = env.db_rows()
        live = [r for r in rows if r[1] == 19800]
        imported = [r for r in rows if r[1] == 0]
        self.assertTrue(live, rows)
        self.assertEqual(len(live) + len(imported), len(rows), rows)
        self.assertTrue(all(0 < r[3] < 600 for r in live), live)  # seconds of this run only
        # Exactly the Z hours that would overlap a live hour are missing.
        z_starts = [first + 3600 * i for i in range(4)]
        overlapping = [z for z in z_starts if any(abs(z - r[0]) < 3600 for r in live)]
        self.assertEqual(conflicts, len(overlapping), (rows, out))
        self.assertEqual(sorted(r[0] for r in imported), [z for z in z_starts if z not in overlapping])
        # No instant in two buckets: stored hours never overlap.
        starts = sorted(r[0] for r in rows)
        self.assertTrue(all(b - a >= 3600 for a, b in zip(starts, starts[1:])), rows)

    def test_restore_adds_one_hour_under_two_offsets(self):
        """An export that holds one UTC hour under Z and +01:00 (each with its
        own seconds, as a time zone change within the hour leaves them) is
        restored as one hour with both, not the larger of the two; restoring
        again changes nothing."""
        env = self.env
        self.start()
        now = int(time.time())
        h = now - now % 3600 - 48 * 3600
        rows = [{"start": h, "utc_offset": 0, "active_s": 600, "observed_s": 900},
                {"start": h, "utc_offset": 3600, "active_s": 300, "observed_s": 1200},
                {"start": h + 3600, "utc_offset": 3600, "active_s": 0, "observed_s": 60}]
        export = {"format": "kizuki-export", "version": 1, "schema_version": 4,
                  "tables": {"bucket": {"columns": ["start", "utc_offset", "active_s", "observed_s"],
                                        "rows": rows}}}
        path = os.path.join(env.dir, "export.json")
        with open(path, "w") as f:
            json.dump(export, f)
        out = env.cli("import", "--format", "kizuki", "--strict", path).stdout
        self.assertIn("Merged 2 hours (2 changed)", out)
        out = env.cli("import", "--format", "kizuki", path).stdout
        self.assertIn("Merged 2 hours (0 changed)", out)
        self.assertEqual(env.stop_daemon(), 0)
        self.assertEqual(env.db_rows(), [(h, 0, 900, 2100), (h + 3600, 3600, 0, 60)])

    def test_dst_row_split(self):
        """A row across the spring change in Europe/Berlin is split where the
        zone changes and each part keeps its own offset."""
        env = self.env
        self.start()
        tz = ZoneInfo("Europe/Berlin")
        year = dt.date.today().year
        # The last Sunday of March of a year within the retention.
        spring = None
        for y in (year, year - 1):
            d = dt.date(y, 3, 31)
            d -= dt.timedelta(days=(d.weekday() + 1) % 7)
            if d < dt.date.today():
                spring = d
                break
        start = dt.datetime.combine(spring, dt.time(1, 30), tz)   # 01:30 CET
        end = dt.datetime.combine(spring, dt.time(3, 30), tz)     # 03:30 CEST
        self.assertEqual((start.utcoffset().seconds, end.utcoffset().seconds), (3600, 7200))
        good = write_csv(os.path.join(env.dir, "dst.csv"), [(start.isoformat(), end.isoformat(), "active")])
        wrong = write_csv(os.path.join(env.dir, "travel.csv"),
                          [(start.isoformat(), end.astimezone(dt.timezone(dt.timedelta(hours=5, minutes=30))).isoformat(),
                            "active")])

        r = env.cli("import", "--strict", wrong, check=False, env=env.environ(TZ="Europe/Berlin"))
        self.assertEqual(r.returncode, 1, r)
        self.assertIn(f"{wrong}:2: start and end have different UTC offsets, and the time zone (TZ) has no such "
                      "change between them", r.stderr)
        # The same row where the zone has no such change (no DST in Kolkata).
        # (Every row rejected: exit status 1, nothing sent.)
        r = env.cli("import", good, check=False, env=env.environ(TZ="Asia/Kolkata"))
        self.assertEqual(r.returncode, 1, r)
        self.assertIn("all 1 row of", r.stderr)
        r = env.cli("import", good, env=env.environ(TZ="Europe/Berlin"))
        self.assertIn("Read 1 row (0 rejected); merged 2 hours, 2 changed.", r.stdout)
        self.assertEqual(env.stop_daemon(), 0)
        t0 = int(start.timestamp())  # 00:30Z
        self.assertEqual(env.db_rows(), [(t0 - 1800, 3600, 1800, 1800), (t0 + 1800, 7200, 1800, 1800)])


FAKETIME_LIB = "/usr/lib/x86_64-linux-gnu/faketime/libfaketime.so.1"


if __name__ == "__main__":
    k.main()
