/* SPDX-License-Identifier: ISC */
/*
 * supctl-term.c: supctl's side of the commands that carry a terminal or
 * stdio -- `exec` (pipes that supctl relays to and from its own stdio, or
 * with -t a pseudo-terminal made inside the service, relayed too) and `attach` (raw mode, window size, Ctrl-P
 * Ctrl-Q to detach). One poll() loop relays bytes; supd's messages are
 * taken and decoded, END included, by supctl-io.c.
 */
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/types.h>

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include "proto.h"
#include "supctl-io.h"
#include "supctl.h"

#define DETACH_1	0x10	/* Ctrl-P */
#define DETACH_2	0x11	/* Ctrl-Q */

static struct termios	saved_tio;
static int		raw_on;
static volatile sig_atomic_t winch;

static void
raw_restore(void)
{
	if (raw_on)
		(void)tcsetattr(0, TCSADRAIN, &saved_tio);
	raw_on = 0;
}

/* The caller's terminal in raw mode while we relay, restored at exit. */
static void
raw_enter(void)
{
	struct termios	tio;

	if (!isatty(0) || tcgetattr(0, &saved_tio) == -1)
		return;
	tio = saved_tio;
	cfmakeraw(&tio);
	if (tcsetattr(0, TCSADRAIN, &tio) == 0) {
		raw_on = 1;
		atexit(raw_restore);
	}
}

static void
winch_cb(int sig)
{
	(void)sig;
	winch = 1;
}

static void
write_all(int fd, const char *p, size_t len)
{
	ssize_t	n;

	while (len > 0) {
		if ((n = write(fd, p, len)) == -1) {
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN) {
				struct pollfd pfd = { fd, POLLOUT, 0 };

				(void)poll(&pfd, 1, -1);
				continue;
			}
			return;
		}
		p += n;
		len -= n;
	}
}

/* supd's messages, gathered from the stream until END. */
struct inbox {
	struct buf	b;
	int		exit_code;	/* from PROTO_EXIT, -1 if none */
	struct sio_end	end;		/* END: ok, and its message lines */
};

/* Take every complete message; 1 once END has been seen. */
static int
inbox_process(struct inbox *in)
{
	struct proto_hdr	 h;
	const char		*errstr;
	char			*payload, **v;
	size_t			 n;

	while (sio_frame_take(&in->b, &h, &payload)) {
		switch (h.type) {
		case PROTO_DATA:
			write_all(1, payload, h.len);
			free(payload);
			continue;
		case PROTO_EXIT:
			break;
		case PROTO_ROW:		/* run: the service's name */
			free(payload);
			continue;
		case PROTO_END:
			sio_end_decode(payload, h.len, &in->end);
			free(payload);
			return 1;
		default:
			sio_fail(SUPCTL_EXIT_UNREACH, "protocol error: "
			    "unexpected message type %u", (unsigned)h.type);
		}
		if (proto_strv_unpack(payload, h.len, &v, &n, &errstr) == -1)
			sio_fail(SUPCTL_EXIT_UNREACH, "protocol error: %s",
			    errstr);
		if (n != 1)
			sio_fail(SUPCTL_EXIT_UNREACH,
			    "protocol error: bad exit message");
		in->exit_code = atoi(v[0]) & 0xff;
		free(v);
		free(payload);
	}
	return 0;
}

/* Exit code once END came: the command's, or supd's failure. */
static int
inbox_result(struct inbox *in)
{
	size_t	i;

	int	code = in->exit_code >= 0 ? in->exit_code : 0;

	raw_restore();
	if (!in->end.ok) {
		for (i = 0; i < in->end.msgs.n; i++)
			fprintf(stderr, "supctl: %s\n", in->end.msgs.v[i]);
		code = SUPCTL_EXIT_FAILED;
	}
	buf_free(&in->b);
	strv_free(&in->end.msgs);
	return code;
}

static void
send_winch(int sock, int master)
{
	struct winsize	ws;
	char		rows[16], cols[16], *v[2] = { rows, cols };
	struct buf	b = { 0 };

	if (ioctl(0, TIOCGWINSZ, &ws) == -1)
		return;
	if (master >= 0) {
		(void)ioctl(master, TIOCSWINSZ, &ws);
		return;
	}
	snprintf(rows, sizeof rows, "%u", ws.ws_row);
	snprintf(cols, sizeof cols, "%u", ws.ws_col);
	proto_put_strv(&b, PROTO_WINCH, v, 2);
	(void)send(sock, b.p, b.len, MSG_NOSIGNAL);
	buf_free(&b);
}

void
term_send_fds(int sock, const char *p, size_t len, const int *fds,
    size_t nfds)
{
	ssize_t	n;

	if ((n = fd_send(sock, p, len, fds, nfds)) == -1) {
		if (errno == EPIPE || errno == ECONNRESET)
			return;
		sio_fail(SUPCTL_EXIT_UNREACH, "send: %s", strerror(errno));
	}
	for (p += n, len -= n; len > 0; p += n, len -= n)
		if ((n = send(sock, p, len, MSG_NOSIGNAL)) == -1) {
			if (errno == EINTR) {
				n = 0;
				continue;
			}
			if (errno == EPIPE || errno == ECONNRESET)
				return;
			sio_fail(SUPCTL_EXIT_UNREACH, "send: %s",
			    strerror(errno));
		}
}

/*
 * exec without -t: the command's stdio are pipes of ours, relayed here, so
 * nothing of the caller (its terminal, its files) ever enters the service
 * (a process there could reopen it through /proc/PID/fd). stdin is read
 * only when the command has taken what came before; once supd says the
 * command ended, what is left in the pipes is read until they are idle
 * for 100 ms (a child it left may hold them open).
 */
static int
relay_pipes(int sock, int to_cmd, int out, int err)
{
	struct inbox	 in = { .exit_code = -1 };
	struct buf	 pend = { 0 };
	struct pollfd	 pfd[4];
	char		 buf[16384];
	ssize_t		 n;
	int		 done = 0, stdin_open = 1, i, r;

	signal(SIGPIPE, SIG_IGN);
	(void)fcntl(to_cmd, F_SETFL, O_NONBLOCK);
	for (;;) {
		if (done && out < 0 && err < 0)
			break;
		pfd[0] = (struct pollfd){ sock, done ? 0 : POLLIN, 0 };
		pfd[1] = (struct pollfd){ out, POLLIN, 0 };
		pfd[2] = (struct pollfd){ err, POLLIN, 0 };
		pfd[3] = pend.len > 0 ? (struct pollfd){ to_cmd, POLLOUT, 0 } :
		    (struct pollfd){ stdin_open ? 0 : -1, POLLIN, 0 };
		if ((r = poll(pfd, 4, done ? 100 : -1)) == -1) {
			if (errno == EINTR)
				continue;
			sio_fail(SUPCTL_EXIT_FAILED, "poll: %s",
			    strerror(errno));
		}
		if (r == 0)
			break;		/* ended, and the pipes are idle */
		if (!done && pfd[0].revents) {
			if ((n = read(sock, buf, sizeof buf)) <= 0) {
				if (n == -1 && errno == EINTR)
					continue;
				sio_fail(SUPCTL_EXIT_UNREACH,
				    "connection to supd lost");
			}
			buf_add(&in.b, buf, n);
			done = inbox_process(&in);
		}
		for (i = 1; i <= 2; i++) {
			if (!pfd[i].revents)
				continue;
			if ((n = read(pfd[i].fd, buf, sizeof buf)) > 0)
				write_all(i, buf, n);
			else if (n == 0 || errno != EINTR) {
				close(pfd[i].fd);
				*(i == 1 ? &out : &err) = -1;
			}
		}
		if (!pfd[3].revents || to_cmd < 0)
			continue;
		if (pend.len > 0) {
			if ((n = write(to_cmd, pend.p, pend.len)) > 0)
				buf_consume(&pend, n);
			else if (n == -1 && errno != EAGAIN && errno != EINTR) {
				pend.len = 0;	/* EPIPE: it reads no more */
				stdin_open = 0;
			}
		} else if ((n = read(0, buf, sizeof buf)) > 0)
			buf_add(&pend, buf, n);
		else if (n == 0 || errno != EINTR)
			stdin_open = 0;
		if (!stdin_open && pend.len == 0) {
			close(to_cmd);		/* EOF for the command */
			to_cmd = -1;
		}
	}
	buf_free(&pend);
	if (!done)
		sio_fail(SUPCTL_EXIT_UNREACH, "connection to supd lost");
	return inbox_result(&in);
}

enum relay_mode {
	RELAY_EXEC,	/* exec -t refused: only read supd's reply */
	RELAY_EXEC_TTY,	/* stdin -> pty master -> stdout */
	RELAY_ATTACH,	/* stdin -> INPUT messages, DATA -> stdout */
};

/*
 * The relay: supd's messages (DATA to stdout, EXIT, END), the pty master
 * of exec -t, stdin. Returns the exit code.
 */
static int
relay(int sock, int master, enum relay_mode mode)
{
	struct inbox	 in = { .exit_code = -1 };
	struct pollfd	 pfd[3];
	char		 buf[16384];
	ssize_t		 n;
	int		 done = 0, master_open = master >= 0;
	int		 stdin_open = mode != RELAY_EXEC, saw_p = 0;

	if (mode != RELAY_EXEC) {
		signal(SIGWINCH, winch_cb);
		send_winch(sock, master);
	}
	for (;;) {
		if (winch) {
			winch = 0;
			send_winch(sock, master);
		}
		if (done && !master_open)
			return inbox_result(&in);
		pfd[0].fd = sock;
		pfd[0].events = done ? 0 : POLLIN;
		pfd[1].fd = master_open ? master : -1;
		pfd[1].events = POLLIN;
		pfd[2].fd = stdin_open ? 0 : -1;
		pfd[2].events = POLLIN;
		if (poll(pfd, 3, done ? 100 : -1) == -1) {
			if (errno == EINTR)
				continue;
			sio_fail(SUPCTL_EXIT_FAILED, "poll: %s",
			    strerror(errno));
		}
		if (done && pfd[1].revents == 0)
			master_open = 0;	/* nothing more is coming */
		if (pfd[0].revents) {
			n = read(sock, buf, sizeof buf);
			if (n == -1 && errno == EINTR)
				continue;
			if (n <= 0)
				sio_fail(SUPCTL_EXIT_UNREACH,
				    "connection to supd lost");
			buf_add(&in.b, buf, n);
			done = inbox_process(&in);
		}
		if (master_open && pfd[1].revents) {
			n = read(master, buf, sizeof buf);
			if (n > 0)
				write_all(1, buf, n);
			else if (n == 0 || (errno != EINTR && errno != EAGAIN))
				master_open = 0;	/* EIO: all slaves shut */
		}
		if (stdin_open && pfd[2].revents) {
			n = read(0, buf, sizeof buf);
			if (n <= 0) {
				stdin_open = 0;
				continue;
			}
			if (mode == RELAY_ATTACH) {
				ssize_t i;

				for (i = 0; i < n; i++) {
					if (saw_p && buf[i] == DETACH_2) {
						in.end.ok = 1;
						in.exit_code = SUPCTL_EXIT_OK;
						return inbox_result(&in);
					}
					saw_p = buf[i] == DETACH_1;
				}
			}
			if (master >= 0)
				write_all(master, buf, n);
			else {
				struct buf	b = { 0 };

				proto_put_data(&b, PROTO_INPUT, buf, n);
				sio_send_or_fail(sock, b.p, b.len);
				buf_free(&b);
			}
		}
	}
}

/* exec -t: wait for the terminal the exec process sends back, or for
 * supd's refusal on the control socket. */
static int
recv_master(int sock, int sv)
{
	struct pollfd	 pfd[2] = { { sv, POLLIN, 0 }, { sock, POLLIN, 0 } };
	char		 c[512];
	ssize_t		 n;
	size_t		 nfd;
	int		 m = -1;

	while (poll(pfd, 2, -1) == -1)
		if (errno != EINTR)
			sio_fail(SUPCTL_EXIT_FAILED, "poll: %s",
			    strerror(errno));
	if (!(pfd[0].revents & POLLIN))
		return -1;	/* supd answered first: an error */
	/* The terminal comes with a single byte. */
	if ((n = fd_recv(sv, c, 1, &m, 1, &nfd)) <= 0)
		return -1;	/* the exec process failed: supd says why */
	if (nfd == 0)
		m = -1;
	if (m == -1) {
		/* No terminal: what came is the exec process's error line,
		 * written on the stderr we gave it. Pass it on. */
		write_all(2, c, n);
		while ((n = read(sv, c, sizeof c)) > 0)
			write_all(2, c, n);
	}
	return m;
}

int
term_exec(int sock, const char *req, size_t len, int tty)
{
	int	fds[PROTO_EXEC_FDS], p[3][2], sv[2], master, i;

	if (!tty) {
		for (i = 0; i < 3; i++)
			if (pipe2(p[i], O_CLOEXEC) == -1)
				sio_fail(SUPCTL_EXIT_FAILED, "pipe: %s",
				    strerror(errno));
		fds[0] = p[0][0];
		fds[1] = p[1][1];
		fds[2] = p[2][1];
		term_send_fds(sock, req, len, fds, PROTO_EXEC_FDS);
		for (i = 0; i < 3; i++)
			close(fds[i]);
		return relay_pipes(sock, p[0][1], p[1][0], p[2][0]);
	}
	/* The terminal is made inside the service, so that it is one of its
	 * own /dev/pts; it comes back over this socket pair. */
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) == -1)
		sio_fail(SUPCTL_EXIT_FAILED, "socketpair: %s",
		    strerror(errno));
	fds[0] = fds[1] = fds[2] = sv[1];
	term_send_fds(sock, req, len, fds, PROTO_EXEC_FDS);
	close(sv[1]);
	if ((master = recv_master(sock, sv[0])) == -1)
		return relay(sock, -1, RELAY_EXEC);	/* supd's error */
	close(sv[0]);
	raw_enter();
	return relay(sock, master, RELAY_EXEC_TTY);
}

int
term_attach(int sock, const char *req, size_t len)
{
	sio_send_or_fail(sock, req, len);
	raw_enter();
	return relay(sock, -1, RELAY_ATTACH);
}
