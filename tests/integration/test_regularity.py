#!/usr/bin/python3
"""The waking day (up, down) and the regularity figures (SRI, social jet lag) of
the real daemon, against an independent implementation written here from their
definitions in docs/signals.md (Phillips et al. 2017; Wittmann et al. 2006), not
from lib/signals.c.

A synthetic person (seeded) lives five weeks at +01:00: later nights and
mornings at weekends, quiet hours in the afternoon, hours only partly observed
and whole stretches with the computer off. Their hours go in through the real
`kizuki import`; every day of `kizuki days --json` must match to 1e-6."""

import datetime as dt
import os
import random
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import kizukitest as k  # noqa: E402

TZ = dt.timezone(dt.timedelta(hours=1))
FIRST = dt.date(2026, 1, 5)  # a Monday
DAYS = 35
HOUR = dt.timedelta(hours=1)


def synthetic_person(seed):
    """{local hour start (aware datetime): (active_s, observed_s)}: hours that were
    observed at all. Rest at night, later at weekends; now and then an hour only
    half observed, a quiet afternoon hour, or the computer off for a while."""
    rnd = random.Random(seed)
    hours = {}
    start = dt.datetime.combine(FIRST - dt.timedelta(days=2), dt.time(0), TZ)
    for i in range((DAYS + 4) * 24):
        t = start + i * HOUR
        weekend = t.weekday() >= 5 or (t.weekday() == 4 and t.hour >= 18)
        bed = 1 if weekend else 23  # local hour the rest begins (weekend: 01:00)
        wake = 10 if weekend else 7
        jitter = rnd.choice([-1, 0, 0, 0, 1])
        h = t.hour
        resting = (h >= bed + jitter or h < wake + jitter) if bed > wake else (bed + jitter <= h < wake + jitter)
        if rnd.random() < 0.03:
            continue  # computer off: not observed at all
        observed = 3600 if rnd.random() > 0.08 else rnd.choice([600, 1800, 2400])
        if resting:
            active = 0 if rnd.random() < 0.9 else rnd.randrange(0, 400)
        else:
            active = rnd.randrange(0, 3600) if rnd.random() > 0.12 else rnd.randrange(0, 300)
        hours[t] = (min(active, observed), observed)
    return hours


def write_csv(hours, path):
    with open(path, "w") as f:
        f.write("start,end,state\n")
        for t, (active, observed) in sorted(hours.items()):
            a_end = t + dt.timedelta(seconds=active)
            o_end = t + dt.timedelta(seconds=observed)
            if active:
                f.write(f"{t.isoformat()},{a_end.isoformat()},active\n")
            if observed > active:
                f.write(f"{a_end.isoformat()},{o_end.isoformat()},inactive\n")


# ---- the reference, from the definitions -------------------------------------

def valid(v):
    return v is not None and v[1] >= 1800


def quiet(v):
    return valid(v) and v[0] <= 300


def noon(date):
    return dt.datetime.combine(date, dt.time(12), TZ)


def rest_window(hours, date):
    """[start, end) of the longest run of quiet hours (the earliest of equal ones)
    starting in [noon of date - 1, noon of date); None without a quiet hour."""
    best, run = None, None
    t = noon(date - dt.timedelta(days=1))
    while t < noon(date):
        if quiet(hours.get(t)):
            run = (run[0], t + HOUR) if run else (t, t + HOUR)
            if best is None or run[1] - run[0] > best[1] - best[0]:
                best = run
        else:
            run = None
        t += HOUR
    return best


def minutes_after_midnight(t, date):
    return (t - dt.datetime.combine(date, dt.time(0), TZ)).total_seconds() / 60


def waking(hours, date, last_hour_end):
    rest = rest_window(hours, date)
    if rest is None:
        return None, None
    nxt = rest_window(hours, date + dt.timedelta(days=1)) if last_hour_end >= noon(date + dt.timedelta(days=1)) else None
    until = nxt[0] if nxt else noon(date + dt.timedelta(days=1))
    active = [t for t in sorted(hours) if rest[1] <= t < until and hours[t][0] >= 300]
    if not active:
        return None, None
    up = minutes_after_midnight(active[0], date)
    down = minutes_after_midnight(active[-1] + HOUR, date) if nxt else None
    return up, down


def sri(hours, date):
    """Phillips et al. 2017 with hours as epochs: P(same state 24 h apart) scaled
    to -100..100, over the noon-to-noon windows of the 7 days ending on date."""
    dates = [date - dt.timedelta(days=6 - k) for k in range(7)]
    rests = [rest_window(hours, d) for d in dates]

    def state(t, k):
        r = rests[k]
        return r is not None and r[0] <= t < r[1]

    same = pairs = 0
    for k in range(6):
        t = noon(dates[k] - dt.timedelta(days=1))
        for _ in range(24):
            u = t + dt.timedelta(days=1)
            if valid(hours.get(t)) and valid(hours.get(u)):
                pairs += 1
                same += state(t, k) == state(u, k + 1)
            t += HOUR
    return 200 * same / pairs - 100 if pairs >= 72 else None


def social_jet_lag(hours, date):
    mids = {True: [], False: []}
    for k in range(7):
        d = date - dt.timedelta(days=6 - k)
        r = rest_window(hours, d)
        if r is None:
            continue
        mid = ((r[0] - noon(d - dt.timedelta(days=1))) + (r[1] - r[0]) / 2).total_seconds() / 60
        mids[d.weekday() >= 5].append(mid)
    if not mids[True] or not mids[False]:
        return None
    return (sum(mids[True]) / len(mids[True]) - sum(mids[False]) / len(mids[False])) / 60


class TestRegularity(k.KizukiTestCase):
    def check_person(self, seed):
        env = self.env
        hours = synthetic_person(seed)
        path = os.path.join(env.dir, f"person-{seed}.csv")
        write_csv(hours, path)
        env.cli("consent", "grant", "--yes")
        env.cli("import", path)
        last = FIRST + dt.timedelta(days=DAYS - 1)
        days = env.cli_json("days", "--from", FIRST.isoformat(), "--to", last.isoformat(), "--json")["days"]
        self.assertEqual(len(days), DAYS)
        last_hour_end = max(hours) + HOUR
        checked = {"up": 0, "down": 0, "sri": 0, "social_jet_lag_h": 0}
        for day in days:
            date = dt.date.fromisoformat(day["date"])
            up, down = waking(hours, date, last_hour_end)
            want = {"up": up, "down": down, "sri": sri(hours, date),
                    "social_jet_lag_h": social_jet_lag(hours, date)}
            for key, w in want.items():
                got = day[key]
                if w is None:
                    self.assertIsNone(got, f"{date} {key}")
                else:
                    self.assertIsNotNone(got, f"{date} {key}: want {w}")
                    self.assertAlmostEqual(got, w, delta=1e-6, msg=f"{date} {key}")
                    checked[key] += 1
        k.log(f"seed {seed}: compared {checked}")
        # The person is varied enough that every figure was compared on most days.
        for key, n in checked.items():
            self.assertGreaterEqual(n, DAYS - 10, f"{key} compared on only {n} days")
        # Weekends later: social jet lag positive on the days that have it.
        self.assertGreater(days[-1]["social_jet_lag_h"], 0.5)

    def test_reference_seeds(self):
        self.env.start_daemon("--no-logind")
        self.check_person(11)

    def test_reference_other_seed(self):
        self.env.start_daemon("--no-logind")
        self.check_person(29)


if __name__ == "__main__":
    k.main()
