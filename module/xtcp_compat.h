/* SPDX-License-Identifier: GPL-2.0 */
/*
 * xtcp_compat.h - the one place that knows which kernel xtcp is built for.
 *
 * The sources are written against the newest kernel API xtcp supports; for older
 * kernels this header supplies what they lack, so no other file tests a kernel
 * version.  Tested: Debian's 6.1 (6.1.1xx), 6.12 and 7.2 (see README, "Supported
 * kernels"); the version boundaries are those of mainline Linux.
 */
#ifndef _XTCP_COMPAT_H
#define _XTCP_COMPAT_H

#include <linux/hrtimer.h>
#include <linux/ipv6.h>
#include <linux/memcontrol.h>
#include <linux/version.h>
#include <linux/sysctl.h>
#include <linux/tcp.h>
#include <linux/timer.h>
#include <linux/uaccess.h>
#include <kunit/visibility.h>
#include <net/gro.h>
#include <net/inet_common.h>
#include <net/ip.h>
#include <net/net_namespace.h>
#include <net/sock.h>

/* Headers split out of sock.h, skbuff.h, netdevice.h and asm/. */
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 5, 0)
#include <net/gso.h>
#endif
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 10, 0)
#include <linux/skbuff_ref.h>
#include <net/hotdata.h>
#include <net/proto_memory.h>
#endif
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 12, 0)
#include <linux/unaligned.h>
#else
#include <asm/unaligned.h>
#endif

/*
 * ip6_dst_store(): the source and destination address arguments became flags saying
 * whether the flow fixed them (6.12 the source's, 7.x the destination's too); Kbuild
 * finds which in the headers.  Ours fixes neither.
 */
#if defined(XTCP_IP6_DST_STORE_BOOLS)
#define xtcp_ip6_dst_store(sk, dst)	ip6_dst_store(sk, dst, false, false)
#elif defined(XTCP_IP6_DST_STORE_SADDR_BOOL)
#define xtcp_ip6_dst_store(sk, dst)	ip6_dst_store(sk, dst, NULL, false)
#else
#define xtcp_ip6_dst_store(sk, dst)	ip6_dst_store(sk, dst, NULL, NULL)
#endif

/*
 * 6.6 moved struct ipv6_pinfo's flag bits (sndflow, repflow, ...) into bits of
 * inet_sock.inet_flags, read with inet6_test_bit().
 */
#ifdef inet6_test_bit
#define xtcp_inet6_sndflow(sk)		inet6_test_bit(SNDFLOW, sk)
#define xtcp_inet6_repflow(sk)		inet6_test_bit(REPFLOW, sk)
#define xtcp_inet6_set_repflow(sk, v)	inet6_assign_bit(REPFLOW, sk, v)
#else
#define xtcp_inet6_sndflow(sk)		(inet6_sk(sk)->sndflow)
#define xtcp_inet6_repflow(sk)		(inet6_sk(sk)->repflow)
#define xtcp_inet6_set_repflow(sk, v)	(inet6_sk(sk)->repflow = (v))
#endif

/* 6.16 renamed from_timer() (7.2 no longer has it). */
#ifndef timer_container_of
#define timer_container_of(var, callback_timer, timer_fieldname) \
	from_timer(var, callback_timer, timer_fieldname)
#endif

/* 6.19: a protocol's connect() takes an address of unspecified size. */
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 19, 0)
#define xtcp_sockaddr sockaddr_unsized
#else
#define xtcp_sockaddr sockaddr
#endif

/*
 * 6.5: sendfile() and splice() with SPLICE_F_MORE end with struct proto_ops .splice_eof;
 * some 6.1.y stable kernels (Debian 12's) have it too, so Kbuild looks for it in the
 * headers and defines XTCP_HAVE_SPLICE_EOF.
 */

/*
 * skb_condense() (data a driver left in a page pulled into the head, the true size
 * set) is exported by 6.12 but not by 6.1: Kbuild looks for it in Module.symvers and
 * defines XTCP_HAVE_SKB_CONDENSE.  Without it a segment keeps the size it came with.
 */
static inline void xtcp_skb_condense(struct sk_buff *skb)
{
#ifdef XTCP_HAVE_SKB_CONDENSE
	skb_condense(skb);
#endif
}

/* 6.17 reads a socket's owner locklessly, sk_uid(), and dropped sock_i_uid(). */
static inline kuid_t xtcp_sk_uid(struct sock *sk)
{
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 17, 0)
	return sk_uid(sk);
#else
	return sock_i_uid(sk);
#endif
}

/* 6.11 gives a sysctl's handler its table as const. */
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 11, 0)
#define xtcp_ctl_table const struct ctl_table
#else
#define xtcp_ctl_table struct ctl_table
#endif

/* 6.13: namespaces are strings. */
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 13, 0)
#define XTCP_IMPORT_KUNIT_NS() MODULE_IMPORT_NS("EXPORTED_FOR_KUNIT_TESTING")
#else
#define XTCP_IMPORT_KUNIT_NS() MODULE_IMPORT_NS(EXPORTED_FOR_KUNIT_TESTING)
#endif

/* 6.13: an hrtimer is set up with its function in one call (hrtimer_init() went in 6.15). */
static inline void xtcp_hrtimer_setup(struct hrtimer *timer,
				      enum hrtimer_restart (*function)(struct hrtimer *),
				      clockid_t clock_id, enum hrtimer_mode mode)
{
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 13, 0)
	hrtimer_setup(timer, function, clock_id, mode);
#else
	hrtimer_init(timer, clock_id, mode);
	timer->function = function;
#endif
}

/* 6.10 moved the limit on an skb's page fragments into net_hotdata. */
static inline int xtcp_max_skb_frags(void)
{
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 10, 0)
	return READ_ONCE(net_hotdata.sysctl_max_skb_frags);
#else
	return READ_ONCE(sysctl_max_skb_frags);
#endif
}

/*
 * 6.6 registers a sysctl table by its size; older kernels look for an empty entry at
 * its end.  @table has room for @n entries and that terminator.
 */
static inline struct ctl_table_header *
xtcp_register_net_sysctl(struct net *net, const char *path, struct ctl_table *table,
			 size_t n)
{
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 6, 0)
	return register_net_sysctl_sz(net, path, table, n);
#else
	memset(&table[n], 0, sizeof(*table));
	return register_net_sysctl(net, path, table);
#endif
}

/*
 * 6.2 added the receive window to struct tcp_info (Debian's 6.1 has not); older
 * callers see a shorter one.
 */
static inline void xtcp_tcp_info_rcv_wnd(struct tcp_info *info, u32 rcv_wnd)
{
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 2, 0)
	info->tcpi_rcv_wnd = rcv_wnd;
#endif
}

/*
 * 6.8: the range a socket may take ephemeral ports from says whether the socket set
 * its own (IP_LOCAL_PORT_RANGE); if not, connect() keeps to one parity of ports.
 */
static inline bool xtcp_local_port_range(const struct sock *sk, int *low, int *high)
{
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 8, 0)
	return inet_sk_get_local_port_range(sk, low, high);
#else
	inet_sk_get_local_port_range(sk, low, high);
	return false;
#endif
}

#if LINUX_VERSION_CODE < KERNEL_VERSION(6, 10, 0)
/* What 6.10's accept() passes (include/net/sock.h). */
struct proto_accept_arg {
	int flags;
	int err;
	int is_empty;
	bool kern;
};
#endif

/* Is @sk charged to a memory cgroup?  mem_cgroup_sk_enabled() of newer kernels. */
static inline bool xtcp_sk_memcg(const struct sock *sk)
{
	return mem_cgroup_sockets_enabled && sk->sk_memcg;
}

/*
 * Charge @val pages to the protocol, as sk_memory_allocated_add().  Before 6.10 (where
 * net_hotdata holds it) that helper may read a sysctl which is not exported (Debian's
 * 6.1 has it): drain the per-CPU reserve at its default instead.
 */
static inline void xtcp_memory_allocated_add(const struct sock *sk, int val)
{
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 10, 0)
	sk_memory_allocated_add(sk, val);
#else
	struct proto *proto = sk->sk_prot;

	val = this_cpu_add_return(*proto->per_cpu_fw_alloc, val);
	if (unlikely(val >= SK_MEMORY_PCPU_RESERVE))
		proto_memory_pcpu_drain(proto);
#endif
}

/* 7.1: MSG_ERRQUEUE reading lost its address length, as recvmsg did. */
static inline int xtcp_recv_error(struct sock *sk, struct msghdr *msg, int len)
{
#if LINUX_VERSION_CODE >= KERNEL_VERSION(7, 1, 0)
	return inet_recv_error(sk, msg, len);
#else
	int addr_len = 0;

	return inet_recv_error(sk, msg, len, &addr_len);
#endif
}

/*
 * GRO: must @p, a held packet of the flow, be flushed rather than grow, for what the
 * IP layer found different (TTL, TOS, DF, an IP ID out of step)?  6.10 moved that
 * check from inet_gro_receive(), which left it in @p's GRO state (flush, flush_id),
 * to the transport layer, gro_receive_network_flush() (the fixed-ID decision with it).
 */
static inline int xtcp_gro_network_flush(const struct tcphdr *th, const struct tcphdr *th2,
					 struct sk_buff *p)
{
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 10, 0)
	return gro_receive_network_flush(th, th2, p);
#else
	int flush = NAPI_GRO_CB(p)->flush;

	/* the second packet decides whether the flow's IDs are fixed or counting */
	if (NAPI_GRO_CB(p)->flush_id != 1 || NAPI_GRO_CB(p)->count != 1 ||
	    !NAPI_GRO_CB(p)->is_atomic)
		flush |= NAPI_GRO_CB(p)->flush_id;
	else
		NAPI_GRO_CB(p)->is_atomic = false;
	return flush;
#endif
}

/* GRO's limit on an IPv4 packet of @p's device: 6.3 gave IPv4 its own (BIG TCP). */
static inline unsigned int xtcp_gro_max_size(const struct sk_buff *p)
{
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 3, 0)
	return READ_ONCE(p->dev->gro_ipv4_max_size);
#else
	return READ_ONCE(p->dev->gro_max_size);
#endif
}

/* The entry points of struct proto, as each kernel calls them. */
struct sock *xtcp_accept(struct sock *sk, struct proto_accept_arg *arg);
int xtcp_ioctl(struct sock *sk, int cmd, int *karg);
int xtcp_recvmsg(struct sock *sk, struct msghdr *msg, size_t len, int flags);

#if LINUX_VERSION_CODE >= KERNEL_VERSION(7, 1, 0)
#define xtcp_proto_recvmsg xtcp_recvmsg
#else
/*
 * Before 7.1 recvmsg had an address length: a stream socket sets it only when it reads
 * its error queue.
 */
static inline int xtcp_proto_recvmsg(struct sock *sk, struct msghdr *msg, size_t len,
				     int flags, int *addr_len)
{
	if (flags & MSG_ERRQUEUE)
		return inet_recv_error(sk, msg, len, addr_len);
	return xtcp_recvmsg(sk, msg, len, flags);
}
#endif

#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 5, 0)
#define xtcp_proto_ioctl xtcp_ioctl
#else
/* Before 6.5 the protocol copied the ioctl's result to user space itself. */
static inline int xtcp_proto_ioctl(struct sock *sk, int cmd, unsigned long arg)
{
	int karg, err = xtcp_ioctl(sk, cmd, &karg);

	return err ?: put_user(karg, (int __user *)arg);
}
#endif

#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 10, 0)
#define xtcp_proto_accept xtcp_accept
#else
/* Before 6.10 accept() passed its flags and result one by one. */
static inline struct sock *xtcp_proto_accept(struct sock *sk, int flags, int *err,
					     bool kern)
{
	struct proto_accept_arg arg = { .flags = flags, .kern = kern };
	struct sock *newsk = xtcp_accept(sk, &arg);

	*err = arg.err;
	return newsk;
}
#endif

#endif /* _XTCP_COMPAT_H */
