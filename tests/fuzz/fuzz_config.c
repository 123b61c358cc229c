/* SPDX-License-Identifier: ISC */
/* fuzz-sources: config.c config-keys.c config-custom.c config-net.c seccomp-profile.c cgroup.c cgroup-kill.c log.c pid1.c util.c values.c image-ref.c */
/*
 * fuzz_config.c: the INI parsers of src/config.c -- the input is written to
 * a service file, fuzz.ini, in a private directory and loaded as a service
 * (cfg_load_service, against the built-in main configuration) and as a main
 * configuration (cfg_load_main). Both must return cleanly, free everything,
 * and report every error as one line that starts with the file's path:
 * "PATH:LINE: message" or, for what belongs to no line, "PATH: message".
 * A loaded service must describe itself (cfg_svc_canon) as equal to itself.
 *
 * The directory also holds an env file, "env", so that `env_file = env`
 * in an input reads a real file without reaching outside the directory.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static const char env_text[] = "# an env file\nA=1\nexport B='two'\n";

static void
load_service(const char *path, const struct supd_conf *mc)
{
	struct strv	 errs = { 0 };
	struct svc_conf	*sc;
	struct buf	 canon = { 0 };

	sc = cfg_load_service(path, mc, &errs);
	fuzz_check_errors(&errs, path);
	/* NULL exactly when something was wrong, and then said. */
	FUZZ_CHECK((sc == NULL) == (errs.n > 0));
	if (sc != NULL) {
		FUZZ_CHECK(sc->argv != NULL && sc->argv[0] != NULL);
		FUZZ_CHECK(sc->env != NULL);
		cfg_svc_canon(sc, &canon);
		FUZZ_CHECK(canon.len > 0 && canon.p[0] == '{');
		FUZZ_CHECK(cfg_svc_equal(sc, sc));
		buf_free(&canon);
		cfg_svc_free(sc);
	}
	strv_free(&errs);
}

static void
load_main(const char *path)
{
	struct strv		errs = { 0 };
	struct supd_conf	c;
	int			r;

	r = cfg_load_main(path, true, &c, &errs);
	fuzz_check_errors(&errs, path);
	FUZZ_CHECK((r == -1) == (errs.n > 0));
	if (r == 0)
		FUZZ_CHECK(c.conf_dir[0] == '/' && c.socket[0] == '/' &&
		    c.log_dir[0] == '/' && c.state_dir[0] == '/' &&
		    c.socket_mode <= 0777);
	cfg_main_free(&c);
	strv_free(&errs);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct supd_conf	 defaults;
	static int		 ready;
	struct strv		 errs = { 0 };
	char			 none[128];
	const char		*path;

	if (!ready) {
		/* A missing file at a path not given explicitly: the
		 * built-in defaults, whatever /etc holds. */
		snprintf(none, sizeof none, "%s/none.conf", fuzz_dir());
		FUZZ_CHECK(cfg_load_main(none, false, &defaults, &errs) == 0);
		fuzz_write_file("env", env_text, sizeof env_text - 1);
		ready = 1;
	}
	path = fuzz_write_file("fuzz.ini", data, size);
	load_service(path, &defaults);
	load_main(path);
	return 0;
}
