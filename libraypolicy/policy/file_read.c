/* file_read.c -- the whole of a file (or of standard input) in memory, for
 * packs, manifests, parameter files and test suites.
 *
 * Why not stdio: a regular file is read with pread() at explicit offsets
 * into one buffer of its size (from fstat), so that
 *   - a file larger than the caller's limit is refused before a byte of
 *     it is read or a byte of memory spent on it;
 *   - the only allocation is the buffer (stdio would add its own, whose
 *     failure it hides);
 *   - the read does not depend on the file description's shared offset,
 *     which a process that forked (or another thread holding the same
 *     descriptor) would move under us.
 * Pipes, terminals and character devices (standard input, /dev/stdin,
 * <(process substitution)) have no size: they are read to their end in
 * growing steps, never holding more than the limit plus one byte.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "policy/policy.h"

/* The first step for a stream of unknown size, and the most it grows by:
 * a doubling buffer would overshoot a large limit by up to twice. */
#define STREAM_FIRST_STEP ((size_t)1 << 16)

/* Read FD from offset START with pread() into a buffer for SIZE bytes
 * plus the one that tells that the file grew past MAX.  errno: EFBIG,
 * ENOMEM, or read's. */
static char *read_regular(int fd, off_t start, size_t size, size_t max, size_t *len)
{
    if (size > max) {
        errno = EFBIG;
        return NULL;
    }
    /* One byte to see that the file grew since fstat, one for the NUL. */
    size_t cap = size + 2;
    char *buf = malloc(cap);
    if (!buf) {
        errno = ENOMEM;
        return NULL;
    }
    size_t n = 0;
    for (;;) {
        if (n + 1 >= cap) {
            /* Grown since fstat: go on as for a stream, within MAX. */
            if (n > max || cap == SIZE_MAX) {
                free(buf);
                errno = EFBIG;
                return NULL;
            }
            size_t most = max < SIZE_MAX - 2 ? max + 2 : SIZE_MAX;
            size_t ncap = cap > most / 2 ? most : cap * 2;
            char *nb = realloc(buf, ncap);
            if (!nb) {
                free(buf);
                errno = ENOMEM;
                return NULL;
            }
            buf = nb;
            cap = ncap;
        }
        ssize_t got = pread(fd, buf + n, cap - n - 1, start + (off_t)n);
        if (got < 0 && errno == EINTR)
            continue;
        if (got < 0) {
            int e = errno;
            free(buf);
            errno = e;
            return NULL;
        }
        if (got == 0)
            break;
        n += (size_t)got;
    }
    if (n > max) {
        free(buf);
        errno = EFBIG;
        return NULL;
    }
    buf[n] = '\0';
    *len = n;
    return buf;
}

/* Read FD to its end with read(), holding at most MAX + 1 bytes. */
static char *read_stream(int fd, size_t max, size_t *len)
{
    size_t most = max < SIZE_MAX - 2 ? max + 2 : SIZE_MAX; /* room for one byte too many */
    size_t cap = most < STREAM_FIRST_STEP ? most : STREAM_FIRST_STEP, n = 0;
    char *buf = malloc(cap);
    if (!buf) {
        errno = ENOMEM;
        return NULL;
    }
    for (;;) {
        if (n + 1 >= cap) {
            if (n > max || cap == most) {
                free(buf);
                errno = EFBIG;
                return NULL;
            }
            size_t ncap = cap > most / 2 ? most : cap * 2;
            char *nb = realloc(buf, ncap);
            if (!nb) {
                free(buf);
                errno = ENOMEM;
                return NULL;
            }
            buf = nb;
            cap = ncap;
        }
        ssize_t got = read(fd, buf + n, cap - n - 1);
        if (got < 0 && errno == EINTR)
            continue;
        if (got < 0) {
            int e = errno;
            free(buf);
            errno = e;
            return NULL;
        }
        if (got == 0)
            break;
        n += (size_t)got;
    }
    if (n > max) {
        free(buf);
        errno = EFBIG;
        return NULL;
    }
    buf[n] = '\0';
    *len = n;
    return buf;
}

char *rpi_read_file(const char *path, size_t max, size_t *len)
{
    bool is_stdin = strcmp(path, "-") == 0;
    int fd = is_stdin ? STDIN_FILENO : open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
    if (fd < 0)
        return NULL;
    struct stat st;
    off_t start = 0;
    char *text;
    if (fstat(fd, &st) != 0) {
        text = NULL;
    } else if (S_ISDIR(st.st_mode)) {
        errno = EISDIR;
        text = NULL;
    } else if (S_ISREG(st.st_mode) && (start = lseek(fd, 0, SEEK_CUR)) >= 0) {
        /* From where the descriptor is (standard input may have been read
         * from already), and leaving it after what was read, as read()
         * would.  A file over SIZE_MAX on a 32-bit system is over any limit. */
        off_t left = st.st_size > start ? st.st_size - start : 0;
        size_t size = (uintmax_t)left > SIZE_MAX - 2 ? SIZE_MAX - 2 : (size_t)left;
        text = read_regular(fd, start, size, max, len);
        if (text && is_stdin)
            (void)lseek(fd, start + (off_t)*len, SEEK_SET);
    } else {
        text = read_stream(fd, max, len);
    }
    if (!is_stdin) {
        int e = errno;
        close(fd);
        errno = e;
    }
    return text;
}
