#!/usr/bin/python3
"""Write the canned kizukid replies the CLI golden tests use (run once; the
output is checked in, so the tests never depend on this script's randomness).

A made-up person in UTC (no DST): six weeks from 2026-01-19 to 2026-03-01.
Three steady weeks (up around 07:30, in bed around 23:30, at the computer in
the morning, the afternoon and a little in the evening), then the last week
(2026-W09) drifts: later mornings, long evenings and nights at the screen. On
2026-02-25 the laptop was off from 12:00 to 20:00 (unobserved: a low-coverage
day). Check-ins on some days of the last two weeks.

Daily signals follow DESIGN.md "Signals" (this person set the day start to
04:00; night 00:00-06:00, minimum coverage 18 h) closely enough to be
plausible; the daemon's own signals.c is the reference, this is only a fixture.

    getweek.json      GetWeek("2026-W09")
    getdays.json      GetDays("2026-02-16", "2026-03-01")
    getrange.json     GetRange("2026-02-02", "2026-03-01")
    getrange-dst-spring.json  GetRange("2026-03-23", "2026-03-29"), Europe/Berlin, a 23-hour day
    getrange-dst-fall.json    GetRange("2026-10-19", "2026-10-25"), Europe/Berlin, a 25-hour day
"""

import datetime as dt
import json
import math
import os
import random
import statistics

HERE = os.path.dirname(os.path.abspath(__file__))
DAY = 86400
FIRST = dt.date(2026, 1, 19)
LAST = dt.date(2026, 3, 1)
DAY_START = 4 * 3600
DRIFT = dt.date(2026, 2, 23)


def epoch(d):
    return int(dt.datetime(d.year, d.month, d.day, tzinfo=dt.timezone.utc).timestamp())


def make_hours():
    rnd = random.Random(20260301)
    hours = {}
    d = FIRST
    while d <= LAST + dt.timedelta(days=1):  # the last day runs until 04:00 the day after
        drift = d >= DRIFT
        wake = (10 if drift else 7) + rnd.choice([0, 0, 1])
        bed = (26 if drift else 23) + rnd.choice([0, 0, 1])  # hours after this day's 00:00
        for h in range(24):
            # Which of the person's own hours this is: before wake, it belongs to last night.
            if not drift and h < 1:
                state = "sleep" if rnd.random() < 0.7 else "late"
            elif h < wake:
                state = "sleep" if not (drift and h < bed - 24) else "night"
            elif h >= bed:
                state = "sleep"
            elif h in (12,) or (h == 19 and not drift):
                state = "away"
            elif h >= 20 or (drift and h >= 18):
                state = "evening"
            else:
                state = "work"
            if state == "sleep":
                active = 0
            elif state == "late":
                active = rnd.randint(60, 290)
            elif state == "night":
                active = rnd.randint(1800, 3500)
            elif state == "away":
                active = rnd.randint(0, 400)
            elif state == "evening":
                active = rnd.randint(900, 3000) if not drift else rnd.randint(2400, 3600)
            else:
                active = rnd.randint(1500, 3600) if rnd.random() < 0.85 else rnd.randint(0, 600)
            start = epoch(d) + h * 3600
            observed = 3600
            if d == dt.date(2026, 2, 25) and 12 <= h < 20:
                continue  # laptop off: nothing recorded
            hours[start] = {"start": start, "utc_offset": 0, "active_s": active, "observed_s": observed}
        d += dt.timedelta(days=1)
    return hours


def hhmm(minutes):
    minutes = int(round(minutes)) % 1440
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def rhythm(hours, d):
    """IS, IV, RA, L5, L5 onset, M10, M10 onset over the 7 days ending on d."""
    xs = []  # (time, value) of valid hours
    for k in range(7 * 24):
        t = epoch(d) - 6 * DAY + k * 3600
        h = hours.get(t)
        if h and h["observed_s"] >= 1800:
            xs.append((t, 60 * h["active_s"] / h["observed_s"]))
    days_with = {(t - epoch(d)) // DAY for t, _ in xs}
    none = dict(is_=None, iv=None, ra=None, l5=None, l5_onset=None, m10=None, m10_onset=None)
    if len(days_with) < 3:
        return none
    vals = [v for _, v in xs]
    n, mean = len(vals), statistics.fmean(vals)
    ss = sum((v - mean) ** 2 for v in vals)
    by_hod = {}
    for t, v in xs:
        by_hod.setdefault((t % DAY) // 3600, []).append(v)
    hod_mean = {h: statistics.fmean(v) for h, v in by_hod.items()}
    p = len(hod_mean)
    out = dict(none)
    if ss > 0:
        out["is_"] = n * sum((m - mean) ** 2 for m in hod_mean.values()) / (p * ss)
        valid = dict(xs)
        diffs = [(v - valid[t - 3600]) ** 2 for t, v in xs if t - 3600 in valid]
        if diffs:
            out["iv"] = n * sum(diffs) / (len(diffs) * ss)

    def window(length, pick):
        best = None
        for onset in range(24):
            hs = [(onset + i) % 24 for i in range(length)]
            if any(h not in hod_mean for h in hs):
                continue
            m = statistics.fmean(hod_mean[h] for h in hs)
            if best is None or pick(m, best[0]):
                best = (m, onset)
        return best

    l5 = window(5, lambda m, b: m < b)
    m10 = window(10, lambda m, b: m > b)
    if l5:
        out["l5"], out["l5_onset"] = l5[0], hhmm(l5[1] * 60)
    if m10:
        out["m10"], out["m10_onset"] = m10[0], hhmm(m10[1] * 60)
    if l5 and m10 and l5[0] + m10[0] > 0:
        out["ra"] = (m10[0] - l5[0]) / (m10[0] + l5[0])
    return out


CHECKINS = {
    dt.date(2026, 2, 16): (True, True, 4),
    dt.date(2026, 2, 17): (True, None, 4),
    dt.date(2026, 2, 19): (True, True, 3),
    dt.date(2026, 2, 21): (False, True, 4),
    dt.date(2026, 2, 23): (False, False, 3),
    dt.date(2026, 2, 24): (True, False, None),
    dt.date(2026, 2, 26): (False, False, 2),
    dt.date(2026, 2, 28): (False, True, 2),
}


def rest_run(hours, d):
    """The longest run of valid hours with <= 5 active minutes, noon to noon."""
    run, best = [], []
    for k in range(24):
        t = epoch(d) - 12 * 3600 + k * 3600
        h = hours.get(t)
        if h and h["observed_s"] >= 1800 and h["active_s"] <= 300:
            run.append(t)
            if len(run) > len(best):
                best = list(run)
        else:
            run = []
    return best


def waking(hours, d):
    """up, down: minutes after d's 00:00 of the first and (end of the) last busy
    hour between d's rest run and the next date's."""
    best, nxt = rest_run(hours, d), rest_run(hours, d + dt.timedelta(days=1))
    if not best:
        return None, None
    end = nxt[0] if nxt else epoch(d) + DAY + 12 * 3600
    busy = [t for t in sorted(hours) if best[-1] < t < end and hours[t]["active_s"] >= 300]
    if not busy:
        return None, None
    return (busy[0] - epoch(d)) / 60, (busy[-1] + 3600 - epoch(d)) / 60 if nxt else None


def regularity(hours, d):
    """SRI and social jet lag over the 7 noon-to-noon windows ending on d."""
    dates7 = [d - dt.timedelta(days=6 - k) for k in range(7)]
    runs = [rest_run(hours, x) for x in dates7]
    same = pairs = 0
    for k in range(6):
        for j in range(24):
            t = epoch(dates7[k]) - 12 * 3600 + j * 3600
            a, b = hours.get(t), hours.get(t + DAY)
            if a and b and a["observed_s"] >= 1800 and b["observed_s"] >= 1800:
                pairs += 1
                same += (t in runs[k]) == (t + DAY in runs[k + 1])
    mids = {True: [], False: []}
    for x, run in zip(dates7, runs):
        if run:
            mids[x.weekday() >= 5].append((run[0] - (epoch(x) - 12 * 3600)) / 60 + len(run) * 30)
    sjl = (statistics.fmean(mids[True]) - statistics.fmean(mids[False])) / 60 if mids[True] and mids[False] else None
    return (200 * same / pairs - 100 if pairs >= 72 else None), sjl


def day_signals(hours, d):
    day = [hours.get(epoch(d) + DAY_START + h * 3600) for h in range(24)]
    day = [h for h in day if h]
    active = sum(h["active_s"] for h in day)
    observed = sum(h["observed_s"] for h in day)
    night = sum(h["active_s"] for h in day if (h["start"] % DAY) < 6 * 3600)
    busy = [h for h in day if h["active_s"] >= 300]

    best = rest_run(hours, d)
    up, down = waking(hours, d)
    sri, sjl = regularity(hours, d)
    r = rhythm(hours, d)
    ci = CHECKINS.get(d, (None, None, None))
    coverage = observed / 3600
    sig = {
        "date": d.isoformat(),
        "screen_h": active / 3600,
        "night_ratio": night / active if active >= 1800 else None,
        "first_active": hhmm((busy[0]["start"] % DAY) / 60) if busy else None,
        "last_active": hhmm((busy[-1]["start"] % DAY) / 60) if busy else None,
        "sleep_onset": hhmm((best[0] % DAY) / 60) if best else None,
        "sleep_offset": hhmm(((best[-1] + 3600) % DAY) / 60) if best else None,
        "sleep_mid": hhmm((best[0] % DAY) / 60 + len(best) * 30) if best else None,
        "sleep_h": float(len(best)) if best else None,
        "up": up,
        "down": down,
        "coverage_h": coverage,
        "low_coverage": coverage < 18,
        "is": r["is_"],
        "iv": r["iv"],
        "ra": r["ra"],
        "l5": r["l5"],
        "l5_onset": r["l5_onset"],
        "m10": r["m10"],
        "m10_onset": r["m10_onset"],
        "sri": sri,
        "social_jet_lag_h": sjl,
        "went_out": ci[0],
        "met_someone": ci[1],
        "mood": ci[2],
    }
    return sig


def figures(days, median=False):
    agg = statistics.median if median else statistics.fmean
    counted = [d for d in days if not d["low_coverage"]]
    f = {"days": len(counted)}

    def num(key):
        v = [d[key] for d in counted if d[key] is not None]
        return agg(v) if v else None

    def clock(key, origin):
        v = [(int(d[key][:2]) * 60 + int(d[key][3:]) - origin - 1) % 1440 + 1 for d in counted if d[key] is not None]
        return hhmm(agg(v) + origin) if v else None

    f["screen_h"] = num("screen_h")
    f["night_ratio"] = num("night_ratio")
    f["first_active"] = clock("first_active", DAY_START // 60)
    f["last_active"] = clock("last_active", DAY_START // 60)
    f["sleep_onset"] = clock("sleep_onset", 720)
    f["sleep_offset"] = clock("sleep_offset", 720)
    f["sleep_mid"] = clock("sleep_mid", 720)
    f["sleep_h"] = num("sleep_h")
    f["up"] = num("up")
    f["down"] = num("down")
    f["coverage_h"] = num("coverage_h")
    for k in ("is", "iv", "ra", "l5", "m10", "sri", "social_jet_lag_h"):
        f[k] = num(k)
    f["went_out_days"] = sum(1 for d in days if d["went_out"])
    f["went_out_answered"] = sum(1 for d in days if d["went_out"] is not None)
    f["met_someone_days"] = sum(1 for d in days if d["met_someone"])
    f["met_someone_answered"] = sum(1 for d in days if d["met_someone"] is not None)
    answered = [d for d in days if d["went_out"] is not None or d["met_someone"] is not None or d["mood"] is not None]
    f["checkin_days"] = len(answered)
    moods = [d["mood"] for d in answered if d["mood"] is not None]
    f["mood"] = float(agg(moods)) if moods else None
    return f


def dates(a, b):
    while a <= b:
        yield a
        a += dt.timedelta(days=1)


def hours_between(hours, a, b):
    return [hours[t] for t in sorted(hours) if epoch(a) <= t < epoch(b) + DAY]


def berlin_week(last, change_utc, before, after, tweak):
    """Hours of the 7 local days ending on `last` around one DST change at change_utc."""
    out = []
    first = last - dt.timedelta(days=6)
    t = epoch(first) - before  # local 00:00 of the first day
    end = epoch(last) + DAY - after
    while t < end:
        off = before if t < change_utc else after
        local_h = ((t + off) % DAY) // 3600
        active = 3000 if 9 <= local_h < 17 else (1200 if 19 <= local_h < 22 else 0)
        active = tweak.get(t, active)
        out.append({"start": t, "utc_offset": off, "active_s": active, "observed_s": 3600})
        t += 3600
    return out


def write(name, obj):
    with open(os.path.join(HERE, name), "w", encoding="utf-8") as f:
        json.dump(obj, f, indent=1)
        f.write("\n")


def main():
    hours = make_hours()
    sig = {d: day_signals(hours, d) for d in dates(FIRST, LAST)}

    week = [sig[d] for d in dates(dt.date(2026, 2, 23), dt.date(2026, 3, 1))]
    prev = [sig[d] for d in dates(dt.date(2026, 2, 16), dt.date(2026, 2, 22))]
    base = [sig[d] for d in dates(dt.date(2026, 1, 26), dt.date(2026, 2, 22))]
    write("getweek.json", {
        "week": "2026-W09",
        "from": "2026-02-23",
        "to": "2026-03-01",
        "days": week,
        "mean": figures(week),
        "previous": figures(prev),
        "baseline": figures(base, median=True),
        "hours": hours_between(hours, dt.date(2026, 2, 23), dt.date(2026, 3, 1)),
    })
    write("getdays.json", {"days": [sig[d] for d in dates(dt.date(2026, 2, 16), LAST)]})
    write("getrange.json", {"hours": hours_between(hours, dt.date(2026, 2, 2), LAST)})

    # Europe/Berlin: 2026-03-29 01:00 UTC clocks go 02:00 -> 03:00 (a 23-hour day);
    # 2026-10-25 01:00 UTC clocks go 03:00 -> 02:00 (a 25-hour day, 02:00 twice).
    spring = int(dt.datetime(2026, 3, 29, 1, tzinfo=dt.timezone.utc).timestamp())
    write("getrange-dst-spring.json", {"hours": berlin_week(
        dt.date(2026, 3, 29), spring, 3600, 7200,
        {spring - 3600: 600, spring: 1200})})  # 01:00 +01:00 and 03:00 +02:00
    fall = int(dt.datetime(2026, 10, 25, 1, tzinfo=dt.timezone.utc).timestamp())
    write("getrange-dst-fall.json", {"hours": berlin_week(
        dt.date(2026, 10, 25), fall, 7200, 3600,
        {fall - 3600: 300, fall: 2000})})  # 02:00 +02:00 (5 min) and 02:00 +01:00 (33 min)


if __name__ == "__main__":
    main()
