"""Real servers for the sharing tests, all on 127.0.0.1 with ports picked by the
kernel: a test CA (openssl), an HTTPS sink that records every request, SMTP
sinks (aiosmtpd) with STARTTLS + AUTH, implicit TLS, or no STARTTLS at all,
and a server that accepts connections and never answers.

Every sink runs in a thread of the test process and records what it saw, so a
test can assert both what arrived and what did not (no request, no MAIL/DATA).
Use /usr/bin/python3 (Debian's python3-aiosmtpd)."""

import contextlib
import email
import email.policy
import http.server
import os
import socket
import ssl
import subprocess
import threading

import logging
import warnings

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

# aiosmtpd warns about AUTH without STARTTLS for the implicit-TLS sink (where
# TLS is there from the first byte) and logs deprecations: keep test logs clean.
warnings.filterwarnings("ignore", message="Requiring AUTH while not requiring TLS")
logging.getLogger("mail.log").setLevel(logging.CRITICAL)


# ---------------------------------------------------------------------------
# Certificates


def _openssl(*args, cwd):
    r = subprocess.run(["openssl", *args], cwd=cwd, capture_output=True, text=True, timeout=60)
    if r.returncode != 0:
        raise AssertionError(f"openssl {' '.join(args)} failed: {r.stderr}")


class TestCA:
    """A CA and a server certificate for localhost and 127.0.0.1, signed by it,
    in dir: ca.pem, srv.pem, srv.key (prefix lets two CAs share a dir)."""

    def __init__(self, dir, prefix="", cn="kizuki test CA"):
        self.dir = dir
        p = lambda name: os.path.join(dir, prefix + name)  # noqa: E731
        self.ca_key, self.ca_cert = p("ca.key"), p("ca.pem")
        self.key, self.cert = p("srv.key"), p("srv.pem")
        csr, ext = p("srv.csr"), p("srv.ext")
        _openssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", self.ca_key, "-out",
                 self.ca_cert, "-days", "2", "-subj", f"/CN={cn}",
                 "-addext", "basicConstraints=critical,CA:TRUE",
                 "-addext", "keyUsage=critical,keyCertSign,cRLSign", cwd=dir)
        _openssl("req", "-newkey", "rsa:2048", "-nodes", "-keyout", self.key, "-out", csr,
                 "-subj", "/CN=localhost", cwd=dir)
        with open(ext, "w") as f:
            f.write("subjectAltName=DNS:localhost,IP:127.0.0.1\n"
                    "basicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n")
        _openssl("x509", "-req", "-in", csr, "-CA", self.ca_cert, "-CAkey", self.ca_key,
                 "-CAcreateserial", "-out", self.cert, "-days", "2", "-extfile", ext, cwd=dir)

    def server_context(self):
        ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        ctx.load_cert_chain(self.cert, self.key)
        return ctx


# ---------------------------------------------------------------------------
# HTTPS


class _Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, fmt, *args):  # quiet
        pass

    def _record(self):
        n = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(n) if n else b""
        sink = self.server.sink
        with sink.lock:
            sink.requests.append(dict(method=self.command, path=self.path,
                                      headers={k.lower(): v for k, v in self.headers.items()},
                                      body=body))
            status = sink.statuses.pop(0) if sink.statuses else sink.status
        return status

    def _answer(self, status):
        body = b'{"ok":true}' if 200 <= status < 300 else b"nope"
        if self.server.sink.echo:
            body = "".join(f"{k}: {v} " for k, v in self.headers.items()).encode()
        if self.server.sink.body is not None:
            body = self.server.sink.body
        self.send_response(status)
        if 300 <= status < 400:
            self.send_header("Location", self.server.sink.location or "https://127.0.0.1:1/elsewhere")
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        try:
            self.wfile.write(body)
        except (BrokenPipeError, ConnectionResetError, ssl.SSLError):
            pass  # the client stopped reading (a body too long for it)

    def do_POST(self):
        self._answer(self._record())

    do_GET = do_POST
    do_PUT = do_POST


class HttpsSink:
    """An HTTP(S) server recording each request (method, path, headers, body).
    status: the answer to every request; statuses: answers for the first ones.
    echo: the answer's body repeats the request headers. body: the answer's
    body instead of the default one. ca=None: plain HTTP."""

    def __init__(self, ca=None, status=200, statuses=(), location=None, echo=False, body=None):
        self.lock = threading.Lock()
        self.echo = echo
        self.body = body
        self.requests = []
        self.status = status
        self.statuses = list(statuses)
        self.location = location
        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
        self.server.sink = self
        self.server.daemon_threads = True
        if ca is not None:
            self.server.socket = ca.server_context().wrap_socket(self.server.socket, server_side=True)
        self.port = self.server.server_address[1]
        self.scheme = "https" if ca is not None else "http"
        self.url = f"{self.scheme}://127.0.0.1:{self.port}/inbox"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()


# ---------------------------------------------------------------------------
# SMTP


class _MailHandler:
    def __init__(self, sink):
        self.sink = sink

    async def handle_EHLO(self, server, session, envelope, hostname, responses):
        self.sink.commands.append("EHLO")
        session.host_name = hostname
        return responses

    async def handle_NOOP(self, server, session, envelope, arg):
        self.sink.commands.append("NOOP")
        return "250 OK"

    async def handle_MAIL(self, server, session, envelope, address, mail_options):
        self.sink.commands.append("MAIL")
        envelope.mail_from = address
        envelope.mail_options.extend(mail_options)
        return "250 OK"

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        self.sink.commands.append("RCPT")
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        self.sink.commands.append("DATA")
        self.sink.messages.append(dict(mail_from=envelope.mail_from, rcpt_tos=list(envelope.rcpt_tos),
                                       data=envelope.original_content or envelope.content,
                                       tls=session.ssl is not None, auth=session.authenticated))
        return "250 Message accepted for delivery"


class SmtpSink:
    """aiosmtpd on 127.0.0.1. mode: "starttls" (STARTTLS required, AUTH
    required after it), "smtps" (implicit TLS, AUTH required) or "plain" (no
    STARTTLS offered at all). Records the commands it handled and the messages;
    logins (user, password) that were tried go to self.logins. echo: a refused
    login is answered with the password it tried, whole and cut in two."""

    def __init__(self, ca, mode="starttls", user="kizuki", password=None, echo=False):
        self.commands, self.messages, self.logins = [], [], []
        self.user, self.password, self.echo = user, password, echo
        kw = {}
        if mode == "starttls":
            kw = dict(tls_context=ca.server_context(), require_starttls=True,
                      authenticator=self._auth, auth_required=True)
        elif mode == "smtps":
            kw = dict(ssl_context=ca.server_context(), authenticator=self._auth, auth_required=True,
                      auth_require_tls=False)
        elif mode != "plain":
            raise ValueError(mode)
        port = _free_port()
        self.controller = Controller(_MailHandler(self), hostname="127.0.0.1", port=port,
                                     server_hostname="localhost", ready_timeout=10, **kw)
        self.controller.start()
        self.port = port
        self.mode = mode

    def _auth(self, server, session, envelope, mechanism, auth_data):
        if isinstance(auth_data, LoginPassword):
            user, pw = auth_data.login.decode(), auth_data.password.decode()
            self.logins.append((user, pw))
            if user == self.user and pw == self.password:
                return AuthResult(success=True)
            if self.echo:
                half = len(pw) // 2
                return AuthResult(success=False, handled=False,
                                  message=f"535 5.7.8 {user} {pw} refused ({pw[:half]}|{pw[half:]})")
        return AuthResult(success=False, handled=False)

    def close(self):
        with contextlib.suppress(Exception):
            self.controller.stop()

    def parsed(self, i=0):
        return email.message_from_bytes(self.messages[i]["data"], policy=email.policy.default)


def _free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# ---------------------------------------------------------------------------
# A server that never answers


class SilentServer:
    """Listens and lets the kernel complete connections (backlog), but never
    reads or writes: a TLS handshake or an SMTP greeting never comes."""

    def __init__(self):
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(16)
        self.port = self.sock.getsockname()[1]

    def close(self):
        self.sock.close()
