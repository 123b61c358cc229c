/* SPDX-License-Identifier: ISC */
/*
 * ctl.h: the control socket server (ctl.c).
 */
#ifndef SUPD_CTL_H
#define SUPD_CTL_H

#include <sys/types.h>

#include "config.h"

struct service;

/* Create, bind and listen; -1 with *cause (before the loop: fatal). */
int	ctl_listen(const struct supd_conf *, char **cause);
/* Close every client and the socket, unlink it. */
void	ctl_close(void);
/* Connected control clients now (metrics). */
unsigned ctl_clients(void);
/* Hooks from the registry (struct svc_hooks). */
void	ctl_changed(struct service *);
void	ctl_gone(struct service *);
/* A child that is not a service's ended: an exec's, or an orphan. */
void	ctl_reaped(pid_t, int status);
/*
 * What `supctl shutdown` (mode NULL) and poweroff/reboot/halt (mode) do:
 * set by supd.c; -1 with *errstr when the mode does not apply.
 */
void	ctl_set_shutdown(int (*)(const char *mode, const char **errstr));

#endif
