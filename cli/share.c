/* The transports behind kizuki share and kizuki recipients check: libcurl
 * easy handles, set up the same hardened way for every transfer (see share.h). */
#include <curl/curl.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>
#include <unistd.h>

#include "macro.h"
#include "secret-mask.h"
#include "share.h"

/* Shown of the server's answer body in the failure detail, once the secret
 * is masked out of it... */
#define RESPONSE_KEEP 200
/* ...which is done over this much of it, so that a copy of the secret cut at
 * RESPONSE_KEEP is still seen whole, and what follows a masked copy moves up. */
#define RESPONSE_SCAN 1024
/* Read and thrown away beyond that; a larger answer ends the transfer. */
#define RESPONSE_MAX (1024 * 1024)
#define CONNECT_TIMEOUT_MAX_S 15

typedef struct Response {
        char keep[RESPONSE_SCAN];
        size_t kept, total;
} Response;

typedef struct Transfer {
        CURL *h;
        char errbuf[CURL_ERROR_SIZE];
        struct curl_slist *headers;
        struct curl_slist *rcpt;
        curl_mime *mime;
        Response response;
        char *secret;
} Transfer;

int share_global_init(void) {
        static bool done;

        if (done)
                return 0;
        if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
                return -EIO;
        done = true;
        return 0;
}

/* Zero what held a secret (our copies; libcurl's own are out of reach). */
static void slist_free_zeroed(struct curl_slist *l) {
        for (struct curl_slist *i = l; i; i = i->next)
                if (i->data)
                        explicit_bzero(i->data, strlen(i->data));
        curl_slist_free_all(l);
}

static void transfer_done(Transfer *t) {
        if (t->h)
                curl_easy_cleanup(t->h);
        curl_mime_free(t->mime);
        slist_free_zeroed(t->headers);
        curl_slist_free_all(t->rcpt);
        secret_free(t->secret);
        /* The answer may echo the secret; explicit_bzero is not optimised away. */
        explicit_bzero(t, sizeof *t);
}

static size_t response_write(char *ptr, size_t size, size_t nmemb, void *userdata) {
        Response *r = userdata;
        size_t n = size * nmemb;

        if (r->kept < RESPONSE_SCAN) {
                size_t k = RESPONSE_SCAN - r->kept < n ? RESPONSE_SCAN - r->kept : n;
                memcpy(r->keep + r->kept, ptr, k);
                r->kept += k;
        }
        r->total += n;
        return r->total > RESPONSE_MAX ? 0 : n;
}

/* Mask the secret, and any piece of it, in the detail: a server that echoes
 * what it got, or libcurl quoting it, must not make us print or log any of it. */
static void scrub_detail(ShareResult *ret, const char *secret) {
        char masked[sizeof ret->detail];

        secret_mask(ret->detail, strlen(ret->detail), true, secret, masked, sizeof masked);
        memcpy(ret->detail, masked, sizeof masked);
        explicit_bzero(masked, sizeof masked);
}

/* Printable ASCII only, on one line, for the detail. */
static void flatten(char *s) {
        for (; *s; s++)
                if ((unsigned char) *s < 0x20 || (unsigned char) *s >= 0x7f)
                        *s = ' ';
}

static const char *protocol_for(const Recipient *r) {
        return r->scheme; /* https, http (loopback only, checked by the parser), smtp, smtps */
}

#define SETOPT(h, opt, val)                                              \
        do {                                                             \
                if (curl_easy_setopt((h), (opt), (val)) != CURLE_OK)     \
                        return -EIO;                                     \
        } while (0)

/* The options every transfer gets. */
static int transfer_new(Transfer *t, const Recipient *r) {
        long connect_s = r->timeout_s < CONNECT_TIMEOUT_MAX_S ? r->timeout_s : CONNECT_TIMEOUT_MAX_S;

        *t = (Transfer) {};
        t->h = curl_easy_init();
        if (!t->h)
                return -ENOMEM;
        SETOPT(t->h, CURLOPT_URL, r->url);
        SETOPT(t->h, CURLOPT_PROTOCOLS_STR, protocol_for(r));
        SETOPT(t->h, CURLOPT_REDIR_PROTOCOLS_STR, protocol_for(r));
        SETOPT(t->h, CURLOPT_FOLLOWLOCATION, 0L);
        SETOPT(t->h, CURLOPT_MAXREDIRS, 0L);
        SETOPT(t->h, CURLOPT_SSL_VERIFYPEER, 1L);
        SETOPT(t->h, CURLOPT_SSL_VERIFYHOST, 2L);
        SETOPT(t->h, CURLOPT_SSLVERSION, (long) CURL_SSLVERSION_TLSv1_2);
        SETOPT(t->h, CURLOPT_PROXY_SSL_VERIFYPEER, 1L);
        SETOPT(t->h, CURLOPT_PROXY_SSL_VERIFYHOST, 2L);
        /* ca_file replaces the system's CAs: libcurl's default CA directory
         * (/etc/ssl/certs on Debian) would otherwise still be trusted too. */
        if (r->ca_file) {
                SETOPT(t->h, CURLOPT_CAINFO, r->ca_file);
                SETOPT(t->h, CURLOPT_CAPATH, (const char *) NULL);
        }
        /* "" turns off the proxy environment variables too (http_proxy,
         * HTTPS_PROXY, ALL_PROXY); NOPROXY "" keeps NO_PROXY from sending a
         * transfer around a proxy the recipient file names. */
        SETOPT(t->h, CURLOPT_PROXY, r->proxy ? r->proxy : "");
        SETOPT(t->h, CURLOPT_NOPROXY, "");
        SETOPT(t->h, CURLOPT_PROXY_SSLVERSION, (long) CURL_SSLVERSION_TLSv1_2);
        /* The parser refuses them already; credentials never travel in a URL. */
        SETOPT(t->h, CURLOPT_DISALLOW_USERNAME_IN_URL, 1L);
        SETOPT(t->h, CURLOPT_CONNECTTIMEOUT, connect_s);
        SETOPT(t->h, CURLOPT_TIMEOUT, (long) r->timeout_s);
        SETOPT(t->h, CURLOPT_NOSIGNAL, 1L);
        SETOPT(t->h, CURLOPT_NETRC, (long) CURL_NETRC_IGNORED);
        SETOPT(t->h, CURLOPT_VERBOSE, 0L);
        SETOPT(t->h, CURLOPT_ERRORBUFFER, t->errbuf);
        SETOPT(t->h, CURLOPT_WRITEFUNCTION, response_write);
        SETOPT(t->h, CURLOPT_WRITEDATA, &t->response);
        if (r->transport != RECIPIENT_HTTPS)
                SETOPT(t->h, CURLOPT_USE_SSL, (long) CURLUSESSL_ALL);
        return 0;
}

/* Read the recipient's secret into t->secret; reason in ret->detail. */
static int transfer_secret(Transfer *t, const Recipient *r, ShareResult *ret) {
        const char *path = r->transport == RECIPIENT_HTTPS ? r->token_file : r->password_file;
        const char *key = r->transport == RECIPIENT_HTTPS ? "token_file" : "password_file";
        char why[256];
        int q;

        if (!path)
                return 0;
        q = secret_read(path, &t->secret, NULL, why, sizeof why);
        if (q < 0) {
                snprintf(ret->detail, sizeof ret->detail, "refusing %s %s: %s", key, path, why);
                return q;
        }
        if (r->transport == RECIPIENT_HTTPS)
                for (const char *c = t->secret; *c; c++)
                        if (*c == ' ') {
                                snprintf(ret->detail, sizeof ret->detail,
                                         "refusing %s %s: a bearer token has no spaces", key, path);
                                return -EINVAL;
                        }
        return 0;
}

static int set_auth(Transfer *t, const Recipient *r) {
        if (r->transport == RECIPIENT_HTTPS) {
                _cleanup_free_ char *h = NULL;
                struct curl_slist *l;
                if (asprintf(&h, "Authorization: Bearer %s", t->secret) < 0) {
                        h = NULL;
                        return -ENOMEM;
                }
                l = curl_slist_append(t->headers, h);
                explicit_bzero(h, strlen(h));
                if (!l)
                        return -ENOMEM;
                t->headers = l;
        } else if (r->username) {
                SETOPT(t->h, CURLOPT_USERNAME, r->username);
                SETOPT(t->h, CURLOPT_PASSWORD, t->secret);
        }
        return 0;
}

/* A formatted line at the end of *list. */
static int slist_append_printf(struct curl_slist **list, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int slist_append_printf(struct curl_slist **list, const char *fmt, ...) {
        _cleanup_free_ char *s = NULL;
        struct curl_slist *l;
        va_list ap;
        int n;

        va_start(ap, fmt);
        n = vasprintf(&s, fmt, ap);
        va_end(ap);
        if (n < 0) {
                s = NULL;
                return -ENOMEM;
        }
        l = curl_slist_append(*list, s);
        if (!l)
                return -ENOMEM;
        *list = l;
        return 0;
}

static int setup_https(Transfer *t, const SharePayload *p) {
        int q;

        if ((q = slist_append_printf(&t->headers, "Content-Type: %s", digest_content_type(p->format))) < 0 ||
            (q = slist_append_printf(&t->headers, "Expect:")) < 0)
                return q;
        SETOPT(t->h, CURLOPT_POST, 1L);
        SETOPT(t->h, CURLOPT_POSTFIELDS, p->main);
        SETOPT(t->h, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t) p->main_len);
        SETOPT(t->h, CURLOPT_HTTPHEADER, t->headers);
        return 0;
}

static const char *extension(DigestFormat f) {
        switch (f) {
        case DIGEST_FORMAT_TEXT: return "txt";
        case DIGEST_FORMAT_HTML: return "html";
        case DIGEST_FORMAT_FHIR: return "fhir.json";
        default: return "json";
        }
}

static int mime_part(curl_mime *m, const char *data, size_t len, const char *type, const char *encoder,
                     const char *filename, curl_mimepart **ret) {
        curl_mimepart *part = curl_mime_addpart(m);

        if (!part || curl_mime_data(part, data, len) != CURLE_OK || curl_mime_type(part, type) != CURLE_OK ||
            curl_mime_encoder(part, encoder) != CURLE_OK || (filename && curl_mime_filename(part, filename) != CURLE_OK))
                return -ENOMEM;
        if (ret)
                *ret = part;
        return 0;
}

static int setup_smtp(Transfer *t, const Recipient *r, const SharePayload *p) {
        char date[64], filename[64], domain[256] = "kizuki.invalid";
        const char *at = strrchr(r->from, '@');
        uint64_t rnd[2] = { 0, 0 };
        time_t now = time(NULL);
        struct tm tm;
        int q;

        if (at && strlen(at + 1) < sizeof domain)
                snprintf(domain, sizeof domain, "%s", at + 1);
        if (!gmtime_r(&now, &tm) || strftime(date, sizeof date, "%a, %d %b %Y %H:%M:%S +0000", &tm) == 0)
                return -EINVAL;
        if (getrandom(rnd, sizeof rnd, 0) != (ssize_t) sizeof rnd)
                return -EIO;

        if ((q = slist_append_printf(&t->headers, "Date: %s", date)) < 0 || (q = slist_append_printf(&t->headers, "From: <%s>", r->from)) < 0 ||
            (q = slist_append_printf(&t->headers, "Subject: kizuki weekly digest %s", p->week)) < 0 ||
            (q = slist_append_printf(&t->headers, "Message-ID: <kizuki.%016llx%016llx@%s>", (unsigned long long) rnd[0],
                               (unsigned long long) rnd[1], domain)) < 0)
                return q;
        {
                char to[RECIPIENT_TO_MAX * 260] = "";
                size_t n = 0;
                for (size_t i = 0; i < r->n_to; i++)
                        n += (size_t) snprintf(to + n, sizeof to - n, "%s<%s>", i > 0 ? ", " : "", r->to[i]);
                if ((q = slist_append_printf(&t->headers, "To: %s", to)) < 0)
                        return q;
        }
        for (size_t i = 0; i < r->n_to; i++)
                if (slist_append_printf(&t->rcpt, "<%s>", r->to[i]) < 0)
                        return -ENOMEM;

        t->mime = curl_mime_init(t->h);
        if (!t->mime)
                return -ENOMEM;
        if (p->format == DIGEST_FORMAT_TEXT || !p->html) {
                if ((q = mime_part(t->mime, p->text, p->text_len, "text/plain; charset=utf-8", "quoted-printable", NULL,
                                   NULL)) < 0)
                        return q;
        } else {
                curl_mime *alt = curl_mime_init(t->h);
                curl_mimepart *part;
                if (!alt)
                        return -ENOMEM;
                if ((q = mime_part(alt, p->text, p->text_len, "text/plain; charset=utf-8", "quoted-printable", NULL,
                                   NULL)) < 0 ||
                    (q = mime_part(alt, p->html, p->html_len, "text/html; charset=utf-8", "quoted-printable", NULL,
                                   NULL)) < 0) {
                        curl_mime_free(alt);
                        return q;
                }
                part = curl_mime_addpart(t->mime);
                if (!part || curl_mime_subparts(part, alt) != CURLE_OK) {
                        curl_mime_free(alt);
                        return -ENOMEM;
                }
                if (curl_mime_type(part, "multipart/alternative") != CURLE_OK)
                        return -ENOMEM;
        }
        if (p->attachment) {
                snprintf(filename, sizeof filename, "kizuki-%s.%s", p->week, extension(p->attachment_format));
                if ((q = mime_part(t->mime, p->attachment, p->attachment_len, digest_content_type(p->attachment_format),
                                   "base64", filename, NULL)) < 0)
                        return q;
        }
        {
                _cleanup_free_ char *from = NULL;
                if (asprintf(&from, "<%s>", r->from) < 0) {
                        from = NULL;
                        return -ENOMEM;
                }
                SETOPT(t->h, CURLOPT_MAIL_FROM, from); /* libcurl copies strings */
        }
        SETOPT(t->h, CURLOPT_MAIL_RCPT, t->rcpt);
        SETOPT(t->h, CURLOPT_HTTPHEADER, t->headers);
        SETOPT(t->h, CURLOPT_MIMEPOST, t->mime);
        return 0;
}

/* Whether trying again could help: not for certificate, TLS policy, login,
 * URL or protocol errors, HTTP 4xx, SMTP 5xx, or an HTTP redirect. A name
 * that does not resolve is tried again: right after a wake-up or on a flaky
 * network, DNS is often what fails first. */
static bool transient(CURLcode c, bool http, long code) {
        switch (c) {
        case CURLE_OK:
                return http ? code >= 500 : false;
        case CURLE_PEER_FAILED_VERIFICATION:
        case CURLE_SSL_CACERT_BADFILE:
        case CURLE_SSL_CERTPROBLEM:
        case CURLE_SSL_ISSUER_ERROR:
        case CURLE_SSL_PINNEDPUBKEYNOTMATCH:
        case CURLE_USE_SSL_FAILED:
        case CURLE_LOGIN_DENIED:
        case CURLE_UNSUPPORTED_PROTOCOL:
        case CURLE_URL_MALFORMAT:
        case CURLE_REMOTE_ACCESS_DENIED:
        case CURLE_OUT_OF_MEMORY:
        case CURLE_BAD_FUNCTION_ARGUMENT:
        case CURLE_NOT_BUILT_IN:
                return false;
        default:
                break;
        }
        if (!http && code >= 500 && code < 600)
                return false;
        return true;
}

/* One transfer; fills ret and says whether to try again. connect_only: a
 * CURLOPT_CONNECT_ONLY transfer, done when the connection is. */
static bool transfer_run(Transfer *t, const Recipient *r, bool connect_only, ShareResult *ret) {
        bool http = r->transport == RECIPIENT_HTTPS;
        CURLcode c;
        long code = 0;

        t->errbuf[0] = '\0';
        t->response = (Response) {};
        c = curl_easy_perform(t->h);
        (void) curl_easy_getinfo(t->h, CURLINFO_RESPONSE_CODE, &code);
        ret->code = code;
        ret->attempts++;
        if (c == CURLE_OK && connect_only) {
                ret->accepted = true;
                snprintf(ret->detail, sizeof ret->detail, "TLS connection to %s port %d verified", r->host, r->port);
        } else if (http && code >= 200 && code < 300) {
                /* The server has answered 2xx: it has the digest, even when its
                 * answer's body was cut off (too long, slow) afterwards.
                 * Sending again would deliver it twice. */
                ret->accepted = true;
                if (c == CURLE_OK)
                        snprintf(ret->detail, sizeof ret->detail, "HTTP %ld", code);
                else
                        snprintf(ret->detail, sizeof ret->detail, "HTTP %ld (the rest of the answer was not read: %s)",
                                 code, curl_easy_strerror(c));
        } else if (c == CURLE_OK && http) {
                char body[RESPONSE_KEEP + 1];
                /* Masked over all that was kept, before cutting it short. */
                secret_mask(t->response.keep, t->response.kept, t->response.kept == t->response.total, t->secret,
                            body, sizeof body);
                flatten(body);
                if (code >= 300 && code < 400)
                        snprintf(ret->detail, sizeof ret->detail, "HTTP %ld: the server redirects, and redirects are not followed",
                                 code);
                else
                        snprintf(ret->detail, sizeof ret->detail, "HTTP %ld%s%s", code, body[0] ? ": " : "", body);
                explicit_bzero(body, sizeof body);
        } else if (c == CURLE_OK) {
                ret->accepted = true;
                snprintf(ret->detail, sizeof ret->detail, "SMTP %ld", code ? code : 250L);
        } else {
                const char *why = t->errbuf[0] ? t->errbuf : curl_easy_strerror(c);
                if (c == CURLE_USE_SSL_FAILED)
                        why = "the server does not offer STARTTLS; nothing was sent";
                if (code > 0 && c != CURLE_USE_SSL_FAILED)
                        snprintf(ret->detail, sizeof ret->detail, "%s (%s %ld)", why, http ? "HTTP" : "SMTP", code);
                else
                        snprintf(ret->detail, sizeof ret->detail, "%s", why);
                flatten(ret->detail);
        }
        scrub_detail(ret, t->secret);
        return !ret->accepted && transient(c, http, code);
}

/* The handle, the secret (a refusal said in ret->detail) and the credentials:
 * what sending and checking both start with. */
static int transfer_open(Transfer *t, const Recipient *r, ShareResult *ret) {
        int q = transfer_new(t, r);
        if (q >= 0)
                q = transfer_secret(t, r, ret);
        if (q >= 0)
                q = set_auth(t, r);
        return q;
}

int share_send(const Recipient *r, const SharePayload *p, ShareResult *ret) {
        static const unsigned delays_s[] = { 2, 8 };
        Transfer t = {};
        int q;

        *ret = (ShareResult) {};
        q = share_global_init();
        if (q < 0) {
                snprintf(ret->detail, sizeof ret->detail, "libcurl did not initialise");
                return q;
        }
        q = transfer_open(&t, r, ret);
        if (q >= 0)
                q = r->transport == RECIPIENT_HTTPS ? setup_https(&t, p) : setup_smtp(&t, r, p);
        if (q < 0) {
                if (!ret->detail[0])
                        snprintf(ret->detail, sizeof ret->detail, "could not set up the transfer: %s", strerror(-q));
                goto out;
        }
        for (int i = 0; i < r->attempts; i++) {
                if (i > 0) {
                        unsigned d = delays_s[i - 1 < (int) ELEMENTSOF(delays_s) ? i - 1 : (int) ELEMENTSOF(delays_s) - 1];
                        fprintf(stderr, "kizuki share: attempt %d of %d failed (%s); trying again in %u s\n", i,
                                r->attempts, ret->detail, d);
                        sleep(d);
                        ret->accepted = false;
                }
                if (!transfer_run(&t, r, false, ret))
                        break;
        }
        q = ret->accepted ? 0 : -EIO;
out:
        transfer_done(&t);
        return q;
}

int share_check(const Recipient *r, ShareResult *ret) {
        Transfer t = {};
        int q;

        *ret = (ShareResult) {};
        q = share_global_init();
        if (q < 0)
                return q;
        q = transfer_open(&t, r, ret);
        if (q >= 0 && r->transport == RECIPIENT_HTTPS) {
                /* TCP and TLS, then stop: no request is made. */
                if (curl_easy_setopt(t.h, CURLOPT_CONNECT_ONLY, 1L) != CURLE_OK)
                        q = -EIO;
        } else if (q >= 0) {
                /* EHLO, STARTTLS, EHLO, AUTH, NOOP, QUIT: no MAIL, no DATA. */
                if (curl_easy_setopt(t.h, CURLOPT_CUSTOMREQUEST, "NOOP") != CURLE_OK ||
                    curl_easy_setopt(t.h, CURLOPT_NOBODY, 1L) != CURLE_OK)
                        q = -EIO;
        }
        if (q < 0) {
                if (!ret->detail[0])
                        snprintf(ret->detail, sizeof ret->detail, "could not set up the connection: %s", strerror(-q));
                goto out;
        }
        (void) transfer_run(&t, r, r->transport == RECIPIENT_HTTPS, ret);
        q = ret->accepted ? 0 : -EIO;
out:
        transfer_done(&t);
        return q;
}
