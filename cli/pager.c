#include "pager.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "macro.h"

static pid_t pager_pid = 0;

/* The pager's stdin, when there is no pager program to run: copy it out. */
static void pager_copy(void) {
        char buf[4096];
        ssize_t n;

        while ((n = read(STDIN_FILENO, buf, sizeof buf)) > 0 || (n < 0 && errno == EINTR))
                for (ssize_t done = 0; n > 0 && done < n;) {
                        ssize_t w = write(STDOUT_FILENO, buf + done, (size_t) (n - done));
                        if (w < 0 && errno != EINTR)
                                return;
                        done += w > 0 ? w : 0;
                }
}

/* In the child: become the pager, reading from fd. Never returns. */
static void pager_exec(int fd, const char *pager) {
        if (dup2(fd, STDIN_FILENO) < 0)
                _exit(EXIT_FAILURE);
        if (fd != STDIN_FILENO)
                close(fd);
        /* As git does: less quits when the text fits one screen (F), shows
         * colours (R) and leaves it on the terminal (X); lv the same (-c). */
        if (setenv("LESS", "FRX", 0) < 0 || setenv("LV", "-c", 0) < 0)
                _exit(EXIT_FAILURE);
        if (pager) {
                execl("/bin/sh", "sh", "-c", pager, (char *) NULL);
                _exit(127);
        }
        execlp("less", "less", (char *) NULL);
        execlp("more", "more", (char *) NULL);
        pager_copy();
        _exit(EXIT_SUCCESS);
}

/* A signal ends kizuki while the pager runs: let the pager finish with the
 * terminal first. Only async-signal-safe calls. */
static void pager_signal(int sig) {
        int saved = errno;
        close(STDOUT_FILENO);
        close(STDERR_FILENO);
        if (pager_pid > 0)
                while (waitpid(pager_pid, NULL, 0) < 0 && errno == EINTR)
                        ;
        signal(sig, SIG_DFL);
        raise(sig);
        errno = saved;
}

int pager_open(void) {
        static const int signals[] = { SIGINT, SIGTERM, SIGHUP, SIGQUIT };
        const char *pager = getenv("KIZUKI_PAGER"), *term = getenv("TERM");
        int fds[2];

        /* A dumb terminal cannot page (as systemd's pager decides). */
        if (pager_pid > 0 || !isatty(STDOUT_FILENO) || !term || !*term || strcmp(term, "dumb") == 0)
                return 0;
        if (!pager)
                pager = getenv("PAGER");
        if (pager && (pager[strspn(pager, " \t")] == '\0' || strcmp(pager, "cat") == 0))
                return 0;
        if (pipe2(fds, O_CLOEXEC) < 0) {
                fprintf(stderr, "kizuki: cannot start a pager: %s\n", strerror(errno));
                return -errno;
        }
        fflush(stdout);
        fflush(stderr);
        pid_t pid = fork();
        if (pid < 0) {
                int r = -errno;
                fprintf(stderr, "kizuki: cannot start a pager: %s\n", strerror(errno));
                close(fds[0]);
                close(fds[1]);
                return r;
        }
        if (pid == 0) {
                close(fds[1]);
                pager_exec(fds[0], pager);
        }
        close(fds[0]);
        if (dup2(fds[1], STDOUT_FILENO) < 0) {
                int r = -errno;
                fprintf(stderr, "kizuki: cannot start a pager: %s\n", strerror(errno));
                close(fds[1]);
                while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
                        ;
                return r;
        }
        /* Messages on the terminal go through the pager too, as with git,
         * rather than across its screen. Best effort. */
        if (isatty(STDERR_FILENO))
                (void) dup2(fds[1], STDERR_FILENO);
        close(fds[1]);
        pager_pid = pid;
        for (size_t i = 0; i < ELEMENTSOF(signals); i++)
                signal(signals[i], pager_signal);
        return 1;
}

void pager_close(void) {
        if (pager_pid <= 0)
                return;
        fflush(stdout);
        fflush(stderr);
        /* The pager sees the end of its input once no copy of the pipe is left. */
        close(STDOUT_FILENO);
        close(STDERR_FILENO);
        while (waitpid(pager_pid, NULL, 0) < 0 && errno == EINTR)
                ;
        pager_pid = 0;
}
