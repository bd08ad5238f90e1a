/* libFuzzer target for policy files: whatever the text, parsing never crashes
 * and reports every problem once with a real line; a policy that parses
 * replays over a fixed synthetic history (after three fixed policies, so that
 * a composite has something to name) without breaking the contract of
 * policy.h, and its nudge texts format into clean UTF-8. */
#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "policy.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define N_DAYS 120
#define N_BASE 3
#define DAY INT64_C(86400)
#define JAN1 INT64_C(1767225600) /* 2026-01-01 as local seconds of 00:00 */

typedef struct Problems {
        size_t n;
        unsigned max_line;
        bool bad;
} Problems;

static void count_problem(const char *file, unsigned line, const char *message, void *userdata) {
        Problems *pr = userdata;

        if (!file || strcmp(file, "fuzz.policy") != 0 || !message || !*message || line < 1 || line > pr->max_line)
                pr->bad = true;
        pr->n++;
}

static void check(bool ok) {
        if (!ok)
                abort();
}

/* Well-formed UTF-8 without control characters. */
static bool clean_utf8(const char *s) {
        const unsigned char *u = (const unsigned char *) s;

        while (*u) {
                size_t n = *u < 0x80 ? 0 : *u >= 0xf0 ? 3 : *u >= 0xe0 ? 2 : *u >= 0xc2 ? 1 : 99;

                if (n == 99 || *u < 0x20 || *u == 0x7f)
                        return false;
                for (size_t i = 1; i <= n; i++)
                        if ((u[i] & 0xc0) != 0x80)
                                return false;
                u += n + 1;
        }
        return true;
}

static DaySignals days[N_DAYS];
static Checkin checkins[N_DAYS / 2];
static Policy *base[N_BASE];

/* Someone steady for two months whose nights then drift later and whose
 * screen hours creep up, with gaps, poorly covered days and check-ins on
 * every other day. */
static void setup(void) {
        static const char *const texts[N_BASE] = {
                "[policy]\nname = late-nights\nsignal = sleep_mid\ndetector = baseline\n[baseline]\ndays = 21d\n"
                "min_days = 7\nz = 1.5\nmin_change = 30min\n[nudge]\ntitle = t\nbody = b\n",
                "[policy]\nname = screen-creep\nsignal = screen_h\ndetector = threshold\n[threshold]\nvalue = 7\n"
                "[nudge]\ntitle = t\nbody = b\n",
                "[policy]\nname = few-outings\nsignal = went_out\naggregate = count\ncount_when = = 1\n"
                "detector = threshold\ndirection = down\n[threshold]\nvalue = 2\n[nudge]\ntitle = t\nbody = b\n",
        };
        uint32_t seed = 12345;

        for (int i = 0; i < N_DAYS; i++) {
                int drift = i < 60 ? 0 : i - 60; /* days into the drift */
                double noise;

                seed = seed * 1103515245u + 12345u;
                noise = (double) (seed >> 16 & 0x7fff) / 0x7fff - 0.5;
                days[i] = (DaySignals) {
                        .date = JAN1 + i * DAY,
                        .screen_h = 4 + drift * 0.12 + noise,
                        .coverage_h = i % 17 == 5 ? 12 : 23.5,
                        .night_ratio = i % 9 == 3 ? NAN : 0.05 + drift * 0.006 + noise / 10,
                        .first_active = (9 * 60 + drift * 4 + (int) (noise * 30) + 1440) % 1440,
                        .last_active = (23 * 60 + drift * 5 + (int) (noise * 30)) % 1440,
                        .sleep_onset = (23 * 60 + 30 + drift * 5 + (int) (noise * 40)) % 1440,
                        .sleep_offset = (7 * 60 + drift * 4 + (int) (noise * 40) + 1440) % 1440,
                        .sleep_mid = (3 * 60 + 15 + drift * 4 + (int) (noise * 40) + 1440) % 1440,
                        .sleep_h = 7.5 - drift * 0.02 + noise,
                        .is = 0.6 - drift * 0.004 + noise / 20,
                        .iv = 0.8 + drift * 0.006 + noise / 20,
                        .ra = 0.85 - drift * 0.002 + noise / 50,
                        .l5 = 1 + noise,
                        .m10 = 30 - drift * 0.1 + noise,
                        .l5_onset = 120,
                        .m10_onset = 600,
                };
                if (i % 23 == 11) { /* a day with nothing */
                        days[i].screen_h = days[i].sleep_h = days[i].is = days[i].iv = days[i].ra = NAN;
                        days[i].l5 = days[i].m10 = NAN;
                        days[i].first_active = days[i].last_active = -1;
                        days[i].sleep_onset = days[i].sleep_offset = days[i].sleep_mid = -1;
                }
        }
        for (int i = 0; i < N_DAYS / 2; i++)
                checkins[i] = (Checkin) {
                        .date = JAN1 + (N_DAYS - 1 - 2 * i) * DAY,
                        .went_out = i % 3 == 0,
                        .met_someone = i % 5 == 0 ? -1 : i % 2,
                        .mood = 1 + i % 5,
                };
        for (int i = 0; i < N_BASE; i++)
                check(policy_parse(texts[i], strlen(texts[i]), "base.policy", NULL, NULL, &base[i]) == 0);
}

static void check_policy(const Policy *p) {
        /* A disabled policy needs no [nudge] (policy_parse()): it never nudges. */
        check(p->name && *p->name);
        if (p->enabled)
                check(p->title && *p->title && p->body && *p->body);
        check((!p->title || clean_utf8(p->title)) && (!p->body || clean_utf8(p->body)));
        check(!p->step || (*p->step && clean_utf8(p->step)));
        check(p->window_days >= 1 && p->window_days <= 366);
        check(p->min_valid_days >= 1 && p->min_valid_days <= p->window_days);
        check(p->for_days >= 0 && p->keep_firing_for_days >= 0 && p->cooldown_days >= 0);
        check(p->baseline_days >= 1 && p->baseline_min_days >= 1);
        check(p->trend_min_days >= 2 && p->composite_min >= 1);
        check(isfinite(p->threshold) && isfinite(p->count_value) && p->z_min >= 0 && p->min_change >= 0);
        check(p->cusum_k >= 0 && p->cusum_h >= 0 && p->min_slope >= 0);
        check((unsigned) p->signal < _POLICY_SIGNAL_MAX && policy_signal_name(p->signal));
        check(policy_detector_name(p->detector) && policy_severity_name(p->severity));
        if (p->aggregate == POLICY_COUNT)
                check(p->count_op && strchr("<>=lg", p->count_op));
        if (p->detector == POLICY_COMPOSITE)
                check(p->n_composite >= 1 && (size_t) p->composite_min <= p->n_composite);
        for (size_t i = 0; i < p->n_composite; i++)
                check(p->composite[i] && *p->composite[i]);
}

static void check_format(const Policy *p, const PolicyEval *e, const char *tmpl) {
        char *s = NULL;

        if (!tmpl)
                return;
        check(policy_format(p, e, tmpl, &s) == 0);
        check(s && clean_utf8(s));
        free(s);
}

/* The contract of policy.h, day by day. */
static void check_evals(const Policy *p, const PolicyEval *e, size_t n) {
        PolicyState prev = POLICY_INACTIVE;
        int64_t last_nudge = -1;

        for (size_t d = 0; d < n; d++) {
                const PolicyEval *x = &e[d];

                check(x->date == days[d].date);
                check(x->state == POLICY_INACTIVE || x->state == POLICY_PENDING || x->state == POLICY_FIRING);
                if (x->nudge) {
                        check(x->state == POLICY_FIRING && x->known);
                        check(last_nudge < 0 || (int64_t) d - last_nudge >= p->cooldown_days);
                        last_nudge = (int64_t) d;
                }
                if (!p->enabled)
                        check(!x->known && x->state == POLICY_INACTIVE && !x->nudge);
                if (!x->known) {
                        check(x->state == prev && !x->condition && isnan(x->value));
                } else {
                        switch (p->detector) {
                        case POLICY_THRESHOLD:
                        case POLICY_BASELINE:
                                check(isfinite(x->value) && isfinite(x->baseline));
                                break;
                        case POLICY_TREND:
                                check(isfinite(x->value) && isfinite(x->score));
                                break;
                        case POLICY_CUSUM:
                                check(isfinite(x->value) && isfinite(x->baseline) && x->score >= 0);
                                check(x->condition == (x->score > p->cusum_h));
                                break;
                        case POLICY_COMPOSITE:
                                check(x->score >= 0 && x->score <= (double) p->n_composite);
                                break;
                        }
                        if (p->detector == POLICY_BASELINE)
                                check(!isnan(x->score) && x->spread >= 0);
                }
                if (p->enabled && p->detector == POLICY_COMPOSITE)
                        check(x->known);
                if (x->state == POLICY_PENDING)
                        check(p->for_days > 1);
                if (x->state == POLICY_FIRING && prev == POLICY_INACTIVE)
                        check(p->for_days <= 1 && x->condition);
                if (x->state != prev && x->state != POLICY_INACTIVE)
                        check(x->known && x->condition);
                prev = x->state;
        }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        static bool initialized = false;
        Problems pr = { .max_line = 1 };
        Policy *p = NULL, *all[N_BASE + 1];
        PolicyEval *e = NULL;
        int r;

        if (!initialized) {
                setup();
                initialized = true;
        }
        for (size_t i = 0; i < size; i++)
                pr.max_line += data[i] == '\n';

        r = policy_parse((const char *) data, size, "fuzz.policy", count_problem, &pr, &p);
        check(r >= 0 && (size_t) r == pr.n && !pr.bad);
        check((r == 0) == (p != NULL));
        if (!p)
                return 0;
        check_policy(p);

        /* After the fixed policies, with a day start at 04:00. */
        memcpy(all, base, sizeof base);
        all[N_BASE] = p;
        check(policy_replay(all, N_BASE + 1, days, N_DAYS, checkins, N_DAYS / 2, 18, 240, &e) == 0);
        for (size_t i = 0; i <= N_BASE; i++)
                check_evals(all[i], e + i * N_DAYS, N_DAYS);
        for (size_t d = 0; d < N_DAYS; d++) {
                const PolicyEval *x = &e[N_BASE * N_DAYS + d];

                if (!x->nudge && d != 0 && d != N_DAYS - 1 && d % 29 != 0)
                        continue;
                check_format(p, x, p->title);
                check_format(p, x, p->body);
                check_format(p, x, p->step);
        }
        check_format(p, NULL, p->body);
        free(e);

        /* On its own, from midnight, over a shorter stretch. */
        check(policy_replay(&p, 1, days + 30, 40, checkins, N_DAYS / 2, 20, 0, &e) == 0);
        free(e);

        policy_free(p);
        return 0;
}
