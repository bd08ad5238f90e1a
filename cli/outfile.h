#pragma once

#include <stdio.h>

/* A file the CLI writes with -o PATH (export, digest). A new path or a
 * regular file is written 0600 under a temporary name beside it, synced and
 * renamed over it when complete: readers see the old file or the whole new
 * one, and a failure leaves nothing at PATH. A symlink is followed: to a
 * regular file, that file is replaced (the link stays); to anything else, as
 * is anything else that exists (a FIFO, a character device, /dev/stdout), the
 * bytes are written to it directly and it is never replaced. PATH that is
 * the CLI's own standard output (-o /dev/stdout) is written like standard
 * output, whatever it is. A directory is refused. */
typedef struct OutFile {
        FILE *f;      /* NULL once closed */
        char *path;   /* as named, for messages */
        char *target; /* where the temporary file goes on commit; NULL when written directly */
        char *tmp;    /* the temporary file, NULL when written directly or once renamed */
} OutFile;

/* Opens path for writing; on failure prints "kizuki: cannot write PATH: …". */
int outfile_open(const char *path, OutFile **ret);
/* Standard output as an OutFile (a dup of fd 1, written directly), so that
 * its write errors are reported like a file's and only once. */
int outfile_open_stdout(OutFile **ret);
/* Flushes, syncs and closes o->f (the temporary file stays until commit);
 * on failure prints the error once and removes the temporary file. */
int outfile_close(OutFile *o);
/* outfile_close, then renames the temporary file over its target. */
int outfile_commit(OutFile *o);
/* Closes and removes what was not committed; accepts NULL. */
void outfile_free(OutFile *o);
/* outfile_open, write data, outfile_commit. */
int outfile_write(const char *path, const char *data, size_t len);

static inline void outfile_freep(OutFile **o) {
        outfile_free(*o);
}
