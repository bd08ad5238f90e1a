#!/usr/bin/python3
"""Sharing end to end: the real kizukid and kizuki against real servers started
here (sinks.py): an HTTPS sink with a test CA, SMTP with STARTTLS and AUTH, SMTP
with implicit TLS, SMTP without STARTTLS, a server with a certificate from an
unknown CA, a server that never answers, a redirect. Also the refusals that
happen before anything is sent (world-readable or foreign secret files, plain
http:// to a non-loopback address, no --yes without a terminal, --dry-run),
the share log (LogShare/GetShares, kizuki shares), kizuki recipients, the
scheduled run, and the systemd units offline.

After every test, everything kizukid and kizuki printed or logged (CLI output,
the daemon's log, the database and its WAL) is searched for the test's token
and password: none may appear."""

import datetime
import hashlib
import json
import os
import re
import shutil
import socket
import stat
import subprocess
import sys
import tempfile
import time
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import kizukitest as k  # noqa: E402
import sinks  # noqa: E402

SAMPLE = os.path.join(k.SOURCE_DIR, "tests", "fixtures", "sample-history.csv")
WEEK = "2026-W13"
TOKEN = "tok-Zq8xY3-kizuki-test-bearer"
PASSWORD = "pw-Rm4kT9-kizuki-test-smtp"
USER = "kizuki-user"
INSTANT = re.compile(rb"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ")


def masked(b):
    """A digest with its generation time (generated_at, FHIR issued/timestamp)
    masked: two renderings of the same week differ only there."""
    if isinstance(b, str):
        b = b.encode()
    return INSTANT.sub(b"<instant>", b)


class ShareTestCase(k.KizukiTestCase):
    ca = None
    other_ca = None

    @classmethod
    def setUpClass(cls):
        cls.ca_dir = tempfile.mkdtemp(prefix="kz-share-ca-")
        cls.ca = sinks.TestCA(cls.ca_dir)
        cls.other_ca = sinks.TestCA(cls.ca_dir, prefix="other-", cn="a CA nobody trusts")

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.ca_dir, ignore_errors=True)

    def setUp(self):
        super().setUp()
        self.outputs = []
        # Runs before the environment is torn down (cleanups run last-in first-out).
        self.addCleanup(self.assert_no_secrets)
        env = self.env
        self.rdir = os.path.join(env.config_home, "kizuki", "recipients.d")
        os.makedirs(self.rdir, mode=0o700)
        self.token_file = self.secret("therapist.token", TOKEN)
        self.password_file = self.secret("smtp.password", PASSWORD)
        env.start_daemon("--no-logind")
        self.cli("consent", "grant", "--yes")
        self.cli("import", SAMPLE)

    # -- helpers -------------------------------------------------------------------

    def sink(self, s):
        self.addCleanup(s.close)
        return s

    def secret(self, name, value, mode=0o600):
        path = os.path.join(self.rdir, name)
        with open(path, "w") as f:
            f.write(value + "\n")
        os.chmod(path, mode)
        return path

    def recipient(self, rname, /, **keys):
        keys.setdefault("ca_file", self.ca.ca_cert)
        with open(os.path.join(self.rdir, rname + ".conf"), "w") as f:
            f.write("[recipient]\n" + "".join(f"{k_} = {v}\n" for k_, v in keys.items() if v is not None))

    def https_recipient(self, rname, url, /, **keys):
        keys.setdefault("name", "Dr. Example")
        self.recipient(rname, transport="https", url=url,
                       token_file="therapist.token", **keys)

    def smtp_recipient(self, rname, port, /, transport="smtp", **keys):
        keys.setdefault("username", USER)
        keys.setdefault("password_file", "smtp.password")
        self.recipient(rname, transport=transport, url=f"{transport}://localhost:{port}",
                       **{"from": "person@example.org"}, to="dr@example.org", **keys)

    def cli(self, *args, check=True, timeout=60, stdin=None, environ=None):
        env = self.env
        r = subprocess.run([k.KIZUKI, *args], env=env.environ(**(environ or {})), capture_output=True, text=True,
                           timeout=timeout, stdin=stdin if stdin is not None else subprocess.DEVNULL)
        self.outputs.append(f"$ kizuki {' '.join(args)}\n{r.stdout}{r.stderr}")
        if check and r.returncode != 0:
            raise AssertionError(f"kizuki {' '.join(args)} exited {r.returncode}\n"
                                 f"stdout: {r.stdout}\nstderr: {r.stderr}")
        return r

    def share(self, name, *extra, check=True, timeout=60, environ=None):
        return self.cli("share", "--to", name, "--week", WEEK, *extra, check=check, timeout=timeout,
                        environ=environ)

    def shares(self):
        return self.cli_json("shares", "--json")["shares"]

    def cli_json(self, *args):
        out = self.cli(*args).stdout
        return json.loads(out)

    def digest(self, level, fmt):
        path = os.path.join(self.env.dir, f"digest-{level}.{fmt}")
        self.cli("digest", "--week", WEEK, "--level", level, "--format", fmt, "-o", path)
        with open(path, "rb") as f:
            return f.read()

    def written(self):
        """What kizukid and kizuki printed or wrote (but the secret files): the
        CLI's output, the daemon's log, the database and its WAL."""
        texts = list(self.outputs)
        for root, _, files in os.walk(self.env.dir):
            for fn in files:
                path = os.path.join(root, fn)
                if path in (self.token_file, self.password_file) or not os.path.isfile(path):
                    continue
                with open(path, "rb") as f:
                    texts.append(f.read().decode(errors="replace"))
        return texts

    def assert_no_secrets(self):
        """Nothing kizukid or kizuki printed or wrote holds a secret."""
        texts = self.written()
        for secret in (TOKEN, PASSWORD):
            for t in texts:
                self.assertNotIn(secret, t, "a secret appeared in what kizuki printed or logged")
        self.assertTrue(texts)

    def assert_nothing_logged(self):
        self.assertEqual(self.shares(), [])

    def only_share(self):
        s = self.shares()
        self.assertEqual(len(s), 1, s)
        return s[0]


class TestHttps(ShareTestCase):
    def test_sent_body_token_hash_logged(self):
        sink = self.sink(sinks.HttpsSink(self.ca))
        self.https_recipient("therapist", sink.url.replace("127.0.0.1", "localhost"), level="daily")
        r = self.share("therapist", "--yes")
        body = self.digest("daily", "json")
        self.assertEqual(len(sink.requests), 1)
        req = sink.requests[0]
        self.assertEqual((req["method"], req["path"]), ("POST", "/inbox"))
        self.assertEqual(masked(req["body"]), masked(body), "the request body is not the digest")
        self.assertEqual(req["headers"]["authorization"], "Bearer " + TOKEN)
        self.assertEqual(req["headers"]["content-type"], "application/json")
        self.assertNotIn("expect", req["headers"])

        # What was shown before sending.
        self.assertIn("To:        Dr. Example (therapist)", r.stdout)
        self.assertIn(f"https POST to localhost port {sink.port}", r.stdout)
        self.assertIn(f"Week:      {WEEK}", r.stdout)
        self.assertIn("Level:     daily", r.stdout)
        self.assertIn("Format:    json (application/json)", r.stdout)
        # The preview is the very bytes that went out (JSON shows as it is),
        # generated_at included: a finished week renders the same every time.
        self.assertIn(req["body"].decode().strip(), r.stdout, "the preview is not what was sent")
        body = req["body"]
        sha = hashlib.sha256(body).hexdigest()
        self.assertIn(f"SHA-256:   {sha}", r.stdout, "the hash shown is not the hash of what was sent")

        s = self.only_share()
        self.assertEqual({k_: s[k_] for k_ in ("recipient", "transport", "week", "level", "format", "size",
                                                "sha256", "result")},
                         dict(recipient="therapist", transport="https", week=WEEK, level="daily",
                              format="json", size=len(body), sha256=sha, result="sent"))
        self.assertEqual(s["detail"], "HTTP 200")
        self.assertLessEqual(abs(s["at"] - time.time()), 60)
        human = self.cli("shares").stdout
        self.assertIn("therapist", human)
        self.assertIn(sha[:12], human)
        self.assertIn("sent", human)

    def test_fhir_format_content_type(self):
        sink = self.sink(sinks.HttpsSink(self.ca))
        self.https_recipient("ehr", sink.url, format="fhir", level="summary", patient_id="p-4711")
        self.share("ehr", "--yes")
        req = sink.requests[0]
        self.assertEqual(req["headers"]["content-type"], "application/fhir+json")
        bundle = json.loads(req["body"])
        self.assertEqual(bundle["resourceType"], "Bundle")
        self.assertIn("p-4711", req["body"].decode())
        self.assertEqual(self.only_share()["sha256"], hashlib.sha256(req["body"]).hexdigest())

    def test_plain_http_to_loopback(self):
        sink = self.sink(sinks.HttpsSink(None))
        self.https_recipient("local", sink.url, ca_file=self.ca.ca_cert)
        self.share("local", "--yes")
        self.assertEqual(len(sink.requests), 1)
        self.assertEqual(self.only_share()["transport"], "http")

    def test_plain_http_elsewhere_refused(self):
        self.https_recipient("far", "http://192.0.2.1/inbox")
        r = self.share("far", "--yes", check=False)
        self.assertEqual(r.returncode, 1, r)
        self.assertIn("far.conf:3: plain http:// is only allowed to a loopback address", r.stderr)
        self.assertIn("nothing was sent", r.stderr)
        r = self.cli("recipients", "check", "far", check=False)
        self.assertEqual(r.returncode, 1)
        self.assertIn("only allowed to a loopback address", r.stderr)
        self.assert_nothing_logged()

    def test_status_shows_a_failed_share_until_one_succeeds(self):
        bad = self.sink(sinks.HttpsSink(self.other_ca))
        self.https_recipient("therapist", bad.url)
        self.assertNotIn("Sharing", self.cli("--color=never", "status").stdout)
        self.share("therapist", "--yes", check=False)
        out = self.cli("--color=never", "status").stdout
        self.assertRegex(out, r"Sharing: +the digest of 2026-W13 did not reach therapist \(.* UTC: .*certificate")
        self.assertIn(f"Try again: kizuki share --to therapist --week {WEEK}", out)
        good = self.sink(sinks.HttpsSink(self.ca))
        self.https_recipient("therapist", good.url)
        self.share("therapist", "--yes")
        self.assertNotIn("Sharing", self.cli("--color=never", "status").stdout)

    def test_dns_failure_is_retried(self):
        """A name that does not resolve (.invalid never does) is a transient
        failure: tried again after the backoff, then logged as failed."""
        self.https_recipient("therapist", "https://kizuki-test.invalid/inbox", timeout="3s", attempts=2)
        t = time.monotonic()
        r = self.share("therapist", "--yes", check=False)
        self.assertEqual(r.returncode, 1, r)
        self.assertIn("attempt 1 of 2 failed", r.stderr)
        self.assertGreaterEqual(time.monotonic() - t, 2.0, "no backoff before the second attempt")
        self.assertIn("failed after 2 attempts", r.stderr)
        self.assertEqual(self.only_share()["result"], "failed")

    def test_unknown_ca_refused(self):
        sink = self.sink(sinks.HttpsSink(self.other_ca))
        self.https_recipient("therapist", sink.url)
        t = time.monotonic()
        r = self.share("therapist", "--yes", check=False)
        self.assertEqual(r.returncode, 1, r)
        self.assertLess(time.monotonic() - t, 30)
        self.assertIn("certificate", r.stderr)
        self.assertNotIn("trying again", r.stderr, "a certificate error was retried")
        self.assertEqual(sink.requests, [])
        s = self.only_share()
        self.assertEqual(s["result"], "failed")
        self.assertIn("certificate", s["detail"])
        # The system's CAs do not know the test CA either.
        self.https_recipient("therapist", sink.url.replace("127.0.0.1", "localhost"), ca_file=self.ca.ca_cert)
        r = self.cli("recipients", "check", "therapist", check=False)
        self.assertEqual(r.returncode, 1)
        self.assertIn("certificate", r.stderr)
        self.assertEqual(sink.requests, [])
        self.assertNotIn("sent", [x["result"] for x in self.shares()])

    def run_with_system_ca(self, ca, *args):
        """kizuki in a private mount namespace whose /etc/ssl/certs (libcurl's
        default CA directory) trusts only ca."""
        certs = tempfile.mkdtemp(prefix="certs-", dir=self.env.dir)
        h = subprocess.run(["openssl", "x509", "-hash", "-noout", "-in", ca.ca_cert], capture_output=True,
                           text=True, check=True).stdout.strip()
        shutil.copy(ca.ca_cert, os.path.join(certs, h + ".0"))  # the CA directory (CAPATH)
        shutil.copy(ca.ca_cert, os.path.join(certs, "ca-certificates.crt"))  # the CA bundle (CAINFO)
        script = 'mount --bind "$1" /etc/ssl/certs && shift && exec "$@"'
        r = subprocess.run(["unshare", "-m", "--propagation", "private", "sh", "-c", script, "sh", certs,
                            k.KIZUKI, *args], env=self.env.environ(), capture_output=True, text=True, timeout=60)
        self.outputs.append(f"$ kizuki {' '.join(args)}\n{r.stdout}{r.stderr}")
        if "mount" in r.stderr and "kizuki" not in r.stderr:
            self.skipTest(f"no private mount namespace here: {r.stderr.strip()}")
        return r

    def test_ca_file_replaces_the_system_cas(self):
        sink = self.sink(sinks.HttpsSink(self.other_ca))
        # Without ca_file the system's CAs are trusted (the namespace works)...
        self.https_recipient("system", sink.url, ca_file=None)
        r = self.run_with_system_ca(self.other_ca, "share", "--to", "system", "--week", WEEK, "--yes")
        self.assertEqual(r.returncode, 0, r)
        self.assertEqual(len(sink.requests), 1)
        # ...with it, only the CA it names: not one the system also trusts.
        self.https_recipient("private", sink.url, ca_file=self.ca.ca_cert, attempts=1)
        r = self.run_with_system_ca(self.other_ca, "share", "--to", "private", "--week", WEEK, "--yes")
        self.assertEqual(r.returncode, 1, r)
        self.assertIn("certificate", r.stderr)
        self.assertEqual(len(sink.requests), 1, "a CA outside ca_file was trusted")
        r = self.run_with_system_ca(self.other_ca, "recipients", "check", "private")
        self.assertEqual(r.returncode, 1, r)
        self.assertIn("certificate", r.stderr)

    def test_redirect_not_followed(self):
        target = self.sink(sinks.HttpsSink(self.ca))
        sink = self.sink(sinks.HttpsSink(self.ca, status=302, location=target.url))
        self.https_recipient("therapist", sink.url)
        r = self.share("therapist", "--yes", check=False)
        self.assertEqual(r.returncode, 1, r)
        self.assertEqual(len(sink.requests), 1, "a redirect was retried")
        self.assertEqual(target.requests, [], "the redirect was followed")
        s = self.only_share()
        self.assertEqual(s["result"], "failed")
        self.assertIn("HTTP 302", s["detail"])
        self.assertIn("redirects are not followed", r.stderr)

    def test_4xx_final_5xx_retried(self):
        sink = self.sink(sinks.HttpsSink(self.ca, status=401))
        self.https_recipient("therapist", sink.url)
        r = self.share("therapist", "--yes", check=False)
        self.assertEqual(r.returncode, 1)
        self.assertEqual(len(sink.requests), 1, "HTTP 401 was retried")
        self.assertIn("HTTP 401", self.only_share()["detail"])

        flaky = self.sink(sinks.HttpsSink(self.ca, statuses=[503]))
        self.https_recipient("flaky", flaky.url)
        t = time.monotonic()
        r = self.share("flaky", "--yes")
        self.assertGreaterEqual(time.monotonic() - t, 2.0, "no backoff before the second attempt")
        self.assertIn("attempt 1 of 3 failed (HTTP 503", r.stderr)
        self.assertEqual(len(flaky.requests), 2)
        self.assertEqual(flaky.requests[0]["body"], flaky.requests[1]["body"])
        results = [(x["recipient"], x["result"]) for x in self.shares()]
        self.assertEqual(results, [("flaky", "sent"), ("therapist", "failed")])

    def test_2xx_with_a_huge_answer_is_sent_once(self):
        # The answer body is cut off after 1 MiB, but the server said 200:
        # the digest was delivered, so it is not sent again, and logged as sent.
        sink = self.sink(sinks.HttpsSink(self.ca, body=b"x" * (3 << 20)))
        self.https_recipient("therapist", sink.url)
        r = self.share("therapist", "--yes", check=False)
        self.assertEqual(r.returncode, 0, r)
        self.assertEqual(len(sink.requests), 1, "a delivered digest was sent again")
        s = self.only_share()
        self.assertEqual(s["result"], "sent")
        self.assertTrue(s["detail"].startswith("HTTP 200"), s)

    def test_silent_server_times_out(self):
        silent = sinks.SilentServer()
        self.addCleanup(silent.close)
        self.https_recipient("therapist", f"https://127.0.0.1:{silent.port}/inbox", timeout="2s", attempts=2)
        t = time.monotonic()
        r = self.share("therapist", "--yes", check=False)
        took = time.monotonic() - t
        self.assertEqual(r.returncode, 1, r)
        self.assertIn("timed out", r.stderr)
        self.assertIn("attempt 1 of 2 failed", r.stderr)
        self.assertGreaterEqual(took, 2 * 2 + 2 - 0.5)
        self.assertLess(took, 30)
        s = self.only_share()
        self.assertEqual(s["result"], "failed")
        self.assertIn("timed out", s["detail"])


def closed_port():
    """A loopback port nothing listens on (connections are refused)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class TestProxy(ShareTestCase):
    def test_proxy_environment_ignored(self):
        sink = self.sink(sinks.HttpsSink(self.ca))
        self.https_recipient("therapist", sink.url)
        dead = f"http://127.0.0.1:{closed_port()}"
        self.share("therapist", "--yes", environ={v: dead for v in (
            "http_proxy", "https_proxy", "HTTPS_PROXY", "all_proxy", "ALL_PROXY")})
        self.assertEqual(len(sink.requests), 1)
        r = self.cli("recipients", "check", "therapist", environ={"HTTPS_PROXY": dead, "ALL_PROXY": dead})
        self.assertIn("TLS certificate verified", r.stdout)

    def test_no_proxy_does_not_bypass_a_configured_proxy(self):
        # The recipient file names a proxy: NO_PROXY must not send the digest
        # around it, straight to the server.
        sink = self.sink(sinks.HttpsSink(self.ca))
        self.https_recipient("therapist", sink.url, proxy=f"http://127.0.0.1:{closed_port()}", attempts=1)
        r = self.share("therapist", "--yes", check=False,
                       environ={"NO_PROXY": "127.0.0.1,localhost", "no_proxy": "*"})
        self.assertEqual(r.returncode, 1, r)
        self.assertEqual(sink.requests, [], "NO_PROXY sent the digest around the configured proxy")
        self.assertEqual(self.only_share()["result"], "failed")

    def test_lower_case_week(self):
        self.https_recipient("therapist", "https://inbox.example.org/k")
        r = self.cli("share", "--to", "therapist", "--week", WEEK.replace("W", "w"), "--dry-run")
        self.assertIn(f"Week:      {WEEK}", r.stdout)


class TestSecrets(ShareTestCase):
    def test_secrets_never_printed_or_logged(self):
        """A server that echoes the request (Authorization header included) in
        its error: the reason kizuki prints and logs has the token masked. The
        check after every test (assert_no_secrets) then finds neither secret in
        the CLI's output, the daemon's log, the database or its WAL."""
        echo = self.sink(sinks.HttpsSink(self.ca, status=400, echo=True))
        self.https_recipient("therapist", echo.url)
        r = self.share("therapist", "--yes", check=False)
        self.assertEqual(r.returncode, 1)
        self.assertEqual(echo.requests[0]["headers"]["authorization"], "Bearer " + TOKEN)
        s = self.only_share()
        self.assertIn("HTTP 400", s["detail"])
        self.assertIn("Bearer ***", s["detail"])
        self.assertIn("Bearer ***", r.stderr)
        smtp = self.sink(sinks.SmtpSink(self.ca, "starttls", user=USER, password=PASSWORD))
        self.smtp_recipient("clinic", smtp.port)
        self.share("clinic", "--yes")
        self.cli("recipients", "check", "clinic")
        self.cli("recipients", "show", "clinic")
        self.cli("recipients", "list", "--json")
        self.cli("shares")
        self.assertEqual(smtp.logins, [(USER, PASSWORD), (USER, PASSWORD)])
        # The secrets are not in kizuki's command line either (they are read from files).
        self.assertFalse(any(TOKEN in o or PASSWORD in o for o in self.outputs))


class TestSecretPieces(ShareTestCase):
    """A server that echoes the secret in its refusal, whole, cut or in part,
    anywhere in its answer: no piece of 8 characters of it is printed, logged
    or stored (issue #17, point 8). Secrets unlike any other text here, so
    that a piece of one found anywhere is a leak."""
    token = "Xq7Lm2Pz9Rt4Vw8Ks3Nd6Fh1Jb5Gc0Ya"
    password = "Hn5Tc8Wq2Lx7Bv4Rk9Mz3Pd6"

    def assert_no_piece(self, secret):
        texts = self.written()
        for i in range(len(secret) - 7):
            for t in texts:
                self.assertNotIn(secret[i:i + 8], t, f"a piece of {secret} was printed or kept")

    def test_https_echo_at_offsets(self):
        tok, n = self.token, len(self.token)
        self.secret("therapist.token", tok)
        bodies = {
            "whole": f"xxxx {tok} yyyy",
            "cut at byte 200": "x" * (200 - n // 2) + tok,
            "cut 3 bytes in": "x" * 197 + tok,
            "first half": "x" * 50 + tok[:n // 2] + " yyyy",
            "second half": "x" * 50 + tok[n // 2:] + " yyyy",
            "halves apart": f"{tok[:n // 2]} - {tok[n // 2:]}",
            "many copies": tok * 30,
            "control characters": f"\n{tok[:12]}\t{tok}\r\n" + "x" * 300,
        }
        details = []
        for name, body in bodies.items():
            with self.subTest(name):
                sink = self.sink(sinks.HttpsSink(self.ca, status=403, body=body.encode()))
                self.https_recipient("therapist", sink.url, attempts=1)
                r = self.share("therapist", "--yes", check=False)
                self.assertEqual(r.returncode, 1, r)
                self.assertEqual(sink.requests[0]["headers"]["authorization"], "Bearer " + tok)
                self.assertIn("HTTP 403", r.stderr)
                details.append(self.shares()[0]["detail"])
        self.cli("shares")
        # What is not the token is still shown, up to 200 bytes of the answer.
        self.assertEqual(details, [
            "HTTP 403: xxxx *** yyyy",
            "HTTP 403: " + "x" * (200 - n // 2) + "***",
            "HTTP 403: " + "x" * 197 + "***",
            "HTTP 403: " + "x" * 50 + "*** yyyy",
            "HTTP 403: " + "x" * 50 + "*** yyyy",
            "HTTP 403: *** - ***",
            "HTTP 403: ***",
            "HTTP 403:  *** ***  " + "x" * 190,
        ])
        self.assert_no_piece(tok)

    def test_smtp_echo_of_the_password(self):
        self.secret("smtp.password", self.password)
        smtp = self.sink(sinks.SmtpSink(self.ca, "starttls", user=USER, password="another", echo=True))
        self.smtp_recipient("clinic", smtp.port, attempts=1)
        r = self.share("clinic", "--yes", check=False)
        self.assertEqual(r.returncode, 1, r)
        self.cli("recipients", "check", "clinic", check=False)
        self.cli("shares", "--json")
        self.assertEqual(smtp.logins, [(USER, self.password)] * 2)
        self.assertEqual(self.only_share()["result"], "failed")
        self.assert_no_piece(self.password)


class TestRefusals(ShareTestCase):
    def test_world_readable_token_refused(self):
        sink = self.sink(sinks.HttpsSink(self.ca))
        self.https_recipient("therapist", sink.url)
        os.chmod(self.token_file, 0o644)
        r = self.share("therapist", "--yes", check=False)
        self.assertEqual(r.returncode, 1, r)
        self.assertIn("refusing token_file", r.stderr)
        self.assertIn("mode 0644", r.stderr)
        self.assertIn("chmod 600", r.stderr)
        self.assertIn("nothing was sent", r.stderr)
        r = self.cli("recipients", "check", "therapist", check=False)
        self.assertEqual(r.returncode, 1)
        self.assertIn("mode 0644", r.stderr)
        self.assertIn("mode 0644", self.cli("recipients", "show", "therapist").stdout)
        self.assertFalse(self.cli_json("recipients", "show", "therapist", "--json")["secret_file_ok"])

        os.chmod(self.token_file, 0o600)
        if os.geteuid() == 0:
            os.chown(self.token_file, 65534, 65534)
            r = self.share("therapist", "--yes", check=False)
            self.assertEqual(r.returncode, 1, r)
            self.assertIn("owned by uid 65534", r.stderr)
            os.chown(self.token_file, 0, 0)
        os.unlink(self.token_file)
        os.symlink(self.password_file, self.token_file)
        r = self.share("therapist", "--yes", check=False)
        self.assertEqual(r.returncode, 1, r)
        self.assertIn("symbolic link", r.stderr)
        self.assertEqual(sink.requests, [])
        self.assert_nothing_logged()

    def test_world_readable_password_refused(self):
        smtp = self.sink(sinks.SmtpSink(self.ca, "starttls", user=USER, password=PASSWORD))
        self.smtp_recipient("clinic", smtp.port)
        os.chmod(self.password_file, 0o604)
        r = self.share("clinic", "--yes", check=False)
        self.assertEqual(r.returncode, 1, r)
        self.assertIn("refusing password_file", r.stderr)
        self.assertEqual(smtp.commands, [])
        self.assert_nothing_logged()

    def test_dry_run_sends_and_logs_nothing(self):
        sink = self.sink(sinks.HttpsSink(self.ca))
        self.https_recipient("therapist", sink.url, level="hourly", format="html")
        r = self.share("therapist", "--dry-run")
        self.assertIn("Dry run: nothing was sent and nothing was logged.", r.stdout)
        self.assertIn("Level:     hourly", r.stdout)
        self.assertIn("Format:    html (text/html; charset=utf-8)", r.stdout)
        shown = re.findall(r"\nSHA-256:   ([0-9a-f]{64}) \(of the html bytes that are sent\)\n", r.stdout)
        self.assertEqual(len(shown), 1, r.stdout)
        self.assertEqual(sink.requests, [])
        self.assert_nothing_logged()
        # The HTML shows as its text: the tables' figures, the charts by their titles, no markup.
        self.assertIn("Rest window start | 03:43 |", r.stdout)
        self.assertIn("[chart: Hours at this computer per day]", r.stdout)
        self.assertNotIn("<td>", r.stdout)
        # The real share sends the bytes whose hash the dry run showed, and logs that hash.
        r = self.share("therapist", "--yes")
        self.assertEqual(hashlib.sha256(sink.requests[0]["body"]).hexdigest(), shown[0])
        self.assertEqual(self.only_share()["sha256"], shown[0])
        # Asked on a terminal, the header (and the hash) comes again just above the question.
        self.assertEqual(r.stdout.count("SHA-256:"), 1, "--yes asks nothing, so shows the header once")

    def test_no_yes_without_terminal(self):
        sink = self.sink(sinks.HttpsSink(self.ca))
        self.https_recipient("therapist", sink.url)
        r = self.share("therapist", check=False)
        self.assertNotEqual(r.returncode, 0)
        self.assertIn("--yes", r.stderr)
        self.assertEqual(sink.requests, [])
        self.assert_nothing_logged()

    def test_asks_on_a_terminal(self):
        """On a terminal, only "y" or "yes" sends; any other answer sends and logs nothing."""
        sink = self.sink(sinks.HttpsSink(self.ca))
        self.https_recipient("therapist", sink.url)
        for answer, sent in (("n", False), ("", False), ("yes", True)):
            master, slave = os.openpty()
            try:
                p = subprocess.Popen([k.KIZUKI, "share", "--to", "therapist", "--week", WEEK],
                                     env=self.env.environ(), stdin=slave, stdout=subprocess.PIPE,
                                     stderr=subprocess.PIPE, text=True)
                os.write(master, (answer + "\n").encode())
                out, err = p.communicate(timeout=60)
            finally:
                os.close(master)
                os.close(slave)
            self.outputs.append(out + err)
            self.assertEqual(p.returncode, 0, err)
            self.assertIn("Send this to Dr. Example? [y/N]", out)
            # The header comes again right above the question, hash included.
            self.assertEqual(out.count("SHA-256:"), 2, out)
            after = out.split("---- end ----", 1)[1]
            self.assertLess(after.index("SHA-256:"), after.index("Send this to"), out)
            self.assertEqual(len(sink.requests), 1 if sent else 0, (answer, out))
            self.assertEqual(len(self.shares()), 1 if sent else 0)
            if not sent:
                self.assertIn("Not sent.", out)

    def test_empty_week_is_not_sent_unasked(self):
        """A week without recorded days: the preview says so; --yes refuses to
        send it; on a terminal the question names it an empty digest."""
        sink = self.sink(sinks.HttpsSink(self.ca))
        self.https_recipient("therapist", sink.url)
        r = self.share("therapist", "--week", "2026-W30", "--yes", check=False)
        self.assertEqual(r.returncode, 1, r.stdout + r.stderr)
        self.assertIn("has no day recorded well enough", r.stdout)
        self.assertIn("not sending an empty digest", r.stderr)
        self.assertEqual(sink.requests, [])
        self.assert_nothing_logged()
        master, slave = os.openpty()
        try:
            p = subprocess.Popen([k.KIZUKI, "share", "--to", "therapist", "--week", "2026-W30"],
                                 env=self.env.environ(), stdin=slave, stdout=subprocess.PIPE,
                                 stderr=subprocess.PIPE, text=True)
            os.write(master, b"n\n")
            out, err = p.communicate(timeout=60)
        finally:
            os.close(master)
            os.close(slave)
        self.assertIn("Send this empty digest to Dr. Example? [y/N]", out)
        self.assertEqual(sink.requests, [])

    def test_invalid_recipient_file(self):
        self.recipient("typo", transport="https", url="https://x.example.org/", token_file="therapist.token",
                       levle="daily")
        r = self.share("typo", "--yes", check=False)
        self.assertEqual(r.returncode, 1)
        self.assertIn("typo.conf:5: unknown key 'levle'", r.stderr)
        r = self.share("nobody", "--yes", check=False)
        self.assertEqual(r.returncode, 1)
        self.assertIn("no recipient 'nobody'", r.stderr)
        r = self.cli("share", "--to", "../etc/passwd", "--yes", check=False)
        self.assertEqual(r.returncode, 2)
        r = self.cli("share", "--to", "typo", "--week", "2026-W99", "--yes", check=False)
        self.assertEqual(r.returncode, 2)
        self.assert_nothing_logged()


class TestSmtp(ShareTestCase):
    def test_starttls_auth_html_and_json(self):
        smtp = self.sink(sinks.SmtpSink(self.ca, "starttls", user=USER, password=PASSWORD))
        self.smtp_recipient("clinic", smtp.port, level="daily")
        r = self.share("clinic", "--yes")
        self.assertIn("Mail:      HTML body with a text alternative, json attached", r.stdout)
        self.assertEqual(len(smtp.messages), 1, smtp.commands)
        m = smtp.messages[0]
        self.assertTrue(m["tls"], "the mail was not sent inside TLS")
        self.assertTrue(m["auth"], "the client did not log in")
        self.assertEqual(smtp.logins, [(USER, PASSWORD)])
        self.assertEqual(m["mail_from"], "person@example.org")
        self.assertEqual(m["rcpt_tos"], ["dr@example.org"])

        msg = smtp.parsed()
        self.assertIn(WEEK, msg["Subject"])
        self.assertEqual(str(msg["To"]), "dr@example.org")
        self.assertTrue(msg["Message-ID"])
        html = self.digest("daily", "html")
        text = self.digest("daily", "text")
        js = self.digest("daily", "json")
        body_html = msg.get_body(preferencelist=("html",))
        body_text = msg.get_body(preferencelist=("plain",))
        self.assertIsNotNone(body_html)
        self.assertEqual(masked(body_html.get_content()), masked(html))
        self.assertEqual(masked(body_text.get_content()), masked(text))
        atts = list(msg.iter_attachments())
        self.assertEqual(len(atts), 1)
        self.assertEqual(atts[0].get_content_type(), "application/json")
        self.assertEqual(atts[0].get_filename(), f"kizuki-{WEEK}.json")
        self.assertEqual(masked(atts[0].get_payload(decode=True)), masked(js))

        # The hash covers the HTML part as sent (before transfer encoding).
        sent_html = body_html.get_content().encode()
        s = self.only_share()
        self.assertEqual((s["transport"], s["format"], s["result"], s["size"], s["sha256"]),
                         ("smtp", "html", "sent", len(sent_html), hashlib.sha256(sent_html).hexdigest()))
        self.assertEqual(s["detail"], "SMTP 250")

    def test_smtps_fhir_attachment(self):
        smtp = self.sink(sinks.SmtpSink(self.ca, "smtps", user=USER, password=PASSWORD))
        self.smtp_recipient("clinic", smtp.port, transport="smtps", format="fhir", patient_id="p-1")
        self.share("clinic", "--yes")
        self.assertEqual(len(smtp.messages), 1)
        atts = list(smtp.parsed().iter_attachments())
        self.assertEqual(atts[0].get_content_type(), "application/fhir+json")
        self.assertEqual(json.loads(atts[0].get_payload(decode=True))["resourceType"], "Bundle")
        s = self.only_share()
        self.assertEqual((s["transport"], s["format"]), ("smtps", "fhir"))
        self.assertEqual(s["sha256"], hashlib.sha256(atts[0].get_payload(decode=True)).hexdigest())

    def test_no_starttls_refused_nothing_in_plaintext(self):
        smtp = self.sink(sinks.SmtpSink(self.ca, "plain"))
        self.smtp_recipient("clinic", smtp.port)
        r = self.share("clinic", "--yes", check=False)
        self.assertEqual(r.returncode, 1, r)
        self.assertIn("does not offer STARTTLS", r.stderr)
        self.assertNotIn("trying again", r.stderr)
        self.assertEqual(smtp.messages, [])
        for cmd in ("MAIL", "RCPT", "DATA"):
            self.assertNotIn(cmd, smtp.commands, "something was sent in plaintext")
        self.assertEqual(smtp.logins, [])
        s = self.only_share()
        self.assertEqual(s["result"], "failed")
        self.assertIn("STARTTLS", s["detail"])
        # recipients check is held to the same rules: no login in plaintext.
        r = self.cli("recipients", "check", "clinic", check=False)
        self.assertEqual(r.returncode, 1, r)
        self.assertIn("does not offer STARTTLS", r.stderr)
        self.assertEqual(smtp.logins, [])

    def test_wrong_password_is_final(self):
        smtp = self.sink(sinks.SmtpSink(self.ca, "starttls", user=USER, password="something else"))
        self.smtp_recipient("clinic", smtp.port, timeout="5s")
        r = self.share("clinic", "--yes", check=False, timeout=60)
        self.assertEqual(r.returncode, 1, r)
        self.assertEqual(smtp.messages, [])
        self.assertNotIn("MAIL", smtp.commands)
        self.assertEqual(len(smtp.logins), 1, "a refused login was retried")
        self.assertNotIn("trying again", r.stderr)
        self.assertEqual(self.only_share()["result"], "failed")

    def test_silent_smtp_times_out(self):
        silent = sinks.SilentServer()
        self.addCleanup(silent.close)
        self.smtp_recipient("clinic", silent.port, timeout="2s", attempts=1)
        r = self.share("clinic", "--yes", check=False)
        self.assertEqual(r.returncode, 1, r)
        self.assertIn("timed out", r.stderr)
        self.assertEqual(self.only_share()["result"], "failed")


class TestRecipientsAndLog(ShareTestCase):
    def test_list_show_check(self):
        sink = self.sink(sinks.HttpsSink(self.ca))
        smtp = self.sink(sinks.SmtpSink(self.ca, "starttls", user=USER, password=PASSWORD))
        self.https_recipient("therapist", sink.url.replace("127.0.0.1", "localhost"), level="daily",
                             schedule="weekly")
        self.smtp_recipient("clinic", smtp.port)
        self.recipient("broken", transport="carrier-pigeon")
        r = self.cli("recipients", check=False)
        self.assertEqual(r.returncode, 1, "an invalid recipient file is not reported")
        lines = r.stdout.splitlines()
        self.assertTrue(lines[0].startswith("Name"))
        self.assertEqual([ln.split()[0] for ln in lines[1:]], ["broken", "clinic", "therapist"])
        self.assertIn("broken.conf:2: invalid transport 'carrier-pigeon'", r.stderr)
        r = self.cli("recipients", "list", "--json", check=False)
        lst = json.loads(r.stdout)["recipients"]
        self.assertEqual([x["name"] for x in lst], ["broken", "clinic", "therapist"])
        self.assertFalse(lst[0]["valid"])
        self.assertTrue(lst[2]["valid"])
        self.assertEqual((lst[2]["level"], lst[2]["format"], lst[2]["schedule"]), ("daily", "json", "weekly"))
        self.assertTrue(lst[2]["secret_file_ok"])

        show = self.cli("recipients", "show", "clinic").stdout
        self.assertIn("Transport:      smtp", show)
        self.assertIn("Password file:  " + self.password_file + " (ok)", show)
        self.assertIn("Format:         html", show)

        r = self.cli("recipients", "check", "therapist")
        self.assertIn("TLS certificate verified; no request was made", r.stdout)
        self.assertEqual(sink.requests, [], "check made an HTTP request")
        r = self.cli("recipients", "check", "clinic")
        self.assertIn("logged in, NOOP answered 250; no mail was sent", r.stdout)
        self.assertEqual(smtp.logins, [(USER, PASSWORD)])
        self.assertIn("NOOP", smtp.commands)
        for cmd in ("MAIL", "RCPT", "DATA"):
            self.assertNotIn(cmd, smtp.commands)
        self.assert_nothing_logged()

    def test_example_file_is_valid(self):
        shutil.copy(os.path.join(k.SOURCE_DIR, "docs", "recipient.conf.example"),
                    os.path.join(self.rdir, "example.conf"))
        show = self.cli_json("recipients", "show", "example", "--json")
        self.assertEqual((show["transport"], show["host"], show["level"]), ("https", "inbox.example.org", "summary"))

    def test_scheduled_sends_weekly_recipients_once(self):
        weekly = self.sink(sinks.HttpsSink(self.ca))
        manual = self.sink(sinks.HttpsSink(self.ca))
        self.https_recipient("weekly", weekly.url, schedule="weekly")
        self.https_recipient("manual", manual.url)
        # Last week has no data yet (the sample is from March): nothing is sent.
        r = self.cli("share", "--scheduled")
        self.assertIn("has no recorded day; not sent", r.stdout)
        self.assertEqual(weekly.requests, [])
        self.assertEqual(self.shares(), [])
        self.import_recent_weeks(3)
        r = self.cli("share", "--scheduled")
        self.assertEqual(len(weekly.requests), 1, r.stdout + r.stderr)
        self.assertEqual(manual.requests, [])
        s = self.only_share()
        self.assertEqual((s["recipient"], s["result"]), ("weekly", "sent"))
        last_week = json.loads(weekly.requests[0]["body"])["week"]
        self.assertRegex(last_week, r"^\d{4}-W\d\d$")
        # A second run (the timer catching up) sends nothing twice.
        r = self.cli("share", "--scheduled")
        self.assertIn("already sent", r.stdout)
        self.assertEqual(len(weekly.requests), 1)
        self.assertEqual(len(self.shares()), 1)
        r = self.cli("share", "--scheduled", "--to", "manual", check=False)
        self.assertEqual(r.returncode, 2)

    def import_recent_weeks(self, weeks):
        """Office days (09:00-17:00 active) over the last `weeks` weeks, in UTC."""
        path = os.path.join(self.env.dir, "recent.csv")
        today = datetime.datetime.now(datetime.timezone.utc).date()
        with open(path, "w") as f:
            f.write("start,end,state\n")
            for n in range(weeks * 7, 0, -1):
                d = today - datetime.timedelta(days=n)
                f.write(f"{d}T00:00:00Z,{d}T09:00:00Z,inactive\n{d}T09:00:00Z,{d}T17:00:00Z,active\n"
                        f"{d}T17:00:00Z,{d + datetime.timedelta(days=1)}T00:00:00Z,inactive\n")
        self.cli("import", path)

    def test_scheduled_catches_up_missed_weeks(self):
        """A recipient that had a week gets every complete week since (at most 4),
        oldest first; the share log then has each once."""
        weekly = self.sink(sinks.HttpsSink(self.ca))
        self.https_recipient("weekly", weekly.url, schedule="weekly")
        self.import_recent_weeks(5)
        today = datetime.date.today()
        mondays = [today - datetime.timedelta(days=today.weekday() + 7 * n) for n in range(4, 0, -1)]
        weeks = ["%d-W%02d" % m.isocalendar()[:2] for m in mondays]
        # The log says the week 4 weeks back went out: the three after it are due.
        self.env.call(k.IFACE + ".LogShare", dict(recipient="weekly", transport="https", week=weeks[0],
                                                  level="daily", format="json", size=1, sha256="a" * 64,
                                                  result="sent", detail="HTTP 200"))
        r = self.cli("share", "--scheduled")
        sent = [json.loads(q["body"])["week"] for q in weekly.requests]
        self.assertEqual(sent, weeks[1:], r.stdout)
        r = self.cli("share", "--scheduled")
        self.assertEqual(len(weekly.requests), 3)

    def test_log_share_checks_its_parameters(self):
        env = self.env
        good = dict(recipient="therapist", transport="https", week=WEEK, level="daily", format="json",
                    size=12, sha256="a" * 64, result="sent", detail="HTTP 200")
        out = env.call(k.IFACE + ".LogShare", good)
        self.assertGreater(out["id"], 0)
        bad = [("recipient", "../x"), ("recipient", ""), ("transport", "ftp"), ("week", "2026-W54"),
               ("week", "2025-W53"), ("week", "2026-13"), ("level", "minutely"), ("format", "pdf"), ("size", -1),
               ("size", "12"), ("sha256", "A" * 64), ("sha256", "a" * 63), ("result", "maybe"),
               ("detail", "two\nlines"), ("detail", "x" * 1025)]
        for key, value in bad:
            with self.subTest(key=key, value=value):
                r = env.call_raw(k.IFACE + ".LogShare", dict(good, **{key: value}))
                self.assertEqual(r.get("error"), "org.varlink.service.InvalidParameter", r)
                self.assertEqual(r["parameters"]["parameter"], key)
        missing = dict(good)
        del missing["sha256"]
        self.assertEqual(env.call_raw(k.IFACE + ".LogShare", missing)["parameters"]["parameter"], "sha256")
        env.call(k.IFACE + ".LogShare", dict(good, result="failed", detail=None))
        self.assertEqual(len(env.call(k.IFACE + ".GetShares", {})["shares"]), 2)
        one = env.call(k.IFACE + ".GetShares", {"limit": 1})["shares"]
        self.assertEqual([x["result"] for x in one], ["failed"])
        self.assertIsNone(one[0]["detail"])
        self.assertEqual(env.call_raw(k.IFACE + ".GetShares", {"limit": 0})["parameters"]["parameter"], "limit")
        human = self.cli("shares").stdout
        self.assertIn("failed", human)
        self.assertEqual(len(self.cli_json("shares", "--json", "--limit", "1")["shares"]), 1)
        env.stop_daemon()
        self.assertEqual(len(env.db_rows("SELECT id FROM share_log")), 2)


class TestUnits(unittest.TestCase):
    """kizuki-share.service and .timer, checked offline by systemd-analyze verify."""

    def setUp(self):
        self.dir = tempfile.mkdtemp(prefix="kizuki-share-units-")
        self.addCleanup(shutil.rmtree, self.dir, ignore_errors=True)
        unit_dir = os.path.join(k.SOURCE_DIR, "systemd")
        kizuki = os.path.abspath(k.KIZUKI)
        with open(os.path.join(unit_dir, "kizuki-share.service.in")) as f:
            self.service = f.read()
        with open(os.path.join(unit_dir, "kizuki-share.timer")) as f:
            self.timer = f.read()
        self.write(self.service.replace("@KIZUKI_PATH@", kizuki), self.timer)
        # The units it names (Wants=/After=kizukid.socket).
        shutil.copy(os.path.join(unit_dir, "kizukid.socket"), self.dir)
        with open(os.path.join(unit_dir, "kizukid.service.in")) as f:
            svc = f.read().replace("@KIZUKID_PATH@", os.path.abspath(k.KIZUKID))
        with open(os.path.join(self.dir, "kizukid.service"), "w") as f:
            f.write(svc)

    def write(self, service, timer):
        with open(os.path.join(self.dir, "kizuki-share.service"), "w") as f:
            f.write(service)
        with open(os.path.join(self.dir, "kizuki-share.timer"), "w") as f:
            f.write(timer)

    def verify(self):
        env = dict(os.environ, XDG_RUNTIME_DIR=self.dir, SYSTEMD_LOG_COLOR="0", SYSTEMD_COLORS="0",
                   LC_ALL="C.UTF-8")
        return subprocess.run(["systemd-analyze", "verify", "--user", "--man=no", "./kizuki-share.service",
                               "./kizuki-share.timer"], cwd=self.dir, env=env, capture_output=True,
                              text=True, timeout=60)

    def test_verify(self):
        r = self.verify()
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(r.stderr.strip(), "", "systemd-analyze verify complained")

    def test_verify_catches_mistakes(self):
        self.write(self.service.replace("@KIZUKI_PATH@", "/nonexistent/kizuki"), self.timer)
        self.assertNotEqual(self.verify().returncode, 0)
        self.write(self.service.replace("@KIZUKI_PATH@", os.path.abspath(k.KIZUKI)),
                   self.timer.replace("Persistent=yes", "Persistant=yes"))
        self.assertIn("Unknown key", self.verify().stderr)

    def test_settings(self):
        timer = self.timer
        self.assertIn("\nPersistent=yes\n", timer)
        self.assertIn("\nOnCalendar=Mon *-*-* 09:00:00\n", timer)
        self.assertIn("\nWantedBy=timers.target\n", timer)
        self.assertIn("\nExecStart=@KIZUKI_PATH@ share --scheduled\n", self.service)
        self.assertIn("\nType=oneshot\n", self.service)
        self.assertNotIn("[Install]", self.service, "the service must only run from the opt-in timer")
        # Installing does not enable: nothing in the build links the timer into timers.target.
        built = os.path.join(k.BUILD_DIR, "systemd")
        if os.path.isdir(built):
            self.assertTrue(os.path.exists(os.path.join(built, "kizuki-share.timer")))
            self.assertFalse(os.path.exists(os.path.join(built, "timers.target.wants")))


if __name__ == "__main__":
    k.main()
