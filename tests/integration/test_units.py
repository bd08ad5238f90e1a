#!/usr/bin/python3
"""The systemd user units, checked offline (no systemd --user can run here):
systemd-analyze verify on the socket and the service (with $KIZUKID substituted for
@KIZUKID_PATH@), systemd-analyze security's exposure score, and the settings the
design relies on. Negative controls make sure verify would catch a typo or a missing
binary at all."""

import os
import re
import shutil
import subprocess
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import kizukitest as k  # noqa: E402

UNIT_DIR = os.path.join(k.SOURCE_DIR, "systemd")

# Measured with systemd 252 (Debian 12) on the unit as committed: 0.8 (2.6 before the
# empty CapabilityBoundingSet=). Of that, 0.4 is "User=" (252 scores user units as if
# they ran as root), 0.2 IPAddressDeny= (ignored in user units) and 0.1 each
# RootDirectory=, AF_UNIX, ProtectHome=read-only and DeviceAllow=char-rtc:r. Raise only
# with a reason.
EXPOSURE_THRESHOLD = 1.0


def parse_unit(text):
    """{section: [(key, value), ...]} (repeated keys kept in order)."""
    out, section = {}, None
    for line in text.splitlines():
        line = line.strip()
        if not line or line[0] in "#;":
            continue
        if line.startswith("["):
            section = line.strip("[]")
            out.setdefault(section, [])
            continue
        key, _, value = line.partition("=")
        out[section].append((key.strip(), value.strip()))
    return out


def values(unit, section, key):
    return [v for kk, v in unit.get(section, []) if kk == key]


def one(unit, section, key):
    v = values(unit, section, key)
    if len(v) != 1:
        raise AssertionError(f"[{section}] {key}= set {len(v)} times: {v}")
    return v[0]


class TestUnits(unittest.TestCase):
    maxDiff = None

    def setUp(self):
        self.dir = tempfile.mkdtemp(prefix="kizuki-units-")
        self.addCleanup(shutil.rmtree, self.dir, ignore_errors=True)
        self.kizukid = os.path.abspath(k.KIZUKID)
        self.assertTrue(os.access(self.kizukid, os.X_OK), f"KIZUKID={k.KIZUKID} not executable")
        with open(os.path.join(UNIT_DIR, "kizukid.service.in")) as f:
            self.service_in = f.read()
        with open(os.path.join(UNIT_DIR, "kizukid.socket")) as f:
            self.socket_text = f.read()
        self.write_units(self.service_in.replace("@KIZUKID_PATH@", self.kizukid))
        self.man_args = self.setup_man()

    def write_units(self, service_text, socket_text=None):
        with open(os.path.join(self.dir, "kizukid.service"), "w") as f:
            f.write(service_text)
        with open(os.path.join(self.dir, "kizukid.socket"), "w") as f:
            f.write(self.socket_text if socket_text is None else socket_text)

    def setup_man(self):
        """Documentation=man:… is checked by verify with man(1): point MANPATH at the
        pages built by scdoc when they exist; otherwise skip that check (--man=no)."""
        built = os.path.join(k.BUILD_DIR, "man")
        pages = {"kizukid.8": "man8", "kizukid.conf.5": "man5", "kizuki-idle.1": "man1"}
        if all(os.path.exists(os.path.join(built, p)) for p in pages) and shutil.which("man"):
            for page, sec in pages.items():
                os.makedirs(os.path.join(self.dir, "man", sec), exist_ok=True)
                shutil.copy(os.path.join(built, page), os.path.join(self.dir, "man", sec, page))
            self.manpath = os.path.join(self.dir, "man")
            return []
        self.manpath = None
        k.log("man pages not built (no scdoc?): verifying with --man=no")
        return ["--man=no"]

    def analyze(self, *args):
        env = dict(os.environ, XDG_RUNTIME_DIR=self.dir, SYSTEMD_LOG_COLOR="0",
                   SYSTEMD_COLORS="0", LC_ALL="C.UTF-8")
        if self.manpath:
            env["MANPATH"] = self.manpath
        return subprocess.run(["systemd-analyze", *args], cwd=self.dir, env=env,
                              capture_output=True, text=True, timeout=60)

    def verify(self):
        return self.analyze("verify", "--user", *self.man_args, "./kizukid.socket", "./kizukid.service")

    def test_verify(self):
        r = self.verify()
        print(r.stdout + r.stderr, file=sys.stderr)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(r.stderr.strip(), "", "systemd-analyze verify complained")

    def test_verify_catches_mistakes(self):
        """Negative controls: a typo and a missing binary are reported."""
        self.write_units(self.service_in.replace("@KIZUKID_PATH@", self.kizukid)
                         .replace("PrivateNetwork=yes", "PrivateNetwrk=yes"))
        r = self.verify()
        self.assertIn("Unknown key", r.stderr)
        self.write_units(self.service_in.replace("@KIZUKID_PATH@", "/nonexistent/kizukid"))
        r = self.verify()
        self.assertNotEqual(r.returncode, 0)
        self.assertIn("/nonexistent/kizukid", r.stderr)
        self.write_units(self.service_in.replace("@KIZUKID_PATH@", self.kizukid),
                         self.socket_text.replace("SocketMode", "SockMode"))
        self.assertIn("Unknown key", self.verify().stderr)

    def test_security_exposure(self):
        r = self.analyze("security", "--user", "--offline=true", "./kizukid.service")
        print(r.stdout, file=sys.stderr)
        self.assertEqual(r.returncode, 0, r.stderr)
        m = re.search(r"Overall exposure level for kizukid\.service: (\d+\.\d+)", r.stdout)
        self.assertIsNotNone(m, r.stdout)
        score = float(m.group(1))
        print(f"exposure score: {score} (threshold {EXPOSURE_THRESHOLD})", file=sys.stderr)
        self.assertLessEqual(score, EXPOSURE_THRESHOLD)
        # The settings that matter for a user unit are credited.
        ok = {line.split()[1] for line in r.stdout.splitlines() if line.startswith("✓")}
        for name in ("RestrictAddressFamilies=~AF_(INET|INET6)", "RestrictAddressFamilies=~AF_NETLINK",
                     "RestrictAddressFamilies=~AF_PACKET", "PrivateNetwork=", "PrivateUsers=",
                     "ProtectSystem=", "PrivateTmp=", "PrivateDevices=", "MemoryDenyWriteExecute=",
                     "LockPersonality=", "RestrictNamespaces=~user", "RestrictRealtime=",
                     "NoNewPrivileges=", "SystemCallArchitectures=", "SystemCallFilter=~@privileged",
                     "UMask="):
            self.assertIn(name, ok, f"{name} not credited")

    def test_service_settings(self):
        u = parse_unit(self.service_in)
        self.assertIn("man:kizukid(8)", one(u, "Unit", "Documentation").split())
        self.assertEqual(one(u, "Service", "Type"), "notify")
        self.assertEqual(one(u, "Service", "ExecStart"), "@KIZUKID_PATH@")
        self.assertEqual(one(u, "Service", "Restart"), "on-failure")
        self.assertEqual(one(u, "Service", "RestrictAddressFamilies"), "AF_UNIX")
        for key, want in (("PrivateUsers", "yes"), ("PrivateNetwork", "yes"),
                          ("ProtectSystem", "strict"), ("ProtectHome", "read-only"),
                          ("PrivateTmp", "yes"), ("NoNewPrivileges", "yes"),
                          ("MemoryDenyWriteExecute", "yes"), ("LockPersonality", "yes"),
                          ("RestrictNamespaces", "yes"), ("RestrictRealtime", "yes"),
                          ("SystemCallArchitectures", "native"), ("CapabilityBoundingSet", ""),
                          ("ReadWritePaths", "%h/.local/state/kizuki")):
            self.assertEqual(one(u, "Service", key), want, key)
        self.assertIn("@system-service", values(u, "Service", "SystemCallFilter"))
        # The state directory is kizukid's own (~/.local/state/kizuki), made
        # before the sandbox: systemd 252's StateDirectory= is ~/.config.
        self.assertEqual(values(u, "Service", "StateDirectory"), [])
        self.assertEqual(one(u, "Service", "ExecStartPre"), "+/bin/mkdir -p -m 0700 %h/.local/state/kizuki")
        # The service must not delete the socket's directory when it stops.
        if values(u, "Service", "RuntimeDirectory"):
            self.assertEqual(one(u, "Service", "RuntimeDirectoryPreserve"), "yes")
        self.assertEqual(one(u, "Install", "Also"), "kizukid.socket")
        self.assertEqual(one(u, "Install", "WantedBy"), "default.target")
        # Nothing that would let it reach the network.
        self.assertNotIn("PrivateNetwork=no", self.service_in)

    def test_socket_settings(self):
        u = parse_unit(self.socket_text)
        self.assertEqual(one(u, "Socket", "ListenStream"), "%t/kizuki/io.kizuki.Daemon")
        self.assertEqual(one(u, "Socket", "SocketMode"), "0600")
        self.assertEqual(one(u, "Socket", "DirectoryMode"), "0700")
        self.assertEqual(values(u, "Socket", "Accept"), [])  # one daemon, not one per client
        self.assertEqual(one(u, "Install", "WantedBy"), "sockets.target")

    def test_built_units(self):
        """The units CMake configured: @KIZUKID_PATH@ replaced by an absolute path."""
        built = os.path.join(k.BUILD_DIR, "systemd")
        svc = os.path.join(built, "kizukid.service")
        if not os.path.exists(svc):
            self.skipTest(f"{svc} not configured")
        with open(svc) as f:
            text = f.read()
        self.assertNotIn("@KIZUKID_PATH@", text)
        path = one(parse_unit(text), "Service", "ExecStart")
        self.assertTrue(path.startswith("/") and path.endswith("/kizukid"), path)
        with open(os.path.join(built, "kizukid.socket")) as f:
            self.assertEqual(f.read(), self.socket_text)

    def test_idle_helper_unit(self):
        """kizuki-idle.service: verifies clean, belongs to the graphical session, is
        restarted after a crash (a dead helper leaves the time unobserved), and
        reaches only Unix sockets."""
        idle = os.path.join(k.BUILD_DIR, "kizuki-idle")
        if not os.access(idle, os.X_OK):
            self.skipTest(f"{idle} not built")
        with open(os.path.join(UNIT_DIR, "kizuki-idle.service.in")) as f:
            text = f.read().replace("@KIZUKI_IDLE_PATH@", os.path.abspath(idle))
        with open(os.path.join(self.dir, "kizuki-idle.service"), "w") as f:
            f.write(text)
        r = self.analyze("verify", "--user", *self.man_args, "./kizuki-idle.service")
        print(r.stdout + r.stderr, file=sys.stderr)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(r.stderr.strip(), "", "systemd-analyze verify complained")
        u = parse_unit(text)
        self.assertEqual(one(u, "Unit", "PartOf"), "graphical-session.target")
        self.assertEqual(one(u, "Install", "WantedBy"), "graphical-session.target")
        self.assertEqual(one(u, "Service", "Restart"), "on-failure")
        self.assertEqual(one(u, "Service", "RestrictAddressFamilies"), "AF_UNIX")
        self.assertIn("man:kizuki-idle(1)", one(u, "Unit", "Documentation").split())


if __name__ == "__main__":
    unittest.main(verbosity=2)
