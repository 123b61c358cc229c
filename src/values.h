/* SPDX-License-Identifier: ISC */
/*
 * values.h: the value parsers of the configuration (durations, sizes,
 * booleans, signals, modes, numbers, argv splitting, env files, service
 * names), shared by supd and supctl.
 *
 * Parsers follow strtonum(3): they return 0 on success, or -1 and point
 * *errstr at a static message suitable for "FILE:LINE: <key>: <errstr>".
 */
#ifndef SUPD_VALUES_H
#define SUPD_VALUES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>
#include <sys/types.h>

struct sockaddr_storage;
struct strv;

/* Durations: "250ms", "10s", "5m", "1h", "2d"; a bare number is seconds. */
int	 parse_duration(const char *, uint64_t *ms, const char **errstr);
/*
 * A time as RFC 3339 gives it, "2026-11-27T18:30:00Z" with an optional
 * fraction of a second and 'Z' or an offset "+01:00": milliseconds since
 * the epoch. *end (may be NULL) is left after it; the rest is the
 * caller's (a log line goes on after its stamp).
 */
int	 parse_rfc3339(const char *, int64_t *ms, const char **end,
	    const char **errstr);
/*
 * supctl logs --since/--until, as docker takes them: RFC 3339, a unix time
 * in seconds ("1700000000.5"), or a duration back from now_ms ("10m").
 */
int	 parse_log_time(const char *, int64_t now_ms, int64_t *ms,
	    const char **errstr);
/* Sizes: "512", "64K", "10M", "1G" (powers of 1024, suffix case-insensitive). */
int	 parse_size(const char *, uint64_t *bytes, const char **errstr);
/* CPUs, fractional ("0.5", "2", "1.25"; 0.01 .. VALUES_CPUS_MAX), as the
 * microseconds of cpu.max's quota per period of VALUES_CPU_PERIOD_US. */
#define VALUES_CPU_PERIOD_US	100000ULL
#define VALUES_CPUS_MAX		1000000ULL
int	 parse_cpus(const char *, uint64_t *quota_us, const char **errstr);
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
 * A TCP address to listen on: "IPV4:PORT" or "[IPV6]:PORT", the address
 * numeric (no name lookup), PORT 1..65535.
 */
int	 parse_listen(const char *, struct sockaddr_storage *, socklen_t *,
	    const char **errstr);

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

#endif
