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
 * Page tables (issue 15, bench/README.md): a process's user mappings each
 * need a PUD, a PMD and a PTE page of their own when they lie 512 GiB, 1 GiB
 * and 2 MiB apart. The image sits at 4 MiB and the kernel's stack near the
 * top of the address space: 6 pages (24 KiB) per init. So _start moves to a
 * stack in .bss, next to the code, and the reaper, once it has read its
 * arguments, unmaps everything above its image (the kernel's stack, the
 * vdso and vvar, which it never calls): 3 pages. /proc/PID/cmdline is kept
 * by pointing the kernel at a copy of the arguments in .bss first
 * (PR_SET_MM_MAP, no capability needed); where the kernel refuses that
 * (no CONFIG_CHECKPOINT_RESTORE), the stack stays.
 *
 * Built with -nostdlib -static -ffreestanding (see the Makefile); a machine
 * without a port here gets the same loop inside supd's own image instead.
 */
/* The stack in .bss: the reaper needs a few hundred bytes; with the
 * arguments' copy it fills the one page of .bss. */
#define STACK_SIZE	3968
#define STR(x)		STR_(x)
#define STR_(x)		#x

#if defined(__x86_64__)
#define SYS_write		1
#define SYS_rt_sigtimedwait	128
#define SYS_wait4		61
#define SYS_kill		62
#define SYS_exit_group		231
#define SYS_munmap		11
#define SYS_brk			12
#define SYS_prctl		157

__asm__(".text\n.globl _start\n_start:\n"
    "\tmov %rsp, %rdi\n"
    "\tlea reaper_stack+" STR(STACK_SIZE) "(%rip), %rsp\n"
    "\tcall reaper_main\n"
    "\thlt\n");

/* A fifth argument of 0: prctl(PR_SET_MM) refuses anything else. */
static long
sys4(long n, long a, long b, long c, long d)
{
	register long	r10 __asm__("r10") = d;
	register long	r8 __asm__("r8") = 0;
	long		ret;

	__asm__ volatile ("syscall" : "=a"(ret) : "a"(n), "D"(a), "S"(b),
	    "d"(c), "r"(r10), "r"(r8) : "rcx", "r11", "memory");
	return ret;
}
#elif defined(__aarch64__)
#define SYS_write		64
#define SYS_rt_sigtimedwait	137
#define SYS_wait4		260
#define SYS_kill		129
#define SYS_exit_group		94
#define SYS_munmap		215
#define SYS_brk			214
#define SYS_prctl		167

__asm__(".text\n.globl _start\n_start:\n"
    "\tmov x0, sp\n"
    "\tadrp x1, reaper_stack+" STR(STACK_SIZE) "\n"
    "\tadd x1, x1, :lo12:reaper_stack+" STR(STACK_SIZE) "\n"
    "\tmov sp, x1\n"
    "\tbl reaper_main\n");

static long
sys4(long n, long a, long b, long c, long d)
{
	register long	x8 __asm__("x8") = n;
	register long	x0 __asm__("x0") = a;
	register long	x1 __asm__("x1") = b;
	register long	x2 __asm__("x2") = c;
	register long	x3 __asm__("x3") = d;
	register long	x4 __asm__("x4") = 0;

	__asm__ volatile ("svc #0" : "+r"(x0) : "r"(x8), "r"(x1), "r"(x2),
	    "r"(x3), "r"(x4) : "memory");
	return x0;
}
#else
#error "no reaper port for this architecture"
#endif

#define SIGCHLD		17
#define WNOHANG		1
#define EINTR		4
#define STATUS_FD	3
#define PR_SET_MM	35
#define PR_SET_MM_MAP	14
#define AT_EXECFN	31
#define AT_PAGESZ	6

void	reaper_main(long *) __attribute__((noreturn, used));

/* The stack _start switches to, and the copy of the arguments that
 * /proc/PID/cmdline shows once the kernel's stack is gone. */
char		reaper_stack[STACK_SIZE] __attribute__((aligned(16), used));
static char	args[128];
extern char	__executable_start[], etext[], _end[];	/* the linker's */

/* <linux/prctl.h>'s struct prctl_mm_map. */
struct mm_map {
	unsigned long	start_code, end_code, start_data, end_data;
	unsigned long	start_brk, brk, start_stack;
	unsigned long	arg_start, arg_end, env_start, env_end;
	unsigned long	*auxv;
	unsigned int	auxv_size, exe_fd;
};

/*
 * Unmap the kernel's stack (where sp points), and with it the vdso and
 * vvar, which lie between our image and the stack (the kernel keeps at
 * least 128 MiB below the stack free for them and nothing else). The
 * stack's end is the page after the executable's name (AT_EXECFN), the
 * last string the kernel copies there. Nothing on that stack is used after.
 */
static void
shed_stack(long *sp)
{
	char		*a = (char *)sp[1], *e, *fn = 0;
	unsigned long	 lo, hi, n, page = 4096;
	long		*v = sp + 1 + sp[0] + 1;
	struct mm_map	 m;

	while (*v != 0)			/* the environment */
		v++;
	for (v++; v[0] != 0; v += 2)	/* the auxiliary vector */
		if (v[0] == AT_EXECFN)
			fn = (char *)v[1];
		else if (v[0] == AT_PAGESZ)
			page = (unsigned long)v[1];
	for (e = (char *)sp[sp[0]]; *e != 0; e++)
		;
	if (fn == 0 || (n = (unsigned long)(e + 1 - a)) > sizeof args)
		return;
	while (*fn != 0)
		fn++;
	for (lo = 0; lo < n; lo++)
		args[lo] = a[lo];
	m.start_code = (unsigned long)__executable_start;
	m.end_code = (unsigned long)etext;
	m.start_data = (unsigned long)etext;
	m.end_data = (unsigned long)_end;
	m.start_brk = m.brk = (unsigned long)sys4(SYS_brk, 0, 0, 0, 0);
	m.start_stack = (unsigned long)sp;
	m.arg_start = (unsigned long)args;
	m.arg_end = m.env_start = m.env_end = (unsigned long)args + n;
	m.auxv = 0;
	m.auxv_size = 0;
	m.exe_fd = -1U;
	if (sys4(SYS_prctl, PR_SET_MM, PR_SET_MM_MAP, (long)&m, sizeof m) < 0)
		return;
	hi = ((unsigned long)fn + page) & ~(page - 1);
	lo = ((unsigned long)_end + page - 1) & ~(page - 1);
	/* A sealed vdso (CONFIG_MSEAL_SYSTEM_MAPPINGS) fails the whole
	 * range: then the stack alone, from 1 MiB below sp. */
	if (sys4(SYS_munmap, (long)lo, (long)(hi - lo), 0, 0) < 0) {
		lo = ((unsigned long)sp & ~(page - 1)) - (1UL << 20);
		sys4(SYS_munmap, (long)lo, (long)(hi - lo), 0, 0);
	}
}

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
	shed_stack(sp);
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
