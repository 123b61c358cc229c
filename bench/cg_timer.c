/* SPDX-License-Identifier: ISC */
/*
 * cg_timer.c: the clock of bench/cgroup-vm.sh's drivers inside the VM
 * (busybox has no clock finer than a second; `date +%s%N` is not in it).
 * Built with `cc -static`, so it needs nothing in the initramfs.
 *
 *   cg_timer alt N CMD_A... -- CMD_B...
 *	run A and B N times each, alternating (A, B, A, B, ...), each
 *	fork + exec + wait with stdout and stderr to /dev/null; print
 *	"a n=N median=NS p10=NS p90=NS min=NS max=NS" and the same for b.
 *	A run that does not exit 0 is reported on stderr and fails it.
 *   cg_timer once CMD...
 *	run CMD once (output kept) and print the wall time in ns.
 *   cg_timer files N DIR FILE...
 *	N passes over every DIR/ *.service group, each pass opening,
 *	reading whole and closing each FILE of each group, as supd's stats
 *	do (cgroup-stats.c): the kernel's share of one `supctl stats`;
 *	print "files groups=G n=N median=NS ..." of a pass.
 *   cg_timer kept N DIR FILE...
 *	the same files opened once (untimed), then N passes re-reading
 *	each with one pread at offset 0 (kernfs regenerates the text):
 *	what keeping the files open would cost a `supctl stats`; print
 *	"kept groups=G n=N median=NS ...".
 *   cg_timer killfloor N DIR
 *	the kernel's share of a forced stop of 100 services of 4 processes
 *	each (a leader in a process group of its own and 3 children), all in
 *	groups DIR/g0..g99 (made if missing, with DIR's subtree_control
 *	given the memory, pids, cpu and io controllers as supd's tree is):
 *	N rounds each, alternating, of the time from the first kill to the
 *	last of the 400 reaped (this process is their subreaper), killed by
 *	a write of "1" to each group's cgroup.kill, or by one
 *	kill(-pgid, SIGKILL) per group; print "killfloor cgkill ..." and
 *	"killfloor pgkill ...".
 *   cg_timer clone3 N GROUP
 *	the kernel's share of a start in a group: N times each, alternating,
 *	clone3(CLONE_INTO_CGROUP) into GROUP (a directory, made if missing)
 *	+ exec /bin/true + wait, and fork + exec /bin/true + wait (in this
 *	process's own group); print "clone3 into=..." and "fork ...".
 */
#include <sys/prctl.h>
#include <sys/types.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static long long
now_ns(void)
{
	struct timespec	ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static int
cmp_ll(const void *a, const void *b)
{
	long long	x = *(const long long *)a, y = *(const long long *)b;

	return x < y ? -1 : x > y;
}

static void
report(const char *what, long long *v, int n)
{
	qsort(v, n, sizeof *v, cmp_ll);
	printf("%s n=%d median=%lld p10=%lld p90=%lld min=%lld max=%lld\n",
	    what, n, n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2,
	    v[n / 10], v[n * 9 / 10], v[0], v[n - 1]);
	fflush(stdout);
}

/* Wall ns of one fork + exec + wait of argv; -1 if it did not exit 0. */
static long long
run(char **argv, int quiet)
{
	long long	t0, t;
	pid_t		pid;
	int		st, null;

	t0 = now_ns();
	if ((pid = fork()) == -1)
		return -1;
	if (pid == 0) {
		if (quiet && (null = open("/dev/null", O_WRONLY)) != -1) {
			dup2(null, 1);
			dup2(null, 2);
		}
		execvp(argv[0], argv);
		_exit(127);
	}
	if (waitpid(pid, &st, 0) == -1)
		return -1;
	t = now_ns() - t0;
	if (!WIFEXITED(st) || WEXITSTATUS(st) != 0) {
		fprintf(stderr, "cg_timer: %s: status %#x\n", argv[0], st);
		return -1;
	}
	return t;
}

/* One pass: every FILE of every DIR/ *.service, read whole; the groups. */
static int
files_pass(const char *dir, char **file, int nfile)
{
	char		 path[4096], buf[4096];
	struct dirent	*de;
	DIR		*d;
	size_t		 len;
	int		 fd, groups = 0, i;

	if ((d = opendir(dir)) == NULL)
		return -1;
	while ((de = readdir(d)) != NULL) {
		len = strlen(de->d_name);
		if (len < 9 || strcmp(de->d_name + len - 8, ".service") != 0)
			continue;
		groups++;
		for (i = 0; i < nfile; i++) {
			snprintf(path, sizeof path, "%s/%s/%s", dir, de->d_name,
			    file[i]);
			if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1)
				continue;
			while (read(fd, buf, sizeof buf) > 0)
				;
			close(fd);
		}
	}
	closedir(d);
	return groups;
}

static int
files(int argc, char *argv[])
{
	long long	*v, t0;
	int		 n, i, groups = 0;

	if (argc < 5 || (n = atoi(argv[2])) < 1)
		return 2;
	if ((v = calloc(n, sizeof *v)) == NULL)
		return 1;
	for (i = 0; i < n; i++) {
		t0 = now_ns();
		if ((groups = files_pass(argv[3], argv + 4, argc - 4)) == -1) {
			perror(argv[3]);
			return 1;
		}
		v[i] = now_ns() - t0;
	}
	printf("files groups=%d ", groups);
	report("pass", v, n);
	return 0;
}

/* Every FILE of every DIR/ *.service group opened into fds; the count. */
static int
kept_open(const char *dir, char **file, int nfile, int **fds)
{
	char		 path[4096];
	struct dirent	*de;
	DIR		*d;
	size_t		 len;
	int		 n = 0, i, *p;

	if ((d = opendir(dir)) == NULL)
		return -1;
	while ((de = readdir(d)) != NULL) {
		len = strlen(de->d_name);
		if (len < 9 || strcmp(de->d_name + len - 8, ".service") != 0)
			continue;
		for (i = 0; i < nfile; i++) {
			snprintf(path, sizeof path, "%s/%s/%s", dir, de->d_name,
			    file[i]);
			if ((p = realloc(*fds, (n + 1) * sizeof *p)) == NULL)
				return -1;
			*fds = p;
			if ((p[n] = open(path, O_RDONLY | O_CLOEXEC)) != -1)
				n++;
		}
	}
	closedir(d);
	return n;
}

static int
kept(int argc, char *argv[])
{
	char		 buf[4096];
	long long	*v, t0;
	int		 n, i, j, nfd, *fds = NULL;

	if (argc < 5 || (n = atoi(argv[2])) < 1)
		return 2;
	if ((v = calloc(n, sizeof *v)) == NULL ||
	    (nfd = kept_open(argv[3], argv + 4, argc - 4, &fds)) == -1) {
		perror(argv[3]);
		return 1;
	}
	for (i = 0; i < n; i++) {
		t0 = now_ns();
		for (j = 0; j < nfd; j++)
			if (pread(fds[j], buf, sizeof buf, 0) == -1)
				perror("pread");
		v[i] = now_ns() - t0;
	}
	printf("kept groups=%d ", nfd / (argc - 4));
	report("pass", v, n);
	return 0;
}

#ifndef CLONE_INTO_CGROUP
#define CLONE_INTO_CGROUP 0x200000000ULL
#endif

/* Wall ns of clone3 (into the group fd, or a plain fork with -1) + exec
 * /bin/true + wait. */
static long long
spawn_true(int cgfd)
{
	struct {
		uint64_t flags, pidfd, child_tid, parent_tid, exit_signal,
		    stack, stack_size, tls, set_tid, set_tid_size, cgroup;
	} args = { 0 };
	long long	t0 = now_ns();
	pid_t		pid;
	int		st;

	if (cgfd >= 0) {
		args.flags = CLONE_INTO_CGROUP;
		args.exit_signal = SIGCHLD;
		args.cgroup = (uint64_t)cgfd;
		pid = syscall(SYS_clone3, &args, sizeof args);
	} else
		pid = fork();
	if (pid == -1) {
		perror("cg_timer: clone3");
		exit(1);
	}
	if (pid == 0) {
		execl("/bin/true", "true", (char *)NULL);
		_exit(127);
	}
	waitpid(pid, &st, 0);
	return now_ns() - t0;
}

#define KF_GROUPS	100
#define KF_PROCS	4

/* The groups' leaders, after making them; each sits in group i with 3
 * children, all of them in the leader's process group. */
static void
kf_start(int *cgfd, pid_t *leader)
{
	char	c;
	int	i, k, p[2];

	for (i = 0; i < KF_GROUPS; i++) {
		if (pipe(p) == -1 || (leader[i] = fork()) == -1) {
			perror("cg_timer: fork");
			exit(1);
		}
		if (leader[i] == 0) {
			setpgid(0, 0);
			if (write(cgfd[i], "0", 1) == -1) { /* cgroup.procs */
				perror("cg_timer: cgroup.procs");
				_exit(1);
			}
			for (k = 1; k < KF_PROCS; k++)
				if (fork() == 0) {
					close(p[1]);
					for (;;)
						pause();
				}
			close(p[1]);	/* all made: tell the parent */
			for (;;)
				pause();
		}
		close(p[1]);
		/* p's write end is closed when the leader and its children
		 * have all closed theirs: every process exists by then. */
		while (read(p[0], &c, 1) > 0)
			;
		close(p[0]);
	}
}

static int
killfloor(int argc, char *argv[])
{
	char		 path[4096];
	long long	*v[2], t0;
	pid_t		 leader[KF_GROUPS];
	int		 procs[KF_GROUPS], kill_fd[KF_GROUPS];
	int		 n, i, r, m, reaped, dirfd;

	if (argc != 4 || (n = atoi(argv[2])) < 1)
		return 2;
	if ((mkdir(argv[3], 0755) == -1 && errno != EEXIST) ||
	    (dirfd = open(argv[3], O_DIRECTORY | O_RDONLY)) == -1) {
		perror(argv[3]);
		return 1;
	}
	snprintf(path, sizeof path, "%s/cgroup.subtree_control", argv[3]);
	if ((i = open(path, O_WRONLY)) == -1 ||
	    write(i, "+memory +pids +cpu +io", 22) == -1)
		perror(path);	/* the floor is still measured */
	for (i = 0; i < KF_GROUPS; i++) {
		snprintf(path, sizeof path, "g%d", i);
		mkdirat(dirfd, path, 0755);
		snprintf(path, sizeof path, "g%d/cgroup.procs", i);
		procs[i] = openat(dirfd, path, O_WRONLY | O_CLOEXEC);
		snprintf(path, sizeof path, "g%d/cgroup.kill", i);
		kill_fd[i] = openat(dirfd, path, O_WRONLY | O_CLOEXEC);
		if (procs[i] == -1 || kill_fd[i] == -1) {
			perror(path);
			return 1;
		}
	}
	prctl(PR_SET_CHILD_SUBREAPER, 1);
	v[0] = calloc(n, sizeof *v[0]);
	v[1] = calloc(n, sizeof *v[1]);
	for (r = 0; r < n; r++)
		for (m = 0; m < 2; m++) {
			kf_start(procs, leader);
			t0 = now_ns();
			for (i = 0; i < KF_GROUPS; i++)
				if (m == 0 ? write(kill_fd[i], "1", 1) == -1 :
				    kill(-leader[i], SIGKILL) == -1)
					perror("cg_timer: kill");
			for (reaped = 0; reaped < KF_GROUPS * KF_PROCS;)
				if (waitpid(-1, NULL, 0) > 0)
					reaped++;
			v[m][r] = now_ns() - t0;
		}
	report("killfloor cgkill", v[0], n);
	report("killfloor pgkill", v[1], n);
	return 0;
}

static int
clone3s(int argc, char *argv[])
{
	long long	*a, *b;
	int		 n, i, fd;

	if (argc != 4 || (n = atoi(argv[2])) < 1)
		return 2;
	if (mkdir(argv[3], 0755) == -1 && errno != EEXIST) {
		perror(argv[3]);
		return 1;
	}
	if ((fd = open(argv[3], O_DIRECTORY | O_RDONLY | O_CLOEXEC)) == -1) {
		perror(argv[3]);
		return 1;
	}
	a = calloc(n, sizeof *a);
	b = calloc(n, sizeof *b);
	if (a == NULL || b == NULL)
		return 1;
	for (i = 0; i < n; i++) {
		a[i] = spawn_true(fd);
		b[i] = spawn_true(-1);
	}
	report("clone3", a, n);
	report("fork", b, n);
	return 0;
}

int
main(int argc, char *argv[])
{
	long long	*a, *b, t;
	char		**cmd_b;
	int		 n, i;

	if (argc >= 3 && strcmp(argv[1], "once") == 0) {
		if ((t = run(argv + 2, 0)) == -1)
			return 1;
		printf("%lld\n", t);
		return 0;
	}
	if (argc >= 2 && strcmp(argv[1], "clone3") == 0)
		return clone3s(argc, argv);
	if (argc >= 2 && strcmp(argv[1], "files") == 0)
		return files(argc, argv);
	if (argc >= 2 && strcmp(argv[1], "killfloor") == 0)
		return killfloor(argc, argv);
	if (argc >= 2 && strcmp(argv[1], "kept") == 0)
		return kept(argc, argv);
	if (argc < 6 || strcmp(argv[1], "alt") != 0 || (n = atoi(argv[2])) < 1)
		goto usage;
	for (i = 3; i < argc && strcmp(argv[i], "--") != 0; i++)
		;
	if (i >= argc - 1 || i == 3)
		goto usage;
	argv[i] = NULL;
	cmd_b = argv + i + 1;
	a = calloc(n, sizeof *a);
	b = calloc(n, sizeof *b);
	if (a == NULL || b == NULL)
		return 1;
	for (i = 0; i < n; i++) {
		if ((a[i] = run(argv + 3, 1)) == -1 ||
		    (b[i] = run(cmd_b, 1)) == -1)
			return 1;
	}
	report("a", a, n);
	report("b", b, n);
	return 0;
usage:
	fprintf(stderr, "usage: cg_timer alt N CMD_A... -- CMD_B... | "
	    "cg_timer once CMD... | cg_timer files|kept N DIR FILE... | "
	    "cg_timer killfloor N DIR | cg_timer clone3 N GROUP\n");
	return 2;
}
