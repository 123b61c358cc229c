/* SPDX-License-Identifier: ISC */
/*
 * image-config.c: an image config's defaults for supd (Entrypoint, Cmd,
 * Env, WorkingDir, User, StopSignal, ExposedPorts) and its info, as the
 * small text files supd reads without linking json-c: one
 * `KEY<TAB>VALUE` line each, VALUE with \\, \t and \n escaped
 * (docs/design.md "Images"); info is `key value` lines.
 */
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "image-private.h"

void
imgcfg_escape(struct buf *b, const char *s)
{
	for (; *s != '\0'; s++) {
		switch (*s) {
		case '\\':
			buf_puts(b, "\\\\");
			break;
		case '\t':
			buf_puts(b, "\\t");
			break;
		case '\n':
			buf_puts(b, "\\n");
			break;
		default:
			buf_add(b, s, 1);
		}
	}
}

/* One line KEY, sep, escaped(v); -1 when v hides a NUL (\u0000). */
static int
put_line(struct buf *b, const char *key, char sep, json_object *v)
{
	const char *s = json_object_get_string(v);

	if (s == NULL || strlen(s) != (size_t)json_object_get_string_len(v))
		return -1;
	buf_printf(b, "%s%c", key, sep);
	imgcfg_escape(b, s);
	buf_puts(b, "\n");
	return 0;
}

/* key's lines from cfg[name]: a string, or an array of strings (one line
 * each), or an object's keys (ExposedPorts). */
static int
put_key(struct buf *b, json_object *cfg, const char *name, const char *key)
{
	json_object *v;
	size_t i;

	if (!json_object_object_get_ex(cfg, name, &v) || v == NULL)
		return 0;
	switch (json_object_get_type(v)) {
	case json_type_string:
		if (json_object_get_string_len(v) == 0)
			return 0;
		return put_line(b, key, '\t', v);
	case json_type_array:
		for (i = 0; i < json_object_array_length(v); i++) {
			json_object *e = json_object_array_get_idx(v, i);

			if (!json_object_is_type(e, json_type_string) ||
			    put_line(b, key, '\t', e) == -1)
				return -1;
		}
		return 0;
	case json_type_object: {
		json_object_object_foreach(v, k, unused) {
			json_object *ks = json_object_new_string(k);
			int r = put_line(b, key, '\t', ks);

			(void)unused;
			json_object_put(ks);
			if (r == -1)
				return -1;
		}
		return 0;
	}
	default:
		return -1;
	}
}

static json_object *
parse_config(const struct buf *config, char **cause)
{
	json_object *o;

	if (config->p == NULL || strlen(config->p) != config->len) {
		*cause = xstrdup("config: a NUL byte in it");
		return NULL;
	}
	if ((o = json_tokener_parse(config->p)) == NULL ||
	    !json_object_is_type(o, json_type_object)) {
		*cause = xstrdup("config: not a JSON object");
		json_object_put(o);
		return NULL;
	}
	return o;
}

int
imgcfg_defaults(const struct buf *config, struct buf *out, char **cause)
{
	static const struct {
		const char *name, *key;
	} keys[] = {
		{ "Entrypoint", "entrypoint" }, { "Cmd", "cmd" },
		{ "Env", "env" }, { "WorkingDir", "workdir" },
		{ "User", "user" }, { "StopSignal", "stop_signal" },
		{ "ExposedPorts", "port" },
	};
	json_object *o, *c;
	size_t i;
	int r = 0;

	if ((o = parse_config(config, cause)) == NULL)
		return -1;
	buf_add(out, "", 0);
	if (json_object_object_get_ex(o, "config", &c) &&
	    json_object_is_type(c, json_type_object))
		for (i = 0; i < sizeof keys / sizeof keys[0] && r == 0; i++)
			if ((r = put_key(out, c, keys[i].name, keys[i].key)) == -1)
				*cause = xasprintf("config: %s: not a string "
				    "or a list of strings without NUL",
				    keys[i].name);
	json_object_put(o);
	return r;
}

int
imgcfg_info(const struct buf *config, uint64_t size, unsigned long skipped,
    struct buf *out, char **cause)
{
	static const char *const keys[] = { "created", "architecture", "os" };
	static const char *const names[] = { "created", "arch", "os" };
	json_object *o, *v;
	size_t i;

	if ((o = parse_config(config, cause)) == NULL)
		return -1;
	for (i = 0; i < sizeof keys / sizeof keys[0]; i++)
		if (json_object_object_get_ex(o, keys[i], &v) &&
		    json_object_is_type(v, json_type_string) &&
		    put_line(out, names[i], ' ', v) == -1) {
			*cause = xasprintf("config: %s: a NUL in it", keys[i]);
			json_object_put(o);
			return -1;
		}
	buf_printf(out, "size %ju\nskipped_nodes %lu\n", (uintmax_t)size,
	    skipped);
	json_object_put(o);
	return 0;
}
