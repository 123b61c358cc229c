/* SPDX-License-Identifier: ISC */
/*
 * supctl.h: what supctl.c and supctl-term.c share.
 */
#ifndef SUPD_SUPCTL_H
#define SUPD_SUPCTL_H

#include <stddef.h>

#include "util.h"

/* Exit codes (docs/design.md, "supctl commands"). */
#define SUPCTL_EXIT_OK		0
#define SUPCTL_EXIT_FAILED	1	/* the daemon reported a failure */
#define SUPCTL_EXIT_USAGE	2	/* bad command line */
#define SUPCTL_EXIT_UNREACH	3	/* cannot reach supd, or the reply broke off */

/* One line on stderr (or JSON with --json), then exit(code). */
void	supctl_fail(int code, const char *, ...) ATTR_PRINTF(2, 3)
	    __attribute__((noreturn));
/* Write it all to supd, or fail with SUPCTL_EXIT_UNREACH. */
void	supctl_send_all(int fd, const char *, size_t);

/* exec: send the request with our stdio (tty: a new pty we relay); the
 * command's exit code, or 1 if supd refused. */
int	term_exec(int sock, const char *req, size_t len, int tty);
/* attach: relay the terminal until Ctrl-P Ctrl-Q or the service ends. */
int	term_attach(int sock, const char *req, size_t len);

#endif
