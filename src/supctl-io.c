/* SPDX-License-Identifier: ISC */
/*
 * supctl-io.c: supctl's client I/O layer. It owns the connection to supd's
 * control socket, sending a request, reading the reply's messages (blocking,
 * or out of bytes a relay has gathered), the one decoder of the END message
 * and the sanitising of what supd says before it reaches a terminal (a
 * table's cells too: sio_table), and how a failure is reported (a line on
 * stderr, or JSON with --json). supctl.c, supctl-term.c and
 * supctl-stats.c build on it; it knows none of them.
 */
#include <sys/types.h>
#include <sys/socket.h>
#include <sys/un.h>

#include <err.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "proto.h"
#include "supctl-io.h"
#include "util.h"

static int	json;	/* --json */

void
sio_set_json(int on)
{
	json = on;
}

/* With --json, stdout is JSON only: the error goes there too. */
void
sio_json_error(const char *msg)
{
	struct buf	b = { 0 };

	buf_puts(&b, "{\"ok\":false,\"error\":");
	buf_json_str(&b, msg);
	buf_puts(&b, "}\n");
	fwrite(b.p, 1, b.len, stdout);
	fflush(stdout);
	buf_free(&b);
}

void
sio_fail(int code, const char *fmt, ...)
{
	char	msg[1024];
	va_list	ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	if (json)
		sio_json_error(msg);
	else
		warnx("%s", msg);
	exit(code);
}

int
sio_connect(const char *path)
{
	struct sockaddr_un	sun;
	int			fd;

	memset(&sun, 0, sizeof sun);
	sun.sun_family = AF_UNIX;
	if (strlen(path) >= sizeof sun.sun_path)
		sio_fail(SUPCTL_EXIT_UNREACH, "%s: socket path too long", path);
	memcpy(sun.sun_path, path, strlen(path) + 1);
	if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) == -1)
		sio_fail(SUPCTL_EXIT_UNREACH, "socket: %s", strerror(errno));
	if (connect(fd, (struct sockaddr *)&sun, sizeof sun) == -1)
		sio_fail(SUPCTL_EXIT_UNREACH, "cannot connect to supd at %s: %s",
		    path, strerror(errno));
	return fd;
}

int
sio_send(int fd, const char *p, size_t len)
{
	ssize_t	n;

	while (len > 0) {
		if ((n = send(fd, p, len, MSG_NOSIGNAL)) == -1) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		p += n;
		len -= n;
	}
	return 0;
}

void
sio_send_or_fail(int fd, const char *p, size_t len)
{
	if (sio_send(fd, p, len) == -1)
		sio_fail(SUPCTL_EXIT_UNREACH, "connection to supd lost: %s",
		    strerror(errno));
}

/* Read exactly len bytes: anything less means the reply broke off. */
static void
read_full(int fd, char *p, size_t len)
{
	ssize_t	n;

	while (len > 0) {
		if ((n = read(fd, p, len)) == -1 && errno == EINTR)
			continue;
		if (n == -1)
			sio_fail(SUPCTL_EXIT_UNREACH,
			    "connection to supd lost: %s", strerror(errno));
		if (n == 0)
			sio_fail(SUPCTL_EXIT_UNREACH, "connection to supd lost");
		p += n;
		len -= n;
	}
}

void
sio_frame_read(int fd, struct proto_hdr *h, char **payload)
{
	uint8_t		 hdr[PROTO_HDR_SIZE];
	const char	*errstr;

	read_full(fd, (char *)hdr, sizeof hdr);
	if (proto_hdr_unpack(hdr, h, &errstr) == -1)
		sio_fail(SUPCTL_EXIT_UNREACH, "protocol error: %s", errstr);
	*payload = xmalloc((size_t)h->len + 1);
	read_full(fd, *payload, h->len);
	(*payload)[h->len] = '\0';
}

int
sio_frame_take(struct buf *in, struct proto_hdr *h, char **payload)
{
	const char	*errstr;

	if (in->len < PROTO_HDR_SIZE)
		return 0;
	if (proto_hdr_unpack((uint8_t *)in->p, h, &errstr) == -1)
		sio_fail(SUPCTL_EXIT_UNREACH, "protocol error: %s", errstr);
	if (in->len < PROTO_HDR_SIZE + (size_t)h->len)
		return 0;
	*payload = xmalloc((size_t)h->len + 1);
	memcpy(*payload, in->p + PROTO_HDR_SIZE, h->len);
	(*payload)[h->len] = '\0';
	buf_consume(in, PROTO_HDR_SIZE + h->len);
	return 1;
}

/*
 * "ok" or "error", then message strings; each is split at '\n' (a line of
 * its own on the terminal) and every line is sanitised, so that what supd
 * echoes back -- a name, a reason -- can neither forge a line nor send an
 * escape sequence, whichever command printed it.
 */
void
sio_end_decode(char *payload, size_t len, struct sio_end *end)
{
	const char	*errstr;
	char		**v, *line, *nl;
	size_t		 n, i;

	if (proto_strv_unpack(payload, len, &v, &n, &errstr) == -1)
		sio_fail(SUPCTL_EXIT_UNREACH, "protocol error: %s", errstr);
	if (n < 1 || (strcmp(v[0], "ok") != 0 && strcmp(v[0], "error") != 0))
		sio_fail(SUPCTL_EXIT_UNREACH, "protocol error: bad end of reply");
	end->ok = strcmp(v[0], "ok") == 0;
	for (i = 1; i < n; i++) {
		for (line = v[i]; line != NULL; line = nl) {
			if ((nl = strchr(line, '\n')) != NULL)
				*nl++ = '\0';
			if (*line != '\0')
				strv_take(&end->msgs, sio_safe_str(line));
		}
	}
	free(v);
}

char *
sio_safe_str(const char *s)
{
	struct buf	b = { 0 };

	buf_puts(&b, "");
	for (; *s != '\0'; s++) {
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			buf_printf(&b, "\\%03o", (unsigned char)*s);
		else
			buf_add(&b, s, 1);
	}
	return b.p;
}

void
sio_table(char **cell, size_t nrows, size_t ncols, struct buf *out)
{
	size_t	*w = xcalloc(ncols, sizeof *w), i, c, len;
	char	*s;

	for (i = 0; i < nrows * ncols; i++) {
		cell[i] = sio_safe_str(s = cell[i]);
		free(s);
		if ((len = strlen(cell[i])) > w[i % ncols])
			w[i % ncols] = len;
	}
	for (i = 0; i < nrows; i++) {
		for (c = 0; c < ncols - 1; c++)
			buf_printf(out, "%-*s  ", (int)w[c], cell[i * ncols + c]);
		buf_printf(out, "%s\n", cell[i * ncols + c]);
	}
	for (i = 0; i < nrows * ncols; i++)
		free(cell[i]);
	free(w);
}
