"""The detection benchmark's figures, from the days each policy nudged each
synthetic person (gen_people.py). Shared by tests/scenarios/benchmark.py
(run-scenarios, the engine directly) and tests/bench/policy_bench.py (kizukid
and the kizuki CLI), so both count the same way. Python 3 stdlib only.

False nudges: every nudge of a stable person on or after the end of the
warm-up (the first WARMUP_DAYS days of data, while baselines fill), and
every nudge of a drifting person in that time before the onset. The rate is
per person-year of the days they could fall on: observed days (not in
people.json's "unobserved") from the end of the warm-up to the last day, or to
the day before the onset.

Delay: days from the onset to the first nudge on or after it (of the policy,
or of any policy); none within HORIZON_DAYS is a miss. Medians and the 90th
percentile count a miss as longer than any delay; median_caught is the median
of the drifts caught (per policy: of those it noticed, as a policy is not
meant to notice every kind).
"""
import datetime as dt
import math
import statistics

WARMUP_DAYS = 35
HORIZON_DAYS = 60
DAYS_PER_YEAR = 365.25
ANY = "(any)"
KINDS = ("abrupt", "gradual", "rhythm", "withdrawal", "checkins")
# The "gradual drifts" (#16): nights creeping later, screen hours
# creeping, a dissolving rhythm, a withdrawal.
GRADUAL = ("gradual", "rhythm", "withdrawal")
TARGETS = {"false": 0.5, "abrupt_median": 3, "gradual_median": 10, "missed": 0}
TUNING = range(0, 6)
HELDOUT = range(100, 106)


def parse_variants(text):
    """"0-5" or "3" or "0-2,100-102" -> [variants]."""
    out = []
    for part in text.split(","):
        a, _, b = part.partition("-")
        if not a.isdigit() or (b and not b.isdigit()):
            raise ValueError(f"bad variant list: {text}")
        out += range(int(a), int(b or a) + 1)
    return out


def options(args):
    """The options both benchmarks take: --variants LIST, --heldout, --set
    core|wide|all, --json. Returns ({"variants", "set", "json"}, the other
    arguments in order); raises ValueError on a bad value."""
    o = {"variants": list(TUNING), "set": "all", "json": False}
    rest = []
    while args:
        a, args = args[0], args[1:]
        if a in ("--variants", "--set") and not args:
            raise ValueError(a)
        if a == "--variants":
            o["variants"], args = parse_variants(args[0]), args[1:]
        elif a == "--heldout":
            o["variants"] = list(HELDOUT)
        elif a == "--set":
            if args[0] not in ("core", "wide", "all"):
                raise ValueError(args[0])
            o["set"], args = args[0], args[1:]
        elif a == "--json":
            o["json"] = True
        else:
            rest.append(a)
    return o, rest


def day(s):
    return dt.date.fromisoformat(s)


def observed_days(meta, first, end):
    """Days in [first, end) that are not unobserved."""
    n = max(0, (end - first).days)
    for a, b in meta.get("unobserved", []):
        lo, hi = max(first, day(a)), min(end, day(b) + dt.timedelta(days=1))
        n -= max(0, (hi - lo).days)
    return n


def quantile(values, q):
    """Nearest-rank quantile of values (math.inf for a miss); None if empty."""
    if not values:
        return None
    v = sorted(values)
    return v[max(0, math.ceil(q * len(v)) - 1)]


def delay_stats(delays):
    """delays: [days or None (a miss)] -> figures."""
    v = [math.inf if x is None else x for x in delays]
    med = statistics.median(v) if v else None
    p90 = quantile(v, 0.9)
    fin = lambda x: None if x is None or math.isinf(x) else x  # noqa: E731
    caught = [x for x in delays if x is not None]
    return {"n": len(v), "caught": len(caught), "missed": len(v) - len(caught), "median": fin(med),
            "p90": fin(p90), "worst": fin(max(v)) if v else None,
            "median_caught": statistics.median(caught) if caught else None}


def first_delay(dates, onset):
    for s in sorted(dates):
        k = (day(s) - onset).days
        if k >= 0:
            return k if k <= HORIZON_DAYS else None
    return None


class Score:
    """Accumulates people over variants: add(variant, people.json, {name:
    {policy: [dates]}}), then report()."""

    def __init__(self, policies):
        self.policies = list(policies) + [ANY]
        self.years = 0.0
        self.false = {p: 0 for p in self.policies}
        self.delays = {p: {k: [] for k in KINDS} for p in self.policies}
        self.people = {}
        self.variants = []

    def add(self, variant, people, nudges):
        self.variants.append(variant)
        for name, meta in people.items():
            fired = {p: list(nudges.get(name, {}).get(p, [])) for p in self.policies if p != ANY}
            fired[ANY] = sorted(x for ds in fired.values() for x in ds)
            first = day(meta["first"]) + dt.timedelta(days=WARMUP_DAYS)
            onset = day(meta["onset"]) if meta.get("onset") else None
            end = onset or day(meta["last"]) + dt.timedelta(days=1)
            years = observed_days(meta, first, end) / DAYS_PER_YEAR
            self.years += years
            row = {"kind": meta["kind"], "drift": meta.get("drift"), "false": {}, "person_years": years}
            for p in self.policies:
                false = [x for x in fired[p] if first <= day(x) < end]
                self.false[p] += len(false)
                if false:
                    row["false"][p] = false
                if onset is not None:
                    k = first_delay(fired[p], onset)
                    self.delays[p].setdefault(meta.get("drift") or "other", []).append(k)
                    if p == ANY:
                        row["delay"] = k
            self.people[f"{name}@{variant}"] = row

    def report(self):
        """The figures as a dict (what --json prints)."""
        out = {"variants": self.variants, "warmup_days": WARMUP_DAYS, "horizon_days": HORIZON_DAYS,
               "person_years": self.years, "policies": {}}
        for p in self.policies:
            out["policies"][p] = {
                "false_nudges": self.false[p],
                "false_per_person_year": self.false[p] / self.years if self.years else 0.0,
                "kinds": {k: delay_stats(v) for k, v in self.delays[p].items() if v},
            }
        anyp = out["policies"][ANY]
        gradual = [x for k in GRADUAL for x in self.delays[ANY].get(k, [])]
        every = [x for v in self.delays[ANY].values() for x in v]
        g, a = delay_stats(gradual), anyp["kinds"].get("abrupt", delay_stats([]))
        missed = sum(x is None for x in every)
        out["summary"] = [
            {"what": "false nudges per person-year (stable people, after the warm-up)",
             "measured": anyp["false_per_person_year"], "target": TARGETS["false"],
             "ok": anyp["false_per_person_year"] <= TARGETS["false"]},
            {"what": "abrupt change, median delay (days)", "measured": a["median"], "worst": a["worst"],
             "target": TARGETS["abrupt_median"],
             "ok": a["median"] is not None and a["median"] <= TARGETS["abrupt_median"]},
            {"what": "gradual drifts (" + ", ".join(GRADUAL) + "), median delay (days)", "measured": g["median"],
             "worst": g["worst"], "target": TARGETS["gradual_median"],
             "ok": g["median"] is not None and g["median"] <= TARGETS["gradual_median"]},
            {"what": f"drifts missed (> {HORIZON_DAYS} d)", "measured": missed, "of": len(every),
             "target": TARGETS["missed"], "ok": missed <= TARGETS["missed"]},
        ]
        out["people"] = self.people
        return out


def fmt_days(x, missed_any=False):
    if x is None:
        return f">{HORIZON_DAYS}" if missed_any else "-"
    return f"{x:g}"


def print_report(rep, title, out):
    """The tables for people, as text, to the file out."""
    w = lambda s="": out.write(s + "\n")  # noqa: E731
    kinds = [k for k in KINDS if k in rep["policies"][ANY]["kinds"]]
    w(f"{title}; variants {compact(rep['variants'])}; {rep['person_years']:.1f} person-years without drift "
      f"after a {rep['warmup_days']}-day warm-up")
    w()
    w("false nudges per person-year, and per drift kind: caught (within "
      f"{rep['horizon_days']} d) / drifts, median delay of those caught in days")
    w(f"{'policy':14} {'false':>6} {'/p-yr':>6}  " + "  ".join(f"{k:>16}" for k in kinds))
    for p, f in rep["policies"].items():
        cells = []
        for k in kinds:
            s = f["kinds"].get(k)
            if not s or not s["caught"]:
                cells.append(f"{'-':>16}")
            else:
                cells.append(f"{s['caught']:>3}/{s['n']:<3} med {s['median_caught']:>4g}".rjust(16))
        w(f"{p:14} {f['false_nudges']:6d} {f['false_per_person_year']:6.2f}  " + "  ".join(cells))
    w()
    w("delay from the onset to the first nudge of any policy, per drift kind (days)")
    w(f"{'kind':12} {'drifts':>6} {'median':>7} {'p90':>5} {'worst':>6} {'missed':>7}")
    for k in kinds:
        s = rep["policies"][ANY]["kinds"][k]
        miss = s["missed"] > 0
        w(f"{k:12} {s['n']:6d} {fmt_days(s['median'], miss):>7} {fmt_days(s['p90'], miss):>5} "
          f"{fmt_days(s['worst'], miss):>6} {s['missed']:7d}")
    w()
    w("| | measured | target |")
    w("|---|---|---|")
    for row in rep["summary"]:
        m = row["measured"]
        if isinstance(m, float) and "false" in row["what"]:
            ms = f"{m:.2f}"
        elif "missed" in row["what"]:
            ms = f"{m} of {row['of']}"
        else:
            ms = f"{fmt_days(m, True)} d (worst {fmt_days(row.get('worst'), True)} d)"
        w(f"| {row['what']} | {ms} | {'≤' if 'missed' not in row['what'] else '='} {row['target']:g}"
          f"{'' if row['ok'] else '  ✗'} |")
    w()
    offenders = {}
    for key, row in rep["people"].items():
        n = len(row["false"].get(ANY, []))
        if n:
            name = key.rsplit("@", 1)[0]
            offenders.setdefault(name, {})
            for p, ds in row["false"].items():
                if p != ANY:
                    offenders[name][p] = offenders[name].get(p, 0) + len(ds)
    delays = {}
    for key, row in rep["people"].items():
        if row["kind"] == "drift":
            delays.setdefault(key.rsplit("@", 1)[0], []).append(row.get("delay"))
    med = {n: statistics.median([math.inf if x is None else x for x in v]) for n, v in delays.items()}
    w("delay by drifting person (any policy; median over the variants, then each): " + "; ".join(
        f"{n} {fmt_days(None if math.isinf(m) else m, True)} ({' '.join(fmt_days(x, True) for x in delays[n])})"
        for n, m in sorted(med.items(), key=lambda x: (-x[1], x[0]))))
    w("false nudges by person (all variants): " + ("; ".join(
        f"{n} " + ", ".join(f"{p} {c}" for p, c in sorted(d.items())) for n, d in sorted(offenders.items()))
        or "none"))


def compact(variants):
    """[0, 1, 2, 5] -> "0-2,5"."""
    out, v = [], sorted(set(variants))
    i = 0
    while i < len(v):
        j = i
        while j + 1 < len(v) and v[j + 1] == v[j] + 1:
            j += 1
        out.append(f"{v[i]}-{v[j]}" if j > i else f"{v[i]}")
        i = j + 1
    return ",".join(out)
