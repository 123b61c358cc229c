/* SPDX-License-Identifier: ISC */
/*
 * iso_suid: installed setuid root (mode 4755) in the isolation tests'
 * rootfs. Prints the ids it runs with, so a test can tell whether exec
 * raised privileges: with no_new_privileges the euid stays the caller's.
 * Static-linkable, no dependencies.
 */
#include <stdio.h>
#include <unistd.h>

int
main(void)
{
	printf("suid_uid=%ld\n", (long)getuid());
	printf("suid_euid=%ld\n", (long)geteuid());
	return 0;
}
