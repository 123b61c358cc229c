/* SPDX-License-Identifier: ISC */
/*
 * service-run.c: services that come from `supctl run` rather than from a
 * file of conf_dir, and their removal (`supctl rm`).
 *
 * A run is the text of a service file, read by the same loader as a file
 * of conf_dir (so the same keys, checks and relative paths mean the same).
 * Without --save the service is transient: it lives in supd's memory only,
 * a reload leaves it alone and refuses a file of the same name, and supd's
 * end is its end. With --save the text is first written to
 * conf_dir/NAME.ini, whole or not at all, and the service is that file's.
 * A name is one service's, ever: a run never replaces anything.
 */
#include <sys/stat.h>
#include <sys/types.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "log.h"
#include "service-private.h"
#include "values.h"

#define RUN_NAME_MAX	100000	/* run-1 .. run-N: past this, refuse */

/* Is NAME taken: a service, or a file of conf_dir (loaded or not)? */
static bool
name_taken(const char *name)
{
	struct stat	 st;
	char		*path;
	bool		 r;

	if (svc_find(name) != NULL)
		return true;
	path = xasprintf("%s/%s.ini", svc_reg.mconf->conf_dir, name);
	r = lstat(path, &st) == 0 || errno != ENOENT;
	free(path);
	return r;
}

char *
svc_run_name(void)
{
	char	*name;
	int	 n;

	for (n = 1; n <= RUN_NAME_MAX; n++) {
		name = xasprintf("run-%d", n);
		if (!name_taken(name))
			return name;
		free(name);
	}
	return NULL;
}

/*
 * conf_dir/NAME.ini made whole or not at all: a temporary file beside it,
 * written and synced, then renamed without replacing anything (a file that
 * appeared meanwhile stays), then the directory synced. NAME is a valid
 * service name (no '/', no leading '.'), so the paths stay in conf_dir.
 */
static int
save_file(const char *name, const char *text, char **cause)
{
	const char	*dir = svc_reg.mconf->conf_dir;
	char		*tmp, *file;
	size_t		 len = strlen(text);
	ssize_t		 n = -1;	/* -1 until written: errno is the cause */
	int		 dfd, fd = -1, r = -1;

	tmp = xasprintf(".%s.ini.run", name);
	file = xasprintf("%s.ini", name);
	if ((dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) == -1) {
		*cause = errno_cause("%s", dir);
		goto out;
	}
	(void)unlinkat(dfd, tmp, 0);	/* a crash's leftover */
	if ((fd = openat(dfd, tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW |
	    O_CLOEXEC, 0644)) == -1 || fchmod(fd, 0644) == -1 ||
	    (n = write(fd, text, len)) != (ssize_t)len || fsync(fd) == -1) {
		if (n >= 0 && n != (ssize_t)len)
			errno = EIO;
		*cause = errno_cause("%s/%s", dir, tmp);
		goto out;
	}
	if (renameat2(dfd, tmp, dfd, file, RENAME_NOREPLACE) == -1) {
		*cause = errno_cause("%s/%s", dir, file);
		goto out;
	}
	(void)fsync(dfd);
	r = 0;
out:
	if (fd != -1)
		close(fd);
	if (r == -1 && dfd != -1)
		(void)unlinkat(dfd, tmp, 0);
	if (dfd != -1)
		close(dfd);
	free(tmp);
	free(file);
	return r;
}

struct service *
svc_run(const char *name, const char *text, int flags, int stdin_fd,
    struct strv *errs)
{
	struct svc_conf	*sc;
	struct service	*s;
	char		*cause;

	if (!name_valid(name)) {
		/* Never a path: --save writes conf_dir/NAME.ini. */
		strv_take(errs, xasprintf("run: invalid service name (letters, "
		    "digits, '_', '.', '-'; at most 64)"));
		goto fail;
	}
	if (svc_reg.shutting_down) {
		strv_push(errs, "run: supd is shutting down");
		goto fail;
	}
	if (name_taken(name)) {
		strv_take(errs, xasprintf("run: name in use: %s", name));
		goto fail;
	}
	if ((sc = cfg_load_service_text("run", text, name, svc_reg.mconf,
	    errs)) == NULL)
		goto fail;
	if (flags & SVC_RUN_SAVE) {
		if (save_file(name, text, &cause) == -1) {
			strv_take(errs, xasprintf("run: --save: %s", cause));
			free(cause);
			cfg_svc_free(sc);
			goto fail;
		}
		sc->file = xasprintf("%s/%s.ini", svc_reg.mconf->conf_dir,
		    name);
	}
	s = svc_new(sc);
	s->transient = !(flags & SVC_RUN_SAVE);
	s->auto_rm = (flags & SVC_RUN_RM) != 0;
	s->stdin_fd = stdin_fd;
	svc_reg.any_deps = svc_deps_anywhere();
	log_info("%s: added by run%s", name, s->transient ? " (transient)" :
	    "");
	return s;
fail:
	if (stdin_fd != -1)
		close(stdin_fd);
	return NULL;
}

/* Has s a process, or is it on its way to one? */
static bool
run_active(const struct service *s)
{
	return s->pid != 0 || (s->state != SVC_STOPPED &&
	    s->state != SVC_EXITED && s->state != SVC_FAILED);
}

bool
svc_ended(const struct service *s)
{
	return !run_active(s);
}

int
svc_remove(struct service *s, bool force, const char **errstr)
{
	if (!s->transient) {
		*errstr = "defined by a file of conf_dir (remove the file, "
		    "then reload)";
		return -1;
	}
	if (s->removed)
		return 0;
	if (run_active(s) && !force) {
		*errstr = "running (stop it first, or rm -f)";
		return -1;
	}
	log_info("%s: removed", s->conf->name);
	s->removed = true;
	svc_reg.any_removed = true;
	svc_event(s, SE_STOP);		/* freed once stopped */
	return 0;
}

void
svc_run_ended(struct service *s)
{
	const char	*e;

	if (!s->removed && !run_active(s))
		(void)svc_remove(s, false, &e);
}

bool
svc_transient(const struct service *s)
{
	return s->transient;
}

int
svc_exit_status(const struct service *s)
{
	if (s->spawn_failed || s->state == SVC_FAILED)
		return 127;
	if (s->exit_signal != 0)
		return 128 + s->exit_signal;
	return s->exit_code >= 0 ? s->exit_code : 0;
}
