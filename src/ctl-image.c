/* SPDX-License-Identifier: ISC */
/*
 * ctl-image.c: supctl image ls | inspect | rm | prune -- the images of
 * the store (state_dir/images, read through imgdb.c) and the defined
 * services that use them. An image a defined service uses (its last start
 * ran it, or its REF's record names it), running or not, is never
 * removed: the refusal names the service. The removal is supd-image's
 * (`rm`, `prune`), run as supd's child (imgrun.c): the client waits
 * (C_IMAGE) and is answered when it has ended, supd's loop never does.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ctl-private.h"
#include "imgdb.h"
#include "imgrun.h"
#include "log.h"
#include "service.h"
#include "util.h"

/* An rm or prune under way: the client that waits names it by token. */
struct img_req {
	unsigned	 token;
	struct strv	 ids;		/* the images it removes */
	bool		 prune;		/* then supd-image prune */
	char		*store;
};

static unsigned	last_token;

static char *
store_dir(void)
{
	return imgdb_dir(svc_state_dir());
}

/* The image `given` names: an id (or a unique prefix of one), or a REF
 * whose record names a stored image. Its id (allocated), or NULL. */
static char *
resolve(const char *st, const char *given)
{
	struct strv	 refs = { 0 }, ids = { 0 };
	char		*id;
	size_t		 i;

	if ((id = imgdb_find_id(st, given)) != NULL)
		return id;
	imgdb_refs(st, &refs, &ids);
	for (i = 0; i < refs.n && id == NULL; i++)
		if (strcmp(refs.v[i], given) == 0)
			id = imgdb_find_id(st, ids.v[i]);
	strv_free(&refs);
	strv_free(&ids);
	return id;
}

/* The defined services that use id, into out. */
static void
users(const char *id, const struct strv *refs, const struct strv *ids,
    struct strv *out)
{
	const struct service	*s;
	const char		*ref, *sid;
	size_t			 i, j;

	for (i = 0; i < svc_count(); i++) {
		s = svc_at(i);
		if ((ref = svc_image_ref(s)) == NULL)
			continue;
		sid = svc_image_id(s);
		for (j = 0; sid == NULL || strcmp(sid, id) != 0; j++)
			if (j == refs->n || (strcmp(refs->v[j], ref) == 0 &&
			    strcmp(ids->v[j], id) == 0))
				break;
		if ((sid != NULL && strcmp(sid, id) == 0) || j < refs->n)
			strv_push(out, svc_name(s));
	}
}

/* The refs naming id, and its users, as JSON members. */
static void
json_refs_users(struct buf *b, const char *id, const struct strv *refs,
    const struct strv *ids)
{
	struct strv	u = { 0 };
	size_t		i, n = 0;

	buf_puts(b, ",\"refs\":[");
	for (i = 0; i < refs->n; i++)
		if (strcmp(ids->v[i], id) == 0) {
			buf_puts(b, n++ ? "," : "");
			buf_json_str(b, refs->v[i]);
		}
	users(id, refs, ids, &u);
	buf_puts(b, "],\"services\":");
	buf_json_strv(b, u.v != NULL ? u.v : (char *[]){ NULL });
	strv_free(&u);
}

/* One image of ls --json: id, refs, size, created, services. */
static void
ls_json(struct buf *b, const char *st, const char *id,
    const struct strv *refs, const struct strv *ids)
{
	char	*size = imgdb_info(st, id, "size"), *created =
		    imgdb_info(st, id, "created");

	buf_puts(b, "{\"id\":");
	buf_json_str(b, id);
	json_refs_users(b, id, refs, ids);
	buf_printf(b, ",\"size\":%s,\"created\":", size != NULL &&
	    strspn(size, "0123456789") == strlen(size) && *size != '\0' ?
	    size : "null");
	buf_json_str(b, created);
	buf_puts(b, "}");
	free(size);
	free(created);
}

/* One row: ID (12 digits), SIZE, CREATED, USED BY (a count), REFS. */
static void
ls_row(struct buf *b, const char *st, const char *id,
    const struct strv *refs, const struct strv *ids)
{
	struct strv	 u = { 0 };
	char		*size = imgdb_info(st, id, "size"), *created =
			    imgdb_info(st, id, "created"), hs[32] = "-";
	double		 n;
	size_t		 i, nref = 0;

	if (size != NULL) {
		n = strtod(size, NULL);
		snprintf(hs, sizeof hs, n >= 1e9 ? "%.1fGB" : n >= 1e6 ?
		    "%.1fMB" : "%.1fkB", n >= 1e9 ? n / 1e9 : n >= 1e6 ?
		    n / 1e6 : n / 1e3);
	}
	users(id, refs, ids, &u);
	buf_printf(b, "%-12.12s  %-8s  %-20.19s  %-7zu  ", id + 7, hs,
	    created != NULL ? created : "-", u.n);
	for (i = 0; i < refs->n; i++)
		if (strcmp(ids->v[i], id) == 0)
			buf_printf(b, "%s%s", nref++ ? ", " : "", refs->v[i]);
	buf_puts(b, nref == 0 ? "-\n" : "\n");
	strv_free(&u);
	free(size);
	free(created);
}

void
ctl_req_img_ls(struct client *c, char **v, size_t n)
{
	struct strv	 refs = { 0 }, rids = { 0 }, ids = { 0 };
	struct buf	 b = { 0 };
	char		*st;
	size_t		 i;
	bool		 json;

	if (n != 1 || !ctl_is_flag(v[0])) {
		ctl_client_end(c, 0, "bad request");
		return;
	}
	json = v[0][0] == '1';
	st = store_dir();
	imgdb_ids(st, &ids);
	imgdb_refs(st, &refs, &rids);
	buf_puts(&b, json ? "[" : "ID            SIZE      CREATED               "
	    "USED BY  REFS\n");
	for (i = 0; i < ids.n; i++) {
		if (json) {
			buf_puts(&b, i > 0 ? ",\n  " : "\n  ");
			ls_json(&b, st, ids.v[i], &refs, &rids);
		} else
			ls_row(&b, st, ids.v[i], &refs, &rids);
	}
	if (json)
		buf_puts(&b, ids.n > 0 ? "\n]\n" : "]\n");
	ctl_put_data(c, &b);
	ctl_client_end(c, 1, NULL);
	buf_free(&b);
	strv_free(&refs);
	strv_free(&rids);
	strv_free(&ids);
	free(st);
}

/* inspect's "defaults" and "info" members. */
static void
inspect_more(struct buf *b, const char *st, const struct img *im)
{
	const struct img_defaults	*d = &im->d;
	char				*info, *line, *next, *sp;
	size_t				 k = 0;

	buf_puts(b, ",\"defaults\":{\"entrypoint\":");
	buf_json_strv(b, d->entrypoint);
	buf_puts(b, ",\"cmd\":");
	buf_json_strv(b, d->cmd);
	buf_puts(b, ",\"env\":");
	buf_json_strv(b, d->env);
	buf_puts(b, ",\"workdir\":");
	buf_json_str(b, d->workdir);
	buf_puts(b, ",\"user\":");
	buf_json_str(b, d->user);
	buf_puts(b, ",\"stop_signal\":");
	buf_json_str(b, d->stop_signal);
	buf_puts(b, ",\"exposed_ports\":");
	buf_json_strv(b, d->ports);
	buf_puts(b, "},\"info\":{");
	info = imgdb_file(st, im->id, "info");
	for (line = info; line != NULL && *line != '\0'; line = next) {
		if ((next = strchr(line, '\n')) != NULL)
			*next++ = '\0';
		else
			next = line + strlen(line);
		if ((sp = strchr(line, ' ')) == NULL)
			continue;
		*sp = '\0';
		buf_puts(b, k++ ? "," : "");
		buf_json_str(b, line);
		buf_puts(b, ":");
		buf_json_str(b, sp + 1);
	}
	free(info);
	buf_puts(b, "}");
}

void
ctl_req_img_inspect(struct client *c, char **v, size_t n)
{
	struct strv	 refs = { 0 }, rids = { 0 };
	struct buf	 b = { 0 };
	struct img	 im;
	char		*st, *id, *m, *cause = NULL;
	size_t		 i;

	if (n != 1) {
		ctl_client_end(c, 0, "bad request");
		return;
	}
	st = store_dir();
	if ((id = resolve(st, v[0])) == NULL ||
	    imgdb_load(st, id, &im, &cause) == -1) {
		m = cause != NULL ? cause : ctl_no_such("image", v[0]);
		ctl_client_end(c, 0, m);
		free(m);
		free(id);
		free(st);
		return;
	}
	imgdb_refs(st, &refs, &rids);
	buf_puts(&b, "{\"id\":");
	buf_json_str(&b, im.id);
	json_refs_users(&b, im.id, &refs, &rids);
	buf_puts(&b, ",\"layers\":[");
	for (i = 0; i < im.nlayers; i++)
		buf_printf(&b, "%s\"sha256:%s\"", i ? "," : "", im.layers[i]);
	buf_puts(&b, "]");
	inspect_more(&b, st, &im);
	buf_puts(&b, "}\n");
	ctl_put_data(c, &b);
	ctl_client_end(c, 1, NULL);
	buf_free(&b);
	imgdb_free(&im);
	strv_free(&refs);
	strv_free(&rids);
	free(id);
	free(st);
}

static void	img_req_done(void *, bool, const char *, const char *);

/* supd-image CMD --store STORE [IDS...] for req: 0, or -1 and *cause. */
static int
img_req_run(struct img_req *r, const char *cmd, char **cause)
{
	struct strv	 args = { 0 };
	size_t		 i;
	int		 ret = 0;

	strv_push(&args, cmd);
	strv_push(&args, "--store");
	strv_push(&args, r->store);
	for (i = 0; strcmp(cmd, "rm") == 0 && i < r->ids.n; i++)
		strv_push(&args, r->ids.v[i]);
	if (imgrun_start(args.v, img_req_done, r, cause) == NULL)
		ret = -1;
	strv_free(&args);
	return ret;
}

static void
img_req_free(struct img_req *r)
{
	strv_free(&r->ids);
	free(r->store);
	free(r);
}

/* The client waiting for r, or NULL if it left. */
static struct client *
img_req_client(const struct img_req *r)
{
	struct client	*c;

	for (c = ctl_first_client(); c != NULL; c = c->next)
		if (c->state == C_IMAGE && c->img_job == r->token)
			return c;
	return NULL;
}

/* Its answer: the ids removed, a line each or a JSON array. */
static void
img_req_answer(struct img_req *r, const char *err)
{
	struct client	*c = img_req_client(r);
	struct buf	 b = { 0 };
	size_t		 i;

	if (c != NULL && err == NULL) {
		buf_puts(&b, c->img_json ? "[" : "");
		for (i = 0; i < r->ids.n; i++) {
			if (c->img_json) {
				buf_puts(&b, i ? "," : "");
				buf_json_str(&b, r->ids.v[i]);
			} else
				buf_printf(&b, "%s\n", r->ids.v[i]);
		}
		buf_puts(&b, c->img_json ? "]\n" : "");
		ctl_put_data(c, &b);
		buf_free(&b);
	}
	if (c != NULL) {
		ctl_client_end(c, err == NULL, err);
	}
	img_req_free(r);
}

static void
img_req_done(void *arg, bool ok, const char *out, const char *err)
{
	struct img_req	*r = arg;
	char		*cause = NULL;
	size_t		 i;

	(void)out;
	if (!ok) {
		log_warnx("image: %s", err);
		img_req_answer(r, err);
		return;
	}
	if (!r->prune || r->ids.n == 0)
		for (i = 0; i < r->ids.n; i++)
			log_info("image %s removed", r->ids.v[i]);
	if (r->prune) {
		/* The images went first; now what no image names. */
		for (i = 0; i < r->ids.n; i++)
			log_info("image %s removed (prune)", r->ids.v[i]);
		r->prune = false;
		if (img_req_run(r, "prune", &cause) == 0)
			return;
		img_req_answer(r, cause);
		free(cause);
		return;
	}
	img_req_answer(r, NULL);
}

/* Start r (rm of its ids, or with none a prune) and leave c waiting. */
static void
img_req_start(struct client *c, struct img_req *r)
{
	char	*cause = NULL;

	r->token = ++last_token;
	if (img_req_run(r, r->ids.n > 0 ? "rm" : "prune", &cause) == -1) {
		ctl_client_end(c, 0, cause);
		free(cause);
		img_req_free(r);
		return;
	}
	if (r->ids.n == 0)
		r->prune = false;
	c->img_job = r->token;
	c->state = C_IMAGE;
}

void
ctl_req_img_rm(struct client *c, char **v, size_t n)
{
	struct strv	 refs = { 0 }, rids = { 0 }, u = { 0 };
	struct img_req	*r;
	char		*st, *id, *m = NULL;
	size_t		 i, j;

	if (n == 0) {
		ctl_client_end(c, 0, "no image named");
		return;
	}
	r = xcalloc(1, sizeof *r);
	r->store = st = store_dir();
	imgdb_refs(st, &refs, &rids);
	for (i = 0; i < n && m == NULL; i++) {
		if ((id = resolve(st, v[i])) == NULL) {
			m = ctl_no_such("image", v[i]);
			break;
		}
		users(id, &refs, &rids, &u);
		for (j = 0; j < u.n && m == NULL; j++)
			m = xasprintf("image %s is in use by service %s", v[i],
			    u.v[j]);
		if (!strv_has(&r->ids, id))
			strv_push(&r->ids, id);
		free(id);
		strv_free(&u);
	}
	strv_free(&refs);
	strv_free(&rids);
	if (m != NULL) {
		ctl_client_end(c, 0, m);
		free(m);
		img_req_free(r);
		return;
	}
	img_req_start(c, r);
}

void
ctl_req_img_prune(struct client *c, char **v, size_t n)
{
	struct strv	 refs = { 0 }, rids = { 0 }, ids = { 0 }, u = { 0 };
	struct img_req	*r;
	size_t		 i;

	if (n != 1 || !ctl_is_flag(v[0])) {
		ctl_client_end(c, 0, "bad request");
		return;
	}
	r = xcalloc(1, sizeof *r);
	r->store = store_dir();
	r->prune = true;
	c->img_json = v[0][0] == '1';
	imgdb_ids(r->store, &ids);
	imgdb_refs(r->store, &refs, &rids);
	for (i = 0; i < ids.n; i++) {
		users(ids.v[i], &refs, &rids, &u);
		if (u.n == 0)
			strv_push(&r->ids, ids.v[i]);
		strv_free(&u);
	}
	strv_free(&refs);
	strv_free(&rids);
	strv_free(&ids);
	img_req_start(c, r);
}
