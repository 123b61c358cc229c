/* SPDX-License-Identifier: ISC */
/*
 * hosts.h: the /etc/hosts and /etc/resolv.conf of a service on a bridge
 * network, as text and as files under state_dir/networks (bind-mounted
 * read-only into the service by the integrator's code).
 *
 * Contract:
 * - hosts_text: localhost lines, then one line per entry ("ADDR NAME
 *   ALIASES..."), sorted by address then name; the caller gives the
 *   service itself and every service of each of its networks, one entry
 *   per address. A name or alias that is not a valid name (values.c's
 *   name_valid: no spaces, no '#', nothing a resolver would misread) is
 *   left out of the text, never written.
 * - hosts_resolv_text: "nameserver ADDR" lines of dns if it has any (as
 *   given, a loopback address too), else the content of host_resolv
 *   (normally /etc/resolv.conf) with every nameserver on the loopback
 *   (127.0.0.0/8, ::1, ::ffff:127.0.0.0/104) made a comment: the
 *   service's network namespace has a loopback of its own, where no
 *   server of the host's listens (systemd-resolved's 127.0.0.53). Its
 *   other lines (search, options, comments) are kept. When that leaves no
 *   nameserver, the nameserver lines of fallback
 *   (/run/systemd/resolve/resolv.conf: the servers that stub forwards
 *   to), the loopback ones again left out, if it exists, are added; when
 *   there still is none, a comment says so and the loopback addresses
 *   left out are pushed to lost (for the caller's warning; a host file
 *   that never had a nameserver gives nothing in lost). A host without
 *   host_resolv (an initramfs, a minimal container) gives a file of one
 *   comment line, no nameserver, as a resolver sees an empty one. NULL
 *   and *cause if host_resolv (or the fallback it needs) exists and
 *   cannot be read.
 * - hosts_write: state_dir/networks/DIR/SERVICE (DIR "hosts" or
 *   "resolv") rewritten IN PLACE: the same inode, so a bind mount of it
 *   and a reader holding it open see the new text. Opened O_NOFOLLOW (a
 *   symlink is refused), must be a regular file with one link; the text
 *   is written from offset 0, then the file is cut to its length. The
 *   trade-off: not atomic -- a reader in between can see the new text
 *   with the end of the old one after it (when the new is shorter) for
 *   that instant; a rename would be atomic but would leave the bind mount
 *   on the old inode, which no running program would see change.
 * - hosts_remove: the service's files of DIR gone (its file was removed).
 */
#ifndef SUPD_HOSTS_H
#define SUPD_HOSTS_H

#include <netinet/in.h>

#include "util.h"

struct hosts_entry {
	const char	*name;		/* the service */
	char *const	*aliases;	/* NULL-terminated, or NULL */
	struct in_addr	 addr;		/* its address on one network */
};

char	*hosts_text(const struct hosts_entry *, size_t n);
char	*hosts_resolv_text(char *const *dns, const char *host_resolv,
	    const char *fallback, struct strv *lost, char **cause);
int	 hosts_write(const char *state_dir, const char *dir,
	    const char *service, const char *text, char **cause);
int	 hosts_remove(const char *state_dir, const char *dir,
	    const char *service, char **cause);

#endif
