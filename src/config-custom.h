/* SPDX-License-Identifier: ISC */
/*
 * config-custom.h: private to config*.c: the parsers, canonical writers and
 * frees of the keys whose value is not one plain value (config-custom.c),
 * named by the rows of config-keys.c.
 */
#ifndef SUPD_CONFIG_CUSTOM_H
#define SUPD_CONFIG_CUSTOM_H

#include "config-private.h"

/* Enum names written once, read and printed through the rows. */
extern const char *const cfgc_restart_names[];
extern const char *const cfgc_stderr_names[];
extern const char *const cfgc_when_full_names[];
extern const char *const cfgc_type_names[];

/* Checks of KT_STRING / KT_STRV values: NULL, or the error. */
const char *cfgc_check_ident(const char *);
const char *cfgc_check_abs(const char *);
const char *cfgc_check_hostname(const char *);
const char *cfgc_check_rootfs(const char *);
const char *cfgc_check_listen(const char *);
const char *cfgc_check_scratch_size(const char *);

/* [supd] */
const char *cfgc_socket_group(struct parse *, const struct key *, const char *);

/* [service] */
const char *cfgc_command(struct parse *, const struct key *, const char *);
const char *cfgc_entrypoint(struct parse *, const struct key *, const char *);
void	 cfgc_entrypoint_canon(const struct key *, const void *, struct buf *);
const char *cfgc_restart(struct parse *, const struct key *, const char *);
void	 cfgc_restart_canon(const struct key *, const void *, struct buf *);
const char *cfgc_env(struct parse *, const struct key *, const char *);
const char *cfgc_env_file(struct parse *, const struct key *, const char *);
const char *cfgc_deps(struct parse *, const struct key *, const char *);
const char *cfgc_ready(struct parse *, const struct key *, const char *);
void	 cfgc_ready_canon(const struct key *, const void *, struct buf *);

/* [log] */
const char *cfgc_log_file(struct parse *, const struct key *, const char *);

/* [isolation] */
const char *cfgc_namespaces(struct parse *, const struct key *, const char *);
const char *cfgc_image(struct parse *, const struct key *, const char *);
const char *cfgc_overlay(struct parse *, const struct key *, const char *);
void	 cfgc_overlay_canon(const struct key *, const void *, struct buf *);
void	 cfgc_namespaces_canon(const struct key *, const void *, struct buf *);
const char *cfgc_volume(struct parse *, const struct key *, const char *);
void	 cfgc_volume_canon(const struct key *, const void *, struct buf *);
void	 cfgc_volume_free(const struct key *, void *);
const char *cfgc_tmpfs(struct parse *, const struct key *, const char *);
void	 cfgc_tmpfs_canon(const struct key *, const void *, struct buf *);
void	 cfgc_tmpfs_free(const struct key *, void *);
/* config-net.c: network, ip, aliases, dns, publish. */
const char *cfgc_network(struct parse *, const struct key *, const char *);
void	 cfgc_network_canon(const struct key *, const void *, struct buf *);
void	 cfgc_network_free(const struct key *, void *);
const char *cfgc_ip(struct parse *, const struct key *, const char *);
const char *cfgc_check_alias(const char *);
const char *cfgc_check_ipaddr(const char *);
const char *cfgc_publish(struct parse *, const struct key *, const char *);
void	 cfgc_publish_canon(const struct key *, const void *, struct buf *);
void	 cfgc_publish_free(const struct key *, void *);
const char *cfgc_caps(struct parse *, const struct key *, const char *);
void	 cfgc_caps_canon(const struct key *, const void *, struct buf *);
const char *cfgc_seccomp(struct parse *, const struct key *, const char *);
void	 cfgc_seccomp_canon(const struct key *, const void *, struct buf *);
void	 cfgc_seccomp_free(const struct key *, void *);

/* [limits]: the row's arg is its RL_* index. */
const char *cfgc_rlimit(struct parse *, const struct key *, const char *);
void	 cfgc_rlimit_canon(const struct key *, const void *, struct buf *);
/* The cgroup v2 keys: the row's arg is its CGL_* index. */
const char *cfgc_cglimit(struct parse *, const struct key *, const char *);
void	 cfgc_cglimit_canon(const struct key *, const void *, struct buf *);

/* [network NAME] of supd.conf (config-net.c), on a struct net_conf. */
const char *cfgn_check_ifname(const char *);
const char *cfgn_subnet(struct parse *, const struct key *, const char *);
void	 cfgn_subnet_canon(const struct key *, const void *, struct buf *);
const char *cfgn_gateway(struct parse *, const struct key *, const char *);
void	 cfgn_gateway_canon(const struct key *, const void *, struct buf *);
const char *cfgn_nat(struct parse *, const struct key *, const char *);
void	 cfgn_nat_canon(const struct key *, const void *, struct buf *);
const char *cfgn_ipv6(struct parse *, const struct key *, const char *);
void	 cfgn_ipv6_canon(const struct key *, const void *, struct buf *);

/* [health] */
const char *cfgc_on_unhealthy(struct parse *, const struct key *,
	    const char *);
void	 cfgc_on_unhealthy_canon(const struct key *, const void *,
	    struct buf *);

#endif
