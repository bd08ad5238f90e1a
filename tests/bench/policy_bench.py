#!/usr/bin/python3
"""The detection benchmark through the real daemon and CLI: how well the
policies do on the synthetic people of tests/scenarios/gen_people.py.

    policy_bench.py [--variants LIST | --heldout] [--set core|wide|all] [--policies DIR]
                    [--jobs N] [--json]

For each variant (default 0-5, the tuning variants; --heldout: 100-105, kept
out of tuning; LIST like "0-5" or "0,100-101"), every person of the set
(default all) is imported into a fresh private kizukid with `kizuki import`
and `kizuki checkin` and replayed with `kizuki policy test --json` (N people
at a time, default 2). Printed as tests/scenarios/scoring.py counts them,
the same figures tests/scenarios/benchmark.py gets from run-scenarios: per
policy and for all together the false nudges per person-year after the
warm-up, per drift kind the delays (median, 90th percentile, worst, missed),
the table of issue #16, and the median time of one `kizuki policy test` over a
person (a year). --json prints the figures for machines.

Needs a build (KIZUKID/KIZUKI or KIZUKI_BUILD_DIR, as the integration tests).
"""
import json
import os
import statistics
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(os.path.dirname(HERE), "integration"))
sys.path.insert(0, os.path.join(os.path.dirname(HERE), "scenarios"))
import people as pp  # noqa: E402
import scoring  # noqa: E402

USAGE = ("usage: policy_bench.py [--variants LIST | --heldout] [--set core|wide|all] [--policies DIR] "
         "[--jobs N] [--json]\n")


def replay(task):
    folder, name, meta, policies = task
    fired, _, _, took = pp.replay(folder, name, meta, policies)
    return fired, took


def main():
    policies, jobs = pp.POLICIES, 2
    try:
        o, args = scoring.options(sys.argv[1:])
        while args:
            if args[0] == "--policies" and len(args) > 1:
                policies = os.path.abspath(args[1])
            elif args[0] == "--jobs" and len(args) > 1 and args[1].isdigit() and int(args[1]) > 0:
                jobs = int(args[1])
            else:
                raise ValueError(args[0])
            args = args[2:]
    except ValueError:
        sys.stderr.write(USAGE)
        return 2

    names = sorted(f[:-7] for f in os.listdir(policies) if f.endswith(".policy"))
    score = scoring.Score(names)
    times = []
    t0 = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="kz-bench-people-") as tmp, ProcessPoolExecutor(jobs) as pool:
        for v in o["variants"]:
            folder = os.path.join(tmp, f"v{v}")
            people = pp.generate(folder, v, o["set"])
            order = sorted(people)
            tasks = [(folder, n, people[n], policies) for n in order]
            got = dict(zip(order, pool.map(replay, tasks)))
            times += [took for _, took in got.values()]
            score.add(v, people, {n: fired for n, (fired, _) in got.items()})
            sys.stderr.write(f"variant {v} done ({time.monotonic() - t0:.0f} s)\n")
    rep = score.report()
    rep["seconds"] = time.monotonic() - t0
    rep["policy_test_median_ms"] = statistics.median(times) * 1000
    if o["json"]:
        json.dump(rep, sys.stdout, indent=1)
        sys.stdout.write("\n")
        return 0
    scoring.print_report(rep, f"kizuki import + kizuki policy test, set {o['set']}", sys.stdout)
    print(f"kizuki policy test, one person (a year), all policies: median {rep['policy_test_median_ms']:.1f} ms "
          f"over {len(times)} runs; whole run {rep['seconds']:.0f} s with {jobs} jobs")
    return 0


if __name__ == "__main__":
    sys.exit(main())
