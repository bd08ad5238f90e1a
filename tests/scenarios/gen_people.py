#!/usr/bin/python3
"""Generate the synthetic people that tune and check the default policies.

Each person is a year (2025-01-06 .. 2026-01-04) of activity in kizuki's CSV
import format (start,end,state; ISO 8601 with the UTC offset of the moment;
contiguous active/inactive intervals, no rows where nothing was observed), in
Europe/Berlin across both daylight-saving changes (2025-03-30, 2025-10-26)
unless travelling; some have check-ins (date,went_out,met_someone,mood).
Stable people must stay (nearly) quiet; drifting people must be noticed soon
after their onset date. The plans (a day's sessions) are in lives.py.

    gen_people.py [--variant N] [--set core|wide|all] OUTDIR

writes OUTDIR/NAME.csv, OUTDIR/NAME.checkins.csv for people who answer
check-ins, and OUTDIR/people.json:

    {"NAME": {"kind": "stable" | "drift",
              "drift": null | "abrupt" | "gradual" | "rhythm" | "withdrawal" | "checkins",
              "shape": "step" | "linear" | "accelerating" | "oscillating" | "dissolving" | null,
              "onset": "YYYY-MM-DD" | null, "first": "YYYY-MM-DD", "last": "YYYY-MM-DD",
              "unobserved": [["YYYY-MM-DD", "YYYY-MM-DD"], ...],   (first, last day, inclusive)
              "checkins": bool, "set": "core" | "wide", "description": "..."}, ...}

Fixed seeds: the output never changes unless this script or lives.py does.
--variant N (default 0) draws the same people with other seeds (and, for the
wide set, onsets, holidays, trips dates and gaps moved by up to two weeks).
Variants 0-5 are for tuning; 100-105 are held out: do not look at them while
tuning, only to confirm (tests/bench/README.md). --set: "core" is the people
the ctest `scenarios` and test_scenarios.py check against their limits (the
first eleven below); "wide" the others; "all" (default) both.

The core people (times are local):
  day-worker          up ~07:00, at work 08:30-18:00, evenings at the computer,
                      in bed ~23:15, later at weekends.
  night-shift         at the computer on night shifts 22:00-06:00 five nights a
                      week, sleeps by day; stays up to ~03:00 on nights off.
  student-weekends    lectures by day, bed ~00:30; Friday and Saturday nights
                      at the computer until ~03:00, then sleeps late.
  vacation-gap        the day worker with two weeks unobserved in the middle.
  dst-travel          the day worker with a week in Tokyo (+09:00, 2025-08-10)
                      and jet lag.
  one-off-late        the day worker with six isolated nights up to ~04:00.
  gradual-drift       from 2025-06-03 sleep ~10 min later every day (up to
                      +6 h) and screen time +5 min a day (up to +4 h), going out
                      less as the days move.
  abrupt-inversion    from 2025-07-14 nights become days: at the computer
                      ~22:00-06:00, asleep ~08:00-15:00, hardly out.
  rhythm-dissolves    from 2025-06-23 the days lose their shape: bed between
                      ~22:00 and ~05:00, up 5-10 hours later, computer time in
                      short bits all over the waking hours, naps.
  checkins-stops      a remote worker with check-ins who stops going out on
                      2025-07-07 (went_out no for four weeks, then seldom);
                      the activity barely changes.
  checkins-keeps      the same kind of person who keeps going out (two short
                      colds at home, two weeks without answering check-ins).

The wide set, stable:
  weekend-mild        an office worker whose rest window is 0.5 h later at
                      weekends, with 2 h more at the computer then.
  weekend-homeoffice  works at the computer from home (~7.5 h), 1.5 h later at
                      weekends and 4 h less at the computer then.
  weekend-strong      2.5 h later at weekends, 5 h more at the computer then.
  shift-rotation      a week of night shifts (away 21:30-06:30), a week of early
                      shifts (away 06:00-14:45), turn about.
  student-exams       the student with two 3-week exam periods (February, July)
                      of ~10 h a day at the computer until ~02:30.
  holiday-laptop      an office worker with two weeks of holiday in August
                      with the laptop: up late, out all day, a little at night.
  holidays-away       an office worker unobserved for two weeks in summer and
                      one at Christmas.
  globetrotter        the day worker with a week in New York (-6 h, May) and a
                      week in Tokyo (+8 h, November), jet lag both ways.
  illness-weeks       an office worker with two weeks of odd hours in bed with
                      a laptop (February, October).
  low-use             at the computer ~2 h a day, in the morning and evening.
  gappy               the day worker with ~10 gaps of 1-5 days without data.
  all-nighter         an office worker with one night at the computer until
                      ~07:15 (May).
  night-owl           a stable night owl: up ~11:30, in bed ~03:15, 6 h at the
                      computer, out in the late afternoon most days.
The wide set, drifting (onset: the base date, moved by the variant):
  sleep-later-5       from ~04-07 nights later by 5 min a day (to +5 h).
  sleep-later-10      the weekend-strong person, from ~05-12 nights later by
                      10 min a day (to +5 h).
  sleep-later-20      from ~09-08 nights later by 20 min a day (to +5 h).
  screen-creep-3      works from home; from ~03-17 3 more minutes a day at the
                      computer (to +4 h).
  screen-creep-6      the same, from ~06-16 6 more minutes a day.
  screen-jumps        works from home; from ~10-06 4 h more a day, at once.
  later-accelerating  from ~08-04 nights later, slowly then faster (k^2/4
                      minutes on day k, to +5 h), screen likewise (to +3 h).
  bad-weeks-settle    from ~04-28 bad weeks (2.5 h later, 2 h more screen)
                      and good weeks turn about for six weeks, then it settles
                      bad.
  rhythm-dissolves-slowly  the days lose their shape over six weeks from ~09-22,
                      with hardly more time at the computer than before.
  night-owl-withdraws the night owl from ~06-02: later by 8 min a day (to +4 h),
                      5 more minutes a day at the computer (to +3 h), going out
                      less and less.
  low-use-withdraws   the low-use person from ~10-13: 6 more minutes a day at the
                      computer (to +4 h), later by 5 min a day (to +2.5 h),
                      going out less and less.
"""
import datetime as dt
import json
import os
import random
import re
import sys

from lives import (DAYS, START, H, Dissolving, DayWorker, Drifting, GradualDrift, Inversion, Life,
                   NightShift, OneOffLate, RemoteWorker, ShiftRotation, Student, Travel, Trip, accelerating,
                   bad_weeks, date_of, day_index, linear, step, utc, zone)

EPOCH = dt.date(1970, 1, 1)
START_LOCAL_S = (START - EPOCH).days * 86400  # local seconds of START 00:00
SETS = ("core", "wide", "all")

# The Tokyo week: the clock switches to +09:00 on landing (2025-08-10 07:00
# +09:00) and back on landing in Berlin (2025-08-17 16:00 +02:00).
TOKYO_ARRIVE = utc(2025, 8, 9, 22)
BERLIN_ARRIVE = utc(2025, 8, 17, 14)


def d(y, m, dd):
    return day_index(dt.date(y, m, dd))


class Person:
    """One person: name, seed, plan class and its keyword arguments, the time
    zone, unobserved periods [(first day, end day)], kind and onset (day
    index), drift kind and shape, description, set."""

    def __init__(self, name, seed, cls, desc, kw=None, tz=None, gaps=(), onset=None, drift=None, shape=None,
                 people_set="wide"):
        self.name, self.seed, self.cls, self.desc, self.kw = name, seed, cls, desc, kw or {}
        self.tz = tz or zone()
        self.gaps, self.onset, self.drift, self.shape, self.set = list(gaps), onset, drift, shape, people_set
        if onset is not None:
            self.kw.setdefault("onset", onset)


def core_people():
    stop_first = d(2025, 7, 7)
    late = {d(2025, 3, 21), d(2025, 4, 26), d(2025, 6, 6), d(2025, 7, 19), d(2025, 8, 29), d(2025, 10, 4)}
    tokyo = Trip(d(2025, 8, 9), d(2025, 8, 10), d(2025, 8, 17), (150, 110, 70, 30), (-120, -80, -40),
                 home_look=2 * H + 30)
    colds = set(range(d(2025, 4, 8), d(2025, 4, 12))) | set(range(d(2025, 9, 22), d(2025, 9, 27)))
    people = [
        Person("day-worker", 101, DayWorker, "up ~07:00, at work 08:30-18:00, evenings at the computer, bed ~23:15"),
        Person("night-shift", 102, NightShift,
               "night shifts at the computer 22:00-06:00, sleeps by day; up to ~03:00 on nights off"),
        Person("student-weekends", 103, Student,
               "lectures by day, bed ~00:30; Friday and Saturday nights until ~03:00"),
        Person("vacation-gap", 104, DayWorker, "the day worker, unobserved 2025-06-16 .. 2025-06-29 (no rows)",
               gaps=[(d(2025, 6, 16), d(2025, 6, 30))]),
        Person("dst-travel", 105, Travel, "the day worker with a week in +09:00 and jet lag", {"trips": [tokyo]},
               zone([(TOKYO_ARRIVE, BERLIN_ARRIVE, 9)])),
        Person("one-off-late", 106, OneOffLate, "the day worker with six isolated nights up to ~04:00",
               {"late": late}),
        Person("gradual-drift", 107, GradualDrift,
               "from the onset sleep ~10 min later a day (to +6 h), screen +5 min a day (to +4 h)",
               onset=d(2025, 6, 3), drift="gradual", shape="linear"),
        Person("abrupt-inversion", 108, Inversion, "from the onset nights become days", onset=d(2025, 7, 14),
               drift="abrupt", shape="step"),
        Person("rhythm-dissolves", 111, Dissolving,
               "from the onset bed and rising times scatter and computer time comes in bits", onset=d(2025, 6, 23),
               drift="rhythm", shape="dissolving"),
        Person("checkins-stops", 109, RemoteWorker,
               "remote worker with check-ins; stops going out at the onset (four weeks), then seldom",
               {"stop": (stop_first, 28)}, drift="checkins", shape="step"),  # onset below
        Person("checkins-keeps", 110, RemoteWorker,
               "remote worker with check-ins who keeps going out (two colds at home, two weeks unanswered)",
               {"colds": colds, "silent": set(range(d(2025, 8, 4), d(2025, 8, 18)))}),
    ]
    for p in people:
        p.set = "core"
        if p.name == "checkins-stops":
            p.onset = stop_first  # RemoteWorker takes it as `stop`
    return people


def wide_people(variant):
    def moved(name, day, days=14):
        """day moved by up to `days` either way, fixed for (name, variant)."""
        return day + random.Random(f"{name}/{variant}").randint(-days, days)

    home_office = {"work": None, "screen": (300, 280), "outing": (0.6, 13 * H)}
    owl = {"wake": 11 * H + 30, "bed": 27 * H + 15, "weekend_late": 20, "screen": (360, 330), "work": None,
           "outing": (0.7, 17 * H)}
    low = {"screen": (120, 130), "work": (8 * H + 30, 17 * H + 30)}
    summer = moved("holiday-laptop", d(2025, 8, 4))
    ill = [moved("illness-weeks", d(2025, 2, 10)), moved("illness-weeks/2", d(2025, 10, 13))]
    exams = [moved("student-exams", d(2025, 2, 3), 7), moved("student-exams/2", d(2025, 7, 7), 7)]
    away = [moved("holidays-away", d(2025, 7, 21))]
    nights = moved("all-nighter", d(2025, 5, 15), 30)
    gr = random.Random(f"gappy/{variant}")
    gaps = []
    for _ in range(10):
        a = gr.randrange(40, DAYS - 10)
        if all(a + 6 < g0 or a > g1 + 1 for g0, g1 in gaps):
            gaps.append((a, a + gr.randint(1, 5)))
    ny_leave, ny_back = d(2025, 5, 12), d(2025, 5, 18)
    new_york = Trip(ny_leave, ny_leave, ny_back, (-150, -100, -50), (90, 60, 30), home_look=12 * H + 30,
                    landed=14 * H, evening=(22 * H + 40, 24 * H + 30, 40))
    tokyo = Trip(d(2025, 11, 9), d(2025, 11, 10), d(2025, 11, 16), (150, 110, 70, 30), (-120, -80, -40),
                 home_look=2 * H + 30)
    trips_tz = zone([(utc(2025, 5, 12, 16, 30), utc(2025, 5, 18, 20), -4),
                     (utc(2025, 11, 10, 0), utc(2025, 11, 16, 14), 9)])

    def drifter(name, seed, base, onset, drift, shape, desc, **changes):
        return Person(name, seed, Drifting, desc, {**base, **changes}, onset=moved(name, onset), drift=drift,
                      shape=shape)

    return [
        Person("weekend-mild", 201, Life, "office worker, weekends 0.5 h later and +2 h at the computer",
               {"weekend_late": 30, "screen": (190, 310)}),
        Person("weekend-homeoffice", 202, Life, "works from home, weekends 1.5 h later and -4 h at the computer",
               {"weekend_late": 90, "screen": (450, 210), "work": None, "outing": (0.5, 13 * H)}),
        Person("weekend-strong", 203, Life, "office worker, weekends 2.5 h later and +5 h at the computer",
               {"weekend_late": 150, "screen": (170, 470)}),
        Person("shift-rotation", 204, ShiftRotation, "a week of night shifts, a week of early shifts, turn about"),
        Person("student-exams", 205, Student, "the student with two 3-week exam periods of long late days",
               {"exams": [(a, a + 21) for a in exams]}),
        Person("holiday-laptop", 206, Life, "office worker, two weeks of holiday with the laptop in August",
               {"special": [(summer, summer + 14, "holiday")]}),
        Person("holidays-away", 207, Life, "office worker, unobserved two weeks in summer and one at Christmas",
               gaps=[(away[0], away[0] + 14), (d(2025, 12, 22), d(2025, 12, 29))]),
        Person("globetrotter", 208, Travel, "the day worker with a week in New York (-6 h) and in Tokyo (+8 h)",
               {"trips": [new_york, tokyo]}, trips_tz),
        Person("illness-weeks", 209, Life, "office worker with two weeks of odd hours in bed with a laptop",
               {"special": [(a, a + 7, "ill") for a in ill]}),
        Person("low-use", 210, Life, "at the computer ~2 h a day, in the morning and evening", low),
        Person("gappy", 211, DayWorker, "the day worker with ~10 gaps of 1-5 days without data", gaps=gaps),
        Person("all-nighter", 212, Life, "office worker with one night at the computer until ~07:15",
               {"special": [(nights, nights + 1, "all_night"), (nights + 1, nights + 2, "after_all_night")]}),
        Person("night-owl", 213, Life, "a stable night owl, up ~11:30, bed ~03:15", owl),
        drifter("sleep-later-5", 301, {}, d(2025, 4, 7), "gradual", "linear",
                "nights later by 5 min a day (to +5 h)", late=linear(5, 300)),
        drifter("sleep-later-10", 302, {"weekend_late": 150, "screen": (170, 470)}, d(2025, 5, 12), "gradual",
                "linear", "weekend-strong person, nights later by 10 min a day (to +5 h)", late=linear(10, 300)),
        drifter("sleep-later-20", 303, {}, d(2025, 9, 8), "gradual", "linear",
                "nights later by 20 min a day (to +5 h)", late=linear(20, 300)),
        drifter("screen-creep-3", 304, home_office, d(2025, 3, 17), "gradual", "linear",
                "works from home, +3 min a day at the computer (to +4 h)", more=linear(3, 240)),
        drifter("screen-creep-6", 305, home_office, d(2025, 6, 16), "gradual", "linear",
                "works from home, +6 min a day at the computer (to +4 h)", more=linear(6, 240)),
        drifter("screen-jumps", 306, home_office, d(2025, 10, 6), "abrupt", "step",
                "works from home, 4 h more at the computer a day from one day to the next", more=step(240)),
        drifter("later-accelerating", 307, {}, d(2025, 8, 4), "gradual", "accelerating",
                "nights later slowly then faster (to +5 h), screen likewise (to +3 h)",
                late=accelerating(0.25, 300), more=accelerating(0.15, 180)),
        drifter("bad-weeks-settle", 308, {}, d(2025, 4, 28), "gradual", "oscillating",
                "bad weeks (2.5 h later, +2 h screen) and good weeks for six weeks, then bad",
                late=bad_weeks(150), more=bad_weeks(120)),
        Person("rhythm-dissolves-slowly", 309, Dissolving,
               "the days lose their shape over six weeks, hardly more time at the computer",
               {"ramp": 42, "share": (0.2, 0.4)}, onset=moved("rhythm-dissolves-slowly", d(2025, 9, 22)),
               drift="rhythm", shape="dissolving"),
        drifter("night-owl-withdraws", 310, owl, d(2025, 6, 2), "withdrawal", "linear",
                "the night owl: later by 8 min a day (to +4 h), +5 min screen a day (to +3 h), out less",
                late=linear(8, 240), more=linear(5, 180), stay_in=lambda k: min(0.9, k / 30)),
        drifter("low-use-withdraws", 311, low, d(2025, 10, 13), "withdrawal", "linear",
                "the low-use person: +6 min screen a day (to +4 h), later by 5 min a day (to +2.5 h), out less",
                late=linear(5, 150), more=linear(6, 240), stay_in=lambda k: min(0.9, k / 30)),
    ]


def people(variant=0, which="all"):
    out = []
    if which in ("core", "all"):
        out += core_people()
    if which in ("wide", "all"):
        out += wide_people(variant)
    return out


# ---- output ----

def local_day_utc_min(i, offset_fn):
    """UTC minute of day i's local midnight, with the offset in force at the
    end of that day (so a day of travel is planned in the zone arrived in)."""
    end = START_LOCAL_S + (i + 1) * 86400 - 60
    off = offset_fn(end - 3600)
    off = offset_fn(end - off)
    return (START_LOCAL_S + i * 86400 - off) // 60


def iso(t, off):
    tz = dt.timezone(dt.timedelta(seconds=off))
    return dt.datetime.fromtimestamp(t, tz).isoformat()


RUNS = re.compile(rb"\x00+|\x01+|\x02+")


def write_person(outdir, p, variant):
    rng = random.Random(p.seed + 1000 * variant)
    plan = p.cls(rng, **p.kw)
    offset_fn = p.tz
    t0 = local_day_utc_min(0, offset_fn)
    t1 = local_day_utc_min(DAYS, offset_fn)
    state = bytearray([1]) * (t1 - t0)  # 0 unobserved, 1 inactive, 2 active
    for i in range(DAYS):
        base = local_day_utc_min(i, offset_fn) - t0
        sessions = plan.day(i)
        if any(a <= i < b for a, b in p.gaps):
            continue
        for a, b in sessions:
            a = max(0, base + int(a))
            b = min(len(state), base + int(b))
            if b > a:
                state[a:b] = b"\x02" * (b - a)
    for g0, g1 in p.gaps:
        a = local_day_utc_min(g0, offset_fn) - t0
        b = local_day_utc_min(g1, offset_fn) - t0
        state[a:b] = bytes(b - a)
    changes = [c // 60 - t0 for c in getattr(offset_fn, "changes", []) if t0 * 60 < c < t1 * 60]
    with open(os.path.join(outdir, p.name + ".csv"), "w", encoding="ascii", newline="\n") as f:
        f.write("start,end,state\n")
        for m in RUNS.finditer(state):
            i, j = m.span()
            s = state[i]
            if not s:
                continue
            cuts = [i] + [c for c in changes if i < c < j] + [j]
            for x, y in zip(cuts, cuts[1:]):
                a, b = (t0 + x) * 60, (t0 + y) * 60
                off = offset_fn(a)
                f.write(f"{iso(a, off)},{iso(b, off)},{'active' if s == 2 else 'inactive'}\n")
    checkins = getattr(plan, "checkins", None)
    if checkins is not None:
        yn = {True: "yes", False: "no"}
        with open(os.path.join(outdir, p.name + ".checkins.csv"), "w", encoding="ascii", newline="\n") as f:
            f.write("date,went_out,met_someone,mood\n")
            for i in sorted(checkins):
                out, met, mood = checkins[i]
                f.write(f"{date_of(i).isoformat()},{yn[out]},{yn[met]},{mood}\n")
    return checkins is not None


def main():
    args = sys.argv[1:]
    variant, which = 0, "all"
    while len(args) > 2 and args[0] in ("--variant", "--set"):
        if args[0] == "--variant" and args[1].isdigit():
            variant = int(args[1])
        elif args[0] == "--set" and args[1] in SETS:
            which = args[1]
        else:
            break
        args = args[2:]
    if len(args) != 1 or args[0].startswith("-"):
        sys.stderr.write("usage: gen_people.py [--variant N] [--set core|wide|all] OUTDIR\n")
        return 2
    outdir = args[0]
    os.makedirs(outdir, exist_ok=True)
    index = {}
    def iso_day(i):
        return date_of(i).isoformat()

    for p in people(variant, which):
        has_checkins = write_person(outdir, p, variant)
        index[p.name] = {
            "kind": "drift" if p.onset is not None else "stable",
            "drift": p.drift,
            "shape": p.shape,
            "onset": iso_day(p.onset) if p.onset is not None else None,
            "first": iso_day(0),
            "last": iso_day(DAYS - 1),
            "unobserved": [[iso_day(a), iso_day(b - 1)] for a, b in sorted(p.gaps)],
            "checkins": has_checkins,
            "set": p.set,
            "description": p.desc,
        }
    with open(os.path.join(outdir, "people.json"), "w", encoding="ascii") as f:
        json.dump(index, f, indent=2)
        f.write("\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
