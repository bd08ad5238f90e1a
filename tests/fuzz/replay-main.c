/* Without libFuzzer (gcc builds): run a fuzz target over every file of the seed
 * corpus directories given as arguments, so the corpus is an ordinary test. */
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* A target that counts the inputs it takes past its parser's check defines
 * this; --min-accepted N then fails the replay when fewer than N seeds get
 * that far (a seed corpus that went stale with a format change would
 * otherwise fuzz nothing but the rejection). */
extern size_t fuzz_accepted __attribute__((weak));

static int replay_file(const char *path) {
        FILE *f = fopen(path, "rb");
        if (!f) {
                perror(path);
                return -1;
        }
        uint8_t *buf = NULL;
        size_t n = 0, cap = 0;
        for (;;) {
                if (n == cap) {
                        cap = cap ? cap * 2 : 4096;
                        uint8_t *nb = realloc(buf, cap);
                        if (!nb) {
                                free(buf);
                                fclose(f);
                                return -1;
                        }
                        buf = nb;
                }
                size_t r = fread(buf + n, 1, cap - n, f);
                if (r == 0)
                        break;
                n += r;
        }
        fclose(f);
        LLVMFuzzerTestOneInput(buf, n);
        free(buf);
        return 0;
}

int main(int argc, char **argv) {
        int files = 0, first = 1;
        long min_accepted = 0;
        if (argc > 2 && strcmp(argv[1], "--min-accepted") == 0) {
                min_accepted = strtol(argv[2], NULL, 10);
                first = 3;
        }
        for (int i = first; i < argc; i++) {
                DIR *d = opendir(argv[i]);
                if (!d) {
                        if (replay_file(argv[i]) < 0)
                                return 1;
                        files++;
                        continue;
                }
                struct dirent *de;
                while ((de = readdir(d))) {
                        if (de->d_name[0] == '.')
                                continue;
                        char path[4096];
                        snprintf(path, sizeof path, "%s/%s", argv[i], de->d_name);
                        if (replay_file(path) < 0) {
                                closedir(d);
                                return 1;
                        }
                        files++;
                }
                closedir(d);
        }
        printf("replayed %d inputs\n", files);
        if (min_accepted > 0) {
                size_t accepted = &fuzz_accepted ? fuzz_accepted : 0;
                printf("%zu accepted by the check (at least %ld wanted)\n", accepted, min_accepted);
                if (accepted < (size_t) min_accepted)
                        return 1;
        }
        return files > 0 ? 0 : 1;
}
