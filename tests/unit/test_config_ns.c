/* SPDX-License-Identifier: ISC */
/*
 * test_config_ns.c: the default isolation adapting to the namespaces supd
 * may make (config.c iso_adapt, fed by service-ns.c's probe): what a file
 * does not ask for goes, what it asks for stays (its start then fails).
 */
#include <sched.h>
#include <stdlib.h>

#include "config.h"
#include "unit.h"
#include "util.h"

static struct supd_conf	mc;

/* One service from text; its effective and dropped namespaces. */
static void
load(const char *isolation, int *ns, int *dropped, bool *tmp, bool *init)
{
	struct strv	 errs = { 0 };
	struct svc_conf	*sc;
	char		*text;

	text = xasprintf("[service]\ncommand = x\n[isolation]\n%s\n", isolation);
	sc = cfg_load_service_text("t", text, "t", &mc, &errs);
	free(text);
	CHECK(sc != NULL);
	CHECK_INT(errs.n, 0);
	*ns = sc != NULL ? sc->iso.ns : -1;
	*dropped = sc != NULL ? sc->iso.ns_dropped : -1;
	*tmp = sc != NULL && sc->iso.private_tmp;
	*init = sc != NULL && sc->iso.init;
	cfg_svc_free(sc);
	strv_free(&errs);
}

int
main(void)
{
	struct strv	errs = { 0 };
	int		ns, dropped;
	bool		tmp, init;

	cfg_load_main("/nonexistent", false, &mc, &errs);
	strv_free(&errs);

	/* Never probed: everything may be made, nothing changes. */
	load("", &ns, &dropped, &tmp, &init);
	CHECK_INT(ns, NS_DEFAULT);
	CHECK_INT(dropped, 0);
	CHECK(tmp && init);

	/* A default container: only a user namespace. */
	cfg_set_ns_available(CLONE_NEWUSER);
	load("", &ns, &dropped, &tmp, &init);
	CHECK_INT(ns, 0);
	CHECK_INT(dropped, NS_DEFAULT);
	CHECK(!tmp && !init);		/* they follow the effective set */
	/* Asked for in the file: kept. */
	load("namespaces = pid", &ns, &dropped, &tmp, &init);
	CHECK_INT(ns, CLONE_NEWPID);
	CHECK_INT(dropped, 0);
	load("namespaces = mount pid ipc uts", &ns, &dropped, &tmp, &init);
	CHECK_INT(ns, NS_DEFAULT);
	CHECK_INT(dropped, 0);
	/* Asked for by a key that needs one. */
	load("private_tmp = yes", &ns, &dropped, &tmp, &init);
	CHECK_INT(ns, CLONE_NEWNS);
	CHECK(tmp);
	load("private_tmp = no", &ns, &dropped, &tmp, &init);
	CHECK_INT(ns, 0);
	load("tmpfs = /scratch", &ns, &dropped, &tmp, &init);
	CHECK_INT(ns, CLONE_NEWNS);
	load("hostname = box", &ns, &dropped, &tmp, &init);
	CHECK_INT(ns, CLONE_NEWUTS);
	CHECK_INT(dropped, CLONE_NEWNS | CLONE_NEWPID | CLONE_NEWIPC);
	load("init = yes", &ns, &dropped, &tmp, &init);
	CHECK_INT(ns, CLONE_NEWPID);
	CHECK(init);
	load("network = none", &ns, &dropped, &tmp, &init);
	CHECK_INT(ns, CLONE_NEWNET);
	/* Some available: only the missing go. */
	cfg_set_ns_available(CLONE_NEWNS | CLONE_NEWUTS);
	load("", &ns, &dropped, &tmp, &init);
	CHECK_INT(ns, CLONE_NEWNS | CLONE_NEWUTS);
	CHECK_INT(dropped, CLONE_NEWPID | CLONE_NEWIPC);
	CHECK(tmp && !init);

	cfg_main_free(&mc);
	return unit_done("config_ns");
}
