/* Recipient files: a table of known keys in one [recipient] section, parsed
 * with inih through our own line reader (as kizukid.conf is, so every message
 * carries the right line), then checked as a whole: the transport's required
 * keys, the URL (parsed by libcurl's own URL parser, so that what we check is
 * what libcurl will connect to) and the addresses. */
#include <arpa/inet.h>
#include <curl/curl.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ini.h>
#include <pwd.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "config.h"
#include "macro.h"
#include "recipients.h"

/* Far above any sensible recipient file; bounds what a stray file makes us read. */
#define RECIPIENT_FILE_MAX (64 * 1024)
#define RECIPIENT_VALUE_MAX 2048
#define ADDRESS_MAX 254

static const char *const transport_names[_RECIPIENT_TRANSPORT_MAX] = { "https", "smtp", "smtps" };

typedef enum Key {
        KEY_NAME,
        KEY_TRANSPORT,
        KEY_URL,
        KEY_TOKEN_FILE,
        KEY_USERNAME,
        KEY_PASSWORD_FILE,
        KEY_FROM,
        KEY_TO,
        KEY_LEVEL,
        KEY_FORMAT,
        KEY_CA_FILE,
        KEY_PROXY,
        KEY_PATIENT_ID,
        KEY_SCHEDULE,
        KEY_TIMEOUT,
        KEY_ATTEMPTS,
        _KEY_MAX,
} Key;

static const char *const key_names[_KEY_MAX] = {
        [KEY_NAME] = "name",
        [KEY_TRANSPORT] = "transport",
        [KEY_URL] = "url",
        [KEY_TOKEN_FILE] = "token_file",
        [KEY_USERNAME] = "username",
        [KEY_PASSWORD_FILE] = "password_file",
        [KEY_FROM] = "from",
        [KEY_TO] = "to",
        [KEY_LEVEL] = "level",
        [KEY_FORMAT] = "format",
        [KEY_CA_FILE] = "ca_file",
        [KEY_PROXY] = "proxy",
        [KEY_PATIENT_ID] = "patient_id",
        [KEY_SCHEDULE] = "schedule",
        [KEY_TIMEOUT] = "timeout",
        [KEY_ATTEMPTS] = "attempts",
};

typedef struct Parser {
        ConfigReport report; /* file: "NAME.conf" */
        ConfigLines in;      /* the text, handed to inih line by line */
        char *values[_KEY_MAX]; /* as written */
        int lines[_KEY_MAX];    /* where; 0: not set */
        int section_line;       /* of [recipient]; 0: none yet */
        bool oom;
} Parser;

bool recipient_name_valid(const char *s) {
        size_t n = 0;

        if (!s)
                return false;
        for (; s[n]; n++) {
                char c = s[n];
                if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
                      c == '-'))
                        return false;
        }
        return n >= 1 && n <= RECIPIENT_NAME_MAX;
}

const char *recipient_transport_to_string(RecipientTransport t) {
        return t < _RECIPIENT_TRANSPORT_MAX ? transport_names[t] : NULL;
}

int recipient_transport_from_string(const char *s) {
        for (int i = 0; s && i < _RECIPIENT_TRANSPORT_MAX; i++)
                if (strcmp(s, transport_names[i]) == 0)
                        return i;
        return -EINVAL;
}

const char *recipient_log_transport(const Recipient *r) {
        return r->scheme;
}

static int name_lookup(const char *const *names, int n, const char *s) {
        for (int i = 0; i < n; i++)
                if (strcmp(s, names[i]) == 0)
                        return i;
        return -EINVAL;
}

/* A line the reader (config_lines_read) could not hand over: a problem
 * like any other, so the file is refused. */
static void parser_line_problem(void *userdata, int line, const char *what) {
        Parser *p = userdata;

        config_report(&p->report, line, "%s", what);
}

/* No control characters (tab included): values end up in mail headers and
 * HTTP requests. Non-ASCII only where allow_utf8 (the display name). */
static bool value_clean(const char *s, bool allow_utf8) {
        for (; *s; s++) {
                unsigned char c = (unsigned char) *s;
                if (c < 0x20 || c == 0x7f || (c >= 0x80 && !allow_utf8))
                        return false;
        }
        return true;
}

static int parser_handler(void *userdata, const char *section, const char *name, const char *value) {
        Parser *p = userdata;
        char esection[256], ename[256];

        if (!name) /* a section header (INI_CALL_HANDLER_ON_NEW_SECTION builds only) */
                return 1;
        if (strcmp(section, "recipient") != 0) {
                if (*section)
                        config_report(&p->report, p->in.line, "unknown section [%s] (only [recipient])",
                                      config_escape(section, esection, sizeof esection));
                else
                        config_report(&p->report, p->in.line, "key '%s' outside the [recipient] section",
                                      config_escape(name, ename, sizeof ename));
                return 1;
        }
        if (p->section_line == 0)
                p->section_line = p->in.line;
        int k = name_lookup(key_names, _KEY_MAX, name);
        if (k < 0) {
                config_report(&p->report, p->in.line, "unknown key '%s'", config_escape(name, ename, sizeof ename));
                return 1;
        }
        if (p->lines[k] > 0) {
                config_report(&p->report, p->in.line, "'%s' set twice (first on line %d)", key_names[k], p->lines[k]);
                return 1;
        }
        value = value ?: "";
        p->lines[k] = p->in.line;
        if (strlen(value) > RECIPIENT_VALUE_MAX) {
                config_report(&p->report, p->in.line, "value of '%s' longer than %d characters", key_names[k], RECIPIENT_VALUE_MAX);
                return 1;
        }
        if (!value_clean(value, k == KEY_NAME)) {
                config_report(&p->report, p->in.line, "control %scharacters in the value of '%s'", k == KEY_NAME ? "" : "or non-ASCII ",
                              key_names[k]);
                return 1;
        }
        p->values[k] = strdup(value);
        if (!p->values[k])
                p->oom = true;
        return 1;
}

Recipient *recipient_free(Recipient *r) {
        if (!r)
                return NULL;
        for (size_t i = 0; i < r->n_to; i++)
                free(r->to[i]);
        FREE_ALL(r->name, r->display_name, r->url, r->scheme, r->host, r->token_file, r->username,
                 r->password_file, r->from, r->ca_file, r->proxy, r->patient_id, r);
        return NULL;
}

bool recipient_host_is_loopback(const char *host) {
        struct in_addr a4;
        struct in6_addr a6;
        char buf[INET6_ADDRSTRLEN + 2];
        size_t n;

        if (!host)
                return false;
        if (strcasecmp(host, "localhost") == 0)
                return true;
        if (inet_pton(AF_INET, host, &a4) == 1)
                return (ntohl(a4.s_addr) >> 24) == 127;
        n = strlen(host);
        if (n >= 2 && host[0] == '[' && host[n - 1] == ']') {
                if (n - 2 >= sizeof buf)
                        return false;
                memcpy(buf, host + 1, n - 2);
                buf[n - 2] = '\0';
                host = buf;
        }
        return inet_pton(AF_INET6, host, &a6) == 1 && IN6_IS_ADDR_LOOPBACK(&a6);
}

/* An addr-spec as we accept it: local@domain, printable ASCII without
 * spaces, quotes, angle brackets or other specials, at most 254 bytes. */
static bool address_valid(const char *s) {
        const char *at = strchr(s, '@');
        size_t n = strlen(s);

        if (!at || at == s || !at[1] || strchr(at + 1, '@') || n > ADDRESS_MAX)
                return false;
        for (; *s; s++)
                if (*s <= ' ' || *s >= 0x7f || strchr("<>()[]\\,;:\"", *s))
                        return false;
        return true;
}

/* FHIR id: [A-Za-z0-9\-\.]{1,64}. */
static bool fhir_id_valid(const char *s) {
        size_t n = strlen(s);

        if (n < 1 || n > 64)
                return false;
        for (; *s; s++)
                if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') || (*s >= '0' && *s <= '9') || *s == '-' ||
                      *s == '.'))
                        return false;
        return true;
}

static int take(Parser *p, Key k, char **ret) {
        *ret = TAKE_PTR(p->values[k]);
        return 0;
}

/* Parse and check url (key KEY_URL) into r: scheme, host, port, loopback. */
static void check_url(Parser *p, Recipient *r) {
        int line = p->lines[KEY_URL];
        CURLU *u = curl_url();
        char *scheme = NULL, *host = NULL, *port = NULL, *user = NULL, *password = NULL, *options = NULL;
        CURLUcode uc;

        if (!u) {
                config_report(&p->report, line, "out of memory");
                return;
        }
        uc = curl_url_set(u, CURLUPART_URL, r->url, 0);
        if (uc != CURLUE_OK) {
                config_report(&p->report, line, "invalid url (%s)", curl_url_strerror(uc));
                goto out;
        }
        if (curl_url_get(u, CURLUPART_SCHEME, &scheme, 0) != CURLUE_OK ||
            curl_url_get(u, CURLUPART_HOST, &host, 0) != CURLUE_OK ||
            curl_url_get(u, CURLUPART_PORT, &port, CURLU_DEFAULT_PORT) != CURLUE_OK) {
                config_report(&p->report, line, "invalid url (no scheme, host or port)");
                goto out;
        }
        if (curl_url_get(u, CURLUPART_USER, &user, 0) == CURLUE_OK ||
            curl_url_get(u, CURLUPART_PASSWORD, &password, 0) == CURLUE_OK ||
            curl_url_get(u, CURLUPART_OPTIONS, &options, 0) == CURLUE_OK) {
                config_report(&p->report, line, "the url must not hold a user name or password (use username, token_file or password_file)");
                goto out;
        }
        for (char *c = scheme; *c; c++)
                if (*c >= 'A' && *c <= 'Z')
                        *c = (char) (*c - 'A' + 'a');
        r->loopback = recipient_host_is_loopback(host);

        switch (r->transport) {
        case RECIPIENT_HTTPS:
                if (strcmp(scheme, "http") == 0 && !r->loopback) {
                        config_report(&p->report, line, "plain http:// is only allowed to a loopback address (localhost, 127.0.0.0/8, ::1); use https://");
                        goto out;
                }
                if (strcmp(scheme, "https") != 0 && strcmp(scheme, "http") != 0) {
                        config_report(&p->report, line, "transport https needs an https:// url");
                        goto out;
                }
                break;
        case RECIPIENT_SMTP:
        case RECIPIENT_SMTPS:
                if (strcmp(scheme, transport_names[r->transport]) != 0) {
                        config_report(&p->report, line, "transport %s needs an %s:// url", transport_names[r->transport],
                                      transport_names[r->transport]);
                        goto out;
                }
                break;
        default:
                break;
        }

        char *end;
        long portnum = strtol(port, &end, 10);
        if (*end || portnum < 1 || portnum > 65535) {
                config_report(&p->report, line, "invalid port in url");
                goto out;
        }
        r->port = (int) portnum;
        /* IPv6 literals come back as "[::1]"; keep them bare. */
        size_t n = strlen(host);
        if (n >= 2 && host[0] == '[' && host[n - 1] == ']') {
                memmove(host, host + 1, n - 2);
                host[n - 2] = '\0';
        }
        r->scheme = strdup(scheme);
        r->host = strdup(host);
        if (!r->scheme || !r->host)
                config_report(&p->report, line, "out of memory");
out:
        curl_free(scheme);
        curl_free(host);
        curl_free(port);
        curl_free(user);
        curl_free(password);
        curl_free(options);
        curl_url_cleanup(u);
}

static void check_proxy(Parser *p, const char *proxy) {
        static const char *const schemes[] = { "http", "https", "socks5", "socks5h" };
        int line = p->lines[KEY_PROXY];
        CURLU *u = curl_url();
        char *scheme = NULL, *user = NULL, *password = NULL;
        bool ok = false;

        if (!u) {
                config_report(&p->report, line, "out of memory");
                return;
        }
        if (curl_url_set(u, CURLUPART_URL, proxy, CURLU_NON_SUPPORT_SCHEME) == CURLUE_OK &&
            curl_url_get(u, CURLUPART_SCHEME, &scheme, 0) == CURLUE_OK)
                for (size_t i = 0; i < ELEMENTSOF(schemes); i++)
                        if (strcasecmp(scheme, schemes[i]) == 0)
                                ok = true;
        if (!ok)
                config_report(&p->report, line, "invalid proxy (expected a URL like http://proxy:3128 or socks5h://proxy:1080)");
        else if (curl_url_get(u, CURLUPART_USER, &user, 0) == CURLUE_OK ||
                 curl_url_get(u, CURLUPART_PASSWORD, &password, 0) == CURLUE_OK)
                config_report(&p->report, line, "the proxy url must not hold a user name or password");
        curl_free(scheme);
        curl_free(user);
        curl_free(password);
        curl_url_cleanup(u);
}

/* Split "a@x, b@y" into r->to. */
static void check_to(Parser *p, Recipient *r, const char *value) {
        int line = p->lines[KEY_TO];
        const char *s = value;

        while (*s) {
                const char *comma = strchr(s, ',');
                size_t len = comma ? (size_t) (comma - s) : strlen(s);
                while (len > 0 && *s == ' ') {
                        s++;
                        len--;
                }
                while (len > 0 && s[len - 1] == ' ')
                        len--;
                char *a = strndup(s, len);
                if (!a) {
                        config_report(&p->report, line, "out of memory");
                        return;
                }
                char ea[300];
                if (!address_valid(a)) {
                        config_report(&p->report, line, "invalid address '%s' in to (expected name@example.org)",
                                      config_escape(a, ea, sizeof ea));
                        free(a);
                        return;
                }
                if (r->n_to >= RECIPIENT_TO_MAX) {
                        config_report(&p->report, line, "more than %d addresses in to", RECIPIENT_TO_MAX);
                        free(a);
                        return;
                }
                r->to[r->n_to++] = a;
                if (!comma)
                        break;
                s = comma + 1;
        }
        if (r->n_to == 0)
                config_report(&p->report, line, "to is empty");
}

static void require(Parser *p, Key k, const char *why) {
        if (!p->values[k] && p->lines[k] == 0)
                config_report(&p->report, 0, "missing '%s' (%s)", key_names[k], why);
}

static void forbid(Parser *p, Key k, const char *transport) {
        if (p->lines[k] > 0)
                config_report(&p->report, p->lines[k], "'%s' does not apply to transport %s", key_names[k], transport);
}

/* "invalid KEY 'VALUE' (expected ...)" at the line of key k. */
static void report_invalid(Parser *p, Key k, const char *expected) {
        char ev[300];

        config_report(&p->report, p->lines[k], "invalid %s '%s' (expected %s)", key_names[k],
                      config_escape(p->values[k], ev, sizeof ev), expected);
}

/* The value of key k as from_string reads it; -1 when absent, or when not
 * one of expected (reported). */
static int parse_choice(Parser *p, Key k, int (*from_string)(const char *), const char *expected) {
        int v;

        if (!p->values[k])
                return -1;
        v = from_string(p->values[k]);
        if (v < 0)
                report_invalid(p, k, expected);
        return v;
}

/* The checks of the file as a whole, once every line has been read. */
static void parser_finish(Parser *p, Recipient *r) {
        char ev[300];
        int64_t d;
        int v;

        r->timeout_s = RECIPIENT_TIMEOUT_DEFAULT_S;
        r->attempts = RECIPIENT_ATTEMPTS_DEFAULT;
        r->level = DIGEST_LEVEL_SUMMARY;

        if (p->section_line == 0 && p->report.problems == 0) {
                config_report(&p->report, 0, "no [recipient] section");
                return;
        }
        require(p, KEY_TRANSPORT, "https, smtp or smtps");
        if (!p->values[KEY_TRANSPORT])
                return;
        v = name_lookup(transport_names, _RECIPIENT_TRANSPORT_MAX, p->values[KEY_TRANSPORT]);
        if (v < 0) {
                report_invalid(p, KEY_TRANSPORT, "https, smtp or smtps");
                return;
        }
        r->transport = v;
        r->format = r->transport == RECIPIENT_HTTPS ? DIGEST_FORMAT_JSON : DIGEST_FORMAT_HTML;

        if (r->transport == RECIPIENT_HTTPS) {
                require(p, KEY_TOKEN_FILE, "the file holding the bearer token");
                forbid(p, KEY_USERNAME, "https");
                forbid(p, KEY_PASSWORD_FILE, "https");
                forbid(p, KEY_FROM, "https");
                forbid(p, KEY_TO, "https");
        } else {
                const char *t = transport_names[r->transport];
                require(p, KEY_FROM, "the sender's address");
                require(p, KEY_TO, "the recipient's address");
                forbid(p, KEY_TOKEN_FILE, t);
                if (!!p->lines[KEY_USERNAME] != !!p->lines[KEY_PASSWORD_FILE])
                        config_report(&p->report, p->lines[KEY_USERNAME] ?: p->lines[KEY_PASSWORD_FILE],
                                      "username and password_file go together");
        }
        require(p, KEY_URL, r->transport == RECIPIENT_HTTPS ? "https://host/path" : "smtp://host:587 or smtps://host:465");

        take(p, KEY_URL, &r->url);
        if (r->url)
                check_url(p, r);
        take(p, KEY_TOKEN_FILE, &r->token_file);
        take(p, KEY_USERNAME, &r->username);
        take(p, KEY_PASSWORD_FILE, &r->password_file);
        take(p, KEY_CA_FILE, &r->ca_file);
        take(p, KEY_PATIENT_ID, &r->patient_id);
        take(p, KEY_PROXY, &r->proxy);
        take(p, KEY_FROM, &r->from);

        static const Key paths[] = { KEY_TOKEN_FILE, KEY_PASSWORD_FILE, KEY_CA_FILE };
        char *const path_values[] = { r->token_file, r->password_file, r->ca_file };
        for (size_t i = 0; i < ELEMENTSOF(paths); i++)
                if (path_values[i] && !*path_values[i])
                        config_report(&p->report, p->lines[paths[i]], "'%s' is empty", key_names[paths[i]]);
        if (r->username && !*r->username)
                config_report(&p->report, p->lines[KEY_USERNAME], "'username' is empty");
        if (r->from && !address_valid(r->from))
                config_report(&p->report, p->lines[KEY_FROM], "invalid address '%s' in from (expected name@example.org)",
                              config_escape(r->from, ev, sizeof ev));
        if (p->values[KEY_TO])
                check_to(p, r, p->values[KEY_TO]);
        if (r->proxy)
                check_proxy(p, r->proxy);
        /* Plain http:// is allowed because it stays on this machine; through a
         * proxy it would not (the body and the token would cross the network
         * in the clear). */
        if (r->proxy && r->scheme && strcmp(r->scheme, "http") == 0)
                config_report(&p->report, p->lines[KEY_PROXY], "a proxy does not go with a plain http:// url (use https://)");
        if (r->patient_id && !fhir_id_valid(r->patient_id))
                config_report(&p->report, p->lines[KEY_PATIENT_ID],
                              "invalid patient_id '%s' (1 to 64 letters, digits, '-' or '.')",
                              config_escape(r->patient_id, ev, sizeof ev));

        v = parse_choice(p, KEY_LEVEL, digest_level_from_string, "summary, daily or hourly");
        if (v >= 0)
                r->level = v;
        v = parse_choice(p, KEY_FORMAT, digest_format_from_string, "text, json, html or fhir");
        if (v >= 0)
                r->format = v;
        if (p->values[KEY_SCHEDULE]) {
                if (strcmp(p->values[KEY_SCHEDULE], "weekly") == 0)
                        r->weekly = true;
                else if (strcmp(p->values[KEY_SCHEDULE], "manual") != 0)
                        report_invalid(p, KEY_SCHEDULE, "weekly or manual");
        }
        if (p->values[KEY_TIMEOUT]) {
                if (parse_duration(p->values[KEY_TIMEOUT], &d) < 0 || d < 1 || d > 600)
                        report_invalid(p, KEY_TIMEOUT, "a duration from 1s to 10min");
                else
                        r->timeout_s = d;
        }
        if (p->values[KEY_ATTEMPTS]) {
                const char *a = p->values[KEY_ATTEMPTS];
                if (a[0] < '1' || a[0] > '5' || a[1])
                        report_invalid(p, KEY_ATTEMPTS, "1 to 5");
                else
                        r->attempts = a[0] - '0';
        }
}

int recipient_parse(const char *name, const char *text, size_t size, RecipientWarnFn warn, void *userdata,
                    Recipient **ret) {
        char file[RECIPIENT_NAME_MAX + 8];
        Parser p = {
                .report = { .file = file, .warn = warn, .userdata = userdata },
                .in = {
                        .p = text,
                        .end = text + size,
                        .spare = 1,
                        .problem = parser_line_problem,
                },
        };
        Recipient *r;
        int q;

        if (!recipient_name_valid(name) || !text || !ret)
                return -EINVAL;
        snprintf(file, sizeof file, "%s.conf", name);
        p.in.userdata = &p;
        r = calloc(1, sizeof *r);
        if (!r)
                return -ENOMEM;
        q = ini_parse_stream(config_lines_read, &p.in, parser_handler, &p);
        if (q < 0 || p.oom) {
                q = -ENOMEM;
                goto out;
        }
        if (q > 0)
                config_report(&p.report, q, "syntax error (expected key = value or [recipient])");
        parser_finish(&p, r);
        bool name_refused = p.lines[KEY_NAME] > 0 && !p.values[KEY_NAME]; /* reported already */
        take(&p, KEY_NAME, &r->display_name);
        if (!r->display_name)
                r->display_name = strdup(name_refused ? "" : name);
        r->name = strdup(name);
        if (!r->name || !r->display_name) {
                q = -ENOMEM;
                goto out;
        }
        if (!*r->display_name && !name_refused)
                config_report(&p.report, p.lines[KEY_NAME], "'name' is empty");
        q = p.report.problems;
        if (q == 0)
                *ret = TAKE_PTR(r);
out:
        for (size_t i = 0; i < _KEY_MAX; i++)
                free(p.values[i]);
        recipient_free(r);
        return q;
}

static int resolve(char **path, const char *dir, const char *home) {
        char *s;

        if (!*path || (*path)[0] == '/')
                return 0;
        if ((*path)[0] == '~' && (*path)[1] == '/') {
                if (!home || home[0] != '/')
                        return -ENOENT;
                if (asprintf(&s, "%s/%s", home, *path + 2) < 0)
                        return -ENOMEM;
        } else if (asprintf(&s, "%s/%s", dir, *path) < 0)
                return -ENOMEM;
        free(*path);
        *path = s;
        return 0;
}

int recipient_resolve_paths(Recipient *r, const char *dir, const char *home) {
        int q;

        if ((q = resolve(&r->token_file, dir, home)) < 0 || (q = resolve(&r->password_file, dir, home)) < 0 ||
            (q = resolve(&r->ca_file, dir, home)) < 0)
                return q;
        return 0;
}

/* $HOME, else the password database. */
static const char *home_dir(void) {
        const char *h = getenv("HOME");
        if (h && h[0] == '/')
                return h;
        struct passwd *pw = getpwuid(getuid());
        return pw && pw->pw_dir && pw->pw_dir[0] == '/' ? pw->pw_dir : NULL;
}

int recipients_dir(char **ret) {
        const char *xdg = getenv("XDG_CONFIG_HOME"), *home;
        int q;

        if (xdg && xdg[0] == '/')
                q = asprintf(ret, "%s/kizuki/recipients.d", xdg);
        else if ((home = home_dir()))
                q = asprintf(ret, "%s/.config/kizuki/recipients.d", home);
        else
                return -ENOENT;
        return q < 0 ? -ENOMEM : 0;
}

static int compare_names(const void *a, const void *b) {
        return strcmp(*(char *const *) a, *(char *const *) b);
}

void recipients_names_free(char **v, size_t n) {
        for (size_t i = 0; i < n; i++)
                free(v[i]);
        free(v);
}

int recipients_list(const char *dir, char ***ret, size_t *ret_n) {
        DIR *d = opendir(dir);
        char **v = NULL;
        size_t n = 0, cap = 0;
        struct dirent *de;

        *ret = NULL;
        *ret_n = 0;
        if (!d)
                return errno == ENOENT ? 0 : -errno;
        while ((de = readdir(d))) {
                size_t len = strlen(de->d_name);
                if (len <= 5 || strcmp(de->d_name + len - 5, ".conf") != 0)
                        continue;
                char *name = strndup(de->d_name, len - 5);
                if (!name)
                        goto oom;
                if (!recipient_name_valid(name)) {
                        free(name);
                        continue;
                }
                if (n == cap) {
                        size_t nc = cap ? cap * 2 : 8;
                        char **nv = realloc(v, nc * sizeof *nv);
                        if (!nv) {
                                free(name);
                                goto oom;
                        }
                        v = nv;
                        cap = nc;
                }
                v[n++] = name;
        }
        closedir(d);
        if (n > 0)
                qsort(v, n, sizeof *v, compare_names);
        *ret = v;
        *ret_n = n;
        return 0;
oom:
        closedir(d);
        recipients_names_free(v, n);
        return -ENOMEM;
}

int recipient_load(const char *dir, const char *name, RecipientWarnFn warn, void *userdata, Recipient **ret) {
        _cleanup_free_ char *path = NULL, *buf = NULL;
        _cleanup_recipient_ Recipient *r = NULL;
        size_t n;
        int q;

        if (!recipient_name_valid(name))
                return -EINVAL;
        if (asprintf(&path, "%s/%s.conf", dir, name) < 0) {
                path = NULL;
                return -ENOMEM;
        }
        q = config_read_file(path, RECIPIENT_FILE_MAX, &buf, &n);
        if (q < 0)
                return q;
        q = recipient_parse(name, buf, n, warn, userdata, &r);
        if (q < 0)
                return q;
        if (q > 0)
                return -EBADMSG;
        q = recipient_resolve_paths(r, dir, home_dir());
        if (q < 0)
                return q;
        *ret = TAKE_PTR(r);
        return 0;
}

void secret_free(char *s) {
        if (!s)
                return;
        explicit_bzero(s, strlen(s));
        free(s);
}

int secret_read(const char *path, char **ret, size_t *ret_len, char *why, size_t why_size) {
        _cleanup_close_ int fd = -1;
        struct stat st;
        char *buf;
        ssize_t n;
        size_t len = 0;

        why[0] = '\0';
        /* O_NONBLOCK: opening a FIFO must not block before fstat() refuses it. */
        fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NOFOLLOW | O_NONBLOCK);
        if (fd < 0) {
                int e = errno;
                snprintf(why, why_size, "%s", e == ELOOP ? "is a symbolic link (not accepted for secrets)" : strerror(e));
                return -e;
        }
        if (fstat(fd, &st) < 0) {
                int e = errno;
                snprintf(why, why_size, "%s", strerror(e));
                return -e;
        }
        if (!S_ISREG(st.st_mode)) {
                snprintf(why, why_size, "is not a regular file");
                return -EINVAL;
        }
        if (st.st_uid != geteuid()) {
                snprintf(why, why_size, "is owned by uid %u, not by you (uid %u)", (unsigned) st.st_uid,
                         (unsigned) geteuid());
                return -EPERM;
        }
        if (st.st_mode & 077) {
                snprintf(why, why_size, "can be read or written by others (mode %04o); run chmod 600 on it",
                         (unsigned) (st.st_mode & 07777));
                return -EPERM;
        }
        if (!ret)
                return 0;
        buf = malloc(RECIPIENT_SECRET_MAX + 2);
        if (!buf) {
                snprintf(why, why_size, "out of memory");
                return -ENOMEM;
        }
        for (;;) {
                n = read(fd, buf + len, RECIPIENT_SECRET_MAX + 1 - len);
                if (n < 0 && errno == EINTR)
                        continue;
                if (n <= 0)
                        break;
                len += (size_t) n;
                if (len > RECIPIENT_SECRET_MAX)
                        break;
        }
        buf[len] = '\0';
        int q = 0;
        if (n < 0) {
                q = -errno;
                snprintf(why, why_size, "%s", strerror(-q));
        } else if (len > RECIPIENT_SECRET_MAX) {
                q = -EFBIG;
                snprintf(why, why_size, "is larger than %d bytes", RECIPIENT_SECRET_MAX);
        } else {
                if (len > 0 && buf[len - 1] == '\n')
                        buf[--len] = '\0';
                if (len > 0 && buf[len - 1] == '\r')
                        buf[--len] = '\0';
                if (len == 0) {
                        q = -EINVAL;
                        snprintf(why, why_size, "is empty");
                }
                for (size_t i = 0; q == 0 && i < len; i++)
                        if ((unsigned char) buf[i] < 0x20 || buf[i] == 0x7f) {
                                q = -EINVAL;
                                snprintf(why, why_size, "holds more than one line or control characters");
                        }
        }
        if (q < 0) {
                explicit_bzero(buf, RECIPIENT_SECRET_MAX + 2);
                free(buf);
                return q;
        }
        *ret = buf;
        if (ret_len)
                *ret_len = len;
        return 0;
}
