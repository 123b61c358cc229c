/* SPDX-License-Identifier: ISC */
/*
 * isolate.h: [isolation] and [limits]. supd's side, before the clone
 * (iso_prepare, isolate.c): what the child cannot make or open itself.
 * The child's side, between clone and exec: network, hostname, mounts,
 * root and rlimits (iso_setup, isolate.c), then identity and capabilities
 * (isolate-identity.c). Every failure in the child is reported to supd
 * through spawn_fail() with its step and errno; none returns on failure.
 */
#ifndef SUPD_ISOLATE_H
#define SUPD_ISOLATE_H

#include <sys/types.h>

#include "config.h"

/* The host uid and gid that uid 0 of a user namespace maps to. */
#define ISO_USERNS_BASE		1000000
#define ISO_USERNS_SIZE		65536

/*
 * What supd prepares before the clone: the volumes as detached mounts made
 * in supd's namespace, where every source is reachable (state_dir is 0700,
 * and a user namespace's root is nobody to it), so the child never
 * resolves a source path; the network namespace of network =
 * container:NAME, opened while that service's process is known.
 */
struct iso_prep {
	int	 netns;		/* network = container:NAME, or a bare one
				 * made ahead (netpool.c), else -1 */
	int	 hosts;		/* bridge networks: detached read-only mounts */
	int	 resolv;	/* of /etc/hosts and resolv.conf, else -1 */
	int	*volumes;	/* one detached mount per volume, or NULL */
	size_t	 nvolumes;
	int	 copyup;	/* new named volumes: the copy-up's verdicts
				 * (volume.h), else -1 */
	int	 upper;		/* iso.upper as a detached mount, else -1:
				 * a user namespace's root cannot reach it */
	int	 root;		/* an image in a user namespace: its root, a
				 * detached overlay (iso_userns_root), else -1 */
};

/*
 * In supd: make the named volumes (state_dir/volumes/NAME, owned by the
 * root of a user namespace), clone each volume source as a detached mount
 * (read-only for `:ro`), and open the network namespace of net_pid (the
 * process of network = container:NAME's service; 0 if it has none). -1
 * with *cause naming the failed part ("volume SRC: ...", "network
 * container:NAME: ...") and nothing held. *p is set in any case.
 */
int	iso_prepare(const struct svc_conf *, pid_t net_pid, struct iso_prep *p,
	    char **cause);
/*
 * In supd: path (a file of state_dir) cloned as a detached read-only mount
 * for the child to bind at /etc/hosts or /etc/resolv.conf (*fd; -1 and
 * *cause). Opened without following a symlink.
 */
int	iso_prep_file(const char *path, int *fd, char **cause);
/* Close what iso_prepare opened, once the child has its own copies. */
void	iso_prep_release(struct iso_prep *);

/*
 * A directory of supd's hidden from services: its canonical path and its
 * identity when supd started. The child resolves the path in its own mount
 * namespace (a mount needs a target there), with no symlink, and checks it
 * is still the same directory.
 */
struct iso_hide {
	const char	*path;
	dev_t		 dev;
	ino_t		 ino;
};

/* What the child of a spawn starts from: iso_prepare's, and supd's. */
struct iso_fds {
	int			 netns;	/* network = container:NAME, else -1 */
	int			 hosts;	/* bound at /etc/hosts, else -1 */
	int			 resolv; /* bound at /etc/resolv.conf, else -1 */
	const int		*volumes; /* one detached mount per volume */
	int			 copyup; /* iso_prep's, else -1 */
	int			 upper;	/* iso_prep's, else -1 */
	int			 root;	/* iso_prep's, else -1 */
	const char		*notify; /* ready = notify: supd's socket, or NULL */
	const struct iso_hide	*hide;	/* supd's own directories */
	size_t			 nhide;
};

/* What iso_setup leaves for iso_identity: the notify socket as the
 * service's process reaches it, and the new volumes its user is to own. */
struct iso_notify {
	const char	*path;	/* NOTIFY_SOCKET inside, or NULL for none */
	int		 fd;	/* the socket (O_PATH), to be given to the
				 * service's user; -1 for none */
	int		*owned;	/* new named volumes that got nothing to
				 * copy (their mounts), given to the user:
				 * room for every volume, the caller's */
	size_t		 nowned;
};

/*
 * In the first process of the new namespaces (the init, or the command
 * with init = no): network, hostname, the whole mount tree and the switch
 * into the root, rlimits. The notify socket, if any, is made reachable
 * inside (returned in *n); supd's own directories are hidden.
 */
void	iso_setup(const struct svc_conf *, const struct iso_fds *,
	    struct iso_notify *n);

/* Part of iso_setup (isolate-image.c): the overlay of iso->layers (an
 * image's, or a rootfs's with overlay) and of the upper layer in
 * iso->upper (upper: its detached mount, made by supd), mounted on its
 * root/ in this namespace: that path, valid until the root is entered. */
const char *iso_layers_root(const struct iso_conf *, int upper);

/*
 * An image's root for a service in a user namespace (isolate-userns.c): in
 * supd, the overlay of its layers idmapped to the namespace's range and of
 * its upper layer iso->upper, as a detached mount (*root; -1 and *cause).
 * In the child, that mount attached over the namespace's root; returns the
 * path to enter.
 */
int	iso_userns_root(const struct iso_conf *, int *root, char **cause);
const char *iso_userns_attach(int root);

/* [limits] rlimits (part of iso_setup; alone for supctl exec). A service
 * without a nofile key gets the limit given to iso_services_nofile(), if
 * any: supd's own may be higher. */
void	iso_rlimits(const struct svc_conf *);
struct rlimit;
void	iso_services_nofile(const struct rlimit *);

/*
 * In the service's init, once the command is forked: no capability but
 * CAP_KILL (to signal a command of another user) left in any set, the
 * bounding set included, so none returns at the exec of the reaper. A
 * command that may ptrace its PID 1 gains nothing by it.
 */
void	iso_init_caps(void);

/*
 * In the command's process, after iso_setup: bounding set, user, groups,
 * capabilities (ambient for non-root), no_new_privs; the notify socket
 * and the new empty volumes (iso_setup's n, or NULL) given to the user.
 * Fills HOME and USER of env from the user's account.
 */
void	iso_identity(const struct svc_conf *, struct strv *env,
	    const char *own_home, const char *own_user,
	    const struct iso_notify *n);

#endif
