#!/usr/bin/python3
"""The detection benchmark in seconds: run-scenarios (the policy engine
directly, no daemon) over several draws of the synthetic people.

    benchmark.py [--variants LIST | --heldout] [--set core|wide|all] [--json]
                 [--cache DIR] RUN_SCENARIOS POLICYDIR

generates each variant with gen_people.py --variant N (default --set all)
into a temporary directory (or, with --cache, into DIR, where it is kept and
used again while gen_people.py and lives.py stay the same), runs RUN_SCENARIOS --json --policies POLICYDIR on
it (two variants at a time), and prints what scoring.py computes: per policy
and for all together the false nudges per person-year after the warm-up, per
drift kind the delays (median, 90th percentile, worst, missed), and the table
of issue #16 (measured against the targets). --json prints the figures for
machines. LIST: "0-5" (default: the tuning variants), "3", "0-2,100".
--heldout: variants 100-105, kept out of tuning (look only to confirm).
tests/bench/policy_bench.py gives the same figures through kizukid and the
kizuki CLI.
"""
import hashlib
import json
import os
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import scoring  # noqa: E402

USAGE = ("usage: benchmark.py [--variants LIST | --heldout] [--set core|wide|all] [--json] [--cache DIR] "
         "RUN_SCENARIOS POLICYDIR\n")


def generator_hash():
    h = hashlib.sha256()
    for f in ("gen_people.py", "lives.py"):
        with open(os.path.join(HERE, f), "rb") as fh:
            h.update(fh.read())
    return h.hexdigest()[:16]


def run_variant(run, policies, variant, people_set, folder):
    out = os.path.join(folder, f"{people_set}-v{variant}")
    if not os.path.exists(os.path.join(out, "people.json")):
        subprocess.run([sys.executable, os.path.join(HERE, "gen_people.py"), "--variant", str(variant), "--set",
                        people_set, out + ".new"], check=True)
        os.rename(out + ".new", out)
    r = subprocess.run([run, "--json", "--policies", policies, out], capture_output=True, text=True)
    if r.returncode not in (0, 1):
        sys.stderr.write(r.stderr)
        raise SystemExit(2)
    with open(os.path.join(out, "people.json"), encoding="ascii") as f:
        people = json.load(f)
    return people, json.loads(r.stdout)


def main():
    cache = None
    try:
        o, args = scoring.options(sys.argv[1:])
        if len(args) > 2 and args[0] == "--cache":
            cache = os.path.join(args[1], generator_hash())
            os.makedirs(cache, exist_ok=True)
            args = args[2:]
    except ValueError:
        args = []
    if len(args) != 2 or any(a.startswith("--") for a in args):
        sys.stderr.write(USAGE)
        return 2
    run, policies = args
    t0 = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="kz-bench-") as tmp, ThreadPoolExecutor(2) as pool:
        results = list(pool.map(lambda v: run_variant(run, policies, v, o["set"], cache or tmp), o["variants"]))
    score = scoring.Score(sorted(results[0][1]["policies"]))
    for v, (people, res) in zip(o["variants"], results):
        score.add(v, people, {n: p["nudges"] for n, p in res["people"].items()})
    rep = score.report()
    rep["seconds"] = time.monotonic() - t0
    if o["json"]:
        json.dump(rep, sys.stdout, indent=1)
        sys.stdout.write("\n")
    else:
        scoring.print_report(rep, f"run-scenarios, set {o['set']}", sys.stdout)
        print(f"({rep['seconds']:.0f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
