/* SPDX-License-Identifier: ISC */
/*
 * config-private.h: private to config*.c (and tests/unit/test_config.c): the
 * key tables, one row per key of supd.conf and of a service file, and the
 * state of one file's parse that the rows' parsers write into.
 *
 * A row says everything about its key: section, name, type, where its value
 * lives (offsetof into struct supd_conf or struct svc_conf), its default
 * (text in the file's own syntax, read by the same parser as the file), its
 * bounds, whether it may repeat, and for the keys that are not one plain
 * value a parser, canonical writer and free of their own (config-custom.c).
 * Defaults, parsing, freeing and the canonical form all come from the rows.
 */
#ifndef SUPD_CONFIG_PRIVATE_H
#define SUPD_CONFIG_PRIVATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>

#include "config.h"
#include "util.h"

/* What a row's value is: how it is parsed, written canonically and freed. */
enum key_type {
	KT_BOOL,	/* bool: yes/no/true/false/on/off/1/0 */
	KT_DURATION,	/* uint64_t milliseconds; canonical name gets "_ms" */
	KT_SIZE,	/* uint64_t bytes */
	KT_UINT,	/* unsigned in [min, max] */
	KT_ENUM,	/* int (an enum): the index of the value in names[] */
	KT_PATH,	/* char *: relative to the file's directory, made absolute */
	KT_STRING,	/* char *, checked by check() if set */
	KT_STRV,	/* char **: words, each checked by check(); repeats add */
	KT_ARGV,	/* char **: one command line split into words */
	KT_MODE,	/* mode_t, octal */
	KT_SIGNAL,	/* int signal number; written by name */
	KT_CUSTOM,	/* parse, canon and free of the row's own */
};

struct parse;
struct key;

typedef const char *(*key_parse_fn)(struct parse *, const struct key *,
    const char *);
typedef void (*key_canon_fn)(const struct key *, const void *conf,
    struct buf *);
typedef void (*key_free_fn)(const struct key *, void *conf);

struct key {
	const char	*section;
	const char	*name;
	enum key_type	 type;
	size_t		 off;		/* offsetof the value in its struct */
	size_t		 size;		/* sizeof it (checked against type) */
	/* Default as text; NULL: zero, or set by a rule of config.c. */
	const char	*def;
	uint64_t	 min, max;	/* KT_UINT/DURATION/SIZE bounds */
	const char *const *names;	/* KT_ENUM: NULL-terminated */
	bool		 repeat;	/* may appear more than once */
	bool		 cont;		/* may go on on indented lines */
	int		 arg;		/* for the row's own parser */
	/* KT_STRING, KT_STRV: NULL if the value (word) is good, else why. */
	const char	*(*check)(const char *);
	key_parse_fn	 parse;		/* replaces the type's parser */
	key_canon_fn	 canon;		/* replaces the type's writer */
	key_free_fn	 free;		/* replaces the type's free */
	bool		 no_canon;	/* not written: see the row */
	/* A valid value other than the default, which
	 * tests/unit/test_config_keys.c sets alone; NULL: cannot be set. */
	const char	*sample;
};

/* Where a row's value lives. */
#define MAIN(f)	.off = offsetof(struct supd_conf, f), \
		.size = sizeof(((struct supd_conf *)0)->f)
#define SVC(f)	.off = offsetof(struct svc_conf, f), \
		.size = sizeof(((struct svc_conf *)0)->f)
#define NET(f)	.off = offsetof(struct net_conf, f), \
		.size = sizeof(((struct net_conf *)0)->f)
#define KEY_VAL(conf, k)	((void *)((char *)(conf) + (k)->off))

/* The tables, each ended by a row with a NULL name. */
extern const struct key	 cfgk_main_keys[];
extern const struct key	 cfgk_svc_keys[];
/* The rows of each `[network NAME]` of supd.conf, on its struct net_conf. */
extern const struct key	 cfgk_net_keys[];
#define CFGK_NET_NKEYS	6	/* rows of cfgk_net_keys, for seen */

/* State of one file's parse. */
struct parse {
	const char		*file;	/* the path, or the label of text */
	const char		*text;	/* a service file given as text
					   (supctl run), else NULL */
	FILE			*fp;
	unsigned		 line;	/* line just handed to inih */
	int			 cont;	/* that line continues a value */
	int			 reader_err; /* the reader reported this line */
	int			 section_bad; /* in a bad or unknown section */
	int			 have_key; /* a key line precedes (continuations) */
	const struct key	*keys;
	unsigned		*seen;	/* per row: line set on, 0 = unset */
	struct strv		*errs;
	int			 nerrs;	/* errors of this file */
	char			*dir;	/* the file's directory */
	void			*conf;	/* struct supd_conf or svc_conf */
	const struct supd_conf	*main;	/* (service files) the main config */
	char			 msg[128]; /* a message built by a parser */
	/* Service files: what is resolved after the whole file is read. */
	struct strv		 env;	/* env items */
	struct strv		 env_files; /* env files, resolved */
	unsigned		*env_file_lines; /* line of each env_file */
	char			*command; /* raw, continuations joined */
	char			*log_file; /* raw [log] file */
	/* supd.conf: the [network NAME] being read (config-net.c). */
	ssize_t			 net_cur; /* index in nets, -1: none */
	unsigned		 net_seen[CFGK_NET_NKEYS];
	/* Service files: lines of the repeatable network keys. */
	unsigned		 net_values; /* network values in the file */
	unsigned		*net_lines; /* line of each iso.nets[i] */
	unsigned		*ip_lines; /* line of each iso.ips[i] */
};

/* Append "FILE:LINE: message" (line 0: "FILE: message") to p->errs. */
void	 cfgk_perr(struct parse *, unsigned line, const char *fmt, ...)
	    ATTR_PRINTF(3, 4);
/* A path of the file made absolute against base (the file's directory). */
char	*cfgk_abs_path(const char *base, const char *v);

/* Number of rows of a table. */
size_t	 cfgk_count(const struct key *);
/* The row of section/name, or NULL. */
const struct key *cfgk_find(const struct key *, const char *section,
	    const char *name);
/* The line section/name was set on in this parse, 0 if it was not. */
unsigned cfgk_seen(const struct parse *, const char *section,
	    const char *name);
/* Set every row's default into p->conf, a struct of conf_size bytes that
 * holds nothing yet: it is overwritten whole (errors here are a bug in a
 * row). */
void	 cfgk_defaults(struct parse *, size_t conf_size);
/* Parse one value of k into p->conf; NULL, or the error's message. */
const char *cfgk_set(struct parse *, const struct key *, const char *v);
/* Every row of keys as one JSON object's members, by section. */
void	 cfgk_canon(const struct key *, const void *conf, struct buf *);
/* Free what every row of keys owns in conf. */
void	 cfgk_free(const struct key *, void *conf);

/*
 * [network NAME] of supd.conf (config-net.c). cfgn_builtin adds supd0 to a
 * fresh config; cfgn_open reads a section header's "network NAME" (len
 * bytes; errors FILE:LINE, then the section is skipped); cfgn_key one key
 * of it; cfgn_finish checks the networks together once the file is read.
 */
void	 cfgn_builtin(struct supd_conf *);
int	 cfgn_open(struct parse *, const char *text, size_t len);
void	 cfgn_key(struct parse *, const char *name, const char *value);
void	 cfgn_finish(struct parse *);
void	 cfgn_free(struct supd_conf *);
/* A service's network keys against the main config, after its file. */
void	 cfgn_svc_validate(struct parse *, struct svc_conf *);

/* Enum names: the index of v in names, or -1; "expected a, b or c". */
int	 cfgk_enum_index(const char *const *names, const char *v);
const char *cfgk_expected(struct parse *, const char *const *names);

#endif
