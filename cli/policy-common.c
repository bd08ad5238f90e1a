/* Shared by the policy commands: see policy-common.h. */
#include "policy-common.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "client.h"
#include "config.h"
#include "macro.h"
#include "output.h"
#include "signals.h"
#include "summary.h"


void policy_common_print_problem(const char *file, unsigned line, const char *message, void *userdata) {
        PolicyProblems *p = userdata;
        char safe[512];

        if (line > 0)
                fprintf(stderr, "%s:%u: %s\n", file, line, output_safe(safe, sizeof safe, message));
        else
                fprintf(stderr, "%s: %s\n", file, output_safe(safe, sizeof safe, message));
        if (p)
                p->n++;
}

int policy_common_load_set(PolicySet **ret, PolicyProblems *problems) {
        char **dirs = NULL;
        int r = policyset_default_dirs(&dirs);
        if (r < 0)
                return r;
        r = policyset_load(dirs, NULL, policy_common_print_problem, problems, ret);
        policyset_dirs_free(dirs);
        return r;
}

bool policy_common_is_file(const char *s) {
        size_t n = strlen(s);
        return strchr(s, '/') || (n > 7 && strcmp(s + n - 7, ".policy") == 0);
}

int policy_common_parse_file(const char *path, PolicyProblems *problems, Policy **ret) {
        _cleanup_free_ char *text = NULL;
        size_t len = 0;

        int r = config_read_file(path, POLICY_FILE_MAX, &text, &len);
        if (r < 0) {
                if (r == -EFBIG)
                        fprintf(stderr, "%s: larger than %d KiB, not a policy file\n", path, POLICY_FILE_MAX / 1024);
                else
                        fprintf(stderr, "%s: %s\n", path, r == -EINVAL ? "not a regular file" : strerror(-r));
                problems->n++;
                return r;
        }
        unsigned before = problems->n;
        r = policy_parse(text, len, path, policy_common_print_problem, problems, ret);
        if (r < 0)
                return r;
        return problems->n > before ? -EINVAL : 0;
}

bool policy_common_is_time(const Policy *p) {
        PolicySignal s = p->signal;
        return p->detector != POLICY_COMPOSITE &&
               (s == POLICY_SIGNAL_FIRST_ACTIVE || s == POLICY_SIGNAL_LAST_ACTIVE || s == POLICY_SIGNAL_SLEEP_ONSET ||
                s == POLICY_SIGNAL_SLEEP_OFFSET || s == POLICY_SIGNAL_SLEEP_MID);
}

/* A value on the line anchored at anchor_min as "HH:MM". */
static void clock_of(double v, int anchor_min, char buf[static POLICY_CLOCK_MAX]) {
        long m = ((lround(v) + anchor_min) % 1440 + 1440) % 1440;
        snprintf(buf, POLICY_CLOCK_MAX, "%02ld:%02ld", m / 60, m % 60);
}

const char *policy_common_format(const Policy *p, const PolicyEval *e, double v, char *buf, size_t size) {
        char clock[POLICY_CLOCK_MAX];

        if (!isfinite(v))
                snprintf(buf, size, "-");
        else if (policy_common_is_time(p)) {
                clock_of(v, e ? e->anchor_min : 0, clock);
                snprintf(buf, size, "%s", clock);
        } else if (fabs(v - round(v)) < 1e-9 && fabs(v) < 1e15)
                snprintf(buf, size, "%.0f", v);
        else
                snprintf(buf, size, "%.2f", v);
        return buf;
}

json_object *policy_common_value_json(const Policy *p, const PolicyEval *e, double v) {
        char clock[POLICY_CLOCK_MAX];

        if (!isfinite(v))
                return NULL;
        if (policy_common_is_time(p)) {
                clock_of(v, e->anchor_min, clock);
                return json_object_new_string(clock);
        }
        return output_json_double(v);
}

int policy_common_fetch_days(const Ctx *ctx, int64_t first, int64_t last, Day **ret, size_t *ret_n,
                             DaySettings *ret_settings) {
        char from[OUTPUT_DATE_MAX], to[OUTPUT_DATE_MAX];

        if (output_format_day(from, sizeof from, policy_replay_start(first)) < 0 ||
            output_format_day(to, sizeof to, last) < 0)
                return -ENOMEM;
        return days_fetch(ctx, from, to, ret, ret_n, ret_settings);
}

static void day_to_signals(const Day *d, DaySignals *ret, Checkin *ret_c) {
        *ret = (DaySignals) {
                .date = d->day,
                .screen_h = d->screen_h,
                .coverage_h = d->coverage_h,
                .night_ratio = d->night_ratio,
                .first_active = d->first_active,
                .last_active = d->last_active,
                .sleep_onset = d->sleep_onset,
                .sleep_offset = d->sleep_offset,
                .sleep_mid = d->sleep_mid,
                .sleep_h = d->sleep_h,
                .is = d->is,
                .iv = d->iv,
                .ra = d->ra,
                .l5 = d->l5,
                .m10 = d->m10,
                .l5_onset = d->l5_onset,
                .m10_onset = d->m10_onset,
        };
        *ret_c = (Checkin) { .date = d->day, .went_out = d->went_out, .met_someone = d->met_someone, .mood = d->mood };
}

double policy_common_daily(const Policy *p, const Day *d) {
        DaySignals ds;
        Checkin ck;

        day_to_signals(d, &ds, &ck);
        return policy_signal_recorded(&ds, &ck, p->signal);
}

int policy_common_judge(Policy *const *p, size_t n_p, const Day *days, size_t n_days, int64_t first,
                        const DaySettings *settings, PolicyEval **ret) {
        _cleanup_free_ DaySignals *ds = calloc(n_days + 1, sizeof *ds);
        _cleanup_free_ Checkin *cs = calloc(n_days + 1, sizeof *cs);
        size_t i_first = 0;

        if (!ds || !cs)
                return -ENOMEM;
        for (size_t i = 0; i < n_days; i++) {
                day_to_signals(&days[i], &ds[i], &cs[i]);
                if (days[i].day < first)
                        i_first = i + 1;
        }
        return policy_judge(p, n_p, ds, n_days, cs, n_days, settings->min_coverage_h, settings->day_start_min, i_first,
                            ret);
}
