/* SPDX-License-Identifier: ISC */
/*
 * metrics.h: supd in Prometheus' text format (metrics.c), served by the
 * control socket's `metrics` and, with metrics_listen, over HTTP
 * (metrics-http.c).
 */
#ifndef SUPD_METRICS_H
#define SUPD_METRICS_H

#include "config.h"
#include "util.h"

/* The content type of what metrics_render makes. */
#define METRICS_CONTENT_TYPE	"text/plain; version=0.0.4; charset=utf-8"

/* Append every metric of supd and its services, in the text format 0.0.4. */
void	metrics_render(struct buf *);
/* Where the count of control clients comes from (supd.c: ctl_clients). */
void	metrics_set_clients(unsigned (*)(void));
/* Append v as a label value: backslash, double quote and newline escaped. */
void	metrics_label_value(struct buf *, const char *v);

/*
 * Serve GET /metrics on conf's metrics_listen (nothing when it is unset),
 * driven by the default loop, never blocking it. A socket that cannot be
 * made or bound is one log line, and supd goes on without.
 */
void	metrics_http_start(const struct supd_conf *);
/* Close the endpoint and every connection to it. */
void	metrics_http_stop(void);

#endif
