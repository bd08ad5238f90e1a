#!/usr/bin/python3
"""A tiny fake kizukid for black-box tests of the kizuki CLI.

It speaks Varlink as kizukid does (a Unix stream socket, JSON messages ended
by a NUL byte, at most 65536 bytes) and answers from canned replies:

    fakedaemon.py --socket PATH --replies FILE --log FILE

FILE (--replies) is a JSON object mapping a method name (without the
interface, e.g. "GetWeek") to one of:

    {"parameters": {...}}                 the reply's parameters
    {"file": "getweek.json"}              the parameters, read from that file
                                          (relative to the replies file)
    {"error": "io.kizuki.Daemon.X", "parameters": {...}}   a Varlink error
    {"merge": true}                       Import only: merge the hours into an
                                          in-memory store as kizukid does (per
                                          hour the larger seconds win) and
                                          answer received/changed
    {"cases": [{"match": {...}, ...}, ...]}  the first case whose "match"
                                          (absent: any) is a subset of the
                                          request's parameters, itself one of
                                          the forms above

Other methods get org.varlink.service.MethodNotFound. Every request is
appended to the log (--log) as a JSON line {"method", "parameters", "size"},
size being the bytes of the message without its NUL. The fake runs until it
is killed.

Only the standard library; run with /usr/bin/python3.
"""

import argparse
import json
import os
import socketserver
import sys
import threading

IFACE = "io.kizuki.Daemon"
MAX_MESSAGE = 65536


class Fake:
    def __init__(self, replies_path, log_path):
        with open(replies_path, encoding="utf-8") as f:
            self.replies = json.load(f)
        self.base = os.path.dirname(os.path.abspath(replies_path))
        self.log_path = log_path
        self.lock = threading.Lock()
        self.store = {}  # (start, utc_offset) -> [active_s, observed_s]

    def log(self, method, params, size):
        with self.lock, open(self.log_path, "a", encoding="utf-8") as f:
            f.write(json.dumps({"method": method, "parameters": params, "size": size}) + "\n")

    def merge(self, params):
        hours = params.get("hours", [])
        if len(hours) > 1000:
            return {"error": f"{IFACE}.RangeTooLarge", "parameters": {"limit": 1000}}
        changed = 0
        with self.lock:
            for h in hours:
                key = (h["start"], h["utc_offset"])
                old = self.store.get(key, [0, 0])
                new = [max(old[0], h["active_s"]), max(old[1], h["observed_s"])]
                if new != old:
                    changed += 1
                    if not params.get("dry_run"):
                        self.store[key] = new
        return {"parameters": {"received": len(hours), "changed": changed}}

    def answer(self, msg):
        method = msg.get("method", "")
        params = msg.get("parameters") or {}
        short = method[len(IFACE) + 1:] if method.startswith(IFACE + ".") else None
        spec = self.replies.get(short) if short else None
        if spec is None:
            return {"error": "org.varlink.service.MethodNotFound", "parameters": {"method": method}}
        if "cases" in spec:
            spec = next((c for c in spec["cases"]
                         if all(params.get(k) == v for k, v in c.get("match", {}).items())), None)
            if spec is None:
                return {"error": "org.varlink.service.InvalidParameter", "parameters": {"parameter": "(no case)"}}
        if spec.get("merge"):
            return self.merge(params)
        if "file" in spec:
            with open(os.path.join(self.base, spec["file"]), encoding="utf-8") as f:
                return {"parameters": json.load(f)}
        reply = {"parameters": spec.get("parameters", {})}
        if "error" in spec:
            reply["error"] = spec["error"]
        return reply


class Handler(socketserver.BaseRequestHandler):
    def handle(self):
        fake = self.server.fake
        buf = b""
        while True:
            while b"\0" not in buf:
                if len(buf) > MAX_MESSAGE:
                    self.send({"error": f"{IFACE}.MessageTooLarge", "parameters": {"limit": MAX_MESSAGE}})
                    return
                data = self.request.recv(65536)
                if not data:
                    return
                buf += data
            raw, buf = buf.split(b"\0", 1)
            if len(raw) > MAX_MESSAGE:
                fake.log("(too large)", None, len(raw))
                self.send({"error": f"{IFACE}.MessageTooLarge", "parameters": {"limit": MAX_MESSAGE}})
                return
            try:
                msg = json.loads(raw)
            except ValueError:
                fake.log("(malformed)", None, len(raw))
                return
            fake.log(msg.get("method"), msg.get("parameters"), len(raw))
            self.send(fake.answer(msg))

    def send(self, reply):
        self.request.sendall(json.dumps(reply, ensure_ascii=False).encode() + b"\0")


class Server(socketserver.ThreadingMixIn, socketserver.UnixStreamServer):
    daemon_threads = True


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--socket", required=True)
    ap.add_argument("--replies", required=True)
    ap.add_argument("--log", required=True)
    args = ap.parse_args()

    fake = Fake(args.replies, args.log)
    if os.path.exists(args.socket):
        os.unlink(args.socket)
    server = Server(args.socket, Handler)
    server.fake = fake
    os.chmod(args.socket, 0o600)
    print("ready", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
        try:
            os.unlink(args.socket)
        except OSError:
            pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
