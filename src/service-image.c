/* SPDX-License-Identifier: ISC */
/*
 * service-image.c: a service's image at run time (docs/design.md,
 * "Images"). Before each spawn (svc_image_ready): the REF's record checked
 * against its source; a stored image's layers and defaults read (small
 * files); else one `supd-image unpack` per REF, shared by every service
 * starting on it, run off the loop (imgrun.c) while they wait (WAITING,
 * shown as `starting (unpacking image REF)`); its end wakes them (DEP_READY:
 * they decide again), its failure fails each start with supd-image's line.
 *
 * What a start runs with is the service file merged over the image's
 * defaults as docker merges them (argv, env, workdir, user, stop signal),
 * and the root an overlay of the image's layers: a copy of the definition
 * holding those (svc_image_conf), built here in supd before the clone, so
 * that a lone child allocates nothing. The upper layer is a directory
 * supd makes: a throwaway one (an image, or a rootfs with overlay = yes)
 * is scratch.c's, new at each start on the tmpfs all of them share; a kept
 * one (overlay = persist) is state_dir/overlays/NAME, on disk. Each goes
 * when the service is removed.
 */
#include <sys/stat.h>

#include <errno.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "imgrun.h"
#include "imgdb.h"
#include "isolate.h"
#include "log.h"
#include "scratch.h"
#include "service-private.h"
#include "values.h"
#include "volume.h"

/* One unpack under way: every service waiting names it by its id. */
struct job {
	unsigned	 id;
	char		*ref;
	struct imgrun	*run;
	struct job	*next;
};

static struct job	*jobs;
static unsigned		 last_job;

/* What a start of an image service runs with, owned here. */
struct svc_image {
	unsigned	 job;		/* the unpack waited for, 0: none */
	char		*failed;	/* its failure, for the start it ends */
	char		*unpacked;	/* the id it gave, for that start */
	bool		 built;		/* the fields below are this run's */
	char		*id;		/* sha256:HEX, NULL for a rootfs */
	char		**argv;
	char		**env;
	char		*workdir;
	char		*user;
	char		*group;
	int		 stop_signal;
	char		**layers;	/* top first */
	char		*rootfs;	/* the top layer, as iso.rootfs */
	char		*upper;		/* its directory: upper/, work/, root/ */
};

static char *
store_dir(void)
{
	return imgdb_dir(svc_state_dir());
}

static void
built_free(struct svc_image *im)
{
	free(im->id);
	strv_free_array(im->argv);
	strv_free_array(im->env);
	free(im->workdir);
	free(im->user);
	free(im->group);
	strv_free_array(im->layers);
	free(im->rootfs);
	free(im->upper);
	im->id = im->workdir = im->user = im->group = im->rootfs = NULL;
	im->upper = NULL;
	im->argv = im->env = im->layers = NULL;
	im->built = false;
}

/* overlay = persist: state_dir/overlays/NAME gone at once, its tree in a
 * child (volume.c), however big. */
static void
kept_remove(const struct service *s)
{
	char	*dir = xasprintf("%s/overlays", svc_state_dir()), *cause = NULL;

	if (vol_remove(dir, s->conf->name, &cause) == 0)
		log_info("%s: overlay removed", s->conf->name);
	else if (errno != ENOENT)
		log_warnx("%s: overlay: %s", s->conf->name, cause);
	free(cause);
	free(dir);
}

void
svc_image_free(struct service *s)
{
	if (s->removed && s->conf->iso.overlay == OVERLAY_PERSIST)
		kept_remove(s);
	else if (s->removed && s->img != NULL)
		scratch_drop(s->conf->name);
	if (s->img == NULL)
		return;
	built_free(s->img);
	free(s->img->failed);
	free(s->img->unpacked);
	free(s->img);
	s->img = NULL;
}

/* An unpack ended: the services waiting for it decide again. */
static void
job_done(void *arg, bool ok, const char *out, const char *err)
{
	struct job	*j = arg, **jp;
	struct service	*s;
	size_t		 i, len = strcspn(out, "\n");

	for (jp = &jobs; *jp != j; jp = &(*jp)->next)
		;
	*jp = j->next;
	if (ok)
		log_info("image %s: unpacked, %.*s", j->ref, (int)len, out);
	else
		log_warnx("image %s: %s", j->ref, err);
	svc_queue_hold();
	for (i = 0; i < svc_reg.n; i++) {
		s = svc_reg.svcs[i];
		if (s->img == NULL || s->img->job != j->id)
			continue;
		s->img->job = 0;
		if (s->state != SVC_WAITING)
			continue;
		free(s->img->failed);
		free(s->img->unpacked);
		s->img->failed = ok ? NULL : xstrdup(err);
		s->img->unpacked = ok && len > 0 ? xstrndup(out, len) : NULL;
		svc_event(s, SE_DEP_READY);
	}
	svc_queue_release();
	free(j->ref);
	free(j);
}

/* The unpack of ref under way, or a new one: its id, 0 and *cause. */
static unsigned
job_for(const char *ref, char **cause)
{
	struct job	*j;
	char		*store, *args[5];

	for (j = jobs; j != NULL; j = j->next)
		if (strcmp(j->ref, ref) == 0)
			return j->id;
	store = store_dir();
	args[0] = "unpack";
	args[1] = "--store";
	args[2] = store;
	args[3] = (char *)ref;
	args[4] = NULL;
	j = xcalloc(1, sizeof *j);
	if ((j->run = imgrun_start(args, job_done, j, cause)) == NULL) {
		free(store);
		free(j);
		return 0;
	}
	free(store);
	j->id = ++last_job;
	j->ref = xstrdup(ref);
	j->next = jobs;
	jobs = j;
	log_info("image %s: supd-image unpack, pid %d", ref,
	    (int)imgrun_pid(j->run));
	return j->id;
}

/* A name or a number, as the file's user and group keys take. */
static bool
ident_ok(const char *v)
{
	size_t	n = strspn(v, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUV"
		    "WXYZ0123456789_.-");

	return n > 0 && n <= 32 && v[n] == '\0';
}

/* argv: the file's entrypoint or the image's, then the file's command,
 * or the image's Cmd unless the file set the entrypoint (docker's
 * --entrypoint drops the image's Cmd). */
static char **
merge_argv(const struct svc_conf *sc, const struct img_defaults *d)
{
	struct strv	 v = { 0 };
	char *const	*ep = sc->entrypoint != NULL ? sc->entrypoint :
			    d->entrypoint;
	char *const	*cmd = sc->argv != NULL ? sc->argv :
			    sc->entrypoint != NULL ? NULL : d->cmd;
	size_t		 i;

	for (i = 0; ep != NULL && ep[i] != NULL; i++)
		strv_push(&v, ep[i]);
	for (i = 0; cmd != NULL && cmd[i] != NULL; i++)
		strv_push(&v, cmd[i]);
	return v.v;
}

/* The image's defaults under the file's keys; -1 and *cause. */
static int
merge(struct service *s, const struct img *im, char **cause)
{
	const struct svc_conf	*sc = s->conf;
	struct svc_image	*b = s->img;
	struct strv		 env = { 0 };
	const char		*u, *e = NULL;
	char			*colon;
	size_t			 i;

	if ((b->argv = merge_argv(sc, &im->d)) == NULL) {
		*cause = xasprintf("image %s: image has no command",
		    sc->iso.image);
		return -1;
	}
	for (i = 0; im->d.env != NULL && im->d.env[i] != NULL; i++)
		if (strchr(im->d.env[i], '=') != NULL)
			env_set(&env, im->d.env[i]);
	for (i = 0; sc->env[i] != NULL; i++)
		env_set(&env, sc->env[i]);
	b->env = env.v != NULL ? env.v : xcalloc(1, sizeof *b->env);
	b->workdir = sc->workdir != NULL ? xstrdup(sc->workdir) :
	    im->d.workdir == NULL || *im->d.workdir == '\0' ? xstrdup("/") :
	    im->d.workdir[0] == '/' ? xstrdup(im->d.workdir) :
	    xasprintf("/%s", im->d.workdir);
	u = sc->user != NULL ? sc->user : im->d.user;
	if (u != NULL && *u != '\0') {
		b->user = xstrdup(u);
		if (sc->user == NULL && (colon = strchr(b->user, ':')) != NULL) {
			*colon = '\0';
			if (sc->group == NULL)
				b->group = xstrdup(colon + 1);
		}
		if (!ident_ok(b->user) || (b->group != NULL &&
		    !ident_ok(b->group))) {
			*cause = xasprintf("image %s: user '%s': expected a "
			    "name or a number", sc->iso.image, u);
			return -1;
		}
	}
	if (b->group == NULL && sc->group != NULL)
		b->group = xstrdup(sc->group);
	b->stop_signal = sc->stop_signal;
	if (b->stop_signal == 0 && (im->d.stop_signal == NULL ||
	    parse_signal(im->d.stop_signal, &b->stop_signal, &e) == -1))
		b->stop_signal = SIGTERM;
	return 0;
}

/* The upper layer's directory, with upper/, work/ and root/ (the mount
 * point): state_dir/overlays/NAME kept (overlay = persist), else a new
 * throwaway one (scratch.c). With a user namespace, its root owns them:
 * the overlay writes as it (an image's, mounted by supd: isolate-userns.c)
 * or mounts it (a rootfs's, through the detached mount iso_prepare makes:
 * state_dir is out of its reach). */
static int
upper_dir(struct service *s, char **cause)
{
	static const char *const sub[] = { "", "/upper", "/work", "/root" };
	bool	 userns = s->conf->iso.ns & CLONE_NEWUSER;
	char	*dir, *path;
	size_t	 i;
	int	 r = 0;

	if (s->conf->iso.overlay != OVERLAY_PERSIST)
		return (s->img->upper = scratch_take(s->conf->name, userns,
		    cause)) == NULL ? -1 : 0;
	dir = xasprintf("%s/overlays/%s", svc_state_dir(), s->conf->name);
	for (i = 1; r == 0 && i < sizeof sub / sizeof *sub; i++) {
		path = xasprintf("%s%s", dir, sub[i]);
		if (mkdir_p(path, 0700) == -1)
			r = -1;
		free(path);
	}
	for (i = 0; r == 0 && userns && i < sizeof sub / sizeof *sub; i++) {
		path = xasprintf("%s%s", dir, sub[i]);
		if (chown(path, ISO_USERNS_BASE, ISO_USERNS_BASE) == -1)
			r = -1;
		free(path);
	}
	if (r == -1) {
		*cause = errno_cause("overlay %s", dir);
		free(dir);
		return -1;
	}
	s->img->upper = dir;
	return 0;
}

/* The image's layers as directories, top first, and its defaults merged:
 * -1 and *cause. */
static int
build(struct service *s, const char *id, char **cause)
{
	struct img	 im;
	char		*store = store_dir();
	size_t		 i;
	int		 r;

	if (imgdb_load(store, id, &im, cause) == -1) {
		free(store);
		return -1;
	}
	s->img->id = xstrdup(im.id);
	s->img->layers = xcalloc(im.nlayers + 1, sizeof *s->img->layers);
	for (i = 0; i < im.nlayers; i++)
		s->img->layers[i] = imgdb_layer_root(store,
		    im.layers[im.nlayers - 1 - i]);
	s->img->rootfs = xstrdup(s->img->layers[0]);
	r = merge(s, &im, cause);
	imgdb_free(&im);
	free(store);
	return r;
}

/* A rootfs with overlay = yes or persist: one layer, the rootfs. */
static void
build_rootfs(struct service *s)
{
	s->img->layers = xcalloc(2, sizeof *s->img->layers);
	s->img->layers[0] = xstrdup(s->conf->iso.rootfs);
}

int
svc_image_ready(struct service *s, char **cause)
{
	const struct iso_conf	*iso = &s->conf->iso;
	char			*id = NULL, *store, *m;
	unsigned		 job;
	int			 r = 0;

	if (iso->image == NULL && iso->overlay == OVERLAY_NO) {
		if (s->img != NULL)	/* no longer an overlay */
			scratch_drop(s->conf->name);
		svc_image_free(s);
		return 1;
	}
	if (s->img == NULL)
		s->img = xcalloc(1, sizeof *s->img);
	built_free(s->img);
	if (s->img->failed != NULL) {
		*cause = s->img->failed;
		s->img->failed = NULL;
		return -1;
	}
	if (iso->image != NULL) {
		store = store_dir();
		if (imgdb_current(store, iso->image, &id) == 0 &&
		    s->img->unpacked != NULL) {
			/* Just unpacked for this start, yet the record does
			 * not say so (its source changed meanwhile): this
			 * start takes what was unpacked, the next looks
			 * again. */
			id = s->img->unpacked;
			s->img->unpacked = NULL;
		}
		free(store);
		if (id == NULL) {
			if ((job = job_for(iso->image, cause)) == 0)
				return -1;
			s->img->job = job;
			m = xasprintf("unpacking image %s", iso->image);
			svc_set_reason(s, m);
			free(m);
			return 0;
		}
		r = build(s, id, cause);
		free(id);
	} else
		build_rootfs(s);
	free(s->img->unpacked);
	s->img->unpacked = NULL;
	if (r == 0)
		r = upper_dir(s, cause);
	if (r == -1) {
		built_free(s->img);
		return -1;
	}
	s->img->built = true;
	return 1;
}

const struct svc_conf *
svc_image_conf(const struct service *s, struct svc_conf *tmp)
{
	const struct svc_image	*b = s->img;

	if (b == NULL || !b->built)
		return s->conf;
	*tmp = *s->conf;
	tmp->iso.layers = b->layers;
	tmp->iso.upper = b->upper;
	if (s->conf->iso.image == NULL)
		return tmp;
	tmp->argv = b->argv;
	tmp->env = b->env;
	tmp->workdir = b->workdir;
	tmp->user = b->user;
	tmp->group = b->group;
	tmp->stop_signal = b->stop_signal;
	tmp->iso.rootfs = b->rootfs;
	return tmp;
}

int
svc_stop_signal(const struct service *s)
{
	if (s->img != NULL && s->img->built && s->conf->iso.image != NULL)
		return s->img->stop_signal;
	return s->conf->stop_signal != 0 ? s->conf->stop_signal : SIGTERM;
}

/* inspect: ,"image":{...} with what the last start ran (nothing without
 * an image). */
void
svc_image_json(const struct service *s, struct buf *b)
{
	const struct svc_image	*im = s->img;

	if (s->conf->iso.image == NULL)
		return;
	buf_puts(b, ",\"image\":{\"ref\":");
	buf_json_str(b, s->conf->iso.image);
	if (im == NULL || !im->built) {
		buf_puts(b, ",\"id\":null}");
		return;
	}
	buf_puts(b, ",\"id\":");
	buf_json_str(b, im->id);
	buf_puts(b, ",\"command\":");
	buf_json_strv(b, im->argv);
	buf_puts(b, ",\"env\":");
	buf_json_strv(b, im->env);
	buf_puts(b, ",\"workdir\":");
	buf_json_str(b, im->workdir);
	buf_puts(b, ",\"user\":");
	buf_json_str(b, im->user);
	buf_puts(b, ",\"group\":");
	buf_json_str(b, im->group);
	buf_printf(b, ",\"stop_signal\":\"%s\"}",
	    signal_name(im->stop_signal) != NULL ?
	    signal_name(im->stop_signal) : "?");
}

const char *
svc_image_ref(const struct service *s)
{
	return s->removed ? NULL : s->conf->iso.image;
}

const char *
svc_image_id(const struct service *s)
{
	return s->img != NULL && !s->removed ? s->img->id : NULL;
}
