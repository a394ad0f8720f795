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

/* Read FD to its end, from offset START with pread() (a regular file:
 * FIRST is its size, the buffer one byte larger to see that it grew) or,
 * when START is -1, with read() in steps from FIRST.  At most MAX + 1
 * bytes are ever held.  errno: EFBIG, ENOMEM, or read's. */
static char *read_all(int fd, off_t start, size_t first, size_t max, size_t *len)
{
    size_t most = max < SIZE_MAX - 2 ? max + 2 : SIZE_MAX; /* room for one byte too many */
    if (first > max && start >= 0) {
        errno = EFBIG;
        return NULL;
    }
    size_t cap = first < most - 2 ? first + 2 : most, n = 0;
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
        ssize_t got = start >= 0 ? pread(fd, buf + n, cap - n - 1, start + (off_t)n)
                                 : read(fd, buf + n, cap - n - 1);
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
        text = read_all(fd, start, size, max, len);
        if (text && is_stdin)
            (void)lseek(fd, start + (off_t)*len, SEEK_SET);
    } else {
        text = read_all(fd, -1, STREAM_FIRST_STEP, max, len);
    }
    if (!is_stdin) {
        int e = errno;
        close(fd);
        errno = e;
    }
    return text;
}
