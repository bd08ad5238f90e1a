#!/usr/bin/python3
"""History end to end with the real daemon and CLI: importing the bundled sample
(idempotent, needs consent), the daily signals it yields compared with figures
computed here independently from the CSV, the weekly model, and check-ins."""

import csv
import datetime as dt
import os
import subprocess
import sys
from collections import defaultdict

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
            {"hours": [{"start": 4102444800, "utc_offset": 0, "active_s": 0, "observed_s": 5}]},
            {"hours": [{"start": 1767571200, "utc_offset": 0, "active_s": 0, "observed_s": 3601}]},
            {"hours": [1, 2]},
            {"hours": [], "dry_run": "yes"},
        ]
        for params in cases:
            r = env.call_raw(k.IFACE + ".Import", params)
            self.assertEqual(r.get("error"), "org.varlink.service.InvalidParameter", (params, r))
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


if __name__ == "__main__":
    k.main()
