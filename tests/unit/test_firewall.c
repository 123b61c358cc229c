/* SPDX-License-Identifier: ISC */
/*
 * test_firewall.c: src/firewall.c against the real kernel, in a network
 * namespace of its own (unshare at the start: nothing of the host's is read
 * or changed). Each check reads the table back through libnftables' own
 * `list`, i.e. what the kernel holds, and /proc/sys/net/ipv4/ip_forward.
 */
#include <arpa/inet.h>
#include <nftables/libnftables.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "firewall.h"
#include "unit.h"
#include "util.h"

/* Run nft commands; their output (allocated), or NULL when they fail. */
static char *
nft(const char *cmd)
{
	struct nft_ctx *ctx = nft_ctx_new(NFT_CTX_DEFAULT);
	char *out = NULL;

	nft_ctx_buffer_output(ctx);
	nft_ctx_buffer_error(ctx);
	if (nft_run_cmd_from_buffer(ctx, cmd) == 0)
		out = xstrdup(nft_ctx_get_output_buffer(ctx));
	nft_ctx_free(ctx);
	return out;
}

/* The kernel's `inet supd`, or NULL when there is none. */
static char *
table(void)
{
	return nft("list table inet supd");
}

static bool
has(const char *text, const char *what)
{
	return text != NULL && strstr(text, what) != NULL;
}

static char
forwarding(void)
{
	FILE *f = fopen("/proc/sys/net/ipv4/ip_forward", "r");
	int c = f ? fgetc(f) : EOF;

	if (f)
		fclose(f);
	return (char)c;
}

static void
set_forwarding(const char *v)
{
	FILE *f = fopen("/proc/sys/net/ipv4/ip_forward", "w");

	CHECK(f != NULL);
	if (f) {
		fputs(v, f);
		fclose(f);
	}
}

static struct fw_net
net(const char *name, const char *bridge, const char *subnet, unsigned prefix,
    bool nat, bool internal)
{
	struct fw_net w = { name, bridge, { 0 }, prefix, nat, internal };

	inet_pton(AF_INET, subnet, &w.subnet);
	return w;
}

/* Apply and expect success; the cause is shown when it fails. */
static int
apply(const struct fw_net *nets, size_t n)
{
	char *cause = NULL;
	int rc = fw_apply(nets, n, &cause);

	if (rc != 0)
		printf("fw_apply: %s\n", cause);
	free(cause);
	return rc;
}

/* Apply and expect a refusal whose cause contains want. */
static void
refused(const struct fw_net *nets, size_t n, const char *want)
{
	char *cause = NULL;

	CHECK_INT(fw_apply(nets, n, &cause), -1);
	CHECK(has(cause, want));
	if (!has(cause, want))
		printf("cause: %s (wanted '%s')\n", cause, want);
	free(cause);
}

static void
test_remove_absent(void)
{
	char *cause = NULL, *t;

	CHECK_INT(fw_remove(&cause), 0);
	CHECK_INT(fw_stale_clean(&cause), 0);
	CHECK(cause == NULL);
	CHECK((t = table()) == NULL);
	free(t);
}

static void
test_apply_and_replace(void)
{
	struct fw_net three[] = {
		net("a", "supd-a", "10.88.0.0", 16, true, false),
		net("b", "supd-b", "10.89.0.0", 24, false, false),
		net("i", "supd-i", "10.90.0.0", 24, false, true),
	};
	struct fw_net one[] = {
		net("c", "supd-c", "10.77.1.5", 16, true, false),
	};
	char *t, *tables;

	CHECK_INT(apply(three, 3), 0);
	t = table();
	CHECK(has(t, "set bridges {\n\t\ttype ifname\n\t\telements = { \"supd-a\","));
	CHECK(has(t, "\"supd-b\",") && has(t, "\"supd-i\" }"));
	CHECK(has(t, "set internal {\n\t\ttype ifname\n\t\telements = { \"supd-i\" }"));
	CHECK(has(t, "set nat {\n\t\ttype ifname\n\t\telements = { \"supd-a\" }"));
	CHECK(has(t, "10.88.0.0/16"));
	CHECK(!has(t, "10.89.0.0"));
	CHECK(has(t, "iifname @bridges oifname @bridges drop"));
	CHECK(has(t, "ip saddr @natnets oifname != @bridges masquerade"));
	CHECK(has(t, "type nat hook postrouting"));
	free(t);

	/* Replaced as a whole: nothing of the three is left. */
	CHECK_INT(apply(one, 1), 0);
	t = table();
	CHECK(has(t, "\"supd-c\""));
	CHECK(!has(t, "supd-a") && !has(t, "supd-i") && !has(t, "10.88."));
	/* Host bits of the subnet are dropped, not refused. */
	CHECK(has(t, "10.77.0.0/16"));
	free(t);
	tables = nft("list tables");
	/* One table of that name, not a second one beside the old. */
	CHECK(has(tables, "table inet supd"));
	CHECK(has(tables, "table inet supd") &&
	    !has(strstr(tables, "table inet supd") + 1, "table inet supd"));
	free(tables);
}

/* A batch the kernel side refuses leaves the old table whole. */
static void
test_failed_batch_keeps_old(void)
{
	struct fw_net good[] = {
		net("a", "supd-a", "10.88.0.0", 16, true, false),
	};
	struct fw_net overlap[] = {
		net("x", "supd-x", "10.66.0.0", 16, true, false),
		net("y", "supd-y", "10.66.1.0", 24, true, false),
	};
	char *before, *after;

	CHECK_INT(apply(good, 1), 0);
	before = table();
	refused(overlap, 2, "nftables: conflicting intervals specified");
	after = table();
	CHECK(before != NULL && after != NULL && strcmp(before, after) == 0);
	CHECK(!has(after, "supd-x"));
	free(before);
	free(after);
}

/* Nothing a caller passes becomes nft syntax. */
static void
test_injection_refused(void)
{
	struct fw_net w = net("a", "supd-a", "10.88.0.0", 16, true, false);
	const char *bad_bridges[] = {
		"x; flush ruleset", "x\"", "x\\", "br*", "a b", "x\n",
		"", ".", "..", "sixteen-chars-xx", "x}",
	};
	const char *bad_names[] = {
		"a; flush ruleset", "A", "-a", "_a", "a\"",
		"thirty-three-characters-long-xxxx", "",
	};
	char *before, *after, *other;
	size_t i;

	CHECK((other = nft("add table inet other\n")) != NULL);
	free(other);
	CHECK_INT(apply(&w, 1), 0);
	before = table();
	for (i = 0; i < sizeof bad_bridges / sizeof *bad_bridges; i++) {
		w.bridge = bad_bridges[i];
		refused(&w, 1, "network a: bridge '");
	}
	w.bridge = "supd-a";
	for (i = 0; i < sizeof bad_names / sizeof *bad_names; i++) {
		w.name = bad_names[i];
		refused(&w, 1, "network name '");
	}
	w.name = NULL;
	refused(&w, 1, "network name ''");
	after = table();
	CHECK(before != NULL && after != NULL && strcmp(before, after) == 0);
	/* flush ruleset never ran: the other table is still there. */
	CHECK((other = nft("list table inet other\n")) != NULL);
	free(other);
	free(before);
	free(after);
	free(nft("delete table inet other\n"));
}

static void
test_invalid_sets(void)
{
	struct fw_net two[] = {
		net("a", "supd-a", "10.88.0.0", 16, true, false),
		net("b", "supd-a", "10.89.0.0", 16, false, false),
	};

	refused(two, 2, "network b: same bridge as network a");
	two[1].bridge = "supd-b";
	two[1].name = "a";
	refused(two, 2, "network a: same name as network a");
	two[1].name = "b";
	two[1].nat = two[1].internal = true;
	refused(two, 2, "network b: both nat and internal");
	two[1].nat = false;
	two[1].prefix = 0;
	refused(two, 2, "network b: subnet prefix /0");
	two[1].prefix = 33;
	refused(two, 2, "network b: subnet prefix /33");
}

/* ip_forward: on with a nat network, back off only if supd turned it on. */
static void
test_forwarding(void)
{
	struct fw_net nat = net("a", "supd-a", "10.88.0.0", 16, true, false);
	struct fw_net plain = net("b", "supd-b", "10.89.0.0", 16, false, false);
	char *cause = NULL, *t;

	set_forwarding("0\n");
	CHECK_INT(apply(&plain, 1), 0);
	CHECK_INT(forwarding(), '0');
	CHECK_INT(apply(&nat, 1), 0);
	CHECK_INT(forwarding(), '1');
	CHECK_INT(apply(&plain, 1), 0);
	CHECK_INT(forwarding(), '0');
	CHECK_INT(apply(&nat, 1), 0);
	CHECK_INT(fw_remove(&cause), 0);
	CHECK_INT(forwarding(), '0');
	CHECK((t = table()) == NULL);
	free(t);

	/* The host forwarded before: it still does after. */
	set_forwarding("1\n");
	CHECK_INT(apply(&nat, 1), 0);
	CHECK_INT(fw_apply(NULL, 0, &cause), 0);
	CHECK_INT(forwarding(), '1');
	CHECK((t = table()) == NULL);
	free(t);
	set_forwarding("0\n");
}

/* What a previous supd left is removed at start. */
static void
test_stale_clean(void)
{
	char *cause = NULL, *t;

	free(nft("add table inet supd {\n chain c {\n type filter hook "
	    "forward priority 0; policy accept;\n iifname \"old\" drop\n }\n}\n"));
	CHECK((t = table()) != NULL);
	free(t);
	CHECK_INT(fw_stale_clean(&cause), 0);
	CHECK((t = table()) == NULL);
	free(t);
}

/*
 * Once supd removed its table it only adds the next one; a table of that
 * name made by someone else meanwhile (here with a forward chain on the
 * input hook) is still replaced whole.
 */
static void
test_table_made_behind(void)
{
	struct fw_net w = net("a", "supd-a", "10.88.0.0", 16, false, false);
	char *cause = NULL, *t;

	CHECK_INT(fw_remove(&cause), 0);
	free(nft("add table inet supd {\n chain forward {\n type filter hook "
	    "input priority 0; policy accept;\n iifname \"old\" drop\n }\n}\n"));
	CHECK_INT(apply(&w, 1), 0);
	t = table();
	CHECK(has(t, "type filter hook forward priority filter"));
	CHECK(!has(t, "hook input") && !has(t, "\"old\""));
	free(t);
	CHECK_INT(fw_remove(&cause), 0);
	CHECK((t = table()) == NULL);
	free(t);
}

static void
test_many(void)
{
	struct fw_net nets[100];
	char names[100][8], bridges[100][16], subnet[16];
	char *cause = NULL, *t;
	size_t i;

	for (i = 0; i < 100; i++) {
		snprintf(names[i], sizeof names[i], "n%zu", i);
		snprintf(bridges[i], sizeof bridges[i], "supd-n%zu", i);
		snprintf(subnet, sizeof subnet, "10.%zu.0.0", 100 + i);
		nets[i] = net(names[i], bridges[i], subnet, 16, i % 3 != 2,
		    i % 3 == 2);
	}
	CHECK_INT(apply(nets, 100), 0);
	t = table();
	CHECK(has(t, "\"supd-n99\"") && has(t, "10.199.0.0/16"));
	CHECK(!has(t, "10.198.0.0/16"));	/* n98 is internal */
	free(t);
	CHECK_INT(fw_remove(&cause), 0);
}

int
main(void)
{
	if (unshare(CLONE_NEWNET) == -1) {
		perror("unshare(CLONE_NEWNET)");
		CHECK(!"a network namespace of its own");
		return unit_done("firewall");
	}
	test_remove_absent();
	test_apply_and_replace();
	test_failed_batch_keeps_old();
	test_injection_refused();
	test_invalid_sets();
	test_forwarding();
	test_stale_clean();
	test_table_made_behind();
	test_many();
	return unit_done("firewall");
}
