/* SPDX-License-Identifier: ISC */
/*
 * leases.h: the address of each service on each network, leased per
 * service name and kept in state_dir/networks/NAME/leases (one
 * "SERVICE ADDR" line each), so that a service keeps its address across
 * restarts of itself and of supd, and across reloads.
 *
 * Contract:
 * - lease_open reads a network's file (created empty if missing). Its
 *   directories are made 0700 (an existing one is tightened) and opened
 *   one component at a time from state_dir with O_NOFOLLOW: a symlink at
 *   state_dir/networks or below is refused, never followed. A line that is
 *   not "SERVICE ADDR" with a valid service name and a host address of the
 *   subnet (not its gateway), or that repeats a service or an address, is
 *   skipped with a "FILE:LINE: why" appended to warn (not fatal).
 * - lease_get gives a service its address: a fixed one (`ip`) wins and is
 *   reserved (taken from a service that held it without fixing it: ask for
 *   the fixed ones first); else the lease it has; else the lowest free host
 *   address of the subnet (never the network, broadcast or gateway
 *   address). A change is written before lease_get returns (tmp + fsync +
 *   rename + fsync of the directory): a lease given is a lease kept.
 *   An exhausted subnet, a fixed address outside the subnet or another
 *   service's fixed address, or a failed write is an error for that
 *   service only (-1, *cause; nothing changed).
 * - lease_release drops a service's lease (its file was removed, or it
 *   left the network: at a reload, or while supd was down, found at boot).
 * Synchronous file I/O on a small file in supd's loop, like the stopped
 * markers of state_dir.
 */
#ifndef SUPD_LEASES_H
#define SUPD_LEASES_H

#include <netinet/in.h>
#include <stdbool.h>

#include "config.h"
#include "util.h"

struct lease_table;

struct lease_table *lease_open(const char *state_dir, const struct net_conf *,
	    struct strv *warn, char **cause);
void	 lease_close(struct lease_table *);

/* fixed: the service's `ip` on this network, or NULL. */
int	 lease_get(struct lease_table *, const char *service,
	    const struct in_addr *fixed, struct in_addr *out, char **cause);
/* The service's lease without making one: 0, or -1 if it has none. */
int	 lease_find(const struct lease_table *, const char *service,
	    struct in_addr *out);
/* 0 (also when it had none), or -1 and *cause if the file was not written. */
int	 lease_release(struct lease_table *, const char *service,
	    char **cause);
/* Leases held, and the i-th (for status and hosts files): its name. */
size_t	 lease_count(const struct lease_table *);
const char *lease_at(const struct lease_table *, size_t i,
	    struct in_addr *out);

/*
 * Is there a leases file for the network (a symlink counts: lease_open
 * refuses it)? 1, 0, or -1 and *cause. Makes nothing and follows no
 * symlink under state_dir: a supd whose services use no network leaves
 * state_dir/networks unmade.
 */
int	 lease_exists(const char *state_dir, const char *network,
	    char **cause);

/*
 * state_dir/networks/SUB as a directory fd (O_PATH-free, O_DIRECTORY),
 * each component made 0700 if missing and opened without following a
 * symlink; -1 and *cause. hosts.c keeps its files in "hosts".
 */
int	 lease_state_dir(const char *state_dir, const char *sub, char **cause);

#endif
