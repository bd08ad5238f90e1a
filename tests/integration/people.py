"""The synthetic people of tests/scenarios through the real daemon and CLI:
a private kizukid, `kizuki import`, `kizuki checkin`, `kizuki policy test`.
Shared by test_scenarios.py and tests/bench/policy_bench.py."""

import csv
import datetime as dt
import json
import os
import subprocess
import sys
import time

import kizukitest as k

SCENARIOS = os.path.join(k.SOURCE_DIR, "tests", "scenarios")
POLICIES = os.path.join(k.SOURCE_DIR, "policies")


def generate(out, variant=0, people_set="core"):
    """Write the people of a variant into out (people_set: core, wide or all,
    see gen_people.py); returns people.json."""
    subprocess.run([sys.executable, os.path.join(SCENARIOS, "gen_people.py"), "--variant", str(variant),
                    "--set", people_set, out], check=True)
    with open(os.path.join(out, "people.json")) as f:
        return json.load(f)


def days_of(path):
    """The first and last local dates of a person's CSV."""
    with open(path, newline="") as f:
        rows = list(csv.DictReader(f))
    return (dt.datetime.fromisoformat(rows[0]["start"]).date(),
            dt.datetime.fromisoformat(rows[-1]["start"]).date())


def replay(folder, name, meta, policies=POLICIES):
    """Import one person into a fresh kizukid and replay the policies with
    `kizuki policy test --json`. Returns ({policy: [dates]}, first day, last day,
    seconds the policy test took)."""
    env = k.Env(f"scn-{name}")
    ok = False
    try:
        env.start_daemon("--no-logind")
        env.cli("consent", "grant", "--yes")
        env.cli("import", os.path.join(folder, name + ".csv"), timeout=60)
        if meta["checkins"]:
            with open(os.path.join(folder, name + ".checkins.csv"), newline="") as f:
                for row in csv.DictReader(f):
                    args = ["checkin", "--date", row["date"]]
                    for key, opt in (("went_out", "--went-out"), ("met_someone", "--met-someone"),
                                     ("mood", "--mood")):
                        if row.get(key):
                            args += [opt, row[key]]
                    if len(args) > 3:
                        env.cli(*args)
        first, last = days_of(os.path.join(folder, name + ".csv"))
        penv = env.environ(KIZUKI_POLICY_PATH=policies)
        t0 = time.monotonic()
        doc = env.cli_json("policy", "test", "--from", first.isoformat(), "--to", last.isoformat(), "--json",
                           env=penv, timeout=60)
        took = time.monotonic() - t0
        if env.stop_daemon() != 0:
            raise AssertionError("kizukid did not exit 0 after SIGTERM")
        ok = True
    finally:
        env.close(print_logs=not ok)
    return {p["name"]: [f["date"] for f in p["fired"]] for p in doc["policies"]}, first, last, took
