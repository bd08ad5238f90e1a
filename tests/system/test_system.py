#!/usr/bin/python3
"""System tier (#12): the Debian package under a real systemd, logind and user manager.

What this checks, step by step (each step prints a "== step" line and its time):
  package   build kizuki_*.deb from this checkout (scripts/package, lintian
            included), or take $KIZUKI_DEB
  root      a cached Debian 12 root (debootstrap --variant=minbase with systemd,
            dbus, libpam-systemd, dbus-user-session), made once under the build
            dir and reused; the host's apt sources are copied into it
  boot      systemd-nspawn -b --volatile=overlay (the cached root stays pristine:
            every run starts from the same tree and nothing it does is kept)
  01        apt-get install the .deb (dependencies from the mirror); the files are
            where the FHS and Debian want them; no unit is enabled globally
  02        two users with lingering user managers; for bob, who did not opt in,
            kizukid.socket is disabled and inactive
  03        alice: systemctl --user enable --now kizukid.socket; kizukid is not
            running until the first `kizuki status` starts it by socket activation
  04        the hardening of kizukid.service: what the unit asks for
            (systemctl --user show) and what the running process really has
            (/proc/PID: seccomp, no_new_privs, capabilities, namespaces, mounts)
  05        kizuki consent grant --yes; active seconds grow while alice's session
            is active
  06        SetIdleHint(true) by the session owner stops them; false resumes
  07        loginctl lock-session, and SetLockedHint(true) as a screen locker would,
            stops them; unlock-session + SetLockedHint(false) resumes
  08        loginctl terminate-session: no session, nothing active; a new login
            resumes
  09        systemctl --user reload: same process, re-reads its config
  10        systemctl --user stop flushes the open hour: after the next socket
            activation nothing counted before the stop is missing
  11        systemctl --user restart: a new process, nothing lost
  12        kill -9: Restart=on-failure brings kizukid back; at most the last flush
            interval is lost
  13        apt-get remove, then purge: every file of the package is gone, the
            package's systemd state is purged, alice's data is untouched
  99        the unit needed no workaround outside the container's own limits

Skips (exit 77, "SKIP: reason") only when the machine cannot run the tier:
not root, no systemd-nspawn/debootstrap, the mirror unreachable (for the first
debootstrap or apt inside the container), or the container does not boot.

Known problems of the shipped unit are recognised from the journal, worked
around with a drop-in so the remaining steps still run, and reported; a problem
that is not the container's own makes the run fail in step 99.

Environment:
  KIZUKI_BUILD_DIR      the build tree (the cache lives in $KIZUKI_BUILD_DIR/system)
  KIZUKI_SOURCE_DIR     the source tree (default: derived from this file)
  KIZUKI_DEB            test this .deb instead of building one
  KIZUKI_SYSTEM_ROOT    where the cached root lives (default: build/system/root)
  KIZUKI_SYSTEM_REFRESH=1  debootstrap the cached root again
  KIZUKI_SYSTEM_KEEP=1  leave the container running at the end (prints its PID)
"""

import ctypes
import glob
import hashlib
import json
import os
import re
import shlex
import shutil
import signal
import subprocess
import sys
import time
import unittest
import urllib.parse
import urllib.request

SKIP_CODE = 77
HERE = os.path.dirname(os.path.abspath(__file__))
SOURCE_DIR = os.environ.get("KIZUKI_SOURCE_DIR") or os.path.dirname(os.path.dirname(HERE))
BUILD_DIR = os.path.abspath(os.environ.get("KIZUKI_BUILD_DIR") or os.path.join(SOURCE_DIR, "build"))
WORK = os.path.join(BUILD_DIR, "system")
ROOT = os.path.abspath(os.environ.get("KIZUKI_SYSTEM_ROOT") or os.path.join(WORK, "root"))
DEB_DIR = os.path.join(WORK, "deb")
SUITE = "bookworm"
INCLUDE = "systemd,systemd-sysv,dbus,libpam-systemd,dbus-user-session"
CACHE_STAMP = ".kizuki-system-root"

LOGIN1 = "org.freedesktop.login1"
T0 = time.monotonic()


def step(msg):
    print(f"== [{time.monotonic() - T0:6.1f}s] {msg}", flush=True)


def note(msg):
    print(f"   {msg}", flush=True)


class Skip(Exception):
    pass


def run(cmd, timeout=120, check=True, input=None, quiet=False):
    """Run cmd (a list) on the host; return CompletedProcess with text output."""
    p = subprocess.run(cmd, input=input, capture_output=True, text=True, timeout=timeout)
    if check and p.returncode != 0:
        raise AssertionError(f"{shlex.join(cmd)} exited {p.returncode}\n"
                             f"--- stdout\n{p.stdout}--- stderr\n{p.stderr}")
    return p


def mirror():
    """The Debian mirror the host uses (deb822 sources first, then sources.list)."""
    try:
        with open("/etc/apt/sources.list.d/debian.sources") as f:
            for line in f:
                if line.startswith("URIs:"):
                    return line.split()[1]
    except OSError:
        pass
    try:
        with open("/etc/apt/sources.list") as f:
            for line in f:
                w = line.split()
                if len(w) >= 3 and w[0] == "deb" and "security" not in w[1]:
                    return w[1]
    except OSError:
        pass
    return "http://deb.debian.org/debian"


def mirror_reachable(url):
    try:
        with urllib.request.urlopen(f"{url.rstrip('/')}/dists/{SUITE}/Release", timeout=20) as r:
            return r.status == 200, ""
    except Exception as e:  # noqa: BLE001 - any failure means: cannot reach it
        return False, str(e)


# ---------------------------------------------------------------- preparation

def build_deb():
    deb = os.environ.get("KIZUKI_DEB")
    if deb:
        if not os.path.isfile(deb):
            raise AssertionError(f"KIZUKI_DEB={deb}: no such file")
        os.makedirs(DEB_DIR, exist_ok=True)
        for old in glob.glob(os.path.join(DEB_DIR, "kizuki_*.deb")):
            os.unlink(old)
        shutil.copy(deb, DEB_DIR)
        return os.path.join(DEB_DIR, os.path.basename(deb))
    p = subprocess.run([os.path.join(SOURCE_DIR, "scripts", "package"), "-o", DEB_DIR],
                       capture_output=True, text=True, timeout=900)
    out = p.stdout + p.stderr
    lint = out[out.find("=== lintian"):] if "=== lintian" in out else ""
    if p.returncode != 0:
        raise AssertionError(f"scripts/package failed ({p.returncode}):\n{out[-4000:]}")
    for line in lint.splitlines()[1:]:
        if re.match(r"^[EWIPX]: ", line):
            note("lintian: " + line)
    debs = glob.glob(os.path.join(DEB_DIR, "kizuki_*.deb"))
    if len(debs) != 1:
        raise AssertionError(f"expected one kizuki_*.deb in {DEB_DIR}, found {debs}")
    return debs[0]


def cached_root():
    """Debootstrap the root once; reuse it while its stamp matches."""
    stamp = f"{SUITE} {INCLUDE}\n"
    stamp_path = os.path.join(ROOT, CACHE_STAMP)
    if os.environ.get("KIZUKI_SYSTEM_REFRESH") != "1" and os.path.isfile(stamp_path):
        with open(stamp_path) as f:
            if f.read() == stamp:
                note(f"cached root {ROOT}")
                return False
    url = mirror()
    ok, why = mirror_reachable(url)
    if not ok:
        raise Skip(f"debootstrap cannot reach the mirror {url}: {why}")
    new = ROOT + ".new"
    shutil.rmtree(new, ignore_errors=True)
    os.makedirs(os.path.dirname(ROOT), exist_ok=True)
    note(f"debootstrap {SUITE} from {url} into {new}")
    p = subprocess.run(["debootstrap", "--variant=minbase", f"--include={INCLUDE}", SUITE, new, url],
                       capture_output=True, text=True, timeout=1200)
    if p.returncode != 0:
        tail = (p.stdout + p.stderr)[-3000:]
        ok, why = mirror_reachable(url)
        if not ok:
            raise Skip(f"debootstrap lost the mirror {url}: {why}")
        raise AssertionError(f"debootstrap failed ({p.returncode}):\n{tail}")
    # The host's apt sources (with -updates and -security), so that the
    # package's dependencies resolve as they did when it was built.
    host_sources = "/etc/apt/sources.list.d/debian.sources"
    if os.path.isfile(host_sources):
        shutil.copy(host_sources, os.path.join(new, "etc/apt/sources.list.d/debian.sources"))
        with contextlib_suppress():
            os.unlink(os.path.join(new, "etc/apt/sources.list"))
    with open(os.path.join(new, CACHE_STAMP), "w") as f:
        f.write(stamp)
    shutil.rmtree(ROOT, ignore_errors=True)
    os.rename(new, ROOT)
    return True


class contextlib_suppress:
    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return exc[0] is not None and issubclass(exc[0], OSError)


def _pdeathsig():
    # If this test is killed (ctest timeout), nspawn gets SIGTERM and shuts the
    # container down instead of leaving it running.
    libc = ctypes.CDLL("libc.so.6", use_errno=True)
    libc.prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG


class Container:
    """A booted systemd-nspawn container on the cached root (volatile overlay)."""

    def __init__(self):
        self.proc = None
        self.pid = None
        self.log_path = os.path.join(WORK, "nspawn.log")

    def boot(self):
        log = open(self.log_path, "w")
        self.proc = subprocess.Popen(
            ["systemd-nspawn", "-D", ROOT, "--register=no", "--keep-unit", "--volatile=overlay",
             "--hostname=kizuki-system", f"--bind-ro={DEB_DIR}:/mnt/kizuki", "-b"],
            stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT,
            start_new_session=True,
            preexec_fn=None if os.environ.get("KIZUKI_SYSTEM_KEEP") == "1" else _pdeathsig)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise Skip(f"systemd-nspawn exited {self.proc.returncode} at boot: {self.log_tail()}")
            p = run(["pgrep", "-P", str(self.proc.pid), "-x", "systemd"], check=False)
            if p.stdout.strip():
                self.pid = int(p.stdout.split()[0])
                break
            time.sleep(0.2)
        else:
            raise Skip(f"no systemd in the container after 30 s: {self.log_tail()}")
        deadline = time.monotonic() + 120
        state = ""
        while time.monotonic() < deadline:  # the bus is not up at once
            p = self.sh("systemctl is-system-running --wait", timeout=120, check=False)
            state = p.stdout.strip()
            if state or self.proc.poll() is not None:
                break
            time.sleep(0.5)
        if state not in ("running", "degraded"):
            raise Skip(f"the container's systemd did not come up ({state!r}): {self.log_tail()}")
        if state == "degraded":
            note("container degraded: " + self.sh("systemctl --failed --no-legend --plain").stdout.strip())
        return state

    def log_tail(self):
        try:
            with open(self.log_path, errors="replace") as f:
                return f.read()[-1500:]
        except OSError:
            return ""

    def enter(self, argv, **kw):
        return run(["nsenter", "-t", str(self.pid), "-a", "--"] + argv, **kw)

    def sh(self, script, **kw):
        """Run a shell script as root in the container."""
        return self.enter(["sh", "-c", script], **kw)

    def user(self, name, uid, script, **kw):
        """Run a shell script as a user, outside any login session (no PAM), with
        the environment of that user's manager: like a command in a terminal of
        a session that already exists."""
        env = ["env", "-i", f"HOME=/home/{name}", f"USER={name}", f"LOGNAME={name}",
               "PATH=/usr/local/bin:/usr/bin:/bin", "LANG=C.UTF-8", f"XDG_RUNTIME_DIR=/run/user/{uid}",
               f"DBUS_SESSION_BUS_ADDRESS=unix:path=/run/user/{uid}/bus", "NO_COLOR=1"]
        return self.enter(["setpriv", f"--reuid={uid}", f"--regid={uid}", "--init-groups"] + env
                          + ["sh", "-c", script], **kw)

    def login(self, name):
        """A real login session (su -l through PAM and pam_systemd) that stays open
        until terminated; returns the Popen of su. pam_systemd takes the session
        type from XDG_SESSION_TYPE: "wayland", as a desktop login would register
        it, because logind lets only graphical sessions set their idle hint."""
        env = dict(os.environ, XDG_SESSION_TYPE="wayland", XDG_SESSION_DESKTOP="kizuki-test")
        return subprocess.Popen(["nsenter", "-t", str(self.pid), "-a", "--", "su", "-l", name, "-c",
                                 "exec sleep infinity"], env=env,
                                stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                stderr=subprocess.DEVNULL, start_new_session=True)

    def stop(self):
        if not self.proc or self.proc.poll() is not None:
            return
        if os.environ.get("KIZUKI_SYSTEM_KEEP") == "1":
            note(f"KIZUKI_SYSTEM_KEEP=1: container left running, nspawn pid {self.proc.pid}, "
                 f"its systemd {self.pid}")
            return
        self.proc.terminate()  # nspawn shuts the container down cleanly
        try:
            self.proc.wait(timeout=45)
        except subprocess.TimeoutExpired:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait(timeout=15)


# ---------------------------------------------------------------- the tier

# Problems of the shipped kizukid.service seen under a real user manager:
# recognised from the journal, worked around with a drop-in, reported.
KNOWN_PROBLEMS = [
    {
        "name": "ProtectKernelLogs=yes with PrivateUsers=yes in nspawn",
        "pattern": r"Failed to mount \S+ to /run/systemd/unit-root/proc/kmsg: No such file or directory",
        "dropin": "[Service]\nProtectKernelLogs=no\n",
        "container_only": True,
        "step": "start",
        "why": "nspawn mounts a FIFO (a deleted tmpfs file) over /proc/kmsg; a user manager's "
               "namespace (PrivateUsers=yes) cannot mount over it (ENOENT), so the unit fails "
               "with 226/NAMESPACE. The container's system manager can; on a host /proc/kmsg "
               "is procfs's own file.",
    },
    {
        "name": "StateDirectory= is ~/.config in user units of systemd 252",
        "pattern": r"Failed to create \S+/\.local/state/kizuki: Read-only file system",
        "dropin": "[Service]\nExecStartPre=+/bin/mkdir -p -m 0700 %h/.local/state/kizuki\n"
                  "ReadWritePaths=%h/.local/state/kizuki\n",
        "container_only": False,
        "step": "start",
        "why": "systemd 252 (Debian 12) maps StateDirectory= of user units to $XDG_CONFIG_HOME "
               "(~/.config/kizuki, created, empty), not ~/.local/state (systemd >= 254); "
               "kizukid uses $XDG_STATE_HOME/kizuki, which ProtectHome=read-only leaves "
               "read-only and uncreated, so kizukid exits 1 at every start. Worked around with "
               "ExecStartPre=+mkdir -p -m 0700 %h/.local/state/kizuki and "
               "ReadWritePaths=%h/.local/state/kizuki.",
    },
    {
        "name": "sandboxed ExecReload= fails about every second time",
        "pattern": r"Failed to set up mount namespacing: /run/systemd/unit-root/dev/mqueue: "
                   r"Operation not permitted",
        "dropin": "[Service]\nExecReload=\nExecReload=+/bin/kill -HUP $MAINPID\n",
        "container_only": False,
        "step": "reload",
        "why": "the reload's control process gets its own sandbox; the unprivileged user "
               "manager cannot make the IPC namespace (\"PrivateIPC=yes is configured, but IPC "
               "namespace setup failed, ignoring\"), and mounting /dev/mqueue for "
               "PrivateDevices= then fails with EPERM in about half of the reloads (5 of 10 "
               "here): `systemctl --user reload kizukid` fails with 226/NAMESPACE. Seen in "
               "nspawn, but nothing in the cause is the container's own (a user manager has no "
               "privileges on a host either). ExecReload=+/bin/kill -HUP $MAINPID (no sandbox "
               "for the kill) reloaded 10 of 10.",
    },
]

HARDENING = ["NoNewPrivileges", "CapabilityBoundingSet", "PrivateUsers", "ProtectSystem",
             "ProtectHome", "PrivateTmp", "PrivateMounts", "PrivateDevices", "PrivateNetwork",
             "PrivateIPC", "RestrictAddressFamilies", "ProtectKernelTunables",
             "ProtectKernelModules", "ProtectKernelLogs", "ProtectControlGroups", "ProtectClock",
             "ProtectHostname", "ProtectProc", "ProcSubset", "RestrictNamespaces",
             "RestrictRealtime", "RestrictSUIDSGID", "LockPersonality", "MemoryDenyWriteExecute",
             "KeyringMode", "SystemCallArchitectures", "SystemCallFilter", "SystemCallErrorNumber",
             "UMask", "StateDirectory", "RuntimeDirectory", "Restart", "NonBlocking"]


class SystemTier(unittest.TestCase):
    c = None
    deb = None
    alice = None  # uid
    bob = None
    session = None  # (id, object path)
    su = None
    problems = []  # KNOWN_PROBLEMS entries that were hit
    hardening = {}  # option -> "applied ..." / "NOT applied ..."
    since = 0
    skip_reason = None  # set when the container cannot reach the mirror

    @classmethod
    def setUpClass(cls):
        try:
            cls._prepare()
        except Skip as e:
            raise unittest.SkipTest(str(e))

    @classmethod
    def _prepare(cls):
        if os.geteuid() != 0:
            raise Skip("needs root (debootstrap, systemd-nspawn, nsenter)")
        for tool in ("systemd-nspawn", "debootstrap", "nsenter", "dpkg-buildpackage"):
            if not shutil.which(tool):
                raise Skip(f"{tool} is not installed (scripts/deps test installs it)")
        os.makedirs(WORK, exist_ok=True)
        t = time.monotonic()
        step("package: scripts/package (dpkg-buildpackage -b, lintian)"
             if not os.environ.get("KIZUKI_DEB") else "package: $KIZUKI_DEB")
        cls.deb = build_deb()
        note(f"{cls.deb} ({time.monotonic() - t:.1f} s)")
        t = time.monotonic()
        step(f"root: cached debootstrap of {SUITE}")
        made = cached_root()
        note(f"{'made' if made else 'reused'} in {time.monotonic() - t:.1f} s")
        t = time.monotonic()
        step("boot: systemd-nspawn -b --volatile=overlay")
        cls.c = Container()
        try:
            state = cls.c.boot()
        except BaseException:
            cls.c.stop()
            raise
        note(f"systemd {state}, PID {cls.c.pid} on the host, in {time.monotonic() - t:.1f} s")

    @classmethod
    def tearDownClass(cls):
        if cls.su:
            with contextlib_suppress():
                cls.su.kill()
        if cls.c:
            step("stopping the container")
            cls.c.stop()

    def setUp(self):
        if self.skip_reason:
            raise unittest.SkipTest(self.skip_reason)

    # -------------------------------------------------------------- helpers

    def a(self, script, **kw):
        return self.c.user("alice", self.alice, script, **kw)

    def status(self):
        p = self.a("kizuki status --json", timeout=45)
        return json.loads(p.stdout)

    def figures(self):
        s = self.status()
        return s["today_active_s"], s["today_observed_s"], s

    def measure(self, seconds=5):
        """Active and observed seconds that accrue over `seconds` of wall time."""
        for _ in range(2):
            a0, o0, s0 = self.figures()
            time.sleep(seconds)
            a1, o1, s1 = self.figures()
            day0 = time.strftime("%Y-%m-%d", time.gmtime(s0["now"] + s0["utc_offset"]))
            day1 = time.strftime("%Y-%m-%d", time.gmtime(s1["now"] + s1["utc_offset"]))
            if day0 == day1:  # "today" starts again at midnight: measure again
                return a1 - a0, o1 - o0, s1
        self.fail("could not measure within one day")

    def assert_counting(self, what, seconds=5):
        da, do, s = self.measure(seconds)
        note(f"{what}: +{da} s active, +{do} s observed in {seconds} s "
             f"(active={s['active']}, sessions={s['logind']['sessions']})")
        self.assertTrue(s["active"], s)
        self.assertGreaterEqual(da, seconds - 1)
        self.assertLessEqual(da, seconds + 2)

    def assert_not_counting(self, what, seconds=5):
        da, do, s = self.measure(seconds)
        note(f"{what}: +{da} s active, +{do} s observed in {seconds} s "
             f"(active={s['active']}, sessions={s['logind']['sessions']})")
        self.assertFalse(s["active"], s)
        self.assertLessEqual(da, 1)
        self.assertGreaterEqual(do, seconds - 1, "observed time stops too")

    def session_call(self, method, value):
        self.a(f"busctl call {LOGIN1} {self.session[1]} {LOGIN1}.Session {method} b {value}")

    def session_props(self):
        p = self.c.sh(f"loginctl show-session {self.session[0]} -p Active -p IdleHint -p LockedHint")
        return dict(line.split("=", 1) for line in p.stdout.split())

    def open_session(self):
        before = set(self.c.sh("loginctl list-sessions --no-legend").stdout.split("\n"))
        type(self).su = self.c.login("alice")
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            for line in self.c.sh("loginctl list-sessions --no-legend").stdout.split("\n"):
                w = line.split()
                if line not in before and len(w) >= 3 and w[2] == "alice":
                    path = self.c.sh(f"busctl call {LOGIN1} /org/freedesktop/login1 "
                                     f"{LOGIN1}.Manager GetSession s {w[0]}").stdout.split()[1]
                    type(self).session = (w[0], path.strip('"'))
                    return self.session
            time.sleep(0.2)
        self.fail("su -l alice opened no logind session")

    def wait_connected(self, timeout=15):
        """The status once a (re)started kizukid follows logind again."""
        deadline = time.monotonic() + timeout
        while True:
            s = self.status()
            if s["logind"]["state"] == "connected" or time.monotonic() > deadline:
                return s
            time.sleep(0.3)

    def main_pid(self):
        return int(self.a("systemctl --user show kizukid.service -p MainPID --value").stdout.strip())

    def wait_active(self, unit, timeout=20):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            state = self.a(f"systemctl --user is-active {unit}", check=False).stdout.strip()
            if state == "active":
                return
            time.sleep(0.3)
        self.fail(f"{unit} not active after {timeout} s ({state})")

    def workaround(self, k, log):
        """Report a known problem of the shipped unit and add its drop-in."""
        self.problems.append(k)
        note(f"PROBLEM: {k['name']}" + (" (container only)" if k["container_only"] else ""))
        note(f"  {k['why']}")
        note(f"  journal: {re.search(k['pattern'], log).group(0)}")
        n = len(self.problems)
        self.a("mkdir -p ~/.config/systemd/user/kizukid.service.d && "
               f"printf %s {shlex.quote(k['dropin'])} > ~/.config/systemd/user/kizukid.service.d/"
               f"{n:02d}-system-tier.conf && systemctl --user daemon-reload")
        note(f"  drop-in {n:02d}-system-tier.conf: {k['dropin'].splitlines()[1:]}")

    def known_problem(self, step, log):
        hit = [k for k in KNOWN_PROBLEMS
               if k["step"] == step and k not in self.problems and re.search(k["pattern"], log)]
        return hit[0] if hit else None

    def journal(self, since):
        return self.c.sh(f"journalctl --no-pager -o cat _UID={self.alice} --since=@{since:.0f}",
                         check=False).stdout

    # -------------------------------------------------------------- steps

    def test_01_install(self):
        step("01 apt-get install the .deb; files in place; nothing enabled globally")
        name = os.path.basename(self.deb)
        p = self.c.sh("export DEBIAN_FRONTEND=noninteractive; apt-get update -q", timeout=300, check=False)
        if p.returncode != 0 or re.search(r"^(W|E): Failed to fetch", p.stdout + p.stderr, re.M):
            type(self).skip_reason = ("apt-get update in the container failed (mirror or DNS): "
                                      + (p.stdout + p.stderr)[-800:])
            raise unittest.SkipTest(self.skip_reason)
        p = self.c.sh("export DEBIAN_FRONTEND=noninteractive; "
                      f"apt-get install -y --no-install-recommends /mnt/kizuki/{name}", timeout=600)
        pulled = re.findall(r"^Setting up (\S+)", p.stdout, re.M)
        note("installed: " + " ".join(pulled))
        files = self.c.sh("dpkg -L kizuki").stdout.split()
        type(self).files = [f for f in files
                            if self.c.sh(f"test -f {shlex.quote(f)} -o -L {shlex.quote(f)}",
                                         check=False).returncode == 0]
        note(f"dpkg -L kizuki: {len(self.files)} files")
        for f in ["/usr/libexec/kizukid", "/usr/libexec/kizuki-idle", "/usr/bin/kizuki",
                  "/usr/lib/systemd/user/kizukid.socket", "/usr/lib/systemd/user/kizukid.service",
                  "/usr/lib/systemd/user/kizuki-idle.service", "/usr/share/man/man1/kizuki-idle.1.gz",
                  "/usr/lib/systemd/user/kizuki-share.service", "/usr/lib/systemd/user/kizuki-share.timer",
                  "/usr/share/kizuki/policies/late-nights.policy", "/usr/share/kizuki/consent.txt",
                  "/usr/share/kizuki/resources.md", "/usr/share/kizuki/io.kizuki.Daemon.varlink",
                  "/usr/share/man/man1/kizuki.1.gz", "/usr/share/man/man8/kizukid.8.gz",
                  "/usr/share/man/man5/kizukid.conf.5.gz", "/usr/share/doc/kizuki/privacy.md",
                  "/usr/share/doc/kizuki/signals.md", "/usr/share/doc/kizuki/kizukid.conf.example",
                  "/usr/share/bash-completion/completions/kizuki",
                  "/usr/share/zsh/vendor-completions/_kizuki",
                  "/usr/share/fish/vendor_completions.d/kizuki.fish"]:
            self.assertIn(f, self.files)
        self.assertEqual(len([f for f in self.files if f.endswith(".policy")]), 6)
        unit = self.c.sh("cat /usr/lib/systemd/user/kizukid.service").stdout
        self.assertIn("ExecStart=/usr/libexec/kizukid", unit)
        self.assertIn("kizuki 0.1", self.c.sh("kizuki --version").stdout)
        # kizuki resources reads the installed file; privacy points to the installed doc.
        self.assertIn("In a crisis", self.c.sh("kizuki resources --crisis").stdout)
        self.assertIn("KHJ", self.c.sh("kizuki resources").stdout)
        enabled = self.c.sh("find /etc/systemd/user /etc/systemd/system -name '*kizuki*'").stdout.strip()
        self.assertEqual(enabled, "", "installing the package must not enable the units for anyone")
        note("no unit enabled globally (/etc/systemd/user has no kizuki link)")

    def test_02_users(self):
        step("02 users with lingering user managers; bob did not opt in")
        for name in ("alice", "bob"):
            self.c.sh(f"useradd -m {name} && loginctl enable-linger {name} && "
                      f"systemctl start user@$(id -u {name}).service", timeout=90)
        type(self).alice = int(self.c.sh("id -u alice").stdout)
        type(self).bob = int(self.c.sh("id -u bob").stdout)
        for name, uid in (("alice", self.alice), ("bob", self.bob)):
            p = self.c.user(name, uid, "systemctl --user is-system-running --wait", timeout=90, check=False)
            note(f"{name} (uid {uid}): systemd --user {p.stdout.strip()}")
            self.assertIn(p.stdout.strip(), ("running", "degraded"))
        p = self.c.user("bob", self.bob, "systemctl --user is-enabled kizukid.socket; "
                        "systemctl --user is-active kizukid.socket kizukid.service", check=False)
        note("bob: kizukid.socket " + " / ".join(p.stdout.split()))
        self.assertEqual(p.stdout.split(), ["disabled", "inactive", "inactive"])
        self.assertFalse(os.path.exists(os.path.join(ROOT, "home/alice")), "the cached root stays pristine")

    def test_03_socket_activation(self):
        step("03 alice: enable --now kizukid.socket; the first kizuki status starts kizukid")
        self.open_session()
        note(f"alice's login session {self.session[0]} at {self.session[1]}: {self.session_props()}")
        note("  " + self.c.sh(f"loginctl show-session {self.session[0]} -p Type -p Class -p Remote").stdout.replace("\n", " "))
        type(self).since = time.time() - 1
        self.a("systemctl --user enable --now kizukid.socket")
        p = self.a("systemctl --user is-active kizukid.socket kizukid.service", check=False)
        self.assertEqual(p.stdout.split(), ["active", "inactive"], "kizukid runs before first use")
        self.assertEqual(self.a("test -S $XDG_RUNTIME_DIR/kizuki/io.kizuki.Daemon && echo ok").stdout.strip(), "ok")
        for attempt in range(len(KNOWN_PROBLEMS) + 1):
            since = time.time() - 1
            p = self.a("timeout 8 kizuki status", timeout=30, check=False)
            if p.returncode == 0:
                type(self).since = since
                break
            time.sleep(1)
            log = self.journal(since)
            k = self.known_problem("start", log)
            if not k:
                self.fail(f"kizuki status failed ({p.returncode}): {p.stderr}\njournal:\n{log[-3000:]}")
            self.workaround(k, log)
            self.a("systemctl --user stop kizukid.service; "
                   "systemctl --user reset-failed kizukid.service kizukid.socket; "
                   "systemctl --user restart kizukid.socket")
        else:
            self.fail("kizukid did not start, even with the known workarounds")
        note("kizuki status:\n      " + p.stdout.strip().replace("\n", "\n      "))
        self.wait_active("kizukid.service")
        self.assertIn("no consent", p.stdout)
        deadline = time.monotonic() + 15
        while self.status()["logind"]["state"] != "connected" and time.monotonic() < deadline:
            time.sleep(0.3)
        s = self.status()
        note(f"logind: {s['logind']}")
        self.assertEqual(s["logind"]["state"], "connected")
        self.assertEqual([x["id"] for x in s["logind"]["sessions"]], [self.session[0]])
        show = self.a("systemctl --user show kizukid.service -p TriggeredBy -p ExecMainStartTimestamp "
                      "-p FragmentPath -p DropInPaths").stdout
        for line in show.strip().splitlines():
            note("  " + line)
        self.assertIn("FragmentPath=/usr/lib/systemd/user/kizukid.service", show)

    def test_04_hardening(self):
        step("04 hardening: what the unit asks for, what the running kizukid has")
        pid = self.main_pid()
        props = dict(line.split("=", 1) for line in self.a(
            "systemctl --user show kizukid.service " + " ".join(f"-p {h}" for h in HARDENING)
        ).stdout.splitlines() if "=" in line)
        mgr = int(self.c.sh(f"systemctl show user@{self.alice}.service -p MainPID --value").stdout)
        probe = self.c.sh(
            f"cat /proc/{pid}/status; echo ==uid; cat /proc/{pid}/uid_map; "
            f"for n in user mnt net ipc uts; do echo ==ns $n $(readlink /proc/{pid}/ns/$n) "
            f"$(readlink /proc/{mgr}/ns/$n); done; echo ==mounts; cat /proc/{pid}/mountinfo; "
            f"echo ==dev; ls /proc/{pid}/root/dev; echo ==net; "
            f"awk 'NR>2{{print $1}}' /proc/{pid}/net/dev | tr -d : | tr '\\n' ' '; echo; "
            f"echo ==end").stdout
        status = dict(re.findall(r"^(\w+):\s*(.*)$", probe, re.M))
        ns = {m[0]: m[1] != m[2] for m in re.findall(r"^==ns (\w+) (\S+) (\S+)$", probe, re.M)}
        note("namespaces (kizukid, user manager): " + ", ".join(
            " ".join(m) for m in re.findall(r"^==ns (\w+) (\S+) (\S+)$", probe, re.M)))
        mounts = {}
        for line in probe.split("==mounts\n")[1].split("==dev")[0].splitlines():
            w = line.split()
            mounts[w[4]] = (w[5], line.split(" - ")[1].split())
        dev = probe.split("==dev\n")[1].split("==net")[0].split()
        ifaces = probe.split("==net\n")[1].split("==end")[0].split()
        uid_map = probe.split("==uid\n")[1].split("==ns")[0].split()

        def mount_of(path):  # the mount a path is on: the longest mount point above it
            return max((m for m in mounts if path == m or path.startswith(m.rstrip("/") + "/")), key=len)

        def ro(path):
            return "ro" in mounts[mount_of(path)][0].split(",")

        def rw(path):
            return f"{path} on {mount_of(path)} ({mounts[mount_of(path)][0].split(',')[0]})"

        proc_opts = mounts.get("/proc", ("", ["", "", ""]))[1][2] if "/proc" in mounts else ""
        h = {
            "NoNewPrivileges": (status.get("NoNewPrivs") == "1", f"NoNewPrivs: {status.get('NoNewPrivs')}"),
            "CapabilityBoundingSet": (status.get("CapBnd") == "0000000000000000", f"CapBnd: {status.get('CapBnd')}"),
            "UMask": (status.get("Umask") == "0077", f"Umask: {status.get('Umask')}"),
            "SystemCallFilter (+ RestrictAddressFamilies, MemoryDenyWriteExecute, LockPersonality, "
            "RestrictNamespaces, RestrictRealtime, RestrictSUIDSGID, SystemCallArchitectures, ProtectClock)":
                (status.get("Seccomp") == "2", f"Seccomp: {status.get('Seccomp')}, "
                                               f"{status.get('Seccomp_filters', '?')} filters"),
            "PrivateUsers": (ns.get("user", False), f"own user namespace, uid_map {' '.join(uid_map)}"),
            "PrivateMounts (mount namespace)": (ns.get("mnt", False), "own mount namespace"),
            "PrivateNetwork": (ns.get("net", False) and ifaces == ["lo"],
                               f"own network namespace, interfaces: {' '.join(ifaces)}" if ns.get("net")
                               else "same network namespace as the user manager"),
            "PrivateIPC": (ns.get("ipc", False), "own IPC namespace" if ns.get("ipc")
                           else "same IPC namespace as the user manager"),
            "ProtectHostname": (ns.get("uts", False), "own UTS namespace" if ns.get("uts")
                                else "same UTS namespace"),
            "ProtectSystem=strict": (ro("/usr") and ro("/etc") and ro("/var/lib"),
                                     f"{rw('/usr')}, {rw('/etc')}, {rw('/var/lib')}"),
            "ProtectHome=read-only": (ro("/home/alice") and ro("/home/bob"),
                                      f"{rw('/home/alice')}, {rw('/home/bob')}"),
            "ReadWritePaths/StateDirectory (writable)":
                (not ro("/home/alice/.local/state/kizuki/x"), rw("/home/alice/.local/state/kizuki/x")),
            "PrivateTmp": ("/tmp" in mounts and "/var/tmp" in mounts, "own /tmp and /var/tmp mounts"
                           if "/tmp" in mounts else "no own /tmp"),
            "PrivateDevices": ("console" not in dev, f"/dev: {' '.join(sorted(dev))}"),
            "ProtectControlGroups": (ro("/sys/fs/cgroup"), f"/sys/fs/cgroup {mounts.get('/sys/fs/cgroup', ('?',))[0]}"),
            "ProtectKernelTunables": (ro("/proc/sys") and ro("/sys"),
                                      "/proc/sys and /sys read-only (nspawn makes them read-only "
                                      "for the whole container anyway)"),
            "ProtectKernelLogs": ("/proc/kmsg" in mounts and self.c.sh(
                f"test -r /proc/{pid}/root/proc/kmsg", check=False).returncode != 0
                and not any(k["name"].startswith("ProtectKernelLogs") for k in self.problems),
                "switched off by the drop-in (see PROBLEM above)"
                if any(k["name"].startswith("ProtectKernelLogs") for k in self.problems) else "/proc/kmsg masked"),
            "ProtectProc=invisible": ("hidepid=invisible" in proc_opts or "hidepid=2" in proc_opts,
                                      f"/proc options: {proc_opts}"),
            "ProcSubset=pid": ("subset=pid" in proc_opts, f"/proc options: {proc_opts}"),
            "StateDirectory": (True, f"{props.get('StateDirectory')} -> $STATE_DIRECTORY "
                               + self.c.sh(f"tr '\\0' '\\n' < /proc/{pid}/environ | grep ^STATE_DIRECTORY= "
                                           "|| echo unset", check=False).stdout.strip()),
        }
        type(self).hardening = h
        note(f"kizukid PID {pid} (user manager PID {mgr}); the unit asks for:")
        note("  " + " ".join(f"{k}={props.get(k, '')}" for k in HARDENING if props.get(k, "") not in ("", "no"))[:2000])
        for name, (ok, why) in h.items():
            note(f"  {'applied    ' if ok else 'NOT applied'} {name}: {why}")
        ignoring = sorted({line for line in self.journal(self.since).splitlines() if "ignoring" in line})
        for line in ignoring:
            note(f"  journal: {line}")
        if ignoring:
            note("  (logged for the attempt before the user namespace exists; the namespaces and "
                 "interfaces above are what kizukid runs with)")
        note("  not checked one by one: ProtectKernelModules (no modules in the container), "
             "KeyringMode, and the seccomp-based options, which share the filter counted above")
        # What any user manager with unprivileged user namespaces must give.
        for must in ("NoNewPrivileges", "CapabilityBoundingSet", "UMask", "PrivateUsers",
                     "ProtectSystem=strict", "ProtectHome=read-only", "PrivateTmp", "PrivateDevices"):
            self.assertTrue(h[must][0], f"{must}: {h[must][1]}")
        self.assertTrue([v for k, v in h.items() if k.startswith("SystemCallFilter")][0][0])

    def test_05_consent(self):
        step("05 consent grant --yes; active seconds grow while the session is active")
        out = self.a("kizuki consent grant --yes").stdout
        self.assertIn("Consent granted", out)
        s = self.status()
        self.assertEqual(s["recording"], "recording")
        self.assertEqual([x["id"] for x in s["logind"]["sessions"]], [self.session[0]])
        self.assert_counting("active session")

    def test_06_idle_hint(self):
        step("06 SetIdleHint by the session owner")
        self.session_call("SetIdleHint", "true")
        self.assertEqual(self.session_props()["IdleHint"], "yes")
        self.assert_not_counting("IdleHint=yes")
        self.session_call("SetIdleHint", "false")
        self.assertEqual(self.session_props()["IdleHint"], "no")
        self.assert_counting("IdleHint=no")

    def test_07_lock(self):
        step("07 loginctl lock-session / unlock-session (+ SetLockedHint as a locker would)")
        # logind's lock-session only sends Lock to the session: a screen locker
        # locks and calls SetLockedHint. Here alice's "locker" is a busctl call.
        self.c.sh(f"loginctl lock-session {self.session[0]}")
        self.session_call("SetLockedHint", "true")
        self.assertEqual(self.session_props()["LockedHint"], "yes")
        self.assert_not_counting("locked")
        self.c.sh(f"loginctl unlock-session {self.session[0]}")
        self.session_call("SetLockedHint", "false")
        self.assertEqual(self.session_props()["LockedHint"], "no")
        self.assert_counting("unlocked")

    def test_08_terminate(self):
        step("08 loginctl terminate-session; a new login resumes")
        self.c.sh(f"loginctl terminate-session {self.session[0]}")
        self.su.wait(timeout=20)
        deadline = time.monotonic() + 10
        while self.status()["logind"]["sessions"] and time.monotonic() < deadline:
            time.sleep(0.3)
        self.assertEqual(self.status()["logind"]["sessions"], [])
        self.assert_not_counting("no session")
        self.open_session()
        note(f"new session {self.session[0]}")
        self.assert_counting("new session")

    def test_09_reload(self):
        step("09 systemctl --user reload kizukid (five times)")
        pid = self.main_pid()
        since = time.time() - 1
        ok = sum(self.a("systemctl --user reload kizukid.service", check=False).returncode == 0
                 for _ in range(5))
        note(f"{ok} of 5 reloads worked")
        if ok < 5:
            log = self.journal(since)
            k = self.known_problem("reload", log)
            if not k:
                self.fail(f"systemctl --user reload failed; journal:\n{log[-3000:]}")
            self.workaround(k, log)
            since = time.time() - 1
            for _ in range(5):
                self.a("systemctl --user reload kizukid.service")
            note("5 of 5 reloads worked with the drop-in")
        time.sleep(1)
        self.assertEqual(self.main_pid(), pid, "reload keeps the process")
        log = self.journal(since)
        note("journal: " + " | ".join(log.strip().splitlines()[-3:]))
        self.assertIn("Configuration reloaded", log)
        self.assert_counting("after reload")

    def test_10_stop_flushes(self):
        step("10 systemctl --user stop flushes; the next kizuki status activates it again")
        a0, _, _ = self.figures()
        time.sleep(2)
        self.a("systemctl --user stop kizukid.service")
        self.assertEqual(self.a("systemctl --user is-active kizukid.service kizukid.socket",
                                check=False).stdout.split(), ["inactive", "active"])
        a1, _, s = self.figures()  # socket activation again
        note(f"active before stop {a0} s (+2 s until the stop), after activation {a1} s")
        s = self.wait_connected()
        self.assertGreaterEqual(a1, a0 + 1, "seconds before the stop were flushed")
        self.assertTrue(s["active"])

    def test_11_restart(self):
        step("11 systemctl --user restart kizukid")
        pid = self.main_pid()
        a0, _, _ = self.figures()
        self.a("systemctl --user restart kizukid.service")
        self.assertNotEqual(self.main_pid(), pid)
        a1, _, _ = self.figures()
        self.wait_connected()
        note(f"active {a0} s -> {a1} s across the restart")
        self.assertGreaterEqual(a1, a0)
        self.assert_counting("after restart")

    def test_12_kill9(self):
        step("12 kill -9 kizukid: Restart=on-failure brings it back")
        pid = self.main_pid()
        n0 = int(self.a("systemctl --user show kizukid.service -p NRestarts --value").stdout)
        a0, _, _ = self.figures()
        self.a(f"kill -9 {pid}")
        t = time.monotonic()
        deadline = t + 30
        while time.monotonic() < deadline:
            new = self.main_pid()
            state = self.a("systemctl --user is-active kizukid.service", check=False).stdout.strip()
            if new and new != pid and state == "active":
                break
            time.sleep(0.3)
        else:
            self.fail("kizukid did not come back after kill -9")
        n1 = int(self.a("systemctl --user show kizukid.service -p NRestarts --value").stdout)
        a1, _, _ = self.figures()
        self.wait_connected()
        note(f"back as PID {new} after {time.monotonic() - t:.1f} s, NRestarts {n0} -> {n1}; "
             f"active {a0} s before the kill, {a1} s after (unflushed seconds are lost by design)")
        self.assertEqual(n1, n0 + 1)
        self.assert_counting("after kill -9")

    def test_13_remove_purge(self):
        step("13 apt-get remove, then purge: the package goes, alice's data stays")
        self.a("systemctl --user stop kizukid.service kizukid.socket")
        state = "/home/alice/.local/state/kizuki"
        hashes = self.c.sh(f"cd {state} && sha256sum * && ls -la").stdout
        note("alice's state: " + " ".join(re.findall(r"^[0-9a-f]{64}\s+(\S+)$", hashes, re.M)))
        self.c.sh("DEBIAN_FRONTEND=noninteractive apt-get remove -y kizuki", timeout=300)
        left = [f for f in self.files if self.c.sh(f"test -e {shlex.quote(f)} -o -L {shlex.quote(f)}",
                                                   check=False).returncode == 0]
        self.assertEqual(left, [], "files left after remove")
        st = self.c.sh("dpkg-query -W -f='${db:Status-Abbrev}' kizuki", check=False).stdout.strip()
        note(f"remove: all {len(self.files)} files gone; dpkg status {st or 'not-installed'}")
        self.c.sh("DEBIAN_FRONTEND=noninteractive apt-get purge -y kizuki", timeout=300)
        self.assertNotEqual(self.c.sh("dpkg -s kizuki", check=False).returncode, 0)
        leftovers = self.c.sh(f"find / -xdev \\( -path /proc -o -path /sys -o -path /home -o -path /run/user "
                              f"-o -path /mnt -o -path /{CACHE_STAMP} \\) -prune -o -name '*kizuki*' -print", check=False).stdout.split()
        note(f"purge: dpkg -s fails; paths named *kizuki* outside /home: {leftovers or 'none'}")
        self.assertEqual(leftovers, [])
        self.assertEqual(self.c.sh(f"cd {state} && sha256sum * && ls -la").stdout, hashes,
                         "alice's data changed")
        note(f"alice's {state} unchanged (sha256 and ls -la)")
        link = self.a("readlink ~/.config/systemd/user/sockets.target.wants/kizukid.socket",
                      check=False).stdout.strip()
        note(f"alice's own opt-in link stays (dangling, hers to remove): {link}")

    def test_99_no_unit_defects(self):
        step("99 summary")
        for k in self.problems:
            note(f"{'container only' if k['container_only'] else 'DEFECT'}: {k['name']}")
        defects = [k["name"] for k in self.problems if not k["container_only"]]
        self.assertEqual(defects, [], "kizukid.service as shipped needs these workarounds "
                                      "under a real Debian 12 user manager")


def main():
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # run tearDownClass
    suite = unittest.defaultTestLoader.loadTestsFromTestCase(SystemTier)
    result = unittest.TextTestRunner(verbosity=2, failfast=True, stream=sys.stdout).run(suite)
    step(f"done in {time.monotonic() - T0:.1f} s")
    if result.skipped and result.wasSuccessful():
        print("SKIP: " + "; ".join(r for _, r in result.skipped[:1]), flush=True)
        return SKIP_CODE
    return 0 if result.wasSuccessful() else 1


if __name__ == "__main__":
    sys.exit(main())
