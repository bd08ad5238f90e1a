#include "nudge.h"

#include <stdlib.h>

void nudge_record_done(NudgeRecord *n) {
        if (!n)
                return;
        free(n->policy);
        free(n->severity);
        free(n->title);
        free(n->body);
        free(n->step);
        free(n->rule);
        free(n->state);
        *n = (NudgeRecord) {};
}

void nudge_records_free(NudgeRecord *v, size_t n) {
        for (size_t i = 0; i < n; i++)
                nudge_record_done(&v[i]);
        free(v);
}
