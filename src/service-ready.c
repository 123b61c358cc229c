/* SPDX-License-Identifier: ISC */
/*
 * service-ready.c: readiness that the service reports itself: the sd_notify
 * datagram socket (ready = notify) and the fd:N pipe (ready = fd:N). Each
 * raises READY in the state table; a notify STATUS= becomes the reason of
 * a running service.
 */
#include <sys/types.h>

#include <ev.h>
#include <errno.h>
#include <sched.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "log.h"
#include "notify.h"
#include "service-private.h"
#include "spawn.h"

/* A datagram from outside the service: dropped, one line a second at most. */
static void
notify_refused(struct service *s, pid_t sender)
{
	static uint64_t	last;
	static unsigned	quiet;
	uint64_t	now = now_ms();

	if (now - last < 1000) {
		quiet++;
		return;
	}
	log_warnx("%s: notify: datagram from pid %d (not in the service) "
	    "dropped%s", s->conf->name, (int)sender, quiet ? " (and more)" :
	    "");
	last = now;
	quiet = 0;
}

static void
notify_cb(EV_P_ ev_io *w, int revents)
{
	struct service	*s = w->data;
	char		 buf[4096], *status = NULL;
	bool		 ready = false;
	pid_t		 sender;
	int		 i;

	(void)EV_A;
	(void)revents;
	for (i = 0; i < NOTIFY_BATCH; i++) {
		if (notify_recv(s->rd->notify_fd, buf, sizeof buf, &sender) <= 0)
			break;
		if (s->pid == 0)
			continue;	/* nothing runs: not for us */
		if (!notify_sender_ok(sender, s->pid, s->conf->iso.ns &
		    CLONE_NEWPID, s->conf->iso.ns & CLONE_NEWNS)) {
			notify_refused(s, sender);
			continue;
		}
		notify_parse(buf, &ready, &status);
	}
	if (ready && s->state == SVC_STARTING)
		svc_event(s, SE_READY);
	/* The service's own words, shown while it runs. */
	if (status != NULL && s->state == SVC_RUNNING)
		svc_set_reason(s, *status != '\0' ? status : NULL);
	free(status);
}

/* ready = notify: a datagram socket next to the control socket; NULL with
 * *cause if it cannot be made. */
const char *
svc_notify_open(struct service *s, char **cause)
{
	char	*dir, *why;
	int	 fd;

	if (s->rd->notify_fd != -1)
		return s->rd->notify_path;
	/* DIR/supd.sock -> DIR/notify/NAME (the socket path is absolute). */
	dir = xasprintf("%.*s/notify", (int)(strrchr(svc_reg.mconf->socket, '/') -
	    svc_reg.mconf->socket), svc_reg.mconf->socket);
	free(s->rd->notify_path);
	s->rd->notify_path = xasprintf("%s/%s", dir, s->conf->name);
	fd = notify_bind(dir, s->conf->name, s->conf->iso.ns & CLONE_NEWUSER ?
	    ISO_USERNS_BASE : geteuid(), &why);
	free(dir);
	if (fd == -1) {
		*cause = xasprintf("ready notify socket: %s", why);
		free(why);
		return NULL;
	}
	s->rd->notify_fd = fd;
	ev_io_init(&s->rd->notify_w, notify_cb, fd, EV_READ);
	s->rd->notify_w.data = s;
	ev_io_start(EV_DEFAULT_UC_ &s->rd->notify_w);
	return s->rd->notify_path;
}

void
svc_notify_close(struct service *s)
{
	if (s->rd == NULL || s->rd->notify_fd == -1)
		return;
	ev_io_stop(EV_DEFAULT_UC_ &s->rd->notify_w);
	close(s->rd->notify_fd);
	s->rd->notify_fd = -1;
	(void)unlink(s->rd->notify_path);
}

void
svc_ready_close(struct service *s)
{
	if (s->rd == NULL || s->rd->readyfd == -1)
		return;
	ev_io_stop(EV_DEFAULT_UC_ &s->rd->ready_w);
	close(s->rd->readyfd);
	s->rd->readyfd = -1;
}

/* ready = fd:N: a newline on the pipe means ready (s6's convention). */
void
svc_ready_cb(EV_P_ ev_io *w, int revents)
{
	struct service	*s = w->data;
	char		 buf[512];
	ssize_t		 n;

	(void)EV_A;
	(void)revents;
	n = read(s->rd->readyfd, buf, sizeof buf);
	if (n > 0 && memchr(buf, '\n', n) != NULL) {
		svc_ready_close(s);
		if (s->state == SVC_STARTING)
			svc_event(s, SE_READY);
	} else if (n == 0 || (n == -1 && errno != EAGAIN && errno != EINTR))
		svc_ready_close(s);		/* closed without a word */
}
