#!/usr/bin/python3
"""Socket activation as systemd does it, without systemd: systemd-socket-activate
listens on $XDG_RUNTIME_DIR/kizuki/io.kizuki.Daemon and execs kizukid with the
listening fd (LISTEN_FDS=1) on the first connection. The inherited fd is blocking;
kizukid must not block in accept. Also the sd_notify READY=1 that Type=notify needs."""

import os
import signal
import socket
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import kizukitest as k  # noqa: E402
from kizukitest import wait_for  # noqa: E402


class TestSocketActivation(k.KizukiTestCase):
    def start_activator(self):
        env = self.env
        env.start_bus_and_logind()
        env.add_session("c1", active=True)
        os.makedirs(os.path.dirname(env.socket_path), mode=0o700)
        os.chmod(os.path.dirname(env.socket_path), 0o700)
        p = env.spawn("socket-activate",
                      ["systemd-socket-activate", "-l", env.socket_path,
                       "-E", "XDG_RUNTIME_DIR", "-E", "XDG_STATE_HOME", "-E", "XDG_CONFIG_HOME",
                       "-E", "DBUS_SYSTEM_BUS_ADDRESS", k.KIZUKID])
        env.daemon = p
        wait_for(lambda: os.path.exists(env.socket_path) or not p.alive(), 10, what="listening socket")
        self.assertTrue(p.alive(), p.log_text())
        # Nothing started yet: the activator itself is still running.
        self.assertNotEqual(os.path.realpath(f"/proc/{p.pid}/exe"), os.path.realpath(k.KIZUKID))
        return p

    def test_started_on_demand(self):
        env = self.env
        p = self.start_activator()
        ino = os.stat(env.socket_path).st_ino
        # The CLI finds the socket from XDG_RUNTIME_DIR alone.
        cli_env = env.environ(KIZUKI_SOCKET=None)
        t = time.monotonic()
        out = env.cli("status", env=cli_env, timeout=20).stdout
        k.log(f"first status after {time.monotonic() - t:.2f}s")
        self.assertTrue(out.strip())
        self.assertEqual(os.path.realpath(f"/proc/{p.pid}/exe"), os.path.realpath(k.KIZUKID),
                         "kizukid was not exec'ed by the first connection")
        # A second and third client in a row: the accept path did not block.
        t = time.monotonic()
        doc = env.cli_json("status", "--json", env=cli_env, timeout=10)
        self.assertIsInstance(doc, dict)
        self.assertLess(time.monotonic() - t, 5)
        st = env.status(timeout=5)
        self.assertEqual(os.path.realpath(st["store_path"]), os.path.realpath(env.db_path),
                         "XDG_STATE_HOME not honoured under socket activation")
        self.assertEqual(os.stat(env.socket_path).st_ino, ino, "kizukid replaced the passed socket")
        env.cli("consent", "grant", "--yes", env=cli_env)
        self.wait_sessions({"c1"})
        self.wait_status(lambda s: s["recording"] == "recording" and s["active"], 5, "recording")
        m = self.measure(2.5)
        self.assertGrows(m, "active")
        # Idle between clients: the loop keeps running timers and serving.
        for _ in range(3):
            time.sleep(0.5)
            t = time.monotonic()
            env.cli("status", env=cli_env, timeout=10)
            self.assertLess(time.monotonic() - t, 3)
        self.assertEqual(env.stop_daemon(), 0)
        # The socket belongs to the service manager: kizukid must not remove it.
        self.assertTrue(os.path.exists(env.socket_path), "kizukid unlinked the socket it was passed")

    def test_clients_queued_before_start(self):
        """Two connections are waiting in the backlog when kizukid starts: both answered."""
        env = self.env
        self.start_activator()
        a = k.VarlinkClient(env.socket_path, timeout=15)
        b = k.VarlinkClient(env.socket_path, timeout=15)
        self.addCleanup(a.close)
        self.addCleanup(b.close)
        a.send(k.IFACE + ".GetStatus", {})
        b.send(k.IFACE + ".GetStatus", {})
        self.assertIn("recording", a.recv()["parameters"])
        self.assertIn("recording", b.recv()["parameters"])
        c = k.VarlinkClient(env.socket_path, timeout=5)
        self.addCleanup(c.close)
        self.assertIn("recording", c.call(k.IFACE + ".GetStatus"))
        # Connected but silent clients do not hold up others.
        d = k.VarlinkClient(env.socket_path, timeout=5)
        self.addCleanup(d.close)
        t = time.monotonic()
        env.cli("status", timeout=10)
        self.assertLess(time.monotonic() - t, 3)


class TestNotify(k.KizukiTestCase):
    def test_ready_notification(self):
        env = self.env
        env.start_bus_and_logind()
        env.add_session("c1")
        path = os.path.join(env.dir, "notify")
        ns = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        self.addCleanup(ns.close)
        ns.bind(path)
        ns.settimeout(10)
        env.start_daemon(env=env.environ(NOTIFY_SOCKET=path), wait=False)
        messages = []
        deadline = time.monotonic() + 10
        while not any("READY=1" in m for m in messages) and time.monotonic() < deadline:
            try:
                messages.append(ns.recv(4096).decode(errors="replace"))
            except socket.timeout:
                break
        self.assertTrue(any("READY=1" in m.split("\n") for m in messages),
                        f"no READY=1 from kizukid (got {messages})")
        # Ready means the socket answers.
        env.status(timeout=3)
        env.daemon.kill(signal.SIGTERM)
        ns.settimeout(5)
        try:
            while True:
                messages.append(ns.recv(4096).decode(errors="replace"))
                if "STOPPING=1" in messages[-1]:
                    break
        except socket.timeout:
            pass
        k.log(f"notifications: {messages}")
        self.assertEqual(env.daemon.wait(10), 0)


if __name__ == "__main__":
    k.main()
