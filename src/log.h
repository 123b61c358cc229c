/* SPDX-License-Identifier: ISC */
/*
 * log.h: supd's own diagnostics -- one line per event on stderr, prefixed
 * with an RFC 3339 UTC time and, for a warning or an error, its level.
 * Writes never block the loop: stderr is reopened as its own non-blocking
 * file description and a line that does not fit is dropped (and counted in
 * the next line that does).
 */
#ifndef SUPD_LOG_H
#define SUPD_LOG_H

#include "util.h"

void	log_init(void);
/* Normal operation. The levels and which to use when: log.c's head comment. */
void	log_info(const char *, ...) ATTR_PRINTF(1, 2);
/* A warning, with ": strerror(errno)" appended. */
void	log_warn(const char *, ...) ATTR_PRINTF(1, 2);
/* A warning without errno. */
void	log_warnx(const char *, ...) ATTR_PRINTF(1, 2);
/* An error without errno. */
void	log_errx(const char *, ...) ATTR_PRINTF(1, 2);
/* Open a non-blocking writer on fd (1 or 2) that never seeks; -1 on failure. */
int	log_open_nonblock(int fd);
/*
 * Write len bytes of msg as they are, in one write(2) to the same file
 * description as every other line (appended, never blocking): async-signal-
 * safe, for a fatal signal's handler.
 */
void	log_raw(const char *msg, size_t len);

#endif
