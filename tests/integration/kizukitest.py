"""Shared harness for kizuki's black-box integration tests (and the idle-cost bench).

Every test gets an Env: its own temp dir (XDG_STATE_HOME, XDG_RUNTIME_DIR and
XDG_CONFIG_HOME inside it), its own dbus-daemon on a unix:path= address inside it
(so the bus can be killed and restarted at the same address), its own
python-dbusmock logind, and the real kizukid and kizuki binaries named by the
KIZUKID and KIZUKI environment variables. Every process is started in its own
process group and killed with its group on cleanup, also when a test fails; every
wait has a timeout.

Only the standard library plus dbus-daemon, busctl and `python3 -m dbusmock`
(all run as subprocesses) are used. Run with /usr/bin/python3.

Environment:
  KIZUKID, KIZUKI          the binaries under test (default: $KIZUKI_BUILD_DIR/…)
  KIZUKI_SOURCE_DIR        the source tree (default: derived from this file)
  KIZUKI_BUILD_DIR         the build tree
  KIZUKI_TEST_KEEP=1       keep each test's temp dir (its path is printed)
  KIZUKI_TEST_VERBOSE=1    print the daemon's log after every test, not only failures
"""

import contextlib
import datetime
import errno
import json
import os
import pty
import select
import shutil
import signal
import socket
import sqlite3
import stat
import subprocess
import sys
import tempfile
import time
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
SOURCE_DIR = os.environ.get("KIZUKI_SOURCE_DIR") or os.path.dirname(os.path.dirname(HERE))
BUILD_DIR = os.environ.get("KIZUKI_BUILD_DIR") or os.path.join(SOURCE_DIR, "build")
KIZUKID = os.environ.get("KIZUKID") or os.path.join(BUILD_DIR, "kizukid")
KIZUKI = os.environ.get("KIZUKI") or os.path.join(BUILD_DIR, "kizuki")
BUS_CONF = os.path.join(HERE, "system-bus.conf")
VARLINK_FILE = os.path.join(SOURCE_DIR, "lib", "io.kizuki.Daemon.varlink")
PYTHON = "/usr/bin/python3"
LIBFAKETIME = "/usr/lib/x86_64-linux-gnu/faketime/libfaketime.so.1"  # Debian's faketime (scripts/deps)

LOGIN1 = "org.freedesktop.login1"
LOGIN1_PATH = "/org/freedesktop/login1"
MANAGER = LOGIN1 + ".Manager"
SESSION = LOGIN1 + ".Session"
MOCK = "org.freedesktop.DBus.Mock"

IFACE = "io.kizuki.Daemon"
SANITIZER_MARKERS = ("ERROR: AddressSanitizer", "ERROR: LeakSanitizer", "runtime error:",
                     "UndefinedBehaviorSanitizer")
MAX_MESSAGE = 65536


def log(msg):
    print(f"[{time.strftime('%H:%M:%S')}] {msg}", file=sys.stderr, flush=True)


def wait_for(pred, timeout, interval=0.1, what="condition"):
    """Poll pred() until it returns a truthy value; return it. AssertionError on timeout
    (with the last value or exception seen)."""
    deadline = time.monotonic() + timeout
    last = None
    while True:
        try:
            last = pred()
            if last:
                return last
        except AssertionError:
            raise
        except Exception as e:  # noqa: BLE001 - keep polling, report the last error
            last = e
        if time.monotonic() >= deadline:
            raise AssertionError(f"timed out after {timeout}s waiting for {what}; last: {last!r}")
        time.sleep(interval)


# ---------------------------------------------------------------------------
# Varlink client (raw socket), for precise figures and hostile input.


class VarlinkError(Exception):
    def __init__(self, reply):
        self.reply = reply
        self.name = reply.get("error")
        self.parameters = reply.get("parameters") or {}
        super().__init__(f"{self.name} {json.dumps(self.parameters)}")


class Disconnected(Exception):
    pass


class VarlinkClient:
    """One connection to the control socket. Messages: JSON + NUL."""

    def __init__(self, path, timeout=5.0, connect=True):
        self.path = path
        self.timeout = timeout
        self.buf = b""
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.sock.settimeout(timeout)
        if connect:
            try:
                self.sock.connect(path)
            except BaseException:
                self.sock.close()
                raise

    def close(self):
        with contextlib.suppress(OSError):
            self.sock.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def fileno(self):
        return self.sock.fileno()

    def send_raw(self, data):
        self.sock.sendall(data)

    def send(self, method, parameters=None, **extra):
        msg = {"method": method}
        if parameters is not None:
            msg["parameters"] = parameters
        msg.update(extra)
        self.send_raw(json.dumps(msg).encode() + b"\0")

    def recv(self, timeout=None):
        """The next message as a dict. Disconnected on EOF or reset; socket.timeout."""
        deadline = time.monotonic() + (self.timeout if timeout is None else timeout)
        while b"\0" not in self.buf:
            left = deadline - time.monotonic()
            if left <= 0:
                raise socket.timeout("no reply")
            self.sock.settimeout(left)
            try:
                chunk = self.sock.recv(65536)
            except (ConnectionResetError, BrokenPipeError) as e:
                raise Disconnected(str(e)) from e
            if not chunk:
                raise Disconnected("EOF" + (f" with {len(self.buf)} unterminated bytes" if self.buf else ""))
            self.buf += chunk
        msg, _, self.buf = self.buf.partition(b"\0")
        reply = json.loads(msg.decode())
        if not isinstance(reply, dict):
            raise AssertionError(f"reply is not a JSON object: {msg!r}")
        return reply

    def call_raw(self, method, parameters=None, timeout=None):
        self.send(method, {} if parameters is None else parameters)
        return self.recv(timeout)

    def call(self, method, parameters=None, timeout=None):
        reply = self.call_raw(method, parameters, timeout)
        if "error" in reply:
            raise VarlinkError(reply)
        return reply.get("parameters", {})

    def wait_eof(self, timeout):
        """Read and discard until EOF/reset (True) or timeout (False)."""
        deadline = time.monotonic() + timeout
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                return False
            self.sock.settimeout(left)
            try:
                chunk = self.sock.recv(65536)
            except socket.timeout:
                return False
            except (ConnectionResetError, BrokenPipeError):
                return True
            if not chunk:
                return True
            self.buf += chunk

    def peer_closed(self, timeout=0.0):
        """Whether the daemon closed its end, without reading anything."""
        p = select.poll()
        p.register(self.sock.fileno(), select.POLLRDHUP | select.POLLHUP | select.POLLERR)
        ev = p.poll(int(timeout * 1000))
        return bool(ev and ev[0][1] & (select.POLLRDHUP | select.POLLHUP | select.POLLERR))


def exchange(path, data, timeout=3.0, close_write=False):
    """Send raw bytes on a new connection; return ("reply", dict), ("eof", bytes_left),
    ("timeout", None) or ("sendfail", errno name) when the daemon closed the
    connection while we were still writing and left no reply. Used for hostile input."""
    with VarlinkClient(path, timeout=timeout) as c:
        sendfail = None
        try:
            c.send_raw(data)
            if close_write:
                c.sock.shutdown(socket.SHUT_WR)
        except (BrokenPipeError, ConnectionResetError) as e:
            sendfail = errno.errorcode.get(e.errno, str(e))
        try:
            return ("reply", c.recv(timeout))
        except Disconnected:
            return ("sendfail", sendfail) if sendfail else ("eof", c.buf)
        except socket.timeout:
            return ("timeout", None)


# ---------------------------------------------------------------------------
# Processes


class Proc:
    """A child in its own process group, logged to a file."""

    def __init__(self, name, argv, env, logfile, cwd=None, stdout=None, pass_fds=()):
        self.name = name
        self.argv = argv
        self.logfile = logfile
        self.log_fh = open(logfile, "ab")
        self.popen = subprocess.Popen(
            argv, env=env, cwd=cwd, stdin=subprocess.DEVNULL,
            stdout=stdout if stdout is not None else self.log_fh,
            stderr=self.log_fh, start_new_session=True, pass_fds=pass_fds)
        self.pid = self.popen.pid
        self.returncode = None

    def alive(self):
        return self.popen.poll() is None

    def kill(self, sig):
        if self.alive():
            os.kill(self.pid, sig)

    def wait(self, timeout):
        try:
            self.returncode = self.popen.wait(timeout)
        except subprocess.TimeoutExpired:
            return None
        return self.returncode

    def stop(self, sig=signal.SIGTERM, timeout=5.0):
        """Signal the group, wait, then SIGKILL the group. Returns the exit status
        of the leader (negative: killed by that signal)."""
        if self.alive():
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(self.pid, sig)
            if self.wait(timeout) is None:
                with contextlib.suppress(ProcessLookupError, PermissionError):
                    os.killpg(self.pid, signal.SIGKILL)
                self.wait(5)
        else:
            self.returncode = self.popen.returncode
        # Leftovers of the group (e.g. a child that ignored SIGTERM).
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(self.pid, signal.SIGKILL)
        with contextlib.suppress(Exception):
            if self.popen.stdout:
                self.popen.stdout.close()
        self.log_fh.close()
        return self.returncode

    def log_text(self):
        try:
            with open(self.logfile, "rb") as f:
                return f.read().decode(errors="replace")
        except OSError:
            return ""


# ---------------------------------------------------------------------------
# The environment of one test


class Env:
    def __init__(self, name="kizuki"):
        # Short: the control socket's path must fit in sun_path (108 bytes).
        safe = "".join(ch if ch.isalnum() else "-" for ch in name.rsplit(".", 1)[-1])
        safe = safe.replace("test-", "")[:20]
        self.dir = tempfile.mkdtemp(prefix=f"kz-{safe}-")
        self.state_home = os.path.join(self.dir, "state")
        self.runtime_dir = os.path.join(self.dir, "runtime")
        self.config_home = os.path.join(self.dir, "config")
        for d in (self.state_home, self.runtime_dir, self.config_home):
            os.makedirs(d, mode=0o700)
        self.bus_dir = os.path.join(self.dir, "bus")
        os.makedirs(self.bus_dir, mode=0o700)
        self.bus_path = os.path.join(self.bus_dir, "system_bus_socket")
        self.bus_address = "unix:path=" + self.bus_path
        self.socket_path = os.path.join(self.runtime_dir, "kizuki", "io.kizuki.Daemon")
        self.state_dir = os.path.join(self.state_home, "kizuki")
        self.db_path = os.path.join(self.state_dir, "kizuki.db")
        self.config_path = os.path.join(self.config_home, "kizuki", "kizukid.conf")
        self.procs = []
        self.bus = None
        self.logind = None
        self.daemon = None
        self.sessions = {}  # id -> dict(uid=..., path=...)
        self._n = 0

    # -- environment variables --------------------------------------------------

    def environ(self, **extra):
        e = {k: v for k, v in os.environ.items()
             if k not in ("LISTEN_FDS", "LISTEN_PID", "LISTEN_FDNAMES", "NOTIFY_SOCKET",
                          "DBUS_SESSION_BUS_ADDRESS", "KIZUKI_SOCKET", "WATCHDOG_USEC",
                          "WATCHDOG_PID")}
        e.update(XDG_STATE_HOME=self.state_home, XDG_RUNTIME_DIR=self.runtime_dir,
                 XDG_CONFIG_HOME=self.config_home, DBUS_SYSTEM_BUS_ADDRESS=self.bus_address,
                 KIZUKI_SOCKET=self.socket_path)
        e.setdefault("PATH", "/usr/sbin:/usr/bin:/sbin:/bin")
        for k, v in extra.items():
            if v is None:
                e.pop(k, None)
            else:
                e[k] = v
        return e

    def _logname(self, name):
        self._n += 1
        return os.path.join(self.dir, f"{self._n:02d}-{name}.log")

    def spawn(self, name, argv, env=None, **kw):
        p = Proc(name, argv, env or self.environ(), self._logname(name), **kw)
        self.procs.append(p)
        return p

    # -- a session bus with a mock notification server ----------------------------

    def start_notifications(self, server=True, timeout=15):
        """A private session bus (its address is returned, for
        DBUS_SESSION_BUS_ADDRESS) and, when server, python-dbusmock's
        notification_daemon template on it, which records every call."""
        path = os.path.join(self.dir, "session_bus_socket")
        addr = "unix:path=" + path
        self.spawn("session-bus", ["dbus-daemon", "--nofork", "--nopidfile", "--nosyslog",
                                   f"--config-file={BUS_CONF}", f"--address={addr}"])
        wait_for(lambda: os.path.exists(path), 10, what="session bus")
        if server:
            self.spawn("notifications", [PYTHON, "-m", "dbusmock", "--template", "notification_daemon"],
                       env=self.environ(DBUS_SESSION_BUS_ADDRESS=addr))
            wait_for(lambda: self.session_busctl(addr, "status", "org.freedesktop.Notifications",
                                                 check=False).returncode == 0, timeout, what="mock notifications")
        return addr

    def session_busctl(self, addr, *args, check=True):
        argv = ["busctl", f"--address={addr}", "--no-pager", "--timeout=5", *args]
        r = subprocess.run(argv, capture_output=True, text=True, timeout=10, stdin=subprocess.DEVNULL)
        if check and r.returncode != 0:
            raise AssertionError(f"{' '.join(argv)} failed ({r.returncode}): {r.stderr.strip()}")
        return r

    def notify_calls(self, addr):
        """The Notify calls the mock server received: a list of [app_name,
        replaces_id, icon, summary, body, actions, hints, timeout], the values
        of busctl's JSON (a hint is {"type": ..., "data": ...})."""
        out = self.session_busctl(addr, "--json=short", "call", "org.freedesktop.Notifications",
                                  "/org/freedesktop/Notifications", "org.freedesktop.DBus.Mock", "GetCalls").stdout
        calls = json.loads(out)["data"][0]
        return [[v["data"] for v in c[2]] for c in calls if c[1] == "Notify"]

    # -- bus and mock logind ---------------------------------------------------------

    def start_bus(self, timeout=10):
        """dbus-daemon with system-bus.conf listening on self.bus_address."""
        with contextlib.suppress(FileNotFoundError):
            os.unlink(self.bus_path)
        p = self.spawn("dbus-daemon",
                       ["dbus-daemon", "--nofork", "--nopidfile", "--nosyslog",
                        f"--config-file={BUS_CONF}", f"--address={self.bus_address}",
                        "--print-address=1"],
                       stdout=subprocess.PIPE)
        r, _, _ = select.select([p.popen.stdout], [], [], timeout)
        line = p.popen.stdout.readline().decode().strip() if r else ""
        if not line.startswith("unix:path="):
            p.stop()
            raise AssertionError(f"dbus-daemon did not start: {line!r}\n{p.log_text()}")
        self.bus = p
        return p

    def stop_bus(self, sig=signal.SIGTERM):
        if self.bus:
            self.bus.stop(sig)
            self.bus = None

    def busctl(self, *args, check=True, timeout=10):
        argv = ["busctl", f"--address={self.bus_address}", "--no-pager", "--timeout=5", *args]
        r = subprocess.run(argv, capture_output=True, text=True, timeout=timeout,
                           stdin=subprocess.DEVNULL)
        if check and r.returncode != 0:
            raise AssertionError(f"{' '.join(argv)} failed ({r.returncode}): {r.stderr.strip()}")
        return r

    def mock_call(self, path, method, signature, *args, interface=MOCK):
        return self.busctl("call", LOGIN1, path, interface, method, signature,
                           *[str(a) for a in args]).stdout

    def start_logind(self, timeout=15):
        """python-dbusmock's logind template on our bus, with the template's gaps patched:
        GetUser (raises TypeError in 0.28) and SetIdleHint (does not change the property)."""
        p = self.spawn("logind", [PYTHON, "-m", "dbusmock", "--template", "logind"])
        self.logind = p

        def up():
            if not p.alive():
                raise AssertionError(f"mock logind exited:\n{p.log_text()}")
            return self.busctl("call", LOGIN1, LOGIN1_PATH, "org.freedesktop.DBus.Peer", "Ping",
                               check=False).returncode == 0
        wait_for(up, timeout, 0.1, "mock logind on the bus")
        self.mock_call(LOGIN1_PATH, "AddMethod", "sssss", MANAGER, "GetUser", "u", "o",
                       'ret = dbus.ObjectPath("/org/freedesktop/login1/user/%d" % args[0])')
        self.sessions = {}
        return p

    def stop_logind(self):
        if self.logind:
            self.logind.stop()
            self.logind = None

    def start_bus_and_logind(self):
        self.start_bus()
        self.start_logind()

    def session_path(self, sid):
        return f"{LOGIN1_PATH}/session/{sid}"

    def add_session(self, sid, uid=None, active=True, seat="seat0", user="root", announce=True):
        """AddSession plus the SessionNew signal the template does not send."""
        uid = os.getuid() if uid is None else uid
        path = self.mock_call(LOGIN1_PATH, "AddSession", "ssusb", sid, seat, uid, user,
                              "true" if active else "false").split()[-1].strip('"')
        self.sessions[sid] = dict(uid=uid, path=path, seat=seat)
        self.mock_call(path, "AddMethod", "sssss", SESSION, "SetIdleHint", "b", "",
                       'self.UpdateProperties("", {"IdleHint": args[0]})')
        if announce:
            self.mock_call(LOGIN1_PATH, "EmitSignal", "sssav", MANAGER, "SessionNew", "so",
                           2, "s", sid, "o", path)
        return path

    def set_session(self, sid, **props):
        """UpdateProperties on the session (emits PropertiesChanged). Bools only."""
        args = []
        for k, v in props.items():
            assert isinstance(v, bool), "only bool properties are supported"
            args += [k, "b", "true" if v else "false"]
        self.mock_call(self.sessions[sid]["path"], "UpdateProperties", "sa{sv}", SESSION,
                       len(props), *args)

    def remove_session(self, sid, announce=True):
        info = self.sessions.pop(sid)
        path = info["path"]
        # Keep the user's and seat's Sessions lists consistent with what is left.
        for obj, iface, key in ((f"{LOGIN1_PATH}/user/{info['uid']}", LOGIN1 + ".User", "uid"),
                                (f"{LOGIN1_PATH}/seat/{info['seat']}", LOGIN1 + ".Seat", "seat")):
            left = [(s, i["path"]) for s, i in self.sessions.items() if i[key] == info[key]]
            flat = []
            for s, pth in left:
                flat += [s, pth]
            self.mock_call(obj, "UpdateProperties", "sa{sv}", iface, 1, "Sessions", "a(so)",
                           len(left), *flat)
        self.mock_call(LOGIN1_PATH, "RemoveObject", "s", path)
        if announce:
            self.mock_call(LOGIN1_PATH, "EmitSignal", "sssav", MANAGER, "SessionRemoved", "so",
                           2, "s", sid, "o", path)

    def prepare_for_sleep(self, sleeping):
        b = "true" if sleeping else "false"
        self.mock_call(LOGIN1_PATH, "UpdateProperties", "sa{sv}", MANAGER, 1,
                       "PreparingForSleep", "b", b)
        self.mock_call(LOGIN1_PATH, "EmitSignal", "sssav", MANAGER, "PrepareForSleep", "b",
                       1, "b", b)

    # -- kizukid ---------------------------------------------------------------------------

    # The fixtures (the sample history, the synthetic people) have fixed dates
    # that fall out of the default 365-day retention as time goes by: unless a
    # test says otherwise (keep_fixtures = False, or its own retention_days),
    # kizukid keeps a century. Tests of retention itself set their own.
    keep_fixtures = True
    FIXTURE_RETENTION = "\n[store]\n# the test fixtures have fixed dates\nretention_days = 36500\n"

    # -- a movable wall clock (libfaketime) ----------------------------------------------

    def faketime_environ(self, offset=0, **extra):
        """The environment for a kizukid whose wall clock runs `offset` seconds off the real
        one and can be moved while it runs (set_clock): libfaketime preloaded, reading its
        offset from a file on every call. The monotonic and boot clocks stay real, as they
        do when someone sets the system clock."""
        if not os.path.exists(LIBFAKETIME):
            raise AssertionError(f"{LIBFAKETIME} missing (package faketime, scripts/deps)")
        self.faketime_file = os.path.join(self.dir, "faketime.rc")
        self.set_clock(offset)
        asan = ":".join(x for x in (os.environ.get("ASAN_OPTIONS"), "verify_asan_link_order=0") if x)
        return self.environ(LD_PRELOAD=LIBFAKETIME, FAKETIME_TIMESTAMP_FILE=self.faketime_file,
                            FAKETIME_NO_CACHE="1", FAKETIME_DONT_FAKE_MONOTONIC="1", ASAN_OPTIONS=asan,
                            **extra)

    def set_clock(self, offset):
        """Move the faked wall clock to real time + offset seconds (atomically: libfaketime
        rereads the file on every call)."""
        tmp = self.faketime_file + ".tmp"
        with open(tmp, "w") as f:
            f.write(f"{offset:+d}\n")
        os.replace(tmp, self.faketime_file)

    def write_config(self, text):
        os.makedirs(os.path.dirname(self.config_path), mode=0o700, exist_ok=True)
        if self.keep_fixtures and "retention_days" not in text:
            text += self.FIXTURE_RETENTION
        with open(self.config_path, "w") as f:
            f.write(text)

    def start_daemon(self, *args, env=None, wait=True, timeout=10):
        assert os.access(KIZUKID, os.X_OK), f"KIZUKID={KIZUKID} is not an executable"
        if self.keep_fixtures and not os.path.exists(self.config_path):
            self.write_config("")
        p = self.spawn("kizukid", [KIZUKID, *args], env=env)
        self.daemon = p
        if wait:
            self.wait_daemon_ready(timeout)
        return p

    def wait_daemon_ready(self, timeout=10, path=None):
        p = self.daemon

        def ready():
            if p is not None and not p.alive():
                raise AssertionError(f"kizukid exited with {p.popen.returncode} while starting:\n"
                                     f"{p.log_text()}")
            return self.status(path=path, timeout=2)
        return wait_for(ready, timeout, 0.1, "kizukid to answer GetStatus")

    def stop_daemon(self, sig=signal.SIGTERM, timeout=10):
        """Signal kizukid and wait for it; returns its exit status (no SIGKILL unless it
        does not exit within timeout, then AssertionError)."""
        p = self.daemon
        p.kill(sig)
        rc = p.wait(timeout)
        if rc is None:
            p.stop(signal.SIGKILL)
            raise AssertionError(f"kizukid did not exit within {timeout}s after signal {sig}")
        p.stop()
        return rc

    def assert_daemon_alive(self):
        if self.daemon and not self.daemon.alive():
            raise AssertionError(f"kizukid died (status {self.daemon.popen.returncode}):\n"
                                 f"{self.daemon.log_text()[-4000:]}")

    def client(self, timeout=5.0, path=None):
        return VarlinkClient(path or self.socket_path, timeout)

    def call(self, method, parameters=None, timeout=5.0, path=None):
        with self.client(timeout, path) as c:
            return c.call(method, parameters)

    def call_raw(self, method, parameters=None, timeout=5.0):
        with self.client(timeout) as c:
            return c.call_raw(method, parameters)

    def status(self, timeout=5.0, path=None):
        return self.call(IFACE + ".GetStatus", {}, timeout, path)

    def grant_consent_raw(self):
        st = self.status()
        return self.call(IFACE + ".GrantConsent", {"text_version": st["consent_version"],
                                                   "text_sha256": st["consent_sha256"]})

    # -- the CLI -------------------------------------------------------------------------------

    def cli(self, *args, check=True, timeout=15, env=None):
        assert os.access(KIZUKI, os.X_OK), f"KIZUKI={KIZUKI} is not an executable"
        r = subprocess.run([KIZUKI, *args], env=env or self.environ(), capture_output=True,
                           text=True, timeout=timeout, stdin=subprocess.DEVNULL)
        if check and r.returncode != 0:
            raise AssertionError(f"kizuki {' '.join(args)} exited {r.returncode}\n"
                                 f"stdout: {r.stdout}\nstderr: {r.stderr}")
        return r

    def cli_json(self, *args, **kw):
        out = self.cli(*args, **kw).stdout
        try:
            return json.loads(out)
        except ValueError as e:
            raise AssertionError(f"kizuki {' '.join(args)} printed no JSON: {e}\n{out}") from e

    # -- the store ---------------------------------------------------------------------------

    def db_rows(self, query="SELECT start, utc_offset, active_s, observed_s FROM bucket ORDER BY start"):
        """Read the database (after kizukid stopped). A missing file has no rows."""
        if not os.path.exists(self.db_path):
            return []
        con = sqlite3.connect(f"file:{self.db_path}?mode=ro", uri=True, timeout=5)
        try:
            return con.execute(query).fetchall()
        finally:
            con.close()

    # -- cleanup -----------------------------------------------------------------------------

    def close(self, print_logs=False):
        for p in reversed(self.procs):
            with contextlib.suppress(Exception):
                p.stop(timeout=3)
        if print_logs:
            for p in self.procs:
                text = p.log_text()
                if text.strip():
                    print(f"----- {p.name} (pid {p.pid}, status {p.returncode}) {p.logfile}\n"
                          f"{text[-6000:]}", file=sys.stderr)
        if os.environ.get("KIZUKI_TEST_KEEP"):
            print(f"kept {self.dir}", file=sys.stderr)
        else:
            shutil.rmtree(self.dir, ignore_errors=True)


def on_pty(argv, env, answer=b"", timeout=20):
    """Run argv with a terminal as stdin, stdout and stderr and type answer:
    what it wrote there (newlines as "\\n", not the terminal's "\\r\\n") and its
    exit status."""
    master, slave = pty.openpty()
    p = subprocess.Popen(argv, stdin=slave, stdout=slave, stderr=slave, env=env)
    os.close(slave)
    os.write(master, answer)
    out = b""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        ready, _, _ = select.select([master], [], [], 0.2)
        if ready:
            try:
                chunk = os.read(master, 65536)
            except OSError:  # EIO: no one has the terminal open any more
                break
            if not chunk:
                break
            out += chunk
        elif p.poll() is not None:
            break
    os.close(master)
    return out.replace(b"\r\n", b"\n"), p.wait(timeout)


def local_date(status):
    """The daemon's local date "YYYY-MM-DD" from GetStatus now/utc_offset."""
    t = datetime.datetime.fromtimestamp(status["now"] + status["utc_offset"], datetime.timezone.utc)
    return t.strftime("%Y-%m-%d")


def sanitized(pid):
    """Whether the process runs with AddressSanitizer (its quarantine makes RSS
    figures meaningless)."""
    try:
        with open(f"/proc/{pid}/maps") as f:
            return "libasan" in f.read()
    except OSError:
        return False


def mode(path):
    return stat.S_IMODE(os.lstat(path).st_mode)


# ---------------------------------------------------------------------------
# Test case base class


class KizukiTestCase(unittest.TestCase):
    """Gives each test self.env (an Env), cleaned up even on failure; the logs of all
    processes are printed when the test failed."""

    maxDiff = None

    def setUp(self):
        self.env = Env(self.id().split(".", 1)[-1])
        self.addCleanup(self._cleanup_env)

    def _cleanup_env(self):
        """Stop kizukid with SIGTERM (it must exit 0), check no sanitizer reported
        anything in any kizukid log of this test, then tear everything down."""
        env = self.env
        problems = []
        d = env.daemon
        if d is not None and d.alive():
            d.kill(signal.SIGTERM)
            rc = d.wait(15)
            if rc is None:
                problems.append("kizukid did not exit within 15 s of SIGTERM")
            elif rc != 0:
                problems.append(f"kizukid exited with status {rc} after SIGTERM at the end of the test")
        for p in env.procs:
            if p.name in ("kizukid", "socket-activate"):
                text = p.log_text()
                for marker in SANITIZER_MARKERS:
                    if marker in text:
                        problems.append(f"{p.name} (pid {p.pid}) log contains {marker!r}")
                        break
        failed = not getattr(self._outcome, "success", True)
        env.close(print_logs=failed or bool(problems) or bool(os.environ.get("KIZUKI_TEST_VERBOSE")))
        if problems:
            raise AssertionError("; ".join(problems))

    # -- common setups -------------------------------------------------------------------

    def start_with_session(self, *daemon_args, consent=True, cli_consent=False):
        """Bus, mock logind with one active session (c1) of our uid, kizukid, and
        (optionally) consent; waits until kizukid tracks c1."""
        env = self.env
        env.start_bus_and_logind()
        env.add_session("c1", active=True)
        env.start_daemon(*daemon_args)
        self.wait_sessions({"c1"})
        if consent:
            if cli_consent:
                env.cli("consent", "grant", "--yes")
            else:
                env.grant_consent_raw()
            wait_for(lambda: env.status()["recording"] == "recording", 5, what="recording")

    def wait_status(self, pred, timeout=5, what="status"):
        last = {}

        def check():
            self.env.assert_daemon_alive()
            last["s"] = self.env.status(timeout=3)
            return pred(last["s"])
        try:
            wait_for(check, timeout, 0.1, what)
        except AssertionError as e:
            raise AssertionError(f"{e}\nlast status: {json.dumps(last.get('s'), indent=1)}") from None
        return last["s"]

    def wait_sessions(self, ids, timeout=5, state="connected"):
        return self.wait_status(
            lambda s: s["logind"]["state"] == state
            and {x["id"] for x in s["logind"]["sessions"]} == set(ids),
            timeout, f"logind {state} with sessions {sorted(ids)}")

    def wait_active(self, active, timeout=5):
        return self.wait_status(lambda s: s["active"] is active, timeout, f"active == {active}")

    def measure(self, seconds=3.0):
        """Growth of today's active/observed seconds over `seconds` of wall time
        (measured again if the local date changes in between). The figures are whole
        seconds, so a counter running at 1 s/s grows by dt ± 1, plus whatever the two
        round trips to the daemon add (kept in "slack")."""
        for _ in range(2):
            a = time.monotonic()
            s0 = self.env.status()
            b = time.monotonic()
            time.sleep(seconds)
            c = time.monotonic()
            s1 = self.env.status()
            d = time.monotonic()
            if local_date(s0) == local_date(s1):
                break
        self.env.assert_daemon_alive()
        return dict(dt=(c + d) / 2 - (a + b) / 2, slack=(b - a) + (d - c),
                    active=s1["today_active_s"] - s0["today_active_s"],
                    observed=s1["today_observed_s"] - s0["today_observed_s"], before=s0, after=s1)

    def assertGrows(self, m, key, tol=1.2):
        tol += m["slack"]
        self.assertLessEqual(abs(m[key] - m["dt"]), tol,
                             f"{key} grew by {m[key]} s in {m['dt']:.1f} s; expected ~1 s/s (±{tol:.1f})")

    def assertStill(self, m, key, tol=1):
        self.assertLessEqual(abs(m[key]), tol,
                             f"{key} changed by {m[key]} s in {m['dt']:.1f} s; expected no growth")


def main():
    unittest.main(verbosity=2)
