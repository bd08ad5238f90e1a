#!/usr/bin/python3
"""The habits of a mature CLI (issue #12), against the real kizuki binary and
the fake kizukid of test_cli_golden.py: "did you mean", nudge IDs as shown,
the advice when kizukid is not running, the consent text's data path, the
pager, relative dates, and the commands' --json, --dry-run and exit statuses.

Environment as for test_cli_golden.py. Only the standard library; run with
/usr/bin/python3.
"""

import os
import sys
import unittest

from test_cli_golden import KIZUKI, NUDGES, CliTest


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


if __name__ == "__main__":
    if not os.access(KIZUKI, os.X_OK):
        print(f"kizuki binary not found at {KIZUKI} (set KIZUKI or KIZUKI_BUILD_DIR)", file=sys.stderr)
        sys.exit(1)
    unittest.main()
