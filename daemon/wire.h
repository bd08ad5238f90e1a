/* Records as the interface spells them (io.kizuki.Daemon.varlink): dates,
 * times of day, figures, days, weekly figures, hours, consent, shares. Pure
 * builders over lib/ and store types; they call nothing in daemon/. (A Nudge
 * is lib/nudge.h's nudge_record_json(), which kizuki import shares.) */
#pragma once

#include <json-c/json.h>
#include <stdint.h>

#include "config.h"
#include "digest-trend.h"
#include "store.h"
#include "summary.h"

/* "YYYY-MM-DD" of local seconds (the date read as UTC); NULL if out of range. */
json_object *wire_date(int64_t local);
/* "2026-03-30T07:05:00Z" for an instant; NULL if out of range. */
json_object *wire_utc(int64_t t);
/* "HH:MM" of minutes after midnight; NULL (null) for a negative value. */
json_object *wire_minutes(int m);
/* The settings days are computed with (kizukid.conf [day]): day_start,
 * night_start, night_end, min_coverage_h, as GetDays and GetDigest send them. */
json_object *wire_settings(const Config *c);
/* A figure; NULL (null) when not finite. */
json_object *wire_figure(double v);
/* A yes/no answer; NULL (null) when not given (< 0). */
json_object *wire_answer(int v);

/* A Day: the day's signals and the check-in answers (c may be NULL);
 * low_coverage against min_coverage_h. */
json_object *wire_day(const DaySignals *ds, const Checkin *c, int min_coverage_h);
/* A day row of the digest: a Day without the check-in answers, which a
 * digest gives only as counts. */
json_object *wire_digest_day(const DaySignals *ds, int min_coverage_h);
/* Figures: a week's means, or a baseline's medians. */
json_object *wire_figures(const Figures *f);
/* The digest's trend: {weeks: [{week, from, days, screen_h, night_ratio,
 * sleep_mid, sleep_h, sri}], usual: {SIGNAL: {median, low, high, spread,
 * days}}}, docs/digest.md. */
json_object *wire_trend(const DigestTrend *t);
/* The digest's headline: [{signal, value, usual, change_min (sleep_mid) or
 * change, direction, score}], docs/digest.md. */
json_object *wire_headline(const HeadlineEntry *h, size_t n);
/* Hours: one Hour (start, utc_offset, active_s, observed_s) per bucket. */
json_object *wire_hours(const AcctBucket *b, size_t n);
/* A digest's grid of active minutes per hour: 7 rows of 24, null where unobserved. */
json_object *wire_grid(const int grid[7][24]);
/* A nudge as a digest names it (policy, date, severity, title): not its body
 * nor what the person did. */
json_object *wire_digest_nudge(const NudgeRecord *n);
/* A Consent record; NULL (null) when c is NULL. */
json_object *wire_consent(const StoreConsent *c);
/* A Share of the share log. */
json_object *wire_share(const StoreShare *sh);
