#include "log.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>

int log_max_priority = 6;

void log_printf(int priority, const char *fmt, ...) {
        if (priority > log_max_priority)
                return;

        int saved = errno;
        va_list ap;
        va_start(ap, fmt);
        fprintf(stderr, "<%d>", priority);
        vfprintf(stderr, fmt, ap);
        fputc('\n', stderr);
        va_end(ap);
        errno = saved;
}
