#!/usr/bin/python3
"""Golden-output and request tests of the kizuki CLI against a fake kizukid.

Each test starts tests/integration/fakedaemon.py on a socket in its own temp
dir with canned replies (tests/golden/*.json), runs the real kizuki binary
with KIZUKI_SOCKET pointing at it, COLUMNS=100, TZ=UTC and LC_ALL=C.UTF-8,
compares stdout with tests/golden/*.txt|json and checks the requests the fake
received (its log).

Environment:
  KIZUKI                  the kizuki binary (default: $KIZUKI_BUILD_DIR/kizuki)
  KIZUKI_BUILD_DIR        the build tree
  KIZUKI_SOURCE_DIR       the source tree (default: derived from this file)
  KIZUKI_UPDATE_GOLDEN=1  rewrite the golden files from the current output
                          instead of comparing (then review the diff)

Only the standard library; run with /usr/bin/python3.
"""

import datetime
import difflib
import json
import os
import pty
import re
import select
import shutil
import signal
import subprocess
import sys
import tempfile
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
SOURCE_DIR = os.environ.get("KIZUKI_SOURCE_DIR") or os.path.dirname(os.path.dirname(HERE))
BUILD_DIR = os.environ.get("KIZUKI_BUILD_DIR") or os.path.join(SOURCE_DIR, "build")
KIZUKI = os.environ.get("KIZUKI") or os.path.join(BUILD_DIR, "kizuki")
GOLDEN = os.path.join(SOURCE_DIR, "tests", "golden")
FIXTURES_IMPORT = os.path.join(SOURCE_DIR, "tests", "fixtures", "import")
FAKE = os.path.join(HERE, "fakedaemon.py")
PYTHON = "/usr/bin/python3"
UPDATE = os.environ.get("KIZUKI_UPDATE_GOLDEN") == "1"
IFACE = "io.kizuki.Daemon"

# The keys of a day in "kizuki days --json", in the order of the contract.
DAY_KEYS = ["date", "screen_h", "night_ratio", "first_active", "last_active", "sleep_onset", "sleep_offset",
            "sleep_mid", "sleep_h", "up", "down", "coverage_h", "low_coverage", "is", "iv", "ra", "l5", "l5_onset", "m10",
            "m10_onset", "sri", "social_jet_lag_h", "went_out", "met_someone", "mood"]

STANDARD = {
    "GetWeek": {"file": "getweek.json"},
    "GetDays": {"file": "getdays.json"},
    "GetRange": {"file": "getrange.json"},
    "Import": {"merge": True},
    "Checkin": {"parameters": {}},
}


def visible(text):
    """Text without ANSI escapes."""
    return re.sub(r"\033\[[0-9;]*m", "", text)


def iso_week(d):
    y, w, _ = d.isocalendar()
    return f"{y}-W{w:02d}"


def today_utc():
    return datetime.datetime.now(datetime.timezone.utc).date()


class Fake:
    """The fake daemon in its own process group, with its request log."""

    def __init__(self, tmp, replies):
        self.socket = os.path.join(tmp, "io.kizuki.Daemon")
        self.log = os.path.join(tmp, "requests.jsonl")
        path = os.path.join(tmp, "replies.json")
        # Files are named relative to the golden directory.
        def absolute(s):
            if "cases" in s:
                return dict(s, cases=[absolute(c) for c in s["cases"]])
            return dict(s, file=os.path.join(GOLDEN, s["file"])) if "file" in s else s
        replies = {m: absolute(s) for m, s in replies.items()}
        with open(path, "w", encoding="utf-8") as f:
            json.dump(replies, f)
        with open(os.path.join(tmp, "fake.err"), "a") as err:
            self.proc = subprocess.Popen([PYTHON, FAKE, "--socket", self.socket, "--replies", path, "--log", self.log],
                                         stdout=subprocess.PIPE, stderr=err, start_new_session=True)
        ready, _, _ = select.select([self.proc.stdout], [], [], 10)
        if not ready or self.proc.stdout.readline().strip() != b"ready":
            self.stop()
            raise AssertionError("the fake daemon did not start")

    def requests(self):
        if not os.path.exists(self.log):
            return []
        with open(self.log, encoding="utf-8") as f:
            return [json.loads(line) for line in f if line.strip()]

    def clear(self):
        if os.path.exists(self.log):
            os.unlink(self.log)

    def stop(self):
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(5)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait(5)
        self.proc.stdout.close()


class CliTest(unittest.TestCase):
    replies = STANDARD

    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix="kizuki-cli-")
        self.fake = Fake(self.tmp, self.replies)

    def tearDown(self):
        self.fake.stop()
        shutil.rmtree(self.tmp, ignore_errors=True)

    def env(self, **extra):
        env = {k: v for k, v in os.environ.items() if k not in ("NO_COLOR", "COLUMNS", "KIZUKI_SOCKET")}
        env.update(KIZUKI_SOCKET=self.fake.socket, COLUMNS="100", TZ="UTC", LC_ALL="C.UTF-8", TERM="xterm")
        env.update(extra)
        return env

    def kizuki(self, *args, input=None, stdin=None, env=None, expect=0):
        r = subprocess.run([KIZUKI, *args], input=input, stdin=stdin, capture_output=True, timeout=60,
                           env=env or self.env())
        if expect is not None:
            self.assertEqual(r.returncode, expect,
                             f"kizuki {' '.join(args)}: exit {r.returncode}\nstdout:\n{r.stdout.decode()}"
                             f"\nstderr:\n{r.stderr.decode()}")
        return r

    def golden(self, name, data):
        path = os.path.join(GOLDEN, name)
        if UPDATE:
            with open(path, "wb") as f:
                f.write(data)
            return
        with open(path, "rb") as f:
            want = f.read()
        if data != want:
            diff = difflib.unified_diff(want.decode(errors="replace").splitlines(True),
                                        data.decode(errors="replace").splitlines(True),
                                        f"golden/{name}", "kizuki output")
            self.fail(f"output differs from golden/{name} (KIZUKI_UPDATE_GOLDEN=1 rewrites it):\n" + "".join(diff))

    def only_request(self, method):
        reqs = self.fake.requests()
        self.assertEqual([r["method"] for r in reqs], [f"{IFACE}.{method}"])
        return reqs[0]["parameters"]

    def assert_no_requests(self):
        self.assertEqual(self.fake.requests(), [])


class TestWeek(CliTest):
    def test_golden_never(self):
        r = self.kizuki("--color=never", "week", "2026-W09")
        self.assertNotIn(b"\033", r.stdout)
        self.golden("week-never.txt", r.stdout)
        self.assertEqual(self.only_request("GetWeek"), {"week": "2026-W09"})

    def test_golden_always(self):
        # "always" wins over NO_COLOR and a pipe.
        r = self.kizuki("--color=always", "week", "2026-W09", env=self.env(NO_COLOR="1"))
        self.assertIn(b"\033[", r.stdout)
        self.golden("week-always.txt", r.stdout)

    def test_auto_is_plain_on_a_pipe(self):
        r = self.kizuki("week", "2026-W09")
        self.assertNotIn(b"\033", r.stdout)
        self.assertEqual(r.stdout, self.kizuki("--color=never", "week", "2026-W09").stdout)

    def test_fits_the_terminal(self):
        for columns in (100, 80):
            r = self.kizuki("--color=always", "week", "2026-W09", env=self.env(COLUMNS=str(columns)))
            for line in visible(r.stdout.decode()).splitlines():
                self.assertLessEqual(len(line), columns, line)
        # At 80 columns the sleep window and the sparklines give way; check-ins stay.
        r = self.kizuki("--color=never", "week", "2026-W09", env=self.env(COLUMNS="80"))
        self.assertNotIn("02:00-10:00", r.stdout.decode())
        self.assertIn("Mood", r.stdout.decode().splitlines()[2])

    def test_json_is_the_reply(self):
        r = self.kizuki("week", "2026-W09", "--json")
        with open(os.path.join(GOLDEN, "getweek.json"), encoding="utf-8") as f:
            self.assertEqual(json.loads(r.stdout), json.load(f))
        self.assertIn(b"\n  ", r.stdout)  # pretty

    def test_default_and_this_week(self):
        self.kizuki("week")
        self.assertEqual(self.only_request("GetWeek"), {"week": iso_week(today_utc() - datetime.timedelta(days=7))})
        self.fake.clear()
        self.kizuki("week", "--this")
        self.assertEqual(self.only_request("GetWeek"), {"week": iso_week(today_utc())})

    def test_week_argument(self):
        for arg, week in [("2026-w02", "2026-W02"), ("2026-W53", "2026-W53"), ("2020-W53", "2020-W53"),
                          ("2015-W53", "2015-W53"), ("2027-W01", "2027-W01")]:
            self.fake.clear()
            self.kizuki("week", arg, "--json")
            self.assertEqual(self.only_request("GetWeek"), {"week": week}, arg)

    def test_invalid_weeks_are_usage_errors(self):
        for arg in ["2026-W00", "2026-W54", "2025-W53", "2021-W53", "2027-W53", "2026-02", "2026W02", "26-W02",
                    "2026-W2", "1969-W01", "2026-01-05"]:
            r = self.kizuki("week", arg, expect=2)
            self.assertIn(b"invalid week", r.stderr, arg)
        r = self.kizuki("week", "2026-W09", "--this", expect=2)
        self.assert_no_requests()


class TestIsoWeeks(CliTest):
    """The CLI checks that a reply's week starts on the week's Monday: replies
    for weeks around new year test its ISO 8601 arithmetic."""

    replies = {"GetWeek": {"parameters": {}}}

    def test_mondays(self):
        empty = {"days": 0, "went_out_days": 0, "met_someone_days": 0, "checkin_days": 0}
        cases = [("2020-W53", "2020-12-28", "2021-01-03"), ("2021-W01", "2021-01-04", "2021-01-10"),
                 ("2026-W01", "2025-12-29", "2026-01-04"), ("2026-W53", "2026-12-28", "2027-01-03"),
                 ("2027-W01", "2027-01-04", "2027-01-10"), ("2015-W53", "2015-12-28", "2016-01-03"),
                 ("2010-W01", "2010-01-04", "2010-01-10"), ("2009-W53", "2009-12-28", "2010-01-03"),
                 ("2024-W01", "2024-01-01", "2024-01-07")]
        for week, first, last in cases:
            reply = {"week": week, "from": first, "to": last, "days": [], "mean": empty, "previous": empty,
                     "baseline": empty, "hours": []}
            with open(os.path.join(self.tmp, "week.json"), "w") as f:
                json.dump(reply, f)
            self.fake.stop()
            self.fake = Fake(self.tmp, {"GetWeek": {"file": os.path.join(self.tmp, "week.json")}})
            r = self.kizuki("--color=never", "week", week)
            self.assertTrue(r.stdout.decode().startswith(f"Week {week}: "), r.stdout)
            self.assertIn(first, r.stdout.decode().splitlines()[0])
        # A reply whose dates do not match its week is refused.
        reply.update({"week": "2026-W02", "from": "2026-01-04", "to": "2026-01-10"})
        with open(os.path.join(self.tmp, "week.json"), "w") as f:
            json.dump(reply, f)
        r = self.kizuki("week", "2026-W02", expect=1)
        self.assertIn(b"malformed week", r.stderr)


class TestActogram(CliTest):
    def test_golden(self):
        for name, args in [("actogram-never.txt", ["--color=never", "actogram", "--to", "2026-03-01"]),
                           ("actogram-always.txt", ["--color=always", "actogram", "--to", "2026-03-01"]),
                           ("actogram-double-never.txt", ["--color=never", "actogram", "--to", "2026-03-01",
                                                          "--double"]),
                           ("actogram-double-always.txt", ["--color=always", "actogram", "--to", "2026-03-01",
                                                           "--double"])]:
            with self.subTest(name):
                self.fake.clear()
                r = self.kizuki(*args)
                self.golden(name, r.stdout)
                self.assertEqual(self.only_request("GetRange"), {"from": "2026-02-02", "to": "2026-03-01"})
                for line in visible(r.stdout.decode()).splitlines():
                    self.assertLessEqual(len(line), 100)

    def test_range(self):
        self.kizuki("actogram", "--weeks", "2", "--to", "2026-03-01")
        self.assertEqual(self.only_request("GetRange"), {"from": "2026-02-16", "to": "2026-03-01"})
        self.fake.clear()
        self.kizuki("actogram", "--weeks", "1", "--to", "2026-01-01")
        self.assertEqual(self.only_request("GetRange"), {"from": "2025-12-26", "to": "2026-01-01"})
        self.fake.clear()
        self.kizuki("actogram")
        today = today_utc()
        self.assertEqual(self.only_request("GetRange"),
                         {"from": (today - datetime.timedelta(days=27)).isoformat(), "to": today.isoformat()})

    def test_rows_and_cells(self):
        r = self.kizuki("--color=never", "actogram", "--weeks", "4", "--to", "2026-03-01")
        lines = r.stdout.decode().splitlines()
        rows = [l for l in lines if l[:3] in ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")]
        self.assertEqual(len(rows), 28)
        self.assertTrue(rows[0].startswith("Mon 2026-02-02"))
        self.assertTrue(rows[-1].startswith("Sun 2026-03-01"))
        # 2026-02-25, 12:00 to 20:00 was not observed: 8 hours of 3 cells each.
        wed = [l for l in rows if l.startswith("Wed 2026-02-25")][0]
        self.assertEqual(wed[16 + 12 * 3:16 + 20 * 3], "·" * 24)
        # Narrow terminals get one character per hour.
        r = self.kizuki("--color=never", "actogram", "--to", "2026-03-01", env=self.env(COLUMNS="60"))
        rows = [l for l in r.stdout.decode().splitlines() if l.startswith("Wed 2026-02-25")]
        self.assertEqual(rows[0][16 + 12:16 + 20], "·" * 8)

    def test_json(self):
        r = self.kizuki("actogram", "--to", "2026-03-01", "--json")
        hours = json.loads(r.stdout)["hours"]
        with open(os.path.join(GOLDEN, "getrange.json")) as f:
            self.assertEqual(len(hours), len(json.load(f)["hours"]))
        self.assertEqual(hours[0]["start"], "2026-02-02T00:00:00+00:00")

    def test_usage_errors(self):
        for args in (["--weeks", "0"], ["--weeks", "105"], ["--weeks", "x"], ["--to", "2026-02-30"],
                     ["--to", "tomorrow"], ["extra"]):
            self.kizuki("actogram", *args, expect=2)
        self.assert_no_requests()


class TestActogramDst(CliTest):
    replies = {"GetRange": {"file": "getrange-dst-spring.json"}}

    def test_spring_and_fall(self):
        # Europe/Berlin data; the CLI runs in UTC: placement uses each hour's own offset.
        r = self.kizuki("--color=never", "actogram", "--weeks", "1", "--to", "2026-03-29")
        self.golden("actogram-dst-spring.txt", r.stdout)
        sun = [l for l in r.stdout.decode().splitlines() if l.startswith("Sun 2026-03-29")][0]
        # 01:00 (10 min) ░, 02:00 does not exist: blank, 03:00 (20 min) ▒.
        self.assertEqual(sun[16 + 3:16 + 12], "░░░   ▒▒▒")

        self.fake.stop()
        self.fake = Fake(self.tmp, {"GetRange": {"file": "getrange-dst-fall.json"}})
        r = self.kizuki("--color=never", "actogram", "--weeks", "1", "--to", "2026-10-25")
        self.golden("actogram-dst-fall.txt", r.stdout)
        sun = [l for l in r.stdout.decode().splitlines() if l.startswith("Sun 2026-10-25")][0]
        # 02:00 twice, 5 and 33 active minutes: the larger shows (▓).
        self.assertEqual(sun[16:16 + 12].rstrip(), "      ▓▓▓")


class TestDays(CliTest):
    def test_golden_human(self):
        r = self.kizuki("--color=never", "days", "--from", "2026-02-16", "--to", "2026-03-01")
        self.golden("days.txt", r.stdout)
        self.assertEqual(self.only_request("GetDays"), {"from": "2026-02-16", "to": "2026-03-01"})
        self.assertIn("16h*", r.stdout.decode())
        r = self.kizuki("--color=never", "days", "--from", "2026-02-16", "--to", "2026-03-01",
                        env=self.env(COLUMNS="120"))
        self.golden("days-wide.txt", r.stdout)
        r = self.kizuki("--color=always", "days", "--from", "2026-02-16", "--to", "2026-03-01")
        self.golden("days-always.txt", r.stdout)

    def test_golden_json(self):
        r = self.kizuki("days", "--from", "2026-02-16", "--to", "2026-03-01", "--json")
        self.golden("days.json", r.stdout)
        days = json.loads(r.stdout, object_pairs_hook=lambda pairs: pairs)
        with open(os.path.join(GOLDEN, "getdays.json")) as f:
            want = json.load(f)["days"]
        got = [dict(d) for d in dict(days)["days"]]
        for d, pairs in zip(got, dict(days)["days"]):
            self.assertEqual([k for k, _ in pairs], DAY_KEYS)
        # Unrounded: every figure reads back as exactly the daemon's.
        self.assertEqual(got, want)
        # Integral figures keep their ".0", as in the contract.
        self.assertIn(b'"coverage_h":24.0', r.stdout)
        self.assertIn(b'"sleep_h":9.0', r.stdout)

    def test_json_contract_example(self):
        example = {"date": "2026-01-05", "screen_h": 5.25, "night_ratio": 0.12, "first_active": "08:00",
                   "last_active": "23:00", "sleep_onset": "00:00", "sleep_offset": "07:00", "sleep_mid": "03:30",
                   "sleep_h": 7.0, "up": 480.0, "down": 1380.0, "coverage_h": 24.0, "low_coverage": False,
                   "is": 0.71, "iv": 0.62, "ra": 0.88, "l5": 1.2, "l5_onset": "01:00", "m10": 38.5,
                   "m10_onset": "09:00", "sri": 82.6, "social_jet_lag_h": 1.25, "went_out": None,
                   "met_someone": None, "mood": None}
        # The daemon may send the keys in any order and integral floats as integers.
        sent = dict(reversed(list(example.items())), sleep_h=7, coverage_h=24)
        with open(os.path.join(self.tmp, "days.json"), "w") as f:
            json.dump({"days": [sent]}, f)
        self.fake.stop()
        self.fake = Fake(self.tmp, {"GetDays": {"file": os.path.join(self.tmp, "days.json")}})
        r = self.kizuki("days", "--json")
        compact = json.dumps({"days": [example]}, separators=(",", ":"))
        self.assertEqual(json.dumps(json.loads(r.stdout), separators=(",", ":")), compact)
        text = b"".join(r.stdout.split())
        self.assertEqual(text.decode(), compact.replace(" ", ""))

    def test_ranges(self):
        today = today_utc()
        self.kizuki("days")
        self.assertEqual(self.only_request("GetDays"),
                         {"from": (today - datetime.timedelta(days=13)).isoformat(), "to": today.isoformat()})
        self.fake.clear()
        self.kizuki("days", "--to", "2026-03-01")
        self.assertEqual(self.only_request("GetDays"), {"from": "2026-02-16", "to": "2026-03-01"})
        self.fake.clear()
        self.kizuki("days", "--from", "yesterday")
        self.assertEqual(self.only_request("GetDays"),
                         {"from": (today - datetime.timedelta(days=1)).isoformat(), "to": today.isoformat()})
        self.fake.clear()
        for args in (["--from", "2026-03-02", "--to", "2026-03-01"], ["--from", "2026-13-01"],
                     ["--from", "2000-01-01", "--to", "2026-01-01"], ["x"]):
            self.kizuki("days", *args, expect=2)
        self.assert_no_requests()

    def test_malformed_reply(self):
        with open(os.path.join(self.tmp, "bad.json"), "w") as f:
            json.dump({"days": [{"date": "2026-01-05", "screen_h": "5", "coverage_h": 1, "low_coverage": True}]}, f)
        self.fake.stop()
        self.fake = Fake(self.tmp, {"GetDays": {"file": os.path.join(self.tmp, "bad.json")}})
        r = self.kizuki("days", expect=1)
        self.assertIn(b"malformed list of days", r.stderr)


class TestImport(CliTest):
    CSV = os.path.join(GOLDEN, "import.csv")

    def imports(self):
        return [r["parameters"] for r in self.fake.requests() if r["method"] == f"{IFACE}.Import"]

    def check_batches(self):
        reqs = [r for r in self.fake.requests() if r["method"] == f"{IFACE}.Import"]
        for r in reqs:
            self.assertLessEqual(len(r["parameters"]["hours"]), 500)
            self.assertLess(r["size"], 65536)
        return [r["parameters"] for r in reqs]

    def test_csv(self):
        r = self.kizuki("import", self.CSV)
        self.assertEqual(r.stdout, b"Read 7 rows (2 rejected); merged 5 hours, 5 changed.\n")
        self.assertEqual(r.stderr.decode().splitlines(),
                         [f"{self.CSV}:6: end is not after start", f"{self.CSV}:7: unknown state 'asleep'"])
        batches = self.check_batches()
        self.assertEqual(len(batches), 1)
        hours = batches[0]["hours"]
        self.assertFalse(batches[0]["dry_run"])
        self.assertEqual(hours, [
            {"start": 1767596400, "utc_offset": 3600, "active_s": 2700, "observed_s": 3600},  # 08:00+01:00
            {"start": 1767600000, "utc_offset": 3600, "active_s": 600, "observed_s": 3600},   # overlap: active wins
            {"start": 1767603600, "utc_offset": 3600, "active_s": 2700, "observed_s": 3600},
            {"start": 1767654000, "utc_offset": 0, "active_s": 1800, "observed_s": 1800},     # 23:30Z..00:30Z
            {"start": 1767657600, "utc_offset": 0, "active_s": 1800, "observed_s": 1800}])

        # Again: nothing changes. A dry run writes nothing.
        r = self.kizuki("import", self.CSV)
        self.assertEqual(r.stdout, b"Read 7 rows (2 rejected); merged 5 hours, 0 changed.\n")
        self.fake.clear()
        with open(self.CSV, "rb") as f:
            r = self.kizuki("import", "--dry-run", "-", input=f.read())
        self.assertEqual(r.stdout, b"Read 7 rows (2 rejected); would merge 5 hours, 0 would change.\n")
        self.assertTrue(r.stderr.startswith(b"stdin:6: "))
        self.assertTrue(all(b["dry_run"] for b in self.check_batches()))

    def test_strict(self):
        r = self.kizuki("import", "--strict", self.CSV, expect=1)
        self.assertEqual(r.stdout, b"")
        self.assertIn(f"{self.CSV}:6: end is not after start".encode(), r.stderr)
        self.assertNotIn(b":7:", r.stderr)
        self.assert_no_requests()
        # A clean file imports with --strict.
        good = os.path.join(self.tmp, "good.csv")
        with open(good, "w") as f:
            f.write("start,end,state\r\n2026-01-05T08:00:00Z,2026-01-05T09:00:00Z,active\r\n")
        r = self.kizuki("import", "--strict", good)
        self.assertEqual(r.stdout, b"Read 1 row (0 rejected); merged 1 hour, 1 changed.\n")

    def test_batches(self):
        # 1200 hours: batches of 500, 500 and 200.
        path = os.path.join(self.tmp, "big.csv")
        start = datetime.datetime(2025, 6, 1, tzinfo=datetime.timezone.utc)
        with open(path, "w") as f:
            f.write("start,end,state\n")
            for i in range(1200):
                a = start + datetime.timedelta(hours=i)
                b = a + datetime.timedelta(minutes=40)
                f.write(f"{a:%Y-%m-%dT%H:%M:%S}+02:00,{b:%Y-%m-%dT%H:%M:%S}+02:00,"
                        f"{'active' if i % 3 else 'inactive'}\n")
        r = self.kizuki("import", path)
        self.assertEqual(r.stdout, b"Read 1200 rows (0 rejected); merged 1200 hours, 1200 changed.\n")
        batches = self.check_batches()
        self.assertEqual([len(b["hours"]) for b in batches], [500, 500, 200])
        hours = [h for b in batches for h in b["hours"]]
        self.assertEqual(sum(h["observed_s"] for h in hours), 1200 * 2400)
        self.assertEqual(sum(h["active_s"] for h in hours), 800 * 2400)
        self.assertEqual({h["utc_offset"] for h in hours}, {7200})
        self.assertEqual(len({h["start"] for h in hours}), 1200)

    @staticmethod
    def reference_buckets(path):
        """Hours of a CSV file with one UTC offset, computed independently: per
        local hour, the union of all rows (observed) and of the active rows."""
        rows = []
        with open(path, encoding="utf-8-sig") as f:
            next(f)
            for line in f:
                a, b, state = line.strip().split(",")
                ta, tb = datetime.datetime.fromisoformat(a), datetime.datetime.fromisoformat(b)
                rows.append((int(ta.timestamp()), int(tb.timestamp()), state == "active",
                             int(ta.utcoffset().total_seconds())))
        offsets = {r[3] for r in rows}
        assert len(offsets) == 1
        off = offsets.pop()

        def union_in(lo, hi, pick):
            spans = sorted((max(a, lo), min(b, hi)) for a, b, act, _ in rows if pick(act) and a < hi and b > lo)
            total, end = 0, lo
            for a, b in spans:
                a = max(a, end)
                if b > a:
                    total += b - a
                    end = b
            return total

        first = min(r[0] for r in rows) // 3600 * 3600
        last = max(r[1] for r in rows)
        hours = []
        for start in range(first, last, 3600):
            observed = union_in(start, start + 3600, lambda act: True)
            if observed:
                hours.append({"start": start, "utc_offset": off, "active_s": union_in(start, start + 3600, bool),
                              "observed_s": observed})
        return hours

    def test_fixture_valid_csv(self):
        path = os.path.join(FIXTURES_IMPORT, "valid.csv")
        if not os.path.exists(path):
            self.skipTest("no tests/fixtures/import/valid.csv")
        want = self.reference_buckets(path)
        r = self.kizuki("import", path)
        self.assertEqual(r.stdout, f"Read 14 rows (0 rejected); merged {len(want)} hours, {len(want)} changed.\n"
                         .encode())
        self.assertEqual(r.stderr, b"")
        hours = [h for b in self.check_batches() for h in b["hours"]]
        self.assertEqual(hours, want)
        self.assertEqual(sum(h["active_s"] for h in hours), sum(h["active_s"] for h in want))

    def test_fixture_bad_rows(self):
        path = os.path.join(FIXTURES_IMPORT, "bad-rows.csv")
        if not os.path.exists(path):
            self.skipTest("no tests/fixtures/import/bad-rows.csv")
        r = self.kizuki("import", path)
        self.assertEqual(r.stdout, b"Read 11 rows (8 rejected); merged 3 hours, 3 changed.\n")
        lines = r.stderr.decode().splitlines()
        self.assertEqual([int(l[len(path) + 1:].split(":")[0]) for l in lines], [3, 5, 6, 7, 8, 9, 11, 12])
        self.check_batches()
        self.fake.clear()
        r = self.kizuki("import", "--strict", path, expect=1)
        self.assertTrue(r.stderr.decode().startswith(f"{path}:3: "))
        self.assert_no_requests()

    def test_fixture_activitywatch(self):
        path = os.path.join(FIXTURES_IMPORT, "aw-afk-export.json")
        if not os.path.exists(path):
            self.skipTest("no tests/fixtures/import/aw-afk-export.json")
        # Only the AFK bucket counts; the hours take the offset of TZ at each event.
        # Local hours of +05:30 start at half past a UTC hour.
        for tz, off, first, observed in (("UTC", 0, 0, 3600), ("Asia/Kolkata", 19800, -1800, 1800)):
            self.fake.clear()
            r = self.kizuki("import", "--dry-run", path, env=self.env(TZ=tz))
            self.assertEqual(r.stdout, b"Read 6 rows (0 rejected); would merge 5 hours, 5 would change.\n")
            hours = [h for b in self.check_batches() for h in b["hours"]]
            # 08:00Z (1767600000) to 12:10Z.
            self.assertEqual([h["start"] - 1767600000 for h in hours], [first + 3600 * i for i in range(5)])
            self.assertEqual({h["utc_offset"] for h in hours}, {off})
            self.assertEqual(hours[0]["active_s"], 1800)  # 08:00-08:30 not-afk, then afk
            self.assertEqual(hours[0]["observed_s"], observed)

    def test_fixture_wrong_formats(self):
        named = os.path.join(FIXTURES_IMPORT, "csv-named-as-aw.json")
        notaw = os.path.join(FIXTURES_IMPORT, "not-aw.json")
        if not os.path.exists(named) or not os.path.exists(notaw):
            self.skipTest("no tests/fixtures/import format fixtures")
        r = self.kizuki("import", named, expect=1)
        self.assertIn(b"is not an ActivityWatch export", r.stderr)
        r = self.kizuki("import", notaw, expect=1)
        self.assertIn(b"is not an ActivityWatch export", r.stderr)
        self.assert_no_requests()
        r = self.kizuki("import", "--format", "csv", named)
        self.assertEqual(r.stdout, b"Read 2 rows (0 rejected); merged 1 hour, 1 changed.\n")

    def test_activitywatch_from_stdin(self):
        events = [{"timestamp": "2026-01-05T07:00:00Z", "duration": 1800, "data": {"status": "not-afk"}},
                  {"timestamp": "2026-01-05T07:30:00Z", "duration": 1800, "data": {"status": "afk"}},
                  {"timestamp": "2026-01-05T08:00:00Z", "duration": -5, "data": {"status": "not-afk"}}]
        data = ("  \n" + json.dumps(events)).encode()
        r = self.kizuki("import", "-", input=data, env=self.env(TZ="Europe/Berlin"))
        self.assertEqual(r.stdout, b"Read 3 rows (1 rejected); merged 1 hour, 1 changed.\n")
        self.assertTrue(r.stderr.startswith(b"stdin: event 3: "), r.stderr)
        self.assertEqual(self.check_batches()[0]["hours"],
                         [{"start": 1767596400, "utc_offset": 3600, "active_s": 1800, "observed_s": 3600}])

    def test_wrong_format(self):
        path = os.path.join(self.tmp, "export.csv")
        with open(path, "w") as f:
            f.write('{"buckets": {}}\n')
        r = self.kizuki("import", path, expect=1)
        self.assertIn(b"is not a CSV file", r.stderr)
        r = self.kizuki("import", "--format", "activitywatch", self.CSV, expect=1)
        self.assertIn(b"is not an ActivityWatch export", r.stderr)
        self.kizuki("import", "--format", "xml", self.CSV, expect=2)
        r = self.kizuki("import", os.path.join(self.tmp, "missing.csv"), expect=1)
        self.assertIn(b"cannot read", r.stderr)
        self.kizuki("import", expect=2)
        self.assert_no_requests()

    def test_larger_than_1_gib(self):
        path = os.path.join(self.tmp, "huge.csv")
        with open(path, "wb") as f:
            f.truncate((1 << 30) + 1)  # sparse
        r = self.kizuki("import", path, expect=1)
        self.assertIn(b"larger than 1 GiB", r.stderr)
        self.assert_no_requests()

    def test_many_rejected_rows(self):
        path = os.path.join(self.tmp, "bad.csv")
        with open(path, "w") as f:
            f.write("start,end,state\n")
            f.write("2026-01-05T08:00:00Z,2026-01-05T09:00:00Z,active\n")
            for _ in range(25):
                f.write("2026-01-05T08:00:00Z,2026-01-05T09:00:00Z,dozing\n")
        r = self.kizuki("import", path)
        lines = r.stderr.decode().splitlines()
        self.assertEqual(len(lines), 21)
        self.assertEqual(lines[0], f"{path}:3: unknown state 'dozing'")
        self.assertEqual(lines[-1], f"{path}: … and 5 more rejected rows")
        self.assertEqual(r.stdout, b"Read 26 rows (25 rejected); merged 1 hour, 1 changed.\n")


class TestImportNoConsent(CliTest):
    replies = {"Import": {"error": f"{IFACE}.NoConsent", "parameters": {}}}

    def test_no_consent(self):
        r = self.kizuki("import", os.path.join(GOLDEN, "import.csv"), expect=1)
        self.assertIn(b"recording needs consent: run 'kizuki consent grant'", r.stderr)
        self.assertEqual(r.stdout, b"")


class TestCheckin(CliTest):
    def test_flags(self):
        today = today_utc()
        r = self.kizuki("checkin", "--went-out", "yes", "--mood", "4", stdin=subprocess.DEVNULL)
        self.assertEqual(r.stdout, f"Saved your check-in for {today.isoformat()}.\n".encode())
        self.assertEqual(self.only_request("Checkin"), {"date": today.isoformat(), "went_out": True, "mood": 4})
        self.fake.clear()
        r = self.kizuki("checkin", "--met-someone", "no", "--date", "2026-01-05")
        self.assertEqual(r.stdout, b"Saved your check-in for 2026-01-05.\n")
        self.assertEqual(self.only_request("Checkin"), {"date": "2026-01-05", "met_someone": False})
        self.fake.clear()
        self.kizuki("checkin", "--went-out", "n", "--met-someone", "y", "--mood", "1", "--date", "yesterday")
        self.assertEqual(self.only_request("Checkin"),
                         {"date": (today - datetime.timedelta(days=1)).isoformat(), "went_out": False,
                          "met_someone": True, "mood": 1})

    def test_usage_errors(self):
        for args in (["--mood", "6"], ["--mood", "0"], ["--mood", "3.5"], ["--went-out", "maybe"],
                     ["--met-someone", ""], ["--date", "2026-02-29", "--mood", "3"], ["extra", "--mood", "3"]):
            self.kizuki("checkin", *args, stdin=subprocess.DEVNULL, expect=2)
        # Nothing to record and no terminal to ask on.
        r = self.kizuki("checkin", stdin=subprocess.DEVNULL, expect=2)
        self.assertIn(b"--went-out", r.stderr)
        self.kizuki("checkin", "--date", "2026-01-05", stdin=subprocess.DEVNULL, expect=2)
        self.assert_no_requests()

    def ask(self, answers, *args):
        """Run kizuki checkin with a terminal on stdin, answers typed in advance."""
        master, slave = pty.openpty()
        try:
            os.write(master, answers.encode())
            r = self.kizuki("checkin", *args, stdin=slave)
        finally:
            os.close(slave)
            os.close(master)
        return r

    def test_questions(self):
        r = self.ask("y\nskip\n4\n", "--date", "2026-01-05")
        # The questions go to stderr when stdout is not a terminal.
        err = r.stderr.decode()
        self.assertIn("Did you go outside on Mon 2026-01-05? [y/n/skip]", err)
        self.assertIn("Did you meet or talk with someone (not online) on Mon 2026-01-05? [y/n/skip]", err)
        self.assertIn("Mood on Mon 2026-01-05, 1 (low) to 5 (good)? [1-5/skip]", err)
        self.assertEqual(r.stdout, b"Saved your check-in for 2026-01-05.\n")
        self.assertEqual(self.only_request("Checkin"), {"date": "2026-01-05", "went_out": True, "mood": 4})

    def test_questions_today_and_retry(self):
        today = today_utc().isoformat()
        r = self.ask("perhaps\nno\n\n9\n2\n")
        err = r.stderr.decode()
        self.assertIn("Did you go outside today? [y/n/skip]", err)
        self.assertIn("Mood today, 1 (low) to 5 (good)? [1-5/skip]", err)
        self.assertEqual(self.only_request("Checkin"), {"date": today, "went_out": False, "mood": 2})

    def test_all_skipped(self):
        r = self.ask("\nskip\ns\n")
        self.assertEqual(r.stdout, b"Nothing to save.\n")
        self.assert_no_requests()


NUDGES = dict(STANDARD,
              GetStatus={"file": "getstatus-nudges.json"},
              GetNudges={"cases": [{"match": {"all": True}, "file": "getnudges-all.json"},
                                   {"file": "getnudges.json"}]},
              NudgeAction={"file": "nudgeaction-snooze.json"},
              EvalPolicies={"file": "evalpolicies.json"},
              Reload={"parameters": {"problems": [
                  "/home/test/.config/kizuki/policies/mine.policy:3: unknown key 'windw'",
                  "/home/test/.config/kizuki/policies/mine.policy:7: missing title"]}})


class TestNudges(CliTest):
    replies = NUDGES

    def test_status_golden(self):
        r = self.kizuki("--color=never", "status")
        self.golden("status-nudges.txt", r.stdout)
        # A failed share is shown until a later one succeeds (none here): GetStatus
        # says which (failed_shares), no GetShares round trip.
        self.assertEqual([(q["method"], q["parameters"]) for q in self.fake.requests()],
                         [(f"{IFACE}.GetStatus", {}), (f"{IFACE}.GetNudges", {})])
        out = r.stdout.decode()
        self.assertIn("Nudges:    2 unread\n", out)
        self.assertIn("#12  2026-03-01  concern  Your sleep has moved later", out)
        r = self.kizuki("--color=always", "status")
        self.golden("status-nudges-always.txt", r.stdout)
        # Calm: a concern is cyan, never bold or red.
        self.assertIn(b"\033[36mconcern\033[0m", r.stdout)
        self.assertNotIn(b"\033[31m", r.stdout.split(b"Nudges:")[1])
        self.assertNotIn(b"\033[1m\033[31m", r.stdout)

    def test_home_leads_with_nudges(self):
        """Plain kizuki: the unread nudges in full first, then the status."""
        self.fake.clear()
        r = self.kizuki("--color=never")
        self.golden("home-nudges.txt", r.stdout)
        self.assertEqual([(q["method"], q["parameters"]) for q in self.fake.requests()],
                         [(f"{IFACE}.GetStatus", {}), (f"{IFACE}.GetNudges", {})])
        out = r.stdout.decode()
        self.assertTrue(out.startswith("#12  2026-03-01  concern  Your sleep has moved later\n"), out)
        self.assertLess(out.index("One small step: Pick a wake-up time"), out.index("Recording:"))
        self.assertIn("Nudges:    2 unread (above)\n", out)
        # NO_COLOR on a pipe: the same as never.
        self.assertEqual(self.kizuki(env=self.env(NO_COLOR="1")).stdout, self.kizuki("--color=never").stdout)

    def test_status_json_is_the_reply(self):
        r = self.kizuki("status", "--json")
        with open(os.path.join(GOLDEN, "getstatus-nudges.json"), encoding="utf-8") as f:
            self.assertEqual(json.loads(r.stdout), json.load(f))
        self.assertEqual(self.only_request("GetStatus"), {})

    def test_status_without_unread(self):
        with open(os.path.join(GOLDEN, "getstatus-nudges.json"), encoding="utf-8") as f:
            st = json.load(f)
        for unread, line in ((0, "Nudges:    0 unread\n"), (None, None)):
            if unread is None:
                del st["unread_nudges"]  # an older kizukid
                del st["failed_shares"]  # older still: the CLI asks GetShares
            else:
                st["unread_nudges"] = unread
            with open(os.path.join(self.tmp, "status.json"), "w") as f:
                json.dump(st, f)
            self.fake.stop()
            self.fake.clear()
            self.fake = Fake(self.tmp, {"GetStatus": {"file": os.path.join(self.tmp, "status.json")}})
            r = self.kizuki("--color=never")
            if line:
                self.assertTrue(r.stdout.decode().endswith(line), r.stdout)
            else:
                self.assertNotIn(b"Nudges", r.stdout)
            self.assertEqual([q["method"] for q in self.fake.requests()],
                             [f"{IFACE}.GetStatus"] + ([f"{IFACE}.GetShares"] if unread is None else []))

    def test_status_failed_share(self):
        """A failed share GetStatus names is shown, with the command to try again;
        from an older kizukid (no failed_shares) the same comes from GetShares."""
        with open(os.path.join(GOLDEN, "getstatus-nudges.json"), encoding="utf-8") as f:
            st = json.load(f)
        share = {"id": 3, "at": 1772400000, "recipient": "therapist", "transport": "https",
                 "week": "2026-W08", "level": "daily", "format": "json", "size": 900, "sha256": "ab" * 32,
                 "result": "failed", "detail": "HTTP 503"}
        st["failed_shares"] = [share]
        st["unread_nudges"] = 0
        older = dict(st)
        del older["failed_shares"]
        ok = dict(share, id=2, week="2026-W07", result="accepted", detail=None)
        for status, extra in ((st, {}), (older, {"GetShares": {"parameters": {"shares": [share, ok]}}})):
            with open(os.path.join(self.tmp, "status.json"), "w") as f:
                json.dump(status, f)
            self.fake.stop()
            self.fake.clear()
            self.fake = Fake(self.tmp, dict({"GetStatus": {"file": os.path.join(self.tmp, "status.json")}}, **extra))
            out = self.kizuki("--color=never", "status").stdout.decode()
            self.assertIn("Sharing:   the digest of 2026-W08 did not reach therapist (2026-03-01 21:20 UTC: "
                          "HTTP 503)\n  Try again: kizuki share --to therapist --week 2026-W08\n", out)
            self.assertEqual([q["method"] for q in self.fake.requests()],
                             [f"{IFACE}.GetStatus"] + ([f"{IFACE}.GetShares"] if extra else []))

    def test_nudges_golden(self):
        r = self.kizuki("--color=never", "nudges")
        self.golden("nudges.txt", r.stdout)
        self.assertEqual(self.only_request("GetNudges"), {})
        for line in r.stdout.decode().splitlines():
            self.assertLessEqual(len(line), 100, line)
        # Wrapped to the terminal.
        r = self.kizuki("--color=never", "nudges", env=self.env(COLUMNS="50"))
        for line in r.stdout.decode().splitlines():
            self.assertLessEqual(len(line), 50, line)
        self.assertIn("    One small step: Pick a wake-up time for the\n                    next three days", r.stdout.decode())

    def test_nudges_all(self):
        r = self.kizuki("nudges", "--all", "--json")
        self.golden("nudges-all.json", r.stdout)
        self.assertEqual(self.only_request("GetNudges"), {"all": True})
        with open(os.path.join(GOLDEN, "getnudges-all.json"), encoding="utf-8") as f:
            self.assertEqual(json.loads(r.stdout), json.load(f))
        r = self.kizuki("--color=never", "nudges", "--all")
        out = r.stdout.decode()
        self.assertIn("    State: unread\n", out)
        self.assertIn("    State: acknowledged\n", out)
        self.assertIn("    State: dismissed; not helpful\n", out)
        self.assertRegex(out, r"    State: snoozed until .*; helpful\n")

    def test_snooze(self):
        r = self.kizuki("nudge", "snooze", "2h", "7", "--helpful", "yes")
        self.assertEqual(self.only_request("NudgeAction"),
                         {"id": 7, "action": "snooze", "duration_s": 7200, "helpful": True})
        self.assertRegex(r.stdout.decode(),
                         r"^Nudge 7 snoozed until ([A-Z][a-z]{2} |\d{4}-\d\d-\d\d )\d\d:\d\d\.\n"
                         r"Thanks for the feedback\.\n$")
        # The snooze ends when the daemon says: 2026-03-02 14:00 UTC.
        self.assertIn("14:00.", r.stdout.decode())

    def test_ack_and_dismiss(self):
        r = self.kizuki("nudge", "ack", "12")
        self.assertEqual(r.stdout, b"Nudge 12 acknowledged.\n")
        self.assertEqual(self.only_request("NudgeAction"), {"id": 12, "action": "ack"})
        self.fake.clear()
        r = self.kizuki("nudge", "--helpful=no", "dismiss", "3")
        self.assertEqual(r.stdout, b"Nudge 3 dismissed.\nThanks for the feedback.\n")
        self.assertEqual(self.only_request("NudgeAction"), {"id": 3, "action": "dismiss", "helpful": False})

    def test_usage_errors(self):
        for args, why in ((["snooze", "10s", "7"], b"invalid duration '10s'"),
                          (["snooze", "31d", "7"], b"invalid duration"),
                          (["snooze", "soon", "7"], b"invalid duration"),
                          (["snooze", "2h"], b"needs a DURATION and a nudge ID"),
                          (["ack"], b"'ack' needs a nudge ID"),
                          (["dismiss"], b"needs a nudge ID"),
                          (["ack", "7", "8"], b"takes one nudge ID"),
                          (["ack", "x"], b"invalid nudge ID 'x'"),
                          (["ack", "0"], b"invalid nudge ID"),
                          (["ack", "-3"], b""),
                          (["ack", "7", "--helpful", "maybe"], b"invalid answer 'maybe' to --helpful"),
                          (["frob", "7"], b"unknown action 'frob'"),
                          ([], b"missing argument")):
            r = self.kizuki("nudge", *args, expect=2)
            self.assertIn(why, r.stderr, args)
            self.assertIn(b"Usage: kizuki nudge ", r.stderr)
        for args in (["extra"], ["--bogus"]):
            self.kizuki("nudges", *args, expect=2)
        for args in (["eval", "x"], ["frob"]):
            self.kizuki("policy", *args, expect=2)
        self.kizuki("reload", "x", expect=2)
        self.assert_no_requests()

    def test_policy_eval(self):
        r = self.kizuki("--color=never", "policy", "eval")
        self.golden("policy-eval.txt", r.stdout)
        self.assertEqual(r.stderr.decode().splitlines(),
                         ["/home/test/.config/kizuki/policies/mine.policy:3: unknown key 'windw'",
                          "/home/test/.config/kizuki/policies/mine.policy:7: missing title"])
        self.assertEqual(self.only_request("EvalPolicies"), {})
        r = self.kizuki("policy", "eval", "--json")
        with open(os.path.join(GOLDEN, "evalpolicies.json"), encoding="utf-8") as f:
            self.assertEqual(json.loads(r.stdout), json.load(f))

    def test_reload(self):
        r = self.kizuki("reload")
        self.assertEqual(r.stdout, b"Reloaded.\n")
        self.assertEqual(r.stderr.decode().splitlines(),
                         ["/home/test/.config/kizuki/policies/mine.policy:3: unknown key 'windw'",
                          "/home/test/.config/kizuki/policies/mine.policy:7: missing title",
                          "1 file with problems; a policy file's previous good version stays in force, "
                          "a bad setting keeps its default."])
        self.assertEqual(self.only_request("Reload"), {})
        self.fake.stop()
        self.fake = Fake(self.tmp, {"Reload": {"parameters": {"problems": []}}})
        r = self.kizuki("reload")
        self.assertEqual((r.stdout, r.stderr), (b"Reloaded.\n", b""))
        # kizukid.conf could not be read: no "Reloaded.", the problem, status 1.
        self.fake.stop()
        bad = "/home/test/.config/kizuki/kizukid.conf: cannot be read (not a regular file), keeping the current settings"
        kept = {"problems": [bad], "config_kept": True}
        self.fake = Fake(self.tmp, {"Reload": {"parameters": kept}})
        r = self.kizuki("reload", expect=1)
        self.assertEqual(r.stdout, b"")
        self.assertEqual(r.stderr.decode().splitlines(),
                         [bad, "kizukid.conf could not be read; the settings in force stay."])
        r = self.kizuki("reload", "--json", expect=1)
        self.assertEqual(json.loads(r.stdout), kept)


class TestNoSuchNudge(CliTest):
    replies = {"NudgeAction": {"error": f"{IFACE}.NoSuchNudge", "parameters": {"id": 12}}}

    def test_message(self):
        r = self.kizuki("nudge", "ack", "12", expect=1)
        self.assertEqual(r.stderr, b"kizuki: no nudge 12 (see 'kizuki nudges --all')\n")
        self.assertEqual(r.stdout, b"")


class TestExplain(CliTest):
    POLICY = os.path.join(GOLDEN, "policies", "screen-up.policy")
    replies = dict(STANDARD, GetNudges={"parameters": {"nudges": [
        {"id": 21, "policy": "screen-up", "date": "2026-02-24", "raised_at": 1771934400, "severity": "notice",
         "title": "More screen time than usual", "body": "10.7 h a day.", "step": None, "rule": "baseline",
         "value": 10.66, "baseline": 8.76, "score": 2.64, "state": "acked", "snoozed_until": None,
         "helpful": None}]}})

    def env(self, **extra):
        return super().env(KIZUKI_POLICY_PATH=os.path.join(GOLDEN, "policies"), **extra)

    def test_file_golden(self):
        r = self.kizuki("--color=never", "explain", self.POLICY, "--to", "2026-03-01")
        self.golden("explain-screen.txt", r.stdout)
        self.assertEqual(self.only_request("GetDays"), {"from": "2025-01-20", "to": "2026-03-01"})
        out = r.stdout.decode()
        self.assertTrue(out.endswith("On 2026-03-01: the last 2 days (9.8 h) were within your usual range (your "
                                     "usual: 8.7\u201312.7 h).\n"), out)
        for line in out.splitlines():
            self.assertLessEqual(len(line), 100, line)
        # In the person's units: hours as hours, how unusual in words, no statistics.
        self.assertIn("2026-02-24  11.6 h       10.7 h   8.0\u20139.5 h  well above your usual range", out)
        for engine in ("\u221e", "Known", "Cond", "Spread", " z ", "z =", "baseline", "pending", "firing"):
            self.assertNotIn(engine, out)
        # The statistics on request.
        self.fake.clear()
        r = self.kizuki("--color=never", "explain", self.POLICY, "--to", "2026-03-01", "--verbose")
        self.golden("explain-screen-verbose.txt", r.stdout)
        out = r.stdout.decode()
        self.assertIn("Statistics: z = -0.45 is below 1\n", out)
        for engine in ("Known", "Cond", "Spread", "z min_change 0.50"):
            self.assertIn(engine.split()[0], out)
        self.fake.clear()
        self.fake.clear()
        r = self.kizuki("explain", self.POLICY, "--to", "2026-03-01", "--days", "7", "--json")
        self.golden("explain-screen.json", r.stdout)
        self.assertEqual(self.only_request("GetDays"), {"from": "2025-02-17", "to": "2026-03-01"})
        out = json.loads(r.stdout)
        self.assertEqual([d["date"] for d in out["days"]][0], "2026-02-23")
        self.assertEqual(len(out["days"]), 7)
        self.assertEqual(out["policy"]["cooldown_days"], 7)
        self.assertEqual([d["date"] for d in out["days"] if d["nudge"]], ["2026-02-24"])
        self.assertEqual(out["days"][1]["unusual"], "well above your usual range")
        self.assertEqual(out["days"][1]["usual"], "8.0\u20139.5 h")
        self.assertAlmostEqual(out["days"][1]["score"], 2.644, places=3)
        self.assertEqual(out["why"], "z = -0.45 is below 1")
        self.assertTrue(out["in_words"].startswith("the last 2 days (9.8 h) were within your usual range"))

    def test_why(self):
        for to, why in (("2026-02-20", "not enough data for the baseline: 3 valid days of 5, 4 needed"),
                        ("2026-02-23", "z = 2.54 reaches 1; pending since 2026-02-23, it fires once that has held "
                                       "for 2 days"),
                        ("2026-02-26", "not enough data: 1 valid day in the 2-day window, 2 needed; it stays "
                                       "firing")):
            r = self.kizuki("explain", self.POLICY, "--to", to, "--json")
            self.assertEqual(json.loads(r.stdout)["why"], why, to)

    def test_nudge_and_name(self):
        r = self.kizuki("--color=never", "explain", "21")
        self.assertEqual([(q["method"], q["parameters"]) for q in self.fake.requests()],
                         [(f"{IFACE}.GetNudges", {"all": True}),
                          (f"{IFACE}.GetDays", {"from": "2025-01-20", "to": "2026-02-24"})])
        self.assertIn("On 2026-02-24: the last 2 days (10.7 h) were well above your usual range (your usual: "
                      "8.0\u20139.5 h);\n               active since 2026-02-24: a nudge was raised.", r.stdout.decode())
        verbose = self.kizuki("--color=never", "explain", "21", "--verbose").stdout.decode()
        self.assertIn("Statistics: z = 2.64 reaches 1; firing since 2026-02-24 (for 2 days reached): a nudge "
                      "was raised", verbose)
        self.fake.clear()
        by_name = self.kizuki("--color=never", "explain", "screen-up", "--to", "2026-02-24")
        self.assertEqual(by_name.stdout, r.stdout)
        r = self.kizuki("explain", "22", expect=1)
        self.assertEqual(r.stderr, b"kizuki: no nudge 22 (see 'kizuki nudges --all')\n")
        r = self.kizuki("explain", "nope", expect=1)
        self.assertIn(b"no policy 'nope'", r.stderr)

    def test_usage_errors(self):
        for args in ([], ["a", "b"], ["x", "--days", "0"], ["x", "--days", "many"], ["x", "--to", "2026-02-30"],
                     ["0"]):
            self.kizuki("explain", *args, expect=2)
        self.assert_no_requests()


class TestResources(CliTest):
    """kizuki resources reads resources.md from the data directory (the source
    tree's docs/ here, /usr/share/kizuki installed: tests/system checks that)."""

    def resources(self, *args, expect=0, data=os.path.join(SOURCE_DIR, "docs")):
        return self.kizuki("--color=never", "resources", *args, env=self.env(KIZUKI_DATA_DIR=data), expect=expect)

    def test_golden(self):
        r = self.resources()
        self.golden("resources.txt", r.stdout)
        out = r.stdout.decode()
        # The crisis lines first, apart from the information.
        self.assertLess(out.index("In a crisis"), out.index("988"))
        self.assertLess(out.index("988"), out.index("Information and support"))
        self.assertLess(out.index("Information and support"), out.index("NAMI"))
        self.assertNotIn("**", out)
        self.assertNotIn("](", out)
        self.assertIn("who.int (https://www.who.int)", out)
        self.assert_no_requests()

    def test_crisis_only(self):
        r = self.resources("--crisis", "--color=always")
        out = visible(r.stdout.decode())
        self.assertTrue(out.startswith("In a crisis\n"), out)
        self.assertIn("988", out)
        self.assertNotIn("Information and support", out)
        self.assertNotIn("NAMI", out)
        for line in self.resources("--crisis", data=os.path.join(SOURCE_DIR, "docs")).stdout.decode().splitlines():
            self.assertLessEqual(len(line), 100, line)

    def test_missing_file(self):
        r = self.resources(expect=1, data=os.path.join(self.tmp, "nowhere"))
        self.assertIn(b"nowhere/resources.md", r.stderr)
        self.assertIn(b"emergency services", r.stderr)
        self.assertEqual(r.stdout, b"")

    def test_texts_point_to_commands(self):
        """Nudge texts name commands that exist, never a repository path."""
        names = self.kizuki("--help").stdout.decode()
        policies = os.path.join(SOURCE_DIR, "policies")
        for name in sorted(os.listdir(policies)):
            if not name.endswith(".policy"):
                continue
            with open(os.path.join(policies, name), encoding="utf-8") as f:
                text = f.read().split("[nudge]", 1)[1]
            self.assertNotIn("docs/", text, name)
            self.assertNotIn(".md", text, name)
            for cmd in re.findall(r"kizuki ([a-z]+)", text):
                self.assertIn(f"\n  {cmd} ", names, (name, cmd))


class TestGlobalOptions(CliTest):
    def test_color_option(self):
        r = self.kizuki("--color=sometimes", "week", expect=2)
        self.assertIn(b"invalid --color", r.stderr)
        r = self.kizuki("--color", "never", "week", "2026-W09")
        self.assertNotIn(b"\033", r.stdout)
        # After the command too, where the last one wins.
        never = r.stdout
        r = self.kizuki("week", "2026-W09", "--color=always")
        self.assertIn(b"\033[", r.stdout)
        r = self.kizuki("--color=always", "week", "--colour", "never", "2026-W09")
        self.assertEqual(r.stdout, never)
        self.kizuki("week", "2026-W09", "--color", expect=2)
        self.kizuki("week", "--color=sometimes", expect=2)

    def test_help_lists_the_commands(self):
        r = self.kizuki("--help")
        for name in ("days", "week", "actogram", "checkin", "import"):
            self.assertIn(f"\n  {name} ".encode(), r.stdout)
        for line in r.stdout.decode().splitlines():
            self.assertLessEqual(len(line), 80, line)
        for name in ("days", "week", "actogram", "checkin", "import"):
            self.kizuki(name, "--help")
            self.kizuki("help", name)
        for name in ("status", "nudges", "nudge", "explain", "policy", "reload", "resources"):
            self.assertIn(f"\n  {name} ".encode(), r.stdout)
            for args in ([name, "--help"], ["help", name]):
                for line in self.kizuki(*args).stdout.decode().splitlines():
                    self.assertLessEqual(len(line), 80, line)
        self.assert_no_requests()


if __name__ == "__main__":
    if not os.access(KIZUKI, os.X_OK):
        print(f"kizuki binary not found at {KIZUKI} (set KIZUKI or KIZUKI_BUILD_DIR)", file=sys.stderr)
        sys.exit(1)
    unittest.main()
