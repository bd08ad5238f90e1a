#include "dates.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "calendar.h"
#include "config.h"
#include "macro.h"
#include "protocol.h"

/* Days back from today that a relative word may name: a century. */
#define DATES_BACK_MAX 36500

/* "-N" followed by unit: N (0..DATES_BACK_MAX) in *ret. */
static int parse_back(const char *arg, char unit, int64_t *ret) {
        int64_t n = 0;
        size_t i = 1;

        if (arg[0] != '-')
                return -EINVAL;
        for (; arg[i] >= '0' && arg[i] <= '9'; i++) {
                n = n * 10 + (arg[i] - '0');
                if (n > DATES_BACK_MAX)
                        return -EINVAL;
        }
        if (i == 1 || arg[i] != unit || arg[i + 1] != '\0')
                return -EINVAL;
        *ret = n;
        return 0;
}

/* The Monday of the week that holds day. */
static int64_t monday_of(int64_t day) {
        int64_t n = floor_div(day, DAY_SECONDS);
        return (n - weekday_of(n)) * DAY_SECONDS;
}

/* The days kizuki can name: those parse_date() reads, 1970-01-01 to 9999-12-31. */
static int day_valid(int64_t day) {
        char date[DATE_MAX];
        int64_t again;
        return format_date(day, date) >= 0 && parse_date(date, &again) >= 0 ? 0 : -EINVAL;
}

int dates_parse_day_at(const char *arg, int64_t today, int64_t *ret_day) {
        int64_t n, day;

        if (!arg)
                return -EINVAL;
        if (parse_date(arg, ret_day) >= 0)
                return 0;
        if (strcmp(arg, "today") == 0)
                day = today;
        else if (strcmp(arg, "yesterday") == 0)
                day = today - DAY_SECONDS;
        else if (strcmp(arg, "this-week") == 0)
                day = monday_of(today);
        else if (strcmp(arg, "last-week") == 0)
                day = monday_of(today) - 7 * DAY_SECONDS;
        else if (parse_back(arg, 'd', &n) >= 0)
                day = today - n * DAY_SECONDS;
        else if (parse_back(arg, 'w', &n) >= 0)
                day = today - 7 * n * DAY_SECONDS;
        else
                return -EINVAL;
        if (day_valid(day) < 0)
                return -EINVAL;
        *ret_day = day;
        return 0;
}

int dates_weeks_in_year(int year) {
        char s[16];
        int64_t monday;
        snprintf(s, sizeof s, "%04d-W53", year);
        return iso_week_parse(s, &monday) >= 0 ? 53 : 52;
}

int dates_parse_week_at(const char *arg, int64_t today, int64_t *ret_monday) {
        char canon[ISO_WEEK_MAX];
        int64_t n, day;
        size_t len;

        if (!arg)
                return -EINVAL;
        len = strlen(arg);
        /* People type "2026-w13" too; kizukid and iso_week_parse() take "2026-W13". */
        if (len == 8 && arg[4] == '-' && (arg[5] == 'W' || arg[5] == 'w')) {
                memcpy(canon, arg, len + 1);
                canon[5] = 'W';
                if (iso_week_parse(canon, ret_monday) >= 0)
                        return 0;
                /* Week 53 of a year that has 52: say so, not "bad format". */
                if (strspn(canon, "0123456789") == 4 && strcmp(canon + 6, "53") == 0) {
                        int year = 0;
                        for (size_t i = 0; i < 4; i++)
                                year = year * 10 + (canon[i] - '0');
                        if (year >= 1971 && year <= 9998 && dates_weeks_in_year(year) == 52)
                                return -EDOM;
                }
                return -EINVAL;
        }
        if (strcmp(arg, "this-week") == 0)
                n = 0;
        else if (strcmp(arg, "last-week") == 0)
                n = 1;
        else if (parse_back(arg, 'w', &n) < 0)
                return -EINVAL;
        day = monday_of(today) - 7 * n * DAY_SECONDS;
        /* The weeks iso_week_parse() takes, that kizukid takes too. */
        char week[ISO_WEEK_MAX];
        if (iso_week_of(day, week, NULL) < 0 || iso_week_parse(week, ret_monday) < 0)
                return -EINVAL;
        return 0;
}

int dates_today(int64_t *ret_today) {
        static int64_t day_start = -1; /* seconds, read once */
        time_t now = time(NULL);
        struct tm tm;

        if (day_start < 0) {
                _cleanup_free_ char *path = protocol_xdg_path("XDG_CONFIG_HOME", ".config", "kizukid.conf");
                Config c;
                config_defaults(&c);
                /* Its problems are kizukid's to report; a bad value keeps the default. */
                if (path)
                        (void) config_load(&c, path, NULL, NULL);
                day_start = (int64_t) c.day_start_min * 60;
        }
        if (now == (time_t) -1 || !localtime_r(&now, &tm))
                return -ERANGE;
        *ret_today = floor_div((int64_t) now + tm.tm_gmtoff - day_start, DAY_SECONDS) * DAY_SECONDS;
        return 0;
}

/* Today, when arg needs it: the relative words start with a letter or '-',
 * dates and weeks with a digit. */
static int today_for(const char *arg, int64_t *ret_today) {
        *ret_today = 0;
        if (arg && arg[0] >= '0' && arg[0] <= '9')
                return 0;
        return dates_today(ret_today);
}

int dates_parse_day(const char *arg, char ret_date[static OUTPUT_DATE_MAX], int64_t *ret_day) {
        int64_t today, day;
        int r;

        if (!arg)
                arg = "today";
        r = today_for(arg, &today);
        if (r < 0)
                return r;
        r = dates_parse_day_at(arg, today, &day);
        if (r < 0)
                return r;
        if (output_format_day(ret_date, OUTPUT_DATE_MAX, day) < 0)
                return -EINVAL;
        *ret_day = day;
        return 0;
}

int dates_parse_week(const char *arg, int64_t *ret_monday) {
        int64_t today;
        int r = today_for(arg, &today);
        return r < 0 ? r : dates_parse_week_at(arg, today, ret_monday);
}
