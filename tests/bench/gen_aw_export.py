#!/usr/bin/python3
"""Write a synthetic ActivityWatch export for the import benchmark.

The shape is aw-server's export of one aw-watcher-afk bucket:
{"buckets": {"aw-watcher-afk_HOST": {"id": ..., "type": "afkstatus", ...,
"events": [...]}}}, events newest first as aw-server exports them, timestamps
in UTC with microseconds.

The person is made up: someone in Central European time (CET/CEST) who works at
the computer on weekdays from about 08:30 with a lunch break, some evenings, and
a little at weekends. While the computer is on, the watcher reports back-to-back
stretches of "not-afk" (a few minutes each) and "afk" (at least its 3-minute
timeout, now and then a long break). About 100 events a day, so the default
500000 events cover some fourteen years, from June 2011 to late 2025.

Deterministic: the same options write the same bytes (fixed seed, no clock, no
time zone database). Standard library only.

    /usr/bin/python3 tests/bench/gen_aw_export.py -o /tmp/aw-500k.json
    /usr/bin/python3 tests/bench/gen_aw_export.py -n 1000 | head
"""

import argparse
import datetime
import json
import random
import sys

UTC = datetime.timezone.utc


def last_sunday(year, month):
    """The date of the last Sunday of a month (for the EU summer time rule)."""
    nxt = datetime.date(year + (month == 12), month % 12 + 1, 1)
    d = nxt - datetime.timedelta(days=1)
    return d - datetime.timedelta(days=(d.weekday() + 1) % 7)


def cet_offset(utc):
    """Europe's rule: +02:00 from the last Sunday of March 01:00 UTC to the last
    Sunday of October 01:00 UTC, +01:00 otherwise."""
    y = utc.year
    start = datetime.datetime.combine(last_sunday(y, 3), datetime.time(1), UTC)
    end = datetime.datetime.combine(last_sunday(y, 10), datetime.time(1), UTC)
    return datetime.timedelta(hours=2 if start <= utc < end else 1)


def local_to_utc(day, minutes):
    """A local wall time on `day`, `minutes` after midnight, as UTC."""
    naive = datetime.datetime.combine(day, datetime.time()) + datetime.timedelta(minutes=minutes)
    guess = naive.replace(tzinfo=UTC) - datetime.timedelta(hours=1)
    return naive.replace(tzinfo=UTC) - cet_offset(guess)


def sessions(rng, day):
    """The stretches (local minutes after midnight) the computer is on that day."""
    out = []
    if day.weekday() < 5:
        if rng.random() < 0.04:  # a day off
            return out
        start = rng.gauss(8 * 60 + 30, 25)
        lunch = rng.gauss(12 * 60 + 20, 15)
        back = lunch + rng.uniform(35, 70)
        stop = rng.gauss(17 * 60 + 40, 40)
        out += [(start, lunch), (back, stop)]
        if rng.random() < 0.5:
            e = rng.gauss(20 * 60 + 45, 30)
            out.append((e, e + rng.uniform(40, 150)))
    else:
        if rng.random() < 0.6:
            s = rng.gauss(10 * 60 + 30, 45)
            out.append((s, s + rng.uniform(30, 150)))
        if rng.random() < 0.4:
            e = rng.gauss(21 * 60, 40)
            out.append((e, e + rng.uniform(30, 120)))
    return [(max(0.0, s), min(24 * 60 - 1.0, e)) for s, e in out if e - s > 5]


def events(rng, first_day, n):
    """Up to n events (timestamp, duration s, status), oldest first."""
    out = []
    day = first_day
    while len(out) < n:
        for s, e in sessions(rng, day):
            t = local_to_utc(day, s) + datetime.timedelta(microseconds=rng.randrange(1000000))
            end = local_to_utc(day, e)
            active = True
            while t < end and len(out) < n:
                if active:
                    d = max(5.0, rng.expovariate(1 / 190.0))
                elif rng.random() < 0.03:
                    d = rng.uniform(900, 2700)  # a long break: coffee, a call
                else:
                    d = 180.0 + rng.expovariate(1 / 100.0)
                d = min(d, (end - t).total_seconds())
                if d > 0:
                    out.append((t, round(d, 6), "not-afk" if active else "afk"))
                t += datetime.timedelta(seconds=round(d, 6))
                active = not active
        day += datetime.timedelta(days=1)
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("-n", "--events", type=int, default=500000, help="number of events (default 500000)")
    ap.add_argument("-o", "--output", default="-", help="file to write (default: stdout)")
    ap.add_argument("--seed", type=int, default=20260105, help="random seed (default 20260105)")
    ap.add_argument("--host", default="synthetic-host", help="hostname in the bucket id")
    ap.add_argument("--first-day", default="2011-06-06", help="first day, YYYY-MM-DD (default 2011-06-06)")
    args = ap.parse_args()
    if args.events < 0:
        ap.error("--events must be >= 0")

    rng = random.Random(args.seed)
    first = datetime.date.fromisoformat(args.first_day)
    evs = events(rng, first, args.events)
    bucket = "aw-watcher-afk_" + args.host
    created = datetime.datetime.combine(first, datetime.time(8), UTC).isoformat(timespec="microseconds")

    out = sys.stdout if args.output == "-" else open(args.output, "w", encoding="utf-8")
    try:
        head = {
            "id": bucket,
            "created": created,
            "name": None,
            "type": "afkstatus",
            "client": "aw-watcher-afk",
            "hostname": args.host,
            "data": {},
        }
        out.write('{"buckets": {' + json.dumps(bucket) + ": ")
        out.write(json.dumps(head)[:-1] + ', "events": [')
        # aw-server exports newest first; ids grow with time.
        for i in range(len(evs) - 1, -1, -1):
            t, d, status = evs[i]
            ev = {
                "id": i + 1,
                "timestamp": t.isoformat(timespec="microseconds"),
                "duration": d,
                "data": {"status": status},
            }
            out.write(("\n" if i == len(evs) - 1 else ",\n") + json.dumps(ev))
        out.write("\n]}}}\n")
    finally:
        if out is not sys.stdout:
            out.close()


if __name__ == "__main__":
    main()
