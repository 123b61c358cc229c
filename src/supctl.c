/* SPDX-License-Identifier: ISC */
/*
 * supctl.c: the command line client of supd. It owns the command table and
 * argument parsing, one request/reply exchange over the control socket (the
 * connection, the messages and END through supctl-io.c, built and decoded
 * only through proto.[ch]), which part of the reply is shown (the tables
 * and their --json forms are supctl-show.c's; log and inspect data, and
 * `network inspect`'s, go out as supd sent them), and the exit codes of
 * docs/design.md ("supctl commands"). I/O is blocking: this is a CLI, not
 * the daemon.
 */
#include <sys/types.h>

#include <err.h>
#include <getopt.h>
#include <inttypes.h>
#include <limits.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "config.h"
#include "image-ref.h"
#include "proto.h"
#include "supctl-io.h"
#include "supctl-show.h"
#include "supctl.h"
#include "util.h"
#include "values.h"

#ifndef SUPD_VERSION
#define SUPD_VERSION	"0.1.0"
#endif

#define EXIT_OK		SUPCTL_EXIT_OK
#define EXIT_FAILED	SUPCTL_EXIT_FAILED
#define EXIT_USAGE	SUPCTL_EXIT_USAGE
#define EXIT_UNREACH	SUPCTL_EXIT_UNREACH

#define LOGS_DEFAULT	50	/* lines of `logs` without -n */
#define LOGS_MAX	PROTO_LOGS_MAX_LINES

/* Command flags: options a command takes after its name, besides --json. */
#define CMD_WAIT	0x1	/* --no-wait; the request starts with WAIT */
#define CMD_LOGS	0x2	/* -f, -n N */
#define CMD_DATA	0x4	/* stdout is the command's data (table, log, JSON) */
#define CMD_EXEC	0x8	/* -t; operands after NAME are the command's */
#define CMD_ATTACH	0x10	/* a terminal session */
#define CMD_MODE	0x20	/* the command's name is the request's word */
#define CMD_STATS	0x40	/* --no-stream; samples (supctl-stats.c) */
#define CMD_FORCE	0x80	/* -f; the request starts with FORCE */
#define CMD_PS		0x100	/* -a; docker's columns */
#define CMD_JSONARG	0x400	/* the request starts with --json ("0"|"1") */

/* Long options without a short form. */
enum { OPT_JSON = 256, OPT_VERSION, OPT_NOWAIT, OPT_NOSTREAM, OPT_SINCE = 300,
    OPT_UNTIL };

struct cmd {
	const char	*name;
	const char	*alias;		/* another name, or NULL */
	int		 min_args;	/* operands after the options */
	int		 max_args;	/* -1: no limit */
	enum proto_type	 type;		/* the request sent */
	int		 flags;		/* CMD_* */
	const char	*usage;		/* operands, for usage lines */
	const char	*help;		/* one line for --help */
};

static const struct cmd cmds[] = {
	{ "status", NULL, 0, -1, PROTO_STATUS, CMD_DATA, "[NAME...]",
	  "show the state of services" },
	{ "ps", NULL, 0, 0, PROTO_STATUS, CMD_DATA|CMD_PS, "[-a]",
	  "running services as docker ps shows them (-a: all)" },
	{ "run", NULL, 1, -1, PROTO_RUN, 0, "[OPTIONS] COMMAND [ARG...]",
	  "run a service from the command line (docker run)" },
	{ "rm", NULL, 1, -1, PROTO_RM, CMD_FORCE, "[-f] NAME...",
	  "remove transient services (-f: stop them first)" },
	{ "start", NULL, 1, -1, PROTO_START, CMD_WAIT, "[--no-wait] NAME...",
	  "start services, wait until running" },
	{ "stop", NULL, 1, -1, PROTO_STOP, CMD_WAIT, "[--no-wait] NAME...",
	  "stop services, wait until stopped" },
	{ "restart", NULL, 1, -1, PROTO_RESTART, CMD_WAIT,
	  "[--no-wait] NAME...", "stop then start services" },
	{ "signal", NULL, 2, 2, PROTO_SIGNAL, 0, "NAME SIG",
	  "send a signal to a service's main process" },
	{ "pause", NULL, 1, 1, PROTO_PAUSE, 0, "NAME",
	  "freeze every process of a running service (its cgroup)" },
	{ "unpause", NULL, 1, 1, PROTO_UNPAUSE, 0, "NAME",
	  "let a paused service go on" },
	{ "logs", NULL, 1, 1, PROTO_LOGS, CMD_LOGS|CMD_DATA,
	  "[-f] [-n N] [-t] [--since T] [--until T] NAME",
	  "print a service's log (-n lines, -f follow, times from T)" },
	{ "inspect", NULL, 1, 1, PROTO_INSPECT, CMD_DATA, "NAME",
	  "print a service's config and state as JSON" },
	{ "exec", NULL, 2, -1, PROTO_EXEC, CMD_EXEC, "[-t] NAME CMD [ARG...]",
	  "run a command inside a running service" },
	{ "attach", NULL, 1, 1, PROTO_ATTACH, CMD_ATTACH, "NAME",
	  "connect to a tty service (detach: Ctrl-P Ctrl-Q)" },
	{ "stats", NULL, 0, -1, PROTO_STATS, CMD_STATS|CMD_DATA,
	  "[--no-stream] [NAME...]",
	  "show what services use: CPU, memory, pids, I/O (cgroup v2)" },
	{ "reload", NULL, 0, 0, PROTO_RELOAD, 0, "",
	  "re-read service files, apply what changed" },
	{ "poweroff", NULL, 0, 0, PROTO_SHUTDOWN, CMD_MODE, "",
	  "supd as a machine's PID 1: stop everything, power off" },
	{ "reboot", NULL, 0, 0, PROTO_SHUTDOWN, CMD_MODE, "",
	  "supd as a machine's PID 1: stop everything, reboot" },
	{ "halt", NULL, 0, 0, PROTO_SHUTDOWN, CMD_MODE, "",
	  "supd as a machine's PID 1: stop everything, halt" },
	{ "shutdown", NULL, 0, 0, PROTO_SHUTDOWN, 0, "",
	  "stop every service and exit supd" },
	{ "network ls", "network list", 0, 0, PROTO_NET_LS, CMD_DATA, "",
	  "list the networks (alias: network list)" },
	{ "network inspect", NULL, 1, -1, PROTO_NET_INSPECT, CMD_DATA,
	  "NAME...", "print networks and their members as JSON" },
	{ "volume ls", "volume list", 0, 0, PROTO_VOL_LS,
	  CMD_DATA|CMD_JSONARG, "", "list the named volumes and who uses them" },
	{ "volume inspect", NULL, 1, -1, PROTO_VOL_INSPECT, CMD_DATA,
	  "NAME...", "print named volumes as JSON" },
	{ "volume rm", NULL, 1, -1, PROTO_VOL_RM, 0, "NAME...",
	  "remove named volumes no service uses" },
	{ "volume prune", NULL, 0, 0, PROTO_VOL_PRUNE, CMD_DATA|CMD_JSONARG, "",
	  "remove every named volume no service uses" },
	{ "image ls", "image list", 0, 0, PROTO_IMG_LS,
	  CMD_DATA|CMD_JSONARG, "", "list the stored images and who uses them" },
	{ "image inspect", NULL, 1, 1, PROTO_IMG_INSPECT, CMD_DATA,
	  "REF|ID", "print a stored image as JSON" },
	{ "image rm", NULL, 1, -1, PROTO_IMG_RM, CMD_DATA, "REF|ID...",
	  "remove stored images no service uses" },
	{ "image prune", NULL, 0, 0, PROTO_IMG_PRUNE, CMD_DATA|CMD_JSONARG, "",
	  "remove every stored image no service uses, and unused layers" },
	{ "events", NULL, 0, -1, PROTO_EVENTS, CMD_DATA,
	  "[--json] [--since T] [NAME...]",
	  "stream state changes as they happen (docker events)" },
	{ "health", NULL, 0, -1, PROTO_HEALTH, CMD_MODE, "[NAME...]",
	  "exit 0 if the services run and no check says unhealthy" },
	{ "ready", NULL, 0, -1, PROTO_HEALTH, CMD_MODE, "[NAME...]",
	  "exit 0 if the services are ready (running, not unhealthy)" },
	{ "metrics", NULL, 0, 0, PROTO_METRICS, CMD_DATA, "",
	  "print supd's and the services' metrics (Prometheus text format)" },
};
#define NCMDS	(sizeof cmds / sizeof cmds[0])


static int		json;	/* --json */
static int		exec_tty;	/* exec -t */
static int		no_stream;	/* stats --no-stream */
static int		ps_all;		/* ps -a */
static struct reply	reply;	/* static: its payloads live until exit */

static void	usage(FILE *);
static void	cmd_usage(const struct cmd *, const char *, ...)
		    ATTR_PRINTF(2, 3) __attribute__((noreturn));
static void	usage_error(const char *, ...)
		    ATTR_PRINTF(1, 2) __attribute__((noreturn));

static void
usage(FILE *f)
{
	size_t	i, w, width = 0;

	for (i = 0; i < NCMDS; i++) {
		w = strlen(cmds[i].name) + 1 + strlen(cmds[i].usage);
		if (w > width)
			width = w;
	}
	fprintf(f, "usage: supctl [-s SOCK] [--json] COMMAND [ARGS]\n"
	    "       supctl -h | --help | --version\n\nCommands:\n");
	for (i = 0; i < NCMDS; i++) {
		w = strlen(cmds[i].name) + 1 + strlen(cmds[i].usage);
		fprintf(f, "  %s %s%*s  %s\n", cmds[i].name, cmds[i].usage,
		    (int)(width - w), "", cmds[i].help);
	}
	fprintf(f, "NAME \"all\" means every service.\n\nOptions:\n"
	    "  -s SOCK     control socket (default: $SUPD_SOCKET, else %s)\n"
	    "  --json      JSON output for scripts (also after COMMAND)\n"
	    "  -h, --help  show this help\n"
	    "  --version   print the version\n\n"
	    "Exit status: 0 success, 1 supd reported a failure, 2 usage error,\n"
	    "3 cannot reach supd.\n", SUPD_SOCKET_DEFAULT);
}

/* A usage error before the command: one line, then the whole usage. */
static void
usage_error(const char *fmt, ...)
{
	va_list	ap;

	fprintf(stderr, "supctl: ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\n");
	usage(stderr);
	exit(EXIT_USAGE);
}

/* A usage error in a command's arguments: one line, then its synopsis. */
static void
cmd_usage(const struct cmd *cmd, const char *fmt, ...)
{
	va_list	ap;

	fprintf(stderr, "supctl: %s: ", cmd->name);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\nusage: supctl %s %s\n", cmd->name, cmd->usage);
	exit(EXIT_USAGE);
}

/* `logs -f` runs until interrupted; that is its normal end. */
static void
interrupted_cb(int sig)
{
	(void)sig;
	_exit(EXIT_OK);
}

static const struct cmd *
cmd_find(const char *name)
{
	size_t	i;

	for (i = 0; i < NCMDS; i++) {
		if (strcmp(cmds[i].name, name) == 0 ||
		    (cmds[i].alias != NULL && strcmp(cmds[i].alias, name) == 0))
			return &cmds[i];
	}
	return NULL;
}

/* The option getopt complained about, as the user typed it. */
static const char *
opt_name(char **argv, int ch)
{
	static char	s[3];

	if (ch > 0 && ch < 256) {
		s[0] = '-';
		s[1] = ch;
		s[2] = '\0';
		return s;
	}
	return argv[optind - 1];
}

/* The options of logs: -n, -f, and --since, --until, -t (what the request
 * carries after FOLLOW). */
struct log_window {
	uint64_t nlines;
	int	 follow;
	int64_t	 since, until;	/* ms since the epoch, 0 = no bound */
	int	 stamps;	/* -t */
	int	 lines_given;	/* -n */
};

static void
logs_time(const struct cmd *cmd, int64_t *ms, const char *arg)
{
	struct timespec	 now;
	const char	*errstr;

	clock_gettime(CLOCK_REALTIME, &now);
	if (parse_log_time(arg, (int64_t)now.tv_sec * 1000 + now.tv_nsec /
	    1000000, ms, &errstr) == -1)
		cmd_usage(cmd, "%s: %s", arg, errstr);
	if (*ms <= 0)
		cmd_usage(cmd, "%s: before 1970", arg);
}

/* One of logs' options (ch from getopt); false if ch is none of them. */
static bool
logs_opt(const struct cmd *cmd, int ch, struct log_window *lw)
{
	const char	*errstr;

	switch (ch) {
	case 'f':
		lw->follow = 1;
		break;
	case 'n':
		if (parse_uint(optarg, 0, LOGS_MAX, &lw->nlines,
		    &errstr) == -1)
			cmd_usage(cmd, "-n %s: %s", optarg, errstr);
		lw->lines_given = 1;
		break;
	case 't':
		lw->stamps = 1;
		break;
	case OPT_SINCE:
	case OPT_UNTIL:
		logs_time(cmd, ch == OPT_SINCE ? &lw->since : &lw->until,
		    optarg);
		break;
	default:
		return false;
	}
	return true;
}

/* LINES, FOLLOW[, SINCE, UNTIL, TIMESTAMPS] of a logs request. */
static void
logs_push(const struct cmd *cmd, struct strv *req, struct log_window *lw)
{
	char	num[24];
	bool	window = lw->since != 0 || lw->until != 0;

	/* A window of time reaches back as far as there are lines. */
	if (window && !lw->lines_given)
		lw->nlines = LOGS_MAX;
	if (lw->follow && lw->until != 0)
		cmd_usage(cmd, "--until ends the output: not with -f");
	snprintf(num, sizeof num, "%" PRIu64, lw->nlines);
	strv_push(req, num);
	strv_push(req, lw->follow ? "1" : "0");
	if (window || lw->stamps) {
		snprintf(num, sizeof num, "%" PRId64, lw->since);
		strv_push(req, lw->since != 0 ? num : "");
		snprintf(num, sizeof num, "%" PRId64, lw->until);
		strv_push(req, lw->until != 0 ? num : "");
		strv_push(req, lw->stamps ? "1" : "0");
	}
	if (lw->follow)
		signal(SIGINT, interrupted_cb);
}

/* The request strv of cmd: its flags' words around the operands. */
/* image inspect / rm: a REF's relative path made absolute, as run --image
 * makes it (supd's directory is not the caller's). A REF has a '/' or a
 * tag's ':'; an id (sha256:HEX, hex digits) and a bare word are left as
 * they are. */
static char *
img_arg(const char *v)
{
	char	cwd[PATH_MAX];
	size_t	pre = imgref_prefix_len(v);

	if (strncmp(v, "sha256:", 7) == 0 || strpbrk(v, "/:") == NULL ||
	    v[pre] == '/' || getcwd(cwd, sizeof cwd) == NULL)
		return xstrdup(v);
	return xasprintf("%.*s%s/%s", (int)pre, v, cwd, v + pre);
}

static void
req_fill(const struct cmd *cmd, char **ops, int nops, int wait, int force,
    struct log_window *lw, struct strv *req)
{
	int	i;

	if (cmd->flags & CMD_WAIT)
		strv_push(req, wait ? "1" : "0");
	if (cmd->flags & CMD_EXEC)
		strv_push(req, exec_tty ? "1" : "0");
	if (cmd->flags & CMD_MODE)
		strv_push(req, cmd->name);
	if (cmd->flags & CMD_FORCE)
		strv_push(req, force ? "1" : "0");
	if (cmd->flags & CMD_JSONARG)
		strv_push(req, json ? "1" : "0");
	for (i = 0; i < nops; i++)
		strv_take(req, cmd->type == PROTO_IMG_INSPECT || cmd->type ==
		    PROTO_IMG_RM ? img_arg(ops[i]) : xstrdup(ops[i]));
	if (cmd->flags & CMD_LOGS)
		logs_push(cmd, req, lw);
}

/*
 * Parse the command's own options (argv[0] is the command name) and build
 * its request strv. Options may follow operands: `supctl status web --json`.
 */
static void
cmd_parse(const struct cmd *cmd, int argc, char **argv, struct strv *req)
{
	static const struct option lopts[] = {
		{ "json",	no_argument,		NULL, OPT_JSON },
		{ "no-wait",	no_argument,		NULL, OPT_NOWAIT },
		{ "no-stream",	no_argument,		NULL, OPT_NOSTREAM },
		{ "follow",	no_argument,		NULL, 'f' },
		{ "lines",	required_argument,	NULL, 'n' },
		{ "timestamps",	no_argument,		NULL, 't' },
		{ "since",	required_argument,	NULL, OPT_SINCE },
		{ "until",	required_argument,	NULL, OPT_UNTIL },
		{ "help",	no_argument,		NULL, 'h' },
		{ NULL,		0,			NULL, 0 }
	};
	struct log_window lw = { .nlines = LOGS_DEFAULT };
	int		 ch, nargs, wait = 1, force = 0;

	optind = 0;	/* glibc: full re-initialisation */
	opterr = 0;
	/* exec: options end at NAME; what follows is the command's. */
	while ((ch = getopt_long(argc, argv, cmd->flags & CMD_EXEC ? "+:th" :
	    ":afhn:t", lopts, NULL)) != -1) {
		if ((cmd->flags & CMD_LOGS) && logs_opt(cmd, ch, &lw))
			continue;
		switch (ch) {
		case 't':
			if (!(cmd->flags & CMD_EXEC))
				goto bad;
			exec_tty = 1;
			break;
		case OPT_JSON:
			json = 1;
			break;
		case OPT_NOWAIT:
			if (!(cmd->flags & CMD_WAIT))
				goto bad;
			wait = 0;
			break;
		case OPT_NOSTREAM:
			if (!(cmd->flags & CMD_STATS))
				goto bad;
			no_stream = 1;
			break;
		case 'f':	/* rm -f (logs -f: logs_opt) */
		case 'a':	/* ps -a */
			if (!(cmd->flags & (ch == 'a' ? CMD_PS : CMD_FORCE)))
				goto bad;
			*(ch == 'a' ? &ps_all : &force) = 1;
			break;
		case 'h':
			printf("usage: supctl %s %s\n  %s\n", cmd->name,
			    cmd->usage, cmd->help);
			exit(EXIT_OK);
		case ':':
			cmd_usage(cmd, "option %s needs an argument",
			    opt_name(argv, optopt));
		default:
			if (ch == '?')
				ch = optopt;
		bad:
			cmd_usage(cmd, "unknown option %s", opt_name(argv, ch));
		}
	}
	nargs = argc - optind;
	if (nargs < cmd->min_args)
		cmd_usage(cmd, "missing %s", nargs == 0 && cmd->min_args == 1 ?
		    (cmd->type == PROTO_NET_INSPECT ? "network name" :
		    cmd->type == PROTO_VOL_INSPECT || cmd->type ==
		    PROTO_VOL_RM ? "volume name" : cmd->type ==
		    PROTO_IMG_INSPECT || cmd->type == PROTO_IMG_RM ? "image" :
		    "service name") :
		    "arguments");
	if (cmd->max_args != -1 && nargs > cmd->max_args)
		cmd_usage(cmd, "too many arguments");

	req_fill(cmd, argv + optind, argc - optind, wait, force, &lw, req);
}

/* Read messages until END. Exits on a broken connection or protocol. */
static void
reply_read(int fd, const struct cmd *cmd, struct reply *rp)
{
	struct proto_hdr	 h;
	const char		*errstr;
	char			*payload, **v;
	size_t			 n;
	int			 r;

	for (;;) {
		sio_frame_read(fd, &h, &payload);
		switch (h.type) {
		case PROTO_DATA:
			if (cmd->type != PROTO_STATUS)
				show_data(payload, h.len);
			free(payload);
			continue;
		case PROTO_ROW:
			break;
		case PROTO_END:
			sio_end_decode(payload, h.len, &rp->end);
			free(payload);
			return;
		default:
			sio_fail(EXIT_UNREACH, "protocol error: unexpected "
			    "message type %u", (unsigned)h.type);
		}
		if (proto_strv_unpack(payload, h.len, &v, &n, &errstr) == -1)
			sio_fail(EXIT_UNREACH, "protocol error: %s", errstr);
		if (cmd->type == PROTO_NET_LS) {
			rp->nets = xreallocarray(rp->nets, rp->nrows + 1,
			    sizeof *rp->nets);
			r = proto_net_unpack(v, n, &rp->nets[rp->nrows++],
			    &errstr);
		} else {
			rp->rows = xreallocarray(rp->rows, rp->nrows + 1,
			    sizeof *rp->rows);
			r = proto_status_unpack(v, n, &rp->rows[rp->nrows++],
			    &errstr);
		}
		if (r == -1)
			sio_fail(EXIT_UNREACH, "protocol error: %s", errstr);
		free(v);
	}
}

/* Print the outcome of the reply; returns the exit code. */
static int
reply_show(const struct cmd *cmd, const struct reply *rp)
{
	struct buf	b = { 0 };
	size_t		i;

	if (!rp->end.ok) {
		if (json) {
			for (i = 0; i < rp->end.msgs.n; i++) {
				if (i > 0)
					buf_puts(&b, "; ");
				buf_puts(&b, rp->end.msgs.v[i]);
			}
			sio_json_error(b.len > 0 ? b.p : "request failed");
			buf_free(&b);
			return EXIT_FAILED;
		}
		if (cmd->type == PROTO_STATUS && rp->nrows > 0)
			show_status_table(rp);
		fflush(stdout);
		for (i = 0; i < rp->end.msgs.n; i++)
			warnx("%s", rp->end.msgs.v[i]);
		if (rp->end.msgs.n == 0)
			warnx("%s: request failed", cmd->name);
		return EXIT_FAILED;
	}

	if (cmd->flags & CMD_PS && !json)
		show_ps_table(rp, ps_all);
	else if (cmd->type == PROTO_STATUS) {
		if (json)
			show_status_json(rp);
		else
			show_status_table(rp);
	} else if (cmd->type == PROTO_NET_LS) {
		if (json)
			show_net_json(rp);
		else
			show_net_table(rp);
	} else if (json && !(cmd->flags & CMD_DATA))
		printf("{\"ok\":true}\n");
	if (!json) {
		/* Informational lines: never mixed into a command's data. */
		for (i = 0; i < rp->end.msgs.n; i++) {
			if (cmd->flags & CMD_DATA)
				warnx("%s", rp->end.msgs.v[i]);
			else
				printf("%s\n", rp->end.msgs.v[i]);
		}
	}
	return EXIT_OK;
}

/* The command at argv[optind]: one word, or two for "network ls",
 * "volume rm" and the like (optind then at the second, where parsing
 * starts). */
static const struct cmd *
cmd_word(int argc, char **argv)
{
	const struct cmd	*cmd;
	const char		*first = argv[optind];
	char			*name;

	if (strcmp(first, "network") != 0 && strcmp(first, "volume") != 0 &&
	    strcmp(first, "image") != 0)
		name = xstrdup(first);
	else if (++optind >= argc)
		usage_error("%s: missing command (%s)", first, *first == 'n' ?
		    "ls, inspect" : "ls, inspect, rm, prune");
	else
		name = xasprintf("%s %s", first, argv[optind]);
	if ((cmd = cmd_find(name)) == NULL)
		usage_error("unknown command '%s'", name);
	free(name);
	return cmd;
}

/* -s, else $SUPD_SOCKET (unless empty), else the default. */
static const char *
sock_path(const char *sock)
{
	if (sock == NULL && (sock = getenv("SUPD_SOCKET")) != NULL &&
	    *sock == '\0')
		sock = NULL;
	return sock != NULL ? sock : SUPD_SOCKET_DEFAULT;
}

int
main(int argc, char **argv)
{
	static const struct option lopts[] = {
		{ "json",	no_argument,		NULL, OPT_JSON },
		{ "help",	no_argument,		NULL, 'h' },
		{ "version",	no_argument,		NULL, OPT_VERSION },
		{ NULL,		0,			NULL, 0 }
	};
	const struct cmd	*cmd;
	const char		*sock = NULL;
	struct strv		 req = { 0 };
	struct buf		 msg = { 0 };
	int			 ch, fd, code;

	opterr = 0;
	while ((ch = getopt_long(argc, argv, "+:hs:", lopts, NULL)) != -1) {
		switch (ch) {
		case 's':
			sock = optarg;
			break;
		case OPT_JSON:
			json = 1;
			break;
		case 'h':
			usage(stdout);
			exit(EXIT_OK);
		case OPT_VERSION:
			printf("supctl %s\n", SUPD_VERSION);
			exit(EXIT_OK);
		case ':':
			usage_error("option %s needs an argument",
			    opt_name(argv, optopt));
		default:
			usage_error("unknown option %s",
			    opt_name(argv, optopt));
		}
	}
	if (optind >= argc)
		usage_error("missing command");
	sock = sock_path(sock);
	if (strcmp(argv[optind], "run") == 0) {
		sio_set_json(json);
		return run_main(argc - optind, argv + optind, sock);
	}
	if (strcmp(argv[optind], "events") == 0)
		return events_main(argc - optind, argv + optind, sock, json);
	cmd = cmd_word(argc, argv);
	cmd_parse(cmd, argc - optind, argv + optind, &req);
	sio_set_json(json);

	if (proto_put_strv(&msg, cmd->type, req.v, req.n) == -1)
		cmd_usage(cmd, "request too large");
	if (cmd->flags & CMD_STATS) {
		code = stats_run(sock, msg.p, msg.len, json, no_stream);
		buf_free(&msg);
		strv_free(&req);
		return code;
	}
	fd = sio_connect(sock);
	if (cmd->flags & (CMD_EXEC | CMD_ATTACH)) {
		code = cmd->flags & CMD_EXEC ?
		    term_exec(fd, msg.p, msg.len, exec_tty) :
		    term_attach(fd, msg.p, msg.len);
		buf_free(&msg);
		strv_free(&req);
		return code;
	}
	/* If supd refused the request it may still have said why: read on. */
	(void)sio_send(fd, msg.p, msg.len);
	buf_free(&msg);
	strv_free(&req);
	reply_read(fd, cmd, &reply);
	close(fd);

	code = reply_show(cmd, &reply);
	if (fflush(stdout) == EOF)
		err(EXIT_FAILED, "stdout");
	return code;
}
