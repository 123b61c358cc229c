/* SPDX-License-Identifier: ISC */
/*
 * userdb.h: users and groups read from passwd(5) and group(5) text
 * (userdb.c), for services with a rootfs: their names are looked up in the
 * root's own files, never through NSS, which would load a library of the
 * rootfs into a process that is still root.
 *
 * The parsers are pure functions over a buffer (no I/O, no state), so unit
 * tests and the fuzzer call them directly. What a line must be to count:
 *   - fields separated by ':', exactly 7 for passwd, 4 for group;
 *   - a non-empty name; uid and gid plain decimal digits, at most
 *     UINT32_MAX - 1 ((uid_t)-1 means "no change" to the kernel);
 *   - no NUL byte; one trailing '\r' (CRLF files) is dropped.
 * Blank lines, comments ('#' after optional blanks) and NIS compat lines
 * ('+' or '-' first) are skipped, and so is any line that breaks a rule:
 * it can neither match nor hide a later line. Among valid lines, the first
 * match wins, as in glibc's files backend.
 */
#ifndef SUPD_USERDB_H
#define SUPD_USERDB_H

#include <stddef.h>
#include <stdint.h>

/* The largest account file read (4 MiB); a bigger one is an error. */
#define USERDB_FILE_MAX		(4u << 20)
/* The most groups a grouplist may hold (the kernel's NGROUPS_MAX). */
#define USERDB_NGROUPS_MAX	65536

/* A passwd(5) entry; the strings are allocated (userdb_pw_free). */
struct userdb_pw {
	char		*name;	/* login name */
	char		*home;	/* home directory, "" if the field is empty */
	uint32_t	 uid;
	uint32_t	 gid;	/* primary group */
};

/* A group(5) entry; the name is allocated (userdb_gr_free). */
struct userdb_gr {
	char		*name;
	uint32_t	 gid;
};

/* Find a user in passwd text buf[0..len): 1 found (*out filled), 0 not. */
int	userdb_pw_byname(const char *buf, size_t len, const char *name,
	    struct userdb_pw *out);
int	userdb_pw_byuid(const char *buf, size_t len, uint32_t uid,
	    struct userdb_pw *out);
void	userdb_pw_free(struct userdb_pw *);

/* Find a group in group text buf[0..len): 1 found (*out filled), 0 not. */
int	userdb_gr_byname(const char *buf, size_t len, const char *name,
	    struct userdb_gr *out);
int	userdb_gr_bygid(const char *buf, size_t len, uint32_t gid,
	    struct userdb_gr *out);
void	userdb_gr_free(struct userdb_gr *);

/*
 * What initgroups(3) gives `user` from group text: gid first, then the gid
 * of every group whose member list names the user, each gid once (in
 * ascending order). 0 with *gids allocated (free it) and *n set; -1 with
 * errno E2BIG if that makes more than USERDB_NGROUPS_MAX.
 */
int	userdb_grouplist(const char *buf, size_t len, const char *user,
	    uint32_t gid, uint32_t **gids, size_t *n);

/*
 * Read the account file `path` (relative to dirfd, or AT_FDCWD) whole: not
 * through a symlink, never blocking, only a regular file (else EINVAL) of
 * at most USERDB_FILE_MAX bytes (else EFBIG). 0 with *buf allocated and
 * NUL-terminated after *len bytes; -1 with errno, nothing allocated.
 */
int	userdb_read(int dirfd, const char *path, char **buf, size_t *len);

#endif
