#!/usr/bin/python3
"""Sanity check of gen_people.py's output without kizuki's own code: per ISO
week (local time), the mean screen hours a day, the share of active time
between 00:00 and 06:00, the median first and last active minute of the
days, observed hours, and for people with check-ins the days they went out.
Also checks the file format: header, contiguous rows, same offset at start
and end, start < end.

    check_people.py DIR [NAME...]
"""
import csv
import datetime as dt
import json
import os
import statistics
import sys


def fmt_min(m):
    if m is None:
        return "  -  "
    m = int(round(m)) % 1440
    return f"{m // 60:02d}:{m % 60:02d}"


def check(path):
    """Rows of (start, end, active) as aware datetimes; raises on format errors."""
    rows = []
    with open(path, newline="", encoding="ascii") as f:
        r = csv.reader(f)
        if next(r) != ["start", "end", "state"]:
            raise ValueError(f"{path}: bad header")
        prev_end = None
        for n, (a, b, s) in enumerate(r, start=2):
            ta, tb = dt.datetime.fromisoformat(a), dt.datetime.fromisoformat(b)
            if ta.utcoffset() != tb.utcoffset() or not ta < tb or s not in ("active", "inactive"):
                raise ValueError(f"{path}:{n}: bad row")
            if prev_end is not None and ta < prev_end:
                raise ValueError(f"{path}:{n}: overlaps the row before")
            prev_end = tb
            rows.append((ta, tb, s == "active"))
    return rows


def per_day(rows):
    """local date -> [active minutes, night active minutes, first, last, observed minutes]"""
    days = {}
    for ta, tb, active in rows:
        t = ta
        while t < tb:
            nxt = min(tb, t + dt.timedelta(minutes=1))
            d = days.setdefault(t.date(), [0, 0, None, None, 0])
            d[4] += 1
            if active:
                m = t.hour * 60 + t.minute
                d[0] += 1
                if t.hour < 6:
                    d[1] += 1
                d[2] = m if d[2] is None else min(d[2], m)
                d[3] = m if d[3] is None else max(d[3], m)
            t = nxt
    return days


def main():
    if len(sys.argv) < 2:
        sys.stderr.write("usage: check_people.py DIR [NAME...]\n")
        return 2
    root = sys.argv[1]
    with open(os.path.join(root, "people.json"), encoding="ascii") as f:
        people = json.load(f)
    names = sys.argv[2:] or list(people)
    for name in names:
        meta = people[name]
        days = per_day(check(os.path.join(root, name + ".csv")))
        went = {}
        if meta["checkins"]:
            with open(os.path.join(root, name + ".checkins.csv"), encoding="ascii") as f:
                for row in csv.DictReader(f):
                    went[dt.date.fromisoformat(row["date"])] = row["went_out"] == "yes"
        drift = f"{meta['drift']} drift, " if meta.get("drift") else ""
        print(f"== {name} ({meta['kind']}, {drift}onset {meta['onset']}): {meta['description']}")
        print("week      screen_h night%  first  last   observed_h" + ("  out/answered" if went else ""))
        weeks = {}
        for d in sorted(days):
            weeks.setdefault(d.isocalendar()[:2], []).append(d)
        for (y, w), ds in sorted(weeks.items()):
            act = sum(days[d][0] for d in ds)
            night = sum(days[d][1] for d in ds)
            firsts = [days[d][2] for d in ds if days[d][2] is not None]
            lasts = [days[d][3] for d in ds if days[d][3] is not None]
            line = (f"{y}-W{w:02d}  {act / 60 / len(ds):6.1f}  {100 * night / max(1, act):5.0f}  "
                    f"{fmt_min(statistics.median(firsts) if firsts else None)}  "
                    f"{fmt_min(statistics.median(lasts) if lasts else None)}  "
                    f"{sum(days[d][4] for d in ds) / 60 / len(ds):6.1f}")
            if went:
                answered = [went[d] for d in ds if d in went]
                line += f"  {sum(answered)}/{len(answered)}"
            print(line)
    return 0


if __name__ == "__main__":
    sys.exit(main())
