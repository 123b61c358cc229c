/* SPDX-License-Identifier: ISC */
/*
 * metrics-http.c: `metrics_listen = ADDR:PORT`, GET /metrics for a
 * Prometheus scrape, with libmicrohttpd driven by supd's own loop.
 *
 * MHD runs without a thread of its own ("external polling") in its epoll
 * mode: its sockets sit in an epoll fd of its own, which one ev_io watches;
 * when that fd is readable, MHD_run handles what is ready, without waiting
 * (every socket is non-blocking), and returns. A timer runs only while MHD
 * says it has a deadline (an open connection's idle timeout, or work left
 * over from the last run); an idle endpoint costs nothing.
 *
 * Bounds: METRICS_MAX_CONN connections at once (beyond it MHD leaves new
 * ones in the listen backlog, METRICS_BACKLOG long, and the kernel refuses
 * the rest), METRICS_PER_IP from one address (closed at once), a
 * connection idle for METRICS_IDLE_S closed. A client sending its request
 * slowly holds one slot, never the loop.
 *
 * The listening socket is supd's own (made here, so a failure is one log
 * line with its errno); MHD closes it when stopped. Every fd is
 * close-on-exec: supd as PID 1 may re-execute itself.
 *
 * libmicrohttpd is loaded when metrics_listen is set, at start (optlib.h),
 * not linked: with GnuTLS and what it pulls in it is ten libraries mapped
 * in supd, which every spawn's clone would copy for a supd with no
 * endpoint. Not loadable, it is one line, as a socket that cannot be
 * bound: "metrics_listen: libmicrohttpd.so.12: cannot open shared object
 * file: ... (no HTTP metrics)".
 */
#include <sys/socket.h>

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <ev.h>
#include <microhttpd.h>

#include "log.h"
#include "metrics.h"
#include "optlib.h"
#include "values.h"

#define METRICS_MAX_CONN	16	/* connections at once */
#define METRICS_PER_IP		4	/* from one address */
#define METRICS_IDLE_S		10	/* s without a byte either way */
#define METRICS_BACKLOG		16	/* waiting to be accepted */

/* The functions of libmicrohttpd this file calls, reached through fn. */
#define MHD_FNS(X)	X(MHD_start_daemon) X(MHD_stop_daemon) X(MHD_run) \
	X(MHD_get_timeout) X(MHD_get_daemon_info) \
	X(MHD_create_response_from_buffer) X(MHD_add_response_header) \
	X(MHD_queue_response) X(MHD_destroy_response)
struct mhd_fns { MHD_FNS(OPTLIB_FN) };
#define MHD_SYM(f)	OPTLIB_SYM(struct mhd_fns, f)
static const struct optlib_sym mhd_syms[] = { MHD_FNS(MHD_SYM) };
static struct mhd_fns fn;
static struct optlib mhd_lib = OPTLIB(OPTLIB_MICROHTTPD, mhd_syms, fn);

static struct MHD_Daemon	*mhd;
static ev_io			 mhd_io;	/* MHD's epoll fd: readable */
static ev_timer			 mhd_tmo;	/* only while MHD has a deadline */

/* A reply without a body worth rendering: status and a short text. */
static enum MHD_Result
reply_text(struct MHD_Connection *conn, unsigned status, const char *text)
{
	struct MHD_Response	*r;
	enum MHD_Result		 ret;

	r = fn.MHD_create_response_from_buffer(strlen(text), (void *)text,
	    MHD_RESPMEM_PERSISTENT);
	if (r == NULL)
		return MHD_NO;
	(void)fn.MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE,
	    "text/plain; charset=utf-8");
	if (status == MHD_HTTP_METHOD_NOT_ALLOWED)
		(void)fn.MHD_add_response_header(r, MHD_HTTP_HEADER_ALLOW,
		    "GET");
	ret = fn.MHD_queue_response(conn, status, r);
	fn.MHD_destroy_response(r);
	return ret;
}

/* Each request, once its headers are in: answer at once. */
static enum MHD_Result
request_cb(void *cls, struct MHD_Connection *conn, const char *url,
    const char *method, const char *version, const char *upload,
    size_t *upload_len, void **req_cls)
{
	struct MHD_Response	*r;
	struct buf		 b = { 0 };
	enum MHD_Result		 ret;

	(void)cls, (void)version, (void)upload, (void)upload_len, (void)req_cls;
	if (strcmp(method, MHD_HTTP_METHOD_GET) != 0)
		return reply_text(conn, MHD_HTTP_METHOD_NOT_ALLOWED,
		    "method not allowed: GET /metrics only\n");
	if (strcmp(url, "/metrics") != 0)
		return reply_text(conn, MHD_HTTP_NOT_FOUND,
		    "not found: GET /metrics only\n");
	metrics_render(&b);
	/* MHD frees it (free(3), as buf's memory is malloc'ed). */
	r = fn.MHD_create_response_from_buffer(b.len, b.p,
	    MHD_RESPMEM_MUST_FREE);
	if (r == NULL) {
		buf_free(&b);
		return MHD_NO;
	}
	(void)fn.MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE,
	    METRICS_CONTENT_TYPE);
	ret = fn.MHD_queue_response(conn, MHD_HTTP_OK, r);
	fn.MHD_destroy_response(r);
	return ret;
}

/* Connections open now. */
static unsigned
mhd_conns(void)
{
	const union MHD_DaemonInfo *i;

	i = fn.MHD_get_daemon_info(mhd, MHD_DAEMON_INFO_CURRENT_CONNECTIONS);
	return i != NULL ? i->num_connections : 0;
}

/*
 * Let MHD work, then wait for its fd again, and its deadline if any.
 * At its connection limit MHD takes the listening socket out of its epoll
 * set, and puts it back only at the start of a run: when this run closed
 * connections, a second one (never waiting either) puts it back, or the
 * endpoint would take nothing more until some other connection woke it.
 */
static void
mhd_drive(void)
{
	MHD_UNSIGNED_LONG_LONG	ms;
	unsigned		before = mhd_conns();

	(void)fn.MHD_run(mhd);
	if (mhd_conns() < before)
		(void)fn.MHD_run(mhd);
	ev_timer_stop(EV_DEFAULT_UC_ &mhd_tmo);
	if (fn.MHD_get_timeout(mhd, &ms) == MHD_YES) {
		ev_timer_set(&mhd_tmo, (double)ms / 1000.0, 0.);
		ev_timer_start(EV_DEFAULT_UC_ &mhd_tmo);
	}
}

static void
mhd_io_cb(EV_P_ ev_io *w, int revents)
{
	(void)EV_A, (void)w, (void)revents;
	mhd_drive();
}

static void
mhd_tmo_cb(EV_P_ ev_timer *w, int revents)
{
	(void)EV_A, (void)w, (void)revents;
	mhd_drive();
}

/* The listening socket; -1 with *cause. */
static int
listen_socket(const char *addr, char **cause)
{
	struct sockaddr_storage	 ss;
	socklen_t		 len;
	const char		*e;
	int			 fd, one = 1;

	if (parse_listen(addr, &ss, &len, &e) == -1) {
		/* Checked when the file was read: cannot happen. */
		*cause = xasprintf("%s: %s", addr, e);
		return -1;
	}
	if ((fd = socket(ss.ss_family, SOCK_STREAM | SOCK_NONBLOCK |
	    SOCK_CLOEXEC, 0)) == -1) {
		*cause = errno_cause("socket");
		return -1;
	}
	(void)setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
	if (ss.ss_family == AF_INET6)	/* [::] means IPv6 only, as written */
		(void)setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one,
		    sizeof one);
	if (bind(fd, (struct sockaddr *)&ss, len) == -1 ||
	    listen(fd, METRICS_BACKLOG) == -1) {
		*cause = errno_cause("%s", addr);
		close(fd);
		return -1;
	}
	return fd;
}

void
metrics_http_start(const struct supd_conf *conf)
{
	const union MHD_DaemonInfo	*info;
	char				*cause;
	int				 fd;

	if (conf->metrics_listen == NULL || *conf->metrics_listen == '\0')
		return;
	if (optlib_load(&mhd_lib, &cause) == -1 ||
	    (fd = listen_socket(conf->metrics_listen, &cause)) == -1) {
		log_errx("metrics_listen: %s (no HTTP metrics)", cause);
		free(cause);
		return;
	}
	mhd = fn.MHD_start_daemon(MHD_USE_EPOLL, 0, NULL, NULL, request_cb,
	    NULL, MHD_OPTION_LISTEN_SOCKET, fd,
	    MHD_OPTION_CONNECTION_LIMIT, (unsigned)METRICS_MAX_CONN,
	    MHD_OPTION_PER_IP_CONNECTION_LIMIT, (unsigned)METRICS_PER_IP,
	    MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)METRICS_IDLE_S,
	    MHD_OPTION_END);
	if (mhd == NULL || (info = fn.MHD_get_daemon_info(mhd,
	    MHD_DAEMON_INFO_EPOLL_FD)) == NULL) {
		log_errx("metrics_listen: %s: libmicrohttpd did not start "
		    "(no HTTP metrics)", conf->metrics_listen);
		if (mhd != NULL)
			fn.MHD_stop_daemon(mhd);
		else
			close(fd);
		mhd = NULL;
		return;
	}
	ev_io_init(&mhd_io, mhd_io_cb, info->epoll_fd, EV_READ);
	ev_io_start(EV_DEFAULT_UC_ &mhd_io);
	ev_init(&mhd_tmo, mhd_tmo_cb);
	log_info("metrics on http://%s/metrics", conf->metrics_listen);
}

void
metrics_http_stop(void)
{
	if (mhd == NULL)
		return;
	ev_io_stop(EV_DEFAULT_UC_ &mhd_io);
	ev_timer_stop(EV_DEFAULT_UC_ &mhd_tmo);
	fn.MHD_stop_daemon(mhd);
	mhd = NULL;
}
