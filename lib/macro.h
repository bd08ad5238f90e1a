/* Small helpers shared by kizukid and kizuki: scope cleanup, array size,
 * allocating and freeing records, comparing, binary search. */
#pragma once

#include <errno.h>
#include <stdlib.h>
#include <unistd.h>

#define _cleanup_(f) __attribute__((cleanup(f)))
#define ELEMENTSOF(a) (sizeof(a) / sizeof((a)[0]))

/* -1, 0 or 1 as a is less than, equal to or greater than b: chain them with ?:
 * for a comparison by several keys. */
#define CMP(a, b) ((a) < (b) ? -1 : (a) > (b) ? 1 : 0)

/* Index of the first of a[0..n), sorted by .field, whose field is not less
 * than key; n when there is none. key is evaluated more than once. */
#define LOWER_BOUND(a, n, field, key)                                    \
        ({                                                               \
                size_t _lo_ = 0, _hi_ = (n);                             \
                while (_lo_ < _hi_) {                                    \
                        size_t _mid_ = _lo_ + (_hi_ - _lo_) / 2;         \
                        if ((a)[_mid_].field < (key))                    \
                                _lo_ = _mid_ + 1;                        \
                        else                                             \
                                _hi_ = _mid_;                            \
                }                                                        \
                _lo_;                                                    \
        })

static inline void freep(void *p) {
        free(*(void **) p);
}
#define _cleanup_free_ _cleanup_(freep)

/* A constructor's record: *ret = a calloc'ed T set as the designated
 * initializers given say (".a = 1, .b = p"; the rest zero). 0, or -ENOMEM
 * (*ret untouched). */
#define NEW(ret, T, ...)                                                 \
        ({                                                               \
                T *_new_ = calloc(1, sizeof(T));                         \
                if (_new_) {                                             \
                        *_new_ = (T) { __VA_ARGS__ };                    \
                        *(ret) = _new_;                                  \
                }                                                        \
                _new_ ? 0 : -ENOMEM;                                     \
        })

/* free() each pointer given, in order: the fields of a record, in one list. */
#define FREE_ALL(...)                                                    \
        do {                                                             \
                void *_fa_[] = { __VA_ARGS__ };                          \
                for (size_t _i_ = 0; _i_ < ELEMENTSOF(_fa_); _i_++)      \
                        free(_fa_[_i_]);                                 \
        } while (0)

static inline void closep(int *fd) {
        if (*fd >= 0) {
                int saved = errno;
                close(*fd);
                errno = saved;
        }
}
#define _cleanup_close_ _cleanup_(closep)

/* Hand a pointer over to someone else: return it and clear the variable. */
#define TAKE_PTR(p)                              \
        ({                                       \
                __typeof__(p) _tp_ = (p);        \
                (p) = NULL;                      \
                _tp_;                            \
        })

#define TAKE_FD(fd)                              \
        ({                                       \
                int _tfd_ = (fd);                \
                (fd) = -1;                       \
                _tfd_;                           \
        })

#define USEC_PER_SEC INT64_C(1000000)
