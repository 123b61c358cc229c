/* SPDX-License-Identifier: ISC */
/*
 * nsswitch.h: whether looking up an account stays on this machine
 * (nsswitch.c).
 */
#ifndef SUPD_NSSWITCH_H
#define SUPD_NSSWITCH_H

#include <stdbool.h>

/*
 * True when /etc/nsswitch.conf's passwd, group and initgroups databases use
 * only local sources (files, compat, db, altfiles, systemd, extrausers), or
 * there is no such file (glibc's defaults are local). Read again when the
 * file changes; false when it cannot be read.
 */
bool	nss_accounts_local(void);

#endif
