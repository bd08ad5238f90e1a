/* Sending a rendered digest to a recipient with libcurl: an HTTPS POST or a
 * MIME mail over SMTP with TLS. The secret (bearer token or SMTP password) is
 * read from its file only here, just before sending, and zeroed after.
 *
 * Hardening (every transfer): protocols restricted to the recipient's scheme,
 * no redirects, certificate and host name verification always on, TLS 1.2 or
 * newer, STARTTLS required for smtp://, connect and total timeouts, no proxy
 * unless the recipient file names one, no signals, never CURLOPT_VERBOSE. */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "digest.h"
#include "recipients.h"

/* What goes out. For https, the body is `main` (in the recipient's format).
 * For mail: the text rendering as text/plain, with the HTML rendering as its
 * text/html alternative (unless the format is text), and `attachment` (JSON,
 * or FHIR when that is the format) attached. */
typedef struct SharePayload {
        const char *week; /* YYYY-Www, for the subject and file names */
        DigestFormat format;
        const char *main;
        size_t main_len;
        const char *text, *html, *attachment;
        size_t text_len, html_len, attachment_len;
        DigestFormat attachment_format;
} SharePayload;

typedef struct ShareResult {
        bool accepted;    /* HTTP 2xx, SMTP 250 */
        long code;        /* the last HTTP status or SMTP reply code; 0: none */
        int attempts;     /* transfers made */
        char detail[512]; /* the transport's reason, or what the server said on success */
} ShareResult;

/* Send p to r, retrying transient failures (r->attempts in all, after 2 s
 * then 8 s). 0 when the recipient accepted it; -EIO when it did not (reason in
 * ret->detail); -EPERM/-ENOENT/-EINVAL when the secret file is refused (reason
 * in ret->detail, nothing sent). */
int share_send(const Recipient *r, const SharePayload *p, ShareResult *ret);

/* Connect without sending a digest: for https a TCP connection and TLS
 * handshake; for smtp/smtps EHLO, STARTTLS, AUTH when configured, NOOP, QUIT.
 * The secret file is read and checked. 0 when all went well. */
int share_check(const Recipient *r, ShareResult *ret);

/* Initialise libcurl once per process (not thread-safe). */
int share_global_init(void);
