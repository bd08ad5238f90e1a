/* Logging for kizukid: stderr with sd-daemon <N> priority prefixes. */
#pragma once

#include <systemd/sd-daemon.h>

/* Lowest priority that is printed (SD_DEBUG prints everything). */
extern int log_max_priority;

void log_printf(int priority, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#define log_error(...) log_printf(3, __VA_ARGS__)
#define log_warning(...) log_printf(4, __VA_ARGS__)
#define log_notice(...) log_printf(5, __VA_ARGS__)
#define log_info(...) log_printf(6, __VA_ARGS__)
#define log_debug(...) log_printf(7, __VA_ARGS__)

/* Log at error priority and give back err (a negative errno), for the
 * decision that logs and fails at once: return log_error_errno(r, "…"). */
#define log_error_errno(err, ...) (log_error(__VA_ARGS__), (err))
