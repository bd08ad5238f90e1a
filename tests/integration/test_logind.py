#!/usr/bin/python3
"""kizukid against a python-dbusmock logind on a private bus: consent, activity from
session Active/IdleHint/LockedHint, sessions coming and going, sleep, pause, hints,
losing and regaining the bus, and the flush on SIGTERM.

Timing tolerances: growth over a window of dt seconds must be dt ± 2 s; "no growth"
is at most 1 s (integer seconds, sampled at both ends)."""

import os
import signal
import sqlite3
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import kizukitest as k  # noqa: E402
from kizukitest import wait_for  # noqa: E402


class TestConsent(k.KizukiTestCase):
    def test_nothing_recorded_before_consent_then_grant(self):
        env = self.env
        self.start_with_session(consent=False)
        st = env.status()
        self.assertEqual(st["recording"], "no-consent")
        self.assertIsNone(st.get("consent"))
        self.assertEqual(st["today_observed_s"], 0)
        self.assertEqual(st["today_active_s"], 0)
        time.sleep(2.5)
        st = env.status()
        self.assertEqual(st["today_observed_s"], 0, "observed time before consent")
        self.assertEqual(st["today_active_s"], 0, "active time before consent")
        hours = env.call(k.IFACE + ".GetHours", {"date": k.local_date(st)})["hours"]
        self.assertTrue(all(h["observed_s"] == 0 and h["active_s"] == 0 for h in hours), hours)

        # Grant with the CLI, as a person would.
        env.cli("consent", "grant", "--yes")
        st = self.wait_status(lambda s: s["recording"] == "recording", 5, "recording")
        self.assertIsNotNone(st["consent"])
        self.assertEqual(st["consent"]["text_version"], st["consent_version"])
        self.assertEqual(st["consent"]["text_sha256"], st["consent_sha256"])
        self.assertTrue(st["consent"]["current"])
        self.assertIsNone(st["consent"]["revoked_at"])
        self.assertLessEqual(abs(st["consent"]["granted_at"] - time.time()), 5)
        m = self.measure(3)
        self.assertGrows(m, "observed")
        self.assertGrows(m, "active")
        shown = env.cli("consent", "show").stdout
        self.assertTrue(shown.strip(), "kizuki consent show printed nothing")

        # Revoke: recording stops at once, data already stored is kept.
        env.cli("consent", "revoke")
        st = self.wait_status(lambda s: s["recording"] == "no-consent", 5, "no-consent")
        self.assertIsNotNone(st["consent"]["revoked_at"])
        m = self.measure(2.5)
        self.assertStill(m, "observed")
        self.assertStill(m, "active")
        self.assertGreater(m["after"]["today_observed_s"], 0, "revoking dropped recorded time")

    def test_no_rows_in_db_without_consent(self):
        env = self.env
        self.start_with_session(consent=False)
        time.sleep(2.5)
        self.assertEqual(env.stop_daemon(), 0)
        rows = env.db_rows()
        self.assertEqual([r for r in rows if r[2] or r[3]], [], "buckets written without consent")

    def test_grant_with_wrong_text_is_refused(self):
        env = self.env
        self.start_with_session(consent=False)
        st = env.status()
        reply = env.call_raw(k.IFACE + ".GrantConsent",
                             {"text_version": st["consent_version"], "text_sha256": "0" * 64})
        self.assertEqual(reply.get("error"), k.IFACE + ".ConsentMismatch", reply)
        self.assertEqual(reply["parameters"]["text_sha256"], st["consent_sha256"])
        self.assertEqual(reply["parameters"]["text_version"], st["consent_version"])
        self.assertEqual(env.status()["recording"], "no-consent")


class TestSessions(k.KizukiTestCase):
    def test_idle_and_locked_hints(self):
        env = self.env
        self.start_with_session(cli_consent=True)
        st = env.status()
        self.assertEqual(st["logind"]["state"], "connected")
        self.assertEqual(st["logind"]["sessions"],
                         [{"id": "c1", "active": True, "idle": False, "locked": False}])
        self.assertFalse(st["logind"]["sleeping"])
        self.assertTrue(st["active"])
        m = self.measure(3)
        self.assertGrows(m, "active")
        self.assertGrows(m, "observed")

        env.set_session("c1", IdleHint=True)
        st = self.wait_active(False)
        self.assertTrue(st["logind"]["sessions"][0]["idle"])
        m = self.measure(3)
        self.assertStill(m, "active")
        self.assertGrows(m, "observed")

        env.set_session("c1", IdleHint=False)
        self.wait_active(True)
        m = self.measure(2.5)
        self.assertGrows(m, "active")

        env.set_session("c1", LockedHint=True)
        st = self.wait_active(False)
        self.assertTrue(st["logind"]["sessions"][0]["locked"])
        m = self.measure(3)
        self.assertStill(m, "active")
        self.assertGrows(m, "observed")

        env.set_session("c1", LockedHint=False)
        st = self.wait_active(True)
        self.assertFalse(st["logind"]["sessions"][0]["locked"])
        m = self.measure(2.5)
        self.assertGrows(m, "active")
        self.assertGrows(m, "observed")

        # Active=false (switched to another VT / user) is away too.
        env.set_session("c1", Active=False)
        st = self.wait_active(False)
        self.assertFalse(st["logind"]["sessions"][0]["active"])
        m = self.measure(2.5)
        self.assertStill(m, "active")
        self.assertGrows(m, "observed")

    def test_sessions_added_and_removed_at_runtime(self):
        env = self.env
        env.start_bus_and_logind()
        env.add_session("c1", active=False)
        # A session of another uid must be ignored.
        env.add_session("o1", uid=4242, user="other", active=True)
        env.start_daemon()
        self.wait_sessions({"c1"})
        env.grant_consent_raw()
        self.wait_active(False)
        m = self.measure(2.5)
        self.assertStill(m, "active")
        self.assertGrows(m, "observed")

        env.add_session("c2", active=True)  # with SessionNew
        st = self.wait_sessions({"c1", "c2"})
        by_id = {s["id"]: s for s in st["logind"]["sessions"]}
        self.assertTrue(by_id["c2"]["active"])
        self.assertFalse(by_id["c1"]["active"])
        self.wait_active(True)
        m = self.measure(3)
        self.assertGrows(m, "active")

        env.remove_session("c2")  # with SessionRemoved
        self.wait_sessions({"c1"})
        self.wait_active(False)
        m = self.measure(2.5)
        self.assertStill(m, "active")
        self.assertGrows(m, "observed")

        env.remove_session("c1")
        st = self.wait_sessions(set())
        self.assertFalse(st["active"])
        # Logged out but logind is there: observed-inactive (not unknown).
        m = self.measure(2.5)
        self.assertStill(m, "active")
        self.assertGrows(m, "observed")

    def sleep_inhibitors(self):
        out = self.env.busctl("call", k.LOGIN1, k.LOGIN1_PATH, k.MANAGER, "ListInhibitors").stdout
        return out.count('"sleep"') if '"delay"' in out else 0

    def test_prepare_for_sleep(self):
        env = self.env
        self.start_with_session()
        self.wait_active(True)
        # A delay inhibitor is held while awake, so the open hour can be saved.
        wait_for(lambda: self.sleep_inhibitors() == 1, 5, what="a sleep delay inhibitor")
        time.sleep(2)
        env.prepare_for_sleep(True)
        st = self.wait_active(False)
        self.assertTrue(st["logind"]["sleeping"])
        # ...flushed, then the inhibitor is released so the machine may sleep.
        wait_for(lambda: self.sleep_inhibitors() == 0, 5, what="the inhibitor to be released")
        con = sqlite3.connect(f"file:{env.db_path}?mode=ro", uri=True, timeout=5)
        stored = con.execute("SELECT COALESCE(SUM(active_s), 0) FROM bucket").fetchone()[0]
        con.close()
        self.assertLessEqual(abs(stored - st["today_active_s"]), 2,
                             f"not flushed before sleep: db {stored}, status {st['today_active_s']}")
        m = self.measure(3)
        self.assertStill(m, "active")
        env.prepare_for_sleep(False)
        st = self.wait_active(True)
        self.assertFalse(st["logind"]["sleeping"])
        wait_for(lambda: self.sleep_inhibitors() == 1, 5, what="the inhibitor to be taken again")
        m = self.measure(3)
        self.assertGrows(m, "active")
        self.assertGrows(m, "observed")

    def test_pause_and_resume(self):
        env = self.env
        self.start_with_session()
        env.cli("pause")
        st = self.wait_status(lambda s: s["recording"] == "paused", 5, "paused")
        self.assertIsNone(st["paused_until"])
        m = self.measure(3)
        self.assertStill(m, "observed")
        self.assertStill(m, "active")
        env.cli("resume")
        st = self.wait_status(lambda s: s["recording"] == "recording", 5, "recording")
        m = self.measure(3)
        self.assertGrows(m, "observed")
        self.assertGrows(m, "active")

        # kizuki pause DURATION.
        env.cli("pause", "1h")
        st = env.status()
        self.assertEqual(st["recording"], "paused")
        self.assertLessEqual(abs(st["paused_until"] - (time.time() + 3600)), 5, st["paused_until"])
        env.cli("resume")
        self.assertEqual(env.status()["recording"], "recording")

        # A timed pause ends by itself.
        r = env.call(k.IFACE + ".Pause", {"duration_s": 3})
        self.assertIsInstance(r["paused_until"], int)
        self.assertLessEqual(abs(r["paused_until"] - (time.time() + 3)), 2)
        self.assertEqual(env.status()["recording"], "paused")
        st = self.wait_status(lambda s: s["recording"] == "recording", 8, "timed pause to end")
        self.assertIsNone(st["paused_until"])
        m = self.measure(2.5)
        self.assertGrows(m, "observed")

    def test_bus_lost_and_regained(self):
        env = self.env
        self.start_with_session()
        self.wait_active(True)
        daemon_pid = env.daemon.pid

        env.stop_logind()
        env.stop_bus(signal.SIGKILL)
        st = self.wait_status(lambda s: s["logind"]["state"] == "connecting", 10,
                              "logind state 'connecting' after the bus died")
        self.assertTrue(env.daemon.alive())
        self.assertEqual(env.daemon.pid, daemon_pid)
        self.assertFalse(st["active"])
        # No logind, no hint: unobserved.
        m = self.measure(2.5)
        self.assertStill(m, "observed")
        self.assertStill(m, "active")

        env.start_bus_and_logind()
        env.add_session("c1", active=True)
        t0 = time.monotonic()
        st = self.wait_sessions({"c1"}, timeout=35)
        k.log(f"reconnected after {time.monotonic() - t0:.1f}s")
        self.wait_active(True)
        m = self.measure(3)
        self.assertGrows(m, "active")
        self.assertGrows(m, "observed")
        # And signals are followed again on the new connection.
        env.set_session("c1", IdleHint=True)
        self.wait_active(False)

    def test_logind_vanishes_from_a_live_bus(self):
        """The mock logind (not the bus) goes away and comes back."""
        env = self.env
        self.start_with_session()
        env.stop_logind()
        self.wait_status(lambda s: not s["active"], 10, "inactive after logind left the bus")
        self.assertTrue(env.daemon.alive())
        env.start_logind()
        env.add_session("c1", active=True)
        self.wait_sessions({"c1"}, timeout=35)
        self.wait_active(True)
        m = self.measure(2.5)
        self.assertGrows(m, "active")

    def test_sigterm_flushes(self):
        env = self.env
        self.start_with_session()
        time.sleep(3)
        env.set_session("c1", IdleHint=True)
        self.wait_active(False)
        time.sleep(2)
        st = env.status()
        self.assertGreaterEqual(st["today_active_s"], 2)
        self.assertGreater(st["today_observed_s"], st["today_active_s"])
        self.assertEqual(env.stop_daemon(signal.SIGTERM), 0, "exit status after SIGTERM")
        rows = env.db_rows()
        self.assertTrue(rows, "no buckets in the database after SIGTERM")
        active = sum(r[2] for r in rows)
        observed = sum(r[3] for r in rows)
        self.assertLessEqual(abs(active - st["today_active_s"]), 2, (rows, st))
        self.assertLessEqual(abs(observed - st["today_observed_s"]), 2, (rows, st))
        for start, off, a, o in rows:
            self.assertEqual((start + off) % 3600, 0, f"bucket start {start}+{off} not an hour")
            self.assertLessEqual(a, o)
            self.assertLessEqual(o, 3600)

    def test_sigint_exits_cleanly(self):
        env = self.env
        self.start_with_session()
        time.sleep(1.5)
        st = env.status()
        self.assertEqual(env.stop_daemon(signal.SIGINT), 0, "exit status after SIGINT")
        self.assertLessEqual(abs(sum(r[2] for r in env.db_rows()) - st["today_active_s"]), 2)

    def test_hours_and_cli_output(self):
        env = self.env
        self.start_with_session()
        time.sleep(3)
        st = env.status()
        hours = env.call(k.IFACE + ".GetHours", {"date": k.local_date(st)})["hours"]
        self.assertTrue(hours)
        self.assertLessEqual(abs(sum(h["active_s"] for h in hours) - st["today_active_s"]), 2)
        for h in hours:
            self.assertEqual(h["utc_offset"], st["utc_offset"])
            self.assertEqual((h["start"] + h["utc_offset"]) % 3600, 0)
        # The CLI's JSON contract.
        doc = env.cli_json("hours", "--json")
        self.assertIsInstance(doc["hours"], list)
        self.assertTrue(doc["hours"])
        for h in doc["hours"]:
            self.assertRegex(h["start"], r"^\d{4}-\d\d-\d\dT\d\d:00:00[+-]\d\d:\d\d$")
            self.assertIsInstance(h["active_s"], int)
            self.assertIsInstance(h["observed_s"], int)
        doc2 = env.cli_json("hours", "--date", k.local_date(st), "--json")
        self.assertEqual([h["start"] for h in doc2["hours"]], [h["start"] for h in doc["hours"]])
        self.assertLessEqual(abs(sum(h["active_s"] for h in doc2["hours"]) - st["today_active_s"]), 4)
        # status, human and JSON.
        self.assertTrue(env.cli("status").stdout.strip())
        sj = env.cli_json("status", "--json")
        self.assertIsInstance(sj, dict)
        # --socket overrides KIZUKI_SOCKET.
        e = env.environ(KIZUKI_SOCKET="/nonexistent/socket")
        env.cli("--socket", env.socket_path, "status", env=e)
        self.assertNotEqual(env.cli("status", env=e, check=False).returncode, 0,
                            "kizuki succeeded with KIZUKI_SOCKET pointing nowhere")


class TestHints(k.KizukiTestCase):
    def start_no_logind(self, *args):
        env = self.env
        # No bus at all: the address points nowhere, and the daemon must not need it.
        e = env.environ(DBUS_SYSTEM_BUS_ADDRESS="unix:path=" + os.path.join(env.dir, "no-bus"))
        env.start_daemon(*args, env=e)
        env.grant_consent_raw()
        return self.wait_status(lambda s: s["recording"] == "recording", 5, "recording")

    def test_hints_without_logind(self):
        env = self.env
        st = self.start_no_logind("--no-logind")
        self.assertEqual(st["logind"]["state"], "disabled")
        self.assertEqual(st["logind"]["sessions"], [])
        self.assertIsNone(st.get("hint"))
        m = self.measure(2.5)
        self.assertStill(m, "observed")  # no source of truth: unobserved

        env.cli("hint", "active")
        st = self.wait_active(True)
        self.assertEqual(st["hint"]["state"], "active")
        self.assertGreater(st["hint"]["expires_at"], time.time())
        m = self.measure(3)
        self.assertGrows(m, "active")
        self.assertGrows(m, "observed")

        env.cli("hint", "idle")
        st = self.wait_active(False)
        self.assertEqual(st["hint"]["state"], "idle")
        m = self.measure(3)
        self.assertStill(m, "active")
        self.assertGrows(m, "observed")

        env.cli("hint", "unlocked")
        self.wait_active(True)
        env.cli("hint", "locked")
        st = self.wait_active(False)
        self.assertEqual(st["hint"]["state"], "locked")
        m = self.measure(2.5)
        self.assertStill(m, "active")
        self.assertGrows(m, "observed")

    def test_hint_expiry(self):
        env = self.env
        env.write_config("[recording]\nhint_expiry = 10s\nlogind = no\n")
        st = self.start_no_logind()
        self.assertEqual(st["logind"]["state"], "disabled", "logind = no in kizukid.conf")
        t0 = time.time()
        env.cli("hint", "active")
        st = self.wait_active(True)
        self.assertLessEqual(abs(st["hint"]["expires_at"] - (t0 + 10)), 2, st["hint"])
        st = self.wait_status(lambda s: s.get("hint") is None, 14, "the hint to expire")
        self.assertGreaterEqual(time.time() - t0, 8.5, "hint expired too early")
        self.assertFalse(st["active"])
        m = self.measure(2.5)
        self.assertStill(m, "observed")
        self.assertStill(m, "active")
        # About 10 s were recorded as active in all.
        self.assertLessEqual(abs(m["after"]["today_active_s"] - 10), 2.5, m["after"])

    def test_hint_overrides_logind(self):
        env = self.env
        self.start_with_session()
        env.set_session("c1", IdleHint=True)
        self.wait_active(False)
        env.cli("hint", "active")  # compositor says: someone is here
        self.wait_active(True)
        m = self.measure(2.5)
        self.assertGrows(m, "active")
        env.cli("hint", "idle")
        self.wait_active(False)
        env.set_session("c1", IdleHint=False)
        time.sleep(0.5)
        self.assertFalse(env.status()["active"], "logind IdleHint=false overrode a live idle hint")
        env.cli("hint", "unlocked")
        self.wait_active(True)
        env.set_session("c1", LockedHint=True)  # a locked session wins over the hint
        self.wait_active(False)
        m = self.measure(2.5)
        self.assertStill(m, "active")
        self.assertGrows(m, "observed")


class TestStore(k.KizukiTestCase):
    """What survives a restart, a crash and a broken database."""

    def restart(self):
        env = self.env
        env.start_daemon()
        return self.wait_sessions({"c1"})

    def test_clean_restart(self):
        """Consent persists; the time kizukid was cleanly stopped is observed-inactive."""
        env = self.env
        self.start_with_session()
        time.sleep(2)
        before = env.status()
        t_stop = time.monotonic()
        self.assertEqual(env.stop_daemon(), 0)
        time.sleep(3)
        t_start = time.monotonic()
        self.restart()
        st = self.wait_status(lambda s: s["recording"] == "recording", 5, "recording after restart")
        self.assertTrue(st["consent"]["current"])
        now = time.monotonic()
        want_obs = before["today_observed_s"] + (now - t_stop)
        want_act = before["today_active_s"] + (now - t_start)
        self.assertLessEqual(abs(st["today_observed_s"] - want_obs), 2,
                             f"observed {st['today_observed_s']}, expected ~{want_obs:.0f} "
                             "(the stopped time counts as observed-inactive)")
        self.assertLessEqual(abs(st["today_active_s"] - want_act), 2,
                             f"active {st['today_active_s']}, expected ~{want_act:.0f}")

    def test_crash_loses_at_most_a_flush_interval(self):
        """SIGKILL: the unflushed part is lost (at most flush_interval), the time kizukid
        was down is unobserved, not inactive."""
        env = self.env
        env.write_config("[recording]\nflush_interval = 10s\n")
        self.start_with_session()
        time.sleep(13)
        before = env.status()
        env.daemon.kill(signal.SIGKILL)
        env.daemon.wait(5)
        time.sleep(2)
        t_start = time.monotonic()
        self.restart()
        st = self.wait_status(lambda s: s["recording"] == "recording", 5, "recording after restart")
        since = time.monotonic() - t_start
        kept = st["today_observed_s"] - since
        self.assertGreaterEqual(kept, before["today_observed_s"] - 10 - 2,
                                f"lost more than flush_interval: had {before['today_observed_s']}, "
                                f"now {st['today_observed_s']} {since:.1f}s after restart")
        self.assertLessEqual(kept, before["today_observed_s"] + 1.5,
                             "the time kizukid was killed was counted as observed")

    def test_reloads_do_not_postpone_the_flush(self):
        """The flush interval is a promise: reloads more often than it must not keep
        restarting the flush timer (issue #17: 60 s recorded, 0 s stored)."""
        env = self.env
        env.write_config("[recording]\nflush_interval = 10s\n")
        self.start_with_session()
        end = time.monotonic() + 25
        while time.monotonic() < end:
            env.daemon.kill(signal.SIGHUP)
            time.sleep(2)
        env.assert_daemon_alive()
        before = env.status()
        self.assertGreaterEqual(before["today_observed_s"], 24)
        env.daemon.kill(signal.SIGKILL)
        env.daemon.wait(5)
        t_start = time.monotonic()
        self.restart()
        st = self.wait_status(lambda s: s["recording"] == "recording", 5, "recording after restart")
        kept = st["today_observed_s"] - (time.monotonic() - t_start)
        self.assertGreaterEqual(kept, before["today_observed_s"] - 10 - 2,
                                f"reloads postponed the flush: had {before['today_observed_s']} s, "
                                f"kept {kept:.0f} s after kill -9")

    def test_outdated_consent(self):
        env = self.env
        self.start_with_session()
        self.assertEqual(env.stop_daemon(), 0)
        con = sqlite3.connect(env.db_path)
        con.execute("UPDATE consent SET text_version = '0', text_sha256 = ?", ("ab" * 32,))
        con.commit()
        con.close()
        self.restart()
        st = env.status()
        self.assertEqual(st["recording"], "consent-outdated")
        self.assertFalse(st["consent"]["current"])
        m = self.measure(2.5)
        self.assertStill(m, "observed")
        env.cli("consent", "grant", "--yes")
        self.wait_status(lambda s: s["recording"] == "recording", 5, "recording")
        m = self.measure(2.5)
        self.assertGrows(m, "observed")

    def test_corrupt_database_is_moved_aside(self):
        env = self.env
        os.makedirs(env.state_dir, mode=0o700)
        junk = b"this is not an SQLite database\n" * 200
        with open(env.db_path, "wb") as f:
            f.write(junk)
        self.start_with_session(consent=False)
        st = env.status()
        self.assertEqual(st["recording"], "no-consent")
        aside = [n for n in os.listdir(env.state_dir) if n.startswith("kizuki.db.corrupt-")]
        self.assertEqual(len(aside), 1, os.listdir(env.state_dir))
        with open(os.path.join(env.state_dir, aside[0]), "rb") as f:
            self.assertEqual(f.read(), junk, "the broken file was not kept as it was")
        self.assertIn("corrupt", env.daemon.log_text().lower(), "kizukid did not say so")
        env.grant_consent_raw()
        self.assertEqual(env.stop_daemon(), 0)
        con = sqlite3.connect(f"file:{env.db_path}?mode=ro", uri=True)
        self.assertEqual(con.execute("PRAGMA quick_check").fetchone()[0], "ok")
        con.close()


class TestConfig(k.KizukiTestCase):
    def test_reload_and_sighup(self):
        env = self.env
        env.write_config("[recording]\nhint_expiry = 10min\n")
        self.start_with_session()
        st = env.call(k.IFACE + ".Hint", {"state": "active"})
        self.assertLessEqual(abs(st["expires_at"] - (time.time() + 600)), 3)
        env.write_config("[recording]\nhint_expiry = 20s\n")
        env.call(k.IFACE + ".Reload", {})
        st = env.call(k.IFACE + ".Hint", {"state": "active"})
        self.assertLessEqual(abs(st["expires_at"] - (time.time() + 20)), 3, "Reload ignored")
        env.write_config("[recording]\nhint_expiry = 30s\n")
        env.daemon.kill(signal.SIGHUP)
        wait_for(lambda: abs(env.call(k.IFACE + ".Hint", {"state": "active"})["expires_at"]
                             - (time.time() + 30)) <= 3, 5, what="SIGHUP to reload kizukid.conf")
        env.assert_daemon_alive()
        # A broken file: warnings, defaults kept, still running.
        env.write_config("[recording]\nflush_interval = banana\nhint_expiry = 1s\n[nonsense\n")
        env.daemon.kill(signal.SIGHUP)
        time.sleep(0.5)
        env.assert_daemon_alive()
        self.assertEqual(env.status()["recording"], "recording")

    def test_reload_reports_an_unreadable_config(self):
        """A FIFO, a link to /dev/zero, a file over 1 MiB in place of kizukid.conf: the
        reload does not block, reports it (reply, log, CLI exit 1) and keeps the settings
        in force (issue #17: it said "Reloaded.")."""
        env = self.env
        env.write_config("[recording]\nhint_expiry = 20s\n")
        self.start_with_session()

        def hint_expiry():
            return env.call(k.IFACE + ".Hint", {"state": "active"})["expires_at"] - time.time()

        self.assertLessEqual(abs(hint_expiry() - 20), 3)
        def write_big(path):
            with open(path, "w") as f:
                f.write("[recording]\nhint_expiry = 30s\n" + "# padding\n" * 110000)

        for what, make in (("a FIFO", lambda p: os.mkfifo(p, 0o600)),
                           ("a link to /dev/zero", lambda p: os.symlink("/dev/zero", p)),
                           ("a file over 1 MiB", write_big)):
            with self.subTest(what):
                os.remove(env.config_path)
                make(env.config_path)
                r = env.cli("reload", check=False, timeout=10)
                self.assertEqual(r.returncode, 1, f"{what}: {r.stdout!r} {r.stderr!r}")
                self.assertNotIn("Reloaded.", r.stdout)
                self.assertIn("kizukid.conf: cannot be read (", r.stderr)
                self.assertIn("kizukid.conf could not be read; the settings in force stay.", r.stderr)
                reply = env.call(k.IFACE + ".Reload", {}, timeout=5)
                self.assertTrue(reply["config_kept"])
                self.assertTrue(any("kizukid.conf: cannot be read" in p for p in reply["problems"]),
                                reply)
                env.assert_daemon_alive()
                self.assertLessEqual(abs(hint_expiry() - 20), 3, f"{what}: settings not kept")
        self.assertIn("kizukid.conf: cannot be read (", env.daemon.log_text())

    def test_reload_reports_invalid_values(self):
        """A bad value, or a key on the section header's line (which inih drops):
        "kizukid.conf:LINE: ..." in the reply and from kizuki reload, the
        default kept for it, the rest applied; the exit status stays 0."""
        env = self.env
        env.write_config("[recording] hint_expiry = 90s\nflush_interval = banana\nhint_expiry = 20s\n")
        self.start_with_session()
        r = env.cli("reload")
        self.assertEqual(r.stdout, "Reloaded.\n")
        self.assertIn("kizukid.conf:1: text 'hint_expiry = 90s' after the section header, ignored", r.stderr)
        self.assertIn("kizukid.conf:2: invalid value 'banana' for flush_interval "
                      "(expected a duration from 10s to 1h), keeping 5min", r.stderr)
        self.assertIn("1 file with problems", r.stderr)
        reply = env.call(k.IFACE + ".Reload", {})
        self.assertFalse(reply["config_kept"])
        self.assertEqual([p.split("kizukid.conf:", 1)[1] for p in reply["problems"]],
                         ["1: text 'hint_expiry = 90s' after the section header, ignored",
                          "2: invalid value 'banana' for flush_interval "
                          "(expected a duration from 10s to 1h), keeping 5min"])
        st = env.call(k.IFACE + ".Hint", {"state": "active"})
        self.assertLessEqual(abs(st["expires_at"] - (time.time() + 20)), 3, "the good value not applied")

    def test_explicit_paths(self):
        env = self.env
        env.start_bus_and_logind()
        env.add_session("c1")
        sock = os.path.join(env.dir, "elsewhere", "ctl.sock")
        os.makedirs(os.path.dirname(sock), mode=0o700)
        state = os.path.join(env.dir, "mystate")
        conf = os.path.join(env.dir, "my.conf")
        with open(conf, "w") as f:
            f.write("[recording]\nhint_expiry = 15s\n")
        env.start_daemon("--socket", sock, "--state-dir", state, "--config", conf, "--debug",
                         wait=False)
        st = env.wait_daemon_ready(path=sock)
        self.assertEqual(os.path.realpath(st["store_path"]),
                         os.path.realpath(os.path.join(state, "kizuki.db")))
        self.assertTrue(os.path.exists(os.path.join(state, "kizuki.db")))
        self.assertFalse(os.path.exists(env.socket_path), "default socket created despite --socket")
        r = env.call(k.IFACE + ".Hint", {"state": "active"}, path=sock)
        self.assertLessEqual(abs(r["expires_at"] - (time.time() + 15)), 3, "--config ignored")

    def test_help_and_version(self):
        for arg in ("--help", "--version"):
            r = subprocess.run([k.KIZUKID, arg], capture_output=True, text=True,
                               timeout=10, env=self.env.environ())
            self.assertEqual(r.returncode, 0, (arg, r.stderr))
            self.assertTrue(r.stdout.strip(), f"kizukid {arg} printed nothing on stdout")
        r = subprocess.run([k.KIZUKID, "--no-such-option"], capture_output=True,
                           text=True, timeout=10, env=self.env.environ())
        self.assertNotEqual(r.returncode, 0)


if __name__ == "__main__":
    k.main()
