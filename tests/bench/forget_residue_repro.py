#!/usr/bin/python3
"""Reproducer: a forget's wipe that is due is itself forgotten by a restart.

Forget deletes the rows in one transaction, then wipes their old copies from
the files (wal_checkpoint(TRUNCATE), VACUUM, TRUNCATE again). When the wipe
cannot finish (here: a reader holds the WAL, as a `sqlite3` shell or a backup
tool would), Forget answers StoreError "... kizukid tries again daily and at
the next forget". That promise lives only in memory (Store.cleanup_due): after
kizukid restarts -- a crash, a reboot, a kill -9 between the delete's commit and
the VACUUM, which the crash campaign hits -- nothing retries it, and the next
Forget of the same days deletes 0 rows and so does not wipe either. The text
of the forgotten nudge stays readable in the database files.

Prints each step; exit status 1 when the forgotten text is still in the files
at the end (the bug), 0 when it is gone.

Usage: tests/bench/forget_residue_repro.py [--build DIR]
"""
import argparse
import os
import signal
import sqlite3
import sys

import benchenv

MARKER = "KZRESIDUE-forgotten-text"
DATE = "2020-01-05"


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--build", default=benchenv.DEFAULT_BUILD)
    args = ap.parse_args()
    k = benchenv.harness(args.build)
    if not k:
        return 2

    env = k.Env("forget-residue")

    def in_files():
        found = []
        for suffix in ("", "-wal"):
            if os.path.exists(env.db_path + suffix):
                with open(env.db_path + suffix, "rb") as f:
                    if MARKER.encode() in f.read():
                        found.append(os.path.basename(env.db_path + suffix))
        return found or "nowhere"

    def forget():
        try:
            r = env.call(k.IFACE + ".Forget", {"from": DATE, "to": DATE}, timeout=30)
            return f"ok, deleted {r['nudges']} nudges"
        except k.VarlinkError as e:
            return f"{e.name}: {e.parameters.get('message', '')[:100]}"

    try:
        env.start_daemon("--no-logind")
        env.grant_consent_raw()
        env.call(k.IFACE + ".ImportRecords", {"nudges": [{
            "policy": "repro", "date": DATE, "raised_at": 1578200000, "severity": "gentle", "title": "t",
            "body": MARKER, "rule": "r", "state": "unread"}]})
        print(f"1. a nudge of {DATE} whose text is {MARKER!r} is stored; text found in: {in_files()}")

        reader = sqlite3.connect(f"file:{env.db_path}?mode=ro", uri=True)
        reader.execute("BEGIN")
        reader.execute("SELECT count(*) FROM nudge").fetchone()
        print(f"2. a reader holds the WAL; Forget {DATE}: {forget()}")
        reader.close()
        print(f"   the reader is gone; text found in: {in_files()}")

        env.daemon.kill(signal.SIGKILL)
        env.daemon.wait(10)
        env.start_daemon("--no-logind")
        print(f"3. kizukid killed and started again; text found in: {in_files()}")
        print(f"4. Forget {DATE} again: {forget()}; text found in: {in_files()}")
        left = in_files()
        print("BUG: the forgotten text is still in the files" if left != "nowhere" else "ok: the text is gone")
        return 1 if left != "nowhere" else 0
    finally:
        env.close()


if __name__ == "__main__":
    sys.exit(main())
