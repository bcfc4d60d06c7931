#include "regular_file.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

FILE *nn_open_regular(const char *path, size_t *size, char *err, size_t errlen)
{
    /* O_NONBLOCK: a FIFO opens at once instead of waiting for a writer; fstat then refuses it */
    const int fd = open(path, O_RDONLY | O_NONBLOCK);
    struct stat st;
    if (fd < 0 || fstat(fd, &st) != 0) {
        snprintf(err, errlen, "%s: cannot open (%s)", path, strerror(errno));
        if (fd >= 0) close(fd);
        return NULL;
    }
    const char *why = S_ISDIR(st.st_mode) ? "a directory, not a file"
                      : !S_ISREG(st.st_mode) ? "not a regular file (a FIFO, socket or device)"
                                             : NULL;
    FILE *f = why ? NULL : fdopen(fd, "rb");
    if (!f) {
        close(fd);
        snprintf(err, errlen, "%s: %s", path, why ? why : "cannot open");
        return NULL;
    }
    fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK);
    *size = (size_t)st.st_size;
    return f;
}
