/* fuzz_main.c -- a main() for the fuzz targets when they are not built
 * with libFuzzer: runs LLVMFuzzerTestOneInput once over each file named on
 * the command line (or each file of each directory named), so that
 * `make check` replays fuzz/regressions/ under the build's sanitizers or
 * valgrind.  Exit status 0 when every input ran, 1 when a file could not
 * be read.
 */
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Read PATH whole and feed it to the target, in a buffer of exactly its
 * size so that AddressSanitizer sees any read past the end. */
static int run_file(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (f == NULL) {
        perror(path);
        return 1;
    }
    size_t cap = 4096, len = 0;
    uint8_t *buf = malloc(cap);
    size_t got;
    while (buf != NULL && (got = fread(buf + len, 1, cap - len, f)) > 0) {
        len += got;
        if (len == cap) {
            uint8_t *nb = realloc(buf, cap * 2);
            if (nb == NULL) {
                free(buf);
                buf = NULL;
                break;
            }
            buf = nb;
            cap *= 2;
        }
    }
    int failed = ferror(f) || buf == NULL;
    fclose(f);
    if (failed) {
        fprintf(stderr, "%s: cannot read\n", path);
        free(buf);
        return 1;
    }
    uint8_t *exact = malloc(len > 0 ? len : 1);
    if (exact == NULL) {
        free(buf);
        return 1;
    }
    memcpy(exact, buf, len);
    free(buf);
    LLVMFuzzerTestOneInput(exact, len);
    free(exact);
    return 0;
}

/* A directory: every regular file in it, in byte order of the names. */
static int run_dir(const char *dir)
{
    struct dirent **names;
    int n = scandir(dir, &names, NULL, alphasort);
    if (n < 0) {
        perror(dir);
        return 1;
    }
    int status = 0;
    for (int i = 0; i < n; i++) {
        if (names[i]->d_name[0] != '.') {
            size_t need = strlen(dir) + strlen(names[i]->d_name) + 2;
            char *p = malloc(need);
            if (p == NULL) {
                status = 1;
            } else {
                snprintf(p, need, "%s/%s", dir, names[i]->d_name);
                struct stat st;
                if (stat(p, &st) == 0 && S_ISREG(st.st_mode))
                    status |= run_file(p);
                free(p);
            }
        }
        free(names[i]);
    }
    free(names);
    return status;
}

int main(int argc, char **argv)
{
    int status = 0;
    for (int i = 1; i < argc; i++) {
        struct stat st;
        if (stat(argv[i], &st) == 0 && S_ISDIR(st.st_mode))
            status |= run_dir(argv[i]);
        else
            status |= run_file(argv[i]);
    }
    return status;
}
