/* SPDX-License-Identifier: ISC */
/*
 * metrics-nohttp.c: metrics-http.c's place in a supd built without
 * libmicrohttpd (make METRICS_HTTP=no, for a static binary): a
 * metrics_listen that is set is said to be ignored, once; supctl metrics
 * works the same.
 */
#include "log.h"
#include "metrics.h"

void
metrics_http_start(const struct supd_conf *conf)
{
	if (conf->metrics_listen != NULL && *conf->metrics_listen != '\0')
		log_errx("metrics_listen: %s: this supd is built without HTTP "
		    "(make METRICS_HTTP=no): no HTTP metrics",
		    conf->metrics_listen);
}

void
metrics_http_stop(void)
{
}
