/* Records → interface JSON (wire.h). Calls lib/ and json-c only. */
#include "wire.h"

#include <math.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "calendar.h"
#include "consent-text.h"
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

json_object *wire_figure(double v) {
        return isfinite(v) ? json_object_new_double(v) : NULL;
}

json_object *wire_answer(int v) {
        return v < 0 ? NULL : json_object_new_boolean(v);
}

json_object *wire_day(const DaySignals *ds, const Checkin *c, int min_coverage_h) {
        json_object *o = json_object_new_object();
        json_object_object_add(o, "date", wire_date(ds->date));
        json_object_object_add(o, "screen_h", json_object_new_double(ds->screen_h));
        json_object_object_add(o, "night_ratio", wire_figure(ds->night_ratio));
        json_object_object_add(o, "first_active", wire_minutes(ds->first_active));
        json_object_object_add(o, "last_active", wire_minutes(ds->last_active));
        json_object_object_add(o, "sleep_onset", wire_minutes(ds->sleep_onset));
        json_object_object_add(o, "sleep_offset", wire_minutes(ds->sleep_offset));
        json_object_object_add(o, "sleep_mid", wire_minutes(ds->sleep_mid));
        json_object_object_add(o, "sleep_h", wire_figure(ds->sleep_h));
        json_object_object_add(o, "coverage_h", json_object_new_double(ds->coverage_h));
        json_object_object_add(o, "low_coverage", json_object_new_boolean(ds->coverage_h < min_coverage_h));
        json_object_object_add(o, "is", wire_figure(ds->is));
        json_object_object_add(o, "iv", wire_figure(ds->iv));
        json_object_object_add(o, "ra", wire_figure(ds->ra));
        json_object_object_add(o, "l5", wire_figure(ds->l5));
        json_object_object_add(o, "l5_onset", wire_minutes(ds->l5_onset));
        json_object_object_add(o, "m10", wire_figure(ds->m10));
        json_object_object_add(o, "m10_onset", wire_minutes(ds->m10_onset));
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
        json_object *o = json_object_new_object();
        json_object_object_add(o, "days", json_object_new_int(f->days));
        json_object_object_add(o, "screen_h", wire_figure(f->screen_h));
        json_object_object_add(o, "night_ratio", wire_figure(f->night_ratio));
        json_object_object_add(o, "first_active", wire_minutes(f->first_active));
        json_object_object_add(o, "last_active", wire_minutes(f->last_active));
        json_object_object_add(o, "sleep_onset", wire_minutes(f->sleep_onset));
        json_object_object_add(o, "sleep_offset", wire_minutes(f->sleep_offset));
        json_object_object_add(o, "sleep_mid", wire_minutes(f->sleep_mid));
        json_object_object_add(o, "sleep_h", wire_figure(f->sleep_h));
        json_object_object_add(o, "coverage_h", wire_figure(f->coverage_h));
        json_object_object_add(o, "is", wire_figure(f->is));
        json_object_object_add(o, "iv", wire_figure(f->iv));
        json_object_object_add(o, "ra", wire_figure(f->ra));
        json_object_object_add(o, "l5", wire_figure(f->l5));
        json_object_object_add(o, "m10", wire_figure(f->m10));
        json_object_object_add(o, "went_out_days", json_object_new_int(f->went_out_days));
        json_object_object_add(o, "met_someone_days", json_object_new_int(f->met_someone_days));
        json_object_object_add(o, "checkin_days", json_object_new_int(f->checkin_days));
        json_object_object_add(o, "mood", wire_figure(f->mood));
        return o;
}

json_object *wire_hours(const AcctBucket *b, size_t n) {
        json_object *hours = json_object_new_array_ext((int) n);
        for (size_t i = 0; i < n; i++) {
                json_object *h = json_object_new_object();
                json_object_object_add(h, "start", json_object_new_int64(b[i].start));
                json_object_object_add(h, "utc_offset", json_object_new_int(b[i].utc_offset));
                json_object_object_add(h, "active_s", json_object_new_int(b[i].active_s));
                json_object_object_add(h, "observed_s", json_object_new_int(b[i].observed_s));
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
        json_object *o = json_object_new_object();
        json_object_object_add(o, "policy", json_object_new_string(n->policy));
        json_object_object_add(o, "date", wire_date(n->date));
        json_object_object_add(o, "severity", json_object_new_string(n->severity));
        json_object_object_add(o, "title", json_object_new_string(n->title));
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
        json_object *o = json_object_new_object();
        json_object_object_add(o, "id", json_object_new_int64(sh->id));
        json_object_object_add(o, "at", json_object_new_int64(sh->at));
        json_object_object_add(o, "recipient", json_object_new_string(sh->recipient));
        json_object_object_add(o, "transport", json_object_new_string(sh->transport));
        json_object_object_add(o, "week", json_object_new_string(sh->week));
        json_object_object_add(o, "level", json_object_new_string(sh->level));
        json_object_object_add(o, "format", json_object_new_string(sh->format));
        json_object_object_add(o, "size", json_object_new_int64(sh->size));
        json_object_object_add(o, "sha256", json_object_new_string(sh->sha256));
        json_object_object_add(o, "result", json_object_new_string(sh->result));
        json_object_object_add(o, "detail", sh->detail ? json_object_new_string(sh->detail) : NULL);
        return o;
}
