/* SPDX-License-Identifier: ISC */
/*
 * util.h: small helpers shared by supd and supctl -- allocators that abort on
 * OOM, a growable byte buffer, string vectors, JSON string escaping, and the
 * value parsers of the configuration (durations, sizes, booleans, signals,
 * modes, argv splitting, env files).
 *
 * Parsers follow strtonum(3): they return 0 on success, or -1 and point
 * *errstr at a static message suitable for "FILE:LINE: <key>: <errstr>".
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

/* Durations: "250ms", "10s", "5m", "1h", "2d"; a bare number is seconds. */
int	 parse_duration(const char *, uint64_t *ms, const char **errstr);
/* Sizes: "512", "64K", "10M", "1G" (powers of 1024, suffix case-insensitive). */
int	 parse_size(const char *, uint64_t *bytes, const char **errstr);
/* yes/no/true/false/on/off/1/0, case-insensitive. */
int	 parse_bool(const char *, bool *, const char **errstr);
/* "SIGTERM", "TERM", "term" or "15". */
int	 parse_signal(const char *, int *signo, const char **errstr);
/* An octal mode 0..0777, e.g. "022", "0600". */
int	 parse_mode(const char *, mode_t *, const char **errstr);
/* An unsigned decimal integer in [min, max]. */
int	 parse_uint(const char *, uint64_t min, uint64_t max, uint64_t *,
	    const char **errstr);
/* "SIGTERM" for 15; NULL for a number with no name. */
const char *signal_name(int);

/*
 * Split a command line into words as a POSIX shell does, without expansion:
 * whitespace separates, '...' is literal, "..." honours \\ \" \$ \` and
 * backslash-newline, a backslash outside quotes escapes the next character.
 * On success *argv is a NULL-terminated array (free with strv_free_array).
 */
int	 split_argv(const char *, char ***argv, const char **errstr);

/* An environment variable name: [A-Za-z_][A-Za-z0-9_]*. */
bool	 env_key_valid(const char *, size_t len);
/*
 * Parse one line of an env file: blank lines and lines starting with '#' are
 * skipped (return 0 with *out = NULL); "KEY=VALUE" (an optional "export "
 * prefix; a VALUE wholly inside matching single or double quotes loses
 * them) returns 0 with *out = "KEY=VALUE" allocated.
 */
int	 env_parse_line(const char *line, char **out, const char **errstr);
/*
 * Read an env file: a regular file of at most ENV_FILE_MAX bytes, not
 * reached through a symlink. Appends "KEY=VALUE" items to out. On error
 * returns -1 and sets *cause to an allocated "PATH:LINE: message" (or
 * "PATH: strerror").
 */
#define ENV_FILE_MAX	(1024 * 1024)
int	 env_load_file(const char *path, struct strv *out, char **cause);
/* Set KEY=VALUE in env, replacing an item with the same key. */
void	 env_set(struct strv *env, const char *kv);

/* Service names: [A-Za-z0-9][A-Za-z0-9_.-]{0,63}. */
bool	 name_valid(const char *);

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
int	 set_cloexec(int);

#endif
