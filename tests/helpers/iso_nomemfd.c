/* SPDX-License-Identifier: ISC */
/*
 * iso_nomemfd: run a command where a sealable memfd cannot be made, for the
 * isolation.bats test of supd's fallback init.
 *
 *   iso_nomemfd CMD [ARG...]
 *
 * supd runs the services' PID 1 (src/reaper.c) from a sealed memfd; when
 * memfd_create(2) fails -- a kernel without it, a container runtime's
 * seccomp profile that denies it -- the same loop runs in supd's own image
 * instead (spawn.c, init_loop). This wrapper puts supd in that situation
 * for real: a seccomp filter, inherited by CMD and everything it starts,
 * makes memfd_create fail with ENOSYS (as on a kernel without memfd)
 * whenever MFD_ALLOW_SEALING is asked for. A memfd without sealing (the
 * one supd exports its seccomp programs through) is still allowed.
 *
 * As root the filter needs no PR_SET_NO_NEW_PRIVS (which would change what
 * supd's services may do); without CAP_SYS_ADMIN it is set first.
 */
#include <errno.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <stddef.h>
#include <stdio.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#if defined(__x86_64__)
#define ARCH	AUDIT_ARCH_X86_64
#elif defined(__aarch64__)
#define ARCH	AUDIT_ARCH_AARCH64
#else
#error "iso_nomemfd: no AUDIT_ARCH for this machine"
#endif

#if __BYTE_ORDER__ != __ORDER_LITTLE_ENDIAN__
#error "iso_nomemfd: the flags word is read as little-endian"
#endif

/* The low 32 bits of the flags argument. */
#define FLAGS_LO	(offsetof(struct seccomp_data, args) + sizeof(__u64))

int
main(int argc, char **argv)
{
	struct sock_filter	insns[] = {
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS,
		    offsetof(struct seccomp_data, arch)),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, ARCH, 0, 5),
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS,
		    offsetof(struct seccomp_data, nr)),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_memfd_create, 0, 3),
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, FLAGS_LO),
		BPF_JUMP(BPF_JMP | BPF_JSET | BPF_K, MFD_ALLOW_SEALING, 0, 1),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | ENOSYS),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
	};
	struct sock_fprog	prog = {
		.len = sizeof insns / sizeof *insns,
		.filter = insns,
	};

	if (argc < 2) {
		fprintf(stderr, "usage: iso_nomemfd CMD [ARG...]\n");
		return 2;
	}
	if (syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &prog) == -1) {
		if (errno != EACCES ||
		    prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) == -1 ||
		    syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &prog) ==
		    -1) {
			perror("iso_nomemfd: seccomp");
			return 2;
		}
	}
	execvp(argv[1], argv + 1);
	perror(argv[1]);
	return 127;
}
