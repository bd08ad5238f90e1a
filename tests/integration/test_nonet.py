#!/usr/bin/python3
"""No network in the daemon, verifiably: kizukid runs under strace (socket and
connect calls of every thread and child) through a realistic flow (consent, logind
sessions from the mock, hints, suspend, import, days, week, actogram, policy
evaluation and replay, nudges, privacy, export, restore, forget, reload, stop),
and the test fails on any socket that is not AF_UNIX (AF_NETLINK would be allowed
only if a dependency needed it; none does, and the test says so if that changes)."""

import datetime as dt
import os
import re
import shutil
import signal
import subprocess
import sys
import time
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import kizukitest as k  # noqa: E402

SAMPLE = os.path.join(k.SOURCE_DIR, "tests", "fixtures", "sample-history.csv")
SOCKET_RE = re.compile(r"\bsocket\((AF_[A-Z0-9]+|\d+)")
CONNECT_RE = re.compile(r"\bconnect\(\d+, \{sa_family=(AF_[A-Z0-9]+)")


@unittest.skipUnless(shutil.which("strace"), "strace is not installed")
class TestNoNetwork(k.KizukiTestCase):
    def start_traced(self):
        env = self.env
        self.trace = os.path.join(env.dir, "strace.out")
        argv = ["strace", "-f", "-qq", "-e", "trace=socket,connect", "-o", self.trace, k.KIZUKID]
        # LeakSanitizer cannot run under ptrace; the other sanitizers still do.
        asan = ":".join(x for x in (os.environ.get("ASAN_OPTIONS"), "detect_leaks=0") if x)
        policies = os.path.join(k.SOURCE_DIR, "policies")
        env.daemon = env.spawn("kizukid", argv, env=env.environ(ASAN_OPTIONS=asan, KIZUKI_POLICY_PATH=policies))
        # Runs before the harness's cleanup: stop kizukid, not strace, even when a step fails.
        self.addCleanup(self.stop_traced, check=False)
        env.wait_daemon_ready(timeout=20)

    def stop_traced(self, check=True):
        """SIGTERM to kizukid itself (strace passes on its exit status)."""
        env = self.env
        if not env.daemon.alive():
            return
        try:
            with open(f"/proc/{env.daemon.pid}/task/{env.daemon.pid}/children") as f:
                kids = f.read().split()
        except OSError:
            kids = []
        if kids:
            os.kill(int(kids[0]), signal.SIGTERM)
        rc = env.daemon.wait(20)
        if check:
            self.assertTrue(kids, "kizukid is not running under strace")
            self.assertEqual(rc, 0, f"kizukid (under strace) exited with {rc}")

    def test_only_unix_sockets(self):
        env = self.env
        env.write_config("[nudges]\nnotify = yes\n")
        env.start_bus_and_logind()
        env.add_session("c1", active=True)
        self.start_traced()
        self.wait_sessions({"c1"})

        # Consent and live recording, with logind changes and hints.
        env.cli("consent", "grant", "--yes")
        self.wait_status(lambda s: s["recording"] == "recording", what="recording")
        env.set_session("c1", IdleHint=True)
        self.wait_active(False)
        env.set_session("c1", IdleHint=False)
        self.wait_active(True)
        env.cli("hint", "locked")
        env.cli("hint", "unlocked")
        env.prepare_for_sleep(True)
        env.prepare_for_sleep(False)
        env.add_session("c2", active=False)
        env.remove_session("c2")
        env.cli("pause", "1m")
        env.cli("resume")

        # History, signals, weeks, policies, nudges.
        env.cli("import", SAMPLE)
        env.cli("checkin", "--went-out", "yes", "--mood", "4")
        env.cli("days", "--from", "2026-01-05", "--to", "2026-03-29", "--json")
        env.cli("week", "2026-W13")
        env.cli("actogram", "--weeks", "4", "--to", "2026-03-29")
        env.cli("hours", "--date", "2026-03-25")
        env.cli("policy", "eval")
        env.cli("policy", "test", "--from", "2026-01-05", "--to", "2026-03-29",
                env=env.environ(KIZUKI_POLICY_PATH=os.path.join(k.SOURCE_DIR, "policies")))
        today = dt.date.fromisoformat(k.local_date(env.status()))
        env.call(k.IFACE + ".ImportRecords", {"nudges": [{
            "policy": "late-nights", "date": today.isoformat(), "raised_at": int(time.time()),
            "severity": "gentle", "title": "Nights are getting later", "body": "A test nudge.",
            "rule": "baseline", "state": "unread"}]})
        nid = env.call(k.IFACE + ".GetNudges", {"all": True})["nudges"][0]["id"]
        env.cli("nudges", "--all")
        env.cli("explain", str(nid), check=False)
        env.cli("nudge", "ack", str(nid))
        env.cli("status")
        env.cli("reload")

        # The privacy lifecycle.
        env.cli("privacy")
        out = os.path.join(env.dir, "export.json")
        env.cli("export", "-o", out)
        env.cli("export", "--format", "csv", "-o", os.path.join(env.dir, "csv"))
        env.cli("forget", "--from", "2026-02-01", "--to", "2026-02-07", "--yes")
        env.cli("import", "--format", "kizuki", out)
        env.cli("forget", "--all", "--yes", "--include-share-log")
        env.cli("consent", "grant", "--yes")
        env.cli("import", "--format", "kizuki", out)
        self.stop_traced()

        families, connects = {}, {}
        with open(self.trace) as f:
            text = f.read()
        for m in SOCKET_RE.finditer(text):
            families[m.group(1)] = families.get(m.group(1), 0) + 1
        for m in CONNECT_RE.finditer(text):
            connects[m.group(1)] = connects.get(m.group(1), 0) + 1
        print(f"\nkizukid socket() families: {families}; connect() families: {connects}", file=sys.stderr)
        self.assertGreater(families.get("AF_UNIX", 0), 0, "the trace saw no socket at all:\n" + text[:2000])
        bad = {f: n for f, n in {**families, **connects}.items() if f not in ("AF_UNIX", "AF_LOCAL")}
        bad_lines = [ln for ln in text.splitlines() if any(f in ln for f in bad)]
        self.assertEqual(bad, {}, "kizukid opened non-Unix sockets:\n" + "\n".join(bad_lines[:20]))

    def test_trace_would_see_a_network_socket(self):
        """Negative control: the same trace and parsing catch an AF_INET socket."""
        trace = os.path.join(self.env.dir, "control.out")
        subprocess.run(["strace", "-f", "-qq", "-e", "trace=socket,connect", "-o", trace, k.PYTHON, "-c",
                        "import socket; socket.socket(socket.AF_INET, socket.SOCK_DGRAM).close()"],
                       check=True, timeout=30, stdin=subprocess.DEVNULL, capture_output=True)
        with open(trace) as f:
            self.assertIn("AF_INET", [m.group(1) for m in SOCKET_RE.finditer(f.read())])


if __name__ == "__main__":
    k.main()
