/* The control server's calls answered in steps (ControlSteps), on a real
 * socket and the daemon's loop (control_base_new): a quick call from another
 * connection is answered between two steps of a long one; replies on one
 * connection come in the order of its calls; calls in steps run one at a time,
 * in the order they came; a connection that goes while its call is in steps
 * releases it. */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "control.h"
#include "macro.h"

#define SLOW_STEP_US 1000

typedef struct Job Job;

typedef struct Fixture {
        char dir[40];
        char path[64];
        struct event_base *base;
        Control *control;
        int steps_run;      /* steps of every Slow call so far */
        int freed;          /* Slow states released */
        int running;        /* the id of the Slow call whose step ran last */
        bool interleaved;   /* a Slow call stepped while another was unfinished */
        int left_at_quick;  /* steps the running Slow call had left when a Quick was answered */
        Job *current;       /* the Slow call begun and not finished */
} Fixture;

struct Job {
        Fixture *f;
        int id, left;
};

static void job_free(void *state) {
        Job *j = state;
        j->f->freed++;
        if (j->f->current == j)
                j->f->current = NULL;
        free(j);
}

static void busy_wait_us(int64_t us) {
        struct timespec a, b;
        clock_gettime(CLOCK_MONOTONIC, &a);
        do
                clock_gettime(CLOCK_MONOTONIC, &b);
        while ((b.tv_sec - a.tv_sec) * 1000000 + (b.tv_nsec - a.tv_nsec) / 1000 < us);
}

static int reply_int(const char *name, int v, char **ret, size_t *ret_len) {
        json_object *p = json_object_new_object();
        json_object_object_add(p, name, json_object_new_int(v));
        return varlink_reply(p, ret, ret_len);
}

static int job_step(void *state, char **ret, size_t *ret_len) {
        Job *j = state;
        Fixture *f = j->f;
        if (f->current && f->current != j)
                f->interleaved = true;
        f->current = j;
        f->running = j->id;
        f->steps_run++;
        busy_wait_us(SLOW_STEP_US);
        /* turn() ends after this callback: libevent's loop would otherwise go
         * on while anything is active, and a call in steps always is. */
        event_base_loopbreak(f->base);
        if (--j->left > 0)
                return 0;
        f->current = NULL;
        int r = reply_int("slow", j->id, ret, ret_len);
        return r < 0 ? r : 1;
}

/* t.Slow(id, steps): answered in steps of SLOW_STEP_US each; t.Quick(id): at once. */
static int handler(const VarlinkCall *call, char **ret, size_t *ret_len, ControlSteps *ret_steps, void *userdata) {
        Fixture *f = userdata;
        int64_t id = 0, steps = 1;
        (void) varlink_param_int(call->parameters, "id", 0, 1000, &id);
        if (strcmp(call->method, "t.Slow") == 0) {
                (void) varlink_param_int(call->parameters, "steps", 1, 100000, &steps);
                Job *j;
                if (NEW(&j, Job, .f = f, .id = (int) id, .left = (int) steps) < 0)
                        return -ENOMEM;
                *ret_steps = (ControlSteps) { .step = job_step, .free = job_free, .state = j };
                return CONTROL_STEPS;
        }
        f->left_at_quick = f->current ? f->current->left : 0;
        return reply_int("quick", (int) id, ret, ret_len);
}

static int setup(void **state) {
        Fixture *f = calloc(1, sizeof *f);
        assert_non_null(f);
        snprintf(f->dir, sizeof f->dir, "/tmp/test-control-XXXXXX");
        assert_non_null(mkdtemp(f->dir));
        snprintf(f->path, sizeof f->path, "%s/sock", f->dir);
        int fd;
        assert_int_equal(control_bind(f->path, &fd), 0);
        assert_int_equal(control_base_new(&f->base), 0);
        assert_int_equal(control_new(&f->control, f->base, fd, handler, f), 0);
        *state = f;
        return 0;
}

static int teardown(void **state) {
        Fixture *f = *state;
        control_free(f->control);
        event_base_free(f->base);
        unlink(f->path);
        rmdir(f->dir);
        free(f);
        return 0;
}

static int client(Fixture *f) {
        struct sockaddr_un sa = { .sun_family = AF_UNIX };
        snprintf(sa.sun_path, sizeof sa.sun_path, "%s", f->path);
        int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
        assert_true(fd >= 0);
        assert_int_equal(connect(fd, (struct sockaddr *) &sa, sizeof sa), 0);
        assert_int_equal(fcntl(fd, F_SETFL, O_NONBLOCK), 0);
        return fd;
}

static void send_call(int fd, const char *method, int id, int steps) {
        char buf[160];
        int n = snprintf(buf, sizeof buf, "{\"method\":\"%s\",\"parameters\":{\"id\":%d,\"steps\":%d}}", method, id,
                         steps);
        assert_int_equal(send(fd, buf, (size_t) n + 1, MSG_NOSIGNAL), n + 1);
}

/* One turn of the loop: what is ready, in priority order, up to and with one
 * callback of steps. */
static void turn(Fixture *f) {
        assert_true(event_base_loop(f->base, EVLOOP_NONBLOCK) >= 0);
}

/* The replies received on fd so far, appended to buf (NULs turned into '\n'). */
static void take_replies(int fd, char *buf, size_t size) {
        size_t len = strlen(buf);
        ssize_t n;
        while (len + 1 < size && (n = recv(fd, buf + len, size - len - 1, 0)) > 0)
                len += (size_t) n;
        buf[len] = '\0';
        for (size_t i = 0; i < len; i++)
                if (buf[i] == '\0')
                        buf[i] = '\n';
}

/* Count the complete replies in buf. */
static size_t count_replies(const char *buf) {
        size_t n = 0;
        for (const char *p = buf; (p = strchr(p, '\n')); p++)
                n++;
        return n;
}

/* Turn the loop until want replies are in buf (at most limit turns); the turns taken. */
static int turn_until(Fixture *f, int fd, char *buf, size_t size, size_t want, int limit) {
        for (int i = 0; i < limit; i++) {
                take_replies(fd, buf, size);
                if (count_replies(buf) >= want)
                        return i;
                turn(f);
        }
        take_replies(fd, buf, size);
        return limit;
}

static void test_quick_call_between_steps(void **state) {
        Fixture *f = *state;
        int a = client(f), b = client(f);
        char ra[4096] = "", rb[4096] = "";

        /* 400 steps of 1 ms: about 80 turns of CONTROL_STEP_BUDGET_US. */
        send_call(a, "t.Slow", 1, 400);
        for (int i = 0; i < 1000 && f->steps_run == 0; i++)
                turn(f);
        assert_true(f->steps_run > 0);

        send_call(b, "t.Quick", 2, 0);
        int turns = turn_until(f, b, rb, sizeof rb, 1, 1000);
        assert_true(turns < 1000);
        assert_string_equal(rb, "{\"parameters\":{\"quick\":2}}\n");
        /* Answered while most of the long call was still to come, and each
         * turn ran about CONTROL_STEP_BUDGET_US of its steps, not all. */
        assert_true(f->left_at_quick > 300);
        take_replies(a, ra, sizeof ra);
        assert_string_equal(ra, "");

        assert_true(turn_until(f, a, ra, sizeof ra, 1, 10000) < 10000);
        assert_string_equal(ra, "{\"parameters\":{\"slow\":1}}\n");
        assert_int_equal(f->steps_run, 400);
        assert_int_equal(f->freed, 1);
        close(a);
        close(b);
}

static void test_replies_in_order(void **state) {
        Fixture *f = *state;
        int a = client(f);
        char ra[4096] = "";

        /* Pipelined in one write: each waits for the one before. */
        send_call(a, "t.Slow", 1, 20);
        send_call(a, "t.Quick", 2, 0);
        send_call(a, "t.Slow", 3, 1);
        send_call(a, "t.Quick", 4, 0);
        send_call(a, "t.Slow", 5, 30);
        assert_true(turn_until(f, a, ra, sizeof ra, 5, 10000) < 10000);
        assert_string_equal(ra, "{\"parameters\":{\"slow\":1}}\n"
                                "{\"parameters\":{\"quick\":2}}\n"
                                "{\"parameters\":{\"slow\":3}}\n"
                                "{\"parameters\":{\"quick\":4}}\n"
                                "{\"parameters\":{\"slow\":5}}\n");
        assert_int_equal(f->freed, 3);
        close(a);
}

static void test_one_at_a_time_in_order(void **state) {
        Fixture *f = *state;
        int c[3] = { client(f), client(f), client(f) };
        char r[3][512] = { "", "", "" };

        for (int i = 0; i < 3; i++) {
                send_call(c[i], "t.Slow", i + 1, 15);
                turn(f); /* read it: the calls are queued in this order */
        }
        int order[3], done = 0;
        for (int t = 0; t < 10000 && done < 3; t++) {
                turn(f);
                for (int i = 0; i < 3; i++)
                        if (count_replies(r[i]) == 0) {
                                take_replies(c[i], r[i], sizeof r[i]);
                                if (count_replies(r[i]) == 1)
                                        order[done++] = i;
                        }
        }
        assert_int_equal(done, 3);
        assert_int_equal(order[0], 0);
        assert_int_equal(order[1], 1);
        assert_int_equal(order[2], 2);
        assert_false(f->interleaved);
        assert_int_equal(f->steps_run, 45);
        for (int i = 0; i < 3; i++)
                close(c[i]);
}

static void test_connection_gone_during_steps(void **state) {
        Fixture *f = *state;
        int a = client(f), b = client(f), c = client(f);
        char rb[512] = "";

        send_call(a, "t.Slow", 1, 100000); /* would take 100 s */
        send_call(c, "t.Slow", 3, 100000); /* queued behind it */
        for (int i = 0; i < 1000 && f->steps_run == 0; i++)
                turn(f);
        assert_true(f->steps_run > 0);
        close(a);
        send_call(b, "t.Quick", 2, 0);
        assert_true(turn_until(f, b, rb, sizeof rb, 1, 1000) < 1000);
        assert_string_equal(rb, "{\"parameters\":{\"quick\":2}}\n");
        /* The closed connection's call is released at once; c's runs. */
        for (int i = 0; i < 1000 && f->running != 3; i++)
                turn(f);
        assert_int_equal(f->running, 3);
        assert_int_equal(f->freed, 1);
        close(b);
        close(c);
        for (int i = 0; i < 10 && f->freed < 2; i++)
                turn(f);
        assert_int_equal(f->freed, 2);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test_setup_teardown(test_quick_call_between_steps, setup, teardown),
                cmocka_unit_test_setup_teardown(test_replies_in_order, setup, teardown),
                cmocka_unit_test_setup_teardown(test_one_at_a_time_in_order, setup, teardown),
                cmocka_unit_test_setup_teardown(test_connection_gone_during_steps, setup, teardown),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
