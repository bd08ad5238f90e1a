#!/usr/bin/python3
"""Desktop notifications of new nudges, end to end: the real kizukid raises a
nudge and calls org.freedesktop.Notifications on a private session bus, where
python-dbusmock's notification_daemon template records the call. By default
the notification is discreet (a neutral title and line, no figure, no word of
the nudge); notify = no sends none; without a notification server (or without
a session bus at all) the nudge still waits, unread, in kizuki status and in
plain 'kizuki', which leads with it."""

import datetime as dt
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import kizukitest as k  # noqa: E402

# A nudge whose words say what a discreet notification must not: a figure,
# sleep, withdrawal.
POLICY = ("[policy]\nsignal = mood\nwindow = 1d\nmin_valid_days = 1\ndetector = threshold\n"
          "direction = down\nseverity = concern\n[threshold]\nvalue = 3\n"
          "[nudge]\ntitle = Mood {value}: sleep and withdrawal\n"
          "body = You have withdrawn and slept badly ({value}).\nstep = Call a friend.\n")
LEAKS = ("Mood", "1.0", "sleep", "slept", "withdraw", "friend")


class TestNotify(k.KizukiTestCase):
    def raise_nudge(self, config, saddr):
        """kizukid with the mood policy, the config and the session bus saddr
        (None: no session bus at all); a check-in that makes it fire. Returns
        the raised nudge."""
        env = self.env
        pdir = os.path.join(env.dir, "policies")
        os.makedirs(pdir)
        with open(os.path.join(pdir, "low-mood.policy"), "w") as f:
            f.write(POLICY)
        if config is not None:
            env.write_config(config)
        bus = saddr if saddr else "unix:path=" + os.path.join(env.dir, "no-such-bus")
        env.start_daemon("--no-logind", env=env.environ(KIZUKI_POLICY_PATH=pdir, DBUS_SESSION_BUS_ADDRESS=bus))
        env.grant_consent_raw()
        # kizukid decides a day once it is over: the check-in is yesterday's.
        today = dt.date.fromisoformat(k.local_date(env.status()))
        env.cli("checkin", "--mood", "1", "--date", (today - dt.timedelta(days=1)).isoformat())
        ev = env.call(k.IFACE + ".EvalPolicies", {})
        self.assertEqual(len(ev["raised"]), 1, ev)
        return ev["raised"][0]

    def assert_waits(self, nudge):
        """The nudge is unread in status and leads plain 'kizuki'."""
        env = self.env
        self.assertEqual(env.status()["unread_nudges"], 1)
        status = env.cli("--color=never", "status").stdout
        self.assertIn("1 unread", status)
        self.assertIn(f"#{nudge['id']}", status)
        home = env.cli("--color=never").stdout
        first = home.splitlines()[0]
        self.assertIn(f"#{nudge['id']}", first)
        self.assertIn("You have withdrawn", home)
        self.assertLess(home.index("You have withdrawn"), home.index("Recording"))

    def test_discreet_by_default(self):
        env = self.env
        saddr = env.start_notifications()
        nudge = self.raise_nudge(None, saddr)
        calls = env.notify_calls(saddr)
        self.assertEqual(len(calls), 1, calls)
        app, _, _, summary, body, _, hints, _ = calls[0]
        self.assertEqual(app, "kizuki")
        self.assertEqual(summary, "kizuki")
        self.assertIn("kizuki", body)
        for word in LEAKS:
            self.assertNotIn(word.lower(), (summary + body).lower(), (summary, body))
        # Never critical (2), even for a concern: normal urgency.
        self.assertEqual(hints["urgency"]["data"], 1, hints)
        # Seen or not, the nudge waits in kizuki until read.
        self.assert_waits(nudge)

    def test_yes_is_discreet_full_is_full(self):
        env = self.env
        saddr = env.start_notifications()
        self.raise_nudge("[nudges]\nnotify = yes\n", saddr)
        calls = env.notify_calls(saddr)
        self.assertEqual([c[3] for c in calls], ["kizuki"])
        env.stop_daemon()
        env.write_config("[nudges]\nnotify = full\n")
        env.start_daemon("--no-logind", env=env.environ(KIZUKI_POLICY_PATH=os.path.join(env.dir, "policies"),
                                                         DBUS_SESSION_BUS_ADDRESS=saddr))
        # The same day raises nothing twice: a second policy shows full's words.
        with open(os.path.join(env.dir, "policies", "low-mood-2.policy"), "w") as f:
            f.write(POLICY.replace("Mood {value}", "Second {value}"))
        ev = env.call(k.IFACE + ".EvalPolicies", {})
        self.assertEqual(len(ev["raised"]), 1, ev)
        calls = env.notify_calls(saddr)
        self.assertEqual(len(calls), 2, calls)
        full = calls[1]
        self.assertEqual(full[3], "Second 1.0: sleep and withdrawal")
        self.assertIn("You have withdrawn and slept badly (1.0).", full[4])
        self.assertIn("Call a friend.", full[4])
        self.assertEqual(full[6]["urgency"]["data"], 1)

    def test_no_sends_nothing(self):
        env = self.env
        saddr = env.start_notifications()
        nudge = self.raise_nudge("[nudges]\nnotify = no\n", saddr)
        self.assertEqual(env.notify_calls(saddr), [])
        self.assert_waits(nudge)

    def test_no_server_nudge_waits(self):
        """A session bus without a notification server, then no session bus
        at all: the daemon says so once per nudge and carries on."""
        env = self.env
        saddr = env.start_notifications(server=False)
        nudge = self.raise_nudge(None, saddr)
        env.assert_daemon_alive()
        self.assertIn("waits in 'kizuki status'", env.daemon.log_text())
        self.assert_waits(nudge)

    def test_no_session_bus_nudge_waits(self):
        env = self.env
        nudge = self.raise_nudge(None, None)
        env.assert_daemon_alive()
        self.assertIn("no session bus", env.daemon.log_text())
        self.assert_waits(nudge)


if __name__ == "__main__":
    k.main()
