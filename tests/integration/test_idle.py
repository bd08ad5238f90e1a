#!/usr/bin/python3
"""kizuki-idle, the idle helper, against real display servers: Xvfb with input
injected through XTEST (xdotool), sway headless with a virtual keyboard
(wtype), and KWin (kwin_wayland --virtual) with idle-poke. The real kizukid (on a private bus with a mock logind whose session
never reports IdleHint, as on KDE, Xfce or sway) and the real kizuki-idle.

Run one class per ctest entry: `test_idle.py -v TestX11` (or TestSway,
TestKWin, TestProtocol). A
display server that cannot start or is not installed is a SKIP with the
reason, and the script then exits 77 (ctest SKIP_RETURN_CODE), never a pass.

Timing: the helper's timeout is 3 s; growth over dt seconds must be dt ± 2 s,
"no growth" at most 1 s, as in test_logind.py."""

import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import kizukitest as k  # noqa: E402
from kizukitest import wait_for  # noqa: E402

KIZUKI_IDLE = os.environ.get("KIZUKI_IDLE") or os.path.join(k.BUILD_DIR, "kizuki-idle")
IDLE_POKE = os.environ.get("IDLE_POKE") or os.path.join(k.BUILD_DIR, "idle-poke")
TIMEOUT_S = 3
# What the person's session looks like to the helper: not GNOME (which sets
# IdleHint itself), no other display than the one under test.
CLEAN = dict(XDG_CURRENT_DESKTOP=None, WAYLAND_DISPLAY=None, DISPLAY=None, XDG_SESSION_ID=None)


def start_xvfb(env):
    """Xvfb on a free display (-displayfd); returns (Proc, ":N")."""
    if not shutil.which("Xvfb") or not shutil.which("xdotool"):
        raise unittest.SkipTest("Xvfb or xdotool is not installed (apt-get install xvfb xdotool)")
    r, w = os.pipe()
    p = env.spawn("Xvfb", ["Xvfb", "-displayfd", str(w), "-nolisten", "tcp", "-screen", "0", "640x480x24"],
                  pass_fds=(w,))
    os.close(w)
    buf = b""
    deadline = time.monotonic() + 10
    os.set_blocking(r, False)
    while not buf.endswith(b"\n") and time.monotonic() < deadline and p.alive():
        try:
            chunk = os.read(r, 16)
            if not chunk:
                break
            buf += chunk
        except BlockingIOError:
            time.sleep(0.05)
    os.close(r)
    if not buf.strip().isdigit():
        raise unittest.SkipTest(f"Xvfb did not start: {p.log_text()[-500:]}")
    return p, ":" + buf.decode().strip()


def start_session_bus(env):
    """A private session bus (the test bus configuration: everything allowed);
    returns its address."""
    path = os.path.join(env.dir, "session_bus_socket")
    bus = env.spawn("session-bus", ["dbus-daemon", "--nofork", "--nopidfile", "--nosyslog",
                                    f"--config-file={k.BUS_CONF}", f"--address=unix:path={path}"])
    wait_for(lambda: os.path.exists(path) or not bus.alive(), 10, 0.1, "the session bus")
    if not bus.alive():
        raise AssertionError("dbus-daemon for the session bus did not start: " + bus.log_text())
    return "unix:path=" + path


def start_kwin(env):
    """kwin_wayland --virtual in a runtime dir of its own; returns (Proc, the
    Wayland variables for its clients). Input: idle-poke (see TestKWin)."""
    kwin = shutil.which("kwin_wayland")
    if not kwin:
        raise unittest.SkipTest("kwin_wayland is not installed (apt-get install kwin-wayland)")
    if not os.access(IDLE_POKE, os.X_OK):
        raise unittest.SkipTest(f"idle-poke is not built ({IDLE_POKE})")
    rt = tempfile.mkdtemp(prefix="kz-kwin-", dir=env.dir)
    os.chmod(rt, 0o700)
    # Debian's kwin_wayland has file capabilities (cap_sys_resource), and
    # exec fails with EPERM where they are not in the bounding set (a
    # container): a copy has none. KWin loads its own Qt platform plugin
    # only when its file name ends in kwin_wayland.
    os.makedirs(os.path.join(rt, "bin"))
    copy = os.path.join(rt, "bin", "kwin_wayland")
    shutil.copy(kwin, copy)
    e = env.environ(**CLEAN)
    e.update(XDG_RUNTIME_DIR=rt, HOME=rt, KWIN_COMPOSE="Q")
    p = env.spawn("kwin", [copy, "--virtual", "--no-lockscreen", "--no-global-shortcuts", "--no-kactivities",
                           "--socket", "kz-kwin"], env=e)
    wait_for(lambda: os.path.exists(os.path.join(rt, "kz-kwin")) or not p.alive(), 20, 0.1, "KWin's Wayland socket")
    if not p.alive():
        raise unittest.SkipTest(f"kwin_wayland --virtual did not start: {p.log_text()[-800:]}")
    return p, dict(XDG_RUNTIME_DIR=rt, WAYLAND_DISPLAY="kz-kwin")


def start_sway(env):
    """sway headless (with wtype for input) in a runtime dir of its own;
    returns (Proc, the Wayland variables for its clients)."""
    for tool in ("sway", "wtype"):
        if not shutil.which(tool):
            raise unittest.SkipTest(f"{tool} is not installed (apt-get install sway wtype)")
    rt = tempfile.mkdtemp(prefix="kz-wl-", dir=env.dir)
    os.chmod(rt, 0o700)
    cfg = os.path.join(rt, "sway.conf")
    with open(cfg, "w") as f:
        f.write("# nothing: no bar, no idle daemon\n")
    argv = ["sway", "-c", cfg]
    if os.getuid() == 0:
        # sway refuses to run as root ("Unable to drop root"): run it as
        # nobody, in a runtime dir of its own; root may still connect.
        if not shutil.which("setpriv"):
            raise unittest.SkipTest("running as root and setpriv (util-linux) is missing to start sway as nobody")
        os.chmod(env.dir, 0o755)  # for nobody to reach rt
        os.chown(rt, 65534, 65534)
        os.chown(cfg, 65534, 65534)
        argv = ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", *argv]
    e = env.environ(**CLEAN)
    e.update(XDG_RUNTIME_DIR=rt, WLR_BACKENDS="headless", WLR_LIBINPUT_NO_DEVICES="1", WLR_RENDERER="pixman",
             HOME=rt)
    p = env.spawn("sway", argv, env=e)

    def sockets():
        return [n for n in os.listdir(rt) if n.startswith("wayland-") and not n.endswith(".lock")]
    wait_for(lambda: sockets() or not p.alive(), 10, 0.1, "sway's Wayland socket")
    if not p.alive() or not sockets():
        raise unittest.SkipTest(f"sway headless did not start: {p.log_text()[-800:]}")
    return p, dict(XDG_RUNTIME_DIR=rt, WAYLAND_DISPLAY=sockets()[0])


class IdleCase(k.KizukiTestCase):
    """Helpers shared by the display servers' tests."""

    def _cleanup_env(self):
        """Stop the helpers with SIGTERM first (a clean exit, where a sanitizer
        reports), and fail on what their logs say; then the harness's checks."""
        found = []
        for p in self.env.procs:
            if p.name == "kizuki-idle":
                p.kill(signal.SIGTERM)
                p.wait(5)
                found += [f"kizuki-idle (pid {p.pid}) log contains {m!r}"
                          for m in k.SANITIZER_MARKERS if m in p.log_text()][:1]
        super()._cleanup_env()
        if found:
            raise AssertionError("; ".join(found))

    def start_helper(self, extra_env, *args, session="c1"):
        env = self.env.environ(**CLEAN)
        env.update(extra_env)
        p = self.env.spawn("kizuki-idle", [KIZUKI_IDLE, "--timeout", str(TIMEOUT_S), "--session", session, "-v",
                                           *args], env=env)
        self.helper = p
        return p

    def wait_source(self, state, timeout=5):
        return self.wait_status(
            lambda s: s["activity_source"] == "idle-helper"
            and [x["state"] for x in s["idle_sources"]] == [state],
            timeout, f"one idle source in state {state}")

    def input(self):
        raise NotImplementedError

    def check_idle_and_back(self, protocol):
        """Active while there is input; idle TIMEOUT_S after the last input,
        with the seconds in between counted active; active again on input."""
        st = self.wait_source("active")
        self.assertEqual(st["idle_sources"][0]["protocol"], protocol)
        self.assertEqual(st["idle_sources"][0]["session"], "c1")
        self.assertEqual(st["idle_sources"][0]["timeout_s"], TIMEOUT_S)

        # Input for a while: active, counted.
        t_end = time.monotonic() + 2.5
        s0 = self.env.status()
        while time.monotonic() < t_end:
            self.input()
            time.sleep(0.4)
        self.input()
        t_last = time.monotonic()
        s_last = self.env.status()
        self.assertTrue(s_last["active"], "not active while there is input")
        grown = s_last["today_active_s"] - s0["today_active_s"]
        self.assertLessEqual(abs(grown - 2.5), 2, f"active grew {grown} s over 2.5 s of input")

        # No input: idle after the timeout, and the timeout itself counted active.
        st = self.wait_source("idle", timeout=TIMEOUT_S + 4)
        waited = time.monotonic() - t_last
        self.assertGreaterEqual(waited, TIMEOUT_S - 1, f"idle after {waited:.1f} s, before the timeout")
        self.assertFalse(st["active"])
        grown = st["today_active_s"] - s_last["today_active_s"]
        self.assertLessEqual(abs(grown - TIMEOUT_S), 2, f"{grown} s active between the last input and idle")
        m = self.measure(3)
        self.assertStill(m, "active")
        self.assertGrows(m, "observed")

        # Input again: active at once (within the time a loaded machine takes).
        self.input()
        st = self.wait_source("active", timeout=4)
        self.assertTrue(st["active"])
        self.input()
        m = self.measure(2)
        self.assertGrows(m, "active")
        # And idle again: the alarms (or notifications) stay armed after firing.
        st = self.wait_source("idle", timeout=TIMEOUT_S + 4)
        self.assertFalse(st["active"])
        self.input()
        self.wait_source("active", timeout=4)

    def check_killed(self, extra_env):
        """SIGKILL: the daemon stops counting active time at once (the time is
        unobserved), and a new helper takes over."""
        self.wait_source("active")
        self.helper.kill(signal.SIGKILL)
        self.helper.wait(5)
        t0 = time.monotonic()
        st = self.wait_source("lost", timeout=2)
        self.assertLess(time.monotonic() - t0, 2)
        self.assertFalse(st["active"])
        m = self.measure(2.5)
        self.assertStill(m, "active")
        self.assertStill(m, "observed")
        out = self.env.cli("status").stdout
        self.assertIn("gone (time unobserved", out)
        # Back: it replaces its lost predecessor.
        self.start_helper(extra_env)
        st = self.wait_source("active")
        self.assertEqual(len(st["idle_sources"]), 1)

    def check_goodbye_and_reconnect(self, extra_env):
        """A restarted kizukid gets the helper back (reconnect with backoff);
        SIGTERM says goodbye: logind decides again."""
        self.wait_source("active")
        self.env.stop_daemon()
        self.env.start_daemon()
        self.wait_sessions({"c1"})
        self.wait_source("active", timeout=6)
        self.helper.kill(signal.SIGTERM)
        self.assertEqual(self.helper.wait(5), 0)
        st = self.wait_status(lambda s: s["activity_source"] == "logind" and not s["idle_sources"], 3,
                              "logind decides again")
        self.assertTrue(st["active"])  # the mock session is active, not idle


class TestX11(IdleCase):
    def setUp(self):
        super().setUp()
        self.xvfb, self.display = start_xvfb(self.env)
        self.xenv = dict(DISPLAY=self.display)
        self.start_with_session()

    def input(self):
        subprocess.run(["xdotool", "mousemove_relative", "--", "1", "1"], env=self.env.environ(**self.xenv),
                       check=True, timeout=5)

    def test_status_warns_until_helper(self):
        st = self.env.status()
        self.assertEqual(st["activity_source"], "logind")
        self.assertTrue(st["idle_unreported"])
        out = self.env.cli("status").stdout
        self.assertIn("Source:", out)
        self.assertIn("systemctl --user enable --now kizuki-idle", out)
        self.input()
        self.start_helper(self.xenv)
        self.wait_source("active")
        st = self.env.status()
        self.assertFalse(st["idle_unreported"])
        out = self.env.cli("status").stdout
        self.assertIn("idle helper: x11-sync active", out)
        self.assertNotIn("enable --now kizuki-idle", out)

    def test_logind_idle_hint_ends_the_warning(self):
        self.env.set_session("c1", IdleHint=True)
        self.wait_status(lambda s: not s["active"], 3, "idle from logind")
        self.env.set_session("c1", IdleHint=False)
        st = self.wait_status(lambda s: s["active"], 3, "active from logind")
        self.assertFalse(st["idle_unreported"])

    def test_idle_after_timeout_active_on_input(self):
        self.input()
        self.start_helper(self.xenv)
        self.check_idle_and_back("x11-sync")

    def test_logind_lock_still_counts(self):
        self.input()
        self.start_helper(self.xenv)
        self.wait_source("active")
        self.env.set_session("c1", LockedHint=True)
        self.wait_status(lambda s: not s["active"], 3, "locked is away")

    def test_sigkill(self):
        self.input()
        self.start_helper(self.xenv)
        self.check_killed(self.xenv)

    def test_daemon_restart_and_goodbye(self):
        self.input()
        self.start_helper(self.xenv)
        self.check_goodbye_and_reconnect(self.xenv)

    def test_stale_session_id_counts_for_all(self):
        """A session id logind does not know (a stale XDG_SESSION_ID in the user
        manager) does not make the helper useless: it reports for all sessions."""
        self.input()
        self.start_helper(self.xenv, session="c9")
        st = self.wait_status(lambda s: [x["state"] for x in s["idle_sources"]] == ["idle"], TIMEOUT_S + 4,
                              "the helper reports idle")
        self.assertEqual(st["idle_sources"][0]["session"], "c9")
        self.assertFalse(st["active"])

    def test_screen_saver_lock(self):
        """org.freedesktop.ScreenSaver ActiveChanged on the session bus (KDE's
        locker, light-locker) is a lock: away, even with input."""
        addr = start_session_bus(self.env)
        self.input()
        self.start_helper({**self.xenv, "DBUS_SESSION_BUS_ADDRESS": addr})
        self.wait_source("active")

        def emit(active):
            subprocess.run(["busctl", f"--address={addr}", "emit", "/org/freedesktop/ScreenSaver",
                            "org.freedesktop.ScreenSaver", "ActiveChanged", "b", active], check=True, timeout=10)

        def emitted(active, state):
            # Until the helper has its match in place (its first turn of the
            # loop) a signal passes it by: say it again until it is heard.
            emit(active)
            return self.env.status()["idle_sources"][0]["state"] == state
        wait_for(lambda: emitted("true", "locked"), 5, 0.3, "locked after ActiveChanged(true)")
        self.assertFalse(self.env.status()["active"])
        self.input()
        time.sleep(0.5)
        self.assertEqual(self.env.status()["idle_sources"][0]["state"], "locked", "input does not unlock")
        emit("false")
        self.input()
        st = self.wait_source("active", timeout=4)
        self.assertTrue(st["active"])

    def test_gnome_is_left_alone(self):
        env = self.env.environ(**CLEAN)
        env.update(self.xenv, XDG_CURRENT_DESKTOP="ubuntu:GNOME")
        r = subprocess.run([KIZUKI_IDLE], env=env, capture_output=True, text=True, timeout=10)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn("GNOME sets logind's IdleHint itself", r.stderr)
        self.assertEqual(self.env.status()["idle_sources"], [])


class TestProtocol(IdleCase):
    """AttachIdleSource/SetIdleState over raw Varlink, no display: hostile
    input, the bound on sources, an attached connection neither timed out nor
    evicted, and a lost source for all sessions."""

    ATTACH = k.IFACE + ".AttachIdleSource"
    SET = k.IFACE + ".SetIdleState"

    def setUp(self):
        super().setUp()
        self.start_with_session()

    def attach(self, **params):
        c = self.env.client()
        self.addCleanup(c.close)
        c.call(self.ATTACH, {"protocol": "test", "timeout_s": 60, **params})
        return c

    def test_hostile_parameters(self):
        with self.env.client() as c:
            e = c.call_raw(self.SET, {"state": "idle"})
            self.assertEqual(e.get("error"), k.IFACE + ".NotAttached")
        bad = [({"protocol": "", "timeout_s": 1}, "protocol"), ({"protocol": "A b", "timeout_s": 1}, "protocol"),
               ({"protocol": "x" * 32, "timeout_s": 1}, "protocol"), ({"protocol": "x", "timeout_s": 0}, "timeout_s"),
               ({"protocol": "x", "timeout_s": 86401}, "timeout_s"), ({"protocol": "x"}, "timeout_s"),
               ({"protocol": "x", "timeout_s": 1, "session": "../1"}, "session"),
               ({"protocol": "x", "timeout_s": 1, "session": 7}, "session")]
        for params, name in bad:
            with self.env.client() as c:
                e = c.call_raw(self.ATTACH, params)
                self.assertEqual(e.get("error"), "org.varlink.service.InvalidParameter", params)
                self.assertEqual(e["parameters"]["parameter"], name, params)
        c = self.attach()
        for state in ("", "lost", "ACTIVE", 3, None):
            e = c.call_raw(self.SET, {"state": state})
            self.assertEqual(e.get("error"), "org.varlink.service.InvalidParameter", state)
        self.assertEqual(self.env.status()["idle_sources"][0]["state"], "active")
        self.env.assert_daemon_alive()

    def test_bounded_number_of_sources(self):
        conns = [self.attach(session=f"s{i}") for i in range(8)]
        with self.env.client() as c:
            e = c.call_raw(self.ATTACH, {"protocol": "test", "timeout_s": 60})
            self.assertEqual(e.get("error"), k.IFACE + ".TooManyIdleSources")
            self.assertEqual(e["parameters"]["limit"], 8)
        conns[0].call(self.SET, {"state": "detach"})
        self.attach()
        self.assertEqual(len(self.env.status()["idle_sources"]), 8)

    def test_attached_connection_survives_flood_and_quiet(self):
        c = self.attach(session="c1")
        c.call(self.SET, {"state": "idle"})
        self.wait_active(False)
        flood = [self.env.client() for _ in range(80)]  # past CONTROL_CLIENTS_MAX (64)
        for f in flood:
            f.close()
        self.assertFalse(c.peer_closed(0.2), "the attached connection was evicted")
        # Quiet for longer than the control idle timeout (30 s).
        self.assertFalse(c.peer_closed(33), "the attached connection timed out")
        c.call(self.SET, {"state": "active"})
        self.wait_active(True)

    def test_lost_for_all_sessions(self):
        c = self.attach()
        c.call(self.SET, {"state": "active"})
        c.close()
        st = self.wait_status(lambda s: [x["state"] for x in s["idle_sources"]] == ["lost"], 3, "lost")
        self.assertFalse(st["active"])
        self.assertIsNone(st["idle_sources"][0]["session"])
        m = self.measure(2)
        self.assertStill(m, "observed")
        self.attach()
        st = self.wait_active(True)
        self.assertEqual([x["state"] for x in st["idle_sources"]], ["active"])

    def test_lost_ends_at_logout(self):
        """A helper lost for good (killed, never restarted) does not leave the
        next login unobserved: when the person has no session left, it is
        forgotten, and logind decides for the next session."""
        c = self.attach()
        c.close()
        self.wait_status(lambda s: [x["state"] for x in s["idle_sources"]] == ["lost"], 3, "lost")
        self.env.remove_session("c1")
        st = self.wait_status(lambda s: not s["idle_sources"], 3, "the lost helper forgotten at logout")
        self.assertEqual(st["activity_source"], "logind")
        self.env.add_session("c2", active=True)
        self.wait_sessions({"c2"})
        st = self.wait_active(True)
        self.assertEqual(st["activity_source"], "logind")


class TestSway(IdleCase):
    """sway 1.7 (Debian 12) offers org_kde_kwin_idle; newer sway ext-idle-notify-v1."""

    def setUp(self):
        super().setUp()
        self.sway, self.wlenv = start_sway(self.env)
        self.start_with_session()

    def start_helper(self, extra_env, *args, session="c1"):
        # The helper's own runtime dir is the compositor's; kizukid's socket by path.
        return super().start_helper(extra_env, "--socket", self.env.socket_path, *args, session=session)

    def input(self):
        subprocess.run(["wtype", "-k", "Shift_L"], env=self.env.environ(**{**CLEAN, **self.wlenv}), check=True,
                       timeout=5)

    def test_idle_after_timeout_active_on_input(self):
        self.input()
        self.start_helper(self.wlenv)
        self.check_idle_and_back("kde-idle" if "1.7" in self.sway_version() else "ext-idle-notify")

    def test_sigkill(self):
        self.input()
        self.start_helper(self.wlenv)
        self.check_killed(self.wlenv)

    def sway_version(self):
        return subprocess.run(["sway", "--version"], capture_output=True, text=True).stdout


class TestKWin(IdleCase):
    """KWin 5.27 (kwin_wayland --virtual) offers ext-idle-notify-v1 (and
    org_kde_kwin_idle, which the helper then leaves alone). KWin has no virtual
    keyboard without an input method, so wtype cannot type there: activity
    comes from idle-poke's org_kde_kwin_idle simulate_user_activity, which KWin
    applies to every idle timer, ext-idle-notify ones included."""

    def setUp(self):
        super().setUp()
        self.kwin, self.wlenv = start_kwin(self.env)
        self.start_with_session()

    def start_helper(self, extra_env, *args, session="c1"):
        return super().start_helper(extra_env, "--socket", self.env.socket_path, *args, session=session)

    def input(self):
        subprocess.run([IDLE_POKE], env=self.env.environ(**{**CLEAN, **self.wlenv}), check=True, timeout=5)

    def test_idle_after_timeout_active_on_input(self):
        self.input()
        self.start_helper(self.wlenv)
        self.check_idle_and_back("ext-idle-notify")

    def test_sigkill(self):
        self.input()
        self.start_helper(self.wlenv)
        self.check_killed(self.wlenv)


class TestMutter(IdleCase):
    """GNOME's org.gnome.Mutter.IdleMonitor (--backend mutter; automatic on
    Wayland without an idle protocol), against python-dbusmock on a private
    session bus, not a real Mutter: the watches the helper adds, and its
    reports when they fire."""

    MUTTER = "org.gnome.Mutter.IdleMonitor"
    PATH = "/org/gnome/Mutter/IdleMonitor/Core"

    def setUp(self):
        super().setUp()
        self.addr = start_session_bus(self.env)
        env = self.env.environ(DBUS_SESSION_BUS_ADDRESS=self.addr)
        self.mock = self.env.spawn("mutter-mock", ["/usr/bin/python3", "-m", "dbusmock", "--session", self.MUTTER,
                                                   self.PATH, self.MUTTER], env=env)
        wait_for(lambda: self.MUTTER in self.bus("list", "--acquired"), 15, 0.2, "the mock Mutter on the bus")
        for name, sig_in, code in (("AddIdleWatch", "t", "ret = dbus.UInt32(7)"),
                                   ("AddUserActiveWatch", "", "ret = dbus.UInt32(8)")):
            self.bus("call", self.MUTTER, self.PATH, k.MOCK, "AddMethod", "sssss", "", name, sig_in, "u", code)
        self.start_with_session()

    def bus(self, *args):
        return subprocess.run(["busctl", f"--address={self.addr}", "--no-pager", *args], check=True,
                              capture_output=True, text=True, timeout=10).stdout

    def calls(self):
        return self.bus("call", self.MUTTER, self.PATH, k.MOCK, "GetCalls")

    def fire(self, watch):
        # From the mock's connection: the helper only listens to the owner of the name.
        self.bus("call", self.MUTTER, self.PATH, k.MOCK, "EmitSignal", "sssav", self.MUTTER, "WatchFired", "u",
                 "1", "u", str(watch))

    def test_watches(self):
        self.start_helper({"DBUS_SESSION_BUS_ADDRESS": self.addr}, "--backend", "mutter")
        st = self.wait_source("active")
        self.assertEqual(st["idle_sources"][0]["protocol"], "mutter-idle-monitor")
        self.assertIn("AddIdleWatch", self.calls())
        self.assertIn(str(TIMEOUT_S * 1000), self.calls())
        self.fire(7)
        st = self.wait_source("idle", timeout=3)
        self.assertFalse(st["active"])
        wait_for(lambda: "AddUserActiveWatch" in self.calls(), 3, 0.1, "a user-active watch")
        self.fire(99)  # someone else's watch
        time.sleep(0.3)
        self.assertEqual(self.env.status()["idle_sources"][0]["state"], "idle")
        self.fire(8)
        st = self.wait_source("active", timeout=3)
        self.assertTrue(st["active"])


def main():
    """unittest's main, but a run where something was skipped (and nothing
    failed) exits 77, so ctest says SKIP and the reason is in the output."""
    prog = unittest.main(verbosity=2, exit=False)
    res = prog.result
    if not res.wasSuccessful():
        sys.exit(1)
    if res.skipped:
        for _, why in res.skipped:
            print(f"SKIP: {why}")
        sys.exit(77)
    sys.exit(0)


if __name__ == "__main__":
    main()
