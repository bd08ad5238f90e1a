"""The daily lives behind gen_people.py: the calendar, the time zones and the
plans. A plan's day(i) returns day i's active sessions in minutes after that
day's local midnight (they may run past 24:00 into the next day); its random
draws come from the rng it was made with, so a person is fixed by the seed.
Python 3 stdlib only."""
import datetime as dt

START = dt.date(2025, 1, 6)  # a Monday
DAYS = 364                   # to 2026-01-04, a Sunday
H = 60  # minutes per hour


def utc(y, m, d, hh, mm=0):
    return int(dt.datetime(y, m, d, hh, mm, tzinfo=dt.timezone.utc).timestamp())


def day_index(date):
    return (date - START).days


def date_of(i):
    return START + dt.timedelta(days=i)


def weekday(i):
    return date_of(i).weekday()  # Monday 0


# ---- time zones: offset_fn(t) is the UTC offset in seconds at UTC second t;
# offset_fn.changes lists the instants where it changes ----

# Europe/Berlin in 2025: summer time from 2025-03-30 01:00 UTC to 2025-10-26
# 01:00 UTC (the EU rule: last Sundays of March and October at 01:00 UTC).
DST_ON = utc(2025, 3, 30, 1)
DST_OFF = utc(2025, 10, 26, 1)


def zone(stays=()):
    """Europe/Berlin, except during stays [(UTC from, UTC to, hours), ...]."""
    def at(t):
        for a, b, hours in stays:
            if a <= t < b:
                return hours * 3600
        return 2 * 3600 if DST_ON <= t < DST_OFF else 3600
    at.changes = sorted({DST_ON, DST_OFF} | {x for a, b, _ in stays for x in (a, b)})
    return at


# ---- building blocks ----

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


def home_day(rng, wake, bed, screen, away=()):
    """A day from wake to bed, away for the spans in away, with about screen
    minutes at the computer spread over the time at home in proportion to
    its length."""
    spans = []
    t = wake + 15
    for a, b in sorted(away):
        if a - 5 > t:
            spans.append((t, a - 5))
        t = max(t, b + 10)
    if bed - 5 > t:
        spans.append((t, bed - 5))
    room = sum(b - a for a, b in spans) or 1
    return fill(rng, [(a, b, screen * (b - a) / room) for a, b in spans])


def scattered(rng, wake, bed, share, pause=0.25):
    """Computer time in short bits over the waking hours (share of each
    stretch), with a nap or an errand now and then."""
    spans = []
    t = wake + 15
    while t < bed - 60:
        stretch = rng.uniform(60, 200)
        if rng.random() < pause:
            t += stretch
            continue
        spans.append((t, min(bed - 5, t + stretch), stretch * rng.uniform(*share)))
        t += stretch + rng.uniform(20, 60)
    return fill(rng, spans)


def in_periods(i, periods):
    return any(a <= i < b for a, b in periods)


# ---- today's people ----

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
    computer until ~03:00, up ~11:00 the day after. In exam periods
    [(first day, end day), ...] long late days at the computer every day:
    ~10 h between ~09:30 and ~02:30."""

    def __init__(self, rng, exams=()):
        self.rng = rng
        self.exams = exams

    def day(self, i):
        r = self.rng
        wd = weekday(i)
        if in_periods(i, self.exams):
            wake = r.gauss(9 * H + 30, 30)
            bed = r.gauss(26 * H + 30, 30)
            return home_day(r, wake, bed, r.gauss(600, 40), [(r.gauss(19 * H, 30), r.gauss(20 * H, 20))])
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
    """The day worker with a few isolated nights at the computer up to
    ~04:00 (late: set of day indices)."""

    def __init__(self, rng, late):
        super().__init__(rng)
        self.late = late

    def day(self, i):
        r = self.rng
        if i in self.late:
            # Home in the evening and at the computer until ~04:00.
            wake = r.gauss(7 * H + 40, 20)
            bed = r.gauss(28 * H, 15)
            return fill(r, [(wake + 20, wake + 50, 25), (18 * H + 30, bed - 5, r.gauss(420, 30))])
        if i - 1 in self.late:
            wake = r.gauss(11 * H, 25)
            _, bed = DayWorker.wake_bed(self, i)
            return fill(r, [(wake + 20, bed - 5, r.gauss(280, 40))])
        return DayWorker.day(self, i)


class Trip:
    """A trip for Travel. The day of leaving: a morning at the computer at
    home (none when leave == arrive). The days there [arrive, back): planned
    in the local time there, with jet lag (lag_there: minutes later on the
    days after arriving, negative: earlier), ~2 h at the computer from
    `landed` on the day of arriving. The day of coming back, in the home
    zone's clock: a look at the computer at home_look before leaving (none
    if None), then `evening` (from, to, minutes) at home, and lag_home on the
    days after."""

    def __init__(self, leave, arrive, back, lag_there, lag_home, home_look=None, landed=10 * H,
                 evening=(17 * H + 30, 22 * H, 120)):
        self.leave, self.arrive, self.back = leave, arrive, back
        self.lag_there, self.lag_home, self.home_look = lag_there, lag_home, home_look
        self.landed, self.evening = landed, evening


class Travel(DayWorker):
    """The day worker with trips: no computer on the flights, ~90 minutes in
    the evenings there, jet lag for a few days after each flight (later after
    flying east, earlier after flying west)."""

    def __init__(self, rng, trips):
        super().__init__(rng)
        self.trips = trips

    def day(self, i):
        r = self.rng
        for t in self.trips:
            if i == t.leave and t.leave != t.arrive:
                return fill(r, [(6 * H + 30, 8 * H, 30)])
            if t.arrive <= i < t.back:
                k = i - t.arrive
                lag = t.lag_there[k] if k < len(t.lag_there) else 0
                bed = r.gauss(23 * H, 20) + lag
                if i == t.arrive:
                    return fill(r, [(t.landed, bed - 5, 120)])
                wake = r.gauss(7 * H + 30, 20) + lag
                return fill(r, [(wake + 15, wake + 45, 15), (20 * H, bed - 5, r.gauss(80, 20))])
            if i == t.back:
                spans = [t.evening]
                if t.home_look is not None:
                    spans.insert(0, (t.home_look, t.home_look + 30, 20))
                return fill(r, spans)
            k = i - t.back - 1
            if 0 <= k < len(t.lag_home):
                lag = t.lag_home[k]
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

    def __init__(self, rng, onset):
        super().__init__(rng)
        self.onset = onset

    def day(self, i):
        r = self.rng
        k = i - self.onset
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

    def __init__(self, rng, onset):
        super().__init__(rng)
        self.onset = onset

    def day(self, i):
        r = self.rng
        if i < self.onset - 1:
            return DayWorker.day(self, i)
        if i == self.onset - 1:
            # The last ordinary day at work, then up all night.
            wake, _ = self.wake_bed(i)
            look = wake + 15
            return fill(r, [(look, look + 25, 1000), (18 * H + 20, 29 * H + 30, r.gauss(480, 30))])
        wake = r.gauss(15 * H, 40)
        bed = r.gauss(31 * H + 45, 40)  # ~07:45 the next morning
        return fill(r, [(wake + 20, 19 * H, r.gauss(150, 30)), (21 * H, bed - 5, r.gauss(420, 30))])


class Dissolving(DayWorker):
    """The day worker whose days lose their shape from the onset: over
    `ramp` days bed and rising times start to scatter (bed anywhere from
    ~22:00 to ~05:00, 5-10 hours later up again), time at the computer comes
    in short bits spread over the waking hours (a `share` of each stretch,
    drawn from that range), with a nap now and then; out only for short
    errands."""

    def __init__(self, rng, onset, ramp=14, share=(0.35, 0.7)):
        super().__init__(rng)
        self.onset = onset
        self.ramp = ramp
        self.share = share
        self.next_wake = None

    def day(self, i):
        r = self.rng
        k = i - self.onset
        if k < 0:
            return DayWorker.day(self, i)
        amp = min(1.0, (k + 1) / self.ramp)
        wake = self.next_wake if self.next_wake is not None else r.gauss(7 * H, 20)
        bed = 23 * H + 15 + amp * r.uniform(-75, 360)
        bed = max(bed, wake + 10 * H)
        self.next_wake = bed + r.uniform(5 * H, 10 * H) - 24 * H
        return scattered(r, wake, bed, self.share, 0.25 * amp)


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


# ---- the wider population ----

class Life:
    """A configurable life. On weekdays up ~wake, in bed ~bed (minutes after
    midnight; past 24:00 is after midnight); at weekends the rest window later
    by weekend_late minutes (bed on Friday and Saturday, rising on Saturday
    and Sunday). About screen = (weekday, weekend) minutes a day at the
    computer, spread over the time at home; away on weekdays for work =
    (from, to) unless None; on other days out for 2-5 hours around
    outing[1] with probability outing[0]. special: [(first day, end day,
    method name)], periods that method plans instead (holiday, ill,
    all_night, after_all_night)."""

    def __init__(self, rng, wake=7 * H, bed=23 * H + 15, weekend_late=60, screen=(190, 300),
                 work=(8 * H + 30, 18 * H), outing=(0.8, 14 * H), special=()):
        self.rng = rng
        self.wake, self.bed, self.weekend_late = wake, bed, weekend_late
        self.screen, self.work, self.outing, self.special = screen, work, outing, special

    def shape(self, i):
        """(wake, bed, screen minutes, away spans) of an ordinary day."""
        r = self.rng
        wd = weekday(i)
        wake = r.gauss(self.wake, 18) + (self.weekend_late if wd >= 5 else 0)
        bed = r.gauss(self.bed, 22) + (self.weekend_late if wd in (4, 5) else 0)
        s = self.screen[1 if wd >= 5 else 0]
        screen = max(0.0, r.gauss(s, 0.15 * s))
        away = []
        if wd < 5 and self.work:
            away.append((r.gauss(self.work[0], 10), r.gauss(self.work[1], 20)))
        elif r.random() < self.outing[0]:
            a = r.gauss(self.outing[1], 40)
            away.append((a, a + r.uniform(120, 300)))
        return wake, bed, screen, away

    def day(self, i):
        for a, b, how in self.special:
            if a <= i < b:
                return getattr(self, how)(i)
        wake, bed, screen, away = self.shape(i)
        return home_day(self.rng, wake, bed, screen, away)

    def holiday(self, _i):
        """Away with the laptop: up late, out most of the day, a little at
        the computer late in the evening."""
        r = self.rng
        a = r.gauss(11 * H, 30)
        return home_day(r, r.gauss(9 * H + 30, 30), r.gauss(24 * H + 45, 30), r.gauss(80, 25),
                        [(a, a + r.uniform(360, 540))])

    def ill(self, _i):
        """In bed with a laptop: odd hours, bits at the computer between naps."""
        r = self.rng
        return scattered(r, r.gauss(10 * H, 60), r.gauss(25 * H + 30, 75), (0.3, 0.6), 0.35)

    def all_night(self, i):
        """Up all night at the computer until ~07:15."""
        r = self.rng
        wake, _, _, _ = self.shape(i)
        return fill(r, [(wake + 15, wake + 40, 20), (18 * H + 30, 31 * H + 15, r.gauss(600, 30))])

    def after_all_night(self, _i):
        r = self.rng
        return fill(r, [(13 * H + 15, 23 * H + 10, r.gauss(240, 40))])


class Drifting(Life):
    """A Life that changes from day `onset` on: k days after it the rest
    window is late(k) minutes later, the screen time more(k) minutes longer,
    and the person stays at home (no work, no outing) with probability
    stay_in(k)."""

    def __init__(self, rng, onset, late=None, more=None, stay_in=None, **life):
        super().__init__(rng, **life)
        self.onset = onset
        zero = lambda _k: 0  # noqa: E731
        self.late, self.more, self.stay_in = late or zero, more or zero, stay_in or zero

    def shape(self, i):
        wake, bed, screen, away = super().shape(i)
        k = i - self.onset
        if k >= 0:
            s = self.late(k)
            wake, bed, screen = wake + s, bed + s, screen + self.more(k)
            if self.rng.random() < self.stay_in(k):
                away = []
        return wake, bed, screen, away


def linear(rate, cap):
    return lambda k: min(rate * (k + 1), cap)


def step(value):
    return lambda _k: value


def accelerating(rate, cap):
    """Slow at first, then faster: rate * k^2 minutes, up to cap."""
    return lambda k: min(rate * (k + 1) ** 2, cap)


def bad_weeks(value, weeks=6):
    """Good and bad weeks turn about (the first one bad) for `weeks` weeks,
    then it settles at value."""
    return lambda k: value if k >= 7 * weeks or (k // 7) % 2 == 0 else 0


class ShiftRotation:
    """A week of night shifts (Monday to Friday nights at work ~21:30-06:30,
    asleep until ~14:00, a few hours at the computer in the afternoon), then
    a week of early shifts (up ~05:15, at work 06:00-14:45, evenings at the
    computer, in bed ~22:30), turn about; free weekends in between."""

    def __init__(self, rng):
        self.rng = rng

    def day(self, i):
        r = self.rng
        wd = weekday(i)
        if (i // 7) % 2 == 0:  # a week of nights
            if wd < 5:
                wake = r.gauss(14 * H, 30) if wd > 0 else r.gauss(9 * H, 30)
                return home_day(r, wake, r.gauss(21 * H, 10), r.gauss(150, 30))
            wake, bed = (r.gauss(13 * H, 30), r.gauss(25 * H, 30)) if wd == 5 else \
                (r.gauss(9 * H + 30, 30), r.gauss(22 * H + 30, 20))
        else:
            if wd < 5:
                return home_day(r, r.gauss(5 * H + 15, 10), r.gauss(22 * H + 30, 20), r.gauss(180, 30),
                                [(6 * H, r.gauss(14 * H + 45, 15))])
            wake, bed = r.gauss(8 * H + 30, 30), r.gauss(24 * H, 30)
        a = r.gauss(14 * H, 45)
        return home_day(r, wake, bed, r.gauss(240, 40), [(a, a + r.uniform(120, 240))])
