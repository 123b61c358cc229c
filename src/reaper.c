/* SPDX-License-Identifier: ISC */
/*
 * reaper.c: PID 1 of a service's pid namespace (init = yes), as a tiny
 * freestanding program: no libc, a handful of system calls, a few pages of
 * memory. supd embeds it and executes it from a sealed memfd, so nothing is
 * installed and nothing inside the service can rewrite it (runc's
 * CVE-2019-5736 needs a writable host binary behind /proc/1/exe).
 *
 *	supd-init CMDPID		fd 3: the status pipe to supd
 *
 * Every signal arrives blocked (supd's child blocked them before exec) and
 * is taken with sigtimedwait: SIGCHLD reaps every child, orphans included;
 * anything else goes to the command's process group (or the command). When
 * the command ends, its wait status is written to fd 3 and the reaper exits
 * with its code, 128+N for a signal N, as tini does.
 *
 * Built with -nostdlib -static -ffreestanding (see the Makefile); a machine
 * without a port here gets the same loop inside supd's own image instead.
 */
#if defined(__x86_64__)
#define SYS_write		1
#define SYS_rt_sigtimedwait	128
#define SYS_wait4		61
#define SYS_kill		62
#define SYS_exit_group		231

__asm__(".text\n.globl _start\n_start:\n"
    "\tmov %rsp, %rdi\n"
    "\tand $-16, %rsp\n"
    "\tcall reaper_main\n"
    "\thlt\n");

static long
sys4(long n, long a, long b, long c, long d)
{
	register long	r10 __asm__("r10") = d;
	long		ret;

	__asm__ volatile ("syscall" : "=a"(ret) : "a"(n), "D"(a), "S"(b),
	    "d"(c), "r"(r10) : "rcx", "r11", "memory");
	return ret;
}
#elif defined(__aarch64__)
#define SYS_write		64
#define SYS_rt_sigtimedwait	137
#define SYS_wait4		260
#define SYS_kill		129
#define SYS_exit_group		94

__asm__(".text\n.globl _start\n_start:\n"
    "\tmov x0, sp\n"
    "\tbl reaper_main\n");

static long
sys4(long n, long a, long b, long c, long d)
{
	register long	x8 __asm__("x8") = n;
	register long	x0 __asm__("x0") = a;
	register long	x1 __asm__("x1") = b;
	register long	x2 __asm__("x2") = c;
	register long	x3 __asm__("x3") = d;

	__asm__ volatile ("svc #0" : "+r"(x0) : "r"(x8), "r"(x1), "r"(x2),
	    "r"(x3) : "memory");
	return x0;
}
#else
#error "no reaper port for this architecture"
#endif

#define SIGCHLD		17
#define WNOHANG		1
#define EINTR		4
#define STATUS_FD	3

void	reaper_main(long *) __attribute__((noreturn, used));

static void __attribute__((noreturn))
leave(int code)
{
	for (;;)
		sys4(SYS_exit_group, code, 0, 0, 0);
}

void
reaper_main(long *sp)
{
	unsigned long	 all = ~0UL;
	char		**argv = (char **)(sp + 1), *s;
	long		 cmd = 0, pid, sig;
	int		 st, siginfo[32];

	if (sp[0] < 2)
		leave(127);
	for (s = argv[1]; *s >= '0' && *s <= '9'; s++)
		cmd = cmd * 10 + (*s - '0');
	for (;;) {
		sig = sys4(SYS_rt_sigtimedwait, (long)&all, (long)siginfo, 0,
		    sizeof all);
		if (sig < 0)
			continue;
		if (sig != SIGCHLD) {
			if (sys4(SYS_kill, -cmd, sig, 0, 0) < 0)
				sys4(SYS_kill, cmd, sig, 0, 0);
			continue;
		}
		while ((pid = sys4(SYS_wait4, -1, (long)&st, WNOHANG, 0)) > 0) {
			if (pid != cmd)
				continue;
			sys4(SYS_write, STATUS_FD, (long)&st, sizeof st, 0);
			leave((st & 0x7f) == 0 ? (st >> 8) & 0xff :
			    128 + (st & 0x7f));
		}
	}
}
