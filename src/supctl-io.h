/* SPDX-License-Identifier: ISC */
/*
 * supctl-io.h: supctl's client I/O layer (supctl-io.c), shared by the
 * request/reply commands (supctl.c) and the terminal ones (supctl-term.c).
 * It depends on neither of them.
 */
#ifndef SUPD_SUPCTL_IO_H
#define SUPD_SUPCTL_IO_H

#include <stddef.h>

#include "proto.h"
#include "util.h"

/* Exit codes (docs/design.md, "supctl commands"). */
#define SUPCTL_EXIT_OK		0
#define SUPCTL_EXIT_FAILED	1	/* the daemon reported a failure */
#define SUPCTL_EXIT_USAGE	2	/* bad command line */
#define SUPCTL_EXIT_UNREACH	3	/* cannot reach supd, or the reply broke off */

/* The END of a reply, decoded once. */
struct sio_end {
	int		ok;	/* END said "ok" */
	struct strv	msgs;	/* message lines, split at '\n', sanitised */
};

/* --json: failures are reported as JSON on stdout. */
void	sio_set_json(int);
/* Print {"ok":false,"error":MSG} on stdout. */
void	sio_json_error(const char *msg);
/* One line on stderr (or JSON with --json), then exit(code). */
void	sio_fail(int code, const char *, ...) ATTR_PRINTF(2, 3)
	    __attribute__((noreturn));

/* Connect to supd's control socket, or fail with SUPCTL_EXIT_UNREACH. */
int	sio_connect(const char *path);
/* Write it all; -1 with errno when supd went away (its reply may be read). */
int	sio_send(int fd, const char *, size_t);
/* Write it all to supd, or fail with SUPCTL_EXIT_UNREACH. */
void	sio_send_or_fail(int fd, const char *, size_t);

/* Read one whole message (blocking); *payload is NUL-terminated, freed by
 * the caller. Fails on a broken connection or a bad header. */
void	sio_frame_read(int fd, struct proto_hdr *, char **payload);
/* Take the next whole message out of buffered bytes; 0 if none yet. */
int	sio_frame_take(struct buf *, struct proto_hdr *, char **payload);
/* Decode an END payload (modified in place); fails on a bad one. */
void	sio_end_decode(char *payload, size_t len, struct sio_end *);

/* A daemon string made safe for a terminal (control characters as \ooo). */
char	*sio_safe_str(const char *);
/* nrows rows of ncols allocated cells (the header first), made safe,
 * in columns two spaces apart, appended to out; the cells are freed. */
void	 sio_table(char **cell, size_t nrows, size_t ncols, struct buf *out);

#endif
