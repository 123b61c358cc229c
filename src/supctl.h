/* SPDX-License-Identifier: ISC */
/*
 * supctl.h: the commands of supctl-term.c and supctl-stats.c that
 * supctl.c calls. What they share (connection, messages, END, failures) is supctl-io.h.
 */
#ifndef SUPD_SUPCTL_H
#define SUPD_SUPCTL_H

#include <stddef.h>

/* exec: send the request with our stdio (tty: a new pty we relay); the
 * command's exit code, or 1 if supd refused. */
int	term_exec(int sock, const char *req, size_t len, int tty);
/* attach: relay the terminal until Ctrl-P Ctrl-Q or the service ends. */
int	term_attach(int sock, const char *req, size_t len);

/* stats: one snapshot of what services use (a table, or JSON), or on a
 * terminal without no_stream one a second until interrupted; the exit
 * status. */
int	stats_run(const char *sock, const char *req, size_t len, int json,
	    int no_stream);

#endif
