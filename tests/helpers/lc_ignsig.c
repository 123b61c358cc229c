/* SPDX-License-Identifier: ISC */
/*
 * lc_ignsig: run a command with signals 32, 33 and 34 ignored, through the
 * raw system call (glibc refuses to touch 32 and 33). Ignored dispositions
 * survive exec, so this is how supd can inherit them from whoever starts it;
 * its services must not.
 */
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

int
main(int argc, char **argv)
{
	struct {
		void		*handler;
		unsigned long	 flags;
		void		*restorer;
		uint64_t	 mask;
	} ksa;
	int	sig;

	if (argc < 2) {
		fprintf(stderr, "usage: lc_ignsig CMD [ARG...]\n");
		return 2;
	}
	memset(&ksa, 0, sizeof ksa);
	ksa.handler = SIG_IGN;
	for (sig = 32; sig <= 34; sig++)
		if (syscall(SYS_rt_sigaction, sig, &ksa, NULL, sizeof ksa.mask)) {
			perror("rt_sigaction");
			return 2;
		}
	execv(argv[1], argv + 1);
	perror(argv[1]);
	return 127;
}
