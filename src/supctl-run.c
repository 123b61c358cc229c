/* SPDX-License-Identifier: ISC */
/*
 * supctl-run.c: `supctl run`, a service from the command line, docker's
 * way. The options become the text of a service file, each option exactly
 * one key (the table is in supctl(1)); supd reads that text with the same
 * loader as a file of conf_dir (src/service-run.c). --print shows the text
 * instead. Detached (-d), supctl prints the name once the service is past
 * starting; in the foreground it prints the service's log from its first
 * line (or, with -t, relays its terminal as attach does), forwards SIGINT,
 * SIGTERM, SIGHUP and SIGQUIT to it, and exits with its exit code.
 *
 * Nothing from the command line may change the shape of the text: a value
 * holding a newline (a new key, a new section) or " ;" (inih's comment) is
 * refused here, and command words are quoted so that split_argv gives them
 * back as they were.
 */
#include <sys/socket.h>
#include <sys/types.h>

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "image-ref.h"
#include "proto.h"
#include "supctl-io.h"
#include "supctl.h"
#include "util.h"
#include "values.h"

#define RUN_LINE_MAX	150	/* a command line longer goes on indented */

/* docker's default capability set: the base of --cap-add / --cap-drop. */
static const char *const docker_caps[] = {
	"CHOWN", "DAC_OVERRIDE", "FSETID", "FOWNER", "MKNOD", "NET_RAW",
	"SETGID", "SETUID", "SETFCAP", "SETPCAP", "NET_BIND_SERVICE",
	"SYS_CHROOT", "KILL", "AUDIT_WRITE", NULL
};

enum {
	O_NAME = 256, O_RM, O_RESTART, O_ENV_FILE, O_TMPFS, O_NETWORK,
	O_HOSTNAME, O_READ_ONLY, O_CAP_ADD, O_CAP_DROP, O_INIT, O_NO_INIT,
	O_ROOTFS, O_IMAGE, O_ENTRYPOINT, O_STOP_SIGNAL, O_STOP_TIMEOUT, O_HEALTH_CMD,
	O_HEALTH_INTERVAL, O_HEALTH_TIMEOUT, O_HEALTH_RETRIES,
	O_HEALTH_START, O_SAVE, O_PRINT, O_DNS, O_IP, O_ALIAS, O_GROUP_ADD,
	O_ULIMIT, O_MEMORY, O_CPUS, O_PIDS, O_SECURITY_OPT, O_JSON
};

/* A run being built: the lines of each section, and supctl's own flags. */
struct run {
	struct strv	 svc, iso, lim, health;
	struct strv	 caps_add, caps_drop;
	bool		 caps;
	const char	*name;
	int		 detach, interactive, tty, rm, save, print;
	bool		 image;		/* --image: COMMAND may be left out */
};

static void	run_usage(const char *, ...) ATTR_PRINTF(1, 2)
		    __attribute__((noreturn));

static void
run_usage(const char *fmt, ...)
{
	va_list	ap;

	fprintf(stderr, "supctl: run: ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\nusage: supctl run [OPTIONS] [--] COMMAND [ARG...]\n"
	    "  (supctl(1) lists the options and the key each one sets)\n");
	exit(SUPCTL_EXIT_USAGE);
}

/* A value written as one line of the file: nothing that ends the line or
 * starts an inline comment. */
static const char *
value_ok(const char *opt, const char *v)
{
	const char	*p;

	if (strpbrk(v, "\n\r") != NULL)
		run_usage("%s: a newline cannot be part of a value", opt);
	for (p = strchr(v, ';'); p != NULL; p = strchr(p + 1, ';'))
		if (p > v && (p[-1] == ' ' || p[-1] == '\t'))
			run_usage("%s: ' ;' cannot be part of a value (it "
			    "starts a comment in a service file)", opt);
	return v;
}

static void
add(struct strv *sec, const char *opt, const char *key, const char *v)
{
	strv_take(sec, xasprintf("%s = %s", key, value_ok(opt, v)));
}

/* A path of the caller's made absolute: supd's directory is not theirs. */
static char *
abs_path(const char *opt, const char *v)
{
	char	cwd[PATH_MAX];

	value_ok(opt, v);
	if (v[0] == '/')
		return xstrdup(v);
	if (getcwd(cwd, sizeof cwd) == NULL)
		run_usage("%s: getcwd: %s", opt, strerror(errno));
	return xasprintf("%s/%s", cwd, v);
}

/* -v SRC:DST[:ro]: a SRC with '/' or starting with '.' is a path (made
 * absolute), else a named volume. */
static void
opt_volume(struct run *r, const char *v)
{
	const char	*colon = strchr(v, ':');
	char		*src, *path;

	value_ok("-v", v);
	if (colon == NULL || colon == v)
		run_usage("-v %s: expected SRC:DST[:ro]", v);
	src = xstrndup(v, colon - v);
	if (src[0] != '/' && (src[0] == '.' || strchr(src, '/') != NULL)) {
		path = abs_path("-v", src);
		strv_take(&r->iso, xasprintf("volume = %s%s", path, colon));
		free(path);
	} else
		add(&r->iso, "-v", "volume", v);
	free(src);
}

/* --tmpfs DST[:OPTIONS]: docker's size=N option becomes supd's DST:N;
 * other options are supd's defaults. */
static void
opt_tmpfs(struct run *r, const char *v)
{
	const char	*colon = strchr(v, ':'), *size;
	size_t		 n;

	value_ok("--tmpfs", v);
	if (colon == NULL) {
		add(&r->iso, "--tmpfs", "tmpfs", v);
		return;
	}
	if ((size = strstr(colon, "size=")) != NULL) {
		size += 5;
		n = strcspn(size, ",");
		strv_take(&r->iso, xasprintf("tmpfs = %.*s:%.*s",
		    (int)(colon - v), v, (int)n, size));
	} else if (strchr(colon + 1, '=') == NULL && strchr(colon + 1, ',') ==
	    NULL && strcmp(colon + 1, "rw") != 0)
		add(&r->iso, "--tmpfs", "tmpfs", v);	/* supd's DST:SIZE */
	else
		strv_take(&r->iso, xasprintf("tmpfs = %.*s", (int)(colon - v),
		    v));
}

/* -e KEY=VALUE, or -e KEY: the caller's value, if it has one. */
static void
opt_env(struct run *r, const char *v)
{
	const char	*val;

	if (strchr(v, '=') != NULL) {
		add(&r->svc, "-e", "env", v);
		return;
	}
	if ((val = getenv(v)) != NULL)
		strv_take(&r->svc, xasprintf("env = %s=%s", value_ok("-e", v),
		    value_ok("-e", val)));
}

/* -u USER[:GROUP]: `user`, and `group` for the GROUP part. */
static void
opt_user(struct run *r, const char *v)
{
	const char	*colon = strchr(value_ok("-u", v), ':');

	if (colon == NULL) {
		add(&r->svc, "-u", "user", v);
		return;
	}
	strv_take(&r->svc, xasprintf("user = %.*s", (int)(colon - v), v));
	add(&r->svc, "-u", "group", colon + 1);
}

/* --ulimit NAME=SOFT[:HARD] -> [limits] NAME = SOFT[:HARD]. */
static void
opt_ulimit(struct run *r, const char *v)
{
	const char	*eq = strchr(value_ok("--ulimit", v), '=');

	if (eq == NULL || eq == v)
		run_usage("--ulimit %s: expected NAME=SOFT[:HARD]", v);
	strv_take(&r->lim, xasprintf("%.*s = %s", (int)(eq - v), v, eq + 1));
}

/* --security-opt: seccomp=PROFILE and no-new-privileges[=true|false]. */
static void
opt_security(struct run *r, const char *v)
{
	value_ok("--security-opt", v);
	if (strncmp(v, "seccomp=", 8) == 0 || strncmp(v, "seccomp:", 8) == 0)
		add(&r->iso, "--security-opt", "seccomp", v + 8);
	else if (strcmp(v, "no-new-privileges") == 0 ||
	    strcmp(v, "no-new-privileges=true") == 0 ||
	    strcmp(v, "no-new-privileges:true") == 0)
		add(&r->iso, "--security-opt", "no_new_privileges", "yes");
	else if (strcmp(v, "no-new-privileges=false") == 0 ||
	    strcmp(v, "no-new-privileges:false") == 0)
		add(&r->iso, "--security-opt", "no_new_privileges", "no");
	else
		run_usage("--security-opt %s: supd knows seccomp=PROFILE and "
		    "no-new-privileges", v);
}

/* --stop-timeout SECONDS (docker's unit), or a duration of supd's. */
static void
opt_stop_timeout(struct run *r, const char *v)
{
	if (strspn(v, "0123456789") == strlen(v) && *v != '\0')
		strv_take(&r->svc, xasprintf("stop_timeout = %ss", v));
	else
		add(&r->svc, "--stop-timeout", "stop_timeout", v);
}

static void
opt_cap(struct strv *list, const char *opt, const char *v)
{
	char	*copy = xstrdup(value_ok(opt, v)), *w, *save = NULL;

	for (w = strtok_r(copy, ",", &save); w != NULL;
	    w = strtok_r(NULL, ",", &save))
		strv_push(list, strncasecmp(w, "CAP_", 4) == 0 ? w + 4 : w);
	free(copy);
}

/* --cap-add / --cap-drop, on top of docker's default set (ALL: every
 * capability, or none). One `capabilities` line. */
static void
caps_line(struct run *r)
{
	struct buf	 b = { 0 };
	size_t		 i;
	bool		 all = false;

	if (!r->caps)
		return;
	for (i = 0; i < r->caps_add.n; i++)
		if (strcasecmp(r->caps_add.v[i], "ALL") == 0)
			all = true;
	if (all && r->caps_drop.n == 0)
		return;		/* every capability: supd's default */
	if (all)
		run_usage("--cap-add ALL with --cap-drop: name the ones kept");
	for (i = 0; docker_caps[i] != NULL; i++)
		if (!strv_has(&r->caps_drop, docker_caps[i]) &&
		    !strv_has(&r->caps_drop, "ALL") && !strv_has(&r->caps_drop,
		    "all"))
			buf_printf(&b, "%s%s", b.len ? " " : "", docker_caps[i]);
	for (i = 0; i < r->caps_add.n; i++)
		if (!strv_has(&r->caps_drop, r->caps_add.v[i]))
			buf_printf(&b, "%s%s", b.len ? " " : "",
			    r->caps_add.v[i]);
	strv_take(&r->iso, xasprintf("capabilities = %s", b.len ? b.p :
	    "none"));
	buf_free(&b);
}

/* A word as split_argv reads it back: single quotes, and a quote or ';'
 * written outside them ('"'"' and '";"'), so no ';' follows a blank. */
static void
quote_word(struct buf *b, const char *w)
{
	buf_puts(b, "'");
	for (; *w != '\0'; w++) {
		if (*w == '\'')
			buf_puts(b, "'\"'\"'");
		else if (*w == ';')
			buf_puts(b, "'\";\"'");
		else
			buf_add(b, w, 1);
	}
	buf_puts(b, "'");
}

/* --image REF: [oci-archive:|docker-archive:|oci:]PATH[:TAG], its PATH
 * made absolute against the caller's directory (supd's is not theirs). */
static void
opt_image(struct run *r, const char *v)
{
	size_t	 pre = imgref_prefix_len(v);
	char	*path;

	value_ok("--image", v);
	if (v[pre] == '\0')
		run_usage("--image: expected [oci-archive:|docker-archive:|"
		    "oci:]PATH[:TAG]");
	path = abs_path("--image", v + pre);
	strv_take(&r->iso, xasprintf("image = %.*s%s", (int)pre, v, path));
	free(path);
	r->image = true;
}

/* --entrypoint CMD: one word, as docker takes it ("" clears the image's). */
static void
opt_entrypoint(struct run *r, const char *v)
{
	struct buf	w = { 0 };

	value_ok("--entrypoint", v);
	if (*v != '\0')
		quote_word(&w, v);
	buf_add(&w, "", 1);
	strv_take(&r->svc, xasprintf("entrypoint =%s%s", *v != '\0' ? " " :
	    "", w.p));
	buf_free(&w);
}

/* command = WORD... on as many lines as it takes (indented lines go on). */
static char *
command_line(char **argv, int argc)
{
	struct buf	 b = { 0 }, w = { 0 };
	size_t		 linelen = 0;
	int		 i;

	buf_puts(&b, "command =");
	linelen = b.len;
	for (i = 0; i < argc; i++) {
		if (strpbrk(argv[i], "\n\r") != NULL)
			run_usage("COMMAND: a newline cannot be part of an "
			    "argument of run (use sh -c and printf)");
		buf_reset(&w);
		quote_word(&w, argv[i]);
		if (linelen + w.len + 1 > RUN_LINE_MAX && i > 0) {
			buf_puts(&b, "\n   ");
			linelen = 3;
		}
		buf_puts(&b, " ");
		buf_add(&b, w.p, w.len);
		linelen += w.len + 1;
	}
	buf_free(&w);
	return b.p;
}

static const struct option run_lopts[] = {
	{ "name",		required_argument,	NULL, O_NAME },
	{ "detach",		no_argument,		NULL, 'd' },
	{ "interactive",	no_argument,		NULL, 'i' },
	{ "tty",		no_argument,		NULL, 't' },
	{ "rm",			no_argument,		NULL, O_RM },
	{ "restart",		required_argument,	NULL, O_RESTART },
	{ "env",		required_argument,	NULL, 'e' },
	{ "env-file",		required_argument,	NULL, O_ENV_FILE },
	{ "user",		required_argument,	NULL, 'u' },
	{ "workdir",		required_argument,	NULL, 'w' },
	{ "volume",		required_argument,	NULL, 'v' },
	{ "tmpfs",		required_argument,	NULL, O_TMPFS },
	{ "publish",		required_argument,	NULL, 'p' },
	{ "network",		required_argument,	NULL, O_NETWORK },
	{ "net",		required_argument,	NULL, O_NETWORK },
	{ "hostname",		required_argument,	NULL, O_HOSTNAME },
	{ "read-only",		no_argument,		NULL, O_READ_ONLY },
	{ "cap-add",		required_argument,	NULL, O_CAP_ADD },
	{ "cap-drop",		required_argument,	NULL, O_CAP_DROP },
	{ "init",		no_argument,		NULL, O_INIT },
	{ "no-init",		no_argument,		NULL, O_NO_INIT },
	{ "rootfs",		required_argument,	NULL, O_ROOTFS },
	{ "image",		required_argument,	NULL, O_IMAGE },
	{ "entrypoint",		required_argument,	NULL, O_ENTRYPOINT },
	{ "stop-signal",	required_argument,	NULL, O_STOP_SIGNAL },
	{ "stop-timeout",	required_argument,	NULL, O_STOP_TIMEOUT },
	{ "health-cmd",		required_argument,	NULL, O_HEALTH_CMD },
	{ "health-interval",	required_argument,	NULL, O_HEALTH_INTERVAL },
	{ "health-timeout",	required_argument,	NULL, O_HEALTH_TIMEOUT },
	{ "health-retries",	required_argument,	NULL, O_HEALTH_RETRIES },
	{ "health-start-period", required_argument,	NULL, O_HEALTH_START },
	{ "dns",		required_argument,	NULL, O_DNS },
	{ "ip",			required_argument,	NULL, O_IP },
	{ "network-alias",	required_argument,	NULL, O_ALIAS },
	{ "group-add",		required_argument,	NULL, O_GROUP_ADD },
	{ "ulimit",		required_argument,	NULL, O_ULIMIT },
	{ "memory",		required_argument,	NULL, O_MEMORY },
	{ "cpus",		required_argument,	NULL, O_CPUS },
	{ "pids-limit",		required_argument,	NULL, O_PIDS },
	{ "security-opt",	required_argument,	NULL, O_SECURITY_OPT },
	{ "save",		no_argument,		NULL, O_SAVE },
	{ "print",		no_argument,		NULL, O_PRINT },
	{ "json",		no_argument,		NULL, O_JSON },
	{ "help",		no_argument,		NULL, 'h' },
	{ NULL,			0,			NULL, 0 }
};

/* The options whose whole job is one key of one section. */
static bool
opt_key(struct run *r, int ch, const char *v)
{
	static const struct {
		int		 ch;
		const char	*opt, *key;
		int		 sec;	/* 0 service, 1 isolation, 2 health,
					   3 limits */
	} map[] = {
		{ O_RESTART, "--restart", "restart", 0 },
		{ 'w', "-w", "workdir", 0 },
		{ O_STOP_SIGNAL, "--stop-signal", "stop_signal", 0 },
		{ O_GROUP_ADD, "--group-add", "groups", 0 },
		{ 'p', "-p", "publish", 1 },
		{ O_NETWORK, "--network", "network", 1 },
		{ O_HOSTNAME, "--hostname", "hostname", 1 },
		{ O_DNS, "--dns", "dns", 1 },
		{ O_IP, "--ip", "ip", 1 },
		{ O_ALIAS, "--network-alias", "aliases", 1 },
		{ O_HEALTH_CMD, "--health-cmd", "cmd", 2 },
		{ O_HEALTH_INTERVAL, "--health-interval", "interval", 2 },
		{ O_HEALTH_TIMEOUT, "--health-timeout", "timeout", 2 },
		{ O_HEALTH_RETRIES, "--health-retries", "retries", 2 },
		{ O_HEALTH_START, "--health-start-period", "start_period", 2 },
		{ O_MEMORY, "--memory", "memory", 3 },
		{ O_CPUS, "--cpus", "cpus", 3 },
		{ O_PIDS, "--pids-limit", "pids", 3 },
	};
	struct strv	*secs[] = { &r->svc, &r->iso, &r->health, &r->lim };
	size_t		 i;

	for (i = 0; i < sizeof map / sizeof *map; i++)
		if (map[i].ch == ch) {
			add(secs[map[i].sec], map[i].opt, map[i].key, v);
			return true;
		}
	return false;
}

/* The options that are supctl's own, not a key. */
static bool
opt_flag(struct run *r, int ch)
{
	int	*flag;

	switch (ch) {
	case O_NAME:
		r->name = value_ok("--name", optarg);
		return true;
	case O_JSON:
		sio_set_json(1);
		return true;
	}
	flag = ch == 'd' ? &r->detach : ch == 'i' ? &r->interactive :
	    ch == 't' ? &r->tty : ch == O_RM ? &r->rm : ch == O_SAVE ?
	    &r->save : ch == O_PRINT ? &r->print : NULL;
	if (flag == NULL)
		return false;
	*flag = 1;
	return true;
}

/* --env-file and --rootfs: a path made absolute (supd's directory is not
 * the caller's). */
static void
opt_path(struct run *r, int ch, const char *v)
{
	const char	*opt = ch == O_ROOTFS ? "--rootfs" : "--env-file";
	char		*path = abs_path(opt, v);

	strv_take(ch == O_ROOTFS ? &r->iso : &r->svc, xasprintf("%s = %s",
	    ch == O_ROOTFS ? "rootfs" : "env_file", path));
	free(path);
}

/* Parse the options (argv[0] is "run"); optind is left at COMMAND. */
static void
run_parse(struct run *r, int argc, char **argv)
{
	int	 ch;

	optind = 0;
	opterr = 0;
	while ((ch = getopt_long(argc, argv, "+:dite:u:w:v:p:h", run_lopts,
	    NULL)) != -1) {
		if (opt_key(r, ch, optarg))
			continue;
		if (opt_flag(r, ch))
			continue;
		switch (ch) {
		case O_IMAGE:
			opt_image(r, optarg);
			break;
		case O_ENTRYPOINT:
			opt_entrypoint(r, optarg);
			break;
		case 'e':
			opt_env(r, optarg);
			break;
		case O_ENV_FILE:
		case O_ROOTFS:
			opt_path(r, ch, optarg);
			break;
		case 'u':
			opt_user(r, optarg);
			break;
		case 'v':
			opt_volume(r, optarg);
			break;
		case O_TMPFS:
			opt_tmpfs(r, optarg);
			break;
		case O_READ_ONLY:
			strv_push(&r->iso, "read_only = yes");
			break;
		case O_INIT:
		case O_NO_INIT:
			strv_push(&r->iso, ch == O_INIT ? "init = yes" :
			    "init = no");
			break;
		case O_CAP_ADD:
		case O_CAP_DROP:
			opt_cap(ch == O_CAP_ADD ? &r->caps_add : &r->caps_drop,
			    ch == O_CAP_ADD ? "--cap-add" : "--cap-drop",
			    optarg);
			r->caps = true;
			break;
		case O_STOP_TIMEOUT:
			opt_stop_timeout(r, optarg);
			break;
		case O_ULIMIT:
			opt_ulimit(r, optarg);
			break;
		case O_SECURITY_OPT:
			opt_security(r, optarg);
			break;
		case 'h':
			printf("usage: supctl run [OPTIONS] [--] COMMAND "
			    "[ARG...]\n  run a service from the command line "
			    "(supctl(1) lists the options)\n");
			exit(SUPCTL_EXIT_OK);
		case ':':
			run_usage("option %s needs an argument", ch > 0 &&
			    optopt < 256 && optopt > 0 ? (char[]){ '-',
			    (char)optopt, '\0' } : argv[optind - 1]);
		default:
			run_usage("unknown option %s", optopt > 0 &&
			    optopt < 256 ? (char[]){ '-', (char)optopt,
			    '\0' } : argv[optind - 1]);
		}
	}
	if (optind >= argc && !r->image)
		run_usage("missing command");
	if (r->rm && r->save)
		run_usage("--rm and --save conflict (a saved service stays)");
}

/* The service file: [service] first, then the sections used. */
static char *
run_text(struct run *r, int argc, char **argv)
{
	struct strv	*secs[] = { &r->svc, &r->iso, &r->lim, &r->health };
	static const char *const names[] = { "service", "isolation", "limits",
	    "health" };
	struct buf	 b = { 0 };
	char		*cmd;
	size_t		 i, j;
	bool		 restart = false;

	caps_line(r);
	for (i = 0; i < r->svc.n; i++)
		if (strncmp(r->svc.v[i], "restart =", 9) == 0)
			restart = true;
	if (restart && r->rm)
		run_usage("--rm and --restart conflict (docker's rule)");
	if (r->tty)
		strv_push(&r->svc, "tty = yes");
	/* With an image and no COMMAND: the image's Cmd. */
	cmd = argc > 0 ? command_line(argv, argc) : NULL;
	buf_printf(&b, "# supctl run\n[service]\n%s%s%s", cmd != NULL ? cmd :
	    "", cmd != NULL ? "\n" : "", restart ? "" : "restart = no\n");
	free(cmd);
	for (i = 0; i < 4; i++) {
		if (secs[i]->n == 0)
			continue;
		if (i > 0)
			buf_printf(&b, "\n[%s]\n", names[i]);
		for (j = 0; j < secs[i]->n; j++)
			buf_printf(&b, "%s\n", secs[i]->v[j]);
	}
	return b.p;
}

/* ---- the foreground --------------------------------------------------- */

static int		 sig_pipe[2] = { -1, -1 };

static void
forward_cb(int sig)
{
	unsigned char	c = sig;
	int		saved = errno;

	(void)write(sig_pipe[1], &c, 1);
	errno = saved;
}

/* Ctrl-C and friends: `supctl signal NAME SIG` on a connection of its own. */
static void
forward(const char *sock, const char *name, int sig)
{
	struct buf	 msg = { 0 };
	struct proto_hdr h;
	char		*v[2], num[16], *payload;
	int		 fd;

	snprintf(num, sizeof num, "%d", sig);
	v[0] = (char *)name;
	v[1] = num;
	proto_put_strv(&msg, PROTO_SIGNAL, v, 2);
	fd = sio_connect(sock);
	sio_send_or_fail(fd, msg.p, msg.len);
	sio_frame_read(fd, &h, &payload);	/* END: not running is fine */
	free(payload);
	close(fd);
	buf_free(&msg);
}

/* One message of the reply; 1 at END. */
static int
run_message(int fd, char **name, int *code, struct sio_end *end)
{
	struct proto_hdr	 h;
	const char		*e;
	char			*payload, **v;
	size_t			 n;

	sio_frame_read(fd, &h, &payload);
	if (h.type == PROTO_DATA) {
		if (fwrite(payload, 1, h.len, stdout) != h.len ||
		    fflush(stdout) == EOF)
			sio_fail(SUPCTL_EXIT_FAILED, "stdout: %s",
			    strerror(errno));
	} else if (h.type == PROTO_END) {
		sio_end_decode(payload, h.len, end);
		free(payload);
		return 1;
	} else if (h.type == PROTO_ROW || h.type == PROTO_EXIT) {
		if (proto_strv_unpack(payload, h.len, &v, &n, &e) == -1 ||
		    n != 1)
			sio_fail(SUPCTL_EXIT_UNREACH, "protocol error: bad %s",
			    h.type == PROTO_ROW ? "row" : "exit");
		if (h.type == PROTO_ROW)
			*name = xstrdup(v[0]);
		else
			*code = atoi(v[0]) & 0xff;
		free(v);
	} else
		sio_fail(SUPCTL_EXIT_UNREACH, "protocol error: unexpected "
		    "message type %u", (unsigned)h.type);
	free(payload);
	return 0;
}

/* run -i: our stdin into the pipe the service reads, as it comes. */
static void
pump_stdin(int *in_w)
{
	char	buf[4096];
	ssize_t	n;

	n = read(0, buf, sizeof buf);
	if (n > 0 && write(*in_w, buf, n) == n)
		return;
	close(*in_w);		/* EOF (or the service left): it reads EOF */
	*in_w = -1;
}

/* Messages until END, signals forwarded meanwhile; the exit code. */
static int
run_follow(int fd, const char *sock, int in_w, int detach)
{
	struct sio_end	 end = { 0 };
	struct pollfd	 pfd[3];
	unsigned char	 sig;
	char		*name = NULL;
	int		 code = -1, pending = 0;
	size_t		 i;

	for (;;) {
		pfd[0] = (struct pollfd){ fd, POLLIN, 0 };
		pfd[1] = (struct pollfd){ sig_pipe[0], POLLIN, 0 };
		pfd[2] = (struct pollfd){ in_w != -1 ? 0 : -1, POLLIN, 0 };
		if (poll(pfd, 3, -1) == -1) {
			if (errno == EINTR)
				continue;
			sio_fail(SUPCTL_EXIT_FAILED, "poll: %s",
			    strerror(errno));
		}
		if (pfd[1].revents & POLLIN &&
		    read(sig_pipe[0], &sig, 1) == 1)
			pending = sig;
		if (pending != 0 && name != NULL) {
			forward(sock, name, pending);
			pending = 0;
		}
		if (pfd[2].revents & (POLLIN | POLLHUP))
			pump_stdin(&in_w);
		if (pfd[0].revents & (POLLIN | POLLHUP) &&
		    run_message(fd, &name, &code, &end))
			break;
	}
	/* supd's refusal, or why the run could not start. */
	for (i = 0; i < end.msgs.n; i++)
		fprintf(stderr, "supctl: %s\n", end.msgs.v[i]);
	if (end.ok && detach && name != NULL)
		printf("%s\n", name);
	free(name);
	strv_free(&end.msgs);
	if (!end.ok)
		return SUPCTL_EXIT_FAILED;
	return detach ? SUPCTL_EXIT_OK : code >= 0 ? code : SUPCTL_EXIT_OK;
}

/* Send the request (with -i, the read end of our stdin pipe) and follow. */
static int
run_send(const struct run *r, const char *sock, const char *text)
{
	struct buf	 msg = { 0 };
	char		*v[3], flags[8], *f = flags;
	int		 fd, p[2] = { -1, -1 }, code;

	if (r->save)
		*f++ = 's';
	if (r->rm)
		*f++ = 'r';
	if (!r->detach)
		*f++ = 'f';
	if (!r->detach && r->tty)
		*f++ = 't';
	if (r->interactive && !r->tty && !r->detach)
		*f++ = 'i';
	*f = '\0';
	v[0] = flags;
	v[1] = (char *)(r->name != NULL ? r->name : "");
	v[2] = (char *)text;
	if (proto_put_strv(&msg, PROTO_RUN, v, 3) == -1)
		run_usage("the service file is too large");
	fd = sio_connect(sock);
	if (!r->detach && r->tty) {
		code = term_attach(fd, msg.p, msg.len);
		buf_free(&msg);
		return code;
	}
	if (strchr(flags, 'i') != NULL) {
		if (pipe2(p, O_CLOEXEC) == -1)
			sio_fail(SUPCTL_EXIT_FAILED, "pipe: %s",
			    strerror(errno));
		term_send_fds(fd, msg.p, msg.len, &p[0], 1);
		close(p[0]);
	} else
		(void)sio_send(fd, msg.p, msg.len);
	buf_free(&msg);
	if (pipe2(sig_pipe, O_CLOEXEC | O_NONBLOCK) == -1)
		sio_fail(SUPCTL_EXIT_FAILED, "pipe: %s", strerror(errno));
	if (!r->detach) {
		signal(SIGINT, forward_cb);
		signal(SIGTERM, forward_cb);
		signal(SIGHUP, forward_cb);
		signal(SIGQUIT, forward_cb);
	}
	signal(SIGPIPE, SIG_IGN);
	return run_follow(fd, sock, p[1], r->detach);
}

int
run_main(int argc, char **argv, const char *sock)
{
	struct run	 r = { 0 };
	char		*text;
	int		 code = SUPCTL_EXIT_OK;

	run_parse(&r, argc, argv);
	text = run_text(&r, argc - optind, argv + optind);
	if (r.print)
		fputs(text, stdout);
	else
		code = run_send(&r, sock, text);
	free(text);
	strv_free(&r.svc);
	strv_free(&r.iso);
	strv_free(&r.lim);
	strv_free(&r.health);
	strv_free(&r.caps_add);
	strv_free(&r.caps_drop);
	return code;
}
