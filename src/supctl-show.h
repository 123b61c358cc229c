/* SPDX-License-Identifier: ISC */
/*
 * supctl-show.h: the presentation of supd's replies (supctl-show.c), for
 * supctl.c.
 */
#ifndef SUPD_SUPCTL_SHOW_H
#define SUPD_SUPCTL_SHOW_H

#include <stddef.h>

#include "proto.h"
#include "supctl-io.h"

/* Everything the daemon answered; rows point into their payloads. */
struct reply {
	struct sio_end		 end;	/* ok, and the message lines */
	struct proto_status	*rows;	/* status */
	struct proto_net	*nets;	/* network ls */
	size_t			 nrows;
};

/* The command's data on stdout, flushed; exits 1 if it cannot be written. */
void	show_data(const char *, size_t);
/* `status`: a table, or a JSON array. */
void	show_status_table(const struct reply *);
void	show_status_json(const struct reply *);
/* `ps`: docker's columns; all: stopped services too (-a). */
void	show_ps_table(const struct reply *, int all);
/* `network ls`: a table, or a JSON array. */
void	show_net_table(const struct reply *);
void	show_net_json(const struct reply *);

#endif
