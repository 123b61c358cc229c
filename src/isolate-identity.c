/* SPDX-License-Identifier: ISC */
/*
 * isolate-identity.c: the last steps of a service's command before exec
 * (isolate.h) -- its user, groups, capabilities and no_new_privs, and the
 * capabilities of the service's init.
 *
 * Users and groups are looked up after the root is entered (iso_setup,
 * isolate.c): through NSS on the host's tree, but with a rootfs only in its
 * /etc/passwd and /etc/group (userdb.c), so that no library of the rootfs
 * is ever loaded.
 *
 * Every step reports its failure with spawn_fail(step, errno, what).
 */
#include <sys/capability.h>
#include <sys/prctl.h>
#include <sys/types.h>

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "isolate.h"
#include "spawn-report.h"
#include "userdb.h"
#include "util.h"
#include "values.h"

static int
is_number(const char *s)
{
	if (*s == '\0')
		return 0;
	for (; *s != '\0'; s++)
		if (*s < '0' || *s > '9')
			return 0;
	return 1;
}

/*
 * The accounts of the service's root. On the host's tree, NSS, as any
 * program there. With a rootfs, only its /etc/passwd and /etc/group: NSS
 * would load a module named by nsswitch.conf from the rootfs's library
 * directories into this process, which is still root with every
 * capability (glibc keeps the host's nsswitch.conf once it was read, but
 * finds the module in whatever root it is in).
 */
struct acctdb {
	bool	 files;		/* rootfs: the files below, never NSS */
	char	*pw, *gr;	/* /etc/passwd, /etc/group, read when needed */
	size_t	 pwlen, grlen;
	/* NSS: the entry's strings, on the stack (a lone child shares supd's
	 * memory, spawn.c: a copy on the heap would stay there if a later
	 * step failed) */
	char	 nss[4096];
};

/* Read one of the root's account files; a missing one is empty. */
static void
db_load(const char *path, char **buf, size_t *len, enum spawn_step step,
    const char *name)
{
	char	what[strlen(name) + strlen(path) + 4];
	int	err;

	if (*buf != NULL)
		return;
	if (userdb_read(AT_FDCWD, path, buf, len) == 0)
		return;
	if ((err = errno) == ENOENT) {
		*buf = xstrdup("");
		*len = 0;
		return;
	}
	snprintf(what, sizeof what, "%s (%s)", name, path);
	spawn_fail(step, err, what);
}

/*
 * The account of the configured user: by name, or for a number the account
 * with that uid, if any. true if found (*out filled); false with errno 0
 * for no such user, else why the lookup failed.
 */
static bool
db_user(struct acctdb *db, const char *user, bool by_uid, uid_t uid,
    struct userdb_pw *out)
{
	struct passwd	 ent, *pw;
	int		 r;

	if (db->files) {
		db_load("/etc/passwd", &db->pw, &db->pwlen, STEP_USER, user);
		errno = 0;
		return by_uid ? userdb_pw_byuid(db->pw, db->pwlen, uid, out) :
		    userdb_pw_byname(db->pw, db->pwlen, user, out);
	}
	r = by_uid ? getpwuid_r(uid, &ent, db->nss, sizeof db->nss, &pw) :
	    getpwnam_r(user, &ent, db->nss, sizeof db->nss, &pw);
	if (pw == NULL) {
		errno = r;
		return false;
	}
	out->name = pw->pw_name;
	out->home = pw->pw_dir;
	out->uid = pw->pw_uid;
	out->gid = pw->pw_gid;
	return true;
}

static gid_t
db_gid(struct acctdb *db, const char *name, enum spawn_step step)
{
	struct userdb_gr gr;
	struct group	*g;
	uint64_t	 n;
	const char	*e;

	if (is_number(name) &&
	    parse_uint(name, 0, UINT32_MAX - 1, &n, &e) == 0)
		return n;
	if (db->files) {
		db_load("/etc/group", &db->gr, &db->grlen, step, name);
		if (userdb_gr_byname(db->gr, db->grlen, name, &gr) != 1)
			spawn_fail(step, 0, name);
		n = gr.gid;
		userdb_gr_free(&gr);
		return n;
	}
	errno = 0;
	if ((g = getgrnam(name)) == NULL)
		spawn_fail(step, errno, name);
	return g->gr_gid;
}

/* The user's own groups, as login(1) gives them: gid and every group
 * whose member list names the user. */
static void
db_initgroups(struct acctdb *db, const char *user, gid_t gid,
    const char *what)
{
	uint32_t	*gids;
	size_t		 n, i;
	gid_t		*list;

	if (!db->files) {
		if (initgroups(user, gid) == -1)
			spawn_fail(STEP_GROUPS, errno, what);
		return;
	}
	db_load("/etc/group", &db->gr, &db->grlen, STEP_GROUPS, what);
	if (userdb_grouplist(db->gr, db->grlen, user, gid, &gids, &n) == -1)
		spawn_fail(STEP_GROUPS, errno, what);
	list = xcalloc(n, sizeof *list);
	for (i = 0; i < n; i++)
		list[i] = gids[i];
	if (setgroups(n, list) == -1)
		spawn_fail(STEP_GROUPS, errno, "setgroups");
	free(list);
	free(gids);
}

static void
db_free(struct acctdb *db)
{
	free(db->pw);
	free(db->gr);
}

/* Drop from the bounding set every capability not kept. */
static void
drop_bounding(uint64_t keep)
{
	cap_value_t	c;

	for (c = 0; c <= CAP_LAST_CAP; c++)
		if (!(keep & (1ULL << c)) && c < cap_max_bits() &&
		    cap_drop_bound(c) == -1)
			spawn_fail(STEP_CAPS, errno, "bounding set");
}

/* Effective, permitted, inheritable = keep; ambient = keep if not root. */
static void
set_caps(uint64_t keep, bool ambient)
{
	cap_t		caps;
	cap_value_t	c;

	if ((caps = cap_init()) == NULL)
		spawn_fail(STEP_CAPS, errno, "cap_init");
	for (c = 0; c <= CAP_LAST_CAP; c++) {
		if (!(keep & (1ULL << c)) || c >= cap_max_bits())
			continue;
		if (cap_set_flag(caps, CAP_EFFECTIVE, 1, &c, CAP_SET) == -1 ||
		    cap_set_flag(caps, CAP_PERMITTED, 1, &c, CAP_SET) == -1 ||
		    cap_set_flag(caps, CAP_INHERITABLE, 1, &c, CAP_SET) == -1)
			spawn_fail(STEP_CAPS, errno, "cap_set_flag");
	}
	if (cap_set_proc(caps) == -1)
		spawn_fail(STEP_CAPS, errno, "cap_set_proc");
	cap_free(caps);
	if (cap_reset_ambient() == -1 && errno != EINVAL)
		spawn_fail(STEP_CAPS, errno, "ambient");
	if (!ambient)
		return;
	for (c = 0; c <= CAP_LAST_CAP; c++)
		if ((keep & (1ULL << c)) && c < cap_max_bits() &&
		    cap_set_ambient(c, CAP_SET) == -1)
			spawn_fail(STEP_CAPS, errno, "ambient");
}

/* KEY=value into env, through the stack (see gids in iso_identity). */
static void
set_env_kv(struct strv *env, const char *key, const char *value)
{
	char	kv[strlen(key) + strlen(value) + 2];

	snprintf(kv, sizeof kv, "%s=%s", key, value);
	env_set(env, kv);
}

/*
 * uid and gid of `user`, a name or a number; true with *pw filled if it has
 * an account. A uid with no account gets the same number as gid, never
 * supd's own group.
 */
static bool
resolve_user(struct acctdb *db, const char *user, uid_t *uid, gid_t *gid,
    struct userdb_pw *pw)
{
	uint64_t	 n;
	const char	*e;

	if (is_number(user) && parse_uint(user, 0, UINT32_MAX - 1, &n, &e) ==
	    0) {
		*uid = *gid = n;
		if (!db_user(db, user, true, n, pw))
			return false;
	} else if (!db_user(db, user, false, 0, pw))
		spawn_fail(STEP_USER, errno, user);
	else
		*uid = pw->uid;
	*gid = pw->gid;
	return true;
}

/* A new volume with nothing to copy is the user's, as docker makes it; a
 * user namespace maps the ids (we are its root). */
static void
give_volumes(const struct iso_notify *n, uid_t uid, gid_t gid)
{
	size_t	i;

	for (i = 0; n != NULL && i < n->nowned; i++) {
		if (fchownat(n->owned[i], "", uid, gid, AT_EMPTY_PATH) == -1)
			spawn_fail(STEP_VOLUME, errno, "new volume owner");
		close(n->owned[i]);
	}
}

void
iso_init_caps(void)
{
	/* CAP_KILL: the command may run as another user, and the init
	 * forwards signals to it. */
	drop_bounding(1ULL << CAP_KILL);
	set_caps(1ULL << CAP_KILL, false);
}

void
iso_identity(const struct svc_conf *sc, struct strv *env,
    const char *own_home, const char *own_user, const struct iso_notify *n)
{
	const struct iso_conf	*iso = &sc->iso;
	struct acctdb		 db = { .files = iso->rootfs != NULL };
	struct userdb_pw	 pw = { 0 };
	bool			 found = false;
	uid_t			 uid = getuid();
	gid_t			 gid = getgid();
	const char		*home = "/", *user = NULL;
	size_t			 ngids = 0, i;

	if (sc->user != NULL)
		found = resolve_user(&db, sc->user, &uid, &gid, &pw);
	else {
		/* No lookup: the parent knows its own account (with a rootfs,
		 * the service is still root, under supd's HOME and USER). */
		if (own_home != NULL)
			home = own_home;
		user = own_user;
	}
	if (found) {
		home = pw.home;
		user = pw.name;
	}
	if (sc->group != NULL)
		gid = db_gid(&db, sc->group, STEP_GROUP);

	if (iso->caps_set) {
		drop_bounding(iso->caps);
		/* Keep the permitted set across the change of uid. */
		if (uid != 0 && prctl(PR_SET_KEEPCAPS, 1) == -1)
			spawn_fail(STEP_CAPS, errno, "keepcaps");
	}
	for (; sc->groups != NULL && sc->groups[ngids] != NULL; ngids++)
		;
	/* On the stack: a lone child shares supd's memory (spawn.c), and a
	 * lookup that fails below must not leave this behind in it. */
	gid_t	gids[ngids + 1];

	if (sc->groups != NULL) {
		for (i = 0; i < ngids; i++)
			gids[i] = db_gid(&db, sc->groups[i], STEP_GROUPS);
		if (setgroups(ngids, gids) == -1)
			spawn_fail(STEP_GROUPS, errno, "setgroups");
	} else if (sc->user != NULL) {
		/* The user's own groups, as login(1) would give. */
		if (found)
			db_initgroups(&db, pw.name, gid, sc->user);
		else if (setgroups(0, NULL) == -1)
			spawn_fail(STEP_GROUPS, errno, sc->user);
	}
	db_free(&db);
	/* The notify socket is 0600: the service's user must own it. */
	if (n != NULL && n->fd >= 0 && fchownat(n->fd, "", uid, gid,
	    AT_EMPTY_PATH) == -1)
		spawn_fail(STEP_READY, errno, "notify socket owner");
	give_volumes(n, uid, gid);
	if ((sc->group != NULL || sc->user != NULL) && setgid(gid) == -1)
		spawn_fail(STEP_SETGID, errno, sc->group != NULL ? sc->group :
		    sc->user);
	if (sc->user != NULL && setuid(uid) == -1)
		spawn_fail(STEP_SETUID, errno, sc->user);
	if (iso->caps_set)
		set_caps(iso->caps, uid != 0);
	if (iso->no_new_privs && prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) == -1)
		spawn_fail(STEP_NNP, errno, "no_new_privileges");

	set_env_kv(env, "HOME", home);
	if (user != NULL)
		set_env_kv(env, "USER", user);
	if (db.files)
		userdb_pw_free(&pw);	/* NSS's strings are in db.nss */
}
