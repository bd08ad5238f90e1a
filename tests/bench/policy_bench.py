#!/usr/bin/python3
"""How well the default policies do on the synthetic people, measured through
the real daemon and CLI (kizuki import, kizuki checkin, kizuki policy test).

    policy_bench.py [--variants FIRST-LAST] [--policies DIR]

For each variant of tests/scenarios/gen_people.py (default 0-5, what the
defaults were tuned on; 6-11 were held out), every person is imported into a
fresh private kizukid and replayed. Printed per default policy and for all of
them together: false nudges per person-year (stable people, and drifting people
before their onset) and, per drifting person, in how many draws the policy
noticed the drift within 60 days and the median and worst delay in days. Also
the median time of one `kizuki policy test` over a person (~9 months).

Needs a build (KIZUKID/KIZUKI or KIZUKI_BUILD_DIR, as the integration tests).
"""
import datetime as dt
import os
import statistics
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(os.path.dirname(HERE), "integration"))
import people as pp  # noqa: E402

HORIZON_DAYS = 60  # as DETECTION_HORIZON_DAYS in tests/scenarios/run-scenarios.c
DAYS_PER_YEAR = 365.25


def first_delay(dates, onset):
    for day in sorted(dates):
        d = (dt.date.fromisoformat(day) - onset).days
        if d >= 0:
            return d if d <= HORIZON_DAYS else None
    return None


def main():
    args = sys.argv[1:]
    first, last, policies = 0, 5, pp.POLICIES
    while args:
        if args[0] == "--variants" and len(args) > 1:
            a, _, b = args[1].partition("-")
            first, last = int(a), int(b or a)
        elif args[0] == "--policies" and len(args) > 1:
            policies = os.path.abspath(args[1])
        else:
            sys.stderr.write("usage: policy_bench.py [--variants FIRST-LAST] [--policies DIR]\n")
            return 2
        args = args[2:]

    names = sorted(f[:-7] for f in os.listdir(policies) if f.endswith(".policy")) + ["(any)"]
    false = {n: 0 for n in names}
    years = 0.0
    delays = {}  # (policy, person) -> [delay or None per draw]
    times = []
    for v in range(first, last + 1):
        with tempfile.TemporaryDirectory(prefix="kz-bench-people-") as tmp:
            people = pp.generate(tmp, v)
            for name, meta in sorted(people.items()):
                fired, d0, d1, took = pp.replay(tmp, name, meta, policies)
                times.append(took)
                fired["(any)"] = sorted(d for n, ds in fired.items() for d in ds)
                onset = dt.date.fromisoformat(meta["onset"]) if meta["onset"] else None
                end = onset or d1 + dt.timedelta(days=1)
                years += (end - d0).days / DAYS_PER_YEAR
                for n in names:
                    dates = fired.get(n, [])
                    false[n] += sum(1 for d in dates if onset is None or dt.date.fromisoformat(d) < onset)
                    if onset:
                        delays.setdefault((n, name), []).append(first_delay(dates, onset))
        sys.stderr.write(f"variant {v} done\n")

    drifting = sorted({p for _, p in delays})
    print(f"variants {first}-{last}, through kizuki import + kizuki policy test; "
          f"{years:.1f} person-years without drift")
    print(f"{'policy':14} {'false/p-yr':>10}  " + "  ".join(f"{p:>22}" for p in drifting))
    for n in names:
        cells = []
        for p in drifting:
            ds = delays[(n, p)]
            got = [d for d in ds if d is not None]
            cell = f"{len(got)}/{len(ds)}"
            if got:
                cell += f" med {statistics.median(got):g} max {max(got)}"
            cells.append(f"{cell:>22}")
        print(f"{n:14} {false[n] / years:10.2f}  " + "  ".join(cells))
    print(f"kizuki policy test, one person (~9 months), all defaults: median "
          f"{statistics.median(times) * 1000:.1f} ms over {len(times)} runs")
    return 0


if __name__ == "__main__":
    sys.exit(main())
