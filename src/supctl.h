/* SPDX-License-Identifier: ISC */
/*
 * supctl.h: the commands of supctl-term.c, supctl-stats.c and `run` of
 * supctl-run.c, which supctl.c calls. What they share (connection,
 * messages, END, failures) is supctl-io.h.
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

/*
 * Send a request with nfds fds attached to its first byte. A peer that
 * hung up (supd refused us) may still have said why: the caller reads on.
 */
void	term_send_fds(int sock, const char *req, size_t len, const int *fds,
	    size_t nfds);

/* run (supctl-run.c): argv[0] is "run"; the exit code. */
int	run_main(int argc, char **argv, const char *sock);

/* events (supctl-events.c): argv[0] is "events"; streams until
 * interrupted (0) or the connection ends (3). */
int	events_main(int argc, char **argv, const char *sock, int json);

#endif
