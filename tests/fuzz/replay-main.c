/* Without libFuzzer (gcc builds): run a fuzz target over every file of the seed
 * corpus directories given as arguments, so the corpus is an ordinary test. */
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

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
        int files = 0;
        for (int i = 1; i < argc; i++) {
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
        return files > 0 ? 0 : 1;
}
