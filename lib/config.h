/* kizukid.conf: INI (inih). Unknown keys and bad values are reported with
 * file:line and the default is kept. */
#pragma once

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* [nudges] notify: how a new nudge shows on the desktop. */
typedef enum ConfigNotify {
        CONFIG_NOTIFY_NO,       /* no desktop notification */
        CONFIG_NOTIFY_DISCREET, /* a neutral title and a pointer to kizuki, no figures or topic */
        CONFIG_NOTIFY_FULL,     /* the nudge's own title, text and step */
} ConfigNotify;

typedef struct Config {
        int64_t flush_interval_s; /* [recording] flush_interval, default 300 */
        int64_t hint_expiry_s;    /* [recording] hint_expiry, default 600 */
        bool logind;              /* [recording] logind, default true */
        int day_start_min;        /* [day] day_start "HH:MM", default 00:00 */
        int night_start_min;      /* [day] night_start, default 00:00 */
        int night_end_min;        /* [day] night_end, default 06:00 */
        int min_coverage_h;       /* [day] min_coverage_hours, default 18 */
        int retention_days;       /* [store] retention_days, default 365 */
        int share_log_days;       /* [store] share_log_days, default 730 */
        ConfigNotify notify;      /* [nudges] notify: no|discreet|full (yes = discreet), default discreet */
} Config;

/* Called once per problem with "file:line: message" already formatted. */
typedef void (*ConfigWarnFn)(const char *message, void *userdata);

void config_defaults(Config *c);

/* Parse text (name is used in messages). Returns the number of problems (≥ 0). */
int config_parse_string(Config *c, const char *text, const char *name, ConfigWarnFn warn, void *userdata);

/* Read a regular file of at most max bytes whole: *ret (malloc'ed, NUL-
 * terminated) and *ret_len. Never blocks on a FIFO. -EFBIG when larger, -EISDIR
 * for a directory, -EINVAL for anything but a regular file, else -errno. */
int config_read_file(const char *path, size_t max, char **ret, size_t *ret_len);

/* Load a file over the values in c. -ENOENT when it does not exist (c untouched),
 * other -errno when it cannot be read, else the number of problems. */
int config_load(Config *c, const char *path, ConfigWarnFn warn, void *userdata);

/* "300", "300s", "5min", "5m", "2h", "1d", "1h30min"; seconds in *ret. -EINVAL on bad input. */
int parse_duration(const char *s, int64_t *ret);
/* "HH:MM" (00:00–23:59); minutes after midnight in *ret. -EINVAL on bad input. */
int parse_clock(const char *s, int *ret);
/* yes/no, true/false, on/off, 1/0 (any case). -EINVAL on bad input. */
int parse_bool(const char *s, bool *ret);
/* no, discreet or full (any case); a yes/no word as parse_bool() reads it
 * means discreet or no. -EINVAL on bad input. */
int parse_notify(const char *s, ConfigNotify *ret);
/* "no", "discreet" or "full". */
const char *config_notify_name(ConfigNotify n);
/* Text from a file quoted into a message: control and non-ASCII bytes as \xNN,
 * cut short with "..." when it does not fit in size. Returns buf. */
const char *config_escape(const char *s, char *buf, size_t size);

/* A problem found in a file as people read it: "file:line: message" ("file:
 * message" when line is 0), cut short to fit in size. */
void config_format_problem(char *buf, size_t size, const char *file, int line, const char *fmt, va_list ap)
        __attribute__((format(printf, 5, 0)));

/* The problems found in one file: counted, and handed to warn (when set) as
 * "file:line: message". Used by the kizukid.conf and recipient parsers. */
typedef struct ConfigReport {
        const char *file;
        ConfigWarnFn warn;
        void *userdata;
        int problems;
} ConfigReport;

/* Count one problem at line of r->file (0: the whole file) and report it. */
void config_report(ConfigReport *r, int line, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* Text in memory handed to inih's ini_parse_stream() exactly one physical
 * line per call (config_lines_read is the reader, a ConfigLines its stream),
 * so that inih's line count and ours agree: Debian's inih 55 is built without
 * INI_HANDLER_LINENO. A line that does not fit inih's buffer less `spare`
 * bytes (inih would split it and parse the pieces as lines of their own), or
 * that holds a NUL byte, is replaced by an empty line and reported through
 * problem ("line longer than N characters", "NUL byte in line"). So is text
 * after a section header's ']' (inih reads "[policy] name = x" as "[policy]"
 * and drops the rest): "text 'name = x' after the section header"; an inline
 * ';' comment there is fine. classify, when set, sees each line that inih
 * takes for a section header, a key line or an error, trimmed as inih trims
 * it: [s, e), without the BOM and the whitespace around. Used by
 * kizukid.conf, policy and recipient files. */
typedef struct ConfigLines {
        const char *p, *end; /* text not yet handed to inih */
        int line;            /* physical line inih is working on, from 1 */
        int spare;           /* ≥ 1: bytes of inih's buffer left unused (the NUL is one) */
        /* inih's view, mirrored: the last key line had a name, which an
         * indented line continues; this line is such a continuation. */
        bool prev_name, continuation;
        void (*problem)(void *userdata, int line, const char *what);
        void (*classify)(void *userdata, const char *s, const char *e);
        void *userdata;
} ConfigLines;

char *config_lines_read(char *str, int num, void *stream);
/* inih's find_chars_or_comment() over [s, e): the first of chars, or an
 * inline comment (';' after whitespace), or e. */
const char *config_ini_find(const char *s, const char *e, const char *chars);
