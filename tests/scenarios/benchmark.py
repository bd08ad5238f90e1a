#!/usr/bin/python3
"""Pool run-scenarios figures over several draws of the synthetic people, so
tuned parameters are judged on more than the one population the test uses.

    benchmark.py [--variants FIRST-LAST] RUN_SCENARIOS POLICYDIR

generates each variant with gen_people.py --variant N into a temporary
directory, runs RUN_SCENARIOS --json --policies POLICYDIR on it, and prints
per policy: false nudges per person-year (stable people, and drifting people
before their onset) and, per drifting person, how many draws the policy
noticed within the detection horizon and the median and worst delay in days.
Default variants: 0-5 (what the defaults were tuned on); 6-11 were held out.
"""
import datetime as dt
import json
import os
import statistics
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
HORIZON_DAYS = 60  # as DETECTION_HORIZON_DAYS in run-scenarios.c


def run_variant(run, policies, variant, tmp):
    out = os.path.join(tmp, f"v{variant}")
    subprocess.run([sys.executable, os.path.join(HERE, "gen_people.py"), "--variant", str(variant), out],
                   check=True)
    r = subprocess.run([run, "--json", "--policies", policies, out], capture_output=True, text=True)
    if r.returncode not in (0, 1):
        sys.stderr.write(r.stderr)
        raise SystemExit(2)
    return json.loads(r.stdout)


def first_delay(person, policy):
    onset = dt.date.fromisoformat(person["onset"])
    for day in person["nudges"][policy]:
        d = (dt.date.fromisoformat(day) - onset).days
        if d >= 0:
            return d if d <= HORIZON_DAYS else None
    return None


def main():
    args = sys.argv[1:]
    first, last = 0, 5
    if len(args) == 4 and args[0] == "--variants":
        a, _, b = args[1].partition("-")
        first, last = int(a), int(b or a)
        args = args[2:]
    if len(args) != 2:
        sys.stderr.write("usage: benchmark.py [--variants FIRST-LAST] RUN_SCENARIOS POLICYDIR\n")
        return 2
    run, policies = args
    with tempfile.TemporaryDirectory() as tmp:
        results = [run_variant(run, policies, v, tmp) for v in range(first, last + 1)]

    names = list(results[0]["policies"]) + ["(any)"]
    drifting = [n for n, p in results[0]["people"].items() if p["kind"] == "drift"]
    print(f"variants {first}-{last}: {len(results)} draws; checks passed in "
          f"{sum(r['ok'] for r in results)}")
    print(f"{'policy':16} {'false/p-yr':>10}  " + "  ".join(f"{n:>22}" for n in drifting))
    for name in names:
        nudges = years = 0
        cells = []
        for r in results:
            f = r["all"] if name == "(any)" else r["policies"][name]
            nudges += f["false_nudges"]
            years += f["false_person_years"]
        for person in drifting:
            delays = []
            for r in results:
                p = r["people"][person]
                delays.append(p["delay_days"] if name == "(any)" else first_delay(p, name))
            got = [d for d in delays if d is not None]
            cell = f"{len(got)}/{len(delays)}"
            if got:
                cell += f" med {statistics.median(got):g} max {max(got)}"
            cells.append(f"{cell:>22}")
        print(f"{name:16} {nudges / years:10.2f}  " + "  ".join(cells))
    rates = {}
    for r in results:
        for n, p in r["people"].items():
            if p["kind"] == "stable":
                rates.setdefault(n, []).append(p["false_per_person_year"])
    print("stable people, nudges a year (mean / worst draw): " +
          ", ".join(f"{n} {statistics.mean(v):.2f}/{max(v):.2f}" for n, v in rates.items()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
