/* Files written with -o PATH: replaced atomically when PATH is (or would be)
 * a regular file, written in place when it is a FIFO, a device or a terminal,
 * which renaming would replace (and, for /dev/stdout, could not: a normal user
 * cannot create files in /dev). See outfile.h. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "macro.h"
#include "outfile.h"

static int outfile_fail(const OutFile *o, int r) {
        fprintf(stderr, "kizuki: cannot write %s: %s\n", o->path, strerror(-r));
        return r;
}

/* o writes to fd from now on (a stdio stream over it); fd is closed on failure. */
static int outfile_adopt(OutFile *o, int fd) {
        o->f = fdopen(fd, "w");
        if (!o->f) {
                int r = -errno;
                close(fd);
                return r;
        }
        return 0;
}

/* The temporary file beside target, 0600. */
static int outfile_open_temp(OutFile *o) {
        int fd;

        if (asprintf(&o->tmp, "%s.tmp-XXXXXX", o->target) < 0) {
                o->tmp = NULL;
                return -ENOMEM;
        }
        fd = mkostemp(o->tmp, O_CLOEXEC);
        if (fd < 0) {
                int r = -errno;
                free(o->tmp);
                o->tmp = NULL;
                return r;
        }
        if (fchmod(fd, 0600) < 0) {
                int r = -errno;
                close(fd);
                return r;
        }
        return outfile_adopt(o, fd);
}

/* What exists at path decides how it is written (see outfile.h). */
static int outfile_open_at(OutFile *o) {
        struct stat st;

        if (lstat(o->path, &st) < 0) {
                if (errno != ENOENT)
                        return -errno;
                o->target = strdup(o->path);
                return o->target ? outfile_open_temp(o) : -ENOMEM;
        }
        if (S_ISLNK(st.st_mode) && stat(o->path, &st) < 0) {
                if (errno != ENOENT)
                        return -errno;
                /* A dangling link: replace the link itself, as for a new path. */
                o->target = strdup(o->path);
                return o->target ? outfile_open_temp(o) : -ENOMEM;
        }
        if (S_ISDIR(st.st_mode))
                return -EISDIR;
        /* Our own standard output (-o /dev/stdout) is written as it is, like no
         * -o at all: a pipe another user made may not let us reopen it through
         * /proc/self/fd/1, and a file the shell opened (> or >>) is not replaced. */
        struct stat out;
        int fd;
        if (fstat(STDOUT_FILENO, &out) == 0 && out.st_dev == st.st_dev && out.st_ino == st.st_ino)
                fd = fcntl(STDOUT_FILENO, F_DUPFD_CLOEXEC, 3);
        else if (S_ISREG(st.st_mode)) {
                /* Through a link: the file it points to, so the link stays. */
                o->target = realpath(o->path, NULL);
                return o->target ? outfile_open_temp(o) : -errno;
        } else
                /* A FIFO, a device, a terminal: written to, never O_CREAT or a rename. */
                fd = open(o->path, O_WRONLY | O_NOCTTY | O_CLOEXEC);
        if (fd < 0)
                return -errno;
        return outfile_adopt(o, fd);
}

int outfile_open(const char *path, OutFile **ret) {
        OutFile *o = calloc(1, sizeof *o);
        int r;

        if (!o || !(o->path = strdup(path))) {
                free(o);
                fprintf(stderr, "kizuki: cannot write %s: %s\n", path, strerror(ENOMEM));
                return -ENOMEM;
        }
        r = outfile_open_at(o);
        if (r < 0) {
                outfile_fail(o, r);
                outfile_free(o);
                return r;
        }
        *ret = o;
        return 0;
}

int outfile_open_stdout(OutFile **ret) {
        OutFile *o = calloc(1, sizeof *o);
        int fd = -1;

        if (!o || !(o->path = strdup("standard output")))
                goto fail;
        fd = fcntl(STDOUT_FILENO, F_DUPFD_CLOEXEC, 3);
        if (fd < 0 || !(o->f = fdopen(fd, "w")))
                goto fail;
        *ret = o;
        return 0;
fail:;
        int r = errno ? -errno : -ENOMEM;
        if (fd >= 0)
                close(fd);
        fprintf(stderr, "kizuki: cannot write standard output: %s\n", strerror(-r));
        outfile_free(o);
        return r;
}

int outfile_close(OutFile *o) {
        int r = 0;

        if (!o->f)
                return 0;
        errno = 0;
        if (fflush(o->f) == EOF || ferror(o->f))
                r = errno ? -errno : -EIO;
        /* Only the temporary file is synced: fsync fails on pipes and terminals. */
        if (r == 0 && o->tmp && fsync(fileno(o->f)) < 0)
                r = -errno;
        if (fclose(o->f) == EOF && r == 0)
                r = -errno;
        o->f = NULL;
        if (r < 0) {
                if (o->tmp) {
                        unlink(o->tmp);
                        free(o->tmp);
                        o->tmp = NULL;
                }
                return outfile_fail(o, r);
        }
        return 0;
}

int outfile_commit(OutFile *o) {
        int r = outfile_close(o);
        if (r < 0)
                return r;
        if (o->tmp && rename(o->tmp, o->target) < 0) {
                r = -errno;
                unlink(o->tmp);
                free(o->tmp);
                o->tmp = NULL;
                return outfile_fail(o, r);
        }
        free(o->tmp);
        o->tmp = NULL;
        return 0;
}

void outfile_free(OutFile *o) {
        if (!o)
                return;
        if (o->f)
                fclose(o->f);
        if (o->tmp)
                unlink(o->tmp);
        FREE_ALL(o->tmp, o->target, o->path, o);
}

int outfile_write(const char *path, const char *data, size_t len) {
        _cleanup_(outfile_freep) OutFile *o = NULL;
        int r = outfile_open(path, &o);
        if (r < 0)
                return r;
        if (len > 0 && fwrite(data, 1, len, o->f) != len) {
                r = errno ? -errno : -EIO;
                outfile_free(TAKE_PTR(o));
                fprintf(stderr, "kizuki: cannot write %s: %s\n", path, strerror(-r));
                return r;
        }
        return outfile_commit(o);
}
