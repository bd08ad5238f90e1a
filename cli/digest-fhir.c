/* The digest as a FHIR R4 Bundle (type collection) of Observations, for
 * clinical systems. Every figure uses kizuki's own CodeSystem (docs/digest.md):
 * the rest window is the longest break from one computer, not sleep, so it has
 * no sleep LOINC code, and its Observation.method says how it is derived.
 * Weekly means always (effectivePeriod: the week); at daily and hourly, also
 * one Observation per day and figure (effectivePeriod: the day), for days
 * observed well enough. The hours have no FHIR form and are not sent. The
 * subject is Patient/<patient_id>, with a display name only when one was
 * given. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "calendar.h"
#include "digest-common.h"
#include "digest-fhir.h"
#include "json-cleanup.h"
#include "output.h"
#include "sha256.h"

#define UCUM "http://unitsofmeasure.org"
#define CATEGORY "http://terminology.hl7.org/CodeSystem/observation-category"
#define KIZUKI_CODES "https://kizuki.invalid/fhir/CodeSystem/digest"
#define DEFAULT_PATIENT "kizuki-person"

typedef struct FhirCode {
        const char *key;     /* in Figures and Day */
        const char *system;
        const char *code;
        const char *display;
        const char *unit;    /* UCUM */
        double scale;        /* model value × scale = the quantity */
        int decimals;
        bool daily;          /* also per day */
        const char *method;  /* Observation.method.text: how it is derived; NULL: none */
        bool time;           /* a time of day ("HH:MM" in the model): valueTime, not valueQuantity */
} FhirCode;

#define REST_METHOD                                                                                       \
        "Inferred from computer use only: the longest run of hours with at most 5 active minutes "       \
        "at this computer between noon and noon. An upper bound on sleep, not a sleep measurement."
#define SRI_METHOD                                                                                        \
        "Sleep Regularity Index (Phillips et al. 2017) computed on the rest window instead of sleep: "   \
        "the chance of being inside or outside the rest window at the same time 24 h apart, scaled "     \
        "-100..100, over the 7 days ending on the last day, hourly resolution."
#define SJL_METHOD                                                                                        \
        "Mean midpoint of the rest windows before Saturdays and Sundays minus that of the rest "         \
        "windows before Monday to Friday, over the 7 days ending on the last day (after Wittmann "      \
        "et al. 2006, on the rest window instead of sleep)."

static const FhirCode codes[] = {
        { "sleep_h", KIZUKI_CODES, "rest-window-length", "Longest computer-free period overnight", "h", 1, 2, true,
          REST_METHOD, false },
        { "screen_h", KIZUKI_CODES, "screen-time", "Screen time (active time at the computer) per day", "h", 1, 2,
          true, NULL, false },
        { "night_ratio", KIZUKI_CODES, "night-activity-ratio", "Share of the day's active time in the night window",
          "%", 100, 1, true, NULL, false },
        { "is", KIZUKI_CODES, "interdaily-stability", "Interdaily stability (IS) of hourly activity", "1", 1, 3,
          false, NULL, false },
        { "iv", KIZUKI_CODES, "intradaily-variability", "Intradaily variability (IV) of hourly activity", "1", 1, 3,
          false, NULL, false },
        { "ra", KIZUKI_CODES, "relative-amplitude", "Relative amplitude (RA) of hourly activity", "1", 1, 3, false, NULL, false },
        { "sri", KIZUKI_CODES, "rest-window-regularity-index",
          "Regularity index of the rest window (Sleep Regularity Index method)", "1", 1, 1, false, SRI_METHOD, false },
        { "social_jet_lag_h", KIZUKI_CODES, "rest-window-social-jet-lag",
          "Rest window midpoint, free days minus work days", "h", 1, 2, false, SJL_METHOD, false },
        /* The rest window's timing, which the sleep-shift policy watches. */
        { "sleep_onset", KIZUKI_CODES, "rest-window-start", "Start of the longest computer-free period overnight",
          NULL, 1, 0, true, REST_METHOD, true },
        { "sleep_mid", KIZUKI_CODES, "rest-window-midpoint",
          "Midpoint of the longest computer-free period overnight", NULL, 1, 0, true, REST_METHOD, true },
        { "sleep_offset", KIZUKI_CODES, "rest-window-end", "End of the longest computer-free period overnight", NULL,
          1, 0, true, REST_METHOD, true },
};

static json_object *str(const char *s) {
        return json_object_new_string(s);
}

static json_object *coding(const char *system, const char *code, const char *display) {
        json_object *c = json_object_new_object();
        json_object_object_add(c, "system", str(system));
        json_object_object_add(c, "code", str(code));
        json_object_object_add(c, "display", str(display));
        return c;
}

static json_object *one(json_object *o) {
        json_object *a = json_object_new_array();
        json_object_array_add(a, o);
        return a;
}

/* "urn:uuid:…" named by the Bundle and the Observation's id: the same digest
 * gets the same fullUrls (so the same bytes), different Observations different
 * ones. The first 16 bytes of a SHA-256, marked as an RFC 9562 version 8
 * (custom) UUID. */
static json_object *full_url(const char *bundle_id, const char *id) {
        uint8_t h[SHA256_DIGEST_SIZE];
        char buf[64];
        Sha256 s;

        sha256_init(&s);
        sha256_update(&s, bundle_id, strlen(bundle_id));
        sha256_update(&s, "/", 1);
        sha256_update(&s, id, strlen(id));
        sha256_final(&s, h);
        h[6] = (uint8_t) ((h[6] & 0x0f) | 0x80);
        h[8] = (uint8_t) ((h[8] & 0x3f) | 0x80);
        snprintf(buf, sizeof buf,
                 "urn:uuid:%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x", h[0], h[1], h[2],
                 h[3], h[4], h[5], h[6], h[7], h[8], h[9], h[10], h[11], h[12], h[13], h[14], h[15]);
        return str(buf);
}

/* A Quantity of c's unit for a model value. */
static json_object *quantity(const FhirCode *c, double value) {
        double p = pow(10, c->decimals);
        json_object *q = json_object_new_object();
        json_object_object_add(q, "value", output_json_double(round(value * c->scale * p) / p));
        json_object_object_add(q, "unit", str(c->unit));
        json_object_object_add(q, "system", str(UCUM));
        json_object_object_add(q, "code", str(c->unit));
        return q;
}

/* Observation.referenceRange of a weekly mean: the person's usual range
 * (model.trend.usual), low and high as quantities (a time of day has no
 * Quantity: the text alone says it), and what it is; NULL when there is none. */
static json_object *usual_range(json_object *model, const FhirCode *c) {
        const DigestFigure *f = digest_trend_figure(c->key);
        json_object *u = f ? digest_usual(model, c->key) : NULL;
        char words[64], text[256], median[32];
        if (!f || isnan(digest_value(u, &(DigestFigure) { "median", f->label, f->kind })))
                return NULL;
        double lo = digest_value(u, &(DigestFigure) { "low", f->label, f->kind }),
               hi = digest_value(u, &(DigestFigure) { "high", f->label, f->kind });
        digest_usual_words(model, f, words, sizeof words);
        digest_format_value(median, sizeof median, f, digest_value(u, &(DigestFigure) { "median", f->label, f->kind }));
        /* "usually 6.0–7.8 h", or no range but a median. */
        bool range = strncmp(words, "usually ", 8) == 0;
        if (range)
                snprintf(text, sizeof text,
                         "This person's usual range (the middle half of the 28 days before the week): %s; median %s",
                         words + 8, median);
        else
                snprintf(text, sizeof text, "This person's usual median (of the 28 days before the week): %s", median);
        json_object *r = json_object_new_object();
        if (!c->time && !isnan(lo) && !isnan(hi)) {
                json_object_object_add(r, "low", quantity(c, lo));
                json_object_object_add(r, "high", quantity(c, hi));
        }
        json_object_object_add(r, "text", str(text));
        return one(r);
}

/* One Observation, as a Bundle entry. A weekly one (the mean of the week's
 * days) has its own code, CODE-weekly-mean, so that no reader takes it for a
 * day's value. range: its referenceRange, taken over; NULL for none. */
static json_object *observation(const FhirCode *c, bool weekly, double value, const char *id_prefix,
                                const char *start, const char *end, const char *issued, const char *bundle_id,
                                json_object *subject, json_object *range) {
        char id[80], code_s[64], display[160];
        snprintf(code_s, sizeof code_s, "%s%s", c->code, weekly ? "-weekly-mean" : "");
        snprintf(display, sizeof display, "%s%s", c->display, weekly ? ", mean of the week's days" : "");
        snprintf(id, sizeof id, "%s-%s", id_prefix, code_s);

        json_object *o = json_object_new_object();
        json_object_object_add(o, "resourceType", str("Observation"));
        json_object_object_add(o, "id", str(id));
        json_object_object_add(o, "status", str("final"));
        json_object *cat = json_object_new_object();
        json_object_object_add(cat, "coding", one(coding(CATEGORY, "activity", "Activity")));
        json_object_object_add(o, "category", one(cat));
        json_object *code = json_object_new_object();
        json_object_object_add(code, "coding", one(coding(c->system, code_s, display)));
        json_object_object_add(code, "text", str(display));
        json_object_object_add(o, "code", code);
        json_object_object_add(o, "subject", json_object_get(subject));
        if (c->method) {
                json_object *method = json_object_new_object();
                json_object_object_add(method, "text", str(c->method));
                json_object_object_add(o, "method", method);
        }
        json_object *period = json_object_new_object();
        json_object_object_add(period, "start", str(start));
        json_object_object_add(period, "end", str(end));
        json_object_object_add(o, "effectivePeriod", period);
        json_object_object_add(o, "issued", str(issued));
        if (c->time) {
                char t[16];
                snprintf(t, sizeof t, "%02d:%02d:00", (int) value / 60 % 24, (int) value % 60);
                json_object_object_add(o, "valueTime", str(t));
        } else
                json_object_object_add(o, "valueQuantity", quantity(c, value));
        if (range)
                json_object_object_add(o, "referenceRange", range);

        json_object *e = json_object_new_object();
        json_object_object_add(e, "fullUrl", full_url(bundle_id, id));
        json_object_object_add(e, "resource", o);
        return e;
}

/* The figure of o, NAN when null: a number, or a time of day in minutes. */
static double fhir_value(json_object *o, const FhirCode *c) {
        if (c->time) {
                int m = digest_clock(o, c->key);
                return m < 0 ? NAN : m;
        }
        return digest_number(o, c->key);
}

/* The trend's earlier weeks (the digest's own is in the weekly means): one
 * Observation per week and trend figure that has a value, with the weekly
 * mean's code and that week as its effectivePeriod. */
static void trend_observations(json_object *entries, json_object *model, const char *issued, const char *bundle_id,
                               json_object *subject) {
        json_object *weeks = json_object_object_get(json_object_object_get(model, "trend"), "weeks");
        size_t n = json_object_array_length(weeks);
        for (size_t w = 0; w + 1 < n; w++) {
                json_object *x = json_object_array_get_idx(weeks, w);
                const char *from = digest_string(x, "from");
                char to[DATE_MAX];
                int64_t mon;
                if (!from || parse_date(from, &mon) < 0 || format_date(mon + 6 * DAY_S, to) < 0)
                        continue;
                for (size_t i = 0; i < sizeof codes / sizeof codes[0]; i++) {
                        double v = fhir_value(x, &codes[i]);
                        if (digest_trend_figure(codes[i].key) && !isnan(v))
                                json_object_array_add(entries, observation(&codes[i], true, v, digest_string(x, "week"),
                                                                           from, to, issued, bundle_id, subject, NULL));
                }
        }
}

int digest_render_fhir(json_object *model, DigestLevel level, const DigestOptions *o, FILE *f) {
        const char *pid = o->patient_id ? o->patient_id : DEFAULT_PATIENT;
        const char *week = digest_string(model, "week"), *issued = digest_string(model, "generated_at");
        json_object *mean = json_object_object_get(model, "mean");
        char ref[128], bundle_id[64];

        /* A FHIR id: 1..64 of A-Z a-z 0-9 - . */
        size_t n = strlen(pid);
        if (n == 0 || n > 64 ||
            strspn(pid, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-.") != n)
                return -EINVAL;
        snprintf(ref, sizeof ref, "Patient/%s", pid);
        snprintf(bundle_id, sizeof bundle_id, "kizuki-digest-%s", week);

        _cleanup_json_ json_object *subject = json_object_new_object(), *bundle = json_object_new_object();
        json_object_object_add(subject, "reference", str(ref));
        if (o->patient_name)
                json_object_object_add(subject, "display", str(o->patient_name));

        json_object *entries = json_object_new_array();
        for (size_t i = 0; i < sizeof codes / sizeof codes[0]; i++) {
                double v = fhir_value(mean, &codes[i]);
                if (!isnan(v))
                        json_object_array_add(entries, observation(&codes[i], true, v, week,
                                                                   digest_string(model, "from"),
                                                                   digest_string(model, "to"), issued, bundle_id,
                                                                   subject, usual_range(model, &codes[i])));
        }
        trend_observations(entries, model, issued, bundle_id, subject);
        if (level >= DIGEST_LEVEL_DAILY) {
                json_object *days = json_object_object_get(model, "days");
                for (size_t d = 0; d < json_object_array_length(days); d++) {
                        json_object *day = json_object_array_get_idx(days, d);
                        const char *date = digest_string(day, "date");
                        /* Days observed too little are left out, as in the weekly figures. */
                        if (json_object_get_boolean(json_object_object_get(day, "low_coverage")))
                                continue;
                        for (size_t i = 0; i < sizeof codes / sizeof codes[0]; i++) {
                                double v = fhir_value(day, &codes[i]);
                                if (codes[i].daily && !isnan(v))
                                        json_object_array_add(entries, observation(&codes[i], false, v, date, date,
                                                                                   date, issued, bundle_id, subject,
                                                                                   NULL));
                        }
                }
        }

        json_object_object_add(bundle, "resourceType", str("Bundle"));
        json_object_object_add(bundle, "id", str(bundle_id));
        json_object_object_add(bundle, "type", str("collection"));
        json_object_object_add(bundle, "timestamp", str(issued));
        /* FHIR JSON has no empty arrays. */
        if (json_object_array_length(entries) > 0)
                json_object_object_add(bundle, "entry", entries);
        else
                json_object_put(entries);
        const char *s = json_object_to_json_string_ext(bundle, JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_SPACED |
                                                                       JSON_C_TO_STRING_NOSLASHESCAPE);
        if (!s)
                return -ENOMEM;
        return fprintf(f, "%s\n", s) < 0 ? -EIO : 0;
}
