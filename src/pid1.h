/* SPDX-License-Identifier: ISC */
/*
 * pid1.h: supd as PID 1 (pid1.c) -- of a container's pid namespace, or of a
 * machine.
 */
#ifndef SUPD_PID1_H
#define SUPD_PID1_H

#include <stdbool.h>

/* supd is PID 1 of its pid namespace. */
bool	pid1(void);
/* ... and that namespace is the machine's own (not a container). */
bool	pid1_machine(void);
/*
 * Mount what an init must provide when it is missing: /proc, /sys, /dev
 * (devtmpfs), /dev/pts, /dev/shm, /run, /sys/fs/cgroup (cgroup2). Failures
 * are logged; nothing here is fatal.
 */
void	pid1_mounts(void);
/* How a machine's PID 1 ends, once every service has stopped. */
enum pid1_end {
	END_EXIT,	/* not a machine's PID 1: exit */
	END_POWEROFF,
	END_REBOOT,
	END_HALT,
};

/* As a machine's PID 1: Ctrl-Alt-Del becomes SIGINT instead of a reset. */
void	pid1_machine_init(void);
/*
 * The end of a machine: SIGTERM to every process left, SIGKILL after a
 * grace, sync, file systems read-only, then reboot(2). Never returns: if
 * reboot(2) fails, pid1_hang().
 */
void	pid1_finish(enum pid1_end) __attribute__((noreturn));

/* As PID 1: a fatal signal (SIGSEGV, SIGABRT, ...) logs and keeps reaping. */
void	pid1_crash_guard(void);

/*
 * PID 1 must never exit (the kernel would panic): log why, then reap
 * children for ever. For what would otherwise be fatal.
 */
void	pid1_hang(const char *why) __attribute__((noreturn));

#endif
