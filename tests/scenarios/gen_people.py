#!/usr/bin/python3
"""Generate the synthetic people that tune and check the default policies.

Each person is about nine months (2025-02-03 .. 2025-11-02) of activity in
kizuki's CSV import format (start,end,state; ISO 8601 with offset; contiguous
active/inactive intervals, no rows where nothing was observed), and some have
check-ins (date,went_out,met_someone,mood). Stable people must stay (nearly)
quiet; drifting people must be noticed soon after their onset date.

    gen_people.py [--variant N] OUTDIR

writes OUTDIR/NAME.csv, OUTDIR/NAME.checkins.csv for people who answer
check-ins, and OUTDIR/people.json:

    {"NAME": {"kind": "stable" | "drift", "onset": "YYYY-MM-DD" | null,
              "checkins": bool, "description": "..."}, ...}

Fixed seeds: the output never changes unless this script does. --variant N
(default 0) draws the same people with other seeds, to see whether tuned
figures hold beyond the one population the test uses.

The people (times are local):
  day-worker          up ~07:00, at work 08:30-18:00, evenings at the computer,
                      in bed ~23:15, later at weekends.
  night-shift         at the computer on night shifts 22:00-06:00 five nights a
                      week, sleeps by day; stays up to ~03:00 on nights off.
  student-weekends    lectures by day, bed ~00:30; Friday and Saturday nights
                      at the computer until ~03:00, then sleeps late.
  vacation-gap        the day worker with two weeks unobserved in the middle.
  dst-travel          the day worker in Europe/Berlin (+01:00/+02:00 across both
                      changes) with a week in Tokyo (+09:00) and jet lag.
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
"""
import datetime as dt
import json
import os
import random
import sys

START = dt.date(2025, 2, 3)  # a Monday
DAYS = 273
EPOCH = dt.date(1970, 1, 1)
START_LOCAL_S = (START - EPOCH).days * 86400  # local seconds of START 00:00
H = 60  # minutes per hour

# Europe/Berlin in 2025: summer time from 2025-03-30 01:00 UTC to 2025-10-26
# 01:00 UTC (the EU rule: last Sundays of March and October at 01:00 UTC).
DST_ON = int(dt.datetime(2025, 3, 30, 1, 0, tzinfo=dt.timezone.utc).timestamp())
DST_OFF = int(dt.datetime(2025, 10, 26, 1, 0, tzinfo=dt.timezone.utc).timestamp())
# The Tokyo week: the clock switches to +09:00 on landing (2025-08-10 07:00
# +09:00) and back on landing in Berlin (2025-08-17 16:00 +02:00).
TOKYO_ARRIVE = int(dt.datetime(2025, 8, 9, 22, 0, tzinfo=dt.timezone.utc).timestamp())
BERLIN_ARRIVE = int(dt.datetime(2025, 8, 17, 14, 0, tzinfo=dt.timezone.utc).timestamp())


def day_index(date):
    return (date - START).days


def offset_fixed(hours):
    def at(_t):
        return hours * 3600
    at.changes = []
    return at


def offset_berlin_tokyo(t):
    if TOKYO_ARRIVE <= t < BERLIN_ARRIVE:
        return 9 * 3600
    if DST_ON <= t < DST_OFF:
        return 2 * 3600
    return 3600


offset_berlin_tokyo.changes = sorted([DST_ON, DST_OFF, TOKYO_ARRIVE, BERLIN_ARRIVE])


def fill(rng, spans):
    """Active sessions for spans [(a, b, minutes), ...]: about `minutes` at the
    computer inside [a, b), in blocks of 30-110 minutes with breaks spread
    between them (short ones at the edges)."""
    out = []
    for a, b, amount in spans:
        a, b = int(a), int(b)
        room = b - a
        amount = int(min(max(amount, 0), 0.9 * room))
        if amount < 10:
            continue
        n = max(1, round(amount / rng.uniform(55, 95)))
        w = [rng.uniform(0.6, 1.4) for _ in range(n)]
        blocks = [max(5, int(amount * x / sum(w))) for x in w]
        g = [rng.random() for _ in range(n + 1)]
        g[0] *= 0.2
        g[-1] *= 0.2
        free = room - sum(blocks)
        gaps = [int(free * x / sum(g)) for x in g]
        t = a + gaps[0]
        for k, blk in enumerate(blocks):
            out.append((t, t + blk))
            t += blk + gaps[k + 1]
    return out


def weekday(i):
    return (START + dt.timedelta(days=i)).weekday()  # Monday 0


# ---- plans: each returns the day's active sessions in minutes after the
# day's local midnight (may run past 24:00 into the next day) ----

class DayWorker:
    """Up ~07:00, a look at the computer before leaving, at work
    08:30-18:00, evenings at the computer, in bed ~23:15 (Friday and
    Saturday later, weekends up later, out for a few hours)."""

    def __init__(self, rng):
        self.rng = rng

    def wake_bed(self, i):
        r = self.rng
        wd = weekday(i)
        wake = r.gauss(7 * H, 18) + (80 if wd >= 5 else 0)
        bed = r.gauss(23 * H + 15, 22) + (45 if wd in (4, 5) else 0)
        return wake, bed

    def screen(self, i, weekend):
        r = self.rng
        return r.gauss(300, 45) if weekend else r.gauss(190, 30)

    def day(self, i):
        r = self.rng
        wake, bed = self.wake_bed(i)
        weekend = weekday(i) >= 5 or r.random() < 0.02  # a day off now and then
        if not weekend:
            look = wake + r.uniform(10, 25)
            spans = [(look, look + r.uniform(18, 35), 1000)]
            back = r.gauss(18 * H, 20)
            spans.append((back + 20, bed - 5, self.screen(i, False)))
            return fill(r, spans)
        # A weekend: at home in the morning, out in the afternoon most of the time.
        if r.random() < 0.8:
            out_a = r.gauss(14 * H, 40)
            out_b = out_a + r.uniform(120, 300)
            total = self.screen(i, True)
            m1 = out_a - wake - 30
            m2 = bed - 5 - out_b
            s1 = total * m1 / max(1, m1 + m2)
            return fill(r, [(wake + 20, out_a, s1), (out_b, bed - 5, total - s1)])
        return fill(r, [(wake + 20, bed - 5, self.screen(i, True))])


class NightShift:
    """Night shifts 22:00-06:00 at the computer on Sunday..Thursday nights,
    asleep ~06:30-14:30 after them; Friday and Saturday nights off, up
    until ~03:00 and asleep until ~11:00."""

    SHIFT_NIGHTS = (6, 0, 1, 2, 3)  # the shift starts on these weekdays' evenings

    def __init__(self, rng):
        self.rng = rng

    def day(self, i):
        r = self.rng
        wd = weekday(i)
        prev_shift = (wd - 1) % 7 in self.SHIFT_NIGHTS
        if prev_shift:
            wake = r.gauss(14 * H + 30, 25)
        else:
            wake = r.gauss(11 * H, 35)
        if wd in self.SHIFT_NIGHTS:
            away_a = r.gauss(17 * H + 30, 20)
            start = 22 * H + r.uniform(-5, 5)
            end = 30 * H + r.uniform(-5, 10)
            return fill(r, [(wake + 20, away_a, r.gauss(70, 20)),
                            (start, end, r.gauss(400, 25))])
        bed = r.gauss(27 * H, 35)
        out_a = r.gauss(18 * H, 45)
        out_b = out_a + r.uniform(150, 240)
        return fill(r, [(wake + 20, out_a, r.gauss(110, 30)),
                        (out_b, bed - 5, r.gauss(200, 35))])


class Student:
    """Lectures by day, bed ~00:30; Friday and Saturday nights at the
    computer until ~03:00, up ~11:00 the day after."""

    def __init__(self, rng):
        self.rng = rng

    def day(self, i):
        r = self.rng
        wd = weekday(i)
        late_before = (wd - 1) % 7 in (4, 5)  # the night before was Fri/Sat
        wake = r.gauss(11 * H, 35) if late_before else r.gauss(8 * H, 25)
        if wd in (4, 5):
            bed = r.gauss(27 * H, 30)
        else:
            bed = r.gauss(24 * H + 30, 25)
        if wd < 5:
            lect_a = r.gauss(9 * H + 30, 15)
            lect_b = r.gauss(15 * H + 30, 45) if wd != 4 else r.gauss(13 * H, 30)
            evening = r.gauss(420, 40) if wd == 4 else r.gauss(300, 40)
            return fill(r, [(wake + 15, lect_a - 10, r.uniform(15, 40)),
                            (lect_b + 30, bed - 5, evening)])
        out_a = r.gauss(15 * H, 45)
        out_b = out_a + r.uniform(120, 240)
        total = r.gauss(480, 50) if wd == 5 else r.gauss(360, 50)
        s1 = total * 0.3
        return fill(r, [(wake + 20, out_a, s1), (out_b, bed - 5, total - s1)])


class OneOffLate(DayWorker):
    """The day worker with a few isolated nights up to ~04:00."""

    LATE = {day_index(dt.date(2025, 3, 21)), day_index(dt.date(2025, 4, 26)),
        day_index(dt.date(2025, 6, 6)), day_index(dt.date(2025, 7, 19)),
        day_index(dt.date(2025, 8, 29)), day_index(dt.date(2025, 10, 4))}

    def day(self, i):
        r = self.rng
        if i in self.LATE:
            # Home in the evening and at the computer until ~04:00.
            wake = r.gauss(7 * H + 40, 20)
            bed = r.gauss(28 * H, 15)
            return fill(r, [(wake + 20, wake + 50, 25), (18 * H + 30, bed - 5, r.gauss(420, 30))])
        if i - 1 in self.LATE:
            wake = r.gauss(11 * H, 25)
            _, bed = DayWorker.wake_bed(self, i)
            return fill(r, [(wake + 20, bed - 5, r.gauss(280, 40))])
        return DayWorker.day(self, i)


class Travel(DayWorker):
    """The day worker in Berlin with a week in Tokyo: no computer on the
    flights, ~90 minutes in the evenings there, jet lag for a few days
    after each flight (later after flying east, earlier after flying west)."""

    LEAVE = day_index(dt.date(2025, 8, 9))
    ARRIVE = day_index(dt.date(2025, 8, 10))
    BACK = day_index(dt.date(2025, 8, 17))
    EAST_LAG = (150, 110, 70, 30)   # minutes later, on the days after arriving
    WEST_LAG = (-120, -80, -40)     # minutes earlier

    def day(self, i):
        r = self.rng
        if i == self.LEAVE:
            return fill(r, [(6 * H + 30, 8 * H, 30)])
        if self.ARRIVE <= i < self.BACK:
            lag = self.EAST_LAG[i - self.ARRIVE] if i - self.ARRIVE < len(self.EAST_LAG) else 0
            bed = r.gauss(23 * H, 20) + lag
            if i == self.ARRIVE:
                return fill(r, [(10 * H, bed - 5, 120)])
            wake = r.gauss(7 * H + 30, 20) + lag
            return fill(r, [(wake + 15, wake + 45, 15), (20 * H, bed - 5, r.gauss(80, 20))])
        if i == self.BACK:
            # A look at 09:30 +09:00 (02:30 here), left Tokyo at 11:00 +09:00,
            # home at 17:00 +02:00.
            return fill(r, [(2 * H + 30, 3 * H, 20), (17 * H + 30, 22 * H, 120)])
        k = i - self.BACK - 1
        if 0 <= k < len(self.WEST_LAG):
            lag = self.WEST_LAG[k]
            wake = r.gauss(7 * H, 15) + lag
            bed = r.gauss(23 * H, 20) + lag / 2
            look = wake + 15
            return fill(r, [(look, look + 30, 1000), (18 * H + 20, bed - 5, r.gauss(190, 30))])
        return DayWorker.day(self, i)


class GradualDrift(DayWorker):
    """The day worker (working from home part of the time) who from the
    onset on goes to bed ~10 minutes later every day and gets up later,
    until +6 h, spends 5 more minutes a day at the computer, until +4 h,
    and goes out less as the days move."""

    ONSET = day_index(dt.date(2025, 6, 3))

    def day(self, i):
        r = self.rng
        k = i - self.ONSET
        if k < 0:
            return DayWorker.day(self, i)
        shift = min(k * 10, 360)
        extra = min(k * 5, 240)
        wake, bed = self.wake_bed(i)
        wake += shift
        bed += shift
        weekend = weekday(i) >= 5
        total = self.screen(i, weekend) + extra
        # Out (work, errands) for a shrinking part of the waking day.
        out_len = max(90, 540 - 4 * k) if not weekend else max(60, 200 - 3 * k)
        out_a = max(wake + 90, r.gauss(13 * H, 30) if weekend else wake + 90)
        out_b = out_a + out_len
        m1 = out_a - wake - 20
        m2 = bed - 5 - out_b
        s1 = total * m1 / max(1, m1 + m2)
        return fill(r, [(wake + 15, out_a, s1), (out_b, bed - 5, total - s1)])


class Inversion(DayWorker):
    """The day worker until the onset; from then on up all night at the
    computer (~22:00-06:00), asleep ~08:00-15:00, rarely out."""

    ONSET = day_index(dt.date(2025, 7, 14))

    def day(self, i):
        r = self.rng
        if i < self.ONSET - 1:
            return DayWorker.day(self, i)
        if i == self.ONSET - 1:
            # The last ordinary day at work, then up all night.
            wake, _ = self.wake_bed(i)
            look = wake + 15
            return fill(r, [(look, look + 25, 1000), (18 * H + 20, 29 * H + 30, r.gauss(480, 30))])
        wake = r.gauss(15 * H, 40)
        bed = r.gauss(31 * H + 45, 40)  # ~07:45 the next morning
        return fill(r, [(wake + 20, 19 * H, r.gauss(150, 30)), (21 * H, bed - 5, r.gauss(420, 30))])


class Dissolving(DayWorker):
    """The day worker whose days lose their shape from the onset: over two
    weeks bed and rising times start to scatter (bed anywhere from ~22:00 to
    ~05:00, 5-10 hours later up again), time at the computer comes in short
    bits spread over the waking hours, with a nap now and then; out only for
    short errands."""

    ONSET = day_index(dt.date(2025, 6, 23))

    def __init__(self, rng):
        super().__init__(rng)
        self.next_wake = None

    def day(self, i):
        r = self.rng
        k = i - self.ONSET
        if k < 0:
            return DayWorker.day(self, i)
        amp = min(1.0, (k + 1) / 14)
        wake = self.next_wake if self.next_wake is not None else r.gauss(7 * H, 20)
        bed = 23 * H + 15 + amp * r.uniform(-75, 360)
        bed = max(bed, wake + 10 * H)
        self.next_wake = bed + r.uniform(5 * H, 10 * H) - 24 * H
        spans = []
        t = wake + 15
        while t < bed - 60:
            stretch = r.uniform(60, 200)
            if r.random() < 0.25 * amp:  # a nap or an errand
                t += stretch
                continue
            spans.append((t, min(bed - 5, t + stretch), stretch * r.uniform(0.35, 0.7)))
            t += stretch + r.uniform(20, 60)
        return fill(r, spans)


class RemoteWorker:
    """At the computer from home 09:00-17:30 with breaks and a little in the
    evening; goes out on most days (then away for 1-3 hours in the late
    afternoon or evening). Check-ins with a few days unanswered."""

    def __init__(self, rng, stop=None, colds=(), silent=()):
        self.rng = rng
        self.stop = stop          # (first day, days without going out)
        self.colds = colds        # days at home, going out otherwise as usual
        self.silent = silent      # days without an answer
        self.checkins = {}

    def goes_out(self, i):
        r = self.rng
        if self.stop is not None:
            first, length = self.stop
            if first <= i < first + length:
                return False
            if i >= first + length:
                return r.random() < 0.3
        if i in self.colds:
            return False
        return r.random() < (0.85 if weekday(i) >= 5 else 0.7)

    def day(self, i):
        r = self.rng
        withdrawn = self.stop is not None and i >= self.stop[0]
        out = self.goes_out(i)
        met = out and r.random() < 0.6
        mood = min(5, max(1, round(r.gauss(3.6 if not withdrawn else 2.7, 0.7))))
        if i not in self.silent and r.random() > 0.08:
            self.checkins[i] = (out, met, mood)
        wake = r.gauss(7 * H + 30, 20) + (60 if weekday(i) >= 5 else 0)
        bed = r.gauss(23 * H + 30, 20) + (20 if withdrawn else 0)
        if weekday(i) < 5:
            spans = [(9 * H, 17 * H + 30, r.gauss(360, 30))]
            if out:
                a = r.choice((17 * H + 45, 19 * H))
                spans += [(a + r.uniform(60, 180), bed - 5, r.gauss(50, 20))]
            else:
                spans += [(18 * H + 30, bed - 5, r.gauss(120 if withdrawn else 90, 25))]
            return fill(r, spans)
        if out:
            a = r.gauss(13 * H, 40)
            b = a + r.uniform(90, 240)
            return fill(r, [(wake + 20, a, r.gauss(100, 25)), (b, bed - 5, r.gauss(120, 30))])
        return fill(r, [(wake + 20, bed - 5, r.gauss(300 if withdrawn else 260, 40))])


# ---- people ----

def people():
    stop_first = day_index(dt.date(2025, 7, 7))
    return [
        ("day-worker", 101, DayWorker, {}, offset_fixed(9), None, None, "stable",
            "up ~07:00, at work 08:30-18:00, evenings at the computer, bed ~23:15"),
        ("night-shift", 102, NightShift, {}, offset_fixed(9), None, None, "stable",
            "night shifts at the computer 22:00-06:00, sleeps by day; up to ~03:00 on nights off"),
        ("student-weekends", 103, Student, {}, offset_fixed(9), None, None, "stable",
            "lectures by day, bed ~00:30; Friday and Saturday nights until ~03:00"),
        ("vacation-gap", 104, DayWorker, {}, offset_fixed(9),
            (day_index(dt.date(2025, 6, 16)), day_index(dt.date(2025, 6, 30))), None, "stable",
            "the day worker, unobserved 2025-06-16 .. 2025-06-29 (no rows)"),
        ("dst-travel", 105, Travel, {}, offset_berlin_tokyo, None, None, "stable",
            "the day worker in Europe/Berlin across both DST changes, a week in +09:00 with jet lag"),
        ("one-off-late", 106, OneOffLate, {}, offset_fixed(9), None, None, "stable",
            "the day worker with six isolated nights up to ~04:00"),
        ("gradual-drift", 107, GradualDrift, {}, offset_fixed(9), None, GradualDrift.ONSET, "drift",
            "from the onset sleep ~10 min later a day (to +6 h), screen +5 min a day (to +4 h)"),
        ("abrupt-inversion", 108, Inversion, {}, offset_fixed(9), None, Inversion.ONSET, "drift",
            "from the onset nights become days"),
        ("rhythm-dissolves", 111, Dissolving, {}, offset_fixed(9), None, Dissolving.ONSET, "drift",
            "from the onset bed and rising times scatter and computer time comes in bits"),
        ("checkins-stops", 109, RemoteWorker, {"stop": (stop_first, 28)}, offset_fixed(9), None,
            stop_first, "drift",
            "remote worker with check-ins; stops going out at the onset (four weeks), then seldom"),
        ("checkins-keeps", 110, RemoteWorker,
            {"colds": set(range(day_index(dt.date(2025, 4, 8)), day_index(dt.date(2025, 4, 12))))
             | set(range(day_index(dt.date(2025, 9, 22)), day_index(dt.date(2025, 9, 27)))),
             "silent": set(range(day_index(dt.date(2025, 8, 4)), day_index(dt.date(2025, 8, 18))))},
            offset_fixed(9), None, None, "stable",
            "remote worker with check-ins who keeps going out (two colds at home, two weeks unanswered)"),
    ]


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


def write_person(outdir, name, seed, cls, kwargs, offset_fn, gap):
    rng = random.Random(seed)
    plan = cls(rng, **kwargs)
    t0 = local_day_utc_min(0, offset_fn)
    t1 = local_day_utc_min(DAYS, offset_fn)
    state = bytearray([1]) * (t1 - t0)  # 0 unobserved, 1 inactive, 2 active
    for i in range(DAYS):
        base = local_day_utc_min(i, offset_fn) - t0
        sessions = plan.day(i)
        if gap and gap[0] <= i < gap[1]:
            continue
        for a, b in sessions:
            a = max(0, base + int(a))
            b = min(len(state), base + int(b))
            if b > a:
                state[a:b] = b"\x02" * (b - a)
    if gap:
        a = local_day_utc_min(gap[0], offset_fn) - t0
        b = local_day_utc_min(gap[1], offset_fn) - t0
        state[a:b] = bytes(b - a)
    changes = [c // 60 - t0 for c in getattr(offset_fn, "changes", []) if t0 * 60 < c < t1 * 60]
    with open(os.path.join(outdir, name + ".csv"), "w", encoding="ascii", newline="\n") as f:
        f.write("start,end,state\n")
        i = 0
        n = len(state)
        while i < n:
            j = i
            s = state[i]
            stop = min((c for c in changes if c > i), default=n)
            while j < n and j < stop and state[j] == s:
                j += 1
            if s:
                a, b = (t0 + i) * 60, (t0 + j) * 60
                off = offset_fn(a)
                f.write(f"{iso(a, off)},{iso(b, off)},{'active' if s == 2 else 'inactive'}\n")
            i = j
    checkins = getattr(plan, "checkins", None)
    if checkins is not None:
        yn = {True: "yes", False: "no"}
        with open(os.path.join(outdir, name + ".checkins.csv"), "w", encoding="ascii", newline="\n") as f:
            f.write("date,went_out,met_someone,mood\n")
            for i in sorted(checkins):
                out, met, mood = checkins[i]
                d = START + dt.timedelta(days=i)
                f.write(f"{d.isoformat()},{yn[out]},{yn[met]},{mood}\n")
    return checkins is not None


def main():
    args = sys.argv[1:]
    variant = 0
    if len(args) == 3 and args[0] == "--variant" and args[1].isdigit():
        variant = int(args[1])
        args = args[2:]
    if len(args) != 1:
        sys.stderr.write("usage: gen_people.py [--variant N] OUTDIR\n")
        return 2
    outdir = args[0]
    os.makedirs(outdir, exist_ok=True)
    index = {}
    for name, seed, cls, kwargs, offset_fn, gap, onset, kind, desc in people():
        has_checkins = write_person(outdir, name, seed + 1000 * variant, cls, kwargs, offset_fn, gap)
        index[name] = {
            "kind": kind,
            "onset": (START + dt.timedelta(days=onset)).isoformat() if onset is not None else None,
            "checkins": has_checkins,
            "description": desc,
        }
    with open(os.path.join(outdir, "people.json"), "w", encoding="ascii") as f:
        json.dump(index, f, indent=2)
        f.write("\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
