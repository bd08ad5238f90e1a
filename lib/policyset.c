#include "policyset.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "config.h"
#include "macro.h"
#include "version.h"

#define POLICY_SUFFIX ".policy"

void policyset_dirs_free(char **dirs) {
        if (!dirs)
                return;
        for (char **d = dirs; *d; d++)
                free(*d);
        free(dirs);
}

static int dirs_push(char ***dirs, size_t *n, char *s) {
        if (!s)
                return -ENOMEM;
        char **nd = realloc(*dirs, (*n + 2) * sizeof *nd);
        if (!nd) {
                free(s);
                return -ENOMEM;
        }
        nd[(*n)++] = s;
        nd[*n] = NULL;
        *dirs = nd;
        return 0;
}

int policyset_default_dirs(char ***ret) {
        char **dirs = NULL;
        size_t n = 0;
        int r = 0;
        const char *path = getenv("KIZUKI_POLICY_PATH");

        if (path && *path) {
                _cleanup_free_ char *copy = strdup(path);
                if (!copy)
                        return -ENOMEM;
                char *save = NULL;
                for (char *d = strtok_r(copy, ":", &save); d && r >= 0; d = strtok_r(NULL, ":", &save))
                        r = dirs_push(&dirs, &n, strdup(d));
        } else {
                r = dirs_push(&dirs, &n, strdup(KIZUKI_POLICYDIR));
                if (r >= 0)
                        r = dirs_push(&dirs, &n, strdup("/etc/kizuki/policies"));
                const char *xdg = getenv("XDG_CONFIG_HOME"), *home = getenv("HOME");
                char *user = NULL;
                if (xdg && xdg[0] == '/') {
                        if (asprintf(&user, "%s/kizuki/policies", xdg) < 0)
                                user = NULL;
                } else if (home && home[0] == '/') {
                        if (asprintf(&user, "%s/.config/kizuki/policies", home) < 0)
                                user = NULL;
                }
                if (r >= 0 && user)
                        r = dirs_push(&dirs, &n, user);
        }
        if (r < 0 || !dirs) {
                policyset_dirs_free(dirs);
                return r < 0 ? r : -ENOMEM;
        }
        *ret = dirs;
        return 0;
}

PolicySet *policyset_free(PolicySet *s) {
        if (!s)
                return NULL;
        for (size_t i = 0; i < s->n; i++) {
                free(s->entries[i].name);
                free(s->entries[i].path);
                policy_free(s->entries[i].policy);
        }
        free(s->entries);
        free(s);
        return NULL;
}

static PolicyEntry *entry_find(PolicySet *s, const char *name) {
        for (size_t i = 0; i < s->n; i++)
                if (strcmp(s->entries[i].name, name) == 0)
                        return &s->entries[i];
        return NULL;
}

static int names_cmp(const void *a, const void *b) {
        return strcmp(*(char *const *) a, *(char *const *) b);
}

/* The *.policy names of one directory, sorted, so loading is deterministic. */
static int dir_list(const char *dir, char ***ret, size_t *ret_n) {
        DIR *d = opendir(dir);
        if (!d) {
                *ret = NULL;
                *ret_n = 0;
                return errno == ENOENT || errno == ENOTDIR ? 0 : -errno;
        }
        char **names = NULL;
        size_t n = 0;
        struct dirent *de;
        int r = 0;
        while ((de = readdir(d))) {
                size_t len = strlen(de->d_name), sl = strlen(POLICY_SUFFIX);
                if (de->d_name[0] == '.' || len <= sl || strcmp(de->d_name + len - sl, POLICY_SUFFIX) != 0)
                        continue;
                char **nn = realloc(names, (n + 1) * sizeof *nn);
                if (!nn || !(nn[n] = strdup(de->d_name))) {
                        names = nn ? nn : names;
                        r = -ENOMEM;
                        break;
                }
                names = nn;
                n++;
        }
        closedir(d);
        if (r < 0) {
                for (size_t i = 0; i < n; i++)
                        free(names[i]);
                free(names);
                return r;
        }
        if (n > 1)
                qsort(names, n, sizeof *names, names_cmp);
        *ret = names;
        *ret_n = n;
        return 0;
}

/* Parse path and put it in force under name, replacing what an earlier
 * directory had. */
static int load_one(PolicySet *s, const char *name, const char *path, PolicyErrorFn err, void *userdata) {
        _cleanup_free_ char *text = NULL;
        size_t len = 0;
        Policy *p = NULL;
        int r = config_read_file(path, POLICY_FILE_MAX, &text, &len);
        if (r < 0) {
                char msg[128];
                snprintf(msg, sizeof msg, "cannot read: %s", strerror(-r));
                if (err)
                        err(path, 0, msg, userdata);
        } else {
                r = policy_parse(text, len, path, err, userdata, &p);
                if (r < 0)
                        return r; /* out of memory */
        }

        PolicyEntry *e = entry_find(s, name);
        if (!e) {
                PolicyEntry *ne = realloc(s->entries, (s->n + 1) * sizeof *ne);
                if (!ne) {
                        policy_free(p);
                        return -ENOMEM;
                }
                s->entries = ne;
                e = &s->entries[s->n++];
                *e = (PolicyEntry) { .name = strdup(name) };
                if (!e->name) {
                        s->n--;
                        policy_free(p);
                        return -ENOMEM;
                }
        }
        free(e->path);
        e->path = strdup(path);
        policy_free(e->policy);
        e->policy = p;
        e->broken = !p;
        e->stale = false;
        if (!e->path)
                return -ENOMEM;
        return 0;
}

static int entry_cmp(const void *a, const void *b) {
        return strcmp(((const PolicyEntry *) a)->name, ((const PolicyEntry *) b)->name);
}

int policyset_load(char *const *dirs, PolicySet *previous, PolicyErrorFn err, void *userdata, PolicySet **ret) {
        PolicySet *s = calloc(1, sizeof *s);
        if (!s)
                return -ENOMEM;
        for (char *const *dir = dirs; dir && *dir; dir++) {
                char **names = NULL;
                size_t n = 0;
                int r = dir_list(*dir, &names, &n);
                if (r < 0 && err) {
                        char msg[128];
                        snprintf(msg, sizeof msg, "cannot list the directory: %s", strerror(-r));
                        err(*dir, 0, msg, userdata);
                }
                for (size_t i = 0; i < n; i++) {
                        _cleanup_free_ char *path = NULL;
                        if (r >= 0 && asprintf(&path, "%s/%s", *dir, names[i]) < 0)
                                r = -ENOMEM;
                        names[i][strlen(names[i]) - strlen(POLICY_SUFFIX)] = '\0';
                        if (r >= 0)
                                r = load_one(s, names[i], path, err, userdata);
                        free(names[i]);
                }
                free(names);
                if (r == -ENOMEM) {
                        policyset_free(s);
                        return r;
                }
        }

        /* A broken file keeps its previous good version in force. */
        for (size_t i = 0; i < s->n; i++) {
                PolicyEntry *e = &s->entries[i];
                PolicyEntry *old = previous ? entry_find(previous, e->name) : NULL;
                if (e->broken && old && old->policy) {
                        e->policy = TAKE_PTR(old->policy);
                        e->stale = true;
                }
        }
        if (s->n > 1)
                qsort(s->entries, s->n, sizeof *s->entries, entry_cmp);
        *ret = s;
        return 0;
}

static bool names_policy(const Policy *composite, const char *name) {
        for (size_t i = 0; i < composite->n_composite; i++)
                if (strcmp(composite->composite[i], name) == 0)
                        return true;
        return false;
}

int policyset_active(const PolicySet *s, Policy ***ret, size_t *ret_n) {
        Policy **v = calloc(s->n + 1, sizeof *v);
        if (!v)
                return -ENOMEM;
        size_t n = 0;
        for (size_t i = 0; i < s->n; i++)
                if (s->entries[i].policy && s->entries[i].policy->enabled)
                        v[n++] = s->entries[i].policy;
        /* Stable order: plain policies by name, then composites, each after the
         * composites it names (a simple insertion pass; sets are small). */
        size_t k = 0;
        for (size_t i = 0; i < n; i++)
                if (v[i]->detector != POLICY_COMPOSITE) {
                        Policy *t = v[i];
                        memmove(v + k + 1, v + k, (i - k) * sizeof *v);
                        v[k++] = t;
                }
        for (size_t i = k; i < n; i++)
                for (size_t j = i + 1; j < n; j++)
                        if (names_policy(v[i], v[j]->name)) {
                                Policy *t = v[j];
                                memmove(v + i + 1, v + i, (j - i) * sizeof *v);
                                v[i] = t;
                        }
        *ret = v;
        *ret_n = n;
        return 0;
}
