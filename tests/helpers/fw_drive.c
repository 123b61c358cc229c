/* SPDX-License-Identifier: ISC */
/*
 * fw_drive: src/firewall.c's API from the command line, for net-fw.bats (it
 * is linked with firewall.o and util.o). A network is
 * NAME:BRIDGE:A.B.C.D/PREFIX[:nat|:internal].
 *
 *   fw_drive hold NET...   fw_apply; print "applied"; wait for EOF on stdin;
 *                          fw_remove (forwarding back as it was); "removed"
 *   fw_drive apply NET...  fw_apply and exit: the table stays, as a supd
 *                          killed with SIGKILL would leave it
 *   fw_drive clean         fw_stale_clean
 *
 * Exit 0, or 1 with fw_*'s cause on stderr (2: bad usage).
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "firewall.h"

/* Parse one NET argument in place (its strings point into arg). */
static int
parse_net(char *arg, struct fw_net *w)
{
	char *subnet, *slash, *kind;

	memset(w, 0, sizeof *w);
	w->name = arg;
	if ((w->bridge = strchr(arg, ':')) == NULL)
		return -1;
	*(char *)w->bridge++ = '\0';
	/* The bridge may hold anything but ':' (the injection tests). */
	if ((subnet = strchr(w->bridge, ':')) == NULL)
		return -1;
	*subnet++ = '\0';
	if ((kind = strchr(subnet, ':')) != NULL) {
		*kind++ = '\0';
		w->nat = strcmp(kind, "nat") == 0;
		w->internal = strcmp(kind, "internal") == 0;
		if (!w->nat && !w->internal)
			return -1;
	}
	if ((slash = strchr(subnet, '/')) == NULL)
		return -1;
	*slash++ = '\0';
	w->prefix = (unsigned)atoi(slash);
	return inet_pton(AF_INET, subnet, &w->subnet) == 1 ? 0 : -1;
}

static int
fail(const char *what, char *cause)
{
	fprintf(stderr, "fw_drive: %s: %s\n", what, cause);
	free(cause);
	return 1;
}

int
main(int argc, char **argv)
{
	struct fw_net *nets;
	char *cause = NULL, c;
	int i, n;

	if (argc == 2 && strcmp(argv[1], "clean") == 0)
		return fw_stale_clean(&cause) == 0 ? 0 : fail("clean", cause);
	if (argc < 2 || (strcmp(argv[1], "hold") != 0 &&
	    strcmp(argv[1], "apply") != 0)) {
		fprintf(stderr, "usage: fw_drive hold|apply NET... | clean\n");
		return 2;
	}
	n = argc - 2;
	if ((nets = calloc((size_t)n + 1, sizeof *nets)) == NULL)
		return 2;
	for (i = 0; i < n; i++) {
		if (parse_net(argv[i + 2], &nets[i]) == -1) {
			fprintf(stderr, "fw_drive: bad network '%s'\n",
			    argv[i + 2]);
			return 2;
		}
	}
	if (fw_apply(nets, (size_t)n, &cause) == -1)
		return fail("apply", cause);
	free(nets);
	if (strcmp(argv[1], "apply") == 0)
		return 0;
	printf("applied\n");
	fflush(stdout);
	while (read(0, &c, 1) > 0)
		;
	if (fw_remove(&cause) == -1)
		return fail("remove", cause);
	printf("removed\n");
	return 0;
}
