/* libFuzzer target for recipient files: whatever the text, parsing never
 * crashes, every problem is reported once with the file name, and a file
 * without problems yields a recipient whose fields keep their invariants
 * (a TLS URL unless the host is loopback, values in range, no control
 * characters where they would reach a mail header or HTTP request). And the
 * masking of a secret out of a server's answer (the input's first line is the
 * secret, the whole input the answer): no piece of it survives. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "recipients.h"
#include "secret-mask.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void count_problem(const char *message, void *userdata) {
        size_t *n = userdata;

        if (!message || strncmp(message, "fuzz.conf", strlen("fuzz.conf")) != 0)
                abort();
        (*n)++;
}

static void check_clean(const char *s) {
        if (!s)
                return;
        for (; *s; s++)
                if ((unsigned char) *s < 0x20 || *s == 0x7f)
                        abort();
}

static void check(const Recipient *r) {
        if (!r->url || !r->scheme || !r->host || !r->display_name || r->port < 1 || r->port > 65535)
                abort();
        if (r->level >= _DIGEST_LEVEL_MAX || r->format >= _DIGEST_FORMAT_MAX ||
            r->transport >= _RECIPIENT_TRANSPORT_MAX || r->timeout_s < 1 || r->timeout_s > 600 || r->attempts < 1 ||
            r->attempts > 5 || r->n_to > RECIPIENT_TO_MAX)
                abort();
        switch (r->transport) {
        case RECIPIENT_HTTPS:
                if (!r->token_file || r->from || r->n_to)
                        abort();
                if (strcmp(r->scheme, "https") != 0 && !(strcmp(r->scheme, "http") == 0 && r->loopback))
                        abort();
                break;
        case RECIPIENT_SMTP:
        case RECIPIENT_SMTPS:
                if (!r->from || r->n_to == 0 || r->token_file || !!r->username != !!r->password_file)
                        abort();
                if (strcmp(r->scheme, r->transport == RECIPIENT_SMTP ? "smtp" : "smtps") != 0)
                        abort();
                break;
        default:
                abort();
        }
        if (r->loopback != recipient_host_is_loopback(r->host))
                abort();
        /* Plain http stays on this machine: never through a proxy. */
        if (r->proxy && strcmp(r->scheme, "http") == 0)
                abort();
        check_clean(r->url);
        check_clean(r->display_name);
        check_clean(r->from);
        check_clean(r->username);
        for (size_t i = 0; i < r->n_to; i++) {
                check_clean(r->to[i]);
                if (!strchr(r->to[i], '@') || strpbrk(r->to[i], " <>,"))
                        abort();
        }
}

/* No piece of secret of min(SECRET_MASK_PIECE, its length) characters in what
 * secret_mask leaves of the answer, cut off or not. A secret with a '*' is left
 * out: the *** that replaces a piece could complete another one. */
static void check_mask(const uint8_t *data, size_t size) {
        const char *nl = memchr(data, '\n', size);
        size_t sn = nl ? (size_t) (nl - (const char *) data) : size;
        char secret[65], out[201];

        if (sn > 64 || memchr(data, '*', sn))
                return;
        memcpy(secret, data, sn);
        secret[sn] = '\0';
        sn = strlen(secret);
        for (int complete = 0; complete <= 1; complete++) {
                size_t n = secret_mask((const char *) data, size, complete, secret, out, sizeof out);
                size_t m = sn < SECRET_MASK_PIECE ? sn : SECRET_MASK_PIECE;

                if (n != strlen(out) || n >= sizeof out)
                        abort();
                for (size_t i = 0; m > 0 && i + m <= sn; i++)
                        if (memmem(out, n, secret + i, m))
                                abort();
        }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        Recipient *r = NULL;
        size_t problems = 0;
        int q;

        q = recipient_parse("fuzz", (const char *) data, size, count_problem, &problems, &r);
        if (q < 0 || (size_t) q != problems || (q == 0) != (r != NULL))
                abort();
        if (r)
                check(r);
        recipient_free(r);
        /* The host check on its own, with the whole input as the host. */
        char *host = strndup((const char *) data, size);
        if (host) {
                (void) recipient_host_is_loopback(host);
                free(host);
        }
        check_mask(data, size);
        return 0;
}
