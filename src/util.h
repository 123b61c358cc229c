/* SPDX-License-Identifier: ISC */
/*
 * util.h: small helpers shared by supd and supctl -- allocators that abort on
 * OOM, a growable byte buffer, string vectors, JSON string escaping, clocks,
 * mkdir -p, /proc/PID/stat fields, fd passing, ptys and fcntl helpers. The
 * value parsers of the configuration are values.h's.
 */
#ifndef SUPD_UTIL_H
#define SUPD_UTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#define ATTR_PRINTF(f, a) __attribute__((format(printf, f, a)))

/* Allocators: abort with a message on OOM (docs/style.md habit 7), or call
 * xalloc_failed first when it is set (supd as PID 1 must not abort). */
extern void	(*xalloc_failed)(void);
void	*xmalloc(size_t);
void	*xcalloc(size_t, size_t);
void	*xrealloc(void *, size_t);
void	*xreallocarray(void *, size_t, size_t);
char	*xstrdup(const char *);
char	*xstrndup(const char *, size_t);
char	*xasprintf(const char *, ...) ATTR_PRINTF(1, 2);
/* A cause (docs/style.md, habit 5): "FORMATTED: strerror(errno)",
 * allocated; errno is kept. */
char	*errno_cause(const char *, ...) ATTR_PRINTF(1, 2);

/* A growable byte buffer; p is always NUL-terminated after len bytes. */
struct buf {
	char	*p;	/* data (NULL until the first append) */
	size_t	 len;	/* bytes used, not counting the terminating NUL */
	size_t	 cap;	/* bytes allocated */
};
void	 buf_add(struct buf *, const void *, size_t);
void	 buf_puts(struct buf *, const char *);
void	 buf_printf(struct buf *, const char *, ...) ATTR_PRINTF(2, 3);
void	 buf_consume(struct buf *, size_t);	/* drop n bytes from the front */
void	 buf_reset(struct buf *);		/* len = 0, keeps memory */
void	 buf_free(struct buf *);
/* Append s as a JSON string literal (with quotes); NULL appends null. */
void	 buf_json_str(struct buf *, const char *);
/* Append v (NULL-terminated) as a JSON array of strings; NULL appends null. */
void	 buf_json_strv(struct buf *, char *const *);

/* A growable NULL-terminated vector of owned strings. */
struct strv {
	char	**v;	/* v[n] == NULL once anything was pushed */
	size_t	  n;
	size_t	  cap;
};
void	 strv_push(struct strv *, const char *);	/* copies */
void	 strv_take(struct strv *, char *);		/* takes ownership */
void	 strv_free(struct strv *);
bool	 strv_has(const struct strv *, const char *);
char	**strv_dup(char *const *);			/* deep copy of a NULL-terminated array */
void	 strv_free_array(char **);			/* frees a NULL-terminated array */

/* CLOCK_MONOTONIC in milliseconds. */
uint64_t now_ms(void);
/* RFC 3339 UTC with milliseconds of the wall clock: 2026-11-27T18:30:00.123Z */
#define RFC3339_LEN 25
void	 fmt_rfc3339(char out[RFC3339_LEN]);

/* mkdir -p: the last directory of path with mode, missing parents 0755;
 * -1 with errno. */
int	 mkdir_p(const char *, mode_t);
/*
 * Field N (3 or more, as proc(5) numbers them) of /proc/PID/stat as a
 * number: 0, or -1 with errno (EINVAL: the file made no sense).
 */
int	 proc_stat_field(pid_t, int field, unsigned long long *);

/*
 * File descriptors over a Unix socket (SCM_RIGHTS), one place for both
 * programs. fd_send sends len bytes with nfds fds attached to the first;
 * fd_recv receives up to len bytes and at most max fds (close-on-exec; any
 * more are closed), setting *nfds. Both return what sendmsg/recvmsg do.
 */
ssize_t	 fd_send(int sock, const void *, size_t len, const int *fds,
	    size_t nfds);
ssize_t	 fd_recv(int sock, void *, size_t len, int *fds, size_t max,
	    size_t *nfds);
/* A new pseudo-terminal: master (close-on-exec) and slave (flags added to
 * O_RDWR | O_NOCTTY). -1 with errno, nothing left open. */
int	 pty_open(int *master, int *slave, int slave_flags);

/* fcntl helpers; return -1 on failure with errno set. */
int	 set_nonblock(int);
void	 close_pair(int p[2]);	/* both ends of a pipe, each if >= 0 */
int	 set_cloexec(int);

#endif
