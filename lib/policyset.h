/* The policy files in force. Directories are read in order — the shipped
 * defaults ($datadir/kizuki/policies), /etc/kizuki/policies, then
 * $XDG_CONFIG_HOME/kizuki/policies — and a file overrides one of the same name
 * in an earlier directory ("enabled = false" in it disables a default). A file
 * that does not parse is reported and skipped; on a reload the previous good
 * version of it stays in force. */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "policy.h"

typedef struct PolicyEntry {
        char *name;     /* file name without ".policy" */
        char *path;     /* the file in force (or the broken one) */
        Policy *policy; /* NULL when broken and no earlier good version */
        bool broken;    /* the file on disk did not parse */
        bool stale;     /* policy is the previous good version of a broken file */
} PolicyEntry;

typedef struct PolicySet {
        PolicyEntry *entries; /* sorted by name */
        size_t n;
} PolicySet;

/* The default directory list: $KIZUKI_POLICY_PATH (colon-separated) when set,
 * else the three above. *ret is a NULL-terminated malloc'ed array of malloc'ed
 * strings. */
int policyset_default_dirs(char ***ret);
void policyset_dirs_free(char **dirs);

/* Load every *.policy file of dirs (missing directories are fine). previous
 * (may be NULL; freed by the caller afterwards) gives up its good versions of
 * files that are now broken. Problems go to err with file:line. */
int policyset_load(char *const *dirs, PolicySet *previous, PolicyErrorFn err, void *userdata, PolicySet **ret);
PolicySet *policyset_free(PolicySet *s);
static inline void policyset_freep(PolicySet **s) {
        policyset_free(*s);
}

/* The enabled policies in evaluation order: names sorted, composites after the
 * policies they name. *ret malloc'ed (pointers into s). */
int policyset_active(const PolicySet *s, Policy ***ret, size_t *ret_n);
