/* Records → interface JSON (wire.h). Calls lib/ and json-c only. */
#include "wire.h"

#include <math.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "calendar.h"
#include "consent-text.h"
#include "macro.h"
#include "version.h"

json_object *wire_date(int64_t local) {
        char buf[DATE_MAX];
        if (format_date(local, buf) < 0)
                return NULL;
        return json_object_new_string(buf);
}

json_object *wire_utc(int64_t t) {
        time_t tt = (time_t) t;
        struct tm tm;
        char buf[32];
        if (!gmtime_r(&tt, &tm) || strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
                return NULL;
        return json_object_new_string(buf);
}

json_object *wire_minutes(int m) {
        if (m < 0)
                return NULL;
        char buf[8];
        snprintf(buf, sizeof buf, "%02d:%02d", (m / 60) % 24, m % 60);
        return json_object_new_string(buf);
}

json_object *wire_settings(const Config *c) {
        json_object *o = json_object_new_object();
        json_object_object_add(o, "day_start", wire_minutes(c->day_start_min));
        json_object_object_add(o, "night_start", wire_minutes(c->night_start_min));
        json_object_object_add(o, "night_end", wire_minutes(c->night_end_min));
        json_object_object_add(o, "min_coverage_h", json_object_new_int(c->min_coverage_h));
        return o;
}

json_object *wire_figure(double v) {
        return isfinite(v) ? json_object_new_double(v) : NULL;
}

json_object *wire_answer(int v) {
        return v < 0 ? NULL : json_object_new_boolean(v);
}

static json_object *wire_string_or_null(const char *s) {
        return s ? json_object_new_string(s) : NULL;
}

/* A member of a record's JSON, named as the record's field: where the field
 * is, and what writes its value. */
typedef struct WireMember {
        const char *name;
        size_t offset;
        json_object *(*write)(const void *field);
} WireMember;

/* The writer write_NAME of a field of type ctype, through fn. */
#define WIRE_WRITER(name, ctype, fn) \
        static json_object *write_##name(const void *field) { \
                return fn(*(const ctype *) field); \
        }
WIRE_WRITER(int, int, json_object_new_int)
WIRE_WRITER(int64, int64_t, json_object_new_int64)
WIRE_WRITER(double, double, json_object_new_double)
WIRE_WRITER(figure, double, wire_figure)
WIRE_WRITER(minutes, int, wire_minutes)
WIRE_WRITER(date, int64_t, wire_date)
WIRE_WRITER(string, char *const, json_object_new_string)
WIRE_WRITER(string_or_null, char *const, wire_string_or_null)

/* The _Generic refuses a field of another type than the writer reads. */
#define MEMBER(type, field, ctype, writer) \
        { #field, offsetof(type, field) + 0 * sizeof(_Generic(((type *) NULL)->field, ctype: 1)), writer }
#define AS_INT(type, field) MEMBER(type, field, int, write_int)
#define AS_INT64(type, field) MEMBER(type, field, int64_t, write_int64)
#define AS_DOUBLE(type, field) MEMBER(type, field, double, write_double)
#define AS_FIGURE(type, field) MEMBER(type, field, double, write_figure)
#define AS_MINUTES(type, field) MEMBER(type, field, int, write_minutes)
#define AS_DATE(type, field) MEMBER(type, field, int64_t, write_date)
#define AS_STRING(type, field) MEMBER(type, field, char *, write_string)
#define AS_STRING_OR_NULL(type, field) MEMBER(type, field, char *, write_string_or_null)

/* What a Day and the Figures both say, alike and in the same order: when the
 * activity falls and the sleep (timing), and the rhythm's indices. */
#define TIMING_MEMBERS(type) \
        AS_FIGURE(type, night_ratio), AS_MINUTES(type, first_active), AS_MINUTES(type, last_active), \
                AS_MINUTES(type, sleep_onset), AS_MINUTES(type, sleep_offset), AS_MINUTES(type, sleep_mid), \
                AS_FIGURE(type, sleep_h), AS_FIGURE(type, up), AS_FIGURE(type, down)
#define RHYTHM_MEMBERS(type) AS_FIGURE(type, is), AS_FIGURE(type, iv), AS_FIGURE(type, ra), AS_FIGURE(type, l5)
#define REGULARITY_MEMBERS(type) AS_FIGURE(type, sri), AS_FIGURE(type, social_jet_lag_h)

/* Add the members m[0..n) of the record rec to o, in order. */
static void wire_members(json_object *o, const void *rec, const WireMember *m, size_t n) {
        for (size_t i = 0; i < n; i++)
                json_object_object_add(o, m[i].name, m[i].write((const char *) rec + m[i].offset));
}

json_object *wire_day(const DaySignals *ds, const Checkin *c, int min_coverage_h) {
        /* The day's amounts and times, then (after low_coverage) its rhythm over 7 days. */
        static const WireMember day[] = {
                AS_DATE(DaySignals, date), AS_DOUBLE(DaySignals, screen_h), TIMING_MEMBERS(DaySignals),
                AS_DOUBLE(DaySignals, coverage_h),
        };
        static const WireMember rhythm[] = {
                RHYTHM_MEMBERS(DaySignals), AS_MINUTES(DaySignals, l5_onset), AS_FIGURE(DaySignals, m10),
                AS_MINUTES(DaySignals, m10_onset), REGULARITY_MEMBERS(DaySignals),
        };
        json_object *o = json_object_new_object();
        wire_members(o, ds, day, ELEMENTSOF(day));
        json_object_object_add(o, "low_coverage", json_object_new_boolean(ds->coverage_h < min_coverage_h));
        wire_members(o, ds, rhythm, ELEMENTSOF(rhythm));
        json_object_object_add(o, "went_out", wire_answer(c ? c->went_out : -1));
        json_object_object_add(o, "met_someone", wire_answer(c ? c->met_someone : -1));
        json_object_object_add(o, "mood", c && c->mood > 0 ? json_object_new_int(c->mood) : NULL);
        return o;
}

json_object *wire_digest_day(const DaySignals *ds, int min_coverage_h) {
        json_object *o = wire_day(ds, NULL, min_coverage_h);
        json_object_object_del(o, "went_out");
        json_object_object_del(o, "met_someone");
        json_object_object_del(o, "mood");
        return o;
}

json_object *wire_figures(const Figures *f) {
        static const WireMember figures[] = {
                AS_INT(Figures, days), AS_FIGURE(Figures, screen_h), TIMING_MEMBERS(Figures),
                AS_FIGURE(Figures, coverage_h), RHYTHM_MEMBERS(Figures), AS_FIGURE(Figures, m10),
                REGULARITY_MEMBERS(Figures),
                AS_INT(Figures, went_out_days), AS_INT(Figures, went_out_answered), AS_INT(Figures, met_someone_days),
                AS_INT(Figures, met_someone_answered), AS_INT(Figures, checkin_days),
                AS_FIGURE(Figures, mood),
        };
        json_object *o = json_object_new_object();
        wire_members(o, f, figures, ELEMENTSOF(figures));
        return o;
}

/* A trend signal's value: "HH:MM" for sleep_mid, else a number; null for NAN. */
static json_object *wire_trend_value(TrendSignal s, double v) {
        if (s == TREND_SLEEP_MID)
                return wire_minutes(isfinite(v) ? (int) floor_mod(lround(v), 1440) : -1);
        return wire_figure(v);
}

json_object *wire_trend(const DigestTrend *t) {
        json_object *weeks = json_object_new_array_ext(DIGEST_TREND_WEEKS), *usual = json_object_new_object();
        for (size_t w = 0; w < DIGEST_TREND_WEEKS; w++) {
                const TrendWeek *x = &t->weeks[w];
                char name[ISO_WEEK_MAX];
                json_object *o = json_object_new_object();
                json_object_object_add(o, "week", iso_week_of(x->monday, name, NULL) < 0 ? NULL
                                                                                          : json_object_new_string(name));
                json_object_object_add(o, "from", wire_date(x->monday));
                json_object_object_add(o, "days", json_object_new_int(x->mean.days));
                for (int s = 0; s < _TREND_SIGNAL_MAX; s++)
                        json_object_object_add(o, trend_signal_to_string(s),
                                               wire_trend_value(s, trend_figure_value(&x->mean, s)));
                json_object_array_add(weeks, o);
        }
        for (int s = 0; s < _TREND_SIGNAL_MAX; s++) {
                const TrendUsual *u = &t->usual[s];
                json_object *o = json_object_new_object();
                json_object_object_add(o, "median", wire_trend_value(s, u->median));
                json_object_object_add(o, "low", wire_trend_value(s, u->low));
                json_object_object_add(o, "high", wire_trend_value(s, u->high));
                json_object_object_add(o, "spread", wire_figure(u->spread));
                json_object_object_add(o, "days", json_object_new_int(u->days));
                json_object_object_add(usual, trend_signal_to_string(s), o);
        }
        json_object *o = json_object_new_object();
        json_object_object_add(o, "weeks", weeks);
        json_object_object_add(o, "usual", usual);
        return o;
}

json_object *wire_headline(const HeadlineEntry *h, size_t n) {
        json_object *a = json_object_new_array_ext((int) n);
        for (size_t i = 0; i < n; i++) {
                json_object *o = json_object_new_object();
                json_object_object_add(o, "signal", json_object_new_string(trend_signal_to_string(h[i].signal)));
                json_object_object_add(o, "value", wire_trend_value(h[i].signal, h[i].value));
                json_object_object_add(o, "usual", wire_trend_value(h[i].signal, h[i].usual));
                if (h[i].signal == TREND_SLEEP_MID)
                        json_object_object_add(o, "change_min", json_object_new_int((int) lround(h[i].change)));
                else
                        json_object_object_add(o, "change", wire_figure(h[i].change));
                json_object_object_add(o, "direction", json_object_new_string(h[i].change > 0 ? "up" : "down"));
                /* One decimal: an order, not a measurement. */
                json_object_object_add(o, "score", wire_figure(round(h[i].score * 10) / 10));
                json_object_array_add(a, o);
        }
        return a;
}

json_object *wire_hours(const AcctBucket *b, size_t n) {
        static const WireMember hour[] = {
                AS_INT64(AcctBucket, start), AS_INT(AcctBucket, utc_offset), AS_INT(AcctBucket, active_s),
                AS_INT(AcctBucket, observed_s),
        };
        json_object *hours = json_object_new_array_ext((int) n);
        for (size_t i = 0; i < n; i++) {
                json_object *h = json_object_new_object();
                wire_members(h, &b[i], hour, ELEMENTSOF(hour));
                json_object_array_add(hours, h);
        }
        return hours;
}

json_object *wire_grid(const int grid[7][24]) {
        json_object *rows = json_object_new_array_ext(7);
        for (size_t i = 0; i < 7; i++) {
                json_object *row = json_object_new_array_ext(24);
                for (size_t h = 0; h < 24; h++)
                        json_object_array_add(row, grid[i][h] < 0 ? NULL : json_object_new_int(grid[i][h]));
                json_object_array_add(rows, row);
        }
        return rows;
}

json_object *wire_digest_nudge(const NudgeRecord *n) {
        static const WireMember nudge[] = {
                AS_STRING(NudgeRecord, policy), AS_DATE(NudgeRecord, date), AS_STRING(NudgeRecord, severity),
                AS_STRING(NudgeRecord, title),
        };
        json_object *o = json_object_new_object();
        wire_members(o, n, nudge, ELEMENTSOF(nudge));
        return o;
}

json_object *wire_consent(const StoreConsent *c) {
        if (!c)
                return NULL;
        json_object *o = json_object_new_object();
        json_object_object_add(o, "granted_at", json_object_new_int64(c->granted_at));
        json_object_object_add(o, "text_version", json_object_new_string(c->text_version));
        json_object_object_add(o, "text_sha256", json_object_new_string(c->text_sha256));
        json_object_object_add(o, "revoked_at", c->revoked_at ? json_object_new_int64(c->revoked_at) : NULL);
        json_object_object_add(o, "current",
                               json_object_new_boolean(strcmp(c->text_sha256, consent_text_SHA256) == 0 &&
                                                       strcmp(c->text_version, KIZUKI_CONSENT_VERSION) == 0));
        return o;
}

json_object *wire_share(const StoreShare *sh) {
        static const WireMember share[] = {
                AS_INT64(StoreShare, id), AS_INT64(StoreShare, at), AS_STRING(StoreShare, recipient),
                AS_STRING(StoreShare, transport), AS_STRING(StoreShare, week), AS_STRING(StoreShare, level),
                AS_STRING(StoreShare, format), AS_INT64(StoreShare, size), AS_STRING(StoreShare, sha256),
                AS_STRING(StoreShare, result), AS_STRING_OR_NULL(StoreShare, detail),
        };
        json_object *o = json_object_new_object();
        wire_members(o, sh, share, ELEMENTSOF(share));
        return o;
}
