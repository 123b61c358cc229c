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
/*
 * PID 1 must never exit (the kernel would panic): log why, then reap
 * children for ever. For what would otherwise be fatal.
 */
void	pid1_hang(const char *why) __attribute__((noreturn));

#endif
