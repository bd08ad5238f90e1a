#!/usr/bin/python3
"""The habits of a mature CLI (issue #12), against the real kizuki binary and
the fake kizukid of test_cli_golden.py: "did you mean", nudge IDs as shown,
the advice when kizukid is not running, the consent text's data path, the
pager, relative dates, and the commands' --json, --dry-run and exit statuses.

Environment as for test_cli_golden.py. Only the standard library; run with
/usr/bin/python3.
"""

import datetime
import json
import os
import subprocess
import sys
import unittest

from kizukitest import on_pty
from test_cli_golden import GOLDEN, KIZUKI, NUDGES, STANDARD, CliTest

DAY = datetime.timedelta(days=1)


class TestDidYouMean(CliTest):
    def test_typos(self):
        for typo, want in (("statsu", "status"), ("stauts", "status"), ("polcy", "policy"), ("wek", "week"),
                           ("hlep", "help")):
            r = self.kizuki(typo, expect=2)
            self.assertEqual(r.stderr.decode(),
                             f"kizuki: unknown command '{typo}'\nDid you mean 'kizuki {want}'?\n"
                             "Run 'kizuki --help' for a list of commands.\n")
        # Nothing near: no guess.
        r = self.kizuki("xyzzy", expect=2)
        self.assertNotIn(b"Did you mean", r.stderr)
        # "help" takes the same lookup.
        r = self.kizuki("help", "statsu", expect=2)
        self.assertIn(b"Did you mean 'kizuki status'?", r.stderr)
        self.assert_no_requests()


class TestNudgeIds(CliTest):
    replies = NUDGES

    def test_id_as_shown(self):
        r = self.kizuki("nudge", "ack", "#12")
        self.assertEqual(r.stdout, b"Nudge 12 acknowledged.\n")
        self.assertEqual(self.only_request("NudgeAction"), {"id": 12, "action": "ack"})
        for bad in ("#", "##12", "#-1", "# 12", "#0"):
            self.kizuki("nudge", "ack", bad, expect=2)

    def test_snooze_either_order(self):
        for args in (["2h", "7"], ["7", "2h"], ["#7", "2h"], ["2h", "#7"]):
            self.fake.clear()
            self.kizuki("nudge", "snooze", *args)
            self.assertEqual(self.only_request("NudgeAction"), {"id": 7, "action": "snooze", "duration_s": 7200},
                             args)
        # Two bare numbers that could both be durations: DURATION ID, as documented.
        self.fake.clear()
        self.kizuki("nudge", "snooze", "120", "7")
        self.assertEqual(self.only_request("NudgeAction"), {"id": 7, "action": "snooze", "duration_s": 120})
        self.fake.clear()
        self.kizuki("nudge", "snooze", "7", "120")
        self.assertEqual(self.only_request("NudgeAction"), {"id": 7, "action": "snooze", "duration_s": 120})
        self.fake.clear()
        r = self.kizuki("nudge", "snooze", "7", "10s", expect=2)
        self.assertIn(b"invalid duration", r.stderr)
        self.assert_no_requests()


class TestNotRunning(CliTest):
    replies = {}

    def test_advice_at_the_default_socket(self):
        rt = os.path.join(self.tmp, "run")
        os.mkdir(rt)
        env = self.env(XDG_RUNTIME_DIR=rt)
        del env["KIZUKI_SOCKET"]
        r = self.kizuki("status", env=env, expect=1)
        self.assertEqual(r.stderr.decode(),
                         f"kizuki: cannot reach kizukid at {rt}/kizuki/io.kizuki.Daemon: No such file or directory\n"
                         "kizukid is not running. Start it (and at every login) with\n"
                         "  systemctl --user enable --now kizukid.socket\n")

    def test_advice_elsewhere(self):
        rt = os.path.join(self.tmp, "run")
        r = self.kizuki("--socket", os.path.join(self.tmp, "nope"), "status",
                        env=self.env(XDG_RUNTIME_DIR=rt), expect=1)
        self.assertIn(b"Is a kizukid listening there?", r.stderr)
        self.assertIn(f"listens at {rt}/kizuki/io.kizuki.Daemon.".encode(), r.stderr)
        self.assertNotIn(b"run kizukid", r.stderr)


class TestConsentText(CliTest):
    def test_real_data_path(self):
        r = self.kizuki("consent", "show", "--text", env=self.env(XDG_STATE_HOME="/srv/state"))
        self.assertIn(b"(/srv/state/kizuki, readable only", r.stdout)
        self.assertNotIn(b"$XDG_STATE_HOME", r.stdout)
        env = self.env(HOME="/home/test")
        env.pop("XDG_STATE_HOME", None)
        r = self.kizuki("consent", "show", "--text", env=env)
        self.assertIn(b"(/home/test/.local/state/kizuki, readable only", r.stdout)
        # A relative XDG_STATE_HOME is ignored, as kizukid ignores it.
        r = self.kizuki("consent", "show", "--text", env=self.env(HOME="/home/test", XDG_STATE_HOME="rel"))
        self.assertIn(b"(/home/test/.local/state/kizuki, readable only", r.stdout)
        self.assert_no_requests()


class TestRelativeDates(CliTest):
    """Relative words, counted from today as kizuki counts days: TZ=UTC and a
    wall clock set with faketime, day_start from kizukid.conf."""

    def days(self, when, day_start, *args):
        """The GetDays request of "kizuki days ARGS" at when (UTC), with day_start."""
        self.fake.clear()
        config = os.path.join(self.tmp, "config", "kizuki")
        os.makedirs(config, exist_ok=True)
        with open(os.path.join(config, "kizukid.conf"), "w") as f:
            f.write(f"[day]\nday_start = {day_start}\n")
        # libfaketime is preloaded before an ASan build's runtime: let ASan accept that.
        asan = ":".join(filter(None, [os.environ.get("ASAN_OPTIONS"), "verify_asan_link_order=0"]))
        r = subprocess.run(["faketime", when, KIZUKI, "days", *args], capture_output=True, timeout=60,
                           env=self.env(XDG_CONFIG_HOME=os.path.dirname(config), ASAN_OPTIONS=asan))
        self.assertEqual(r.returncode, 0, r.stderr.decode())
        return self.only_request("GetDays")

    def test_words(self):
        # Wednesday 2026-03-04 at 12:00: today is the calendar day.
        noon = "2026-03-04 12:00:00"
        self.assertEqual(self.days(noon, "00:00", "--from", "yesterday", "--to", "today"),
                         {"from": "2026-03-03", "to": "2026-03-04"})
        self.assertEqual(self.days(noon, "00:00", "--from", "-7d", "--to", "-1d"),
                         {"from": "2026-02-25", "to": "2026-03-03"})
        self.assertEqual(self.days(noon, "00:00", "--from", "-2w"), {"from": "2026-02-18", "to": "2026-03-04"})
        self.assertEqual(self.days(noon, "00:00", "--from", "last-week", "--to", "this-week"),
                         {"from": "2026-02-23", "to": "2026-03-02"})

    def test_day_start(self):
        # At 02:00 with day_start 04:00, kizuki's today is still Tuesday.
        early = "2026-03-04 02:00:00"
        self.assertEqual(self.days(early, "04:00", "--from", "yesterday", "--to", "today"),
                         {"from": "2026-03-02", "to": "2026-03-03"})
        self.assertEqual(self.days(early, "00:00", "--from", "yesterday", "--to", "today"),
                         {"from": "2026-03-03", "to": "2026-03-04"})
        # At 04:00 the day has begun; on Monday 03:59 this week is still last week.
        self.assertEqual(self.days("2026-03-04 04:00:00", "04:00", "--from", "today"),
                         {"from": "2026-03-04", "to": "2026-03-04"})
        self.assertEqual(self.days("2026-03-02 03:59:00", "04:00", "--from", "this-week", "--to", "today"),
                         {"from": "2026-02-23", "to": "2026-03-01"})
        # The default range ends on kizuki's today too.
        self.assertEqual(self.days(early, "04:00"), {"from": "2026-02-18", "to": "2026-03-03"})

    def test_bad_words(self):
        for arg in ("-7", "7d", "tomorrow", "-1y", "last_week", "-36501d"):
            r = self.kizuki("days", "--from", arg, expect=2)
            self.assertIn(f"invalid date '{arg}' (expected YYYY-MM-DD, today, yesterday, -Nd, -Nw, this-week or "
                          "last-week)".encode(), r.stderr)
        self.assert_no_requests()


class TestWeeks(CliTest):
    replies = {"GetWeek": {"parameters": {}}}

    def test_relative_weeks(self):
        today = datetime.datetime.now(datetime.timezone.utc).date()
        for arg, day in (("this-week", today), ("last-week", today - 7 * DAY), ("-0w", today),
                         ("-3w", today - 21 * DAY)):
            self.fake.clear()
            self.kizuki("week", arg, "--json")
            y, w, _ = day.isocalendar()
            self.assertEqual(self.only_request("GetWeek"), {"week": f"{y}-W{w:02d}"}, arg)

    def test_week_53(self):
        for arg, year in (("2025-W53", "2025"), ("2027-w53", "2027")):
            r = self.kizuki("week", arg, expect=2)
            self.assertIn(f"kizuki week: invalid week '{arg}': {year} has 52 weeks\n".encode(), r.stderr)
        r = self.kizuki("digest", "--week", "2025-W53", expect=2)
        self.assertIn(b"invalid week '2025-W53': 2025 has 52 weeks", r.stderr)
        r = self.kizuki("week", "2026-W54", expect=2)
        self.assertIn(b"invalid week '2026-W54' (expected YYYY-Www such as 2026-W02", r.stderr)
        self.assert_no_requests()


class TestImportAllRejected(CliTest):
    def test_all_rejected(self):
        path = os.path.join(self.tmp, "bad.csv")
        with open(path, "w") as f:
            f.write("start,end,state\n"
                    "2026-01-05T12:00:00+01:00,2026-01-05T11:00:00+01:00,active\n"
                    "2026-01-05T13:00:00+01:00,2026-01-05T14:00:00+01:00,asleep\n")
        for extra in ([], ["--dry-run"]):
            r = self.kizuki("import", *extra, path, expect=1)
            self.assertEqual(r.stdout, b"")
            self.assertIn(f"kizuki import: all 2 rows of {path} rejected; nothing was imported\n".encode(), r.stderr)
        self.assert_no_requests()
        # A file without rows is no failure.
        with open(path, "w") as f:
            f.write("start,end,state\n")
        self.kizuki("import", path)


class TestPolicyListJson(CliTest):
    replies = STANDARD

    def test_json(self):
        policies = os.path.join(self.tmp, "policies")
        os.mkdir(policies)
        with open(os.path.join(GOLDEN, "policies", "screen-up.policy")) as f:
            good = f.read()
        with open(os.path.join(policies, "screen-up.policy"), "w") as f:
            f.write(good)
        with open(os.path.join(policies, "quiet.policy"), "w") as f:
            f.write(good.replace("[policy]\n", "[policy]\nenabled = no\n"))
        with open(os.path.join(policies, "broken.policy"), "w") as f:
            f.write("[policy]\nnonsense\n")
        r = self.kizuki("policy", "list", "--json", env=self.env(KIZUKI_POLICY_PATH=policies))
        got = json.loads(r.stdout)
        self.assertEqual(list(got), ["policies"])
        by_name = {p["name"]: p for p in got["policies"]}
        self.assertEqual(sorted(by_name), ["broken", "quiet", "screen-up"])
        self.assertEqual(by_name["screen-up"], {"name": "screen-up", "path": os.path.join(policies, "screen-up.policy"),
                                                "state": "enabled", "stale": False, "detector": "baseline",
                                                "severity": "notice"})
        self.assertEqual(by_name["quiet"]["state"], "disabled")
        self.assertEqual(by_name["broken"], {"name": "broken", "path": os.path.join(policies, "broken.policy"),
                                             "state": "broken", "stale": False, "detector": None, "severity": None})
        # The table names the same states.
        r = self.kizuki("policy", "list", env=self.env(KIZUKI_POLICY_PATH=policies, COLUMNS="200"))
        self.assertRegex(r.stdout.decode(), r"\nbroken +broken +- +- ")
        self.assertRegex(r.stdout.decode(), r"\nquiet +disabled +baseline ")
        self.assert_no_requests()


class TestPager(CliTest):
    """The pager: a script stands in for it and records its arguments, LESS
    and what it was given."""

    def setUp(self):
        super().setUp()
        self.bin = os.path.join(self.tmp, "bin")
        os.mkdir(self.bin)
        self.record = os.path.join(self.tmp, "paged")
        self.recorder = os.path.join(self.bin, "recorder")
        with open(self.recorder, "w") as f:
            f.write("#!/bin/sh\n"
                    f"{{ echo \"args:$*\"; echo \"LESS:${{LESS-unset}}\"; echo \"LV:${{LV-unset}}\"; "
                    f"echo \"tty:$(test -t 2 && echo yes)\"; cat; }} > {self.record}\n"
                    "echo pager-done\n")
        os.chmod(self.recorder, 0o755)

    def run_pty(self, *args, **env):
        e = self.env(**env)
        for k, v in env.items():
            if v is None:
                del e[k]
        return on_pty([KIZUKI, *args], e)

    def paged(self):
        with open(self.record, "rb") as f:
            return f.read()

    def test_pages_on_a_terminal(self):
        out, rc = self.run_pty("--color=never", "week", "2026-W09", PAGER=f"{self.recorder} --flag")
        self.assertEqual(rc, 0, out)
        self.assertEqual(out, b"pager-done\n")  # kizuki wrote nothing past the pager
        paged = self.paged()
        self.assertTrue(paged.startswith(b"args:--flag\nLESS:FRX\nLV:-c\ntty:yes\n"), paged)
        plain = self.kizuki("--color=never", "week", "2026-W09").stdout
        self.assertEqual(paged.split(b"\n", 4)[4], plain)

    def test_colour_decided_for_the_terminal(self):
        self.run_pty("week", "2026-W09", PAGER=self.recorder)
        self.assertIn(b"\033[", self.paged())
        self.run_pty("week", "2026-W09", PAGER=self.recorder, NO_COLOR="1")
        self.assertNotIn(b"\033[", self.paged())

    def test_less_by_default(self):
        os.symlink(self.recorder, os.path.join(self.bin, "less"))
        path = f"{self.bin}:{os.environ.get('PATH', '/usr/bin:/bin')}"
        out, rc = self.run_pty("help", PAGER=None, PATH=path)
        self.assertEqual(rc, 0, out)
        self.assertTrue(self.paged().startswith(b"args:\nLESS:FRX\n"), self.paged())
        self.assertIn(b"Commands:\n", self.paged())
        # A LESS of the person's own is left alone.
        self.run_pty("--help", PAGER=None, PATH=path, LESS="-S")
        self.assertTrue(self.paged().startswith(b"args:\nLESS:-S\n"), self.paged())

    def test_kizuki_pager_first(self):
        self.run_pty("days", "--to", "2026-03-01", KIZUKI_PAGER=self.recorder, PAGER="/bin/false")
        self.assertIn(b"Date", self.paged())

    def test_no_pager(self):
        for args, env in ((["--no-pager", "days", "--to", "2026-03-01"], {}),
                          (["days", "--to", "2026-03-01", "--no-pager"], {}),
                          (["days", "--to", "2026-03-01"], {"PAGER": ""}),
                          (["days", "--to", "2026-03-01"], {"PAGER": "cat"}),
                          (["days", "--to", "2026-03-01"], {"KIZUKI_PAGER": "cat"}),
                          (["days", "--to", "2026-03-01"], {"TERM": "dumb"}),
                          (["status"], {})):  # short output: never paged
            env.setdefault("PAGER", self.recorder)
            out, rc = self.run_pty("--color=never", *args, **env)
            self.assertFalse(os.path.exists(self.record), (args, env))
            self.assertNotIn(b"pager-done", out)
            if args != ["status"]:
                self.assertEqual(rc, 0, out)
                self.assertIn(b"Date ", out)

    def test_not_on_a_pipe(self):
        r = self.kizuki("days", "--to", "2026-03-01", env=self.env(PAGER=self.recorder))
        self.assertFalse(os.path.exists(self.record))
        self.assertIn(b"Date ", r.stdout)

    def test_errors_go_through_the_pager(self):
        # The daemon's error reaches the person (through the pager, as with git) and the status is kept.
        self.fake.stop()
        out, rc = self.run_pty("days", PAGER=self.recorder)
        self.assertEqual(rc, 1, out)
        self.assertIn(b"cannot reach kizukid", self.paged())

    def test_usage_errors(self):
        # Options are checked before the pager starts: not paged.
        out, rc = self.run_pty("days", "--bogus", PAGER=self.recorder)
        self.assertEqual(rc, 2)
        self.assertIn(b"unrecognized option '--bogus'", out)
        self.assertFalse(os.path.exists(self.record))
        # A bad date is found by the command, once the pager runs: it shows there.
        out, rc = self.run_pty("days", "--from", "nonsense", PAGER=self.recorder)
        self.assertEqual(rc, 2)
        self.assertIn(b"invalid date 'nonsense'", self.paged())

class TestNarrowAndAscii(CliTest):
    def week(self, columns, *args, **env):
        return self.kizuki("--color=never", "week", "2026-W09", *args,
                           env=self.env(COLUMNS=str(columns), **env)).stdout.decode()

    def test_text_follows_the_columns(self):
        for columns in (100, 80, 60, 50):
            out = self.week(columns)
            lines = out.splitlines()
            header = next(line for line in lines if "This week" in line)
            start = next(i for i, line in enumerate(lines) if line.startswith("Weekly means"))
            prose = []
            for line in lines[start:]:
                if not line:
                    break
                prose.append(line)
            text = " ".join(prose)
            shown = "Baseline" in header
            if columns in (100, 50):  # wide enough for it, and too narrow
                self.assertEqual(shown, columns == 100, columns)
            self.assertEqual("your baseline (medians of the 28 days before" in text, shown, (columns, text))
            self.assertEqual("(your baseline needs a wider terminal)" in text, not shown, (columns, text))
            # Prose and legends fit the terminal (and 80 columns at most).
            legend = next(i for i, line in enumerate(lines) if line.startswith("Active minutes/hour:"))
            for line in prose + lines[legend:] + [line for line in lines if line.startswith(("* ", "  the day"))]:
                self.assertLessEqual(len(line), min(columns, 80), (columns, line))
            self.assertIn("not observed", " ".join(lines[legend:]))

    def test_ascii(self):
        utf8 = self.week(100)
        self.assertIn("↑", utf8)
        ascii = self.week(100, "--ascii")
        self.assertTrue(ascii.isascii(), [c for c in ascii if not c.isascii()][:5])
        self.golden_text("week-ascii.txt", ascii)
        # A locale that is not UTF-8 gives the same, without --ascii; before the command too.
        self.assertEqual(self.week(100, LC_ALL="C"), ascii)
        self.assertEqual(self.week(100, LC_ALL="POSIX", LANG="C.UTF-8"), ascii)
        self.assertEqual(self.kizuki("--ascii", "--color=never", "week", "2026-W09").stdout.decode(), ascii)
        self.assertEqual(self.week(100, LC_ALL="", LANG="C.UTF-8"), utf8)
        # The same figures, glyph for glyph.
        self.assertEqual(len(utf8.splitlines()), len(ascii.splitlines()))
        for a, b in zip(utf8.splitlines(), ascii.splitlines()):
            self.assertEqual(len(a), len(b), (a, b))
        r = self.kizuki("--ascii", "actogram", "--to", "2026-03-01", "--weeks", "1")
        self.assertTrue(r.stdout.isascii())
        self.assertIn(b"Active minutes/hour: # 45+  = 30-44  - 15-29  . 1-14  blank 0  ~ not observed\n", r.stdout)

    def test_hours_bars_fit(self):
        self.fake.stop()
        day = int(datetime.datetime(2026, 3, 2, tzinfo=datetime.timezone.utc).timestamp())
        hours = [{"start": day + h * 3600, "utc_offset": 0, "active_s": 3600 * h // 3, "observed_s": 3600}
                 for h in range(4)]
        self.fake = type(self.fake)(self.tmp, {"GetHours": {"parameters": {"hours": hours}}})
        wide = self.kizuki("--color=never", "hours", "--date", "2026-03-02",
                           env=self.env(COLUMNS="100")).stdout.decode().splitlines()
        row = f"{'03:00':5}  {'1h':>6}  {'1h':>8}"
        self.assertEqual(wide[5], row + "  " + "█" * 20)
        for columns, cells in ((40, 15), (30, 5), (28, 0), (20, 0)):
            lines = self.kizuki("--color=never", "--ascii", "hours", "--date", "2026-03-02",
                                env=self.env(COLUMNS=str(columns))).stdout.decode().splitlines()
            self.assertEqual(lines[5], row + ("  " + "#" * cells if cells else ""), columns)
            for line in lines[1:-1]:
                self.assertLessEqual(len(line), max(columns, 25), (columns, line))

    def golden_text(self, name, text):
        self.golden(name, text.encode())


if __name__ == "__main__":
    if not os.access(KIZUKI, os.X_OK):
        print(f"kizuki binary not found at {KIZUKI} (set KIZUKI or KIZUKI_BUILD_DIR)", file=sys.stderr)
        sys.exit(1)
    unittest.main()
