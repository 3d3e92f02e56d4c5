/* SPDX-License-Identifier: GPL-2.0 */
/*
 * xtcp internal definitions: the socket, the per-netns state and the counters.
 *
 * xtcp is TCP on its own IP protocol number, built as a module.  Its structure mirrors
 * Linux's TCP (net/ipv4/tcp*.c) function by function, with the xtcp_ prefix.
 */
#ifndef _XTCP_H
#define _XTCP_H

#include <linux/types.h>
#include <net/inet_sock.h>
#include <net/net_namespace.h>
#include <net/netns/generic.h>
#include <net/snmp.h>
#include <uapi/linux/xtcp.h>

/*
 * struct xtcp_sock - an xtcp socket
 * @inet: the generic IPv4 socket; must stay first (inet_sk() casts to it)
 */
struct xtcp_sock {
	struct inet_sock inet;
};

static inline struct xtcp_sock *xtcp_sk(const struct sock *sk)
{
	return (struct xtcp_sock *)sk;
}

/*
 * Counters, one set per network namespace, shown in /proc/net/xtcp_stat.  They are
 * per-CPU and only ever incremented, so they need no lock.
 */
enum xtcp_mib_field {
	XTCP_MIB_INSEGS,	/* segments received, before validation */
	XTCP_MIB_INERRS,	/* segments dropped as malformed (incl. checksum) */
	XTCP_MIB_INCSUMERRORS,	/* segments dropped for a bad checksum */
	XTCP_MIB_NOSOCKET,	/* valid segments for which no socket exists */
	XTCP_MIB_MAX
};

struct xtcp_mib {
	unsigned long mibs[XTCP_MIB_MAX];
};

/*
 * struct xtcp_net - per-network-namespace state (net_generic() slot xtcp_net_id)
 * @mib: the counters above
 */
struct xtcp_net {
	struct xtcp_mib __percpu *mib;
};

extern unsigned int xtcp_net_id;
extern int xtcp_protocol;

static inline struct xtcp_net *xtcp_pernet(const struct net *net)
{
	return net_generic(net, xtcp_net_id);
}

#define XTCP_INC_STATS(net, field) \
	SNMP_INC_STATS(xtcp_pernet(net)->mib, field)

/* xtcp_main.c */
int xtcp_check_protocol(int protocol);

/* xtcp_sock.c: the socket calls */
extern struct proto xtcp_prot;
extern const struct proto_ops xtcp_stream_ops;

/* xtcp_input.c: segment reception */
int xtcp_v4_rcv(struct sk_buff *skb);
int xtcp_v4_err(struct sk_buff *skb, u32 info);

/* xtcp_proc.c: /proc/net files and counter folding */
int xtcp_proc_init_net(struct net *net);
void xtcp_proc_exit_net(struct net *net);
unsigned long xtcp_mib_read(struct net *net, enum xtcp_mib_field field);

#endif /* _XTCP_H */
