/* SPDX-License-Identifier: ISC */
/*
 * probe: report, as KEY=VALUE lines on stdout, what a process sees of its
 * execution context, for the isolation tests (tests/integration/isolation.bats).
 * No dependencies beyond libc; builds with `cc -static` so that it runs in a
 * busybox-only rootfs.
 *
 *   probe                 print everything, exit 0
 *   probe CMD [ARG]...    run the commands left to right:
 *     report              print everything: ids, groups, hostname, cwd,
 *                         umask, Cap*, NoNewPrivs, Seccomp, procs, mounts,
 *                         fds (fd.N=readlink target, fdtype.N=chr:1:3|dir|
 *                         fifo|sock|reg...), can_write_root, netifs,
 *                         rlimits, tty, namespaces, uid_map, environment;
 *                         last line probe=done
 *     sleep               print everything, then sleep for ever
 *     pause               sleep for ever without printing
 *     tiocsti             ioctl(TIOCSTI) on fds 0, 1, 2 and on /dev/tty:
 *                         tiocsti.N=ok|ERRNO, tiocsti.tty=ok|ERRNO
 *     write PATH          create/open PATH for writing, write "probe\n":
 *                         write[PATH]=ok|ERRNO
 *     openw PATH          only open PATH O_WRONLY: openw[PATH]=ok|ERRNO
 *     read PATH           read PATH: read[PATH]=BYTES|ERRNO
 *     kill PID            kill(PID, 0): kill[PID]=ok|ERRNO
 *     orphan N            fork a child that forks N grandchildren and exits
 *                         at once; the grandchildren (orphans) live 300 ms;
 *                         wait (up to 3 s) until every one is reaped by
 *                         whoever adopted it: orphan_pids=..., orphans=reaped
 *                         or orphans=not-reaped
 *     ls DIR              ls[DIR]=name,name,... (sorted, no . and ..)
 *     stat PATH           stat[PATH]=UID:GID:OCTALMODE|ERRNO (lstat)
 *     mnt PATH            mount[PATH]=FSTYPE MOUNTOPTS SUPEROPTS of the
 *                         topmost mount at PATH, or "-"
 *     bind PORT           bind a TCP socket to 127.0.0.1:PORT:
 *                         bind[PORT]=ok|ERRNO
 *     cat PATH            cat[PATH]=first line of PATH|ERRNO
 *     exit N              exit with status N
 *
 * Every line is written whole (line-buffered stdout).
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/types.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

static const char *
errname(int e)
{
	switch (e) {
	case EPERM: return "EPERM";
	case ENOENT: return "ENOENT";
	case ESRCH: return "ESRCH";
	case EIO: return "EIO";
	case ENXIO: return "ENXIO";
	case EBADF: return "EBADF";
	case EACCES: return "EACCES";
	case EEXIST: return "EEXIST";
	case ENOTDIR: return "ENOTDIR";
	case EISDIR: return "EISDIR";
	case EINVAL: return "EINVAL";
	case ENOTTY: return "ENOTTY";
	case ETXTBSY: return "ETXTBSY";
	case ENOSPC: return "ENOSPC";
	case EROFS: return "EROFS";
	case ELOOP: return "ELOOP";
	case ENODEV: return "ENODEV";
	case EOPNOTSUPP: return "EOPNOTSUPP";
	case EADDRINUSE: return "EADDRINUSE";
	case EADDRNOTAVAIL: return "EADDRNOTAVAIL";
	default: {
		static char buf[32];

		snprintf(buf, sizeof buf, "E%d", e);
		return buf;
	}
	}
}

static int
cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int
cmp_name(const void *a, const void *b)
{
	return strcmp((const char *)a, (const char *)b);
}

static int
cmp_long(const void *a, const void *b)
{
	long x = *(const long *)a, y = *(const long *)b;

	return x < y ? -1 : x > y;
}

/* Names in DIR, sorted, comma-separated, into out. */
static int
list_dir(const char *dir, char *out, size_t outsz)
{
	DIR		*d;
	struct dirent	*e;
	char		*names[4096];
	size_t		 n = 0, i, len = 0;

	out[0] = '\0';
	if ((d = opendir(dir)) == NULL)
		return -1;
	while ((e = readdir(d)) != NULL && n < 4096) {
		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
			continue;
		names[n++] = strdup(e->d_name);
	}
	closedir(d);
	qsort(names, n, sizeof names[0], cmp_str);
	for (i = 0; i < n; i++) {
		int w = snprintf(out + len, outsz - len, "%s%s",
		    i ? "," : "", names[i]);
		if (w > 0 && (size_t)w < outsz - len)
			len += (size_t)w;
		free(names[i]);
	}
	return 0;
}

static void
print_ids(void)
{
	gid_t	g[256];
	int	n, i;

	printf("pid=%ld\n", (long)getpid());
	printf("ppid=%ld\n", (long)getppid());
	printf("pgid=%ld\n", (long)getpgid(0));
	printf("sid=%ld\n", (long)getsid(0));
	printf("uid=%ld\n", (long)getuid());
	printf("euid=%ld\n", (long)geteuid());
	printf("gid=%ld\n", (long)getgid());
	printf("egid=%ld\n", (long)getegid());
	n = getgroups(256, g);
	printf("groups=");
	for (i = 0; i < n; i++)
		printf("%s%ld", i ? "," : "", (long)g[i]);
	printf("\n");
}

static void
print_uts_cwd(void)
{
	struct utsname	u;
	char		cwd[4096];

	if (uname(&u) == 0)
		printf("hostname=%s\n", u.nodename);
	if (getcwd(cwd, sizeof cwd) != NULL)
		printf("cwd=%s\n", cwd);
	else
		printf("cwd=%s\n", errname(errno));
	{
		mode_t m = umask(022);

		umask(m);
		printf("umask=%04o\n", (unsigned)m);
	}
}

/* Cap*, NoNewPrivs, Seccomp lines of /proc/self/status as KEY=VALUE. */
static void
print_status(void)
{
	FILE	*f;
	char	 line[512];
	static const char *keys[] = { "CapInh", "CapPrm", "CapEff", "CapBnd",
	    "CapAmb", "NoNewPrivs", "Seccomp", NULL };

	if ((f = fopen("/proc/self/status", "r")) == NULL) {
		printf("status=%s\n", errname(errno));
		return;
	}
	while (fgets(line, sizeof line, f) != NULL) {
		char	*colon = strchr(line, ':'), *v;
		int	 i;

		if (colon == NULL)
			continue;
		*colon = '\0';
		for (i = 0; keys[i] != NULL; i++)
			if (strcmp(line, keys[i]) == 0)
				break;
		if (keys[i] == NULL)
			continue;
		v = colon + 1;
		v += strspn(v, " \t");
		v[strcspn(v, "\n")] = '\0';
		printf("%s=%s\n", line, v);
	}
	fclose(f);
}

static void
print_procs(void)
{
	DIR		*d;
	struct dirent	*e;
	long		 p[8192];
	size_t		 n = 0, i;

	if ((d = opendir("/proc")) == NULL) {
		printf("procs=%s\n", errname(errno));
		return;
	}
	while ((e = readdir(d)) != NULL && n < 8192) {
		char *end;
		long v = strtol(e->d_name, &end, 10);

		if (*e->d_name != '\0' && *end == '\0')
			p[n++] = v;
	}
	closedir(d);
	qsort(p, n, sizeof p[0], cmp_long);
	printf("procs=");
	for (i = 0; i < n; i++)
		printf("%s%ld", i ? "," : "", p[i]);
	printf("\n");
	printf("nprocs=%zu\n", n);
}

/* FSTYPE MOUNTOPTS SUPEROPTS of the topmost mount at mp into out, or "-". */
static int
find_mount(const char *mp, char *out, size_t outsz)
{
	FILE	*f;
	char	 line[4096];
	int	 n = 0;

	snprintf(out, outsz, "-");
	if ((f = fopen("/proc/self/mountinfo", "r")) == NULL) {
		snprintf(out, outsz, "%s", errname(errno));
		return -1;
	}
	while (fgets(line, sizeof line, f) != NULL) {
		/* id parent maj:min root mp opts [optional...] - fstype src super */
		char	*fld[32], *s, *save = NULL;
		int	 nf = 0, dash = -1;

		n++;
		line[strcspn(line, "\n")] = '\0';
		for (s = strtok_r(line, " ", &save); s != NULL && nf < 32;
		    s = strtok_r(NULL, " ", &save)) {
			if (strcmp(s, "-") == 0 && dash == -1)
				dash = nf;
			fld[nf++] = s;
		}
		if (nf < 6 || dash == -1 || dash + 3 >= nf)
			continue;
		if (strcmp(fld[4], mp) == 0)
			snprintf(out, outsz, "%s %s %s", fld[dash + 1], fld[5],
			    fld[dash + 3]);
	}
	fclose(f);
	return n;
}

/* mounts=N, then mount[MP]=FSTYPE MOUNTOPTS SUPEROPTS (or "-") per MP. */
static void
print_mounts(void)
{
	static const char *mps[] = { "/", "/tmp", "/proc", "/sys", "/dev",
	    "/dev/pts", "/dev/shm", NULL };
	char	 buf[1024];
	int	 i, n;

	n = find_mount("/", buf, sizeof buf);
	if (n < 0) {
		printf("mounts=%s\n", buf);
		return;
	}
	printf("mounts=%d\n", n);
	for (i = 0; mps[i] != NULL; i++) {
		find_mount(mps[i], buf, sizeof buf);
		printf("mount[%s]=%s\n", mps[i], buf);
	}
}

/* What fd is: chr:MAJ:MIN, blk, dir, fifo, sock, reg, lnk, or an errno. */
static const char *
fd_type(int fd)
{
	static char	buf[64];
	struct stat	st;

	if (fstat(fd, &st) == -1)
		return errname(errno);
	switch (st.st_mode & S_IFMT) {
	case S_IFCHR:
		snprintf(buf, sizeof buf, "chr:%u:%u", major(st.st_rdev),
		    minor(st.st_rdev));
		return buf;
	case S_IFBLK: return "blk";
	case S_IFDIR: return "dir";
	case S_IFIFO: return "fifo";
	case S_IFSOCK: return "sock";
	case S_IFREG: return "reg";
	case S_IFLNK: return "lnk";
	default: return "other";
	}
}

static void
print_fds(void)
{
	DIR		*d;
	struct dirent	*e;
	long		 fds[1024];
	size_t		 n = 0, i;
	int		 self;

	if ((d = opendir("/proc/self/fd")) == NULL) {
		printf("fds=%s\n", errname(errno));
		return;
	}
	self = dirfd(d);
	while ((e = readdir(d)) != NULL && n < 1024) {
		char *end;
		long v = strtol(e->d_name, &end, 10);

		if (*e->d_name != '\0' && *end == '\0' && v != self)
			fds[n++] = v;
	}
	closedir(d);
	qsort(fds, n, sizeof fds[0], cmp_long);
	printf("fds=");
	for (i = 0; i < n; i++)
		printf("%s%ld", i ? "," : "", fds[i]);
	printf("\n");
	for (i = 0; i < n; i++) {
		char	path[64], target[4096];
		ssize_t	len;

		snprintf(path, sizeof path, "/proc/self/fd/%ld", fds[i]);
		len = readlink(path, target, sizeof target - 1);
		if (len < 0)
			strcpy(target, errname(errno));
		else
			target[len] = '\0';
		printf("fd.%ld=%s\n", fds[i], target);
		printf("fdtype.%ld=%s\n", fds[i], fd_type((int)fds[i]));
	}
}

static void
print_write_root(void)
{
	int fd = open("/probe-write-test", O_WRONLY | O_CREAT | O_EXCL, 0644);

	if (fd >= 0) {
		close(fd);
		unlink("/probe-write-test");
		printf("can_write_root=ok\n");
	} else if (errno == EEXIST) {
		/* A leftover of an earlier run: writable all the same. */
		unlink("/probe-write-test");
		printf("can_write_root=ok\n");
	} else {
		printf("can_write_root=%s\n", errname(errno));
	}
}

/* netifs=lo,eth0 from /proc/net/dev; netif[NAME]=up|down (SIOCGIFFLAGS). */
static void
print_net(void)
{
	FILE	*f;
	char	 line[512], names[64][IFNAMSIZ + 1];
	int	 n = 0, i, s;

	if ((f = fopen("/proc/net/dev", "r")) == NULL) {
		printf("netifs=%s\n", errname(errno));
		return;
	}
	while (fgets(line, sizeof line, f) != NULL && n < 64) {
		char *colon = strchr(line, ':'), *p = line;

		if (colon == NULL)
			continue;
		*colon = '\0';
		p += strspn(p, " ");
		snprintf(names[n++], IFNAMSIZ + 1, "%s", p);
	}
	fclose(f);
	qsort(names, (size_t)n, sizeof names[0], cmp_name);
	printf("netifs=");
	for (i = 0; i < n; i++)
		printf("%s%s", i ? "," : "", names[i]);
	printf("\n");
	s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	for (i = 0; i < n; i++) {
		struct ifreq	ifr;

		memset(&ifr, 0, sizeof ifr);
		memcpy(ifr.ifr_name, names[i], strnlen(names[i], IFNAMSIZ - 1));
		if (s < 0 || ioctl(s, SIOCGIFFLAGS, &ifr) == -1)
			printf("netif[%s]=%s\n", names[i], errname(errno));
		else
			printf("netif[%s]=%s\n", names[i],
			    (ifr.ifr_flags & IFF_UP) ? "up" : "down");
	}
	if (s >= 0)
		close(s);
}

static void
print_rlimit(const char *name, int res)
{
	struct rlimit	r;
	char		soft[32], hard[32];

	if (getrlimit(res, &r) == -1) {
		printf("rlimit_%s=%s\n", name, errname(errno));
		return;
	}
	if (r.rlim_cur == RLIM_INFINITY)
		strcpy(soft, "unlimited");
	else
		snprintf(soft, sizeof soft, "%llu", (unsigned long long)r.rlim_cur);
	if (r.rlim_max == RLIM_INFINITY)
		strcpy(hard, "unlimited");
	else
		snprintf(hard, sizeof hard, "%llu", (unsigned long long)r.rlim_max);
	printf("rlimit_%s=%s:%s\n", name, soft, hard);
}

static void
print_tty(void)
{
	int	fd, i;

	for (i = 0; i < 3; i++) {
		const char *n = isatty(i) ? ttyname(i) : NULL;

		printf("isatty.%d=%d\n", i, isatty(i));
		printf("ttyname.%d=%s\n", i, n != NULL ? n : "-");
	}
	fd = open("/dev/tty", O_RDWR | O_NOCTTY | O_CLOEXEC);
	if (fd >= 0) {
		printf("ctty=yes\n");
		close(fd);
	} else {
		printf("ctty=%s\n", errname(errno));
	}
}

static void
print_env(void)
{
	char	**e;
	int	  n = 0;

	for (e = environ; *e != NULL; e++)
		n++;
	printf("env_count=%d\n", n);
	for (e = environ; *e != NULL; e++)
		printf("env.%s\n", *e);
}

/* ns.NAME=inode of /proc/self/ns/NAME; uid_map= first line. */
static void
print_ns(void)
{
	static const char *ns[] = { "mnt", "pid", "net", "ipc", "uts", "user",
	    "cgroup", NULL };
	int	 i;
	FILE	*f;
	char	 line[256];

	for (i = 0; ns[i] != NULL; i++) {
		char	path[64], t[128];
		ssize_t	len;

		snprintf(path, sizeof path, "/proc/self/ns/%s", ns[i]);
		len = readlink(path, t, sizeof t - 1);
		if (len < 0)
			strcpy(t, errname(errno));
		else
			t[len] = '\0';
		printf("ns.%s=%s\n", ns[i], t);
	}
	if ((f = fopen("/proc/self/uid_map", "r")) != NULL) {
		if (fgets(line, sizeof line, f) != NULL) {
			char *p = line;

			line[strcspn(line, "\n")] = '\0';
			/* collapse runs of blanks */
			while ((p = strstr(p, "  ")) != NULL)
				memmove(p, p + 1, strlen(p));
			p = line + strspn(line, " ");
			printf("uid_map=%s\n", p);
		}
		fclose(f);
	}
}

static void
report(void)
{
	print_ids();
	print_uts_cwd();
	print_status();
	print_procs();
	print_mounts();
	print_fds();
	print_write_root();
	print_net();
	print_rlimit("nofile", RLIMIT_NOFILE);
	print_rlimit("nproc", RLIMIT_NPROC);
	print_rlimit("core", RLIMIT_CORE);
	print_rlimit("memlock", RLIMIT_MEMLOCK);
	print_tty();
	print_ns();
	print_env();
	printf("probe=done\n");
	fflush(stdout);
}

static void
do_tiocsti(void)
{
	char	c = '#';
	int	i, fd;

	for (i = 0; i < 3; i++) {
		if (ioctl(i, TIOCSTI, &c) == 0)
			printf("tiocsti.%d=ok\n", i);
		else
			printf("tiocsti.%d=%s\n", i, errname(errno));
	}
	fd = open("/dev/tty", O_RDWR | O_NOCTTY | O_CLOEXEC);
	if (fd < 0) {
		printf("tiocsti.tty=%s\n", errname(errno));
		return;
	}
	{
		/* What an attacker would push into the terminal's input. */
		const char	*s = "PROBE-INJECTED\n";
		int		 ok = 1;

		for (; *s != '\0'; s++)
			if (ioctl(fd, TIOCSTI, s) == -1) {
				printf("tiocsti.tty=%s\n", errname(errno));
				ok = 0;
				break;
			}
		if (ok)
			printf("tiocsti.tty=ok\n");
	}
	close(fd);
}

static void
do_write(const char *path, int data)
{
	const char	*key = data ? "write" : "openw";
	int		 fd;

	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd == -1 && errno == ENOENT)
		fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
	if (fd == -1) {
		printf("%s[%s]=%s\n", key, path, errname(errno));
		return;
	}
	if (data && write(fd, "probe\n", 6) != 6) {
		printf("%s[%s]=%s\n", key, path, errname(errno));
		close(fd);
		return;
	}
	if (close(fd) == -1) {
		printf("%s[%s]=%s\n", key, path, errname(errno));
		return;
	}
	printf("%s[%s]=ok\n", key, path);
}

static void
do_read(const char *path)
{
	char	buf[4096];
	int	fd;
	ssize_t	n;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1) {
		printf("read[%s]=%s\n", path, errname(errno));
		return;
	}
	n = read(fd, buf, sizeof buf);
	if (n < 0)
		printf("read[%s]=%s\n", path, errname(errno));
	else
		printf("read[%s]=%zd\n", path, n);
	close(fd);
}

static void
do_cat(const char *path)
{
	FILE	*f;
	char	 line[1024];

	if ((f = fopen(path, "r")) == NULL) {
		printf("cat[%s]=%s\n", path, errname(errno));
		return;
	}
	if (fgets(line, sizeof line, f) == NULL)
		line[0] = '\0';
	line[strcspn(line, "\n")] = '\0';
	printf("cat[%s]=%s\n", path, line);
	fclose(f);
}

static void
msleep(long ms)
{
	struct timespec	ts = { ms / 1000, (ms % 1000) * 1000000L };

	while (nanosleep(&ts, &ts) == -1 && errno == EINTR)
		;
}

static void
do_orphan(int n)
{
	int	pfd[2], i, status, left, tries;
	pid_t	child, pids[256];

	if (n < 1 || n > 256 || pipe(pfd) == -1) {
		printf("orphans=bad-count\n");
		return;
	}
	fflush(stdout);
	if ((child = fork()) == -1) {
		printf("orphans=fork-%s\n", errname(errno));
		return;
	}
	if (child == 0) {
		close(pfd[0]);
		for (i = 0; i < n; i++) {
			pid_t g = fork();

			if (g == 0) {
				close(pfd[1]);
				msleep(300);
				_exit(0);
			}
			if (write(pfd[1], &g, sizeof g) != sizeof g)
				_exit(1);
		}
		_exit(0);	/* the grandchildren are orphans now */
	}
	close(pfd[1]);
	for (i = 0; i < n; i++)
		if (read(pfd[0], &pids[i], sizeof pids[i]) != sizeof pids[i])
			break;
	close(pfd[0]);
	n = i;
	waitpid(child, &status, 0);
	printf("orphan_pids=");
	for (i = 0; i < n; i++)
		printf("%s%ld", i ? "," : "", (long)pids[i]);
	printf("\n");
	fflush(stdout);
	/* kill(pid, 0) succeeds on a zombie: ESRCH means reaped. */
	for (tries = 0; tries < 300; tries++) {
		for (left = 0, i = 0; i < n; i++)
			if (kill(pids[i], 0) == 0)
				left++;
		if (left == 0)
			break;
		msleep(10);
	}
	printf("orphans=%s\n", left == 0 ? "reaped" : "not-reaped");
	fflush(stdout);
}

int
main(int argc, char **argv)
{
	int	i;

	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc == 1) {
		report();
		return 0;
	}
	for (i = 1; i < argc; i++) {
		const char *c = argv[i], *a = i + 1 < argc ? argv[i + 1] : NULL;

		if (strcmp(c, "report") == 0) {
			report();
		} else if (strcmp(c, "sleep") == 0 || strcmp(c, "pause") == 0) {
			if (strcmp(c, "sleep") == 0)
				report();
			fflush(stdout);
			for (;;)
				pause();
		} else if (strcmp(c, "tiocsti") == 0) {
			do_tiocsti();
		} else if (a == NULL) {
			fprintf(stderr, "probe: %s: missing argument or unknown "
			    "command\n", c);
			return 2;
		} else if (strcmp(c, "write") == 0 || strcmp(c, "openw") == 0) {
			do_write(a, strcmp(c, "write") == 0);
			i++;
		} else if (strcmp(c, "read") == 0) {
			do_read(a);
			i++;
		} else if (strcmp(c, "cat") == 0) {
			do_cat(a);
			i++;
		} else if (strcmp(c, "kill") == 0) {
			if (kill((pid_t)atol(a), 0) == 0)
				printf("kill[%s]=ok\n", a);
			else
				printf("kill[%s]=%s\n", a, errname(errno));
			i++;
		} else if (strcmp(c, "orphan") == 0) {
			do_orphan(atoi(a));
			i++;
		} else if (strcmp(c, "ls") == 0) {
			char out[16384];

			if (list_dir(a, out, sizeof out) == -1)
				printf("ls[%s]=%s\n", a, errname(errno));
			else
				printf("ls[%s]=%s\n", a, out);
			i++;
		} else if (strcmp(c, "stat") == 0) {
			struct stat st;

			if (lstat(a, &st) == -1)
				printf("stat[%s]=%s\n", a, errname(errno));
			else
				printf("stat[%s]=%ld:%ld:%o\n", a, (long)st.st_uid,
				    (long)st.st_gid, (unsigned)(st.st_mode & 07777));
			i++;
		} else if (strcmp(c, "mnt") == 0) {
			char buf[1024];

			find_mount(a, buf, sizeof buf);
			printf("mount[%s]=%s\n", a, buf);
			i++;
		} else if (strcmp(c, "bind") == 0) {
			struct sockaddr_in sin;
			int sk = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

			memset(&sin, 0, sizeof sin);
			sin.sin_family = AF_INET;
			sin.sin_port = htons((unsigned short)atoi(a));
			sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
			if (sk >= 0 && bind(sk, (struct sockaddr *)&sin,
			    sizeof sin) == 0)
				printf("bind[%s]=ok\n", a);
			else
				printf("bind[%s]=%s\n", a, errname(errno));
			if (sk >= 0)
				close(sk);
			i++;
		} else if (strcmp(c, "exit") == 0) {
			fflush(stdout);
			return atoi(a);
		} else {
			fprintf(stderr, "probe: unknown command '%s'\n", c);
			return 2;
		}
	}
	fflush(stdout);
	return 0;
}
