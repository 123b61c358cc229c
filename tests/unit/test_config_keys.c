/* SPDX-License-Identifier: ISC */
/*
 * test_config_keys.c: the key tables of src/config-keys.c as the one source
 * of truth -- every row is sound (its field's size fits its type, its
 * default loads, its section's rows are together), documented (named in
 * man/supd.conf.5 and README.md under its section), and seen by reload:
 * a service file with one key changed to the row's sample value is not
 * cfg_svc_equal() to the file without it, key by key, so a key the
 * canonical form forgets fails here.
 *
 * Run from the repository top (tests/run-unit.sh does) or with SUPD_TOP set.
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "config-private.h"
#include "unit.h"

static char	tmpdir[] = "/tmp/test_config_keys.XXXXXX";

static const struct {
	const char		*what;
	const struct key	*keys;
} tables[] = {
	{ "supd.conf", cfgk_main_keys },
	{ "service file", cfgk_svc_keys },
	{ "[network NAME]", cfgk_net_keys },
};

static char *
write_file(const char *name, const char *text)
{
	return unit_write_file(tmpdir, name, text);
}

static size_t
type_size(enum key_type t)
{
	switch (t) {
	case KT_BOOL:		return sizeof(bool);
	case KT_DURATION:	return sizeof(uint64_t);
	case KT_SIZE:		return sizeof(uint64_t);
	case KT_UINT:		return sizeof(unsigned);
	case KT_ENUM:		return sizeof(int);
	case KT_PATH:		return sizeof(char *);
	case KT_STRING:		return sizeof(char *);
	case KT_STRV:		return sizeof(char **);
	case KT_ARGV:		return sizeof(char **);
	case KT_MODE:		return sizeof(mode_t);
	case KT_SIGNAL:		return sizeof(int);
	case KT_CUSTOM:		return 0;
	}
	return 0;
}

/* Each row: a field its type can write, sections together, a sample. */
static void
test_rows(void)
{
	const struct key	*k, *j;
	size_t			 t;

	for (t = 0; t < sizeof tables / sizeof *tables; t++)
		for (k = tables[t].keys; k->name != NULL; k++) {
			if (k->type != KT_CUSTOM && k->size != type_size(k->type)) {
				fprintf(stderr, "[%s] %s: field of %zu bytes\n",
				    k->section, k->name, k->size);
				CHECK(false);
			}
			CHECK(k->type != KT_CUSTOM || k->parse != NULL);
			CHECK(k->type != KT_ENUM || k->names != NULL);
			CHECK(k->min <= k->max || k->max == 0);
			/* A key that cannot be set is not in the form. */
			CHECK(k->sample != NULL || k->no_canon);
			CHECK(!k->cont || k->type == KT_ARGV);
			/* Once a section is left, it does not come back. */
			for (j = tables[t].keys; j + 1 < k &&
			    strcmp(k[-1].section, k->section) != 0; j++)
				if (strcmp(j->section, k->section) == 0) {
					fprintf(stderr, "[%s] %s: section split\n",
					    k->section, k->name);
					CHECK(false);
				}
			CHECK(cfgk_find(tables[t].keys, k->section, k->name) ==
			    k);
		}
}

/* The lines of path, or NULL. */
static char *
slurp(const char *top, const char *name)
{
	char	*path = xasprintf("%s/%s", top, name), *text = NULL;
	size_t	 cap = 0;
	FILE	*f = fopen(path, "r");

	if (f == NULL) {
		fprintf(stderr, "%s: cannot open\n", path);
		free(path);
		return NULL;
	}
	if (getdelim(&text, &cap, '\0', f) == -1) {
		free(text);
		text = NULL;
	}
	fclose(f);
	free(path);
	return text;
}

/* True if word is in s as a whole word (not part of another name). */
static bool
has_word(const char *s, const char *word)
{
	size_t		 len = strlen(word);
	const char	*at;

	for (at = s; (at = strstr(at, word)) != NULL; at += len)
		if ((at == s || strchr(" \t\"`,(", at[-1]) != NULL) &&
		    strchr(" \t\"`,)", at[len]) != NULL)
			return true;
	return false;
}

/*
 * man/supd.conf.5: a ".TP" tag line under ".SH MAIN CONFIGURATION" or
 * ".SH SECTION [NAME]" names the key. README.md: a table row under "section
 * `[supd]`" or a "`[NAME]`" line names it in its first cell.
 */
static bool
documented(const char *text, bool man, const char *section, const char *name)
{
	char		*copy = xstrdup(text), *line, *save = NULL, *cur = NULL;
	/* A section per name is documented as [network NAME]. */
	char		*want = xasprintf(strcmp(section, "network") == 0 ?
			    "[%s NAME]" : "[%s]", section);
	bool		 found = false, tag = false;

	for (line = strtok_r(copy, "\n", &save); line != NULL && !found;
	    line = strtok_r(NULL, "\n", &save)) {
		if (man && strncmp(line, ".SH ", 4) == 0)
			cur = strstr(line, "MAIN CONFIGURATION") != NULL ?
			    "[supd]" : strchr(line, '[');
		else if (!man && strstr(line, "section `[supd]`") != NULL)
			cur = "[supd]";
		else if (!man && line[0] == '`' && line[1] == '[')
			cur = line + 1;
		if (cur == NULL || strncmp(cur, want, strlen(want)) != 0) {
			tag = false;
			continue;
		}
		if (man) {
			if (tag)
				found = has_word(line, name);
			tag = strcmp(line, ".TP") == 0;
		} else if (strncmp(line, "| `", 3) == 0) {
			*strchrnul(line + 1, '|') = '\0';
			found = has_word(line, name);
		}
	}
	free(copy);
	free(want);
	return found;
}

static void
test_documented(const char *top)
{
	char			*man = slurp(top, "man/supd.conf.5");
	char			*readme = slurp(top, "README.md");
	const struct key	*k;
	size_t			 t;

	CHECK(man != NULL && readme != NULL);
	for (t = 0; man != NULL && readme != NULL &&
	    t < sizeof tables / sizeof *tables; t++)
		for (k = tables[t].keys; k->name != NULL; k++) {
			if (!documented(man, true, k->section, k->name)) {
				fprintf(stderr, "man/supd.conf.5: no [%s] %s\n",
				    k->section, k->name);
				CHECK(false);
			}
			if (!documented(readme, false, k->section, k->name)) {
				fprintf(stderr, "README.md: no [%s] %s\n",
				    k->section, k->name);
				CHECK(false);
			}
		}
	free(man);
	free(readme);
}

/*
 * A service file of a few keys the samples of others need (a health
 * command, a rootfs for overlay), with `change`'s sample if given.
 */
static char *
svc_text(const struct key *change)
{
	static const char *const base[][3] = {
		{ "service", "command", "/bin/true" },
		{ "health", "cmd", "/bin/true" },
		{ "isolation", "rootfs", "/srv/base-root" },
		/* ip, aliases, dns need one; publish cannot be on host. */
		{ "isolation", "network", "bridge" },
	};
	struct buf	 b = { 0 };
	bool		 done = change == NULL;
	size_t		 i;

	for (i = 0; i < sizeof base / sizeof *base; i++) {
		const char *v = base[i][2];

		/* An image excludes the rootfs. */
		if (change != NULL && strcmp(change->name, "image") == 0 &&
		    strcmp(base[i][1], "rootfs") == 0)
			continue;
		if (change != NULL && strcmp(change->section, base[i][0]) == 0 &&
		    strcmp(change->name, base[i][1]) == 0) {
			v = change->sample;
			done = true;
		}
		buf_printf(&b, "[%s]\n%s = %s\n", base[i][0], base[i][1], v);
	}
	if (!done)
		buf_printf(&b, "[%s]\n%s = %s\n", change->section, change->name,
		    change->sample);
	return b.p;
}

static struct svc_conf *
load_svc(const char *text, const struct supd_conf *mc)
{
	struct strv	 errs = { 0 };
	struct svc_conf	*sc;
	char		*path = write_file("k.ini", text);
	size_t		 i;

	sc = cfg_load_service(path, mc, &errs);
	for (i = 0; i < errs.n; i++)
		fprintf(stderr, "unexpected: %s\n", errs.v[i]);
	CHECK_INT(errs.n, 0);
	strv_free(&errs);
	free(path);
	return sc;
}

/* Enum rows: each name reads as its index and is written back as itself. */
static void
test_enum_names(const struct supd_conf *mc)
{
	const struct key	*k;
	struct svc_conf		*sc;
	struct buf		 b = { 0 };
	char			*text, *want;
	size_t			 i;

	for (k = cfgk_svc_keys; k->name != NULL; k++)
		for (i = 0; k->type == KT_ENUM && k->names[i] != NULL; i++) {
			text = xasprintf("[service]\ncommand = /bin/true\n"
			    "[%s]\n%s = %s\n", k->section, k->name,
			    k->names[i]);
			want = xasprintf("\"%s\":\"%s\"", k->name, k->names[i]);
			if ((sc = load_svc(text, mc)) != NULL) {
				CHECK_INT(*(int *)KEY_VAL(sc, k), i);
				buf_reset(&b);
				cfg_svc_canon(sc, &b);
				CHECK(strstr(b.p, want) != NULL);
			}
			cfg_svc_free(sc);
			free(want);
			free(text);
		}
	buf_free(&b);
}

/* Every key of a service file, changed alone, makes a different one. */
static void
test_each_key_seen_by_reload(const struct supd_conf *mc)
{
	const struct key	*k;
	struct svc_conf		*base, *changed;
	char			*text;
	size_t			 n = 0;

	/* env_file's sample: a file with an item that is not elsewhere. */
	free(write_file("sample.env", "FROM_SAMPLE_FILE=1\n"));
	text = svc_text(NULL);
	base = load_svc(text, mc);
	free(text);
	CHECK(base != NULL);
	for (k = cfgk_svc_keys; base != NULL && k->name != NULL; k++) {
		if (k->sample == NULL)
			continue;
		text = svc_text(k);
		changed = load_svc(text, mc);
		if (changed == NULL || cfg_svc_equal(base, changed)) {
			fprintf(stderr, "[%s] %s = %s: reload would not see "
			    "it\n", k->section, k->name, k->sample);
			CHECK(false);
		}
		cfg_svc_free(changed);
		free(text);
		n++;
	}
	cfg_svc_free(base);
	CHECK(n > 50);
}

static char *
main_canon(const char *text)
{
	struct supd_conf	 mc;
	struct strv		 errs = { 0 };
	struct buf		 b = { 0 };
	char			*path = write_file("k.conf", text);

	CHECK_INT(cfg_load_main(path, true, &mc, &errs), 0);
	CHECK_INT(errs.n, 0);
	cfg_main_canon(&mc, &b);
	cfg_main_free(&mc);
	strv_free(&errs);
	free(path);
	return b.p;
}

/* [supd]: each key changed alone changes what was loaded. */
static void
test_each_main_key(void)
{
	const struct key	*k;
	char			*base, *text, *changed;

	base = main_canon("[supd]\n");
	for (k = cfgk_main_keys; k->name != NULL; k++) {
		text = xasprintf("[supd]\n%s = %s\n", k->name, k->sample);
		changed = main_canon(text);
		if (strcmp(base, changed) == 0) {
			fprintf(stderr, "[supd] %s = %s: no change\n", k->name,
			    k->sample);
			CHECK(false);
		}
		free(changed);
		free(text);
	}
	free(base);
}

/* [network NAME]: each key changed alone changes the main config's form. */
static void
test_each_net_key(void)
{
	static const char base_net[] = "[network t]\nsubnet = 10.99.0.0/24\n";
	const struct key	*k;
	char			*base, *text, *changed;

	CHECK(cfgk_count(cfgk_net_keys) <= CFGK_NET_NKEYS);
	base = main_canon(base_net);
	for (k = cfgk_net_keys; k->name != NULL; k++) {
		text = strcmp(k->name, "subnet") == 0 ?
		    xasprintf("[network t]\nsubnet = %s\n", k->sample) :
		    xasprintf("%s%s = %s\n", base_net, k->name, k->sample);
		changed = main_canon(text);
		if (strcmp(base, changed) == 0) {
			fprintf(stderr, "[network] %s = %s: no change\n",
			    k->name, k->sample);
			CHECK(false);
		}
		free(changed);
		free(text);
	}
	free(base);
}

int
main(void)
{
	struct supd_conf	 mc;
	struct strv		 errs = { 0 };
	const char		*top = getenv("SUPD_TOP") != NULL ?
				    getenv("SUPD_TOP") : ".";

	if (mkdtemp(tmpdir) == NULL)
		return 2;
	/* Built-in defaults: every default of [supd] loads. */
	CHECK_INT(cfg_load_main("/nonexistent", false, &mc, &errs), 0);
	CHECK_INT(errs.n, 0);

	test_rows();
	test_documented(top);
	test_each_key_seen_by_reload(&mc);
	test_enum_names(&mc);
	test_each_main_key();
	test_each_net_key();

	cfg_main_free(&mc);
	strv_free(&errs);
	unit_rm_rf(tmpdir);
	return unit_done("config_keys");
}
