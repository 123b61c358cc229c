/* SPDX-License-Identifier: ISC */
/* fuzz-sources: leases.c util.c values.c */
/*
 * fuzz_leases.c: lease_open (src/leases.c) on the input as a network's
 * leases file written by hand. Never fatal: every refused line is a
 * warning "PATH:LINE: ..."; what is kept is a valid service name on a host
 * address of the subnet, not its gateway, each name and address once; a
 * new service then gets a free address (or the subnet is full), and the
 * file written back reads again without a warning, the same leases.
 */
#include <sys/stat.h>

#include <arpa/inet.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "leases.h"
#include "values.h"

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

/* 10.66.0.0/28, gateway .1: few addresses, so a full subnet happens. */
static void
check_table(struct lease_table *t)
{
	struct in_addr	 a, b;
	const char	*s;
	uint32_t	 h;
	size_t		 i, j;

	for (i = 0; i < lease_count(t); i++) {
		s = lease_at(t, i, &a);
		h = ntohl(a.s_addr);
		FUZZ_CHECK(name_valid(s));
		FUZZ_CHECK((h & 0xfffffff0) == 0x0a420000);
		FUZZ_CHECK(h != 0x0a420000 && h != 0x0a42000f &&
		    h != 0x0a420001);
		for (j = 0; j < i; j++)
			FUZZ_CHECK(strcmp(lease_at(t, j, &b), s) != 0 &&
			    b.s_addr != a.s_addr);
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct net_conf		 n = { .name = "f", .prefix = 28 };
	struct lease_table	*t;
	struct strv		 warn = { 0 };
	struct in_addr		 a;
	char			*cause = NULL, dir[128];
	const char		*path;
	size_t			 i, count;

	n.subnet.s_addr = htonl(0x0a420000);
	n.gateway.s_addr = htonl(0x0a420001);
	snprintf(dir, sizeof dir, "%s/networks", fuzz_dir());
	mkdir(dir, 0700);
	snprintf(dir, sizeof dir, "%s/networks/f", fuzz_dir());
	mkdir(dir, 0700);
	path = fuzz_write_file("networks/f/leases", data, size);
	t = lease_open(fuzz_dir(), &n, &warn, &cause);
	FUZZ_CHECK(t != NULL);
	for (i = 0; i < warn.n; i++)
		FUZZ_CHECK(strncmp(warn.v[i], path, strlen(path)) == 0 &&
		    warn.v[i][strlen(path)] == ':');
	check_table(t);
	count = lease_count(t);
	if (lease_get(t, "fuzz-new", NULL, &a, &cause) == 0) {
		FUZZ_CHECK(lease_count(t) == count + 1 ||
		    lease_find(t, "fuzz-new", &a) == 0);
	} else {
		FUZZ_CHECK(count >= 13);	/* 16 - network, gw, bcast */
		free(cause);
	}
	check_table(t);
	count = lease_count(t);
	lease_close(t);
	strv_free(&warn);
	t = lease_open(fuzz_dir(), &n, &warn, &cause);
	FUZZ_CHECK(t != NULL && warn.n == 0 && lease_count(t) == count);
	lease_close(t);
	strv_free(&warn);
	return 0;
}
