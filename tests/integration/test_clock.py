#!/usr/bin/python3
"""The real kizukid under a wall clock that jumps (libfaketime; the monotonic and
boot clocks stay real, as when someone sets the system clock): issue #17 point 1.
Whatever the wall clock does, recording goes on at 1 s/s, no hour that starts
after now is ever in the store, the store never holds more seconds than were
lived, and the person's export can be imported again after a forget."""

import json
import os
import sqlite3
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import kizukitest as k  # noqa: E402

HOUR = 3600
YEAR = 365 * 86400


class TestClockJumps(k.KizukiTestCase):
    def start(self, offset=0, config="[recording]\nflush_interval = 10s\n"):
        """Bus, mock logind with an active session, kizukid under a movable clock
        (saving every 10 s, so a save falls inside every 15 s jump), consent."""
        env = self.env
        env.write_config(config)
        env.start_bus_and_logind()
        env.add_session("c1", active=True)
        env.start_daemon(env=env.faketime_environ(offset))
        self.wait_sessions({"c1"})
        self.t_consent = time.monotonic()
        env.grant_consent_raw()
        self.wait_status(lambda s: s["recording"] == "recording" and s["active"], what="recording, active")

    def stored(self):
        """(start, observed_s) of every stored hour, read while kizukid runs."""
        con = sqlite3.connect(f"file:{self.env.db_path}?mode=ro", uri=True, timeout=5)
        try:
            return con.execute("SELECT start, observed_s FROM bucket ORDER BY start").fetchall()
        finally:
            con.close()

    def assertNoFutureHour(self, offset=0):
        now = time.time() + offset
        future = [r for r in self.stored() if r[0] > now]
        self.assertEqual(future, [], f"hours that start after now ({int(now)}) are in the store")

    def jump(self, offset, seconds=15.0):
        """The wall clock runs `offset` s off for `seconds`, then is set right again.
        The daemon is asked for its status throughout (each answer accounts the time
        so far); recording must go on and say so."""
        env = self.env
        env.set_clock(offset)
        end = time.monotonic() + seconds
        while time.monotonic() < end:
            st = env.status()
            self.assertEqual(st["recording"], "recording")
            self.assertTrue(st["active"])
            self.assertNoFutureHour(offset)
            time.sleep(1.0)
        env.set_clock(0)
        env.status()  # the daemon sees the clock back
        self.assertNoFutureHour()

    def check_totals(self):
        """Stop; every stored second was lived, and nearly every lived second is stored."""
        env = self.env
        env.stop_daemon()
        lived = time.monotonic() - self.t_consent
        rows = env.db_rows("SELECT start, observed_s FROM bucket ORDER BY start")
        total = sum(r[1] for r in rows)
        self.assertLessEqual(total, lived + 1, f"{total} s stored for {lived:.1f} s lived: {rows}")
        self.assertGreaterEqual(total, lived - 4, f"{total} s stored for {lived:.1f} s lived: {rows}")
        self.assertEqual([r for r in rows if r[0] > time.time()], [])
        return rows

    def test_forward_jumps_and_back(self):
        """+1 h and +1 year for 15 s each, then back: observed seconds keep growing."""
        self.start()
        self.assertGrows(self.measure(2.0), "observed")
        for offset in (HOUR, YEAR):
            self.jump(offset)
            m = self.measure(3.0)
            self.assertGrows(m, "observed")
            self.assertGrows(m, "active")
        log = self.env.daemon.log_text()
        for line in ("jumped forward by 3600 s", "jumped back by 3600 s", "jumped forward by 31536000 s",
                     "jumped back by 31536000 s"):
            self.assertIn("The wall clock " + line, log)
        self.check_totals()

    def test_backward_jump_and_forward(self):
        """-1 h for 15 s, then forward again: recording goes on at once, both ways."""
        self.start()
        self.assertGrows(self.measure(2.0), "observed")
        self.jump(-HOUR)
        self.assertGrows(self.measure(3.0), "observed")
        self.check_totals()

    def test_export_forget_import_after_jumps(self):
        """The person's own export imports again after jumps both ways."""
        env = self.env
        self.start()
        time.sleep(2)
        self.jump(YEAR)
        self.jump(-HOUR, 5)
        time.sleep(1)
        out = os.path.join(env.dir, "export.json")
        env.cli("export", "-o", out)
        with open(out) as f:
            exp = json.load(f)
        starts = [r["start"] for r in exp["tables"]["bucket"]["rows"]]
        self.assertTrue(starts)
        self.assertLessEqual(max(starts), time.time())
        env.cli("forget", "--all", "--yes")
        env.cli("consent", "grant", "--yes")
        r = env.cli("import", "--format", "kizuki", out, check=False)
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)

    def test_future_hour_in_an_old_store(self):
        """A store an older kizukid left with an hour a year ahead (after a clean stop):
        at start its seconds are folded into the hour of that stop, so the export
        imports again; the rest stays."""
        env = self.env
        self.start()
        time.sleep(2)
        env.stop_daemon()
        stop = int(time.time())
        con = sqlite3.connect(env.db_path)
        with con:
            con.execute("INSERT INTO bucket (start, utc_offset, active_s, observed_s) VALUES (?, 0, 7, 9)",
                        (stop - stop % HOUR + YEAR,))
        con.close()
        before = sum(r[1] for r in env.db_rows("SELECT start, observed_s FROM bucket"))
        env.start_daemon(env=env.faketime_environ(0))
        self.assertNoFutureHour()
        self.assertIn("1 stored hours started in the future", env.daemon.log_text())
        env.stop_daemon()
        rows = env.db_rows("SELECT start, observed_s FROM bucket")
        self.assertEqual([r for r in rows if r[0] > time.time()], [])
        self.assertGreaterEqual(sum(r[1] for r in rows), before)


if __name__ == "__main__":
    k.main()
