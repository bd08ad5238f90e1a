/* Recipient files: $XDG_CONFIG_HOME/kizuki/recipients.d/NAME.conf, one INI
 * file per person a digest may be shared with (see kizuki-recipient(5)).
 *
 * The parser is pure (text in, Recipient or problems out) so that it can be
 * unit-tested and fuzzed; reading the directory and the secret files is done
 * by the small shells below it. Every problem is an error: a recipient file
 * with any problem is refused as a whole. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "digest.h"

#define RECIPIENT_NAME_MAX 64
#define RECIPIENT_TO_MAX 8
#define RECIPIENT_SECRET_MAX 4096
#define RECIPIENT_TIMEOUT_DEFAULT_S 60
#define RECIPIENT_ATTEMPTS_DEFAULT 3

typedef enum RecipientTransport {
        RECIPIENT_HTTPS, /* POST to an https:// URL (http:// to a loopback address only) */
        RECIPIENT_SMTP,  /* smtp:// with STARTTLS required */
        RECIPIENT_SMTPS, /* smtps://, TLS from the first byte */
        _RECIPIENT_TRANSPORT_MAX,
} RecipientTransport;

typedef struct Recipient {
        char *name;         /* the file name without .conf */
        char *display_name; /* "name =" in the file */
        RecipientTransport transport;
        char *url;
        char *scheme;   /* of url, lower case: https, http, smtp, smtps */
        char *host;     /* of url, as libcurl parses it (IPv6 without brackets) */
        int port;       /* of url, or the scheme's default */
        bool loopback;  /* host is localhost, 127.0.0.0/8 or ::1 */
        char *token_file;    /* https */
        char *username;      /* smtp, smtps */
        char *password_file; /* smtp, smtps */
        char *from;          /* smtp, smtps: addr-spec */
        char *to[RECIPIENT_TO_MAX];
        size_t n_to;
        DigestLevel level;
        DigestFormat format;
        char *ca_file;    /* NULL: the system's CA store */
        char *proxy;      /* NULL: no proxy, whatever the environment says */
        char *patient_id; /* FHIR Patient id; NULL: the renderer's default */
        bool weekly;      /* schedule = weekly */
        int64_t timeout_s;
        int attempts;
} Recipient;

/* Called once per problem with "FILE:LINE: message" (or "FILE: message"). */
typedef void (*RecipientWarnFn)(const char *message, void *userdata);

/* Whether s is a valid recipient name: [A-Za-z0-9_-]{1,64}. */
bool recipient_name_valid(const char *s);

/* Parse the text of a recipient file named name (the NAME of NAME.conf; used
 * in messages as "NAME.conf"). Returns the number of problems (each reported
 * through warn, which may be NULL); when it is 0, *ret holds the recipient
 * (free with recipient_free). Paths are returned as written; see
 * recipient_resolve_paths. -ENOMEM, or -EINVAL for a bad name. */
int recipient_parse(const char *name, const char *text, size_t size, RecipientWarnFn warn, void *userdata,
                    Recipient **ret);

Recipient *recipient_free(Recipient *r);
static inline void recipient_freep(Recipient **r) {
        recipient_free(*r);
}
#define _cleanup_recipient_ __attribute__((cleanup(recipient_freep)))

/* Make the file paths of r absolute: "~/x" is under home, a relative path is
 * relative to dir (the recipients.d directory). */
int recipient_resolve_paths(Recipient *r, const char *dir, const char *home);

/* Whether host (as libcurl's URL parser returns it) is a loopback address:
 * "localhost", 127.0.0.0/8 or ::1. */
bool recipient_host_is_loopback(const char *host);

/* The transport's name ("https", "smtp", "smtps") and back (-EINVAL). */
const char *recipient_transport_to_string(RecipientTransport t);
int recipient_transport_from_string(const char *s);

/* What the share log calls the transport: the URL's scheme (https, http, smtp, smtps). */
const char *recipient_log_transport(const Recipient *r);

/* $XDG_CONFIG_HOME/kizuki/recipients.d (or ~/.config/…), malloc'ed. */
int recipients_dir(char **ret);

/* The recipient names in dir (files NAME.conf with a valid NAME), sorted,
 * malloc'ed (free with recipients_names_free). A missing directory has none. */
int recipients_list(const char *dir, char ***ret, size_t *ret_n);
void recipients_names_free(char **v, size_t n);

/* Read and parse dir/NAME.conf and resolve its paths. Problems go to warn;
 * -ENOENT when there is no such file, -EBADMSG when it has problems. */
int recipient_load(const char *dir, const char *name, RecipientWarnFn warn, void *userdata, Recipient **ret);

/* Read a secret file: a regular file owned by the user, not readable or
 * writable by anyone else (mode & 077 == 0), at most RECIPIENT_SECRET_MAX
 * bytes, one line (a final newline is dropped), no control characters. On
 * failure a reason for the person goes to why (never the content). The
 * secret is malloc'ed; free it with secret_free, which zeroes it. With ret
 * NULL, only the file's type, owner and mode are checked (nothing is read). */
int secret_read(const char *path, char **ret, size_t *ret_len, char *why, size_t why_size);
void secret_free(char *s);
static inline void secret_freep(char **s) {
        secret_free(*s);
}
#define _cleanup_secret_ __attribute__((cleanup(secret_freep)))
