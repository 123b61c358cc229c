/* SPDX-License-Identifier: ISC */
/*
 * seccomp-profile.h: seccomp profile files (seccomp-profile.c), read when
 * the configuration is loaded; their denials are what the filter of
 * seccomp.c adds to the default allow.
 */
#ifndef SUPD_SECCOMP_PROFILE_H
#define SUPD_SECCOMP_PROFILE_H

#include <stddef.h>

#include "util.h"

/* One line of a seccomp profile file. */
struct sfilter_deny {
	int		 nr;		/* native system call number */
	int		 err;		/* errno it returns instead of running */
};

/*
 * Read a profile file: one "SYSCALL [ERRNO]" per line, '#' starts a
 * comment. Every error is appended to errs as "PATH:LINE: message" (or
 * "PATH: message"); -1 if there was any, else 0 with the denials in
 * *deny (allocated, in file order) and their number in *n.
 */
int	 sfilter_read(const char *path, struct sfilter_deny **deny, size_t *n,
	    struct strv *errs);

/* The native name of a system call number (allocated), or NULL. */
char	*sfilter_syscall_name(int nr);

/* An errno's name ("EACCES") or number, into buf; returns buf. */
const char *sfilter_errno_str(int err, char *buf, size_t len);

#endif
