/* SPDX-License-Identifier: ISC */
/*
 * ctl-run.c: `supctl run` and `supctl rm` on supd's side.
 *
 * run FLAGS NAME TEXT makes a service of TEXT (a service file, read by the
 * normal loader: service-run.c) and starts it. FLAGS is a word of letters:
 * 's' --save, 'r' --rm, 'f' the client stays for the run (foreground), 't'
 * it stays on its terminal (tty = yes), 'i' one fd comes with the request,
 * the run's stdin. The reply begins with a ROW holding the service's name
 * (generated when NAME is empty). Detached, it ends once the service is
 * past starting (END error if it could not start). In the foreground the
 * client streams the log from its first line (ctl-follow.c), or its
 * terminal, and when the run ends gets EXIT, its exit code, then END.
 */
#include <sys/stat.h>
#include <sys/types.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ctl-private.h"
#include "log.h"
#include "proto.h"
#include "service.h"

#define RUN_FLAGS	"srfti"

/* The END of a run or rm with errors: one line each. */
static void
end_errors(struct client *c, const struct strv *errs)
{
	struct buf	b = { 0 };
	size_t		i;

	for (i = 0; i < errs->n; i++) {
		buf_puts(&b, i ? "\n" : "");
		buf_puts(&b, errs->v[i]);
	}
	ctl_client_end(c, 0, b.p);
	buf_free(&b);
}

/* The fd of run -i: a pipe or socket, never a file or terminal of the
 * caller's that a process of the service could reopen. */
static int
run_stdin(struct client *c, bool want)
{
	struct stat	st;
	int		fd;

	if (c->nfds != (want ? 1 : 0))
		return -2;
	if (!want)
		return -1;
	fd = c->fds[0];
	c->nfds = 0;
	if (fstat(fd, &st) == -1 || (!S_ISFIFO(st.st_mode) &&
	    !S_ISSOCK(st.st_mode))) {
		close(fd);
		return -2;
	}
	return fd;
}

/* What the run client waits for has come: reply. */
static void
run_reply(struct client *c, struct service *s)
{
	char	 code[16], *v[1] = { code }, *m;
	const char *r;

	c->run = NULL;
	r = svc_reason(s);
	m = svc_state(s) != SVC_FAILED ? NULL : r != NULL && *r != '\0' ?
	    xasprintf("%s: failed (%s)", svc_name(s), r) :
	    xasprintf("%s: failed", svc_name(s));
	if (c->state == C_FOLLOW || c->state == C_ATTACH) {
		/* The exit code, and why it could not start if it could not. */
		ctl_stream_stop(c);
		snprintf(code, sizeof code, "%d", svc_exit_status(s));
		proto_put_strv(&c->out, PROTO_EXIT, v, 1);
		ctl_client_end(c, 1, m);
	} else
		ctl_client_end(c, m == NULL, m);
	free(m);
}

bool
ctl_run_changed(struct client *c, struct service *s, bool gone)
{
	enum svc_state	st;

	if (c->run != s)
		return false;
	st = svc_state(s);
	if (gone || (c->state == C_WAIT ? st != SVC_STOPPED &&
	    st != SVC_WAITING && st != SVC_STARTING : svc_ended(s)))
		run_reply(c, s);
	return true;
}

static int
run_flags(const char *w)
{
	int	f = 0;

	for (; *w != '\0'; w++)
		if (strchr(RUN_FLAGS, *w) == NULL)
			return -1;
		else
			f |= 1 << (strchr(RUN_FLAGS, *w) - RUN_FLAGS);
	return f;
}
#define RF(ch)	(1 << (strchr(RUN_FLAGS, (ch)) - RUN_FLAGS))

void
ctl_req_run(struct client *c, char **v, size_t n)
{
	struct strv	 errs = { 0 };
	struct service	*s;
	char		*name, *row[1];
	int		 f, fd;

	if (n != 3 || (f = run_flags(v[0])) == -1 ||
	    (fd = run_stdin(c, f & RF('i'))) == -2) {
		ctl_client_end(c, 0, "bad request (run needs FLAGS NAME TEXT, "
		    "and with 'i' one pipe or socket)");
		return;
	}
	name = *v[1] != '\0' ? xstrdup(v[1]) : svc_run_name();
	if (name == NULL) {
		if (fd != -1)
			close(fd);
		ctl_client_end(c, 0, "run: no free name left (use --name)");
		return;
	}
	s = svc_run(name, v[2], (f & RF('s') ? SVC_RUN_SAVE : 0) |
	    (f & RF('r') ? SVC_RUN_RM : 0), fd, &errs);
	if (s == NULL) {
		end_errors(c, &errs);
		strv_free(&errs);
		free(name);
		return;
	}
	row[0] = name;
	proto_put_strv(&c->out, PROTO_ROW, row, 1);
	free(name);
	/* Streams first: the output from its first byte. */
	if (f & RF('f'))
		ctl_stream_begin(c, s, f & RF('t'));
	else
		c->state = C_WAIT;
	c->run = s;
	if (svc_start(s) == -1) {
		c->run = NULL;
		ctl_stream_stop(c);
		ctl_client_end(c, 0, "run: supd is shutting down");
		return;
	}
	/* It may have settled inside the start already (hooks ran). */
	if (c->run == s)
		ctl_run_changed(c, s, false);
	ctl_client_kick(c);
}

void
ctl_req_rm(struct client *c, char **v, size_t n)
{
	struct strv	 errs = { 0 };
	struct service	*s;
	const char	*e;
	size_t		 i;

	if (n < 2 || !ctl_is_flag(v[0])) {
		ctl_client_end(c, 0, "bad request");
		return;
	}
	/* Every name known, or nothing is done. */
	for (i = 1; i < n; i++)
		if (ctl_find_or_end(c, v[i]) == NULL)
			return;
	for (i = 1; i < n; i++) {
		/* A name given twice: gone after the first, or going. */
		if ((s = svc_find(v[i])) == NULL)
			continue;
		/* Unless forced, not while a service depends on it (one
		 * removed by the same request does not count). */
		if (v[0][0] == '0' && (e = svc_dependent(s, v + 1,
		    n - 1)) != NULL) {
			strv_take(&errs, xasprintf("%s: %s depends on it "
			    "(after or requires); rm -f removes it all the "
			    "same", v[i], e));
			continue;
		}
		if (v[0][0] == '1' && svc_transient(s) &&
		    (e = svc_dependent(s, v + 1, n - 1)) != NULL)
			log_warnx("%s: removed by rm -f while %s depends on it",
			    v[i], e);
		if (svc_remove(s, v[0][0] == '1', &e) == -1)
			strv_take(&errs, xasprintf("%s: %s", v[i], e));
	}
	if (errs.n > 0)
		end_errors(c, &errs);
	else
		ctl_client_end(c, 1, NULL);
	strv_free(&errs);
}
