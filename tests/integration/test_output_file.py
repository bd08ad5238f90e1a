#!/usr/bin/python3
"""-o PATH of kizuki export and kizuki digest (cli/outfile.c) with the real daemon
and CLI: a FIFO, a character device or /dev/stdout is written to, never replaced;
a full device or a full filesystem is reported once ("kizuki: cannot write PATH:
No space left on device"), exits non-zero and leaves nothing behind.

Device nodes are made in the test's own directory (mknod, as root) and checked
there first, so a CLI that replaced them cannot replace the real /dev/null or
/dev/full; those are tried only once the private copy passed."""

import json
import os
import select
import shutil
import stat
import subprocess
import sys
import time
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import kizukitest as k  # noqa: E402

SAMPLE = os.path.join(k.SOURCE_DIR, "tests", "fixtures", "sample-history.csv")
ENOSPC = "No space left on device"
NOBODY = 65534


class OutputFileTestCase(k.KizukiTestCase):
    def start(self, sample=False):
        self.env.start_daemon("--no-logind")
        self.env.cli("consent", "grant", "--yes")
        if sample:  # an export well over stdio's 4 KiB buffer
            self.env.cli("import", SAMPLE)

    def node(self, name, major, minor):
        path = os.path.join(self.env.dir, name)
        try:
            os.mknod(path, 0o600 | stat.S_IFCHR, os.makedev(major, minor))
        except PermissionError:
            self.skipTest("mknod needs root (CAP_MKNOD)")
        return path

    def assert_chr(self, path):
        self.assertTrue(stat.S_ISCHR(os.lstat(path).st_mode), f"{path} is no longer a character device")

    def assert_no_temp(self, d, name):
        self.assertEqual([f for f in os.listdir(d) if f.startswith(name + ".") or f.startswith("." + name)], [])

    def assert_enospc(self, r, path):
        self.assertNotEqual(r.returncode, 0)
        line = f"kizuki: cannot write {path}: {ENOSPC}"
        self.assertIn(line, r.stderr)
        self.assertEqual(r.stderr.count("cannot write"), 1, r.stderr)


class TestSpecialFiles(OutputFileTestCase):
    def test_export_to_a_fifo_reaches_its_reader(self):
        env = self.env
        self.start(sample=True)
        fifo = os.path.join(env.dir, "fifo")
        os.mkfifo(fifo, 0o600)
        rfd = os.open(fifo, os.O_RDONLY | os.O_NONBLOCK)
        data = b""
        try:
            p = subprocess.Popen([k.KIZUKI, "export", "-o", fifo], env=env.environ(), stdin=subprocess.DEVNULL,
                                 stdout=subprocess.PIPE, stderr=subprocess.PIPE)
            deadline = time.monotonic() + 30
            while time.monotonic() < deadline:
                select.select([rfd], [], [], 0.1)
                try:
                    chunk = os.read(rfd, 65536)
                except BlockingIOError:
                    continue
                if chunk:
                    data += chunk
                elif p.poll() is not None:
                    break  # no writer and kizuki is done: EOF
            out, err = p.communicate(timeout=10)
        finally:
            os.close(rfd)
        self.assertEqual(p.returncode, 0, err)
        self.assertTrue(stat.S_ISFIFO(os.lstat(fifo).st_mode), "the FIFO was replaced")
        doc = json.loads(data)
        self.assertEqual(doc["format"], "kizuki-export")
        self.assertGreater(len(doc["tables"]["bucket"]["rows"]), 100)
        self.assert_no_temp(env.dir, "fifo")

    def test_export_and_digest_to_the_null_device(self):
        env = self.env
        self.start()
        null = self.node("null", 1, 3)
        env.cli("export", "-o", null)
        self.assert_chr(null)
        env.cli("digest", "-o", null)
        self.assert_chr(null)
        self.assert_no_temp(env.dir, "null")
        # Now the real one.
        env.cli("export", "-o", "/dev/null")
        self.assert_chr("/dev/null")

    def test_export_through_a_link_to_stdout(self):
        """/dev/stdout is a link to /proc/self/fd/1, here a pipe: written to, and
        the link (our own, beside the test) stays a link."""
        env = self.env
        self.start()
        link = os.path.join(env.dir, "stdout")
        os.symlink("/proc/self/fd/1", link)
        r = env.cli("export", "-o", link)
        self.assertTrue(os.path.islink(link), "the link was replaced")
        self.assertEqual(json.loads(r.stdout)["format"], "kizuki-export")
        self.assert_no_temp(env.dir, "stdout")
        r = env.cli("export", "-o", "/dev/stdout")
        self.assertEqual(json.loads(r.stdout)["format"], "kizuki-export")
        self.assertTrue(os.path.islink("/dev/stdout"))
        # Standard output a file the shell opened to append to: appended to.
        log = os.path.join(env.dir, "log")
        with open(log, "w") as f:
            f.write("kept\n")
        with open(log, "a") as f:
            subprocess.run([k.KIZUKI, "export", "-o", "/dev/stdout"], env=env.environ(), stdout=f,
                           stderr=subprocess.DEVNULL, check=True)
        with open(log) as f:
            first, rest = f.read().split("\n", 1)
        self.assertEqual(first, "kept")
        self.assertEqual(json.loads(rest)["format"], "kizuki-export")

    def test_a_link_to_a_regular_file_replaces_the_file(self):
        env = self.env
        self.start()
        real = os.path.join(env.dir, "real.json")
        with open(real, "w") as f:
            f.write("old")
        os.chmod(real, 0o644)
        link = os.path.join(env.dir, "link.json")
        os.symlink("real.json", link)
        env.cli("export", "-o", link)
        self.assertTrue(os.path.islink(link))
        self.assertEqual(k.mode(real), 0o600)
        with open(real) as f:
            self.assertEqual(json.load(f)["format"], "kizuki-export")

    def test_export_to_stdout_as_a_normal_user(self):
        """A normal user cannot create a temporary file in /dev: -o /dev/stdout must
        write to it, even when it is a pipe another user made (root's, here).
        kizukid answers only its own uid, so it runs as nobody too."""
        env = self.env
        if os.getuid() != 0 or not shutil.which("setpriv"):
            self.skipTest("needs root and setpriv to run as nobody")
        as_nobody = ["setpriv", f"--reuid={NOBODY}", f"--regid={NOBODY}", "--clear-groups"]
        for root, dirs, files in os.walk(env.dir):
            for name in dirs + files + ["."]:
                os.lchown(os.path.join(root, name), NOBODY, NOBODY)
        env.daemon = env.spawn("kizukid", [*as_nobody, k.KIZUKID, "--no-logind"])

        def cli(*args):
            return subprocess.run([*as_nobody, k.KIZUKI, *args], env=env.environ(), capture_output=True,
                                  text=True, timeout=15, stdin=subprocess.DEVNULL)
        k.wait_for(lambda: cli("status").returncode == 0, 10, what="kizukid (as nobody) to answer")
        r = cli("export", "-o", "/dev/stdout")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(json.loads(r.stdout)["format"], "kizuki-export")


class TestFull(OutputFileTestCase):
    def test_full_device(self):
        """A write error on a device kizuki writes to directly: said once, exit 1."""
        env = self.env
        self.start(sample=True)
        full = self.node("full", 1, 7)
        for args in (["export"], ["digest"], ["digest", "--format", "html"]):
            with self.subTest(args=args):
                r = env.cli(*args, "-o", full, check=False)
                self.assert_enospc(r, full)
                self.assert_chr(full)
        self.assert_chr(full)  # else the real /dev/full is not to be tried
        self.assert_no_temp(env.dir, "full")
        r = env.cli("export", "-o", "/dev/full", check=False)
        self.assert_enospc(r, "/dev/full")
        self.assert_chr("/dev/full")
        # Standard output that is full: said once, not again by main's check.
        with open(full, "w") as out:
            r = subprocess.run([k.KIZUKI, "export"], env=env.environ(), stdout=out, stderr=subprocess.PIPE,
                               text=True, timeout=15)
        self.assert_enospc(r, "standard output")

    def test_full_filesystem(self):
        """A full filesystem under the temporary file: said once, exit 1, and
        neither PATH nor a temporary file is left (nor an old file replaced)."""
        env = self.env
        if os.getuid() != 0 or not shutil.which("unshare"):
            self.skipTest("needs root and unshare -m for a small private tmpfs")
        self.start(sample=True)
        small = os.path.join(env.dir, "small")
        os.mkdir(small)
        script = ('d="$1"; shift\n'
                  'mount -t tmpfs -o size=64k tmpfs "$d" || exit 99\n'
                  'echo old > "$d/old.json"\n'
                  'dd if=/dev/zero of="$d/fill" bs=4k 2>/dev/null\n'
                  '"$@" 2>&1\n'
                  'echo "rc=$?"\n'
                  'echo "files:" $(ls -A "$d")\n'
                  'if [ -d "$d/csv" ]; then echo "csv:" $(ls -A "$d/csv"); fi\n'
                  'echo "old:" $(cat "$d/old.json")\n')
        cases = (["export", "-o", "{d}/all.json"], ["export", "-o", "{d}/old.json"],
                 ["export", "--format", "csv", "-o", "{d}/csv"])
        for args in cases:
            with self.subTest(args=args):
                argv = [a.replace("{d}", small) for a in args]
                r = subprocess.run(["unshare", "-m", "sh", "-c", script, "sh", small, k.KIZUKI, *argv],
                                   env=env.environ(), capture_output=True, text=True, timeout=60)
                if r.returncode == 99:
                    self.skipTest(f"cannot mount a tmpfs: {r.stderr.strip()}")
                out = r.stdout
                self.assertIn(f"kizuki: cannot write {argv[-1]}", out)
                self.assertIn(ENOSPC, out)
                self.assertEqual(out.count("cannot write"), 1, out)
                self.assertNotIn("rc=0", out)
                files = ("csv " if "csv" in args else "") + "fill old.json"
                self.assertIn(f"\nfiles: {files}\n", out)
                if "csv" in args:
                    self.assertIn("\ncsv:\n", out)
                self.assertIn("\nold: old\n", out)

if __name__ == "__main__":
    unittest.main()
