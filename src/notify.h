/* SPDX-License-Identifier: ISC */
/*
 * notify.h: the sd_notify protocol on supd's side (notify.c) -- a datagram
 * socket per service with ready = notify, who may send on it, and what a
 * datagram says.
 */
#ifndef SUPD_NOTIFY_H
#define SUPD_NOTIFY_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

/* Datagrams read per wake-up: a flood cannot starve the loop. */
#define NOTIFY_BATCH	16

/*
 * Bind the socket DIR/NAME, made private: DIR (created 0711 if missing)
 * must be a real directory owned by supd's user; the socket is created
 * 0600 (umask around bind) and owned by `owner` (the service's root: supd
 * itself, or a user namespace's). The service's process gives it to the
 * service's user. Returns the non-blocking fd, or -1 with *cause.
 */
int	notify_bind(const char *dir, const char *name, uid_t owner,
	    char **cause);

/*
 * Read one datagram: 1 with *sender (0 if unknown) and the text in buf
 * (NUL-terminated), 0 if none is left, -1 on error. File descriptors sent
 * along are closed at once.
 */
int	notify_recv(int fd, char *buf, size_t len, pid_t *sender);

/*
 * May `sender` speak for the service whose first process is `svc`? It must
 * be inside the service: in its pid namespace (pid_ns), else in its mount
 * namespace (mnt_ns), else in its session (a service is a session leader).
 */
bool	notify_sender_ok(pid_t sender, pid_t svc, bool pid_ns, bool mnt_ns);

/*
 * Parse a datagram (modified in place): READY=1 sets *ready; the last
 * STATUS= sets *status (malloc'd, replacing any earlier one). Other
 * assignments (MAINPID, ...) are ignored.
 */
void	notify_parse(char *msg, bool *ready, char **status);

#endif
