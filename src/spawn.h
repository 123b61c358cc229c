/*
 * spawn.h: starting a service's process (spawn.c). The child applies the
 * service's steps between fork and exec; if one fails it writes a report to
 * a close-on-exec pipe and exits 127, so supd learns the step and errno. The
 * pipe reaching EOF with no report means exec succeeded.
 */
#ifndef SUPD_SPAWN_H
#define SUPD_SPAWN_H

#include <stdint.h>
#include <sys/types.h>

#include "config.h"

/* Steps of the child; each names what failed in a report. */
enum spawn_step {
	STEP_NONE,
	STEP_SETUP,	/* signals, session, stdio */
	STEP_USER,	/* user lookup */
	STEP_GROUP,	/* group lookup */
	STEP_GROUPS,	/* supplementary groups lookup or setgroups */
	STEP_SETGID,
	STEP_SETUID,
	STEP_WORKDIR,	/* chdir to workdir */
	STEP_EXEC,	/* execve (or no such command in PATH) */
};

/* What the child writes on failure: small enough for one atomic write. */
struct spawn_report {
	int32_t	step;		/* enum spawn_step */
	int32_t	err;		/* errno, or 0 for a lookup that found nothing */
	char	what[120];	/* the path, user or group concerned */
};

/* Remember supd's own account (HOME, USER of services without `user`). */
void	spawn_init(void);

/*
 * Fork the service's process with out_fd/err_fd as its stdout/stderr (-1 =
 * /dev/null). Returns its pid and sets *report_fd to the non-blocking read
 * end of the report pipe; -1 with errno if the fork itself failed.
 */
pid_t	spawn_service(const struct svc_conf *, int out_fd, int err_fd,
	    int *report_fd);

/* One line for humans: "exec /usr/bin/x: No such file or directory". */
void	spawn_report_str(const struct spawn_report *, char *, size_t);

#endif
