/* SPDX-License-Identifier: ISC */
/*
 * ctl-health.c: `supctl health` and `supctl ready`, the probes of a
 * container engine (podman's healthcheck, Kubernetes' exec probes): one
 * request, answered from supd's memory, END ok when every service asked
 * passes (svc_probe), else END error with one line per service that does
 * not, saying why.
 */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "ctl-private.h"
#include "service.h"

/* health | ready, NAME... (none: every service meant to run). */
void
ctl_req_health(struct client *c, char **v, size_t n)
{
	struct strv	 fails = { 0 };
	struct buf	 msg = { 0 };
	struct service	*s;
	const char	*why;
	bool		 ready;
	size_t		 i;

	if (n < 1 || (strcmp(v[0], "health") != 0 &&
	    strcmp(v[0], "ready") != 0)) {
		ctl_client_end(c, 0, "bad request");
		return;
	}
	ready = v[0][0] == 'r';
	for (i = 1; i < n; i++)
		if (svc_find(v[i]) == NULL) {
			/* Unknown: the one answer, as for status. */
			(void)ctl_find_or_end(c, v[i]);
			return;
		}
	for (i = 0; i < (n > 1 ? n - 1 : svc_count()); i++) {
		s = n > 1 ? svc_find(v[i + 1]) : svc_at(i);
		if ((why = svc_probe(s, ready, n > 1)) != NULL &&
		    !strv_has(&fails, why))
			strv_push(&fails, why);
	}
	for (i = 0; i < fails.n; i++) {
		buf_puts(&msg, i ? "\n" : "");
		buf_puts(&msg, fails.v[i]);
	}
	ctl_client_end(c, fails.n == 0, msg.p);
	buf_free(&msg);
	strv_free(&fails);
}
