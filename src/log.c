/* SPDX-License-Identifier: ISC */
/*
 * log.c: supd's own diagnostics. One line per event on stderr, at one of
 * three levels; warnings and errors carry their level between the time and
 * "supd:", so that everything from "supd: " on reads the same at any level:
 *
 *	2026-11-27T18:30:00.123Z supd: web: started, pid 1234
 *	2026-11-27T18:30:01.456Z warning supd: web: cannot start: ...
 *	2026-11-27T18:30:02.789Z error supd: control socket: ...
 *
 * info is an event of normal operation; a warning is something that failed
 * and that supd works around (one service, one client, one file); an error
 * is supd itself losing part of its job (no control socket, PID 1 only
 * reaping, a bug caught).
 *
 * The loop must never block on its own stderr (a full pipe to a stalled
 * reader, a stopped terminal), so stderr is reopened as a separate,
 * non-blocking file description; a line that cannot be written at once is
 * dropped and counted, and the count is reported with the next line.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "log.h"

static int		log_fd = 2;
static unsigned long	log_dropped;

int
log_open_nonblock(int fd)
{
	char		path[64];
	struct stat	st;
	int		nfd, flags = O_WRONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY;

	if (fstat(fd, &st) == -1)
		return -1;
	/* A new open of the same file gets its own flags; a regular file is
	 * appended to so that nothing ever seeks. */
	if (S_ISREG(st.st_mode))
		flags |= O_APPEND;
	snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
	nfd = open(path, flags);
	if (nfd == -1 && S_ISREG(st.st_mode))
		nfd = fcntl(fd, F_DUPFD_CLOEXEC, 3);	/* appending never blocks */
	return nfd;
}

void
log_init(void)
{
	int	fd;

	if ((fd = log_open_nonblock(2)) != -1)
		log_fd = fd;
}

enum log_level {
	LOG_LVL_INFO,		/* normal operation: no marker */
	LOG_LVL_WARNING,	/* a failure supd works around: "warning" */
	LOG_LVL_ERROR,		/* supd lost part of its job: "error" */
};

static const char *const log_levels[] = {
	[LOG_LVL_INFO] =	"",
	[LOG_LVL_WARNING] =	"warning ",
	[LOG_LVL_ERROR] =	"error ",
};

static void ATTR_PRINTF(2, 0)
log_vwrite(enum log_level lvl, const char *fmt, va_list ap, int errnum)
{
	char	line[2048], ts[RFC3339_LEN];
	int	n, m;

	fmt_rfc3339(ts);
	n = snprintf(line, sizeof line, "%s %ssupd: ", ts, log_levels[lvl]);
	if (log_dropped > 0) {
		m = snprintf(line + n, sizeof line - n,
		    "(%lu log lines dropped) ", log_dropped);
		if (m > 0 && (size_t)m < sizeof line - n)
			n += m;
	}
	m = vsnprintf(line + n, sizeof line - n, fmt, ap);
	if (m < 0)
		m = 0;
	n = (size_t)(n + m) >= sizeof line - 64 ? (int)sizeof line - 64 : n + m;
	if (errnum != 0)
		n += snprintf(line + n, sizeof line - n, ": %s", strerror(errnum));
	line[n++] = '\n';
	if (write(log_fd, line, n) == n)
		log_dropped = 0;
	else
		log_dropped++;
}

void
log_raw(const char *msg, size_t len)
{
	(void)write(log_fd, msg, len);
}

/* Each public function: errno is the caller's to read, never changed. */
#define LOG_AT(lvl, with_errno) do {				\
	va_list	ap;						\
	int	saved = errno;					\
								\
	va_start(ap, fmt);					\
	log_vwrite((lvl), fmt, ap, (with_errno) ? saved : 0);	\
	va_end(ap);						\
	errno = saved;						\
} while (0)

void
log_info(const char *fmt, ...)
{
	LOG_AT(LOG_LVL_INFO, 0);
}

void
log_warn(const char *fmt, ...)
{
	LOG_AT(LOG_LVL_WARNING, 1);
}

void
log_warnx(const char *fmt, ...)
{
	LOG_AT(LOG_LVL_WARNING, 0);
}

void
log_errx(const char *fmt, ...)
{
	LOG_AT(LOG_LVL_ERROR, 0);
}
