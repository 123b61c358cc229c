/* SPDX-License-Identifier: ISC */
/* fuzz-sources: config.c config-keys.c config-custom.c config-net.c seccomp-profile.c cgroup.c cgroup-kill.c log.c pid1.c util.c values.c image-ref.c */
/*
 * fuzz_values.c: the value parsers, one at a time. The input's first byte
 * chooses the parser, the rest is the value (a C string, cut at a NUL).
 *
 * The parsers of src/values.c are called directly, and what they accept must
 * print back to a value they read the same way. The parsers of config.c's
 * keys (restart, volume, tmpfs, capabilities, namespaces, rlimits, the
 * cgroup limits with parse_cpus, ...) are
 * static: they are reached through the service file parser with a minimal
 * file where the chosen key holds the value, and their errors must name
 * the file and the key's line.
 */
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "fuzz.h"
#include "util.h"
#include "values.h"

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

/* Keys of service files whose values have a parser of their own. */
static const struct {
	const char	*section;
	const char	*key;
} keys[] = {
	{ "service", "restart" }, { "service", "restart_delay" },
	{ "service", "stop_signal" }, { "service", "user" },
	{ "service", "groups" }, { "service", "workdir" },
	{ "service", "env" }, { "service", "env_file" },
	{ "service", "umask" }, { "service", "after" },
	{ "service", "requires" }, { "service", "ready" },
	{ "service", "type" }, { "service", "autostart" },
	{ "log", "file" }, { "log", "stderr" }, { "log", "max_size" },
	{ "log", "max_files" }, { "log", "when_full" },
	{ "isolation", "namespaces" }, { "isolation", "hostname" },
	{ "isolation", "rootfs" }, { "isolation", "volume" },
	{ "isolation", "tmpfs" }, { "isolation", "network" },
	{ "isolation", "capabilities" }, { "limits", "nofile" },
	{ "limits", "nproc" }, { "limits", "core" }, { "limits", "memlock" },
	{ "health", "cmd" }, { "health", "interval" },
	{ "health", "retries" }, { "health", "on_unhealthy" },
	{ "limits", "memory" }, { "limits", "memory_swap" },
	{ "limits", "cpus" }, { "limits", "cpu_weight" },
	{ "limits", "pids" }, { "limits", "io_weight" },
};
#define NKEYS	(sizeof keys / sizeof *keys)

enum { V_DURATION, V_SIZE, V_BOOL, V_SIGNAL, V_MODE, V_UINT, V_ENVLINE,
    V_NAME, V_JSON, V_KEY };

static void
fuzz_duration(const char *s)
{
	const char	*e = NULL;
	uint64_t	 ms, again;
	char		 tmp[32];

	if (parse_duration(s, &ms, &e) == -1) {
		FUZZ_CHECK(e != NULL);
		return;
	}
	snprintf(tmp, sizeof tmp, "%" PRIu64 "ms", ms);
	FUZZ_CHECK(parse_duration(tmp, &again, &e) == 0 && again == ms);
}

static void
fuzz_size(const char *s)
{
	const char	*e = NULL;
	uint64_t	 n, again;
	char		 tmp[32];

	if (parse_size(s, &n, &e) == -1) {
		FUZZ_CHECK(e != NULL);
		return;
	}
	snprintf(tmp, sizeof tmp, "%" PRIu64, n);
	FUZZ_CHECK(parse_size(tmp, &again, &e) == 0 && again == n);
}

static void
fuzz_signal(const char *s)
{
	const char	*e = NULL, *name;
	int		 sig, again;
	char		 tmp[16];

	if (parse_signal(s, &sig, &e) == -1) {
		FUZZ_CHECK(e != NULL);
		return;
	}
	FUZZ_CHECK(sig >= 1 && sig <= 64);
	if ((name = signal_name(sig)) != NULL)
		FUZZ_CHECK(parse_signal(name, &again, &e) == 0 && again == sig);
	snprintf(tmp, sizeof tmp, "%d", sig);
	FUZZ_CHECK(parse_signal(tmp, &again, &e) == 0 && again == sig);
}

static void
fuzz_mode(const char *s)
{
	const char	*e = NULL;
	mode_t		 m, again;
	char		 tmp[16];

	if (parse_mode(s, &m, &e) == -1) {
		FUZZ_CHECK(e != NULL);
		return;
	}
	FUZZ_CHECK(m <= 0777);
	snprintf(tmp, sizeof tmp, "%o", (unsigned)m);
	FUZZ_CHECK(parse_mode(tmp, &again, &e) == 0 && again == m);
}

static void
fuzz_uint(const char *s)
{
	const char	*e = NULL;
	uint64_t	 n, again;
	char		 tmp[32];

	if (parse_uint(s, 3, 1023, &n, &e) == 0)
		FUZZ_CHECK(n >= 3 && n <= 1023);
	if (parse_uint(s, 0, UINT64_MAX, &n, &e) == -1) {
		FUZZ_CHECK(e != NULL);
		return;
	}
	snprintf(tmp, sizeof tmp, "%" PRIu64, n);
	FUZZ_CHECK(parse_uint(tmp, 0, UINT64_MAX, &again, &e) == 0 &&
	    again == n);
}

static void
fuzz_envline(const char *s)
{
	const char	*e = NULL, *eq;
	char		*kv = NULL;

	if (env_parse_line(s, &kv, &e) == -1) {
		FUZZ_CHECK(e != NULL && kv == NULL);
		return;
	}
	if (kv == NULL)
		return;		/* a blank line or a comment */
	eq = strchr(kv, '=');
	FUZZ_CHECK(eq != NULL && env_key_valid(kv, eq - kv));
	free(kv);
}

/* A JSON string literal: quoted, no raw control byte, escapes complete. */
static void
fuzz_json(const char *s)
{
	struct buf	 b = { 0 };
	size_t		 i, n = 0;

	buf_json_str(&b, s);
	FUZZ_CHECK(b.len >= 2 && b.p[0] == '"' && b.p[b.len - 1] == '"');
	for (i = 1; i < b.len - 1; i++, n++) {
		FUZZ_CHECK((unsigned char)b.p[i] >= 0x20 && b.p[i] != '"');
		if (b.p[i] != '\\')
			continue;
		i++;
		FUZZ_CHECK(i < b.len - 1 && strchr("\"\\nrtbfu", b.p[i]));
		if (b.p[i] == 'u')
			i += 4;
	}
	FUZZ_CHECK(n == strlen(s));	/* one decoded byte per input byte */
	buf_free(&b);
}

/* The value under one key of a minimal service file. */
static void
fuzz_key(unsigned which, const char *v)
{
	static struct supd_conf	 mc;
	static int		 ready;
	struct strv		 errs = { 0 };
	struct svc_conf		*sc;
	struct buf		 f = { 0 };
	const char		*path;

	if (!ready) {
		char	none[128];

		snprintf(none, sizeof none, "%s/none.conf", fuzz_dir());
		FUZZ_CHECK(cfg_load_main(none, false, &mc, &errs) == 0);
		/* For `env_file = env`: a file beside the service file. */
		fuzz_write_file("env", "A=1\n", 4);
		ready = 1;
	}
	if (strpbrk(v, "\r\n") != NULL)
		return;		/* one value is one line */
	which %= NKEYS;
	buf_puts(&f, "[service]\ncommand = true\n");
	if (strcmp(keys[which].section, "health") == 0 &&
	    strcmp(keys[which].key, "cmd") != 0)
		buf_puts(&f, "[health]\ncmd = true\n");
	buf_printf(&f, "[%s]\n%s = %s\n", keys[which].section,
	    keys[which].key, v);
	path = fuzz_write_file("fuzz.ini", f.p, f.len);
	sc = cfg_load_service(path, &mc, &errs);
	fuzz_check_errors(&errs, path);
	FUZZ_CHECK((sc == NULL) == (errs.n > 0));
	cfg_svc_free(sc);
	strv_free(&errs);
	buf_free(&f);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char	*e = NULL;
	char		*s;
	bool		 b;

	if (size == 0)
		return 0;
	s = fuzz_cstr(data + 1, size - 1);
	switch (data[0] < V_KEY ? data[0] : V_KEY) {
	case V_DURATION:	fuzz_duration(s); break;
	case V_SIZE:		fuzz_size(s); break;
	case V_BOOL:
		FUZZ_CHECK(parse_bool(s, &b, &e) == 0 || e != NULL);
		break;
	case V_SIGNAL:		fuzz_signal(s); break;
	case V_MODE:		fuzz_mode(s); break;
	case V_UINT:		fuzz_uint(s); break;
	case V_ENVLINE:		fuzz_envline(s); break;
	case V_NAME:
		if (name_valid(s))
			FUZZ_CHECK(strlen(s) <= 64 && strchr(s, '/') == NULL);
		if (env_key_valid(s, strlen(s)))
			FUZZ_CHECK(strchr(s, '=') == NULL);
		break;
	case V_JSON:		fuzz_json(s); break;
	default:		fuzz_key(data[0] - V_KEY, s); break;
	}
	free(s);
	return 0;
}
