/* Recipient files: parsing, every problem with file:line, the URL rules
 * (TLS, loopback), secret files (mode, owner, content), the directory
 * listing; and SHA-256 against the FIPS 180-2 example vectors. */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "macro.h"
#include "recipients.h"
#include "secret-mask.h"
#include "sha256.h"

typedef struct Warnings {
        char msg[32][512];
        size_t n;
} Warnings;

static void collect(const char *message, void *userdata) {
        Warnings *w = userdata;

        assert_true(w->n < ELEMENTSOF(w->msg));
        snprintf(w->msg[w->n++], sizeof w->msg[0], "%s", message);
}

static int parse(const char *text, Warnings *w, Recipient **ret) {
        memset(w, 0, sizeof *w);
        *ret = NULL;
        int r = recipient_parse("therapist", text, strlen(text), collect, w, ret);
        assert_true(r < 0 || (size_t) r == w->n);
        assert_true((r == 0) == (*ret != NULL));
        return r;
}

/* Exactly one problem, and its message contains each of the given strings. */
static void assert_one_problem(const char *text, ...) {
        _cleanup_recipient_ Recipient *r = NULL;
        Warnings w;
        va_list ap;

        assert_int_equal(parse(text, &w, &r), 1);
        va_start(ap, text);
        for (const char *s; (s = va_arg(ap, const char *));)
                if (!strstr(w.msg[0], s))
                        fail_msg("problem '%s' lacks '%s'", w.msg[0], s);
        va_end(ap);
}

#define HTTPS_OK "[recipient]\ntransport = https\nurl = https://inbox.example.org/kizuki\ntoken_file = t\n"
#define SMTP_OK                                                                                  \
        "[recipient]\ntransport = smtp\nurl = smtp://mail.example.org:587\nusername = me\n" \
        "password_file = ~/pw\nfrom = me@example.org\nto = dr@example.org\n"

static void test_https_minimal(void **state) {
        _cleanup_recipient_ Recipient *r = NULL;
        Warnings w;
        (void) state;

        assert_int_equal(parse(HTTPS_OK, &w, &r), 0);
        assert_string_equal(r->name, "therapist");
        assert_string_equal(r->display_name, "therapist");
        assert_int_equal(r->transport, RECIPIENT_HTTPS);
        assert_string_equal(r->scheme, "https");
        assert_string_equal(r->host, "inbox.example.org");
        assert_int_equal(r->port, 443);
        assert_false(r->loopback);
        assert_int_equal(r->level, DIGEST_LEVEL_SUMMARY);
        assert_int_equal(r->format, DIGEST_FORMAT_JSON);
        assert_false(r->weekly);
        assert_null(r->proxy);
        assert_null(r->ca_file);
        assert_int_equal(r->timeout_s, RECIPIENT_TIMEOUT_DEFAULT_S);
        assert_int_equal(r->attempts, RECIPIENT_ATTEMPTS_DEFAULT);
        assert_string_equal(recipient_log_transport(r), "https");
}

static void test_smtp_full(void **state) {
        _cleanup_recipient_ Recipient *r = NULL;
        Warnings w;
        (void) state;

        assert_int_equal(parse(SMTP_OK "name = Dr. Müller\nlevel = hourly\nformat = fhir\nschedule = weekly\n"
                                       "patient_id = p-4711\nca_file = ca.pem\nproxy = socks5h://127.0.0.1:1080\n"
                                       "timeout = 1min 30s\nattempts = 1\n; a comment\n# another\n",
                               &w, &r),
                         0);
        assert_string_equal(r->display_name, "Dr. Müller");
        assert_int_equal(r->transport, RECIPIENT_SMTP);
        assert_int_equal(r->port, 587);
        assert_string_equal(r->username, "me");
        assert_string_equal(r->password_file, "~/pw");
        assert_string_equal(r->from, "me@example.org");
        assert_int_equal(r->n_to, 1);
        assert_string_equal(r->to[0], "dr@example.org");
        assert_int_equal(r->level, DIGEST_LEVEL_HOURLY);
        assert_int_equal(r->format, DIGEST_FORMAT_FHIR);
        assert_true(r->weekly);
        assert_string_equal(r->patient_id, "p-4711");
        assert_string_equal(r->proxy, "socks5h://127.0.0.1:1080");
        assert_int_equal(r->timeout_s, 90);
        assert_int_equal(r->attempts, 1);

        assert_int_equal(recipient_resolve_paths(r, "/cfg/kizuki/recipients.d", "/home/a"), 0);
        assert_string_equal(r->password_file, "/home/a/pw");
        assert_string_equal(r->ca_file, "/cfg/kizuki/recipients.d/ca.pem");
}

static void test_defaults_per_transport(void **state) {
        _cleanup_recipient_ Recipient *a = NULL, *b = NULL;
        Warnings w;
        (void) state;

        assert_int_equal(parse(SMTP_OK, &w, &a), 0);
        assert_int_equal(a->format, DIGEST_FORMAT_HTML);
        assert_int_equal(parse("[recipient]\ntransport = smtps\nurl = smtps://mail.example.org\nfrom = a@b.c\n"
                               "to = x@y.z, w@v.u ,t@s.r\n",
                               &w, &b),
                         0);
        assert_int_equal(b->transport, RECIPIENT_SMTPS);
        assert_int_equal(b->port, 465);
        assert_null(b->username);
        assert_int_equal(b->n_to, 3);
        assert_string_equal(b->to[2], "t@s.r");
        assert_string_equal(recipient_log_transport(b), "smtps");
}

static void test_problems_with_lines(void **state) {
        (void) state;

        assert_one_problem(HTTPS_OK "colour = blue\n", "therapist.conf:5:", "unknown key 'colour'", NULL);
        assert_one_problem(HTTPS_OK "level = weekly\n", "therapist.conf:5:", "invalid level 'weekly'", NULL);
        assert_one_problem(HTTPS_OK "format = pdf\n", "therapist.conf:5:", "invalid format", NULL);
        assert_one_problem(HTTPS_OK "schedule = daily\n", "therapist.conf:5:", "invalid schedule", NULL);
        assert_one_problem(HTTPS_OK "timeout = 0\n", "therapist.conf:5:", "invalid timeout", NULL);
        assert_one_problem(HTTPS_OK "timeout = 11min\n", "therapist.conf:5:", "invalid timeout", NULL);
        assert_one_problem(HTTPS_OK "attempts = 6\n", "therapist.conf:5:", "invalid attempts", NULL);
        assert_one_problem(HTTPS_OK "patient_id = Jane Doe\n", "therapist.conf:5:", "invalid patient_id", NULL);
        assert_one_problem(HTTPS_OK "level = daily\nlevel = hourly\n", "therapist.conf:6:", "set twice", NULL);
        assert_one_problem(HTTPS_OK "[other]\nx = 1\n", "therapist.conf:6:", "unknown section [other]", NULL);
        assert_one_problem("name = x\n" HTTPS_OK, "therapist.conf:1:", "outside the [recipient] section", NULL);
        assert_one_problem(HTTPS_OK "this is not ini\n", "therapist.conf:5:", "syntax error", NULL);
        assert_one_problem(HTTPS_OK "username = me\n", "therapist.conf:5:", "does not apply to transport https", NULL);
        assert_one_problem(HTTPS_OK "proxy = ftp://p\n", "therapist.conf:5:", "invalid proxy", NULL);
        assert_one_problem(HTTPS_OK "proxy = http://u:p@proxy:3128\n", "must not hold a user name", NULL);
        /* Plain http:// is for loopback only: never through a proxy. */
        assert_one_problem("[recipient]\ntransport = https\nurl = http://127.0.0.1:8080/k\ntoken_file = t\n"
                           "proxy = http://proxy.example.org:3128\n",
                           "therapist.conf:5:", "does not go with a plain http:// url", NULL);
        /* A password without a user name is still a password. */
        assert_one_problem(HTTPS_OK "proxy = http://:s3cret@proxy:3128\n", "must not hold a user name", NULL);
        assert_one_problem(HTTPS_OK "name = a\tb\n", "therapist.conf:5:", "control", NULL);
        assert_one_problem(HTTPS_OK "name =\n", "'name' is empty", NULL);
        assert_one_problem(SMTP_OK "token_file = t\n", "therapist.conf:8:", "does not apply to transport smtp", NULL);
        assert_one_problem("[recipient]\ntransport = smtp\nurl = smtp://m.example.org\nfrom = me\nto = a@b.c\n",
                           "therapist.conf:4:", "invalid address 'me' in from", NULL);
        assert_one_problem("[recipient]\ntransport = smtp\nurl = smtp://m.example.org\nfrom = a@b.c\nto = a@b.c, <x@y>\n",
                           "therapist.conf:5:", "invalid address '<x@y>' in to", NULL);
        assert_one_problem("[recipient]\ntransport = smtp\nurl = smtp://m.example.org\nfrom = a@b.c\nto = a@b.c\n"
                           "username = u\n",
                           "username and password_file go together", NULL);
        assert_one_problem("[recipient]\ntransport = https\nurl = https://x.example.org\n", "therapist.conf:",
                           "missing 'token_file'", NULL);
        assert_one_problem("[recipient]\ntransport = pigeon\nurl = https://x.example.org\n", "therapist.conf:2:",
                           "invalid transport 'pigeon'", NULL);
        assert_one_problem("# nothing\n", "no [recipient] section", NULL);
}

static void test_url_rules(void **state) {
        static const struct {
                const char *url;
                const char *problem; /* NULL: accepted */
                bool loopback;
        } cases[] = {
                { "https://inbox.example.org/k", NULL, false },
                { "http://inbox.example.org/k", "only allowed to a loopback address", false },
                { "http://192.0.2.1/k", "only allowed to a loopback address", false },
                { "http://127.0.0.1:8080/k", NULL, true },
                { "http://127.8.9.10/k", NULL, true },
                { "http://localhost:9/k", NULL, true },
                { "http://LOCALHOST/k", NULL, true },
                { "http://[::1]:8080/k", NULL, true },
                { "http://[::2]/k", "only allowed to a loopback address", false },
                { "http://128.0.0.1/k", "only allowed to a loopback address", false },
                { "http://localhost.example.org/k", "only allowed to a loopback address", false },
                { "http://127.0.0.1.nip.io/k", "only allowed to a loopback address", false },
                { "HTTPS://Inbox.Example.org/", NULL, false },
                { "smtp://mail.example.org", "needs an https:// url", false },
                { "ftp://x.example.org/", "needs an https:// url", false },
                { "foo://x.example.org/", "invalid url", false },
                { "https://user:pw@x.example.org/", "must not hold a user name or password", false },
                { "https://user@x.example.org/", "must not hold a user name or password", false },
                { "https://:pw@x.example.org/", "must not hold a user name or password", false },
                { "inbox.example.org/k", "invalid url", false },
                { "https://x.example.org:99999/", "invalid url", false },
                { "https://", "invalid url", false },
        };
        (void) state;

        for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
                _cleanup_recipient_ Recipient *r = NULL;
                _cleanup_free_ char *text = NULL;
                Warnings w;
                assert_true(asprintf(&text, "[recipient]\ntransport = https\nurl = %s\ntoken_file = t\n", cases[i].url) > 0);
                int q = parse(text, &w, &r);
                if (!cases[i].problem) {
                        if (q != 0)
                                fail_msg("%s: %s", cases[i].url, w.msg[0]);
                        assert_int_equal(r->loopback, cases[i].loopback);
                } else {
                        if (q != 1 || !strstr(w.msg[0], cases[i].problem) || !strstr(w.msg[0], "therapist.conf:3:"))
                                fail_msg("%s: %d problems, first '%s', expected '%s'", cases[i].url, q, w.msg[0],
                                         cases[i].problem);
                }
        }
        /* smtp needs smtp://, smtps needs smtps:// (and smtp:// always gets STARTTLS). */
        assert_one_problem("[recipient]\ntransport = smtps\nurl = smtp://m.example.org\nfrom = a@b.c\nto = a@b.c\n",
                           "therapist.conf:3:", "needs an smtps:// url", NULL);
        assert_one_problem("[recipient]\ntransport = smtp\nurl = https://m.example.org\nfrom = a@b.c\nto = a@b.c\n",
                           "therapist.conf:3:", "needs an smtp:// url", NULL);
}

static void test_loopback(void **state) {
        (void) state;
        assert_true(recipient_host_is_loopback("127.0.0.1"));
        assert_true(recipient_host_is_loopback("127.255.255.254"));
        assert_true(recipient_host_is_loopback("::1"));
        assert_true(recipient_host_is_loopback("[::1]"));
        assert_true(recipient_host_is_loopback("localhost"));
        assert_false(recipient_host_is_loopback("localhost."));
        assert_false(recipient_host_is_loopback("126.0.0.1"));
        assert_false(recipient_host_is_loopback("::ffff:8.8.8.8"));
        assert_false(recipient_host_is_loopback("0.0.0.0"));
        assert_false(recipient_host_is_loopback(""));
        assert_false(recipient_host_is_loopback(NULL));
}

static void test_names(void **state) {
        Recipient *r = NULL;
        (void) state;
        assert_true(recipient_name_valid("therapist"));
        assert_true(recipient_name_valid("Dr_Who-2"));
        assert_false(recipient_name_valid(""));
        assert_false(recipient_name_valid("../x"));
        assert_false(recipient_name_valid("a.b"));
        assert_false(recipient_name_valid("a b"));
        char long_name[RECIPIENT_NAME_MAX + 2];
        memset(long_name, 'a', sizeof long_name - 1);
        long_name[sizeof long_name - 1] = '\0';
        assert_false(recipient_name_valid(long_name));
        long_name[RECIPIENT_NAME_MAX] = '\0';
        assert_true(recipient_name_valid(long_name));
        assert_int_equal(recipient_parse("../etc", HTTPS_OK, strlen(HTTPS_OK), NULL, NULL, &r), -EINVAL);
        assert_null(r);
}

/* The parser reads the renderer's names (lib/digest-model.c), in enum order. */
static void test_enum_names(void **state) {
        _cleanup_recipient_ Recipient *r = NULL;
        static const char *const levels[] = { "summary", "daily", "hourly" };
        static const char *const formats[] = { "text", "json", "html", "fhir" };
        (void) state;
        for (int i = 0; i < 3; i++) {
                _cleanup_recipient_ Recipient *x = NULL;
                _cleanup_free_ char *t = NULL;
                Warnings w;
                assert_true(asprintf(&t, HTTPS_OK "level = %s\n", levels[i]) > 0);
                assert_int_equal(parse(t, &w, &x), 0);
                assert_int_equal(x->level, (DigestLevel) i);
        }
        for (int i = 0; i < 4; i++) {
                _cleanup_recipient_ Recipient *x = NULL;
                _cleanup_free_ char *t = NULL;
                Warnings w;
                assert_true(asprintf(&t, HTTPS_OK "format = %s\n", formats[i]) > 0);
                assert_int_equal(parse(t, &w, &x), 0);
                assert_int_equal(x->format, (DigestFormat) i);
        }
        assert_int_equal(recipient_transport_from_string("smtps"), RECIPIENT_SMTPS);
        assert_int_equal(recipient_transport_from_string("http"), -EINVAL);
        assert_string_equal(recipient_transport_to_string(RECIPIENT_SMTP), "smtp");
        (void) r;
}

static void test_nul_and_long_lines(void **state) {
        _cleanup_recipient_ Recipient *r = NULL;
        char text[] = HTTPS_OK "name = a\0b\n";
        Warnings w = {};
        (void) state;

        assert_int_equal(recipient_parse("therapist", text, sizeof text - 1, collect, &w, &r), 1);
        assert_non_null(strstr(w.msg[0], "therapist.conf:5: NUL byte"));
        _cleanup_free_ char *big = malloc(5000);
        memset(big, 'x', 4999);
        big[4999] = '\0';
        _cleanup_free_ char *t = NULL;
        assert_true(asprintf(&t, HTTPS_OK "name = %s\n", big) > 0);
        assert_int_equal(parse(t, &w, &r), 1);
        assert_non_null(strstr(w.msg[0], "therapist.conf:5: line longer than"));
}

/* "[recipient] name = Dr A" is read by inih as "[recipient]": the name would
 * be lost, so the file is refused and says why. */
static void test_text_after_section(void **state) {
        _cleanup_recipient_ Recipient *r = NULL;
        Warnings w = {};
        (void) state;

        assert_int_equal(parse("[recipient] name = Dr A\ntransport = https\nurl = https://inbox.example.org/kizuki\n"
                               "token_file = t\n", &w, &r), 1);
        assert_null(r);
        assert_non_null(strstr(w.msg[0], "therapist.conf:1: text 'name = Dr A' after the section header"));
}

/* A private temp dir for file tests. */
static char *make_dir(void) {
        char tmpl[] = "/tmp/test-recipients-XXXXXX";
        assert_non_null(mkdtemp(tmpl));
        return strdup(tmpl);
}

static void write_file(const char *dir, const char *name, const char *text, mode_t mode) {
        _cleanup_free_ char *p = NULL;
        assert_true(asprintf(&p, "%s/%s", dir, name) > 0);
        FILE *f = fopen(p, "we");
        assert_non_null(f);
        fputs(text, f);
        fclose(f);
        assert_int_equal(chmod(p, mode), 0);
}

static void remove_dir(const char *dir) {
        _cleanup_free_ char *cmd = NULL;
        assert_true(asprintf(&cmd, "rm -rf '%s'", dir) > 0);
        assert_int_equal(system(cmd), 0);
}

static void test_secret_files(void **state) {
        _cleanup_free_ char *dir = make_dir(), *p = NULL;
        char why[256];
        char *s = NULL;
        size_t n;
        (void) state;

        write_file(dir, "ok", "s3cret-token\n", 0600);
        write_file(dir, "crlf", "pw\r\n", 0400);
        write_file(dir, "open", "s3cret\n", 0644);
        write_file(dir, "group", "s3cret\n", 0640);
        write_file(dir, "empty", "\n", 0600);
        write_file(dir, "two", "a\nb\n", 0600);
        assert_true(asprintf(&p, "%s/ok", dir) > 0);

        assert_int_equal(secret_read(p, &s, &n, why, sizeof why), 0);
        assert_string_equal(s, "s3cret-token");
        assert_int_equal(n, 12);
        secret_free(s);
        free(p);
        assert_true(asprintf(&p, "%s/crlf", dir) > 0);
        assert_int_equal(secret_read(p, &s, &n, why, sizeof why), 0);
        assert_string_equal(s, "pw");
        secret_free(s);

        static const struct {
                const char *file, *why;
                int err;
        } bad[] = {
                { "open", "mode 0644", -EPERM },  { "group", "mode 0640", -EPERM }, { "empty", "is empty", -EINVAL },
                { "two", "more than one line", -EINVAL }, { "missing", "No such file", -ENOENT },
        };
        for (size_t i = 0; i < ELEMENTSOF(bad); i++) {
                free(p);
                assert_true(asprintf(&p, "%s/%s", dir, bad[i].file) > 0);
                s = NULL;
                assert_int_equal(secret_read(p, &s, &n, why, sizeof why), bad[i].err);
                assert_null(s);
                if (!strstr(why, bad[i].why))
                        fail_msg("%s: '%s' lacks '%s'", bad[i].file, why, bad[i].why);
                assert_null(strstr(why, "s3cret"));
        }
        /* A symbolic link is refused (O_NOFOLLOW), a directory too. */
        free(p);
        assert_true(asprintf(&p, "%s/link", dir) > 0);
        _cleanup_free_ char *target = NULL;
        assert_true(asprintf(&target, "%s/ok", dir) > 0);
        assert_int_equal(symlink(target, p), 0);
        assert_int_equal(secret_read(p, &s, &n, why, sizeof why), -ELOOP);
        assert_int_equal(secret_read(dir, &s, &n, why, sizeof why), -EINVAL);
        /* A FIFO is refused without blocking in open() (the alarm fails the
         * test instead of hanging it). */
        free(p);
        assert_true(asprintf(&p, "%s/fifo", dir) > 0);
        assert_int_equal(mkfifo(p, 0600), 0);
        alarm(10);
        assert_int_equal(secret_read(p, &s, &n, why, sizeof why), -EINVAL);
        assert_int_equal(secret_read(p, NULL, NULL, why, sizeof why), -EINVAL);
        alarm(0);
        assert_non_null(strstr(why, "not a regular file"));
        /* Only checking: the mode is enough to refuse. */
        free(p);
        assert_true(asprintf(&p, "%s/open", dir) > 0);
        assert_int_equal(secret_read(p, NULL, NULL, why, sizeof why), -EPERM);
        /* Owned by someone else (only testable as root). */
        if (geteuid() == 0) {
                free(p);
                assert_true(asprintf(&p, "%s/ok", dir) > 0);
                assert_int_equal(chown(p, 65534, 65534), 0);
                assert_int_equal(secret_read(p, &s, &n, why, sizeof why), -EPERM);
                assert_non_null(strstr(why, "owned by uid 65534"));
        }
        remove_dir(dir);
}

static void test_dir_and_load(void **state) {
        _cleanup_free_ char *dir = make_dir(), *missing = NULL;
        char **names = NULL;
        size_t n = 0;
        (void) state;

        write_file(dir, "zeta.conf", HTTPS_OK, 0600);
        write_file(dir, "alpha.conf", HTTPS_OK "bad = 1\n", 0600);
        write_file(dir, "not-a-recipient.txt", "", 0600);
        write_file(dir, "bad.name.conf", HTTPS_OK, 0600);
        write_file(dir, ".conf", HTTPS_OK, 0600);
        assert_int_equal(recipients_list(dir, &names, &n), 0);
        assert_int_equal(n, 2);
        assert_string_equal(names[0], "alpha");
        assert_string_equal(names[1], "zeta");
        recipients_names_free(names, n);

        Recipient *r = NULL;
        Warnings w = {};
        assert_int_equal(recipient_load(dir, "zeta", collect, &w, &r), 0);
        assert_non_null(r);
        assert_true(r->token_file[0] == '/');
        assert_non_null(strstr(r->token_file, "/t"));
        recipient_free(r);
        r = NULL;
        assert_int_equal(recipient_load(dir, "alpha", collect, &w, &r), -EBADMSG);
        assert_null(r);
        assert_non_null(strstr(w.msg[0], "alpha.conf:5: unknown key 'bad'"));
        assert_int_equal(recipient_load(dir, "nope", collect, &w, &r), -ENOENT);
        /* Only a regular file is read: a FIFO neither blocks nor is read. */
        _cleanup_free_ char *fifo = NULL, *sub = NULL;
        assert_true(asprintf(&fifo, "%s/fifo.conf", dir) > 0);
        assert_int_equal(mkfifo(fifo, 0600), 0);
        alarm(10);
        assert_int_equal(recipient_load(dir, "fifo", collect, &w, &r), -EINVAL);
        alarm(0);
        assert_true(asprintf(&sub, "%s/sub.conf", dir) > 0);
        assert_int_equal(mkdir(sub, 0700), 0);
        assert_int_equal(recipient_load(dir, "sub", collect, &w, &r), -EISDIR);
        assert_null(r);
        assert_true(asprintf(&missing, "%s/none", dir) > 0);
        assert_int_equal(recipients_list(missing, &names, &n), 0);
        assert_int_equal(n, 0);
        remove_dir(dir);
}

/* FIPS 180-2, appendix B, and the empty string. */
static void test_sha256(void **state) {
        char hex[SHA256_HEX_SIZE];
        (void) state;

        sha256_hex("abc", 3, hex);
        assert_string_equal(hex, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
        const char *two = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";
        sha256_hex(two, strlen(two), hex);
        assert_string_equal(hex, "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
        sha256_hex("", 0, hex);
        assert_string_equal(hex, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");

        /* One million 'a', fed in uneven pieces. */
        Sha256 s;
        uint8_t d[SHA256_DIGEST_SIZE];
        char block[997];
        memset(block, 'a', sizeof block);
        sha256_init(&s);
        size_t left = 1000000;
        for (size_t k = 1; left > 0; k = k % 997 + 1) {
                size_t n = k < left ? k : left;
                sha256_update(&s, block, n);
                left -= n;
        }
        sha256_final(&s, d);
        static const uint8_t want[] = { 0xcd, 0xc7, 0x6e, 0x5c, 0x99, 0x14, 0xfb, 0x92, 0x81, 0xa1, 0xc7,
                                        0xe2, 0x84, 0xd7, 0x3e, 0x67, 0xf1, 0x80, 0x9a, 0x48, 0xa4, 0x97,
                                        0x20, 0x0e, 0x04, 0x6d, 0x39, 0xcc, 0xc7, 0x11, 0x2c, 0xd0 };
        assert_memory_equal(d, want, sizeof want);

        /* Padding edges: 55, 56, 63, 64 and 65 bytes, against a one-shot hash of the same bytes fed bytewise. */
        for (size_t len = 50; len <= 130; len++) {
                char one[SHA256_HEX_SIZE];
                sha256_hex(block, len, one);
                sha256_init(&s);
                for (size_t i = 0; i < len; i++)
                        sha256_update(&s, "a", 1);
                sha256_final(&s, d);
                char two_hex[SHA256_HEX_SIZE];
                for (int i = 0; i < SHA256_DIGEST_SIZE; i++)
                        snprintf(two_hex + 2 * i, 3, "%02x", d[i]);
                assert_string_equal(one, two_hex);
        }
        /* 448 bits: the padding needs a second block. */
        sha256_hex(two, 56, hex);
        assert_string_equal(hex, "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
}

/* secret_mask over a NUL-terminated text, into a buffer of out_size. */
static const char *mask(const char *in, bool complete, const char *secret, size_t out_size) {
        static char out[256];

        assert_true(out_size <= sizeof out);
        secret_mask(in, strlen(in), complete, secret, out, out_size);
        return out;
}

static void test_secret_mask(void **state) {
        const char *tok = "Xq7Lm2Pz9Rt4Vw8K";
        char out[8];
        (void) state;

        /* Whole copies, pieces of 8 and more, wherever they are. */
        assert_string_equal(mask("a Xq7Lm2Pz9Rt4Vw8K b", true, tok, 256), "a *** b");
        assert_string_equal(mask("Xq7Lm2Pz9Rt4Vw8KXq7Lm2Pz", true, tok, 256), "***");
        assert_string_equal(mask("a 9Rt4Vw8K b Xq7Lm2Pz c", true, tok, 256), "a *** b *** c");
        /* Seven characters are not a piece; seven and the next one are. */
        assert_string_equal(mask("a Xq7Lm2P b", true, tok, 256), "a Xq7Lm2P b");
        assert_string_equal(mask("a Xq7Lm2P! Xq7Lm2Pz", true, tok, 256), "a Xq7Lm2P! ***");
        /* Cut short: the last seven bytes could begin a piece, so they go. */
        assert_string_equal(mask("abcdefghij Xq7Lm2P", false, tok, 256), "abcdefghij ");
        assert_string_equal(mask("abcdefghij Xq7Lm2P", true, tok, 256), "abcdefghij Xq7Lm2P");
        assert_string_equal(mask("abc", false, tok, 256), "");
        /* A secret shorter than a piece: its whole copies only. */
        assert_string_equal(mask("pw=abc, ab, abc", true, "abc", 256), "pw=***, ab, ***");
        /* No secret: a copy. The output is bounded, the mask too. */
        assert_string_equal(mask("plain text", true, NULL, 256), "plain text");
        assert_string_equal(mask("plain text", true, "", 256), "plain text");
        assert_string_equal(mask("plain text", true, NULL, 6), "plain");
        assert_string_equal(mask("abcd Xq7Lm2Pz9R", true, tok, 7), "abcd *");
        assert_int_equal(secret_mask("abc", 3, true, NULL, out, 0), 0);
        /* A NUL ends the text, even in a cut answer. */
        assert_int_equal(secret_mask("ab\0Xq7Lm2Pz9Rt4", 16, false, tok, out, sizeof out), 2);
        assert_string_equal(out, "ab");
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_https_minimal),
                cmocka_unit_test(test_smtp_full),
                cmocka_unit_test(test_defaults_per_transport),
                cmocka_unit_test(test_problems_with_lines),
                cmocka_unit_test(test_url_rules),
                cmocka_unit_test(test_loopback),
                cmocka_unit_test(test_names),
                cmocka_unit_test(test_enum_names),
                cmocka_unit_test(test_nul_and_long_lines),
                cmocka_unit_test(test_text_after_section),
                cmocka_unit_test(test_secret_files),
                cmocka_unit_test(test_dir_and_load),
                cmocka_unit_test(test_sha256),
                cmocka_unit_test(test_secret_mask),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
